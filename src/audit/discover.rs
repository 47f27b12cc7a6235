//! Which folders are the repositories to audit: folders holding `.git` (a folder, or the file of
//! a worktree or submodule), each folder at a given depth (`--repos-at`, for checkouts without
//! `.git`), or a list of paths (`--repos-from`). A bare repository has no files to check: it is
//! skipped, saying so.

use super::Skipped;
use std::path::{Path, PathBuf};

/// The repositories found, sorted, and the folders skipped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    pub repositories: Vec<PathBuf>,
    pub skipped: Vec<Skipped>,
}

pub const BARE: &str = "a bare repository (no work tree): audit a checkout of it (`git worktree add` or `git clone`)";

/// A bare repository: `HEAD`, `objects/` and `refs/` without a work tree's `.git`.
pub fn is_bare(dir: &Path) -> bool {
    // `HEAD` first: most folders have none, so one `stat` decides.
    dir.join("HEAD").is_file()
        && dir.join("objects").is_dir()
        && dir.join("refs").is_dir()
        && !dir.join(".git").exists()
}

/// Folders not looked into: hidden ones (`.git` itself) and installed dependencies.
fn ignored(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules"
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && !ignored(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect()
}

fn skip(found: &mut Found, path: &Path) {
    found.skipped.push(Skipped { path: path.to_string_lossy().into_owned(), reason: BARE.into() });
}

/// The git repositories under `root`: folders holding `.git`, not looked into further; the root
/// itself when it is one or holds none.
pub fn git(root: &Path) -> Found {
    let mut found = Found::default();
    if root.join(".git").exists() {
        found.repositories.push(root.to_path_buf());
        return found;
    }
    if is_bare(root) {
        skip(&mut found, root);
        return found;
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for path in subfolders(&dir) {
            if path.join(".git").exists() {
                found.repositories.push(path);
            } else if is_bare(&path) {
                skip(&mut found, &path);
            } else {
                stack.push(path);
            }
        }
    }
    if found.repositories.is_empty() && found.skipped.is_empty() {
        found.repositories.push(root.to_path_buf());
    }
    found.repositories.sort();
    found.skipped.sort();
    found
}

/// Each folder `depth` levels below `root` (1: its subfolders), `.git` or not. A bare
/// repository on the way is skipped, not looked into.
pub fn at_depth(root: &Path, depth: usize) -> Found {
    let mut found = Found::default();
    let mut level = vec![root.to_path_buf()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for path in level.iter().flat_map(|dir| subfolders(dir)) {
            if is_bare(&path) {
                skip(&mut found, &path);
            } else {
                next.push(path);
            }
        }
        level = next;
    }
    found.repositories = level;
    found.repositories.sort();
    found.skipped.sort();
    found
}

/// The folders a list names, one path a line (blank lines and `#` comments aside; relative
/// paths from the current folder). A path that is no folder is an error.
pub fn listed(text: &str) -> Result<Found, String> {
    let mut found = Found::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let path = PathBuf::from(line.trim());
        if !path.is_dir() {
            return Err(format!("line {}: `{}` is not a folder", n + 1, path.display()));
        }
        if is_bare(&path) {
            skip(&mut found, &path);
        } else {
            found.repositories.push(path);
        }
    }
    found.repositories.sort();
    found.skipped.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkdirs(root: &Path, dirs: &[&str]) {
        for d in dirs {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
    }

    #[test]
    fn each_way_of_finding_repositories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        mkdirs(
            root,
            &["org/a/.git", "org/b/src", "org/.hidden/x", "org/node_modules/y", "bare.git/objects", "bare.git/refs"],
        );
        std::fs::write(root.join("bare.git/HEAD"), "ref: refs/heads/main\n").unwrap();
        // A worktree: `.git` is a file.
        mkdirs(root, &["wt"]);
        std::fs::write(root.join("wt/.git"), "gitdir: /elsewhere\n").unwrap();

        let found = git(root);
        assert_eq!(found.repositories, [root.join("org/a"), root.join("wt")]);
        assert_eq!(found.skipped.len(), 1);
        assert!(found.skipped[0].path.ends_with("bare.git") && found.skipped[0].reason.contains("bare"));

        let found = at_depth(root, 2);
        assert_eq!(found.repositories, [root.join("org/a"), root.join("org/b")]);
        assert_eq!(at_depth(root, 1).repositories, [root.join("org"), root.join("wt")]);
        assert_eq!(at_depth(root, 1).skipped.len(), 1);

        let list = format!("# checkouts\n{}\n\n{}\n", root.join("org/b").display(), root.join("bare.git").display());
        let found = listed(&list).unwrap();
        assert_eq!((found.repositories, found.skipped.len()), (vec![root.join("org/b")], 1));
        let e = listed(&format!("{}\n", root.join("nope").display())).unwrap_err();
        assert!(e.starts_with("line 1: ") && e.contains("is not a folder"), "{e}");
    }
}
