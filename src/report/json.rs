//! The JSON contract: one array of findings sorted by path, then position (see README).
//!
//! Findings are serialized one by one straight to the output through borrowed, typed records:
//! no JSON tree of the whole report is built (with 50,000 findings that tree alone took
//! hundreds of megabytes).

use super::FileReport;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::source::Position;
use serde::{Serialize, Serializer};
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

/// Every finding of the reports, serialized as one array while it is iterated.
struct AllFindings<'a>(&'a [FileReport]);

impl Serialize for AllFindings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flat_map(|r| r.diagnostics.iter().map(|d| Finding::new(&r.path, d))))
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut out, &AllFindings(reports))?;
    writeln!(out)?;
    out.flush()
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
