//! Reading a file into a [`SourceFile`]: only regular files, bounded in size, valid UTF-8.
//! Bytes that are not UTF-8 are a syntax error of the format the file is read as: XS001 for a
//! descriptor (strict JSON), XS004 for a deployment file (YAML or HCL).

use crate::diagnostic::Diagnostic;
use crate::rules::{xs000_io_error, xs001_invalid_json, xs004_invalid_deployment_file, Rule};
use crate::text::source::Position;
use crate::text::source::{byte_position, SourceFile};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Larger files are not descriptors; reading them would only cost memory.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

#[derive(Debug)]
pub enum LoadError {
    /// The path could not be read (XS000).
    Io(Box<Diagnostic>),
    /// The bytes are not UTF-8 (XS001 for a descriptor, XS004 for a deployment file). `lossy`
    /// is the text with each invalid sequence replaced by U+FFFD, to judge whether the file
    /// matters at all.
    NotText { diagnostic: Box<Diagnostic>, lossy: String },
}

impl LoadError {
    pub fn into_diagnostic(self) -> Diagnostic {
        match self {
            LoadError::Io(d) | LoadError::NotText { diagnostic: d, .. } => *d,
        }
    }

    /// The text of a file that is not UTF-8, invalid sequences replaced by U+FFFD.
    pub fn lossy_text(&self) -> Option<&str> {
        match self {
            LoadError::NotText { lossy, .. } => Some(lossy),
            LoadError::Io(_) => None,
        }
    }
}

/// What a file is read as, which decides the rule that reports bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    /// A JSON descriptor or credentials file: XS001.
    Json,
    /// An MTA file or extension, a Kubernetes manifest or a Terraform file: XS004.
    Deployment,
}

impl ReadAs {
    fn rule(self) -> &'static Rule {
        match self {
            ReadAs::Json => &xs001_invalid_json::RULE,
            ReadAs::Deployment => &xs004_invalid_deployment_file::RULE,
        }
    }
}

fn io_error(message: String) -> LoadError {
    LoadError::Io(Box::new(Diagnostic::at(
        &xs000_io_error::RULE,
        Position { line: 1, column: 1, offset: 0 },
        Position { line: 1, column: 1, offset: 0 },
        message,
    )))
}

/// Ignore files (`.gitignore`, `.ignore`, `info/exclude`) and `CODEOWNERS`: a list of globs
/// that people write by hand; a larger one is not a real one.
pub const MAX_IGNORE_FILE_SIZE: u64 = 1024 * 1024;

/// Git metadata read by hand or checked before git opens a repository (`HEAD`, a `.git` file).
pub const MAX_GIT_METADATA_SIZE: u64 = 64 * 1024;

/// The refusal for a path whose canonical form leaves the tree it was read for.
pub const OUTSIDE: &str = "the path leads outside the repository through a symbolic link: refused";

/// Whether `path` stays inside `root` once every symbolic link is resolved: its canonical path,
/// or why not (the refusal says so; a path that cannot be resolved says why).
pub fn within(path: &Path, root: &Path) -> Result<PathBuf, String> {
    // Most paths a model asks for are not there (a `manifest.yml` beside each MTA): one failed
    // look instead of resolving every component.
    std::fs::symlink_metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let canonical = std::fs::canonicalize(path).map_err(|e| format!("cannot read the file: {e}"))?;
    // A root that cannot be resolved holds nothing.
    let root = canonical_root(root).ok_or_else(|| OUTSIDE.to_string())?;
    if canonical.starts_with(&root) {
        Ok(canonical)
    } else {
        Err(OUTSIDE.to_string())
    }
}

/// `root` resolved, remembered per thread for the last root asked: a run reads many files of
/// one repository, and resolving its root for each read cost a `readlink` per component.
fn canonical_root(root: &Path) -> Option<PathBuf> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(PathBuf, PathBuf)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        if let Some((asked, resolved)) = last.borrow().as_ref() {
            if asked == root {
                return Some(resolved.clone());
            }
        }
        let resolved = std::fs::canonicalize(root).ok()?;
        *last.borrow_mut() = Some((root.to_path_buf(), resolved.clone()));
        Some(resolved)
    })
}

