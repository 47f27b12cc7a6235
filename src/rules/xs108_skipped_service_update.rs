//! # XS108 skipped-service-update
//!
//! ## What it does
//! Reports an MTA resource's `skip-service-updates: {parameters: true}` when its effective
//! `credential-types` is in the dual state (either order).
//!
//! ## Why
//! With `skip-service-updates.parameters`, a redeploy does not send changed parameters: the step
//! of the migration that the descriptor shows never reaches the instance: the existing bindings
//! and service keys that hold the instance secret are never moved off it, and a later removal of
//! `instance-secret` may reach the instance without the dual state before it. Each step of SAP's
//! [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md) ends with an update of the instance ([Update a Service Instance](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/update-a-service-instance-7f926eb.md)); `skip-service-updates` is
//! described in [List of Supported MTA Parameters](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/list-of-supported-mta-parameters-6aa426e.md).
//!
//! This rule checks SAP's security recommendation BTP-UAA-0003, "Enable individual secrets for each binding of a
//! service instance" (SAP's [Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md)).
//!
//! ## Example
//! `xs-security.json`, in the dual state:
//! ```json
//! {
//!   "xsappname": "orders",
//!   "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] }
//! }
//! ```
//! `mta.yaml`:
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
//!       skip-service-updates:
//!         parameters: true
//! ```
//! Flagged. Fixed, for the deployments that move the migration on:
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
//! None: remove the setting for the deployments that move the migration on.

use super::{Finding, FixKind, InstanceContext, Rule};
use crate::model::descriptor::{CredentialTypes, MigrationState};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS108",
    name: "skipped-service-update",
    severity: Severity::Warning,
    summary: "`skip-service-updates` is set while `credential-types` shows a migration in progress",
    fix: FixKind::None,
    instance_check: Some(check_instance),
    recommendation: Some("BTP-UAA-0003"),
    ..Rule::DEFAULT
};

fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    let instance = ctx.instance;
    let (Some(skip), CredentialTypes::Listed { types, .. }) = (instance.skip_service_updates, ctx.credential_types)
    else {
        return;
    };
    let state = MigrationState::of(types);
    if !matches!(state, MigrationState::Dual | MigrationState::DualInstanceFirst) {
        return;
    }
    let d = Diagnostic::new(
        &RULE,
        &ctx.set.files[instance.file],
        skip,
        format!("{}/parameters/skip-service-updates/parameters", instance.pointer),
        format!(
            "`skip-service-updates.parameters` is set on `{}` while its `credential-types` is in the middle of the migration ({}): a redeploy never sends the changed list to the service",
            instance.name,
            if state == MigrationState::Dual { "the dual state" } else { "the dual state, `instance-secret` first" }
        ),
    )
    .with_help("Remove `skip-service-updates.parameters` (or set it to false) for the deployments that move the migration on.");
    out.push(Finding { file: instance.file, diagnostic: d });
}
