//! # XS210 attribute-value-type-changed
//!
//! ## What it does
//! Compares the descriptor with its version at the base revision (`HEAD`, or `--base REV`) and
//! reports an attribute whose `valueType` changed (`s` and `string` count as the same) (spec
//! section 1.10).
//!
//! ## Why
//! SAP's update rules allow adding and deleting attributes and changing their description, never
//! their value type: roles and users already carry values of the old type, so the instance
//! update is not compatible.
//!
//! ## Example
//! At `HEAD`:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "CostCenter", "valueType": "string" }] }
//! ```
//! Now:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "CostCenter", "valueType": "int" }] }
//! ```
//! Flagged. Fixed: the old attribute stays as it was, a new one carries the new type, and the role
//! templates move over to it:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "CostCenter", "valueType": "string" },
//!                  { "name": "CostCenterId", "valueType": "int" }] }
//! ```
//!
//! ## Fix
//! None.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{named, ATTRIBUTES};

pub static RULE: Rule = Rule {
    code: "XS210",
    name: "attribute-value-type-changed",
    severity: Severity::Error,
    summary: "An attribute's valueType changed since the base revision",
    fix: FixKind::None,
    check: Some(check),
    judges_the_file: true,
    ..Rule::DEFAULT
};

fn value_type(entry: &crate::syntax::json::Node) -> Option<&str> {
    entry.get("valueType")?.as_str().map(|t| if t == "s" { "string" } else { t })
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(base) = ctx.base else { return };
    let before = named(&base.root, ATTRIBUTES);
    for attribute in named(ctx.root, ATTRIBUTES) {
        let Some(old) = before.iter().rev().find(|a| a.name == attribute.name) else { continue };
        let (Some(was), Some(now)) = (value_type(old.entry), value_type(attribute.entry)) else { continue };
        if was == now {
            continue;
        }
        let Some(node) = attribute.entry.get("valueType") else { continue };
        out.push(
            Diagnostic::new(
                &RULE,
                ctx.source,
                node.span,
                format!("{}/valueType", attribute.pointer()),
                format!(
                    "attribute `{}` changed `valueType` from `{was}` to `{now}` ({}); SAP's update rules do not allow it",
                    attribute.name,
                    base.label()
                ),
            )
            .with_help("Keep the value type; to change it, add an attribute under a new name and move the role templates to it."),
        );
    }
}
