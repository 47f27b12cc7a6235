//! Applying fixes: one loop for every kind of file. Judge, apply each file's allowed fixes that
//! do not overlap, judge again, until nothing is left to apply; then check the result before
//! anyone writes it, and judge it afresh for the report.

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
        // An edit that does not fit the text (a stale judgement) is dropped, never a panic.
        let fits = at <= e.start.offset
            && e.start.offset <= e.end.offset
            && e.end.offset <= text.len()
            && text.is_char_boundary(e.start.offset)
            && text.is_char_boundary(e.end.offset);
        if !fits {
            continue;
        }
        out.push_str(&text[at..e.start.offset]);
        out.push_str(&e.content);
        at = e.end.offset;
    }
    out.push_str(&text[at..]);
    out
}

/// Which judgement the loop asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// The files as the run found them: the state each instance starts the run in.
    Start,
    /// A pass after fixes: migration fixes are judged against the state at the start, so one
    /// run moves an instance one stage at most.
    Later,
    /// The result, judged as a new run would: what is reported.
    Fresh,
}

/// What the loop came to for a group of files judged together.
#[derive(Debug)]
pub struct Converged {
    /// The fixed texts (the originals again when the result was refused).
    pub files: Vec<SourceFile>,
    /// The text each changed file had before.
    pub originals: Vec<Option<String>>,
    /// How many fixes each file got.
    pub applied: Vec<usize>,
    /// What is left of each file: a fresh judgement of the result.
    pub diagnostics: Vec<Vec<Diagnostic>>,
    /// Why the result must not be written, if it must not (nothing is changed then).
    pub refused: Option<String>,
}

/// Judges files: each one's findings, for a pass of the loop.
pub type JudgeFiles<'a> = dyn FnMut(&[SourceFile], Pass) -> Vec<Vec<Diagnostic>> + 'a;

/// The fix loop over files judged together (a descriptor alone, or a deployment file with the
/// descriptors and extensions it brings in). `judge` returns each file's findings; `parses`
/// says whether a changed file still has its syntax. A file whose findings block fixing (it
/// could not be read or parsed) is never edited.
pub fn converge(
    files: Vec<SourceFile>,
    unsafe_fixes: bool,
    parses: &dyn Fn(usize, &str) -> bool,
    judge: &mut JudgeFiles<'_>,
) -> Converged {
    let start = judge(&files, Pass::Start);
    let editable: Vec<bool> = start.iter().map(|d| !d.iter().any(|d| rules::blocks_fixing(d.rule.code))).collect();
    let mut current = files;
    let mut originals: Vec<Option<String>> = vec![None; current.len()];
    let mut applied = vec![0; current.len()];
    let mut judged: Option<Vec<Vec<Diagnostic>>> = None;
    for _ in 0..MAX_PASSES {
        let mut edited = false;
        for (file, diagnostics) in judged.as_ref().unwrap_or(&start).iter().enumerate() {
            let fixes = non_overlapping(diagnostics, unsafe_fixes);
            if fixes.is_empty() || !editable.get(file).copied().unwrap_or(false) {
                continue;
            }
            let text = apply(&current[file].text, &fixes);
            applied[file] += fixes.len();
            let fixed = SourceFile::new(current[file].path.clone(), text);
            let before = std::mem::replace(&mut current[file], fixed);
            originals[file].get_or_insert(before.text);
            edited = true;
        }
        if !edited {
            break;
        }
        judged = Some(judge(&current, Pass::Later));
    }
    if judged.is_none() {
        return Converged { files: current, originals, applied, diagnostics: start, refused: None };
    }
    let fresh = judge(&current, Pass::Fresh);
    let refused = originals.iter().enumerate().filter(|(_, o)| o.is_some()).find_map(|(file, _)| {
        let name = &current[file].path;
        if !parses(file, &current[file].text) {
            return Some(format!("the fixed text of {name} would not parse"));
        }
        regression(&start[file], fresh.get(file).map_or(&[], Vec::as_slice)).map(|r| format!("{name}: {r}"))
    });
    if refused.is_some() {
        for (file, original) in originals.iter_mut().enumerate() {
            if let Some(text) = original.take() {
                current[file] = SourceFile::new(current[file].path.clone(), text);
            }
        }
        return Converged { files: current, originals, applied: vec![0; applied.len()], diagnostics: start, refused };
    }
    Converged { files: current, originals, applied, diagnostics: fresh, refused: None }
}

/// The fix loop for one descriptor on its own.
pub fn fix_source(source: &SourceFile, unsafe_fixes: bool, options: &LintOptions<'_>) -> FixOutcome {
    let observed = Observed::default();
    let mut judge = |files: &[SourceFile], pass: Pass| {
        let options = match pass {
            Pass::Start => LintOptions { observed: Some(&observed), ..*options },
            Pass::Later => LintOptions { started_in: Some(observed.state.get()), observed: None, ..*options },
            Pass::Fresh => LintOptions { observed: None, ..*options },
        };
        vec![lint_with(&files[0], &options)]
    };
    let parses =
        |_: usize, text: &str| crate::parse::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok();
    let mut converged = converge(vec![source.clone()], unsafe_fixes, &parses, &mut judge);
    if let Some(caller) = options.observed {
        caller.state.set(observed.state.get());
        caller.xsappname.set(observed.xsappname.take());
    }
    let diagnostics = converged.diagnostics.pop().unwrap_or_default();
    match (converged.refused, converged.originals[0].is_some()) {
        (Some(reason), _) => FixOutcome::Refused { reason, diagnostics },
        (None, false) => FixOutcome::Unchanged(diagnostics),
        (None, true) => FixOutcome::Fixed(Fixed {
            text: converged.files.pop().map(|f| f.text).unwrap_or_default(),
            applied: converged.applied[0],
            remaining: diagnostics,
        }),
    }
}

/// Why the fixed text is worse than the original, if it is.
pub fn regression(before: &[Diagnostic], after: &[Diagnostic]) -> Option<String> {
    if let Some(d) = after.iter().find(|d| rules::blocks_fixing(d.rule.code)) {
        return Some(format!("the fixed text would not be valid ({})", d.message));
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
