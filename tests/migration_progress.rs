//! The dual state in time (XS103): real temporary git repositories whose commits carry dates on
//! both sides of the grace period, the pre-commit hook on the tool's own fix, and the `[check]`
//! table of the configuration.

mod support;

use std::fs;
use std::path::Path;
use support::check_concise as check;
use tempfile::TempDir;
use xsuaa_lint::io::history::civil_date;

const DAY: i64 = 86_400;

fn descriptor(xsappname: &str, types: &str) -> String {
    format!("{{\n  \"xsappname\": \"{xsappname}\",\n  \"oauth2-configuration\": {{\n    \"credential-types\": {types}\n  }}\n}}\n")
}

const INSTANCE_ONLY: &str = r#"["instance-secret"]"#;
const DUAL: &str = r#"["binding-secret", "instance-secret"]"#;
const BINDING_ONLY: &str = r#"["binding-secret"]"#;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The calendar date (UTC) `days` days ago.
fn date(days: i64) -> String {
    civil_date(now().div_euclid(DAY) - days)
}

/// git in `dir`; `at`: the author and committer date, in seconds since the epoch.
fn git(dir: &Path, args: &[&str], at: Option<i64>) -> String {
    let stamp = at.map(|seconds| format!("{seconds} +0000"));
    let env: Vec<(&str, &str)> = match &stamp {
        Some(stamp) => vec![("GIT_AUTHOR_DATE", stamp), ("GIT_COMMITTER_DATE", stamp)],
        None => Vec::new(),
    };
    support::git_with(dir, args, &env)
}

fn repo() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"], None);
    dir
}

/// Commits `text` as `xs-security.json`, dated exactly `days_ago` days before now.
fn commit(dir: &Path, text: &str, days_ago: i64) {
    fs::write(dir.join("xs-security.json"), text).unwrap();
    git(dir, &["add", "-A"], None);
    git(dir, &["commit", "-q", "--allow-empty", "-m", "change"], Some(now() - days_ago * DAY));
}

/// The XS103 line of a concise report.
fn xs103(stdout: &str) -> String {
    stdout.lines().find(|l| l.contains(" XS103 ")).unwrap_or_else(|| panic!("no XS103 in:\n{stdout}")).to_string()
}

#[test]
fn a_young_dual_state_is_info_and_passes_the_default_gate() {
    let dir = repo();
    commit(dir.path(), &descriptor("orders", INSTANCE_ONLY), 60);
    commit(dir.path(), &descriptor("orders", DUAL), 10);
    let (code, out, err) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        xs103(&out).ends_with(&format!(
            "XS103 migration in progress since {} (10 days): rebind apps and replace keys, then remove instance-secret",
            date(10)
        )),
        "{out}"
    );
    assert!(out.contains("(0 errors, 0 warnings, 1 info)"), "{out}");
}

#[test]
fn an_old_dual_state_is_a_warning() {
    let dir = repo();
    commit(dir.path(), &descriptor("orders", INSTANCE_ONLY), 90);
    commit(dir.path(), &descriptor("orders", DUAL), 45);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        xs103(&out).ends_with(&format!(
            "XS103 stuck in the dual state since {} (45 days, more than the 30-day grace period): rebind apps and replace keys, then remove instance-secret",
            date(45)
        )),
        "{out}"
    );
}

#[test]
fn the_grace_period_is_the_streak_of_the_dual_state_not_the_last_change() {
    let dir = repo();
    commit(dir.path(), &descriptor("orders", INSTANCE_ONLY), 100);
    commit(dir.path(), &descriptor("orders", DUAL), 40);
    // Edits that keep the dual state do not restart the clock, nor do unrelated commits.
    commit(dir.path(), &descriptor("orders-v2", DUAL), 5);
    fs::write(dir.path().join("README"), "x").unwrap();
    commit(dir.path(), &descriptor("orders-v2", DUAL), 1);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(xs103(&out).contains(&format!("stuck in the dual state since {} (40 days", date(40))), "{out}");
}

#[test]
fn only_the_current_streak_counts() {
    let dir = repo();
    commit(dir.path(), &descriptor("orders", DUAL), 200);
    commit(dir.path(), &descriptor("orders", BINDING_ONLY), 100);
    commit(dir.path(), &descriptor("orders", DUAL), 3);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(xs103(&out).contains(&format!("migration in progress since {} (3 days)", date(3))), "{out}");
}

