//! Deployment files and the XSUAA service instances they declare (spec sections 3.3 and 4):
//! MTA development and deployment descriptors with their extensions, Kyma (SAP BTP service
//! operator) manifests and Terraform. Each instance lists the layers of its configuration, lowest
//! precedence first, and the credential types its bindings and service keys ask for.

use crate::syntax::json::{pointer_push, Node, Value};
use crate::text::source::SourceFile;
use crate::text::source::Span;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod cf;
mod ci;
mod crossplane;
mod helm;
mod kustomize;
mod service_catalog;
mod shell;
mod terraform;
mod workdir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `mta.yaml`, `mta.yml`, `mtad.yaml`, `mtad.yml` ([`MTA_NAMES`]); `mta-cf.yaml` and other
    /// `mta*.yaml` whose content is an MTA descriptor ([`is_mta_variant_name`]).
    Mta,
    /// `*.mtaext`.
    MtaExtension,
    /// `*.yaml`/`*.yml` that may hold `services.cloud.sap.com` resources.
    Kubernetes,
    /// `*.tf`.
    Terraform,
    /// `manifest.yml`, `manifest.yaml` (`cf push`): binding parameters only, judged with the
    /// instance they name (see [`cf`]).
    CfManifest,
    /// `services-manifest.yml`, `services-manifest.yaml` (Create-Service-Push).
    ServicesManifest,
    /// `*.sh`, `Makefile`, `*.mk`: `cf create-service` and friends.
    Shell,
    /// A Helm chart's `values.yaml`, `values-*.yaml` (CAP's `cds add helm`).
    HelmValues,
    /// Shell commands inside another file: a CI pipeline (`.github/workflows/*.yml`,
    /// `.gitlab-ci.yml`, `azure-pipelines*.yml`), a `Jenkinsfile`, `package.json` scripts.
    Ci,
    /// Project Piper's `.pipeline/config.yml`: `cloudFoundryCreateService` and `...ServiceKey`.
    Piper,
    /// A REST-client file (`*.http`, `*.rest`): requests only, judged for token requests by GET
    /// (XS304); it declares no instance.
    Http,
    /// A Docker Compose file (`docker-compose*.yml`, `compose*.yml`): judged for binding secrets
    /// whose `$` it interpolates (XS305); it declares no instance.
    Compose,
}

impl Kind {
    /// The kind a file name suggests; the content decides later.
    pub fn of_name(name: &str) -> Option<Kind> {
        // Called for every file of a walk: no allocation.
        let ends = |suffix: &str| {
            name.len() >= suffix.len()
                && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        };
        if MTA_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n)) || is_mta_variant_name(name) {
            Some(Kind::Mta)
        } else if ["manifest.yml", "manifest.yaml"].iter().any(|n| name.eq_ignore_ascii_case(n)) {
            Some(Kind::CfManifest)
        } else if ["services-manifest.yml", "services-manifest.yaml"].iter().any(|n| name.eq_ignore_ascii_case(n)) {
            Some(Kind::ServicesManifest)
        } else if ends(".mtaext") {
            Some(Kind::MtaExtension)
        } else if is_values_name(name) {
            Some(Kind::HelmValues)
        } else if name == "package.json"
            || name.starts_with("Jenkinsfile")
            || name.eq_ignore_ascii_case(".gitlab-ci.yml")
            || name.eq_ignore_ascii_case(".gitlab-ci.yaml")
            || (name.starts_with("azure-pipelines") && (ends(".yml") || ends(".yaml")))
        {
            Some(Kind::Ci)
        } else if (name.starts_with("docker-compose") || name.starts_with("compose")) && (ends(".yml") || ends(".yaml"))
        {
            Some(Kind::Compose)
        } else if ends(".yaml") || ends(".yml") {
            Some(Kind::Kubernetes)
        } else if ends(".tf") {
            Some(Kind::Terraform)
        } else if ends(".sh") || ends(".mk") || name == "Makefile" || name == "makefile" || name == "GNUmakefile" {
            Some(Kind::Shell)
        } else if ends(".http") || ends(".rest") {
            Some(Kind::Http)
        } else {
            None
        }
    }

    /// Whether a file of this kind is worth parsing: cheap text checks first.
    pub fn is_relevant(self, text: &str) -> bool {
        match self {
            Kind::Mta | Kind::MtaExtension => true,
            Kind::Kubernetes => {
                text.contains("services.cloud.sap.com")
                    || text.contains("cf.cs.sap.com")
                    || text.contains("cloudfoundry.crossplane.io")
                    || text.contains("cloudfoundry.btp.orchestrate.cloud.sap")
                    || text.contains(crossplane::API)
                    || text.contains(crossplane::PACKAGE)
                    || text.contains(service_catalog::API)
                    || is_secret_manifest(text)
            }
            Kind::Terraform => {
                text.contains("btp_subaccount_service_")
                    || text.contains(terraform::INSTANCE)
                    || (text.contains("module") && text.contains("\"xsuaa\""))
            }
            // Also a Kubernetes manifest's name (`k8s/manifest.yaml`).
            Kind::CfManifest => text.contains("credential-type") || Kind::Kubernetes.is_relevant(text),
            Kind::ServicesManifest => text.contains("xsuaa"),
            Kind::Shell | Kind::Ci => {
                // A binding or key that asks for XSUAA's own `instance-secret` (XS110).
                (text.contains("instance-secret")
                    && ["create-service-key", "bind-service", "csk ", "bs "].iter().any(|c| text.contains(c)))
                    || (text.contains("xsuaa")
                    && (text.contains("create-service")
                        || text.contains("update-service")
                        || text.contains(" cs ")
                        || text.contains("services/instance")))
                    // The migration's own `cf update-service NAME -c xs-security.json`.
                    || (text.contains("update-service") && text.contains("xs-security"))
                    || may_request_token(text)
                    || may_hold_binding_secret(text)
            }
            Kind::Compose => may_hold_binding_secret(text),
            Kind::Http => may_request_token(text),
            Kind::Piper => text.contains("cfService"),
            Kind::HelmValues => {
                // An overlay (`values-prod.yaml`) changes `parameters` of an instance its chart declares.
                (text.contains("xsuaa") && (text.contains("serviceOfferingName") || text.contains("parameters")))
                    || Kind::Kubernetes.is_relevant(text)
            }
        }
    }
}

/// The names of MTA development and deployment descriptors: every part of the tool that looks
/// for an MTA by name (the walk, an extension's MTA, a `cf push` manifest's neighbours, the
/// language server) uses this list.
pub const MTA_NAMES: [&str; 4] = ["mta.yaml", "mta.yml", "mtad.yaml", "mtad.yml"];

/// `mta-cf.yaml`, `mta_xsa.yml`, `mta.dev.yaml`: YAML named like an MTA descriptor but not one
/// of [`MTA_NAMES`] (a project keeping one per target and copying one to `mta.yaml` to build).
/// Read as an MTA only when its content is one ([`is_mta_descriptor`]).
pub fn is_mta_variant_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let yaml = |suffix: &[u8]| {
        bytes.len() > suffix.len() + 3 && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    bytes.len() >= 3
        && bytes[..3].eq_ignore_ascii_case(b"mta")
        && (yaml(b".yaml") || yaml(b".yml"))
        && !MTA_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// Whether a text is an MTA descriptor: `_schema-version` and `ID` at its top level (what a
/// file named like a variant must hold to be read as one).
pub fn is_mta_descriptor(text: &str) -> bool {
    top_level_value(text, "_schema-version").is_some() && top_level_value(text, "ID").is_some()
}

/// `values.yaml`, `values-prod.yaml`, `values.dev.yml`: a Helm chart's values.
fn is_values_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.len() < 11 || !bytes[..6].eq_ignore_ascii_case(b"values") {
        return false;
    }
    let rest = &bytes[6..];
    let yaml =
        |suffix: &[u8]| rest.len() >= suffix.len() && rest[rest.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    matches!(rest[0], b'.' | b'-' | b'_') && (yaml(b".yaml") || yaml(b".yml"))
}

fn is_secret_manifest(text: &str) -> bool {
    text.contains("kind: Secret") && (text.contains("clientsecret") || text.contains("credential-type"))
}

/// Which format declared an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Mta,
    Kyma,
    Terraform,
    /// Terraform's Cloud Foundry provider (`cloudfoundry_service_instance`).
    #[serde(rename = "terraform-cf")]
    TerraformCf,
    /// Cloud Foundry's own: a Create-Service-Push `services-manifest.yml`, `cf create-service` in a script.
    Cf,
    /// A Helm chart's values (CAP's `cds add helm`): a `ServiceInstance` once rendered, so Kyma.
    Helm,
    /// The `btp` CLI's `btp create services/instance`: the other environment.
    Btp,
    /// The Cloud Foundry service operator's `cf.cs.sap.com` `ServiceInstance`: Cloud Foundry.
    #[serde(rename = "cf-operator")]
    CfOperator,
    /// Crossplane's Cloud Foundry provider (`cloudfoundry.crossplane.io`): Cloud Foundry.
    Crossplane,
    /// SAP's Crossplane provider for SAP BTP (`account.btp.sap.crossplane.io`): the other environment.
    #[serde(rename = "crossplane-btp")]
    CrossplaneBtp,
    /// Kubernetes Service Catalog (`servicecatalog.k8s.io`), Kyma's before the BTP service operator.
    #[serde(rename = "service-catalog")]
    ServiceCatalog,
}

impl Format {
    /// How reports name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Mta => "mta",
            Format::Kyma => "kyma",
            Format::Terraform => "terraform",
            Format::TerraformCf => "terraform-cf",
            Format::Cf => "cf",
            Format::Helm => "helm",
            Format::Btp => "btp",
            Format::CfOperator => "cf-operator",
            Format::Crossplane => "crossplane",
            Format::CrossplaneBtp => "crossplane-btp",
            Format::ServiceCatalog => "service-catalog",
        }
    }
}

/// Where a layer of configuration comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// The JSON descriptor named by MTA `path`.
    DescriptorFile,
    /// Inline parameters: MTA `config`, Kyma `spec.parameters`, Terraform `parameters`.
    Inline,
    /// An MTA extension's `config`.
    Extension,
}

#[derive(Debug, Clone)]
pub struct Layer {
    /// Index into the instance set's files.
    pub file: usize,
    pub kind: LayerKind,
    /// JSON Pointer of `node` in its file (`""` for a descriptor file).
    pub pointer: String,
    pub node: Node,
}

