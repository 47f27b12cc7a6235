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
//! `xsuaa-lint.toml`:
//! ```toml
//! [rules]
//! ignore = ["XS205"]
//!
//! [[ignore]]
//! path = "apps/legacy/xs-security.json"
//! rules = ["XS102"]
//! reason = "legacy app, migrated in ticket SEC-42"
//! ```
//! and the descriptor, migrated since:
//! ```json title="apps/legacy/xs-security.json"
//! { "xsappname": "legacy", "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//! The entry is reported: `apps/legacy/xs-security.json` no longer has XS102 (it would be the same
//! if the file no longer existed). Fixed, the entry deleted:
//! ```toml
//! [rules]
//! ignore = ["XS205"]
//! ```
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
    ..Rule::DEFAULT
};
