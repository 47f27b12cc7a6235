//! # XS202 unknown-attribute-reference
//!
//! ## What it does
//! Reports an entry of a role template's `attribute-references`, a plain string or an object's
//! `name`, that names no attribute in `attributes` (SAP's [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)).
//!
//! ## Why
//! An attribute reference restricts a role by the values of a user attribute. A reference to an
//! attribute that does not exist fails the deployment or restricts nothing.
//!
//! ## Example
//! ```json
//! { "attributes": [{ "name": "Country", "valueType": "string" }],
//!   "role-templates": [{ "name": "Viewer", "attribute-references": ["country"] }] }
//! ```
//! Flagged: the attribute is `Country`. Fixed:
//! ```json
//! { "attributes": [{ "name": "Country", "valueType": "string" }],
//!   "role-templates": [{ "name": "Viewer", "attribute-references": ["Country"] }] }
//! ```
//!
//! ## Fix
//! Safe when the reference differs from exactly one attribute name only in case: it is rewritten to
//! that name. Not when the corrected name is already in the same list, nor for a second
//! spelling of it (`read`, `READ`): the list would name it twice, so the help says to remove
//! the entry. Otherwise the help suggests the closest name and nothing is changed.

use super::references::{unresolved, Names, Seen, Target};
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{attribute_references, named, ATTRIBUTES, ROLE_TEMPLATES};
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    code: "XS202",
    name: "unknown-attribute-reference",
    severity: Severity::Error,
    summary: "A role template references an attribute the descriptor does not define",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = Seen::default();
    let defined = Names::new(named(ctx.root, ATTRIBUTES).iter().map(|a| a.name).collect());
    for template in named(ctx.root, ROLE_TEMPLATES) {
        let references = attribute_references(&template);
        let siblings: HashSet<&str> = references.iter().map(|r| r.name).collect();
        seen.next_list();
        for reference in references {
            if defined.contains(reference.name) || crate::model::names::has_placeholder(reference.name) {
                continue;
            }
            let target = Target {
                kind: "attribute",
                wanted: reference.name,
                defined: &defined,
                spell: str::to_string,
                siblings: &siblings,
            };
            out.push(unresolved(&RULE, ctx, reference.name_node, reference.pointer, &target, &mut seen));
        }
    }
}
