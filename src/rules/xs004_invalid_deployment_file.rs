//! # XS004 invalid-deployment-file
//!
//! ## What it does
//! Reports an `mta.yaml`, `.mtaext`, Kubernetes manifest or Terraform file that does not parse,
//! at the position of the problem. The instances it declares cannot be judged. Also a value
//! that the cluster rejects in a Secret or ConfigMap that an XSUAA instance's `parametersFrom`
//! reads: a Secret's `data` that is not base64, a value that is not a string.
//!
//! ## Why
//! A deployment file that does not parse fails the deployment too; and the linter cannot say
//! what it would deploy.
//!
//! ## Example
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
//!       config: { xsappname: bookshop, oauth2-configuration: { credential-types: [binding-secret] }
//! ```
//! Flagged: the flow mapping after `config:` is not closed. Fixed:
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
//!       config: { xsappname: bookshop, oauth2-configuration: { credential-types: [binding-secret] } }
//! ```
//!
//! ## Fix
//! None: correct the syntax.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS004",
    name: "invalid-deployment-file",
    severity: Severity::Error,
    summary: "A deployment file (MTA, Kubernetes, Helm values, Terraform; a CI file or package.json that creates an instance) does not parse",
    fix: FixKind::None,
    ..Rule::DEFAULT
};
