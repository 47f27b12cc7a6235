//! Building format-preserving edits: the style of the surrounding text decides the new text.

use crate::syntax::json::{Member, Node};
use crate::text::source::Span;

/// The whitespace (possibly with a newline and indentation) right before `at`.
pub fn whitespace_before(text: &str, at: usize) -> &str {
    let before = &text[..at];
    let start = before.trim_end_matches([' ', '\t', '\r', '\n']).len();
    &text[start..at]
}

/// The indentation of the line that holds `at`.
pub fn line_indent(text: &str, at: usize) -> &str {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[line_start..];
    let len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..len]
}

pub fn newline(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// One level of indentation as the file uses it (a tab, or the first indentation seen).
pub fn indent_unit(text: &str) -> String {
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if !indent.is_empty() && !line.trim().is_empty() {
            if indent.starts_with('\t') {
                return "\t".into();
            }
            return indent.to_string();
        }
    }
    "  ".into()
}

/// How the file writes `"key": value`: the text between a key and its value.
pub fn key_value_separator<'t>(text: &'t str, member: Option<&Member>) -> &'t str {
    member.and_then(|m| text.get(m.key_span.end..m.value.span.start)).unwrap_or(": ")
}

pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// The first array of strings in the document with at least one element: does it put its
/// elements on their own lines?
pub fn arrays_are_multiline(text: &str, root: &Node) -> bool {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let Some(items) = node.as_array() {
            if let Some(first) = items.first() {
                if first.as_str().is_some() {
                    return text[node.span.start..first.span.start].contains('\n');
                }
            }
        }
        match &node.value {
            crate::syntax::json::Value::Object(ms) => stack.extend(ms.iter().rev().map(|m| &m.value)),
            crate::syntax::json::Value::Array(items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
    false
}

/// `values` as a JSON array, inline or one per line at `indent` (the indentation of the line
/// holding the opening bracket).
pub fn format_string_array(values: &[&str], multiline: bool, indent: &str, unit: &str, nl: &str) -> String {
    let quoted: Vec<String> = values.iter().map(|v| quote(v)).collect();
    if multiline {
        let inner = format!("{nl}{indent}{unit}");
        format!("[{inner}{}{nl}{indent}]", quoted.join(&format!(",{inner}")))
    } else {
        format!("[{}]", quoted.join(", "))
    }
}

/// A minified document: no whitespace between the keys and values of its root object.
pub fn is_compact(text: &str, root: &Node) -> bool {
    let members = root.as_object().unwrap_or_default();
    !members.is_empty()
        && members.iter().all(|m| {
            whitespace_before(text, m.key_span.start).is_empty()
                && text.get(m.key_span.end..m.value.span.start) == Some(":")
        })
}

/// An edit that appends a member (`key` + `separator` + `value_text`) at the end of `object`,
/// in the style of the object's existing members. `value_text` may span lines; it must already
/// be indented for the member's depth.
pub fn append_member(text: &str, object: &Node, key: &str, value_text: &str, multiline_doc: bool) -> (Span, String) {
    let members = object.as_object().unwrap_or_default();
    let sep = key_value_separator(text, members.last());
    let member = format!("{}{sep}{value_text}", quote(key));
    match members.last() {
        Some(last) => {
            // The same whitespace as before the last key: a newline and indentation, a space, or
            // nothing in a minified file.
            let ws = whitespace_before(text, last.key_span.start);
            (Span::new(last.value.span.end, last.value.span.end), format!(",{ws}{member}"))
        }
        None => {
            let open = object.span.start + 1;
            let close = object.span.end - 1;
            if multiline_doc {
                let nl = newline(text);
                let indent = line_indent(text, object.span.start);
                let unit = indent_unit(text);
                (Span::new(open, close), format!("{nl}{indent}{unit}{member}{nl}{indent}"))
            } else {
                (Span::new(open, close), member)
            }
        }
    }
}

/// The indentation a member of `object` has (or would have).
pub fn member_indent(text: &str, object: &Node) -> String {
    match object.as_object().and_then(|m| m.last()) {
        Some(last) => line_indent(text, last.key_span.start).to_string(),
        None => format!("{}{}", line_indent(text, object.span.start), indent_unit(text)),
    }
}

/// Whether the object's members sit on their own lines (a minified file: no).
pub fn object_is_multiline(text: &str, object: &Node) -> bool {
    text[object.span.start..object.span.end].contains('\n')
}

/// Replaces the scalar token `old` by `value`, keeping its quoting (YAML plain, single or
/// double quotes, JSON or HCL strings). `None` when the span does not hold exactly that token
/// (a value inside a Terraform JSON string is spanned by the whole string).
pub fn swap_token(text: &str, span: Span, old: &str, value: &str) -> Option<(Span, String)> {
    let token = text.get(span.start..span.end)?;
    let content = match token.chars().next() {
        Some('"') if token == format!("\"{old}\"") => format!("\"{value}\""),
        Some('\'') if token == format!("'{old}'") => format!("'{value}'"),
        _ if token == old => value.to_string(),
        _ => return None,
    };
    Some((span, content))
}
