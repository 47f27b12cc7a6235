//! The per-rule fixture cases of `fixtures/rules/`, shared by the harnesses that run them
//! (`tests/rules.rs`: the contract; `tests/deployments.rs`: `--fix` on deployment cases).
//!
//! A case is a folder `fixtures/rules/XSnnn/{err,ok}/CASE/`: a tiny repository. Besides its
//! files it may hold, none of which is copied into the repository the harness builds:
//!
//! - `expected.out`, `expected.details`: the expected output (see `tests/rules.rs`);
//! - `base/`: the files as they were at the base revision; the harness then builds a real git
//!   repository, commits `base/`, writes the case's files over it (uncommitted) and runs there;
//! - `setup.txt`: what files cannot hold, made by the harness (shell-like lines, read, not run):
//!   `ln -s TARGET LINK` and `mkfifo PATH` lines, `#` comments. Git cannot hold a FIFO, and
//!   `cargo package` cannot archive a dangling symbolic link, so neither is checked in.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const EXPECTED: &str = "expected.out";
pub const DETAILS: &str = "expected.details";
pub const BASE: &str = "base";
pub const SETUP: &str = "setup.txt";

/// Files of a case folder that are not part of the repository it describes.
fn is_harness_file(name: &str) -> bool {
    matches!(name, EXPECTED | DETAILS | BASE | SETUP)
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[derive(Debug, Clone)]
pub struct Case {
    /// The rule folder: `XS102`.
    pub rule: String,
    /// `true` under `err/`, `false` under `ok/`.
    pub flagged: bool,
    pub name: String,
    pub dir: PathBuf,
}

impl Case {
    /// `XS102/err/instance-secret-only`.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.rule, if self.flagged { "err" } else { "ok" }, self.name)
    }

    pub fn has_base(&self) -> bool {
        self.dir.join(BASE).is_dir()
    }

    /// A case holding a configuration file runs with it (XS900); every other case runs with
    /// `--isolated`.
    pub fn has_config(&self) -> bool {
        self.files().keys().any(|rel| is_config_name(rel))
    }

    /// The repository's files: relative path -> what is there.
    pub fn files(&self) -> BTreeMap<String, Entry> {
        let mut out = entries(&self.dir, true);
        if let Ok(text) = fs::read_to_string(self.dir.join(SETUP)) {
            let steps = setup(&text).unwrap_or_else(|e| panic!("{}/{SETUP}: {e}", self.dir.display()));
            out.extend(steps);
        }
        out
    }

    pub fn base_files(&self) -> BTreeMap<String, Entry> {
        if self.has_base() {
            entries(&self.dir.join(BASE), false)
        } else {
            BTreeMap::new()
        }
    }

    /// The repository in a temporary folder: with `base/`, a git repository whose `HEAD` holds
    /// the base files and whose work tree holds the case's files.
    pub fn materialize(&self) -> TempDir {
        self.materialize_with(self.has_base())
    }

    /// Like [`Case::materialize`]; `history: false` leaves out git and the base (to show what
    /// the history rules need).
    pub fn materialize_with(&self, history: bool) -> TempDir {
        let dir = tempfile::tempdir().unwrap();
        if history {
            git_init(dir.path());
            write_entries(dir.path(), &self.base_files());
            git(dir.path(), &["add", "-A"]);
            git(dir.path(), &["commit", "-q", "-m", "base"]);
        }
        write_entries(dir.path(), &self.files());
        dir
    }
}

pub fn is_config_name(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == "xsuaa-lint.toml" || name == ".xsuaa-lint.toml"
}

/// Every case, sorted by id.
pub fn cases() -> Vec<Case> {
    let root = fixtures().join("rules");
    let mut out = Vec::new();
    for rule in sorted_dirs(&root) {
        let code = rule.file_name().unwrap().to_string_lossy().into_owned();
        for (kind, flagged) in [("err", true), ("ok", false)] {
            for dir in sorted_dirs(&rule.join(kind)) {
                let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                out.push(Case { rule: code.clone(), flagged, name, dir });
            }
        }
    }
    out
}

/// The rule folders of `fixtures/rules/`, with what each holds: (code, err cases, ok cases).
pub fn rule_folders() -> Vec<(String, usize, usize)> {
    sorted_dirs(&fixtures().join("rules"))
        .into_iter()
        .map(|rule| {
            let code = rule.file_name().unwrap().to_string_lossy().into_owned();
            (code, sorted_dirs(&rule.join("err")).len(), sorted_dirs(&rule.join("ok")).len())
        })
        .collect()
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = fs::read_dir(dir) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = read.map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

/// What a path of a repository holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>),
    Symlink(PathBuf),
    Fifo,
}

/// The entries that `ln -s TARGET LINK` and `mkfifo PATH` lines make (blank lines and `#`
/// comments aside); anything else is an error.
pub fn setup(script: &str) -> Result<Vec<(String, Entry)>, String> {
    let mut out = Vec::new();
    for command in script.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()) {
        let words: Vec<&str> = command.split_whitespace().collect();
        out.push(match words.as_slice() {
            ["ln", "-s", target, link] => (link.to_string(), Entry::Symlink(target.into())),
            ["mkfifo", path] => (path.to_string(), Entry::Fifo),
            _ => return Err(format!("only `ln -s TARGET LINK` and `mkfifo PATH` are understood: {command}")),
        });
    }
    Ok(out)
}

