//! History-aware rules on real temporary git repositories: a staged change judged against
//! `HEAD`, `--base REV`, a renamed file, a file new at the base, a file outside git.

mod support;

use std::fs;
use std::path::Path;
use support::check_concise as check;
use support::git;
use tempfile::TempDir;

fn descriptor(types: Option<&str>) -> String {
    match types {
        Some(list) => format!("{{\n  \"xsappname\": \"orders\",\n  \"oauth2-configuration\": {{\n    \"credential-types\": {list}\n  }}\n}}\n"),
        None => "{\n  \"xsappname\": \"orders\"\n}\n".to_string(),
    }
}

const INSTANCE_ONLY: &str = r#"["instance-secret"]"#;
const DUAL: &str = r#"["binding-secret", "instance-secret"]"#;
const BINDING_ONLY: &str = r#"["binding-secret"]"#;

fn repo() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn commit(dir: &Path, rel: &str, text: &str, message: &str) -> String {
    write(dir, rel, text);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn codes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|c| c.starts_with("XS"))
        .map(String::from)
        .collect()
}

#[test]
fn staged_removal_without_the_dual_state_is_flagged_and_fixed_back_to_dual() {
    let dir = repo();
    commit(dir.path(), "xs-security.json", &descriptor(Some(INSTANCE_ONLY)), "instance only");
    write(dir.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)));
    git(dir.path(), &["add", "xs-security.json"]);

    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(codes(&out), ["XS109"]);
    assert!(out.contains("at HEAD the state was instance-only"), "{out}");

    // Fixed back to the dual state, which is new in this change: XS103 is an info ("in progress
    // since today"), so the fixed file passes.
    let (code, out, err) = check(dir.path(), &["--fix"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(codes(&out), ["XS103"]);
    assert_eq!(fs::read_to_string(dir.path().join("xs-security.json")).unwrap(), descriptor(Some(DUAL)));

    // Now in the dual state, new in this change: XS103 offers no removal, so even
    // `--unsafe-fixes` cannot take the shortcut again.
    let (_, out, _) = check(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(codes(&out), ["XS103"]);
    assert_eq!(fs::read_to_string(dir.path().join("xs-security.json")).unwrap(), descriptor(Some(DUAL)));
}

#[test]
fn an_implicit_list_at_the_base_counts_as_allowing_instance_secret() {
    let dir = repo();
    commit(dir.path(), "xs-security.json", &descriptor(None), "implicit");
    write(dir.path(), "xs-security.json", &descriptor(Some(r#"["x509"]"#)));
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!((code, codes(&out)), (1, vec!["XS109".to_string()]));
    assert!(out.contains("the state was implicit"), "{out}");
}

#[test]
fn base_revision_decides_between_shortcut_and_last_step() {
    let dir = repo();
    let instance_only = commit(dir.path(), "xs-security.json", &descriptor(Some(INSTANCE_ONLY)), "1");
    let dual = commit(dir.path(), "xs-security.json", &descriptor(Some(DUAL)), "2");
    commit(dir.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)), "3");

    // Against HEAD nothing changed.
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!((code, out.contains("XS")), (0, false), "{out}");

    let (code, out, _) = check(dir.path(), &["--base", &instance_only]);
    assert_eq!((code, codes(&out)), (1, vec!["XS109".to_string()]));
    assert!(out.contains(&format!("at {instance_only}")), "{out}");

    // The legitimate last step: an info reminder that does not fail the run.
    let (code, out, _) = check(dir.path(), &["--base", &dual]);
    assert_eq!((code, codes(&out)), (0, vec!["XS214".to_string()]));
    assert!(out.contains("instanceSecretLastUsedAt") || out.contains("rebound"), "{out}");

    git(dir.path(), &["tag", "release"]);
    let (code, _, _) = check(dir.path(), &["--base", "release"]);
    assert_eq!(code, 0);
}

#[test]
fn an_unknown_base_is_an_error() {
    let dir = repo();
    commit(dir.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)), "1");
    let (code, _, err) = check(dir.path(), &["--base", "no-such-branch"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-branch"), "{err}");
}

#[test]
fn a_renamed_file_is_compared_with_its_old_path() {
    let dir = repo();
    commit(dir.path(), "security/xs-security.json", &descriptor(Some(INSTANCE_ONLY)), "1");
    git(dir.path(), &["mv", "security/xs-security.json", "xs-security.json"]);
    write(dir.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)));
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!((code, codes(&out)), (1, vec!["XS109".to_string()]));
    assert!(out.contains("at HEAD (as security/xs-security.json)"), "{out}");
}

#[test]
fn a_file_new_at_the_base_or_outside_git_has_no_history() {
    let dir = repo();
    commit(dir.path(), "README.md", "hello\n", "1");
    write(dir.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)));
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!((code, out.contains("XS")), (0, false), "{out}");

    // Outside git: no history, in silence without `--base`; an explicit `--base` that cannot be
    // applied is an error, named once per run.
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)));
    write(plain.path(), "b/xs-security.json", &descriptor(Some(BINDING_ONLY)));
    let (code, out, err) = check(plain.path(), &[]);
    assert_eq!((code, out.contains("XS"), err.as_str()), (0, false, ""));
    let (code, out, err) = check(plain.path(), &["--base", "garbage"]);
    assert_eq!((code, out.contains("XS")), (2, false), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains("xs-security.json: not in a git repository, so `--base garbage` cannot be applied to it (nor is 1 other file)"),
        "{err}"
    );

    // A repository without any commit: no history, no error.
    let empty = repo();
    write(empty.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)));
    let (code, _, err) = check(empty.path(), &[]);
    assert_eq!((code, err.as_str()), (0, ""));
}

