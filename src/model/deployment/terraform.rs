//! Terraform with the Cloud Foundry provider: `resource "cloudfoundry_service_instance"` whose
//! plan comes from a data source of the xsuaa offering, its `parameters` (or the legacy
//! `json_params`) read as far as they are literal, and the credential bindings and service keys
//! that point at it.
//!
//! The plan: `data.cloudfoundry_service_plan.X.id` and `data.cloudfoundry_service_plans.X...`
//! (`service_offering_name = "xsuaa"`, the plan their `name`), the community provider's
//! `data.cloudfoundry_service.X.service_plans["application"]`, looked up in the file, then in the
//! other `.tf` files of its folder (the module). A literal plan GUID says nothing: the instance is
//! xsuaa when its name says so or its parameters hold an `xsappname`, and its plan is unknown.
//!
//! The parameters: `jsonencode({...})`, a JSON string, a heredoc, `file(...)` and
//! `templatefile(...)` (a descriptor file: a layer of its own, so its fixes work),
//! `jsondecode(...)`, and `merge(a, b)` (shallow: a top-level key of `b` replaces `a`'s).
//! Anything else (`var.parameters`, `local.x`) is not known until Terraform runs: the instance is
//! reported once (XS007) and its configuration is not judged.

use super::{descriptor_layer, push_request, Files, Instance, InstanceFormat, InstanceSet, Layer, LayerKind};
use crate::syntax::hcl::{Block, Document, Expr, Shape};
use crate::syntax::json::{Node, Value};
use crate::text::source::Span;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub(super) const INSTANCE: &str = "cloudfoundry_service_instance";
/// Bindings and service keys: the v1 provider's credential binding, the community provider's key.
const BINDINGS: [(&str, &str); 2] =
    [("cloudfoundry_service_credential_binding", "parameters"), ("cloudfoundry_service_key", "params_json")];

/// Why a value is not known, and where; `None`: already reported (a file that is missing).
type Unknown = Option<(String, Span)>;

/// How many references and calls deep (`local.a` naming `local.b`, `merge(jsonencode(...))`) an
/// expression is followed before its value counts as not known: far more than a module writes,
/// and the stack stays small whatever the file holds.
pub(super) const MAX_EVALUATION_DEPTH: usize = 64;

/// What an evaluation has followed so far: how deep it is, and the locals it is inside of (a
/// local met again is a cycle).
#[derive(Default)]
struct Trail {
    depth: usize,
    locals: Vec<String>,
}

/// A data source of a service offering, as far as it is literal.
struct Offering {
    offering: Option<String>,
    /// The plan's name with its span, when it is in the instance's own file.
    plan: Option<(String, Option<Span>)>,
    pointer: String,
}

pub(super) struct Module<'a> {
    text: &'a str,
    document: &'a Document,
    file: usize,
    folder: PathBuf,
    /// The file's own path.
    own: PathBuf,
    root: &'a Path,
    files: &'a dyn Files,
    /// The other `.tf` files of the folder, parsed when a data source is not in the file.
    others: Option<Vec<Document>>,
    /// The file's locals by name (the first definition), indexed on first use.
    locals: OnceCell<HashMap<&'a str, Expr<'a>>>,
}

pub(super) fn load_cloud_foundry(set: &mut InstanceSet, module: &mut Module<'_>) {
    if !module.text.contains(INSTANCE) {
        return;
    }
    let document = module.document;
    for (label, block) in document.resources(INSTANCE) {
        module.instance(set, label, block);
    }
}

/// Inputs of a module call that name the service offering (`service_name = "xsuaa"` of SAP's
/// samples' `serviceinstance_btp_cf` module, and the like).
const MODULE_OFFERING_INPUTS: [&str; 4] = ["service_name", "service_offering_name", "offering_name", "service"];

