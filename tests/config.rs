//! The configuration file, suppressions, policies, baselines and the CI-gate flags.

use assert_cmd::Command;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

const CLEAN: &str =
    "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": { \"credential-types\": [\"binding-secret\"] }\n}\n";
const INSTANCE_ONLY: &str =
    "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": { \"credential-types\": [\"instance-secret\"] }\n}\n";
const DUAL: &str = "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": { \"credential-types\": [\"binding-secret\", \"instance-secret\"] }\n}\n";
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

fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["check"];
    if !args.contains(&"--output-format") {
        all.extend(["--output-format", "concise"]);
    }
    all.extend_from_slice(args);
    run(dir, &all)
}

/// `path CODE` of each finding line.
fn findings(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.contains(": XS") || l.contains(": ORG"))
        .map(|l| {
            let path = l.split(':').next().unwrap();
            let code = l.split(": ").nth(1).unwrap().split(' ').next().unwrap();
            format!("{path} {code}")
        })
        .collect()
}

fn tree() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "b/xs-security.json", IMPLICIT);
    write(dir.path(), "b/c/xs-security.json", DUAL);
    dir
}

#[test]
fn nearest_configuration_wins_and_command_line_overrides_discovery() {
    let dir = tree();
    write(dir.path(), "xsuaa-lint.toml", "[rules]\nignore = [\"XS102\"]\n");
    write(dir.path(), "b/.xsuaa-lint.toml", "[rules]\nselect = [\"XS103\"]\n");
    let (code, out, _) = check(dir.path(), &[]);
    // a/ uses the root file (XS102 ignored); b/ and b/c/ use b/.xsuaa-lint.toml (only XS103).
    assert_eq!((code, findings(&out)), (1, vec!["b/c/xs-security.json XS103".to_string()]));

    let (_, out, _) = check(dir.path(), &["--isolated"]);
    assert_eq!(findings(&out).len(), 3, "{out}");

    write(dir.path(), "other.toml", "[rules]\nselect = [\"XS101\"]\n");
    let (_, out, _) = check(dir.path(), &["--config", "other.toml"]);
    assert_eq!(findings(&out), ["b/xs-security.json XS101"]);

    let (_, out, _) = run(dir.path(), &["config", "--show", "b/c/xs-security.json"]);
    assert!(out.contains(".xsuaa-lint.toml") && out.contains("select = [\"XS103\"]"), "{out}");
}

