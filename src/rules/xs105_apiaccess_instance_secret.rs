//! # XS105 apiaccess-instance-secret
//!
//! ## What it does
//! Reports `instance-secret` in the effective `credential-types` of an instance of the `apiaccess`
//! plan (spec section 2.4). The finding is placed where the value is written: the descriptor file,
//! the MTA `config`, an extension, the Kyma or Terraform parameters.
//!
//! ## Why
//! The `apiaccess` plan uses only binding secrets. A descriptor that asks for the instance secret
//! there describes something the service does not do, and hides the real state from reviewers.
//!
//! ## Example
//! ```yaml
//! _schema-version: "3.1"
//! ID: reporting
//! version: 1.0.0
//! resources:
//!   - name: reporting-api-access
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: apiaccess
//!       config:
//!         xsappname: reporting-api
//!         oauth2-configuration:
//!           credential-types: [instance-secret]
//! ```
//! Flagged. Fixed (what `--fix` writes):
//! ```yaml
//! _schema-version: "3.1"
//! ID: reporting
//! version: 1.0.0
//! resources:
//!   - name: reporting-api-access
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: apiaccess
//!       config:
//!         xsappname: reporting-api
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//! The plan itself stays deprecated (XS106).
//!
//! ## Fix
//! Safe when `instance-secret` is the only entry: it becomes `binding-secret`, in the quoting of
//! the file (YAML plain or quoted, JSON or HCL string). With other entries, the help says to remove
//! it.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS105",
    name: "apiaccess-instance-secret",
    severity: Severity::Error,
    summary: "An `apiaccess` instance lists `instance-secret` in `credential-types`",
    fix: FixKind::SometimesSafe,
    check: None,
};