/// `module "NAME" { source = "..." service_name = "xsuaa" ... }`: an XSUAA instance created inside
/// another module. What the module does with its inputs is not followed, so the instance is
/// counted and its configuration reported as not known (XS007) rather than left out.
pub(super) fn module_calls(set: &mut InstanceSet, file: usize, document: &Document) {
    for block in document.blocks().filter(|b| b.is("module")) {
        let Some((_, offering_at)) =
            MODULE_OFFERING_INPUTS.iter().find_map(|input| block.string(input).filter(|(value, _)| *value == "xsuaa"))
        else {
            continue;
        };
        let label = block.label(0).unwrap_or_default();
        let source = block.string("source").map(|(s, _)| s.to_string()).unwrap_or_default();
        let name = ["service_instance_name", "instance_name", "name"]
            .iter()
            .find_map(|input| block.string(input))
            .map_or_else(|| label.to_string(), |(n, _)| n.to_string());
        let plan = ["plan_name", "service_plan_name", "plan"]
            .iter()
            .find_map(|input| block.string(input))
            .map(|(p, at)| (p.to_string(), at));
        // A module for Cloud Foundry takes a space; one for the BTP provider a subaccount.
        let cf = source.contains("cf") || source.contains("cloudfoundry") || block.attribute("cf_space_id").is_some();
        let span = block.label_span(0).unwrap_or(offering_at);
        let pointer = format!("/module/{label}");
        set.unknown(
            file,
            span,
            format!(
                "the configuration of instance `{name}` is not known: module `{label}` creates it (source `{source}`), and what the module does with its inputs is not followed; it is not judged"
            ),
        );
        set.instances.push(Instance {
            plan,
            plan_pointer: format!("{pointer}/plan_name"),
            incomplete: true,
            ..Instance::declared(
                name,
                if cf { InstanceFormat::TerraformCf } else { InstanceFormat::Terraform },
                file,
                span,
                pointer.clone(),
            )
        });
    }
}

/// The layers of a `btp_subaccount_service_instance`'s `parameters`, read as the Cloud Foundry
/// provider's are (XS007 when not known).
pub(super) fn btp_parameters(set: &mut InstanceSet, module: &Module<'_>, block: Block<'_>, instance: &mut Instance) {
    let Some(parameters) = block.attribute("parameters") else { return };
    let pointer = format!("{}/parameters", instance.pointer);
    module.configure(set, parameters, &pointer, instance);
}

impl<'a> Module<'a> {
    pub(super) fn new(
        set: &InstanceSet,
        text: &'a str,
        document: &'a Document,
        file: usize,
        root: &'a Path,
        files: &'a dyn Files,
    ) -> Self {
        let own = set.paths[file].clone();
        let folder = own.parent().map(Path::to_path_buf).unwrap_or_default();
        Module { text, document, file, folder, own, root, files, others: None, locals: OnceCell::new() }
    }

    fn instance(&mut self, set: &mut InstanceSet, label: &str, block: Block<'_>) {
        if block.string("type").is_some_and(|(t, _)| t != "managed") {
            return;
        }
        let pointer = format!("/resource/{INSTANCE}/{label}");
        let (attribute, parameters) =
            match ["parameters", "json_params"].into_iter().find_map(|a| block.attribute(a).map(|value| (a, value))) {
                Some((a, expr)) => (a, Some(expr)),
                None => ("parameters", None),
            };
        let (name, service_name) = self.service_name(block, label);
        let offering = self.offering(block, &pointer);
        let is_xsuaa = match offering.as_ref().and_then(|o| o.offering.as_deref()) {
            Some(offering) => offering == "xsuaa",
            // Not known: the name, or an `xsappname` in literal parameters, says so.
            None => {
                let says = |n: &str| n.to_ascii_lowercase().contains("xsuaa");
                says(label)
                    || says(&name)
                    || service_name.as_deref().is_some_and(says)
                    || parameters.is_some_and(|p| self.literal_xsappname(p))
            }
        };
        if !is_xsuaa {
            return;
        }
        let span = block.label_span(1).unwrap_or_default();
        let plan_attribute = block.attribute("service_plan").map(Expr::span);
        let (plan, plan_pointer) = match offering.and_then(|o| o.plan.map(|p| (p, o.pointer))) {
            Some(((plan, Some(at)), data_pointer)) => (Some((plan, at)), data_pointer),
            Some(((plan, None), _)) => {
                (Some((plan, plan_attribute.unwrap_or(span))), format!("{pointer}/service_plan"))
            }
            None => (None, format!("{pointer}/service_plan")),
        };
        let mut instance = Instance {
            plan,
            plan_pointer,
            service_name,
            ..Instance::declared(name, InstanceFormat::TerraformCf, self.file, span, pointer.clone())
        };
        if let Some(expr) = parameters {
            self.configure(set, expr, &format!("{pointer}/{attribute}"), &mut instance);
        }
        self.bindings(label, &mut instance);
        self.bindings_elsewhere(set, label, &mut instance);
        set.instances.push(instance);
    }

