//! Applying fixes: repeat lint-and-fix until nothing fixable is left, then check the result
//! before anyone writes it.

pub mod edit;
pub mod migration;
pub mod write;

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::lint::{lint_with, LintOptions};
use crate::source::SourceFile;
use std::collections::HashSet;

/// Enough for the longest chain (implicit -> dual -> binding-only) with room for XS002 repairs.
const MAX_PASSES: usize = 10;

#[derive(Debug)]
pub struct Fixed {
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// What is left after fixing.
    pub remaining: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum FixOutcome {
    /// Nothing to fix (or the file does not parse: never edited).
    Unchanged(Vec<Diagnostic>),
    Fixed(Fixed),
    /// The fixed text failed the safety check; the file must stay as it is.
    Refused {
        reason: String,
        diagnostics: Vec<Diagnostic>,
    },
}

pub fn allowed(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// Picks fixes that do not touch each other, first come first served by position.
fn non_overlapping(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Vec<&Fix> {
    let mut fixes: Vec<&Fix> =
        diagnostics.iter().filter_map(|d| d.fix.as_ref()).filter(|f| allowed(f, unsafe_fixes)).collect();
    fixes.sort_by_key(|f| (f.range().start, f.range().end));
    let mut chosen: Vec<&Fix> = Vec::new();
    let mut end = None;
    for fix in fixes {
        let r = fix.range();
        if end.is_some_and(|e| r.start <= e) {
            continue;
        }
        end = Some(r.end);
        chosen.push(fix);
    }
    chosen
}

/// Applies edits (which must not overlap) to `text`.
pub fn apply(text: &str, fixes: &[&Fix]) -> String {
    let mut edits: Vec<_> = fixes.iter().flat_map(|f| f.edits.iter()).collect();
    edits.sort_by_key(|e| (e.start.offset, e.end.offset));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.start.offset]);
        out.push_str(&e.content);
        at = e.end.offset;
    }
    out.push_str(&text[at..]);
    out
}

/// One pass of the allowed fixes, for findings that do not come from linting this text alone
/// (deployment files and the descriptors they use): no second pass, and the result must still
/// parse (`still_parses`). Returns the new text and the number of fixes applied.
pub fn apply_once(
    text: &str,
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
    still_parses: &dyn Fn(&str) -> bool,
) -> Result<Option<(String, usize)>, String> {
    let fixes = non_overlapping(diagnostics, unsafe_fixes);
    if fixes.is_empty() {
        return Ok(None);
    }
    let fixed = apply(text, &fixes);
    if !still_parses(&fixed) {
        return Err("the fixed text would not parse".into());
    }
    Ok(Some((fixed, fixes.len())))
}

pub fn fix_source(source: &SourceFile, unsafe_fixes: bool, options: &LintOptions<'_>) -> FixOutcome {
    let original = lint_with(source, options);
    if original.iter().any(|d| d.rule.code == "XS001")
        || !original.iter().any(|d| d.fix.as_ref().is_some_and(|f| allowed(f, unsafe_fixes)))
    {
        return FixOutcome::Unchanged(original);
    }
    let mut current = SourceFile::new(source.path.clone(), source.text.clone());
    let mut diagnostics = original.clone();
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let fixes = non_overlapping(&diagnostics, unsafe_fixes);
        if fixes.is_empty() {
            break;
        }
        applied += fixes.len();
        current = SourceFile::new(source.path.clone(), apply(&current.text, &fixes));
        diagnostics = lint_with(&current, options);
    }
    if let Some(reason) = regression(&original, &diagnostics) {
        return FixOutcome::Refused { reason, diagnostics: original };
    }
    FixOutcome::Fixed(Fixed { text: current.text, applied, remaining: diagnostics })
}

/// Findings a fix must never add: they mean the fixed document's shape is wrong. Other new
/// findings are consequences a fix reveals (a corrected reference lets XS206 see the template).
fn guards_structure(code: &str) -> bool {
    matches!(code, "XS002" | "XS003" | "XS204")
}

/// Why the fixed text is worse than the original, if it is.
fn regression(before: &[Diagnostic], after: &[Diagnostic]) -> Option<String> {
    if let Some(d) = after.iter().find(|d| d.rule.code == "XS001") {
        return Some(format!("the fixed text would not be valid JSON ({})", d.message));
    }
    let known: HashSet<(&str, &str)> = before.iter().map(|d| (d.rule.code, d.pointer.as_str())).collect();
    after
        .iter()
        .find(|d| guards_structure(d.rule.code) && !known.contains(&(d.rule.code, d.pointer.as_str())))
        .map(|d| format!("the fix would introduce a new finding: {} {} at {}", d.rule.code, d.message, d.pointer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str, unsafe_fixes: bool) -> String {
        match fix_source(&SourceFile::new("t.json", text.into()), unsafe_fixes, &LintOptions::default()) {
            FixOutcome::Fixed(f) => f.text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn implicit_reaches_dual_then_binding_only() {
        let text = "{\n  \"xsappname\": \"a\"\n}\n";
        assert_eq!(
            fixed(text, false),
            "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": {\n    \"credential-types\": [\"binding-secret\", \"instance-secret\"]\n  }\n}\n"
        );
        assert_eq!(
            fixed(text, true),
            "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": {\n    \"credential-types\": [\"binding-secret\"]\n  }\n}\n"
        );
    }

    #[test]
    fn parse_errors_are_never_edited() {
        let source = SourceFile::new("t.json", "{\"a\": 1,}".into());
        assert!(matches!(fix_source(&source, true, &LintOptions::default()), FixOutcome::Unchanged(_)));
    }
}
