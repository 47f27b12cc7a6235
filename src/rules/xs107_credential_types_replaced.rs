//! # XS107 credential-types-replaced
//!
//! ## What it does
//! Reports `credential-types` in an MTA `config` or `.mtaext` that replaces a different list from
//! a lower layer (the file at `path`, or the `config` below an extension) (spec section 4.2). Lists
//! are replaced, never merged.
//!
//! ## Why
//! A reviewer reading `xs-security.json` sees one list; the service receives another. During the
//! migration that difference decides whether bindings keep working.
//!
//! ## Example
//! `xs-security.json`: `["instance-secret"]`; `mta.yaml` `config`:
//! `credential-types: [binding-secret, instance-secret]`. Flagged on the `mta.yaml` list.
//!
//! ## Fix
//! None: decide which file owns the list.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS107",
    name: "credential-types-replaced",
    severity: Severity::Warning,
    summary: "Deployment `config` or an extension replaces the descriptor file's `credential-types` with another list",
    fix: FixKind::None,
    check: None,
};
