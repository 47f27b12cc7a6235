//! A descriptor's version at a git revision, for the history-aware rules (XS109, XS210-XS214).
//!
//! Git is read with `gix`, never through porcelain output. Repositories are found by looking for
//! `.git` upwards from each file's folder, remembered per folder, and opened once; the base
//! revision is resolved once per repository.

use crate::io::discover::is_descriptor_name;
use crate::io::load::MAX_FILE_SIZE;
use crate::model::descriptor::{Baseline, CredentialTypes, DualSince, MigrationState};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

struct Repository {
    repo: gix::ThreadSafeRepository,
    workdir: PathBuf,
    /// The commit and tree of the base revision; `None` when it does not resolve (a
    /// repository without commits, say).
    tree: Option<gix::ObjectId>,
    commit: Option<gix::ObjectId>,
    /// The descriptors of the base tree that are gone from the work tree, each with the line
    /// profile of its text: the candidates of rename detection, read once per run on first need.
    gone: OnceLock<Vec<Candidate>>,
    /// Per blob, whether it holds a descriptor in the dual state: a blob is parsed once per run,
    /// however many commits and files hold it.
    dual_blobs: Mutex<HashMap<gix::ObjectId, bool>>,
}

/// A file the current one may have been renamed from.
struct Candidate {
    path: String,
    bytes: Vec<u8>,
    lines: LineProfile,
}

/// How many times each line (by hash) occurs in a text: rename similarity is the share of lines
/// two texts have in common, counted in time linear in the texts (git, too, compares renames
/// by hashed chunks, not by a diff).
struct LineProfile {
    counts: HashMap<u64, u32>,
    total: usize,
}

impl LineProfile {
    fn of(text: &str) -> Self {
        use std::hash::BuildHasher;
        let hasher = std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
        let mut counts: HashMap<u64, u32> = HashMap::new();
        let mut total = 0;
        for line in text.lines() {
            *counts.entry(hasher.hash_one(line)).or_default() += 1;
            total += 1;
        }
        LineProfile { counts, total }
    }

    /// Twice the lines in common over the lines of both (1: the same lines).
    fn similarity(&self, other: &LineProfile) -> f32 {
        if self.total + other.total == 0 {
            return 1.0;
        }
        let (small, large) = if self.counts.len() <= other.counts.len() { (self, other) } else { (other, self) };
        let common: usize =
            small.counts.iter().map(|(line, n)| (*n).min(large.counts.get(line).copied().unwrap_or(0)) as usize).sum();
        (2 * common) as f32 / (self.total + other.total) as f32
    }
}

/// What holds a folder.
#[derive(Clone)]
enum Lookup {
    /// No git repository.
    Outside,
    /// A repository that cannot be opened (reported once).
    Broken,
    Found(Arc<Repository>),
}

/// Finds the base version of files; shared by the worker threads.
pub struct History {
    revision: String,
    /// Set by `--base`: a revision that does not resolve, or a file outside git that it cannot
    /// apply to, is an error, not a quiet "no history".
    explicit: bool,
    /// Per folder looked up lately, the repository holding it (or none).
    folders: Mutex<Folders>,
    errors: Mutex<BTreeSet<String>>,
    /// With `--base`: the first file outside any git repository, and how many there were.
    outside: Mutex<(Option<PathBuf>, usize)>,
}

/// Rename detection gives up beyond this many candidates, as git does for large renames.
const MAX_RENAME_CANDIDATES: usize = 100;
/// ... or beyond this many bytes of candidates, so that what it reads stays bounded.
const MAX_RENAME_BYTES: u64 = 32 * 1024 * 1024;
/// The bytes of a file's versions parsed to find when its dual state began; beyond, the start
/// is unknown, as for a streak longer than [`MAX_DUAL_STATE_WALK`] commits.
pub const MAX_DUAL_STATE_BYTES: usize = 64 * 1024 * 1024;
/// The share of equal lines for a deleted descriptor to count as the renamed file (git's default).
const RENAME_SIMILARITY: f32 = 0.5;
/// How many commits of a file's first-parent history are read back to find when its dual state
/// began; a streak longer than this is "unknown" (XS103 then warns as without history).
pub const MAX_DUAL_STATE_WALK: usize = 1000;

