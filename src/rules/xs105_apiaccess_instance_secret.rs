//! # XS105 apiaccess-instance-secret
//!
//! ## What it does
//! Reports `instance-secret` in the effective `credential-types` of an instance of the `apiaccess`
//! plan. The finding is placed where the value is written: the descriptor file,
//! the MTA `config`, an extension, the Kyma or Terraform parameters.
//!
//! ## Why
//! The `apiaccess` plan uses only binding secrets. A descriptor that asks for the instance secret
//! there describes something the service does not do, and hides the real state from reviewers.
//! Since January 19, 2026, no plan hands out instance secrets for new bindings anyway. See SAP's
//! [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md) ("The API access plan only uses binding secrets").
//!
//! This rule checks SAP's security recommendation BTP-UAA-0003, "Enable individual secrets for each binding of a
//! service instance" (SAP's [Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md)).
//!
//! ## Example
//! ```yaml
//! _schema-version: "3.1"
//! ID: reporting
//! version: 1.0.0
//! resources:
//!   - name: reporting-api-access
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: apiaccess
//!       config:
//!         xsappname: reporting-api
//!         oauth2-configuration:
//!           credential-types: [instance-secret]
//! ```
//! Flagged. Fixed (what `--fix` writes):
//! ```yaml
//! _schema-version: "3.1"
//! ID: reporting
//! version: 1.0.0
//! resources:
//!   - name: reporting-api-access
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: apiaccess
//!       config:
//!         xsappname: reporting-api
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//! The plan itself stays deprecated (XS106).
//!
//! ## Fix
//! Safe when `instance-secret` is the only entry: it becomes `binding-secret`, in the quoting of
//! the file (YAML plain or quoted, JSON or HCL string). With other entries, the help says to remove
//! it.

use super::{Context, FixKind, Rule};
use crate::model::descriptor::{CredentialType, CredentialTypes, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::diagnostic::edit::swap_token;

pub static RULE: Rule = Rule {
    code: "XS105",
    name: "apiaccess-instance-secret",
    severity: Severity::Error,
    summary: "An `apiaccess` instance lists `instance-secret` in `credential-types`",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    recommendation: Some("BTP-UAA-0003"),
    migration: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    if ctx.plan != Some("apiaccess")
        || !types.contains(&CredentialType::InstanceSecret)
        || ctx.credential_types_in_doubt
    {
        return;
    }
    let who = ctx.instance.map_or_else(|| "this descriptor".to_string(), |name| format!("instance `{name}`"));
    let index = types.iter().position(|t| *t == CredentialType::InstanceSecret).unwrap_or(0);
    let entry = node.as_array().and_then(|items| items.get(index)).unwrap_or(node);
    let mut d = Diagnostic::new(
        &RULE,
        ctx.source,
        entry.span,
        format!("{CREDENTIAL_TYPES_POINTER}/{index}"),
        format!("{who} uses the `apiaccess` plan, which hands out binding secrets only, yet `credential-types` lists `instance-secret`"),
    );
    if types.len() == 1 {
        // A token swap in the value's own quoting: it suits YAML and HCL as well as JSON.
        let edit = swap_token(&ctx.source.text, entry.span, CredentialType::InstanceSecret.as_str(), "binding-secret");
        d = d
            .with_fix(edit.map(|edit| Fix::new(Applicability::Safe, "Switch to `binding-secret`", ctx.source, [edit])));
        d.help = Some("List `binding-secret` instead.".into());
    } else {
        d.help = Some("Remove `instance-secret` from the list.".into());
    }
    out.push(d);
}
