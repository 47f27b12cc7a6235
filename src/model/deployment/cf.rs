//! Cloud Foundry's own files: the Create-Service-Push plugin's `services-manifest.yml`
//! (`create-services[]` with `broker: xsuaa`, `plan` and `parameters`: a descriptor's path or
//! inline JSON) and `cf push`'s `manifest.yml`, whose `applications[].services[].parameters`
//! are binding parameters.
//!
//! A `manifest.yml` does not say which service an instance belongs to, and an IAS (`identity`)
//! binding asks for `X509_GENERATED` beside xsuaa ones: its bindings are judged only on an
//! instance of the same repository declared as xsuaa (in a services manifest, an MTA or
//! Terraform), matched by name. The manifests looked at: the one beside the declaring file and
//! the one at the repository's root.

use super::{
    descriptor_layer, push_request, Files, Instance, InstanceFormat, InstanceSet, Layer, LayerKind, ProblemKind,
};
use crate::syntax::json::{Node, Value};
use std::path::{Path, PathBuf};

/// The names of `cf push` manifests looked for beside a declaring file.
const MANIFESTS: [&str; 2] = ["manifest.yml", "manifest.yaml"];

pub(super) fn load_services_manifest(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let Some(docs) = super::yaml_documents(set, file) else { return };
    let Some(doc) = docs.into_iter().next() else { return };
    let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
    let services = doc.get("create-services").and_then(Node::as_array).unwrap_or_default();
    for (index, service) in services.iter().enumerate() {
        if service.get("broker").and_then(Node::as_str) != Some("xsuaa") {
            continue;
        }
        let pointer = format!("/create-services/{index}");
        let Some(name_node) = service.get("name") else { continue };
        let name = name_node.as_str().unwrap_or("?").to_string();
        let plan = service.get("plan").and_then(|n| n.as_str().map(|p| (p.to_string(), n.span)));
        let mut instance =
            Instance { plan, ..Instance::declared(name, InstanceFormat::Cf, file, name_node.span, pointer.clone()) };
        if let Some(parameters) = service.get("parameters") {
            let layer_pointer = format!("{pointer}/parameters");
            match &parameters.value {
                Value::Object(_) => instance.layers.push(Layer {
                    file,
                    kind: LayerKind::Inline,
                    pointer: layer_pointer,
                    node: parameters.clone().into(),
                }),
                // Inline JSON: the values' positions are the whole scalar (its quoting and
                // indentation make finer ones unreliable).
                Value::String(text) if text.trim_start().starts_with(['{', '[']) => {
                    match crate::syntax::json::parse(text, 0) {
                        Ok(node) => instance.layers.push(Layer {
                            file,
                            kind: LayerKind::Inline,
                            pointer: layer_pointer,
                            node: crate::syntax::hcl::respan(node, parameters.span).into(),
                        }),
                        Err(e) => {
                            instance.incomplete = true;
                            let message = format!("`parameters` is not valid JSON: {}", e.message);
                            set.problem(file, parameters.span, ProblemKind::Syntax, message);
                        }
                    }
                }
                Value::String(relative) => {
                    let label = format!("parameters: {relative}");
                    match descriptor_layer(set, file, parameters, &folder, root, files, Some(&label)) {
                        Some(layer) => instance.layers.push(layer),
                        None => instance.incomplete = true,
                    }
                }
                Value::Null => {}
                _ => {
                    instance.incomplete = true;
                    let message = format!(
                        "the configuration of instance `{}` is not known: `parameters` is neither JSON nor a file's path; it is not judged",
                        instance.name
                    );
                    set.unknown(file, parameters.span, message);
                }
            }
        }
        set.instances.push(instance);
    }
}

/// A `cf push` manifest's binding parameters (`applications[].services[].parameters`), by the
/// instance each names, in the manifest's order: made once per run for each manifest.
struct AppBindings {
    source: crate::text::source::SourceFile,
    by_instance: std::collections::HashMap<String, Vec<(String, Node, String)>>,
}

