//! The per-rule contract: every rule of the registry (`rules::ALL`) has fixtures that it flags
//! and fixtures it leaves alone, fixes as its declaration says, and documentation whose examples
//! do what the text says when run (as actionlint re-runs its documented examples).
//!
//! # Fixtures: `fixtures/rules/XSnnn/{err,ok}/CASE/`
//!
//! Each case is a tiny repository (a descriptor alone, an `mta.yaml` with its descriptor, a
//! Kubernetes manifest, a `.tf`, a credentials JSON, ...), copied to a temporary folder and
//! checked there with `xsuaa-lint check --isolated --output-format concise --quiet .` (without
//! `--isolated` when the case holds an `xsuaa-lint.toml`). A case may hold a `base/` folder with
//! the files as they were at the base revision (the history rules): the harness then builds a
//! real git repository, commits `base/`, and writes the case's files over it; the case is also
//! checked without git, where no history rule may fire. A `setup.txt` makes what a checked-in
//! file cannot be: symbolic links and FIFOs (`ln -s TARGET LINK`, `mkfifo PATH`; read, not run).
//! See `tests/support/mod.rs`.
//!
//! Beside the case's files:
//!
//! - `expected.out`: `exit N`, then the concise output (then `--- stderr` and standard error,
//!   when there is any);
//! - `expected.details`: for each finding, `path:line:column: CODE "pointer"`, its help and the fix
//!   it offers (`fix (safe|unsafe): message`), from `--output-format json --unsafe-fixes`;
//!   present exactly when the case has findings.
//!
//! An `err` case must report its folder's rule; an `ok` case must not. Every rule needs at least
//! one of each. Each rule's declared fix availability (`fix: FixKind::...` in its file) is
//! checked against the fixes its findings carry across all cases: `None`: never a fix; `Safe`:
//! always a safe fix; `Unsafe`: never a safe fix, and an unsafe one somewhere; `SometimesSafe`: a
//! safe fix somewhere and a finding without one somewhere, never an unsafe one.
//!
//! `UPDATE_FIXTURES=1 cargo test --test rules` rewrites `expected.out` and `expected.details`;
//! review the diff.
//!
//! # Documentation examples
//!
//! The `## Example` section of each rule's documentation (the module comment of
//! `src/rules/xsNNN_*.rs`) holds fenced code blocks, run as two small repositories, *flagged*
//! and *clean*: the flagged one must report the rule, the clean one must not (nor exit 2). The
//! conventions:
//!
//! - A block is a file. Its path is the block's `title="PATH"`
//!   (```` ```yaml title="k8s/xsuaa.yaml" ````), or else comes from its language: `json` ->
//!   `xs-security.json`, `yaml` -> `mta.yaml`, `hcl` -> `main.tf`, `toml` -> `xsuaa-lint.toml`
//!   (an example with a configuration file runs without `--isolated`).
//! - An `sh` block sets up what a text cannot hold, in the language of a case's `setup.txt`: only
//!   `ln -s TARGET LINK` and `mkfifo PATH` lines (and `#` comments). `text` blocks show output and are not run. Any other language is
//!   an error, so every example stays runnable.
//! - The last sentence of the text between the previous block and a block says where the block
//!   goes: one beginning with "At `HEAD`" makes it a file of the base revision (both examples
//!   then run in a git repository whose `HEAD` holds the base files); one beginning with "Clean"
//!   or "Fixed" starts the clean example; anything else (or no text) keeps the block in the
//!   current example, which is the flagged one until the clean one starts. One example may not
//!   write a path twice.
//! - The clean example is the flagged one with the clean blocks written over it, so it shows
//!   only the files that change.
//!
//! So the plain case is a ```` ```json ```` block, text ending "Flagged. Fixed:" (or "Clean:"),
//! and a second ```` ```json ```` block.
//!
//! # README
//!
//! The README's rule table lists every rule of the registry, in order, with its name, severity
//! and fix availability (`-`, `safe`, `unsafe`, `sometimes (safe)`, each optionally followed by a
//! qualification), and its last column names the SAP BTP security recommendation the rule checks
//! (`-` for none).

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::sync::OnceLock;
use support::{Case, Entry, Run};
use xsuaa_lint::rules::{self, FixKind};

