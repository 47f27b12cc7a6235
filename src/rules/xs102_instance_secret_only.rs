//! # XS102 instance-secret-only
//!
//! ## What it does
//! Reports `"credential-types": ["instance-secret"]` on a Cloud Foundry instance (outside Cloud
//! Foundry, XS113 reports any `instance-secret`).
//!
//! ## Why
//! Since January 19, 2026, SAP issues no instance secret for new bindings and service keys, so
//! the list no longer matches what the service hands out. The risk it leaves is in the
//! *existing* bindings and service keys: all of them share the one instance secret, which stays
//! valid as long as the instance exists and can't be rotated without a new `xsappname`. They can
//! only be moved off it while the list allows both types. See SAP's
//! [Service Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/service-instance-secrets-5578ec4.md),
//! [Rotating Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/rotating-instance-secrets-8bfbbf5.md)
//! and [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md).
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
//! ```json
//! { "oauth2-configuration": { "credential-types": ["instance-secret"] } }
//! ```
//! Flagged. Fixed, the next safe state:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! Safe, for a list written in a descriptor file: `["instance-secret"]` becomes
//! `["binding-secret", "instance-secret"]` (with any type a binding asks for between them), step 1
//! of SAP's procedure. Existing bindings keep their instance secret. Then update the instance
//! (`cf update-service <instance> -c xs-security.json` or an MTA redeploy), rebind every app and
//! replace every service key. None for a list written in YAML (an MTA `config` or extension),
//! which is not rewritten: the help names the path in the file's own syntax.

use super::{Context, FixKind, Rule};
use crate::model::descriptor::{CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS102",
    name: "instance-secret-only",
    severity: Severity::Error,
    summary: "Only instance secrets are allowed",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    recommendation: Some("BTP-UAA-0003"),
    migration: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    // Under the `apiaccess` plan there is no migration to make: XS105 reports the list.
    if ctx.credential_types_in_doubt
        || ctx.plan == Some("apiaccess")
        || !ctx.placement.environment.has_instance_secrets()
        || MigrationState::of(types) != MigrationState::InstanceOnly
    {
        return;
    }
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            node.span,
            CREDENTIAL_TYPES_POINTER,
            format!(
                "only `instance-secret` is allowed: every existing binding and service key holds the one shared instance secret, which can't be rotated, and SAP has issued none for new ones since 2026-01-19; allow binding secrets first{}",
                ctx.placement.assumed_note()
            ),
        )
        .with_help(format!(
            "Set {} to [\"binding-secret\", \"instance-secret\"] and {}; existing bindings keep working; then {}",
            ctx.placement.list_path(ctx.fixable),
            ctx.placement.update_step(ctx.instance, ctx.fixable),
            ctx.placement.rebind_step()
        ))
        .with_fix(crate::rules::migration::binding_first(ctx, node, types)),
    );
}
