//! # XS214 migration-finished
//!
//! ## What it does
//! Compares the descriptor with its version at the base revision. When the base was the dual
//! state (`instance-secret` after another type) and `instance-secret` is now removed, which is the
//! legitimate last step of SAP's migration (steps 5 and 6), it reports an
//! `info` note on `credential-types` with the prerequisites of that step.
//!
//! ## Why
//! Removing `instance-secret` is right only when nothing still uses it. The descriptor cannot
//! show that: it needs every app rebound, every service key replaced, and the application's
//! `instanceSecretLastUsedAt` (`GET /sap/rest/authorization/v2/apps/{id}`) checked before the
//! instance is updated. Since January 19, 2026, no new binding gets the instance secret, so what
//! is at stake are the bindings and keys made before, which removing `instance-secret` breaks
//! with HTTP 401. The note is a reminder at review time; it does not fail the run. See SAP's
//! [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md) (the "Remember" note of step 4) and [Token Retrieval Fails with Status Code 401](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/token-retrieval-fails-with-status-code-401-fd5865e.md).
//!
//! Rebinding every app and replacing every service key (SAP's steps 3 and 4) is done by the tool
//! that declares each of them, as `xsuaa-lint runbook` prints it with the repository's names:
//! - MTA: a redeploy, since `cf deploy` rebinds every xsuaa-bound module at every deploy (the
//!   broker's bindings cannot be read back), except a module with `keep-existing.service-bindings`
//!   (XS116), which needs `cf bind-service`; a service key is renamed (`${timestamp}` renews it at
//!   every deploy, SAP's [Service Keys](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/service-keys-32297f1.md))
//!   or its config changed and deployed with `cf deploy --delete-service-keys`;
//! - Terraform (both providers): `terraform apply -replace=ADDRESS` for each binding and key
//!   resource, whose `parameters` force a replacement and show as `(sensitive value)` in a plan;
//! - Kyma and Helm: `credentialsRotationPolicy.enabled: true` on the `ServiceBinding`, then the
//!   `services.cloud.sap.com/forceRotate` annotation (the [SAP BTP service operator](https://github.com/SAP/sap-btp-service-operator#service-binding-rotation)),
//!   or delete and apply it again; an instance update never renews a binding;
//! - Crossplane: the binding's `spec.rotation`, or delete and apply it again;
//! - `cf` scripts and manifests: `cf bind-service --strategy multiple` where the cf CLI and the
//!   platform allow it, else unbind, bind and restage; `cf create-service-key`, then
//!   `cf delete-service-key`.
//!
//! This rule checks SAP's security recommendation BTP-UAA-0003, "Enable individual secrets for each binding of a
//! service instance" (SAP's [Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md)).
//!
//! ## Example
//! At `HEAD`:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//! Staged:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//! Noted. Clean while the change keeps `instance-secret` (XS103 then reminds of the last step):
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! None: there is nothing to change in the file.

use super::xs109_skipped_dual_state::removed_instance_secret;
use super::{Context, FixKind, Rule};
use crate::model::descriptor::{MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS214",
    name: "migration-finished",
    severity: Severity::Info,
    summary: "instance-secret was removed after the dual state: check the prerequisites before deploying",
    fix: FixKind::None,
    check: Some(check),
    recommendation: Some("BTP-UAA-0003"),
    judges_the_file: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(base) = ctx.base else { return };
    // Outside Cloud Foundry no binding held an instance secret: there is nothing to check.
    if !ctx.placement.environment.has_instance_secrets() {
        return;
    }
    let Some(node) = removed_instance_secret(ctx) else { return };
    if base.migration_state() != MigrationState::Dual {
        return;
    }
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            node.span,
            CREDENTIAL_TYPES_POINTER,
            format!(
                "`instance-secret` removed after the dual state {}: before updating the instance, make sure every app is rebound and every service key replaced",
                base.label()
            ),
        )
        .with_help(
            "Check that `instanceSecretLastUsedAt` of SAP's Authorization API (GET /sap/rest/authorization/v2/apps/{id}) shows no recent use; existing bindings and service keys still on the instance secret fail with HTTP 401 once the instance is updated",
        ),
    );
}
