//! The service instances a run found, each with its migration state: what `audit` counts.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::model::deployment::InstanceFormat;
use crate::model::descriptor::MigrationState;
use crate::model::environment::Environment;

/// Which file declares an instance: a descriptor that nothing deploys, or a deployment file
/// of one format. Reports name it `descriptor` or by the format's name
/// ([`InstanceFormat::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceKind {
    Descriptor,
    Deployment(InstanceFormat),
}

impl InstanceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceKind::Descriptor => "descriptor",
            InstanceKind::Deployment(format) => format.as_str(),
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "descriptor" => Some(InstanceKind::Descriptor),
            _ => InstanceFormat::parse(name).map(InstanceKind::Deployment),
        }
    }

    /// Terraform's, by either provider.
    pub fn is_terraform(self) -> bool {
        matches!(self, InstanceKind::Deployment(InstanceFormat::Terraform | InstanceFormat::TerraformCf))
    }
}

impl Serialize for InstanceKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for InstanceKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        InstanceKind::parse(&name).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&name),
                &"a kind of instance (`descriptor`, `mta`, ...)",
            )
        })
    }
}

/// One XSUAA service instance: a descriptor on its own, or an instance of a deployment file
/// judged on its effective configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceRecord {
    /// Path of the file that declares it, as reported.
    pub file: String,
    pub line: usize,
    /// The resource or instance name; for a descriptor, its `xsappname` (or the file name).
    pub name: String,
    /// `descriptor`, `mta`, `kyma`, `terraform` (BTP provider), `terraform-cf` (Cloud Foundry provider),
    /// `cf` (a services manifest, a `cf` command in a script), ... (see [`InstanceFormat`]).
    pub kind: InstanceKind,
    /// The plan, or `unknown` (judged as `application`).
    pub plan: String,
    /// `implicit`, `instance-only`, `dual-instance-first`, `dual`, `binding-only`, `x509`, `invalid`.
    pub state: MigrationState,
    /// The codes of the findings on the instance, sorted, once each.
    pub codes: Vec<String>,
    /// What `runbook` needs beyond the audit's record (not part of the audit's JSON).
    #[serde(skip)]
    pub facts: Facts,
}

/// Records sort as they did when kind and state were their names: by file, line, name, kind's
/// and state's names, then the rest (the order of `audit`'s and `runbook`'s instances).
impl Ord for InstanceRecord {
    fn cmp(&self, other: &Self) -> Ordering {
        (
            &self.file,
            self.line,
            &self.name,
            self.kind.as_str(),
            &self.plan,
            self.state.as_str(),
            &self.codes,
            &self.facts,
        )
            .cmp(&(
                &other.file,
                other.line,
                &other.name,
                other.kind.as_str(),
                &other.plan,
                other.state.as_str(),
                &other.codes,
                &other.facts,
            ))
    }
}

impl PartialOrd for InstanceRecord {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// An instance's environment, names and bindings, for `runbook`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Facts {
    /// `None` where not known: the record was read back from a report.
    pub environment: Option<Environment>,
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
    /// The effective `credential-types` as compared with the instance's other declarations
    /// (see [`Declared::list`]).
    pub credential_types: Option<String>,
}

/// The date an instance entered the dual state (UTC, `YYYY-MM-DD`) and the days since.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DualSinceFact {
    pub date: String,
    pub days: u64,
}

/// Which credentials a [`BindingRecord`] is: a binding or a service key. Reports name it
/// `binding` or `service-key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BindingKind {
    /// An app's binding, or a Kubernetes `ServiceBinding`.
    Binding,
    ServiceKey,
}

impl BindingKind {
    /// The words for it in a sentence: `binding`, `service key`.
    pub fn noun(self) -> &'static str {
        match self {
            BindingKind::Binding => "binding",
            BindingKind::ServiceKey => "service key",
        }
    }
}

/// A binding or service key of an instance, where the repository declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BindingRecord {
    pub kind: BindingKind,
    pub name: String,
    pub file: String,
    pub line: usize,
    /// The format of the file that declares it: the tool that rebinds or replaces it.
    pub tool: InstanceFormat,
    /// How that tool addresses it.
    pub handle: ToolHandle,
}

/// By kind (bindings before service keys), name, file, line, the tool's name, then the handle
/// (the order bindings are listed in).
impl Ord for BindingRecord {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.kind, &self.name, &self.file, self.line, self.tool.as_str(), &self.handle).cmp(&(
            other.kind,
            &other.name,
            &other.file,
            other.line,
            other.tool.as_str(),
            &other.handle,
        ))
    }
}

