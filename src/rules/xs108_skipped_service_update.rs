//! # XS108 skipped-service-update
//!
//! ## What it does
//! Reports an MTA resource's `skip-service-updates: {parameters: true}` when its effective
//! `credential-types` is in the dual state (either order) (spec sections 4.2 and 5.2).
//!
//! ## Why
//! With `skip-service-updates.parameters`, a redeploy does not send changed parameters: the step
//! of the migration that the descriptor shows never reaches the instance.
//!
//! ## Example
//! `xs-security.json`, in the dual state:
//! ```json
//! {
//!   "xsappname": "orders",
//!   "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] }
//! }
//! ```
//! `mta.yaml`:
//! ```yaml
//! _schema-version: "3.1"
//! ID: orders
//! version: 1.0.0
//! resources:
//!   - name: orders-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       path: ./xs-security.json
//!       skip-service-updates:
//!         parameters: true
//! ```
//! Flagged. Fixed, for the deployments that move the migration on:
//! ```yaml
//! _schema-version: "3.1"
//! ID: orders
//! version: 1.0.0
//! resources:
//!   - name: orders-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       path: ./xs-security.json
//! ```
//!
//! ## Fix
//! None: remove the setting for the deployments that move the migration on.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS108",
    name: "skipped-service-update",
    severity: Severity::Warning,
    summary: "`skip-service-updates` is set while `credential-types` shows a migration in progress",
    fix: FixKind::None,
    check: None,
};
