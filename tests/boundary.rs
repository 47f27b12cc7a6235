//! The repository's boundary: a symbolic link committed in a repository never leads a read or a
//! write out of it, ignore files and git metadata that are FIFOs or devices never block or
//! exhaust the run, and nothing of a file outside ever reaches the output.
#![cfg(unix)]

mod support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;
use tempfile::TempDir;

/// What the outside file holds: a descriptor the fixes would change, and a secret.
const SECRET: &str = "TOKEN-OUTSIDE-7c1e";
const OUTSIDE_DESCRIPTOR: &str = "{\n  \"xsappname\": \"TOKEN-OUTSIDE-7c1e\",\n  \"oauth2-configuration\": {\n    \"credential-types\": [\"instance-secret\"]\n  }\n}\n";
const REFUSAL: &str = "the path leads outside the repository through a symbolic link: refused";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn link(root: &Path, rel: &str, target: &Path) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    symlink(target, path).unwrap();
}

fn mkfifo(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `xsuaa-lint ARGS` in `dir`, killed after 60 s so that a hang fails the test: (exit code,
/// stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    let code = out.status.code().unwrap_or_else(|| panic!("killed (a hang?)\n{stdout}\n{stderr}"));
    (code, stdout, stderr)
}

/// A repository with one way into the outside descriptor: `rel` links to it, `files` name it.
fn tree_with_link(rel: &str, files: &[(&str, &str)]) -> (TempDir, TempDir) {
    let outside = TempDir::new().unwrap();
    write(outside.path(), "secret.json", OUTSIDE_DESCRIPTOR);
    let repo = TempDir::new().unwrap();
    support::git_init(repo.path());
    link(repo.path(), rel, &outside.path().join("secret.json"));
    for (path, text) in files {
        write(repo.path(), path, text);
    }
    (repo, outside)
}

/// Every output format and `--fix`, `--fix --unsafe-fixes`, `--diff`: the link is refused with
/// the path and the reason, the outside file is never written, nothing of it is shown.
fn assert_refused(repo: &Path, outside: &Path, shown_in: &str) {
    for format in ["concise", "full", "json", "sarif"] {
        let (code, out, err) = run(repo, &["check", "--output-format", format, "."]);
        assert!(!out.contains(SECRET) && !err.contains(SECRET), "{format}: the outside file is shown\n{out}{err}");
        assert_ne!(code, 0, "{format}\n{out}{err}");
        if format == "concise" {
            let refused = out.lines().find(|l| l.contains(REFUSAL)).unwrap_or_else(|| panic!("no refusal\n{out}{err}"));
            assert!(refused.starts_with(shown_in) && refused.contains("XS005"), "{refused}");
        }
    }
    for args in [&["--fix"][..], &["--fix", "--unsafe-fixes"], &["--diff", "--unsafe-fixes"]] {
        let mut all = vec!["check", "--output-format", "concise"];
        all.extend_from_slice(args);
        all.push(".");
        let (_, out, err) = run(repo, &all);
        assert!(!out.contains(SECRET) && !err.contains(SECRET), "{args:?}\n{out}{err}");
        assert_eq!(
            fs::read_to_string(outside.join("secret.json")).unwrap(),
            OUTSIDE_DESCRIPTOR,
            "{args:?} wrote outside"
        );
    }
}

#[test]
fn an_mta_path_through_a_link_out_of_the_repository_is_refused() {
    let mta = "ID: app\n_schema-version: \"3.1\"\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: security/descriptor.json\n";
    let (repo, outside) = tree_with_link("security/descriptor.json", &[("mta.yaml", mta)]);
    assert_refused(repo.path(), outside.path(), "mta.yaml:9:");
}

#[test]
fn a_terraform_file_through_a_link_out_of_the_repository_is_refused() {
    let tf = "data \"cloudfoundry_service_plan\" \"xsuaa\" {\n  name                  = \"application\"\n  service_offering_name = \"xsuaa\"\n}\n\nresource \"cloudfoundry_service_instance\" \"xsuaa\" {\n  name         = \"bookshop-xsuaa\"\n  type         = \"managed\"\n  space        = var.space_id\n  service_plan = data.cloudfoundry_service_plan.xsuaa.id\n  parameters   = file(\"${path.module}/security/descriptor.json\")\n}\n";
    let (repo, outside) = tree_with_link("infra/security/descriptor.json", &[("infra/main.tf", tf)]);
    assert_refused(repo.path(), outside.path(), "infra/main.tf:11:");
}

#[test]
fn a_helm_config_through_a_link_out_of_the_repository_is_refused() {
    let values = "xsuaa:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: app\n  config: descriptor.json\n";
    let (repo, outside) = tree_with_link("chart/descriptor.json", &[("chart/values.yaml", values)]);
    assert_refused(repo.path(), outside.path(), "chart/values.yaml:6:");
}

#[test]
fn a_cf_create_service_file_through_a_link_out_of_the_repository_is_refused() {
    let script = "#!/bin/sh\nset -e\ncf create-service xsuaa application bookshop-uaa -c conf/uaa.json\ncf push\n";
    let (repo, outside) = tree_with_link("conf/uaa.json", &[("deploy.sh", script)]);
    assert_refused(repo.path(), outside.path(), "deploy.sh:3:");
}

#[test]
fn a_descriptor_named_on_the_command_line_that_links_out_is_refused() {
    let (repo, outside) = tree_with_link("xs-security.json", &[]);
    for args in [
        &["check", "--output-format", "concise", "xs-security.json"][..],
        &["check", "--fix", "--unsafe-fixes", "xs-security.json"],
    ] {
        let (code, out, err) = run(repo.path(), args);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            out.contains(&format!("xs-security.json:1:1: XS000 {REFUSAL}")) || !args.contains(&"concise"),
            "{out}{err}"
        );
        assert!(!out.contains(SECRET) && !err.contains(SECRET), "{out}{err}");
    }
    assert_eq!(fs::read_to_string(outside.path().join("secret.json")).unwrap(), OUTSIDE_DESCRIPTOR);
}

