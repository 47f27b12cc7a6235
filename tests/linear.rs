//! Linear time and bounded depth in the readers of issue 21 (section 4): Terraform `merge()`
//! and locals, `parametersFrom`, the history, the language server's document store, and the
//! globs of `.gitignore`, configuration excludes and CODEOWNERS.
//!
//! Each timing test builds its input at two sizes, n and 8n, and asserts that the larger takes
//! less than [`MAX_RATIO`] times as long (linear: about 8; quadratic: about 64). Each size is
//! timed as the best of three runs, so one slow moment of a busy machine does not fail it.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xsuaa_lint::model::deployment::{self, FileFormat, Files, ProblemKind, Unreadable};
use xsuaa_lint::text::source::SourceFile;

const MAX_RATIO: f64 = 12.0;

/// The stack of a thread Rust starts (rayon's workers, the server's): what a reader may use.
const WORKER_STACK: usize = 2 << 20;

fn best_of_three(run: &dyn Fn()) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Timing tests run one at a time: the tests of this file run in parallel otherwise.
static TIMING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Times `run(n)` and `run(8n)`; fails when the ratio says worse than linear.
fn assert_linear(what: &str, n: usize, run: impl Fn(usize)) {
    let _alone = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    // A first run at n warms caches and allocators.
    run(n);
    let small = best_of_three(&|| run(n));
    let large = best_of_three(&|| run(8 * n));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    eprintln!("{what}: n={n} {small:?}, 8n {large:?}, ratio {ratio:.1}");
    assert!(ratio < MAX_RATIO, "{what}: 8n took {ratio:.1} times as long as n ({small:?} -> {large:?})");
}

/// Files held in memory, listed by folder and suffix as the disk would be.
#[derive(Default)]
struct Memory(HashMap<PathBuf, String>);

impl Files for Memory {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, Unreadable> {
        self.0.get(path).map(|text| SourceFile::new(shown, text.clone())).ok_or(Unreadable::Missing)
    }

    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self
            .0
            .keys()
            .filter(|p| p.parent() == Some(folder) && p.to_string_lossy().ends_with(suffix))
            .cloned()
            .collect();
        paths.sort();
        paths
    }
}

fn load(path: &str, text: &str, kind: FileFormat, files: &Memory) -> deployment::InstanceSet {
    deployment::load(Path::new(path), SourceFile::new(path, text.to_string()), kind, Path::new("/r"), &[], files)
}

/// Loads a deployment file and judges every instance of it, as `check` does.
fn judge(path: &str, text: &str, kind: FileFormat, files: &Memory) -> deployment::InstanceSet {
    let set = load(path, text, kind, files);
    for instance in &set.instances {
        let _ = xsuaa_lint::lint::instance::evaluate(&set, instance, &Default::default());
    }
    set
}

fn unknowns(set: &deployment::InstanceSet) -> Vec<&str> {
    set.problems.iter().filter(|p| p.kind == ProblemKind::Unknown).map(|p| p.message.as_str()).collect()
}

// --- Terraform ---------------------------------------------------------------------------------

/// `merge()` of `n` maps of one key each, for both providers.
fn terraform_merge(n: usize) -> String {
    let maps: Vec<String> = (0..n).map(|i| format!("{{ k{i} = {i} }}")).collect();
    let maps = maps.join(", ");
    format!(
        r#"resource "btp_subaccount_service_instance" "xsuaa" {{
  service_offering_name = "xsuaa"
  serviceplan_name      = "application"
  parameters = jsonencode(merge({{ xsappname = "a" }}, {maps}))
}}
resource "cloudfoundry_service_instance" "cf_xsuaa" {{
  name         = "cf-xsuaa"
  service_plan = "guid"
  parameters   = jsonencode(merge({{ xsappname = "b" }}, {maps}))
}}
"#
    )
}

