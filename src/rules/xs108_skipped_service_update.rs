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
//! ```yaml
//! parameters:
//!   service: xsuaa
//!   path: ./xs-security.json   # ["binding-secret", "instance-secret"]
//!   skip-service-updates:
//!     parameters: true
//! ```
//! Flagged.
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
