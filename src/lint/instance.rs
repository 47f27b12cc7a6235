//! Judging one service instance: its effective configuration through the schema and the
//! descriptor rules, then the instance rules (plan, layers, bindings). Migration findings of a
//! list that a descriptor file holds are judged on that file itself, so that their fixes are
//! built in its own text and style.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::deployment::{Instance, InstanceSet, Layer, LayerKind};
use crate::model::descriptor::{Baseline, CredentialType, CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::model::effective::{merge_all, plan_of, shift, Virtual};
use crate::rules::{self, Context, Finding, InstanceContext};
use crate::syntax::json::{Node, Value};
use crate::text::source::Span;

/// What one instance came to.
pub struct Evaluation {
    pub findings: Vec<Finding>,
    /// The migration state of the effective `credential-types` (`Invalid` when not judged).
    pub state: MigrationState,
    /// The effective `credential-types` as compared with the instance's other declarations
    /// (`Declared::list` of the engine's inventory): `None` without a configuration, or with one
    /// not known or not valid.
    pub list: Option<String>,
}

/// What a run adds to an instance's evaluation.
#[derive(Default, Clone, Copy)]
pub struct EvaluationOptions<'a> {
    pub policies: &'a [crate::rules::policy::Policy],
    /// The state the instance had when the run started (the fix loop's later passes).
    pub started_in: Option<MigrationState>,
    /// Each file of the set at the base revision (by file index), for the descriptor files.
    pub bases: &'a [Option<Baseline>],
    /// The configuration's `[recommendations]`; `None`: the defaults.
    pub recommendations: Option<&'a crate::rules::recommendations::Recommendations>,
    /// What the platform says about the instances (`--live`).
    pub live: Option<&'a crate::model::platform::LiveFacts>,
}

/// Everything found on one instance: its effective configuration through the schema and the
/// rules, then its plan and its bindings.
pub fn evaluate(set: &InstanceSet, instance: &Instance, options: &EvaluationOptions<'_>) -> Evaluation {
    // Each file's part that holds the instance's layers (its declaration's file: the
    // declaration too), in the order the files come.
    let mut parts: Vec<(usize, usize, usize)> = vec![(instance.file, instance.span.start, instance.span.end)];
    for layer in &instance.layers {
        let (from, to) = extent(&layer.node);
        match parts.iter_mut().find(|p| p.0 == layer.file) {
            Some(part) => *part = (part.0, part.1.min(from), part.2.max(to)),
            None => parts.push((layer.file, from, to)),
        }
    }
    let virt = Virtual::new(set, &parts);
    let effective = merge_all(instance.layers.iter().map(|l| shift(&l.node, virt.shift_of(l.file))).collect());
    // No configuration at all: an empty object, placed on the instance's declaration.
    let effective = effective.unwrap_or_else(|| {
        let by = virt.shift_of(instance.file);
        let at = |offset: usize| offset.saturating_add_signed(by);
        Node { span: Span::new(at(instance.span.start), at(instance.span.end)), value: Value::Object(Vec::new()) }
    });

    let plan = plan_of(instance);
    let recommendations = options.recommendations.unwrap_or(&crate::rules::recommendations::DEFAULT);
    // A reuse service's XSUAA client: only its bindings' and keys' credential types are judged,
    // against the nested `credential-types` (see `Wrapper`).
    if let Some(wrapper) = &instance.wrapper {
        let credential_types =
            wrapper.xs_security.as_ref().map_or(CredentialTypes::Absent { oauth2: None }, CredentialTypes::of);
        let mut findings = Vec::new();
        let ctx = InstanceContext { set, instance, credential_types: &credential_types, recommendations };
        rules::check_instance(&ctx, &mut findings);
        // Not compared with other declarations (XS115): another service's instance.
        return Evaluation { findings, state: credential_types.state(), list: None };
    }
    if instance.incomplete {
        let mut findings = Vec::new();
        let ctx = InstanceContext { set, instance, credential_types: &CredentialTypes::Invalid, recommendations };
        rules::check_instance(&ctx, &mut findings);
        return Evaluation { findings, state: MigrationState::Invalid, list: None };
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
        instance: Some(&instance.name),
        placement: crate::model::environment::Placement::deployed(instance.format),
        // The virtual text spans several files: fixes are built on the file holding the value.
        fixable: false,
        recommendations,
        live: options.live.and_then(|facts| {
            facts.find(&instance.name, instance.service_name.as_deref(), instance.namespace.as_deref())
        }),
    };
    ctx.started_in = options.started_in.unwrap_or_else(|| ctx.state());
    // XS003 is each file's own (its repeated keys are judged in the file): not run here.
    rules::check_descriptor_where(&ctx, &mut raw, |rule| rule.code != rules::xs003_duplicate_key::RULE.code);
    for policy in options.policies {
        policy.check(&virt.source, &effective, &mut raw);
    }
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
        rules::check_descriptor_where(&own, &mut out, |rule| rule.migration);
        findings.extend(out.into_iter().map(|diagnostic| Finding { file: layer.file, diagnostic }));
    }
    findings.extend(
        raw.into_iter()
            .filter(|d| d.rule.code != rules::xs003_duplicate_key::RULE.code) // each file's own lint
            .filter_map(|d| remap(set, instance, &virt, d)),
    );
    rules::check_instance(
        &InstanceContext { set, instance, credential_types: &ctx.credential_types, recommendations },
        &mut findings,
    );
    let list = match &ctx.credential_types {
        _ if instance.layers.is_empty() || ctx.credential_types_in_doubt => None,
        CredentialTypes::Listed { types, .. } => {
            let quoted: Vec<String> = types.iter().map(|t| format!("\"{}\"", t.as_str())).collect();
            Some(format!("[{}]", quoted.join(", ")))
        }
        CredentialTypes::Absent { .. } => Some("not set".to_string()),
        CredentialTypes::Invalid => None,
    };
    Evaluation { findings, state: ctx.state(), list }
}