/// The one way the run opens a file to read it. With `root`, the file's canonical path must stay
/// inside it (a committed symbolic link never leads the run out of the repository); the file
/// must be a regular file, which is checked on the opened handle (opened non-blocking, so a
/// FIFO never blocks the run); at most `max` bytes are read (a device or a file that keeps
/// growing cannot exhaust memory). The error says why, without the path.
pub fn read_file(path: &Path, root: Option<&Path>, max: u64) -> Result<Vec<u8>, String> {
    let (file, len) = open_within(path, root, max)?;
    read_opened(file, len, max)
}

/// [`read_file`] of a path already resolved inside its root ([`within`]): its last component
/// must not have become a link since.
fn read_resolved(canonical: &Path, max: u64) -> Result<Vec<u8>, String> {
    let (file, len) = open_checked(canonical, true, max)?;
    read_opened(file, len, max)
}

fn read_opened(file: std::fs::File, len: u64, max: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    Ok(bytes)
}

/// `path` opened (inside `root` when given), a regular file of at most `max` bytes, and its
/// length: what [`read_file`] reads and [`check_file`] checks.
fn open_within(path: &Path, root: Option<&Path>, max: u64) -> Result<(std::fs::File, u64), String> {
    match root {
        Some(root) => open_checked(&within(path, root)?, true, max),
        None => open_checked(path, false, max),
    }
}

fn open_checked(path: &Path, resolved: bool, max: u64) -> Result<(std::fs::File, u64), String> {
    let file = open_regular(path, resolved)?;
    let meta = file.metadata().map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(format!("cannot read the file: it is {what}"));
    }
    if meta.len() > max {
        return Err(too_large(max));
    }
    Ok((file, meta.len()))
}

fn too_large(max: u64) -> String {
    format!("the file is larger than {} not read", size_text(max))
}

fn size_text(max: u64) -> String {
    if max >= 1 << 20 {
        format!("{} MiB;", max >> 20)
    } else {
        format!("{} KiB;", max >> 10)
    }
}

/// Opens `path` for reading without blocking on a FIFO; `resolved`: a canonical path, whose last
/// component must not have become a link since it was resolved.
#[cfg(unix)]
fn open_regular(path: &Path, resolved: bool) -> Result<std::fs::File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = libc::O_NONBLOCK | if resolved { libc::O_NOFOLLOW } else { 0 };
    std::fs::OpenOptions::new().read(true).custom_flags(flags).open(path).map_err(|e| match e.raw_os_error() {
        Some(libc::ELOOP) if resolved => OUTSIDE.to_string(),
        _ => format!("cannot read the file: {e}"),
    })
}

/// Elsewhere a FIFO can block `open` itself: the type is checked first.
#[cfg(not(unix))]
fn open_regular(path: &Path, _resolved: bool) -> Result<std::fs::File, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(format!("cannot read the file: it is {what}"));
    }
    std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))
}

/// Reads a whole file the user named (a descriptor, a configuration, a baseline, a report),
/// following a symbolic link, through [`read_file`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    read_file(path, None, MAX_FILE_SIZE)
}

/// [`read_bytes`] with another bound (an audit report of a large estate exceeds 16 MiB).
pub fn read_bytes_at_most(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    read_file(path, None, max)
}

/// [`read_file`] as UTF-8 text, inside `root`, at most `max` bytes.
pub fn read_text_within(path: &Path, root: &Path, max: u64) -> Result<String, String> {
    String::from_utf8(read_file(path, Some(root), max)?)
        .map_err(|e| format!("the file is not valid UTF-8 (at byte offset {})", e.utf8_error().valid_up_to()))
}

/// [`read_bytes`] as UTF-8 text (a leading byte-order mark kept: see [`without_bom`]).
pub fn read_text(path: &Path) -> Result<String, String> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| format!("the file is not valid UTF-8 (at byte offset {})", e.utf8_error().valid_up_to()))
}

/// `text` without a leading UTF-8 byte-order mark, which JSON parsers refuse.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(crate::text::source::BOM).unwrap_or(text)
}

/// Reads a JSON file at `path` (see [`read_path_as`]).
pub fn read_path(path: &Path, display: &str) -> Result<SourceFile, LoadError> {
    read_path_as(path, display, ReadAs::Json)
}

