//! # XS114 dropped-instance-update
//!
//! ## What it does
//! Reports a Crossplane `Provider` that pins SAP's Crossplane provider for SAP BTP
//! (`ghcr.io/sap/crossplane-provider-btp/crossplane/provider-btp`) at a version that does not send
//! a changed `spec.forProvider.parameters` of a `ServiceInstance` to SAP BTP: v1.11.0 up to
//! v1.13.1, and v2.0.x. The finding is where the version is pinned, whatever instances the
//! provider manages.
//!
//! ## Why
//! Each step of SAP's [Migrate from Instance Secrets to Binding Secrets](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md)
//! ends with an update of the instance. With these versions the update never reaches SAP BTP, and
//! the resource still reports itself ready: the instance keeps its old `credential-types` while
//! the repository shows the new one. A removal of `instance-secret` applied later through a fixed
//! version then reaches an instance that never went through the dual state. v1.11.0 moved to
//! terraform-provider-btp 1.23.1 and broke these updates
//! ([SAP/crossplane-provider-btp#888](https://github.com/SAP/crossplane-provider-btp/issues/888));
//! v1.12.0 moved on to terraform-provider-btp 1.25.0, but an update of the parameters alone was
//! still dropped until v1.13.2 and v2.1.0
//! ([#962](https://github.com/SAP/crossplane-provider-btp/issues/962)).
//!
//! A tag that is not a version (`latest`, a digest only) is not judged, and neither is a fork's
//! pre-release tag (`v1.11.0-fork.1` sorts before v1.11.0).
//!
//! ## Example
//! ```yaml title="crossplane/provider.yaml"
//! apiVersion: pkg.crossplane.io/v1
//! kind: Provider
//! metadata:
//!   name: provider-btp
//! spec:
//!   package: ghcr.io/sap/crossplane-provider-btp/crossplane/provider-btp:v1.11.0
//! ```
//! Flagged. Clean: a version that sends the update:
//! ```yaml title="crossplane/provider.yaml"
//! apiVersion: pkg.crossplane.io/v1
//! kind: Provider
//! metadata:
//!   name: provider-btp
//! spec:
//!   package: ghcr.io/sap/crossplane-provider-btp/crossplane/provider-btp:v1.13.2
//! ```
//!
//! ## Fix
//! None: pin v1.13.2 or later on the v1 line (v2.1.0 or later on the v2 line), then re-apply
//! each `ServiceInstance` whose parameters changed meanwhile so that the update is sent.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS114",
    name: "dropped-instance-update",
    severity: Severity::Warning,
    summary: "A deployment tool pinned at a version that does not send an instance's changed parameters",
    fix: FixKind::None,
    ..Rule::DEFAULT
};

/// Said with each finding.
pub const HELP: &str = "Pin v1.13.2 or later (v1 line) or v2.1.0 or later (v2 line), then re-apply every ServiceInstance whose parameters changed since the pinned version was installed, so that SAP BTP gets them.";
