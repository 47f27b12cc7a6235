//! YAML (MTA descriptors, Kubernetes manifests) into the same span-carrying tree as JSON
//! ([`crate::syntax::json::Node`]), so the rules and the schema work on either. Parsed with
//! `granit-parser`, whose spans are exact byte ranges (quoted scalars included).
//!
//! Plain scalars are typed as YAML 1.2's core schema does (null, booleans, decimal numbers);
//! quoted and block scalars are strings. An alias is replaced by a copy of its anchored node.
//!
//! Copies are bounded: an alias that would bring what is copied through aliases over
//! [`copy_budget`] is a syntax error at the alias, so a "billion laughs" document (each level
//! aliasing the previous one ten times, or one long string nine times) costs milliseconds
//! instead of gigabytes. What a copy costs is its nodes, a node counting one more for each
//! [`BYTES_PER_UNIT`] bytes of text it holds. Keeping an anchored node for its aliases is a copy
//! too (anchors nested in anchors copy a subtree once each): those copies may reach twice the
//! budget, so that an alias bomb stops at an alias.

use crate::syntax::json::{Member, Node, SyntaxError, Value};
use crate::text::source::Span;
use granit_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Deeper nesting than any deployment file needs; it keeps every later walk's stack bounded.
const MAX_DEPTH: usize = 512;

/// A node's text (a scalar, a key) costs one more unit of the copy budget per this many bytes.
pub const BYTES_PER_UNIT: usize = 32;

/// How much may be copied for the aliases (and the anchors they refer to) of a text, in
/// nodes (see [`BYTES_PER_UNIT`]): far more than a deployment file with a few anchors needs (a
/// map of ten keys aliased in twenty places is some two hundred), and never more than a file of
/// the same size could hold without aliases, so time and memory stay proportional to the input.
pub fn copy_budget(text: &str) -> usize {
    text.len().max(10_000)
}

/// An anchored node, with its cost and height, so that an alias costs a lookup to judge.
struct Anchored {
    node: Node,
    cost: usize,
    height: usize,
}

/// What copying `node` costs (its nodes and text, see [`BYTES_PER_UNIT`]) and its height (1 for
/// a scalar).
fn measure(node: &Node) -> (usize, usize) {
    let fold = |(n, h): (usize, usize), (cn, ch): (usize, usize)| (n + cn, h.max(ch + 1));
    match &node.value {
        Value::Array(items) => items.iter().map(measure).fold((1, 1), fold),
        Value::Object(members) => members
            .iter()
            .map(|m| {
                let (cost, height) = measure(&m.value);
                (cost + m.key.len() / BYTES_PER_UNIT, height)
            })
            .fold((1, 1), fold),
        Value::String(s) | Value::Number(s) => (1 + s.len() / BYTES_PER_UNIT, 1),
        _ => (1, 1),
    }
}

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
        // A JSON number starts with `-` or a digit: other scalars skip the parse and the
        // error it would allocate (one for most plain scalars of an MTA).
        s if s.starts_with(|c: char| c == '-' || c.is_ascii_digit())
            && serde_json::from_str::<serde_json::Number>(s).is_ok() =>
        {
            Value::Number(value)
        }
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

