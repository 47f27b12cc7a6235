//! `propose`: each repository's safe fixes as a branch with one commit, pushed and opened as a
//! pull request (GitHub, through `gh`) or merge request (GitLab, through `glab`) when asked.
//!
//! The fixes are exactly those of `xsuaa-lint check --fix` at the root of a clean checkout of
//! the branch checked out (one stage of SAP's migration, never an unsafe fix), computed in a
//! temporary copy of its last commit: the user's work tree, index and checked-out branch are
//! never touched, and no hook of the repository runs (every `git` call gets an empty
//! `core.hooksPath`; the commit is made with `git commit-tree`).
//!
//! A remote fetched into the cache as `audit` fetches it (a shallow, blob-less clone, the files
//! the walk reads written beside it) goes through the same steps, with three differences: it is
//! judged on a copy of those files; the tree is made with plumbing (`hash-object -w` of the
//! changed files, `update-index --index-info` on an index read from the tip, `write-tree`), so
//! that no other blob is ever needed; and the proposal branch is the remote's own, fetched
//! first when it has one, then kept in the cache's clone (pushed from there when asked).

use crate::diagnostic::{Applicability, FileReport};
use crate::engine;
use crate::io::config::{Discovery, Resolver};
use crate::live::{process, CallError};
use crate::text::escape::{markdown_code, terminal};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The branch proposals are made on, unless `--branch` names another: what `check --fix` does,
/// which is not always a migration stage (a repository in the dual state may only get a
/// misspelled key fixed).
pub const DEFAULT_BRANCH: &str = "xsuaa-lint/safe-fixes";

/// The trailer that marks a commit as a proposal: a branch whose last commit lacks it holds
/// someone's work and is never overwritten.
pub const TRAILER: &str = "Proposed-by: xsuaa-lint";

/// GitHub's limit for a pull request's body is 65,536 characters and an argument of `glab` at
/// most 128 KiB: a longer body is cut at a line, saying so.
const MAX_BODY: usize = 60_000;

/// SAP's page on the staged migration, linked from every pull request.
const SAP_MIGRATION: &str = "https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/migrate-from-instance-secrets-to-binding-secrets-dcee867.md";

/// Whether the rule's safe fix moves an instance along SAP's migration (or back into the dual
/// state, XS109): read from the rules, not a list of codes of its own.
fn moves_the_migration(code: &str) -> bool {
    crate::rules::is_migration_rule(code) || code == crate::rules::xs109_skipped_dual_state::RULE.code
}

/// Where pull requests are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    /// GitHub, through `gh`.
    Github,
    /// GitLab, through `glab` (a merge request).
    Gitlab,
}

impl Forge {
    fn noun(self) -> &'static str {
        match self {
            Forge::Github => "pull request",
            Forge::Gitlab => "merge request",
        }
    }
}

pub struct ProposeOptions {
    /// The branch the commit goes on.
    pub branch: String,
    /// Push the branch to this remote.
    pub push: Option<String>,
    /// Open (or update) the pull request there; implies a push.
    pub open: Option<Forge>,
    /// Ignore every configuration file.
    pub isolated: bool,
    pub threads: usize,
    /// The longest any one `git`, `gh` or `glab` call may take.
    pub timeout: Duration,
}

/// What happened to the proposal branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchChange {
    Created,
    /// A new commit on the branch; `moved`: on a new tip of the base branch.
    Updated {
        moved: bool,
    },
    /// It already held the same change.
    Unchanged,
}

/// What happened to the pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestChange {
    /// Not asked for: what would be opened.
    WouldOpen,
    Opened(String),
    Updated(String),
    /// Open already, with the same change.
    Unchanged(String),
    /// A pull request of this very commit was closed: not opened again until the change differs.
    Closed(String),
}

/// One repository's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No safe fix: nothing proposed.
    NothingToDo,
    /// No safe fix any more, and the proposal branch (named) of an earlier run is still there:
    /// left as it is (its pull request may be open).
    NothingMore(String),
    Proposed(Box<Proposal>),
    /// Not proposed, for a reason the user can act on (a dirty work tree, a detached `HEAD`,
    /// someone else's commits on the branch); the run goes on.
    Refused(String),
    /// A `git`, `gh` or `glab` call failed; what was done before it stays.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub branch: String,
    /// The branch it is proposed against.
    pub base: String,
    pub commit: String,
    pub title: String,
    pub fixes: usize,
    pub files: usize,
    pub change: BranchChange,
    /// The remote pushed to, or that already held the branch.
    pub pushed: Option<String>,
    /// Whether this run pushed (else the remote held the commit already).
    pub pushed_now: bool,
    pub request: RequestChange,
    pub forge: Option<Forge>,
    /// For a remote's clone in the cache, not pushed: the `git push` that would push the branch
    /// from there, as a shell line (no credential: the clone's `origin` is the remote).
    pub push_command: Option<String>,
}

/// `git` in one repository, without its hooks and without prompts.
struct Git<'a> {
    repository: &'a Path,
    hooks: &'a Path,
    timeout: Duration,
    /// For a remote's clone in the cache: the remote as given (credentials and all), so that
    /// git's messages are shown without them; git there never fetches a missing object itself.
    fetched_from: Option<&'a str>,
}

