//! Remote repositories for `audit`: what counts as a remote, a URL fit to print, and fetching
//! only what the walk would read into a cache folder, with the system `git` (so the user's own
//! credential helpers apply).
//!
//! Per remote: a shallow, blob-less, single-branch clone without checkout (a later run fetches
//! the new commit into the same clone instead), the tree listed with `git ls-tree`, then one
//! `git fetch` of exactly the blobs of the paths the walk would take (found by name, as the walk
//! classifies them, with the ignore, configuration and `CODEOWNERS` files), and a second one for
//! the JSON files those name, if any. The blobs are written into the clone's folder by this
//! code, not by a checkout: no filter, hook or attribute of the repository ever runs, no symbolic
//! link is made, and no path leaves the folder.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether a command-line argument names a git remote rather than a folder: a URL of a scheme
/// git fetches from (`https://`, `http://`, `ssh://`, `git://`, `file://`, `git+ssh://`) or the
/// scp-like `user@host:path`. A folder that exists under such a name is still a folder.
pub fn is_remote(arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    if ["https://", "http://", "ssh://", "git://", "file://", "git+ssh://", "ssh+git://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
    {
        return true;
    }
    // `git@github.com:org/repo.git`: a user, a host and a colon before any slash.
    match (arg.find('@'), arg.find(':'), arg.find('/')) {
        (Some(at), Some(colon), slash) => {
            at > 0 && colon > at + 1 && slash.is_none_or(|s| colon < s) && !Path::new(arg).exists()
        }
        _ => false,
    }
}

/// The remotes a list names, one a line (blank lines and `#` comments aside); a line that is
/// not a remote is an error naming it.
pub fn listed(text: &str) -> Result<Vec<String>, String> {
    let mut remotes = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !is_remote(line) {
            // Not a URL, so nothing says where its credentials end: shown from its last `@` on.
            let shown = match line.rsplit_once('@') {
                Some((_, rest)) => format!("...@{rest}"),
                None => line.to_string(),
            };
            return Err(format!(
                "line {}: `{}` is not a git remote (https://, ssh://, git://, file:// or user@host:path)",
                n + 1,
                crate::text::escape::terminal(&shown)
            ));
        }
        remotes.push(line.to_string());
    }
    Ok(remotes)
}

/// Query parameters whose value is a credential: named so, or containing such a word.
fn secret_parameter(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["token", "secret", "password", "passwd", "pwd", "key", "sig", "auth", "credential", "session", "code"]
        .iter()
        .any(|word| key.contains(word))
}

