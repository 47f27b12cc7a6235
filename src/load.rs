//! Reading a file into a [`SourceFile`]: only regular files, bounded in size, valid UTF-8.

use crate::diagnostic::{Diagnostic, Position};
use crate::rules::{xs000_io_error, xs001_invalid_json};
use crate::source::{byte_position, SourceFile};
use std::io::Read;
use std::path::Path;

/// Larger files are not descriptors; reading them would only cost memory.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

#[derive(Debug)]
pub enum LoadError {
    /// The path could not be read (XS000).
    Io(Box<Diagnostic>),
    /// The bytes are not UTF-8 (XS001).
    NotText(Box<Diagnostic>),
}

impl LoadError {
    pub fn into_diagnostic(self) -> Diagnostic {
        match self {
            LoadError::Io(d) | LoadError::NotText(d) => *d,
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

/// Reads a whole file the run needs (a descriptor, a configuration, a baseline, a report),
/// following a symbolic link. Anything but a regular file is refused before it is opened, so a
/// FIFO never blocks the run, and at most [`MAX_FILE_SIZE`] bytes are read, so a device or a
/// file that keeps growing cannot exhaust memory. The error says why, without the path.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(format!("cannot read the file: it is {what}"));
    }
    let too_large = || format!("the file is larger than {} MiB; not read", MAX_FILE_SIZE >> 20);
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large());
    }
    Ok(bytes)
}

/// [`read_bytes`] as UTF-8 text (a leading byte-order mark kept: see [`without_bom`]).
pub fn read_text(path: &Path) -> Result<String, String> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| format!("the file is not valid UTF-8 (at byte offset {})", e.utf8_error().valid_up_to()))
}

/// `text` without a leading UTF-8 byte-order mark, which JSON parsers refuse.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(crate::source::BOM).unwrap_or(text)
}

/// Reads `path`, following a symbolic link named explicitly. FIFOs, sockets and devices are
/// refused before they are opened, so a FIFO never blocks the run.
pub fn read_path(path: &Path, display: &str) -> Result<SourceFile, LoadError> {
    let bytes = read_bytes(path).map_err(io_error)?;
    from_bytes(display, bytes)
}

pub fn from_bytes(display: &str, bytes: Vec<u8>) -> Result<SourceFile, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(display, text)),
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let start = byte_position(bytes, at);
            let end = byte_position(bytes, at + e.utf8_error().error_len().unwrap_or(1));
            Err(LoadError::NotText(Box::new(Diagnostic::at(
                &xs001_invalid_json::RULE,
                start,
                end,
                format!("the file is not valid UTF-8 (byte 0x{:02X} at offset {at})", bytes[at]),
            ))))
        }
    }
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
