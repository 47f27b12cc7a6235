//! The fixes of the migration rules (XS101-XS104, XS109): each moves a descriptor one safe step
//! along SAP's procedure, or (unsafe) finishes it. Every builder first asks whether the
//! instance may still move in this run ([`Context::may_move`]), and every list it writes keeps
//! the types that the instance's bindings and service keys ask for.

use crate::diagnostic::edit;
use crate::diagnostic::{Applicability, Fix};
use crate::model::descriptor::{
    CredentialType, CredentialTypes, MigrationState, CREDENTIAL_TYPES, OAUTH2_CONFIGURATION,
};
use crate::rules::Context;
use crate::syntax::json::Node;
use crate::text::source::Span;

/// SAP's step 1: `binding-secret` first, `instance-secret` last, and between them every other
/// type a binding or service key of the instance asks for (an `x509` binding keeps working).
fn dual_list(ctx: &Context<'_>) -> Vec<&'static str> {
    let mut list = vec![CredentialType::BindingSecret.as_str()];
    list.extend(requested_others(ctx).map(CredentialType::as_str));
    list.push(CredentialType::InstanceSecret.as_str());
    list
}

/// Requested types other than the two secrets, in the order first asked for.
fn requested_others<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = CredentialType> + 'a {
    let mut seen = Vec::new();
    ctx.requested.iter().copied().filter(move |t| {
        let new = !matches!(t, CredentialType::BindingSecret | CredentialType::InstanceSecret) && !seen.contains(t);
        seen.push(*t);
        new
    })
}