fn without_secret_parameters(query: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| !secret_parameter(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    Some(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
}

/// A remote URL fit to print: no user name or password (in any scheme, any case, a token can
/// be either) and no query parameter that looks like a credential (`token`, `access_token`,
/// `private_token`, `key`, `secret`, `password`, `sig`, ...). URLs are read by the `url` crate;
/// git's scp-like `user@host:path` by `gix`; anything else is shown from its last `@` on.
pub fn without_secrets(remote: &str) -> String {
    if let Ok(mut url) = url::Url::parse(remote) {
        if url.has_host() || url.scheme() == "file" {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            if let Some(query) = url.query().map(str::to_string) {
                url.set_query(without_secret_parameters(&query).as_deref());
            }
            return url.to_string();
        }
    }
    match gix::url::parse(gix::bstr::BStr::new(remote)) {
        // An scp-like `user@host:path`, or a local path.
        Ok(mut parsed) if parsed.scheme != gix::url::Scheme::Http && parsed.scheme != gix::url::Scheme::Https => {
            parsed.set_user(None);
            parsed.set_password(None);
            let text = parsed.to_bstring().to_string();
            match text.split_once('?') {
                Some((path, query)) => match without_secret_parameters(query) {
                    Some(query) => format!("{path}?{query}"),
                    None => path.to_string(),
                },
                None => text,
            }
        }
        _ => remote.rsplit('@').next().unwrap_or_default().to_string(),
    }
}

/// The user name and password of a URL as written in it (`user:password`, or a token alone),
/// when it has any.
fn userinfo(remote: &str) -> Option<&str> {
    let (_, rest) = remote.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (info, _) = authority.rsplit_once('@')?;
    (!info.is_empty()).then_some(info)
}

/// A message of git's fit to print: the remote as given replaced by its printable form, and
/// every other URL in it too (git shows a URL with its query, and sometimes with `/` added);
/// the remote's user name and password wherever else git quotes them (`unable to look up
/// user:token@host`).
pub fn redact_text(text: &str, remote: &str) -> String {
    let mut text = if remote.is_empty() { text.to_string() } else { text.replace(remote, &without_secrets(remote)) };
    if let Some(info) = userinfo(remote) {
        text = text.replace(&format!("{info}@"), "");
        if let Some((_, password)) = info.split_once(':').filter(|(_, p)| !p.is_empty()) {
            text = text.replace(password, "***");
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("://") {
        // The URL starts at its scheme's letters and ends at a space or a quote.
        let start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let end = rest[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '<' | '>' | '`'))
            .map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..start]);
        let url = &rest[start..end];
        let shown = without_secrets(url);
        // A URL that does not parse is cut at its last `@` by `without_secrets`: keep its scheme.
        if shown.contains("://") || !url.contains('@') {
            out.push_str(&shown);
        } else {
            out.push_str(&url[..at - start + 3]);
            out.push_str(&shown);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The folder of a remote (and ref) in the cache: its last path segment, readable, and a hash of
/// its printable URL and ref, so that a token in the URL never changes (nor names) the folder.
pub fn cache_key(shown: &str, git_ref: Option<&str>) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{shown}\n{}", git_ref.unwrap_or("")).as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let name: String = shown
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or_default()
        .trim_end_matches(".git")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(40)
        .collect();
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        hex
    } else {
        format!("{name}-{hex}")
    }
}

/// The default cache folder: `$XDG_CACHE_HOME/xsuaa-lint/remotes`, else
/// `$HOME/.cache/xsuaa-lint/remotes`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| Path::new(v).is_absolute())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("xsuaa-lint").join("remotes"))
}

pub struct FetchOptions {
    /// The cache folder; each remote gets a folder in it.
    pub cache_dir: PathBuf,
    /// A branch or tag to fetch instead of the default branch.
    pub git_ref: Option<String>,
    /// When this remote must be done (its timeout, or the audit's deadline if sooner).
    pub deadline: Instant,
}

/// A remote fetched into the cache.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The folder the audit walks: the clone, holding the fetched files and `.git`.
    pub folder: PathBuf,
    pub commit: String,
    /// Files written into the folder.
    pub files: usize,
    /// Whether an earlier run's clone was updated (no new clone).
    pub updated: bool,
    /// `git fetch` requests made for blobs (0 when every blob was already there).
    pub blob_requests: usize,
    /// Whether the fetched commit was the one the folder already held, its files left as they were.
    pub unchanged: bool,
    /// The folder's lock, let go once fetched: [`CacheLock::share`] holds it while it is read.
    pub lock: std::sync::Arc<CacheLock>,
}

/// A remote's folder in the cache held by this process (an advisory `flock` on a file beside
/// it): exclusively while it is fetched into, then, once every remote is fetched, shared while
/// the audit reads it, so that two runs sharing one cache never write into a folder the other
/// reads or writes. No run waits for a lock while it holds one being fetched into, so two runs
/// cannot wait for each other. Released when dropped, or when the process ends. (Not locked
/// where there is no `flock`.)
#[derive(Debug)]
pub struct CacheLock {
    #[cfg_attr(not(unix), allow(dead_code))]
    file: std::fs::File,
}

