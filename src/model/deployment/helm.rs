//! CAP Helm charts (`cds add helm`): a chart's `values.yaml` (or `values-*.yaml`) declares a
//! service instance per top-level entry with `serviceOfferingName` and `servicePlanName`; the
//! chart's `service-instance` template sends `parameters` merged over `jsonParameters` (sprig's
//! `merge`: the first dict wins, deeply, so inline `parameters` win over the file). A workload's
//! `bindings.<name>` with `serviceInstanceName` binds it, with optional `parameters`.
//!
//! `jsonParameters` comes, in this order: from `--set-file KEY.jsonParameters=FILE` in a script,
//! Makefile, CI file or `package.json` of the project (what is deployed); from `jsonParameters`
//! written in the values; from `config: FILE` (which `cds build` turns into `jsonParameters`);
//! else, by CAP's convention (`cds up --to k8s` passes `--set-file
//! xsuaa.jsonParameters=xs-security.json`), the project's `xs-security.json`. The findings in
//! that file say which link was used. Helm templates inside values (`{{ .Release.Namespace }}`)
//! are rendered by the chart (`tpl`): they are read as placeholders, like MTA's `${org}`.

use super::{
    descriptor_layer, push_request, BindingRef, Files, Instance, InstanceFormat, InstanceSet, Layer, LayerKind,
    ProblemKind,
};
use crate::syntax::json::{Member, Node, Value};
use crate::text::source::{SourceFile, Span};
use std::path::{Path, PathBuf};

/// Files that may run `helm upgrade --set-file ...`, looked for in each folder from the chart's
/// parent up to the repository's root.
const COMMAND_FILES: [&str; 6] =
    ["Makefile", "makefile", "package.json", "Jenkinsfile", ".gitlab-ci.yml", "azure-pipelines.yml"];

pub(super) fn load_values(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let Some(docs) = super::yaml_documents(set, file) else { return };
    let Some(doc) = docs.into_iter().next() else { return };
    let Some(entries) = doc.as_object() else { return };
    let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
    let root = super::normalize(root);
    // The project's folders: the chart's parent up to the repository's root.
    let mut folders: Vec<PathBuf> = Vec::new();
    for ancestor in super::normalize(&folder).ancestors().skip(1) {
        if !ancestor.starts_with(&root) {
            break;
        }
        folders.push(ancestor.to_path_buf());
    }
    if folders.is_empty() {
        folders.push(super::normalize(&folder));
    }
    let mut commands: Option<Vec<(PathBuf, SourceFile)>> = None;
    // CAP's chart: one top-level entry per service; the CAP Operator's chart (`cds add
    // cap-operator`): entries of `serviceInstances`, named by their `name`.
    let nested = doc.get("serviceInstances").and_then(Node::as_object).unwrap_or_default();
    let candidates = entries.iter().map(|e| (e, "")).chain(nested.iter().map(|e| (e, "/serviceInstances")));
    let index = BindingIndex::new(entries);
    for (entry, parent) in candidates {
        let service = &entry.value;
        // A `reference-instance` shares an existing instance; its parameters are no descriptor.
        if service.get("serviceOfferingName").and_then(Node::as_str) != Some("xsuaa")
            || service.get("servicePlanName").and_then(Node::as_str) == Some("reference-instance")
        {
            continue;
        }
        let key = entry.key.as_str();
        let pointer = crate::syntax::json::pointer_push(parent, key);
        let named = if parent.is_empty() { "fullnameOverride" } else { "name" };
        let name = service.get(named).and_then(Node::as_str).unwrap_or(key).to_string();
        let plan = service.get("servicePlanName").and_then(|n| n.as_str().map(|p| (p.to_string(), n.span)));
        let mut instance = Instance {
            plan,
            plan_pointer: format!("{pointer}/servicePlanName"),
            ..Instance::declared(name, InstanceFormat::Helm, file, entry.key_span, pointer.clone())
        };
        let commands = commands.get_or_insert_with(|| command_files(&folders, &root, files));
        json_parameters(set, file, key, service, &folder, &folders, &root, commands, files, &mut instance);
        if let Some(parameters) = service.get("parameters").filter(|p| matches!(p.value, Value::Object(_))) {
            instance.layers.push(Layer {
                file,
                kind: LayerKind::Inline,
                pointer: format!("{pointer}/parameters"),
                node: placeholders(parameters.clone()).into(),
            });
        }
        // `parametersFrom`: Secrets the cluster holds (a chart's own are templates).
        if let Some(from) = service.get("parametersFrom").filter(|f| f.as_array().is_some_and(|a| !a.is_empty())) {
            instance.incomplete = true;
            let message = format!(
                "the configuration of instance `{}` is not known: `parametersFrom` adds parameters from Secrets of the cluster; it is not judged",
                instance.name
            );
            set.unknown(file, from.span, message);
        }
        bindings_in(file, entries, &index, key, service, &mut instance);
        set.instances.push(instance);
    }
    overlays(set, file, &doc, &folder, &folders, &root, &mut commands, files);
}

