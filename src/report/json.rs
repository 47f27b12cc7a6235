//! The JSON contract: one array of findings sorted by path, then position (see README).
//!
//! Findings are serialized one by one straight to the output through borrowed, typed records:
//! no JSON tree of the whole report is built (with 50,000 findings that tree alone took
//! hundreds of megabytes).

use super::FileReport;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::text::source::Position;
use serde::Serialize;
use std::io::{self, BufWriter, Write};

/// One finding as the contract has it; the field order is the key order of the output.
#[derive(Debug, Serialize)]
pub struct Finding<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub path: &'a str,
    pub pointer: &'a str,
    pub start: Position,
    pub end: Position,
    pub fix: Option<&'a Fix>,
    /// The SAP BTP security recommendation the rule checks; absent for the other rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<&'a str>,
}

impl<'a> Finding<'a> {
    pub fn new(path: &'a str, d: &'a Diagnostic) -> Self {
        Finding {
            code: d.rule.code,
            name: d.rule.name,
            severity: d.severity,
            message: &d.message,
            help: d.help.as_deref(),
            path,
            pointer: &d.pointer,
            start: d.start,
            end: d.end,
            fix: d.fix.as_ref(),
            recommendation: d.rule.recommendation,
        }
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    let mut started = false;
    for r in reports {
        write_file(r, &mut started, &mut out)?;
    }
    finish(started, &mut out)?;
    out.flush()
}

/// One file's findings as the next elements of the array, laid out as `serde_json`'s pretty
/// printer lays out the whole array (two spaces per level; a string never holds a raw line
/// break, so every line break of an element is layout). `started`: an element was written.
pub fn write_file(r: &FileReport, started: &mut bool, out: &mut dyn Write) -> io::Result<()> {
    let mut element = Vec::new();
    for d in &r.diagnostics {
        element.clear();
        serde_json::to_writer_pretty(&mut element, &Finding::new(&r.path, d))?;
        out.write_all(if *started { b",\n  " } else { b"[\n  " })?;
        *started = true;
        for (i, line) in element.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                out.write_all(b"\n  ")?;
            }
            out.write_all(line)?;
        }
    }
    Ok(())
}

/// The end of the array (an empty one if no finding was written), and the final newline.
pub fn finish(started: bool, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(if started { b"\n]\n" } else { b"[]\n" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Applicability, Edit};
    use crate::report::tests::{finding, report};
    use crate::rules::{xs101_implicit_credential_types, xs102_instance_secret_only};
    use serde_json::{json, Value};

    /// The report as a JSON tree, built the way this format once was: the reference for bytes.
    fn as_tree(reports: &[FileReport]) -> Vec<u8> {
        let all: Vec<Value> = reports
            .iter()
            .flat_map(|r| {
                r.diagnostics.iter().map(|d| {
                    let mut tree = json!({
                        "code": d.rule.code,
                        "name": d.rule.name,
                        "severity": d.severity,
                        "message": d.message,
                        "help": d.help.as_deref(),
                        "path": r.path,
                        "pointer": d.pointer,
                        "start": d.start,
                        "end": d.end,
                        "fix": d.fix,
                    });
                    if let Some(id) = d.rule.recommendation {
                        tree["recommendation"] = json!(id);
                    }
                    tree
                })
            })
            .collect();
        let mut out = serde_json::to_vec_pretty(&all).unwrap();
        out.push(b'\n');
        out
    }

    #[test]
    fn streamed_bytes_equal_the_tree() {
        let mut with_fix = finding(&xs102_instance_secret_only::RULE, "/a~1b/\"q\"\n");
        with_fix.help = Some("Say \u{e9}\t\\ \u{1F600} \u{7f}\u{1}".into());
        let at = Position { line: 1, column: 2, offset: 3 };
        with_fix.fix = Some(Fix {
            applicability: Applicability::Safe,
            message: "m".into(),
            edits: vec![
                Edit { start: at, end: at, content: "\"binding-secret\", ".into() },
                Edit { start: at, end: at, content: String::new() },
            ],
        });
        let reports = [
            report("a/xs-security.json", vec![finding(&xs101_implicit_credential_types::RULE, ""), with_fix]),
            report("b.json", vec![]),
            report("c/\u{fffd}.json", vec![finding(&xs101_implicit_credential_types::RULE, "/x")]),
        ];
        for reports in [&reports[..], &reports[1..2], &[]] {
            let mut out = Vec::new();
            write(reports, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(as_tree(reports)).unwrap());
        }
    }
}