impl CacheLock {
    /// The folder's lock taken exclusively, waiting until `deadline` for another run to let go.
    fn exclusive(path: &Path, deadline: Instant) -> Result<CacheLock, GitFailure> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| GitFailure::NotStarted(format!("cannot open the cache's lock {}: {e}", path.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            loop {
                // SAFETY: `flock` on a descriptor this function owns; no memory involved.
                if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                    break;
                }
                let error = std::io::Error::last_os_error();
                if error.raw_os_error() != Some(libc::EWOULDBLOCK) && error.kind() != std::io::ErrorKind::Interrupted {
                    return Err(GitFailure::NotStarted(format!("cannot lock {}: {error}", path.display())));
                }
                if Instant::now() >= deadline {
                    return Err(GitFailure::TimedOut);
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        Ok(CacheLock { file })
    }

    /// Let go: the fetch is done.
    fn release(&self) {
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: as above.
            unsafe {
                libc::flock(self.file.as_raw_fd(), libc::LOCK_UN);
            }
        }
    }

    /// Held shared from now on (for reading), waiting until `deadline` at most for a run that
    /// fetches into the folder; false when that did not end in time (read all the same).
    pub fn share(&self, deadline: Instant) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: as above.
            while unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } != 0 {
                if Instant::now() >= deadline {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        #[cfg(not(unix))]
        let _ = deadline;
        true
    }
}

/// `GIT_SSH_COMMAND` for git's ssh: never a prompt (`BatchMode`: no password, passphrase or
/// host-key question; a remote that would ask fails). None when the user chose the ssh command
/// (`GIT_SSH_COMMAND`, `GIT_SSH` or `core.sshCommand`): theirs is used as it is.
pub fn batch_ssh_command() -> Option<&'static str> {
    static USER_CHOSE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let chose = *USER_CHOSE.get_or_init(|| {
        if std::env::var_os("GIT_SSH_COMMAND").is_some() || std::env::var_os("GIT_SSH").is_some() {
            return true;
        }
        // The user's and the system's settings (and `GIT_CONFIG_*`), outside any repository.
        let mut command = Command::new("git");
        for name in REPOSITORY_ENV {
            command.env_remove(name);
        }
        command
            .args(["config", "--get", "core.sshCommand"])
            .current_dir(std::env::temp_dir())
            .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty())
    });
    (!chose).then_some("ssh -o BatchMode=yes")
}

/// Why a remote could not be fetched: a short kind and git's last words (redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError(pub String);

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Settings given to every git command: the repository's content never runs anything (no hook,
/// no file-system monitor), nothing runs in the background, and no submodule is fetched.
const SAFE_CONFIG: &[&str] = &[
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "gc.auto=0",
    "maintenance.auto=false",
    "fetch.recurseSubmodules=false",
    "submodule.recurse=false",
    "fetch.writeCommitGraph=false",
    "advice.detachedHead=false",
];

/// Environment that would point git at another repository (set when run from a git hook).
const REPOSITORY_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
];

/// The most of git's error output kept for a message.
const MAX_STDERR: usize = 16 * 1024;

/// What a run of git gave back when it did not succeed.
enum GitFailure {
    TimedOut,
    Failed(String),
    NotStarted(String),
}

/// Runs `git ARGS` in `dir` (when given) with the safe settings, standard input from `stdin`
/// (else nothing), standard output into `stdout` (else discarded), in a process group of its
/// own that is killed whole at `deadline`.
fn git(
    dir: Option<&Path>,
    args: &[OsString],
    stdin: Option<&Path>,
    stdout: Option<&Path>,
    deadline: Instant,
) -> Result<(), GitFailure> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.arg("-C").arg(dir);
    }
    for setting in SAFE_CONFIG {
        command.arg("-c").arg(setting);
    }
    command.args(args);
    for name in REPOSITORY_ENV {
        command.env_remove(name);
    }
    if let Some(ssh) = batch_ssh_command() {
        command.env("GIT_SSH_COMMAND", ssh);
    }
    command
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_PAGER", "cat")
        .env("PAGER", "cat")
        // Git 2.45 and later: a missing object is an error, never a request of its own.
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("LC_ALL", "C");
    let open = |file: Option<&Path>, write: bool| -> Result<Stdio, GitFailure> {
        match file {
            None => Ok(Stdio::null()),
            Some(path) => {
                let file = if write { std::fs::File::create(path) } else { std::fs::File::open(path) };
                file.map(Stdio::from).map_err(|e| GitFailure::NotStarted(format!("{}: {e}", path.display())))
            }
        }
    };
    command.stdin(open(stdin, false)?).stdout(open(stdout, true)?).stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| {
        GitFailure::NotStarted(if e.kind() == std::io::ErrorKind::NotFound {
            "git is not installed (no `git` on PATH)".to_string()
        } else {
            format!("cannot run git: {e}")
        })
    })?;
    // Read on a thread of its own: a full pipe would stop git.
    let stderr = child.stderr.take().map(|pipe| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buffer = [0u8; 4096];
            let mut pipe = pipe;
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                kept.extend_from_slice(&buffer[..n]);
                if kept.len() > MAX_STDERR {
                    kept.drain(..kept.len() - MAX_STDERR);
                }
            }
            String::from_utf8_lossy(&kept).into_owned()
        })
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    if status.is_none() {
        kill_group(&mut child);
    }
    let message = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    match status {
        Some(status) if status.success() => Ok(()),
        Some(_) => Err(GitFailure::Failed(message)),
        None => Err(GitFailure::TimedOut),
    }
}

