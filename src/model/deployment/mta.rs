//! MTA development and deployment descriptors: xsuaa resources, the resources of other services
//! that carry XSUAA settings, their service keys, and the extensions (`.mtaext`) that extend them.

use super::{
    descriptor_layer, push_request, str_at, yaml_documents, Files, Instance, InstanceFormat, InstanceSet, Layer,
};
use super::{BindingParameters, BindingRef, LayerKind, ProblemKind, Renewal, Unreadable, Wrapper};
use crate::syntax::json::{Node, Value};
use crate::text::source::{SourceFile, Span};
use std::path::{Path, PathBuf};

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

pub(super) fn load_mta(set: &mut InstanceSet, file: usize, root: &Path, extensions: &[PathBuf], files: &dyn Files) {
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
            ..Instance::declared(name.to_string(), InstanceFormat::Mta, file, span, pointer.clone())
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
                node: config.clone().into(),
            });
        }
        for (ext_file, ext_pointer, config) in &extension_configs {
            if ext_pointer.0 == name {
                instance.layers.push(Layer {
                    file: *ext_file,
                    kind: LayerKind::Extension,
                    pointer: ext_pointer.1.clone(),
                    node: config.clone().into(),
                });
            }
        }
        let keys = resource.pointer("/parameters/service-keys").and_then(Node::as_array).unwrap_or_default();
        for (k, key) in keys.iter().enumerate() {
            let key_name = key.get("name").and_then(Node::as_str).unwrap_or("?");
            let handle = super::Handle::MtaResourceKey;
            instance.bindings.push(BindingRef { file, key: true, name: key_name.into(), span: key.span, handle });
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
        for (m, module, module_name, r, required) in requirements_of(&mta, name) {
            // A content module (`com.sap.application.content`) is no app: the deployer gives it
            // a service key, named by `service-key.name` or by the deployer itself.
            let content = module.get("type").and_then(Node::as_str) == Some("com.sap.application.content");
            let explicit_key = required.pointer("/parameters/service-key").is_some();
            if content && !explicit_key {
                let name = format!("(made by the deployer for content module `{module_name}`)");
                let handle = super::Handle::MtaModuleKey;
                instance.bindings.push(BindingRef { file, key: true, name, span: required.span, handle });
            } else if !explicit_key {
                // `keep-existing.service-bindings: true`: the deployer keeps the binding as it is.
                let keep_existing = module
                    .pointer("/parameters/keep-existing/service-bindings")
                    .filter(|n| n.value == Value::Bool(true))
                    .map(|n| (n.span, format!("/modules/{m}/parameters/keep-existing/service-bindings")));
                instance.bindings.push(BindingRef {
                    file,
                    key: false,
                    name: module_name.into(),
                    span: required.span,
                    handle: super::Handle::MtaModule { keep_existing },
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
                let handle = super::Handle::MtaModuleKey;
                instance.bindings.push(BindingRef { file, key: true, name: key_name.into(), span: key.span, handle });
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
        set.instances.push(instance);
    }
}

/// Each module's `requires` entry that names the resource `name`: the module's index, the module,
/// its name (`?` when it has none), the entry's index and the entry.
fn requirements_of<'a>(
    mta: &'a Node,
    name: &'a str,
) -> impl Iterator<Item = (usize, &'a Node, &'a str, usize, &'a Node)> {
    let modules = mta.get("modules").and_then(Node::as_array).unwrap_or_default();
    modules.iter().enumerate().flat_map(move |(m, module)| {
        let module_name = module.get("name").and_then(Node::as_str).unwrap_or("?");
        let requires = module.get("requires").and_then(Node::as_array).unwrap_or_default();
        requires
            .iter()
            .enumerate()
            .filter(move |(_, required)| required.get("name").and_then(Node::as_str) == Some(name))
            .map(move |(r, required)| (m, module, module_name, r, required))
    })
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
        ..Instance::declared(name.to_string(), InstanceFormat::Mta, file, span, pointer.clone())
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
    for (m, _, module_name, r, required) in requirements_of(mta, name) {
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
    if instance.wrapper.as_ref().is_some_and(|w| w.xs_security.is_some()) || !instance.requests.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_extension_is_known_by_its_extends_line() {
        assert!(extends_by_text("ID: x\nextends: shop\n", "shop"));
        assert!(extends_by_text("extends: \"shop\" # comment\n[", "shop"));
        assert!(extends_by_text("  extends: 'shop'", "shop"));
        assert!(!extends_by_text("extends: shop-prod\n", "shop"));
        assert!(!extends_by_text("# extends: shop\n", "shop"));
    }
}