#[test]
fn terraform_merge_is_linear_in_its_arguments() {
    let files = Memory::default();
    let set = judge("/r/main.tf", &terraform_merge(10), FileFormat::Terraform, &files);
    assert_eq!(set.instances.len(), 2);
    assert!(set.instances.iter().all(|i| i.layers.len() == 11 && !i.incomplete), "{:?}", set.instances);
    assert_linear("terraform merge()", 2_000, |n| {
        let set = judge("/r/main.tf", &terraform_merge(n), FileFormat::Terraform, &files);
        assert_eq!(set.instances[0].layers.len(), n + 1);
    });
}

#[test]
fn a_later_merge_argument_still_replaces_earlier_keys() {
    let text = r#"resource "btp_subaccount_service_instance" "xsuaa" {
  service_offering_name = "xsuaa"
  serviceplan_name      = "application"
  parameters = jsonencode(merge({ xsappname = "a", x = 1 }, { y = 2 }, { x = 3, xsappname = "c" }))
}
"#;
    let set = load("/r/main.tf", text, FileFormat::Terraform, &Memory::default());
    let keys: Vec<Vec<&str>> = set.instances[0]
        .layers
        .iter()
        .map(|l| l.node.as_object().unwrap().iter().map(|m| m.key.as_str()).collect())
        .collect();
    assert_eq!(keys, [vec![], vec!["y"], vec!["x", "xsappname"]]);
}

fn locals_instance(locals: &str, parameters: &str) -> String {
    format!(
        r#"locals {{
{locals}
}}
resource "btp_subaccount_service_instance" "xsuaa" {{
  service_offering_name = "xsuaa"
  serviceplan_name      = "application"
  parameters            = {parameters}
}}
resource "cloudfoundry_service_instance" "cf_xsuaa" {{
  name         = "cf-xsuaa"
  service_plan = "guid"
  parameters   = {parameters}
}}
"#
    )
}

#[test]
fn a_local_that_names_itself_is_unknown_not_a_crash() {
    for (locals, cycle) in [
        ("  a = local.a", "local.a -> local.a"),
        (
            "  a = local.b\n  b = merge(local.c, {})\n  c = jsonencode(local.a)",
            "local.a -> local.b -> local.c -> local.a",
        ),
    ] {
        let text = locals_instance(locals, "local.a");
        // In a thread with a worker's stack: an unbounded recursion overflows it.
        let set = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn(move || load("/r/main.tf", &text, FileFormat::Terraform, &Memory::default()))
            .unwrap()
            .join()
            .expect("no stack overflow");
        let unknown = unknowns(&set);
        assert_eq!(set.instances.len(), 2);
        assert!(set.instances.iter().all(|i| i.incomplete));
        assert!(unknown.len() == 2 && unknown.iter().all(|m| m.contains(cycle)), "{unknown:?}");
    }
}

/// `a0 = local.a1`, `a1 = local.a2`, ... down to a map.
fn chain_of_locals(n: usize) -> String {
    let mut locals: Vec<String> = (0..n).map(|i| format!("  a{i} = local.a{}", i + 1)).collect();
    locals.push(format!("  a{n} = {{ xsappname = \"deep\" }}"));
    locals_instance(&locals.join("\n"), "jsonencode(local.a0)")
}

#[test]
fn a_deep_chain_of_locals_is_unknown_not_a_crash() {
    // A short chain is followed to its value.
    let set = load("/r/main.tf", &chain_of_locals(10), FileFormat::Terraform, &Memory::default());
    assert_eq!(set.instances.len(), 2);
    assert!(unknowns(&set).is_empty() && set.instances.iter().all(|i| !i.incomplete), "{:?}", set.problems);
    // 100,000 deep: not followed to the end, in a thread with a worker's stack.
    let text = chain_of_locals(100_000);
    let started = Instant::now();
    let set = std::thread::Builder::new()
        .stack_size(WORKER_STACK)
        .spawn(move || load("/r/main.tf", &text, FileFormat::Terraform, &Memory::default()))
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let unknown = unknowns(&set);
    assert!(unknown.len() == 2 && unknown.iter().all(|m| m.contains("nested more than 64 deep")), "{unknown:?}");
    assert!(set.instances.len() == 2 && set.instances.iter().all(|i| i.incomplete));
}

