//! Atomic writes: a temporary file in the same directory, flushed, then renamed over the
//! original with its permissions, so an interrupted run leaves the old or the new file.

use std::io::Write;
use std::path::Path;

pub fn write_atomically(path: &Path, content: &str) -> std::io::Result<()> {
    // Write through a symbolic link to its target rather than replacing the link.
    let resolved = std::fs::canonicalize(path)?;
    let path = resolved.as_path();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let permissions = std::fs::metadata(path)?.permissions();
    let mut tmp = tempfile::Builder::new().prefix(".xsuaa-lint-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(content.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.as_file().set_permissions(permissions)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A report or other new file, written whole beside its destination and renamed into place.
pub fn write_new(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".xsuaa-lint-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(content)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
