//! Finding the files to lint: a parallel, `.gitignore`-aware walk of directories, plus the files
//! named on the command line.

use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};

/// In a directory, the descriptors are the files named `xs-security*.json`.
pub fn is_descriptor_name(name: &str) -> bool {
    name.starts_with("xs-security") && name.ends_with(".json")
}

/// Folders never worth walking, whatever the ignore files say.
pub(crate) fn always_skipped(name: &str) -> bool {
    matches!(name, "node_modules" | ".git")
}

/// File names worth opening as a possible credentials dump (XS120).
pub fn is_credentials_name(name: &str) -> bool {
    // Called for every file of a walk: check the extension before allocating.
    if name.len() < 5 || !name.as_bytes()[name.len() - 5..].eq_ignore_ascii_case(b".json") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    [
        "default-env",
        "default-services",
        "vcap",
        "service-key",
        "servicekey",
        "-key.json",
        "_key.json",
        "credentials",
        "binding",
    ]
    .iter()
    .any(|part| lower.contains(part))
}

/// What a file is taken for, by its name (the content decides the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Descriptor,
    Deployment(crate::model::deployment::FileFormat),
    /// A possible credentials dump (XS120).
    Credentials,
}

pub fn classify_name(name: &str) -> Option<FileKind> {
    classify_path(Path::new(name), name)
}

/// What a file is taken for by its path: its name, and for CI files the folder they sit in
/// (`.github/workflows/*.yml`, Piper's `.pipeline/config.yml`).
pub fn classify_path(path: &Path, name: &str) -> Option<FileKind> {
    if is_descriptor_name(name) {
        Some(FileKind::Descriptor)
    } else if let Some(kind) = crate::model::deployment::FileFormat::of_path(path, name) {
        Some(FileKind::Deployment(kind))
    } else if is_credentials_name(name) || crate::syntax::dotenv::is_dotenv_name(name) {
        Some(FileKind::Credentials)
    } else {
        None
    }
}

/// Hidden files and folders that hold CI pipelines, walked although hidden.
pub(crate) fn hidden_but_walked(name: &str) -> bool {
    matches!(name, ".github" | ".pipeline" | ".gitlab-ci.yml" | ".gitlab-ci.yaml")
}

/// What the walk met.
#[derive(Debug)]
pub enum Found {
    /// A regular file to check.
    File(PathBuf, FileKind),
    /// Something with a descriptor's name that is not a regular file (a FIFO, a socket).
    NotRegular(PathBuf),
    /// A directory or entry that could not be read.
    Error { path: Option<PathBuf>, message: String },
}

/// Which folders and files a walk takes, beyond the ignore files.
pub trait Selector: Sync {
    /// Leave out this folder and everything below it.
    fn skip_dir(&self, _path: &Path) -> bool {
        false
    }
    /// Lint this file; `named`: it has a descriptor's name.
    fn wants(&self, _path: &Path, named: bool) -> bool {
        named
    }
    /// Whether a file without a descriptor's name may be wanted (saves asking for every file).
    fn may_include_others(&self) -> bool {
        false
    }
}

/// Files named like a descriptor, nothing else.
pub struct ByName;

impl Selector for ByName {}

/// An entry's file name. Below a root the walker's path is its folder's path joined with the
/// name, so the name is what follows the last `/`: one scan from the end, where
/// `DirEntry::file_name` parses the path's components (an eighth of the walk's own
/// instructions, called for every entry twice).
fn entry_name(entry: &ignore::DirEntry) -> &std::ffi::OsStr {
    #[cfg(unix)]
    if entry.depth() > 0 {
        use std::os::unix::ffi::OsStrExt;
        let path = entry.path().as_os_str().as_bytes();
        if let Some(slash) = memchr::memrchr(b'/', path) {
            return std::ffi::OsStr::from_bytes(&path[slash + 1..]);
        }
    }
    entry.file_name()
}