/// A binding or service key declared for an instance (for `runbook`).
#[derive(Debug, Clone)]
pub struct BindingRef {
    pub file: usize,
    /// `true` for a service key, `false` for an app's binding.
    pub key: bool,
    /// The binding's, key's or module's name.
    pub name: String,
    pub span: Span,
}

/// A binding or service key and the credential type it asks for.
#[derive(Debug, Clone)]
pub struct CredentialRequest {
    pub file: usize,
    /// `binding of module srv`, `service key my-key`, `ServiceBinding b`.
    pub what: String,
    pub value: String,
    pub span: Span,
    pub pointer: String,
}

/// What a binding's or key's parameters ask for, with where they are (XS303 reads the `x509`
/// options of the certificate the service generates).
#[derive(Debug, Clone)]
pub struct BindingParameters {
    pub file: usize,
    /// `binding of module srv`, `service key my-key`, `ServiceBinding b`.
    pub what: String,
    /// The parameters object; its spans are in `file` (a JSON text inside another text, such as a
    /// script's `-c '{...}'`, has every span on that text).
    pub node: Node,
    /// JSON Pointer of `node` in its file.
    pub pointer: String,
    /// Whether the file renews the binding or key, and so its certificate.
    pub renewal: Renewal,
}

/// Whether a deployment file renews a binding or service key by itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Renewal {
    /// The file cannot show it (an app's binding that a deploy may recreate, a Terraform resource
    /// that a pipeline may replace).
    Unknown,
    /// Renewed at each deployment: an MTA service key named with `${timestamp}`.
    EachDeployment,
    /// Rotated by the SAP BTP service operator (`credentialsRotationPolicy`) every so often:
    /// the frequency as written, in seconds when it can be read, and its span.
    Rotated { every: Option<(String, Option<u64>, Span)> },
    /// Never, and why (as a phrase after "the file never renews it:").
    Never { why: String, at: Span },
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub name: String,
    /// The name the platform knows the instance by, when the file gives another one than `name`
    /// (an MTA resource's `parameters.service-name`).
    pub service_name: Option<String>,
    /// A Kubernetes resource's `metadata.namespace`: two instances of one name in two namespaces
    /// are two instances.
    pub namespace: Option<String>,
    pub format: Format,
    /// The deployment file that declares it.
    pub file: usize,
    /// Where the instance is declared (its name), for findings about the instance as a whole.
    pub span: Span,
    pub pointer: String,
    /// The plan as written, with its span; `None` when no plan is named.
    pub plan: Option<(String, Span)>,
    /// JSON Pointer of what names the plan (the plan attribute, or an MTA resource's `type`
    /// when the type implies the plan).
    pub plan_pointer: String,
    pub layers: Vec<Layer>,
    /// `skip-service-updates: {parameters: true}` (MTA): changed parameters are not sent.
    pub skip_service_updates: Option<Span>,
    pub requests: Vec<CredentialRequest>,
    /// Every binding and service key of the instance that the file declares, whatever it asks for.
    pub bindings: Vec<BindingRef>,
    /// The parameters each binding and service key sends, when it sends an object.
    pub parameters: Vec<BindingParameters>,
    /// A layer could not be read (a `path` that names no file): the effective configuration is
    /// not known, so only the plan and the bindings are judged.
    pub incomplete: bool,
    /// Another service that makes an XSUAA client of its own (see [`Wrapper`]); `None` for an
    /// xsuaa instance.
    pub wrapper: Option<Wrapper>,
}

/// A reuse service (destination, html5-apps-repo, auditlog, saas-registry, a custom broker) that
/// creates an XSUAA client for its instance and takes that client's settings nested: the
/// instance's `xs-security` object, its bindings' and keys' `xsuaa` object. Only what reaches
/// XSUAA is judged: the credential type a binding or key asks for, against the nested
/// `credential-types` when there is one. The nested object is not judged as a descriptor (SAP
/// documents no staged migration for these clients), and SAP's 1-30 day range for the
/// certificates of direct xsuaa bindings does not apply (SAP's own example for a destination
/// binding asks for 365 days).
#[derive(Debug, Clone)]
pub struct Wrapper {
    /// The service offering (`destination`).
    pub service: String,
    /// The instance's nested `xs-security` object, when it has one.
    pub xs_security: Option<Node>,
}

impl Instance {
    /// An instance as its file declares it, before its plan, layers and bindings are read;
    /// what names its plan defaults to `POINTER/plan`.
    pub fn declared(name: impl Into<String>, format: Format, file: usize, span: Span, pointer: String) -> Self {
        Instance {
            name: name.into(),
            service_name: None,
            namespace: None,
            format,
            file,
            span,
            plan_pointer: format!("{pointer}/plan"),
            pointer,
            plan: None,
            layers: Vec::new(),
            skip_service_updates: None,
            requests: Vec::new(),
            bindings: Vec::new(),
            parameters: Vec::new(),
            incomplete: false,
            wrapper: None,
        }
    }
}

/// A problem with a deployment file that is not a rule finding about an instance.
#[derive(Debug, Clone)]
pub struct Problem {
    pub file: usize,
    pub span: Span,
    pub message: String,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// YAML or HCL that does not parse (XS004).
    Syntax,
    /// A `path` that does not exist, leaves the repository or is not a descriptor (XS005).
    Path,
    /// A Helm template, not YAML until rendered (XS006, info).
    Template,
    /// A configuration that is not known until the deployment tool runs, such as
    /// `parameters = var.parameters` (XS007, info): the instance is reported, never clean.
    Unknown,
    /// A top-level key given by two sources the operator merges (XS008).
    Duplicate,
    /// A deployment tool pinned at a version that does not send an instance's changed
    /// parameters (XS114).
    DroppedUpdates,
}

/// The files of one deployment file's instances: the deployment file first, then the
/// descriptors and extensions it brings in.
#[derive(Debug, Default)]
pub struct InstanceSet {
    pub files: Vec<SourceFile>,
    /// Real paths of `files`, for writing fixes and for "judged once".
    pub paths: Vec<PathBuf>,
    pub instances: Vec<Instance>,
    pub problems: Vec<Problem>,
    /// The instances (by index) whose configuration, or part of it, is not known (XS007): for
    /// `audit`, which counts them.
    pub unknown: Vec<usize>,
    /// The problems of the instances (by index) that make their configuration unreadable
    /// (XS005, XS008): for `audit`, which lists them as the instance's codes.
    pub instance_problems: Vec<(usize, ProblemKind)>,
    /// Descriptor files that an instance (by index) names but that do not parse, as (instance,
    /// file): judged by the descriptor's own rules (XS001 where the syntax breaks), as a
    /// descriptor the walk finds is.
    pub unparsable: Vec<(usize, usize)>,
    /// How a descriptor file reaches an instance when the deployment file does not name it
    /// itself (a Helm chart's `--set-file` in a script, CAP's convention): by instance index,
    /// said in the findings placed in that file.
    pub links: Vec<(usize, String)>,
    /// Instances (by index) whose findings are reported only in the declaring file: a Helm
    /// values overlay, whose chart reports the rest.
    pub own_only: Vec<usize>,
    /// Credential types that bindings and service keys ask of an instance the set does not
    /// declare (an app's `manifest.yml` binding an instance made by hand, `cf create-service-key`
    /// in a Makefile): `instance-secret` is XSUAA's alone, so XS110 judges it all the same.
    pub undeclared: Vec<CredentialRequest>,
    /// Descriptor files an instance names that are not UTF-8 (XS005 here, XS001 in the file):
    /// the run lists their instance here, not as a descriptor of its own.
    pub unreadable_descriptors: Vec<PathBuf>,
    /// Descriptor files already parsed into a layer, by file index.
    layers_of: std::collections::HashMap<usize, Layer>,
}

impl InstanceSet {
    /// The parsed tree of a descriptor file of the set, when it parses.
    pub fn descriptor_tree(&self, file: usize) -> Option<&Node> {
        self.layers_of.get(&file).map(|l| &l.node)
    }

    fn add_file(&mut self, path: PathBuf, source: SourceFile) -> usize {
        if let Some(i) = self.paths.iter().position(|p| *p == path) {
            return i;
        }
        self.files.push(source);
        self.paths.push(path);
        self.files.len() - 1
    }

    fn problem(&mut self, file: usize, span: Span, kind: ProblemKind, message: impl Into<String>) {
        // A descriptor that cannot be read (XS005) or a parameter given twice (XS008) is met
        // while the instance about to be added is read: it is that instance's, for `audit`.
        if matches!(kind, ProblemKind::Path | ProblemKind::Duplicate) {
            self.instance_problems.push((self.instances.len(), kind));
        }
        self.problems.push(Problem { file, span, message: message.into(), kind });
    }

    /// XS007 about the instance about to be added.
    fn unknown(&mut self, file: usize, span: Span, message: impl Into<String>) {
        self.unknown.push(self.instances.len());
        self.problem(file, span, ProblemKind::Unknown, message);
    }
}

fn str_at<'a>(node: &'a Node, pointer: &str) -> Option<&'a str> {
    node.pointer(pointer).and_then(Node::as_str)
}

/// Whether a Kubernetes file that cannot be read (a template, broken YAML) may declare or bind an
/// XSUAA instance: it names `xsuaa`, holds XSUAA credentials, or leaves a service offering to a
/// template (`serviceOfferingName: {{ .Values.offering }}`).
fn may_declare_xsuaa(text: &str) -> bool {
    text.contains("xsuaa")
        || is_secret_manifest(text) && text.contains("uaadomain")
        || text.lines().any(|line| {
            let line = line.trim_start();
            ["serviceOfferingName:", "offering:", "offeringName:", "clusterServiceClassExternalName:"]
                .iter()
                .any(|key| line.strip_prefix(key).is_some_and(|value| value.contains("{{")))
        })
}

/// `"{{"` outside quotes at a line start or value position: a Helm template.
fn is_helm_template(text: &str) -> bool {
    text.contains("{{")
        && (text.contains("{{-") || text.contains("{{ .") || text.contains("{{ include") || text.contains("{{."))
}

/// Where the model gets the files a deployment file brings in (descriptors, extensions): the
/// disk, or texts held in memory (the fix loop's edits, an editor's unsaved buffers).
pub trait Files {
    /// The text of `path`, shown as `shown`.
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, Unreadable>;

