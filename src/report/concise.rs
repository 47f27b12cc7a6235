//! `path:line:column: CODE message`, one finding per line; control characters in the path or
//! the message shown as escapes ([`crate::text::escape::terminal`]).

use super::{write_summary, FileReport, Summary};
use crate::text::escape::terminal;
use std::io::{self, Write};

pub fn write(reports: &[FileReport], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    for r in reports {
        write_file(r, out)?;
    }
    write_summary(out, summary)
}

/// One file's findings.
pub fn write_file(r: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    for d in &r.diagnostics {
        let (path, message) = (terminal(&r.path), terminal(&d.message));
        writeln!(out, "{path}:{}:{}: {} {message}", d.start.line, d.start.column, d.rule.code)?;
    }
    Ok(())
}