/// A `values-*.yaml` that changes an instance its chart's `values.yaml` declares (`helm upgrade
/// -f values-prod.yaml`): the instance with the overlay's values merged over the chart's (Helm
/// merges values deeply; lists are replaced). Only what the overlay itself holds is reported
/// here: the rest is the chart's, reported with `values.yaml`.
#[allow(clippy::too_many_arguments)]
fn overlays(
    set: &mut InstanceSet,
    file: usize,
    doc: &Node,
    folder: &Path,
    folders: &[PathBuf],
    root: &Path,
    commands: &mut Option<Vec<(PathBuf, SourceFile)>>,
    files: &dyn Files,
) {
    let own_name = set.paths[file].file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if own_name == "values.yaml" || own_name == "values.yml" {
        return;
    }
    let with_overrides = |n: &Node| {
        n.get("serviceOfferingName").is_none()
            && ["parameters", "jsonParameters", "config"].iter().any(|k| n.get(k).is_some())
    };
    let top = doc.as_object().unwrap_or_default();
    let nested = doc.get("serviceInstances").and_then(Node::as_object).unwrap_or_default();
    let changed: Vec<(&Member, &str)> = top
        .iter()
        .map(|e| (e, ""))
        .chain(nested.iter().map(|e| (e, "/serviceInstances")))
        .filter(|(e, _)| with_overrides(&e.value))
        .collect();
    if changed.is_empty() {
        return;
    }
    // The chart's own values beside it.
    let Some((base_path, base_source)) = ["values.yaml", "values.yml"].iter().find_map(|n| {
        let path = super::normalize(&folder.join(n));
        files.read(&path, &path.to_string_lossy()).ok().map(|s| (path, s))
    }) else {
        return;
    };
    let Ok(base_docs) = crate::syntax::yaml::parse_documents(&base_source.text) else { return };
    let Some(base) = base_docs.into_iter().next() else { return };
    let mut base_file = None;
    let index = BindingIndex::new(top);
    for (entry, parent) in changed {
        let key = entry.key.as_str();
        let pointer = crate::syntax::json::pointer_push(parent, key);
        let Some(declared) = base.pointer(&pointer) else { continue };
        if declared.get("serviceOfferingName").and_then(Node::as_str) != Some("xsuaa")
            || declared.get("servicePlanName").and_then(Node::as_str) == Some("reference-instance")
        {
            continue;
        }
        let base_index = *base_file.get_or_insert_with(|| set.add_file(base_path.clone(), base_source.clone()));
        let overlay = &entry.value;
        let named = if parent.is_empty() { "fullnameOverride" } else { "name" };
        let name = [overlay, declared].iter().find_map(|n| n.get(named).and_then(Node::as_str)).unwrap_or(key);
        let plan = overlay
            .get("servicePlanName")
            .map(|n| (n, file))
            .or_else(|| declared.get("servicePlanName").map(|n| (n, base_index)));
        let mut instance = Instance {
            plan: plan.and_then(|(n, f)| {
                n.as_str().map(|p| (p.to_string(), if f == file { n.span } else { entry.key_span }))
            }),
            plan_pointer: format!("{pointer}/servicePlanName"),
            ..Instance::declared(name.to_string(), InstanceFormat::Helm, file, entry.key_span, pointer.clone())
        };
        let commands = commands.get_or_insert_with(|| command_files(folders, root, files));
        // The file the chart's `jsonParameters` comes from: the overlay's own link, else the
        // chart's (whose problems `values.yaml` reports itself).
        let own_link = ["jsonParameters", "config"].iter().any(|k| overlay.get(k).is_some());
        let (problems, unknown, links) = (set.problems.len(), set.unknown.len(), set.links.len());
        if own_link {
            json_parameters(set, file, key, overlay, folder, folders, root, commands, files, &mut instance);
        } else {
            json_parameters(set, base_index, key, declared, folder, folders, root, commands, files, &mut instance);
            set.problems.truncate(problems);
            set.unknown.truncate(unknown);
            set.links.truncate(links);
        }
        for (node, at, layer_file) in [(declared, &pointer, base_index), (overlay, &pointer, file)] {
            if let Some(parameters) = node.get("parameters").filter(|p| matches!(p.value, Value::Object(_))) {
                instance.layers.push(Layer {
                    file: layer_file,
                    kind: LayerKind::Inline,
                    pointer: format!("{at}/parameters"),
                    node: placeholders(parameters.clone()).into(),
                });
            }
        }
        bindings_in(file, top, &index, key, overlay, &mut instance);
        set.own_only.push(set.instances.len());
        set.instances.push(instance);
    }
}