/// Reads a file the user named, wherever a symbolic link leads (see [`read_path_within`]).
pub fn read_path_as(path: &Path, display: &str, read_as: ReadAs) -> Result<SourceFile, LoadError> {
    read_path_within(path, display, read_as, None)
}

/// Reads `path` through [`read_file`]: inside `root` when given (a file found in or named from a
/// repository), else wherever a symbolic link the user named leads.
pub fn read_path_within(
    path: &Path,
    display: &str,
    read_as: ReadAs,
    root: Option<&Path>,
) -> Result<SourceFile, LoadError> {
    let bytes = read_file(path, root, MAX_FILE_SIZE).map_err(io_error)?;
    from_bytes_as(display, bytes, read_as)
}

/// The text of a JSON file (see [`from_bytes_as`]).
pub fn from_bytes(display: &str, bytes: Vec<u8>) -> Result<SourceFile, LoadError> {
    from_bytes_as(display, bytes, ReadAs::Json)
}

/// The bytes as text; bytes that are not UTF-8 are a finding of `read_as`'s syntax rule at the
/// first invalid sequence.
pub fn from_bytes_as(display: &str, bytes: Vec<u8>, read_as: ReadAs) -> Result<SourceFile, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(display, text)),
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let diagnostic = match unicode_encoding(bytes) {
                // Saved by an editor (or PowerShell's `>`) in another Unicode encoding: name it.
                Some((encoding, bom)) => Diagnostic::at(
                    read_as.rule(),
                    byte_position(bytes, 0),
                    byte_position(bytes, bom.len()),
                    format!(
                        "the file is {encoding} (byte-order mark {}), not UTF-8: save it as UTF-8",
                        bom.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" ")
                    ),
                ),
                None => Diagnostic::at(
                    read_as.rule(),
                    byte_position(bytes, at),
                    byte_position(bytes, at + e.utf8_error().error_len().unwrap_or(bytes.len() - at)),
                    format!("the file is not valid UTF-8 (byte 0x{:02X} at offset {at})", bytes[at]),
                ),
            };
            Err(LoadError::NotText {
                diagnostic: Box::new(diagnostic),
                lossy: String::from_utf8_lossy(bytes).into_owned(),
            })
        }
    }
}

/// The Unicode encoding that a byte-order mark at the start of `bytes` announces, with the mark
/// (UTF-32 first: its little-endian mark begins with UTF-16's).
fn unicode_encoding(bytes: &[u8]) -> Option<(&'static str, &'static [u8])> {
    const MARKS: [(&str, &[u8]); 4] = [
        ("UTF-32 LE", &[0xFF, 0xFE, 0x00, 0x00]),
        ("UTF-32 BE", &[0x00, 0x00, 0xFE, 0xFF]),
        ("UTF-16 LE", &[0xFF, 0xFE]),
        ("UTF-16 BE", &[0xFE, 0xFF]),
    ];
    MARKS.into_iter().find(|(_, mark)| bytes.starts_with(mark))
}

pub fn read_stdin(display: &str) -> Result<SourceFile, LoadError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(format!("cannot read standard input: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(io_error(format!("standard input is larger than {} MiB", MAX_FILE_SIZE >> 20)));
    }
    from_bytes(display, bytes)
}

/// The folder that reads on behalf of `path` may not leave (see [`repository_root_in`]), when
/// the run names no folder.
pub fn repository_root(path: &Path) -> PathBuf {
    repository_root_in(path, &NamedFolders::default())
}

/// The folder that reads on behalf of `path` may not leave: the git work tree holding it, else
/// the widest folder named on the command line (`named`, see [`normalized`]) that holds it
/// (`check ../repo`, an audit's checkouts without `.git`), else the working folder when it
/// holds it, else the file's own folder.
pub fn repository_root_in(path: &Path, named: &NamedFolders) -> PathBuf {
    // Resolved lexically first: the ancestors of `../repo/x` are not the working folder's.
    let absolute = crate::model::deployment::normalize(path);
    folder_root(absolute.parent().unwrap_or(Path::new("")), named)
}

/// The folders named on the command line, as [`repository_root_in`] compares them.
#[derive(Debug, Default, Clone)]
pub struct NamedFolders {
    /// Sorted by their bytes: a folder's ancestors are looked up by binary search.
    sorted: Vec<PathBuf>,
}

