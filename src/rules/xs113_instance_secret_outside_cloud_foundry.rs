//! # XS113 instance-secret-outside-cloud-foundry
//!
//! ## What it does
//! Reports `instance-secret` in `credential-types` of an instance that does not run in Cloud
//! Foundry: a Kyma `ServiceInstance`, a `btp_subaccount_service_instance` (the other
//! environment), or a descriptor that the configuration's `environment` (or `[[environments]]`)
//! places there. The finding sits on the `instance-secret` entry.
//!
//! ## Why
//! Instance secrets exist only in Cloud Foundry (and there only in subaccounts with a single
//! organization); elsewhere binding secrets have always been the default. SAP's
//! [Service Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/service-instance-secrets-5578ec4.md)
//! page said so in a note from 2023-02 (narrowed to single-organization Cloud Foundry in
//! 2023-11) until its rewrite of 2025-01, which made binding secrets the default everywhere and
//! dropped the note; nothing since has added instance secrets elsewhere. Listing
//! `instance-secret` there asks for something the
//! environment does not support, and suggests a migration that has nothing to migrate: the
//! staged advice of XS101-XS104 does not apply.
//!
//! This rule checks SAP's security recommendation BTP-UAA-0003, "Enable individual secrets for each binding of a
//! service instance" (SAP's [Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md)).
//!
//! ## Example
//! ```toml
//! environment = "kyma"
//! ```
//! A descriptor placed in Kyma by the configuration:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//! Fixed:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//!
//! ## Fix
//! None: the help says what to write (`binding-secret`, and any type the bindings ask for, in
//! place of `instance-secret`). Then re-apply the `ServiceInstance` or run `terraform apply`.
//! Under the `apiaccess` plan XS105 reports the list instead.

use super::{Context, FixKind, Rule};
use crate::descriptor::{CredentialType, CredentialTypes, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS113",
    name: "instance-secret-outside-cloud-foundry",
    severity: Severity::Error,
    summary: "instance-secret is listed for an instance outside Cloud Foundry, which has no instance secrets",
    fix: FixKind::None,
    check: Some(check),
    instance_check: None,
    recommendation: Some("BTP-UAA-0003"),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    if ctx.credential_types_in_doubt
        || ctx.plan == Some("apiaccess")
        || ctx.placement.environment.has_instance_secrets()
    {
        return;
    }
    let Some(index) = types.iter().position(|t| *t == CredentialType::InstanceSecret) else { return };
    let entry = node.as_array().and_then(|items| items.get(index)).unwrap_or(node);
    let mut keep = crate::rules::migration::binding_list(ctx);
    for t in types {
        if *t != CredentialType::InstanceSecret && !keep.contains(&t.as_str()) {
            keep.push(t.as_str());
        }
    }
    let keep = format!("[{}]", keep.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", "));
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            entry.span,
            format!("{CREDENTIAL_TYPES_POINTER}/{index}"),
            format!(
                "`instance-secret` is listed, but {} has no instance secrets (they exist only in Cloud Foundry): there is nothing to migrate; binding secrets are the default here",
                ctx.placement.environment.label()
            ),
        )
        .with_help(format!(
            "Set {} to {keep} and {}",
            ctx.placement.list_path(ctx.fixable),
            ctx.placement.update_step(ctx.instance, ctx.fixable)
        )),
    );
}
