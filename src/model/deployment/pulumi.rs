//! Pulumi YAML programs (`Pulumi.yaml`, `runtime: yaml`) with the Cloud Foundry provider
//! (<https://www.pulumi.com/registry/packages/cloudfoundry/>): a `cloudfoundry:ServiceInstance`
//! resource is an instance of Cloud Foundry, as Terraform's `cloudfoundry_service_instance` that
//! the provider is bridged from.
//!
//! The plan: `servicePlan` is a GUID, named by an invoke of `cloudfoundry:getService` in
//! `variables` (`${xsuaa.servicePlans["application"]}`); a plan given otherwise says nothing, and
//! the instance is xsuaa when its name says so or its parameters hold an `xsappname`.
//!
//! The parameters (`jsonParams`, a JSON string): a literal string, `fn::toJSON` of an object
//! written in the file, or `fn::readFile` of a descriptor file (a layer of its own, so its fixes
//! work). Anything Pulumi computes when it runs (`${...}` interpolation, config, `fn::secret`) is
//! not known here: the instance is reported once (XS007) and its configuration is not judged.
//!
//! The instance's `cloudfoundry:ServiceKey` resources (`params`, `paramsJson`) and the
//! `serviceBindings` of its `cloudfoundry:App` resources in the same program are its keys and
//! bindings; Pulumi replaces each by its URN.

use super::{descriptor_layer, push_request, BindingParameters, BindingRef, Handle, Renewal};
use super::{Instance, InstanceFormat, InstanceSet, Layer, LayerKind, ProblemKind};
use crate::syntax::json::{pointer_push, Member, Node, Value};
use std::collections::HashMap;
use std::path::Path;

/// The project file names Pulumi reads (<https://www.pulumi.com/docs/iac/concepts/projects/project-file/>).
pub(super) const NAMES: [&str; 2] = ["Pulumi.yaml", "Pulumi.yml"];

/// What a file must say to be worth parsing: the provider's type tokens all start so.
pub(super) fn is_relevant(text: &str) -> bool {
    text.contains("cloudfoundry:") && text.contains("ServiceInstance")
}

/// Whether a resource's `type` is the provider's `KIND`, in any of the three spellings Pulumi
/// accepts: `cloudfoundry:ServiceInstance`, `cloudfoundry:index:ServiceInstance`,
/// `cloudfoundry:index/serviceInstance:ServiceInstance`.
fn is_type(token: &str, kind: &str) -> bool {
    let Some(rest) = token.strip_prefix("cloudfoundry:") else { return false };
    if rest == kind || rest.strip_prefix("index:") == Some(kind) {
        return true;
    }
    let Some((module, name)) = rest.strip_prefix("index/").and_then(|r| r.split_once(':')) else { return false };
    let mut chars = kind.chars();
    name == kind
        && chars.next().is_some_and(|first| module.strip_prefix(first.to_ascii_lowercase()) == Some(chars.as_str()))
}

/// The full type token of a kind, as a URN names it.
fn token(kind: &str) -> String {
    let mut chars = kind.chars();
    let module: String = chars.next().map(|c| c.to_ascii_lowercase()).into_iter().chain(chars).collect();
    format!("cloudfoundry:index/{module}:{kind}")
}

