//! `xsuaa-lint propose` on real git repositories with a local bare remote: the branch and its one
//! commit (content, author, message), the pushed ref, `gh` and `glab` through stand-ins on `PATH`
//! that record their arguments, a second run that changes nothing, a base branch that moved,
//! repositories refused (dirty, detached, mid-merge, someone's commits on the branch), and
//! hostile names that stay text. Remotes too, served by a loopback `git daemon` (blob filters
//! and pushes on): the branch made in the cache's clone with only the changed file's blob, its
//! printed push run as written, a second run that opens no second pull request, a moved base,
//! nothing to fix any more, a remote that fails, and a URL's credentials in no output. Skipped,
//! saying so, when `git` (or its daemon, for remotes) is not installed.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::GitDaemon;
use tempfile::TempDir;

const BRANCH: &str = "xsuaa-lint/safe-fixes";
const IMPLICIT: &str = "{\n  \"xsappname\": \"orders\",\n  \"tenant-mode\": \"dedicated\"\n}\n";
const DUAL: &str = "{\n  \"xsappname\": \"orders\",\n  \"oauth2-configuration\": {\n    \"credential-types\": [\"binding-secret\", \"instance-secret\"]\n  }\n}\n";

fn git_missing() -> bool {
    let missing = Command::new("git").arg("--version").output().is_err();
    if missing {
        eprintln!("skipped: git is not installed, so `propose` cannot be tried");
    }
    missing
}

/// A folder with a bare `remote.git`, repositories beside it, `gh` and `glab` stand-ins in
/// `bin/`, and a git configuration of its own (the proposer's identity, no system file).
struct World {
    dir: TempDir,
}

impl World {
    fn new() -> World {
        let world = World { dir: tempfile::tempdir().unwrap() };
        fs::write(
            world.path().join("gitconfig"),
            "[user]\n\tname = Proposer\n\temail = proposer@example.com\n[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n",
        )
        .unwrap();
        fs::create_dir(world.path().join("bin")).unwrap();
        for program in ["gh", "glab"] {
            world.stand_in(program);
        }
        world
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A client that logs each call (one `[argument]` a line) and copies the body it is given
    /// (`--body-file` or `--description`) to `body.md`; `pr list` and `mr list` answer with
    /// `list.json` (else `[]`), `create` with a URL.
    fn stand_in(&self, program: &str) {
        let dir = self.path().display();
        let script = format!(
            r#"#!/bin/sh
d='{dir}'
{{ printf '=== %s\n' '{program}'; for a in "$@"; do printf '[%s]\n' "$a"; done; }} >> "$d/calls.log"
prev=''
for a in "$@"; do
  case "$prev" in
    --body-file) cp "$a" "$d/body.md" ;;
    --description) printf '%s' "$a" > "$d/body.md" ;;
  esac
  prev="$a"
done
case "$1 $2" in
  'pr list'|'mr list') if [ -f "$d/list.json" ]; then cat "$d/list.json"; else echo '[]'; fi ;;
  'pr create') echo 'https://github.example/org/repo/pull/7' ;;
  'mr create') printf 'Creating merge request\nhttps://gitlab.example/org/repo/-/merge_requests/7\n' ;;
  'pr edit'|'mr update') : ;;
  *) echo 'stand-in: unexpected call' >&2; exit 97 ;;
