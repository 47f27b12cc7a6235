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
//! The second `credential-types` is reported; it is the one the service uses.
//!
//! ## Fix
//! None: which value was meant cannot be known. Delete the occurrence that is wrong.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::{pointer_push, Member, Node, Value};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    code: "XS003",
    name: "duplicate-key",
    severity: Severity::Warning,
    summary: "A key is repeated in one object; the last value wins",
    fix: FixKind::None,
    check: Some(check),
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    // Iterative, so that depth costs no stack.
    let mut stack: Vec<(&Node, String)> = vec![(ctx.root, String::new())];
    while let Some((node, pointer)) = stack.pop() {
        match &node.value {
            Value::Object(members) => {
                // First occurrence of each key: a map, so a hostile object with many keys stays linear.
                let mut first_of: HashMap<&str, &Member> = HashMap::with_capacity(members.len());
                for m in members {
                    let first = *first_of.entry(m.key.as_str()).or_insert(m);
                    if !std::ptr::eq(first, m) {
                        let line = ctx.source.position(first.key_span.start).line;
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
                    stack.push((&m.value, pointer_push(&pointer, &m.key)));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, format!("{pointer}/{i}")));
                }
            }
            _ => {}
        }
    }
}