impl NamedFolders {
    /// The widest of the named folders that is `folder` (absolute and normalised) or holds it.
    pub fn widest_holding(&self, folder: &Path) -> Option<&PathBuf> {
        // From the folder up: the last one named is the widest.
        folder.ancestors().filter_map(|dir| self.find(dir)).last()
    }

    /// `dir` if it is named: compared by its bytes, as both are normalised.
    fn find(&self, dir: &Path) -> Option<&PathBuf> {
        let wanted = dir.as_os_str().as_encoded_bytes();
        self.sorted
            .binary_search_by(|named| named.as_os_str().as_encoded_bytes().cmp(wanted))
            .ok()
            .map(|at| &self.sorted[at])
    }
}

/// The folders named on the command line as [`repository_root_in`] compares them: absolute,
/// normalised and sorted once for the run, not once per file (an audit names a batch of 64
/// repositories; normalising each for each file was a fifth of its instructions, then comparing
/// each file's folder with each of them component by component another 5%).
pub fn normalized(named: &[PathBuf]) -> NamedFolders {
    let mut sorted: Vec<PathBuf> = named.iter().map(|n| crate::model::deployment::normalize(n)).collect();
    sorted.sort_by(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()));
    sorted.dedup();
    NamedFolders { sorted }
}

/// [`repository_root_in`] of the files in `folder` (absolute and normalised).
pub fn folder_root(folder: &Path, named: &NamedFolders) -> PathBuf {
    // One buffer for the look-up of `.git` in each folder up to the root.
    let mut dot_git = PathBuf::new();
    let in_git = folder.ancestors().find(|dir| {
        dot_git.clear();
        dot_git.push(dir);
        dot_git.push(".git");
        dot_git.exists()
    });
    if let Some(root) = in_git {
        return root.to_path_buf();
    }
    if let Some(tree) = named.widest_holding(folder) {
        return tree.clone();
    }
    match std::env::current_dir() {
        Ok(cwd) if folder.starts_with(&cwd) => cwd,
        _ => folder.to_path_buf(),
    }
}

/// Whether the file at `path`, if there is one, may be handed to a reader that opens it
/// itself (the walker's ignore files, git's metadata): a regular file of at most `max` bytes,
/// inside `root` when given. Checked on a handle opened without blocking, never read.
pub fn check_file(path: &Path, root: Option<&Path>, max: u64) -> Result<(), String> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    open_within(path, root, max).map(|_| ())
}

/// Git's own files that git reads by itself when it opens the repository at `workdir`, checked
/// first: a FIFO `HEAD` would block the run, a link to a device would fill its memory.
pub fn check_git_metadata(workdir: &Path) -> Result<(), String> {
    let dot_git = workdir.join(".git");
    let fail = |file: &Path, e: String| format!("{}: {e}", file.display());
    let git_dir = match std::fs::symlink_metadata(&dot_git) {
        Ok(meta) if meta.is_dir() => dot_git,
        Ok(_) => {
            // A worktree's `.git` file: `gitdir: PATH`.
            let text = read_file(&dot_git, None, MAX_GIT_METADATA_SIZE).map_err(|e| fail(&dot_git, e))?;
            let text = String::from_utf8_lossy(&text);
            let target = text.lines().next().and_then(|l| l.strip_prefix("gitdir:")).map(str::trim);
            match target {
                Some(target) => workdir.join(target),
                None => return Ok(()),
            }
        }
        Err(_) => return Ok(()),
    };
    let small = |name: &str| {
        let file = git_dir.join(name);
        check_file(&file, None, MAX_GIT_METADATA_SIZE).map_err(|e| fail(&file, e))
    };
    small("HEAD")?;
    small("commondir")?;
    let common = match read_file(&git_dir.join("commondir"), None, MAX_GIT_METADATA_SIZE) {
        Ok(text) => git_dir.join(String::from_utf8_lossy(&text).trim()),
        Err(_) => git_dir.clone(),
    };
    for (folder, name, max) in [
        (&common, "config", MAX_IGNORE_FILE_SIZE),
        (&git_dir, "config.worktree", MAX_IGNORE_FILE_SIZE),
        (&common, "packed-refs", u64::MAX),
    ] {
        let file = folder.join(name);
        check_file(&file, None, max).map_err(|e| fail(&file, e))?;
    }
    // The branch `HEAD` names, as a loose reference.
    let head = read_file(&git_dir.join("HEAD"), None, MAX_GIT_METADATA_SIZE).unwrap_or_default();
    let head = String::from_utf8_lossy(&head);
    if let Some(name) = head.trim().strip_prefix("ref:").map(str::trim) {
        if !name.split('/').any(|part| part == ".." || part.is_empty()) {
            for folder in [&git_dir, &common] {
                let file = folder.join(name);
                check_file(&file, None, MAX_GIT_METADATA_SIZE).map_err(|e| fail(&file, e))?;
            }
        }
    }
    Ok(())
}

