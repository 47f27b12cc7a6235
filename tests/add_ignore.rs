//! `check --add-ignore --reason TEXT`: adopt the gate with the current findings recorded as
//! `[[ignore]]` entries.

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

fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "b/xs-security.json", IMPLICIT);
    dir
}

#[test]
fn creates_the_file_then_check_passes_and_a_second_run_adds_nothing() {
    let dir = repository();
    let (code, _, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "the tree has findings to record");
    let (code, out, err) = run(dir.path(), &["check", "--add-ignore", "--reason", "adopted in SEC-9"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("Added 2 [[ignore]] entries to xsuaa-lint.toml."), "{err}");
    let text = fs::read_to_string(dir.path().join("xsuaa-lint.toml")).unwrap();
    assert_eq!(
        text,
        "# Findings recorded by `xsuaa-lint check --add-ignore`: remove each entry once its finding is fixed.\n\n\
         [[ignore]]\npath = \"a/xs-security.json\"\npointer = \"/oauth2-configuration/credential-types\"\n\
         rules = [\"XS102\"]\nreason = \"adopted in SEC-9\"\n\n\
         [[ignore]]\npath = \"b/xs-security.json\"\nrules = [\"XS101\"]\nreason = \"adopted in SEC-9\"\n"
    );
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(dir.path(), &["check", "--add-ignore", "--reason", "again"]);
    assert_eq!(code, 0);
    assert!(err.contains("No finding to record."), "{err}");
    assert_eq!(fs::read_to_string(dir.path().join("xsuaa-lint.toml")).unwrap(), text);
}

#[test]
fn appends_to_the_nearest_file_keeping_its_comments_and_order() {
    let dir = repository();
    let head = "# Team settings.\n[rules]\nignore = [\"XS205\"]  # not ours\n\n[[ignore]]\npath = \"legacy/**\"\nrules = [\"XS102\"]\nreason = \"SEC-1\"\n";
    let tail = "\n[migration]\ngrace-days = 14 # two sprints\n";
    let original = format!("{head}{tail}");
    write(dir.path(), "b/xsuaa-lint.toml", &original);
    write(dir.path(), "b/legacy/xs-security.json", INSTANCE_ONLY);
    let (code, _, err) = run(dir.path(), &["check", "--add-ignore", "--reason", "adopted"]);
    assert_eq!(code, 0, "{err}");
    // b/'s finding goes to b/xsuaa-lint.toml (its path relative to it), a/'s to a new root file.
    let text = fs::read_to_string(dir.path().join("b/xsuaa-lint.toml")).unwrap();
    assert_eq!(
        text,
        format!("{head}\n[[ignore]]\npath = \"xs-security.json\"\nrules = [\"XS101\"]\nreason = \"adopted\"\n{tail}"),
        "the new entry goes right after the existing ones, every comment and key where it was"
    );
    assert!(fs::read_to_string(dir.path().join("xsuaa-lint.toml")).unwrap().contains("path = \"a/xs-security.json\""));
    let (code, _, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn writes_into_the_local_file_of_an_extend_chain() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "org/base.toml", "plan = \"application\"\n");
    write(dir.path(), "repo/xsuaa-lint.toml", "extend = \"../org/base.toml\"\n");
    write(dir.path(), "repo/a/xs-security.json", INSTANCE_ONLY);
    let repo = dir.path().join("repo");
    let (code, _, err) = run(&repo, &["check", "--add-ignore", "--reason", "r"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(dir.path().join("org/base.toml")).unwrap(), "plan = \"application\"\n");
    assert!(fs::read_to_string(repo.join("xsuaa-lint.toml")).unwrap().contains("path = \"a/xs-security.json\""));
    assert_eq!(run(&repo, &["check"]).0, 0);
}

#[test]
fn usage_errors_and_what_cannot_be_ignored() {
    let dir = repository();
    // --reason is required, and must say something.
    let (code, _, err) = run(dir.path(), &["check", "--add-ignore"]);
    assert_eq!(code, 2);
    assert!(err.contains("--reason <TEXT>"), "{err}");
    let (code, _, err) = run(dir.path(), &["check", "--add-ignore", "--reason", " "]);
    assert_eq!(code, 2);
    assert!(err.contains("--reason must say why"), "{err}");
    assert!(!dir.path().join("xsuaa-lint.toml").exists());
    // A file that cannot be parsed is not recorded: noted, and the gate still fails.
    write(dir.path(), "c/xs-security.json", "{ \"xsappname\": ");
    let (code, _, err) = run(dir.path(), &["check", "--add-ignore", "--reason", "r"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("c/xs-security.json:1:16: XS001 not recorded: a file that cannot be read or parsed"), "{err}");
    assert!(err.contains("Added 2 [[ignore]] entries"), "{err}");
    // A broken configuration: nothing written.
    fs::write(dir.path().join("xsuaa-lint.toml"), "[rules]\nselekt = []\n").unwrap();
    let (code, _, err) = run(dir.path(), &["check", "--add-ignore", "--reason", "r"]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing recorded"), "{err}");
    assert_eq!(fs::read_to_string(dir.path().join("xsuaa-lint.toml")).unwrap(), "[rules]\nselekt = []\n");
}
