//! # XS203 unknown-role-template-reference
//!
//! ## What it does
//! Reports an entry of a role collection's `role-template-references` of the form
//! `$XSAPPNAME.<template>` that names no role template in `role-templates` (SAP's
//! [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)). References to other applications' templates are not checked.
//!
//! ## Why
//! A role collection bundles the default roles of the templates it names; a reference to a
//! template that does not exist fails the deployment.
//!
//! ## Example
//! ```json
//! { "role-templates": [{ "name": "Viewer" }],
//!   "role-collections": [{ "name": "Viewers", "role-template-references": ["$XSAPPNAME.Veiwer"] }] }
//! ```
//! Flagged, with `Viewer` suggested. Fixed:
//! ```json
//! { "role-templates": [{ "name": "Viewer" }],
//!   "role-collections": [{ "name": "Viewers", "role-template-references": ["$XSAPPNAME.Viewer"] }] }
//! ```
//!
//! ## Fix
//! Safe when the reference differs from exactly one template name only in case: it is rewritten to
//! that name. Not when the corrected name is already in the same list, nor for a second
//! spelling of it (`read`, `READ`): the list would name it twice, so the help says to remove
//! the entry. Otherwise the help suggests the closest name and nothing is changed.

use super::references::{unresolved, Names, Seen, Target};
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{local_reference, named, strings, ROLE_COLLECTIONS, ROLE_TEMPLATES};
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    code: "XS203",
    name: "unknown-role-template-reference",
    severity: Severity::Error,
    summary: "A role collection references a role template the descriptor does not define",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen = Seen::default();
    let defined = Names::new(named(ctx.root, ROLE_TEMPLATES).iter().map(|t| t.name).collect());
    for collection in named(ctx.root, ROLE_COLLECTIONS) {
        let siblings: HashSet<&str> =
            strings(collection.entry, "role-template-references").map(|(_, _, s)| s).collect();
        seen.next_list();
        for (i, node, reference) in strings(collection.entry, "role-template-references") {
            let Some(wanted) = local_reference(reference) else { continue };
            if defined.contains(wanted) {
                continue;
            }
            let target = Target {
                kind: "role template",
                wanted,
                defined: &defined,
                spell: |n| format!("$XSAPPNAME.{n}"),
                siblings: &siblings,
            };
            out.push(unresolved(
                &RULE,
                ctx,
                node,
                format!("{}/role-template-references/{i}", collection.pointer()),
                &target,
                &mut seen,
            ));
        }
    }
}
