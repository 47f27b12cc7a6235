//! # XS110 instance-secret-binding
//!
//! ## What it does
//! Reports `credential-type: instance-secret` requested by a binding or service key: MTA
//! `requires[].parameters.config`, MTA `service-keys[].config`, Kyma `ServiceBinding.spec.parameters`,
//! Terraform binding `parameters` (spec sections 3.1 and 3.3).
//!
//! ## Why
//! Since 2026-01-19 xsuaa no longer hands out instance secrets for new bindings and service keys;
//! the request fails or yields something other than what the file says.
//!
//! ## Example
//! ```yaml
//! _schema-version: "3.1"
//! ID: bookshop
//! version: 1.0.0
//! modules:
//!   - name: bookshop-srv
//!     type: nodejs
//!     path: gen/srv
//!     requires:
//!       - name: bookshop-auth
//!         parameters:
//!           config:
//!             credential-type: instance-secret
//! resources:
//!   - name: bookshop-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: bookshop
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//! Flagged. Fixed (what `--fix` writes, since the instance allows `binding-secret`):
//! ```yaml
//! _schema-version: "3.1"
//! ID: bookshop
//! version: 1.0.0
//! modules:
//!   - name: bookshop-srv
//!     type: nodejs
//!     path: gen/srv
//!     requires:
//!       - name: bookshop-auth
//!         parameters:
//!           config:
//!             credential-type: binding-secret
//! resources:
//!   - name: bookshop-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: bookshop
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//!
//! ## Fix
//! Safe when the instance allows `binding-secret` (or its list is not set): the value becomes
//! `binding-secret`, in the file's quoting. Otherwise the help names what to do.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS110",
    name: "instance-secret-binding",
    severity: Severity::Error,
    summary: "A binding or service key asks for `credential-type: instance-secret`",
    fix: FixKind::SometimesSafe,
    check: None,
};
