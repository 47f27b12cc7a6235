//! One configuration for many repositories: `extend = "PATH"` in `xsuaa-lint.toml`, and the
//! rule selection flags of `check` over the configuration (`--select`, `--extend-select`,
//! `--ignore`).

use assert_cmd::Command;
use std::fs;
use std::path::Path;

const INSTANCE_ONLY: &str =
    "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": { \"credential-types\": [\"instance-secret\"] }\n}\n";
const IMPLICIT: &str = "{\n  \"xsappname\": \"a\"\n}\n";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("xsuaa-lint").unwrap().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `path CODE` of each finding of `check --output-format concise`.
fn findings(dir: &Path, args: &[&str]) -> (i32, Vec<String>, String) {
    let mut all = vec!["check", "--output-format", "concise"];
    all.extend_from_slice(args);
    let (code, out, err) = run(dir, &all);
    let found = out
        .lines()
        .filter(|l| l.contains(": XS") || l.contains(": ORG"))
        .map(|l| {
            let path = l.split(':').next().unwrap();
            let code = l.split(": ").nth(1).unwrap().split(' ').next().unwrap();
            format!("{path} {code}")
        })
        .collect();
    (code, found, err)
}

/// An organisation's base (outside the repository) and a repository with two descriptors:
/// `a` on the instance secret only (XS102), `b` without `credential-types` (XS101).
fn organisation() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repo/a/xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "repo/b/xs-security.json", IMPLICIT);
    dir
}

#[test]
fn a_chain_of_bases_each_relative_to_the_file_naming_it_with_the_local_file_on_top() {
    let dir = organisation();
    // repo -> org/team.toml -> org/shared/base.toml, each path relative to the file naming it.
    write(
        dir.path(),
        "org/shared/base.toml",
        "plan = \"broker\"\n[rules]\nignore = [\"XS101\"]\n[migration]\ngrace-days = 10\n\
         [[ignore]]\npath = \"a/xs-security.json\"\nrules = [\"XS102\"]\nreason = \"org-wide exception\"\n",
    );
    write(dir.path(), "org/team.toml", "extend = \"shared/base.toml\"\n[migration]\ngrace-days = 20\n");
    write(dir.path(), "repo/xsuaa-lint.toml", "extend = \"../org/team.toml\"\n[check]\nfail-on = \"error\"\n");
    let repo = dir.path().join("repo");
    // The base's ignore (XS101) and its suppression (XS102 in a/, a path relative to the
    // repository's file) both apply.
    let (code, found, err) = findings(&repo, &[]);
    assert_eq!((code, found), (0, vec![]), "{err}");

    // `config --show`: the chain, the values merged, the file each comes from.
    let (code, out, err) = run(&repo, &["config", "--show"]);
    assert_eq!(code, 0, "{err}");
    let base = dir.path().join("org/shared/base.toml").canonicalize().unwrap();
    let team = dir.path().join("org/team.toml").canonicalize().unwrap();
    let (base, team) = (base.display().to_string(), team.display().to_string());
    assert!(out.contains(&format!("# extends: {team} -> {base}\n")), "{out}");
    assert!(out.contains(&format!("#   migration.grace-days <- {team}\n")), "{out}");
    assert!(out.contains(&format!("#   plan <- {base}\n")), "{out}");
    assert!(out.contains("#   check.fail-on <- xsuaa-lint.toml\n"), "{out}");
    assert!(out.contains(&format!("#   rules (ignore XS101) <- {base}\n")), "{out}");
    assert!(out.contains(&format!("#   ignore[0] (a/xs-security.json) <- {base}\n")), "{out}");
    assert!(out.contains("grace-days = 20\n") && out.contains("plan = \"broker\"\n"), "{out}");
    assert!(out.contains("fail-on = \"error\"\n"), "{out}");

    // The local file on top: its `select` replaces the base's selection (and so its ignore),
    // its own suppression joins the base's.
    write(
        dir.path(),
        "repo/xsuaa-lint.toml",
        "extend = \"../org/team.toml\"\n[rules]\nselect = [\"XS101\", \"XS102\"]\n",
    );
    let (code, found, err) = findings(&repo, &[]);
    assert_eq!((code, found), (1, vec!["b/xs-security.json XS101".to_string()]), "{err}");
    // Without `select`, its `ignore` and `extend-select` act on the base's selection.
    write(dir.path(), "repo/xsuaa-lint.toml", "extend = \"../org/team.toml\"\n[rules]\nextend-select = [\"XS101\"]\n");
    let (_, found, _) = findings(&repo, &[]);
    assert_eq!(found, ["b/xs-security.json XS101"]);
}