/// Ends git and everything it started (ssh, a credential helper, `git-remote-https`).
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: signalling the process group this code created for the child; no memory involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// What went wrong, in a word or two, from git's error output.
fn kind_of(message: &str) -> &'static str {
    let lower = message.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["remote branch", "couldn't find remote ref", "not our ref", "invalid refspec"]) {
        "ref not found"
    } else if has(&["not exported"]) {
        // git daemon's word for a repository it does not serve, there or not.
        "not found"
    } else if has(&[
        "authentication failed",
        "could not read username",
        "could not read password",
        "permission denied",
        "403",
        "401",
        "terminal prompts disabled",
    ]) {
        "access refused"
    } else if has(&["not found", "does not appear to be a git repository", "does not exist", "no such"]) {
        "not found"
    } else if has(&[
        "could not resolve",
        "connection refused",
        "unable to connect",
        "unable to access",
        "network is unreachable",
        "timed out",
        "connection reset",
    ]) {
        "network"
    } else if has(&["filter", "uploadpack.allowfilter"]) {
        "the server does not filter blobs"
    } else {
        "git failed"
    }
}

/// The failure as a reason for the report, without any credential of `remote`.
fn reason(failure: GitFailure, remote: &str, what: &str, timeout: Duration) -> FetchError {
    match failure {
        GitFailure::TimedOut => FetchError(format!(
            "timed out after {} s while {what} (--remote-timeout, --deadline)",
            timeout.as_secs_f64().ceil()
        )),
        GitFailure::NotStarted(e) => FetchError(e),
        GitFailure::Failed(message) => {
            let last = message
                .lines()
                .map(str::trim)
                .rev()
                .find(|l| !l.is_empty() && !l.starts_with("hint:"))
                .unwrap_or("no message")
                .to_string();
            let last = crate::text::escape::terminal(&redact_text(&last, remote)).into_owned();
            FetchError(format!("{} while {what}: {last}", kind_of(&message)))
        }
    }
}

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