impl PartialOrd for BindingRecord {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How a binding's or key's deployment tool addresses it (see [`crate::model::deployment::Handle`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ToolHandle {
    #[default]
    Plain,
    /// An MTA module's binding, and whether the module keeps its bindings (`keep-existing`).
    MtaModule { keep_existing: bool },
    /// An MTA resource's `service-keys` entry.
    MtaResourceKey,
    /// An MTA module's `service-key`.
    MtaModuleKey,
    /// A Terraform resource address in its module.
    Terraform { address: String },
    /// A Kubernetes resource's namespace (when named) and whether its rotation is enabled.
    Kubernetes { namespace: Option<String>, rotation: bool },
    /// A binding of a CAP Helm chart's values: workload and binding keys, rotation enabled.
    Helm { workload: String, binding: String, rotation: bool },
    /// A Pulumi resource's URN.
    Pulumi { urn: String },
}

impl ToolHandle {
    pub fn of(handle: &crate::model::deployment::Handle) -> Self {
        use crate::model::deployment::Handle;
        match handle {
            Handle::Plain => ToolHandle::Plain,
            Handle::MtaModule { keep_existing } => ToolHandle::MtaModule { keep_existing: keep_existing.is_some() },
            Handle::MtaResourceKey => ToolHandle::MtaResourceKey,
            Handle::MtaModuleKey => ToolHandle::MtaModuleKey,
            Handle::Terraform { address } => ToolHandle::Terraform { address: address.clone() },
            Handle::Kubernetes { namespace, rotation } => {
                ToolHandle::Kubernetes { namespace: namespace.clone(), rotation: *rotation }
            }
            Handle::Helm { workload, binding, rotation } => {
                ToolHandle::Helm { workload: workload.clone(), binding: binding.clone(), rotation: *rotation }
            }
            Handle::Pulumi { urn } => ToolHandle::Pulumi { urn: urn.clone() },
        }
    }
}

pub fn codes_of<'a>(codes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut codes: Vec<String> = codes.into_iter().map(String::from).collect();
    codes.sort();
    codes.dedup();
    codes
}

/// How much work a state means: what ranks repositories, worst first, and which state an
/// instance declared in several places takes.
pub fn weight(state: MigrationState) -> usize {
    match state {
        MigrationState::InstanceOnly => 5,
        MigrationState::DualInstanceFirst => 4,
        MigrationState::Implicit | MigrationState::Invalid => 3,
        MigrationState::Dual => 2,
        MigrationState::BindingOnly | MigrationState::X509 => 0,
    }
}

/// What makes two declarations one service instance: its environment, its Kubernetes namespace
/// (when its manifest names one) and the name the service knows it by (an MTA resource's
/// `service-name`, else the declared name); a descriptor that nothing deploys is one instance
/// per file. The environment is part of it: an MTA's instance and a Helm chart's of one name are
/// a project's two targets (Cloud Foundry and Kyma), two instances; every Cloud Foundry
/// declaration of one name (an MTA, a services manifest, a script's `cf create-service`) is one.
pub fn identity(declared: &Declared<'_>) -> String {
    if declared.kind == InstanceKind::Descriptor {
        return format!("descriptor\0{}", declared.file);
    }
    let environment = declared.environment.map_or("", Environment::as_str);
    let name = declared.service_name.unwrap_or(declared.name);
    // A Terraform name known only when Terraform runs (`${var.env}-xsuaa`) may differ per
    // module: one instance per declaring file.
    if declared.kind.is_terraform() && declared.service_name.is_some() {
        return format!("{environment}\0{}\0{name}\0{}", declared.file, declared.line);
    }
    format!("{environment}\0{}\0{name}", declared.namespace.unwrap_or_default())
}

/// One declaration of an instance, as far as its identity and its comparison with the other
/// declarations of the instance go (the few fields a run keeps of every instance).
#[derive(Debug, Clone, Copy)]
pub struct Declared<'a> {
    pub file: &'a str,
    pub line: usize,
    pub kind: InstanceKind,
    pub name: &'a str,
    pub service_name: Option<&'a str>,
    pub environment: Option<Environment>,
    pub namespace: Option<&'a str>,
    /// `None`: no plan named.
    pub plan: Option<&'a str>,
    /// The effective `credential-types`, written as a list (`["binding-secret"]`), or `not set`
    /// when the configuration given has none; `None` when the declaration gives no configuration
    /// (`cf create-service` without `-c`) or one that is not known: nothing to compare.
    pub list: Option<&'a str>,
}

impl<'a> Declared<'a> {
    pub fn of(record: &'a InstanceRecord) -> Self {
        Declared {
            file: &record.file,
            line: record.line,
            kind: record.kind,
            name: &record.name,
            service_name: record.facts.service_name.as_deref(),
            environment: record.facts.environment,
            namespace: record.facts.namespace.as_deref(),
            plan: Some(record.plan.as_str()).filter(|p| *p != "unknown"),
            list: record.facts.credential_types.as_deref(),
        }
    }
}

/// What two declarations of one instance disagree on: `(what, this one's, the other's)`, with
/// `what` `plan` or `credential-types`. Only declarations of different formats are compared:
/// two of one format are alternatives (`mta.yaml` and `mta-xsa.yaml`, a chart's `values.yaml`
/// and its `values-prod.yaml`, `deploy-dev.sh` and `deploy-prod.sh`: one deployed per target)
/// or, in one file, its own sequence (a script's `cf create-service`, then `cf update-service`).
/// Only files of one project are compared: one's folder holds the other (an MTA's folder and
/// its `scripts/`), not two sibling projects of a repository that each name an instance `xsuaa`.
pub fn disagreements<'a>(this: &Declared<'a>, other: &Declared<'a>) -> Vec<(&'static str, &'a str, &'a str)> {
    let mut out = Vec::new();
    if this.kind == other.kind || this.file == other.file || !one_project(this.file, other.file) {
        return out;
    }
    if let (Some(a), Some(b)) = (this.plan, other.plan) {
        if a != b {
            out.push(("plan", a, b));
        }
    }
    if let (Some(a), Some(b)) = (this.list, other.list) {
        if a != b {
            out.push(("credential-types", a, b));
        }
    }
    out
}