impl Git<'_> {
    /// `git ARGS` in `dir` (default: the repository) with `env`, ready to run.
    fn command(&self, dir: Option<&Path>, args: &[&OsStr], env: &[(&str, &OsStr)]) -> Command {
        let mut hooks = std::ffi::OsString::from("core.hooksPath=");
        hooks.push(self.hooks);
        let mut command = Command::new("git");
        command.current_dir(dir.unwrap_or(self.repository)).arg("-c").arg(hooks).arg("-c").arg("core.fsmonitor=false");
        if self.fetched_from.is_some() {
            // The cache's clone as the fetch keeps it: no automatic `gc`; what is needed is
            // fetched on purpose, never behind our back; ssh never asks, as for the fetch.
            command.args(["-c", "gc.auto=0", "-c", "maintenance.auto=false"]);
            command.env("GIT_NO_LAZY_FETCH", "1");
            if let Some(ssh) = crate::io::remote::batch_ssh_command() {
                command.env("GIT_SSH_COMMAND", ssh);
            }
        }
        command
            .args(args)
            // Set by a hook that runs this tool: they would point git elsewhere.
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_COMMON_DIR")
            // A credential prompt would wait for a user who is not there: fail instead.
            .env("GIT_TERMINAL_PROMPT", "0")
            // The checkout is read for its descriptors, never for large files stored elsewhere.
            .env("GIT_LFS_SKIP_SMUDGE", "1")
            .env("LC_ALL", "C");
        for (key, value) in env {
            command.env(key, value);
        }
        command
    }

    /// Runs `git ARGS` in `dir` (default: the repository) with `env`; its standard output,
    /// trimmed, or why it failed.
    fn run_in(&self, dir: Option<&Path>, args: &[&OsStr], env: &[(&str, &OsStr)]) -> Result<String, String> {
        let command = self.command(dir, args, env);
        let reply = process::run(command, "git", None, self.timeout).map_err(|e| call_error(&e))?;
        if reply.ok() {
            Ok(String::from_utf8_lossy(&reply.stdout).trim_end().to_string())
        } else {
            let shown = args.iter().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ");
            Err(format!("`git {}` failed: {}", first_words(&shown), self.said(&reply.stderr)))
        }
    }

    /// `git ARGS` in the repository with `input` on its standard input.
    fn run_with_input(&self, args: &[&str], input: &[u8], env: &[(&str, &OsStr)]) -> Result<String, String> {
        let os_args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let command = self.command(None, &os_args, env);
        let reply = process::run(command, "git", Some(input), self.timeout).map_err(|e| call_error(&e))?;
        if reply.ok() {
            Ok(String::from_utf8_lossy(&reply.stdout).trim_end().to_string())
        } else {
            Err(format!("`git {}` failed: {}", first_words(&args.join(" ")), self.said(&reply.stderr)))
        }
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        self.run_in(None, &args, &[])
    }

    /// Whether `git ARGS` succeeds (`merge-base --is-ancestor`, `rev-parse --verify`).
    fn holds(&self, args: &[&str]) -> Result<bool, String> {
        let os_args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let command = self.command(None, &os_args, &[]);
        let reply = process::run(command, "git", None, self.timeout).map_err(|e| call_error(&e))?;
        match reply.status {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(format!("`git {}` failed: {}", first_words(&args.join(" ")), self.said(&reply.stderr))),
        }
    }

    /// A client's message, one line, without the remote's credentials.
    fn said(&self, stderr: &[u8]) -> String {
        let line = first_line(stderr);
        match self.fetched_from {
            Some(remote) => crate::io::remote::redact_text(&line, remote),
            None => line,
        }
    }

    /// The commit a ref names, if it exists.
    fn commit_of(&self, reference: &str) -> Result<Option<String>, String> {
        if !self.holds(&["rev-parse", "--verify", "-q", &format!("{reference}^{{commit}}")])? {
            return Ok(None);
        }
        self.run(&["rev-parse", "--verify", "-q", &format!("{reference}^{{commit}}")]).map(Some)
    }
}

fn call_error(e: &CallError) -> String {
    match e {
        CallError::Missing(p) => format!("`{p}` is not installed or not on PATH"),
        CallError::TimedOut(p, t) => format!("`{p}` did not finish within {} s and was stopped", t.as_secs()),
        CallError::Failed(m) => m.clone(),
    }
}

/// The command as shown in an error: its first words (a title or body is not repeated).
fn first_words(command: &str) -> String {
    let mut words: Vec<&str> = command.split(' ').take(3).collect();
    // An option cut from its value (`commit-tree TREE -p`) says nothing.
    if words.len() > 1 && words.last().is_some_and(|w| w.starts_with('-')) {
        words.pop();
    }
    words.join(" ")
}

/// A client's own message, one line: enough to say why, never a page of output.
fn first_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    // git's page asking who you are starts with a line that does not say what to do.
    if text.contains("Please tell me who you are") {
        return "git knows no author: set `user.name` and `user.email` (`git config --global user.name \"Your Name\"`, `git config --global user.email you@example.com`)".to_string();
    }
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no message");
    line.chars().take(300).collect()
}

/// The findings of one engine run over the current folder (the temporary checkout).
fn judge(fix: engine::FixMode, inventory: bool, options: &ProposeOptions) -> (Vec<FileReport>, engine::Outcome) {
    let configs = Resolver::new(if options.isolated { Discovery::Isolated } else { Discovery::Nearest });
    let opts = engine::Options {
        fix,
        threads: options.threads,
        inventory,
        // The copy is no git repository: what `check` sees at a clean checkout of the commit.
        history: false,
        ..engine::Options::default()
    };
    let mut reports = Vec::new();
    let outcome = engine::check(&[PathBuf::from(".")], &opts, &configs, None, &mut reports);
    (reports, outcome)
}