/// The history rules: they need a base revision.
const HISTORY: &[&str] = &["XS109", "XS210", "XS211", "XS212", "XS213", "XS214"];

/// What one case produced.
struct CaseRun {
    case: Case,
    concise: Run,
    /// `--output-format json --unsafe-fixes`.
    findings: Vec<Value>,
    json_code: i32,
    /// The concise run without git, for cases with a base.
    without_history: Option<Run>,
}

fn run_case(case: &Case) -> CaseRun {
    let isolated = !case.has_config();
    let dir = case.materialize();
    let concise = support::check(dir.path(), isolated, &["--output-format", "concise", "--quiet"]);
    let json = support::check(dir.path(), isolated, &["--output-format", "json", "--unsafe-fixes"]);
    let findings = match serde_json::from_str::<Value>(&json.stdout) {
        Ok(Value::Array(items)) => items,
        _ => panic!("{}: --output-format json printed no JSON array:\n{}{}", case.id(), json.stdout, json.stderr),
    };
    let without_history = case.has_base().then(|| {
        let plain = case.materialize_with(false);
        support::check(plain.path(), isolated, &["--output-format", "concise", "--quiet"])
    });
    CaseRun { case: case.clone(), concise, findings, json_code: json.code, without_history }
}

/// Every case, run once per test binary (the contract and the fix declarations share the runs).
fn runs() -> &'static [CaseRun] {
    static RUNS: OnceLock<Vec<CaseRun>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let cases = support::cases();
        assert!(!cases.is_empty(), "no cases under fixtures/rules");
        support::parallel(&cases, run_case)
    })
}

fn expected_out(run: &Run) -> String {
    let mut text = format!("exit {}\n{}", run.code, run.stdout);
    if !run.stderr.is_empty() {
        text.push_str("--- stderr\n");
        text.push_str(&run.stderr);
    }
    text
}

fn details(findings: &[Value]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {}\n",
            f["path"].as_str().unwrap_or("?"),
            f["start"]["line"],
            f["start"]["column"],
            f["code"].as_str().unwrap_or("?"),
            f["pointer"]
        ));
        if let Some(help) = f["help"].as_str() {
            out.push_str(&format!("  help: {help}\n"));
        }
        if let Some(fix) = f["fix"].as_object() {
            out.push_str(&format!(
                "  fix ({}): {}\n",
                fix["applicability"].as_str().unwrap_or("?"),
                fix["message"].as_str().unwrap_or("?")
            ));
        }
    }
    out
}

/// Compares (or, with `UPDATE_FIXTURES`, writes) one expected file; `None`: must not exist.
fn compare(path: &std::path::Path, actual: Option<&str>, failures: &mut Vec<String>) {
    if support::updating() {
        match actual {
            Some(text) => fs::write(path, text).unwrap(),
            None => {
                let _ = fs::remove_file(path);
            }
        }
        return;
    }
    let expected = fs::read_to_string(path).ok();
    if expected.as_deref() != actual {
        failures.push(format!(
            "{}:\n--- expected\n{}--- actual\n{}",
            path.display(),
            expected.as_deref().unwrap_or("(no file)\n"),
            actual.unwrap_or("(no file)\n")
        ));
    }
}

#[test]
fn every_rule_has_a_flagged_and_a_clean_case() {
    let folders = support::rule_folders();
    let mut missing = Vec::new();
    for rule in rules::ALL {
        let (err, ok) = folders.iter().find(|(code, ..)| code == rule.code).map_or((0, 0), |(_, err, ok)| (*err, *ok));
        let lacks: Vec<&str> = [("an err case", err), ("an ok case", ok)]
            .into_iter()
            .filter(|(_, n)| *n == 0)
            .map(|(what, _)| what)
            .collect();
        if !lacks.is_empty() {
            missing.push(format!("{} {} lacks {}", rule.code, rule.name, lacks.join(" and ")));
        }
    }
    let strays: Vec<&String> =
        folders.iter().map(|(code, ..)| code).filter(|code| rules::ALL.iter().all(|r| r.code != *code)).collect();
    assert!(strays.is_empty(), "fixtures/rules/ holds folders for no rule of the registry: {strays:?}");
    assert!(missing.is_empty(), "rules without fixtures in fixtures/rules/:\n{}", missing.join("\n"));
}

