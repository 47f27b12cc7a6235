//! # XS113 instance-secret-outside-cloud-foundry
//!
//! ## What it does
//! Reports `instance-secret` in `credential-types` of an instance that does not run in Cloud
//! Foundry: a Kyma `ServiceInstance`, a `btp_subaccount_service_instance` (the other
//! environment), or a descriptor that the configuration's `environment` (or `[[environments]]`)
//! places there. The finding sits on the `instance-secret` entry.
//!
//! ## Why
//! SAP's pages document instance secrets only for Cloud Foundry. A note on
//! [Service Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/service-instance-secrets-5578ec4.md)
//! said from 2023-02 that they were supported only there (from 2023-11: only in subaccounts with
//! a single organization); the page's rewrite of 2025-01 made binding secrets the default
//! everywhere and dropped the note. What SAP documents today: the binding secret is the default,
//! and since January 19, 2026 no new binding or service key gets an instance secret. So listing
//! `instance-secret` for a Kyma or other-environment instance most likely asks for something that
//! instance never had, and the staged advice of XS101-XS104 has nothing to migrate. It is a
//! warning, not an error: an instance created there before 2023-02 is not documented either way.
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
use crate::model::descriptor::{CredentialType, CredentialTypes, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS113",
    name: "instance-secret-outside-cloud-foundry",
    severity: Severity::Warning,
    summary: "instance-secret is listed for an instance outside Cloud Foundry, where SAP documents no instance secrets",
    fix: FixKind::None,
    check: Some(check),
    recommendation: Some("BTP-UAA-0003"),
    migration: true,
    ..Rule::DEFAULT
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
                "`instance-secret` is listed for an instance in {}, where SAP documents no instance secrets (only Cloud Foundry had them), and no new binding or service key gets one since 2026-01-19: binding secrets are the default",
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

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::model::environment::Environment;
    use crate::lint::{lint_with, LintOptions};
    use crate::text::source::SourceFile;

    /// The note XS113 rested on was removed in 2025-01: a warning that says what SAP documents
    /// today, not an error.
    #[test]
    fn instance_secret_in_kyma_is_a_warning_in_todays_words() {
        let text = r#"{"xsappname": "a", "oauth2-configuration": {"credential-types": ["binding-secret", "instance-secret"]}}"#;
        let options = LintOptions { environment: Some(Environment::Kyma), ..LintOptions::default() };
        let found = lint_with(&SourceFile::new("xs-security.json", text.into()), &options);
        let d = found.iter().find(|d| d.rule.code == "XS113").expect("XS113 reported");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("SAP documents no instance secrets"), "{}", d.message);
        assert!(d.message.contains("since 2026-01-19"), "{}", d.message);
        assert!(!d.message.contains("exist only in Cloud Foundry"), "{}", d.message);
    }
}
