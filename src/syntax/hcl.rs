//! Terraform (HCL) into the span-carrying tree of [`crate::syntax::json::Node`], parsed with
//! `hcl-edit` (byte spans on every node). Only what the deployment model needs: the blocks of
//! a file and `jsonencode({...})` or JSON-string parameters as a tree.
//!
//! An expression that is not a literal (`var.app`, `"${local.x}"`) becomes the string
//! `${<expression>}`, like an MTA placeholder, so that it is never judged as a value.

use crate::syntax::json::{Member, Node, SyntaxError, Value};
use crate::text::source::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span as _;

pub fn parse(text: &str) -> Result<Body, SyntaxError> {
    hcl_edit::parser::parse_body(text).map_err(|e| {
        // The parser works on bytes: where it gives up may be inside a multi-byte character.
        let mut offset = e.location().offset().min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        SyntaxError { span: Span::new(offset, offset), message: e.message().to_string() }
    })
}

pub fn span_of(range: Option<std::ops::Range<usize>>) -> Span {
    range.map_or(Span::default(), |r| Span::new(r.start, r.end))
}

/// The `resource "TYPE" "NAME"` blocks of a file.
pub fn resources<'a>(body: &'a Body, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Block)> + 'a {
    body.blocks().filter(move |b| b.has_ident("resource")).filter_map(move |b| {
        let mut labels = b.labels.iter().map(|l| l.as_str());
        (labels.next() == Some(kind)).then(|| (labels.next().unwrap_or(""), b))
    })
}

/// A string attribute's literal value, if it is one.
pub fn string_attribute<'a>(block: &'a Block, name: &str) -> Option<(&'a str, Span)> {
    let attribute = block.body.get_attribute(name)?;
    match &attribute.value {
        Expression::String(s) => Some((s.value().as_str(), span_of(attribute.value.span()))),
        _ => None,
    }
}

/// An attribute's expression as written (for references such as `btp_x.y.id`).
pub fn attribute_source<'a>(text: &'a str, block: &Block, name: &str) -> Option<&'a str> {
    let range = block.body.get_attribute(name)?.value.span()?;
    text.get(range)
}

/// `parameters = jsonencode({...})` or `parameters = "{...}"` as a tree. For a JSON string, the
/// values' spans are the whole string literal: its escapes make finer positions unreliable.
pub fn parameters(text: &str, block: &Block) -> Option<Node> {
    let attribute = block.body.get_attribute("parameters")?;
    match &attribute.value {
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
            call.args.iter().next().map(|arg| to_node(text, arg))
        }
        Expression::String(s) => {
            let whole = span_of(attribute.value.span());
            let root = crate::syntax::json::parse(s.value(), 0).ok()?;
            Some(respan(root, whole))
        }
        _ => None,
    }
}

pub fn respan(mut node: Node, span: Span) -> Node {
    node.span = span;
    node.value = match node.value {
        Value::Array(items) => Value::Array(items.into_iter().map(|n| respan(n, span)).collect()),
        Value::Object(members) => Value::Object(
            members.into_iter().map(|m| Member { key: m.key, key_span: span, value: respan(m.value, span) }).collect(),
        ),
        other => other,
    };
    node
}

pub fn to_node(text: &str, expr: &Expression) -> Node {
    let span = span_of(expr.span());
    let value = match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => Value::Number(n.value().to_string()),
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(items) => Value::Array(items.iter().map(|e| to_node(text, e)).collect()),
        Expression::Object(object) => Value::Object(
            object
                .iter()
                .filter_map(|(key, value)| {
                    let name = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(_) => return None,
                    };
                    Some(Member { key: name, key_span: span_of(key.span()), value: to_node(text, value.expr()) })
                })
                .collect(),
        ),
        // `"app-${var.x}"`: the template as written, its interpolations kept as placeholders.
        Expression::StringTemplate(_) => {
            let source = text.get(span.start..span.end).unwrap_or_default().trim();
            Value::String(source.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(source).to_string())
        }
        _ => Value::String(format!("${{{}}}", text.get(span.start..span.end).unwrap_or("expression").trim())),
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonencode_parameters_keep_spans() {
        let text = r#"resource "btp_subaccount_service_instance" "xsuaa" {
  serviceplan_name = "application"
  parameters = jsonencode({
    xsappname = var.app
    "oauth2-configuration" = { "credential-types" = ["instance-secret"] }
  })
}
"#;
        let body = parse(text).unwrap();
        let (name, block) = resources(&body, "btp_subaccount_service_instance").next().unwrap();
        assert_eq!(name, "xsuaa");
        assert_eq!(string_attribute(block, "serviceplan_name").map(|s| s.0), Some("application"));
        let params = parameters(text, block).unwrap();
        let list = params.pointer("/oauth2-configuration/credential-types").unwrap();
        assert_eq!(&text[list.span.start..list.span.end], "[\"instance-secret\"]");
        assert_eq!(params.get("xsappname").and_then(Node::as_str), Some("${var.app}"));
        assert!(parse("resource \"a\" {").is_err());
    }

    #[test]
    fn errors_are_placed_on_character_boundaries() {
        for text in [
            "resource \"a\" \"b\" {\n  parameters = jsonencode(\u{e9}",
            "resource \"a\" \"b\" \u{e9}",
            "a = \u{1F600}\u{1F600}",
        ] {
            let e = parse(text).unwrap_err();
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end), "{text:?}: {e:?}");
        }
    }
}
