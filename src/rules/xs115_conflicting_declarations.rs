//! # XS115 conflicting-declarations
//!
//! ## What it does
//! Reports a service instance that several files declare with different settings: two
//! declarations of one instance that name different plans, or give it different
//! `oauth2-configuration.credential-types` (as each one's effective configuration has it:
//! its descriptor, its inline parameters, its extensions). Each declaring file gets the finding,
//! at the plan (or at the instance's name), naming the other files and what they say.
//!
//! Declarations are one instance when they name it alike in one environment: every Cloud
//! Foundry declaration of a name (an MTA resource, a services manifest, a `cf create-service`
//! in a script or CI file, Terraform's Cloud Foundry provider) is one instance; an MTA's
//! instance and a Kyma `ServiceInstance` or Helm chart of the same name are two (a project
//! deployed to both platforms). Not compared: a declaration that names no plan (`cf
//! update-service NAME -c ...`) or gives no configuration (`cf create-service` without `-c`),
//! or one whose configuration is not known; two declarations of one format, which are
//! alternatives (`mta.yaml` and `mta-xsa.yaml`, a chart's `values.yaml` and `values-prod.yaml`,
//! `deploy-dev.sh` and `deploy-prod.sh`: one deployed per target) or one file's own sequence (a
//! script that creates, then updates); two files of which neither's folder holds the other (two
//! sample projects of one repository, each naming its instance `xsuaa`).
//!
//! ## Why
//! Each deployment that runs sends its own plan and configuration to the one instance: which
//! settings it has depends on which ran last ([Update a Service
//! Instance](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/update-a-service-instance-7f926eb.md)).
//! SAP's migration ([Migrate from Instance Secrets to Binding
//! Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md))
//! moves an instance one stage at a time: a second declaration still sending the old list
//! moves it back, and one sending `["binding-secret"]` early skips the dual state, after which
//! every binding still on the instance secret fails with HTTP 401. The plan decides what the
//! instance is (an application's, a broker's): two plans for one name are two intentions.
//!
//! ## Example
//! The MTA creates the instance with the `application` plan:
//! ```yaml
//! _schema-version: '3.1'
//! ID: bookshop
//! version: 1.0.0
//! resources:
//!   - name: bookshop-uaa
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       path: ./xs-security.json
//! ```
//! and the descriptor it sends:
//! ```json
//! { "xsappname": "bookshop", "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//! The services manifest declares the same instance with the `broker` plan. Flagged, in both files:
//! ```yaml title="services-manifest.yml"
//! create-services:
//!   - name: bookshop-uaa
//!     broker: xsuaa
//!     plan: broker
//!     parameters: xs-security.json
//! ```
//! ```text
//! mta.yaml:9:21: XS115 instance `bookshop-uaa` is declared with plan `application` here but `broker` in `services-manifest.yml:2`
//! services-manifest.yml:4:11: XS115 instance `bookshop-uaa` is declared with plan `broker` here but `application` in `mta.yaml:5`
//! ```
//! Fixed, the plan the instance has everywhere:
//! ```yaml title="services-manifest.yml"
//! create-services:
//!   - name: bookshop-uaa
//!     broker: xsuaa
//!     plan: application
//!     parameters: xs-security.json
//! ```
//!
//! ## Fix
//! None: which declaration is right is the project's to say. Make them agree, or declare the
//! instance in one place and let the others use it by name (`cf bind-service`, an MTA
//! `existing-service`).

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS115",
    name: "conflicting-declarations",
    severity: Severity::Warning,
    summary: "One service instance is declared in several files with different plans or credential types",
    fix: FixKind::None,
    ..Rule::DEFAULT
};

pub const HELP: &str = "Each deployment that runs sends its own plan and configuration to the one instance, so the last one decides: make every declaration say the same, or declare the instance in one place and use it by name elsewhere.";

/// The finding's message on one declaration: what it says of `what` (`plan` or
/// `credential-types`), then each other value with the places that give it.
pub fn message(name: &str, what: &str, own: &str, others: &[(&str, Vec<String>)]) -> String {
    let theirs = |value: &str| match value {
        "not set" if what != "plan" => "none".to_string(),
        _ => format!("`{value}`"),
    };
    let theirs: Vec<String> =
        others.iter().map(|(v, places)| format!("{} in {}", theirs(v), places.join(" and "))).collect();
    let theirs = theirs.join(", ");
    match (what, own) {
        ("plan", _) => format!("instance `{name}` is declared with plan `{own}` here but {theirs}"),
        (_, "not set") => format!("instance `{name}` is given no `credential-types` here but {theirs}"),
        _ => format!("instance `{name}` is given `credential-types` `{own}` here but {theirs}"),
    }
}