/// The safe fixes of `check --fix` in `tree`, run from inside it so that paths come out as a
/// run at the repository's root shows them; the current folder is restored after.
struct Judged {
    /// Each finding a safe fix answers: file, line, code, message.
    fixed: Vec<(String, usize, &'static str, String)>,
    /// What a fresh `check` reports after the fix.
    remaining: Vec<(String, usize, &'static str, String)>,
    files: usize,
    runbook: String,
}

fn findings(reports: &[FileReport], safe_only: bool) -> Vec<(String, usize, &'static str, String)> {
    let mut out = Vec::new();
    for report in reports {
        for d in &report.diagnostics {
            let safe = d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Safe);
            if !safe_only || safe {
                out.push((report.path.clone(), d.start.line, d.rule.code, d.message.clone()));
            }
        }
    }
    out
}

fn fix_in(tree: &Path, options: &ProposeOptions) -> Result<Option<Judged>, String> {
    let back = std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    std::env::set_current_dir(tree).map_err(|e| format!("cannot enter the temporary checkout: {e}"))?;
    let judged = (|| {
        let (before, _) = judge(engine::FixMode::Off, false, options);
        let fixed = findings(&before, true);
        if fixed.is_empty() {
            return Ok(None);
        }
        let (after, outcome) = judge(engine::FixMode::Apply, false, options);
        if let Some((file, reason)) = outcome.refused.first() {
            return Err(format!("`check --fix` refused to change {}: {reason}", terminal(file)));
        }
        let files = after.iter().filter(|r| r.fixes_applied > 0).count();
        let (_, inventory) = judge(engine::FixMode::Off, true, options);
        let found = inventory.instances.len();
        let instances = crate::engine::inventory::one_per_instance(inventory.instances);
        let runbook = crate::runbook::markdown(&crate::runbook::entries(&instances), found);
        Ok(Some(Judged { fixed, remaining: findings(&after, false), files, runbook }))
    })();
    std::env::set_current_dir(&back).map_err(|e| format!("cannot return to {}: {e}", back.display()))?;
    judged
}

/// One repository: refused, nothing to do, or its proposal (made, pushed and opened as asked).
pub fn propose(repository: &Path, options: &ProposeOptions) -> Outcome {
    propose_in(repository, None, options)
}

/// A remote fetched into the cache (its folder, and the remote as given, credentials and all):
/// judged on the files the fetch wrote, the proposal branch kept in the cache's clone, pushed to
/// the remote itself (`origin` there) when asked.
pub fn propose_fetched(folder: &Path, remote: &str, options: &ProposeOptions) -> Outcome {
    propose_in(folder, Some(remote), options)
}

fn propose_in(repository: &Path, fetched_from: Option<&str>, options: &ProposeOptions) -> Outcome {
    let repository = match std::path::absolute(repository) {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(format!("cannot resolve the path: {e}")),
    };
    let work = match tempfile::Builder::new().prefix("xsuaa-lint-propose-").tempdir() {
        Ok(w) => w,
        Err(e) => return Outcome::Failed(format!("cannot make a temporary folder: {e}")),
    };
    let hooks = work.path().join("no-hooks");
    if let Err(e) = std::fs::create_dir(&hooks) {
        return Outcome::Failed(format!("cannot make a temporary folder: {e}"));
    }
    let git = Git { repository: &repository, hooks: &hooks, timeout: options.timeout, fetched_from };
    match Step::run(&git, work.path(), options) {
        Ok(outcome) | Err(outcome) => outcome,
    }
}

/// The steps of one proposal; `Err` carries the outcome that stops it early.
struct Step;

impl Step {
    fn run(git: &Git<'_>, work: &Path, options: &ProposeOptions) -> Result<Outcome, Outcome> {
        let failed = Outcome::Failed;
        let inside = git.run(&["rev-parse", "--is-inside-work-tree"]).unwrap_or_default();
        if inside != "true" {
            return Err(Outcome::Refused("not a git repository with a work tree".into()));
        }
        let git_dir = PathBuf::from(git.run(&["rev-parse", "--absolute-git-dir"]).map_err(failed)?);
        let fetched = git.fetched_from.is_some();
        let Ok(head) = git.run(&["symbolic-ref", "-q", "HEAD"]) else {
            return Err(Outcome::Refused(if fetched {
                "the ref fetched is no branch (a tag?): a pull request needs a branch to go into".into()
            } else {
                "detached HEAD: check out the branch to propose against".into()
            }));
        };
        let Some(base) = head.strip_prefix("refs/heads/").map(str::to_string) else {
            return Err(Outcome::Refused(format!("HEAD is {}, not a branch", terminal(&head))));
        };
        if base == options.branch {
            return Err(Outcome::Refused(format!(
                "the proposal branch {} is checked out: check out the branch to propose against",
                terminal(&base)
            )));
        }
        // A remote's clone in the cache has no work tree of its own to be dirty (the fetch wrote
        // the files it reads) and nothing under way.
        let local_states: &[(&str, &str)] = if fetched {
            &[]
        } else {
            &[
                ("MERGE_HEAD", "a merge"),
                ("CHERRY_PICK_HEAD", "a cherry-pick"),
                ("REVERT_HEAD", "a revert"),
                ("rebase-merge", "a rebase"),
                ("rebase-apply", "a rebase or `git am`"),
                ("BISECT_LOG", "a bisection"),
            ]
        };
        for (file, what) in local_states {
            if git_dir.join(file).exists() {
                return Err(Outcome::Refused(format!("in the middle of {what}: finish it first")));
            }
        }
        if !fetched {
            let status = git.run(&["--no-optional-locks", "status", "--porcelain=v1", "--untracked-files=no"]);
            if !status.map_err(failed)?.is_empty() {
                return Err(Outcome::Refused(
                    "the work tree has uncommitted changes: commit or stash them first".into(),
                ));
            }
        }
        let Some(tip) = git.commit_of("HEAD").map_err(failed)? else {
            return Err(Outcome::Refused("no commit yet".into()));
        };
        let remote = options.push.clone().or_else(|| options.open.map(|_| "origin".to_string()));
        if let Some(remote) = &remote {
            if git.run(&["remote", "get-url", "--", remote]).is_err() {
                return Err(Outcome::Refused(format!("no remote named {}", terminal(remote))));
            }
            let upstream = git.commit_of(&format!("refs/remotes/{remote}/{base}")).map_err(failed)?;
            match upstream {
                None => {
                    return Err(Outcome::Refused(format!(
                        "{} has no branch {} (as last fetched): the pull request needs it as its base",
                        terminal(remote),
                        terminal(&base)
                    )))
                }
                Some(upstream) if !git.holds(&["merge-base", "--is-ancestor", &tip, &upstream]).map_err(failed)? => {
                    return Err(Outcome::Refused(format!(
                        "{} has commits that are not on {}: push them first, or the proposal would carry them",
                        terminal(&base),
                        terminal(remote)
                    )))
                }
                Some(_) => {}
            }
        }
        let branch_ref = format!("refs/heads/{}", options.branch);
        // A remote's branch as the remote holds it now (another machine may have pushed it, the
        // cache may be new): the proposal there is the one to update.
        let on_remote = if fetched { Self::remote_branch(git, &options.branch).map_err(failed)? } else { None };
        let previous = git.commit_of(&branch_ref).map_err(failed)?;
        let previous_parent = match &previous {
            Some(old) => Some(Self::own_parent(git, old, &tip, &options.branch)?),
            None => None,
        };
        let made = if fetched {
            Self::fixed_tree_from_files(git, work, &tip, options)?
        } else {
            Self::fixed_tree(git, work, &tip, options)?
        };
        let Some((tree, judged)) = made else {
            return Ok(match previous {
                Some(_) => Outcome::NothingMore(options.branch.clone()),
                None => Outcome::NothingToDo,
            });
        };
        let title = title(&judged);
        let message = commit_message(&title, &base, &tip, &judged);
        let (commit, change) = match (&previous, &previous_parent) {
            (Some(old), Some(parent))
                if *parent == tip
                    && git.run(&["rev-parse", &format!("{old}^{{tree}}")]).map_err(failed)? == tree
                    && git.run(&["log", "-1", "--format=%B", old]).map_err(failed)?.trim_end()
                        == message.trim_end() =>
            {
                (old.clone(), BranchChange::Unchanged)
            }
            _ => {
                let message_file = work.join("message");
                std::fs::write(&message_file, &message).map_err(|e| Outcome::Failed(e.to_string()))?;
                let args: [&OsStr; 6] = [
                    "commit-tree".as_ref(),
                    tree.as_ref(),
                    "-p".as_ref(),
                    tip.as_ref(),
                    "-F".as_ref(),
                    message_file.as_os_str(),
                ];
                let commit = git.run_in(None, &args, &[]).map_err(failed)?;
                let old = previous.clone().unwrap_or_else(|| "0".repeat(tip.len()));
                git.run(&["update-ref", "-m", "xsuaa-lint propose", &branch_ref, &commit, &old]).map_err(failed)?;
                let change = match &previous_parent {
                    None => BranchChange::Created,
                    Some(parent) => BranchChange::Updated { moved: *parent != tip },
                };
                (commit, change)
            }
        };
        let mut proposal = Proposal {
            branch: options.branch.clone(),
            base: base.clone(),
            commit,
            title,
            fixes: judged.fixed.len(),
            files: judged.files,
            change,
            pushed: None,
            pushed_now: false,
            request: RequestChange::WouldOpen,
            forge: options.open,
            push_command: None,
        };
        let Some(remote) = remote else {
            if fetched && on_remote.as_deref() != Some(proposal.commit.as_str()) {
                proposal.push_command = Some(push_command(git.repository, &branch_ref, on_remote.as_deref()));
            }
            return Ok(Outcome::Proposed(Box::new(proposal)));
        };
        proposal.pushed_now = Self::push(git, &remote, &branch_ref, &proposal).map_err(failed)?;
        proposal.pushed = Some(remote);
        if let Some(forge) = options.open {
            let body_file = work.join("body.md");
            let body = request_body(&proposal, &judged);
            std::fs::write(&body_file, &body).map_err(|e| Outcome::Failed(e.to_string()))?;
            let changed = proposal.pushed_now || proposal.change != BranchChange::Unchanged;
            proposal.request = match forge {
                Forge::Github => github(git, &proposal, &body_file, changed, options.timeout),
                Forge::Gitlab => gitlab(git, &proposal, &body, changed, options.timeout),
            }
            .map_err(failed)?;
        }
        Ok(Outcome::Proposed(Box::new(proposal)))
    }

