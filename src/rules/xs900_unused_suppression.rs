//! # XS900 unused-suppression
//!
//! ## What it does
//! Reports an `[[ignore]]` entry of the configuration file that silenced no finding in a run
//! that walked the folder the configuration applies to. The finding is placed on the entry in
//! the TOML file.
//!
//! ## Why
//! A suppression records a decision ("this instance stays on instance secrets until Q3, ticket
//! 123"). Once the finding is fixed, or the file moves, the entry silences nothing but would
//! silence the same finding if it came back unnoticed. Reporting it keeps the list honest.
//!
//! ## Example
//! ```toml
//! [[ignore]]
//! path = "apps/legacy/xs-security.json"
//! rules = ["XS102"]
//! reason = "legacy app, migrated in ticket SEC-42"
//! ```
//! Reported once `apps/legacy/xs-security.json` no longer has XS102 (or no longer exists).
//!
//! ## Fix
//! None: delete the entry.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS900",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "A suppression in the configuration matched no finding",
    fix: FixKind::None,
    check: None,
    instance_check: None,
};
