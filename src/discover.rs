//! Finding the files to lint: a parallel, `.gitignore`-aware walk of directories, plus the files
//! named on the command line.

use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};

/// In a directory, the descriptors are the files named `xs-security*.json`.
pub fn is_descriptor_name(name: &str) -> bool {
    name.starts_with("xs-security") && name.ends_with(".json")
}

/// Folders never worth walking, whatever the ignore files say.
fn always_skipped(name: &str) -> bool {
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
    Deployment(crate::deployment::Kind),
    /// A possible credentials dump (XS120).
    Credentials,
}

pub fn classify_name(name: &str) -> Option<FileKind> {
    if is_descriptor_name(name) {
        Some(FileKind::Descriptor)
    } else if let Some(kind) = crate::deployment::Kind::of_name(name) {
        Some(FileKind::Deployment(kind))
    } else if is_credentials_name(name) {
        Some(FileKind::Credentials)
    } else {
        None
    }
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

/// Walks `roots` in parallel; `visit` runs on the walker's threads, one entry at a time.
pub fn walk(roots: &[PathBuf], threads: usize, selector: &dyn Selector, visit: &(dyn Fn(Found) + Sync)) {
    let Some((first, rest)) = roots.split_first() else { return };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir()) && e.file_name().to_str().is_some_and(always_skipped))
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
                    let name = entry.file_name().to_string_lossy();
                    if is_dir && is_descriptor_name(&name) && entry.depth() > 0 {
                        // Named like a descriptor but a folder: reported (and still walked into).
                        visit(Found::Error {
                            path: Some(entry.path().to_path_buf()),
                            message: "cannot read the file: it is a directory".into(),
                        });
                    }
                    let kind = if is_dir { None } else { classify_name(&name) };
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
    fn descriptor_names() {
        for name in ["xs-security.json", "xs-security-broker.json", "xs-security-prod.json"] {
            assert!(is_descriptor_name(name), "{name}");
        }
        for name in ["xs-security.json.bak", "my-xs-security.json", "xs-app.json", "package.json"] {
            assert!(!is_descriptor_name(name), "{name}");
        }
    }

    #[test]
    fn display_paths_are_relative_with_slashes() {
        assert_eq!(display_path(Path::new("./a/xs-security.json"), None), "a/xs-security.json");
        assert_eq!(display_path(Path::new("/w/p/a.json"), Some(Path::new("/w"))), "p/a.json");
        assert_eq!(display_path(Path::new("/x/a.json"), Some(Path::new("/w"))), "/x/a.json");
    }
}