    /// The parent of the branch's last commit, when that commit is a proposal on an earlier
    /// (or the current) tip of the base; else the branch holds someone's work: refused.
    fn own_parent(git: &Git<'_>, old: &str, tip: &str, branch: &str) -> Result<String, Outcome> {
        let failed = Outcome::Failed;
        let parents = git.run(&["log", "-1", "--format=%P", old]).map_err(failed)?;
        let message = git.run(&["log", "-1", "--format=%B", old]).map_err(failed)?;
        let parents: Vec<&str> = parents.split_whitespace().collect();
        let ours = message.lines().any(|l| l.trim_end() == TRAILER);
        let foreign = || {
            Outcome::Refused(format!(
                "the branch {} holds commits xsuaa-lint did not make: left as it is (delete it, or name another with --branch)",
                terminal(branch)
            ))
        };
        match parents.as_slice() {
            // A remote's clone in the cache holds the base's last commit only, not its history:
            // a proposal on any earlier commit counts as one on an earlier tip.
            [parent] if ours && git.fetched_from.is_some() => Ok((*parent).to_string()),
            [parent] if ours => {
                if git.holds(&["merge-base", "--is-ancestor", parent, tip]).map_err(failed)? {
                    Ok((*parent).to_string())
                } else {
                    Err(foreign())
                }
            }
            _ => Err(foreign()),
        }
    }

    /// The commit of the proposal branch on the remote of a clone in the cache, if it has the
    /// branch: fetched (with its parent, no file contents) into `refs/remotes/origin/BRANCH` and
    /// the cache's branch set to it, so that the branch is updated as the remote holds it.
    fn remote_branch(git: &Git<'_>, branch: &str) -> Result<Option<String>, String> {
        let branch_ref = format!("refs/heads/{branch}");
        let tracking = format!("refs/remotes/origin/{branch}");
        let listed = git.run(&["ls-remote", "--heads", "origin", &branch_ref])?;
        let remote = listed.lines().find_map(|l| {
            let (oid, name) = l.split_once('\t')?;
            (name == branch_ref).then(|| oid.to_string())
        });
        let Some(remote) = remote else {
            // Gone there (merged and deleted, say): a lease on it must expect no branch.
            if git.commit_of(&tracking)?.is_some() {
                git.run(&["update-ref", "-d", &tracking])?;
            }
            return Ok(None);
        };
        if git.commit_of(&tracking)?.as_deref() != Some(remote.as_str()) {
            let refspec = format!("+{branch_ref}:{tracking}");
            git.run(&[
                "fetch",
                "--quiet",
                "--no-tags",
                "--no-write-fetch-head",
                "--recurse-submodules=no",
                "--depth",
                "2",
                "--filter=blob:none",
                "origin",
                &refspec,
            ])?;
        }
        if git.commit_of(&branch_ref)?.as_deref() != Some(remote.as_str()) {
            git.run(&["update-ref", "-m", "xsuaa-lint propose: as the remote holds it", &branch_ref, &remote])?;
        }
        Ok(Some(remote))
    }

