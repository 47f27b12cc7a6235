//! # XS001 invalid-json
//!
//! ## What it does
//! Reports a descriptor that is not strict JSON (RFC 8259): comments, trailing commas,
//! single-quoted strings, unquoted keys, leading zeros, raw control characters in strings,
//! invalid UTF-8, an empty file, merge-conflict markers, or nesting deeper than 512 levels. The
//! finding points at the first offending character. A UTF-8 byte-order mark is accepted.
//!
//! ## Why
//! SAP's tools read `xs-security.json` as plain JSON (`cf create-service ... -c xs-security.json`,
//! the MTA deployer). A comment or a trailing comma that an editor tolerates makes the deployment
//! fail. Nothing else can be checked in a file that does not parse.
//!
//! ## Example
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "tenant-mode": "dedicated",
//! }
//! ```
//! The comma after `"dedicated"` is reported. Fixed:
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "tenant-mode": "dedicated"
//! }
//! ```
//!
//! ## Fix
//! None: the tool never edits a file that does not parse. Remove the offending text.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS001",
    name: "invalid-json",
    severity: Severity::Error,
    summary: "The descriptor is not strict JSON",
    fix: FixKind::None,
    judges_the_file: true,
    blocks_fixing: true,
    ..Rule::DEFAULT
};
