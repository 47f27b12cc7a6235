//! Fix fixtures: `fixtures/fix/NAME.json` must become `NAME.fixed.json` with `--fix` and
//! `NAME.unsafe.json` with `--fix --unsafe-fixes`, and fixing again must converge.
//!
//! What each rule reports (flagged and clean cases, history included) is the per-rule contract
//! of `fixtures/rules/`, run by `tests/rules.rs`.
//!
//! `UPDATE_FIXTURES=1 cargo test --test fixtures` rewrites the expected files; review the diff.

use std::path::{Path, PathBuf};
use xsuaa_lint::io::load;
use xsuaa_lint::lint::fix::{fix_source, FixOutcome};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            let name = p.to_string_lossy();
            !name.ends_with(".fixed.json") && !name.ends_with(".unsafe.json")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn updating() -> bool {
    std::env::var_os("UPDATE_FIXTURES").is_some()
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