    /// The files of `folder` whose names end with `suffix` (Terraform reads a module's data
    /// sources from its folder). None by default.
    fn list(&self, _folder: &Path, _suffix: &str) -> Vec<PathBuf> {
        Vec::new()
    }

    /// The files of the repository under `root` named one of `names`, in path order (a
    /// kustomization that takes this folder as a base may be anywhere). None by default; the
    /// disk walks the repository as a check of it would (ignore files kept), once per run.
    fn find_named(&self, _root: &Path, _names: &'static [&'static str]) -> std::sync::Arc<Vec<PathBuf>> {
        std::sync::Arc::default()
    }

    /// What `make` makes of `path` as [`Files::read`] gives it. The run's disk keeps it, by
    /// canonical path and `what`, so that a file many deployment files look at (a root
    /// `manifest.yml`) is read and indexed once per run, not once per deployment file; by
    /// default it is made on every call.
    fn derived(
        &self,
        path: &Path,
        what: &'static str,
        make: &dyn Fn(Result<SourceFile, Unreadable>) -> Derived,
    ) -> Derived {
        let _ = what;
        make(self.read(path, &path.to_string_lossy()))
    }
}

/// A value made from a file's text, shared across a run (see [`Files::derived`]).
pub type Derived = std::sync::Arc<dyn std::any::Any + Send + Sync>;

/// Why a file a deployment file names cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Missing, not a regular file, or unreadable.
    Missing,
    /// Refused by the repository's boundary (a symbolic link out of it); the reason says so.
    Refused(String),
    /// Its bytes are not UTF-8; the message says where.
    NotText {
        message: String,
        /// The text with each invalid sequence replaced by U+FFFD: the same bytes up to `offset`.
        lossy: String,
        /// Where the first invalid byte is.
        offset: usize,
    },
}

/// Whether `path` is there to be used: readable, or refused by the repository's boundary (which
/// the caller then reports rather than taking the file for missing).
fn usable(files: &dyn Files, path: &Path, shown: &str) -> bool {
    matches!(files.read(path, shown), Ok(_) | Err(Unreadable::Refused(_)))
}

/// Reads a deployment file and everything it brings in. `root` bounds where `path` may point;
/// `extensions` are the `.mtaext` files found in the run, by path.
pub fn load(
    path: &Path,
    source: SourceFile,
    kind: Kind,
    root: &Path,
    extensions: &[PathBuf],
    files: &dyn Files,
) -> InstanceSet {
    let mut set = InstanceSet::default();
    let file = set.add_file(path.to_path_buf(), source);
    match kind {
        Kind::Mta => load_mta(&mut set, file, root, extensions, files),
        Kind::MtaExtension => {}
        Kind::Kubernetes => load_kubernetes(&mut set, file, root, files),
        Kind::Terraform => load_terraform(&mut set, file, root, files),
        // A Kubernetes manifest may be named so too; a `cf push` manifest declares nothing.
        Kind::CfManifest => {
            load_kubernetes(&mut set, file, root, files);
            if set.instances.is_empty() {
                cf::undeclared_requests(&mut set, file);
            }
        }
        Kind::ServicesManifest => cf::load_services_manifest(&mut set, file, root, files),
        Kind::Shell => shell::load_script(&mut set, file, root, files),
        Kind::Ci => shell::load_ci(&mut set, file, root, files),
        Kind::Piper => ci::load_piper(&mut set, file, root, files),
        Kind::Http | Kind::Compose => {}
        Kind::HelmValues => {
            helm::load_values(&mut set, file, root, files);
            // Raw manifests in a file named so are still manifests.
            if set.instances.is_empty() && Kind::Kubernetes.is_relevant(&set.files[file].text) {
                load_kubernetes(&mut set, file, root, files);
            }
        }
    }
    // `cf push` binds the instances that Cloud Foundry deployments declare.
    if declares_cloud_foundry(kind) {
        cf::attach_app_bindings(&mut set, root, files);
    }
    set
}

fn declares_cloud_foundry(kind: Kind) -> bool {
    matches!(kind, Kind::Mta | Kind::Terraform | Kind::ServicesManifest | Kind::Shell | Kind::Ci | Kind::Piper)
}

/// Adds the apps' bindings and service keys that scripts and `cf push` manifests beside the
/// deployment file (or at the repository's root) make for the set's Cloud Foundry instances.
/// Only the runbook lists them, and no rule judges them: the engine asks for them when the run
/// keeps an inventory, so that `check` does not read those files again for every deployment file.
pub fn attach_script_bindings(set: &mut InstanceSet, kind: Kind, root: &Path, files: &dyn Files) {
    if declares_cloud_foundry(kind) {
        shell::attach_script_bindings(set, root, files);
        cf::attach_app_names(set, root, files);
    }
}

fn yaml_documents(set: &mut InstanceSet, file: usize) -> Option<Vec<Node>> {
    match crate::syntax::yaml::parse_documents(&set.files[file].text) {
        Ok(docs) => Some(docs),
        Err(e) => {
            let message = format!("not valid YAML: {}", e.message);
            set.problem(file, e.span, ProblemKind::Syntax, message);
            None
        }
    }
}

/// Plan implied by an MTA resource type (spec section 4.1); `None` if the type is not xsuaa.
fn mta_default_plan(resource: &Node) -> Option<Option<&'static str>> {
    let kind = resource.get("type").and_then(Node::as_str)?;
    match kind {
        "org.cloudfoundry.managed-service" => {
            (str_at(resource, "/parameters/service") == Some("xsuaa")).then_some(None)
        }
        "com.sap.xs.uaa" | "com.sap.xs.uaa-application" | "com.sap.xs.uaa-devuser" => Some(Some("application")),
        "com.sap.xs.uaa-space" => Some(Some("space")),
        _ => None,
    }
}

fn load_mta(set: &mut InstanceSet, file: usize, root: &Path, extensions: &[PathBuf], files: &dyn Files) {
    let Some(docs) = yaml_documents(set, file) else { return };
    let Some(mta) = docs.into_iter().next() else { return };
    let id = mta.get("ID").and_then(Node::as_str).unwrap_or_default().to_string();
    let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
    let extension_configs = load_extensions(set, &id, extensions, files);
    let resources = mta.get("resources").and_then(Node::as_array).unwrap_or_default();
    for (index, resource) in resources.iter().enumerate() {
        let Some(default_plan) = mta_default_plan(resource) else {
            load_mta_wrapper(set, file, &mta, index, resource);
            continue;
        };
        let Some(name) = resource.get("name").and_then(Node::as_str) else { continue };
        let pointer = format!("/resources/{index}");
        let span = resource.get("name").map_or(resource.span, |n| n.span);
        let type_span = resource.get("type").map_or(span, |n| n.span);
        let (plan, plan_pointer) = match resource.pointer("/parameters/service-plan") {
            Some(node) => {
                (node.as_str().map(|p| (p.to_string(), node.span)), format!("{pointer}/parameters/service-plan"))
            }
            None => (default_plan.map(|p| (p.to_string(), type_span)), format!("{pointer}/type")),
        };
        let mut instance = Instance {
            service_name: str_at(resource, "/parameters/service-name").filter(|s| *s != name).map(String::from),
            plan,
            plan_pointer,
            skip_service_updates: resource
                .pointer("/parameters/skip-service-updates/parameters")
                .filter(|n| n.value == Value::Bool(true))
                .map(|n| n.span),
            ..Instance::declared(name.to_string(), Format::Mta, file, span, pointer.clone())
        };
        for key in ["path", "config-path"] {
            if let Some(path_node) = resource.pointer(&format!("/parameters/{key}")) {
                match descriptor_layer(set, file, path_node, &folder, root, files, None) {
                    Some(layer) => instance.layers.push(layer),
                    None => instance.incomplete = true,
                }
            }
        }
        if let Some(config) = resource.pointer("/parameters/config") {
            instance.layers.push(Layer {
                file,
                kind: LayerKind::Inline,
                pointer: format!("{pointer}/parameters/config"),
                node: config.clone(),
            });
        }
        for (ext_file, ext_pointer, config) in &extension_configs {
            if ext_pointer.0 == name {
                instance.layers.push(Layer {
                    file: *ext_file,
                    kind: LayerKind::Extension,
                    pointer: ext_pointer.1.clone(),
                    node: config.clone(),
                });
            }
        }
        let keys = resource.pointer("/parameters/service-keys").and_then(Node::as_array).unwrap_or_default();
        for (k, key) in keys.iter().enumerate() {
            let key_name = key.get("name").and_then(Node::as_str).unwrap_or("?");
            instance.bindings.push(BindingRef { file, key: true, name: key_name.into(), span: key.span });
            // A key without `config` still gets the instance's default type (its certificate too).
            let config =
                key.get("config").cloned().unwrap_or(Node { span: key.span, value: Value::Object(Vec::new()) });
            instance.parameters.push(BindingParameters {
                file,
                what: format!("service key `{key_name}`"),
                node: config,
                pointer: format!("{pointer}/parameters/service-keys/{k}/config"),
                renewal: mta_key_renewal(key),
            });
            if let Some(node) = key.pointer("/config/credential-type") {
                push_request(
                    &mut instance,
                    file,
                    format!("service key `{key_name}`"),
                    node,
                    format!("{pointer}/parameters/service-keys/{k}/config/credential-type"),
                );
            }
        }
        let modules = mta.get("modules").and_then(Node::as_array).unwrap_or_default();
        for (m, module) in modules.iter().enumerate() {
            let module_name = module.get("name").and_then(Node::as_str).unwrap_or("?");
            let requires = module.get("requires").and_then(Node::as_array).unwrap_or_default();
            for (r, required) in requires.iter().enumerate() {
                if required.get("name").and_then(Node::as_str) != Some(name) {
                    continue;
                }
                // A content module (`com.sap.application.content`) is no app: the deployer gives it
                // a service key, named by `service-key.name` or by the deployer itself.
                let content = module.get("type").and_then(Node::as_str) == Some("com.sap.application.content");
                let explicit_key = required.pointer("/parameters/service-key").is_some();
                if content && !explicit_key {
                    let name = format!("(made by the deployer for content module `{module_name}`)");
                    instance.bindings.push(BindingRef { file, key: true, name, span: required.span });
                } else if !explicit_key {
                    instance.bindings.push(BindingRef {
                        file,
                        key: false,
                        name: module_name.into(),
                        span: required.span,
                    });
                }
                if let Some(config) = required.pointer("/parameters/config") {
                    instance.parameters.push(BindingParameters {
                        file,
                        what: format!("the binding of module `{module_name}`"),
                        node: config.clone(),
                        pointer: format!("/modules/{m}/requires/{r}/parameters/config"),
                        renewal: Renewal::Unknown,
                    });
                }
                // A content module's service key (`requires[].parameters.service-key`).
                if let Some(key) = required.pointer("/parameters/service-key") {
                    let key_name = key.get("name").and_then(Node::as_str).unwrap_or("?");
                    instance.bindings.push(BindingRef { file, key: true, name: key_name.into(), span: key.span });
                    if let Some(config) = key.get("config") {
                        instance.parameters.push(BindingParameters {
                            file,
                            what: format!("service key `{key_name}` of module `{module_name}`"),
                            node: config.clone(),
                            pointer: format!("/modules/{m}/requires/{r}/parameters/service-key/config"),
                            renewal: mta_key_renewal(key),
                        });
                    }
                    if let Some(node) = key.pointer("/config/credential-type") {
                        push_request(
                            &mut instance,
                            file,
                            format!("service key `{key_name}` of module `{module_name}`"),
                            node,
                            format!("/modules/{m}/requires/{r}/parameters/service-key/config/credential-type"),
                        );
                    }
                }
                if let Some(node) = required.pointer("/parameters/config/credential-type") {
                    push_request(
                        &mut instance,
                        file,
                        format!("the binding of module `{module_name}`"),
                        node,
                        format!("/modules/{m}/requires/{r}/parameters/config/credential-type"),
                    );
                }
            }
        }
        set.instances.push(instance);
    }
}

