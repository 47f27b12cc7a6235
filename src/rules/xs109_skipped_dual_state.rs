//! # XS109 skipped-dual-state
//!
//! ## What it does
//! Compares the descriptor with its version at the base revision (`HEAD` by default, `--base
//! REV` in CI). Reports `credential-types` when it no longer allows `instance-secret` although
//! the base allowed it, explicitly or by leaving the list out, and the base was not the dual
//! state with another type first. Only for Cloud Foundry instances: elsewhere no binding ever
//! held an instance secret.
//!
//! ## Why
//! The edited file looks perfect, yet it skips SAP's migration: the dual state
//! `["binding-secret", "instance-secret"]` must be deployed first, every app rebound and every
//! service key replaced, and only then `instance-secret` removed. Removing it straight away
//! invalidates the instance secret on the next instance update, and every binding and service
//! key still holding it fails with HTTP 401. Since January 19, 2026, no new binding gets the
//! instance secret, but every binding and key made before may still hold it. See SAP's
//! [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md) and [Token Retrieval Fails with Status Code 401](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/token-retrieval-fails-with-status-code-401-fd5865e.md).
//!
//! This rule checks SAP's security recommendation BTP-UAA-0003, "Enable individual secrets for each binding of a
//! service instance" (SAP's [Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md)).
//!
//! ## Example
//! At `HEAD`:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["instance-secret"] } }
//! ```
//! Staged:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//! Flagged. Stage `["binding-secret", "instance-secret"]` instead, deploy it, rebind, then remove
//! `instance-secret` in a later change. Fixed (what `--fix` writes):
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! Safe: appends `instance-secret` to the list, which yields the dual state and keeps every
//! binding working. While the base is not the dual state, XS103 offers no fix to remove it again.

use super::{Context, FixKind, Rule};
use crate::model::descriptor::{CredentialType, CredentialTypes, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::json::Node;

pub static RULE: Rule = Rule {
    code: "XS109",
    name: "skipped-dual-state",
    severity: Severity::Error,
    summary: "instance-secret was removed without deploying the dual state first",
    fix: FixKind::Safe,
    check: Some(check),
    recommendation: Some("BTP-UAA-0003"),
    judges_the_file: true,
    ..Rule::DEFAULT
};

/// The current list, when it no longer allows `instance-secret`.
pub fn removed_instance_secret<'a>(ctx: &Context<'a>) -> Option<&'a Node> {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return None };
    (!ctx.credential_types_in_doubt && !types.contains(&CredentialType::InstanceSecret)).then_some(*node)
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(base) = ctx.base else { return };
    // Outside Cloud Foundry no binding ever held an instance secret: removing it breaks nothing.
    if !ctx.placement.environment.has_instance_secrets() {
        return;
    }
    let Some(node) = removed_instance_secret(ctx) else { return };
    if !base.removal_skips_dual_state() {
        return;
    }
    let state = base.migration_state().as_str();
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            node.span,
            CREDENTIAL_TYPES_POINTER,
            format!(
                "`instance-secret` removed without the dual step: {} the state was {state}; every binding and service key still on the instance secret fails with HTTP 401 after the next instance update",
                base.label()
            ),
        )
        .with_help(
            "Deploy the dual state first ([\"binding-secret\", \"instance-secret\"] in `oauth2-configuration.credential-types`), rebind every app and replace every service key, check `instanceSecretLastUsedAt`, then remove `instance-secret` in a later change",
        )
        .with_fix(crate::rules::migration::restore_instance_secret(ctx, node)),
    );
}
