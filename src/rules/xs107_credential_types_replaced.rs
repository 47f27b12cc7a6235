//! # XS107 credential-types-replaced
//!
//! ## What it does
//! Reports `credential-types` in an MTA `config` or `.mtaext` that replaces a different list from
//! a lower layer (the file at `path`, or the `config` below an extension). Lists
//! are replaced, never merged: the MTA deployer merges maps key by key and replaces any other
//! value.
//!
//! ## Why
//! A reviewer reading `xs-security.json` sees one list; the service receives another. During the
//! migration that difference decides whether existing bindings and service keys that hold the
//! instance secret keep working. See SAP's [Service Instance Parameters](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/service-instance-parameters-a36df26.md) and [List of Supported MTA Parameters](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/list-of-supported-mta-parameters-6aa426e.md) (`path` and `config`).
//!
//! This rule checks SAP's security recommendation BTP-UAA-0003, "Enable individual secrets for each binding of a
//! service instance" (SAP's [Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md)).
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

use super::{Finding, FixKind, InstanceContext, Rule};
use crate::model::deployment::{Layer, LayerKind};
use crate::model::descriptor::CREDENTIAL_TYPES_POINTER;
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::json::Node;

pub static RULE: Rule = Rule {
    code: "XS107",
    name: "credential-types-replaced",
    severity: Severity::Warning,
    summary: "Deployment `config` or an extension replaces the descriptor file's `credential-types` with another list",
    fix: FixKind::None,
    instance_check: Some(check_instance),
    recommendation: Some("BTP-UAA-0003"),
    ..Rule::DEFAULT
};

/// An upper layer replaces the list of the layer below it with another one.
fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    let lists: Vec<(&Layer, &Node)> =
        ctx.instance.layers.iter().filter_map(|l| l.node.pointer(CREDENTIAL_TYPES_POINTER).map(|n| (l, n))).collect();
    let (Some((top_layer, top)), true) = (lists.last(), lists.len() > 1) else { return };
    let below = &lists[lists.len() - 2];
    if top_layer.kind == LayerKind::DescriptorFile || below.1.to_json() == top.to_json() {
        return;
    }
    let file = top_layer.file;
    let where_below =
        ctx.set.paths[below.0.file].file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let d = Diagnostic::new(
        &RULE,
        &ctx.set.files[file],
        top.span,
        format!("{}{CREDENTIAL_TYPES_POINTER}", top_layer.pointer),
        format!(
            "this `credential-types` {} replaces {} from {where_below}: the file does not say what is deployed",
            top.to_json(),
            below.1.to_json()
        ),
    )
    .with_help("Keep one list, in the file that the next reader will look at, or make both say the same.");
    out.push(Finding { file, diagnostic: d });
}