/// Outside Cloud Foundry: `binding-secret` first, then every other type a binding or service key
/// of the instance asks for (there is no instance secret to keep).
pub fn binding_list(ctx: &Context<'_>) -> Vec<&'static str> {
    let mut list = vec![CredentialType::BindingSecret.as_str()];
    list.extend(requested_others(ctx).map(CredentialType::as_str));
    list
}

/// XS101: add `credential-types` in the dual state, creating `oauth2-configuration` if needed.
pub fn add_dual_list(ctx: &Context<'_>) -> Option<Fix> {
    add_list(ctx, &dual_list(ctx), "Enable binding secrets beside the instance secret")
}

/// XS101 outside Cloud Foundry: add `credential-types` with binding secrets first and the
/// requested types (no instance secret: the environment has none).
pub fn add_binding_list(ctx: &Context<'_>) -> Option<Fix> {
    add_list(ctx, &binding_list(ctx), "State the binding-secret default explicitly")
}

fn add_list(ctx: &Context<'_>, dual: &[&str], message: &str) -> Option<Fix> {
    let CredentialTypes::Absent { oauth2 } = &ctx.credential_types else { return None };
    if !ctx.may_move() {
        return None;
    }
    let text = ctx.source.text.as_str();
    let nl = edit::newline(text);
    let unit = edit::indent_unit(text);
    let multiline_arrays = edit::arrays_are_multiline(text, ctx.root);
    let edit = match oauth2 {
        Some(member) => {
            let object = &member.value;
            let multiline = edit::object_is_multiline(text, object)
                || (object.as_object()?.is_empty() && edit::object_is_multiline(text, ctx.root));
            let indent = edit::member_indent(text, object);
            let mut list = edit::format_string_array(dual, multiline_arrays && multiline, &indent, &unit, nl);
            if edit::is_compact(text, ctx.root) {
                list = list.replace(", ", ",");
            }
            edit::append_member(text, object, CREDENTIAL_TYPES, &list, multiline)
        }
        None => {
            let root = ctx.root;
            let multiline = edit::object_is_multiline(text, root);
            let indent = edit::member_indent(text, root);
            let sep = edit::key_value_separator(text, root.as_object()?.last());
            let value = if multiline {
                let inner = format!("{indent}{unit}");
                let list = edit::format_string_array(dual, multiline_arrays, &inner, &unit, nl);
                format!("{{{nl}{inner}{}{sep}{list}{nl}{indent}}}", edit::quote(CREDENTIAL_TYPES))
            } else {
                let mut list = edit::format_string_array(dual, false, "", "", nl);
                if edit::is_compact(text, root) {
                    list = list.replace(", ", ",");
                }
                format!("{{{}{sep}{list}}}", edit::quote(CREDENTIAL_TYPES))
            };
            edit::append_member(text, root, OAUTH2_CONFIGURATION, &value, multiline)
        }
    };
    Some(Fix::new(Applicability::Safe, message, ctx.source, [edit]))
}

/// XS102 and XS104: make `binding-secret` (or `x509`, when it is the only other type) the
/// default, keeping every type that is allowed today.
pub fn binding_first(ctx: &Context<'_>, node: &Node, types: &[CredentialType]) -> Option<Fix> {
    if !ctx.may_move() {
        return None;
    }
    let items = node.as_array()?;
    let text = ctx.source.text.as_str();
    if types == [CredentialType::InstanceSecret] {
        // Insert `"binding-secret",` (and the requested types) before the only element, in the
        // array's own layout.
        let first = items.first()?;
        let gap = text.get(node.span.start + 1..first.span.start)?;
        let separator = match gap.find('\n') {
            Some(i) => format!(",{}", &gap[i - usize::from(gap[..i].ends_with('\r'))..]),
            None if edit::is_compact(text, ctx.root) => ",".to_string(),
            None => ", ".to_string(),
        };
        let dual = dual_list(ctx);
        let content: String = dual[..dual.len() - 1].iter().map(|t| format!("{}{separator}", edit::quote(t))).collect();
        return Some(Fix::new(
            Applicability::Safe,
            "Enable binding secrets beside the instance secret",
            ctx.source,
            [(Span::new(first.span.start, first.span.start), content)],
        ));
    }
    let target = if types.contains(&CredentialType::BindingSecret) {
        CredentialType::BindingSecret
    } else {
        CredentialType::X509
    };
    let from = types.iter().position(|t| *t == target)?;
    let mut order: Vec<CredentialType> = types.to_vec();
    let moved = order.remove(from);
    order.insert(0, moved);
    // Rewrite only the string tokens; commas, spaces and line breaks stay where they are.
    let edits = items.iter().zip(&order).take(from + 1).map(|(item, t)| (item.span, edit::quote(t.as_str())));
    Some(Fix::new(
        Applicability::Safe,
        format!("Make `{}` the default for new bindings", target.as_str()),
        ctx.source,
        edits.collect::<Vec<_>>(),
    ))
}

/// XS103: remove `instance-secret` from the list (unsafe: invalidates instance-secret bindings,
/// unless the platform shows that none is left: `safe`). Offered only when the run found the
/// instance in the dual state, the base revision (in git) was the dual state too, so it has
/// been deployed, and no binding or key asks for the instance secret.
pub fn remove_instance_secret(ctx: &Context<'_>, node: &Node, types: &[CredentialType], safe: bool) -> Option<Fix> {
    let deployed = ctx.base.is_none_or(|base| base.migration_state() == MigrationState::Dual);
    if !ctx.may_move()
        || ctx.started_in != MigrationState::Dual
        || !deployed
        || ctx.requested.contains(&CredentialType::InstanceSecret)
    {
        return None;
    }
    let items = node.as_array()?;
    let i = types.iter().position(|t| *t == CredentialType::InstanceSecret)?;
    if items.len() < 2 {
        return None;
    }
    let span = if i > 0 {
        Span::new(items[i - 1].span.end, items[i].span.end)
    } else {
        Span::new(items[0].span.start, items[1].span.start)
    };
    let (applicability, message) = if safe {
        (Applicability::Safe, "Remove the instance secret (the platform shows no binding or service key on it)")
    } else {
        (
            Applicability::Unsafe,
            "Remove the instance secret (after every app is rebound and every service key replaced)",
        )
    };
    Some(Fix::new(applicability, message, ctx.source, [(span, String::new())]))
}

/// XS109: allow `instance-secret` again, after the types listed now (the dual state).
pub fn restore_instance_secret(ctx: &Context<'_>, node: &Node) -> Option<Fix> {
    if !ctx.may_move() {
        return None;
    }
    let items = node.as_array()?;
    let text = ctx.source.text.as_str();
    let last = items.last()?;
    let separator = match items.len() {
        1 => {
            let gap = text.get(node.span.start + 1..last.span.start)?;
            match gap.find('\n') {
                Some(i) => format!(",{}", &gap[i - usize::from(gap[..i].ends_with('\r'))..]),
                None if edit::is_compact(text, ctx.root) => ",".to_string(),
                None => ", ".to_string(),
            }
        }
        n => text.get(items[n - 2].span.end..last.span.start)?.to_string(),
    };
    let content = format!("{separator}{}", edit::quote(CredentialType::InstanceSecret.as_str()));
    Some(Fix::new(
        Applicability::Safe,
        "Allow `instance-secret` again until every binding and service key is replaced",
        ctx.source,
        [(Span::new(last.span.end, last.span.end), content)],
    ))
}
