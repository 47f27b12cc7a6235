//! Applying fixes: one loop for every kind of file. Judge, apply each file's allowed fixes that
//! do not overlap, judge again, until nothing is left to apply; then check the result before
//! anyone writes it, and judge it afresh for the report.

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::lint::{lint_with, LintOptions, Observed};
use crate::model::descriptor::MigrationState;
use crate::rules;
use crate::text::source::SourceFile;
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

/// A fix not applied because a rival fix of the same span was: instances sharing the file
/// wanted different lists, and the one that leaves the file earlier in SAP's procedure won.
#[derive(Debug, Clone)]
pub struct HeldBack {
    pub file: usize,
    pub dropped: Diagnostic,
    pub kept: Diagnostic,
    /// The state the kept fix leaves the file in.
    pub kept_state: MigrationState,
    /// The dropped fix would have left the same stage (the kept list allows more types).
    pub same_stage: bool,
}

/// Where a file's list stands: its migration state and how many credential types it allows.
pub type Standing = (MigrationState, usize);

/// A finding with the fix the run may apply.
type Candidate<'d> = (&'d Diagnostic, &'d Fix);

/// A finding whose fix lost to a rival's, the winner, and the state the winner leaves.
type Lost<'d> = (&'d Diagnostic, &'d Diagnostic, MigrationState, bool);

/// The fixes to apply to one file's `text`: first come first served by position, except where
/// fixes of different findings rewrite one span differently. Then each rival is tried on the
/// text and the one whose result is earliest in SAP's procedure wins (the most conservative
/// list: a Cloud Foundry instance that still needs the dual state keeps `instance-secret`);
/// equals, or rivals whose result `state` cannot tell, keep the order by position.
fn plan<'d>(
    diagnostics: &'d [Diagnostic],
    unsafe_fixes: bool,
    text: &str,
    state: &dyn Fn(&str) -> Option<Standing>,
) -> (Vec<&'d Fix>, Vec<Lost<'d>>) {
    let mut candidates: Vec<Candidate<'d>> =
        diagnostics.iter().filter_map(|d| Some((d, d.fix.as_ref().filter(|f| allowed(f, unsafe_fixes))?))).collect();
    candidates.sort_by_key(|(_, f)| (f.range().start, f.range().end));
    let mut chosen: Vec<&Fix> = Vec::new();
    let mut held_back = Vec::new();
    let mut end = None;
    for (i, &first) in candidates.iter().enumerate() {
        let range = first.1.range();
        if end.is_some_and(|e| range.start <= e) {
            continue;
        }
        let rivals = candidates[i + 1..]
            .iter()
            .take_while(|(_, f)| f.range().start <= range.end)
            .filter(|(_, f)| f.edits != first.1.edits);
        let contenders: Vec<Candidate<'d>> = std::iter::once(first).chain(rivals.copied()).collect();
        let best = match rank(&contenders, text, state) {
            Some((winner, kept_state)) => {
                let lost = contenders.iter().filter(|c| c.1.edits != winner.1.edits);
                let stage_of = |fix: &Fix| state(&apply(text, &[fix])).and_then(|(after, _)| after.stage());
                held_back.extend(lost.map(|c| (c.0, winner.0, kept_state, stage_of(c.1) == kept_state.stage())));
                winner
            }
            None => first,
        };
        end = Some(best.1.range().end);
        chosen.push(best.1);
    }
    (chosen, held_back)
}

/// The rival whose fix leaves the text earliest in SAP's procedure and, among those, allows the
/// most credential types (an `x509` a binding asks for stays); the first of equals. With the
/// state it leaves; `None` without rivals, or when `state` cannot tell for one of them.
fn rank<'d>(
    contenders: &[Candidate<'d>],
    text: &str,
    state: &dyn Fn(&str) -> Option<Standing>,
) -> Option<(Candidate<'d>, MigrationState)> {
    if contenders.len() < 2 {
        return None;
    }
    let mut best: Option<((u8, std::cmp::Reverse<usize>), Candidate<'d>, MigrationState)> = None;
    for &contender in contenders {
        let (after, allowed) = state(&apply(text, &[contender.1]))?;
        let key = (after.stage()?, std::cmp::Reverse(allowed));
        if best.as_ref().is_none_or(|(earliest, _, _)| key < *earliest) {
            best = Some((key, contender, after));
        }
    }
    best.map(|(_, winner, after)| (winner, after))
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
    /// Fixes that lost to a rival fix of the same span (empty when the result is refused).
    pub held_back: Vec<HeldBack>,
}

/// What the loop asks of a file's text besides its findings (by file index).
pub struct TextChecks<'a> {
    /// Whether a changed file still has its syntax.
    pub parses: &'a dyn Fn(usize, &str) -> bool,
    /// The migration state of a file that holds one list (a descriptor): how rival fixes of
    /// one span are ranked. `None` where the file cannot tell.
    pub state: &'a dyn Fn(usize, &str) -> Option<Standing>,
}

