//! YAML (MTA descriptors, Kubernetes manifests) into the same span-carrying tree as JSON
//! ([`crate::parse::Node`]), so the rules and the schema work on either. Parsed with
//! `granit-parser`, whose spans are exact byte ranges (quoted scalars included).
//!
//! Plain scalars are typed as YAML 1.2's core schema does (null, booleans, decimal numbers);
//! quoted and block scalars are strings. An alias is replaced by a copy of its anchored node.

use crate::diagnostic::Span;
use crate::parse::{Member, Node, SyntaxError, Value};
use granit_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Deeper nesting than any deployment file needs; it keeps every later walk's stack bounded.
const MAX_DEPTH: usize = 512;

enum Open {
    Map { start: usize, items: Vec<Node>, anchor: usize },
    Seq { start: usize, items: Vec<Node>, anchor: usize },
}

fn typed(value: String, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(value);
    }
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        s if serde_json::from_str::<serde_json::Number>(s).is_ok() => Value::Number(value),
        _ => Value::String(value),
    }
}

fn key_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn error_at(text: &str, char_index: usize, message: String) -> SyntaxError {
    let offset = text.char_indices().nth(char_index).map_or(text.len(), |(i, _)| i);
    let end = text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    SyntaxError { span: Span::new(offset, end), message }
}

/// Every document of a YAML stream, in order.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut documents = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| error_at(text, e.marker().index(), e.info()))?;
        let range = span.byte_range().unwrap_or(0..0);
        let (node, anchor) = match event {
            Event::Scalar(value, style, anchor, _tag) => {
                (Node { span: Span::new(range.start, range.end), value: typed(value.into_owned(), style) }, anchor)
            }
            Event::Alias(id) => {
                let mut node = anchors.get(&id).cloned().unwrap_or(Node { span: Span::default(), value: Value::Null });
                // The copy keeps its own spans; a finding on it points at the anchored original.
                if node.span == Span::default() {
                    node.span = Span::new(range.start, range.end);
                }
                (node, 0)
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if stack.len() >= MAX_DEPTH => {
                return Err(error_at(text, span.start.index(), format!("nested more than {MAX_DEPTH} levels deep")));
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Open::Map { start: range.start, items: Vec::new(), anchor });
                continue;
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Open::Seq { start: range.start, items: Vec::new(), anchor });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Open::Map { start, items, anchor }) => {
                    let mut members = Vec::with_capacity(items.len() / 2);
                    let mut it = items.into_iter();
                    while let (Some(key), Some(value)) = (it.next(), it.next()) {
                        if let Some(k) = key_text(&key) {
                            members.push(Member { key: k, key_span: key.span, value });
                        }
                    }
                    (Node { span: Span::new(start, range.end.max(start)), value: Value::Object(members) }, anchor)
                }
                Some(Open::Seq { start, items, anchor }) => {
                    (Node { span: Span::new(start, range.end.max(start)), value: Value::Array(items) }, anchor)
                }
                None => continue,
            },
            _ => continue,
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            Some(Open::Map { items, .. } | Open::Seq { items, .. }) => items.push(node),
            None => documents.push(node),
        }
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_types() {
        let text = "a: \"x\" # c\nb: [one, 2, true]\nc:\n  - ~\n---\nd: &v 5\ne: *v\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        let a = docs[0].get("a").unwrap();
        assert_eq!(&text[a.span.start..a.span.end], "\"x\"");
        let b = docs[0].get("b").unwrap();
        assert_eq!(&text[b.span.start..b.span.end], "[one, 2, true]");
        assert_eq!(b.to_json(), serde_json::json!(["one", 2, true]));
        assert_eq!(docs[0].get("c").unwrap().to_json(), serde_json::json!([null]));
        assert_eq!(docs[1].get("e").unwrap().to_json(), serde_json::json!(5));
    }

    #[test]
    fn errors_have_a_position() {
        let e = parse_documents("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.span.start > 0, "{e:?}");
        let deep = "[".repeat(100_000);
        assert!(parse_documents(&deep).is_err());
    }
}
