//! Deployment files and the XSUAA service instances they declare (spec sections 3.3 and 4):
//! MTA development and deployment descriptors with their extensions, Kyma (SAP BTP service
//! operator) manifests and Terraform. Each instance lists the layers of its configuration, lowest
//! precedence first, and the credential types its bindings and service keys ask for.

use crate::model::environment::Environment;
use crate::syntax::json::Node;
use crate::text::source::SourceFile;
use crate::text::source::Span;
use std::path::{Path, PathBuf};

mod cf;
mod ci;
mod crossplane;
mod helm;
mod kubernetes;
mod kustomize;
mod mta;
mod pulumi;
mod service_catalog;
mod shell;
mod terraform;
mod terraform_btp;
mod workdir;

pub use kubernetes::go_duration;

/// The format of a deployment file, told by its name (for some, its content too): which reader
/// takes it. An instance's [`InstanceFormat`] says what declares it (the Terraform reader tells
/// the BTP provider's instances from the Cloud Foundry provider's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileFormat {
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
    /// A Pulumi YAML program (`Pulumi.yaml`) with the Cloud Foundry provider's resources.
    Pulumi,
}

impl FileFormat {
    /// The kind a file name suggests; the content decides later.
    pub fn of_name(name: &str) -> Option<FileFormat> {
        FileFormat::of_path(Path::new(name), name)
    }

    /// The kind a file's path suggests: its name, and for some formats the folder it sits in
    /// (`.github/workflows/*.yml`, Piper's `.pipeline/config.yml`). `name` is `path`'s file name.
    pub fn of_path(path: &Path, name: &str) -> Option<FileFormat> {
        FORMATS.iter().find(|format| (format.takes)(path, name)).map(|format| format.kind)
    }

    /// Whether a file of this kind is worth parsing: cheap text checks first.
    pub fn is_relevant(self, text: &str) -> bool {
        (self.format().relevant)(text)
    }

    /// The kind's line of [`FORMATS`].
    fn format(self) -> &'static DeploymentFormat {
        // Every kind has a line: the test `every_kind_has_a_line_of_the_format_table` holds it.
        FORMATS.iter().find(|format| format.kind == self).unwrap_or(&FORMATS[0])
    }
}

/// A deployment format as the tool knows it: which files are its, what makes one worth reading,
/// and its reader. Adding a format is its reader's file, a [`FileFormat`] and one line of [`FORMATS`].
pub struct DeploymentFormat {
    pub kind: FileFormat,
    /// Whether a file of this path and name is one (`path` is the name alone when its folder is
    /// not known). The first line of [`FORMATS`] that takes a file decides its kind.
    pub takes: fn(&Path, &str) -> bool,
    /// Whether a file's text may hold what the reader judges: checked before parsing.
    pub relevant: fn(&str) -> bool,
    /// Reads the file (index `file` of the set) and what it brings in: the repository's `root`
    /// bounds the reads, `extensions` are the run's `.mtaext` files.
    pub read: fn(set: &mut InstanceSet, file: usize, root: &Path, extensions: &[PathBuf], files: &dyn Files),
    /// Declares Cloud Foundry instances, which `cf push` manifests beside it may bind.
    pub declares_cloud_foundry: bool,
}