/// The workloads' bindings, by the instance name and full name they give, as (workload,
/// binding) indices in order: found once per file, not once per instance.
struct BindingIndex<'a> {
    by_name: std::collections::HashMap<&'a str, Vec<(usize, usize)>>,
    by_full: std::collections::HashMap<&'a str, Vec<(usize, usize)>>,
}

impl<'a> BindingIndex<'a> {
    fn new(entries: &'a [Member]) -> Self {
        let mut index = BindingIndex { by_name: Default::default(), by_full: Default::default() };
        for (w, workload) in entries.iter().enumerate() {
            let Some(bindings) = workload.value.get("bindings").and_then(Node::as_object) else { continue };
            for (b, binding) in bindings.iter().enumerate() {
                if let Some(name) = binding.value.get("serviceInstanceName").and_then(Node::as_str) {
                    index.by_name.entry(name).or_default().push((w, b));
                }
                if let Some(full) = binding.value.get("serviceInstanceFullname").and_then(Node::as_str) {
                    index.by_full.entry(full).or_default().push((w, b));
                }
            }
        }
        index
    }
}

/// The `bindings` of every workload that name the instance.
fn bindings_in(
    file: usize,
    entries: &[Member],
    index: &BindingIndex<'_>,
    key: &str,
    service: &Node,
    instance: &mut Instance,
) {
    let full = service.get("fullnameOverride").and_then(Node::as_str);
    let mut found: Vec<(usize, usize)> = index.by_name.get(key).cloned().unwrap_or_default();
    if let Some(full) = full {
        found.extend(index.by_full.get(full).into_iter().flatten());
    }
    found.sort_unstable();
    found.dedup();
    for (w, b) in found {
        let workload = &entries[w];
        let Some(bindings) = workload.value.get("bindings").and_then(Node::as_object) else { continue };
        let binding = &bindings[b];
        let what = format!("the binding `{}` of `{}`", binding.key, workload.key);
        // Named by its path in the values (the runbook quotes it): `srv.bindings.auth`.
        let name = format!("{}.bindings.{}", workload.key, binding.key);
        let rotation = binding
            .value
            .pointer("/credentialsRotationPolicy/enabled")
            .is_some_and(|e| e.value == crate::syntax::json::Value::Bool(true));
        let handle = super::Handle::Helm { workload: workload.key.clone(), binding: binding.key.clone(), rotation };
        instance.bindings.push(BindingRef { file, key: false, name, span: binding.key_span, handle });
        if let Some(node) = binding.value.pointer("/parameters/credential-type") {
            let workload_pointer = crate::syntax::json::pointer_push("", &workload.key);
            let binding_pointer =
                crate::syntax::json::pointer_push(&format!("{workload_pointer}/bindings"), &binding.key);
            let pointer = format!("{binding_pointer}/parameters/credential-type");
            push_request(instance, file, what, node, pointer);
        }
    }
}

