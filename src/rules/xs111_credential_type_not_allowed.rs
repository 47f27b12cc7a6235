//! # XS111 credential-type-not-allowed
//!
//! ## What it does
//! Reports a binding's or service key's `credential-type` that is not in the instance's effective
//! `credential-types`, or is no credential type of xsuaa at all (spec section 3.1).
//!
//! ## Why
//! The instance's list is an allow-list: a binding that asks for another type is refused when it
//! is created, which fails the deployment.
//!
//! ## Example
//! ```yaml title="k8s/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: orders-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: orders
//!     oauth2-configuration:
//!       credential-types: [binding-secret]
//! ---
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceBinding
//! metadata:
//!   name: orders-worker-xsuaa
//! spec:
//!   serviceInstanceName: orders-xsuaa
//!   parameters:
//!     credential-type: x509
//! ```
//! Flagged: the instance allows `binding-secret` only. Fixed, `x509` allowed on the instance:
//! ```yaml title="k8s/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: orders-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: orders
//!     oauth2-configuration:
//!       credential-types: [binding-secret, x509]
//! ---
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceBinding
//! metadata:
//!   name: orders-worker-xsuaa
//! spec:
//!   serviceInstanceName: orders-xsuaa
//!   parameters:
//!     credential-type: x509
//! ```
//!
//! ## Fix
//! None: add the type to the instance first, or ask for an allowed one.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS111",
    name: "credential-type-not-allowed",
    severity: Severity::Error,
    summary: "A binding or service key asks for a credential type the instance does not allow",
    fix: FixKind::None,
    check: None,
};
