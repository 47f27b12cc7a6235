//! SAP's steps "rebind every app" and "replace every service key" in the words of the tool that
//! declares each binding and key, with the names the repository gives them. Every word from the
//! repository, and every placeholder, is one quoted shell word ([`shell_word`]); repository text
//! in a `#` comment is [`shell_comment`].
//!
//! What each tool does, from its sources and SAP's pages:
//! - `cf deploy` (cloudfoundry/multiapps-controller, `DetermineApplicationServiceBindingActionsStep`)
//!   rebinds an app whose binding parameters differ from the MTA's; the xsuaa broker's bindings
//!   cannot be read back, so they always differ and an xsuaa-bound module is rebound at every
//!   deploy, unless the module sets `keep-existing: {service-bindings: true}` (SAP's "List of
//!   Supported MTA Parameters"). A service key of unchanged name is never created again (SAP's
//!   "Service Keys", "Automatic Service Key Renewal": rename it, `${timestamp}`); a changed one
//!   only with `--delete-service-keys`.
//! - Terraform: a binding's or key's `parameters` force a replacement and are sensitive (the
//!   plan shows `(sensitive value)`), so a rebind is `terraform apply -replace=ADDRESS`.
//! - The SAP BTP service operator: a `ServiceBinding` is immutable and an instance update does
//!   not renew it; `services.cloud.sap.com/forceRotate: "true"` rotates it at once, only when
//!   `credentialsRotationPolicy.enabled` is true (its README, "Immediate Rotation").
//! - SAP's Crossplane provider replaces a binding every `spec.rotation.frequency`.

use crate::engine::inventory::{BindingKind, BindingRecord, InstanceKind, InstanceRecord, ToolHandle};
use crate::model::deployment::InstanceFormat as Format;
use crate::model::environment::Environment;
use crate::text::escape::{shell_comment, shell_word};

/// The MTA archive a redeploy deploys, as a placeholder.
const MTAR: &str = "mta_archives/<ID>_<version>.mtar";

/// The bindings or service keys of the instance, each name once (where it first comes), without
/// a key whose name only the deployer knows (a content module's).
fn declared(record: &InstanceRecord, kind: BindingKind) -> Vec<&BindingRecord> {
    let mut seen = std::collections::HashSet::new();
    record
        .facts
        .bindings
        .iter()
        .filter(|b| b.kind == kind && !b.name.starts_with('('))
        .filter(|b| seen.insert(b.name.as_str()))
        .collect()
}

/// Every place (`file:line`) that names the key or binding `b` (an MTA key on the resource and in
/// a module's `requires`), as one comment word.
fn places(record: &InstanceRecord, b: &BindingRecord) -> String {
    let all: Vec<String> = record
        .facts
        .bindings
        .iter()
        .filter(|o| o.kind == b.kind && o.name == b.name)
        .map(|o| format!("{}:{}", o.file, o.line))
        .collect();
    shell_comment(&all.join(", "))
}

/// `cf` rebinding of one app (`app` as written, `name` the instance as a shell word).
fn cf_rebind(app: &str, name: &str, why: Option<&str>) -> Vec<String> {
    // `--strategy multiple`: cf CLI v8.18.0 or later, on a platform whose Cloud Controller allows
    // several bindings per app and instance and a broker that supports them
    // (https://docs.cloudfoundry.org/devguide/services/application-binding.html, "Service
    // credential binding rotation"; cloudfoundry/cli#3654).
    let comment_app = shell_comment(app);
    let app = shell_word(app);
    let why = why.map(|w| format!("{w}; ")).unwrap_or_default();
    vec![
        format!("cf bind-service {app} {name} --strategy multiple && cf restage {app} --strategy rolling   # {why}cf CLI v8.18.0+, where the platform allows several bindings per app and instance; then remove the old binding (cf cleanup-outdated-service-bindings {comment_app})"),
        format!("cf unbind-service {app} {name} && cf bind-service {app} {name} && cf restage {app}   # otherwise (restage restarts the app)"),
    ]
}