    /// For a remote's clone in the cache: the tree of `tip` with the safe fixes applied, judged
    /// on a copy of the files the fetch wrote (what `audit` reads), and made with plumbing so
    /// that only the changed files' blobs are needed: each changed file is written as a blob
    /// (`hash-object -w`), put in an index of its own read from `tip` (`update-index
    /// --index-info`, its mode kept) and the tree written from it. `None`: nothing to fix.
    fn fixed_tree_from_files(
        git: &Git<'_>,
        work: &Path,
        tip: &str,
        options: &ProposeOptions,
    ) -> Result<Option<(String, Judged)>, Outcome> {
        let failed = Outcome::Failed;
        let tree = work.join("tree");
        let files =
            copy_files(git.repository, &tree).map_err(|e| failed(format!("cannot copy the fetched files: {e}")))?;
        if files.is_empty() {
            return Ok(None);
        }
        let Some(judged) = fix_in(&tree, options).map_err(failed)? else { return Ok(None) };
        let mut changed = Vec::new();
        let max = crate::io::load::MAX_FILE_SIZE;
        for file in &files {
            let before = crate::io::load::read_file(&git.repository.join(file), Some(git.repository), max);
            let after = crate::io::load::read_file(&tree.join(file), Some(&tree), max);
            match (before, after) {
                (Ok(before), Ok(after)) if before == after => {}
                // Too large to check: not fixed either.
                (Err(_), Err(_)) => {}
                (_, Ok(_)) => changed.push(file.as_str()),
                (Ok(_), Err(e)) => return Err(failed(format!("cannot read the fixed {}: {e}", terminal(file)))),
            }
        }
        if changed.is_empty() {
            return Ok(None);
        }
        // Each changed file's mode in `tip`: a fix changes contents, never adds a file.
        let mut listing: Vec<&OsStr> = vec!["--literal-pathspecs".as_ref(), "ls-tree".as_ref(), "-z".as_ref()];
        listing.extend([OsStr::new("--full-tree"), OsStr::new(tip), OsStr::new("--")]);
        listing.extend(changed.iter().map(OsStr::new));
        let listed = git.run_in(None, &listing, &[]).map_err(failed)?;
        let modes: std::collections::HashMap<&str, &str> = listed
            .split('\0')
            .filter_map(|record| {
                let (meta, path) = record.split_once('\t')?;
                Some((path, meta.split(' ').next()?))
            })
            .collect();
        let mut index_info = String::new();
        for file in &changed {
            let Some(mode) = modes.get(file) else {
                return Err(failed(format!("{} is not a file of the fetched commit", terminal(file))));
            };
            let path = tree.join(file);
            let args: [&OsStr; 5] =
                ["hash-object".as_ref(), "-w".as_ref(), "--no-filters".as_ref(), "--".as_ref(), path.as_os_str()];
            let blob = git.run_in(None, &args, &[]).map_err(failed)?;
            index_info.push_str(&format!("{mode} {blob}\t{file}\0"));
        }
        let index = work.join("index");
        let index_env: [(&str, &OsStr); 1] = [("GIT_INDEX_FILE", index.as_os_str())];
        git.run_in(None, &["read-tree".as_ref(), tip.as_ref()], &index_env).map_err(failed)?;
        git.run_with_input(&["update-index", "-z", "--index-info"], index_info.as_bytes(), &index_env)
            .map_err(failed)?;
        // The blobs of files not changed are on the remote, not here: not looked for.
        let fixed = git.run_in(None, &["write-tree".as_ref(), "--missing-ok".as_ref()], &index_env).map_err(failed)?;
        let original = git.run(&["rev-parse", &format!("{tip}^{{tree}}")]).map_err(failed)?;
        if fixed == original {
            return Ok(None);
        }
        Ok(Some((fixed, judged)))
    }

    /// The tree of `tip` with the safe fixes applied, and what they fixed; `None` when there is
    /// nothing to fix. Built in `work`: an index of its own (`GIT_INDEX_FILE`), a checkout of it
    /// by `git checkout-index` (git's own path checks and filters), the fixes, `git add -u`.
    fn fixed_tree(
        git: &Git<'_>,
        work: &Path,
        tip: &str,
        options: &ProposeOptions,
    ) -> Result<Option<(String, Judged)>, Outcome> {
        let failed = Outcome::Failed;
        let index = work.join("index");
        let tree = work.join("tree");
        let index_env: [(&str, &OsStr); 1] = [("GIT_INDEX_FILE", index.as_os_str())];
        git.run_in(None, &["read-tree".as_ref(), tip.as_ref()], &index_env).map_err(failed)?;
        let mut prefix = tree.clone().into_os_string();
        prefix.push("/");
        let mut checkout_prefix = std::ffi::OsString::from("--prefix=");
        checkout_prefix.push(&prefix);
        git.run_in(None, &["checkout-index".as_ref(), "-a".as_ref(), checkout_prefix.as_os_str()], &index_env)
            .map_err(failed)?;
        if !tree.is_dir() {
            // An empty commit: nothing checked out, nothing to fix.
            return Ok(None);
        }
        let Some(judged) = fix_in(&tree, options).map_err(failed)? else { return Ok(None) };
        let git_dir = git.run(&["rev-parse", "--absolute-git-dir"]).map_err(failed)?;
        let mut git_dir_arg = std::ffi::OsString::from("--git-dir=");
        git_dir_arg.push(&git_dir);
        let mut work_tree_arg = std::ffi::OsString::from("--work-tree=");
        work_tree_arg.push(&tree);
        git.run_in(
            Some(&tree),
            &[git_dir_arg.as_os_str(), work_tree_arg.as_os_str(), "add".as_ref(), "-u".as_ref()],
            &index_env,
        )
        .map_err(failed)?;
        let fixed = git.run_in(None, &["write-tree".as_ref()], &index_env).map_err(failed)?;
        let original = git.run(&["rev-parse", &format!("{tip}^{{tree}}")]).map_err(failed)?;
        if fixed == original {
            return Ok(None);
        }
        Ok(Some((fixed, judged)))
    }