/// An MTA resource of another service that carries XSUAA settings for the client the service
/// makes (see [`Wrapper`]): `config: {xs-security: {...}}` on the resource, `config: {xsuaa:
/// {credential-type: ...}}` on a module's binding or a service key.
fn load_mta_wrapper(set: &mut InstanceSet, file: usize, mta: &Node, index: usize, resource: &Node) {
    if resource.get("type").and_then(Node::as_str) != Some("org.cloudfoundry.managed-service") {
        return;
    }
    let (Some(service), Some(name)) =
        (str_at(resource, "/parameters/service"), resource.get("name").and_then(Node::as_str))
    else {
        return;
    };
    let pointer = format!("/resources/{index}");
    let xs_security = resource.pointer("/parameters/config/xs-security").filter(|n| n.as_object().is_some());
    let span = resource.get("name").map_or(resource.span, |n| n.span);
    let mut instance = Instance {
        plan: resource.pointer("/parameters/service-plan").and_then(|n| n.as_str().map(|p| (p.to_string(), n.span))),
        plan_pointer: format!("{pointer}/parameters/service-plan"),
        service_name: str_at(resource, "/parameters/service-name").filter(|s| *s != name).map(String::from),
        wrapper: Some(Wrapper { service: service.to_string(), xs_security: xs_security.cloned() }),
        ..Instance::declared(name.to_string(), Format::Mta, file, span, pointer.clone())
    };
    let keys = resource.pointer("/parameters/service-keys").and_then(Node::as_array).unwrap_or_default();
    for (k, key) in keys.iter().enumerate() {
        if let Some(node) = key.pointer("/config/xsuaa/credential-type") {
            let key_name = key.get("name").and_then(Node::as_str).unwrap_or("?");
            push_request(
                &mut instance,
                file,
                format!("service key `{key_name}` of {service} instance `{name}` (its `xsuaa` parameters)"),
                node,
                format!("{pointer}/parameters/service-keys/{k}/config/xsuaa/credential-type"),
            );
        }
    }
    let modules = mta.get("modules").and_then(Node::as_array).unwrap_or_default();
    for (m, module) in modules.iter().enumerate() {
        let module_name = module.get("name").and_then(Node::as_str).unwrap_or("?");
        let requires = module.get("requires").and_then(Node::as_array).unwrap_or_default();
        for (r, required) in requires.iter().enumerate() {
            if required.get("name").and_then(Node::as_str) != Some(name) {
                continue;
            }
            for (at, what) in [
                ("/parameters/config/xsuaa/credential-type", format!("the binding of module `{module_name}`")),
                (
                    "/parameters/service-key/config/xsuaa/credential-type",
                    format!("the service key of module `{module_name}`"),
                ),
            ] {
                if let Some(node) = required.pointer(at) {
                    push_request(
                        &mut instance,
                        file,
                        format!("{what} to {service} instance `{name}` (its `xsuaa` parameters)"),
                        node,
                        format!("/modules/{m}/requires/{r}{at}"),
                    );
                }
            }
        }
    }
    if instance.wrapper.as_ref().is_some_and(|w| w.xs_security.is_some()) || !instance.requests.is_empty() {
        set.instances.push(instance);
    }
}

/// A Kyma `ServiceInstance` of another service that carries XSUAA settings (see [`Wrapper`]):
/// `spec.parameters.xs-security`, and its `ServiceBinding`s' `spec.parameters.xsuaa` in the same
/// file (SAP/sap-btp-service-operator#231).
fn kyma_wrapper(
    set: &mut InstanceSet,
    file: usize,
    docs: &[Node],
    i: usize,
    bindings: &[usize],
    doc_pointer: &dyn Fn(usize) -> String,
) {
    let doc = &docs[i];
    let (Some(service), Some(name)) = (str_at(doc, "/spec/serviceOfferingName"), str_at(doc, "/metadata/name")) else {
        return;
    };
    let xs_security = doc.pointer("/spec/parameters/xs-security").filter(|n| n.as_object().is_some());
    let span = doc.pointer("/metadata/name").map_or(doc.span, |n| n.span);
    let mut instance = Instance {
        plan: doc.pointer("/spec/servicePlanName").and_then(|n| n.as_str().map(|p| (p.to_string(), n.span))),
        plan_pointer: format!("{}/spec/servicePlanName", doc_pointer(i)),
        namespace: str_at(doc, "/metadata/namespace").map(String::from),
        wrapper: Some(Wrapper { service: service.to_string(), xs_security: xs_security.cloned() }),
        ..Instance::declared(name.to_string(), Format::Kyma, file, span, doc_pointer(i))
    };
    for &j in bindings {
        let binding = &docs[j];
        if let Some(node) = binding.pointer("/spec/parameters/xsuaa/credential-type") {
            let binding_name = str_at(binding, "/metadata/name").unwrap_or("?");
            push_request(
                &mut instance,
                file,
                format!("ServiceBinding `{binding_name}` of {service} instance `{name}` (its `xsuaa` parameters)"),
                node,
                format!("{}/spec/parameters/xsuaa/credential-type", doc_pointer(j)),
            );
        }
    }
    if xs_security.is_some() || !instance.requests.is_empty() {
        set.instances.push(instance);
    }
}

/// An MTA service key is created again at a deployment only when its name changes: SAP's
/// "Service Keys" page shows `${timestamp}` in the name for that.
fn mta_key_renewal(key: &Node) -> Renewal {
    let name = key.get("name");
    match name.and_then(Node::as_str) {
        Some(n) if n.contains("${timestamp}") => Renewal::EachDeployment,
        _ => Renewal::Never {
            why: "its name has no `${timestamp}`, so a redeployment keeps the key and its certificate".into(),
            at: name.map_or(key.span, |n| n.span),
        },
    }
}

fn push_request(instance: &mut Instance, file: usize, what: String, node: &Node, pointer: String) {
    if let Some(value) = node.as_str() {
        instance.requests.push(CredentialRequest { file, what, value: value.to_string(), span: node.span, pointer });
    }
}

type ExtensionConfig = (usize, (String, String), Node);

/// The `config` of each resource in the extensions that extend `id`, in path order.
fn load_extensions(set: &mut InstanceSet, id: &str, extensions: &[PathBuf], files: &dyn Files) -> Vec<ExtensionConfig> {
    let mut out = Vec::new();
    if id.is_empty() {
        return out;
    }
    let mut sorted: Vec<&PathBuf> = extensions.iter().collect();
    sorted.sort();
    for path in sorted {
        let shown = path.to_string_lossy();
        let source = match files.read(path, &shown) {
            Ok(source) => source,
            // An extension of this MTA that is not UTF-8 is XS004 at its first invalid byte (the
            // replaced text is the same up to there); others are not this MTA's business.
            Err(Unreadable::NotText { message, lossy, offset }) => {
                if extends_by_text(&lossy, id) {
                    let file = set.add_file(path.clone(), SourceFile::new(shown, lossy));
                    set.problem(file, Span::new(offset, offset), ProblemKind::Syntax, message);
                }
                continue;
            }
            Err(Unreadable::Missing | Unreadable::Refused(_)) => continue,
        };
        // A quick look before parsing: most extensions extend another MTA.
        if !source.text.contains(id) {
            continue;
        }
        let docs = match crate::syntax::yaml::parse_documents(&source.text) {
            Ok(docs) => docs,
            Err(e) => {
                // An extension of this MTA that does not parse is XS004: its layer is missing.
                if extends_by_text(&source.text, id) {
                    let file = set.add_file(path.clone(), source);
                    set.problem(file, e.span, ProblemKind::Syntax, format!("not valid YAML: {}", e.message));
                }
                continue;
            }
        };
        let Some(doc) = docs.first() else { continue };
        if doc.get("extends").and_then(Node::as_str) != Some(id) {
            continue;
        }
        let file = set.add_file(path.clone(), source);
        for (index, resource) in doc.get("resources").and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
            let (Some(name), Some(config)) =
                (resource.get("name").and_then(Node::as_str), resource.pointer("/parameters/config"))
            else {
                continue;
            };
            out.push((file, (name.to_string(), format!("/resources/{index}/parameters/config")), config.clone()));
        }
    }
    out
}

/// Whether a text that does not parse says `extends: <id>` on a line of its own (quoted or
/// not, with or without a comment): an extension of that MTA, broken.
fn extends_by_text(text: &str, id: &str) -> bool {
    text.lines().any(|line| {
        let Some(value) = line.trim_start().strip_prefix("extends:") else { return false };
        let value = value.split(" #").next().unwrap_or_default().trim();
        [value, value.trim_matches('"'), value.trim_matches('\'')].contains(&id)
    })
}

