//! # XS005 unresolved-descriptor-path
//!
//! ## What it does
//! Reports the `path` (or `config-path`) parameter of an MTA xsuaa resource when the file it names
//! does not exist, cannot be read, or lies outside the repository (above the folder being checked)
//! ([List of Supported MTA Parameters](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/list-of-supported-mta-parameters-6aa426e.md): `path`). The instance's effective configuration is then unknown, so only its plan
//! and its bindings are judged. A warning, not an error: some projects generate the file during
//! the build (CAP's `cds compile --to xsuaa`); lint the generated file then.
//!
//! ## Why
//! The MTA build packs the file at `path` into the archive; a wrong path fails the build or, with
//! an inline `config`, deploys an instance without the scopes and roles the file defines. A path
//! that leaves the repository is not followed: the linter judges only what is checked in.
//!
//! ## Example
//! The repository holds `xs-security.json`:
//! ```json
//! { "xsappname": "bookshop", "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//! and `mta.yaml` misspells it:
//! ```yaml
//! _schema-version: "3.1"
//! ID: bookshop
//! version: 1.0.0
//! resources:
//!   - name: bookshop-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       path: ./xs-securty.json
//! ```
//! Flagged: `xs-securty.json` does not exist. Fixed:
//! ```yaml
//! _schema-version: "3.1"
//! ID: bookshop
//! version: 1.0.0
//! resources:
//!   - name: bookshop-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       path: ./xs-security.json
//! ```
//!
//! ## Fix
//! None: correct the path.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS005",
    name: "unresolved-descriptor-path",
    severity: Severity::Warning,
    summary: "A descriptor named by a deployment file (an MTA `path`, a Helm `config:`, a `-c` file) is missing or outside the repository",
    fix: FixKind::None,
    ..Rule::DEFAULT
};
