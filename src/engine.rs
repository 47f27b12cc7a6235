//! Orchestration of `check`: discover -> load -> lint or fix -> one report per file, in parallel,
//! holding one file at a time per worker; reports come back sorted by path.

use crate::discover::{self, Found};
use crate::fix::{self, FixOutcome};
use crate::history::History;
use crate::load::{self, LoadError};
use crate::report::{full, FileReport, OutputFormat};
use crate::rules::xs000_io_error;
use crate::source::SourceFile;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Report only.
    Off,
    /// Write the fixed files.
    Apply,
    /// Write nothing; show a unified diff of what `Apply` would change.
    Diff,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub format: OutputFormat,
    pub color: bool,
    pub fix: FixMode,
    pub unsafe_fixes: bool,
    pub stdin_filename: String,
    pub threads: usize,
    /// `--base REV`; `None` compares with `HEAD`.
    pub base: Option<String>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub reports: Vec<FileReport>,
    pub files_checked: usize,
    /// Paths that could not be read, or fixed files that could not be written.
    pub io_errors: usize,
    /// Files whose fix was refused by the safety check, with the reason.
    pub refused: Vec<(String, String)>,
    /// With `--fix` on standard input: the fixed text, for standard output.
    pub fixed_stdin: Option<String>,
    /// Repositories that could not be opened, or a `--base` that does not resolve.
    pub history_errors: Vec<String>,
}

/// One input as given on the command line.
enum Target {
    Stdin,
    File(PathBuf),
    Dir(PathBuf),
    Missing(PathBuf),
}

fn classify(path: &Path) -> Target {
    if path.as_os_str() == "-" {
        return Target::Stdin;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Target::Dir(path.to_path_buf()),
        Ok(_) => Target::File(path.to_path_buf()),
        // A dangling or looping symbolic link is "there"; reading it reports why it fails.
        Err(_) if std::fs::symlink_metadata(path).is_ok() => Target::File(path.to_path_buf()),
        Err(_) => Target::Missing(path.to_path_buf()),
    }
}

struct Collector {
    /// Files already taken, by canonical path: a file named twice (or named and walked) is
    /// linted once, so `--fix` never writes it twice and `--diff` never repeats a hunk.
    seen: Mutex<HashSet<PathBuf>>,
    reports: Mutex<Vec<FileReport>>,
    checked: Mutex<usize>,
    io_errors: Mutex<usize>,
    refused: Mutex<Vec<(String, String)>>,
    fixed_stdin: Mutex<Option<String>>,
    history: History,
}