    /// The name the service knows an instance by, from the resource's `name` argument (both
    /// providers require one): `(name, None)` when it is literal, or a local that is; else the
    /// resource's label and the name as written, its Terraform expressions as `${...}`
    /// placeholders (`"${var.env}-xsuaa"`, `var.name` as `${var.name}`), known when Terraform runs.
    pub(super) fn service_name(&self, block: Block<'_>, label: &str) -> (String, Option<String>) {
        let Some(expr) = block.attribute("name") else { return (label.to_string(), None) };
        let literal = |expr: Expr<'_>| match expr.shape() {
            Shape::String(s) => Some(s.to_string()),
            _ => None,
        };
        if let Some(name) = literal(expr) {
            return (name, None);
        }
        let span = expr.span();
        if let Some(name) = self.local(span).and_then(|(_, value)| literal(value)) {
            return (name, None);
        }
        let source = self.text.get(span.start..span.end).unwrap_or_default().trim();
        let written = match expr.shape() {
            Shape::Template => source.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(source).to_string(),
            // On one line: a placeholder the runbook shows in a command.
            _ => format!("${{{}}}", source.split_whitespace().collect::<Vec<_>>().join(" ")),
        };
        (label.to_string(), Some(written))
    }

    /// The instance's layers from its `parameters`; one that is not known is reported (XS007)
    /// and makes the instance incomplete.
    fn configure(&self, set: &mut InstanceSet, expr: Expr<'_>, pointer: &str, instance: &mut Instance) {
        match self.evaluate(set, expr, pointer, true, &mut Trail::default()) {
            Ok(layers) => instance.layers = layers,
            Err(unknown) => {
                instance.incomplete = true;
                if let Some((why, at)) = unknown {
                    let message = format!(
                        "the configuration of instance `{}` is not known until Terraform runs ({why}); it is not judged",
                        instance.name
                    );
                    set.unknown(self.file, at, message);
                }
            }
        }
    }

    /// The offering and plan named by `service_plan`, as far as they are literal.
    fn offering(&mut self, block: Block<'_>, instance_pointer: &str) -> Option<Offering> {
        let expr = block.attribute("service_plan")?;
        let source = self.text.get(expr.span().start..expr.span().end)?;
        let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
        let rest = compact.strip_prefix("data.")?;
        let (kind, rest) = rest.split_once('.')?;
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let (data_name, after) = rest.split_at(end);
        if !matches!(kind, "cloudfoundry_service_plan" | "cloudfoundry_service_plans" | "cloudfoundry_service") {
            return None;
        }
        let (data, own) = self.data_source(kind, data_name)?;
        let literal = |name: &str| data.string(name).map(|(value, at)| (value.to_string(), at));
        let pointer = format!("/data/{kind}/{data_name}/name");
        if kind == "cloudfoundry_service" {
            // The community provider: `service_plans["application"]` names the plan.
            let plan = after.strip_prefix(".service_plans[\"").and_then(|p| p.split_once("\"]")).map(|p| p.0);
            let plan = plan.map(|p| {
                let quoted = format!("\"{p}\"");
                let at = source.find(&quoted).map(|i| {
                    let start = expr.span().start + i;
                    Span::new(start, start + quoted.len())
                });
                (p.to_string(), at)
            });
            let pointer = format!("{instance_pointer}/service_plan");
            return Some(Offering { offering: literal("name").map(|n| n.0), plan, pointer });
        }
        let plan = literal("name").map(|(p, at)| (p, own.then_some(at)));
        Some(Offering { offering: literal("service_offering_name").map(|n| n.0), plan, pointer })
    }

    /// The `data "KIND" "NAME"` block, in the file or else in the folder; `true`: in the file.
    fn data_source(&mut self, kind: &str, name: &str) -> Option<(Block<'_>, bool)> {
        fn find<'d>(document: &'d Document, kind: &str, name: &str) -> Option<Block<'d>> {
            document.blocks().find(|b| b.is("data") && b.label(0) == Some(kind) && b.label(1) == Some(name))
        }
        if let Some(block) = find(self.document, kind, name) {
            return Some((block, true));
        }
        if self.others.is_none() {
            let mut others = Vec::new();
            for path in self.files.list(&self.folder, ".tf") {
                if path.file_name() == self.own.file_name() {
                    continue;
                }
                let Ok(source) = self.files.read(&path, &path.to_string_lossy()) else { continue };
                if let Ok(document) = crate::syntax::hcl::parse(&source.text) {
                    others.push(document);
                }
            }
            self.others = Some(others);
        }
        self.others.as_ref()?.iter().find_map(|document| find(document, kind, name)).map(|b| (b, false))
    }

    /// Whether literal parameters hold an `xsappname` (nothing is read from disk).
    fn literal_xsappname(&self, expr: Expr<'_>) -> bool {
        let mut probe = InstanceSet::default();
        self.evaluate(&mut probe, expr, "", false, &mut Trail::default())
            .is_ok_and(|layers| layers.iter().any(|l| l.node.get("xsappname").is_some()))
    }

    /// The layers an expression comes to, lowest precedence first (none: `null`). Followed at
    /// most [`MAX_EVALUATION_DEPTH`] deep; a local that names itself, directly or through
    /// others, is a cycle: either way the value is not known.
    fn evaluate(
        &self,
        set: &mut InstanceSet,
        expr: Expr<'_>,
        pointer: &str,
        read_files: bool,
        trail: &mut Trail,
    ) -> Result<Vec<Layer>, Unknown> {
        let span = expr.span();
        let unknown = |what: &str| -> Unknown {
            // A heredoc is shown by its first line.
            let source = self.text.get(span.start..span.end).unwrap_or("expression").trim();
            let source = source.lines().next().unwrap_or_default();
            let shown = if source.len() > 60 {
                format!("{}...", &source[..source.floor_char_boundary_compat(57)])
            } else {
                source.to_string()
            };
            Some((format!("{what} `{shown}`"), span))
        };
        if trail.depth >= MAX_EVALUATION_DEPTH {
            return Err(unknown(&format!("references and calls nested more than {MAX_EVALUATION_DEPTH} deep, at")));
        }
        trail.depth += 1;
        let layers = self.evaluate_inner(set, expr, pointer, read_files, trail, unknown);
        trail.depth -= 1;
        layers
    }

    fn evaluate_inner(
        &self,
        set: &mut InstanceSet,
        expr: Expr<'_>,
        pointer: &str,
        read_files: bool,
        trail: &mut Trail,
        unknown: impl Fn(&str) -> Unknown,
    ) -> Result<Vec<Layer>, Unknown> {
        let span = expr.span();
        let inline = |node: Node| Layer {
            file: self.file,
            kind: LayerKind::Inline,
            pointer: pointer.to_string(),
            node: node.into(),
        };
        match expr.shape() {
            Shape::Null => Ok(Vec::new()),
            Shape::Parenthesized(inner) => self.evaluate(set, inner, pointer, read_files, trail),
            Shape::Object => Ok(vec![inline(expr.to_node(self.text))]),
            Shape::String(s) => match crate::syntax::json::parse(s, 0) {
                Ok(node) => Ok(vec![inline(crate::syntax::hcl::respan(node, span))]),
                Err(_) => Err(unknown("a string that is not JSON:")),
            },
            Shape::Heredoc => {
                // The heredoc's lines as written: JSON ignores the indentation `<<-` strips, so
                // the values keep their exact positions in the file.
                let raw = self.text.get(span.start..span.end).unwrap_or_default();
                let body_start = raw.find('\n').map_or(raw.len(), |i| i + 1);
                let body_end = raw.trim_end().rfind('\n').map_or(body_start, |i| i + 1).max(body_start);
                // Parsed in place: the spans are the file's.
                match crate::syntax::json::parse(&self.text[..span.start + body_end], span.start + body_start) {
                    Ok(node) => Ok(vec![inline(node)]),
                    Err(_) => Err(unknown("a heredoc that is not JSON until rendered:")),
                }
            }
            Shape::Call { name, args } => {
                match (name, args.as_slice()) {
                    ("jsonencode" | "jsondecode", [arg]) => self.evaluate(set, *arg, pointer, read_files, trail),
                    (function @ ("file" | "templatefile"), [path, ..]) if read_files => {
                        self.file_layer(set, function, *path).map(|l| vec![l])
                    }
                    ("file" | "templatefile", _) => Err(None),
                    ("merge", args) if !args.is_empty() => {
                        let mut each = Vec::with_capacity(args.len());
                        for arg in args {
                            each.push(self.evaluate(set, *arg, pointer, read_files, trail)?);
                        }
                        // Shallow: a top-level key of a later map replaces the earlier maps' key.
                        // From the last argument back, each keeps the keys no later one gives:
                        // every key is looked at once.
                        let mut later: HashSet<String> = HashSet::new();
                        for layers in each.iter_mut().rev() {
                            let mut own = Vec::new();
                            for layer in layers.iter_mut() {
                                if let Value::Object(members) = &layer.node.value {
                                    let kept: Vec<String> = members
                                        .iter()
                                        .filter(|m| !later.contains(&m.key))
                                        .map(|m| m.key.clone())
                                        .collect();
                                    // A layer is copied (it may be shared) only when it loses a key.
                                    if kept.len() < members.len() {
                                        let node = std::sync::Arc::make_mut(&mut layer.node);
                                        if let Value::Object(members) = &mut node.value {
                                            members.retain(|m| !later.contains(&m.key));
                                        }
                                    }
                                    own.extend(kept);
                                }
                            }
                            later.extend(own);
                        }
                        Ok(each.into_iter().flatten().collect())
                    }
                    _ => Err(unknown("the value of")),
                }
            }
            Shape::Reference => match self.local(span) {
                // `local.x`, defined in the file: its value, where it is written.
                Some((name, _)) if trail.locals.iter().any(|l| l == name) => {
                    let cycle: Vec<String> = trail
                        .locals
                        .iter()
                        .map(String::as_str)
                        .skip_while(|l| *l != name)
                        .chain([name])
                        .map(|l| format!("local.{l}"))
                        .collect();
                    Err(unknown(&format!("a cycle of locals ({}), which Terraform rejects, at", cycle.join(" -> "))))
                }
                Some((name, value)) => {
                    trail.locals.push(name.to_string());
                    let layers = self.evaluate(set, value, pointer, read_files, trail);
                    trail.locals.pop();
                    layers
                }
                None => Err(unknown("the value of")),
            },
            _ => Err(unknown("the value of")),
        }
    }

    /// The name and expression of `local.NAME` (written at `span`) in the file's `locals` blocks.
    fn local(&self, span: Span) -> Option<(&'a str, Expr<'a>)> {
        let name = self.text.get(span.start..span.end)?.trim().strip_prefix("local.")?;
        if !name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
            return None;
        }
        let document: &'a Document = self.document;
        let locals = self.locals.get_or_init(|| {
            let mut locals = HashMap::new();
            for (name, value) in document.blocks().filter(|b| b.is("locals")).flat_map(Block::attributes) {
                locals.entry(name).or_insert(value);
            }
            locals
        });
        locals.get_key_value(name).map(|(name, value)| (*name, *value))
    }

    /// `file("${path.module}/xs-security.json")`: the descriptor as a layer of its own.
    fn file_layer(&self, set: &mut InstanceSet, function: &str, path: Expr<'_>) -> Result<Layer, Unknown> {
        let span = path.span();
        let source = self.text.get(span.start..span.end).unwrap_or_default().trim();
        let relative = match path.shape() {
            Shape::String(s) => s.to_string(),
            Shape::Template => {
                let inner = source.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(source);
                // A root module's folder is the file's folder too: the common case.
                let mut relative = inner.to_string();
                for prefix in ["${path.module}/", "${path.root}/", "${path.cwd}/"] {
                    if let Some(rest) = relative.strip_prefix(prefix) {
                        relative = rest.to_string();
                    }
                }
                if relative.contains("${") || relative.contains("%{") {
                    return Err(Some((format!("`{function}({source})` names a file through a variable"), span)));
                }
                relative
            }
            _ => return Err(Some((format!("`{function}({source})` names a file through a variable"), span))),
        };
        let node = Node { span, value: Value::String(relative.clone()) };
        let before = set.problems.len();
        let label = format!("{function}(\"{relative}\")");
        match descriptor_layer(set, self.file, &node, &self.folder, self.root, self.files, Some(&label)) {
            Some(layer) => Ok(layer),
            None if set.problems.len() > before => Err(None),
            // `file()` passes the text as it is: it is a descriptor that does not parse (XS001).
            None if function == "file" => Err(None),
            None => {
                // A template may hold `${...}` where JSON has values: not a broken descriptor.
                let instance = set.instances.len();
                set.unparsable.retain(|(i, _)| *i != instance);
                Err(Some((format!("`{function}(\"{relative}\")` is not JSON until Terraform renders it"), span)))
            }
        }
    }

    /// The bindings and service keys of the instance in the other `.tf` files of its module
    /// (Terraform reads a folder as one module), each file added to the set.
    fn bindings_elsewhere(&self, set: &mut InstanceSet, label: &str, instance: &mut Instance) {
        let reference = format!("{INSTANCE}.{label}.");
        for path in self.files.list(&self.folder, ".tf") {
            if path.file_name() == self.own.file_name() {
                continue;
            }
            // As the set names it: the fix loop's edited texts are found by that name.
            let path = super::normalize(&path);
            let Ok(source) = self.files.read(&path, &path.to_string_lossy()) else { continue };
            if !source.text.contains(&reference) || !BINDINGS.iter().any(|(kind, _)| source.text.contains(kind)) {
                continue;
            }
            let Ok(document) = crate::syntax::hcl::parse(&source.text) else { continue };
            let text = source.text.clone();
            let before = instance.requests.len() + instance.bindings.len();
            let new = !set.paths.contains(&path);
            let index = set.add_file(path, source);
            let module = Module::new(set, &text, &document, index, self.root, self.files);
            module.bindings(label, instance);
            if new && instance.requests.len() + instance.bindings.len() == before {
                // Nothing there for this instance: the file leaves the set again.
                set.files.pop();
                set.paths.pop();
            }
        }
    }

    /// The credential types the instance's bindings and service keys in the file ask for.
    fn bindings(&self, label: &str, instance: &mut Instance) {
        let mut probe = InstanceSet::default();
        let reference = format!("{INSTANCE}.{label}.");
        for (kind, attribute) in BINDINGS {
            for (binding, block) in self.document.resources(kind) {
                let target = block.source(self.text, "service_instance").unwrap_or_default();
                if !target.contains(&reference) {
                    continue;
                }
                let key = block.string("type").is_some_and(|(t, _)| t == "key") || kind == "cloudfoundry_service_key";
                // The name Cloud Foundry knows it by, else the resource's.
                let shown = block.string("name").map_or(binding, |(n, _)| n);
                let at = block.label_span(1).unwrap_or_default();
                instance.bindings.push(super::BindingRef {
                    file: self.file,
                    key,
                    name: shown.to_string(),
                    span: at,
                    handle: super::Handle::Terraform { address: address(kind, binding, block) },
                });
                let Some(value) = block.attribute(attribute) else { continue };
                let Ok(layers) = self.evaluate(&mut probe, value, "", false, &mut Trail::default()) else { continue };
                let what = if key { format!("service key `{shown}`") } else { format!("binding `{shown}`") };
                // Parameters written in the file itself (a `file(...)` layer's spans are in another).
                if let Some(layer) = layers.iter().rfind(|l| l.kind == LayerKind::Inline) {
                    instance.parameters.push(super::BindingParameters {
                        file: self.file,
                        what: what.clone(),
                        node: (*layer.node).clone(),
                        pointer: format!("/resource/{kind}/{binding}/{attribute}"),
                        renewal: super::Renewal::Unknown,
                    });
                }
                for layer in layers {
                    if let Some(node) = layer.node.get("credential-type") {
                        let pointer = crate::syntax::json::pointer_push(
                            &format!("/resource/{kind}/{binding}/{attribute}"),
                            "credential-type",
                        );
                        push_request(instance, self.file, what.clone(), node, pointer);
                    }
                }
            }
        }
    }
}