/// A folder and the suffix its files were listed by.
type Listing = (PathBuf, String);
/// A repository's root and the file names looked for in it ([`Reads::find_named`]).
type FoundKey = (PathBuf, &'static [&'static str]);

/// The files of one run read through [`Disk`], by canonical path: a file that several
/// deployment files bring in (a root `manifest.yml`, a script, an extension, a descriptor) is
/// read from the disk at most twice, then served from memory. Only a file asked for a second
/// time is held (a tree's files are mostly read once), and at most [`Reads::BUDGET`] bytes.
#[derive(Default)]
pub struct Reads {
    keys: (std::hash::RandomState, std::hash::RandomState),
    /// Fingerprints of the canonical paths read once.
    asked: Mutex<HashSet<(u64, u64)>>,
    held: Mutex<HashMap<PathBuf, Arc<[u8]>>>,
    held_bytes: AtomicU64,
    /// What the model made of a file, by canonical path and what it is ([`crate::model::deployment::Files::derived`]).
    derived: Mutex<HashMap<(PathBuf, &'static str), crate::model::deployment::Derived>>,
    /// Folder listings by folder and suffix: every Helm chart of a repository looks for scripts
    /// in each folder up to the root, whose listing grows with the charts.
    listed: Mutex<HashMap<Listing, Arc<[PathBuf]>>>,
    /// The files of a repository with given names, by root and names ([`crate::model::deployment::Files::find_named`]).
    found: Mutex<HashMap<FoundKey, Arc<Vec<PathBuf>>>>,
}

impl Reads {
    /// The most a run holds.
    pub const BUDGET: u64 = 256 * 1024 * 1024;

    /// [`read_file`] inside `root`, served from memory when the file was held.
    pub fn read(&self, path: &Path, root: &Path, max: u64) -> Result<Arc<[u8]>, String> {
        use std::hash::BuildHasher;
        let canonical = within(path, root)?;
        if let Some(held) = self.held.lock().ok().and_then(|h| h.get(&canonical).cloned()) {
            return Ok(held);
        }
        let bytes: Arc<[u8]> = read_resolved(&canonical, max)?.into();
        let fingerprint = (self.keys.0.hash_one(&canonical), self.keys.1.hash_one(&canonical));
        let again = self.asked.lock().is_ok_and(|mut asked| !asked.insert(fingerprint));
        let len = bytes.len() as u64;
        if again {
            if let Ok(mut held) = self.held.lock() {
                // Counted under the lock: the budget is never passed.
                if self.held_bytes.load(Ordering::Relaxed) + len <= Self::BUDGET
                    && held.insert(canonical, bytes.clone()).is_none()
                {
                    self.held_bytes.fetch_add(len, Ordering::Relaxed);
                }
            }
        }
        Ok(bytes)
    }

    /// Drops what is held of `path`: the run has just written it.
    pub fn forget(&self, path: &Path) {
        let Ok(canonical) = std::fs::canonicalize(path) else { return };
        if let Ok(mut held) = self.held.lock() {
            if let Some(bytes) = held.remove(&canonical) {
                self.held_bytes.fetch_sub(bytes.len() as u64, Ordering::Relaxed);
            }
        }
        if let Ok(mut derived) = self.derived.lock() {
            derived.retain(|(path, _), _| *path != canonical);
        }
    }