    /// Pushes the branch unless the remote (as last pushed or fetched) holds it already;
    /// `--force-with-lease` on what was last seen there, so that someone's push to it is never
    /// overwritten. Whether it pushed.
    fn push(git: &Git<'_>, remote: &str, branch_ref: &str, proposal: &Proposal) -> Result<bool, String> {
        let tracking = format!("refs/remotes/{remote}/{}", proposal.branch);
        let seen = git.commit_of(&tracking)?;
        if seen.as_deref() == Some(proposal.commit.as_str()) {
            return Ok(false);
        }
        let lease = format!("--force-with-lease={branch_ref}:{}", seen.unwrap_or_default());
        let refspec = format!("{branch_ref}:{branch_ref}");
        // From a blob-less clone, a thin pack may want blobs the fetch left on the remote as
        // delta bases (and would fail on them: no lazy fetch): whole objects, a few files.
        let thin = if git.fetched_from.is_some() { "--no-thin" } else { "--thin" };
        git.run(&["push", "--no-verify", "--porcelain", thin, &lease, "--", remote, &refspec]).map_err(|e| {
            format!("{e} (when the remote's branch changed since it was last fetched, `git fetch` and look before running again)")
        })?;
        Ok(true)
    }
}

/// Copies the files of `from` (a remote's folder in the cache: plain folders and the files the
/// fetch wrote) into the new folder `to`, `.git` aside, never through a link; their paths
/// relative to `from`, with `/`. An explicit stack: a deep tree costs no recursion.
fn copy_files(from: &Path, to: &Path) -> std::io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut folders = vec![String::new()];
    std::fs::create_dir(to)?;
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(from.join(&folder))? {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
            if folder.is_empty() && name == ".git" {
                continue;
            }
            let rel = if folder.is_empty() { name } else { format!("{folder}/{name}") };
            let kind = entry.file_type()?;
            if kind.is_dir() {
                std::fs::create_dir(to.join(&rel))?;
                folders.push(rel);
            } else if kind.is_file() {
                std::fs::copy(entry.path(), to.join(&rel))?;
                files.push(rel);
            }
        }
    }
    files.sort_unstable();
    Ok(files)
}

/// The `git push` of the proposal branch from a remote's clone in the cache, with a lease on
/// what the remote holds (`None`: no branch there yet), as a shell line.
fn push_command(folder: &Path, branch_ref: &str, on_remote: Option<&str>) -> String {
    use crate::text::escape::shell_word;
    let lease = format!("--force-with-lease={branch_ref}:{}", on_remote.unwrap_or_default());
    format!(
        "git -C {} push {} origin {}",
        shell_word(&folder.to_string_lossy()),
        shell_word(&lease),
        shell_word(&format!("{branch_ref}:{branch_ref}"))
    )
}

/// One line per finding, for the commit message: terminal-safe (no control character, no
/// newline from a repository's text).
fn finding_line((file, line, code, message): &(String, usize, &str, String)) -> String {
    format!("- {}:{line}: {code} {}", terminal(file), terminal(message))
}

/// One line per finding, for the pull request: the message as a code span too, since it quotes
/// names from the repository and a backslash-escaped `@name` may still be taken for a mention.
fn finding_item((file, line, code, message): &(String, usize, &str, String)) -> String {
    format!("- {} {code}: {}", markdown_code(&format!("{file}:{line}")), markdown_code(message))
}