/// Folders remembered before the cache of folders starts again: a tree's files are looked up
/// folder by folder, as the walk finds them, so a forgotten folder costs the look-up of `.git`
/// in it and its forgotten parents now and then, and the cache does not grow with the tree.
const FOLDERS_REMEMBERED: usize = 4096;

/// The repository of each folder looked up lately, and of each folder holding a `.git`, kept for
/// the run (each repository is opened once, and one that cannot be is reported once).
#[derive(Default)]
struct Folders {
    lately: HashMap<PathBuf, Lookup>,
    holders: HashMap<PathBuf, Lookup>,
}

impl History {
    /// `revision`: `--base REV`, or `None` for `HEAD`.
    pub fn new(revision: Option<&str>) -> Self {
        History {
            revision: revision.unwrap_or("HEAD").to_string(),
            explicit: revision.is_some(),
            folders: Mutex::new(Folders::default()),
            errors: Mutex::new(BTreeSet::new()),
            outside: Mutex::new((None, 0)),
        }
    }

    /// Problems with the repositories or the revision, one line each (exit status 2).
    pub fn errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = self.errors.lock().map(|e| e.iter().cloned().collect()).unwrap_or_default();
        if let Ok((Some(first), n)) = self.outside.lock().as_deref() {
            let others = match n - 1 {
                0 => String::new(),
                1 => " (nor is 1 other file)".to_string(),
                more => format!(" (nor are {more} other files)"),
            };
            errors.push(format!(
                "{}: not in a git repository, so `--base {}` cannot be applied to it{others}; the history rules need git",
                first.display(),
                self.revision
            ));
        }
        errors
    }

    fn outside_git(&self, path: &Path) {
        if let Ok(mut outside) = self.outside.lock() {
            outside.0.get_or_insert_with(|| path.to_path_buf());
            outside.1 += 1;
        }
    }

    fn error(&self, message: String) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.insert(message);
        }
    }

    /// The version of `path` at the base revision, parsed; `None` outside git, for a file that
    /// is new at the base, or when the base version is not a JSON document. Objects that cannot
    /// be read (a corrupt repository) and, with `--base`, a file outside git are errors.
    /// `grace_days` is the `[migration] grace-days` of the file's configuration (XS103).
    pub fn baseline(&self, path: &Path, current_text: &str, grace_days: u32) -> Option<Baseline> {
        let path = std::path::absolute(path).ok()?;
        let repository = match self.repository(path.parent()?) {
            Lookup::Found(repository) => repository,
            Lookup::Outside => {
                if self.explicit {
                    self.outside_git(&path);
                }
                return None;
            }
            Lookup::Broken => return None,
        };
        let tree_id = repository.tree?;
        let relative = relative_path(&path, &repository.workdir)?;
        let repo = repository.repo.to_thread_local();
        let at = || format!("`{}` at `{}`", relative.display(), self.revision);
        let tree = match repo.find_tree(tree_id) {
            Ok(tree) => tree,
            Err(e) => return self.corrupt(&repository, format!("the tree of `{}`", self.revision), &e),
        };
        let (bytes, renamed_from) = match tree.lookup_entry_by_path(&relative) {
            Ok(Some(entry)) if entry.mode().is_blob() => match read_blob(&repo, entry.object_id()) {
                Ok(bytes) => (bytes?, None),
                Err(e) => return self.corrupt(&repository, at(), &e),
            },
            Ok(Some(_)) => return None,
            Ok(None) => {
                let (old_path, bytes) = self.renamed_from(&repository, &repo, &tree, current_text)?;
                (bytes, Some(old_path))
            }
            Err(e) => return self.corrupt(&repository, at(), &e),
        };
        let text = String::from_utf8(bytes).ok()?;
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let root = crate::syntax::json::parse(&text, bom).ok()?;
        let today = days_since_epoch(now_seconds());
        let dual_since = if CredentialTypes::meant(&root) == MigrationState::Dual {
            let at_base = renamed_from.as_deref().map_or_else(|| relative.clone(), PathBuf::from);
            let dual_blobs = &repository.dual_blobs;
            repository.commit.and_then(|commit| dual_streak_start(&repo, commit, &at_base, dual_blobs)).map(|seconds| {
                let day = days_since_epoch(seconds);
                DualSince { date: civil_date(day), days: today.saturating_sub(day).max(0) as u64, grace_days }
            })
        } else {
            // Not dual at the base: if the file is dual now, that change is not committed yet.
            Some(DualSince { date: civil_date(today), days: 0, grace_days })
        };
        Some(Baseline { revision: self.revision.clone(), renamed_from, root, dual_since })
    }

    /// An object of the repository that cannot be read: an error, never a quiet "no history".
    fn corrupt<T>(&self, repository: &Repository, what: String, e: &dyn std::fmt::Display) -> Option<T> {
        self.error(format!("{}: cannot read {what} (is the repository corrupt?): {e}", repository.workdir.display()));
        None
    }

    fn repository(&self, folder: &Path) -> Lookup {
        let Ok(mut folders) = self.folders.lock() else { return Lookup::Broken };
        let mut visited = Vec::new();
        let mut found = Lookup::Outside;
        for dir in folder.ancestors() {
            if let Some(known) = folders.lately.get(dir).or_else(|| folders.holders.get(dir)) {
                found = known.clone();
                break;
            }
            visited.push(dir.to_path_buf());
            if dir.join(".git").exists() {
                found = self.open(dir).map_or(Lookup::Broken, Lookup::Found);
                folders.holders.insert(dir.to_path_buf(), found.clone());
                break;
            }
        }
        if folders.lately.len() + visited.len() > FOLDERS_REMEMBERED {
            folders.lately.clear();
        }
        for dir in visited {
            folders.lately.insert(dir, found.clone());
        }
        found
    }

    fn open(&self, workdir: &Path) -> Option<Arc<Repository>> {
        // What git reads by itself is checked first: a FIFO `HEAD` would block the run.
        if let Err(e) = crate::io::load::check_git_metadata(workdir) {
            self.error(format!("{}: cannot open the git repository: {e}", workdir.display()));
            return None;
        }
        let repo = match gix::open(workdir) {
            Ok(repo) => repo,
            Err(e) => {
                self.error(format!("{}: cannot open the git repository: {e}", workdir.display()));
                return None;
            }
        };
        let (commit, tree) = self.base_tree(&repo, workdir).unzip();
        Some(Arc::new(Repository {
            repo: repo.into_sync(),
            workdir: workdir.to_path_buf(),
            tree,
            commit,
            gone: OnceLock::new(),
            dual_blobs: Mutex::new(HashMap::new()),
        }))
    }

    /// The commit and tree of the base revision. Without `--base`, a repository without commits
    /// simply has no history; anything else that does not resolve to a readable commit is an error.
    fn base_tree(&self, repo: &gix::Repository, workdir: &Path) -> Option<(gix::ObjectId, gix::ObjectId)> {
        let fail = |message: String| {
            self.error(format!("{}: {message}", workdir.display()));
            None
        };
        if !self.explicit {
            match repo.head() {
                Ok(head) if head.is_unborn() => return None,
                Ok(_) => {}
                Err(e) => return fail(format!("cannot read `HEAD` (is the repository corrupt?): {e}")),
            }
        }
        let id = match repo.rev_parse_single(self.revision.as_str()) {
            Ok(id) => id,
            Err(e) if self.explicit => return fail(format!("cannot resolve `--base {}`: {e}", self.revision)),
            Err(e) => return fail(format!("cannot resolve `{}` (is the repository corrupt?): {e}", self.revision)),
        };
        let object = match id.object() {
            Ok(object) => object,
            Err(e) => {
                return fail(format!(
                    "cannot read the object {id} of `{}` (is the repository corrupt?): {e}",
                    self.revision
                ))
            }
        };
        let commit = match object.peel_to_commit() {
            Ok(commit) => commit,
            Err(e) if self.explicit => {
                return fail(format!("`--base {}` does not name a commit: {e}", self.revision));
            }
            Err(e) => return fail(format!("`{}` does not lead to a readable commit: {e}", self.revision)),
        };
        match commit.tree_id() {
            Ok(tree) => Some((commit.id, tree.detach())),
            Err(e) => fail(format!("cannot read the commit {id} of `{}`: {e}", self.revision)),
        }
    }

    /// A descriptor of the base tree that no longer exists in the work tree and shares at
    /// least half its lines with the current text: the file this one was renamed from.
    fn renamed_from(
        &self,
        repository: &Repository,
        repo: &gix::Repository,
        tree: &gix::Tree<'_>,
        current_text: &str,
    ) -> Option<(String, Vec<u8>)> {
        let gone = repository.gone.get_or_init(|| self.rename_candidates(repository, repo, tree));
        if gone.is_empty() {
            return None;
        }
        let current = LineProfile::of(current_text);
        let mut best: Option<(f32, &Candidate)> = None;
        for candidate in gone {
            let ratio = current.similarity(&candidate.lines);
            if ratio >= RENAME_SIMILARITY && best.as_ref().is_none_or(|(r, _)| ratio > *r) {
                best = Some((ratio, candidate));
            }
        }
        best.map(|(_, c)| (c.path.clone(), c.bytes.clone()))
    }

    /// The descriptors of the base tree gone from the work tree, read with their line profiles;
    /// none when they are more than [`MAX_RENAME_CANDIDATES`] or [`MAX_RENAME_BYTES`].
    fn rename_candidates(
        &self,
        repository: &Repository,
        repo: &gix::Repository,
        tree: &gix::Tree<'_>,
    ) -> Vec<Candidate> {
        let descriptors = match descriptors_in(tree) {
            Ok(found) => found,
            Err(e) => {
                self.corrupt::<()>(repository, format!("the tree of `{}`", self.revision), &e);
                return Vec::new();
            }
        };
        let gone: Vec<(String, gix::ObjectId)> =
            descriptors.into_iter().filter(|(path, _)| !repository.workdir.join(path).exists()).collect();
        if gone.len() > MAX_RENAME_CANDIDATES {
            return Vec::new();
        }
        let mut bytes_total: u64 = 0;
        for (path, id) in &gone {
            match repo.find_header(*id) {
                Ok(header) => bytes_total = bytes_total.saturating_add(header.size()),
                Err(e) => {
                    self.corrupt::<()>(repository, format!("`{path}` at `{}`", self.revision), &e);
                    return Vec::new();
                }
            }
        }
        if bytes_total > MAX_RENAME_BYTES {
            return Vec::new();
        }
        let mut candidates = Vec::new();
        for (path, id) in gone {
            let bytes = match read_blob(repo, id) {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(e) => {
                    self.corrupt::<()>(repository, format!("`{path}` at `{}`", self.revision), &e);
                    continue;
                }
            };
            let Ok(text) = std::str::from_utf8(&bytes) else { continue };
            let lines = LineProfile::of(text);
            candidates.push(Candidate { path, bytes, lines });
        }
        candidates
    }
}

