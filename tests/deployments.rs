//! Deployment fixtures: each folder of `fixtures/deploy/` is a small repository (MTA, Kyma,
//! Helm, Terraform, committed credentials). Checked in a temporary copy, its findings must be
//! exactly `fixtures/deploy/NAME.out`; with `--fix`, every file that changes must equal its
//! copy under `fixtures/deploy-fixed/NAME/`, and nothing else may change.
//! `UPDATE_FIXTURES=1 cargo test --test deployments` rewrites the expected files; review them.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn copy(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in files(from) {
        let to = dir.path().join(&rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::write(to, bytes).unwrap();
    }
    dir
}

fn run(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--isolated", "--output-format", "concise", "--quiet"])
        .args(extra)
        .arg(".")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> =
        fs::read_dir(root().join("deploy")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    cases
}

#[test]
fn deployment_fixtures_match_their_expected_output() {
    let updating = std::env::var_os("UPDATE_FIXTURES").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let work = copy(&case);
        let (code, out) = run(work.path(), &[]);
        let expected_path = case.with_extension("out");
        if updating {
            fs::write(&expected_path, &out).unwrap();
        } else if fs::read_to_string(&expected_path).ok().as_deref() != Some(out.as_str()) {
            failures.push(format!("{name}: expected {}\n--- actual\n{out}", expected_path.display()));
        }
        // Clean cases (and the Helm one, whose note is an info) pass; every other case fails.
        let passes = name.starts_with("ok-") || name == "helm-template";
        assert_eq!(code == 0, passes, "{name}: exit {code}\n{out}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn deployment_fixes_change_only_what_they_should() {
    let updating = std::env::var_os("UPDATE_FIXTURES").is_some();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let work = copy(&case);
        let before = files(work.path());
        run(work.path(), &["--fix"]);
        let after = files(work.path());
        let changed: BTreeMap<&String, &Vec<u8>> =
            after.iter().filter(|(rel, bytes)| before.get(*rel) != Some(bytes)).collect();
        let expected_dir = root().join("deploy-fixed").join(&name);
        if updating {
            let _ = fs::remove_dir_all(&expected_dir);
            for (rel, bytes) in &changed {
                let to = expected_dir.join(rel);
                fs::create_dir_all(to.parent().unwrap()).unwrap();
                fs::write(to, bytes).unwrap();
            }
            continue;
        }
        let expected = if expected_dir.is_dir() { files(&expected_dir) } else { BTreeMap::new() };
        let expected: BTreeMap<&String, &Vec<u8>> = expected.iter().collect();
        assert_eq!(changed, expected, "{name}: files changed by --fix");
        // Idempotent: a second run changes nothing.
        run(work.path(), &["--fix"]);
        assert_eq!(files(work.path()), after, "{name}: a second --fix changed something");
    }
}
