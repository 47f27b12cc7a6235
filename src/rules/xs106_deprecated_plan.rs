//! # XS106 deprecated-plan
//!
//! ## What it does
//! Reports the plan of an xsuaa instance when it is `apiaccess` or `space`, both deprecated in
//! SAP's service catalog (spec section 2.4). MTA resource types imply a plan: `com.sap.xs.uaa-space`
//! is the `space` plan.
//!
//! ## Why
//! Deprecated plans receive no new features and are on their way out; instances on them should
//! be planned for replacement.
//!
//! ## Example
//! ```yaml
//! _schema-version: "3.1"
//! ID: shine
//! version: 1.0.0
//! resources:
//!   - name: shine-uaa
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: space
//!       config:
//!         xsappname: shine
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//! Flagged. Clean, once the instance has been replaced by one of the `application` plan:
//! ```yaml
//! _schema-version: "3.1"
//! ID: shine
//! version: 1.0.0
//! resources:
//!   - name: shine-uaa
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: shine
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//!
//! ## Fix
//! None: replacing an instance is a migration of its own.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS106",
    name: "deprecated-plan",
    severity: Severity::Warning,
    summary: "The instance uses a deprecated plan (`apiaccess`, `space`)",
    fix: FixKind::None,
    check: None,
};