    /// What `make` made of `path` in this run, made now if it was not (inside `root`; a path
    /// that cannot be resolved inside it is made from its refusal, every time).
    fn derived(
        &self,
        path: &Path,
        root: &Path,
        what: &'static str,
        read: impl Fn() -> Result<SourceFile, crate::model::deployment::Unreadable>,
        make: &dyn Fn(Result<SourceFile, crate::model::deployment::Unreadable>) -> crate::model::deployment::Derived,
    ) -> crate::model::deployment::Derived {
        // Refused or missing: what `read` would say after the same look-up, without it.
        let canonical = match within(path, root) {
            Ok(canonical) => canonical,
            Err(reason) => return make(Err(unreadable(reason))),
        };
        let key = (canonical, what);
        if let Some(made) = self.derived.lock().ok().and_then(|d| d.get(&key).cloned()) {
            return made;
        }
        // Made outside the lock (other threads go on); two threads may both make it once.
        let made = make(read());
        if let Ok(mut derived) = self.derived.lock() {
            derived.entry(key).or_insert_with(|| made.clone());
        }
        made
    }

    /// [`list_files`], listed once per run for each folder and suffix.
    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        let key = (folder.to_path_buf(), suffix.to_string());
        if let Some(listed) = self.listed.lock().ok().and_then(|l| l.get(&key).cloned()) {
            return listed.to_vec();
        }
        let listed = list_files(folder, suffix);
        if let Ok(mut held) = self.listed.lock() {
            held.entry(key).or_insert_with(|| listed.as_slice().into());
        }
        listed
    }
}

impl Reads {
    /// [`find_named`] once per run for each root and names.
    fn find_named(&self, root: &Path, names: &'static [&'static str]) -> Arc<Vec<PathBuf>> {
        let key = (root.to_path_buf(), names);
        if let Some(found) = self.found.lock().ok().and_then(|f| f.get(&key).cloned()) {
            return found;
        }
        let found = Arc::new(find_named(root, names));
        if let Ok(mut held) = self.found.lock() {
            held.entry(key).or_insert_with(|| found.clone());
        }
        found
    }
}

/// The regular files under `root` named one of `names`, in path order: hidden folders, links
/// and what ignore files leave out are not entered, as in a walk of the run.
fn find_named(root: &Path, names: &[&str]) -> Vec<PathBuf> {
    let walk = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        .require_git(false)
        .follow_links(false)
        .build();
    let mut out: Vec<PathBuf> = walk
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(|n| names.contains(&n)))
        .map(ignore::DirEntry::into_path)
        .collect();
    out.sort();
    out
}

/// The disk, as the deployment model reads the files a deployment file brings in: each inside
/// the repository that holds it ([`repository_root`]). A run uses [`DiskWithin`].
pub struct Disk;

impl crate::model::deployment::Files for Disk {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, crate::model::deployment::Unreadable> {
        read_model_file(path, shown, &repository_root(path), None)
    }

    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        list_files(folder, suffix)
    }

    fn find_named(&self, root: &Path, names: &'static [&'static str]) -> Arc<Vec<PathBuf>> {
        Arc::new(find_named(root, names))
    }
}

/// The disk as a run reads it: inside `root`, each file read once through the run's [`Reads`].
#[derive(Clone, Copy)]
pub struct DiskWithin<'a> {
    pub root: &'a Path,
    pub reads: &'a Reads,
}

impl crate::model::deployment::Files for DiskWithin<'_> {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, crate::model::deployment::Unreadable> {
        read_model_file(path, shown, self.root, Some(self.reads))
    }

    fn derived(
        &self,
        path: &Path,
        what: &'static str,
        make: &dyn Fn(Result<SourceFile, crate::model::deployment::Unreadable>) -> crate::model::deployment::Derived,
    ) -> crate::model::deployment::Derived {
        let read = || self.read(path, &path.to_string_lossy());
        self.reads.derived(path, self.root, what, read, make)
    }

    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        self.reads.list(folder, suffix)
    }

    fn find_named(&self, root: &Path, names: &'static [&'static str]) -> Arc<Vec<PathBuf>> {
        self.reads.find_named(root, names)
    }
}

fn read_model_file(
    path: &Path,
    shown: &str,
    root: &Path,
    reads: Option<&Reads>,
) -> Result<SourceFile, crate::model::deployment::Unreadable> {
    use crate::model::deployment::Unreadable;
    let bytes = match reads {
        Some(reads) => reads.read(path, root, MAX_FILE_SIZE).map(|b| b.to_vec()),
        None => read_file(path, Some(root), MAX_FILE_SIZE),
    };
    let bytes = bytes.map_err(unreadable)?;
    from_bytes(shown, bytes).map_err(|e| match e {
        LoadError::NotText { diagnostic, lossy } => {
            Unreadable::NotText { offset: diagnostic.start.offset, message: diagnostic.message, lossy }
        }
        LoadError::Io(_) => Unreadable::Missing,
    })
}