/// A Service Manager binding (a service key outside Cloud Foundry) replaced with the btp CLI.
fn btp_replace_binding(binding: &str, name: &str) -> Vec<String> {
    let subaccount = shell_word("<subaccount id>");
    vec![
        format!(
            "btp create services/binding --subaccount {subaccount} --binding {} --instance-name {name}   # hand the new binding to its users",
            shell_word(&format!("{binding}-v2"))
        ),
        format!("btp delete services/binding --subaccount {subaccount} --name {}", shell_word(binding)),
    ]
}

/// When the repository declares none: the commands for a binding or key made by hand.
fn undeclared(record: &InstanceRecord, kind: BindingKind, name: &str) -> Vec<String> {
    let cloud_foundry = record.facts.environment == Some(Environment::CloudFoundry);
    // What the commands' placeholder stands for: in Cloud Foundry an app holds the binding.
    let placeholder = match kind {
        BindingKind::ServiceKey => "<key>",
        BindingKind::Binding if cloud_foundry => "<app>",
        BindingKind::Binding => "<binding>",
    };
    match (record.facts.environment, record.kind) {
        (Some(Environment::CloudFoundry), _) if kind == BindingKind::ServiceKey => cf_replace_key(placeholder, name),
        (Some(Environment::CloudFoundry), _) => cf_rebind(placeholder, name, None),
        (_, InstanceKind::Deployment(Format::Kyma | Format::Helm)) if kind == BindingKind::Binding => {
            force_rotate(placeholder, record.facts.namespace.as_deref(), None)
        }
        // CAP's chart names the instance `<release>-<key>` (unless `fullnameOverride`).
        (_, InstanceKind::Deployment(Format::Helm)) => {
            btp_replace_binding(placeholder, &shell_word(&format!("<release>-{}", record.name)))
        }
        _ => btp_replace_binding(placeholder, name),
    }
}

fn cf_replace_key(key: &str, name: &str) -> Vec<String> {
    vec![
        format!("cf create-service-key {name} {}   # hand the new key to its users", shell_word(&format!("{key}-v2"))),
        format!("cf delete-service-key {name} {} -f", shell_word(key)),
    ]
}

/// A redeploy of an MTA, with `extra` options and a comment that says what it does here.
fn redeploy(extra: &str, comment: &str) -> String {
    format!("mbt build && cf deploy {}{extra}   # {comment}", shell_word(MTAR))
}

/// `terraform apply -replace=...` for resources of one Terraform tool.
fn terraform_replace(addresses: &[&str]) -> String {
    let replace: Vec<String> = addresses.iter().map(|a| format!("-replace={}", shell_word(a))).collect();
    format!(
        "terraform apply {}   # in the root module (a called module's resource is module.<name>.<address>); the plan shows the parameters as (sensitive value)",
        replace.join(" ")
    )
}

/// `pulumi up --replace=...` for Pulumi resources (each replaced, what depends on it updated).
fn pulumi_replace(urns: &[&str]) -> String {
    let replace: Vec<String> = urns.iter().map(|u| format!("--replace={}", shell_word(u))).collect();
    format!("pulumi up {}   # in the project's folder, with the stack selected", replace.join(" "))
}

/// The kubectl resource of a `ServiceBinding` of each Kubernetes tool.
fn kubernetes_kind(tool: Format) -> &'static str {
    match tool {
        Format::CrossplaneBtp => "servicebindings.account.btp.sap.crossplane.io",
        Format::CfOperator => "servicebindings.cf.cs.sap.com",
        Format::ServiceCatalog => "servicebindings.servicecatalog.k8s.io",
        _ => "servicebindings.services.cloud.sap.com",
    }
}

fn namespace_word(namespace: Option<&str>) -> String {
    shell_word(namespace.unwrap_or("<namespace>")).into_owned()
}

/// The rotation of a SAP BTP service operator `ServiceBinding` named `binding` (as rendered), with
/// `enable` the command that enables its rotation when it is not yet enabled.
fn force_rotate(binding: &str, namespace: Option<&str>, enable: Option<String>) -> Vec<String> {
    let mut out: Vec<String> = enable.into_iter().collect();
    out.push(format!(
        "kubectl annotate {} {} -n {} services.cloud.sap.com/forceRotate=true   # a new binding now; the old one stays for rotatedBindingTTL",
        kubernetes_kind(Format::Kyma),
        shell_word(binding),
        namespace_word(namespace)
    ));
    out
}