#[test]
fn cases_match_their_expected_output() {
    let mut failures = Vec::new();
    for run in runs() {
        let case = &run.case;
        let id = case.id();
        if case.files().is_empty() {
            failures.push(format!("{id}: the case holds no files"));
            continue;
        }
        let codes = support::codes(&run.concise.stdout);
        let json_codes: Vec<&str> = run.findings.iter().filter_map(|f| f["code"].as_str()).collect();
        if codes != json_codes || run.concise.code != run.json_code {
            failures.push(format!(
                "{id}: concise and JSON disagree: {codes:?} (exit {}) vs {json_codes:?} (exit {})",
                run.concise.code, run.json_code
            ));
        }
        let reported = codes.contains(&case.rule);
        if case.flagged && !reported {
            failures.push(format!("{id}: {} is not reported:\n{}", case.rule, run.concise.stdout));
        }
        if !case.flagged && reported {
            failures.push(format!("{id}: {} is reported in an ok case:\n{}", case.rule, run.concise.stdout));
        }
        if let Some(plain) = &run.without_history {
            let history: Vec<String> =
                support::codes(&plain.stdout).into_iter().filter(|c| HISTORY.contains(&c.as_str())).collect();
            if !history.is_empty() {
                failures.push(format!("{id}: without git, history rules fire: {history:?}"));
            }
        }
        compare(&case.dir.join(support::EXPECTED), Some(&expected_out(&run.concise)), &mut failures);
        let details = details(&run.findings);
        compare(&case.dir.join(support::DETAILS), (!details.is_empty()).then_some(details.as_str()), &mut failures);
    }
    assert!(failures.is_empty(), "{} problems:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// How the findings of one rule came with fixes, across all cases.
#[derive(Default)]
struct Offered {
    safe: Vec<String>,
    unsafe_: Vec<String>,
    none: Vec<String>,
}

#[test]
fn declared_fix_availability_matches_the_fixes_offered() {
    let mut offered: BTreeMap<&str, Offered> = BTreeMap::new();
    for run in runs() {
        for f in &run.findings {
            let Some(code) = f["code"].as_str() else { continue };
            let Some(rule) = rules::by_code(code) else { continue };
            let at = format!("{} ({}:{})", run.case.id(), f["path"].as_str().unwrap_or("?"), f["start"]["line"]);
            let entry = offered.entry(rule.code).or_default();
            match f["fix"]["applicability"].as_str() {
                Some("safe") => entry.safe.push(at),
                Some("unsafe") => entry.unsafe_.push(at),
                _ => entry.none.push(at),
            }
        }
    }
    let mut failures = Vec::new();
    for rule in rules::ALL {
        let Some(o) = offered.get(rule.code) else {
            failures.push(format!("{}: no finding in any case", rule.code));
            continue;
        };
        // Where it happens, one case per kind.
        let first = |lists: &[&Vec<String>]| -> String {
            lists.iter().filter_map(|v| v.first()).cloned().collect::<Vec<_>>().join(", ")
        };
        let problem = match rule.fix {
            FixKind::None if !o.safe.is_empty() || !o.unsafe_.is_empty() => {
                Some(format!("declared none, yet offers a fix: {}", first(&[&o.safe, &o.unsafe_])))
            }
            FixKind::Safe if !o.none.is_empty() || !o.unsafe_.is_empty() => {
                Some(format!("declared safe, yet a finding has no safe fix: {}", first(&[&o.none, &o.unsafe_])))
            }
            FixKind::Unsafe if !o.safe.is_empty() => {
                Some(format!("declared unsafe, yet offers a safe fix: {}", first(&[&o.safe])))
            }
            FixKind::Unsafe if o.unsafe_.is_empty() => Some("declared unsafe, yet no case offers the fix".into()),
            FixKind::SometimesSafe if !o.unsafe_.is_empty() => {
                Some(format!("declared sometimes safe, yet offers an unsafe fix: {}", first(&[&o.unsafe_])))
            }
            FixKind::SometimesSafe if o.safe.is_empty() || o.none.is_empty() => Some(format!(
                "declared sometimes safe: needs a case with a safe fix ({}) and one without ({})",
                o.safe.len(),
                o.none.len()
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            failures.push(format!("{} ({}): {problem}", rule.code, rule.fix.as_str()));
        }
    }
    assert!(failures.is_empty(), "fix declarations that disagree with the fixtures:\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Documentation examples.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Base,
    Flagged,
    Clean,
}

/// One step of building an example's repository.
#[derive(Debug, Clone)]
struct Step {
    part: Part,
    path: String,
    entry: Entry,
}

/// The example's files, by part, from the `## Example` section of a rule's documentation.
fn example_steps(code: &str, doc: &str) -> Result<Vec<Step>, String> {
    let section: Vec<&str> =
        doc.lines().skip_while(|l| l.trim() != "## Example").skip(1).take_while(|l| !l.starts_with("## ")).collect();
    if section.is_empty() {
        return Err(format!("{code}: no `## Example` section"));
    }
    let mut steps = Vec::new();
    let mut current = Part::Flagged;
    // The text since the previous block, as one line.
    let mut text = String::new();
    let mut lines = section.iter();
    while let Some(line) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            if !line.trim().is_empty() {
                text.push(' ');
                text.push_str(line.trim());
            }
            continue;
        };
        let mut body = String::new();
        for line in lines.by_ref() {
            if line.trim_start().starts_with("```") {
                break;
            }
            body.push_str(line);
            body.push('\n');
        }
        let sentence = text.trim().rsplit(". ").next().unwrap_or("").to_string();
        let part = if sentence.starts_with("At `HEAD`") {
            Part::Base
        } else {
            if sentence.starts_with("Clean") || sentence.starts_with("Fixed") {
                current = Part::Clean;
            }
            current
        };
        text.clear();
        let lang = info.split_whitespace().next().unwrap_or("");
        let title = info.split_once("title=\"").and_then(|(_, rest)| rest.split_once('"')).map(|(t, _)| t.to_string());
        let default = match lang {
            "json" => "xs-security.json",
            "yaml" => "mta.yaml",
            "hcl" => "main.tf",
            "toml" => "xsuaa-lint.toml",
            // A script's text (`sh` blocks are the example's setup commands).
            "bash" => "deploy.sh",
            "sh" => {
                let made = support::setup(&body).map_err(|e| format!("{code}: in an sh block, {e}"))?;
                steps.extend(made.into_iter().map(|(path, entry)| Step { part, path, entry }));
                continue;
            }
            "text" => continue,
            other => {
                return Err(format!("{code}: a ```{other} block cannot be run (json, yaml, hcl, toml, bash, sh, text)"))
            }
        };
        let path = title.unwrap_or_else(|| default.to_string());
        if steps.iter().any(|s: &Step| s.part == part && s.path == path) {
            return Err(format!(
                "{code}: `{path}` is written twice in the {part:?} example; start the clean one with \"Clean:\" or \"Fixed:\""
            ));
        }
        steps.push(Step { part, path, entry: Entry::File(body.into_bytes()) });
    }
    for (part, what) in [(Part::Flagged, "flagged example"), (Part::Clean, "clean or fixed example")] {
        if !steps.iter().any(|s| s.part == part) {
            return Err(format!("{code}: the documentation has no {what} that can be run"));
        }
    }
    Ok(steps)
}

/// Builds the flagged (`clean: false`) or clean example and checks it; the concise output.
fn run_example(steps: &[Step], clean: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let base: Vec<&Step> = steps.iter().filter(|s| s.part == Part::Base).collect();
    if !base.is_empty() {
        support::git_init(dir.path());
        for s in &base {
            support::write_entry(dir.path(), &s.path, &s.entry);
        }
        support::git(dir.path(), &["add", "-A"]);
        support::git(dir.path(), &["commit", "-q", "-m", "base"]);
    }
    let parts: &[Part] = if clean { &[Part::Flagged, Part::Clean] } else { &[Part::Flagged] };
    for s in steps.iter().filter(|s| parts.contains(&s.part)) {
        support::write_entry(dir.path(), &s.path, &s.entry);
    }
    let isolated = !steps.iter().any(|s| support::is_config_name(&s.path));
    support::check(dir.path(), isolated, &["--output-format", "concise", "--quiet"])
}

#[test]
fn documented_examples_are_flagged_and_clean() {
    let results = support::parallel(rules::ALL, |rule| {
        let doc = rules::rule_doc(rule.code).unwrap_or_default();
        let steps = match example_steps(rule.code, doc) {
            Ok(steps) => steps,
            Err(e) => return vec![e],
        };
        let mut failures = Vec::new();
        let flagged = run_example(&steps, false);
        if !support::codes(&flagged.stdout).iter().any(|c| c == rule.code) {
            failures.push(format!(
                "{}: the flagged example is not flagged (exit {}):\n{}{}",
                rule.code, flagged.code, flagged.stdout, flagged.stderr
            ));
        }
        let clean = run_example(&steps, true);
        if support::codes(&clean.stdout).iter().any(|c| c == rule.code) || clean.code == 2 {
            failures.push(format!(
                "{}: the clean example is flagged (exit {}):\n{}{}",
                rule.code, clean.code, clean.stdout, clean.stderr
            ));
        }
        failures
    });
    let failures: Vec<String> = results.into_iter().flatten().collect();
    assert!(failures.is_empty(), "documentation examples:\n{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// README.

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table: Vec<Vec<String>> = readme
        .lines()
        .skip_while(|l| *l != "## Rules")
        .take_while(|l| !l.starts_with("## ") || *l == "## Rules")
        .filter(|l| l.starts_with("| XS"))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    let mut failures = Vec::new();
    let listed: Vec<&str> = table.iter().map(|row| row[0].as_str()).collect();
    let registry: Vec<&str> = rules::ALL.iter().map(|r| r.code).collect();
    if listed != registry {
        failures.push(format!("codes: README {listed:?}\n  registry {registry:?}"));
    }
    let mut seen = BTreeSet::new();
    for row in &table {
        let Some(rule) = rules::ALL.iter().find(|r| r.code == row[0]) else { continue };
        seen.insert(rule.code);
        let fix = row[3].as_str();
        let fix_kind = if fix == "-" {
            Some(FixKind::None)
        } else if fix.starts_with("sometimes (safe)") {
            Some(FixKind::SometimesSafe)
        } else if fix.starts_with("unsafe") {
            Some(FixKind::Unsafe)
        } else if fix.starts_with("safe") {
            Some(FixKind::Safe)
        } else {
            None
        };
        if row[1] != rule.name {
            failures.push(format!("{}: name `{}` in README, `{}` in the registry", rule.code, row[1], rule.name));
        }
        if row[2] != rule.severity.as_str() {
            failures.push(format!(
                "{}: severity `{}` in README, `{}` in the registry",
                rule.code,
                row[2],
                rule.severity.as_str()
            ));
        }
        let sap = row.get(5).map(String::as_str).unwrap_or("");
        if sap != rule.recommendation.unwrap_or("-") {
            failures.push(format!(
                "{}: SAP recommendation `{sap}` in README, `{}` in the registry",
                rule.code,
                rule.recommendation.unwrap_or("-")
            ));
        }
        if fix_kind != Some(rule.fix) {
            failures.push(format!("{}: fix `{fix}` in README, `{}` in the registry", rule.code, rule.fix.as_str()));
        }
    }
    assert!(failures.is_empty(), "README rule table:\n{}", failures.join("\n"));
}