/// Where a descriptor's text stands, `None` when it does not parse.
pub fn descriptor_state(text: &str) -> Option<Standing> {
    let root = crate::syntax::json::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).ok()?;
    let types = crate::model::descriptor::CredentialTypes::of(&root);
    let allowed = match &types {
        crate::model::descriptor::CredentialTypes::Listed { types, .. } => types.len(),
        _ => 0,
    };
    Some((types.state(), allowed))
}

/// Judges files: each one's findings, for a pass of the loop.
pub type JudgeFiles<'a> = dyn FnMut(&[SourceFile], Pass) -> Vec<Vec<Diagnostic>> + 'a;

/// The fix loop over files judged together (a descriptor alone, or a deployment file with the
/// descriptors and extensions it brings in; every deployment file sharing those, with theirs).
/// `judge` returns each file's findings, of every instance using it: each file's fixes are
/// planned once, from all of them. A file whose findings block fixing (it could not be read or
/// parsed) is never edited.
pub fn converge(
    files: Vec<SourceFile>,
    unsafe_fixes: bool,
    checks: &TextChecks<'_>,
    judge: &mut JudgeFiles<'_>,
) -> Converged {
    let start = judge(&files, Pass::Start);
    let editable: Vec<bool> = start.iter().map(|d| !d.iter().any(|d| rules::blocks_fixing(d.rule.code))).collect();
    let mut current = files;
    let mut originals: Vec<Option<String>> = vec![None; current.len()];
    let mut applied = vec![0; current.len()];
    let mut judged: Option<Vec<Vec<Diagnostic>>> = None;
    let mut held_back = Vec::new();
    for _ in 0..MAX_PASSES {
        let mut edited = false;
        for (file, diagnostics) in judged.as_ref().unwrap_or(&start).iter().enumerate() {
            if !editable.get(file).copied().unwrap_or(false) {
                continue;
            }
            let state = |text: &str| (checks.state)(file, text);
            let (fixes, lost) = plan(diagnostics, unsafe_fixes, &current[file].text, &state);
            held_back.extend(lost.into_iter().map(|(dropped, kept, kept_state, same_stage)| HeldBack {
                file,
                dropped: dropped.clone(),
                kept: kept.clone(),
                kept_state,
                same_stage,
            }));
            if fixes.is_empty() {
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
        return Converged { files: current, originals, applied, diagnostics: start, refused: None, held_back };
    }
    let fresh = judge(&current, Pass::Fresh);
    let refused = originals.iter().enumerate().filter(|(_, o)| o.is_some()).find_map(|(file, _)| {
        let name = &current[file].path;
        if !(checks.parses)(file, &current[file].text) {
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
        let applied = vec![0; applied.len()];
        return Converged { files: current, originals, applied, diagnostics: start, refused, held_back: Vec::new() };
    }
    Converged { files: current, originals, applied, diagnostics: fresh, refused: None, held_back }
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
    let parses = |_: usize, text: &str| descriptor_state(text).is_some();
    let state = |_: usize, text: &str| descriptor_state(text);
    let checks = TextChecks { parses: &parses, state: &state };
    let mut converged = converge(vec![source.clone()], unsafe_fixes, &checks, &mut judge);
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
    fn rival_fixes_of_one_span_keep_the_most_conservative_list_in_any_order() {
        let text = "{\"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}";
        let source = SourceFile::new("t.json", text.into());
        let start = text.find('[').unwrap();
        let span = crate::text::source::Span::new(start, text.len() - 2);
        let rival = |list: &str| {
            let fix = Fix::new(Applicability::Safe, "f", &source, [(span, list.to_string())]);
            Diagnostic::new(&rules::xs102_instance_secret_only::RULE, &source, span, "", list).with_fix(Some(fix))
        };
        let (dual, binding) = (rival("[\"binding-secret\", \"instance-secret\"]"), rival("[\"binding-secret\"]"));
        for diagnostics in [vec![dual.clone(), binding.clone()], vec![binding.clone(), dual.clone()]] {
            let (chosen, held_back) = plan(&diagnostics, false, text, &descriptor_state);
            assert_eq!(chosen, [dual.fix.as_ref().unwrap()]);
            assert_eq!(held_back.len(), 1);
            assert_eq!(held_back[0].0.message, binding.message);
            assert_eq!(held_back[0].2, MigrationState::Dual);
        }
        // Of two dual lists, the one that keeps the x509 a binding asks for.
        let x509 = rival("[\"binding-secret\", \"x509\", \"instance-secret\"]");
        for diagnostics in [vec![dual.clone(), x509.clone()], vec![x509.clone(), dual.clone()]] {
            let (chosen, _) = plan(&diagnostics, false, text, &descriptor_state);
            assert_eq!(chosen, [x509.fix.as_ref().unwrap()]);
        }
        // Rivals whose result cannot be judged keep the order by position.
        let both = [binding.clone(), dual];
        let (chosen, held_back) = plan(&both, false, text, &|_| None);
        assert_eq!((chosen, held_back.len()), (vec![binding.fix.as_ref().unwrap()], 0));
    }

    #[test]
    fn parse_errors_are_never_edited() {
        let source = SourceFile::new("t.json", "{\"a\": 1,}".into());
        assert!(matches!(fix_source(&source, true, &LintOptions::default()), FixOutcome::Unchanged(_)));
    }
}
