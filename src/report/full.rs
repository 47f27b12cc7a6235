//! The default human format: each finding with its source snippet, drawn by `miette`.

use super::{write_summary, FileReport, Summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use std::io::{self, Write};

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// Longer lines are not drawn: a snippet of them helps nobody, and `miette` cannot place a
/// label past column 65,535 (it panics).
const MAX_SNIPPET_LINE: usize = 4_096;

/// Whether the lines a snippet of `start..end` shows (one line of context on each side) are
/// short enough to draw.
fn shows_well(text: &str, start: usize, end: usize) -> bool {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let bytes = text.as_bytes();
    // From the start of the line before the span's first line to the end of the line after its
    // last one.
    let line_start = |at: usize| bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line_end = |at: usize| bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| at + i);
    let first = line_start(start);
    let from = if first == 0 { 0 } else { line_start(first - 1) };
    let last = line_end(end);
    let to = if last == bytes.len() { last } else { line_end(last + 1) };
    bytes[from..to].split(|&b| b == b'\n').all(|line| line.len() <= MAX_SNIPPET_LINE)
}

/// Renders one file's findings while its text is at hand.
/// Unsafe fixes are mentioned only when `show_unsafe` (`--unsafe-fixes`) is set; otherwise the
/// summary counts them.
pub fn render(
    path: &str,
    source: Option<&SourceFile>,
    diagnostics: &[Diagnostic],
    color: bool,
    show_unsafe: bool,
) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    // Lines break at spaces only: a command or a value such as `instance-secret` split at its
    // hyphen can't be copied.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100)
        .with_break_words(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let named = source.map(|s| NamedSource::new(path, s.text.clone()).with_language("json"));
    let mut out = String::new();
    for d in diagnostics {
        let mut diag = MietteDiagnostic::new(d.message.clone())
            .with_code(format!("{} {}", d.rule.code, d.rule.name))
            .with_severity(miette_severity(d.severity));
        if let Some(help) = &d.help {
            diag = diag.with_help(help.to_string());
        }
        if let Some(fix) =
            d.fix.as_ref().filter(|f| show_unsafe || f.applicability == crate::diagnostic::Applicability::Safe)
        {
            let kind = match fix.applicability {
                crate::diagnostic::Applicability::Safe => "fix",
                crate::diagnostic::Applicability::Unsafe => "unsafe fix",
            };
            let help = format!(
                "{}{}{kind} available: {}",
                d.help.as_deref().unwrap_or(""),
                if d.help.is_some() { "\n" } else { "" },
                fix.message
            );
            diag = diag.with_help(help);
        }
        let report = match &named {
            Some(named) if source.is_some_and(|s| shows_well(&s.text, d.start.offset, d.end.offset)) => {
                let len = d.end.offset.saturating_sub(d.start.offset);
                diag =
                    diag.with_label(LabeledSpan::new_with_span(Some(d.rule.name.to_string()), (d.start.offset, len)));
                miette::Report::new(diag).with_source_code(named.clone())
            }
            // Nothing to show (the file could not be read): name the file in the message.
            None => {
                let mut diag = diag;
                diag.message = format!("{path}: {}", d.message);
                miette::Report::new(diag)
            }
            // Lines too long to draw: the place in the message instead.
            Some(_) => {
                let mut diag = diag;
                diag.message = format!("{path}:{}:{}: {}", d.start.line, d.start.column, d.message);
                miette::Report::new(diag)
            }
        };
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out.push_str(&format!("{path}:{}:{}: {} {}\n", d.start.line, d.start.column, d.rule.code, d.message));
        }
        out.push('\n');
    }
    out
}

pub fn write(reports: &[FileReport], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    for r in reports {
        if let Some(text) = &r.rendered {
            out.write_all(text.as_bytes())?;
        }
    }
    write_summary(out, summary)
}
