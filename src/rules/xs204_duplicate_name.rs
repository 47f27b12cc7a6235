//! # XS204 duplicate-name
//!
//! ## What it does
//! Reports a scope, attribute, role template or role collection whose `name` is already used by
//! an earlier entry of the same section, on each later entry (SAP's [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)).
//!
//! ## Why
//! Names identify these entries to the service and to every reference in the descriptor. Two
//! entries with one name are rejected on deployment, or one silently shadows the other, and a
//! reviewer cannot tell which description, scopes or defaults apply.
//!
//! ## Example
//! ```json
//! { "scopes": [{ "name": "$XSAPPNAME.Read" }, { "name": "$XSAPPNAME.Read" }] }
//! ```
//! The second scope is flagged. Fixed, when the second entry was meant to be another scope:
//! ```json
//! { "scopes": [{ "name": "$XSAPPNAME.Read" }, { "name": "$XSAPPNAME.Write" }] }
//! ```
//!
//! ## Fix
//! None: which entry was meant cannot be known. Rename or remove one of them.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{named, ATTRIBUTES, ROLE_COLLECTIONS, ROLE_TEMPLATES, SCOPES};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    code: "XS204",
    name: "duplicate-name",
    severity: Severity::Error,
    summary: "Two scopes, attributes, role templates or role collections share a name",
    fix: FixKind::None,
    check: Some(check),
    structural: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for (section, kind) in [
        (SCOPES, "scope"),
        (ATTRIBUTES, "attribute"),
        (ROLE_TEMPLATES, "role template"),
        (ROLE_COLLECTIONS, "role collection"),
    ] {
        let entries = named(ctx.root, section);
        let mut first_of = HashMap::with_capacity(entries.len());
        for entry in &entries {
            let first = *first_of.entry(entry.name).or_insert(entry);
            if std::ptr::eq(first, entry) {
                continue;
            }
            let line = ctx.source.position(first.name_node.span.start).line;
            out.push(
                Diagnostic::new(
                    &RULE,
                    ctx.source,
                    entry.name_node.span,
                    format!("{}/name", entry.pointer()),
                    format!("{kind} `{}` is defined twice (first on line {line})", entry.name),
                )
                .with_help(format!("Rename or remove one of the two; {kind} names must be unique.")),
            );
        }
    }
}