/// Every deployment format, in the order a file's name is tried: the walk's relevance check, the
/// dispatcher ([`load`]) and the language server all read this table.
pub static FORMATS: &[DeploymentFormat] = &[
    DeploymentFormat {
        kind: FileFormat::Mta,
        takes: |_, name| MTA_NAMES.iter().any(|n| name.eq_ignore_ascii_case(n)) || is_mta_variant_name(name),
        relevant: |_| true,
        read: mta::load_mta,
        declares_cloud_foundry: true,
    },
    DeploymentFormat {
        kind: FileFormat::CfManifest,
        takes: |_, name| ["manifest.yml", "manifest.yaml"].iter().any(|n| name.eq_ignore_ascii_case(n)),
        // Also a Kubernetes manifest's name (`k8s/manifest.yaml`).
        relevant: |text| text.contains("credential-type") || is_kubernetes_relevant(text),
        read: |set, file, root, _, files| {
            // A Kubernetes manifest may be named so too; a `cf push` manifest declares nothing.
            kubernetes::load_kubernetes(set, file, root, files);
            if set.instances.is_empty() {
                cf::undeclared_requests(set, file);
            }
        },
        declares_cloud_foundry: false,
    },
    DeploymentFormat {
        kind: FileFormat::ServicesManifest,
        takes: |_, name| {
            ["services-manifest.yml", "services-manifest.yaml"].iter().any(|n| name.eq_ignore_ascii_case(n))
        },
        relevant: |text| text.contains("xsuaa"),
        read: |set, file, root, _, files| cf::load_services_manifest(set, file, root, files),
        declares_cloud_foundry: true,
    },
    DeploymentFormat {
        kind: FileFormat::MtaExtension,
        takes: |_, name| ends_with_ignoring_case(name, ".mtaext"),
        relevant: |_| true,
        // Read by the MTA it extends.
        read: |_, _, _, _, _| {},
        declares_cloud_foundry: false,
    },
    DeploymentFormat {
        kind: FileFormat::HelmValues,
        takes: |_, name| is_values_name(name),
        relevant: |text| {
            // An overlay (`values-prod.yaml`) changes `parameters` of an instance its chart declares.
            (text.contains("xsuaa") && (text.contains("serviceOfferingName") || text.contains("parameters")))
                || is_kubernetes_relevant(text)
        },
        read: |set, file, root, _, files| {
            helm::load_values(set, file, root, files);
            // Raw manifests in a file named so are still manifests.
            if set.instances.is_empty() && is_kubernetes_relevant(&set.files[file].text) {
                kubernetes::load_kubernetes(set, file, root, files);
            }
        },
        declares_cloud_foundry: false,
    },
    DeploymentFormat {
        kind: FileFormat::Ci,
        takes: |_, name| {
            let yaml = ends_with_ignoring_case(name, ".yml") || ends_with_ignoring_case(name, ".yaml");
            name == "package.json"
                || name.starts_with("Jenkinsfile")
                || name.eq_ignore_ascii_case(".gitlab-ci.yml")
                || name.eq_ignore_ascii_case(".gitlab-ci.yaml")
                || (name.starts_with("azure-pipelines") && yaml)
        },
        relevant: is_script_relevant,
        read: |set, file, root, _, files| shell::load_ci(set, file, root, files),
        declares_cloud_foundry: true,
    },
    DeploymentFormat {
        kind: FileFormat::Compose,
        takes: |_, name| {
            (name.starts_with("docker-compose") || name.starts_with("compose"))
                && (ends_with_ignoring_case(name, ".yml") || ends_with_ignoring_case(name, ".yaml"))
        },
        relevant: may_hold_binding_secret,
        // Judged for binding secrets its `$` interpolates (XS305); it declares no instance.
        read: |_, _, _, _, _| {},
        declares_cloud_foundry: false,
    },
    DeploymentFormat {
        kind: FileFormat::Piper,
        takes: |path, name| {
            (name == "config.yml" || name == "config.yaml")
                && path.parent().and_then(Path::file_name).is_some_and(|f| f == ".pipeline")
        },
        relevant: |text| text.contains("cfService"),
        read: |set, file, root, _, files| ci::load_piper(set, file, root, files),
        declares_cloud_foundry: true,
    },
    // A GitHub Actions workflow: YAML in `.github/workflows`.
    DeploymentFormat {
        kind: FileFormat::Ci,
        takes: |path, name| {
            let folder = path.parent();
            (ends_with_ignoring_case(name, ".yml") || ends_with_ignoring_case(name, ".yaml"))
                && folder.and_then(Path::file_name).is_some_and(|f| f == "workflows")
                && folder.and_then(Path::parent).and_then(Path::file_name).is_some_and(|f| f == ".github")
        },
        relevant: is_script_relevant,
        read: |set, file, root, _, files| shell::load_ci(set, file, root, files),
        declares_cloud_foundry: true,
    },
    DeploymentFormat {
        kind: FileFormat::Pulumi,
        takes: |_, name| pulumi::NAMES.contains(&name),
        relevant: pulumi::is_relevant,
        read: |set, file, root, _, files| pulumi::load_pulumi(set, file, root, files),
        declares_cloud_foundry: true,
    },
    DeploymentFormat {
        kind: FileFormat::Kubernetes,
        takes: |_, name| ends_with_ignoring_case(name, ".yaml") || ends_with_ignoring_case(name, ".yml"),
        relevant: is_kubernetes_relevant,
        read: |set, file, root, _, files| kubernetes::load_kubernetes(set, file, root, files),
        declares_cloud_foundry: false,
    },
    DeploymentFormat {
        kind: FileFormat::Terraform,
        takes: |_, name| ends_with_ignoring_case(name, ".tf"),
        relevant: |text| {
            text.contains("btp_subaccount_service_")
                || text.contains(terraform::INSTANCE)
                || (text.contains("module") && text.contains("\"xsuaa\""))
        },
        read: |set, file, root, _, files| terraform_btp::load_terraform(set, file, root, files),
        declares_cloud_foundry: true,
    },
    DeploymentFormat {
        kind: FileFormat::Shell,
        takes: |_, name| {
            ends_with_ignoring_case(name, ".sh")
                || ends_with_ignoring_case(name, ".mk")
                || name == "Makefile"
                || name == "makefile"
                || name == "GNUmakefile"
        },
        relevant: is_script_relevant,
        read: |set, file, root, _, files| shell::load_script(set, file, root, files),
        declares_cloud_foundry: true,
    },
    DeploymentFormat {
        kind: FileFormat::Http,
        takes: |_, name| ends_with_ignoring_case(name, ".http") || ends_with_ignoring_case(name, ".rest"),
        relevant: may_request_token,
        // Judged for token requests by GET (XS304); it declares no instance.
        read: |_, _, _, _, _| {},
        declares_cloud_foundry: false,
    },
];

