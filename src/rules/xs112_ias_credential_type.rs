//! # XS112 ias-credential-type
//!
//! ## What it does
//! Reports a binding or service key of an xsuaa instance that asks for `X509_GENERATED` or
//! `X509_PROVIDED`: credential types of SAP Cloud Identity Services (the `identity` service), not
//! of xsuaa (an error).
//!
//! Warns about `x509_attested` (`X509_ATTESTED`), in a binding, a service key or the
//! descriptor's `credential-types`: a certificate attested by SAP's Zero Trust Identity Service
//! (ZTIS), which SAP's XSUAA reference does not list.
//!
//! ## Why
//! Copying a binding from an IAS example into an xsuaa one is easy; xsuaa rejects the type. The
//! types xsuaa accepts are in SAP's [Binding Parameters of SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/binding-parameters-of-sap-authorization-and-trust-management-service-3240307.md) and [Enable mTLS Authentication to SAP Authorization and Trust Management Service for Your App](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/enable-mtls-authentication-to-sap-authorization-and-trust-management-service-for-your-app-aa80338.md).
//!
//! `X509_ATTESTED` is different: SAP's own
//! [Zero Trust sample](https://github.com/SAP/cloud-security-services-integration-library/tree/zero_trust_sample_app_xsuaa/samples/spring-security-hybrid-usage)
//! lists it in an `xs-security.json` and binds xsuaa with it, and an SAP Connectivity page showed
//! a destination key with `x509_attested` (published 2025-11-13, removed 2026-03-09). It works
//! only with a ZTIS set-up (a `ztis` binding and its sidecar); without one the binding gets
//! neither a secret nor a certificate, and SAP's libraries fetch no token
//! ([SAP/cloud-sdk-js#6755](https://github.com/SAP/cloud-sdk-js/issues/6755)). So it is a
//! warning: keep it where ZTIS is set up.
//!
//! ## Example
//! ```yaml
//! _schema-version: "3.1"
//! ID: orders
//! version: 1.0.0
//! modules:
//!   - name: orders-srv
//!     type: java
//!     path: srv
//!     requires:
//!       - name: orders-auth
//!         parameters:
//!           config:
//!             credential-type: X509_GENERATED
//! resources:
//!   - name: orders-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: orders
//!         oauth2-configuration:
//!           credential-types: [x509, binding-secret]
//! ```
//! Flagged; xsuaa's certificate type is `x509`. Fixed:
//! ```yaml
//! _schema-version: "3.1"
//! ID: orders
//! version: 1.0.0
//! modules:
//!   - name: orders-srv
//!     type: java
//!     path: srv
//!     requires:
//!       - name: orders-auth
//!         parameters:
//!           config:
//!             credential-type: x509
//! resources:
//!   - name: orders-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: orders
//!         oauth2-configuration:
//!           credential-types: [x509, binding-secret]
//! ```
//!
//! ## Fix
//! None.

use super::{Context, Finding, FixKind, InstanceContext, Rule};
use crate::model::descriptor::{CredentialType, CredentialTypes, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS112",
    name: "ias-credential-type",
    severity: Severity::Error,
    summary: "An IAS credential type is requested from xsuaa",
    fix: FixKind::None,
    check: Some(check),
    instance_check: Some(check_instance),
    ..Rule::DEFAULT
};

/// A credential type of SAP Cloud Identity Services, not of xsuaa.
pub fn is_ias_type(value: &str) -> bool {
    matches!(value.to_ascii_uppercase().as_str(), "X509_GENERATED" | "X509_PROVIDED")
}

/// `x509_attested` as SAP's samples spell it: undocumented for xsuaa, needs ZTIS.
fn is_attested(value: &str) -> bool {
    CredentialType::parse(value) == Some(CredentialType::X509Attested)
}

const ATTESTED_HELP: &str = "Keep it only where SAP's Zero Trust Identity Service is set up (a `ztis` binding and its sidecar); otherwise use `x509`.";

/// `credential-types` of the descriptor (or of the instance's effective configuration).
fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    let Some(index) = types.iter().position(|t| *t == CredentialType::X509Attested) else { return };
    let entry = node.as_array().and_then(|items| items.get(index)).unwrap_or(node);
    let value = entry.as_str().unwrap_or(CredentialType::X509Attested.as_str());
    let mut d = Diagnostic::new(
        &RULE,
        ctx.source,
        entry.span,
        format!("{CREDENTIAL_TYPES_POINTER}/{index}"),
        format!("`{value}` is not in SAP's XSUAA reference; SAP uses it with xsuaa only for its Zero Trust Identity Service (ZTIS)"),
    )
    .with_help(ATTESTED_HELP);
    d.severity = Severity::Warning;
    out.push(d);
}

fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    for request in &ctx.instance.requests {
        let source = &ctx.set.files[request.file];
        let d = if is_ias_type(&request.value) {
            Diagnostic::new(
                &RULE,
                source,
                request.span,
                request.pointer.clone(),
                format!(
                    "{} asks xsuaa for `{}`, a credential type of SAP Cloud Identity Services (IAS), not of xsuaa",
                    request.what, request.value
                ),
            )
            .with_help("xsuaa knows `binding-secret` and `x509`; use `x509` for a certificate.")
        } else if is_attested(&request.value) {
            let mut d = Diagnostic::new(
                &RULE,
                source,
                request.span,
                request.pointer.clone(),
                format!(
                    "{} asks xsuaa for `{}`, which is not in SAP's XSUAA reference; SAP uses it only for its Zero Trust Identity Service (ZTIS)",
                    request.what, request.value
                ),
            )
            .with_help(ATTESTED_HELP);
            d.severity = Severity::Warning;
            d
        } else {
            continue;
        };
        out.push(Finding { file: request.file, diagnostic: d });
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::text::source::SourceFile;

    fn findings(types: &str) -> Vec<(&'static str, Severity, String)> {
        let text = format!(r#"{{"xsappname": "a", "oauth2-configuration": {{"credential-types": {types}}}}}"#);
        crate::lint::lint(&SourceFile::new("xs-security.json", text))
            .into_iter()
            .map(|d| (d.rule.code, d.severity, d.message))
            .collect()
    }

    /// SAP's Zero Trust sample lists `X509_ATTESTED` in its descriptor: a warning of XS112, not a
    /// schema error, in both of SAP's spellings.
    #[test]
    fn an_attested_certificate_is_a_warning_not_a_schema_error() {
        for value in ["X509_ATTESTED", "x509_attested"] {
            let found = findings(&format!(r#"["{value}"]"#));
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!((found[0].0, found[0].1), ("XS112", Severity::Warning));
            assert!(found[0].2.contains("Zero Trust Identity Service"), "{}", found[0].2);
        }
    }

    #[test]
    fn the_identity_service_types_stay_schema_errors() {
        let found = findings(r#"["X509_GENERATED"]"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1), ("XS002", Severity::Error));
    }
}