pub fn check(paths: &[PathBuf], opts: &Options) -> Outcome {
    let cwd = std::env::current_dir().ok();
    let collector = Collector {
        seen: Mutex::new(HashSet::new()),
        reports: Mutex::new(Vec::new()),
        checked: Mutex::new(0),
        io_errors: Mutex::new(0),
        refused: Mutex::new(Vec::new()),
        fixed_stdin: Mutex::new(None),
        history: History::new(opts.base.as_deref()),
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for path in paths {
        match classify(path) {
            Target::Stdin => collector.stdin(opts),
            Target::File(p) => files.push(p),
            Target::Dir(p) => dirs.push(p),
            Target::Missing(p) => {
                let display = discover::display_path(&p, cwd.as_deref());
                collector.io_error(&display, "the path does not exist".into(), opts);
            }
        }
    }
    files.par_iter().for_each(|p| collector.file(p, &discover::display_path(p, cwd.as_deref()), opts));
    discover::walk(&dirs, opts.threads, &|found| match found {
        Found::Descriptor(p) => collector.file(&p, &discover::display_path(&p, cwd.as_deref()), opts),
        Found::NotRegular(p) => collector.io_error(
            &discover::display_path(&p, cwd.as_deref()),
            "cannot read the file: it is not a regular file (a FIFO, socket or device)".into(),
            opts,
        ),
        Found::Error { path, message } => {
            let display = path.map_or_else(|| "<walk>".to_string(), |p| discover::display_path(&p, cwd.as_deref()));
            collector.io_error(&display, message, opts)
        }
    });
    let mut reports = collector.reports.into_inner().unwrap_or_default();
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    let mut refused = collector.refused.into_inner().unwrap_or_default();
    refused.sort();
    Outcome {
        reports,
        files_checked: collector.checked.into_inner().unwrap_or_default(),
        io_errors: collector.io_errors.into_inner().unwrap_or_default(),
        refused,
        fixed_stdin: collector.fixed_stdin.into_inner().unwrap_or_default(),
        history_errors: collector.history.errors(),
    }
}

impl Collector {
    fn push(&self, report: FileReport) {
        if let Ok(mut reports) = self.reports.lock() {
            reports.push(report);
        }
    }

    fn io_error(&self, display: &str, message: String, opts: &Options) {
        let zero = crate::diagnostic::Position { line: 1, column: 1, offset: 0 };
        let diagnostic = crate::diagnostic::Diagnostic::at(&xs000_io_error::RULE, zero, zero, message);
        self.load_failed(display, LoadError::Io(Box::new(diagnostic)), opts);
    }

    fn load_failed(&self, display: &str, error: LoadError, opts: &Options) {
        if matches!(error, LoadError::Io(_)) {
            *self.io_errors.lock().unwrap() += 1;
        } else {
            *self.checked.lock().unwrap() += 1;
        }
        let diagnostics = vec![error.into_diagnostic()];
        let rendered = (opts.format == OutputFormat::Full)
            .then(|| full::render(display, None, &diagnostics, opts.color, opts.unsafe_fixes));
        self.push(FileReport { path: display.to_string(), diagnostics, rendered, ..FileReport::default() });
    }

    fn file(&self, path: &Path, display: &str, opts: &Options) {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.lock().unwrap().insert(key) {
            return;
        }
        match load::read_path(path, display) {
            Ok(source) => self.source(source, Some(path), opts),
            Err(e) => self.load_failed(display, e, opts),
        }
    }

    fn stdin(&self, opts: &Options) {
        match load::read_stdin(&opts.stdin_filename) {
            Ok(source) => self.source(source, None, opts),
            Err(e) => self.load_failed(&opts.stdin_filename, e, opts),
        }
    }

    /// Lints (or fixes) one loaded file. `write_to` is `None` for standard input.
    fn source(&self, source: SourceFile, write_to: Option<&Path>, opts: &Options) {
        *self.checked.lock().unwrap() += 1;
        let mut report = FileReport { path: source.path.clone(), ..FileReport::default() };
        let base = write_to.and_then(|path| self.history.baseline(path, &source.text));
        let base = base.as_ref();
        let mut shown = source;
        match opts.fix {
            FixMode::Off => report.diagnostics = crate::lint::lint_against(&shown, base),
            FixMode::Apply | FixMode::Diff => match fix::fix_source(&shown, opts.unsafe_fixes, base) {
                FixOutcome::Unchanged(diagnostics) => report.diagnostics = diagnostics,
                FixOutcome::Refused { reason, diagnostics } => {
                    self.refused.lock().unwrap().push((shown.path.clone(), reason));
                    report.diagnostics = diagnostics;
                }
                FixOutcome::Fixed(fixed) if opts.fix == FixMode::Diff => {
                    report.fixes_applied = fixed.applied;
                    report.diff = Some(crate::report::diff::unified(&shown.path, &shown.text, &fixed.text));
                    report.diagnostics = fixed.remaining;
                }
                FixOutcome::Fixed(fixed) => {
                    let written = write_to.map_or(Ok(()), |path| fix::write::write_atomically(path, &fixed.text));
                    match written {
                        Ok(()) => {
                            report.fixes_applied = fixed.applied;
                            report.diagnostics = fixed.remaining;
                            shown = SourceFile::new(shown.path.clone(), fixed.text);
                        }
                        Err(e) => {
                            *self.io_errors.lock().unwrap() += 1;
                            let reason = format!("cannot write the fixed file: {e}");
                            self.refused.lock().unwrap().push((shown.path.clone(), reason));
                            report.diagnostics = crate::lint::lint_against(&shown, base);
                        }
                    }
                }
            },
        }
        // Standard input with `--fix`: the (possibly fixed) text goes to standard output.
        if write_to.is_none() && opts.fix == FixMode::Apply {
            *self.fixed_stdin.lock().unwrap() = Some(shown.text.clone());
        }
        if opts.format == OutputFormat::Full && opts.fix != FixMode::Diff && !report.diagnostics.is_empty() {
            report.rendered =
                Some(full::render(&report.path, Some(&shown), &report.diagnostics, opts.color, opts.unsafe_fixes));
        }
        self.push(report);
    }
}
