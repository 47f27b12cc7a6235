//! # XS101 implicit-credential-types
//!
//! ## What it does
//! Reports a descriptor (or an instance's effective configuration) without
//! `oauth2-configuration.credential-types`. Its severity and advice depend on where the instance
//! runs:
//!
//! - **Cloud Foundry** (an MTA resource, or a descriptor nothing in the repository deploys, unless
//!   the configuration's `environment` says otherwise; the message says when Cloud Foundry is only
//!   assumed): a warning. The next step is the dual state, `["binding-secret", "instance-secret"]`.
//! - **Kyma** (a `ServiceInstance`) and **the other environment** (`btp_subaccount_service_instance`):
//!   an info. Those environments never had instance secrets, so there is nothing to migrate: the
//!   list is only made explicit, as `["binding-secret"]` plus every other type the instance's
//!   bindings and service keys in the repository ask for (an `x509` binding keeps working).
//!
//! One rule with an environment-aware severity rather than two rules: a descriptor gets exactly
//! one finding for its migration state, and `rules.severity` or `[[ignore]]` entries written for
//! XS101 keep working.
//!
//! ## Why
//! Since January 19, 2026, SAP hands out binding secrets or X.509 certificates for every new
//! binding and service key, whatever the list says. What the list still decides in Cloud
//! Foundry is whether the instance secret of *existing* bindings and service keys keeps working:
//! an instance created before 2025 without the list defaulted to the instance secret, and every
//! binding and key made back then may still hold it. It can't be rotated, and it stops working
//! the day `instance-secret` is no longer allowed. Without the list, nobody reading the file can
//! tell which case applies; stating it makes the state reviewable. See SAP's
//! [Service Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/service-instance-secrets-5578ec4.md)
//! (from 2023-02 until its 2025-01 rewrite it said that instance secrets exist only in Cloud
//! Foundry),
//! [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md)
//! and the `credential-types` entry of the
//! [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md).
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
//! { "xsappname": "bookshop", "tenant-mode": "dedicated" }
//! ```
//! Flagged. Clean:
//! ```json
//! { "xsappname": "bookshop", "tenant-mode": "dedicated",
//!   "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! Safe, when the finding sits in a descriptor file (a descriptor alone, or one that an MTA
//! `path` names while no layer sets the list). In Cloud Foundry it adds `"credential-types":
//! ["binding-secret", "instance-secret"]`, creating `oauth2-configuration` when it is missing:
//! step 1 of SAP's migration; every binding still on the instance secret keeps working. Outside
//! Cloud Foundry it adds `["binding-secret"]` and the types the bindings ask for. Then update the
//! instance (`cf update-service <instance> -c xs-security.json`, an MTA redeploy, re-applying the
//! Kyma `ServiceInstance`, or `terraform apply`). None for an instance configured only in YAML or
//! HCL (an MTA `config`, a Kyma `ServiceInstance`, Terraform): those files are not rewritten, and
//! the help names the path to add in the file's own syntax.

use super::{Context, FixKind, Rule};
use crate::model::descriptor::{CredentialTypes, OAUTH2_CONFIGURATION};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS101",
    name: "implicit-credential-types",
    severity: Severity::Warning,
    summary: "No credential-types: whether existing instance-secret bindings and keys stay valid is not stated",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    recommendation: Some("BTP-UAA-0003"),
    migration: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Absent { oauth2 } = &ctx.credential_types else { return };
    // The `apiaccess` plan hands out binding secrets only (XS105 judges its list).
    if ctx.credential_types_in_doubt || ctx.plan == Some("apiaccess") {
        return;
    }
    let (span, pointer) = match oauth2 {
        Some(member) => (member.key_span, format!("/{OAUTH2_CONFIGURATION}")),
        None => (ctx.source.char_span(ctx.root.span.start), String::new()),
    };
    let placement = ctx.placement;
    let path = placement.list_path(ctx.fixable);
    let update = placement.update_step(ctx.instance, ctx.fixable);
    let diagnostic = if placement.environment.has_instance_secrets() {
        Diagnostic::new(
            &RULE,
            ctx.source,
            span,
            pointer,
            format!(
                "`credential-types` is not set: an instance created before 2025 may still have bindings and service keys that hold its instance secret, and nothing here says whether it stays allowed; make the list explicit as [\"binding-secret\", \"instance-secret\"]{}",
                placement.assumed_note()
            ),
        )
        .with_help(format!(
            "Set {path} to [\"binding-secret\", \"instance-secret\"] (step 1 of SAP's migration) and {update}; then {}, and remove `instance-secret` last",
            placement.rebind_step()
        ))
        .with_fix(crate::rules::migration::add_dual_list(ctx))
    } else {
        let list = crate::rules::migration::binding_list(ctx);
        let list = format!("[{}]", list.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", "));
        let mut d = Diagnostic::new(
            &RULE,
            ctx.source,
            span,
            pointer,
            format!(
                "`credential-types` is not set: {} has no instance secrets and binding secrets are its default; state the list explicitly as {list}",
                placement.environment.label()
            ),
        )
        .with_help(format!("Set {path} to {list} and {update}; nothing to migrate in this environment"))
        .with_fix(crate::rules::migration::add_binding_list(ctx));
        d.severity = Severity::Info;
        d
    };
    out.push(diagnostic);
}
