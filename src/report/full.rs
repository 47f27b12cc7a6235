//! The default human format: each finding with its source snippet, drawn by `miette`. The
//! path, the messages and the snippet show control characters as escapes
//! ([`crate::text::escape::terminal`]): only `miette`'s own colours reach the terminal.

use super::{write_summary, FileReport, Style, Summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::escape::{terminal, terminal_lines};
use crate::text::source::SourceFile;
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

/// `text` with the span of every finding that holds a secret masked by as many `*` as it has
/// bytes (offsets stay where they were), its enclosing quotes kept: a CI log or a terminal
/// shows where the secret is, never what it is.
pub fn masked_secrets<'a>(text: &'a str, diagnostics: &[Diagnostic]) -> std::borrow::Cow<'a, str> {
    let mut secrets = diagnostics.iter().filter(|d| d.secret).peekable();
    if secrets.peek().is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for d in secrets {
        let start = d.start.offset.min(bytes.len());
        let end = d.end.offset.clamp(start, bytes.len());
        let mut span = &mut bytes[start..end];
        if let [b'"' | b'\'', .., b'"' | b'\''] = span {
            let inner = span.len() - 1;
            span = &mut span[1..inner];
        }
        span.fill(b'*');
    }
    // Whole characters were replaced by ASCII bytes: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
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
    let path = &*terminal(path);
    // The snippet's text with its secrets masked and its controls shown, and where each offset
    // of the original went.
    let masked = source.map(|s| masked_secrets(&s.text, diagnostics));
    let shown = masked.as_deref().map(terminal_lines);
    let named = shown.as_ref().map(|(text, _)| NamedSource::new(path, text.to_string()).with_language("json"));
    let mut out = String::new();
    for d in diagnostics {
        let mut diag = MietteDiagnostic::new(terminal(&d.message))
            .with_code(format!("{} {}", d.rule.code, d.rule.name))
            .with_severity(miette_severity(d.severity));
        if let Some(help) = &d.help {
            diag = diag.with_help(terminal_lines(help).0);
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
                terminal_lines(d.help.as_deref().unwrap_or("")).0,
                if d.help.is_some() { "\n" } else { "" },
                terminal(&fix.message)
            );
            diag = diag.with_help(help);
        }
        let report = match (&named, &shown) {
            (Some(named), Some((text, map))) if shows_well(text, map.map(d.start.offset), map.map(d.end.offset)) => {
                let (start, end) = (map.map(d.start.offset), map.map(d.end.offset));
                let len = end.saturating_sub(start);
                diag = diag.with_label(LabeledSpan::new_with_span(Some(d.rule.name.to_string()), (start, len)));
                miette::Report::new(diag).with_source_code(named.clone())
            }
            // Nothing to show (the file could not be read): name the file in the message.
            (None, _) | (_, None) => {
                let mut diag = diag;
                diag.message = format!("{path}: {}", terminal(&d.message));
                miette::Report::new(diag)
            }
            // Lines too long to draw: the place in the message instead.
            (Some(_), Some(_)) => {
                let mut diag = diag;
                diag.message = format!("{path}:{}:{}: {}", d.start.line, d.start.column, terminal(&d.message));
                miette::Report::new(diag)
            }
        };
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out.push_str(&format!(
                "{path}:{}:{}: {} {}\n",
                d.start.line,
                d.start.column,
                d.rule.code,
                terminal(&d.message)
            ));
        }
        out.push('\n');
    }
    out
}

pub fn write(reports: &[FileReport], summary: &Summary, style: Style, out: &mut dyn Write) -> io::Result<()> {
    for r in reports {
        write_file(r, style, out)?;
    }
    write_summary(out, summary)
}

/// One file's findings, with snippets of its text when the report carries it.
pub fn write_file(r: &FileReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if r.diagnostics.is_empty() {
        return Ok(());
    }
    let text = render(&r.path, r.source.as_ref(), &r.diagnostics, style.color, style.show_unsafe);
    out.write_all(text.as_bytes())
}
