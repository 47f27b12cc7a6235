//! # XS206 no-default-role
//!
//! ## What it does
//! Reports a role collection's `$XSAPPNAME.<template>` reference to a role template with an
//! attribute reference that has no `default-values` while the attribute's `valueRequired` is
//! true (its default) (SAP's [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)).
//!
//! ## Why
//! A role collection in the descriptor bundles the *default roles* of its templates. SAP creates
//! a default role only when each attribute reference either has default values or refers to an
//! attribute with `"valueRequired": false`; otherwise there is no role to put into the
//! collection and it ends up without it.
//!
//! ## Example
//! ```json
//! { "attributes": [{ "name": "Country", "valueType": "string" }],
//!   "role-templates": [{ "name": "Viewer", "attribute-references": ["Country"] }],
//!   "role-collections": [{ "name": "Viewers", "role-template-references": ["$XSAPPNAME.Viewer"] }] }
//! ```
//! Flagged. Give the reference defaults, or set `"valueRequired": false` on the attribute. Fixed
//! with defaults:
//! ```json
//! { "attributes": [{ "name": "Country", "valueType": "string" }],
//!   "role-templates": [{ "name": "Viewer", "attribute-references": [{ "name": "Country", "default-values": ["DE"] }] }],
//!   "role-collections": [{ "name": "Viewers", "role-template-references": ["$XSAPPNAME.Viewer"] }] }
//! ```
//!
//! ## Fix
//! None: the default values are a decision about who may see what.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{
    attribute_references, local_reference, named, strings, ATTRIBUTES, ROLE_COLLECTIONS, ROLE_TEMPLATES,
};
use crate::syntax::json::Value;

pub static RULE: Rule = Rule {
    code: "XS206",
    name: "no-default-role",
    severity: Severity::Warning,
    summary: "A role collection references a role template that gets no default role",
    fix: FixKind::None,
    check: Some(check),
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let attributes = named(ctx.root, ATTRIBUTES);
    // `None` for an attribute the descriptor does not define (XS202 reports it).
    let value_required = |name: &str| {
        let attribute = attributes.iter().rev().find(|a| a.name == name)?;
        Some(attribute.entry.get("valueRequired").is_none_or(|v| v.value != Value::Bool(false)))
    };
    let templates = named(ctx.root, ROLE_TEMPLATES);
    // For each template, the first attribute it references that blocks a default role.
    let blocking: Vec<Option<String>> = templates
        .iter()
        .map(|t| {
            attribute_references(t)
                .into_iter()
                .find(|r| r.default_values.is_none() && value_required(r.name) == Some(true))
                .map(|r| r.name.to_string())
        })
        .collect();
    for collection in named(ctx.root, ROLE_COLLECTIONS) {
        for (i, node, reference) in strings(collection.entry, "role-template-references") {
            let Some(wanted) = local_reference(reference) else { continue };
            let Some(index) = templates.iter().rposition(|t| t.name == wanted) else { continue };
            let Some(attribute) = &blocking[index] else { continue };
            out.push(
                Diagnostic::new(
                    &RULE,
                    ctx.source,
                    node.span,
                    format!("{}/role-template-references/{i}", collection.pointer()),
                    format!(
                        "role template `{wanted}` gets no default role: its reference to attribute `{attribute}` has no `default-values`, so role collection `{}` cannot include it",
                        collection.name
                    ),
                )
                .with_help(format!(
                    "Give the reference to `{attribute}` `default-values`, or set `\"valueRequired\": false` on the attribute."
                )),
            );
        }
    }
}