/// Whether two files (as shown) are of one project: the folder of one holds the other.
fn one_project(a: &str, b: &str) -> bool {
    fn folder(file: &str) -> &str {
        file.rsplit_once('/').map_or("", |(folder, _)| folder)
    }
    let holds = |outer: &str, inner: &str| {
        outer.is_empty() || inner == outer || inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
    };
    let (a, b) = (folder(a), folder(b));
    holds(a, b) || holds(b, a)
}

/// One place that declares an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub kind: InstanceKind,
    /// The state judged from this place alone.
    pub state: MigrationState,
}

/// A service instance as every place that declares it tells it.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The record of the place that says most about how the instance is deployed (an MTA's
    /// rather than a script's line), with the worst state of all places and their codes and
    /// bindings together.
    pub record: InstanceRecord,
    /// Every place, the record's first, when there is more than one (else empty).
    pub places: Vec<Place>,
    /// What the places disagree on (XS115).
    pub conflicts: Vec<Conflict>,
}

/// A setting that the declarations of one instance disagree on (XS115).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// `plan` or `credential-types`.
    pub what: String,
    /// Each value given, with the places (`file:line`) that give it, in the order of the places.
    pub values: Vec<ConflictValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The plan, or the list as written (`["binding-secret"]`), or `not set`.
    pub value: String,
    pub places: Vec<String>,
}

/// The records of one repository, one per service instance (see [`identity`]): the places of
/// an instance declared more than once become its `places`; its state is the worst of theirs,
/// its codes and bindings all of theirs, and what they disagree on its `conflicts` (and XS115
/// its codes).
pub fn one_per_instance(records: Vec<InstanceRecord>) -> Vec<Merged> {
    let mut out: Vec<Merged> = Vec::with_capacity(records.len());
    // Each merged instance's declarations, as compared (only for instances with more than one).
    let mut declared: Vec<Vec<InstanceRecord>> = Vec::with_capacity(records.len());
    let mut by_identity: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for record in records {
        let place = Place { file: record.file.clone(), line: record.line, kind: record.kind, state: record.state };
        let key = identity(&Declared::of(&record));
        match by_identity.get(&key) {
            Some(&at) => {
                let merged = &mut out[at];
                let state =
                    if weight(record.state) > weight(merged.record.state) { record.state } else { merged.record.state };
                let codes = codes_of(merged.record.codes.iter().chain(&record.codes).map(String::as_str));
                let mut bindings = std::mem::take(&mut merged.record.facts.bindings);
                bindings.extend(record.facts.bindings.iter().cloned());
                bindings.sort();
                bindings.dedup();
                let mut compared = record.clone();
                compared.facts.bindings = Vec::new();
                declared[at].push(compared);
                // The place that says most about how the instance is deployed stands for it
                // (its runbook is that place's: an MTA redeploy rather than a script's line).
                if rank(record.kind) < rank(merged.record.kind) {
                    merged.record = record;
                }
                merged.record.state = state;
                merged.record.codes = codes;
                merged.record.facts.bindings = bindings;
                merged.places.push(place);
            }
            None => {
                by_identity.insert(key, out.len());
                let mut compared = record.clone();
                compared.facts.bindings = Vec::new();
                declared.push(vec![compared]);
                out.push(Merged { record, places: vec![place], conflicts: Vec::new() });
            }
        }
    }
    for (merged, declarations) in out.iter_mut().zip(declared) {
        merged.conflicts = conflicts(&declarations);
        if !merged.conflicts.is_empty() {
            merged.record.codes.push(crate::rules::xs115_conflicting_declarations::RULE.code.to_string());
            merged.record.codes = codes_of(merged.record.codes.iter().map(String::as_str));
        }
        if merged.places.len() == 1 {
            // One place is the record's own file and line: no list to keep.
            merged.places = Vec::new();
        } else {
            // The record's place first, then the others in file order.
            let own = (merged.record.file.clone(), merged.record.line);
            merged.places.sort_by_key(|s| (s.file != own.0 || s.line != own.1, s.file.clone(), s.line));
        }
    }
    out
}