/// Files and symbolic links below `dir` (without the harness's own files at the top level when
/// `case` is set).
pub fn entries(dir: &Path, case: bool) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            if case && d == dir && is_harness_file(&rel) {
                continue;
            }
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(rel, Entry::Symlink(fs::read_link(&path).unwrap()));
            } else if meta.is_dir() {
                if rel != ".git" {
                    stack.push(path);
                }
            } else if meta.is_file() {
                out.insert(rel, Entry::File(fs::read(&path).unwrap()));
            } else {
                out.insert(rel, Entry::Fifo);
            }
        }
    }
    out
}

/// Writes `entries` below `root`, replacing whatever is at each path.
pub fn write_entries(root: &Path, entries: &BTreeMap<String, Entry>) {
    for (rel, entry) in entries {
        write_entry(root, rel, entry);
    }
}

pub fn write_entry(root: &Path, rel: &str, entry: &Entry) {
    let to = root.join(rel);
    fs::create_dir_all(to.parent().unwrap()).unwrap();
    if fs::symlink_metadata(&to).is_ok() {
        fs::remove_file(&to).unwrap();
    }
    match entry {
        Entry::File(bytes) => fs::write(&to, bytes).unwrap(),
        Entry::Symlink(target) => symlink(target, &to),
        Entry::Fifo => {
            let status = std::process::Command::new("mkfifo").arg(&to).status().expect("mkfifo runs");
            assert!(status.success(), "mkfifo {}", to.display());
        }
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(not(unix))]
fn symlink(_target: &Path, link: &Path) {
    panic!("{}: symbolic links in fixtures need a unix system", link.display());
}

/// Runs git in `dir` with a clean configuration (no system or global files, no signing).
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_with(dir, args, &[])
}

/// [`git`] with extra environment variables (commit dates, say).
pub fn git_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .envs(env.iter().copied())
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn git_init(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
}

/// The result of one `xsuaa-lint` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `xsuaa-lint check [--isolated] ARGS .` in `dir`.
pub fn check(dir: &Path, isolated: bool, args: &[&str]) -> Run {
    let mut command = assert_cmd::Command::cargo_bin("xsuaa-lint").unwrap();
    command.current_dir(dir).arg("check");
    if isolated {
        command.arg("--isolated");
    }
    let out = command.args(args).arg(".").output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `xsuaa-lint check --output-format concise ARGS` in `dir`: (exit code, stdout, stderr).
pub fn check_concise(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--output-format", "concise"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The codes of concise output (`path:line:column: CODE message`), in order.
pub fn codes(concise: &str) -> Vec<String> {
    concise
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|c| c.starts_with("XS"))
        .map(String::from)
        .collect()
}

/// Runs `f` on every item on a few threads; results in the items' order.
pub fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> = items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let result = f(item);
                *results[i].lock().unwrap() = Some(result);
            });
        }
    });
    results.into_iter().map(|r| r.into_inner().unwrap().expect("every item ran")).collect()
}

pub fn updating() -> bool {
    std::env::var_os("UPDATE_FIXTURES").is_some()
}

/// A free port on loopback (a server asked to listen on it right after may race another).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits (at most 10 s) until a server listens on `port`.
pub fn wait_for(port: u16) {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "the server on port {port} did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Settings a test server's `upload-pack` runs with: partial clones allowed, no user config.
pub const SERVER_CONFIG: &[(&str, &str)] = &[
    ("GIT_CONFIG_COUNT", "1"),
    ("GIT_CONFIG_KEY_0", "uploadpack.allowFilter"),
    ("GIT_CONFIG_VALUE_0", "true"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
];

/// `git daemon` serving every repository under a folder on loopback, as a forge serves them:
/// blob filters and pushes allowed; its log counts the requests.
pub struct GitDaemon {
    child: std::process::Child,
    pub port: u16,
    pub log: PathBuf,
    _dir: TempDir,
}

impl GitDaemon {
    /// `None`, saying so for `test`, when this git has no `git daemon`.
    pub fn start(served: &Path, test: &str) -> Option<GitDaemon> {
        let exec_path = std::process::Command::new("git").arg("--exec-path").output().ok()?;
        if !PathBuf::from(String::from_utf8_lossy(&exec_path.stdout).trim()).join("git-daemon").exists() {
            eprintln!("skipped {test}: this git has no `git daemon` (Debian's git has it)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("daemon.log");
        let port = free_port();
        // In a process group of its own, killed whole when the test ends: a daemon left behind
        // would hold whatever its parent held open.
        let mut command = std::process::Command::new("git");
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .args(["daemon", "--export-all", "--reuseaddr", "--enable=receive-pack", "--verbose", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", served.display()))
            .arg(served)
            .envs(SERVER_CONFIG.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        wait_for(port);
        Some(GitDaemon { child, port, log, _dir: dir })
    }

    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}.git", self.port)
    }

    /// `upload-pack` requests served so far for `name`.
    pub fn requests(&self, name: &str) -> usize {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        log.lines().filter(|l| l.contains("Request upload-pack") && l.contains(&format!("/{name}.git"))).count()
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        // SAFETY: a signal to the process group made for the daemon.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