/// Whether `name` ends with `suffix`, ASCII case ignored. Called for every file of a walk: no
/// allocation.
fn ends_with_ignoring_case(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len() && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Whether YAML may hold an instance, binding or secret of one of the Kubernetes APIs read.
fn is_kubernetes_relevant(text: &str) -> bool {
    text.contains("services.cloud.sap.com")
        || text.contains("cf.cs.sap.com")
        || text.contains("cloudfoundry.crossplane.io")
        || text.contains("cloudfoundry.btp.orchestrate.cloud.sap")
        || text.contains(crossplane::API)
        || text.contains(crossplane::PACKAGE)
        || text.contains(service_catalog::API)
        || is_secret_manifest(text)
}

/// Whether a script or CI file may run a command the shell reader judges.
fn is_script_relevant(text: &str) -> bool {
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
/// Named in reports by its line of [`INSTANCE_FORMATS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceFormat {
    Mta,
    Kyma,
    Terraform,
    /// Terraform's Cloud Foundry provider (`cloudfoundry_service_instance`).
    TerraformCf,
    /// Cloud Foundry's own: a Create-Service-Push `services-manifest.yml`, `cf create-service` in a script.
    Cf,
    /// A Helm chart's values (CAP's `cds add helm`): a `ServiceInstance` once rendered, so Kyma.
    Helm,
    /// The `btp` CLI's `btp create services/instance`: the other environment.
    Btp,
    /// The Cloud Foundry service operator's `cf.cs.sap.com` `ServiceInstance`: Cloud Foundry.
    CfOperator,
    /// Crossplane's Cloud Foundry provider (`cloudfoundry.crossplane.io`): Cloud Foundry.
    Crossplane,
    /// SAP's Crossplane provider for SAP BTP (`account.btp.sap.crossplane.io`): the other environment.
    CrossplaneBtp,
    /// Kubernetes Service Catalog (`servicecatalog.k8s.io`), Kyma's before the BTP service operator.
    ServiceCatalog,
    /// A Pulumi YAML program's `cloudfoundry:ServiceInstance`: Cloud Foundry.
    Pulumi,
}

impl serde::Serialize for InstanceFormat {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl InstanceFormat {
    /// Every format, in the order of [`INSTANCE_FORMATS`].
    pub fn all() -> impl Iterator<Item = InstanceFormat> {
        INSTANCE_FORMATS.iter().map(|line| line.format)
    }

    /// The format a report names ([`InstanceFormat::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        INSTANCE_FORMATS.iter().find(|line| line.name == name).map(|line| line.format)
    }

    /// How reports name it.
    pub fn as_str(self) -> &'static str {
        self.line().name
    }

    /// The format's line of [`INSTANCE_FORMATS`].
    pub fn line(self) -> &'static InstanceFormatLine {
        // Every format has a line: the test `every_instance_format_has_a_line` holds it.
        INSTANCE_FORMATS.iter().find(|line| line.format == self).unwrap_or(&INSTANCE_FORMATS[0])
    }
}