/// What the declarations of one instance disagree on: per setting, each value with the places
/// that give it, in the order the places come.
fn conflicts(declarations: &[InstanceRecord]) -> Vec<Conflict> {
    let said: Vec<Declared<'_>> = declarations.iter().map(Declared::of).collect();
    let mut out = Vec::new();
    for what in ["plan", "credential-types"] {
        let disagree = said
            .iter()
            .enumerate()
            .any(|(i, a)| said[i + 1..].iter().any(|b| disagreements(a, b).iter().any(|(w, _, _)| *w == what)));
        if !disagree {
            continue;
        }
        let mut values: Vec<ConflictValue> = Vec::new();
        for d in &said {
            let Some(value) = (if what == "plan" { d.plan } else { d.list }) else { continue };
            let place = format!("{}:{}", d.file, d.line);
            match values.iter_mut().find(|v| v.value == value) {
                Some(v) => v.places.push(place),
                None => values.push(ConflictValue { value: value.to_string(), places: vec![place] }),
            }
        }
        out.push(Conflict { what: what.to_string(), values });
    }
    out
}

/// Which declaration of an instance declared in several places stands for it: lowest first.
fn rank(kind: InstanceKind) -> usize {
    match kind {
        InstanceKind::Deployment(format) => format.line().rank,
        InstanceKind::Descriptor => crate::model::deployment::DESCRIPTOR_RANK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reports name kinds, states and environments as the strings they were before they became
    /// enums, and `--merge` and `--compare` read those names back.
    #[test]
    fn kinds_states_and_environments_are_written_and_read_by_name() {
        fn round_trip<T>(value: T, name: &str)
        where
            T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
        {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);
        }
        for kind in InstanceFormat::all().map(InstanceKind::Deployment).chain([InstanceKind::Descriptor]) {
            round_trip(kind, kind.as_str());
        }
        let names = ["terraform-cf", "cf-operator", "crossplane-btp", "service-catalog", "descriptor", "mta"];
        for name in names {
            assert_eq!(InstanceKind::parse(name).map(InstanceKind::as_str), Some(name));
        }
        use MigrationState::*;
        for state in [Implicit, InstanceOnly, DualInstanceFirst, Dual, BindingOnly, X509, Invalid] {
            round_trip(state, state.as_str());
        }
        for environment in [Environment::CloudFoundry, Environment::Kyma, Environment::Other] {
            round_trip(environment, environment.as_str());
        }
        assert!(serde_json::from_str::<InstanceKind>("\"skipped\"").is_err());
        assert!(serde_json::from_str::<MigrationState>("\"unknown\"").is_err());
    }

    /// Records sort by the names of their kind and state, as when those were strings: `dual`
    /// before `implicit`, `descriptor` before `mta` (not the enums' declaration order).
    #[test]
    fn records_sort_by_the_names_of_kind_and_state() {
        let record = |kind, state| InstanceRecord {
            file: "a/xs-security.json".into(),
            line: 1,
            name: "a".into(),
            kind,
            plan: "unknown".into(),
            state,
            codes: Vec::new(),
            facts: Facts::default(),
        };
        let descriptor = InstanceKind::Descriptor;
        assert!(record(descriptor, MigrationState::Dual) < record(descriptor, MigrationState::Implicit));
        assert!(record(descriptor, MigrationState::X509) > record(descriptor, MigrationState::Invalid));
        let mta = InstanceKind::Deployment(InstanceFormat::Mta);
        assert!(record(descriptor, MigrationState::Implicit) < record(mta, MigrationState::Implicit));
        let cf = InstanceKind::Deployment(InstanceFormat::Cf);
        assert!(record(cf, MigrationState::Implicit) < record(descriptor, MigrationState::Implicit));
    }

    #[test]
    fn one_project_is_one_folder_and_those_below_it() {
        assert!(super::one_project("mta.yaml", "scripts/create.sh"));
        assert!(super::one_project("app/mta.yaml", "app/services-manifest.yml"));
        assert!(super::one_project("app/scripts/a.sh", "app/mta.yaml"));
        assert!(!super::one_project("samples/a/k8s/x.yaml", "samples/b/helm/values.yaml"));
        assert!(!super::one_project("app/mta.yaml", "application/deploy.sh"));
    }
}
