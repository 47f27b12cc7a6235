//! Validation against the embedded JSON Schema, with each violation placed on its span.

use super::xs002_schema_violation::RULE;
use crate::diagnostic::edit::quote;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::descriptor::{CREDENTIAL_TYPES, CREDENTIAL_TYPES_POINTER, OAUTH2_CONFIGURATION};
use crate::rules::suggest::{closest, Suggestion};
use crate::syntax::json::{pointer_push, pointer_tokens, Member, Node, Value};
use crate::text::source::SourceFile;
use crate::text::source::Span;
use jsonschema::error::ValidationErrorKind as Kind;
use serde_json::Value as Json;
use std::sync::LazyLock;

/// The project's schema for `xs-security.json`, as shipped in `schemas/`.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/xs-security.schema.json");

static SCHEMA: LazyLock<Json> =
    LazyLock::new(|| serde_json::from_str(SCHEMA_TEXT).expect("the embedded schema is JSON"));

/// Compiled once per process.
static VALIDATOR: LazyLock<jsonschema::Validator> =
    LazyLock::new(|| jsonschema::draft7::new(&SCHEMA).expect("the embedded schema compiles"));

pub struct SchemaOutcome {
    pub diagnostics: Vec<Diagnostic>,
    /// A violation concerns `credential-types` itself (or a misspelling of it or of its parent).
    pub credential_types_in_doubt: bool,
}

/// The same schema, reading our tree in place ([`Tree`]).
static TREE_VALIDATOR: LazyLock<jsonschema::Validator<Tree>> = LazyLock::new(|| {
    jsonschema::options_for::<Tree>()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&SCHEMA)
        .expect("the embedded schema compiles")
});

pub fn validate(source: &SourceFile, root: &Node) -> SchemaOutcome {
    // Most trees are read in place; one with a key given twice or a number serde_json cannot
    // hold is copied into the `serde_json::Value` it stands for, which says what those mean.
    validate_as(source, root, Tree::reads_as_json(root))
}

/// [`validate`], reading the tree in place or through its copy.
fn validate_as(source: &SourceFile, root: &Node, in_place: bool) -> SchemaOutcome {
    let mut outcome = SchemaOutcome { diagnostics: Vec::new(), credential_types_in_doubt: false };
    let copy;
    let errors = if in_place {
        if TREE_VALIDATOR.is_valid(root) {
            return outcome;
        }
        TREE_VALIDATOR.iter_errors(root)
    } else {
        copy = root.to_json();
        VALIDATOR.iter_errors(&copy)
    };
    for error in errors {
        let pointer = error.instance_path().as_str().to_string();
        let schema_path = error.schema_path().as_str().to_string();
        let Some(node) = root.pointer(&pointer) else { continue };
        if pointer.starts_with(CREDENTIAL_TYPES_POINTER)
            || (matches!(error.kind(), Kind::Type { .. })
                && (pointer.is_empty() || pointer == format!("/{OAUTH2_CONFIGURATION}")))
        {
            outcome.credential_types_in_doubt = true;
        }
        let mut report = Report { source, node, pointer: &pointer, out: &mut outcome };
        report.error(error.kind(), &schema_path);
    }
    outcome
}

/// Our syntax tree as jsonschema reads an instance (`jsonschema::json`), so that a tree is
/// validated without being copied into a `serde_json::Value` first, which cost more than the
/// validation itself. Only for a tree that [`Tree::reads_as_json`]: each key once in its
/// object, each number one that serde_json holds.
struct Tree;

impl Tree {
    /// Whether `root` reads as the `serde_json::Value` that [`Node::to_json`] would make of it
    /// (which keeps the last value of a repeated key and turns a number it cannot hold into a
    /// string). Linear: a large object's keys are compared through a set.
    fn reads_as_json(root: &Node) -> bool {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Number(raw) => {
                    if raw.parse::<serde_json::Number>().is_err() {
                        return false;
                    }
                }
                Value::Array(items) => stack.extend(items),
                Value::Object(members) => {
                    let repeated = if members.len() <= 16 {
                        members.iter().enumerate().any(|(i, m)| members[..i].iter().any(|o| o.key == m.key))
                    } else {
                        let mut seen = std::collections::HashSet::with_capacity(members.len());
                        !members.iter().all(|m| seen.insert(m.key.as_str()))
                    };
                    if repeated {
                        return false;
                    }
                    stack.extend(members.iter().map(|m| &m.value));
                }
                Value::Null | Value::Bool(_) | Value::String(_) => {}
            }
        }
        true
    }
}

