//! # XS104 instance-secret-default
//!
//! ## What it does
//! Reports `instance-secret` in first place of a list with other types, as in
//! `["instance-secret", "binding-secret"]`, on a Cloud Foundry instance (outside Cloud Foundry,
//! XS113 reports any `instance-secret`).
//!
//! ## Why
//! The first entry of `credential-types` is the default type for a binding or service key that
//! does not ask for one. Since January 19, 2026, SAP issues no instance secret for new bindings
//! and keys, so a list that still names it as the default says the opposite of what happens, and
//! is one step short of the dual state that SAP's migration goes through. Existing bindings and
//! keys that hold the instance secret keep working either way. See the `credential-types` entry
//! of the [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)
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
//! { "oauth2-configuration": { "credential-types": ["instance-secret", "binding-secret"] } }
//! ```
//! Flagged. Clean (for this rule):
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! Safe, for a list written in a descriptor file: moves `binding-secret` to the front (or `x509`,
//! when that is the only other type), keeping the rest in order. The order only sets the default;
//! every existing binding keeps working. None for a list written in YAML (an MTA `config` or
//! extension), which is not rewritten: the help names the path in the file's own syntax.

use super::{Context, FixKind, Rule};
use crate::model::descriptor::{CredentialType, CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS104",
    name: "instance-secret-default",
    severity: Severity::Error,
    summary: "instance-secret comes first, so new bindings default to it",
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
                "`instance-secret` is listed first, as the default for bindings and service keys that don't ask for a type, though SAP has issued none for new ones since 2026-01-19; move `{}` to the front{}",
                target.as_str(),
                ctx.placement.assumed_note()
            ),
        )
        .with_help(format!(
            "Move `{}` to the front of {} and {}; the order only changes the default, existing bindings keep working",
            target.as_str(),
            ctx.placement.list_path(ctx.fixable),
            ctx.placement.update_step(ctx.instance, ctx.fixable)
        ))
        .with_fix(crate::rules::migration::binding_first(ctx, node, types)),
    );
}
