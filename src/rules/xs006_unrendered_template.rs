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
//! `chart/templates/xsuaa.yaml` with `name: {{ .Values.name }}`: noted, skipped. Lint the output
//! of `helm template` instead: `helm template chart | xsuaa-lint check - --stdin-filename rendered.yaml`.
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
};