impl jsonschema::json::Json for Tree {
    type Node<'a> = &'a Node;
    type PreparedKey = String;
    /// The node made of a property name (`propertyNames`).
    type StringBuffer = Option<Node>;

    const KEYS_PER_LOOKUP: usize = 2;
    /// A tree: no node is its own descendant.
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(buffer: &mut Option<Node>, string: &str, f: impl FnOnce(&Node) -> T) -> T {
        f(buffer.insert(Node { span: Span::default(), value: Value::String(string.to_owned()) }))
    }
}

impl<'a> jsonschema::json::Node<'a, Tree> for &'a Node {
    type Object = &'a [Member];
    type Array = &'a [Node];
    type Number = serde_json::Number;

    fn as_object(&self) -> Option<&'a [Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&'a [Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<std::borrow::Cow<'a, str>> {
        match &self.value {
            Value::String(string) => Some(std::borrow::Cow::Borrowed(string)),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<serde_json::Number> {
        match &self.value {
            // Parses: `Tree::reads_as_json` checked every number of the tree.
            Value::Number(raw) => raw.parse().ok(),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.value {
            Value::Bool(boolean) => Some(boolean),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    fn json_type(&self) -> jsonschema::JsonType {
        use jsonschema::JsonType;
        match self.value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    /// `enum` compares every value under it: a string without a copy.
    fn equals_value(&self, expected: &Json) -> bool {
        match (&self.value, expected) {
            (Value::String(string), Json::String(other)) => string == other,
            (Value::String(_), _) => false,
            _ => jsonschema::json::cmp::equal(&self.to_json(), expected),
        }
    }

    fn to_value(&self) -> std::borrow::Cow<'a, Json> {
        std::borrow::Cow::Owned(self.to_json())
    }

    fn identity(&self) -> Option<jsonschema::json::NodeIdentity> {
        Some(jsonschema::json::NodeIdentity::new(std::ptr::from_ref::<Node>(self) as usize))
    }
}

impl<'a> jsonschema::json::Object<'a, Tree> for &'a [Member] {
    type Node = &'a Node;
    type MemberName = &'a str;
    type MembersIter = std::iter::Map<std::slice::Iter<'a, Member>, fn(&'a Member) -> (&'a str, &'a Node)>;

    fn len(&self) -> usize {
        <[Member]>::len(self)
    }

    fn get(&self, key: &String) -> Option<&'a Node> {
        self.iter().find(|m| m.key == *key).map(|m| &m.value)
    }

    fn members(&self) -> Self::MembersIter {
        self.iter().map(|m| (m.key.as_str(), &m.value))
    }
}

impl<'a> jsonschema::json::Array<'a, Tree> for &'a [Node] {
    type Node = &'a Node;
    type ElementsIter = std::slice::Iter<'a, Node>;

    fn len(&self) -> usize {
        <[Node]>::len(self)
    }

    fn elements(&self) -> std::slice::Iter<'a, Node> {
        self.iter()
    }
}

struct Report<'a> {
    source: &'a SourceFile,
    node: &'a Node,
    pointer: &'a str,
    out: &'a mut SchemaOutcome,
}