#[test]
fn terraform_locals_are_looked_up_in_constant_time() {
    // Many locals, all merged: a lookup must not scan the `locals` blocks.
    let text = |n: usize| {
        let locals: Vec<String> = (0..n).map(|i| format!("  p{i} = {{ k{i} = \"x{i}\" }}")).collect();
        let names: Vec<String> = (0..n).map(|i| format!("local.p{i}")).collect();
        locals_instance(
            &locals.join("\n"),
            &format!("jsonencode(merge({{ xsappname = \"a\" }}, {}))", names.join(", ")),
        )
    };
    let files = Memory::default();
    assert_linear("terraform locals", 1_000, |n| {
        let set = load("/r/main.tf", &text(n), FileFormat::Terraform, &files);
        assert!(set.instances.len() == 2 && set.instances.iter().all(|i| i.layers.len() == n + 1));
    });
}

#[test]
fn a_locals_cycle_through_the_command_line_is_xs007() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), locals_instance("  a = local.b\n  b = local.a", "local.a")).unwrap();
    let (code, out, err) = support::check_concise(dir.path(), &["--isolated", "."]);
    // XS007 is information: the run ends normally (it aborted with a stack overflow).
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("XS007") && out.contains("local.a -> local.b -> local.a"), "{out}");
}

// --- parametersFrom ----------------------------------------------------------------------------

/// A Kyma instance whose `n` `parametersFrom` entries name ConfigMaps of another file of the
/// folder, and that file.
fn parameters_from(n: usize) -> (String, String) {
    let entries: Vec<String> =
        (0..n).map(|i| format!("    - configMapKeyRef:\n        name: p{i}\n        key: k\n")).collect();
    let instance = format!(
        "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: xsuaa\nspec:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: a\n  parametersFrom:\n{}",
        entries.join("")
    );
    let maps: Vec<String> = (0..n)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p{i}\ndata:\n  k: '{{\"k{i}\": {i}}}'\n"))
        .collect();
    (instance, maps.join("---\n"))
}

#[test]
fn parameters_from_reads_each_file_of_the_folder_once() {
    let run = |n: usize| {
        let (instance, maps) = parameters_from(n);
        let files = Memory(HashMap::from([(PathBuf::from("/r/k8s/config.yaml"), maps)]));
        let set = judge("/r/k8s/instance.yaml", &instance, FileFormat::Kubernetes, &files);
        // Every entry found, the file holding them added to the set once.
        assert!(unknowns(&set).is_empty(), "{:?}", set.problems.first());
        assert_eq!(set.instances[0].layers.len(), n + 1);
        assert_eq!(set.paths.len(), 2);
    };
    run(3);
    assert_linear("parametersFrom, one file", 200, run);
    // Each ConfigMap in a file of its own: each file read once, not once per entry (the reader
    // alone: judging an instance of many files is the effective configuration's business).
    let run = |n: usize| {
        let (instance, maps) = parameters_from(n);
        let files = Memory(
            maps.split("---\n")
                .enumerate()
                .map(|(i, map)| (PathBuf::from(format!("/r/k8s/config-{i}.yaml")), map.to_string()))
                .collect(),
        );
        let set = load("/r/k8s/instance.yaml", &instance, FileFormat::Kubernetes, &files);
        assert!(unknowns(&set).is_empty(), "{:?}", set.problems.first());
        assert_eq!(set.paths.len(), n + 1);
    };
    assert_linear("parametersFrom, a file each", 200, run);
}

// --- history -----------------------------------------------------------------------------------

/// A descriptor of `lines` distinct lines, each starting with `prefix`.
fn descriptor_of_lines(prefix: &str, lines: usize) -> String {
    let scopes: Vec<String> = (0..lines).map(|i| format!("    {{\"name\": \"$XSAPPNAME.{prefix}{i}\"}}")).collect();
    format!("{{\n  \"xsappname\": \"a\",\n  \"scopes\": [\n{}\n  ]\n}}\n", scopes.join(",\n"))
}