/// The lower layer: the file or JSON that reaches the chart as `jsonParameters`.
#[allow(clippy::too_many_arguments)]
fn json_parameters(
    set: &mut InstanceSet,
    file: usize,
    key: &str,
    service: &Node,
    folder: &Path,
    folders: &[PathBuf],
    root: &Path,
    commands: &[(PathBuf, SourceFile)],
    files: &dyn Files,
    instance: &mut Instance,
) {
    let shown = |set: &InstanceSet, f: usize| set.files[f].path.clone();
    // 1. `--set-file KEY.jsonParameters=FILE` in a command of the project.
    for (path, source) in commands {
        let Some((span, value)) = set_file(&source.text, key) else { continue };
        let script = set.add_file(path.clone(), source.clone());
        let (line, _) = set.files[script].locate(span);
        // Named from the repository's root, as people run it.
        let script_name = path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        let link = format!("`--set-file {key}.jsonParameters={value}` in {script_name}:{}", line.line);
        let variable = value.contains('$') || value.contains('`');
        if variable || Path::new(&value).is_absolute() {
            instance.incomplete = true;
            let why =
                if variable { "names the file through a variable" } else { "names a file outside the repository" };
            let message = format!(
                "the configuration of instance `{}` is not known until the chart is deployed ({link} {why}); it is not judged",
                instance.name
            );
            set.unknown(script, span, message);
            return;
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let candidates = std::iter::once(base).chain(folders.iter().cloned());
        let found = candidates
            .map(|b| super::normalize(&b.join(&value)))
            .find(|p| p.starts_with(root) && super::usable(files, p, &value));
        let Some(found) = found else {
            instance.incomplete = true;
            let message = format!(
                "the configuration of instance `{}` is not known: {link} names no file of the repository (written by the pipeline, or relative to another working directory); it is not judged",
                instance.name
            );
            set.unknown(script, span, message);
            return;
        };
        let node = Node { span, value: Value::String(value.clone()) };
        let found_folder = found.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = found.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let node = Node { value: Value::String(name), ..node };
        let label = format!("--set-file {key}.jsonParameters={value}");
        if let Some(layer) = descriptor_layer(set, script, &node, &found_folder, root, files, Some(&label)) {
            let note = format!(
                "this file is the `jsonParameters` of Helm instance `{key}` of {} through {link}",
                shown(set, file)
            );
            set.links.push((set.instances.len(), note));
            instance.layers.push(layer);
        } else {
            instance.incomplete = true;
        }
        return;
    }
    // 2. `jsonParameters` written in the values; an empty one (`{}`, CAP's placeholder) is the
    // default that a deployment's `--set-file` replaces.
    let empty = |n: &Node| match &n.value {
        Value::Null => true,
        Value::Object(members) => members.is_empty(),
        Value::String(text) => text.trim().is_empty() || text.trim() == "{}",
        _ => false,
    };
    if let Some(json) = service.get("jsonParameters").filter(|n| !empty(n)) {
        let pointer = format!("{}/jsonParameters", instance.pointer);
        match &json.value {
            Value::String(text) if !text.trim().is_empty() => match crate::syntax::json::parse(text, 0) {
                Ok(node) => instance.layers.push(Layer {
                    file,
                    kind: LayerKind::Inline,
                    pointer,
                    node: placeholders(crate::syntax::hcl::respan(node, json.span)).into(),
                }),
                Err(e) => {
                    instance.incomplete = true;
                    let message = format!("`jsonParameters` is not valid JSON: {}", e.message);
                    set.problem(file, json.span, ProblemKind::Syntax, message);
                }
            },
            Value::Object(_) => instance.layers.push(Layer {
                file,
                kind: LayerKind::Inline,
                pointer,
                node: placeholders(json.clone()).into(),
            }),
            _ => {}
        }
        return;
    }
    // 3. `config: FILE`, which CAP's chart turns into `jsonParameters`.
    if let Some(config) = service.get("config") {
        let Some(value) = config.as_str() else { return };
        // Beside the values first (the chart's own files), then the project's folders.
        let bases = std::iter::once(folder.to_path_buf()).chain(folders.iter().cloned());
        let base = bases.clone().find(|b| super::usable(files, &super::normalize(&b.join(value)), value));
        let label = format!("config: {value}");
        match base {
            Some(base) => {
                if let Some(layer) = descriptor_layer(set, file, config, &base, root, files, Some(&label)) {
                    let note = format!(
                        "this file is the configuration of Helm instance `{key}` through `{label}` in {}",
                        shown(set, file)
                    );
                    set.links.push((set.instances.len(), note));
                    instance.layers.push(layer);
                } else {
                    instance.incomplete = true;
                }
            }
            None => {
                instance.incomplete = true;
                let message = format!("`{label}` names no file in the chart's project (if the build generates it, lint the generated file); the instance's configuration is not judged");
                set.problem(file, config.span, ProblemKind::Path, message);
            }
        }
        return;
    }
    // 4. CAP's convention: the project's `xs-security.json`.
    for base in folders {
        let path = super::normalize(&base.join("xs-security.json"));
        if !super::usable(files, &path, "xs-security.json") {
            continue;
        }
        let node = Node { span: service.span, value: Value::String("xs-security.json".into()) };
        let label = format!("the project's xs-security.json (`--set-file {key}.jsonParameters=xs-security.json`)");
        if let Some(layer) = descriptor_layer(set, file, &node, base, root, files, Some(&label)) {
            set.links.push((
                set.instances.len(),
                format!(
                    "this file is taken for the `jsonParameters` of Helm instance `{key}` of {} by CAP's convention: `cds up --to k8s` deploys with `--set-file {key}.jsonParameters=xs-security.json`, and no command of the repository names another file",
                    shown(set, file)
                ),
            ));
            instance.layers.push(layer);
        }
        return;
    }
}

/// The files of the project that may hold a `helm` command with `--set-file`: read only when
/// they mention `jsonParameters=`.
fn command_files(folders: &[PathBuf], root: &Path, files: &dyn Files) -> Vec<(PathBuf, SourceFile)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for folder in folders {
        paths.extend(COMMAND_FILES.iter().map(|n| folder.join(n)));
        for sub in [folder.clone(), folder.join("scripts")] {
            paths.extend(files.list(&sub, ".sh"));
            paths.extend(files.list(&sub, ".mk"));
        }
    }
    let workflows = root.join(".github/workflows");
    paths.extend(files.list(&workflows, ".yml"));
    paths.extend(files.list(&workflows, ".yaml"));
    let mut out = Vec::new();
    for path in paths {
        let path = super::normalize(&path);
        if out.iter().any(|(p, _)| *p == path) {
            continue;
        }
        // A root Makefile or workflow is looked at by every chart of the repository: read and
        // searched once per run.
        let made = files.derived(&path, "helm --set-file", &|read| {
            std::sync::Arc::new(read.ok().filter(|source| source.text.contains("jsonParameters=")))
        });
        if let Some(Some(source)) = made.downcast_ref::<Option<SourceFile>>() {
            let mut source = source.clone();
            source.path = path.to_string_lossy().into_owned();
            out.push((path, source));
        }
    }
    out
}