/// Why the ignore files the walker would read in `dir` may not be read: the walker opens them
/// itself, unbounded and blocking, so each is checked first (a regular file, no larger than
/// [`load::MAX_IGNORE_FILE_SIZE`], inside `boundary` when given). The path and the reason.
fn unsafe_ignore_file(dir: &Path, boundary: Option<&Path>) -> Option<(PathBuf, String)> {
    use crate::io::load;
    // One look at each name, on the walk's path for every folder: most folders hold none, so
    // the paths are built in one buffer and a path is allocated only for a file that is there.
    let check = |file: &Path, root: Option<&Path>, max: u64| {
        // Absent: nothing to check (one failed look, the usual case).
        std::fs::symlink_metadata(file).ok()?;
        let refused = load::check_file(file, root, max).err().or_else(|| too_many_patterns(file, max));
        refused.map(|e| (file.to_path_buf(), e))
    };
    let mut path = dir.join(".gitignore");
    // The folder's part of the path, separator included: each next name replaces what follows.
    let folder_len = path.as_os_str().len() - ".gitignore".len();
    if let Some(refused) = check(&path, boundary, load::MAX_IGNORE_FILE_SIZE) {
        return Some(refused);
    }
    rename_in_folder(&mut path, folder_len, ".ignore");
    if let Some(refused) = check(&path, boundary, load::MAX_IGNORE_FILE_SIZE) {
        return Some(refused);
    }
    rename_in_folder(&mut path, folder_len, ".git");
    match std::fs::symlink_metadata(&path) {
        // `info/exclude` of a repository.
        Ok(meta) if meta.is_dir() => {
            path.push("info/exclude");
            check(&path, boundary, load::MAX_IGNORE_FILE_SIZE)
        }
        // A worktree's `.git` file, whose first line the walker reads.
        Ok(_) => check(&path, None, load::MAX_GIT_METADATA_SIZE),
        Err(_) => None,
    }
}

/// `path` with what follows its first `folder_len` bytes (its folder and separator) replaced by
/// `name`: `PathBuf::set_file_name` parses the path's components again, for every folder walked.
#[cfg(unix)]
fn rename_in_folder(path: &mut PathBuf, folder_len: usize, name: &str) {
    use std::os::unix::ffi::OsStringExt;
    let mut bytes = std::mem::take(path).into_os_string().into_vec();
    bytes.truncate(folder_len);
    bytes.extend_from_slice(name.as_bytes());
    *path = PathBuf::from(std::ffi::OsString::from_vec(bytes));
}

#[cfg(not(unix))]
fn rename_in_folder(path: &mut PathBuf, _folder_len: usize, name: &str) {
    path.set_file_name(name);
}

/// The most patterns an ignore file may hold: the walker compiles them into automata that grow
/// with each (20,000 took 226 MB, 5,000 such as `d1/**/x*y*z1.json` some 57 MB); real ones hold
/// tens to hundreds.
const MAX_IGNORE_PATTERNS: usize = 5_000;

/// Why an ignore file holds too many patterns to compile. Only a file of more than 16 KiB is
/// read to count them (fewer bytes cannot hold that many); a file already checked.
fn too_many_patterns(file: &Path, max: u64) -> Option<String> {
    if !std::fs::metadata(file).is_ok_and(|m| m.len() > 16 * 1024) {
        return None;
    }
    let text = crate::io::load::read_file(file, None, max).ok()?;
    let patterns = text
        .split(|&b| b == b'\n')
        .filter(|line| line.iter().any(|b| !b.is_ascii_whitespace()) && !line.starts_with(b"#"))
        .count();
    (patterns > MAX_IGNORE_PATTERNS)
        .then(|| format!("the ignore file holds {patterns} patterns, more than {MAX_IGNORE_PATTERNS}"))
}

/// The walk roots with the boundary of each: the tree a link in an ignore file may not leave.
fn boundaries(roots: &[PathBuf]) -> Vec<(PathBuf, PathBuf)> {
    let named = crate::io::load::normalized(roots);
    roots
        .iter()
        .map(|r| {
            let boundary = crate::io::load::folder_root(&crate::model::deployment::normalize(r), &named);
            (r.clone(), boundary)
        })
        .collect()
}

/// The boundary of the first root that holds `path` (a folder the walk met). When no root
/// holds another, only one can, and the walk spells `path` from it: found by comparing bytes
/// (an audit walks 64 roots at once, and comparing each folder with each root component by
/// component was a tenth of its instructions).
fn boundary_of<'a>(path: &Path, bounds: &'a [(PathBuf, PathBuf)], roots_nest: bool) -> Option<&'a Path> {
    let spelled_below = |root: &Path| {
        let (path, root) = (path.as_os_str().as_encoded_bytes(), root.as_os_str().as_encoded_bytes());
        path.starts_with(root)
            && (path.len() == root.len() || root.ends_with(b"/") || path.get(root.len()) == Some(&b'/'))
    };
    let by_bytes = if roots_nest { None } else { bounds.iter().find(|(r, _)| spelled_below(r)) };
    by_bytes.or_else(|| bounds.iter().find(|(r, _)| path.starts_with(r))).map(|(_, b)| b.as_path())
}