#[test]
fn severities_change_the_exit_status_and_off_disables() {
    let dir = tree();
    write(dir.path(), "xsuaa-lint.toml", "[rules.severity]\nXS102 = \"info\"\nXS101 = \"off\"\nXS103 = \"error\"\n");
    let (code, out, _) = check(dir.path(), &["--output-format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let severities: Vec<(String, String)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["severity"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(severities, [("XS102".into(), "info".into()), ("XS103".into(), "error".into())]);

    // Only the info finding left: exit 0 by default, 1 with --fail-on info.
    fs::remove_file(dir.path().join("b/c/xs-security.json")).unwrap();
    assert_eq!(check(dir.path(), &[]).0, 0);
    assert_eq!(check(dir.path(), &["--fail-on", "info"]).0, 1);
    assert_eq!(check(dir.path(), &["--fail-on", "error"]).0, 0);
}

#[test]
fn fail_on_exit_zero_quiet_and_statistics() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "xs-security.json", IMPLICIT); // one warning
    assert_eq!(check(dir.path(), &[]).0, 1);
    assert_eq!(check(dir.path(), &["--fail-on", "error"]).0, 0);
    assert_eq!(check(dir.path(), &["--exit-zero"]).0, 0);
    let (_, out, _) = check(dir.path(), &["--quiet"]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let (code, out, _) = check(dir.path(), &["--statistics"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("1  XS101  [*] implicit-credential-types\n"), "{out}");
    // An unsafe fix alone is no `[*]`: `--fix` would not apply it.
    write(
        dir.path(),
        "xs-security.json",
        r#"{"xsappname": "a", "oauth2-configuration": {"credential-types": ["binding-secret", "instance-secret"]}}"#,
    );
    let (_, out, _) = check(dir.path(), &["--statistics"]);
    assert!(out.starts_with("1  XS103      unfinished-migration\n"), "{out}");
    // Usage and I/O errors stay 2 with --exit-zero.
    assert_eq!(check(dir.path(), &["--exit-zero", "missing.json"]).0, 2);
}

#[test]
fn include_exclude_and_force_exclude() {
    let dir = tree();
    write(dir.path(), "security/app-security.json", INSTANCE_ONLY);
    write(
        dir.path(),
        "xsuaa-lint.toml",
        "[files]\ninclude = [\"security/*.json\"]\nexclude = [\"b/c\", \"a/xs-security.json\"]\n",
    );
    let (_, out, _) = check(dir.path(), &[]);
    assert_eq!(findings(&out), ["b/xs-security.json XS101", "security/app-security.json XS102"]);
    // One thread walks on the caller's thread (as each repository of `audit`): the same folders skipped.
    write(dir.path(), "b/c/d/xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "b/c2/xs-security.json", IMPLICIT);
    let (_, one, _) = check(dir.path(), &["-j", "1"]);
    let (_, two, _) = check(dir.path(), &["-j", "2"]);
    assert_eq!(
        findings(&one),
        ["b/c2/xs-security.json XS101", "b/xs-security.json XS101", "security/app-security.json XS102"]
    );
    assert_eq!(findings(&one), findings(&two));
    fs::remove_dir_all(dir.path().join("b/c/d")).unwrap();
    fs::remove_dir_all(dir.path().join("b/c2")).unwrap();
    // Named explicitly, an excluded file is linted unless --force-exclude.
    let (_, out, _) = check(dir.path(), &["a/xs-security.json", "b/c/xs-security.json"]);
    assert_eq!(findings(&out).len(), 2, "{out}");
    let (code, out, _) = check(dir.path(), &["--force-exclude", "a/xs-security.json", "b/c/xs-security.json"]);
    assert_eq!((code, findings(&out).len()), (0, 0), "{out}");
}

#[test]
fn suppressions_need_a_reason_and_stale_ones_are_reported() {
    let dir = tree();
    let config = r#"
[[ignore]]
path = "a/xs-security.json"
pointer = "/oauth2-configuration/credential-types"
rules = ["XS102"]
reason = "legacy app, ticket SEC-42"

[[ignore]]
path = "b/**"
rules = ["XS101", "XS103"]
reason = "migrating in Q3"

[[ignore]]
path = "gone/xs-security.json"
rules = ["XS102"]
reason = "removed app"
"#;
    write(dir.path(), "xsuaa-lint.toml", config);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(findings(&out), ["xsuaa-lint.toml XS900"], "{out}");
    assert!(out.contains("xsuaa-lint.toml:13:1: XS900"), "{out}");
    assert_eq!(code, 1);

    // A pointer that does not match leaves the finding.
    write(dir.path(), "xsuaa-lint.toml", &config.replace("/oauth2-configuration/credential-types", "/scopes"));
    let (_, out, _) = check(dir.path(), &[]);
    assert!(findings(&out).contains(&"a/xs-security.json XS102".to_string()), "{out}");

    // A file list cannot tell whether a suppression for another file is stale: no XS900.
    let (code, out, _) = check(dir.path(), &["b/xs-security.json"]);
    assert_eq!((code, findings(&out).len()), (0, 0), "{out}");

    write(dir.path(), "xsuaa-lint.toml", "[[ignore]]\npath = \"a/**\"\nrules = [\"XS102\"]\n");
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("xsuaa-lint.toml:1:1") && err.contains("reason"), "{err}");
}

#[test]
fn configuration_errors_name_file_line_and_column() {
    let dir = tree();
    write(dir.path(), "xsuaa-lint.toml", "[rules]\nselect = [\"XS1\"]\nignroe = [\"XS2\"]\n");
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("xsuaa-lint.toml:3:1") && err.contains("ignroe"), "{err}");

    write(dir.path(), "xsuaa-lint.toml", "[rules.severity]\nXS102 = \"fatal\"\n");
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("xsuaa-lint.toml:2:"), "{err}");

    write(dir.path(), "xsuaa-lint.toml", "plan = \"premium\"\n");
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown plan"), "{err}");

    let (code, _, err) = check(dir.path(), &["--config", "nope.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("nope.toml"), "{err}");

    // `[recommendations]`: seconds within the range the descriptor accepts, domain names.
    for (text, at, says) in [
        ("[recommendations]\ntoken-validity-max = 100000\n", "xsuaa-lint.toml:2:22", "from 60 to 86400"),
        ("[recommendations]\n\ntoken-validity-min = -1\n", "xsuaa-lint.toml:3:22", "from 0 to 86400"),
        ("[recommendations]\nrefresh-token-validity-max = 59\n", "xsuaa-lint.toml:2:30", "from 60 to 31536000"),
        ("[recommendations]\nshared-domains = [\"ok.example\", \"*.bad\"]\n", "xsuaa-lint.toml:2:33", "no domain name"),
        ("[recommendations]\ntoken-validity = 3600\n", "xsuaa-lint.toml:2:1", "unknown field"),
    ] {
        write(dir.path(), "xsuaa-lint.toml", text);
        let (code, _, err) = check(dir.path(), &[]);
        assert_eq!(code, 2, "{text}");
        assert!(err.contains(at) && err.contains(says), "{text}: {err}");
    }
}

#[test]
fn plans_are_resolved_per_path() {
    let dir = tree();
    write(dir.path(), "xsuaa-lint.toml", "plan = \"application\"\n\n[[plans]]\npath = \"b/**\"\nplan = \"broker\"\n");
    let (code, out, _) = run(dir.path(), &["config", "--show", "b/c/xs-security.json"]);
    assert_eq!(code, 0);
    assert!(out.contains("# plan for b/c/xs-security.json: broker"), "{out}");
    let (_, out, _) = run(dir.path(), &["config", "--show", "a/xs-security.json"]);
    assert!(out.contains("# plan for a/xs-security.json: application"), "{out}");
}

#[test]
fn organisation_policies_report_like_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "xs-security.json",
        "{\n  \"xsappname\": \"a\",\n  \"tenant-mode\": \"shared\",\n  \"oauth2-configuration\": {\n    \"token-validity\": 7200,\n    \"credential-types\": [\"binding-secret\"]\n  }\n}\n",
    );
    write(dir.path(), "ok/xs-security.json", CLEAN);
    let config = r#"
[[policy]]
code = "ORG001"
message = "token-validity must be at most 3600 seconds"
severity = "error"
pointer = "/oauth2-configuration/token-validity"
schema = { maximum = 3600 }

[[policy]]
code = "ORG002"
message = "tenant-mode must be dedicated"
pointer = "/tenant-mode"
schema = { const = "dedicated" }

[[policy]]
code = "ORG003"
message = "credential-types must start with x509"
pointer = "/oauth2-configuration/credential-types"
required = true
schema = { prefixItems = [{ const = "x509" }] }
"#;
    write(dir.path(), "xsuaa-lint.toml", config);
    let (code, out, _) = check(dir.path(), &["--output-format", "concise"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(": ORG")).collect();
    assert_eq!(
        lines,
        [
            "ok/xs-security.json:3:49: ORG003 credential-types must start with x509",
            "xs-security.json:3:18: ORG002 tenant-mode must be dedicated",
            "xs-security.json:5:23: ORG001 token-validity must be at most 3600 seconds",
            "xs-security.json:6:25: ORG003 credential-types must start with x509",
        ],
        "{out}"
    );
    // Policies are selected, ignored and suppressed like built-in rules.
    write(dir.path(), "xsuaa-lint.toml", &format!("[rules]\nignore = [\"ORG003\"]\n{config}"));
    let (_, out, _) = check(dir.path(), &[]);
    assert!(!out.contains("ORG003") && out.contains("ORG001"), "{out}");

    write(
        dir.path(),
        "xsuaa-lint.toml",
        "[[policy]]\ncode = \"XS500\"\nmessage = \"m\"\npointer = \"/a\"\nrequired = true\n",
    );
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("reserved"), "{err}");
}

