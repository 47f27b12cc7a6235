//! The effective configuration of a service instance: its layers merged.
//!
//! The layers of an instance (MTA: the file at `path` < `config` < each extension) are merged
//! as the MTA deployer does: maps merge recursively, any other value (lists included) is
//! replaced (spec section 4.2). To keep every value's origin, the layers' files are laid end to
//! end in one virtual text and the merged tree's spans point into it, so that a finding on the
//! merged tree can be mapped back to the file and span that supplied the value.

use crate::model::deployment::{Instance, InstanceSet};
use crate::syntax::json::{Member, Node, Value};
use crate::text::source::{SourceFile, Span};
use std::collections::HashMap;

/// The plan an instance is judged under: as written, or `application` when unknown.
pub fn plan_of(instance: &Instance) -> &str {
    instance.plan.as_ref().map_or("application", |(p, _)| p.as_str())
}

/// `node` with every span moved by `by` bytes (back when negative).
pub fn shift(node: &Node, by: isize) -> Node {
    let moved = |at: usize| at.saturating_add_signed(by);
    let span = Span::new(moved(node.span.start), moved(node.span.end));
    let value = match &node.value {
        Value::Array(items) => Value::Array(items.iter().map(|n| shift(n, by)).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| Member {
                    key: m.key.clone(),
                    key_span: Span::new(moved(m.key_span.start), moved(m.key_span.end)),
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
    merge_all(vec![low, high]).unwrap_or(Node { span: Span::default(), value: Value::Null })
}

/// The nodes merged in order, each over the ones before it (as [`merge`] folds them), in one
/// pass: every member goes to its key's slot through a hash map, so many layers or many keys
/// cost time in proportion to their nodes, not their product. `None` for no node.
pub fn merge_all(nodes: Vec<Node>) -> Option<Node> {
    // A value that is not a map replaces everything below it: only the maps after the last such
    // value (itself included, as the lowest) take part.
    let from = nodes.iter().rposition(|n| !matches!(n.value, Value::Object(_))).unwrap_or(0);
    // One node is merged over nothing: it is the result as it is (an instance with one layer,
    // each value that one layer alone sets), not rebuilt key by key.
    if from + 1 == nodes.len() {
        return nodes.into_iter().next_back();
    }
    let mut nodes = nodes.into_iter().skip(from);
    let first = nodes.next()?;
    let (mut span, members) = match first.value {
        Value::Object(members) => (first.span, members),
        value => {
            let node = Node { span: first.span, value };
            return match nodes.next() {
                // The next value is a map (or there is none): it replaces this one.
                Some(next) => merge_all(std::iter::once(next).chain(nodes).collect()),
                None => Some(node),
            };
        }
    };
    // Slots: the lowest map's members as written (a repeated key stays repeated; later maps
    // merge into its last occurrence), each with the values merged over it.
    let mut slots: Vec<(String, Span, Vec<Node>)> =
        members.into_iter().map(|m| (m.key, m.key_span, vec![m.value])).collect();
    let mut index: HashMap<String, usize> = HashMap::with_capacity(slots.len());
    for (i, (key, _, _)) in slots.iter().enumerate() {
        index.insert(key.clone(), i);
    }
    for node in nodes {
        span = node.span;
        let Value::Object(overrides) = node.value else { continue };
        for over in overrides {
            match index.get(&over.key) {
                Some(&i) => {
                    slots[i].1 = over.key_span;
                    slots[i].2.push(over.value);
                }
                None => {
                    index.insert(over.key.clone(), slots.len());
                    slots.push((over.key, over.key_span, vec![over.value]));
                }
            }
        }
    }
    let members = slots
        .into_iter()
        .filter_map(|(key, key_span, values)| Some(Member { key, key_span, value: merge_all(values)? }))
        .collect();
    Some(Node { span, value: Value::Object(members) })
}

/// The parts of the layers' files that an instance uses, laid end to end, so that one tree's
/// spans can point into all of them. Only the part of each file that holds the instance's
/// layers is copied: a file declaring many instances is not copied once per instance.
pub struct Virtual {
    pub source: SourceFile,
    parts: Vec<Segment>,
}

struct Segment {
    file: usize,
    /// Where the part starts in the virtual text.
    start: usize,
    /// Where the part starts in its file.
    from: usize,
    len: usize,
}

impl Virtual {
    /// Each file's part `from..to` (clamped to the file and to character boundaries).
    pub fn new(set: &InstanceSet, parts: &[(usize, usize, usize)]) -> Self {
        // Room for every part at once (each at most its file, a line feed after it).
        let room = parts.iter().map(|&(file, from, to)| to.saturating_sub(from).min(set.files[file].text.len()) + 5);
        let mut text = String::with_capacity(room.sum());
        let mut out = Vec::new();
        for &(file, from, to) in parts {
            let whole = &set.files[file].text;
            let mut from = from.min(whole.len());
            while !whole.is_char_boundary(from) {
                from -= 1;
            }
            // One character more: a rule may mark the character where a value's span ends.
            let mut to = to.clamp(from, whole.len());
            while !whole.is_char_boundary(to) {
                to += 1;
            }
            to += whole[to..].chars().next().map_or(0, char::len_utf8);
            out.push(Segment { file, start: text.len(), from, len: to - from });
            text.push_str(&whole[from..to]);
            text.push('\n');
        }
        Virtual { source: SourceFile::new("<effective configuration>", text), parts: out }
    }

    /// How far an offset of `file` moves in the virtual text.
    pub fn shift_of(&self, file: usize) -> isize {
        self.parts.iter().find(|p| p.file == file).map_or(0, |p| p.start as isize - p.from as isize)
    }

    /// The file holding a virtual `offset`, and how far its offsets moved (see [`Self::shift_of`]).
    pub fn file_at(&self, offset: usize) -> Option<(usize, isize)> {
        self.parts
            .iter()
            .find(|p| offset >= p.start && offset <= p.start + p.len)
            .map(|p| (p.file, p.start as isize - p.from as isize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_node_merged_is_itself() {
        let text = r#"{"a": {"x": 1, "x": [2, {"y": null}]}, "b": "c", "a": {"z": true}}"#;
        let node = crate::syntax::json::parse(text, 0).unwrap();
        // As the key-by-key merge made it: repeated keys stay repeated, spans kept.
        assert_eq!(merge_all(vec![node.clone()]), Some(node.clone()));
        // A value below that is not a map is replaced by the one map over it, as it is.
        let low = crate::syntax::json::parse("[1]", 0).unwrap();
        assert_eq!(merge_all(vec![low, node.clone()]), Some(node));
    }

    #[test]
    fn maps_merge_and_lists_are_replaced() {
        let low = crate::syntax::json::parse(r#"{"a": {"x": 1, "y": [1, 2]}, "b": 1}"#, 0).unwrap();
        let high = crate::syntax::json::parse(r#"{"a": {"y": [3], "z": true}}"#, 0).unwrap();
        let merged = merge(low, high);
        assert_eq!(merged.to_json(), serde_json::json!({"a": {"x": 1, "y": [3], "z": true}, "b": 1}));
    }
}