/// Ignore files refused in a root or the folders above it (the walker reads those too): the
/// root is then not walked.
fn refused_root(root: &Path, boundary: &Path) -> Option<(PathBuf, String)> {
    let canonical = std::fs::canonicalize(root).ok()?;
    let inside = std::fs::canonicalize(boundary).ok();
    canonical.ancestors().find_map(|dir| {
        let bounded = inside.as_deref().filter(|b| dir.starts_with(b));
        unsafe_ignore_file(dir, bounded)
    })
}

/// Walks `roots` in parallel; `visit` runs on the walker's threads, one entry at a time.
pub fn walk(roots: &[PathBuf], threads: usize, selector: &dyn Selector, visit: &(dyn Fn(Found) + Sync)) {
    let mut walked = Vec::new();
    let bounds = boundaries(roots);
    let roots_nest = bounds
        .iter()
        .enumerate()
        .any(|(i, (inner, _))| bounds.iter().enumerate().any(|(j, (outer, _))| i != j && inner.starts_with(outer)));
    for (root, boundary) in &bounds {
        match refused_root(root, boundary) {
            Some((file, reason)) => visit(Found::Error {
                path: Some(file),
                message: format!("{reason}; the ignore file is not read and `{}` is not walked", root.display()),
            }),
            None => walked.push(root.clone()),
        }
    }
    let Some((first, rest)) = walked.split_first() else { return };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    let refused: std::sync::Arc<std::sync::Mutex<Vec<(PathBuf, String)>>> = Default::default();
    let refused_in_walk = refused.clone();
    builder
        // Hidden entries are left out below, but for the CI folders and files.
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(move |e| {
            let file_name = entry_name(e);
            let name = file_name.as_encoded_bytes();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            // A dotenv file is hidden too (`.env`), a folder so named (a Python virtualenv) is not walked.
            let walked = |n: &str| hidden_but_walked(n) || (!is_dir && crate::syntax::dotenv::is_dotenv_name(n));
            if e.depth() > 0 && name.first() == Some(&b'.') && !file_name.to_str().is_some_and(walked) {
                return false;
            }
            if is_dir && file_name.to_str().is_some_and(always_skipped) {
                return false;
            }
            // Checked here, before the walker enters the folder and reads them.
            if is_dir {
                let boundary = boundary_of(e.path(), &bounds, roots_nest);
                if let Some((file, reason)) = unsafe_ignore_file(e.path(), boundary) {
                    if let Ok(mut refused) = refused_in_walk.lock() {
                        refused.push((
                            file,
                            format!("{reason}; the ignore file is not read and its folder is not walked"),
                        ));
                    }
                    return false;
                }
            }
            true
        });
    builder.build_parallel().run(|| {
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    if is_dir && entry.depth() > 0 && selector.skip_dir(entry.path()) {
                        return WalkState::Skip;
                    }
                    // A name that is not UTF-8 is classified as shown (lossily): `xs-security-\xff.json`
                    // is still a descriptor, not a file to skip in silence.
                    let name = entry_name(&entry).to_string_lossy();
                    if is_dir && is_descriptor_name(&name) && entry.depth() > 0 {
                        // Named like a descriptor but a folder: reported (and still walked into).
                        visit(Found::Error {
                            path: Some(entry.path().to_path_buf()),
                            message: "cannot read the file: it is a directory".into(),
                        });
                    }
                    let kind = if is_dir { None } else { classify_path(entry.path(), &name) };
                    let named = kind.is_some();
                    let wanted =
                        !is_dir && (named || selector.may_include_others()) && selector.wants(entry.path(), named);
                    // Only a descriptor's name (or an include glob) makes an unreadable entry worth reporting.
                    let descriptor_named = matches!(kind, Some(FileKind::Descriptor) | None);
                    if wanted {
                        match entry.file_type() {
                            Some(t) if t.is_file() => {
                                visit(Found::File(entry.into_path(), kind.unwrap_or(FileKind::Descriptor)))
                            }
                            // Symbolic links are not followed during a walk; one that leads nowhere
                            // (dangling, or a loop) is reported, since it looks like a descriptor.
                            Some(t) if t.is_symlink() && !descriptor_named => {}
                            Some(t) if t.is_symlink() => {
                                if let Err(e) = std::fs::metadata(entry.path()) {
                                    visit(Found::Error {
                                        path: Some(entry.into_path()),
                                        message: format!(
                                            "cannot read the file: a symbolic link that cannot be resolved ({e})"
                                        ),
                                    });
                                }
                            }
                            Some(t) if t.is_dir() => {}
                            _ if !descriptor_named => {}
                            _ => visit(Found::NotRegular(entry.into_path())),
                        }
                    }
                }
                Err(err) => visit(Found::Error { path: error_path(&err), message: error_message(&err) }),
            }
            WalkState::Continue
        })
    });
    let refused = std::mem::take(&mut *refused.lock().unwrap_or_else(|e| e.into_inner()));
    for (file, message) in refused {
        visit(Found::Error { path: Some(file), message });
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => error_message(err),
        other => other.to_string(),
    }
}