#[test]
fn a_link_inside_the_repository_is_still_followed() {
    let repo = TempDir::new().unwrap();
    support::git_init(repo.path());
    write(repo.path(), "shared/descriptor.json", OUTSIDE_DESCRIPTOR);
    link(repo.path(), "security/descriptor.json", Path::new("../shared/descriptor.json"));
    let mta = "ID: app\n_schema-version: \"3.1\"\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: security/descriptor.json\n";
    write(repo.path(), "mta.yaml", mta);
    let (code, out, err) = run(repo.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("XS102") && !out.contains(REFUSAL), "{out}{err}");
}

#[test]
fn a_gitignore_linked_out_of_the_repository_is_refused() {
    let outside = TempDir::new().unwrap();
    // Read as globs, it would hide every file; an invalid glob would print its line.
    write(outside.path(), "netrc", &format!("*\nmachine example.com login me password {SECRET}[\n"));
    let repo = TempDir::new().unwrap();
    support::git_init(repo.path());
    write(repo.path(), "app/xs-security.json", OUTSIDE_DESCRIPTOR.replace(SECRET, "app").as_str());
    link(repo.path(), "app/.gitignore", &outside.path().join("netrc"));
    let (code, out, err) = run(repo.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains(&format!("app/.gitignore:1:1: XS000 {REFUSAL}")), "{out}{err}");
    assert!(!out.contains(SECRET) && !err.contains(SECRET), "{out}{err}");
}