esac
"#
        );
        let path = self.path().join("bin").join(program);
        fs::write(&path, script).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=Setup", "-c", "user.email=setup@example.com"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.path().join("gitconfig"))
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    /// A repository `name` with `files` committed on `main`, pushed to a bare remote of its
    /// own (`NAME.git`), and hooks that would leave `hooks.log` if any ran.
    fn repository(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let repo = self.path().join("repos").join(name);
        fs::create_dir_all(&repo).unwrap();
        let remote = self.path().join(format!("{name}.git"));
        self.git(self.path(), &["init", "-q", "--bare", "-b", "main", &remote.to_string_lossy()]);
        self.git(&repo, &["init", "-q", "-b", "main"]);
        for (file, text) in files {
            self.write(&repo, file, text);
        }
        self.git(&repo, &["add", "-A"]);
        self.git(&repo, &["commit", "-q", "-m", "init"]);
        self.git(&repo, &["remote", "add", "origin", &remote.to_string_lossy()]);
        self.git(&repo, &["push", "-q", "origin", "main"]);
        let log = self.path().join("hooks.log");
        for hook in ["pre-commit", "commit-msg", "post-commit", "post-checkout", "pre-push", "reference-transaction"] {
            let path = repo.join(".git/hooks").join(hook);
            fs::write(&path, format!("#!/bin/sh\necho {hook} >> '{}'\n", log.display())).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        repo
    }

    fn write(&self, repo: &Path, file: &str, text: &str) {
        let path = repo.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// A commit on `main`, pushed (without the repository's hooks, which would log).
    fn commit_on_main(&self, repo: &Path, file: &str, text: &str) {
        self.write(repo, file, text);
        self.git(repo, &["add", "-A"]);
        self.git(repo, &["-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "more"]);
        self.git(repo, &["-c", "core.hooksPath=/dev/null", "push", "-q", "origin", "main"]);
    }

    fn propose(&self, args: &[&str]) -> (i32, String, String) {
        let path = format!("{}:{}", self.path().join("bin").display(), std::env::var("PATH").unwrap_or_default());
        let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
            .unwrap()
            .current_dir(self.path().join("repos"))
            .env("PATH", path)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.path().join("gitconfig"))
            .arg("propose")
            .args(args)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn calls(&self) -> String {
        fs::read_to_string(self.path().join("calls.log")).unwrap_or_default()
    }

    fn hooks_run(&self) -> String {
        fs::read_to_string(self.path().join("hooks.log")).unwrap_or_default()
    }

    fn body(&self) -> String {
        fs::read_to_string(self.path().join("body.md")).unwrap_or_default()
    }
}

/// The calls of a log, each as its arguments.
fn calls(log: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current: Option<String> = None;
    for line in log.lines() {
        if let Some(program) = line.strip_prefix("=== ") {
            out.push(vec![program.to_string()]);
            continue;
        }
        // An argument may hold newlines: `[` opens one, a line ending in `]` may close it.
        let text = match current.take() {
            Some(mut open) => {
                open.push('\n');
                open.push_str(line);
                open
            }
            None => line.strip_prefix('[').unwrap_or(line).to_string(),
        };
        match text.strip_suffix(']') {
            Some(done) => out.last_mut().unwrap().push(done.to_string()),
            None => current = Some(text),
        }
    }
    out
}

#[test]
fn one_commit_on_a_branch_of_its_own_and_the_checkout_untouched() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let repo = world.repository("orders", &[("xs-security.json", IMPLICIT), ("README.md", "orders\n")]);
    let main = world.git(&repo, &["rev-parse", "main"]);
    let index_before = fs::read(repo.join(".git/index")).unwrap();
    let (code, stdout, stderr) = world.propose(&["orders"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with(&format!("orders: branch {BRANCH} created (")), "{stdout}");
    assert!(
        stdout.contains("1 fix in 1 file; would open a pull request into main: xsuaa-lint: allow binding secrets"),
        "{stdout}"
    );
    // One commit on main's tip, by the user git names, holding exactly what `check --fix` writes.
    assert_eq!(world.git(&repo, &["rev-parse", &format!("{BRANCH}^")]), main);
    assert_eq!(world.git(&repo, &["log", "-1", "--format=%an <%ae>", BRANCH]), "Proposer <proposer@example.com>");
    let fixed = world.git(&repo, &["show", &format!("{BRANCH}:xs-security.json")]);
    let copy = world.path().join("copy");
    world.git(world.path(), &["clone", "-q", &repo.to_string_lossy(), &copy.to_string_lossy()]);
    let check = assert_cmd::Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(&copy)
        .args(["check", "--fix"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    assert_eq!(fixed, fs::read_to_string(copy.join("xs-security.json")).unwrap().trim_end());
    assert!(fixed.contains(r#""credential-types": ["binding-secret", "instance-secret"]"#), "{fixed}");
    assert_eq!(world.git(&repo, &["diff", "--name-only", "main", BRANCH]), "xs-security.json");
    let message = world.git(&repo, &["log", "-1", "--format=%B", BRANCH]);
    assert!(
        message.starts_with("xsuaa-lint: allow binding secrets, keep the instance secret (migration step 1)\n\n"),
        "{message}"
    );
    assert!(message.contains("- xs-security.json:1: XS101 `credential-types` is not set"), "{message}");
    assert!(message.ends_with("Proposed-by: xsuaa-lint"), "{message}");
    // The work tree, the index, the branch checked out: as they were; no hook ran; no client called.
    assert_eq!(fs::read_to_string(repo.join("xs-security.json")).unwrap(), IMPLICIT);
    assert_eq!(fs::read(repo.join(".git/index")).unwrap(), index_before);
    assert_eq!(world.git(&repo, &["status", "--porcelain"]), "");
    assert_eq!(world.git(&repo, &["symbolic-ref", "HEAD"]), "refs/heads/main");
    assert_eq!(world.hooks_run(), "");
    assert_eq!(world.calls(), "");
    // Nothing was pushed without --push.
    let remote = world.path().join("orders.git");
    assert_eq!(world.git(&remote, &["for-each-ref", "--format=%(refname)"]), "refs/heads/main");
    // Again: the branch already holds the change.
    let (code, stdout, _) = world.propose(&["orders"]);
    assert_eq!(code, 0);
    assert!(stdout.contains(&format!("branch {BRANCH} unchanged")), "{stdout}");
}

#[test]
fn pushed_and_opened_with_gh_then_a_second_run_changes_nothing() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let repo = world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    let (code, stdout, stderr) = world.propose(&["--open-pr", "gh", "orders"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(", pushed to origin; opened pull request https://github.example/org/repo/pull/7"),
        "{stdout}"
    );
    let commit = world.git(&repo, &["rev-parse", BRANCH]);
    let remote = world.path().join("orders.git");
    assert_eq!(world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]), commit);
    let made = calls(&world.calls());
    assert_eq!(made.len(), 2, "{made:?}");
    assert_eq!(made[0][..4], ["gh", "pr", "list", "--head"]);
    assert_eq!(made[0][4], BRANCH);
    let create = &made[1];
    assert_eq!(create[..6], ["gh", "pr", "create", "--head", BRANCH, "--base"]);
    assert_eq!(
        create[6..9],
        ["main", "--title", "xsuaa-lint: allow binding secrets, keep the instance secret (migration step 1)"]
    );
    assert_eq!(create[9], "--body-file");
    let body = world.body();
    assert!(body.contains("## Fixed\n\n- `xs-security.json:1` XS101: "), "{body}");
    assert!(body.contains("### XSUAA migration runbook"), "the runbook, its headings one level down: {body}");
    assert!(body.contains("cf update-service orders") || body.contains("update-service"), "{body}");
    assert_eq!(world.hooks_run(), "");
    // The pull request is open now, on this commit: the next run finds it and leaves all as is.
    world.pull_request_open_on(&commit);
    let (code, stdout, _) = world.propose(&["--open-pr", "gh", "orders"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("unchanged"), "{stdout}");
    assert!(
        stdout.contains("origin holds it already; pull request https://github.example/org/repo/pull/7 unchanged"),
        "{stdout}"
    );
    let made = calls(&world.calls());
    assert_eq!(made.len(), 1, "only the look-up, no new pull request: {made:?}");
    assert_eq!(made[0][..3], ["gh", "pr", "list"]);
    assert_eq!(world.git(&repo, &["rev-parse", BRANCH]), commit);
}

#[test]
fn a_moved_base_is_proposed_again_on_its_tip_and_the_pull_request_updated() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let repo = world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    let (code, stdout, _) = world.propose(&["--open-pr", "gh", "orders"]);
    assert_eq!(code, 0, "{stdout}");
    let first = world.git(&repo, &["rev-parse", BRANCH]);
    world.pull_request_open_on(&first);
    world.commit_on_main(&repo, "README.md", "orders\n");
    let tip = world.git(&repo, &["rev-parse", "main"]);
    let (code, stdout, stderr) = world.propose(&["--open-pr", "gh", "orders"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("updated (") && stdout.contains("main moved: made again on its new tip"), "{stdout}");
    assert!(
        stdout.contains("pushed to origin; updated pull request https://github.example/org/repo/pull/7"),
        "{stdout}"
    );
    let second = world.git(&repo, &["rev-parse", BRANCH]);
    assert_ne!(second, first);
    assert_eq!(world.git(&repo, &["rev-parse", &format!("{BRANCH}^")]), tip);
    assert_eq!(world.git(&repo, &["rev-list", "--count", &format!("main..{BRANCH}")]), "1");
    let remote = world.path().join("orders.git");
    assert_eq!(world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]), second, "force-pushed");
    let made = calls(&world.calls());
    assert_eq!(made.len(), 2, "{made:?}");
    assert_eq!(made[1][..5], ["gh", "pr", "edit", "7", "--title"]);
    assert!(made.iter().all(|c| c[2] != "create"), "{made:?}");
    // Someone pushed to the branch since: the lease refuses to overwrite their work.
    let other = world.path().join("other");
    world.git(world.path(), &["clone", "-q", &remote.to_string_lossy(), &other.to_string_lossy()]);
    world.git(&other, &["checkout", "-q", BRANCH]);
    world.commit_on_branch(&other, BRANCH);
    world.commit_on_main(&repo, "NOTES.md", "notes\n");
    let (code, stdout, _) = world.propose(&["--push", "--", "orders"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("orders: failed: `git push"), "{stdout}");
    assert_ne!(
        world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]),
        world.git(&repo, &["rev-parse", BRANCH])
    );
}

impl World {
    /// The stand-in `gh`/`glab` lists pull request 7 as open on `commit` from now on; the calls
    /// logged so far are forgotten.
    fn pull_request_open_on(&self, commit: &str) {
        let listed = format!(
            r#"[{{"number":7,"url":"https://github.example/org/repo/pull/7","state":"OPEN","headRefOid":"{commit}"}}]"#
        );
        fs::write(self.path().join("list.json"), listed).unwrap();
        fs::remove_file(self.path().join("calls.log")).unwrap();
    }

    fn commit_on_branch(&self, clone: &Path, branch: &str) {
        self.write(clone, "theirs.txt", "their work\n");
        self.git(clone, &["add", "-A"]);
        self.git(clone, &["commit", "-q", "-m", "their work"]);
        self.git(clone, &["push", "-q", "origin", branch]);
    }
}

#[test]
fn glab_opens_a_merge_request_with_the_body_as_its_description() {
    if git_missing() {
        return;
    }
    let world = World::new();
    world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    let (code, stdout, stderr) = world.propose(&["--open-pr", "glab", "orders"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("opened merge request https://gitlab.example/org/repo/-/merge_requests/7"), "{stdout}");
    let made = calls(&world.calls());
    assert_eq!(made[0], ["glab", "mr", "list", "--source-branch", BRANCH, "--all", "--output", "json"]);
    let create = &made[1];
    assert_eq!(create[..7], ["glab", "mr", "create", "--source-branch", BRANCH, "--target-branch", "main"]);
    assert_eq!(create[9], "--description");
    assert!(create[10].contains("## Fixed"), "{create:?}");
    assert_eq!(create.last().unwrap(), "--yes");
}

#[test]
fn dirty_detached_and_merging_repositories_are_refused_and_the_run_goes_on() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let dirty = world.repository("a-dirty", &[("xs-security.json", IMPLICIT)]);
    fs::write(dirty.join("xs-security.json"), DUAL).unwrap();
    let staged = world.repository("b-staged", &[("xs-security.json", IMPLICIT), ("README.md", "x\n")]);
    fs::write(staged.join("README.md"), "y\n").unwrap();
    world.git(&staged, &["add", "README.md"]);
    let detached = world.repository("c-detached", &[("xs-security.json", IMPLICIT)]);
    world.git(&detached, &["-c", "core.hooksPath=/dev/null", "checkout", "-q", "--detach"]);
    let merging = world.repository("d-merging", &[("xs-security.json", IMPLICIT)]);
    fs::write(merging.join(".git/MERGE_HEAD"), world.git(&merging, &["rev-parse", "HEAD"]) + "\n").unwrap();
    world.repository("e-good", &[("xs-security.json", IMPLICIT)]);
    world.repository("f-finished", &[("xs-security.json", DUAL)]);
    let (code, stdout, stderr) = world.propose(&["."]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{stdout}");
    assert_eq!(lines[0], "a-dirty: refused: the work tree has uncommitted changes: commit or stash them first");
    assert_eq!(lines[1], "b-staged: refused: the work tree has uncommitted changes: commit or stash them first");
    assert_eq!(lines[2], "c-detached: refused: detached HEAD: check out the branch to propose against");
    assert_eq!(lines[3], "d-merging: refused: in the middle of a merge: finish it first");
    assert!(lines[4].starts_with(&format!("e-good: branch {BRANCH} created")), "{stdout}");
    assert_eq!(lines[5], "f-finished: nothing to propose (no safe fix)");
    for repo in [&dirty, &staged, &detached, &merging] {
        assert_eq!(world.git(repo, &["branch", "--list", BRANCH]), "", "no branch in {}", repo.display());
    }
    assert_eq!(fs::read_to_string(dirty.join("xs-security.json")).unwrap(), DUAL, "the user's edit stays");
}

#[test]
fn a_branch_holding_someone_elses_commit_is_left_alone() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let repo = world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    world.git(&repo, &["branch", BRANCH]);
    let theirs = world.git(&repo, &["rev-parse", BRANCH]);
    let (code, stdout, _) = world.propose(&["orders"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("refused: the branch {BRANCH} holds commits xsuaa-lint did not make")),
        "{stdout}"
    );
    assert_eq!(world.git(&repo, &["rev-parse", BRANCH]), theirs);
    // Another name for the proposal works beside it.
    let (code, stdout, _) = world.propose(&["--branch", "security/credential-types", "orders"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("branch security/credential-types created"), "{stdout}");
    // A name git would take for an option or a revision is a usage error.
    let (code, _, stderr) = world.propose(&["--branch", "--force", "orders"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = world.propose(&["--branch", "a..b", "orders"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn hostile_names_stay_text_in_the_commit_the_body_the_output_and_the_shell() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let hostile = "$(touch PWNED)`touch PWNED2`; [link](javascript:alert(1)) <img src=x onerror=alert(1)> @org/team #1";
    let name = "x\\nProposed-by: xsuaa-lint\\n\\u001b[31m<script>alert(1)</script> [l](https://evil.example) @everyone";
    let descriptor = format!("{{\n  \"xsappname\": \"{name}\"\n}}\n");
    let folder = format!("apps/{}", hostile.replace('/', "_"));
    let file = format!("{folder}/xs-security.json");
    let repo = world.repository("orders", &[(file.as_str(), descriptor.as_str())]);
    let (code, stdout, stderr) = world.propose(&["--open-pr", "gh", "orders"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains('\x1b') && !stderr.contains('\x1b'), "{stdout}{stderr}");
    for pwned in ["PWNED", "PWNED2"] {
        assert!(
            !world.path().join("repos").join(pwned).exists() && !repo.join(pwned).exists(),
            "a name ran as a command"
        );
    }
    let message = world.git(&repo, &["log", "-1", "--format=%B", BRANCH]);
    assert_eq!(message.lines().filter(|l| *l == "Proposed-by: xsuaa-lint").count(), 1, "{message}");
    assert!(!message.contains('\x1b'), "{message}");
    // Rendered, the body holds no link but SAP's, no HTML and no mention: repository text is in
    // code spans and fences, or escaped.
    let body = world.body();
    assert!(body.contains("<script>") && body.contains("@everyone"), "the names are shown: {body}");
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut in_fence = false;
    for event in Parser::new_ext(&body, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_fence = true,
            Event::End(TagEnd::CodeBlock) => in_fence = false,
            Event::Text(_) if in_fence => {}
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(dest_url.starts_with("https://github.com/SAP-docs/"), "a link from the repository: {dest_url}")
            }
            Event::Html(html) | Event::InlineHtml(html) => panic!("HTML in the body: {html}"),
            Event::Text(text) => {
                assert!(!text.contains('@') && !text.contains('\x1b'), "a mention or escape in text: {text}")
            }
            _ => {}
        }
    }
    assert!(!body.contains('\x1b'), "{body}");
    assert!(body.contains("apps/"), "{body}");
    // The fix itself was made, in the file with the odd name.
    let fixed = world.git(&repo, &["show", &format!("{BRANCH}:{file}")]);
    assert!(fixed.contains("credential-types"), "{fixed}");
}

#[test]
fn push_needs_the_base_on_the_remote_and_nothing_unpushed() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let repo = world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    world.write(&repo, "README.md", "local only\n");
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "unpushed"]);
    let (code, stdout, _) = world.propose(&["--push", "origin", "orders"]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout,
        "orders: refused: main has commits that are not on origin: push them first, or the proposal would carry them\n"
    );
    let (code, stdout, _) = world.propose(&["--push", "upstream", "orders"]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stdout, "orders: refused: no remote named upstream\n");
    assert_eq!(world.calls(), "");
}

impl World {
    /// The clone of `name` in the cache `cache` (one folder per remote, named after it).
    fn cached(&self, cache: &Path, name: &str) -> PathBuf {
        let found: Vec<PathBuf> = fs::read_dir(cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() && p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}-")))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].clone()
    }
}

#[test]
fn a_remote_s_proposal_is_kept_in_the_cache_then_pushed_and_opened_once() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let Some(daemon) =
        GitDaemon::start(world.path(), "a_remote_s_proposal_is_kept_in_the_cache_then_pushed_and_opened_once")
    else {
        return;
    };
    let big = "x".repeat(100_000);
    world.repository("orders", &[("xs-security.json", IMPLICIT), ("docs/big.txt", &big)]);
    // In the dual state: removing instance-secret is step 3, never a safe fix.
    world.repository("billing", &[("xs-security.json", DUAL)]);
    let remote = world.path().join("orders.git");
    let main = world.git(&remote, &["rev-parse", "main"]);
    let cache = world.path().join("cache");
    let cache_arg = cache.to_string_lossy().into_owned();
    let (orders, billing) = (daemon.url("orders"), daemon.url("billing"));
    let (code, stdout, stderr) = world.propose(&["--cache-dir", &cache_arg, &orders, &billing]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(&format!("{billing}: nothing to propose (no safe fix)")), "{stdout}");
    let line = stdout.lines().find(|l| l.starts_with(&orders)).unwrap();
    assert!(line.starts_with(&format!("{orders}: branch {BRANCH} created (")), "{stdout}");
    assert!(line.contains("1 fix in 1 file; would open a pull request into main: xsuaa-lint: allow binding secrets"));
    // The branch lives in the cache's clone: one commit on the remote's main, the safe fix only.
    let clone = world.cached(&cache, "orders");
    assert_eq!(world.git(&clone, &["rev-parse", &format!("{BRANCH}^")]), main);
    assert_eq!(world.git(&clone, &["diff", "--name-only", "main", BRANCH]), "xs-security.json");
    let fixed = world.git(&clone, &["show", &format!("{BRANCH}:xs-security.json")]);
    assert!(fixed.contains(r#""credential-types": ["binding-secret", "instance-secret"]"#), "{fixed}");
    // The same tree and message as the proposal made from the checkout of that commit.
    let (code, stdout, _) = world.propose(&["orders"]);
    assert_eq!(code, 0, "{stdout}");
    let from_checkout = world.path().join("repos/orders");
    for format in ["%T", "%B"] {
        let remote_made = world.git(&clone, &["log", "-1", &format!("--format={format}"), BRANCH]);
        assert_eq!(remote_made, world.git(&from_checkout, &["log", "-1", &format!("--format={format}"), BRANCH]));
    }
    let message = world.git(&clone, &["log", "-1", "--format=%an|%B", BRANCH]);
    assert!(message
        .starts_with("Proposer|xsuaa-lint: allow binding secrets, keep the instance secret (migration step 1)\n"));
    assert!(message.ends_with("Proposed-by: xsuaa-lint"), "{message}");
    // Only the checked files' blobs came: the large one is on the remote only.
    let big_blob = world.git(&remote, &["rev-parse", "main:docs/big.txt"]);
    let present = Command::new("git")
        .current_dir(&clone)
        .args(["cat-file", "-e", &big_blob])
        .env("GIT_NO_LAZY_FETCH", "1")
        .status()
        .unwrap();
    assert!(!present.success(), "the large file's blob was fetched");
    // Nothing pushed; the line says the exact push, which works as printed.
    assert_eq!(world.git(&remote, &["for-each-ref", "--format=%(refname)"]), "refs/heads/main");
    let push = line.split("; kept in the cache, to push it: ").nth(1).expect(line);
    assert!(push.starts_with("git -C "), "{push}");
    let pushed = Command::new("sh")
        .args(["-c", push])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", world.path().join("gitconfig"))
        .output()
        .unwrap();
    assert!(pushed.status.success(), "{push}: {}", String::from_utf8_lossy(&pushed.stderr));
    let commit = world.git(&clone, &["rev-parse", BRANCH]);
    assert_eq!(world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]), commit);

    // With gh: the remote holds the branch already, the pull request is opened once, in the
    // cache's clone (gh finds the repository by its origin).
    let (code, stdout, stderr) = world.propose(&["--cache-dir", &cache_arg, "--open-pr", "gh", &orders]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "{orders}: branch {BRANCH} unchanged ({}), 1 fix in 1 file, origin holds it already; opened pull request https://github.example/org/repo/pull/7",
            &commit[..12]
        )),
        "{stdout}"
    );
    let made = calls(&world.calls());
    assert_eq!(made.len(), 2, "{made:?}");
    assert_eq!(made[1][..7], ["gh", "pr", "create", "--head", BRANCH, "--base", "main"]);
    assert!(world.body().contains("## Fixed\n\n- `xs-security.json:1` XS101: "), "{}", world.body());
    // Again, the pull request open on this commit: looked up, nothing else.
    world.pull_request_open_on(&commit);
    let (code, stdout, _) = world.propose(&["--cache-dir", &cache_arg, "--open-pr", "gh", &orders]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("origin holds it already; pull request https://github.example/org/repo/pull/7 unchanged"));
    let made = calls(&world.calls());
    assert_eq!(made.len(), 1, "only the look-up: {made:?}");
    assert_eq!(made[0][..3], ["gh", "pr", "list"]);
    assert_eq!(world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]), commit);
    assert_eq!(world.hooks_run(), "");
}