/// Fetches what the audit of `remote` needs into the cache and returns its folder.
pub fn fetch(remote: &str, options: &FetchOptions) -> Result<Fetched, FetchError> {
    let started = Instant::now();
    let timeout = options.deadline.saturating_duration_since(started);
    let shown = without_secrets(remote);
    let fail = |failure, what: &str| reason(failure, remote, what, timeout);
    std::fs::create_dir_all(&options.cache_dir)
        .map_err(|e| FetchError(format!("cannot make the cache folder {}: {e}", options.cache_dir.display())))?;
    let key = cache_key(&shown, options.git_ref.as_deref());
    let lock = CacheLock::exclusive(&options.cache_dir.join(format!("{key}.lock")), options.deadline)
        .map_err(|f| fail(f, "waiting for another run that fetches into the same cache folder"))?;
    let folder = options.cache_dir.join(&key);
    let updated = folder.join(".git").join("HEAD").is_file();
    let marker = folder.join(".git").join("xsuaa-lint-fetched");
    if updated {
        // The URL as given this time: its credentials may have changed since the clone.
        git(Some(&folder), &args(&["remote", "set-url", "origin", remote]), None, None, options.deadline)
            .map_err(|f| fail(f, "setting the remote's URL"))?;
        // The new commit of the same branch or tag, into the same clone.
        let mut fetch = args(&["fetch", "--quiet", "--depth", "1", "--filter=blob:none", "--no-tags", "origin"]);
        if let Some(r) = &options.git_ref {
            fetch.push(r.into());
        }
        git(Some(&folder), &fetch, None, None, options.deadline).map_err(|f| fail(f, "fetching the new commit"))?;
        let head = folder.join(".git").join("xsuaa-lint-head");
        git(
            Some(&folder),
            &args(&["rev-parse", "--verify", "FETCH_HEAD^{commit}"]),
            None,
            Some(&head),
            options.deadline,
        )
        .map_err(|f| fail(f, "reading the fetched commit"))?;
        let commit = std::fs::read_to_string(&head).unwrap_or_default().trim().to_string();
        // The commit this folder's files were written from, by this version: nothing to list or write.
        if let Some(files) = done_at(&marker, &commit) {
            lock.release();
            let lock = std::sync::Arc::new(lock);
            return Ok(Fetched { folder, commit, files, updated, blob_requests: 0, unchanged: true, lock });
        }
        git(Some(&folder), &args(&["update-ref", "HEAD", &commit]), None, None, options.deadline)
            .map_err(|f| fail(f, "moving to the fetched commit"))?;
    } else {
        // Cloned beside, then renamed: a clone cut short is never taken for a cache.
        let partial = options.cache_dir.join(format!("{}.partial", cache_key(&shown, options.git_ref.as_deref())));
        let _ = std::fs::remove_dir_all(&partial);
        let mut clone = args(&[
            "clone",
            "--quiet",
            "--depth",
            "1",
            "--filter=blob:none",
            "--no-checkout",
            "--single-branch",
            "--no-tags",
            // No template: no sample hooks (70 KB a clone), nothing of the user's template.
            "--template=",
        ]);
        if let Some(r) = &options.git_ref {
            clone.push("--branch".into());
            clone.push(r.into());
        }
        clone.push("--".into());
        clone.push(remote.into());
        clone.push(partial.clone().into());
        let cloned = git(None, &clone, None, None, options.deadline);
        if let Err(f) = cloned {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(fail(f, "cloning"));
        }
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::rename(&partial, &folder)
            .map_err(|e| FetchError(format!("cannot move the clone into {}: {e}", folder.display())))?;
    }
    let scratch = folder.join(".git").join("xsuaa-lint");
    std::fs::create_dir_all(&scratch).map_err(|e| FetchError(format!("{}: {e}", scratch.display())))?;
    let head = scratch.join("head");
    git(Some(&folder), &args(&["rev-parse", "--verify", "HEAD^{commit}"]), None, Some(&head), options.deadline)
        .map_err(|_| FetchError("empty: the remote has no commit on this branch".into()))?;
    let commit = std::fs::read_to_string(&head).unwrap_or_default().trim().to_string();
    let listing = scratch.join("tree");
    git(Some(&folder), &args(&["ls-tree", "-r", "-z", "--full-tree", "HEAD"]), None, Some(&listing), options.deadline)
        .map_err(|f| fail(f, "listing the tree"))?;
    let tree = Tree::read(&listing).map_err(|e| FetchError(format!("cannot read the tree listing: {e}")))?;
    // Gone before the files are: a run cut short leaves no claim that they are whole.
    let _ = std::fs::remove_file(&marker);
    clear_work_tree(&folder).map_err(|e| FetchError(format!("cannot empty {}: {e}", folder.display())))?;

    let mut blob_requests = 0;
    let wanted: Vec<&Entry> = tree.entries.iter().filter(|e| e.walked).collect();
    blob_requests += fetch_missing(&folder, &scratch, &wanted, options.deadline)
        .map_err(|f| fail(f, "fetching the files to check"))?;
    let mut files = write_blobs(&folder, &scratch, &wanted, options.deadline).map_err(|f| fail(f, "reading blobs"))?;
    // The JSON files the written ones name (a `-c params.json`, a Terraform `file(...)`).
    let named = named_words(&folder, &wanted);
    let side: Vec<&Entry> =
        tree.entries.iter().filter(|e| !e.walked && e.side_candidate && named.contains(e.name())).collect();
    if !side.is_empty() {
        blob_requests += fetch_missing(&folder, &scratch, &side, options.deadline)
            .map_err(|f| fail(f, "fetching the files the deployment files name"))?;
        files += write_blobs(&folder, &scratch, &side, options.deadline).map_err(|f| fail(f, "reading blobs"))?;
    }
    let _ = std::fs::write(&marker, format!("{}\n{commit}\n{files}\n", env!("CARGO_PKG_VERSION")));
    lock.release();
    let lock = std::sync::Arc::new(lock);
    Ok(Fetched { folder, commit, files, updated, blob_requests, unchanged: false, lock })
}