/// The value of a top-level `KEY:` line (an MTA's `ID`, an extension's `extends`), unquoted and
/// without its comment; read line by line, so a file that does not parse still tells it.
pub fn top_level_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = value.split(" #").next().unwrap_or_default().trim();
        let value = value.trim_matches('"').trim_matches('\'');
        (!value.is_empty()).then(|| value.to_string())
    })
}

fn descriptor_layer(
    set: &mut InstanceSet,
    file: usize,
    path_node: &Node,
    folder: &Path,
    root: &Path,
    files: &dyn Files,
    label: Option<&str>,
) -> Option<Layer> {
    let Some(relative) = path_node.as_str() else {
        set.problem(file, path_node.span, ProblemKind::Path, "`path` must be a string");
        return None;
    };
    // How the findings name the reference: MTA `path: x`, Terraform `file("x")`.
    let named = label.map_or_else(|| format!("path: {relative}"), str::to_string);
    let joined = folder.join(relative);
    let normalized = normalize(&joined);
    if !normalized.starts_with(normalize(root)) {
        set.problem(
            file,
            path_node.span,
            ProblemKind::Path,
            format!("`{named}` leaves the repository; the instance's configuration is not judged"),
        );
        return None;
    }
    // A descriptor shared by two resources is read and parsed once.
    if let Some(known) = set.paths.iter().position(|p| *p == normalized) {
        let layer = set.layers_of.get(&known).cloned();
        if layer.is_none() && set.unparsable.iter().any(|(_, f)| *f == known) {
            set.unparsable.push((set.instances.len(), known));
        }
        return layer;
    }
    // The name is replaced by the reported path wherever a finding in this file is shown.
    let shown = normalized.to_string_lossy().into_owned();
    let source = match files.read(&normalized, &shown) {
        Ok(source) => source,
        Err(Unreadable::NotText { message, .. }) => {
            set.unreadable_descriptors.push(normalized.clone());
            let reason = message.strip_prefix("the file is ").unwrap_or(&message);
            set.problem(
                file,
                path_node.span,
                ProblemKind::Path,
                format!("`{named}` is {reason}; the instance's configuration is not judged"),
            );
            return None;
        }
        Err(Unreadable::Refused(reason)) => {
            set.problem(
                file,
                path_node.span,
                ProblemKind::Path,
                format!("`{named}`: {reason}; the instance's configuration is not judged"),
            );
            return None;
        }
        Err(Unreadable::Missing) => {
            set.problem(file, path_node.span, ProblemKind::Path, format!("`{named}` names no file in the repository (if the build generates it, lint the generated file); the instance's configuration is not judged"));
            return None;
        }
    };
    let descriptor = set.add_file(normalized, source);
    let text = &set.files[descriptor];
    let Ok(node) = crate::syntax::json::parse(&text.text, text.bom_len()) else {
        // Judged as a descriptor all the same: its own rules say where the syntax breaks (XS001).
        set.unparsable.push((set.instances.len(), descriptor));
        return None;
    };
    let layer = Layer { file: descriptor, kind: LayerKind::DescriptorFile, pointer: String::new(), node };
    set.layers_of.insert(descriptor, layer.clone());
    Some(layer)
}

/// `a/./b/../c` -> `a/c`, absolute, without touching the file system (the file may not exist):
/// what an MTA `path:` resolves to.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

const TEMPLATE_SKIPPED: &str = "not YAML until rendered; skipped (lint the rendered chart instead: `helm template RELEASE CHART | xsuaa-lint check - --stdin-filename rendered.yaml`)";

/// A Helm template's documents as far as they can be read: the text with every document that
/// holds a template outside a string scalar blanked (so that the others parse with their own
/// positions and numbers), and where each blanked one starts.
struct Rendered {
    text: String,
    skipped: Vec<(usize, bool)>,
    /// How many documents the file has.
    documents: usize,
}

/// Splits `text` at its `---` lines and blanks each document whose templates are not all inside
/// string scalars (`{{- if }}` lines, `name: {{ .Release.Name }}-x`, `{{ toYaml ... }}`): those
/// are not what Helm sends. A document whose every template sits in a string (`name: "{{ .Release.Name }}"`,
/// `xsappname: app-{{ .Values.x }}`) parses as it is written and is kept. Each skipped document
/// says whether it may declare or bind an XSUAA instance.
fn rendered_documents(text: &str) -> Rendered {
    let mut starts = vec![0];
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let separator =
            line.strip_prefix("---").is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace));
        if separator && at > 0 {
            starts.push(at);
        }
        at += line.len();
    }
    let mut masked = text.as_bytes().to_vec();
    let mut skipped = Vec::new();
    let mut documents = 0;
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let chunk = &text[start..end];
        // Where the document's content starts: after its `---` line, blank lines and comments.
        let mut content = None;
        let mut offset = start;
        for line in chunk.split_inclusive('\n') {
            let trimmed = line.trim();
            let is_separator = offset == start && line.starts_with("---");
            if !is_separator && !trimmed.is_empty() && !trimmed.starts_with('#') {
                content = Some(offset);
                break;
            }
            offset += line.len();
        }
        let Some(content) = content else { continue };
        // Lines of template actions alone (`{{- range ... }}`, `{{- end }}`) render to no document.
        let actions_only = chunk[content - start..].lines().all(|line| {
            let line = line.trim();
            line.is_empty() || line.starts_with('#') || (line.starts_with("{{") && line.ends_with("}}"))
        });
        if !actions_only {
            documents += 1;
        }
        if !chunk.contains("{{") || templates_in_strings(chunk) {
            continue;
        }
        // Blanked to a null document (`~`): the documents after it keep their numbers.
        for byte in &mut masked[content..end] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
        masked[content] = b'~';
        skipped.push((content, may_declare_xsuaa(chunk)));
    }
    // Only ASCII bytes were written over whole documents: still UTF-8.
    let text = String::from_utf8(masked).unwrap_or_default();
    Rendered { text, skipped, documents }
}

/// Whether `chunk` parses as YAML with every `{{` inside a string scalar's text.
fn templates_in_strings(chunk: &str) -> bool {
    let Ok(docs) = crate::syntax::yaml::parse_documents(chunk) else { return false };
    let mut spans = Vec::new();
    let mut stack: Vec<&Node> = docs.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::String(s) if s.contains("{{") => spans.push(node.span),
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => stack.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    spans.sort_by_key(|s| s.start);
    let mut spans = spans.into_iter().peekable();
    for (at, _) in chunk.match_indices("{{") {
        while spans.peek().is_some_and(|s| s.end <= at) {
            spans.next();
        }
        if spans.peek().is_none_or(|s| s.start > at) {
            return false;
        }
    }
    true
}

fn load_kubernetes(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let template = is_helm_template(&set.files[file].text);
    let docs = if template {
        // The operator's own chart (RBAC, webhooks) or an instance of another service: nothing
        // XSUAA is lost by skipping it, so say nothing.
        if !may_declare_xsuaa(&set.files[file].text) {
            return;
        }
        let rendered = rendered_documents(&set.files[file].text);
        let Ok(docs) = crate::syntax::yaml::parse_documents(&rendered.text) else {
            let message = format!("a Helm template is {TEMPLATE_SKIPPED}");
            set.problem(file, Span::new(0, 0), ProblemKind::Template, message);
            return;
        };
        for &(at, xsuaa) in &rendered.skipped {
            if xsuaa {
                let message = if rendered.documents == 1 {
                    format!("a Helm template is {TEMPLATE_SKIPPED}")
                } else {
                    format!("this document of a Helm template is {TEMPLATE_SKIPPED}")
                };
                set.problem(file, Span::new(at, at), ProblemKind::Template, message);
            }
        }
        // Templates left in strings are placeholders, as in a chart's values.
        docs.into_iter().map(helm::placeholders).collect()
    } else if may_declare_xsuaa(&set.files[file].text) {
        let Some(docs) = yaml_documents(set, file) else { return };
        docs
    } else {
        // A broken file that cannot declare an XSUAA instance (the operator's access Secret with
        // `****` placeholders) is not this tool's business.
        let Ok(docs) = crate::syntax::yaml::parse_documents(&set.files[file].text) else { return };
        docs
    };
    let first_instance = set.instances.len();
    let many = docs.len() > 1;
    let doc_pointer = |i: usize| if many { format!("/{i}") } else { String::new() };
    let mut sources = Sources::default();
    // The file's ServiceBindings by the instance they bind: found once, not once per instance.
    let mut bindings_of: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (j, other) in docs.iter().enumerate() {
        if other.get("kind").and_then(Node::as_str) == Some("ServiceBinding") {
            if let Some(target) = str_at(other, "/spec/serviceInstanceName") {
                bindings_of.entry(target).or_default().push(j);
            }
        }
    }
    for (i, doc) in docs.iter().enumerate() {
        let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or_default();
        if doc.get("kind").and_then(Node::as_str) != Some("ServiceInstance") {
            continue;
        }
        // SAP's BTP service operator (Kyma), the Cloud Foundry service operator, Crossplane's
        // Cloud Foundry provider: where each keeps the offering, the plan and the parameters.
        let (format, spec) = if api.starts_with("services.cloud.sap.com/") {
            (Format::Kyma, "/spec")
        } else if api.starts_with("cf.cs.sap.com/") {
            (Format::CfOperator, "/spec")
        } else if api.starts_with("cloudfoundry.crossplane.io/")
            || api.starts_with("cloudfoundry.btp.orchestrate.cloud.sap/")
        {
            (Format::Crossplane, "/spec/forProvider")
        } else {
            continue;
        };
        let (offering, plan_at) = if format == Format::Crossplane {
            ("/servicePlan/offering", "/servicePlan/plan")
        } else {
            ("/serviceOfferingName", "/servicePlanName")
        };
        // Another service of the BTP operator may make an XSUAA client of its own (`Wrapper`).
        if format == Format::Kyma
            && str_at(doc, "/spec/serviceOfferingName").is_some_and(|o| o != "xsuaa")
            && str_at(doc, "/spec/servicePlanName") != Some("reference-instance")
        {
            let bindings = bindings_of.get(str_at(doc, "/metadata/name").unwrap_or("?")).map_or(&[][..], Vec::as_slice);
            kyma_wrapper(set, file, &docs, i, bindings, &doc_pointer);
            continue;
        }
        // A `reference-instance` shares an existing instance; its parameters are no descriptor.
        if str_at(doc, &format!("{spec}{offering}")) != Some("xsuaa")
            || str_at(doc, &format!("{spec}{plan_at}")) == Some("reference-instance")
        {
            continue;
        }
        let name = str_at(doc, "/metadata/name").unwrap_or("?").to_string();
        let span = doc.pointer("/metadata/name").map_or(doc.span, |n| n.span);
        let plan = doc.pointer(&format!("{spec}{plan_at}")).and_then(|n| n.as_str().map(|p| (p.to_string(), n.span)));
        let mut instance = Instance {
            plan,
            plan_pointer: format!("{}{spec}{plan_at}", doc_pointer(i)),
            namespace: str_at(doc, "/metadata/namespace").map(String::from),
            ..Instance::declared(name.clone(), format, file, span, doc_pointer(i))
        };
        // Crossplane's `jsonParams`: the configuration as a JSON string.
        if let Some(json) = doc.pointer(&format!("{spec}/jsonParams")) {
            match json.as_str().map(|t| crate::syntax::json::parse(t, 0)) {
                Some(Ok(node)) => instance.layers.push(Layer {
                    file,
                    kind: LayerKind::Inline,
                    pointer: format!("{}{spec}/jsonParams", doc_pointer(i)),
                    node: crate::syntax::hcl::respan(node, json.span),
                }),
                Some(Err(e)) => {
                    instance.incomplete = true;
                    set.problem(
                        file,
                        json.span,
                        ProblemKind::Syntax,
                        format!("`jsonParams` is not valid JSON: {}", e.message),
                    );
                }
                None => {}
            }
        }
        // Crossplane's `paramsSecretRef` (used when `jsonParams` is not set): a Secret turned into
        // parameters by the provider, not read here.
        if let Some(reference) = doc.pointer(&format!("{spec}/paramsSecretRef")) {
            if doc.pointer(&format!("{spec}/jsonParams")).is_none() {
                instance.incomplete = true;
                let secret = reference.get("name").and_then(Node::as_str).unwrap_or("?");
                let message = format!(
                    "the configuration of instance `{name}` is not known: it comes from Secret `{secret}` (`paramsSecretRef`), which the provider turns into parameters; it is not judged"
                );
                set.unknown(file, reference.span, message);
            }
        }
        if let Some(parameters) = doc.pointer(&format!("{spec}/parameters")) {
            instance.layers.push(Layer {
                file,
                kind: LayerKind::Inline,
                pointer: format!("{}{spec}/parameters", doc_pointer(i)),
                node: parameters.clone(),
            });
        }
        if let Some(from) = doc.pointer(&format!("{spec}/parametersFrom")).and_then(Node::as_array) {
            parameters_from(set, file, &docs, &mut sources, from, files, &mut instance);
        }
        for &j in bindings_of.get(name.as_str()).map(Vec::as_slice).unwrap_or_default() {
            // In one file, a binding and an instance of one name in two namespaces are not linked.
            if str_at(&docs[j], "/metadata/namespace") == instance.namespace.as_deref() {
                attach_binding(&mut instance, file, &docs[j], &doc_pointer(j));
            }
        }
        set.instances.push(instance);
    }
    if set.instances.len() > first_instance {
        link_other_files(set, file, first_instance, root, files);
    }
    crossplane::load(set, file, &docs);
    service_catalog::load(set, file, &docs, &mut sources, files);
}