/// Resolves YAML's merge keys (`<<: *defaults`, `<<: [*a, *b]`): the merged mappings' entries
/// take the place of the `<<` entry, except the keys the mapping sets itself; of several merged
/// mappings the first that has a key wins. Anything else under `<<` stays an ordinary entry.
fn merge_keys(members: Vec<Member>) -> Vec<Member> {
    let is_merge = |m: &Member| {
        m.key == "<<"
            && match &m.value.value {
                Value::Object(_) => true,
                Value::Array(items) => items.iter().all(|i| matches!(i.value, Value::Object(_))),
                _ => false,
            }
    };
    if !members.iter().any(is_merge) {
        return members;
    }
    let mut seen: std::collections::HashSet<String> =
        members.iter().filter(|m| !is_merge(m)).map(|m| m.key.clone()).collect();
    let mut out = Vec::with_capacity(members.len());
    for member in members {
        if !is_merge(&member) {
            out.push(member);
            continue;
        }
        let sources = match member.value.value {
            Value::Object(inner) => vec![inner],
            Value::Array(items) => items
                .into_iter()
                .filter_map(|i| match i.value {
                    Value::Object(inner) => Some(inner),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for inner in sources {
            for m in inner {
                if seen.insert(m.key.clone()) {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// Every document of a YAML stream, in order.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let mut documents = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Anchored> = HashMap::new();
    let mut budget = copy_budget(text);
    let mut anchor_budget = 2 * copy_budget(text);
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| error_at(text, e.marker().index(), e.info()))?;
        let range = span.byte_range().unwrap_or(0..0);
        let (node, anchor) = match event {
            Event::Scalar(value, style, anchor, _tag) => {
                (Node { span: Span::new(range.start, range.end), value: typed(value.into_owned(), style) }, anchor)
            }
            Event::Alias(id) => {
                let alias_span = Span::new(range.start, range.end.max(range.start));
                let mut node = match anchors.get(&id) {
                    Some(anchored) => {
                        if anchored.cost > budget {
                            return Err(SyntaxError {
                                span: alias_span,
                                message: format!(
                                    "too many alias expansions: the aliases of this file would copy more than {} \
                                     nodes (a \"billion laughs\" document?)",
                                    copy_budget(text)
                                ),
                            });
                        }
                        if stack.len() + anchored.height > MAX_DEPTH + 1 {
                            return Err(SyntaxError {
                                span: alias_span,
                                message: format!("nested more than {MAX_DEPTH} levels deep through this alias"),
                            });
                        }
                        budget -= anchored.cost;
                        anchored.node.clone()
                    }
                    None => Node { span: Span::default(), value: Value::Null },
                };
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
                    let members = merge_keys(members);
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
            // Storing the anchored node is a copy too: nested anchors copy a subtree once each.
            let (cost, height) = measure(&node);
            if cost > anchor_budget {
                return Err(SyntaxError {
                    span: Span::new(node.span.start, node.span.start),
                    message: format!(
                        "too many alias expansions: keeping the anchored nodes of this file would copy more than {} \
                         nodes",
                        2 * copy_budget(text)
                    ),
                });
            }
            anchor_budget -= cost;
            anchors.insert(anchor, Anchored { node: node.clone(), cost, height });
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

    /// Nine levels, each aliasing the previous one nine times: 9^9 (387 million) strings.
    pub(crate) fn billion_laughs() -> String {
        let mut text =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        text
    }

    #[test]
    fn alias_bombs_stop_at_the_alias_that_exceeds_the_budget() {
        let text = billion_laughs();
        let started = std::time::Instant::now();
        let e = parse_documents(&text).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
        assert!(e.message.starts_with("too many alias expansions"), "{e:?}");
        // At the alias that would exceed the budget of 10,000: the first `*d` of `e` (7,381
        // nodes; `b`, `c` and `d` took 8,289 already).
        assert_eq!(&text[e.span.start..e.span.end], "*d", "{e:?}");
        assert!(text[..e.span.start].ends_with("e: &e ["), "{e:?}");
    }

    #[test]
    fn long_strings_count_by_their_length() {
        // Few nodes, but each alias copies 32 KB: 100 of them would be 3 MB from a 33 KB file.
        let text = format!("a: &a \"{}\"\nb: [{}]\n", "x".repeat(32_768), vec!["*a"; 100].join(", "));
        let e = parse_documents(&text).unwrap_err();
        assert!(e.message.starts_with("too many alias expansions"), "{e:?}");
        // A few copies are fine.
        let text = format!("a: &a \"{}\"\nb: [{}]\n", "x".repeat(32_768), ["*a"; 10].join(", "));
        assert!(parse_documents(&text).is_ok());
    }

    #[test]
    fn ordinary_anchors_aliases_and_merge_keys_still_parse() {
        let text = "defaults: &defaults\n  service: xsuaa\n  service-plan: application\nresources:\n  - name: a\n    parameters:\n      <<: *defaults\n      path: ./xs-security.json\n  - name: b\n    parameters: *defaults\n";
        let docs = parse_documents(text).unwrap();
        let b = docs[0].pointer("/resources/1/parameters").unwrap();
        assert_eq!(b.to_json(), serde_json::json!({"service": "xsuaa", "service-plan": "application"}));
        // The copy keeps the spans of the anchored original.
        assert_eq!(&text[b.get("service").unwrap().span.start..][..5], "xsuaa");
        let merged = docs[0].pointer("/resources/0/parameters").unwrap();
        assert_eq!(merged.get("service").and_then(Node::as_str), Some("xsuaa"));
        assert_eq!(merged.get("path").and_then(Node::as_str), Some("./xs-security.json"));
        assert!(merged.get("<<").is_none());
        // Many small aliases are fine: 20,000 copies of a three-node map.
        let many = format!("x: &x {{a: 1}}\ny: [{}]\n", vec!["*x"; 20_000].join(", "));
        assert_eq!(parse_documents(&many).unwrap()[0].get("y").unwrap().as_array().unwrap().len(), 20_000);
    }

    #[test]
    fn merge_keys_yield_to_the_mapping_own_keys_and_to_earlier_sources() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  y: 0\n  <<: [*a, *b]\nd:\n  <<: not-a-map\n";
        let docs = parse_documents(text).unwrap();
        let c = docs[0].get("c").unwrap();
        assert_eq!(c.to_json(), serde_json::json!({"y": 0, "x": 1, "z": 2}));
        // Not a mapping: kept as written, not dropped.
        assert_eq!(docs[0].get("d").unwrap().to_json(), serde_json::json!({"<<": "not-a-map"}));
    }

    #[test]
    fn aliases_cannot_nest_deeper_than_the_limit() {
        // The parser allows 255 flow levels: three anchors, each 200 levels inside the last.
        let wrap = |inner: &str| format!("{}{inner}{}", "[".repeat(200), "]".repeat(200));
        let deep = format!("a: &a {}\nb: &b {}\nc: {}\n", wrap("1"), wrap("*a"), wrap("*b"));
        let e = parse_documents(&deep).unwrap_err();
        assert!(e.message.contains("levels deep through this alias"), "{e:?}");
        assert_eq!(&deep[e.span.start..e.span.end], "*b");
    }

    #[test]
    fn anchors_nested_in_anchors_are_bounded_too() {
        // 250 nested anchors around 1,000 nodes: each anchor keeps a copy of what it holds.
        let mut text = format!("[{}]", vec!["1"; 1_000].join(","));
        for i in 0..250 {
            text = format!("&a{i} [{text}]");
        }
        let e = parse_documents(&text).unwrap_err();
        assert!(e.message.starts_with("too many alias expansions"), "{e:?}");
    }
}
