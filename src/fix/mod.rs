//! Applying fixes: repeat lint-and-fix until nothing fixable is left, then check the result
//! before anyone writes it.

pub mod write;

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::lint::{lint_with, LintOptions, Observed};
use crate::rules;
use crate::source::SourceFile;
use std::collections::HashSet;

/// Enough for the longest chain (implicit -> dual -> binding-only) with room for XS002 repairs.
pub const MAX_PASSES: usize = 10;

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
pub fn non_overlapping(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> Vec<&Fix> {
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

/// The fix loop: lint, apply the allowed fixes that do not overlap, lint again, until nothing
/// is left to apply. Every pass judges migration fixes against the state the file had when the
/// run started, so one run moves an instance one stage at most. What is reported afterwards is
/// a fresh lint of the result, exactly what a new `check` would say.
pub fn fix_source(source: &SourceFile, unsafe_fixes: bool, options: &LintOptions<'_>) -> FixOutcome {
    let observed = Observed::default();
    let original = lint_with(source, &LintOptions { observed: Some(&observed), ..*options });
    if let Some(caller) = options.observed {
        caller.state.set(observed.state.get());
        caller.xsappname.set(observed.xsappname.take());
    }
    if original.iter().any(|d| rules::blocks_fixing(d.rule.code))
        || !original.iter().any(|d| d.fix.as_ref().is_some_and(|f| allowed(f, unsafe_fixes)))
    {
        return FixOutcome::Unchanged(original);
    }
    let passes = LintOptions { started_in: Some(observed.state.get()), observed: None, ..*options };
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
        diagnostics = lint_with(&current, &passes);
    }
    if let Some(reason) = regression(&original, &diagnostics) {
        return FixOutcome::Refused { reason, diagnostics: original };
    }
    let fresh = LintOptions { observed: None, ..*options };
    FixOutcome::Fixed(Fixed { remaining: lint_with(&current, &fresh), text: current.text, applied })
}

/// Why the fixed text is worse than the original, if it is.
pub fn regression(before: &[Diagnostic], after: &[Diagnostic]) -> Option<String> {
    if let Some(d) = after.iter().find(|d| rules::blocks_fixing(d.rule.code)) {
        return Some(format!("the fixed text would not be valid JSON ({})", d.message));
    }
    let known: HashSet<(&str, &str)> = before.iter().map(|d| (d.rule.code, d.pointer.as_str())).collect();
    after
        .iter()
        .find(|d| rules::is_structural(d.rule.code) && !known.contains(&(d.rule.code, d.pointer.as_str())))
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
    fn one_run_moves_one_stage_whatever_the_flags() {
        let implicit = "{\n  \"xsappname\": \"a\"\n}\n";
        let dual = "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": {\n    \"credential-types\": [\"binding-secret\", \"instance-secret\"]\n  }\n}\n";
        assert_eq!(fixed(implicit, false), dual);
        // The unsafe removal is not offered for a dual state this run wrote.
        assert_eq!(fixed(implicit, true), dual);
        // A file that started the run in the dual state (outside git) may finish.
        assert_eq!(
            fixed(dual, true),
            "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": {\n    \"credential-types\": [\"binding-secret\"]\n  }\n}\n"
        );
    }

    #[test]
    fn parse_errors_are_never_edited() {
        let source = SourceFile::new("t.json", "{\"a\": 1,}".into());
        assert!(matches!(fix_source(&source, true, &LintOptions::default()), FixOutcome::Unchanged(_)));
    }
}