/// A `ServiceBinding` (`doc`, at `pointer` in `file`) of `instance`: listed, and what it asks for.
fn attach_binding(instance: &mut Instance, file: usize, doc: &Node, pointer: &str) {
    let binding = str_at(doc, "/metadata/name").unwrap_or("?");
    instance.bindings.push(BindingRef { file, key: false, name: binding.into(), span: doc.span });
    let parameters =
        doc.pointer("/spec/parameters").cloned().unwrap_or(Node { span: doc.span, value: Value::Object(Vec::new()) });
    instance.parameters.push(BindingParameters {
        file,
        what: format!("ServiceBinding `{binding}`"),
        node: parameters,
        pointer: format!("{pointer}/spec/parameters"),
        renewal: kyma_renewal(doc),
    });
    if let Some(node) = doc.pointer("/spec/parameters/credential-type") {
        let what = format!("ServiceBinding `{binding}`");
        push_request(instance, file, what, node, format!("{pointer}/spec/parameters/credential-type"));
    }
}

/// The `ServiceBinding`s of a YAML file, for linking them to instances of other files: made once
/// per run for each file.
struct BindingFile {
    source: SourceFile,
    /// Each binding: the instance it names, its namespace, the document and its JSON Pointer.
    bindings: Vec<(String, Option<String>, Node, String)>,
}

impl BindingFile {
    fn of(read: Result<SourceFile, Unreadable>) -> Option<BindingFile> {
        let source = read.ok()?;
        if !source.text.contains("ServiceBinding") {
            return None;
        }
        // A Helm template's documents that parse as written; a file that does not parse is
        // judged on its own (XS004) when it is linted.
        let docs = if is_helm_template(&source.text) {
            crate::syntax::yaml::parse_documents(&rendered_documents(&source.text).text).ok()?
        } else {
            crate::syntax::yaml::parse_documents(&source.text).ok()?
        };
        let many = docs.len() > 1;
        let mut bindings = Vec::new();
        for (j, doc) in docs.into_iter().enumerate() {
            if doc.get("kind").and_then(Node::as_str) != Some("ServiceBinding") {
                continue;
            }
            let Some(target) = str_at(&doc, "/spec/serviceInstanceName").map(String::from) else { continue };
            let namespace = str_at(&doc, "/metadata/namespace").map(String::from);
            let pointer = if many { format!("/{j}") } else { String::new() };
            bindings.push((target, namespace, helm::placeholders(doc), pointer));
        }
        (!bindings.is_empty()).then_some(BindingFile { source, bindings })
    }
}

/// Links the `ServiceBinding`s of other files to the instances of `file` (from `first` on): the
/// YAML files of its folder (`kubectl apply -f FOLDER`), matched by name and namespace (a binding
/// without one matches an instance without one), and the files of every kustomization build
/// that holds `file` (`kubectl apply -k`), in the namespace the build gives each. A file that
/// gives a binding joins the set.
fn link_other_files(set: &mut InstanceSet, file: usize, first: usize, root: &Path, files: &dyn Files) {
    let own = normalize(&set.paths[file]);
    let folder = own.parent().map(Path::to_path_buf).unwrap_or_default();
    // (file, namespace the build gives the binding, namespace it gives the instances); `None`:
    // each keeps its own.
    let mut candidates: Vec<(PathBuf, Option<String>, Option<String>)> = Vec::new();
    let mut listed = files.list(&folder, ".yaml");
    listed.extend(files.list(&folder, ".yml"));
    listed.sort();
    candidates.extend(listed.into_iter().map(|p| (normalize(&p), None, None)));
    for build in kustomize::builds_with(&own, root, files) {
        for (member, namespace) in build.members.iter() {
            candidates.push((member.clone(), namespace.clone(), build.namespace.clone()));
        }
    }
    // The set's files by path, so that many binding files stay linear.
    let mut index_of: HashMap<PathBuf, usize> = set.paths.iter().enumerate().map(|(i, p)| (normalize(p), i)).collect();
    // Each binding once per instance, whichever way it was reached.
    let mut linked: std::collections::HashSet<(usize, PathBuf, String)> = std::collections::HashSet::new();
    for (path, binding_namespace, instance_namespace) in candidates {
        if path == own {
            continue;
        }
        let made = files.derived(&path, "kubernetes bindings", &|read| std::sync::Arc::new(BindingFile::of(read)));
        let Some(Some(found)) = made.downcast_ref::<Option<BindingFile>>() else { continue };
        for (n, instance) in set.instances.iter_mut().enumerate().skip(first) {
            let namespace = instance_namespace.clone().or_else(|| instance.namespace.clone());
            for (target, own_namespace, doc, pointer) in &found.bindings {
                let effective = binding_namespace.as_ref().or(own_namespace.as_ref());
                if *target != instance.name || effective != namespace.as_ref() {
                    continue;
                }
                if !linked.insert((n, path.clone(), pointer.clone())) {
                    continue;
                }
                let index = *index_of.entry(path.clone()).or_insert_with(|| {
                    // Shown as this set names it (the run's first reader may have spelled it otherwise).
                    let mut source = found.source.clone();
                    source.path = path.to_string_lossy().into_owned();
                    set.files.push(source);
                    set.paths.push(path.clone());
                    set.files.len() - 1
                });
                attach_binding(instance, index, doc, pointer);
            }
        }
    }
}

/// The SAP BTP service operator rotates a `ServiceBinding` with `credentialsRotationPolicy`
/// enabled (SAP's "Rotating Service Bindings").
fn kyma_renewal(binding: &Node) -> Renewal {
    let policy = binding.pointer("/spec/credentialsRotationPolicy");
    if policy.and_then(|p| p.get("enabled")).is_some_and(|e| e.value == Value::Bool(true)) {
        let every = policy.and_then(|p| p.get("rotationFrequency")).and_then(|n| {
            let text = n.as_str()?;
            Some((text.to_string(), go_duration(text), n.span))
        });
        Renewal::Rotated { every }
    } else {
        Renewal::Never {
            why: "the ServiceBinding has no `credentialsRotationPolicy` with `enabled: true`".into(),
            at: binding.pointer("/metadata/name").map_or(binding.span, |n| n.span),
        }
    }
}