/// How a path is shown: relative to the working directory where it lies below it, with `/`,
/// without a leading `./`.
pub fn display_path(path: &Path, cwd: Option<&Path>) -> String {
    let relative = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let mut s = relative.to_string_lossy().replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    if s.is_empty() {
        s = ".".into();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ignore_files_of_a_folder_are_named_as_joined() {
        for dir in ["/a/b", "/a/b/", "a", "a/..", "/"] {
            let mut path = Path::new(dir).join(".gitignore");
            let folder_len = path.as_os_str().len() - ".gitignore".len();
            rename_in_folder(&mut path, folder_len, ".ignore");
            assert_eq!(path, Path::new(dir).join(".ignore"));
            rename_in_folder(&mut path, folder_len, ".git");
            assert_eq!(path, Path::new(dir).join(".git"));
        }
    }

    #[test]
    fn an_entry_is_named_as_the_walker_names_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/.b/c d")).unwrap();
        std::fs::write(dir.path().join("a/.b/c d/xs-security.json"), "{}").unwrap();
        std::fs::write(dir.path().join("a/é.yaml"), "").unwrap();
        let slash = format!("{}/", dir.path().join("a").display());
        let roots = [dir.path().to_path_buf(), dir.path().join("a/./.b"), PathBuf::from(slash)];
        let mut seen = 0;
        for root in roots {
            for entry in ignore::WalkBuilder::new(&root).hidden(false).build().map(Result::unwrap) {
                assert_eq!(entry_name(&entry), entry.file_name(), "{}", entry.path().display());
                seen += 1;
            }
        }
        assert!(seen >= 10, "{seen}");
    }

    #[test]
    fn descriptor_names() {
        for name in ["xs-security.json", "xs-security-broker.json", "xs-security-prod.json"] {
            assert!(is_descriptor_name(name), "{name}");
        }
        for name in ["xs-security.json.bak", "my-xs-security.json", "xs-app.json", "package.json"] {
            assert!(!is_descriptor_name(name), "{name}");
        }
    }

    #[test]
    fn a_folder_gets_the_boundary_of_the_first_root_that_holds_it() {
        let bound = |r: &str| (PathBuf::from(r), PathBuf::from(format!("/bound/{r}")));
        let first_holding = |path: &Path, bounds: &[(PathBuf, PathBuf)]| {
            bounds.iter().find(|(r, _)| path.starts_with(r)).map(|(_, b)| b.clone())
        };
        for roots in
            [vec!["a", "./b", "c/", "/abs/d", "e/./f"], vec!["a", "a/b", "x"], vec!["a/b", "a"], vec!["a", "a"]]
        {
            let bounds: Vec<_> = roots.iter().map(|r| bound(r)).collect();
            let nest = bounds.iter().enumerate().any(|(i, (inner, _))| {
                bounds.iter().enumerate().any(|(j, (outer, _))| i != j && inner.starts_with(outer))
            });
            for path in ["a", "a/x", "./b/y", "b/y", "c/z", "ab/x", "/abs/d/q", "/abs/dd", "e/./f/g", "a/b/c", "x/a"] {
                let path = Path::new(path);
                assert_eq!(
                    boundary_of(path, &bounds, nest).map(Path::to_path_buf),
                    first_holding(path, &bounds),
                    "{roots:?} {path:?}"
                );
            }
        }
    }

    #[test]
    fn display_paths_are_relative_with_slashes() {
        assert_eq!(display_path(Path::new("./a/xs-security.json"), None), "a/xs-security.json");
        assert_eq!(display_path(Path::new("/w/p/a.json"), Some(Path::new("/w"))), "p/a.json");
        assert_eq!(display_path(Path::new("/x/a.json"), Some(Path::new("/w"))), "/x/a.json");
    }
}