/// What reports, the advice and the audit know of a format an instance is declared in, beside
/// its reader: adding a format is an [`InstanceFormat`] variant and one line of
/// [`INSTANCE_FORMATS`].
pub struct InstanceFormatLine {
    pub format: InstanceFormat,
    /// How reports name it (the JSON's `kind`): a contract, never renamed.
    pub name: &'static str,
    /// Where its instances run, and so which advice fits them.
    pub environment: Environment,
    /// Which declaration stands for an instance declared in several places, lowest first (a
    /// descriptor that nothing deploys ranks [`DESCRIPTOR_RANK`]).
    pub rank: usize,
}

/// The rank of a descriptor that no deployment file names (see [`InstanceFormatLine::rank`]).
pub const DESCRIPTOR_RANK: usize = 10;

/// Every format an instance is declared in.
pub static INSTANCE_FORMATS: &[InstanceFormatLine] = &[
    InstanceFormatLine { format: InstanceFormat::Mta, name: "mta", environment: Environment::CloudFoundry, rank: 0 },
    InstanceFormatLine { format: InstanceFormat::Kyma, name: "kyma", environment: Environment::Kyma, rank: 2 },
    InstanceFormatLine {
        format: InstanceFormat::Terraform,
        name: "terraform",
        environment: Environment::Other,
        rank: 5,
    },
    InstanceFormatLine {
        format: InstanceFormat::TerraformCf,
        name: "terraform-cf",
        environment: Environment::CloudFoundry,
        rank: 6,
    },
    InstanceFormatLine { format: InstanceFormat::Cf, name: "cf", environment: Environment::CloudFoundry, rank: 9 },
    InstanceFormatLine { format: InstanceFormat::Helm, name: "helm", environment: Environment::Kyma, rank: 1 },
    InstanceFormatLine { format: InstanceFormat::Btp, name: "btp", environment: Environment::Other, rank: 8 },
    InstanceFormatLine {
        format: InstanceFormat::CfOperator,
        name: "cf-operator",
        environment: Environment::CloudFoundry,
        rank: 3,
    },
    InstanceFormatLine {
        format: InstanceFormat::Crossplane,
        name: "crossplane",
        environment: Environment::CloudFoundry,
        rank: 4,
    },
    InstanceFormatLine {
        format: InstanceFormat::CrossplaneBtp,
        name: "crossplane-btp",
        environment: Environment::Other,
        rank: 11,
    },
    InstanceFormatLine {
        format: InstanceFormat::ServiceCatalog,
        name: "service-catalog",
        environment: Environment::Kyma,
        rank: 11,
    },
    InstanceFormatLine {
        format: InstanceFormat::Pulumi,
        name: "pulumi",
        environment: Environment::CloudFoundry,
        rank: 7,
    },
];

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
    /// Shared: a descriptor file that several instances of a set use is parsed and held once.
    pub node: std::sync::Arc<Node>,
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
    /// How the deployment tool that declares it names and renews it.
    pub handle: Handle,
}

