//! # XS103 unfinished-migration
//!
//! ## What it does
//! Reports `instance-secret` listed after `binding-secret` or `x509`, as in
//! `["binding-secret", "instance-secret"]`: the dual state, step 1 of SAP's migration. The
//! finding sits on the `instance-secret` entry.
//!
//! In a git repository its severity follows the migration's progress. The date the descriptor
//! entered the dual state is the commit date of the oldest commit of the current streak: the
//! file's first-parent history is read back from the base revision (`HEAD`, or `--base`) while
//! it stays in the dual state, at most 1,000 commits.
//!
//! - within the grace period (`[migration] grace-days`, default 30 days), an **info**: "migration
//!   in progress since DATE (N days)". A dual state that is staged or written but not yet
//!   committed (the base revision is not dual) is "in progress since today (0 days)", so the
//!   tool's own fix passes a pre-commit hook with the default `--fail-on warning`;
//! - after it, a **warning**: "stuck in the dual state since DATE".
//!
//! Outside git, for a file new at the base revision, a streak longer than 1,000 commits, or a
//! list written inline in an MTA `config` or extension (history is read for descriptor files
//! only), the date is unknown and the finding is a warning. Outside Cloud Foundry the dual state
//! is XS113 instead: there is no instance secret to migrate from. The 30 days are this
//! project's choice, not SAP's (SAP sets no deadline for the dual state): time for one release
//! cycle to rebind the apps and replace the service keys.
//!
//! ## Why
//! Since January 19, 2026, SAP hands out no instance secret for new bindings and service keys;
//! the risk left is the *existing* bindings and service keys that still carry the instance
//! secret, which stays valid as long as the instance exists and can't be rotated. The dual state
//! keeps them working while apps are rebound and keys replaced; it is a stage, not a
//! destination. SAP's procedure finishes by removing `instance-secret` once nothing uses it:
//! [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md),
//! [Service Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/service-instance-secrets-5578ec4.md),
//! [Rotating Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/rotating-instance-secrets-8bfbbf5.md).
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
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//! Flagged. Fixed, once every app is rebound and every service key replaced:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//!
//! ## Fix
//! Unsafe: removes `instance-secret`. Every binding and service key still on the instance secret
//! fails with HTTP 401 after the next instance update. Apply it (`--unsafe-fixes`) only after
//! every app is rebound, every service key replaced, and `instanceSecretLastUsedAt` of SAP's
//! Authorization API (`GET /sap/rest/authorization/v2/apps/{id}`) shows no recent use. Not offered
//! while the version at the base revision (`HEAD`, or `--base`) is not itself the dual state:
//! the dual state must be deployed before the removal (XS109). Nor for a list written in YAML or
//! HCL, which is not rewritten. Then update the instance (`cf update-service`, an MTA redeploy,
//! re-applying the Kyma `ServiceInstance`, or `terraform apply`).
//!
//! With `check --live` the tool asks the platform, read-only, through the `cf`, `kubectl` or
//! `btp` client the user is logged in with: the fix becomes **safe** exactly when no binding or
//! service key of the instance holds the instance secret (each one's `credential-type`) and,
//! where SAP's Authorization API was read, `instanceSecretLastUsedAt` is older than the grace
//! period. Otherwise it stays unsafe and the message says what still holds the secret.

use super::{Context, FixKind, Rule};
use crate::model::descriptor::{CredentialType, CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::platform::Removal;

pub static RULE: Rule = Rule {
    code: "XS103",
    name: "unfinished-migration",
    severity: Severity::Warning,
    summary: "instance-secret is still allowed beside binding-secret or x509",
    fix: FixKind::Unsafe,
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
        || MigrationState::of(types) != MigrationState::Dual
    {
        return;
    }
    let index = types.iter().position(|t| *t == CredentialType::InstanceSecret).unwrap_or(0);
    let entry = node.as_array().and_then(|items| items.get(index)).unwrap_or(node);
    let next = "rebind apps and replace keys, then remove instance-secret";
    let (severity, message) = match ctx.base.and_then(|base| base.dual_since.as_ref()) {
        Some(since) if since.young() => {
            let date = if since.days == 0 { "today" } else { since.date.as_str() };
            (Severity::Info, format!("migration in progress since {date} ({}): {next}", days(since.days)))
        }
        Some(since) => (
            Severity::Warning,
            format!(
                "stuck in the dual state since {} ({}, more than the {}-day grace period): {next}",
                since.date,
                days(since.days),
                since.grace_days
            ),
        ),
        None => (
            Severity::Warning,
            format!(
                "migration unfinished: `instance-secret` is still allowed beside `{}`, so every existing binding and service key that holds the instance secret keeps it; {next}",
                types[0].as_str()
            ),
        ),
    };
    let mut diagnostic = Diagnostic::new(&RULE, ctx.source, entry.span, format!("{CREDENTIAL_TYPES_POINTER}/{index}"), message)
        .with_help(format!(
            "First {}; check that `instanceSecretLastUsedAt` (SAP's Authorization API) shows no recent use; then remove `instance-secret` from {} and {}. Removed earlier, every binding and key still on the instance secret fails with HTTP 401",
            ctx.placement.rebind_step(),
            ctx.placement.list_path(ctx.fixable),
            ctx.placement.update_step(ctx.instance, ctx.fixable)
        ));
    diagnostic.severity = severity;
    // What the platform says (`--live`): the removal is safe exactly when it shows nothing
    // left on the instance secret; otherwise the finding names what still holds it.
    let removal = ctx.live.map(|live| live.removal());
    match &removal {
        Some(Removal::Safe) => {
            diagnostic.message.push_str("; the platform shows no binding or service key on the instance secret");
        }
        Some(Removal::Blocked { reasons }) => {
            diagnostic.message.push_str(&format!("; on the platform: {}", reasons.join("; ")));
        }
        None => {}
    }
    let safe = removal == Some(Removal::Safe);
    out.push(diagnostic.with_fix(crate::rules::migration::remove_instance_secret(ctx, node, types, safe)));
}

fn days(n: u64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}
