//! GitLab Code Quality: a JSON array of issues (`description`, `check_name`, `fingerprint`,
//! `severity`, `location`), uploaded as the `codequality` report of a CI job; GitLab shows new and
//! fixed findings in merge requests, matched by fingerprint (see [`super::fingerprint`]).
//! An empty array when there is no finding.

use super::{fingerprint, FileReport};
use crate::diagnostic::Severity;
use serde_json::{json, Value};
use std::io::{self, Write};

pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn issues(reports: &[FileReport]) -> Vec<Value> {
    let mut all = Vec::new();
    for r in reports {
        for (d, fp) in r.diagnostics.iter().zip(fingerprint::of_report(r)) {
            all.push(json!({
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
    all
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &issues(reports))?;
    writeln!(out)
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
        let fps: Vec<Value> = issues(&reports).iter().map(|i| i["fingerprint"].clone()).collect();
        let unique: std::collections::HashSet<String> = fps.iter().map(|f| f.to_string()).collect();
        assert_eq!(unique.len(), 6);
        let mut moved = same_place();
        moved[0].start.line = 40;
        moved[0].end.line = 41;
        let again: Vec<Value> = issues(&[report("x.json", moved)]).iter().map(|i| i["fingerprint"].clone()).collect();
        assert_eq!(again, fps[..3]);
    }

    #[test]
    fn empty_array_when_clean() {
        let mut out = Vec::new();
        write(&[report("a.json", vec![])], &mut out).unwrap();
        assert_eq!(out, b"[]\n");
    }
}