/// Reads the program's xsuaa instances, their keys and bindings.
pub(super) fn load_pulumi(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn super::Files) {
    let Some(docs) = super::yaml_documents(set, file) else { return };
    let Some(program) = docs.first() else { return };
    let Some(resources) = program.get("resources").and_then(Node::as_object) else { return };
    let project = program.get("name").and_then(Node::as_str).unwrap_or("<project>");
    let offerings = offerings(program);
    let bound = bound_by_instance(resources);
    for member in resources {
        let resource = &member.value;
        if !resource.get("type").and_then(Node::as_str).is_some_and(|t| is_type(t, "ServiceInstance")) {
            continue;
        }
        let logical = member.key.as_str();
        let pointer = pointer_push("/resources", logical);
        let properties = resource.get("properties");
        let property = |name: &str| properties.and_then(|p| p.get(name));
        let params = property("jsonParams");
        let plan = property("servicePlan").and_then(|n| Some((plan_of(n.as_str()?, &offerings)?, n.span)));
        let (name, service_name) = match property("name").and_then(Node::as_str) {
            Some(name) if !name.contains("${") => (name.to_string(), None),
            // Known when Pulumi runs: the resource stands for it, the runbook shows it as written.
            Some(written) => (logical.to_string(), Some(written.to_string())),
            None => (logical.to_string(), None),
        };
        let is_xsuaa = match &plan {
            Some(((offering, _), _)) => offering == "xsuaa",
            None => {
                let says = |n: &str| n.to_ascii_lowercase().contains("xsuaa");
                says(logical) || says(&name) || params.is_some_and(|p| literal_params(p).contains("xsappname"))
            }
        };
        if !is_xsuaa {
            continue;
        }
        let span = resource.get("type").map_or(resource.span, |_| member.key_span);
        let mut instance = Instance {
            plan: plan.and_then(|((_, plan), at)| Some((plan?, at))),
            plan_pointer: format!("{pointer}/properties/servicePlan"),
            service_name,
            ..Instance::declared(name, InstanceFormat::Pulumi, file, span, pointer.clone())
        };
        if let Some(params) = params {
            configure(set, file, params, &format!("{pointer}/properties/jsonParams"), root, files, &mut instance);
        }
        let own = bound.get(logical).map_or(&[][..], Vec::as_slice);
        bindings(file, resources, own, project, &mut instance);
        set.instances.push(instance);
    }
}

/// The program's `variables` that invoke `cloudfoundry:getService`: the offering each names,
/// and whether the invoke already returns `servicePlans`.
fn offerings(program: &Node) -> HashMap<&str, (&str, bool)> {
    let mut out = HashMap::new();
    for member in program.get("variables").and_then(Node::as_object).unwrap_or_default() {
        let Some(invoke) = member.value.get("fn::invoke") else { continue };
        let function = invoke.get("function").and_then(Node::as_str).unwrap_or_default();
        if !is_type(function, "getService") && !is_type(function, "GetService") {
            continue;
        }
        let Some(offering) = invoke.pointer("/arguments/name").and_then(Node::as_str) else { continue };
        let returns_plans = invoke.get("return").and_then(Node::as_str) == Some("servicePlans");
        out.insert(member.key.as_str(), (offering, returns_plans));
    }
    out
}

