//! Atomic writes: a temporary file in the same directory, flushed, then renamed over the
//! original with its permissions, owner and group, so an interrupted run leaves the old or the
//! new file.
//!
//! A fixed file is written only when it is still the file that was linted: just before the
//! rename the file is read again and compared with the text the fix was computed from (size,
//! modification time and bytes). An edit saved in the meantime is never overwritten; the file is
//! left as the user saved it and the write fails. (Between that check and the rename a window of
//! a few system calls remains; no rename-based writer can close it without the editor's help.)
//!
//! Files that a rename would damage are refused: a file with several hard links (the rename
//! would split them) and a read-only file (its mode says it must not change).
//!
//! Temporary files are named `.xsuaa-lint-<pid>-<random>.tmp`. A run killed between creating one
//! and renaming it (`kill -9`, a power cut) leaves it behind; each later write into that folder
//! first removes the leftovers of processes that no longer run (see [`clean_leftovers`]).

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

const PREFIX: &str = ".xsuaa-lint-";
const SUFFIX: &str = ".tmp";

/// A leftover is removed only when it is at least this old, even if its process is gone: a
/// temporary file lives for the milliseconds of one write, and the age also protects one of a
/// process that `/proc` does not show (another PID namespace sharing the folder).
const LEFTOVER_MIN_AGE: Duration = Duration::from_secs(60);

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_builder<'a>() -> tempfile::Builder<'a, 'a> {
    let mut builder = tempfile::Builder::new();
    builder.suffix(SUFFIX);
    builder
}

fn temp_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    clean_leftovers_once(dir);
    let prefix = format!("{PREFIX}{}-", std::process::id());
    temp_builder().prefix(&prefix).tempfile_in(dir)
}

/// Whether process `pid` runs; where `/proc` is not mounted every process counts as gone and
/// the age alone decides.
fn process_alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

/// The pid in a temporary file name `.xsuaa-lint-<pid>-<random>.tmp`.
fn leftover_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (pid, random) = rest.split_once('-')?;
    if random.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Removes the temporary files that killed runs left in `dir`: regular files named
/// `.xsuaa-lint-<pid>-<random>.tmp` whose process no longer runs and that are older than a
/// minute. Returns how many were removed. Errors are ignored: cleaning is a courtesy.
pub fn clean_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(leftover_pid) else { continue };
        if process_alive(pid) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let old =
            meta.modified().ok().and_then(|m| now.duration_since(m).ok()).is_some_and(|age| age >= LEFTOVER_MIN_AGE);
        if meta.file_type().is_file() && old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// [`clean_leftovers`] once per folder and process.
fn clean_leftovers_once(dir: &Path) {
    static CLEANED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let first = CLEANED.lock().map(|mut set| set.get_or_insert_with(HashSet::new).insert(key)).unwrap_or(false);
    if first {
        clean_leftovers(dir);
    }
}

fn refused(message: String) -> std::io::Error {
    std::io::Error::other(message)
}