/// What the runbook needs to give a binding's or key's own tool command: the name the tool
/// addresses it by, beyond the name the platform knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Handle {
    /// Nothing beyond its name (a `cf` command's, a services manifest's).
    #[default]
    Plain,
    /// An MTA module's binding; `keep_existing`: the module's `parameters.keep-existing.service-bindings:
    /// true`, with its span and JSON Pointer (the deployer then never rebinds it).
    MtaModule { keep_existing: Option<(Span, String)> },
    /// An MTA service key on the resource (`service-keys`), which the deployer renews when renamed.
    MtaResourceKey,
    /// An MTA module's service key (`requires[].parameters.service-key`).
    MtaModuleKey,
    /// A Terraform resource, by its address in its module (`btp_subaccount_service_binding.app`).
    Terraform { address: String },
    /// A Kubernetes resource: its namespace when the manifest names one, and whether the SAP BTP
    /// service operator's `credentialsRotationPolicy` (or Crossplane's `spec.rotation`) is enabled.
    Kubernetes { namespace: Option<String>, rotation: bool },
    /// A binding of a Helm chart's values (CAP's chart): the workload and binding keys, whose
    /// `ServiceBinding` the chart names `<release>-<workload>-<binding>`.
    Helm { workload: String, binding: String, rotation: bool },
    /// A Pulumi resource, by its URN (the stack a placeholder): `pulumi up --replace URN`.
    Pulumi { urn: String },
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
    pub format: InstanceFormat,
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
    pub fn declared(name: impl Into<String>, format: InstanceFormat, file: usize, span: Span, pointer: String) -> Self {
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
        self.layers_of.get(&file).map(|l| &*l.node)
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
    kind: FileFormat,
    root: &Path,
    extensions: &[PathBuf],
    files: &dyn Files,
) -> InstanceSet {
    let mut set = InstanceSet::default();
    let file = set.add_file(path.to_path_buf(), source);
    let format = kind.format();
    (format.read)(&mut set, file, root, extensions, files);
    // `cf push` binds the instances that Cloud Foundry deployments declare.
    if format.declares_cloud_foundry {
        cf::attach_app_bindings(&mut set, root, files);
    }
    set
}

fn declares_cloud_foundry(kind: FileFormat) -> bool {
    kind.format().declares_cloud_foundry
}