#[test]
fn a_remote_whose_main_moved_gets_the_proposal_again_then_nothing_more() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let Some(daemon) =
        GitDaemon::start(world.path(), "a_remote_whose_main_moved_gets_the_proposal_again_then_nothing_more")
    else {
        return;
    };
    let repo = world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    let remote = world.path().join("orders.git");
    let cache = world.path().join("cache");
    let cache_arg = cache.to_string_lossy().into_owned();
    let orders = daemon.url("orders");
    let (code, stdout, stderr) = world.propose(&["--cache-dir", &cache_arg, "--open-pr", "gh", &orders]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(", pushed to origin; opened pull request"), "{stdout}");
    let first = world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]);
    world.pull_request_open_on(&first);
    // main moves; the cache is gone too (another machine): the branch is taken as the remote holds it.
    world.commit_on_main(&repo, "README.md", "orders\n");
    let tip = world.git(&remote, &["rev-parse", "main"]);
    fs::remove_dir_all(&cache).unwrap();
    let (code, stdout, stderr) = world.propose(&["--cache-dir", &cache_arg, "--open-pr", "gh", &orders]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("main moved: made again on its new tip"), "{stdout}");
    assert!(stdout.contains("pushed to origin; updated pull request https://github.example/org/repo/pull/7"));
    let second = world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]);
    assert_ne!(second, first);
    assert_eq!(world.git(&remote, &["rev-parse", &format!("{BRANCH}^")]), tip);
    let made = calls(&world.calls());
    assert_eq!(made.len(), 2, "{made:?}");
    assert_eq!(made[1][..4], ["gh", "pr", "edit", "7"]);
    // The fix merged into main: nothing to propose any more, the branch left as it is.
    let fixed = world.git(&remote, &["show", &format!("{BRANCH}:xs-security.json")]);
    world.commit_on_main(&repo, "xs-security.json", &format!("{fixed}\n"));
    fs::remove_file(world.path().join("calls.log")).unwrap();
    let (code, stdout, stderr) = world.propose(&["--cache-dir", &cache_arg, "--open-pr", "gh", &orders]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.trim_end(),
        format!("{orders}: nothing to propose any more (no safe fix); the branch {BRANCH} of an earlier run is left as it is")
    );
    assert_eq!(world.git(&remote, &["rev-parse", &format!("refs/heads/{BRANCH}")]), second);
    assert_eq!(world.calls(), "", "no client called");
}

