//! JSON Lines: one finding per line, each the same object as in the `json` format, for tools
//! that stream (`jq`, log shippers, `grep`). Nothing is written when there is no finding.

use super::{json::Finding, FileReport};
use std::io::{self, BufWriter, Write};

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    for r in reports {
        for d in &r.diagnostics {
            serde_json::to_writer(&mut out, &Finding::new(&r.path, d))?;
            writeln!(out)?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, report};
    use crate::rules::xs101_implicit_credential_types::RULE;

    #[test]
    fn one_object_per_line() {
        let reports = [
            report("a.json", vec![finding(&RULE, "/x\ny")]),
            report("b.json", vec![]),
            report("c.json", vec![finding(&RULE, "")]),
        ];
        let mut out = Vec::new();
        write(&reports, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(text.ends_with('\n'));
        let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first, serde_json::to_value(Finding::new("a.json", &reports[0].diagnostics[0])).unwrap());
        assert_eq!(first["pointer"], "/x\ny");
    }

    #[test]
    fn nothing_when_clean() {
        let mut out = Vec::new();
        write(&[report("a.json", vec![])], &mut out).unwrap();
        assert!(out.is_empty());
    }
}
