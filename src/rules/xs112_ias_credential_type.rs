//! # XS112 ias-credential-type
//!
//! ## What it does
//! Reports a binding or service key of an xsuaa instance that asks for `X509_GENERATED`,
//! `X509_PROVIDED` or `X509_ATTESTED`: credential types of SAP Cloud Identity Services (spec
//! section 3.3), not of xsuaa.
//!
//! ## Why
//! Copying a binding from an IAS example into an xsuaa one is easy; xsuaa rejects the type.
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

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS112",
    name: "ias-credential-type",
    severity: Severity::Error,
    summary: "An IAS credential type is requested from xsuaa",
    fix: FixKind::None,
    check: None,
};
