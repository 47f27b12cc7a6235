//! # XS112 ias-credential-type
//!
//! ## What it does
//! Reports a binding or service key of an xsuaa instance that asks for `X509_GENERATED`,
//! `X509_PROVIDED` or `X509_ATTESTED`: credential types of SAP Cloud Identity Services (the
//! `identity` service), not of xsuaa.
//!
//! ## Why
//! Copying a binding from an IAS example into an xsuaa one is easy; xsuaa rejects the type. The
//! types xsuaa accepts are in SAP's [Binding Parameters of SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/binding-parameters-of-sap-authorization-and-trust-management-service-3240307.md) and [Enable mTLS Authentication to SAP Authorization and Trust Management Service for Your App](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/enable-mtls-authentication-to-sap-authorization-and-trust-management-service-for-your-app-aa80338.md).
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

use super::{Finding, FixKind, InstanceContext, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS112",
    name: "ias-credential-type",
    severity: Severity::Error,
    summary: "An IAS credential type is requested from xsuaa",
    fix: FixKind::None,
    check: None,
    instance_check: Some(check_instance),
    recommendation: None,
};

/// A credential type of SAP Cloud Identity Services, not of xsuaa.
pub fn is_ias_type(value: &str) -> bool {
    matches!(value.to_ascii_uppercase().as_str(), "X509_GENERATED" | "X509_PROVIDED" | "X509_ATTESTED")
}

fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    for request in ctx.instance.requests.iter().filter(|r| is_ias_type(&r.value)) {
        let d = Diagnostic::new(
            &RULE,
            &ctx.set.files[request.file],
            request.span,
            request.pointer.clone(),
            format!(
                "{} asks xsuaa for `{}`, a credential type of SAP Cloud Identity Services (IAS), not of xsuaa",
                request.what, request.value
            ),
        )
        .with_help("xsuaa knows `binding-secret` and `x509`; use `x509` for a certificate.");
        out.push(Finding { file: request.file, diagnostic: d });
    }
}
