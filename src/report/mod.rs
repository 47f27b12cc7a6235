//! Output formats. Each format is one module; none of them is known to the rules.

pub mod concise;
pub mod diff;
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

use crate::diagnostic::{Diagnostic, Severity};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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

/// The findings of one file, ready to print.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The `full` rendering, made while the file's text was still in memory.
    pub rendered: Option<String>,
    /// Fixes applied to this file (or that would be, with `--diff`).
    pub fixes_applied: usize,
    /// A unified diff of what `--fix` would change (`--diff`).
    pub diff: Option<String>,
}

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
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
            if !unsafe_fixes
                && d.fix.as_ref().is_some_and(|f| f.applicability == crate::diagnostic::Applicability::Unsafe)
            {
                s.unsafe_fixes_available += 1;
            }
        }
        s.fixes_applied = reports.iter().map(|r| r.fixes_applied).sum();
        s
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

/// Writes every report in `format`. `reports` must already be sorted by path.
pub fn write(format: OutputFormat, reports: &[FileReport], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    match format {
        OutputFormat::Full => full::write(reports, summary, out),
        OutputFormat::Concise => concise::write(reports, summary, out),
        OutputFormat::Json => json::write(reports, out),
        OutputFormat::JsonLines => json_lines::write(reports, out),
        OutputFormat::Sarif => sarif::write(reports, out),
        OutputFormat::Github => github::write(reports, out),
        OutputFormat::Gitlab => gitlab::write(reports, out),
        OutputFormat::Junit => junit::write(reports, out),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::FileReport;
    use crate::diagnostic::{Diagnostic, RuleId};
    use crate::source::Position;

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
