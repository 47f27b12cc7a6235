//! The effective configuration of a service instance, and its verdict.
//!
//! The layers of an instance (MTA: the file at `path` < `config` < each extension) are merged
//! as the MTA deployer does: maps merge recursively, any other value (lists included) is
//! replaced (spec section 4.2). To keep every value's origin, the layers' files are laid end to
//! end in one virtual text and the merged tree's spans point into it; each finding is then
//! mapped back to the file and span that supplied the value. The core rules and the schema run
//! on the merged tree unchanged; the plan and binding rules (XS105-XS112) run here.

use crate::deployment::{Instance, InstanceSet, LayerKind};
use crate::descriptor::{CredentialType, CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::parse::{Member, Node, Value};
use crate::rules::{self, Context};
use crate::source::SourceFile;
use crate::source::Span;

/// A finding in one of the instance set's files.
#[derive(Debug, Clone)]
pub struct Finding {
    pub file: usize,
    pub diagnostic: Diagnostic,
}

/// The plan an instance is judged under: as written, or `application` when unknown.
pub fn plan_of(instance: &Instance) -> &str {
    instance.plan.as_ref().map_or("application", |(p, _)| p.as_str())
}

fn shift(node: &Node, by: usize) -> Node {
    let span = Span::new(node.span.start + by, node.span.end + by);
    let value = match &node.value {
        Value::Array(items) => Value::Array(items.iter().map(|n| shift(n, by)).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| Member {
                    key: m.key.clone(),
                    key_span: Span::new(m.key_span.start + by, m.key_span.end + by),
                    value: shift(&m.value, by),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node { span, value }
}

/// `high` over `low`: maps merge key by key, anything else is replaced.
pub fn merge(low: Node, high: Node) -> Node {
    match (low.value, high.value) {
        (Value::Object(mut members), Value::Object(overrides)) => {
            for over in overrides {
                match members.iter().rposition(|m| m.key == over.key) {
                    Some(i) => {
                        let old = std::mem::replace(
                            &mut members[i].value,
                            Node { span: Span::default(), value: Value::Null },
                        );
                        members[i].value = merge(old, over.value);
                        members[i].key_span = over.key_span;
                    }
                    None => members.push(over),
                }
            }
            Node { span: high.span, value: Value::Object(members) }
        }
        (_, value) => Node { span: high.span, value },
    }
}

struct Virtual {
    source: SourceFile,
    /// (file index, start offset in the virtual text, length)
    parts: Vec<(usize, usize, usize)>,
}

impl Virtual {
    fn new(set: &InstanceSet, files: &[usize]) -> Self {
        let mut text = String::new();
        let mut parts = Vec::new();
        for &f in files {
            parts.push((f, text.len(), set.files[f].text.len()));
            text.push_str(&set.files[f].text);
            text.push('\n');
        }
        Virtual { source: SourceFile::new("<effective configuration>", text), parts }
    }

    fn base(&self, file: usize) -> usize {
        self.parts.iter().find(|p| p.0 == file).map_or(0, |p| p.1)
    }

    fn file_at(&self, offset: usize) -> Option<(usize, usize)> {
        self.parts.iter().find(|(_, start, len)| offset >= *start && offset <= start + len).map(|p| (p.0, p.1))
    }
}

/// What one instance came to.
pub struct Evaluation {
    pub findings: Vec<Finding>,
    /// The migration state of the effective `credential-types` (`Invalid` when not judged).
    pub state: MigrationState,
}

/// What a run adds to an instance's evaluation.
#[derive(Default, Clone, Copy)]
pub struct EvaluationOptions<'a> {
    pub policies: &'a [crate::policy::Policy],
    /// The state the instance had when the run started (the fix loop's later passes).
    pub started_in: Option<MigrationState>,
    /// Each file of the set at the base revision (by file index), for the descriptor files.
    pub bases: &'a [Option<crate::descriptor::Baseline>],
}

/// Everything found on one instance: its effective configuration through the schema and the
/// rules, then its plan and its bindings.
pub fn evaluate(set: &InstanceSet, instance: &Instance, options: &EvaluationOptions<'_>) -> Evaluation {
    let mut files = vec![instance.file];
    for layer in &instance.layers {
        if !files.contains(&layer.file) {
            files.push(layer.file);
        }
    }
    let virt = Virtual::new(set, &files);
    let mut effective: Option<Node> = None;
    for layer in &instance.layers {
        let node = shift(&layer.node, virt.base(layer.file));
        effective = Some(match effective {
            Some(low) => merge(low, node),
            None => node,
        });
    }
    // No configuration at all: an empty object, placed on the instance's declaration.
    let effective = effective.unwrap_or_else(|| {
        let base = virt.base(instance.file);
        Node { span: Span::new(instance.span.start + base, instance.span.end + base), value: Value::Object(Vec::new()) }
    });

    let plan = plan_of(instance);
    if instance.incomplete {
        let mut findings = Vec::new();
        request_rules(set, instance, &CredentialTypes::Invalid, &mut findings);
        return Evaluation { findings, state: MigrationState::Invalid };
    }
    let requested: Vec<CredentialType> =
        instance.requests.iter().filter_map(|r| CredentialType::parse(&r.value)).collect();
    let schema = crate::rules::schema::validate(&virt.source, &effective);
    let mut raw = schema.diagnostics;
    let mut ctx = Context {
        source: &virt.source,
        root: &effective,
        credential_types: CredentialTypes::of(&effective),
        credential_types_in_doubt: schema.credential_types_in_doubt,
        base: None,
        plan: Some(plan),
        started_in: MigrationState::Invalid,
        requested: &requested,
        // The virtual text spans several files: fixes are built on the file holding the value.
        fixable: false,
    };
    ctx.started_in = options.started_in.unwrap_or_else(|| ctx.state());
    rules::check_descriptor(&ctx, &mut raw);
    for policy in options.policies {
        policy.check(&virt.source, &effective, &mut raw);
    }
    plan_rules(&ctx, instance, &mut raw);
    // The migration findings of a list that a descriptor file holds (or would hold) are judged
    // on that file itself, so that their fixes are built in its own text and style.
    let owner = owning_descriptor(instance, &effective, &virt);
    let mut findings: Vec<Finding> = Vec::new();
    if let Some(layer) = owner {
        raw.retain(|d| !rules::is_migration_rule(d.rule.code));
        let source = &set.files[layer.file];
        let own = Context {
            source,
            root: &layer.node,
            credential_types: CredentialTypes::of(&layer.node),
            base: options.bases.get(layer.file).and_then(Option::as_ref),
            fixable: true,
            ..ctx
        };
        let mut out = Vec::new();
        rules::check_descriptor_where(&own, &mut out, rules::is_migration_rule);
        apiaccess_instance_secret(&own, &format!("instance `{}`", instance.name), &mut out);
        findings.extend(out.into_iter().map(|diagnostic| Finding { file: layer.file, diagnostic }));
    }
    findings.extend(
        raw.into_iter()
            .filter(|d| d.rule.code != rules::xs003_duplicate_key::RULE.code) // each file's own lint
            .filter_map(|d| remap(set, instance, &virt, d)),
    );
    request_rules(set, instance, &ctx.credential_types, &mut findings);
    Evaluation { findings, state: ctx.state() }
}

/// The descriptor file whose `credential-types` the instance gets: the one holding the
/// effective list, or, when no layer sets one, the last descriptor file (where a fix adds it).
fn owning_descriptor<'i>(
    instance: &'i Instance,
    effective: &Node,
    virt: &Virtual,
) -> Option<&'i crate::deployment::Layer> {
    let descriptors = || instance.layers.iter().filter(|l| l.kind == LayerKind::DescriptorFile);
    match effective.pointer(CREDENTIAL_TYPES_POINTER) {
        Some(list) => {
            let (file, _) = virt.file_at(list.span.start)?;
            descriptors().rfind(|l| l.file == file)
        }
        None => descriptors().next_back(),
    }
}

/// A finding on the virtual text, moved to the file that holds its span.
fn remap(set: &InstanceSet, instance: &Instance, virt: &Virtual, mut d: Diagnostic) -> Option<Finding> {
    let (file, base) = virt.file_at(d.start.offset)?;
    let source = &set.files[file];
    let span = Span::new(d.start.offset - base, d.end.offset.saturating_sub(base).min(source.text.len()));
    (d.start, d.end) = source.locate(span);
    let layer = instance.layers.iter().find(|l| l.file == file);
    if let Some(layer) = layer {
        if !layer.pointer.is_empty() {
            d.pointer = format!("{}{}", layer.pointer, d.pointer);
        }
    }
    let json_layer = layer.is_some_and(|l| l.kind == LayerKind::DescriptorFile);
    // XS105's fix swaps one scalar token in its own quoting, so it suits YAML and HCL too.
    let token_swap = d.rule.code == rules::xs105_apiaccess_instance_secret::RULE.code;
    d.fix = d.fix.take().and_then(|fix| {
        // A fix written for JSON may only land in a JSON descriptor, wholly inside it.
        let inside = fix.edits.iter().all(|e| virt.file_at(e.start.offset).map(|f| f.0) == Some(file));
        if !(json_layer || token_swap) || !inside {
            return None;
        }
        let edits = fix
            .edits
            .iter()
            .map(|e| {
                let (start, end) = source.locate(Span::new(e.start.offset - base, e.end.offset - base));
                Edit { start, end, content: e.content.clone() }
            })
            .collect();
        Some(Fix { edits, ..fix })
    });
    Some(Finding { file, diagnostic: d })
}

const TOKEN_SWAP: &str = "Switch to";

/// Replaces the scalar token `old` by `value`, keeping its quoting (YAML plain, single or
/// double quotes, JSON or HCL strings). `None` when the span does not hold exactly that token
/// (a value inside a Terraform JSON string is spanned by the whole string).
fn swap_token(source: &SourceFile, span: Span, old: &str, value: &str) -> Option<(Span, String)> {
    let token = source.text.get(span.start..span.end)?;
    let content = match token.chars().next() {
        Some('"') if token == format!("\"{old}\"") => format!("\"{value}\""),
        Some('\'') if token == format!("'{old}'") => format!("'{value}'"),
        _ if token == old => value.to_string(),
        _ => return None,
    };
    Some((span, content))
}

/// XS105 on a descriptor judged under the `apiaccess` plan; `who` names the instance.
pub fn apiaccess_instance_secret(ctx: &Context<'_>, who: &str, out: &mut Vec<Diagnostic>) {
    use rules::xs105_apiaccess_instance_secret as xs105;
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    if ctx.plan != Some("apiaccess")
        || !types.contains(&CredentialType::InstanceSecret)
        || ctx.credential_types_in_doubt
    {
        return;
    }
    let index = types.iter().position(|t| *t == CredentialType::InstanceSecret).unwrap_or(0);
    let entry = node.as_array().and_then(|items| items.get(index)).unwrap_or(node);
    let mut d = Diagnostic::new(
        &xs105::RULE,
        ctx.source,
        entry.span,
        format!("{CREDENTIAL_TYPES_POINTER}/{index}"),
        format!("{who} uses the `apiaccess` plan, which hands out binding secrets only, yet `credential-types` lists `instance-secret`"),
    );
    if types.len() == 1 {
        let edit = swap_token(ctx.source, entry.span, CredentialType::InstanceSecret.as_str(), "binding-secret");
        d =
            d.with_fix(edit.map(|edit| {
                Fix::new(Applicability::Safe, format!("{TOKEN_SWAP} `binding-secret`"), ctx.source, [edit])
            }));
        d.help = Some("List `binding-secret` instead.".into());
    } else {
        d.help = Some("Remove `instance-secret` from the list.".into());
    }
    out.push(d);
}

/// XS106 for a descriptor whose plan comes from `--plan` or the configuration: placed on the
/// document's first character, since the descriptor does not name its plan.
pub fn deprecated_plan(source: &SourceFile, root: &Node, plan: &str, out: &mut Vec<Diagnostic>) {
    if !matches!(plan, "apiaccess" | "space") {
        return;
    }
    let at = Span::new(root.span.start, root.span.start + 1);
    out.push(
        Diagnostic::new(
            &rules::xs106_deprecated_plan::RULE,
            source,
            at,
            "",
            format!(
                "this descriptor is configured for the deprecated `{plan}` plan (by `--plan` or the configuration)"
            ),
        )
        .with_help("Plan the move to the `application` plan."),
    );
}

fn plan_rules(ctx: &Context<'_>, instance: &Instance, out: &mut Vec<Diagnostic>) {
    use rules::xs108_skipped_service_update as xs108;
    apiaccess_instance_secret(ctx, &format!("instance `{}`", instance.name), out);
    if let CredentialTypes::Listed { types, .. } = &ctx.credential_types {
        let state = MigrationState::of(types);
        if let (Some(skip), true) =
            (instance.skip_service_updates, matches!(state, MigrationState::Dual | MigrationState::DualInstanceFirst))
        {
            // The span is in the deployment file, which is the first part of the virtual text.
            out.push(
                Diagnostic::new(
                    &xs108::RULE,
                    ctx.source,
                    skip,
                    format!("{}/parameters/skip-service-updates/parameters", instance.pointer),
                    format!(
                        "`skip-service-updates.parameters` is set on `{}` while its `credential-types` is in the middle of the migration (state: {}): the changed list is never sent to the service",
                        instance.name,
                        state.as_str()
                    ),
                )
                .with_help("Remove `skip-service-updates.parameters` (or set it to false) for the deployments that move the migration on."),
            );
        }
    }
}

/// Plan, extension and binding rules whose findings sit in the deployment file itself.
fn request_rules(set: &InstanceSet, instance: &Instance, types: &CredentialTypes<'_>, out: &mut Vec<Finding>) {
    use rules::{
        xs106_deprecated_plan as xs106, xs107_credential_types_replaced as xs107,
        xs110_instance_secret_binding as xs110, xs111_credential_type_not_allowed as xs111,
        xs112_ias_credential_type as xs112,
    };
    let deployment = &set.files[instance.file];
    if let Some((plan, span)) = &instance.plan {
        if matches!(plan.as_str(), "apiaccess" | "space") {
            let d = Diagnostic::new(
                &xs106::RULE,
                deployment,
                *span,
                format!("{}/parameters/service-plan", instance.pointer),
                format!("instance `{}` uses the deprecated `{plan}` plan", instance.name),
            )
            .with_help(if plan == "apiaccess" {
                "SAP recommends API credentials of the SAP BTP CLI or a service instance of the `application` plan instead."
            } else {
                "Move to the `application` plan."
            });
            out.push(Finding { file: instance.file, diagnostic: d });
        }
    }

    // XS107: an upper layer replaces the descriptor file's list with another one.
    let lists: Vec<(&crate::deployment::Layer, &Node)> =
        instance.layers.iter().filter_map(|l| l.node.pointer(CREDENTIAL_TYPES_POINTER).map(|n| (l, n))).collect();
    if let (Some((top_layer, top)), true) = (lists.last(), lists.len() > 1) {
        let below = &lists[lists.len() - 2];
        if top_layer.kind != LayerKind::DescriptorFile && below.1.to_json() != top.to_json() {
            let file = top_layer.file;
            let where_below =
                set.paths[below.0.file].file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let d = Diagnostic::new(
                &xs107::RULE,
                &set.files[file],
                top.span,
                format!("{}{CREDENTIAL_TYPES_POINTER}", top_layer.pointer),
                format!(
                    "this `credential-types` {} replaces {} from {where_below}: the file does not say what is deployed",
                    top.to_json(),
                    below.1.to_json()
                ),
            )
            .with_help("Keep one list, in the file that the next reader will look at, or make both say the same.");
            out.push(Finding { file, diagnostic: d });
        }
    }

    let allowed: Option<&[CredentialType]> = match types {
        CredentialTypes::Listed { types, .. } => Some(types),
        _ => None,
    };
    for request in &instance.requests {
        let source = &set.files[request.file];
        let value = request.value.as_str();
        if matches!(value.to_ascii_uppercase().as_str(), "X509_GENERATED" | "X509_PROVIDED" | "X509_ATTESTED") {
            let d = Diagnostic::new(
                &xs112::RULE,
                source,
                request.span,
                request.pointer.clone(),
                format!(
                    "{} asks xsuaa for `{value}`, a credential type of SAP Cloud Identity Services (IAS), not of xsuaa",
                    request.what
                ),
            )
            .with_help("xsuaa knows `binding-secret` and `x509`; use `x509` for a certificate.");
            out.push(Finding { file: request.file, diagnostic: d });
            continue;
        }
        if value == "instance-secret" {
            let binding_allowed = allowed.is_none_or(|t| t.contains(&CredentialType::BindingSecret));
            let mut d = Diagnostic::new(
                &xs110::RULE,
                source,
                request.span,
                request.pointer.clone(),
                format!("{} asks for `credential-type: instance-secret`, which xsuaa no longer hands out for new bindings and service keys (since 2026-01-19)", request.what),
            );
            if binding_allowed {
                let edit = swap_token(source, request.span, value, "binding-secret");
                d = d
                    .with_fix(edit.map(|edit| {
                        Fix::new(Applicability::Safe, format!("{TOKEN_SWAP} `binding-secret`"), source, [edit])
                    }))
                    .with_help("Ask for `binding-secret` (or `x509`).");
            } else {
                d = d.with_help("Ask for a type the instance allows: `binding-secret` or `x509`, after adding it to `credential-types`.");
            }
            out.push(Finding { file: request.file, diagnostic: d });
            continue;
        }
        let known = CredentialType::parse(value);
        let message = match (known, allowed) {
            (None, _) => {
                format!("{} asks for `credential-type: {value}`, which is not a credential type of xsuaa", request.what)
            }
            (Some(t), Some(types)) if !types.contains(&t) => format!(
                "{} asks for `{value}`, but instance `{}` allows only {}",
                request.what,
                instance.name,
                types.iter().map(|t| format!("`{}`", t.as_str())).collect::<Vec<_>>().join(", ")
            ),
            _ => continue,
        };
        let d = Diagnostic::new(&xs111::RULE, source, request.span, request.pointer.clone(), message)
            .with_help("Ask for a type listed in the instance's `credential-types`, or add it there first (and update the instance).");
        out.push(Finding { file: request.file, diagnostic: d });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_merge_and_lists_are_replaced() {
        let low = crate::parse::parse(r#"{"a": {"x": 1, "y": [1, 2]}, "b": 1}"#, 0).unwrap();
        let high = crate::parse::parse(r#"{"a": {"y": [3], "z": true}}"#, 0).unwrap();
        let merged = merge(low, high);
        assert_eq!(merged.to_json(), serde_json::json!({"a": {"x": 1, "y": [3], "z": true}, "b": 1}));
    }
}