/// The committer time (seconds since the epoch) of the oldest commit of the streak that holds
/// `path` in the dual state, walking the first-parent history back from `base` (which holds
/// it). `None` when a commit cannot be read, or the streak is longer than
/// [`MAX_DUAL_STATE_WALK`] commits or its versions than [`MAX_DUAL_STATE_BYTES`]: the start is
/// then unknown. Each blob is parsed once (`dual_blobs` keeps the verdicts for the run).
fn dual_streak_start(
    repo: &gix::Repository,
    base: gix::ObjectId,
    path: &Path,
    dual_blobs: &Mutex<HashMap<gix::ObjectId, bool>>,
) -> Option<i64> {
    let mut id = base;
    let mut start = None;
    let mut parsed = 0usize;
    for _ in 0..MAX_DUAL_STATE_WALK {
        let commit = repo.find_commit(id).ok()?;
        let tree = commit.tree().ok()?;
        let entry = match tree.lookup_entry_by_path(path) {
            Ok(Some(entry)) if entry.mode().is_blob() => entry,
            Ok(_) => return start,
            Err(_) => return None,
        };
        let blob = entry.object_id();
        let known = dual_blobs.lock().ok().and_then(|verdicts| verdicts.get(&blob).copied());
        let dual = match known {
            Some(dual) => dual,
            None => {
                let Ok(Some(bytes)) = read_blob(repo, blob) else { return start };
                parsed += bytes.len();
                if parsed > MAX_DUAL_STATE_BYTES {
                    return None;
                }
                let dual = is_dual(bytes);
                if let Ok(mut verdicts) = dual_blobs.lock() {
                    verdicts.insert(blob, dual);
                }
                dual
            }
        };
        if !dual {
            return start;
        }
        start = Some(commit.time().ok()?.seconds);
        let parent = commit.parent_ids().next().map(gix::Id::detach);
        match parent {
            Some(parent) => id = parent,
            None => return start,
        }
    }
    None
}