/// Step 3's commands: each binding rebound by its own tool; `name` is the instance as a shell
/// word (for `cf`).
pub(super) fn rebind(record: &InstanceRecord, name: &str) -> Vec<String> {
    let bindings = declared(record, BindingKind::Binding);
    if bindings.is_empty() {
        return undeclared(record, BindingKind::Binding, name);
    }
    let mut out = Vec::new();
    // The MTA modules that a redeploy rebinds, by MTA file, in the order they come.
    let mut by_deploy: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut terraform: Vec<&str> = Vec::new();
    let mut pulumi: Vec<&str> = Vec::new();
    for b in &bindings {
        match &b.handle {
            ToolHandle::MtaModule { keep_existing: false } => {
                match by_deploy.iter_mut().find(|(file, _)| *file == b.file) {
                    Some((_, modules)) => modules.push(&b.name),
                    None => by_deploy.push((&b.file, vec![&b.name])),
                }
            }
            ToolHandle::Terraform { address } => terraform.push(address),
            ToolHandle::Pulumi { urn } => pulumi.push(urn),
            _ => {}
        }
    }
    for (file, modules) in &by_deploy {
        let modules: Vec<String> = modules.iter().map(|m| shell_comment(m)).collect();
        out.push(redeploy(
            "",
            &format!(
                "the MTA of {}: cf deploy rebinds {} at every deploy (the broker's bindings cannot be read back), so any deploy since the dual state reached the instance has done this step",
                shell_comment(file),
                modules.join(", ")
            ),
        ));
    }
    if !terraform.is_empty() {
        out.push(terraform_replace(&terraform));
    }
    if !pulumi.is_empty() {
        out.push(pulumi_replace(&pulumi));
    }
    for b in &bindings {
        match &b.handle {
            ToolHandle::MtaModule { keep_existing: true } => {
                let why = format!(
                    "module {} keeps its binding at a deploy (keep-existing.service-bindings)",
                    shell_comment(&b.name)
                );
                out.extend(cf_rebind(&b.name, name, Some(&why)));
            }
            ToolHandle::MtaModule { keep_existing: false }
            | ToolHandle::Terraform { .. }
            | ToolHandle::Pulumi { .. } => {}
            ToolHandle::Kubernetes { namespace, rotation } if b.tool == Format::Kyma => {
                let enable = (!rotation).then(|| {
                    format!(
                        "kubectl apply -f {}   # after setting spec.credentialsRotationPolicy.enabled: true (with rotationFrequency and rotatedBindingTTL) on ServiceBinding {}: forceRotate works only then",
                        shell_word(&b.file),
                        shell_comment(&b.name)
                    )
                });
                out.extend(force_rotate(&b.name, namespace.as_deref(), enable));
                out.push(format!(
                    "kubectl delete {} {} -n {} && kubectl apply -f {}   # or recreate it (its Secret is gone until the new binding is ready); an instance update never renews a binding",
                    kubernetes_kind(Format::Kyma),
                    shell_word(&b.name),
                    namespace_word(namespace.as_deref()),
                    shell_word(&b.file)
                ));
            }
            ToolHandle::Kubernetes { namespace, rotation } => {
                if b.tool == Format::CrossplaneBtp && !rotation {
                    out.push(format!(
                        "kubectl apply -f {}   # after adding spec.rotation (frequency, ttl) to ServiceBinding {}: the provider then replaces it on that schedule",
                        shell_word(&b.file),
                        shell_comment(&b.name)
                    ));
                }
                let namespace = match namespace {
                    Some(namespace) => format!(" -n {}", shell_word(namespace)),
                    None => String::new(),
                };
                out.push(format!(
                    "kubectl delete {} {}{namespace} && kubectl apply -f {}   # replace it now: a ServiceBinding is not renewed by an instance update",
                    kubernetes_kind(b.tool),
                    shell_word(&b.name),
                    shell_word(&b.file)
                ));
            }
            ToolHandle::Helm { workload, binding, rotation } => {
                // CAP's chart names the ServiceBinding `<release>-<workload>-<binding>`, `_` as `-`.
                let rendered = format!("<release>-{workload}-{binding}").replace('_', "-");
                let enable = (!rotation).then(|| {
                    format!(
                        "helm upgrade {} {}   # after setting {} in {}: forceRotate works only then",
                        shell_word("<release>"),
                        shell_word("<chart>"),
                        shell_comment(&format!(
                            "{workload}.bindings.{binding}.credentialsRotationPolicy.enabled: true"
                        )),
                        shell_comment(&b.file)
                    )
                });
                out.extend(force_rotate(&rendered, None, enable));
            }
            _ => out.extend(cf_rebind(&b.name, name, None)),
        }
    }
    out
}

