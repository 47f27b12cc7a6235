//! # XS006 unrendered-template
//!
//! ## What it does
//! Notes each document of a Helm template (a `*.yaml` file with `{{ ... }}`) that may declare or
//! bind an XSUAA instance and holds a template outside a string (`{{- if }}` lines,
//! `name: {{ .Values.name }}`, `{{ toYaml ... }}`): it is not YAML until Helm renders it, so it
//! is skipped, and the note is placed at its first line. The file's other documents are judged:
//! a template inside a string (`name: "{{ .Release.Name }}"`) is read as a placeholder.
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
    summary: "A document of a Helm template is skipped: it is not YAML until rendered",
    fix: FixKind::None,
    ..Rule::DEFAULT
};
