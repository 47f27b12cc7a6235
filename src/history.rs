//! A descriptor's version at a git revision, for the history-aware rules (XS109, XS210-XS214).
//!
//! Git is read with `gix`, never through porcelain output. Repositories are found by looking for
//! `.git` upwards from each file's folder, remembered per folder, and opened once; the base
//! revision is resolved once per repository.

use crate::descriptor::Baseline;
use crate::discover::is_descriptor_name;
use crate::load::MAX_FILE_SIZE;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

struct Repository {
    repo: gix::ThreadSafeRepository,
    workdir: PathBuf,
    /// The tree of the base revision; `None` when it does not resolve (a repository without
    /// commits, say).
    tree: Option<gix::ObjectId>,
    /// Descriptor-named files of the base tree, for rename detection; listed on first need.
    descriptors: OnceLock<Vec<(String, gix::ObjectId)>>,
}

/// Finds the base version of files; shared by the worker threads.
pub struct History {
    revision: String,
    /// Set by `--base`: a revision that does not resolve is an error, not a quiet "no history".
    explicit: bool,
    /// Per folder, the repository holding it (or none).
    folders: Mutex<HashMap<PathBuf, Option<Arc<Repository>>>>,
    errors: Mutex<BTreeSet<String>>,
}

/// Rename detection gives up beyond this many candidates, as git does for large renames.
const MAX_RENAME_CANDIDATES: usize = 100;
/// The share of equal lines for a deleted descriptor to count as the renamed file (git's default).
const RENAME_SIMILARITY: f32 = 0.5;

impl History {
    /// `revision`: `--base REV`, or `None` for `HEAD`.
    pub fn new(revision: Option<&str>) -> Self {
        History {
            revision: revision.unwrap_or("HEAD").to_string(),
            explicit: revision.is_some(),
            folders: Mutex::new(HashMap::new()),
            errors: Mutex::new(BTreeSet::new()),
        }
    }

    /// Problems with the repositories or the revision, one line each (exit status 2).
    pub fn errors(&self) -> Vec<String> {
        self.errors.lock().map(|e| e.iter().cloned().collect()).unwrap_or_default()
    }

    fn error(&self, message: String) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.insert(message);
        }
    }

    /// The version of `path` at the base revision, parsed; `None` outside git, for a file that
    /// is new at the base, or when the base version is not a JSON document.
    pub fn baseline(&self, path: &Path, current_text: &str) -> Option<Baseline> {
        let path = std::path::absolute(path).ok()?;
        let repository = self.repository(path.parent()?)?;
        let tree_id = repository.tree?;
        let relative = relative_path(&path, &repository.workdir)?;
        let repo = repository.repo.to_thread_local();
        let tree = repo.find_tree(tree_id).ok()?;
        let (bytes, renamed_from) = match tree.lookup_entry_by_path(&relative).ok()? {
            Some(entry) if entry.mode().is_blob() => (read_blob(&repo, entry.object_id())?, None),
            Some(_) => return None,
            None => {
                let (old_path, bytes) = self.renamed_from(&repository, &repo, &tree, current_text)?;
                (bytes, Some(old_path))
            }
        };
        let text = String::from_utf8(bytes).ok()?;
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let root = crate::parse::parse(&text, bom).ok()?;
        Some(Baseline { revision: self.revision.clone(), renamed_from, root })
    }

    fn repository(&self, folder: &Path) -> Option<Arc<Repository>> {
        let mut folders = self.folders.lock().ok()?;
        let mut visited = Vec::new();
        let mut found = None;
        for dir in folder.ancestors() {
            if let Some(known) = folders.get(dir) {
                found = known.clone();
                break;
            }
            visited.push(dir.to_path_buf());
            if dir.join(".git").exists() {
                found = self.open(dir);
                break;
            }
        }
        for dir in visited {
            folders.insert(dir, found.clone());
        }
        found
    }

    fn open(&self, workdir: &Path) -> Option<Arc<Repository>> {
        let repo = match gix::open(workdir) {
            Ok(repo) => repo,
            Err(e) => {
                self.error(format!("{}: cannot open the git repository: {e}", workdir.display()));
                return None;
            }
        };
        let tree = match repo.rev_parse_single(self.revision.as_str()) {
            Ok(id) => {
                let tree = id.object().ok().and_then(|o| o.peel_to_commit().ok()).and_then(|c| c.tree_id().ok());
                if tree.is_none() && self.explicit {
                    self.error(format!("{}: `--base {}` does not name a commit", workdir.display(), self.revision));
                }
                tree.map(|id| id.detach())
            }
            // Without `--base`, a repository with no commit yet simply has no history.
            Err(e) => {
                if self.explicit {
                    self.error(format!("{}: cannot resolve `--base {}`: {e}", workdir.display(), self.revision));
                }
                None
            }
        };
        Some(Arc::new(Repository {
            repo: repo.into_sync(),
            workdir: workdir.to_path_buf(),
            tree,
            descriptors: OnceLock::new(),
        }))
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
        let descriptors = repository.descriptors.get_or_init(|| descriptors_in(tree));
        let gone: Vec<&(String, gix::ObjectId)> =
            descriptors.iter().filter(|(path, _)| !repository.workdir.join(path).exists()).collect();
        if gone.is_empty() || gone.len() > MAX_RENAME_CANDIDATES {
            return None;
        }
        let mut best: Option<(f32, &str, Vec<u8>)> = None;
        for (path, id) in gone {
            let Some(bytes) = read_blob(repo, *id) else { continue };
            let Ok(old) = std::str::from_utf8(&bytes) else { continue };
            let ratio = similar::TextDiff::from_lines(old, current_text).ratio();
            if ratio >= RENAME_SIMILARITY && best.as_ref().is_none_or(|(r, _, _)| ratio > *r) {
                best = Some((ratio, path, bytes));
            }
        }
        best.map(|(_, path, bytes)| (path.to_string(), bytes))
    }
}

fn relative_path(path: &Path, workdir: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(workdir).ok()?;
    (!relative.as_os_str().is_empty()).then(|| relative.to_path_buf())
}

fn read_blob(repo: &gix::Repository, id: gix::ObjectId) -> Option<Vec<u8>> {
    let header = repo.find_header(id).ok()?;
    if header.size() > MAX_FILE_SIZE {
        return None;
    }
    Some(repo.find_blob(id).ok()?.take_data())
}

fn descriptors_in(tree: &gix::Tree<'_>) -> Vec<(String, gix::ObjectId)> {
    let Ok(entries) = tree.traverse().breadthfirst.files() else { return Vec::new() };
    entries
        .into_iter()
        .filter(|e| e.mode.is_blob())
        .filter_map(|e| {
            let path = String::from_utf8(e.filepath.to_vec()).ok()?;
            let name = path.rsplit('/').next()?;
            is_descriptor_name(name).then_some((path, e.oid))
        })
        .collect()
}