#[test]
fn a_cycle_is_an_error_that_prints_the_chain() {
    let dir = organisation();
    write(dir.path(), "repo/xsuaa-lint.toml", "extend = \"../org/one.toml\"\n");
    write(dir.path(), "org/one.toml", "extend = \"two.toml\"\n");
    write(dir.path(), "org/two.toml", "\n\nextend = \"one.toml\"\n");
    let (code, out, err) = run(&dir.path().join("repo"), &["check"]);
    let one = dir.path().join("org/one.toml").canonicalize().unwrap().display().to_string();
    let two = dir.path().join("org/two.toml").canonicalize().unwrap().display().to_string();
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&format!("error: {two}:3:10: extend: a cycle: xsuaa-lint.toml -> {one} -> {two} -> {one}\n")),
        "{err}"
    );
    // A file extending itself too.
    write(dir.path(), "repo/xsuaa-lint.toml", "extend = \"./xsuaa-lint.toml\"\n");
    let (code, _, err) = run(&dir.path().join("repo"), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("extend: a cycle: xsuaa-lint.toml -> xsuaa-lint.toml"), "{err}");
}

#[test]
fn a_missing_base_is_an_error_with_its_path() {
    let dir = organisation();
    write(dir.path(), "repo/xsuaa-lint.toml", "extend = \"../org/gone.toml\"\n");
    let (code, _, err) = run(&dir.path().join("repo"), &["check"]);
    assert_eq!(code, 2);
    let gone = dir.path().canonicalize().unwrap().join("org/gone.toml").display().to_string();
    assert!(
        err.contains(&format!("error: xsuaa-lint.toml:1:10: extend: cannot read `../org/gone.toml` ({gone}):")),
        "{err}"
    );
    // An error in the base names the base, with its line.
    write(dir.path(), "repo/xsuaa-lint.toml", "extend = \"../org/bad.toml\"\n");
    write(dir.path(), "org/bad.toml", "[rules]\nselect = [\"XS999\"]\n");
    let (code, _, err) = run(&dir.path().join("repo"), &["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("org/bad.toml:2:11: rules.select: `XS999` is no rule code"), "{err}");
}

#[test]
fn an_audited_repository_cannot_extend_a_file_outside_it() {
    let dir = organisation();
    // A hostile repository names a file of the auditing machine: the audit must not read it.
    write(dir.path(), "secret/xsuaa-lint.toml", "[rules]\nignore = [\"ALL\"]\n");
    write(dir.path(), "repos/evil/xsuaa-lint.toml", "extend = \"../../secret/xsuaa-lint.toml\"\n");
    write(dir.path(), "repos/evil/xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "repos/good/xsuaa-lint.toml", "extend = \"config/base.toml\"\n");
    write(dir.path(), "repos/good/config/base.toml", "[rules]\nignore = [\"XS101\"]\n");
    write(dir.path(), "repos/good/xs-security.json", IMPLICIT);
    let repos = dir.path().join("repos");
    let (code, out, err) = run(&repos, &["audit", ".", "--repos-at", "1", "--format", "json", "--exit-zero"]);
    // A configuration that does not load is an error, whatever --exit-zero says, and is named.
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("evil/xsuaa-lint.toml:1:10: extend:"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let repo =
        |name: &str| report["repositories"].as_array().unwrap().iter().find(|r| r["path"] == name).unwrap().clone();
    // evil: its configuration is refused (an error), so its files are not linted under it.
    assert_eq!(repo("evil")["errors"], 1, "{out}");
    // good: a base inside the repository is followed.
    assert_eq!(repo("good")["errors"], 0, "{out}");
    // With the flag the user trusts every repository's configuration: the base is read.
    let (_, out, _) =
        run(&repos, &["audit", ".", "--repos-at", "1", "--format", "json", "--exit-zero", "--allow-extend-outside"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let evil = report["repositories"].as_array().unwrap().iter().find(|r| r["path"] == "evil").unwrap().clone();
    assert_eq!(evil["errors"], 0, "{out}");

    // A symbolic link out of the repository is refused the same way.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("secret"), repos.join("good/linked")).unwrap();
        write(dir.path(), "repos/good/xsuaa-lint.toml", "extend = \"linked/xsuaa-lint.toml\"\n");
        let (_, out, _) = run(&repos, &["audit", ".", "--repos-at", "1", "--format", "json", "--exit-zero"]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let good = report["repositories"].as_array().unwrap().iter().find(|r| r["path"] == "good").unwrap().clone();
        assert_eq!(good["errors"], 1, "{out}");
    }
    // `check` of one's own tree may extend anything (as ruff's `extend`).
    let (code, _, err) = run(&repos.join("evil"), &["check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn command_line_selection_over_the_configuration() {
    let dir = organisation();
    let repo = dir.path().join("repo");
    write(dir.path(), "repo/xsuaa-lint.toml", "[rules]\nselect = [\"XS102\"]\n");
    let (_, found, _) = findings(&repo, &[]);
    assert_eq!(found, ["a/xs-security.json XS102"]);
    // --select replaces the configuration's selection.
    let (_, found, _) = findings(&repo, &["--select", "XS101"]);
    assert_eq!(found, ["b/xs-security.json XS101"]);
    // --extend-select adds to it; prefixes and lower case as the configuration accepts them.
    let (_, found, _) = findings(&repo, &["--extend-select", "xs10"]);
    assert_eq!(found, ["a/xs-security.json XS102", "b/xs-security.json XS101"]);
    // --ignore removes, whatever selects (comma-separated or repeated).
    let (_, found, _) = findings(&repo, &["--extend-select", "XS101", "--ignore", "XS102,XS105"]);
    assert_eq!(found, ["b/xs-security.json XS101"]);
    let (code, found, _) = findings(&repo, &["--select", "XS1", "--ignore", "XS101", "--ignore", "XS102"]);
    assert_eq!((code, found), (0, vec![]));
    // `--config` gets the command line over it too.
    let (_, found, _) = findings(&repo, &["--config", "xsuaa-lint.toml", "--select", "XS101"]);
    assert_eq!(found, ["b/xs-security.json XS101"]);

    // An unknown code is a usage error with the nearest code.
    let (code, _, err) = run(&repo, &["check", "--select", "XS1003"]);
    assert_eq!(code, 2);
    assert!(err.contains("error: --select: `XS1003` is no rule code or prefix; did you mean `XS003`?"), "{err}");
    let (code, _, err) = run(&repo, &["check", "--ignore", "SX102"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `XS102`?"), "{err}");
    let (code, _, err) = run(&repo, &["check", "--extend-select", "nothing-like-it"]);
    assert_eq!(code, 2);
    assert!(err.contains("`nothing-like-it` is no rule code or prefix (`xsuaa-lint rule --all`"), "{err}");
    // A policy code of the configuration is a code.
    write(
        dir.path(),
        "repo/xsuaa-lint.toml",
        "[[policy]]\ncode = \"ORG1\"\nmessage = \"m\"\npointer = \"/xsappname\"\nschema = { const = \"b\" }\n",
    );
    let (_, found, _) = findings(&repo, &["--select", "ORG1"]);
    assert_eq!(found, ["a/xs-security.json ORG1", "b/xs-security.json ORG1"]);
}
