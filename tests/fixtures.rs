//! Fixture tests in the style of actionlint: `fixtures/ok/*.json` must lint clean;
//! `fixtures/err/NAME.json` must produce exactly `fixtures/err/NAME.out`;
//! `fixtures/fix/NAME.json` must become `NAME.fixed.json` with `--fix` and
//! `NAME.unsafe.json` with `--fix --unsafe-fixes`.
//!
//! `fixtures/history/NAME.json` is linted against `NAME.base.json` as its base revision and must
//! produce exactly `NAME.out` (empty: clean).
//!
//! `UPDATE_FIXTURES=1 cargo test --test fixtures` rewrites the expected files; review the diff.

use std::path::{Path, PathBuf};
use xsuaa_lint::descriptor::Baseline;
use xsuaa_lint::lint::fix::{fix_source, FixOutcome};
use xsuaa_lint::lint::{lint, lint_against};
use xsuaa_lint::load;

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            let name = p.to_string_lossy();
            !name.ends_with(".fixed.json") && !name.ends_with(".unsafe.json") && !name.ends_with(".base.json")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn updating() -> bool {
    std::env::var_os("UPDATE_FIXTURES").is_some()
}

/// `line:column CODE pointer: message`, then the help and the fix, for each finding.
fn findings(path: &Path) -> String {
    let diagnostics = match load::read_path(path, "fixture") {
        Ok(source) => lint(&source),
        Err(e) => vec![e.into_diagnostic()],
    };
    render(&diagnostics)
}

fn render(diagnostics: &[xsuaa_lint::diagnostic::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let help = d.help.as_ref().map(|h| format!("  help: {h}\n")).unwrap_or_default();
            let fix =
                d.fix.as_ref().map(|f| format!("  fix ({:?}): {}\n", f.applicability, f.message)).unwrap_or_default();
            format!("{}:{} {} {}: {}\n{help}{fix}", d.start.line, d.start.column, d.rule.code, d.pointer, d.message)
        })
        .collect()
}

fn compare(expected_path: &Path, actual: &str, failures: &mut Vec<String>) {
    if updating() {
        std::fs::write(expected_path, actual).unwrap();
        return;
    }
    match std::fs::read_to_string(expected_path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => {
            failures.push(format!("{}:\n--- expected\n{expected}--- actual\n{actual}", expected_path.display()))
        }
        Err(_) => failures.push(format!("{} is missing; actual:\n{actual}", expected_path.display())),
    }
}

#[test]
fn ok_fixtures_are_clean() {
    for path in fixtures("ok") {
        assert_eq!(findings(&path), "", "{}", path.display());
    }
}

#[test]
fn err_fixtures_match_their_expected_output() {
    let mut failures = Vec::new();
    for path in fixtures("err") {
        let actual = findings(&path);
        assert!(!actual.is_empty(), "{} must be flagged", path.display());
        // The rule named by the file must be among the findings.
        let code = path.file_name().unwrap().to_str().unwrap()[..5].to_uppercase();
        assert!(actual.contains(&code), "{} lacks {code}:\n{actual}", path.display());
        compare(&path.with_extension("out"), &actual, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn fixed_text(path: &Path, unsafe_fixes: bool) -> String {
    let source = load::read_path(path, "fixture").unwrap();
    match fix_source(&source, unsafe_fixes, &xsuaa_lint::lint::LintOptions::default()) {
        FixOutcome::Fixed(f) => f.text,
        FixOutcome::Unchanged(_) => source.text,
        FixOutcome::Refused { reason, .. } => panic!("{}: refused: {reason}", path.display()),
    }
}

#[test]
fn fix_fixtures_match_their_expected_output() {
    let mut failures = Vec::new();
    for path in fixtures("fix") {
        let input = std::fs::read_to_string(&path).unwrap();
        for (unsafe_fixes, suffix) in [(false, "fixed.json"), (true, "unsafe.json")] {
            let actual = fixed_text(&path, unsafe_fixes);
            if unsafe_fixes {
                assert_ne!(actual, input, "{} must change with unsafe fixes", path.display());
            }
            compare(&path.with_extension(suffix), &actual, &mut failures);
            let fix_again = |text: &str| {
                let source = load::from_bytes("again", text.as_bytes().to_vec()).unwrap();
                match fix_source(&source, unsafe_fixes, &xsuaa_lint::lint::LintOptions::default()) {
                    FixOutcome::Fixed(f) => f.text,
                    _ => text.to_string(),
                }
            };
            let again = fix_again(&actual);
            if unsafe_fixes {
                // One stage per run: a dual state written by the first run may finish in the
                // second; the third changes nothing.
                assert_eq!(fix_again(&again), again, "{} ({suffix}) does not converge", path.display());
            } else {
                assert_eq!(again, actual, "{} ({suffix}) is not idempotent", path.display());
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn history_fixtures_match_their_expected_output() {
    let mut failures = Vec::new();
    let mut flagged = 0;
    for path in fixtures("history") {
        let base_text = std::fs::read_to_string(path.with_extension("base.json")).unwrap();
        let base = Baseline {
            revision: "HEAD".into(),
            renamed_from: None,
            root: xsuaa_lint::parse::parse(&base_text, 0).unwrap(),
        };
        let source = load::read_path(&path, "fixture").unwrap();
        let actual = render(&lint_against(&source, Some(&base)));
        // Without history, none of the history rules may fire.
        let alone = render(&lint(&source));
        assert!(!["XS109", "XS21"].iter().any(|c| alone.contains(c)), "{}: {alone}", path.display());
        flagged += usize::from(!actual.is_empty());
        compare(&path.with_extension("out"), &actual, &mut failures);
    }
    assert!(flagged >= 7, "history fixtures must include flagged cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