#[test]
fn baselines_fail_only_on_new_findings_and_report_gone_ones() {
    let dir = tree();
    let (code, _, err) = check(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Recorded 3 finding(s)"), "{err}");
    let recorded = fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(recorded.contains("\"path\": \"a/xs-security.json\"") && !recorded.contains("\"line\""), "{recorded}");

    // Known findings pass, even after unrelated edits move them to other lines.
    write(dir.path(), "a/xs-security.json", &format!("\n\n{INSTANCE_ONLY}"));
    let (code, out, _) = check(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!((code, findings(&out).len()), (0, 0), "{out}");

    // A new finding fails.
    write(dir.path(), "d/xs-security.json", INSTANCE_ONLY);
    let (code, out, _) = check(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!((code, findings(&out)), (1, vec!["d/xs-security.json XS102".to_string()]));

    // A fixed finding is reported as gone.
    write(dir.path(), "b/xs-security.json", CLEAN);
    let (_, _, err) = check(dir.path(), &["--baseline", "baseline.json"]);
    assert!(err.contains("1 finding(s) recorded in the baseline no longer occur"), "{err}");

    let (code, _, err) = check(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.json"), "{err}");
}

#[test]
fn output_file_receives_the_report() {
    let dir = tree();
    let (code, out, _) = check(dir.path(), &["--output-format", "json", "--output-file", "report.json"]);
    assert_eq!((code, out.as_str()), (1, ""));
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report.as_array().unwrap().len(), 3);
    let (code, _, err) = check(dir.path(), &["--output-file", "no/such/dir/report.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("report.txt"), "{err}");
}

#[test]
fn the_plan_of_a_descriptor_comes_from_the_command_line_or_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "api/xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "app/xs-security.json", INSTANCE_ONLY);
    // Unknown plan: judged as `application`.
    let (_, out, _) = check(dir.path(), &[]);
    assert_eq!(findings(&out), ["api/xs-security.json XS102", "app/xs-security.json XS102"]);
    write(dir.path(), "xsuaa-lint.toml", "[[plans]]\npath = \"api/**\"\nplan = \"apiaccess\"\n");
    let (_, out, _) = check(dir.path(), &[]);
    assert_eq!(
        findings(&out),
        ["api/xs-security.json XS106", "api/xs-security.json XS105", "app/xs-security.json XS102"],
        "{out}"
    );
    // `--plan` wins over the configuration.
    let (_, out, _) = check(dir.path(), &["--plan", "application"]);
    assert_eq!(findings(&out), ["api/xs-security.json XS102", "app/xs-security.json XS102"]);
    // XS105's fix: the only entry becomes `binding-secret`.
    let (_, _, _) = check(dir.path(), &["--fix"]);
    let fixed = fs::read_to_string(dir.path().join("api/xs-security.json")).unwrap();
    assert!(fixed.contains("[\"binding-secret\"]"), "{fixed}");
    assert_eq!(check(dir.path(), &["--plan", "dedicated"]).0, 2);
}

#[cfg(unix)]
#[test]
fn endless_and_blocking_inputs_are_refused_with_their_path() {
    let dir = tree();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let timeout = std::time::Duration::from_secs(30);
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("xsuaa-lint")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .timeout(timeout)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for input in ["/dev/zero", "fifo"] {
        for args in [
            &["check", "--config", input][..],
            &["check", "--baseline", input][..],
            &["audit", "--merge", input][..],
            &["audit", "--compare", input, "."][..],
        ] {
            let (code, err) = run(args);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(err.contains(input) && err.contains("not a regular file"), "{args:?}: {err}");
        }
    }
    let (code, err) = run(&["check", "--config", "a"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("a: cannot read the file: it is a directory"), "{err}");
}

#[test]
fn a_byte_order_mark_is_accepted_in_baselines_reports_and_configurations() {
    let dir = tree();
    let (code, _, err) = check(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    let baseline = fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    write(dir.path(), "baseline.json", &format!("\u{feff}{baseline}"));
    let (code, out, err) = check(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!((code, findings(&out).len()), (0, 0), "{out}{err}");

    let (code, _, err) = run(dir.path(), &["audit", ".", "--format", "json", "-o", "audit.json"]);
    assert_eq!(code, 1, "{err}");
    let report = fs::read_to_string(dir.path().join("audit.json")).unwrap();
    write(dir.path(), "audit.json", &format!("\u{feff}{report}"));
    let (code, out, err) = run(dir.path(), &["audit", "--merge", "audit.json", "--format", "json"]);
    // The same report but for `generated` (when and by what command it was made).
    let without_generated = |text: &str| {
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v.as_object_mut().unwrap().remove("generated");
        v
    };
    assert_eq!((code, without_generated(&out)), (1, without_generated(&report)), "{err}");

    write(dir.path(), "xsuaa-lint.toml", "\u{feff}[rules]\nignore = [\"XS1\"]\n");
    let (code, out, err) = check(dir.path(), &[]);
    assert_eq!((code, findings(&out).len()), (0, 0), "{out}{err}");
}

#[test]
fn absurd_baseline_counts_are_refused() {
    let dir = tree();
    let entry = |count: &str| {
        format!("{{\"path\": \"a/xs-security.json\", \"code\": \"XS102\", \"pointer\": \"/oauth2-configuration/credential-types\", \"count\": {count}}}")
    };
    // Two entries of one key whose counts wrapped around to 2 (and then hid only two findings).
    write(
        dir.path(),
        "baseline.json",
        &format!("{{\"version\": 1, \"findings\": [{}, {}]}}", entry("18446744073709551613"), entry("5")),
    );
    let (code, out, err) = check(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("baseline.json: the count 18446744073709551613 of a/xs-security.json XS102"), "{err}");
    // Large but possible counts add up without overflowing.
    let big = (u32::MAX as usize).to_string();
    write(
        dir.path(),
        "baseline.json",
        &format!("{{\"version\": 1, \"findings\": [{}, {}]}}", entry(&big), entry(&big)),
    );
    let (code, out, err) = check(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!findings(&out).contains(&"a/xs-security.json XS102".to_string()), "{out}");
    assert!(err.contains("8589934589 finding(s) recorded in the baseline no longer occur"), "{err}");
}

#[test]
fn settings_that_would_silence_everything_are_errors() {
    let dir = tree();
    for (config, position, needle) in [
        ("[rules]\nignore = [\"\"]\n", "xsuaa-lint.toml:2:11", "empty rule code"),
        ("[rules]\nselect = [\"\"]\n", "xsuaa-lint.toml:2:11", "empty rule code"),
        ("[rules.severity]\nXS000 = \"off\"\n", "xsuaa-lint.toml:2:9", "XS000"),
        (
            "[[ignore]]\npath = \"a/**\"\npointer = \"/a~2\"\nrules = [\"XS102\"]\nreason = \"r\"\n",
            "xsuaa-lint.toml:3:11",
            "must be followed by `0`",
        ),
    ] {
        write(dir.path(), "xsuaa-lint.toml", config);
        let (code, out, err) = check(dir.path(), &[]);
        assert_eq!(code, 2, "{config}: {out}{err}");
        assert!(err.contains(position) && err.contains(needle), "{config}: {err}");
        // Only the errors: no summary claiming that nothing was found.
        assert_eq!(out, "", "{config}");
        let (_, out, _) = check(dir.path(), &["--output-format", "full"]);
        assert_eq!(out, "", "{config}");
    }
}

#[test]
fn too_many_or_too_long_path_globs_are_a_configuration_error() {
    // 20,000 patterns took 226 MB to compile into one automaton.
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", r#"{"xsappname": "a"}"#);
    let many: Vec<String> = (0..1_001).map(|i| format!("\"d{i}/**/x*y*z.json\"")).collect();
    write(dir.path(), "xsuaa-lint.toml", &format!("[files]\nexclude = [{}]\n", many.join(", ")));
    let (code, _, stderr) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("files.exclude: more than 1000 patterns"), "{stderr}");
    assert!(stderr.contains("xsuaa-lint.toml:"), "the error names the file: {stderr}");

    write(dir.path(), "xsuaa-lint.toml", &format!("[files]\ninclude = [\"{}\"]\n", "a*".repeat(600)));
    let (code, _, stderr) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("files.include: a pattern longer than 1024 bytes"), "{stderr}");

    let few: Vec<String> = (0..1_000).map(|i| format!("\"d{i}/**\"")).collect();
    write(dir.path(), "xsuaa-lint.toml", &format!("[files]\nexclude = [{}]\n", few.join(", ")));
    let (code, _, stderr) = check(dir.path(), &[]);
    assert_ne!(code, 2, "1,000 patterns are allowed: {stderr}");
}

/// A broken configuration in a folder named on the command line is an error (exit 2) even when
/// the folder holds nothing to check, as it is for the working directory.
#[test]
fn a_broken_configuration_of_a_named_folder_is_an_error_with_nothing_to_check() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repo/xsuaa-lint.toml", "[check\n");
    for named in ["repo", "repo/."] {
        let (code, _, err) = check(dir.path(), &[named]);
        assert_eq!(code, 2, "{named}: {err}");
        assert!(err.contains("repo/xsuaa-lint.toml:1:7"), "{named}: {err}");
    }
}

/// `config --show` names the configuration file by its plain path: no `/./` for `.` asked.
#[test]
fn config_show_names_the_file_without_a_dot_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "repo/xsuaa-lint.toml", "[check]\n");
    let repo = dir.path().join("repo");
    for (cwd, args) in [(&repo, vec!["config", "--show"]), (&repo, vec!["config", "--show", "."])] {
        let (code, out, err) = run(cwd, &args);
        assert_eq!(code, 0, "{err}");
        let first = out.lines().next().unwrap_or_default();
        assert!(first.ends_with("/repo/xsuaa-lint.toml") && !first.contains("/./"), "{first}");
    }
    let (_, out, _) = run(dir.path(), &["config", "--show", "repo/."]);
    assert!(!out.lines().next().unwrap_or_default().contains("/./"), "{out}");
}