const AUTHORIZATIONS: &str = r#"{
  "xsappname": "orders",
  "scopes": [{ "name": "$XSAPPNAME.Read" }],
  "attributes": [
    { "name": "Country", "valueType": "string", "valueRequired": false },
    { "name": "CostCenter", "valueType": "s" },
    { "name": "Plant", "valueType": "string", "valueRequired": false }
  ],
  "role-templates": [
    {
      "name": "Viewer",
      "scope-references": ["$XSAPPNAME.Read"],
      "attribute-references": [{ "name": "CostCenter", "default-values": ["100"] }, "Country"]
    }
  ],
  "role-collections": [
    { "name": "Orders Viewer", "role-template-references": ["$XSAPPNAME.Viewer"] },
    { "name": "Orders Auditor", "role-template-references": ["$XSAPPNAME.Viewer"] },
    { "name": "Orders Guest", "role-template-references": [] }
  ],
  "oauth2-configuration": { "credential-types": ["binding-secret"] }
}
"#;

#[test]
fn incompatible_authorization_changes_are_flagged() {
    let dir = repo();
    commit(dir.path(), "xs-security.json", AUTHORIZATIONS, "1");
    let changed = r#"{
  "xsappname": "orders",
  "scopes": [{ "name": "$XSAPPNAME.Read" }],
  "attributes": [
    { "name": "Country", "valueType": "string" },
    { "name": "CostCenter", "valueType": "int" },
    { "name": "Plant", "valueType": "string", "valueRequired": false }
  ],
  "role-templates": [
    {
      "name": "Viewer",
      "scope-references": ["$XSAPPNAME.Read"],
      "attribute-references": [{ "name": "CostCenter", "default-values": ["100", "200"] }, "Country"]
    }
  ],
  "role-collections": [
    { "name": "Order Viewer", "role-template-references": ["$XSAPPNAME.Viewer"] },
    { "name": "Orders Auditor", "role-template-references": ["$XSAPPNAME.Viewer"] }
  ],
  "oauth2-configuration": { "credential-types": ["binding-secret"] }
}
"#;
    write(dir.path(), "xs-security.json", changed);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(" XS21")).collect();
    let expected = [
        "XS211 attribute `Country`: `valueRequired` was `false` (at HEAD) and is now left out, which means `true`",
        "XS210 attribute `CostCenter` changed `valueType` from `string` to `int` (at HEAD)",
        "XS213 `default-values` of attribute `CostCenter` in role template `Viewer` changed from [\"100\"] (at HEAD) to [\"100\",\"200\"]",
        "XS212 role collection `Orders Viewer` was renamed to `Order Viewer` (at HEAD)",
        "XS212 role collection `Orders Guest` was removed (at HEAD)",
    ];
    for wanted in expected {
        assert!(lines.iter().any(|l| l.contains(wanted)), "missing {wanted:?} in\n{out}");
    }
    assert_eq!(lines.len(), expected.len(), "{out}");

    // `s` and `string` are one type; an unchanged file is clean.
    let (code, out, _) = check(dir.path(), &["--base", "HEAD"]);
    assert_eq!(code, 1, "{out}");
    git(dir.path(), &["checkout", "--", "."]);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!((code, out.contains(" XS2")), (0, false), "{out}");
}

#[test]
fn a_corrupt_repository_is_an_error_not_silence() {
    // A blob of the base that cannot be read.
    let dir = repo();
    commit(dir.path(), "xs-security.json", &descriptor(Some(INSTANCE_ONLY)), "1");
    let blob = git(dir.path(), &["rev-parse", "HEAD:xs-security.json"]);
    fs::remove_file(dir.path().join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();
    write(dir.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)));
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read `xs-security.json` at `HEAD` (is the repository corrupt?)"), "{err}");

    // `HEAD` naming an object that does not exist, with and without `--base`.
    let dir = repo();
    commit(dir.path(), "xs-security.json", &descriptor(Some(INSTANCE_ONLY)), "1");
    fs::write(dir.path().join(".git/refs/heads/main"), "0123456789abcdef0123456789abcdef01234567\n").unwrap();
    write(dir.path(), "xs-security.json", &descriptor(Some(BINDING_ONLY)));
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot resolve `HEAD` (is the repository corrupt?)"), "{err}");
    let (code, _, err) = check(dir.path(), &["--base", "HEAD"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot resolve `--base HEAD`"), "{err}");
}