#[test]
fn rename_detection_is_linear_in_the_texts_compared() {
    // A descriptor deleted since the base and a new one with no line in common: a line diff of
    // the two costs their product; a profile of hashed lines, their sum.
    let run = |n: usize| {
        let dir = tempfile::tempdir().unwrap();
        support::git_init(dir.path());
        std::fs::create_dir_all(dir.path().join("old")).unwrap();
        std::fs::write(dir.path().join("old/xs-security.json"), descriptor_of_lines("a", n)).unwrap();
        support::git(dir.path(), &["add", "."]);
        support::git(dir.path(), &["commit", "-qm", "base"]);
        std::fs::remove_dir_all(dir.path().join("old")).unwrap();
        std::fs::create_dir_all(dir.path().join("new")).unwrap();
        let path = dir.path().join("new/xs-security.json");
        let text = descriptor_of_lines("b", n);
        std::fs::write(&path, &text).unwrap();
        let history = xsuaa_lint::io::history::History::new(None);
        let started = Instant::now();
        assert!(history.baseline(&path, &text, 30).is_none(), "not a rename");
        started.elapsed()
    };
    run(100);
    let best = |n: usize| (0..3).map(|_| run(n)).min().unwrap_or_default();
    let _alone = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let (small, large) = (best(2_000), best(16_000));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    eprintln!("rename detection: 2,000 lines {small:?}, 16,000 lines {large:?}, ratio {ratio:.1}");
    assert!(ratio < MAX_RATIO, "rename detection: ratio {ratio:.1} ({small:?} -> {large:?})");
}

#[test]
fn a_renamed_file_is_still_found_by_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    support::git_init(dir.path());
    let old = descriptor_of_lines("a", 20);
    std::fs::write(dir.path().join("xs-security.json"), &old).unwrap();
    support::git(dir.path(), &["add", "."]);
    support::git(dir.path(), &["commit", "-qm", "base"]);
    std::fs::remove_file(dir.path().join("xs-security.json")).unwrap();
    std::fs::create_dir_all(dir.path().join("security")).unwrap();
    let path = dir.path().join("security/xs-security.json");
    // Two lines of twenty changed: still the same file.
    let text = old.replace("a3\"", "c3\"").replace("a4\"", "c4\"");
    std::fs::write(&path, &text).unwrap();
    let base = xsuaa_lint::io::history::History::new(None).baseline(&path, &text, 30).expect("renamed");
    assert_eq!(base.renamed_from.as_deref(), Some("xs-security.json"));
}

/// A repository whose `xs-security.json` went through `commits` commits, alternating between two
/// versions in the dual state of `size` bytes each (written with `git fast-import`).
fn dual_history(dir: &Path, commits: usize, size: usize) -> String {
    let version = |tail: &str| {
        format!(
            "{{\"xsappname\": \"a\", \"description\": \"{}{tail}\", \"oauth2-configuration\": {{\"credential-types\": [\"binding-secret\", \"instance-secret\"]}}}}\n",
            "x".repeat(size)
        )
    };
    let (a, b) = (version("a"), version("b"));
    let mut stream = String::new();
    for (mark, text) in [(1, &a), (2, &b)] {
        stream.push_str(&format!("blob\nmark :{mark}\ndata {}\n{text}\n", text.len()));
    }
    for i in 0..commits {
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter t <t@example.com> {} +0000\ndata 1\nc\nM 100644 :{} xs-security.json\n\n",
            1_700_000_000 + i * 60,
            1 + i % 2
        ));
    }
    support::git_init(dir);
    let mut import = std::process::Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    import.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(import.wait().unwrap().success());
    let current = if commits % 2 == 1 { a } else { b };
    std::fs::write(dir.join("xs-security.json"), &current).unwrap();
    current
}