fn title(judged: &Judged) -> String {
    if judged.fixed.iter().any(|f| moves_the_migration(f.2)) {
        "xsuaa-lint: allow binding secrets, keep the instance secret (migration step 1)".into()
    } else {
        let mut codes: Vec<&str> = judged.fixed.iter().map(|f| f.2).collect();
        codes.sort_unstable();
        codes.dedup();
        format!("xsuaa-lint: safe fixes ({})", codes.join(", "))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn commit_message(title: &str, base: &str, tip: &str, judged: &Judged) -> String {
    let mut out = format!(
        "{title}\n\nThe safe fixes of `xsuaa-lint check --fix` on {} at {}:\n{} in {}, one stage of SAP's migration at most, no unsafe fix.\n\n",
        terminal(base),
        &tip[..tip.len().min(12)],
        plural(judged.fixed.len(), "fix", "fixes"),
        plural(judged.files, "file", "files"),
    );
    for f in &judged.fixed {
        out.push_str(&finding_line(f));
        out.push('\n');
    }
    out.push_str(
        "\nAfter merging: deploy (update each instance), then follow each instance's runbook\n(`xsuaa-lint runbook`): rebind every app, replace every service key, and only then\nremove instance-secret.\n\n",
    );
    out.push_str(TRAILER);
    out.push('\n');
    out
}

/// The pull request's body: what changed, what is still reported, and the runbook of every
/// instance not finished, as Markdown with every repository text escaped or in code spans.
fn request_body(proposal: &Proposal, judged: &Judged) -> String {
    let mut out = format!(
        "The safe fixes of `xsuaa-lint check --fix` on {} ({} in {}): one stage of [SAP's migration from instance secrets to binding secrets]({SAP_MIGRATION}) at most, never an unsafe fix.\n\n## Fixed\n\n",
        markdown_code(&proposal.base),
        plural(judged.fixed.len(), "fix", "fixes"),
        plural(judged.files, "file", "files"),
    );
    for f in &judged.fixed {
        out.push_str(&finding_item(f));
        out.push('\n');
    }
    out.push_str("\n## Still reported after this change\n\n");
    if judged.remaining.is_empty() {
        out.push_str("- nothing\n");
    }
    for f in &judged.remaining {
        out.push_str(&finding_item(f));
        out.push('\n');
    }
    out.push_str("\n## After merging\n\nDeploy, so that each instance is updated, then follow its runbook below.\n\n");
    // The runbook's headings one level down, under this section (its commands are indented in
    // their fences, so no line of theirs starts with `#`).
    for line in judged.runbook.lines() {
        if line.starts_with('#') {
            out.push_str("##");
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("\n---\nMade by `xsuaa-lint propose` on the branch {}.\n", markdown_code(&proposal.branch)));
    if out.len() > MAX_BODY {
        let mut cut = MAX_BODY - 200;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        let at = out[..cut].rfind('\n').unwrap_or(cut);
        out.truncate(at);
        out.push_str("\n\n(Cut here: the body's limit was reached. `xsuaa-lint runbook` prints the whole runbook.)\n");
    }
    out
}

/// A forge client's call in the repository: its standard output, or why it failed.
fn forge_call(git: &Git<'_>, program: &str, args: &[&OsStr], timeout: Duration) -> Result<String, String> {
    // In a remote's clone in the cache, the client finds the repository by its `origin`.
    let mut command = Command::new(program);
    command.current_dir(git.repository).args(args).env("NO_COLOR", "1").env("GH_PROMPT_DISABLED", "1");
    let reply = process::run(command, program, None, timeout).map_err(|e| call_error(&e))?;
    if reply.ok() {
        Ok(String::from_utf8_lossy(&reply.stdout).trim().to_string())
    } else {
        let shown: Vec<String> = args.iter().take(2).map(|a| a.to_string_lossy().into_owned()).collect();
        Err(format!("`{program} {}` failed: {}", shown.join(" "), git.said(&reply.stderr)))
    }
}

fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
    args.iter().map(std::ffi::OsString::from).collect()
}

fn refs(args: &[std::ffi::OsString]) -> Vec<&OsStr> {
    args.iter().map(|a| a.as_os_str()).collect()
}

/// The URL a client printed: its last line that is one.
fn printed_url(out: &str) -> String {
    out.lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with("https://") || l.starts_with("http://"))
        .unwrap_or("")
        .to_string()
}

fn github(
    git: &Git<'_>,
    proposal: &Proposal,
    body_file: &Path,
    changed: bool,
    timeout: Duration,
) -> Result<RequestChange, String> {
    let list = os(&[
        "pr",
        "list",
        "--head",
        &proposal.branch,
        "--state",
        "all",
        "--json",
        "number,url,state,headRefOid",
        "--limit",
        "50",
    ]);
    let listed = forge_call(git, "gh", &refs(&list), timeout)?;
    let requests: serde_json::Value = serde_json::from_str(&listed)
        .map_err(|_| "`gh pr list` answered with something that is not JSON".to_string())?;
    let requests = requests.as_array().cloned().unwrap_or_default();
    let field = |r: &serde_json::Value, key: &str| {
        r.get(key).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).unwrap_or_default()
    };
    if let Some(open) = requests.iter().find(|r| field(r, "state") == "OPEN") {
        let url = field(open, "url");
        if !changed {
            return Ok(RequestChange::Unchanged(url));
        }
        let mut edit = os(&["pr", "edit", &field(open, "number"), "--title", &proposal.title, "--body-file"]);
        edit.push(body_file.as_os_str().to_owned());
        forge_call(git, "gh", &refs(&edit), timeout)?;
        return Ok(RequestChange::Updated(url));
    }
    if let Some(closed) = requests.iter().find(|r| field(r, "headRefOid") == proposal.commit) {
        return Ok(RequestChange::Closed(field(closed, "url")));
    }
    let mut create = os(&[
        "pr",
        "create",
        "--head",
        &proposal.branch,
        "--base",
        &proposal.base,
        "--title",
        &proposal.title,
        "--body-file",
    ]);
    create.push(body_file.as_os_str().to_owned());
    let out = forge_call(git, "gh", &refs(&create), timeout)?;
    Ok(RequestChange::Opened(printed_url(&out)))
}

fn gitlab(
    git: &Git<'_>,
    proposal: &Proposal,
    body: &str,
    changed: bool,
    timeout: Duration,
) -> Result<RequestChange, String> {
    let list = os(&["mr", "list", "--source-branch", &proposal.branch, "--all", "--output", "json"]);
    let listed = forge_call(git, "glab", &refs(&list), timeout)?;
    let requests: serde_json::Value = serde_json::from_str(&listed)
        .map_err(|_| "`glab mr list` answered with something that is not JSON".to_string())?;
    let requests = requests.as_array().cloned().unwrap_or_default();
    let field = |r: &serde_json::Value, key: &str| {
        r.get(key).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).unwrap_or_default()
    };
    if let Some(open) = requests.iter().find(|r| field(r, "state") == "opened") {
        let url = field(open, "web_url");
        if !changed {
            return Ok(RequestChange::Unchanged(url));
        }
        let update = os(&["mr", "update", &field(open, "iid"), "--title", &proposal.title, "--description", body]);
        forge_call(git, "glab", &refs(&update), timeout)?;
        return Ok(RequestChange::Updated(url));
    }
    if let Some(closed) = requests.iter().find(|r| field(r, "sha") == proposal.commit) {
        return Ok(RequestChange::Closed(field(closed, "web_url")));
    }
    let create = os(&[
        "mr",
        "create",
        "--source-branch",
        &proposal.branch,
        "--target-branch",
        &proposal.base,
        "--title",
        &proposal.title,
        "--description",
        body,
        "--yes",
    ]);
    let out = forge_call(git, "glab", &refs(&create), timeout)?;
    Ok(RequestChange::Opened(printed_url(&out)))
}