/// The number of files written when the folder already holds `commit`'s files, written by this
/// version (another version may choose other files); else None.
fn done_at(marker: &Path, commit: &str) -> Option<usize> {
    let text = std::fs::read_to_string(marker).ok()?;
    let mut lines = text.lines();
    let (version, at, files) = (lines.next()?, lines.next()?, lines.next()?);
    (version == env!("CARGO_PKG_VERSION") && at == commit && !commit.is_empty()).then(|| files.parse().ok())?
}

/// A blob of the tree and what the walk would make of its path.
struct Entry {
    path: String,
    oid: String,
    /// The walk would read it (by its name), or it is an ignore, configuration or owners file.
    walked: bool,
    /// A JSON or template file a deployment file may name.
    side_candidate: bool,
}

impl Entry {
    fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

struct Tree {
    entries: Vec<Entry>,
}

/// Files the walk reads besides those it checks: ignore files, the configuration, owners.
fn read_besides(path: &str, name: &str) -> bool {
    matches!(name, ".gitignore" | ".ignore")
        || crate::io::config::FILE_NAMES.contains(&name)
        || matches!(path, ".github/CODEOWNERS" | "CODEOWNERS" | "docs/CODEOWNERS")
}

/// A path that cannot be written inside the folder as it is: empty parts, `.`, `..`, `.git`.
fn unsafe_path(path: &str) -> bool {
    path.split('/').any(|part| part.is_empty() || part == "." || part == ".." || part.eq_ignore_ascii_case(".git"))
        || path.contains('\0')
        || path.contains('\\')
}

/// Whether the walk goes into every folder of `path` and takes its file by name.
fn walk_takes(path: &str) -> bool {
    use crate::io::discover;
    let mut parts: Vec<&str> = path.split('/').collect();
    let Some(name) = parts.pop() else { return false };
    let folders_walked = parts.iter().all(|folder| {
        !discover::always_skipped(folder) && (!folder.starts_with('.') || discover::hidden_but_walked(folder))
    });
    if !folders_walked {
        return false;
    }
    if read_besides(path, name) {
        return true;
    }
    let hidden_walked = discover::hidden_but_walked(name) || crate::syntax::dotenv::is_dotenv_name(name);
    if name.starts_with('.') && !hidden_walked {
        return false;
    }
    discover::classify_path(Path::new(path), name).is_some()
}

impl Tree {
    /// The blobs of `git ls-tree -r -z` output (`MODE TYPE OID<TAB>PATH<NUL>`): regular files
    /// only (no link, no submodule), paths that stay inside the folder.
    fn read(listing: &Path) -> std::io::Result<Tree> {
        let mut reader = std::io::BufReader::new(std::fs::File::open(listing)?);
        let mut entries = Vec::new();
        let mut record = Vec::new();
        loop {
            record.clear();
            if reader.read_until(0, &mut record)? == 0 {
                break;
            }
            if record.last() == Some(&0) {
                record.pop();
            }
            let Ok(text) = std::str::from_utf8(&record) else { continue };
            let Some((meta, path)) = text.split_once('\t') else { continue };
            let mut fields = meta.split(' ');
            let (Some(mode), Some("blob"), Some(oid)) = (fields.next(), fields.next(), fields.next()) else { continue };
            if !matches!(mode, "100644" | "100755") || unsafe_path(path) {
                continue;
            }
            let walked = walk_takes(path);
            let lower = path.to_ascii_lowercase();
            let side_candidate = [".json", ".tftpl", ".tpl"].iter().any(|e| lower.ends_with(e))
                && !path.split('/').any(crate::io::discover::always_skipped);
            if walked || side_candidate {
                entries.push(Entry { path: path.to_string(), oid: oid.to_string(), walked, side_candidate });
            }
        }
        Ok(Tree { entries })
    }
}

/// Everything in the clone's folder but `.git`: the files of the last run go.
fn clear_work_tree(folder: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_name() == ".git" {
            continue;
        }
        // Not followed: a link is removed as a link.
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Fetches, in one request, the blobs of `entries` the clone does not hold yet; the number of
/// requests made (0 or 1).
fn fetch_missing(folder: &Path, scratch: &Path, entries: &[&Entry], deadline: Instant) -> Result<usize, GitFailure> {
    if entries.is_empty() {
        return Ok(0);
    }
    let objects = scratch.join("objects");
    git(
        Some(folder),
        &args(&["rev-list", "--objects", "--missing=print", "--no-object-names", "HEAD"]),
        None,
        Some(&objects),
        deadline,
    )?;
    let missing: HashSet<String> = std::fs::read(&objects)
        .map(|bytes| {
            String::from_utf8_lossy(&bytes).lines().filter_map(|l| l.strip_prefix('?')).map(str::to_string).collect()
        })
        .unwrap_or_default();
    let mut wanted: Vec<&str> = entries.iter().map(|e| e.oid.as_str()).filter(|oid| missing.contains(*oid)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(0);
    }
    let list = scratch.join("wanted");
    std::fs::write(&list, wanted.join("\n") + "\n").map_err(|e| GitFailure::NotStarted(e.to_string()))?;
    git(
        Some(folder),
        &args(&[
            "-c",
            "fetch.negotiationAlgorithm=noop",
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--recurse-submodules=no",
            "--filter=blob:none",
            "--stdin",
            "origin",
        ]),
        Some(&list),
        None,
        deadline,
    )?;
    Ok(1)
}

/// Writes the blobs of `entries` at their paths in the folder (read with one `git cat-file
/// --batch`); the number of files written.
fn write_blobs(folder: &Path, scratch: &Path, entries: &[&Entry], deadline: Instant) -> Result<usize, GitFailure> {
    if entries.is_empty() {
        return Ok(0);
    }
    let list = scratch.join("blobs");
    let oids: String = entries.iter().map(|e| format!("{}\n", e.oid)).collect();
    std::fs::write(&list, oids).map_err(|e| GitFailure::NotStarted(e.to_string()))?;
    let contents = scratch.join("contents");
    git(Some(folder), &args(&["cat-file", "--batch"]), Some(&list), Some(&contents), deadline)?;
    let mut reader =
        std::io::BufReader::new(std::fs::File::open(&contents).map_err(|e| GitFailure::NotStarted(e.to_string()))?);
    let mut written = 0;
    let mut header = String::new();
    for entry in entries {
        header.clear();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            break;
        }
        // `OID blob SIZE`, else `OID missing`.
        let size = header.split_whitespace().nth(2).and_then(|s| s.parse::<u64>().ok());
        let Some(size) = size else { continue };
        let mut blob = (&mut reader).take(size);
        if write_file(folder, &entry.path, &mut blob).is_ok() {
            written += 1;
        }
        // What was not copied, and the newline after the blob.
        let _ = std::io::copy(&mut blob, &mut std::io::sink());
        let _ = std::io::copy(&mut (&mut reader).take(1), &mut std::io::sink());
    }
    let _ = std::fs::remove_file(&contents);
    Ok(written)
}

/// A new file at `path` below `folder`, its folders made as plain folders; never through a link.
fn write_file(folder: &Path, path: &str, content: &mut dyn Read) -> std::io::Result<()> {
    let target = folder.join(path);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NOFOLLOW);
    let mut file = open.open(&target)?;
    std::io::copy(content, &mut file)?;
    file.flush()
}