impl AppBindings {
    /// `None`: no manifest, or none that binds with parameters (a manifest that does not parse
    /// is judged on its own, XS004, when it is linted).
    fn of(read: Result<crate::text::source::SourceFile, super::Unreadable>) -> Option<AppBindings> {
        let source = read.ok()?;
        if !source.text.contains("parameters") {
            return None;
        }
        let doc = crate::syntax::yaml::parse_documents(&source.text).ok()?.into_iter().next()?;
        let mut by_instance: std::collections::HashMap<String, Vec<(String, Node, String)>> =
            std::collections::HashMap::new();
        let apps = doc.get("applications").and_then(Node::as_array).unwrap_or_default();
        for (a, app) in apps.iter().enumerate() {
            let app_name = app.get("name").and_then(Node::as_str).unwrap_or("?");
            let services = app.get("services").and_then(Node::as_array).unwrap_or_default();
            for (s, service) in services.iter().enumerate() {
                let (Some(instance), Some(node)) =
                    (service.get("name").and_then(Node::as_str), service.pointer("/parameters/credential-type"))
                else {
                    continue;
                };
                by_instance.entry(instance.to_string()).or_default().push((
                    format!("the binding of app `{app_name}`"),
                    node.clone(),
                    format!("/applications/{a}/services/{s}/parameters/credential-type"),
                ));
            }
        }
        (!by_instance.is_empty()).then_some(AppBindings { source, by_instance })
    }
}

/// Attaches the binding parameters of `cf push` manifests to the set's instances, by name.
pub(super) fn attach_app_bindings(set: &mut InstanceSet, root: &Path, files: &dyn Files) {
    if set.instances.is_empty() {
        return;
    }
    let mut folders: Vec<PathBuf> = Vec::new();
    if let Some(folder) = set.paths[0].parent() {
        folders.push(folder.to_path_buf());
    }
    let root = super::normalize(root);
    if !folders.iter().any(|f| super::normalize(f) == root) {
        folders.push(root);
    }
    // The set's xsuaa instances by name (the first of each): a reuse service's binding
    // parameters are its own, not xsuaa's.
    let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (n, instance) in set.instances.iter().enumerate().filter(|(_, i)| i.wrapper.is_none()) {
        by_name.entry(instance.name.clone()).or_insert(n);
    }
    for folder in folders {
        for name in MANIFESTS {
            let path = super::normalize(&folder.join(name));
            if set.paths.contains(&path) {
                continue;
            }
            let made = files.derived(&path, "cf push bindings", &|read| std::sync::Arc::new(AppBindings::of(read)));
            let Some(Some(manifest)) = made.downcast_ref::<Option<AppBindings>>() else { continue };
            let mut index = None;
            let mut wanted: Vec<(&String, usize)> = by_name.iter().map(|(name, &n)| (name, n)).collect();
            // In the set's order, so the findings and files come in the same order on every run.
            wanted.sort_by_key(|&(_, n)| n);
            for (name, n) in wanted {
                for (what, node, pointer) in manifest.by_instance.get(name).into_iter().flatten() {
                    let index = *index.get_or_insert_with(|| {
                        // Shown as this set names it (the run's first reader may have spelled it otherwise).
                        let mut source = manifest.source.clone();
                        source.path = path.to_string_lossy().into_owned();
                        set.add_file(path.clone(), source)
                    });
                    push_request(&mut set.instances[n], index, what.clone(), node, pointer.clone());
                }
            }
        }
    }
}

/// The apps a `cf push` manifest binds to each instance it names (`applications[].services[]`,
/// a name or `{name: ...}`), with where: made once per run for each manifest.
struct AppNames {
    source: crate::text::source::SourceFile,
    by_instance: std::collections::HashMap<String, Vec<(String, crate::text::source::Span)>>,
}