/// The descriptor file whose `credential-types` the instance gets: the one holding the
/// effective list, or, when no layer sets one, the last descriptor file (where a fix adds it).
fn owning_descriptor<'i>(instance: &'i Instance, effective: &Node, virt: &Virtual) -> Option<&'i Layer> {
    let descriptors = || instance.layers.iter().filter(|l| l.kind == LayerKind::DescriptorFile);
    match effective.pointer(CREDENTIAL_TYPES_POINTER) {
        Some(list) => {
            let (file, _) = virt.file_at(list.span.start)?;
            descriptors().rfind(|l| l.file == file)
        }
        None => descriptors().next_back(),
    }
}

/// The bytes a node and its keys cover (a key may be written before its value's span).
fn extent(node: &Node) -> (usize, usize) {
    let (mut from, mut to) = (node.span.start, node.span.end);
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        from = from.min(node.span.start);
        to = to.max(node.span.end);
        match &node.value {
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => {
                for m in members {
                    from = from.min(m.key_span.start);
                    to = to.max(m.key_span.end);
                    stack.push(&m.value);
                }
            }
            _ => {}
        }
    }
    (from, to)
}

/// A finding on the virtual text, moved to the file that holds its span.
fn remap(set: &InstanceSet, instance: &Instance, virt: &Virtual, mut d: Diagnostic) -> Option<Finding> {
    let (file, by) = virt.file_at(d.start.offset)?;
    let source = &set.files[file];
    // On the file's character boundaries: a mark one byte long in the virtual text (its part
    // may end before a character the file has there) covers the file's whole character.
    let text = &source.text;
    let back = |offset: usize| {
        let mut at = offset.saturating_add_signed(-by).min(text.len());
        while !text.is_char_boundary(at) {
            at += 1;
        }
        at
    };
    let span = Span::new(back(d.start.offset), back(d.end.offset));
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
                let (start, end) = source.locate(Span::new(back(e.start.offset), back(e.end.offset)));
                Edit { start, end, content: e.content.clone() }
            })
            .collect();
        Some(Fix { edits, ..fix })
    });
    Some(Finding { file, diagnostic: d })
}
