//! `path:line:column: CODE message`, one finding per line.

use super::{write_summary, FileReport, Summary};
use std::io::{self, Write};

pub fn write(reports: &[FileReport], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    for r in reports {
        for d in &r.diagnostics {
            writeln!(out, "{}:{}:{}: {} {}", r.path, d.start.line, d.start.column, d.rule.code, d.message)?;
        }
    }
    write_summary(out, summary)
}
