//! # XS007 unknown-configuration
//!
//! ## What it does
//! Notes an XSUAA service instance whose configuration is not known until the deployment tool
//! runs: Terraform `parameters = var.parameters` (a module variable), a file path built from a
//! variable, a heredoc or template with directives; a script's `cf create-service xsuaa "$PLAN"
//! NAME -c "$PARAMS"` (each unknown part named, in one finding), or its `-c` file that is not
//! where the script runs the command (after its `cd`s, else beside the script or in its
//! project's folder; the finding says where it looked), or that a here-document writes with an
//! unquoted delimiter and `$` in its body; a CI
//! expression (`${{ env.PLAN }}`); a Helm chart's `--set-file KEY.jsonParameters=$FILE` or its
//! `parametersFrom`; a Kubernetes `parametersFrom` Secret or ConfigMap that is not committed. The
//! instance is reported once, at the value that could not be read; its plan and its bindings are
//! still judged, and `audit` lists the code on it.
//!
//! ## Why
//! Saying "clean" about an instance whose `credential-types` nobody looked at would be worse
//! than saying nothing: it may still be on `instance-secret` only.
//!
//! ## Example
//! ```hcl title="main.tf"
//! variable "parameters" {
//!   type = string
//! }
//!
//! data "cloudfoundry_service_plan" "xsuaa" {
//!   name                  = "application"
//!   service_offering_name = "xsuaa"
//! }
//!
//! resource "cloudfoundry_service_instance" "xsuaa" {
//!   name         = "bookshop-xsuaa"
//!   type         = "managed"
//!   space        = var.space_id
//!   service_plan = data.cloudfoundry_service_plan.xsuaa.id
//!   parameters   = var.parameters
//! }
//! ```
//! Noted: the configuration comes from whoever calls the module. Clean: the configuration
//! written where the instance is declared (or read with `file(...)` from a descriptor in the
//! repository):
//! ```hcl title="main.tf"
//! data "cloudfoundry_service_plan" "xsuaa" {
//!   name                  = "application"
//!   service_offering_name = "xsuaa"
//! }
//!
//! resource "cloudfoundry_service_instance" "xsuaa" {
//!   name         = "bookshop-xsuaa"
//!   type         = "managed"
//!   space        = var.space_id
//!   service_plan = data.cloudfoundry_service_plan.xsuaa.id
//!   parameters = jsonencode({
//!     xsappname              = "bookshop"
//!     "oauth2-configuration" = { "credential-types" = ["binding-secret"] }
//!   })
//! }
//! ```
//!
//! ## Fix
//! None. Lint the configuration where it is written (the caller's module, the descriptor file),
//! or suppress the finding for an instance that is judged elsewhere.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS007",
    name: "unknown-configuration",
    severity: Severity::Info,
    summary: "An instance's configuration is not known until the deployment tool runs, so it is not judged",
    fix: FixKind::None,
    ..Rule::DEFAULT
};
