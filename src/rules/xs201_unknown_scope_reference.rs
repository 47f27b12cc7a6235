//! # XS201 unknown-scope-reference
//!
//! ## What it does
//! Reports an entry of a role template's `scope-references` of the form `$XSAPPNAME.<scope>`
//! that names no scope in `scopes` (SAP's [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)). References to other
//! applications (`$XSAPPNAME(application,other).Read`, `$XSSERVICENAME(instance).Read`) and
//! platform scopes such as `uaa.user` are not checked: they are defined elsewhere.
//!
//! ## Why
//! A role template can only grant scopes that exist. A misspelt reference fails the deployment
//! or, worse, leaves the role without the scope the application checks for.
//!
//! ## Example
//! ```json
//! { "scopes": [{ "name": "$XSAPPNAME.Read" }],
//!   "role-templates": [{ "name": "Viewer", "scope-references": ["$XSAPPNAME.read"] }] }
//! ```
//! Flagged: `$XSAPPNAME.read` differs from the scope `$XSAPPNAME.Read` in case. Fixed (what
//! `--fix` writes):
//! ```json
//! { "scopes": [{ "name": "$XSAPPNAME.Read" }],
//!   "role-templates": [{ "name": "Viewer", "scope-references": ["$XSAPPNAME.Read"] }] }
//! ```
//!
//! ## Fix
//! Safe when the reference differs from exactly one scope name only in case: it is rewritten to
//! that name. Not when the corrected name is already in the same list, nor for a second
//! spelling of it (`read`, `READ`): the list would name it twice, so the help says to remove
//! the entry. Otherwise the help suggests the closest name and nothing is changed.

use super::references::{unresolved, Names, Seen, Target};
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{local_reference, named, strings, ROLE_TEMPLATES, SCOPES};
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    code: "XS201",
    name: "unknown-scope-reference",
    severity: Severity::Error,
    summary: "A role template references a scope the descriptor does not define",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = Seen::default();
    let scopes = named(ctx.root, SCOPES);
    let defined = Names::new(scopes.iter().filter_map(|s| local_reference(s.name)).collect());
    for template in named(ctx.root, ROLE_TEMPLATES) {
        // The broker reads `scopeReferences` (XS207) as it reads `scope-references`.
        for key in ["scope-references", "scopeReferences"] {
            let siblings: HashSet<&str> = strings(template.entry, key).map(|(_, _, s)| s).collect();
            seen.next_list();
            for (i, node, reference) in strings(template.entry, key) {
                let Some(wanted) = local_reference(reference) else { continue };
                if defined.contains(wanted) {
                    continue;
                }
                let target = Target {
                    kind: "scope",
                    wanted,
                    defined: &defined,
                    spell: |n| format!("$XSAPPNAME.{n}"),
                    siblings: &siblings,
                };
                out.push(unresolved(
                    &RULE,
                    ctx,
                    node,
                    format!("{}/{key}/{i}", template.pointer()),
                    &target,
                    &mut seen,
                ));
            }
        }
    }
}