/// `spec.parametersFrom`: each Secret or ConfigMap key read from a manifest of the repository
/// (this file, or a YAML file of its folder), merged at the top level; a top-level key given
/// twice is XS008, a source that is not committed XS007.
fn parameters_from(
    set: &mut InstanceSet,
    file: usize,
    docs: &[Node],
    sources: &mut Sources,
    from: &[Node],
    files: &dyn Files,
    instance: &mut Instance,
) {
    // Each top-level key and the source that gave it first.
    let mut seen: HashMap<String, String> = HashMap::new();
    for layer in &instance.layers {
        for member in layer.node.as_object().unwrap_or_default() {
            seen.entry(member.key.clone()).or_insert_with(|| "`parameters`".to_string());
        }
    }
    let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
    for entry in from {
        // `secretKeyRef`/`configMapKeyRef` (BTP operator), or `name`/`key` of a Secret (CF operator).
        let (kind, reference) = match (entry.get("secretKeyRef"), entry.get("configMapKeyRef")) {
            (Some(r), _) => ("Secret", r),
            (None, Some(r)) => ("ConfigMap", r),
            (None, None) => ("Secret", entry),
        };
        let (Some(name), Some(key)) =
            (reference.get("name").and_then(Node::as_str), reference.get("key").and_then(Node::as_str))
        else {
            continue;
        };
        let what = format!("{kind} `{name}` (key `{key}`)");
        let (source_file, value) = match find_source(set, file, docs, sources, &folder, files, kind, name, key) {
            Some((source_file, Committed::Value(text, span))) => (source_file, (text, span)),
            Some((source_file, Committed::Invalid { field, span, reason })) => {
                // The API server rejects the object: what the instance gets is not in the repository.
                instance.incomplete = true;
                let message = format!(
                    "`{field}` of {kind} `{name}` {reason}: the cluster rejects the {kind}, so instance `{}` gets no configuration from `parametersFrom`; it is not judged",
                    instance.name
                );
                set.instance_problems.push((set.instances.len(), ProblemKind::Syntax));
                set.problem(source_file, span, ProblemKind::Syntax, message);
                return;
            }
            Some((_, Committed::WithoutKey)) => {
                let why = format!("{kind} `{name}` is committed without the key `{key}` that `parametersFrom` reads");
                return not_judged(set, instance, file, entry.span, &why);
            }
            None => {
                let why = format!("{what} of `parametersFrom` is not in the repository (created in the cluster)");
                return not_judged(set, instance, file, entry.span, &why);
            }
        };
        let node = match crate::syntax::json::parse(&value.0, 0) {
            Ok(node) if matches!(node.value, Value::Object(_)) => crate::syntax::hcl::respan(node, value.1),
            _ => {
                let why = format!("{what} of `parametersFrom` does not hold a JSON object");
                return not_judged(set, instance, file, entry.span, &why);
            }
        };
        let mut duplicate = false;
        for member in node.as_object().unwrap_or_default() {
            if let Some(first) = seen.get(&member.key) {
                instance.incomplete = true;
                duplicate = true;
                let message = format!(
                    "the top-level key `{}` comes from {first} and from {what}: the operator rejects the instance and sends nothing; give each top-level key once",
                    member.key
                );
                set.problem(file, entry.span, ProblemKind::Duplicate, message);
                continue;
            }
            seen.insert(member.key.clone(), what.clone());
        }
        // The operator sends nothing: the sources are not merged.
        if !duplicate {
            instance.layers.push(Layer { file: source_file, kind: LayerKind::Inline, pointer: String::new(), node });
        }
    }
}

/// A Go duration as the service operator reads it (`600h`, `90m`, `1h30m`, `3600s`), in seconds.
pub fn go_duration(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut chars = text.trim().chars().peekable();
    chars.peek()?;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            'h' => 3600,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0
            }
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    number.is_empty().then_some(total)
}

/// An instance whose configuration `parametersFrom` leaves unknown (XS007): `why` says what is
/// missing.
fn not_judged(set: &mut InstanceSet, instance: &mut Instance, file: usize, span: Span, why: &str) {
    instance.incomplete = true;
    let message = format!("the configuration of instance `{}` is not known: {why}; it is not judged", instance.name);
    set.unknown(file, span, message);
}

/// What a committed Secret or ConfigMap holds at a key.
#[derive(Debug, PartialEq)]
enum Committed {
    /// The value, decoded, and where it is.
    Value(String, Span),
    /// A value the API server refuses (a Secret's `data` that is not base64, a value that is
    /// not a string): the field (`data.KEY`), where it is, and why.
    Invalid { field: String, span: Span, reason: String },
    /// The object is committed without the key.
    WithoutKey,
}

/// The Secrets and ConfigMaps that `parametersFrom` may name, indexed by kind and name: this
/// file's documents, then those of the other YAML files of its folder, each file read and
/// parsed once per deployment file however many entries and instances name them.
#[derive(Default)]
struct Sources {
    /// This file's documents (by index) of each kind and name, in order; built on first use.
    own: Option<HashMap<(String, String), Vec<usize>>>,
    /// The folder's other files that hold a Secret or ConfigMap; read on the first entry that
    /// this file does not answer.
    folder: Option<Vec<FolderSource>>,
    /// `folder`'s documents (file, document) of each kind and name, in order.
    in_folder: HashMap<(String, String), Vec<(usize, usize)>>,
}

struct FolderSource {
    path: PathBuf,
    source: SourceFile,
    docs: Vec<Node>,
    /// The file's index in the set, once a value was taken from it.
    in_set: Option<usize>,
}

/// The kind and name of a Secret or ConfigMap document.
fn source_key(doc: &Node) -> Option<(String, String)> {
    let kind = doc.get("kind").and_then(Node::as_str).filter(|k| matches!(*k, "Secret" | "ConfigMap"))?;
    Some((kind.to_string(), str_at(doc, "/metadata/name")?.to_string()))
}

impl Sources {
    fn load_folder(&mut self, set: &InstanceSet, folder: &Path, files: &dyn Files) {
        if self.folder.is_none() {
            let mut found = Vec::new();
            let mut paths = files.list(folder, ".yaml");
            paths.extend(files.list(folder, ".yml"));
            for path in paths {
                let path = normalize(&path);
                if set.paths.iter().any(|p| normalize(p) == path) {
                    continue;
                }
                let Ok(source) = files.read(&path, &path.to_string_lossy()) else { continue };
                if !(source.text.contains("kind: Secret") || source.text.contains("kind: ConfigMap")) {
                    continue;
                }
                let Ok(docs) = crate::syntax::yaml::parse_documents(&source.text) else { continue };
                for (d, doc) in docs.iter().enumerate() {
                    if let Some(key) = source_key(doc) {
                        self.in_folder.entry(key).or_default().push((found.len(), d));
                    }
                }
                if docs.iter().any(|d| source_key(d).is_some()) {
                    found.push(FolderSource { path, source, docs, in_set: None });
                }
            }
            self.folder = Some(found);
        }
    }
}

/// A Secret's or ConfigMap's value at `key`, decoded, with its file and span: from the
/// documents of this file, else from the YAML files of its folder that declare one so named.
#[allow(clippy::too_many_arguments)]
fn find_source(
    set: &mut InstanceSet,
    file: usize,
    docs: &[Node],
    sources: &mut Sources,
    folder: &Path,
    files: &dyn Files,
    kind: &str,
    name: &str,
    key: &str,
) -> Option<(usize, Committed)> {
    let wanted = (kind.to_string(), name.to_string());
    let own = sources.own.get_or_insert_with(|| {
        let mut own: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, doc) in docs.iter().enumerate() {
            if let Some(key) = source_key(doc) {
                own.entry(key).or_default().push(i);
            }
        }
        own
    });
    let in_file = own.get(&wanted).into_iter().flatten();
    if let Some(value) = in_file.filter_map(|&i| docs.get(i)).find_map(|d| source_value(d, kind, name, key)) {
        return Some((file, value));
    }
    sources.load_folder(set, folder, files);
    let folder_sources = sources.folder.as_mut()?;
    let mut in_folder = sources.in_folder.get(&wanted).into_iter().flatten();
    let (f, value) =
        in_folder.find_map(|&(f, d)| source_value(&folder_sources[f].docs[d], kind, name, key).map(|v| (f, v)))?;
    let found = &mut folder_sources[f];
    let index = match found.in_set {
        Some(index) => index,
        None => {
            // Not in the set: files already there were left out of `folder`, and this reader
            // adds no other. Pushed without `add_file`'s search, which many files make quadratic.
            set.files.push(found.source.clone());
            set.paths.push(found.path.clone());
            *found.in_set.insert(set.files.len() - 1)
        }
    };
    Some((index, value))
}

/// What `doc` holds at `key`, when it is the `kind` named `name`.
fn source_value(doc: &Node, kind: &str, name: &str, key: &str) -> Option<Committed> {
    if doc.get("kind").and_then(Node::as_str) != Some(kind) || str_at(doc, "/metadata/name") != Some(name) {
        return None;
    }
    let invalid = |field: &str, node: &Node, reason: String| Committed::Invalid {
        field: format!("{field}.{key}"),
        span: node.span,
        reason,
    };
    // `stringData` wins over `data` for a Secret, as the API server merges them.
    if let Some(node) = doc.get("stringData").and_then(|d| d.get(key)).filter(|_| kind == "Secret") {
        return Some(match node.as_str() {
            Some(text) => Committed::Value(text.to_string(), node.span),
            None => invalid("stringData", node, "is not a string".into()),
        });
    }
    let Some(node) = doc.get("data").and_then(|d| d.get(key)) else { return Some(Committed::WithoutKey) };
    let Some(text) = node.as_str() else { return Some(invalid("data", node, "is not a string".into())) };
    if kind == "ConfigMap" {
        return Some(Committed::Value(text.to_string(), node.span));
    }
    use base64::Engine as _;
    // Line breaks are allowed in the encoded text (a folded YAML scalar), nothing else is.
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match base64::engine::general_purpose::STANDARD.decode(compact) {
        // Bytes that are not UTF-8 are read as Go's JSON decoder reads them: each bad sequence U+FFFD.
        Ok(bytes) => Committed::Value(String::from_utf8_lossy(&bytes).into_owned(), node.span),
        Err(e) => {
            let why = e.to_string().trim_end_matches('.').to_lowercase();
            invalid("data", node, format!("is not valid base64 ({why})"))
        }
    })
}