impl AppNames {
    fn of(read: Result<crate::text::source::SourceFile, super::Unreadable>) -> Option<AppNames> {
        let source = read.ok()?;
        if !source.text.contains("services") {
            return None;
        }
        let doc = crate::syntax::yaml::parse_documents(&source.text).ok()?.into_iter().next()?;
        let mut by_instance: std::collections::HashMap<String, Vec<(String, crate::text::source::Span)>> =
            std::collections::HashMap::new();
        for app in doc.get("applications").and_then(Node::as_array).unwrap_or_default() {
            let app_name = app.get("name").and_then(Node::as_str).unwrap_or("?");
            for service in app.get("services").and_then(Node::as_array).unwrap_or_default() {
                let named = service.as_str().map(|n| (n, service.span)).or_else(|| {
                    let node = service.get("name")?;
                    Some((node.as_str()?, service.span))
                });
                if let Some((instance, span)) = named {
                    by_instance.entry(instance.to_string()).or_default().push((app_name.to_string(), span));
                }
            }
        }
        (!by_instance.is_empty()).then_some(AppNames { source, by_instance })
    }
}

/// Adds the apps that `cf push` manifests (beside the deployment file, at the repository's root)
/// bind to the set's instances, by name or service name: for `runbook`, which lists them.
pub(super) fn attach_app_names(set: &mut InstanceSet, root: &Path, files: &dyn Files) {
    if set.instances.is_empty() {
        return;
    }
    let folders = super::side_folders(set, root);
    for folder in folders {
        for name in MANIFESTS {
            let path = super::normalize(&folder.join(name));
            let made = files.derived(&path, "cf push apps", &|read| std::sync::Arc::new(AppNames::of(read)));
            let Some(Some(manifest)) = made.downcast_ref::<Option<AppNames>>() else { continue };
            let mut found = Vec::new();
            for (n, instance) in set.instances.iter().enumerate() {
                let names = std::iter::once(instance.name.as_str()).chain(instance.service_name.as_deref());
                let mut apps: Vec<&(String, crate::text::source::Span)> =
                    names.filter_map(|k| manifest.by_instance.get(k)).flatten().collect();
                apps.dedup();
                found.extend(apps.into_iter().map(|(app, span)| (n, app.clone(), *span)));
            }
            if found.is_empty() {
                continue;
            }
            let file = match set.paths.iter().position(|p| super::normalize(p) == path) {
                Some(file) => file,
                None => {
                    let mut source = manifest.source.clone();
                    source.path = path.to_string_lossy().into_owned();
                    set.add_file(path.clone(), source)
                }
            };
            for (n, app, span) in found {
                set.instances[n].bindings.push(super::BindingRef {
                    file,
                    key: false,
                    name: app,
                    span,
                    handle: super::Handle::Plain,
                });
            }
        }
    }
}

/// A `cf push` manifest judged on its own (no file of the run declares what it binds): the
/// `credential-type` each binding asks for, XS110's when it is `instance-secret`.
pub(super) fn undeclared_requests(set: &mut InstanceSet, file: usize) {
    if !set.files[file].text.contains("instance-secret") {
        return;
    }
    let Ok(docs) = crate::syntax::yaml::parse_documents(&set.files[file].text) else { return };
    let Some(doc) = docs.first() else { return };
    for (a, app) in doc.get("applications").and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
        let app_name = app.get("name").and_then(Node::as_str).unwrap_or("?");
        for (s, service) in app.get("services").and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
            let (Some(instance), Some(node)) =
                (service.get("name").and_then(Node::as_str), service.pointer("/parameters/credential-type"))
            else {
                continue;
            };
            let Some(value) = node.as_str() else { continue };
            set.undeclared.push(super::CredentialRequest {
                file,
                what: format!("the binding of app `{app_name}` to instance `{instance}`"),
                value: value.to_string(),
                span: node.span,
                pointer: format!("/applications/{a}/services/{s}/parameters/credential-type"),
            });
        }
    }
}
