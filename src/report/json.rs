//! The JSON contract: one array of findings sorted by path, then position (see README).

use super::FileReport;
use crate::diagnostic::Diagnostic;
use serde_json::{json, Value};
use std::io::{self, Write};

pub fn diagnostic_json(path: &str, d: &Diagnostic) -> Value {
    json!({
        "code": d.rule.code,
        "name": d.rule.name,
        "severity": d.severity,
        "message": d.message,
        "help": d.help,
        "path": path,
        "pointer": d.pointer,
        "start": d.start,
        "end": d.end,
        "fix": d.fix,
    })
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let all: Vec<Value> =
        reports.iter().flat_map(|r| r.diagnostics.iter().map(|d| diagnostic_json(&r.path, d))).collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}
