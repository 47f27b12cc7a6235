//! # XS213 default-values-changed
//!
//! ## What it does
//! Compares the descriptor with its version at the base revision and reports an attribute
//! reference of a role template whose `default-values` changed (added, removed or edited) (spec
//! sections 1.4 and 1.10).
//!
//! ## Why
//! SAP's update rules forbid changing the `default-values` of attribute references: the default
//! roles generated from them already exist with the old values, and the update is not
//! compatible.
//!
//! ## Example
//! At `HEAD`:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "Country", "valueType": "string" }],
//!   "role-templates": [{ "name": "Viewer",
//!                        "attribute-references": [{ "name": "Country", "default-values": ["DE"] }] }] }
//! ```
//! Now:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "Country", "valueType": "string" }],
//!   "role-templates": [{ "name": "Viewer",
//!                        "attribute-references": [{ "name": "Country", "default-values": ["DE", "FR"] }] }] }
//! ```
//! Flagged. Fixed: the template keeps its defaults, and a new template carries the new ones:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "Country", "valueType": "string" }],
//!   "role-templates": [{ "name": "Viewer",
//!                        "attribute-references": [{ "name": "Country", "default-values": ["DE"] }] },
//!                      { "name": "ViewerEU",
//!                        "attribute-references": [{ "name": "Country", "default-values": ["DE", "FR"] }] }] }
//! ```
//!
//! ## Fix
//! None: restore the old values, or create a new role template.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{attribute_references, named, ROLE_TEMPLATES};

pub static RULE: Rule = Rule {
    code: "XS213",
    name: "default-values-changed",
    severity: Severity::Error,
    summary: "The default-values of a role template's attribute reference changed since the base revision",
    fix: FixKind::None,
    check: Some(check),
    judges_the_file: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(base) = ctx.base else { return };
    let before = named(&base.root, ROLE_TEMPLATES);
    for template in named(ctx.root, ROLE_TEMPLATES) {
        let Some(old_template) = before.iter().rev().find(|t| t.name == template.name) else { continue };
        let old_references = attribute_references(old_template);
        for reference in attribute_references(&template) {
            let Some(old) = old_references.iter().find(|r| r.name == reference.name) else { continue };
            let was = old.default_values.map(|n| n.to_json());
            let now = reference.default_values.map(|n| n.to_json());
            if was == now {
                continue;
            }
            let show = |v: &Option<serde_json::Value>| v.as_ref().map_or("none".to_string(), |v| v.to_string());
            let (node, pointer) = match reference.default_values {
                Some(node) => {
                    let entry = reference.pointer.strip_suffix("/name").unwrap_or(&reference.pointer);
                    (node, format!("{entry}/default-values"))
                }
                None => (reference.name_node, reference.pointer.clone()),
            };
            out.push(
                Diagnostic::new(
                    &RULE,
                    ctx.source,
                    node.span,
                    pointer,
                    format!(
                        "`default-values` of attribute `{}` in role template `{}` changed from {} ({}) to {}; SAP's update rules do not allow it",
                        reference.name,
                        template.name,
                        show(&was),
                        base.label(),
                        show(&now)
                    ),
                )
                .with_help("Restore the previous default values, or create a role template under a new name."),
            );
        }
    }
}
