//! GitLab Code Quality: a JSON array of issues (`description`, `check_name`, `fingerprint`,
//! `severity`, `location`), uploaded as the `codequality` report of a CI job; GitLab shows new and
//! fixed findings in merge requests, matched by fingerprint (see [`super::fingerprint`]).
//! An empty array when there is no finding.
//!
//! Each issue is a typed record borrowing from its finding, serialized straight to the output
//! while the findings are iterated: no JSON tree of the report is built.

use super::{fingerprint, FileReport};
use crate::diagnostic::{Diagnostic, Severity};
use serde::{Serialize, Serializer};
use std::io::{self, BufWriter, Write};

pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// One Code Quality issue; the field order is the key order of the output.
#[derive(Debug, Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Debug, Serialize)]
struct Location<'a> {
    path: &'a str,
    positions: Positions,
}

#[derive(Debug, Serialize)]
struct Positions {
    begin: LineColumn,
    end: LineColumn,
}

#[derive(Debug, Serialize)]
struct LineColumn {
    line: usize,
    column: usize,
}

impl<'a> Issue<'a> {
    fn new(path: &'a str, d: &'a Diagnostic, fingerprint: String) -> Self {
        Issue {
            description: format!("{} {}", d.rule.code, d.message),
            check_name: d.rule.code,
            fingerprint,
            severity: severity(d.severity),
            location: Location {
                path,
                positions: Positions {
                    begin: LineColumn { line: d.start.line, column: d.start.column },
                    end: LineColumn { line: d.end.line, column: d.end.column },
                },
            },
        }
    }
}

/// Every finding's issue, in report order.
fn issues(reports: &[FileReport]) -> impl Iterator<Item = Issue<'_>> {
    reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().zip(fingerprint::of_report(r)).map(|(d, fp)| Issue::new(&r.path, d, fp)))
}

/// The issues, serialized as one array while they are made.
struct AllIssues<'a>(&'a [FileReport]);

impl Serialize for AllIssues<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(issues(self.0))
    }
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut out, &AllIssues(reports))?;
    writeln!(out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, report};
    use crate::rules::xs101_implicit_credential_types::RULE;

    #[test]
    fn severities_map_to_code_quality_levels() {
        assert_eq!(severity(Severity::Error), "major");
        assert_eq!(severity(Severity::Warning), "minor");
        assert_eq!(severity(Severity::Info), "info");
    }

    #[test]
    fn fingerprints_are_unique_per_finding_and_ignore_positions() {
        let same_place = || vec![finding(&RULE, "/a"), finding(&RULE, "/a"), finding(&RULE, "/b")];
        let reports = [report("x.json", same_place()), report("y.json", same_place())];
        let fps: Vec<String> = issues(&reports).map(|i| i.fingerprint).collect();
        let unique: std::collections::HashSet<&String> = fps.iter().collect();
        assert_eq!(unique.len(), 6);
        let mut moved = same_place();
        moved[0].start.line = 40;
        moved[0].end.line = 41;
        let moved = [report("x.json", moved)];
        let again: Vec<String> = issues(&moved).map(|i| i.fingerprint).collect();
        assert_eq!(again, fps[..3]);
    }

    /// The report as the JSON tree it was once built as: the reference for bytes.
    fn as_tree(reports: &[FileReport]) -> Vec<u8> {
        let mut all = Vec::new();
        for r in reports {
            for (d, fp) in r.diagnostics.iter().zip(fingerprint::of_report(r)) {
                all.push(serde_json::json!({
                    "description": format!("{} {}", d.rule.code, d.message),
                    "check_name": d.rule.code,
                    "fingerprint": fp,
                    "severity": severity(d.severity),
                    "location": {
                        "path": r.path,
                        "positions": {
                            "begin": { "line": d.start.line, "column": d.start.column },
                            "end": { "line": d.end.line, "column": d.end.column },
                        },
                    },
                }));
            }
        }
        let mut out = serde_json::to_vec_pretty(&all).unwrap();
        out.push(b'\n');
        out
    }

    #[test]
    fn streamed_bytes_equal_the_tree() {
        let mut odd = finding(&RULE, "/a~1b/\"q\"\n");
        odd.message = "Say \u{e9}\t\\ \u{1F600} \u{7f}\u{1} </script>".into();
        odd.severity = Severity::Error;
        let reports = [
            report("a/xs-security.json", vec![finding(&RULE, ""), odd]),
            report("b.json", vec![]),
            report("c/\u{fffd} \"x\".json", vec![finding(&RULE, "/x")]),
        ];
        for reports in [&reports[..], &reports[1..2], &[]] {
            let mut out = Vec::new();
            write(reports, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), String::from_utf8(as_tree(reports)).unwrap());
        }
    }

    #[test]
    fn empty_array_when_clean() {
        let mut out = Vec::new();
        write(&[report("a.json", vec![])], &mut out).unwrap();
        assert_eq!(out, b"[]\n");
    }
}