/// `--set-file KEY.jsonParameters=FILE` on a line that is not a comment: the span and text of
/// `FILE`.
fn set_file(text: &str, key: &str) -> Option<(Span, String)> {
    let needle = format!("{key}.jsonParameters=");
    let mut start = 0;
    // Piper's `helmExecute` lists `'--set-file',` and its value on lines of their own.
    let mut flag_before = false;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        let trimmed = line.trim_start();
        let flag_here = line.contains("--set-file");
        let comment = trimmed.starts_with('#') || trimmed.starts_with("//");
        let flagged = flag_here || flag_before;
        flag_before = flag_here && !comment && !line.contains(".jsonParameters=");
        if comment || !flagged {
            continue;
        }
        let mut from = 0;
        while let Some(at) = line[from..].find(&needle) {
            let at = from + at;
            from = at + needle.len();
            // `xsuaa.jsonParameters` but not `broker-xsuaa.jsonParameters`.
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_') {
                continue;
            }
            let rest = &line[from..];
            let rest = rest.strip_prefix('"').or_else(|| rest.strip_prefix('\'')).unwrap_or(rest);
            let skipped = line.len() - from - rest.len();
            let value: String = rest
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ',' | ';' | ')' | '\\'))
                .collect();
            if value.is_empty() {
                continue;
            }
            let begin = line_start + from + skipped;
            return Some((Span::new(begin, begin + value.len()), value));
        }
    }
    None
}