#[test]
fn the_dual_state_history_parses_each_version_once() {
    // m commits of versions of m KB: parsing each commit's version costs m * m KB.
    let prepare = |m: usize| {
        let dir = tempfile::tempdir().unwrap();
        let text = dual_history(dir.path(), m, m * 1024);
        (dir, text)
    };
    let time = |(dir, text): &(tempfile::TempDir, String)| {
        let path = dir.path().join("xs-security.json");
        let history = xsuaa_lint::io::history::History::new(None);
        let started = Instant::now();
        let base = history.baseline(&path, text, 30).expect("a base version");
        let since = base.dual_since.expect("a known start");
        assert_eq!(since.date, "2023-11-14", "the first commit's day");
        started.elapsed()
    };
    let (small, large) = (prepare(40), prepare(320));
    time(&small);
    let _alone = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let best = |repo| (0..3).map(|_| time(repo)).min().unwrap_or_default();
    let (t_small, t_large) = (best(&small), best(&large));
    let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
    eprintln!("dual-state history: 40 commits of 40 KB {t_small:?}, 320 of 320 KB {t_large:?}, ratio {ratio:.1}");
    assert!(ratio < MAX_RATIO, "dual-state history: ratio {ratio:.1} ({t_small:?} -> {t_large:?})");
}

// --- CODEOWNERS --------------------------------------------------------------------------------

#[test]
fn codeowners_rules_match_as_gitignore_lines_do() {
    // The owners each path gets, against `ignore`'s `.gitignore` matcher (a rule each, the last
    // matching rule wins, a rule matches a path or any folder above it).
    let patterns = [
        "*",
        "*.json",
        "/srv/",
        "srv/",
        "docs/*",
        "/apps/*/xs-security.json",
        "**/deploy/",
        "a/**/b",
        "xs-*.json",
        "/*.yaml",
        "sub/dir",
        "**/[ab]pp/",
        "?pp/x.json",
        "apps/**",
    ];
    let paths = [
        "xs-security.json",
        "srv/xs-security.json",
        "x/srv/a.json",
        "docs/a.md",
        "docs/b/c.json",
        "apps/one/xs-security.json",
        "apps/one/two/xs-security.json",
        "k/deploy/mta.yaml",
        "a/b",
        "a/x/y/b/c.json",
        "mta.yaml",
        "k/mta.yaml",
        "sub/dir/file",
        "x/sub/dir/file",
        "app/x.json",
        "bpp/y/z.json",
        "srvx/a.json",
    ];
    let text: String = patterns.iter().enumerate().map(|(i, p)| format!("{p} @o{i}\n")).collect();
    let owners = xsuaa_lint::audit::identity::parse_rules(&text);
    for path in paths {
        let expected = patterns
            .iter()
            .enumerate()
            .rev()
            .find(|(_, p)| {
                let mut builder = ignore::gitignore::GitignoreBuilder::new("");
                builder.add_line(None, p).unwrap();
                builder.build().unwrap().matched_path_or_any_parents(Path::new(path), false).is_ignore()
            })
            .map(|(i, _)| vec![format!("@o{i}")])
            .unwrap_or_default();
        assert_eq!(owners.owners(path), expected, "{path}");
    }
}

#[test]
fn codeowners_cost_time_in_proportion_to_their_rules() {
    let text = |n: usize| -> String { (0..n).map(|i| format!("/d{i}/**/a*b*c*{i}*.json @team{i}\n")).collect() };
    assert_linear("CODEOWNERS", 2_000, |n| {
        let owners = xsuaa_lint::audit::identity::parse_rules(&text(n));
        assert_eq!(owners.owners("d1/x/abc1.json"), ["@team1"]);
        assert!(owners.owners("e/x.json").is_empty());
    });
    // Patterns too long or too complex are left out, not compiled.
    let hostile = format!("{} @x\n/{} @y\n/ok @z\n", "*a".repeat(40), "x".repeat(5000));
    let owners = xsuaa_lint::audit::identity::parse_rules(&hostile);
    assert_eq!((owners.skipped, owners.owners("ok")), (2, vec!["@z".to_string()]));
}