#[test]
fn a_remote_that_fails_is_skipped_the_run_goes_on_and_credentials_stay_unprinted() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let Some(daemon) =
        GitDaemon::start(world.path(), "a_remote_that_fails_is_skipped_the_run_goes_on_and_credentials_stay_unprinted")
    else {
        return;
    };
    world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    let cache = world.path().join("cache");
    let secret = "s3cr3t-t0ken";
    // git quotes it without its scheme when it cannot resolve the host (`me:TOKEN@127.0.0.1`).
    let with_credentials = format!("git://me:{secret}@127.0.0.1:{}/billing.git", daemon.port);
    let list = world.path().join("remotes.txt");
    fs::write(&list, format!("# the organisation\n{}\n{with_credentials}\n", daemon.url("gone"))).unwrap();
    let (code, stdout, stderr) = world.propose(&[
        "--cache-dir",
        &cache.to_string_lossy(),
        "--remotes-from",
        &list.to_string_lossy(),
        &daemon.url("orders"),
    ]);
    assert_eq!(code, 2, "a remote not fetched is a failed git call: {stdout}{stderr}");
    assert!(stdout.contains(&format!("{}: failed: not fetched: not found while cloning", daemon.url("gone"))));
    assert!(stdout.contains(&format!("{}: branch {BRANCH} created (", daemon.url("orders"))), "{stdout}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret), "{stdout}{stderr}");
    assert!(stdout.contains(&format!("{}: failed: not fetched: ", daemon.url("billing"))), "{stdout}");
    // A pushed remote named as the URL after --push is a remote, not the name to push to.
    let (code, stdout, stderr) =
        world.propose(&["--cache-dir", &cache.to_string_lossy(), "--push", &daemon.url("orders")]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains(", pushed to origin; would open a pull request into main"), "{stdout}");
    let (code, _, stderr) =
        world.propose(&["--cache-dir", &cache.to_string_lossy(), "--push", "upstream", &daemon.url("orders")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("a fetched remote is pushed to its own URL"), "{stderr}");
    // A tag is no base for a pull request.
    world.git(&world.path().join("orders.git"), &["tag", "v1", "main"]);
    let (code, stdout, stderr) =
        world.propose(&["--cache-dir", &cache.to_string_lossy(), "--ref", "v1", &daemon.url("orders")]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("refused: the ref fetched is no branch (a tag?)"), "{stdout}");
}

#[test]
fn a_checkout_with_nothing_to_fix_any_more_says_so_and_keeps_the_branch() {
    if git_missing() {
        return;
    }
    let world = World::new();
    let repo = world.repository("orders", &[("xs-security.json", IMPLICIT)]);
    let (code, stdout, _) = world.propose(&["orders"]);
    assert_eq!(code, 0, "{stdout}");
    let branch = world.git(&repo, &["rev-parse", BRANCH]);
    let fixed = world.git(&repo, &["show", &format!("{BRANCH}:xs-security.json")]);
    world.commit_on_main(&repo, "xs-security.json", &format!("{fixed}\n"));
    let (code, stdout, _) = world.propose(&["orders"]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        format!("orders: nothing to propose any more (no safe fix); the branch {BRANCH} of an earlier run is left as it is\n")
    );
    assert_eq!(world.git(&repo, &["rev-parse", BRANCH]), branch);
}