/// Whether a version of a file is a descriptor in the dual state.
fn is_dual(bytes: Vec<u8>) -> bool {
    let Ok(text) = String::from_utf8(bytes) else { return false };
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    crate::syntax::json::parse(&text, bom).is_ok_and(|root| CredentialTypes::meant(&root) == MigrationState::Dual)
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Whole days since 1970-01-01 (UTC) of a moment in seconds.
fn days_since_epoch(seconds: i64) -> i64 {
    seconds.div_euclid(86_400)
}

/// `YYYY-MM-DD` (UTC) of a day counted from 1970-01-01.
pub fn civil_date(day: i64) -> String {
    jiff::civil::Date::constant(1970, 1, 1)
        .checked_add(jiff::SignedDuration::from_hours(day.saturating_mul(24)))
        .map_or_else(|_| String::from("(date out of range)"), |date| date.to_string())
}

fn relative_path(path: &Path, workdir: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(workdir).ok()?;
    (!relative.as_os_str().is_empty()).then(|| relative.to_path_buf())
}

/// A blob's bytes; `Ok(None)` when it is too large to be a descriptor, an error when the object
/// cannot be read.
fn read_blob(repo: &gix::Repository, id: gix::ObjectId) -> Result<Option<Vec<u8>>, String> {
    let header = repo.find_header(id).map_err(|e| e.to_string())?;
    if header.size() > MAX_FILE_SIZE {
        return Ok(None);
    }
    Ok(Some(repo.find_blob(id).map_err(|e| e.to_string())?.take_data()))
}

fn descriptors_in(tree: &gix::Tree<'_>) -> Result<Vec<(String, gix::ObjectId)>, String> {
    let entries = tree.traverse().breadthfirst.files().map_err(|e| e.to_string())?;
    Ok(entries
        .into_iter()
        .filter(|e| e.mode.is_blob())
        .filter_map(|e| {
            let path = String::from_utf8(e.filepath.to_vec()).ok()?;
            let name = path.rsplit('/').next()?;
            is_descriptor_name(name).then_some((path, e.oid))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(59), "1970-03-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_472), "2026-01-19");
        assert_eq!(civil_date(-1), "1969-12-31");
    }

    /// Looked up in more folders than it remembers, the cache stays bounded, and every folder
    /// still finds its repository through the one folder holding `.git`, kept for the run.
    #[test]
    fn the_folder_cache_stays_bounded() {
        use super::{History, Lookup, FOLDERS_REMEMBERED};
        let tree = tempfile::tempdir().unwrap();
        std::fs::create_dir(tree.path().join(".git")).unwrap();
        let history = History::new(None);
        for i in 0..FOLDERS_REMEMBERED + 100 {
            let folder = tree.path().join(format!("f{i}"));
            // Not a repository git can open: the lookup is what is tested.
            assert!(matches!(history.repository(&folder), Lookup::Broken | Lookup::Found(_)));
            let folders = history.folders.lock().unwrap();
            assert!(folders.lately.len() <= FOLDERS_REMEMBERED, "{} folders remembered", folders.lately.len());
            assert_eq!(folders.holders.len(), 1);
        }
    }
}