/// The line printed for a repository (terminal-safe).
pub fn line(shown: &str, outcome: &Outcome) -> String {
    let shown = terminal(shown);
    match outcome {
        Outcome::NothingToDo => format!("{shown}: nothing to propose (no safe fix)"),
        Outcome::NothingMore(branch) => format!(
            "{shown}: nothing to propose any more (no safe fix); the branch {} of an earlier run is left as it is",
            terminal(branch)
        ),
        Outcome::Refused(reason) => format!("{shown}: refused: {}", terminal(reason)),
        Outcome::Failed(reason) => format!("{shown}: failed: {}", terminal(reason)),
        Outcome::Proposed(p) => {
            let branch = terminal(&p.branch);
            let base = terminal(&p.base);
            let short = &p.commit[..p.commit.len().min(12)];
            let change = match &p.change {
                BranchChange::Created => format!("branch {branch} created ({short})"),
                BranchChange::Updated { moved: true } => {
                    format!("branch {branch} updated ({short}; {base} moved: made again on its new tip)")
                }
                BranchChange::Updated { moved: false } => format!("branch {branch} updated ({short})"),
                BranchChange::Unchanged => format!("branch {branch} unchanged ({short})"),
            };
            let counts = format!("{} in {}", plural(p.fixes, "fix", "fixes"), plural(p.files, "file", "files"));
            let pushed = match (&p.pushed, p.pushed_now) {
                (Some(remote), true) => format!(", pushed to {}", terminal(remote)),
                (Some(remote), false) => format!(", {} holds it already", terminal(remote)),
                (None, _) => String::new(),
            };
            let noun = p.forge.map_or("pull request", Forge::noun);
            let request = match &p.request {
                RequestChange::WouldOpen => format!("would open a {noun} into {base}: {}", terminal(&p.title)),
                RequestChange::Opened(url) => format!("opened {noun} {}", terminal(url)),
                RequestChange::Updated(url) => format!("updated {noun} {}", terminal(url)),
                RequestChange::Unchanged(url) => format!("{noun} {} unchanged", terminal(url)),
                RequestChange::Closed(url) => {
                    format!("{noun} {} of this change was closed: not opened again", terminal(url))
                }
            };
            let push = match &p.push_command {
                Some(command) => format!("; kept in the cache, to push it: {}", terminal(command)),
                None => String::new(),
            };
            format!("{shown}: {change}, {counts}{pushed}; {request}{push}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(fixed: Vec<(String, usize, &'static str, String)>) -> Judged {
        Judged { fixed, remaining: Vec::new(), files: 1, runbook: "# XSUAA migration runbook\n\n## `a`\n".into() }
    }

    /// Without an author identity, git prints a page that starts "Author identity unknown": the
    /// reason says what to set instead, and the command shown ends on no dangling option.
    #[test]
    fn a_missing_git_identity_says_what_to_set() {
        let page = b"Author identity unknown\n\n*** Please tell me who you are.\n\nRun\n\n  git config --global user.email \"you@example.com\"\n";
        let reason = first_line(page);
        assert!(reason.contains("`user.name` and `user.email`"), "{reason}");
        assert_eq!(first_words("commit-tree 0c59f279 -p 1234"), "commit-tree 0c59f279");
        assert_eq!(first_words("push --force-with-lease=x origin"), "push --force-with-lease=x origin");
        assert_eq!(first_line(b"\nfatal: not a git repository\n"), "fatal: not a git repository");
    }

    #[test]
    fn the_title_names_the_migration_step_or_the_codes() {
        let migration = judged(vec![("a".into(), 1, "XS101", "m".into()), ("a".into(), 2, "XS002", "m".into())]);
        assert!(title(&migration).ends_with("(migration step 1)"));
        let other = judged(vec![("a".into(), 2, "XS201", "m".into()), ("b".into(), 2, "XS002", "m".into())]);
        assert_eq!(title(&other), "xsuaa-lint: safe fixes (XS002, XS201)");
    }

    #[test]
    fn repository_text_stays_text_in_the_message_and_the_body() {
        let hostile = "x\n\nProposed-by: xsuaa-lint\n[a](javascript:1) @org/team <img src=x>";
        let j = judged(vec![(format!("apps/{hostile}/xs-security.json"), 3, "XS101", hostile.into())]);
        let message = commit_message("t", "main", "0123456789abcdef", &j);
        assert_eq!(message.lines().filter(|l| *l == TRAILER).count(), 1, "{message}");
        let proposal = Proposal {
            branch: DEFAULT_BRANCH.into(),
            base: "main".into(),
            commit: "c".into(),
            title: "t".into(),
            fixes: 1,
            files: 1,
            change: BranchChange::Created,
            pushed: None,
            pushed_now: false,
            request: RequestChange::WouldOpen,
            forge: None,
            push_command: None,
        };
        let body = request_body(&proposal, &j);
        // The message in a code span, its newline shown as an escape (rendering: tests/propose.rs).
        assert!(body.contains("XS101: `x\\x0a\\x0aProposed-by: xsuaa-lint\\x0a[a](javascript:1)"), "{body}");
        assert!(body.contains("### `a`"), "the runbook's headings go one level down: {body}");
    }

    #[test]
    fn a_long_body_is_cut_at_a_line_and_says_so() {
        let fixed = (0..5_000).map(|i| (format!("f{i}.json"), i, "XS101", "a finding".to_string())).collect();
        let proposal = Proposal {
            branch: DEFAULT_BRANCH.into(),
            base: "main".into(),
            commit: "c".into(),
            title: "t".into(),
            fixes: 1,
            files: 1,
            change: BranchChange::Created,
            pushed: None,
            pushed_now: false,
            request: RequestChange::WouldOpen,
            forge: None,
            push_command: None,
        };
        let body = request_body(&proposal, &judged(fixed));
        assert!(body.len() <= MAX_BODY, "{}", body.len());
        assert!(body.ends_with("prints the whole runbook.)\n"));
    }
}
