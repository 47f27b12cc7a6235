//! # XS004 invalid-deployment-file
//!
//! ## What it does
//! Reports an `mta.yaml`, `.mtaext`, Kubernetes manifest or Terraform file that does not parse,
//! at the position of the problem. The instances it declares cannot be judged.
//!
//! ## Why
//! A deployment file that does not parse fails the deployment too; and the linter cannot say
//! what it would deploy.
//!
//! ## Example
//! ```yaml
//! resources:
//!   - name: auth
//!     parameters: { service: xsuaa
//! ```
//! Flagged: the flow mapping is not closed.
//!
//! ## Fix
//! None: correct the syntax.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS004",
    name: "invalid-deployment-file",
    severity: Severity::Error,
    summary: "A deployment file (MTA, Kubernetes, Terraform) is not valid YAML or HCL",
    fix: FixKind::None,
    check: None,
    instance_check: None,
};
