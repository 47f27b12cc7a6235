//! Kubernetes and Kyma manifests (SAP BTP service operator): `ServiceInstance`s of xsuaa, their
//! `ServiceBinding`s, parameters from Secrets and ConfigMaps, and Helm templates read as far as
//! they parse. The Crossplane and Service Catalog resources in the same files are read by
//! `crossplane.rs` and `service_catalog.rs`.

use super::{crossplane, helm, kustomize, service_catalog};
use super::{is_helm_template, may_declare_xsuaa, normalize, push_request, str_at, yaml_documents};
use super::{BindingParameters, BindingRef, Files, Handle, Instance, InstanceFormat, InstanceSet, Layer, LayerKind};
use super::{ProblemKind, Renewal, Unreadable, Wrapper};
use crate::syntax::json::{Node, Value};
use crate::text::source::{SourceFile, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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

pub(super) fn load_kubernetes(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
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
            (InstanceFormat::Kyma, "/spec")
        } else if api.starts_with("cf.cs.sap.com/") {
            (InstanceFormat::CfOperator, "/spec")
        } else if api.starts_with("cloudfoundry.crossplane.io/")
            || api.starts_with("cloudfoundry.btp.orchestrate.cloud.sap/")
        {
            (InstanceFormat::Crossplane, "/spec/forProvider")
        } else {
            continue;
        };
        let (offering, plan_at) = if format == InstanceFormat::Crossplane {
            ("/servicePlan/offering", "/servicePlan/plan")
        } else {
            ("/serviceOfferingName", "/servicePlanName")
        };
        // Another service of the BTP operator may make an XSUAA client of its own (`Wrapper`).
        if format == InstanceFormat::Kyma
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
                    node: crate::syntax::hcl::respan(node, json.span).into(),
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
                node: parameters.clone().into(),
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
        ..Instance::declared(name.to_string(), InstanceFormat::Kyma, file, span, doc_pointer(i))
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

/// Whether a document is a `kind` of the API group whose `apiVersion` starts with `api`.
pub(super) fn is_of_api(doc: &Node, api: &str, kind: &str) -> bool {
    doc.get("apiVersion").and_then(Node::as_str).is_some_and(|version| version.starts_with(api))
        && doc.get("kind").and_then(Node::as_str) == Some(kind)
}

/// The file's `ServiceBinding`s of the API `api`, by the instance they name at `instance_at`:
/// found once, not once per instance.
pub(super) fn bindings_by_instance<'a>(docs: &'a [Node], api: &str, instance_at: &str) -> HashMap<&'a str, Vec<usize>> {
    let mut bindings_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, doc) in docs.iter().enumerate() {
        if is_of_api(doc, api, "ServiceBinding") {
            if let Some(target) = str_at(doc, instance_at) {
                bindings_of.entry(target).or_default().push(j);
            }
        }
    }
    bindings_of
}

/// A binding document of another Kubernetes API (Crossplane, Service Catalog) of `instance`:
/// listed, its parameters (the object at `parameters_at`, else none), the credential type they ask
/// for, and how it is renewed.
pub(super) fn attach_api_binding(
    instance: &mut Instance,
    file: usize,
    binding: &Node,
    pointer: &str,
    parameters_at: &str,
    renewal: Renewal,
) {
    let name = str_at(binding, "/metadata/name").unwrap_or("?");
    let what = format!("ServiceBinding `{name}`");
    let handle = Handle::Kubernetes {
        namespace: str_at(binding, "/metadata/namespace").map(String::from),
        rotation: matches!(renewal, Renewal::Rotated { .. }),
    };
    instance.bindings.push(BindingRef { file, key: false, name: name.into(), span: binding.span, handle });
    let parameters = binding
        .pointer(parameters_at)
        .filter(|p| matches!(p.value, Value::Object(_)))
        .cloned()
        .unwrap_or(Node { span: binding.span, value: Value::Object(Vec::new()) });
    instance.parameters.push(BindingParameters {
        file,
        what: what.clone(),
        node: parameters,
        pointer: format!("{pointer}{parameters_at}"),
        renewal,
    });
    if let Some(node) = binding.pointer(&format!("{parameters_at}/credential-type")) {
        push_request(instance, file, what, node, format!("{pointer}{parameters_at}/credential-type"));
    }
}

/// A `ServiceBinding` (`doc`, at `pointer` in `file`) of `instance`: listed, and what it asks for.
fn attach_binding(instance: &mut Instance, file: usize, doc: &Node, pointer: &str) {
    let binding = str_at(doc, "/metadata/name").unwrap_or("?");
    let handle = Handle::Kubernetes {
        namespace: str_at(doc, "/metadata/namespace").map(String::from).or_else(|| instance.namespace.clone()),
        rotation: matches!(kyma_renewal(doc), Renewal::Rotated { .. }),
    };
    instance.bindings.push(BindingRef { file, key: false, name: binding.into(), span: doc.span, handle });
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
pub(super) fn parameters_from(
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
            instance.layers.push(Layer {
                file: source_file,
                kind: LayerKind::Inline,
                pointer: String::new(),
                node: node.into(),
            });
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
pub(super) fn not_judged(set: &mut InstanceSet, instance: &mut Instance, file: usize, span: Span, why: &str) {
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
pub(super) struct Sources {
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

#[cfg(test)]
mod tests {
    use super::*;

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