#[test]
fn a_streak_longer_than_the_walk_is_unknown_and_warns() {
    let dir = repo();
    // 1,001 commits holding the dual state, made at once with `git fast-import`.
    let text = descriptor("orders", DUAL);
    let mut stream = String::new();
    for n in 0..1001 {
        let at = now() - 400 * DAY + n * 60;
        let message = format!("change {n}");
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter test <test@example.com> {at} +0000\ndata {}\n{message}\nM 100644 inline xs-security.json\ndata {}\n{text}\n",
            message.len(),
            text.len()
        ));
    }
    let mut child = std::process::Command::new("git")
        .current_dir(dir.path())
        .args(["fast-import", "--quiet"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    git(dir.path(), &["reset", "-q", "--hard"], None);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(xs103(&out).contains("migration unfinished"), "{out}");
}

#[test]
fn grace_days_are_configurable() {
    let dir = repo();
    commit(dir.path(), &descriptor("orders", DUAL), 45);
    fs::write(dir.path().join("xsuaa-lint.toml"), "[migration]\ngrace-days = 60\n").unwrap();
    let (code, out, _) = check(dir.path(), &["xs-security.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(xs103(&out).contains("migration in progress since"), "{out}");
    fs::write(dir.path().join("xsuaa-lint.toml"), "[migration]\ngrace-days = 7\n").unwrap();
    let (code, out, _) = check(dir.path(), &["xs-security.json"]);
    assert_eq!(code, 1, "{out}");
    assert!(xs103(&out).contains("more than the 7-day grace period"), "{out}");
    fs::write(dir.path().join("xsuaa-lint.toml"), "[migration]\ngrace-days = -1\n").unwrap();
    let (code, _, err) = check(dir.path(), &["xs-security.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("migration.grace-days"), "{err}");
}

#[test]
fn outside_git_or_without_a_committed_history_the_dual_state_warns_as_before() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("xs-security.json"), descriptor("orders", DUAL)).unwrap();
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(xs103(&out).contains("migration unfinished"), "{out}");
}

/// The pre-commit scenario of issue 13: the tool's own fix writes SAP's step 1, the user stages
/// it, and the hook (`check` with default flags on the staged file) lets the commit through.
#[test]
fn the_dual_state_written_by_the_fix_passes_the_pre_commit_hook() {
    let dir = repo();
    commit(dir.path(), &descriptor("orders", INSTANCE_ONLY), 400);
    let (code, out, err) = check(dir.path(), &["--fix", "xs-security.json"]);
    assert_eq!(code, 0, "{out}{err}");
    let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
    assert!(fixed.contains(r#"["binding-secret", "instance-secret"]"#), "{fixed}");
    git(dir.path(), &["add", "xs-security.json"], None);
    let (code, out, err) = check(dir.path(), &["xs-security.json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        xs103(&out).ends_with(
            "XS103 migration in progress since today (0 days): rebind apps and replace keys, then remove instance-secret"
        ),
        "{out}"
    );
    // Committed today, it stays in progress until the grace period is over.
    git(dir.path(), &["commit", "-q", "-m", "step 1"], None);
    let (code, out, _) = check(dir.path(), &["xs-security.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(xs103(&out).contains("since today (0 days)"), "{out}");
}

#[test]
fn an_unknown_environment_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("xs-security.json"), descriptor("orders", BINDING_ONLY)).unwrap();
    fs::write(dir.path().join("xsuaa-lint.toml"), "environment = \"cf\"\n").unwrap();
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown environment `cf`; one of: cloud-foundry, kyma, other"), "{err}");
}

#[test]
fn fail_on_and_exit_zero_come_from_the_configuration_unless_given() {
    let dir = repo();
    commit(dir.path(), &descriptor("orders", DUAL), 45);
    let config = dir.path().join("xsuaa-lint.toml");
    fs::write(&config, "[check]\nfail-on = \"error\"\n").unwrap();
    assert_eq!(check(dir.path(), &[]).0, 0);
    assert_eq!(check(dir.path(), &["--fail-on", "warning"]).0, 1, "the command line wins");
    fs::write(&config, "[check]\nexit-zero = true\n").unwrap();
    assert_eq!(check(dir.path(), &[]).0, 0);
    fs::write(&config, "[check]\nfail-on = \"info\"\n").unwrap();
    assert_eq!(check(dir.path(), &["--isolated"]).0, 1);
    fs::write(&config, "[check]\nfail-on = \"never\"\n").unwrap();
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("check.fail-on: `never`; one of: info, warning, error"), "{err}");
}