impl Report<'_> {
    fn push(&mut self, span: Span, pointer: String, message: String, help: Option<String>, fix: Option<Fix>) {
        let mut d = Diagnostic::new(&RULE, self.source, span, pointer, message).with_fix(fix);
        d.help = help.map(Into::into);
        self.out.diagnostics.push(d);
    }

    /// A finding on the offending value itself, with no help and no fix.
    fn on_value(&mut self, message: String) {
        self.push(self.node.span, self.pointer.to_string(), message, None, None);
    }

    fn error(&mut self, kind: &Kind, schema_path: &str) {
        let place = describe(self.pointer);
        let value_span = self.node.span;
        match kind {
            Kind::AdditionalProperties { unexpected } | Kind::UnevaluatedProperties { unexpected } => {
                let allowed = allowed_keys(schema_path);
                let targets: Vec<Option<String>> = unexpected
                    .iter()
                    .map(|k| closest(k, allowed.iter().map(String::as_str)).map(|s| s.value))
                    .collect();
                let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
                for t in targets.iter().flatten() {
                    *counts.entry(t.as_str()).or_default() += 1;
                }
                // Last occurrence of each key (the one used), looked up once for all of them.
                let members: std::collections::HashMap<&str, &Member> =
                    self.node.as_object().unwrap_or_default().iter().map(|m| (m.key.as_str(), m)).collect();
                for (key, target) in unexpected.iter().zip(&targets) {
                    // Two misspellings of the same key: renaming both would repeat it.
                    let contested = target.as_ref().is_some_and(|t| counts.get(t.as_str()).copied().unwrap_or(0) > 1);
                    if let Some(member) = members.get(key.as_str()) {
                        self.unknown_key(member, &allowed, contested);
                    }
                }
            }
            Kind::Required { property } => {
                let key = property.as_str().unwrap_or_default();
                // The value's first character: `{` in JSON, a key's first letter in YAML.
                let span = self.source.char_span(value_span.start);
                self.push(
                    span,
                    self.pointer.to_string(),
                    format!("{place} lacks the required key `{key}`"),
                    None,
                    None,
                );
            }
            Kind::Type { kind } => {
                let expected = type_name(kind);
                let message = format!("{place} must be {expected}, not {}", self.node.type_name());
                let fix = self.wrap_in_array_fix(expected);
                let help = fix.as_ref().map(|_| "Wrap the value in a list".to_string());
                self.push(value_span, self.pointer.to_string(), message, help, fix);
            }
            Kind::Enum { options } => {
                let allowed: Vec<&str> = options.as_array().into_iter().flatten().filter_map(Json::as_str).collect();
                // `x509_attested` is accepted but undocumented (XS112 warns): not offered as allowed.
                let documented = |a: &&&str| {
                    crate::model::descriptor::CredentialType::parse(a)
                        != Some(crate::model::descriptor::CredentialType::X509Attested)
                };
                let list = allowed.iter().filter(documented).map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
                let found = self.node.as_str().map_or_else(|| self.node.type_name().to_string(), |s| format!("`{s}`"));
                let mut message = format!("{place} is {found}; allowed: {list}");
                if self.pointer.starts_with(CREDENTIAL_TYPES_POINTER)
                    && self.node.as_str().is_some_and(|s| s.starts_with("X509_"))
                {
                    message.push_str(" (`X509_GENERATED` and `X509_PROVIDED` are credential types of SAP Cloud Identity Services, not of XSUAA)");
                }
                let suggestion = self.node.as_str().and_then(|s| closest(s, allowed.iter().copied()));
                let fix = suggestion.as_ref().filter(|s| s.certain).map(|s| {
                    Fix::new(
                        Applicability::Safe,
                        format!("Replace with `{}`", s.value),
                        self.source,
                        [(value_span, quote(&s.value))],
                    )
                });
                let help = suggestion.map(|s| format!("Did you mean `{}`?", s.value));
                self.push(value_span, self.pointer.to_string(), message, help, fix);
            }
            Kind::Minimum { limit } | Kind::ExclusiveMinimum { limit } => {
                self.on_value(format!("{place} must be at least {limit}, not {}", raw(self.node)));
            }
            Kind::Maximum { limit } | Kind::ExclusiveMaximum { limit } => {
                self.on_value(format!("{place} must be at most {limit}, not {}", raw(self.node)));
            }
            Kind::MinItems { limit } => {
                self.on_value(format!("{place} must list at least {limit} item(s)"));
            }
            Kind::MaxItems { limit } => {
                let n = self.node.as_array().map_or(0, <[Node]>::len);
                self.on_value(format!("{place} has {n} items; SAP allows at most {limit}"));
            }
            Kind::MinLength { limit } => {
                self.on_value(format!("{place} must have at least {limit} character(s)"));
            }
            Kind::MaxLength { limit } => {
                // A placeholder (`${org}`, a Helm template) has the length of what it becomes.
                if self.node.as_str().is_some_and(crate::model::names::has_placeholder) {
                    return;
                }
                let n = self.node.as_str().map_or(0, |s| s.chars().count());
                self.on_value(format!("{place} has {n} characters; at most {limit} are allowed"));
            }
            Kind::Pattern { .. } => {
                // An empty value breaks the pattern too, but `minLength` already says why: one
                // finding per position and cause.
                if self.node.as_str() == Some("")
                    && schema_at(parent_path(schema_path))
                        .and_then(|s| s.get("minLength"))
                        .and_then(Json::as_u64)
                        .is_some_and(|min| min > 0)
                {
                    return;
                }
                let rule = schema_description(schema_path).unwrap_or_else(|| "see the schema".into());
                let found = self.node.as_str().unwrap_or_default();
                self.on_value(format!("{place} `{found}` is not a valid name: {rule}"));
            }
            Kind::UniqueItems => self.duplicate_item(),
            Kind::FalseSchema => {
                self.on_value(format!("{place} is not allowed here"));
            }
            other => {
                self.on_value(format!("{place} is invalid ({})", other.keyword()));
            }
        }
    }

    fn unknown_key(&mut self, member: &Member, allowed: &[String], contested: bool) {
        let key = member.key.as_str();
        // The broker's camelCase aliases in a role template: XS207 warns about them.
        if super::xs207_role_template_alias::is_alias(key) && is_role_template(self.pointer) {
            return;
        }
        let pointer = pointer_push(self.pointer, key);
        let suggestion = closest(key, allowed.iter().map(String::as_str));
        if let Some(s) = &suggestion {
            let parent_is_root = self.pointer.is_empty();
            let parent_is_oauth2 = self.pointer == format!("/{OAUTH2_CONFIGURATION}");
            if (parent_is_root && s.value == OAUTH2_CONFIGURATION) || (parent_is_oauth2 && s.value == CREDENTIAL_TYPES)
            {
                self.out.credential_types_in_doubt = true;
            }
        }
        let mut message = format!("unknown key `{key}` in {}", describe(self.pointer));
        if suggestion.is_none() && !allowed.is_empty() {
            message.push_str(&format!(
                "; allowed: {}",
                allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let fix = suggestion.as_ref().filter(|_| !contested).and_then(|s| self.rename_fix(member, s));
        let help = suggestion.map(|s| format!("Did you mean `{}`?", s.value));
        self.push(member.key_span, pointer, message, help, fix);
    }

    /// Renames a misspelled key when the intent is certain and the right key is not already there.
    fn rename_fix(&self, member: &Member, s: &Suggestion) -> Option<Fix> {
        let key = member.key.as_str();
        if !s.certain || self.node.member(&s.value).is_some() {
            return None;
        }
        let mut edits = vec![(member.key_span, quote(&s.value))];
        // The singular `credential-type` held one type; the list holds it as its only entry.
        if s.value == CREDENTIAL_TYPES {
            if let Value::String(v) = &member.value.value {
                let v = closest(v, ["binding-secret", "instance-secret", "x509"])
                    .filter(|s| s.certain)
                    .map_or(v.clone(), |s| s.value);
                edits.push((member.value.span, format!("[{}]", quote(&v))));
            }
        }
        Some(Fix::new(Applicability::Safe, format!("Rename `{key}` to `{}`", s.value), self.source, edits))
    }

    /// `"credential-types": "x509"` means the list `["x509"]`.
    fn wrap_in_array_fix(&self, expected: &str) -> Option<Fix> {
        if expected != "an array" || self.pointer != CREDENTIAL_TYPES_POINTER {
            return None;
        }
        let v = self.node.as_str()?;
        crate::model::descriptor::CredentialType::parse(v)?;
        Some(Fix::new(
            Applicability::Safe,
            "Wrap the credential type in a list",
            self.source,
            [(self.node.span, format!("[{}]", quote(v)))],
        ))
    }

    fn duplicate_item(&mut self) {
        let Some(items) = self.node.as_array() else { return };
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if !seen.insert(item.to_json().to_string()) {
                let pointer = format!("{}/{i}", self.pointer);
                let message = format!("{} repeats an earlier entry; entries must be unique", describe(&pointer));
                let fix = (i > 0).then(|| {
                    Fix::new(
                        Applicability::Safe,
                        "Remove the repeated entry",
                        self.source,
                        [(Span::new(items[i - 1].span.end, item.span.end), String::new())],
                    )
                });
                self.push(item.span, pointer, message, Some("Remove the repeated entry".into()), fix);
                return;
            }
        }
    }
}

/// `/role-templates/N`.
fn is_role_template(pointer: &str) -> bool {
    pointer
        .strip_prefix("/role-templates/")
        .is_some_and(|index| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()))
}