/// Why a file could not be read, as the deployment model takes it: refused by the repository's
/// boundary, or missing.
fn unreadable(reason: String) -> crate::model::deployment::Unreadable {
    use crate::model::deployment::Unreadable;
    if reason == OUTSIDE {
        Unreadable::Refused(reason)
    } else {
        Unreadable::Missing
    }
}

/// The regular files of `folder` whose names end with `suffix` (links are not listed).
fn list_files(folder: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_named_tree_bounds_reads_outside_git() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("org/repo");
        std::fs::create_dir_all(tree.join("app")).unwrap();
        // Named as a user may type them, with `..` and `.`: compared once normalised.
        let named = normalized(&[tree.join("./app"), tree.join("app/..")]);
        assert_eq!(repository_root_in(&tree.join("app/mta.yaml"), &named), tree);
        assert_eq!(repository_root_in(&tree.join("app/deep/mta.yaml"), &named), tree);
        let inner = normalized(&[tree.join("./app"), dir.path().join("elsewhere")]);
        assert_eq!(repository_root_in(&tree.join("app/mta.yaml"), &inner), tree.join("app"));
        // A named folder that only shares a prefix of its name holds nothing.
        let sibling = normalized(&[tree.join("ap"), dir.path().join("org/rep")]);
        assert_eq!(repository_root_in(&tree.join("app/mta.yaml"), &sibling), tree.join("app"));
    }

    #[test]
    fn a_file_asked_for_twice_is_held_for_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.yml");
        std::fs::write(&path, "first").unwrap();
        let reads = Reads::default();
        assert_eq!(&*reads.read(&path, dir.path(), MAX_FILE_SIZE).unwrap(), b"first");
        assert_eq!(&*reads.read(&path, dir.path(), MAX_FILE_SIZE).unwrap(), b"first");
        // Held since the second read: the disk is not read again in this run.
        std::fs::write(&path, "second").unwrap();
        assert_eq!(&*reads.read(&path, dir.path(), MAX_FILE_SIZE).unwrap(), b"first");
        // By canonical path: another spelling is the same file.
        let other = dir.path().join("./sub/../manifest.yml");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(&*reads.read(&other, dir.path(), MAX_FILE_SIZE).unwrap(), b"first");
        // A file the run writes is read again.
        reads.forget(&path);
        assert_eq!(&*reads.read(&path, dir.path(), MAX_FILE_SIZE).unwrap(), b"second");
        std::fs::write(&path, "third").unwrap();
        assert_eq!(&*reads.read(&path, dir.path(), MAX_FILE_SIZE).unwrap(), b"second");
        // A run of its own reads the disk.
        assert_eq!(&*Reads::default().read(&path, dir.path(), MAX_FILE_SIZE).unwrap(), b"third");
    }

    #[cfg(unix)]
    #[test]
    fn reads_stay_inside_the_root_and_in_regular_files() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let root = tempfile::tempdir().unwrap();
        let link = root.path().join("link.json");
        std::os::unix::fs::symlink(outside.path().join("secret"), &link).unwrap();
        assert_eq!(read_file(&link, Some(root.path()), MAX_FILE_SIZE).unwrap_err(), OUTSIDE);
        assert_eq!(Reads::default().read(&link, root.path(), MAX_FILE_SIZE).unwrap_err(), OUTSIDE);
        assert_eq!(check_file(&link, Some(root.path()), MAX_FILE_SIZE).unwrap_err(), OUTSIDE);
        // Named by the user, a link is followed.
        assert_eq!(read_file(&link, None, MAX_FILE_SIZE).unwrap(), b"s");
        let zero = root.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_file(&zero, None, MAX_FILE_SIZE).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        std::fs::write(root.path().join("big"), vec![b'a'; 2048]).unwrap();
        let e = read_file(&root.path().join("big"), Some(root.path()), 1024).unwrap_err();
        assert_eq!(e, "the file is larger than 1 KiB; not read");
    }
}
