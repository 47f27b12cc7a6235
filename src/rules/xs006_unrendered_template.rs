//! # XS006 unrendered-template
//!
//! ## What it does
//! Notes a `*.yaml` file with Helm template directives (`{{ ... }}`) that mentions SAP BTP service
//! operator resources. It is not YAML until Helm renders it, so it is skipped.
//!
//! ## Why
//! Reporting syntax errors on a template would be noise; saying nothing would hide that the
//! instances in it were not checked.
//!
//! ## Example
//! ```yaml title="chart/templates/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: {{ .Release.Name }}-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: {{ .Values.appName }}
//!     oauth2-configuration:
//!       credential-types: [binding-secret]
//! ```
//! Noted and skipped. Lint the output of `helm template` instead:
//! `helm template chart | xsuaa-lint check - --stdin-filename rendered.yaml`. Clean: the same
//! resource with its values written out, as `helm template` renders it:
//! ```yaml title="chart/templates/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: bookshop-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: bookshop
//!     oauth2-configuration:
//!       credential-types: [binding-secret]
//! ```
//!
//! ## Fix
//! None.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS006",
    name: "unrendered-template",
    severity: Severity::Info,
    summary: "A Helm template is skipped: it is not YAML until rendered",
    fix: FixKind::None,
    check: None,
    instance_check: None,
    recommendation: None,
};