/// Adds the apps' bindings and service keys that scripts and `cf push` manifests beside the
/// deployment file (or at the repository's root) make for the set's Cloud Foundry instances.
/// Only the runbook lists them, and no rule judges them: the engine asks for them when the run
/// keeps an inventory, so that `check` does not read those files again for every deployment file.
pub fn attach_script_bindings(set: &mut InstanceSet, kind: FileFormat, root: &Path, files: &dyn Files) {
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

fn push_request(instance: &mut Instance, file: usize, what: String, node: &Node, pointer: String) {
    if let Some(value) = node.as_str() {
        instance.requests.push(CredentialRequest { file, what, value: value.to_string(), span: node.span, pointer });
    }
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
    let layer = Layer { file: descriptor, kind: LayerKind::DescriptorFile, pointer: String::new(), node: node.into() };
    set.layers_of.insert(descriptor, layer.clone());
    Some(layer)
}

/// `a/./b/../c` -> `a/c`, absolute, without touching the file system (the file may not exist):
/// what an MTA `path:` resolves to.
pub fn normalize(path: &Path) -> PathBuf {
    // An absolute path (most of a run's) is folded as it is: `std::path::absolute` would only
    // copy it, part by part, before the fold below.
    let absolute;
    let path = if path.is_absolute() {
        path
    } else {
        absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        &absolute
    };
    let mut out = PathBuf::with_capacity(path.as_os_str().len());
    for part in path.components() {
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

/// The folders whose side files (`cf push` manifests, scripts) a set's instances may be named in:
/// the deployment file's own folder, then the repository's root.
fn side_folders(set: &InstanceSet, root: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = Vec::new();
    if let Some(folder) = set.paths[0].parent() {
        folders.push(normalize(folder));
    }
    let root = normalize(root);
    if !folders.contains(&root) {
        folders.push(root);
    }
    folders
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_kind_has_a_line_of_the_format_table() {
        let kinds = [
            FileFormat::Mta,
            FileFormat::MtaExtension,
            FileFormat::Kubernetes,
            FileFormat::Terraform,
            FileFormat::CfManifest,
            FileFormat::ServicesManifest,
            FileFormat::Shell,
            FileFormat::HelmValues,
            FileFormat::Ci,
            FileFormat::Piper,
            FileFormat::Http,
            FileFormat::Compose,
            FileFormat::Pulumi,
        ];
        for kind in kinds {
            // Stops compiling when a kind is added: add it to the list above too.
            match kind {
                FileFormat::Mta
                | FileFormat::MtaExtension
                | FileFormat::Kubernetes
                | FileFormat::Terraform
                | FileFormat::CfManifest
                | FileFormat::ServicesManifest
                | FileFormat::Shell
                | FileFormat::HelmValues
                | FileFormat::Ci
                | FileFormat::Piper
                | FileFormat::Http
                | FileFormat::Compose
                | FileFormat::Pulumi => {}
            }
            assert!(FORMATS.iter().any(|format| format.kind == kind), "{kind:?} has no line in FORMATS");
        }
    }

    #[test]
    fn every_instance_format_has_a_line() {
        let formats = [
            InstanceFormat::Mta,
            InstanceFormat::Kyma,
            InstanceFormat::Terraform,
            InstanceFormat::TerraformCf,
            InstanceFormat::Cf,
            InstanceFormat::Helm,
            InstanceFormat::Btp,
            InstanceFormat::CfOperator,
            InstanceFormat::Crossplane,
            InstanceFormat::CrossplaneBtp,
            InstanceFormat::ServiceCatalog,
            InstanceFormat::Pulumi,
        ];
        for format in formats {
            // Stops compiling when a format is added: add it to the list above too.
            match format {
                InstanceFormat::Mta
                | InstanceFormat::Kyma
                | InstanceFormat::Terraform
                | InstanceFormat::TerraformCf
                | InstanceFormat::Cf
                | InstanceFormat::Helm
                | InstanceFormat::Btp
                | InstanceFormat::CfOperator
                | InstanceFormat::Crossplane
                | InstanceFormat::CrossplaneBtp
                | InstanceFormat::ServiceCatalog
                | InstanceFormat::Pulumi => {}
            }
            let lines = INSTANCE_FORMATS.iter().filter(|line| line.format == format).count();
            assert_eq!(lines, 1, "{format:?} has {lines} lines in INSTANCE_FORMATS");
            assert_eq!(InstanceFormat::parse(format.as_str()), Some(format));
        }
    }

    /// The table's order decides: a name a format takes goes to the first line that takes it,
    /// and a folder decides only for YAML no format takes by name.
    #[test]
    fn the_first_line_that_takes_a_file_decides_its_kind() {
        let kind = |path: &str| {
            let path = Path::new(path);
            FileFormat::of_path(path, path.file_name().and_then(|n| n.to_str()).unwrap_or_default())
        };
        assert_eq!(kind("mta.yaml"), Some(FileFormat::Mta));
        assert_eq!(kind("a/.pipeline/config.yml"), Some(FileFormat::Piper));
        assert_eq!(kind("a/config.yml"), Some(FileFormat::Kubernetes));
        assert_eq!(kind(".github/workflows/deploy.yaml"), Some(FileFormat::Ci));
        assert_eq!(kind(".github/workflows/mta.yaml"), Some(FileFormat::Mta));
        assert_eq!(kind(".github/workflows/docker-compose.yml"), Some(FileFormat::Compose));
        assert_eq!(kind("workflows/deploy.yaml"), Some(FileFormat::Kubernetes));
        assert_eq!(kind("chart/values-prod.yaml"), Some(FileFormat::HelmValues));
        assert_eq!(kind("Makefile"), Some(FileFormat::Shell));
        assert_eq!(kind("main.tf"), Some(FileFormat::Terraform));
        assert_eq!(kind("requests.HTTP"), Some(FileFormat::Http));
        assert_eq!(kind("app.mtaext"), Some(FileFormat::MtaExtension));
        assert_eq!(kind("infra/Pulumi.yaml"), Some(FileFormat::Pulumi));
        assert_eq!(kind("infra/Pulumi.dev.yaml"), Some(FileFormat::Kubernetes));
        assert_eq!(kind("README.md"), None);
    }

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
    fn paths_normalize_alike_whether_absolute_or_relative() {
        let cwd = std::env::current_dir().unwrap();
        for (given, expected) in [("/a/./b/../c//d/", "/a/c/d"), ("/../a", "/a"), ("//a/b/..", "/a"), ("/", "/")] {
            assert_eq!(normalize(Path::new(given)), PathBuf::from(expected), "{given}");
            // As the fold of `std::path::absolute`'s result it replaced.
            let mut folded = PathBuf::new();
            for part in std::path::absolute(given).unwrap().components() {
                match part {
                    std::path::Component::ParentDir => {
                        folded.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => folded.push(other),
                }
            }
            assert_eq!(normalize(Path::new(given)), folded, "{given}");
        }
        assert_eq!(normalize(Path::new("./x/../y")), cwd.join("y"));
    }
}
