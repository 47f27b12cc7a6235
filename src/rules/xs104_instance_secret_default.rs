//! # XS104 instance-secret-default
//!
//! ## What it does
//! Reports `instance-secret` in first place of a list with other types, as in
//! `["instance-secret", "binding-secret"]` (spec section 5.1, state D1).
//!
//! ## Why
//! The first entry of `credential-types` is the default type for every new binding and service
//! key that does not ask for one (spec section 2.3). With `instance-secret` first, new bindings
//! still default to the shared secret that SAP no longer issues since 2026-01-19.
//!
//! ## Example
//! ```json
//! { "oauth2-configuration": { "credential-types": ["instance-secret", "binding-secret"] } }
//! ```
//! Flagged. Clean (for this rule):
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! Safe, for a list written in a descriptor file: moves `binding-secret` to the front (or `x509`,
//! when that is the only other type), keeping the rest in order. The order only sets the default
//! for new bindings; every existing binding keeps working. None for a list written in YAML or HCL
//! (an MTA `config` or extension, a Kyma `ServiceInstance`, Terraform), which is not rewritten:
//! the help says what to move.

use super::{Context, FixKind, Rule};
use crate::descriptor::{CredentialType, CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS104",
    name: "instance-secret-default",
    severity: Severity::Error,
    summary: "instance-secret comes first, so new bindings default to it",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    instance_check: None,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    // Under the `apiaccess` plan there is no migration to make: XS105 reports the list.
    if ctx.credential_types_in_doubt
        || ctx.plan == Some("apiaccess")
        || MigrationState::of(types) != MigrationState::DualInstanceFirst
    {
        return;
    }
    let first = node.as_array().and_then(|items| items.first()).unwrap_or(node);
    let target = if types.contains(&CredentialType::BindingSecret) {
        CredentialType::BindingSecret
    } else {
        CredentialType::X509
    };
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            first.span,
            format!("{CREDENTIAL_TYPES_POINTER}/0"),
            format!(
                "`instance-secret` is listed first (state: dual, instance first), so new bindings and service keys still default to it; next step: move `{}` to the front",
                target.as_str()
            ),
        )
        .with_help(format!(
            "Move `{}` to the front; the order only changes the default for new bindings, existing ones keep working",
            target.as_str()
        ))
        .with_fix(crate::rules::migration::binding_first(ctx, node, types)),
    );
}
