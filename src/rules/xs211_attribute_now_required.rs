//! # XS211 attribute-now-required
//!
//! ## What it does
//! Compares the descriptor with its version at the base revision and reports an attribute whose
//! `valueRequired` was `false` and is now `true`, written or by default (SAP's
//! [Compatible Changes in the Security Descriptor File](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/compatible-changes-in-the-security-descriptor-file-c3b892e.md)).
//!
//! ## Why
//! SAP's update rules forbid turning an optional attribute into a required one: roles created
//! from the templates that reference it, without values, would no longer be valid.
//!
//! ## Example
//! At `HEAD`:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "Country", "valueType": "string", "valueRequired": false }] }
//! ```
//! Now, with the `valueRequired` line deleted (so it is `true`):
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "Country", "valueType": "string" }] }
//! ```
//! Flagged. Fixed:
//! ```json
//! { "xsappname": "orders",
//!   "attributes": [{ "name": "Country", "description": "Country of the user", "valueType": "string",
//!                    "valueRequired": false }] }
//! ```
//!
//! ## Fix
//! None.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{named, ATTRIBUTES};
use crate::syntax::json::{Node, Value};

pub static RULE: Rule = Rule {
    code: "XS211",
    name: "attribute-now-required",
    severity: Severity::Error,
    summary: "An attribute's valueRequired changed from false to true since the base revision",
    fix: FixKind::None,
    check: Some(check),
    judges_the_file: true,
    ..Rule::DEFAULT
};

/// `valueRequired` as the service reads it (default `true`); `None` when it is not a boolean.
fn value_required(entry: &Node) -> Option<bool> {
    match entry.get("valueRequired").map(|n| &n.value) {
        None => Some(true),
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => None,
    }
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(base) = ctx.base else { return };
    let before = named(&base.root, ATTRIBUTES);
    for attribute in named(ctx.root, ATTRIBUTES) {
        let Some(old) = before.iter().rev().find(|a| a.name == attribute.name) else { continue };
        if value_required(old.entry) != Some(false) || value_required(attribute.entry) != Some(true) {
            continue;
        }
        let (node, pointer, how) = match attribute.entry.get("valueRequired") {
            Some(node) => (node, format!("{}/valueRequired", attribute.pointer()), "is now `true`"),
            None => {
                (attribute.name_node, format!("{}/name", attribute.pointer()), "is now left out, which means `true`")
            }
        };
        out.push(
            Diagnostic::new(
                &RULE,
                ctx.source,
                node.span,
                pointer,
                format!(
                    "attribute `{}`: `valueRequired` was `false` ({}) and {how}; SAP's update rules do not allow it",
                    attribute.name,
                    base.label()
                ),
            )
            .with_help("Keep `\"valueRequired\": false`."),
        );
    }
}
