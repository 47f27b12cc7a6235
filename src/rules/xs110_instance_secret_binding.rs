//! # XS110 instance-secret-binding
//!
//! ## What it does
//! Reports `credential-type: instance-secret` requested by a binding or service key: MTA
//! `requires[].parameters.config`, MTA `service-keys[].config`, Kyma `ServiceBinding.spec.parameters`,
//! Terraform binding `parameters`, `cf push` manifests' `services[].parameters`, `cf
//! create-service-key` and `cf bind-service` with `-c` in scripts and CI files. `instance-secret`
//! is XSUAA's own value, so the request is reported whether or not the repository declares the
//! instance (one made by hand); the fix is then left to the reader, who knows its list.
//!
//! ## Why
//! Since January 19, 2026, xsuaa hands out no instance secret for new bindings and service keys:
//! the request fails or yields something other than what
//! the file says, and the next deployment that creates the binding may fail. Outside Cloud Foundry
//! SAP documents no instance secrets at all. See SAP's
//! [Service Instance Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/service-instance-secrets-5578ec4.md) and [Binding Parameters of SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/binding-parameters-of-sap-authorization-and-trust-management-service-3240307.md).
//!
//! This rule checks SAP's security recommendation BTP-UAA-0003, "Enable individual secrets for each binding of a
//! service instance" (SAP's [Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md)).
//!
//! ## Example
//! ```yaml
//! _schema-version: "3.1"
//! ID: bookshop
//! version: 1.0.0
//! modules:
//!   - name: bookshop-srv
//!     type: nodejs
//!     path: gen/srv
//!     requires:
//!       - name: bookshop-auth
//!         parameters:
//!           config:
//!             credential-type: instance-secret
//! resources:
//!   - name: bookshop-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: bookshop
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//! Flagged. Fixed (what `--fix` writes, since the instance allows `binding-secret`):
//! ```yaml
//! _schema-version: "3.1"
//! ID: bookshop
//! version: 1.0.0
//! modules:
//!   - name: bookshop-srv
//!     type: nodejs
//!     path: gen/srv
//!     requires:
//!       - name: bookshop-auth
//!         parameters:
//!           config:
//!             credential-type: binding-secret
//! resources:
//!   - name: bookshop-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: bookshop
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//!
//! ## Fix
//! Safe when the instance allows `binding-secret` (or its list is not set): the value becomes
//! `binding-secret`, in the file's quoting. Otherwise the help names what to do.

use super::{Finding, FixKind, InstanceContext, Rule};
use crate::model::descriptor::{CredentialType, CredentialTypes};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::diagnostic::edit::swap_token;
use crate::model::environment::Environment;

pub static RULE: Rule = Rule {
    code: "XS110",
    name: "instance-secret-binding",
    severity: Severity::Error,
    summary: "A binding or service key asks for `credential-type: instance-secret`",
    fix: FixKind::SometimesSafe,
    instance_check: Some(check_instance),
    recommendation: Some("BTP-UAA-0003"),
    ..Rule::DEFAULT
};

fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    let binding_allowed = match ctx.credential_types {
        CredentialTypes::Listed { types, .. } => types.contains(&CredentialType::BindingSecret),
        _ => true,
    };
    let wanted = CredentialType::InstanceSecret.as_str();
    for request in ctx.instance.requests.iter().filter(|r| r.value == wanted) {
        let source = &ctx.set.files[request.file];
        let mut d = Diagnostic::new(
            &RULE,
            source,
            request.span,
            request.pointer.clone(),
            if Environment::of(ctx.instance.format).has_instance_secrets() {
                format!("{} asks for `credential-type: instance-secret`, which xsuaa has not handed out for new bindings and service keys since 2026-01-19", request.what)
            } else {
                format!(
                    "{} asks for `credential-type: instance-secret` in {}, where SAP documents no instance secrets (only Cloud Foundry had them), and no new binding or service key gets one since 2026-01-19",
                    request.what,
                    Environment::of(ctx.instance.format).label()
                )
            },
        );
        if binding_allowed {
            let edit = swap_token(&source.text, request.span, wanted, "binding-secret");
            d = d
                .with_fix(edit.map(|edit| Fix::new(Applicability::Safe, "Switch to `binding-secret`", source, [edit])))
                .with_help("Ask for `binding-secret` (or `x509`).");
        } else {
            d = d.with_help(
                "Ask for a type the instance allows: `binding-secret` or `x509`, after adding it to `credential-types`.",
            );
        }
        out.push(Finding { file: request.file, diagnostic: d });
    }
}

/// `credential-type: instance-secret` asked of an instance that the file does not declare (an
/// app's `manifest.yml` binding an instance made by hand, `cf create-service-key` in a Makefile):
/// the value is XSUAA's alone, so the instance is an XSUAA one. Its `credential-types` are not in
/// the repository, so no fix is offered.
pub fn check_undeclared(set: &crate::model::deployment::InstanceSet, out: &mut Vec<Finding>) {
    let wanted = CredentialType::InstanceSecret.as_str();
    for request in set.undeclared.iter().filter(|r| r.value == wanted) {
        let d = Diagnostic::new(
            &RULE,
            &set.files[request.file],
            request.span,
            request.pointer.clone(),
            format!(
                "{} asks for `credential-type: instance-secret`, which xsuaa has not handed out for new bindings and service keys since 2026-01-19",
                request.what
            ),
        )
        .with_help("Ask for `binding-secret` (or `x509`), after checking that the instance's `credential-types` allows it: the instance is not declared in the repository, so its list is not known here.");
        out.push(Finding { file: request.file, diagnostic: d });
    }
}
