//! `--fix` on the deployment cases: every case of `fixtures/rules/` that holds a deployment file
//! (MTA, extension, Kubernetes YAML, Terraform) or a credentials file is fixed in a temporary
//! copy; every file that changes must equal its copy under `fixtures/deploy-fixed/CASE/` (CASE:
//! the case folder's name), nothing else may change, and a second `--fix` changes nothing.
//! What the cases report is the per-rule contract (`tests/rules.rs`).
//! `UPDATE_FIXTURES=1 cargo test --test deployments` rewrites `fixtures/deploy-fixed/`; review it.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use support::{Case, Entry};
use xsuaa_lint::io::discover::{classify_name, FileKind};

fn is_deployment_case(case: &Case) -> bool {
    case.files().keys().any(|rel| {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        matches!(classify_name(name), Some(FileKind::Deployment(_) | FileKind::Credentials))
    })
}

fn deployment_cases() -> Vec<Case> {
    support::cases().into_iter().filter(is_deployment_case).collect()
}

fn fix(dir: &std::path::Path, case: &Case) {
    support::check(dir, !case.has_config(), &["--output-format", "concise", "--quiet", "--fix"]);
}

#[test]
fn deployment_case_names_are_unique_and_every_fixed_folder_has_its_case() {
    let cases = deployment_cases();
    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(names.insert(case.name.clone()), "two deployment cases are named {}", case.name);
    }
    let fixed = support::fixtures().join("deploy-fixed");
    for entry in fs::read_dir(&fixed).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(names.contains(&name), "fixtures/deploy-fixed/{name} belongs to no deployment case");
    }
}

#[test]
fn deployment_fixes_change_only_what_they_should() {
    let cases = deployment_cases();
    assert!(cases.len() >= 11, "the deployment cases are under fixtures/rules/");
    let failures = support::parallel(&cases, |case| {
        let work = case.materialize();
        let before = support::entries(work.path(), false);
        fix(work.path(), case);
        let after = support::entries(work.path(), false);
        let changed: BTreeMap<&String, &Entry> =
            after.iter().filter(|(rel, entry)| before.get(*rel) != Some(entry)).collect();
        let expected_dir = support::fixtures().join("deploy-fixed").join(&case.name);
        if support::updating() {
            let _ = fs::remove_dir_all(&expected_dir);
            support::write_entries(&expected_dir, &changed.iter().map(|(k, v)| ((*k).clone(), (*v).clone())).collect());
            return None;
        }
        let expected = if expected_dir.is_dir() { support::entries(&expected_dir, false) } else { BTreeMap::new() };
        let expected: BTreeMap<&String, &Entry> = expected.iter().collect();
        if changed != expected {
            return Some(format!("{}: files changed by --fix: {:?}", case.id(), changed.keys().collect::<Vec<_>>()));
        }
        // Idempotent: a second run changes nothing.
        fix(work.path(), case);
        if support::entries(work.path(), false) != after {
            return Some(format!("{}: a second --fix changed something", case.id()));
        }
        None
    });
    let failures: Vec<String> = failures.into_iter().flatten().collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A binding file that is a deployment file of its own and a side file of the instance it binds
/// (a Kubernetes folder, a Terraform module): its diff and its fix are counted once.
#[test]
fn a_side_file_that_is_also_judged_alone_shows_one_diff() {
    let case =
        support::cases().into_iter().find(|c| c.id().contains("XS110/err/kyma-instance-secret-binding-file")).unwrap();
    let work = case.materialize();
    let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(work.path())
        .args(["check", "--isolated", "--diff", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.matches("--- a/k8s/xsuaa-binding.yaml").count(), 1, "{stdout}");
    assert!(stdout.contains("+    credential-type: binding-secret"), "{stdout}");
    assert!(format!("{stdout}{stderr}").contains("Would apply 1 fix(es) to 1 file(s)."), "{stdout}{stderr}");
}
