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
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1).with_width(100);
    let named = source.map(|s| NamedSource::new(path, s.text.clone()).with_language("json"));
    let mut out = String::new();
    for d in diagnostics {
        let mut diag = MietteDiagnostic::new(d.message.clone())
            .with_code(format!("{} {}", d.rule.code, d.rule.name))
            .with_severity(miette_severity(d.severity));
        if let Some(help) = &d.help {
            diag = diag.with_help(help.clone());
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
            Some(named) => {
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
