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
//! `xs-security.json`:
//! ```json
//! {
//!   "xsappname": "orders",
//!   "oauth2-configuration": { "credential-types": ["instance-secret"] }
//! }
//! ```
//! `mta.yaml`, whose `config` is merged over it:
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
//!       config:
//!         oauth2-configuration:
//!           credential-types: [binding-secret, instance-secret]
//! ```
//! Flagged on the `mta.yaml` list: the service gets the dual state while the descriptor says
//! instance-only. Fixed: the list lives in the descriptor alone.
//! ```json
//! {
//!   "xsappname": "orders",
//!   "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] }
//! }
//! ```
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
