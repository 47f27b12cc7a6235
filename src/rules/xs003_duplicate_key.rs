//! # XS003 duplicate-key
//!
//! ## What it does
//! Reports a key that appears more than once in the same object, on each later occurrence.
//!
//! ## Why
//! RFC 8259 leaves repeated keys undefined. SAP's parser keeps the last value, so the first one,
//! often the one a reviewer reads, has no effect. xsuaa-lint judges the descriptor on the last
//! value as well.
//!
//! ## Example
//! ```json
//! { "oauth2-configuration": {
//!     "credential-types": ["binding-secret"],
//!     "credential-types": ["instance-secret"] } }
//! ```
//! The second `credential-types` is reported; it is the one the service uses. Fixed, one
//! occurrence kept:
//! ```json
//! { "oauth2-configuration": {
//!     "credential-types": ["binding-secret"] } }
//! ```
//!
//! ## Fix
//! None: which value was meant cannot be known. Delete the occurrence that is wrong.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::json::{pointer_push, Member, Node, Value};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    code: "XS003",
    name: "duplicate-key",
    severity: Severity::Warning,
    summary: "A key is repeated in one object; the last value wins",
    fix: FixKind::None,
    check: Some(check),
    judges_the_file: true,
    structural: true,
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // The pointer is built only for a finding: most documents have none.
    let mut path: Vec<String> = Vec::new();
    walk(ctx, ctx.root, &mut path, out);
}

/// Depth-first; the parser caps nesting at 512 levels, so recursion stays shallow.
fn walk(ctx: &Context<'_>, node: &Node, path: &mut Vec<String>, out: &mut Vec<Diagnostic>) {
    match &node.value {
        Value::Object(members) => {
            // First occurrence of each key: a map only when needed, so small objects stay cheap
            // and a hostile object with many keys stays linear.
            let mut first_of: HashMap<&str, &Member> = HashMap::new();
            let small = members.len() <= 16;
            for (i, m) in members.iter().enumerate() {
                let first = if small {
                    members[..i].iter().find(|earlier| earlier.key == m.key)
                } else {
                    let first = *first_of.entry(m.key.as_str()).or_insert(m);
                    (!std::ptr::eq(first, m)).then_some(first)
                };
                if let Some(first) = first {
                    let line = ctx.source.position(first.key_span.start).line;
                    let mut pointer = String::new();
                    for token in path.iter() {
                        pointer = pointer_push(&pointer, token);
                    }
                    out.push(
                        Diagnostic::new(
                            &RULE,
                            ctx.source,
                            m.key_span,
                            pointer_push(&pointer, &m.key),
                            format!(
                                "`{}` is repeated in this object (first on line {line}); the last value is the one used",
                                m.key
                            ),
                        )
                        .with_help("Keep one occurrence of the key."),
                    );
                }
                if matches!(m.value.value, Value::Object(_) | Value::Array(_)) {
                    path.push(m.key.clone());
                    walk(ctx, &m.value, path, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if matches!(item.value, Value::Object(_) | Value::Array(_)) {
                    path.push(i.to_string());
                    walk(ctx, item, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}