/// Step 4's commands: each service key replaced by its own tool.
pub(super) fn replace_keys(record: &InstanceRecord, name: &str) -> Vec<String> {
    let keys = declared(record, BindingKind::ServiceKey);
    // Keys a content module gets from the deployer under a name of its own choosing: that name
    // never changes, so a redeploy keeps the key (and its instance secret).
    let made: Vec<&BindingRecord> = record
        .facts
        .bindings
        .iter()
        .filter(|b| {
            b.kind == BindingKind::ServiceKey && b.name.starts_with('(') && b.handle == ToolHandle::MtaModuleKey
        })
        .collect();
    if keys.is_empty() && made.is_empty() {
        return undeclared(record, BindingKind::ServiceKey, name);
    }
    let mut out = Vec::new();
    for k in &made {
        out.push(redeploy(
            "",
            &format!(
                "after naming the content module's key at {} (requires[].parameters.service-key.name, e.g. with ${{timestamp}}): the deployer creates a key under that name; a redeploy alone keeps the key it made",
                shell_comment(&format!("{}:{}", k.file, k.line))
            ),
        ));
        out.push(redeploy(
            " --delete-service-keys",
            "or, keeping the deployer's name: only --delete-service-keys recreates its key",
        ));
    }
    let terraform: Vec<&str> = keys
        .iter()
        .filter_map(|k| match &k.handle {
            ToolHandle::Terraform { address } => Some(address.as_str()),
            _ => None,
        })
        .collect();
    if !terraform.is_empty() {
        out.push(terraform_replace(&terraform));
    }
    let pulumi: Vec<&str> = keys
        .iter()
        .filter_map(|k| match &k.handle {
            ToolHandle::Pulumi { urn } => Some(urn.as_str()),
            _ => None,
        })
        .collect();
    if !pulumi.is_empty() {
        out.push(pulumi_replace(&pulumi));
    }
    for k in &keys {
        match &k.handle {
            ToolHandle::MtaResourceKey => {
                out.push(redeploy(
                    "",
                    &format!(
                        "after renaming service key {} at {} (as {}, it is renewed at every deploy): the deployer creates the key under its new name and deletes the old one",
                        shell_comment(&k.name),
                        places(record, k),
                        shell_comment(&format!("{}-${{timestamp}}", k.name))
                    ),
                ));
                out.push(redeploy(
                    " --delete-service-keys",
                    "or, keeping the name, after changing the key's config: the deployer recreates a changed key only with --delete-service-keys",
                ));
            }
            ToolHandle::MtaModuleKey => {
                out.push(redeploy(
                    "",
                    &format!(
                        "after renaming service key {} at {}: the deployer creates the key under its new name",
                        shell_comment(&k.name),
                        places(record, k)
                    ),
                ));
                out.push(format!(
                    "cf delete-service-key {name} {} -f   # the old key, once its users have the new one",
                    shell_word(&k.name)
                ));
            }
            ToolHandle::Terraform { .. } | ToolHandle::Pulumi { .. } => {}
            _ => out.extend(cf_replace_key(&k.name, name)),
        }
    }
    out
}
