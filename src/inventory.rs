//! The service instances a run found, each with its migration state: what `audit` counts.

use serde::{Deserialize, Serialize};

/// One XSUAA service instance: a descriptor on its own, or an instance of a deployment file
/// judged on its effective configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceRecord {
    /// Path of the file that declares it, as reported.
    pub file: String,
    pub line: usize,
    /// The resource or instance name; for a descriptor, its `xsappname` (or the file name).
    pub name: String,
    /// `descriptor`, `mta`, `kyma`, `terraform` (BTP provider), `terraform-cf` (Cloud Foundry provider)
    /// or `cf` (a services manifest, a `cf` command in a script).
    pub kind: String,
    /// The plan, or `unknown` (judged as `application`).
    pub plan: String,
    /// `implicit`, `instance-only`, `dual-instance-first`, `dual`, `binding-only`, `x509`, `invalid`.
    pub state: String,
    /// The codes of the findings on the instance, sorted, once each.
    pub codes: Vec<String>,
    /// What `runbook` needs beyond the audit's record (not part of the audit's JSON).
    #[serde(skip)]
    pub facts: Facts,
}

/// An instance's environment, names and bindings, for `runbook`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Facts {
    /// `cloud-foundry`, `kyma` or `other`.
    pub environment: String,
    /// The environment was assumed (a descriptor nothing deploys, not placed by the configuration).
    pub assumed: bool,
    pub xsappname: Option<String>,
    /// The descriptor file that holds (or would hold) the configuration, as reported.
    pub descriptor: Option<String>,
    /// The bindings and service keys found in the repository.
    pub bindings: Vec<BindingRecord>,
    /// The name the platform knows the instance by, when it differs from `name`: an MTA
    /// resource's `parameters.service-name`, or a Terraform resource's `name` that is known only
    /// when Terraform runs (`${var.env}-xsuaa`; `name` is then the resource's label).
    pub service_name: Option<String>,
    /// A Kubernetes instance's namespace, when its manifest names one.
    pub namespace: Option<String>,
    /// Since when the descriptor is in the dual state, from git history (when known).
    pub dual_since: Option<DualSinceFact>,
}

/// The date an instance entered the dual state (UTC, `YYYY-MM-DD`) and the days since.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DualSinceFact {
    pub date: String,
    pub days: u64,
}

/// A binding or service key of an instance, where the repository declares it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct BindingRecord {
    /// `binding` (an app's or a `ServiceBinding`) or `service-key`.
    pub kind: String,
    pub name: String,
    pub file: String,
    pub line: usize,
}

pub fn codes_of<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut codes: Vec<String> = codes.into_iter().map(String::from).collect();
    codes.sort();
    codes.dedup();
    codes
}
