//! Output formats. Each format is one module; none of them is known to the rules.

pub mod concise;
pub mod fingerprint;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod json_lines;
pub mod junit;
pub mod live;
pub mod sarif;
pub mod statistics;

use crate::diagnostic::Severity;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::io::{self, Write};

/// What a path keeps unencoded in a URI: RFC 3986's unreserved characters and `/`.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// A `/`-separated path as a URI path: everything but unreserved characters and `/` is
/// percent-encoded (UTF-8), so that a relative path is a relative URI reference in which no
/// `:` reads as a scheme, no `#` as a fragment, no `?` as a query and no `%` as an escape.
pub fn uri_path(path: &str) -> String {
    utf8_percent_encode(path, URI_PATH).to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Each finding with the source snippet it points at (the default).
    Full,
    /// One line per finding: `path:line:column: CODE message`.
    Concise,
    /// One JSON array of findings, sorted by path then position (a documented contract).
    Json,
    /// One JSON object per line per finding, the same object as `json` (no array, no summary).
    JsonLines,
    /// A SARIF 2.1.0 log, for GitHub code scanning and other code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`), shown as annotations.
    Github,
    /// A GitLab Code Quality report (a JSON array), shown in merge requests.
    Gitlab,
    /// JUnit XML, one failing test case per finding, for CI test-report views.
    Junit,
}

pub use crate::diagnostic::FileReport;
/// Where the unified diff of `--diff` is made (with the fixes); kept here for its users.
pub use crate::lint::diff;

#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub files_checked: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixes_applied: usize,
    /// Fixes that `--unsafe-fixes` would add.
    pub unsafe_fixes_available: usize,
    pub fix_mode: bool,
    /// `--quiet`: findings only, no summary lines.
    pub quiet: bool,
}

impl Summary {
    pub fn of(reports: &[FileReport], files_checked: usize, fix_mode: bool, unsafe_fixes: bool) -> Self {
        let mut s = Summary { files_checked, fix_mode, ..Summary::default() };
        for report in reports {
            s.add(report, unsafe_fixes);
        }
        s
    }

    /// Counts one file's findings (and fixes).
    pub fn add(&mut self, report: &FileReport, unsafe_fixes: bool) {
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
            if !unsafe_fixes
                && d.fix.as_ref().is_some_and(|f| f.applicability == crate::diagnostic::Applicability::Unsafe)
            {
                self.unsafe_fixes_available += 1;
            }
        }
        self.fixes_applied += report.fixes_applied;
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

fn plural(n: usize, word: &str) -> String {
    let suffix = if word.ends_with('x') { "es" } else { "s" };
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}{suffix}")
    }
}

/// The closing lines of the human formats.
pub fn write_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    if s.quiet {
        return Ok(());
    }
    if s.fix_mode && s.fixes_applied > 0 {
        writeln!(out, "Applied {}.", plural(s.fixes_applied, "fix"))?;
    }
    if s.total() == 0 {
        writeln!(out, "No problems found in {}.", plural(s.files_checked, "file"))?;
    } else {
        let mut parts = vec![plural(s.errors, "error"), plural(s.warnings, "warning")];
        if s.infos > 0 {
            parts.push(plural(s.infos, "info"));
        }
        writeln!(
            out,
            "Found {} ({}) in {} checked.",
            plural(s.total(), "problem"),
            parts.join(", "),
            plural(s.files_checked, "file")
        )?;
    }
    if s.unsafe_fixes_available > 0 {
        writeln!(
            out,
            "{} hidden; `--unsafe-fixes` shows them and, with `--fix`, applies them (read each rule's documentation first).",
            plural(s.unsafe_fixes_available, "unsafe fix")
        )?;
    }
    Ok(())
}

/// How the human formats show findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Colour in the `full` format.
    pub color: bool,
    /// `--unsafe-fixes`: unsafe fixes are shown, not only counted.
    pub show_unsafe: bool,
}

/// Writes every report in `format`. `reports` must already be sorted by path.
pub fn write(
    format: OutputFormat,
    reports: Vec<FileReport>,
    summary: &Summary,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut stream = Stream::new(format, style);
    for report in reports {
        stream.file(report, out)?;
    }
    stream.finish(summary, out)
}

/// One output written as a run's files complete, in path order: the formats that can write a
/// file's findings at once do so; SARIF, GitLab and JUnit need the whole run and keep the
/// reports until [`Stream::finish`].
pub struct Stream {
    format: OutputFormat,
    style: Style,
    /// The JSON array: whether a finding was written (the next one needs a comma).
    json_started: bool,
    held: Vec<FileReport>,
}

impl Stream {
    pub fn new(format: OutputFormat, style: Style) -> Self {
        Stream { format, style, json_started: false, held: Vec::new() }
    }

    /// Whether reports should carry their file's text (the `full` format shows snippets).
    pub fn wants_source(&self) -> bool {
        self.format == OutputFormat::Full
    }

    /// One file's report, the next in path order.
    pub fn file(&mut self, report: FileReport, out: &mut dyn Write) -> io::Result<()> {
        let one = std::slice::from_ref(&report);
        match self.format {
            OutputFormat::Full => full::write_file(&report, self.style, out),
            OutputFormat::Concise => concise::write_file(&report, out),
            OutputFormat::Json => json::write_file(&report, &mut self.json_started, out),
            OutputFormat::JsonLines => json_lines::write(one, out),
            OutputFormat::Github => github::write(one, out),
            OutputFormat::Sarif | OutputFormat::Gitlab | OutputFormat::Junit => {
                // Kept without the text, which none of them shows.
                self.held.push(FileReport { source: None, ..report });
                Ok(())
            }
        }
    }

    /// The end of the output: what the whole run decides (summary lines, closing brackets).
    pub fn finish(self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            OutputFormat::Full | OutputFormat::Concise => write_summary(out, summary),
            OutputFormat::Json => json::finish(self.json_started, out),
            OutputFormat::JsonLines | OutputFormat::Github => Ok(()),
            OutputFormat::Sarif => sarif::write(&self.held, out),
            OutputFormat::Gitlab => gitlab::write(&self.held, out),
            OutputFormat::Junit => junit::write(&self.held, out),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::FileReport;
    use crate::diagnostic::{Diagnostic, RuleId};
    use crate::text::source::Position;

    /// A finding of `rule` at `pointer`, on line 2, columns 3 to 5.
    pub fn finding(rule: impl Into<RuleId>, pointer: &str) -> Diagnostic {
        let rule = rule.into();
        let start = Position { line: 2, column: 3, offset: 10 };
        let end = Position { line: 2, column: 5, offset: 12 };
        let mut d = Diagnostic::at(rule, start, end, format!("{} at {pointer:?}", rule.code));
        d.pointer = pointer.to_string();
        d
    }

    pub fn report(path: &str, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport { path: path.to_string(), diagnostics, ..FileReport::default() }
    }
}
