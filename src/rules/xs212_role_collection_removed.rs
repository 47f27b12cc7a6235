//! # XS212 role-collection-removed
//!
//! ## What it does
//! Compares the descriptor with its version at the base revision and reports each role
//! collection of the base that is gone. When a new collection has the same role template
//! references, it is reported as a rename, on the new name (SAP's [Compatible Changes in the Security Descriptor File](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/compatible-changes-in-the-security-descriptor-file-c3b892e.md)).
//!
//! ## Why
//! The service identifies a role collection by its name. A rename is a deletion plus a creation:
//! every user and group assigned to the old collection loses it on the next instance update,
//! and administrators must assign the new one again.
//!
//! ## Example
//! At `HEAD`:
//! ```json
//! { "xsappname": "orders",
//!   "role-templates": [{ "name": "Viewer" }],
//!   "role-collections": [{ "name": "Orders Viewer", "role-template-references": ["$XSAPPNAME.Viewer"] }] }
//! ```
//! Now:
//! ```json
//! { "xsappname": "orders",
//!   "role-templates": [{ "name": "Viewer" }],
//!   "role-collections": [{ "name": "Order Viewer", "role-template-references": ["$XSAPPNAME.Viewer"] }] }
//! ```
//! Flagged as a rename. Clean: the name is kept and only the description changes:
//! ```json
//! { "xsappname": "orders",
//!   "role-templates": [{ "name": "Viewer" }],
//!   "role-collections": [{ "name": "Orders Viewer", "description": "Read access to orders",
//!                          "role-template-references": ["$XSAPPNAME.Viewer"] }] }
//! ```
//!
//! ## Fix
//! None: keep the old name, or plan the reassignment.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{named, ROLE_COLLECTIONS};
use crate::text::source::Span;

pub static RULE: Rule = Rule {
    code: "XS212",
    name: "role-collection-removed",
    severity: Severity::Warning,
    summary: "A role collection was renamed or removed since the base revision; its assignments are lost",
    fix: FixKind::None,
    check: Some(check),
    judges_the_file: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(base) = ctx.base else { return };
    let before = named(&base.root, ROLE_COLLECTIONS);
    let now = named(ctx.root, ROLE_COLLECTIONS);
    let references = |entry: &crate::syntax::json::Node| entry.get("role-template-references").map(|n| n.to_json());
    let mut renamed_to = Vec::new();
    for old in before.iter().filter(|old| !now.iter().any(|n| n.name == old.name)) {
        let successor = now.iter().find(|n| {
            !before.iter().any(|b| b.name == n.name)
                && !renamed_to.contains(&n.index)
                && references(n.entry) == references(old.entry)
        });
        let diagnostic = match successor {
            Some(new) => {
                renamed_to.push(new.index);
                Diagnostic::new(
                    &RULE,
                    ctx.source,
                    new.name_node.span,
                    format!("{}/name", new.pointer()),
                    format!(
                        "role collection `{}` was renamed to `{}` ({}): its user and group assignments are lost",
                        old.name,
                        new.name,
                        base.label()
                    ),
                )
            }
            None => {
                let span = ctx
                    .root
                    .member(ROLE_COLLECTIONS)
                    .map_or(Span::new(ctx.root.span.start, ctx.root.span.start + 1), |m| m.key_span);
                Diagnostic::new(
                    &RULE,
                    ctx.source,
                    span,
                    format!("/{ROLE_COLLECTIONS}"),
                    format!(
                        "role collection `{}` was removed ({}): its user and group assignments are lost",
                        old.name,
                        base.label()
                    ),
                )
            }
        };
        out.push(diagnostic.with_help(
            "Keep the old name, or tell the administrators to assign the collection again after the update.",
        ));
    }
}