/// Refuses what a rename would damage: not a regular file, several hard links, read-only.
fn check_replaceable(path: &Path, meta: &Metadata) -> std::io::Result<()> {
    if !meta.is_file() {
        return Err(refused("it is not a regular file".into()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if meta.nlink() > 1 {
            return Err(refused(format!(
                "it has {} hard links, which replacing it would split; left as it is",
                meta.nlink()
            )));
        }
        if meta.permissions().mode() & 0o200 == 0 {
            return Err(refused("it is read-only; left as it is (make it writable to fix it)".into()));
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return Err(refused("it is read-only; left as it is (make it writable to fix it)".into()));
    }
    // Not writable by this user, though its mode has a write bit (another owner).
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            return Err(refused("it is not writable by this user; left as it is".into()));
        }
    }
    Ok(())
}

/// Gives the temporary file the original's owner and group. Only root may give a file away;
/// anyone else keeps what they can (EPERM is then expected and ignored).
#[cfg(unix)]
fn copy_owner(tmp: &File, meta: &Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mine = tmp.metadata()?;
    if mine.uid() == meta.uid() && mine.gid() == meta.gid() {
        return Ok(());
    }
    match std::os::unix::fs::fchown(tmp, Some(meta.uid()), Some(meta.gid())) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && mine.uid() != 0 => {
            // Without root, at least the group may be kept when this user is in it.
            let _ = std::os::unix::fs::fchown(tmp, None, Some(meta.gid()));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Whether `path` still holds exactly `original` and was not touched since `before` was taken.
fn unchanged(path: &Path, before: &Metadata, original: &[u8]) -> std::io::Result<bool> {
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    if !same_file_state(before, &meta) || meta.len() != original.len() as u64 {
        return Ok(false);
    }
    let mut bytes = Vec::with_capacity(original.len());
    (&mut file).take(original.len() as u64 + 1).read_to_end(&mut bytes)?;
    // A write during the read shows in the modification time.
    let after = file.metadata()?;
    Ok(bytes == original && same_file_state(before, &after))
}

/// Same inode, size and modification time.
fn same_file_state(a: &Metadata, b: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (a.dev(), a.ino(), a.mtime(), a.mtime_nsec()) != (b.dev(), b.ino(), b.mtime(), b.mtime_nsec()) {
            return false;
        }
    }
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// Replaces the file at `path`, whose linted text was `original`, by `fixed`. Fails without
/// touching the file when it no longer holds `original`, has several hard links or is
/// read-only; a symbolic link is written through to its target only when that stays inside
/// `root` (the repository), as reads do.
pub fn write_atomically(path: &Path, root: &Path, original: &str, fixed: &str) -> std::io::Result<()> {
    write_atomically_with(path, root, original, fixed, || {})
}

/// [`write_atomically`], running `before_check` once the new text is on disk, just before the
/// file is compared with `original` and replaced (tests use it to change the file there).
pub fn write_atomically_with(
    path: &Path,
    root: &Path,
    original: &str,
    fixed: &str,
    before_check: impl FnOnce(),
) -> std::io::Result<()> {
    // Write through a symbolic link to its target rather than replacing the link, never out of
    // the repository.
    let resolved = std::fs::canonicalize(path)?;
    crate::io::load::within(&resolved, root).map_err(refused)?;
    let path = resolved.as_path();
    let meta = std::fs::metadata(path)?;
    check_replaceable(path, &meta)?;
    let mut tmp = temp_in(parent_dir(path))?;
    tmp.write_all(fixed.as_bytes())?;
    tmp.as_file().set_permissions(meta.permissions())?;
    #[cfg(unix)]
    copy_owner(tmp.as_file(), &meta)?;
    tmp.as_file().sync_all()?;
    before_check();
    // As close to the rename as it can be: an edit saved while the fix ran wins.
    if !unchanged(path, &meta, original.as_bytes())? {
        return Err(refused(
            "it changed on disk while being fixed; left as it is (run again to fix the new text)".into(),
        ));
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A new file (a report, a baseline) written beside its destination and renamed into place
/// by [`NewFile::commit`]; dropped without it, nothing is left. Its mode is the usual one for a
/// new file (0666 less the umask), not the 0600 of a temporary file. A symbolic link is written
/// through to its target; a destination that is no regular file (`/dev/stdout`, `/dev/null`, a
/// FIFO) is written directly, never replaced.
pub struct NewFile {
    out: Output,
}

enum Output {
    Atomic { destination: PathBuf, tmp: BufWriter<tempfile::NamedTempFile> },
    Direct(BufWriter<File>),
}

impl NewFile {
    pub fn create(destination: &Path) -> std::io::Result<Self> {
        let destination = match std::fs::metadata(destination) {
            Ok(meta) if !meta.is_file() => {
                let file = std::fs::OpenOptions::new().write(true).open(destination)?;
                return Ok(NewFile { out: Output::Direct(BufWriter::new(file)) });
            }
            // An existing file, or the target of a link to one.
            Ok(_) => std::fs::canonicalize(destination)?,
            Err(_) => destination.to_path_buf(),
        };
        let dir = parent_dir(&destination);
        clean_leftovers_once(dir);
        let prefix = format!("{PREFIX}{}-", std::process::id());
        let mut builder = temp_builder();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The kernel applies the umask to the mode asked for at creation.
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = BufWriter::new(builder.tempfile_in(dir)?);
        Ok(NewFile { out: Output::Atomic { destination, tmp } })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> std::io::Result<()> {
        match self.out {
            Output::Atomic { destination, tmp } => {
                let tmp = tmp.into_inner().map_err(|e| e.into_error())?;
                tmp.as_file().sync_all()?;
                tmp.persist(&destination).map_err(|e| e.error)?;
            }
            Output::Direct(mut file) => file.flush()?,
        }
        Ok(())
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.out {
            Output::Atomic { tmp, .. } => tmp,
            Output::Direct(file) => file,
        }
    }
}

impl Write for NewFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.writer().write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer().flush()
    }
}

/// A report or other new file, written whole beside its destination and renamed into place.
pub fn write_new(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut file = NewFile::create(path)?;
    file.write_all(content)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(PREFIX))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_saved_during_the_fix_is_left_as_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("xs-security.json");
        std::fs::write(&path, "old").unwrap();
        let result = write_atomically_with(&path, dir.path(), "old", "fixed", || {
            std::fs::write(&path, "saved by the user").unwrap()
        });
        let e = result.unwrap_err();
        assert!(e.to_string().contains("changed on disk while being fixed"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "saved by the user");
        assert!(temp_files(dir.path()).is_empty());
        // The same length and a restored modification time are still caught by the content.
        std::fs::write(&path, "abc").unwrap();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let result = write_atomically_with(&path, dir.path(), "abc", "fixed", || {
            std::fs::write(&path, "xyz").unwrap();
            File::options().write(true).open(&path).unwrap().set_modified(before).unwrap();
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "xyz");
        // An editor that saves by renaming a new file over the old one.
        std::fs::write(&path, "abc").unwrap();
        let result = write_atomically_with(&path, dir.path(), "abc", "fixed", || {
            let other = dir.path().join("other");
            std::fs::write(&other, "abc").unwrap();
            std::fs::rename(&other, &path).unwrap();
        });
        assert!(result.is_err(), "another file with the same text is still a change");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "abc");
    }

    #[test]
    fn a_file_that_differs_from_the_linted_text_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, "on disk").unwrap();
        assert!(write_atomically(&path, dir.path(), "linted", "fixed").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "on disk");
        write_atomically(&path, dir.path(), "on disk", "fixed").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "fixed");
        assert!(temp_files(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_repository_is_never_written_through() {
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("xs-security.json");
        std::fs::write(&target, "linted").unwrap();
        let repo = tempfile::tempdir().unwrap();
        let link = repo.path().join("xs-security.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_atomically(&link, repo.path(), "linted", "fixed").unwrap_err();
        assert!(e.to_string().contains("outside the repository"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "linted");
        // A link inside the repository is written through to its target.
        let inside = repo.path().join("real.json");
        std::fs::write(&inside, "linted").unwrap();
        let link = repo.path().join("link.json");
        std::os::unix::fs::symlink(&inside, &link).unwrap();
        write_atomically(&link, repo.path(), "linted", "fixed").unwrap();
        assert_eq!(std::fs::read_to_string(&inside).unwrap(), "fixed");
    }

    #[test]
    fn leftover_names() {
        assert_eq!(leftover_pid(".xsuaa-lint-123-AbC9.tmp"), Some(123));
        for name in [".xsuaa-lint-123-.tmp", ".xsuaa-lint-x1-a.tmp", ".xsuaa-lint-abcdef.tmp", "xsuaa-lint-1-a.tmp"] {
            assert_eq!(leftover_pid(name), None, "{name}");
        }
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed_once_old() {
        let dir = tempfile::tempdir().unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        let make = |name: &str, modified: Option<SystemTime>| {
            let file = File::create(dir.path().join(name)).unwrap();
            if let Some(t) = modified {
                file.set_modified(t).unwrap();
            }
        };
        // Above the largest pid Linux hands out (2^22): never a running process.
        make(".xsuaa-lint-9999999-dead.tmp", Some(old));
        make(".xsuaa-lint-9999998-fresh.tmp", None);
        make(&format!(".xsuaa-lint-{}-mine.tmp", std::process::id()), Some(old));
        make(".xsuaa-lint-unrelated.tmp", Some(old));
        assert_eq!(clean_leftovers(dir.path()), 1);
        let left = temp_files(dir.path());
        assert!(!left.iter().any(|n| n.contains("dead")), "{left:?}");
        assert_eq!(left.len(), 3, "{left:?}");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_usual_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let reference = dir.path().join("reference");
        File::create(&reference).unwrap();
        let path = dir.path().join("report.json");
        write_new(&path, b"{}").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), mode(&reference));
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        // Dropped without a commit: nothing is left.
        let mut file = NewFile::create(&dir.path().join("half.json")).unwrap();
        file.write_all(b"[").unwrap();
        drop(file);
        assert!(!dir.path().join("half.json").exists());
        assert!(temp_files(dir.path()).is_empty());
    }
}