fn load_terraform(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let text = set.files[file].text.clone();
    let body = match crate::syntax::hcl::parse(&text) {
        Ok(body) => body,
        Err(e) => {
            set.problem(file, e.span, ProblemKind::Syntax, format!("not valid HCL: {}", e.message));
            return;
        }
    };
    const INSTANCE: &str = "btp_subaccount_service_instance";
    const BINDING: &str = "btp_subaccount_service_binding";
    // A module's bindings by the instances they name (`btp_subaccount_service_instance.NAME.`),
    // found once per file rather than once per instance.
    let bindings_by_instance = |text: &str, body: &hcl_edit::structure::Body| {
        let mut by_name: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for (index, (_, block)) in crate::syntax::hcl::resources(body, BINDING).enumerate() {
            let target = crate::syntax::hcl::attribute_source(text, block, "service_instance_id").unwrap_or_default();
            let mut names: Vec<&str> = target
                .match_indices(INSTANCE)
                .filter_map(|(at, _)| target[at + INSTANCE.len()..].strip_prefix('.'))
                .map(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).next().unwrap_or(""))
                .collect();
            names.dedup();
            for name in names {
                by_name.entry(name.to_string()).or_default().push(index);
            }
        }
        by_name
    };
    let own_bindings = bindings_by_instance(&text, &body);
    // The module's other `.tf` files that hold bindings, each read and parsed once.
    let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
    let own = normalize(&set.paths[file]);
    let mut others = Vec::new();
    if crate::syntax::hcl::resources(&body, INSTANCE).next().is_some() {
        for path in files.list(&folder, ".tf") {
            let path = normalize(&path);
            if own == path {
                continue;
            }
            let Ok(source) = files.read(&path, &path.to_string_lossy()) else { continue };
            if !source.text.contains(BINDING) {
                continue;
            }
            let Ok(other) = crate::syntax::hcl::parse(&source.text) else { continue };
            let by_name = bindings_by_instance(&source.text, &other);
            others.push((path, source, other, by_name));
        }
    }
    let own_blocks: Vec<_> = crate::syntax::hcl::resources(&body, BINDING).collect();
    let other_blocks: Vec<Vec<_>> =
        others.iter().map(|o| crate::syntax::hcl::resources(&o.2, BINDING).collect()).collect();
    // One module for every instance of the file: its locals are indexed once.
    let mut module = terraform::Module::new(set, &text, &body, file, root, files);
    // The file's XSUAA entitlements by name, with their plans: an instance whose plan is given by
    // its ID (`serviceplan_id = "..."`) and that `depends_on` one of them is an XSUAA instance of
    // that plan (the entitlement comes first in SAP's examples).
    let entitlements: HashMap<&str, Option<(String, Span)>> =
        crate::syntax::hcl::resources(&body, "btp_subaccount_entitlement")
            .filter(|(_, b)| crate::syntax::hcl::string_attribute(b, "service_name").map(|s| s.0) == Some("xsuaa"))
            .map(|(n, b)| (n, crate::syntax::hcl::string_attribute(b, "plan_name").map(|(p, s)| (p.to_string(), s))))
            .collect();
    for (name, block) in crate::syntax::hcl::resources(&body, INSTANCE) {
        let offering = crate::syntax::hcl::string_attribute(block, "service_offering_name").map(|s| s.0);
        let plan_id = crate::syntax::hcl::attribute_source(&text, block, "serviceplan_id").unwrap_or_default();
        let parameters = crate::syntax::hcl::parameters(&text, block);
        // `depends_on = [btp_subaccount_entitlement.xsuaa]`: the entitlement named.
        let entitled = (offering.is_none() && !plan_id.is_empty())
            .then(|| crate::syntax::hcl::attribute_source(&text, block, "depends_on"))
            .flatten()
            .and_then(|depends| {
                depends.split(|c: char| c == '[' || c == ']' || c == ',' || c.is_whitespace()).find_map(|r| {
                    r.strip_prefix("btp_subaccount_entitlement.")
                        .and_then(|n| entitlements.get_key_value(n))
                        .map(|(n, plan)| (*n, plan))
                })
            });
        let is_xsuaa = offering == Some("xsuaa")
            || (offering.is_none() && plan_id.contains("xsuaa"))
            || (offering.is_none() && parameters.as_ref().is_some_and(|p| p.get("xsappname").is_some()))
            || entitled.is_some();
        if !is_xsuaa {
            continue;
        }
        let span =
            block.labels.get(1).and_then(hcl_edit::Span::span).map_or(Span::default(), |r| Span::new(r.start, r.end));
        let plan = crate::syntax::hcl::string_attribute(block, "serviceplan_name").map(|(p, s)| (p.to_string(), s));
        let pointer = format!("/resource/{INSTANCE}/{name}");
        let (plan, plan_pointer) = match (plan, entitled) {
            (None, Some((entitlement, Some(entitled)))) => {
                (Some(entitled.clone()), format!("/resource/btp_subaccount_entitlement/{entitlement}/plan_name"))
            }
            (plan, _) => (plan, format!("{pointer}/serviceplan_name")),
        };
        // Known by its `name`, not its label: two modules' `xsuaa` resources are two instances.
        let (known_as, service_name) = module.service_name(block, name);
        let mut instance = Instance {
            plan,
            plan_pointer,
            service_name,
            ..Instance::declared(known_as, Format::Terraform, file, span, pointer.clone())
        };
        terraform::btp_parameters(set, &module, block, &mut instance);
        let reference = format!("{INSTANCE}.{name}.");
        let btp_bindings = |instance: &mut Instance,
                            file: usize,
                            text: &str,
                            blocks: &[(&str, &hcl_edit::structure::Block)],
                            by_name: &std::collections::HashMap<String, Vec<usize>>| {
            let Some(indices) = by_name.get(name) else { return };
            for &index in indices {
                let Some(&(binding, block)) = blocks.get(index) else { continue };
                let target =
                    crate::syntax::hcl::attribute_source(text, block, "service_instance_id").unwrap_or_default();
                if !target.contains(&reference) {
                    continue;
                }
                let at = block
                    .labels
                    .get(1)
                    .and_then(hcl_edit::Span::span)
                    .map_or(Span::default(), |r| Span::new(r.start, r.end));
                instance.bindings.push(BindingRef { file, key: false, name: binding.to_string(), span: at });
                if let Some(parameters) = crate::syntax::hcl::parameters(text, block) {
                    instance.parameters.push(BindingParameters {
                        file,
                        what: format!("binding `{binding}`"),
                        node: parameters,
                        pointer: format!("/resource/{BINDING}/{binding}/parameters"),
                        renewal: Renewal::Unknown,
                    });
                }
                if let Some(node) =
                    crate::syntax::hcl::parameters(text, block).and_then(|p| p.get("credential-type").cloned())
                {
                    push_request(
                        instance,
                        file,
                        format!("binding `{binding}`"),
                        &node,
                        pointer_push(&format!("/resource/{BINDING}/{binding}/parameters"), "credential-type"),
                    );
                }
            }
        };
        btp_bindings(&mut instance, file, &text, &own_blocks, &own_bindings);
        // The module's other `.tf` files (Terraform reads a folder as one module).
        for ((path, source, _, by_name), blocks) in others.iter().zip(&other_blocks) {
            if !by_name.contains_key(name) {
                continue;
            }
            let known = set.paths.iter().position(|p| normalize(p) == *path);
            let index = known.unwrap_or(set.files.len());
            let before = instance.bindings.len();
            btp_bindings(&mut instance, index, &source.text, blocks, by_name);
            if known.is_none() && instance.bindings.len() > before {
                set.add_file(path.clone(), source.clone());
            }
        }
        set.instances.push(instance);
    }
    terraform::load_cloud_foundry(set, &mut module);
    terraform::module_calls(set, file, &body);
}

/// Whether a text may hold a request to XSUAA's token endpoint (`/oauth/token`): a cheap look
/// before XS304 reads the file.
pub fn may_request_token(text: &str) -> bool {
    text.contains("/oauth/token")
}

/// Whether a text may hold a binding secret (a hex digit right before a `$`): a cheap look before
/// XS305 reads the file.
pub fn may_hold_binding_secret(text: &str) -> bool {
    text.contains('$') && text.as_bytes().windows(2).any(|w| w[0].is_ascii_hexdigit() && w[1] == b'$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_values_are_read_line_by_line() {
        let text = "_schema-version: '3.1'\nID: \"shop\" # the MTA\nresources:\n  - ID: nested\n[";
        assert_eq!(top_level_value(text, "ID").as_deref(), Some("shop"));
        assert_eq!(top_level_value("extends: 'shop'\n", "extends").as_deref(), Some("shop"));
        assert_eq!(top_level_value("  extends: shop\n", "extends"), None);
        assert_eq!(top_level_value("IDs: x\n", "ID"), None);
    }

    #[test]
    fn a_broken_extension_is_known_by_its_extends_line() {
        assert!(extends_by_text("ID: x\nextends: shop\n", "shop"));
        assert!(extends_by_text("extends: \"shop\" # comment\n[", "shop"));
        assert!(extends_by_text("  extends: 'shop'", "shop"));
        assert!(!extends_by_text("extends: shop-prod\n", "shop"));
        assert!(!extends_by_text("# extends: shop\n", "shop"));
    }

    #[test]
    fn a_committed_secret_value_is_decoded_or_said_invalid() {
        let doc = |data: &str| {
            let text = format!("kind: Secret\nmetadata:\n  name: p\n{data}");
            crate::syntax::yaml::parse_documents(&text).unwrap().remove(0)
        };
        let value = |data: &str| source_value(&doc(data), "Secret", "p", "k");
        assert!(matches!(value("data:\n  k: eyJhIjogMX0=\n"), Some(Committed::Value(t, _)) if t == "{\"a\": 1}"));
        // A folded value keeps its line breaks out; bytes that are not UTF-8 become U+FFFD.
        assert!(
            matches!(value("data:\n  k: |\n    eyJhIj\n    ogMX0=\n"), Some(Committed::Value(t, _)) if t == "{\"a\": 1}")
        );
        assert!(matches!(value("data:\n  k: /w==\n"), Some(Committed::Value(t, _)) if t == "\u{fffd}"));
        assert!(
            matches!(value("data:\n  k: '{\"a\": 1}'\n"), Some(Committed::Invalid { field, .. }) if field == "data.k")
        );
        assert!(
            matches!(value("data:\n  k: eyJhIjogMX0\n"), Some(Committed::Invalid { reason, .. }) if reason.contains("base64"))
        );
        assert!(
            matches!(value("stringData:\n  k: [1]\n"), Some(Committed::Invalid { field, .. }) if field == "stringData.k")
        );
        // `stringData` wins over `data`.
        assert!(matches!(value("stringData:\n  k: x\ndata:\n  k: '*'\n"), Some(Committed::Value(t, _)) if t == "x"));
        assert_eq!(value("data:\n  other: eyJhIjogMX0=\n"), Some(Committed::WithoutKey));
        assert_eq!(source_value(&doc("data: {}\n"), "Secret", "q", "k"), None);
    }
}
