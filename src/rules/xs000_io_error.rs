//! # XS000 io-error
//!
//! ## What it does
//! Reports a path that could not be read: it does not exist, permission is denied, it is not a
//! regular file (a FIFO, a socket, a device), it is a symbolic link loop, or it is larger than
//! 16 MiB.
//!
//! ## Why
//! A descriptor that cannot be read cannot be checked; the run goes on with the other files and
//! exits with status 2, so a broken checkout is never mistaken for a clean one.
//!
//! ## Example
//! A descriptor shared through a symbolic link whose target is not part of the checkout:
//! ```sh
//! ln -s ../../shared/xs-security.json apps/orders/xs-security.json
//! ```
//! Flagged:
//! ```text
//! apps/orders/xs-security.json:1:1: XS000 cannot read the file: a symbolic link that cannot be resolved (No such file or directory (os error 2))
//! ```
//! Fixed: the descriptor itself is checked in where the link was:
//! ```json title="apps/orders/xs-security.json"
//! { "xsappname": "orders", "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//!
//! ## Fix
//! None: make the file readable, or exclude it.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS000",
    name: "io-error",
    severity: Severity::Error,
    summary: "A path could not be read",
    fix: FixKind::None,
    judges_the_file: true,
    blocks_fixing: true,
    ..Rule::DEFAULT
};
