//! Organisation policies: rules declared in the configuration (`[[policy]]`), without code. Each
//! names a JSON Pointer and either a JSON Schema fragment the value there must satisfy or
//! `required = true`; findings are reported like those of built-in rules, under the policy's code.

use crate::diagnostic::{intern, Diagnostic, RuleId};
use crate::syntax::json::Node;
use crate::text::source::SourceFile;
use crate::text::source::Span;

pub struct Policy {
    /// How its findings name it; code and message interned once per distinct value.
    pub rule: RuleId,
    pub pointer: String,
    pub required: bool,
    /// The fragment as written, for `config --show`.
    pub schema_json: Option<serde_json::Value>,
    validator: Option<jsonschema::Validator>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.rule.code, self.pointer)
    }
}

impl Policy {
    /// Compiles the schema fragment; `Err` says why it is not a valid schema.
    pub fn new(
        rule: RuleId,
        pointer: String,
        required: bool,
        schema: Option<serde_json::Value>,
    ) -> Result<Self, String> {
        let validator = match &schema {
            Some(s) => Some(
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(s)
                    .map_err(|e| format!("`schema` is not a valid JSON Schema: {e}"))?,
            ),
            None => None,
        };
        Ok(Policy { rule, pointer, required, schema_json: schema, validator })
    }

    /// Checks the policy on a parsed descriptor.
    pub fn check(&self, source: &SourceFile, root: &Node, out: &mut Vec<Diagnostic>) {
        let Some(node) = root.pointer(&self.pointer) else {
            if self.required {
                let span = deepest_existing(root, &self.pointer).span;
                let at = Span::new(span.start, span.start + usize::from(span.end > span.start));
                out.push(Diagnostic::new(
                    self.rule,
                    source,
                    at,
                    self.pointer.clone(),
                    format!("{} (`{}` is missing)", self.rule.summary, self.pointer),
                ));
            }
            return;
        };
        let Some(validator) = &self.validator else { return };
        let value = node.to_json();
        let first_error = validator.iter_errors(&value).next().map(|e| e.to_string());
        if let Some(error) = first_error {
            out.push(
                Diagnostic::new(self.rule, source, node.span, self.pointer.clone(), self.rule.summary.to_string())
                    .with_help(format!("Policy {}: {error}", self.rule.code)),
            );
        }
    }
}

/// The node of the longest prefix of `pointer` that exists: where a missing value belongs.
fn deepest_existing<'a>(root: &'a Node, pointer: &str) -> &'a Node {
    let tokens = crate::syntax::json::pointer_tokens(pointer).unwrap_or_default();
    let mut node = root;
    let mut prefix = String::new();
    for token in tokens {
        prefix = crate::syntax::json::pointer_push(&prefix, &token);
        match root.pointer(&prefix) {
            Some(next) => node = next,
            None => break,
        }
    }
    node
}

/// How a policy's findings name it: no fix, no check function (policies run from their own list).
pub fn rule(code: &str, message: &str, severity: crate::diagnostic::Severity) -> RuleId {
    RuleId { code: intern(code), name: "organisation-policy", summary: intern(message), severity, recommendation: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn codes(policy: &Policy, text: &str) -> Vec<String> {
        let source = SourceFile::new("t.json", text.into());
        let root = crate::syntax::json::parse(text, 0).unwrap();
        let mut out = Vec::new();
        policy.check(&source, &root, &mut out);
        out.iter().map(|d| format!("{}:{}", d.start.line, d.rule.code)).collect()
    }

    #[test]
    fn schema_and_required_policies() {
        let max = Policy::new(
            rule("ORG1", "token-validity at most 3600", Severity::Error),
            "/oauth2-configuration/token-validity".into(),
            false,
            Some(serde_json::json!({"maximum": 3600})),
        )
        .unwrap();
        assert_eq!(codes(&max, r#"{"oauth2-configuration": {"token-validity": 7200}}"#), ["1:ORG1"]);
        assert!(codes(&max, r#"{"oauth2-configuration": {"token-validity": 600}}"#).is_empty());
        assert!(codes(&max, r#"{"xsappname": "a"}"#).is_empty());

        let required =
            Policy::new(rule("ORG2", "tenant-mode must be set", Severity::Warning), "/tenant-mode".into(), true, None)
                .unwrap();
        assert_eq!(codes(&required, "{\n\"xsappname\": \"a\"}"), ["1:ORG2"]);

        let bad =
            Policy::new(rule("ORG3", "m", Severity::Error), "/a".into(), false, Some(serde_json::json!({"type": 5})));
        assert!(bad.is_err());
    }
}
