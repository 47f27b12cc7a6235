//! Reading a file into a [`SourceFile`]: only regular files, bounded in size, valid UTF-8.
//! Bytes that are not UTF-8 are a syntax error of the format the file is read as: XS001 for a
//! descriptor (strict JSON), XS004 for a deployment file (YAML or HCL).

use crate::diagnostic::Diagnostic;
use crate::rules::{xs000_io_error, xs001_invalid_json, xs004_invalid_deployment_file, Rule};
use crate::source::Position;
use crate::source::{byte_position, SourceFile};
use std::io::Read;
use std::path::Path;

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
pub enum Format {
    /// A JSON descriptor or credentials file: XS001.
    Json,
    /// An MTA file or extension, a Kubernetes manifest or a Terraform file: XS004.
    Deployment,
}

impl Format {
    fn rule(self) -> &'static Rule {
        match self {
            Format::Json => &xs001_invalid_json::RULE,
            Format::Deployment => &xs004_invalid_deployment_file::RULE,
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
    read_bytes_at_most(path, MAX_FILE_SIZE)
}

/// [`read_bytes`] with another bound (an audit report of a large estate exceeds 16 MiB).
pub fn read_bytes_at_most(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(format!("cannot read the file: it is {what}"));
    }
    let too_large = || format!("the file is larger than {} MiB; not read", max >> 20);
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > max {
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

/// Reads a JSON file at `path` (see [`read_path_as`]).
pub fn read_path(path: &Path, display: &str) -> Result<SourceFile, LoadError> {
    read_path_as(path, display, Format::Json)
}

/// Reads `path`, following a symbolic link named explicitly. FIFOs, sockets and devices are
/// refused before they are opened, so a FIFO never blocks the run.
pub fn read_path_as(path: &Path, display: &str, format: Format) -> Result<SourceFile, LoadError> {
    let bytes = read_bytes(path).map_err(io_error)?;
    from_bytes_as(display, bytes, format)
}

/// The text of a JSON file (see [`from_bytes_as`]).
pub fn from_bytes(display: &str, bytes: Vec<u8>) -> Result<SourceFile, LoadError> {
    from_bytes_as(display, bytes, Format::Json)
}

/// The bytes as text; bytes that are not UTF-8 are a finding of `format`'s syntax rule at the
/// first invalid sequence.
pub fn from_bytes_as(display: &str, bytes: Vec<u8>, format: Format) -> Result<SourceFile, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(display, text)),
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let start = byte_position(bytes, at);
            let end = byte_position(bytes, at + e.utf8_error().error_len().unwrap_or(bytes.len() - at));
            let diagnostic = Diagnostic::at(
                format.rule(),
                start,
                end,
                format!("the file is not valid UTF-8 (byte 0x{:02X} at offset {at})", bytes[at]),
            );
            Err(LoadError::NotText {
                diagnostic: Box::new(diagnostic),
                lossy: String::from_utf8_lossy(bytes).into_owned(),
            })
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

/// The disk, as the deployment model reads the files a deployment file brings in.
pub struct Disk;

impl crate::deployment::Files for Disk {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, crate::deployment::Unreadable> {
        use crate::deployment::Unreadable;
        read_path(path, shown).map_err(|e| match e {
            LoadError::NotText { diagnostic, lossy } => {
                Unreadable::NotText { offset: diagnostic.start.offset, message: diagnostic.message, lossy }
            }
            LoadError::Io(_) => Unreadable::Missing,
        })
    }

    fn list(&self, folder: &Path, suffix: &str) -> Vec<std::path::PathBuf> {
        let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
        let mut out: Vec<std::path::PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)))
            .collect();
        out.sort();
        out
    }
}