/// The offering and plan a `servicePlan` expression names: `${V.servicePlans["P"]}`,
/// `${V.servicePlans.P}`, or `${V["P"]}` when `V`'s invoke returns `servicePlans`.
fn plan_of(expression: &str, offerings: &HashMap<&str, (&str, bool)>) -> Option<(String, Option<String>)> {
    let inner = expression.trim().strip_prefix("${")?.strip_suffix('}')?.trim();
    let end = inner.find(['.', '[']).unwrap_or(inner.len());
    let (variable, mut rest) = inner.split_at(end);
    let &(offering, returns_plans) = offerings.get(variable)?;
    if !returns_plans {
        rest = rest.strip_prefix(".servicePlans").unwrap_or("");
    }
    let plan = rest
        .strip_prefix("[\"")
        .and_then(|r| r.strip_suffix("\"]"))
        .or_else(|| {
            rest.strip_prefix('.').filter(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        })
        .filter(|p| !p.is_empty())
        .map(String::from);
    Some((offering.to_string(), plan))
}

/// The text of parameters written in the file (a string, or `fn::toJSON`'s object as its keys),
/// for a look at whether they name an `xsappname`.
fn literal_params(node: &Node) -> String {
    match (&node.value, node.get("fn::toJSON")) {
        (Value::String(text), _) => text.clone(),
        (_, Some(object)) => object.as_object().unwrap_or_default().iter().map(|m| m.key.as_str()).collect(),
        _ => String::new(),
    }
}

/// Whether a value holds anything Pulumi works out when it runs: an interpolation or a function.
fn computed(node: &Node) -> Option<&Node> {
    match &node.value {
        Value::String(text) if text.contains("${") => Some(node),
        Value::Object(members) => {
            members.iter().find_map(|m| if m.key.starts_with("fn::") { Some(&m.value) } else { computed(&m.value) })
        }
        Value::Array(items) => items.iter().find_map(computed),
        _ => None,
    }
}

/// The instance's layer from its `jsonParams`; one that is not known is reported (XS007) and
/// makes the instance incomplete.
fn configure(
    set: &mut InstanceSet,
    file: usize,
    params: &Node,
    pointer: &str,
    root: &Path,
    files: &dyn super::Files,
    instance: &mut Instance,
) {
    let unknown = |set: &mut InstanceSet, instance: &mut Instance, at: &Node, why: &str| {
        instance.incomplete = true;
        let message = format!(
            "the configuration of instance `{}` is not known until Pulumi runs ({why}); it is not judged",
            instance.name
        );
        set.unknown(file, at.span, message);
    };
    match (&params.value, params.get("fn::toJSON"), params.get("fn::readFile")) {
        (Value::String(text), _, _) => {
            if text.contains("${") {
                return unknown(set, instance, params, "`jsonParams` interpolates `${...}`");
            }
            match crate::syntax::json::parse(text, 0) {
                Ok(node) => instance.layers.push(Layer {
                    file,
                    kind: LayerKind::Inline,
                    pointer: pointer.to_string(),
                    node: crate::syntax::hcl::respan(node, params.span).into(),
                }),
                Err(e) => {
                    instance.incomplete = true;
                    let message = format!("`jsonParams` is not valid JSON: {}", e.message);
                    set.problem(file, params.span, ProblemKind::Syntax, message);
                }
            }
        }
        (_, Some(object), _) if matches!(object.value, Value::Object(_)) => {
            if let Some(at) = computed(object) {
                return unknown(set, instance, at, "its `fn::toJSON` object holds a value computed then");
            }
            let pointer = pointer_push(pointer, "fn::toJSON");
            instance.layers.push(Layer { file, kind: LayerKind::Inline, pointer, node: object.clone().into() });
        }
        (_, _, Some(path)) if path.as_str().is_some_and(|p| !p.contains("${")) => {
            let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
            let label = format!("fn::readFile: {}", path.as_str().unwrap_or_default());
            match descriptor_layer(set, file, path, &folder, root, files, Some(&label)) {
                Some(layer) => instance.layers.push(layer),
                None => instance.incomplete = true,
            }
        }
        _ => unknown(set, instance, params, "`jsonParams` is computed"),
    }
}

/// A key or an app's binding of an instance: the resource (index in `resources`) and, for an
/// app, the index of its `serviceBindings` entry.
type Bound = (usize, Option<usize>);

/// The program's `cloudfoundry:ServiceKey` resources and `cloudfoundry:App` `serviceBindings`
/// entries by the instance they name (`serviceInstance: ${LOGICAL.id}`): found once, not once
/// per instance.
fn bound_by_instance(resources: &[Member]) -> HashMap<&str, Vec<Bound>> {
    fn target(node: Option<&Node>) -> Option<&str> {
        node?.as_str()?.trim().strip_prefix("${")?.strip_suffix(".id}")
    }
    let mut out: HashMap<&str, Vec<Bound>> = HashMap::new();
    for (i, member) in resources.iter().enumerate() {
        let kind = member.value.get("type").and_then(Node::as_str).unwrap_or_default();
        let properties = member.value.get("properties");
        if is_type(kind, "ServiceKey") {
            if let Some(logical) = target(properties.and_then(|p| p.get("serviceInstance"))) {
                out.entry(logical).or_default().push((i, None));
            }
        } else if is_type(kind, "App") {
            let entries = properties.and_then(|p| p.get("serviceBindings")).and_then(Node::as_array);
            for (j, entry) in entries.unwrap_or_default().iter().enumerate() {
                if let Some(logical) = target(entry.get("serviceInstance")) {
                    out.entry(logical).or_default().push((i, Some(j)));
                }
            }
        }
    }
    out
}

/// The instance's keys and app bindings (`bound`, from [`bound_by_instance`]): each replaced by
/// its resource's URN, and what its parameters ask for.
fn bindings(file: usize, resources: &[Member], bound: &[Bound], project: &str, instance: &mut Instance) {
    for &(i, entry) in bound {
        let member = &resources[i];
        let pointer = pointer_push("/resources", &member.key);
        let properties = member.value.get("properties");
        let shown = properties.and_then(|p| p.get("name")).and_then(Node::as_str).unwrap_or(&member.key);
        let urn = |kind: &str| format!("urn:pulumi:<stack>::{project}::{}::{}", token(kind), member.key);
        let Some(j) = entry else {
            let handle = Handle::Pulumi { urn: urn("ServiceKey") };
            instance.bindings.push(BindingRef {
                file,
                key: true,
                name: shown.to_string(),
                span: member.key_span,
                handle,
            });
            let what = format!("service key `{shown}`");
            let params = properties.and_then(|p| p.get("params")).map(|n| (n.clone(), "params"));
            let json = properties.and_then(|p| p.get("paramsJson")).and_then(|n| {
                let parsed = crate::syntax::json::parse(n.as_str()?, 0).ok()?;
                Some((crate::syntax::hcl::respan(parsed, n.span), "paramsJson"))
            });
            for (node, property) in params.into_iter().chain(json) {
                binding_parameters(file, instance, what.clone(), &node, &format!("{pointer}/properties/{property}"));
            }
            continue;
        };
        let Some(entry) = properties.and_then(|p| p.pointer(&format!("/serviceBindings/{j}"))) else { continue };
        // A binding is the app's: Pulumi rebinds by replacing the app.
        let handle = Handle::Pulumi { urn: urn("App") };
        instance.bindings.push(BindingRef { file, key: false, name: shown.to_string(), span: entry.span, handle });
        if let Some(params) = entry.get("params") {
            let at = format!("{pointer}/properties/serviceBindings/{j}/params");
            binding_parameters(file, instance, format!("binding of app `{shown}`"), params, &at);
        }
    }
}

/// A key's or binding's parameters: what it asks for, and its `credential-type`.
fn binding_parameters(file: usize, instance: &mut Instance, what: String, node: &Node, pointer: &str) {
    if node.as_object().is_none() {
        return;
    }
    if let Some(credential_type) = node.get("credential-type") {
        push_request(instance, file, what.clone(), credential_type, pointer_push(pointer, "credential-type"));
    }
    instance.parameters.push(BindingParameters {
        file,
        what,
        node: node.clone(),
        pointer: pointer.to_string(),
        renewal: Renewal::Unknown,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_tokens_are_read_in_each_spelling() {
        for token in [
            "cloudfoundry:ServiceInstance",
            "cloudfoundry:index:ServiceInstance",
            "cloudfoundry:index/serviceInstance:ServiceInstance",
        ] {
            assert!(is_type(token, "ServiceInstance"), "{token}");
        }
        assert!(!is_type("cloudfoundry:index/serviceKey:ServiceInstance", "ServiceInstance"));
        assert!(!is_type("btp:ServiceInstance", "ServiceInstance"));
        assert_eq!(token("ServiceKey"), "cloudfoundry:index/serviceKey:ServiceKey");
    }

    #[test]
    fn a_plan_is_read_from_a_get_service_invoke() {
        let offerings = HashMap::from([("uaa", ("xsuaa", false)), ("plans", ("xsuaa", true))]);
        let plan = |e: &str| plan_of(e, &offerings).map(|(o, p)| (o, p.unwrap_or_default()));
        let expected = Some(("xsuaa".to_string(), "application".to_string()));
        assert_eq!(plan("${uaa.servicePlans[\"application\"]}"), expected);
        assert_eq!(plan("${uaa.servicePlans.application}"), expected);
        assert_eq!(plan("${plans[\"application\"]}"), expected);
        assert_eq!(plan("${other.servicePlans[\"application\"]}"), None);
        assert_eq!(plan("0f6a5f5c-5c65-4c5e-8f9f-000000000000"), None);
    }
}