/// Helm templates in values (`{{ .Release.Namespace }}`) as placeholders: `${Release.Namespace}`,
/// which the schema and the name rules accept as they accept MTA's.
pub(super) fn placeholders(mut node: Node) -> Node {
    node.value = match node.value {
        Value::String(s) if s.contains("{{") => Value::String(replace_templates(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(placeholders).collect()),
        Value::Object(members) => {
            Value::Object(members.into_iter().map(|m| Member { value: placeholders(m.value), ..m }).collect())
        }
        other => other,
    };
    node
}

fn replace_templates(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = rest[open + 2..open + close].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let inner = inner.trim_start_matches('.');
        let simple =
            !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        out.push_str("${");
        out.push_str(if simple { inner } else { "helm" });
        out.push('}');
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_become_placeholders() {
        assert_eq!(
            replace_templates("app-{{ .Release.Namespace }}-{{.Release.Name}}"),
            "app-${Release.Namespace}-${Release.Name}"
        );
        assert_eq!(replace_templates("{{ include \"x\" . }}"), "${helm}");
        assert_eq!(replace_templates("a-{{ open"), "a-{{ open");
    }

    #[test]
    fn set_file_is_found_on_command_lines_only() {
        let text = "# helm upgrade --set-file xsuaa.jsonParameters=old.json\nhelm upgrade x ./gen/chart \\\n  --set-file broker-xsuaa.jsonParameters=b.json --set-file xsuaa.jsonParameters=xs-security.json\n";
        let (span, value) = set_file(text, "xsuaa").unwrap();
        assert_eq!(value, "xs-security.json");
        assert_eq!(&text[span.start..span.end], "xs-security.json");
        assert_eq!(set_file("'--set-file', 'xsuaa.jsonParameters=xs.json'", "xsuaa").unwrap().1, "xs.json");
        assert_eq!(set_file("--set-file a.jsonParameters=x.json", "xsuaa"), None);
        let piper =
            "additionalParameters: [\n  '--install',\n  '--set-file',\n  'xsuaa.jsonParameters=xs-security.json'\n]";
        assert_eq!(set_file(piper, "xsuaa").unwrap().1, "xs-security.json");
        assert_eq!(set_file("--set xsuaa.enabled=true\nxsuaa.jsonParameters=x.json", "xsuaa"), None);
    }
}
