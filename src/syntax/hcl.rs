//! Terraform (HCL) read with `hcl-edit` (byte spans on every node) and handed to the deployment
//! model as a view of its own: [`Document`] (the top-level blocks), [`Block`] (type, labels and
//! their spans, attributes), [`Expr`] (its span, its [`Shape`], its value as a
//! [`crate::syntax::json::Node`] tree, its source text for references). The model never names
//! the parser's types, so a parser upgrade stays in this file.
//!
//! An expression that is not a literal (`var.app`, `"${local.x}"`) becomes the string
//! `${<expression>}`, like an MTA placeholder, so that it is never judged as a value.

use crate::syntax::json::{Member, Node, SyntaxError, Value};
use crate::text::source::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Body;
use hcl_edit::Span as _;

/// A parsed HCL file.
#[derive(Debug)]
pub struct Document {
    body: Body,
}

/// One block of a file: `resource "TYPE" "NAME" { ... }`, `locals { ... }`, `module "NAME" { ... }`.
#[derive(Clone, Copy)]
pub struct Block<'a> {
    block: &'a hcl_edit::structure::Block,
}

/// One expression: an attribute's value, a call's argument.
#[derive(Clone, Copy)]
pub struct Expr<'a> {
    expr: &'a Expression,
}

/// What an expression is, as far as the deployment model tells expressions apart.
pub enum Shape<'a> {
    Null,
    /// A string without interpolation, its escapes resolved.
    String(&'a str),
    /// A string with `${...}` or `%{...}` in it.
    Template,
    /// `<<EOT ... EOT` or `<<-EOT ... EOT`.
    Heredoc,
    /// `{ key = value, ... }`.
    Object,
    /// `( inner )`.
    Parenthesized(Expr<'a>),
    /// `name(args...)`, a built-in function (one without a provider namespace).
    Call {
        name: &'a str,
        args: Vec<Expr<'a>>,
    },
    /// A reference: `local.x`, `var.y`, `data.kind.name.id`.
    Reference,
    /// Anything else: numbers, booleans, lists, operators, conditionals, `for` expressions,
    /// provider functions.
    Other,
}

pub fn parse(text: &str) -> Result<Document, SyntaxError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        // The parser works on bytes: where it gives up may be inside a multi-byte character.
        let mut offset = e.location().offset().min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        SyntaxError { span: Span::new(offset, offset), message: e.message().to_string() }
    })?;
    Ok(Document { body })
}

fn span_of(range: Option<std::ops::Range<usize>>) -> Span {
    range.map_or(Span::default(), |r| Span::new(r.start, r.end))
}

impl Document {
    /// The file's top-level blocks, in order.
    pub fn blocks(&self) -> impl Iterator<Item = Block<'_>> {
        self.body.blocks().map(|block| Block { block })
    }

    /// The `resource "TYPE" "NAME"` blocks of a file with their names.
    pub fn resources<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, Block<'a>)> + 'a {
        self.blocks()
            .filter(move |b| b.is("resource") && b.label(0) == Some(kind))
            .map(|b| (b.label(1).unwrap_or(""), b))
    }
}

impl<'a> Block<'a> {
    /// Whether the block is of this type (`resource`, `data`, `locals`, `module`).
    pub fn is(self, block_type: &str) -> bool {
        self.block.has_ident(block_type)
    }

    /// The label at `index` (`resource "TYPE" "NAME"`: 0 is the type, 1 the name).
    pub fn label(self, index: usize) -> Option<&'a str> {
        self.block.labels.get(index).map(|l| l.as_str())
    }

    /// Where the label at `index` is written, quotes included.
    pub fn label_span(self, index: usize) -> Option<Span> {
        self.block.labels.get(index).and_then(hcl_edit::Span::span).map(|r| Span::new(r.start, r.end))
    }

    /// The value of the attribute `name` of the block's body.
    pub fn attribute(self, name: &str) -> Option<Expr<'a>> {
        self.block.body.get_attribute(name).map(|a| Expr { expr: &a.value })
    }

    /// The attributes of the block's body, in order, by name.
    pub fn attributes(self) -> impl Iterator<Item = (&'a str, Expr<'a>)> {
        self.block.body.attributes().map(|a| (a.key.as_str(), Expr { expr: &a.value }))
    }

    /// A string attribute's literal value and where it is written, if it is one.
    pub fn string(self, name: &str) -> Option<(&'a str, Span)> {
        let value = self.attribute(name)?;
        match value.shape() {
            Shape::String(s) => Some((s, value.span())),
            _ => None,
        }
    }

    /// An attribute's expression as written (for references such as `btp_x.y.id`).
    pub fn source<'t>(self, text: &'t str, name: &str) -> Option<&'t str> {
        let range = self.attribute(name)?.expr.span()?;
        text.get(range)
    }

    /// `parameters = jsonencode({...})` or `parameters = "{...}"` as a tree. For a JSON string,
    /// the values' spans are the whole string literal: its escapes make finer positions unreliable.
    pub fn parameters(self, text: &str) -> Option<Node> {
        let value = self.attribute("parameters")?;
        match value.expr {
            Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
                call.args.iter().next().map(|arg| to_node(text, arg))
            }
            Expression::String(s) => {
                let root = crate::syntax::json::parse(s.value(), 0).ok()?;
                Some(respan(root, value.span()))
            }
            _ => None,
        }
    }
}

impl<'a> Expr<'a> {
    /// Where the expression is written (empty at the start of the file if the parser gave none).
    pub fn span(self) -> Span {
        span_of(self.expr.span())
    }

    pub fn shape(self) -> Shape<'a> {
        match self.expr {
            Expression::Null(_) => Shape::Null,
            Expression::String(s) => Shape::String(s.value().as_str()),
            Expression::StringTemplate(_) => Shape::Template,
            Expression::HeredocTemplate(_) => Shape::Heredoc,
            Expression::Object(_) => Shape::Object,
            Expression::Parenthesis(p) => Shape::Parenthesized(Expr { expr: p.inner() }),
            Expression::FuncCall(call) if call.name.namespace.is_empty() => Shape::Call {
                name: call.name.name.as_str(),
                args: call.args.iter().map(|expr| Expr { expr }).collect(),
            },
            Expression::Traversal(_) => Shape::Reference,
            _ => Shape::Other,
        }
    }

    /// The expression's value as a tree; what is not a literal becomes a `${...}` placeholder.
    pub fn to_node(self, text: &str) -> Node {
        to_node(text, self.expr)
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

fn to_node(text: &str, expr: &Expression) -> Node {
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
        let document = parse(text).unwrap();
        let (name, block) = document.resources("btp_subaccount_service_instance").next().unwrap();
        assert_eq!(name, "xsuaa");
        assert_eq!(block.string("serviceplan_name").map(|s| s.0), Some("application"));
        let params = block.parameters(text).unwrap();
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