/// The words of the written files that could name another file (split at anything a file
/// name does not hold: quotes, slashes, spaces, brackets), read at most 16 MiB each.
fn named_words(folder: &Path, entries: &[&Entry]) -> HashSet<String> {
    let mut words = HashSet::new();
    for entry in entries {
        if crate::io::discover::is_descriptor_name(entry.name()) {
            continue;
        }
        let Ok(bytes) =
            crate::io::load::read_file(&folder.join(&entry.path), Some(folder), crate::io::load::MAX_FILE_SIZE)
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for word in text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))) {
            if word.len() > 4 && word.contains('.') {
                words.insert(word.to_string());
            }
        }
    }
    words
}

/// Counts what a clone's object store holds: objects and bytes (loose and packed), as
/// `git count-objects -v` says.
pub fn object_counts(folder: &Path) -> Option<(u64, u64)> {
    let out = folder.join(".git").join("xsuaa-lint-count");
    git(Some(folder), &args(&["count-objects", "-v"]), None, Some(&out), Instant::now() + Duration::from_secs(60))
        .ok()?;
    let text = std::fs::read_to_string(&out).ok()?;
    let _ = std::fs::remove_file(&out);
    let field: HashMap<&str, u64> = text
        .lines()
        .filter_map(|l| l.split_once(": "))
        .filter_map(|(k, v)| Some((k, v.trim().parse().ok()?)))
        .collect();
    let objects = field.get("count")? + field.get("in-pack")?;
    let kib = field.get("size")? + field.get("size-pack")?;
    Some((objects, kib * 1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_are_told_from_folders() {
        for remote in [
            "https://github.com/a/b.git",
            "HTTP://host/x",
            "ssh://git@host:2222/a/b.git",
            "git://127.0.0.1:9418/r.git",
            "file:///srv/git/r.git",
            "git@github.com:org/repo.git",
        ] {
            assert!(is_remote(remote), "{remote}");
        }
        for folder in ["repos", "./a:b", "/srv/git/r.git", "C:/x", "a/b@c:d", "@host:x"] {
            assert!(!is_remote(folder), "{folder}");
        }
        let list = listed("# org\nhttps://h/a.git\n\n  git@h:b.git  \n").unwrap();
        assert_eq!(list, ["https://h/a.git", "git@h:b.git"]);
        let e = listed("https://h/a.git\nrepos/x\n").unwrap_err();
        assert!(e.starts_with("line 2: `repos/x` is not a git remote"), "{e}");
        let e = listed("https://u:tok@h/a.git\nhttp//u:tok@h/b\n").unwrap_err();
        assert!(!e.contains("tok"), "{e}");
    }

    #[test]
    fn git_messages_lose_their_credentials() {
        let remote = "https://me:ghp_secret@host/a.git";
        let said = "fatal: unable to access 'https://me:ghp_secret@host/a.git/': 403\nsee https://x:y@other/z\n\
                    fatal: repository 'http://h/gone.git?private_token=ghp_secret/' not found";
        let shown = redact_text(said, remote);
        assert!(!shown.contains("ghp_secret") && !shown.contains("x:y") && !shown.contains("me:"), "{shown}");
        assert!(shown.contains("'http://h/gone.git' not found"), "{shown}");
        assert!(shown.contains("https://host/a.git/") && shown.contains("https://other/z"), "{shown}");
        // Quoted without its scheme, as git's resolver error does.
        let remote = "git://me:s3cret@127.0.0.1:9/r.git";
        let said = "fatal: unable to look up me:s3cret@127.0.0.1:9 (port 9418) (Name or service not known)";
        let shown = redact_text(said, remote);
        assert_eq!(shown, "fatal: unable to look up 127.0.0.1:9 (port 9418) (Name or service not known)");
        assert_eq!(redact_text("unable to look up ghp_x@h", "git://ghp_x@h/r.git"), "unable to look up h");
    }

    #[test]
    fn cache_folders_are_named_without_credentials() {
        let key = cache_key(&without_secrets("https://u:tok@host/org/shop.git"), None);
        assert_eq!(key, cache_key("https://host/org/shop.git", None));
        assert!(key.starts_with("shop-") && !key.contains("tok"), "{key}");
        assert_ne!(key, cache_key("https://host/org/shop.git", Some("main")));
        assert!(!cache_key("file:///..", None).starts_with('.'));
    }

    #[test]
    fn the_walk_s_paths_are_chosen_by_name() {
        for path in [
            "xs-security.json",
            "srv/mta.yaml",
            ".github/workflows/deploy.yml",
            ".gitignore",
            "a/.xsuaa-lint.toml",
            "CODEOWNERS",
            ".env",
            "deploy.sh",
        ] {
            assert!(walk_takes(path), "{path}");
        }
        for path in ["README.md", "node_modules/x/mta.yaml", ".hidden/mta.yaml", "src/main.rs", ".eslintrc.json"] {
            assert!(!walk_takes(path), "{path}");
        }
        for path in ["../x", "a/../../x", ".git/config", "a/.GIT/hooks/x", "a//b", "/abs"] {
            assert!(unsafe_path(path), "{path}");
        }
    }
}