#[test]
fn a_gitignore_that_is_a_device_or_a_fifo_is_refused_without_a_hang() {
    let repo = TempDir::new().unwrap();
    write(repo.path(), "xs-security.json", "{\"xsappname\": \"a\"}");
    write(repo.path(), "app/xs-security.json", "{\"xsappname\": \"b\"}");
    // A link to /dev/zero in a folder; a FIFO at the root, which the walker reads first.
    link(repo.path(), "app/.gitignore", Path::new("/dev/zero"));
    let (code, out, err) = run(repo.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("app/.gitignore:1:1: XS000"), "{out}{err}");
    mkfifo(&repo.path().join(".gitignore"));
    let (code, out, err) = run(repo.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains(".gitignore:1:1: XS000 cannot read the file: it is not a regular file"), "{out}{err}");
    let (code, out, err) = run(repo.path(), &["audit", "--format", "json", "."]);
    assert!(code != 0 || out.contains("\"errors\": 1"), "{code}\n{out}{err}");
    // A regular file too large for an ignore file (the walker would compile every line).
    fs::remove_file(repo.path().join(".gitignore")).unwrap();
    write(repo.path(), ".gitignore", &"x/*/y\n".repeat(200_000));
    let (code, out, err) = run(repo.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains(".gitignore:1:1: XS000 the file is larger than 1 MiB; not read"), "{out}{err}");
}

#[test]
fn a_fifo_git_head_is_an_error_not_a_hang() {
    let repo = TempDir::new().unwrap();
    support::git_init(repo.path());
    write(repo.path(), "xs-security.json", "{\"xsappname\": \"a\"}");
    let head = repo.path().join(".git/HEAD");
    fs::remove_file(&head).unwrap();
    mkfifo(&head);
    let (_, out, err) = run(repo.path(), &["check", "--output-format", "concise", "."]);
    assert!(err.contains(".git/HEAD: cannot read the file: it is not a regular file"), "{out}{err}");
    let (_, out, err) = run(repo.path(), &["audit", "--format", "json", "."]);
    assert!(err.contains(".git/HEAD"), "{out}{err}");
}

#[test]
fn codeowners_linked_out_of_the_repository_never_reach_the_audit() {
    let outside = TempDir::new().unwrap();
    write(outside.path(), "netrc", &format!("* machine example.com login me password {SECRET}\n"));
    let repo = TempDir::new().unwrap();
    support::git_init(repo.path());
    write(repo.path(), "xs-security.json", &OUTSIDE_DESCRIPTOR.replace(SECRET, "app"));
    link(repo.path(), ".github/CODEOWNERS", &outside.path().join("netrc"));
    for format in ["json", "csv", "markdown", "html"] {
        let (_, out, err) = run(repo.path(), &["audit", "--format", format, "."]);
        assert!(!out.contains(SECRET) && !err.contains(SECRET), "{format}\n{out}{err}");
        assert!(err.contains(".github/CODEOWNERS: the path leads outside the repository"), "{format}\n{err}");
    }
}

#[test]
fn a_tree_named_outside_git_is_the_root_of_its_paths() {
    let parent = TempDir::new().unwrap();
    let (here, repo) = (parent.path().join("here"), parent.path().join("repo"));
    fs::create_dir_all(&here).unwrap();
    write(&repo, "xs-security.json", &OUTSIDE_DESCRIPTOR.replace(SECRET, "app"));
    let mta = "ID: app\n_schema-version: \"3.1\"\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ../xs-security.json\n";
    write(&repo, "sub/mta.yaml", mta);
    let (code, out, err) = run(&here, &["check", "--output-format", "concise", "../repo"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("XS005"), "{out}{err}");
    assert!(out.contains("../repo/xs-security.json:") && out.contains("XS102"), "{out}{err}");
}

#[test]
fn an_ignore_file_with_more_patterns_than_the_walker_can_hold_is_refused() {
    // 20,000 patterns took 226 MB to compile; the folder is not walked, and the run says so.
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("xs-security.json"), r#"{"xsappname": "a"}"#).unwrap();
    let patterns: String = (0..20_000).map(|i| format!("dir{i}/**/x*y*z{i}.json\n")).collect();
    std::fs::write(dir.path().join(".gitignore"), patterns).unwrap();
    let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--output-format", "concise", "."])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains(".gitignore:1:1: XS000 the ignore file holds 20000 patterns, more than 5000"), "{stdout}");
    // A real one, small or large, is read as before.
    // Over 16 KiB: counted, and under the bound.
    let patterns: String = (0..3_000).map(|i| format!("build{i}/\n")).collect();
    std::fs::write(dir.path().join(".gitignore"), patterns).unwrap();
    let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--output-format", "concise", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
}
