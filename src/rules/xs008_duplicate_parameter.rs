//! # XS008 duplicate-parameter
//!
//! ## What it does
//! Flags a top-level key that a Kubernetes `ServiceInstance` gives twice: in `spec.parameters`
//! and in a Secret or ConfigMap of `spec.parametersFrom`, or in two of those. SAP's BTP service
//! operator and the Cloud Foundry service operator merge these sources at the top level only,
//! and a key found in more than one of them is an error: the instance is not created or updated.
//! The finding sits on the `parametersFrom` entry that repeats the key; the instance's
//! configuration is not judged further.
//!
//! ## Why
//! The change never reaches the service: a `credential-types` update sent this way silently
//! stays undone while the manifest looks right.
//!
//! ## Example
//! ```yaml title="k8s/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: bookshop-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: bookshop
//!   parametersFrom:
//!     - secretKeyRef:
//!         name: bookshop-xsuaa-parameters
//!         key: parameters
//! ---
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: bookshop-xsuaa-parameters
//! stringData:
//!   parameters: '{"xsappname": "bookshop", "oauth2-configuration": {"credential-types": ["binding-secret"]}}'
//! ```
//! Flagged: `xsappname` comes from both. Clean: each top-level key from one source:
//! ```yaml title="k8s/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: bookshop-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: bookshop
//!   parametersFrom:
//!     - secretKeyRef:
//!         name: bookshop-xsuaa-parameters
//!         key: parameters
//! ---
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: bookshop-xsuaa-parameters
//! stringData:
//!   parameters: '{"oauth2-configuration": {"credential-types": ["binding-secret"]}}'
//! ```
//!
//! ## Fix
//! None: which source should keep the key is the author's choice. Remove it from all but one.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS008",
    name: "duplicate-parameter",
    severity: Severity::Error,
    summary: "A top-level key comes from both `parameters` and `parametersFrom` (or from two of the latter): the operator rejects the instance",
    fix: FixKind::None,
    ..Rule::DEFAULT
};