fn raw(node: &Node) -> String {
    match &node.value {
        Value::Number(n) => n.clone(),
        _ => node.type_name().to_string(),
    }
}

/// The type a schema asks for, as a message says it; of several, the first of array, object,
/// integer, number, boolean, string (the schema's unions are "a list, or a single value").
fn type_name(kind: &jsonschema::error::TypeKind) -> &'static str {
    use jsonschema::error::TypeKind;
    use jsonschema::JsonType;
    let allowed = |t: JsonType| match kind {
        TypeKind::Single(one) => *one == t,
        TypeKind::Multiple(set) => set.contains(t),
    };
    [
        (JsonType::Array, "an array"),
        (JsonType::Object, "an object"),
        (JsonType::Integer, "an integer"),
        (JsonType::Number, "a number"),
        (JsonType::Boolean, "a boolean"),
        (JsonType::String, "a string"),
    ]
    .into_iter()
    .find(|(t, _)| allowed(*t))
    .map_or("of another type", |(_, name)| name)
}

/// A pointer as a reader writes it: `oauth2-configuration.credential-types[0]`.
pub fn describe(pointer: &str) -> String {
    let tokens = pointer_tokens(pointer).unwrap_or_default();
    if tokens.is_empty() {
        return "the descriptor".into();
    }
    let mut s = String::new();
    for t in tokens {
        if t.parse::<usize>().is_ok() {
            s.push_str(&format!("[{t}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(&t);
        }
    }
    format!("`{s}`")
}

/// The schema node at a keyword location, following `$ref`s on the way.
fn schema_at(path: &str) -> Option<&'static Json> {
    let mut node: &Json = &SCHEMA;
    for token in pointer_tokens(path)? {
        node = follow_ref(node);
        node = match node {
            Json::Object(map) => map.get(&token)?,
            Json::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(follow_ref(node))
}

fn follow_ref(node: &'static Json) -> &'static Json {
    let mut node = node;
    for _ in 0..8 {
        match node.get("$ref").and_then(Json::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(target) => match SCHEMA.pointer(target) {
                Some(n) => node = n,
                None => break,
            },
            None => break,
        }
    }
    node
}

fn parent_path(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn allowed_keys(schema_path: &str) -> Vec<String> {
    schema_at(parent_path(schema_path))
        .and_then(|s| s.get("properties"))
        .and_then(Json::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn schema_description(schema_path: &str) -> Option<String> {
    schema_at(parent_path(schema_path))?.get("description")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every JSON file of `fixtures/` (descriptors flagged and clean, service keys, corpus
    /// files): validated in place and through the `serde_json::Value` copy, the same findings.
    #[test]
    fn the_tree_read_in_place_validates_as_its_copy() {
        let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        let (mut compared, mut invalid) = (0, 0);
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder).unwrap().map(Result::unwrap) {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                if path.extension().is_none_or(|e| e != "json") {
                    continue;
                }
                let source = SourceFile::new("t.json", text);
                let Ok(root) = crate::syntax::json::parse(&source.text, source.bom_len()) else { continue };
                let copied = validate_as(&source, &root, false);
                if Tree::reads_as_json(&root) {
                    let in_place = validate_as(&source, &root, true);
                    assert_eq!(
                        format!("{:?}", in_place.diagnostics),
                        format!("{:?}", copied.diagnostics),
                        "{}",
                        path.display()
                    );
                    assert_eq!(in_place.credential_types_in_doubt, copied.credential_types_in_doubt);
                    compared += 1;
                    invalid += usize::from(!copied.diagnostics.is_empty());
                }
            }
        }
        assert!(compared > 100 && invalid > 20, "{compared} files compared, {invalid} with findings");
    }

    #[test]
    fn a_repeated_key_or_an_outsized_number_is_validated_through_the_copy() {
        for text in [r#"{"xsappname": "a", "xsappname": 1}"#, r#"{"xsappname": "a", "token-validity": 1e999}"#] {
            let root = crate::syntax::json::parse(text, 0).unwrap();
            assert!(!Tree::reads_as_json(&root), "{text}");
        }
        let many: Vec<String> = (0..40).map(|i| format!(r#""k{i}": {i}"#)).collect();
        let root = crate::syntax::json::parse(&format!("{{{}, \"k39\": 0}}", many.join(", ")), 0).unwrap();
        assert!(!Tree::reads_as_json(&root));
        let root = crate::syntax::json::parse(&format!("{{{}}}", many.join(", ")), 0).unwrap();
        assert!(Tree::reads_as_json(&root));
        // The copy keeps the last value of the repeated key: a number where a string must be.
        let outcome = check(r#"{"xsappname": "a", "xsappname": 1}"#);
        assert_eq!(outcome.diagnostics.len(), 1, "{:?}", outcome.diagnostics);
    }

    fn check(text: &str) -> SchemaOutcome {
        let source = SourceFile::new("t.json", text.to_string());
        let root = crate::syntax::json::parse(&source.text, 0).unwrap();
        validate(&source, &root)
    }

    #[test]
    fn a_missing_key_is_marked_on_a_whole_character() {
        // In YAML a mapping starts at its first key, which may be any character.
        let text = "role-collections:\n  - \u{e9}t\u{e9}: x\n";
        let source = SourceFile::new("t.yaml", text.to_string());
        let root = crate::syntax::yaml::parse_documents(text).unwrap().remove(0);
        let outcome = validate(&source, &root);
        let d = outcome.diagnostics.iter().find(|d| d.message.contains("lacks the required key `name`")).unwrap();
        assert_eq!(text.get(d.start.offset..d.end.offset), Some("\u{e9}"));
    }

    #[test]
    fn the_schema_is_valid_draft_07() {
        assert!(jsonschema::meta::is_valid(&SCHEMA));
    }

    #[test]
    fn unknown_key_is_placed_on_the_key_with_a_suggestion() {
        let text = r#"{"oauth2-configuration": {"credential-type": "x509"}}"#;
        let o = check(text);
        assert_eq!(o.diagnostics.len(), 1);
        let d = &o.diagnostics[0];
        assert_eq!(&text[d.start.offset..d.end.offset], "\"credential-type\"");
        assert_eq!(d.pointer, "/oauth2-configuration/credential-type");
        assert_eq!(d.help.as_deref(), Some("Did you mean `credential-types`?"));
        assert!(o.credential_types_in_doubt);
        let fix = d.fix.as_ref().unwrap();
        assert_eq!(fix.edits.len(), 2);
        assert_eq!(fix.edits[1].content, "[\"x509\"]");
    }

    #[test]
    fn enum_violation_on_the_value() {
        let text = r#"{"oauth2-configuration": {"credential-types": ["binding_secret"]}}"#;
        let o = check(text);
        let d = &o.diagnostics[0];
        assert_eq!(&text[d.start.offset..d.end.offset], "\"binding_secret\"");
        assert_eq!(d.fix.as_ref().unwrap().edits[0].content, "\"binding-secret\"");
    }

    #[test]
    fn ranges_and_missing_keys() {
        let o = check(r#"{"oauth2-configuration": {"token-validity": 30}, "scopes": [{"description": "x"}]}"#);
        let messages: Vec<_> = o.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("at least 60")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("lacks the required key `name`")), "{messages:?}");
        assert!(!o.credential_types_in_doubt);
    }

    #[test]
    fn two_misspellings_of_one_key_get_no_fix() {
        let o = check(r#"{"oauth2-configuration": {"credential-type": "x509", "credential_types": ["x509"]}}"#);
        assert_eq!(o.diagnostics.len(), 2);
        assert!(o.diagnostics.iter().all(|d| d.fix.is_none() && d.help.is_some()));
    }

    #[test]
    fn an_empty_name_is_reported_once() {
        let o = check(r#"{"xsappname": ""}"#);
        let messages: Vec<&str> = o.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["`xsappname` must have at least 1 character(s)"]);
    }

    #[test]
    fn placeholders_are_names() {
        assert!(check(r#"{"xsappname": "app-${org}-${space}"}"#).diagnostics.is_empty());
        assert_eq!(check(r#"{"xsappname": "app name"}"#).diagnostics.len(), 1);
    }
}
