//! # XS116 keep-existing-bindings
//!
//! ## What it does
//! Reports an MTA module with `keep-existing: {service-bindings: true}` that is bound to an XSUAA
//! instance whose effective `credential-types` is in the dual state (either order).
//!
//! ## Why
//! In the dual state every existing binding must be made again, so that it gets a binding secret
//! (step 3 of SAP's [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md)).
//! For an MTA, `cf deploy` does this by itself: the deployer rebinds an app whose binding
//! parameters differ from the MTA's, and it cannot read back the parameters of an xsuaa binding
//! (the broker's bindings are not retrievable), so it rebinds every xsuaa-bound module at every
//! deploy (cloudfoundry/multiapps-controller, `DetermineApplicationServiceBindingActionsStep`).
//! A module with `keep-existing.service-bindings: true` is left out: the deployer logs that the
//! instance "will not be rebound" and the app keeps its binding, and with it the instance
//! secret. When `instance-secret` is then removed from the list, that app gets HTTP 401.
//! `keep-existing` is described in SAP's [List of Supported MTA Parameters](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/list-of-supported-mta-parameters-6aa426e.md).
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
//! modules:
//!   - name: orders-srv
//!     type: nodejs
//!     path: srv
//!     parameters:
//!       keep-existing:
//!         service-bindings: true
//!     requires:
//!       - name: orders-auth
//! resources:
//!   - name: orders-auth
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       path: ./xs-security.json
//! ```
//! Flagged. The other way through is to rebind the app by hand (`xsuaa-lint runbook` gives the
//! `cf` commands). Fixed, for the deployment that rebinds:
//! ```yaml
//! _schema-version: "3.1"
//! ID: orders
//! version: 1.0.0
//! modules:
//!   - name: orders-srv
//!     type: nodejs
//!     path: srv
//!     requires:
//!       - name: orders-auth
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
//! None: `keep-existing` keeps the module's environment or routes too, which a project may rely
//! on, and a manual rebind is as good a way through step 3; which one is the team's choice.

use super::{Finding, InstanceContext, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::deployment::{Handle, InstanceFormat};
use crate::model::descriptor::{CredentialTypes, MigrationState};

pub static RULE: Rule = Rule {
    code: "XS116",
    name: "keep-existing-bindings",
    severity: Severity::Warning,
    summary: "An MTA module keeps its existing bindings while its XSUAA instance is in the dual state: the redeploy does not rebind it",
    instance_check: Some(check_instance),
    recommendation: Some("BTP-UAA-0003"),
    ..Rule::DEFAULT
};

fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    let instance = ctx.instance;
    if instance.format != InstanceFormat::Mta || instance.wrapper.is_some() {
        return;
    }
    let CredentialTypes::Listed { types, .. } = ctx.credential_types else { return };
    let state = MigrationState::of(types);
    if !matches!(state, MigrationState::Dual | MigrationState::DualInstanceFirst) {
        return;
    }
    for binding in &instance.bindings {
        let Handle::MtaModule { keep_existing: Some((span, pointer)) } = &binding.handle else { continue };
        let d = Diagnostic::new(
            &RULE,
            &ctx.set.files[binding.file],
            *span,
            pointer.clone(),
            format!(
                "module `{}` keeps its existing service bindings (`keep-existing.service-bindings: true`) while `{}` is in the dual state: `cf deploy` does not rebind it, so the app keeps the instance secret",
                binding.name, instance.name
            ),
        )
        .with_help("Remove `keep-existing.service-bindings` for the deployment that rebinds, or rebind the app by hand (`xsuaa-lint runbook` gives the commands) before `instance-secret` is removed.");
        out.push(Finding { file: binding.file, diagnostic: d });
    }
}