/// A resource's address in its module (`kind.label`), with an index placeholder when `count` or
/// `for_each` makes several of it (`-replace` then names one: `kind.label[0]`, `kind.label["a"]`).
pub(super) fn address(kind: &str, label: &str, block: Block<'_>) -> String {
    if block.attribute("for_each").is_some() {
        format!("{kind}.{label}[\"<key>\"]")
    } else if block.attribute("count").is_some() {
        format!("{kind}.{label}[<index>]")
    } else {
        format!("{kind}.{label}")
    }
}

/// `str::floor_char_boundary` is not stable on the minimum Rust version.
trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, at: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut at: usize) -> usize {
        at = at.min(self.len());
        while !self.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoFiles;

    impl Files for NoFiles {
        fn read(&self, _: &Path, _: &str) -> Result<crate::text::source::SourceFile, super::super::Unreadable> {
            Err(super::super::Unreadable::Missing)
        }
    }

    fn load(text: &str) -> InstanceSet {
        let source = crate::text::source::SourceFile::new("main.tf", text.to_string());
        super::super::load(
            Path::new("/r/main.tf"),
            source,
            super::super::FileFormat::Terraform,
            Path::new("/r"),
            &[],
            &NoFiles,
        )
    }

    #[test]
    fn merge_is_shallow_and_heredoc_values_keep_their_positions() {
        let text = r#"data "cloudfoundry_service_plan" "p" {
  name                  = "broker"
  service_offering_name = "xsuaa"
}
locals {
  base = { xsappname = "a", "oauth2-configuration" = { "token-validity" = 600, "credential-types" = ["instance-secret"] } }
}
resource "cloudfoundry_service_instance" "x" {
  name         = "x"
  service_plan = data.cloudfoundry_service_plan.p.id
  parameters   = jsonencode(merge(local.base, { "oauth2-configuration" = { "credential-types" = ["binding-secret"] } }))
}
resource "cloudfoundry_service_instance" "y" {
  name         = "y-xsuaa"
  service_plan = "guid"
  parameters   = <<-EOT
    {"xsappname": "y", "tenant-mode": "shared"}
  EOT
}
"#;
        let set = load(text);
        assert_eq!(set.instances.len(), 2);
        let x = &set.instances[0];
        assert_eq!(x.plan.as_ref().map(|p| p.0.as_str()), Some("broker"));
        let merged: Vec<Option<&Node>> = x.layers.iter().map(|l| l.node.get("oauth2-configuration")).collect();
        // The first map lost its whole `oauth2-configuration` (no `token-validity` survives).
        assert!(merged[0].is_none() && merged[1].is_some(), "{merged:?}");
        let y = &set.instances[1];
        assert!(y.plan.is_none());
        let mode = y.layers[0].node.get("tenant-mode").unwrap();
        assert_eq!(&text[mode.span.start..mode.span.end], "\"shared\"");
        assert!(set.problems.is_empty());
    }
}
