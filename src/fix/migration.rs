//! The fixes of the migration rules (XS101-XS104): each moves a descriptor one safe step along
//! SAP's procedure, or (unsafe) finishes it.

use super::edit;
use crate::descriptor::{CredentialType, CredentialTypes, CREDENTIAL_TYPES, OAUTH2_CONFIGURATION};
use crate::diagnostic::{Applicability, Fix, Span};
use crate::parse::Node;
use crate::rules::Context;

const DUAL: [&str; 2] = ["binding-secret", "instance-secret"];

/// XS101: add `credential-types` in the dual state, creating `oauth2-configuration` if needed.
pub fn add_dual_list(ctx: &Context<'_>) -> Option<Fix> {
    let CredentialTypes::Absent { oauth2 } = &ctx.credential_types else { return None };
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
            let mut list = edit::format_string_array(&DUAL, multiline_arrays && multiline, &indent, &unit, nl);
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
                let list = edit::format_string_array(&DUAL, multiline_arrays, &inner, &unit, nl);
                format!("{{{nl}{inner}{}{sep}{list}{nl}{indent}}}", edit::quote(CREDENTIAL_TYPES))
            } else {
                let mut list = edit::format_string_array(&DUAL, false, "", "", nl);
                if edit::is_compact(text, root) {
                    list = list.replace(", ", ",");
                }
                format!("{{{}{sep}{list}}}", edit::quote(CREDENTIAL_TYPES))
            };
            edit::append_member(text, root, OAUTH2_CONFIGURATION, &value, multiline)
        }
    };
    Some(Fix::new(Applicability::Safe, "Enable binding secrets beside the instance secret", ctx.source, [edit]))
}

/// XS102 and XS104: make `binding-secret` (or `x509`, when it is the only other type) the
/// default, keeping every type that is allowed today.
pub fn binding_first(ctx: &Context<'_>, node: &Node, types: &[CredentialType]) -> Option<Fix> {
    let items = node.as_array()?;
    let text = ctx.source.text.as_str();
    if types == [CredentialType::InstanceSecret] {
        // Insert `"binding-secret",` before the only element, in the array's own layout.
        let first = items.first()?;
        let gap = &text[node.span.start + 1..first.span.start];
        let separator = match gap.find('\n') {
            Some(i) => format!(",{}", &gap[i - usize::from(gap[..i].ends_with('\r'))..]),
            None => ", ".to_string(),
        };
        let content = format!("{}{separator}", edit::quote(CredentialType::BindingSecret.as_str()));
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

/// XS103: remove `instance-secret` from the list (unsafe: invalidates instance-secret bindings).
pub fn remove_instance_secret(ctx: &Context<'_>, node: &Node, types: &[CredentialType]) -> Option<Fix> {
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
    Some(Fix::new(
        Applicability::Unsafe,
        "Remove the instance secret (after every app is rebound and every service key replaced)",
        ctx.source,
        [(span, String::new())],
    ))
}

/// XS109: allow `instance-secret` again, after the types listed now (the dual state).
pub fn restore_instance_secret(ctx: &Context<'_>, node: &Node) -> Option<Fix> {
    let items = node.as_array()?;
    let text = ctx.source.text.as_str();
    let last = items.last()?;
    let separator = match items.len() {
        1 => {
            let gap = &text[node.span.start + 1..last.span.start];
            match gap.find('\n') {
                Some(i) => format!(",{}", &gap[i - usize::from(gap[..i].ends_with('\r'))..]),
                None if edit::is_compact(text, ctx.root) => ",".to_string(),
                None => ", ".to_string(),
            }
        }
        n => text[items[n - 2].span.end..last.span.start].to_string(),
    };
    let content = format!("{separator}{}", edit::quote(CredentialType::InstanceSecret.as_str()));
    Some(Fix::new(
        Applicability::Safe,
        "Allow `instance-secret` again until every binding and service key is replaced",
        ctx.source,
        [(Span::new(last.span.end, last.span.end), content)],
    ))
}
