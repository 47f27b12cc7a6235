//! CSV, one row per instance, for spreadsheets and BI tools (RFC 4180 quoting).

use super::AuditReport;
use std::io::{self, Write};

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn write(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "repository,file,line,instance,kind,plan,state,codes")?;
    for repo in &report.repositories {
        for i in &repo.instances {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                field(&repo.path),
                field(&i.file),
                i.line,
                field(&i.name),
                i.kind,
                field(&i.plan),
                i.state,
                i.codes.join(" ")
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_when_needed() {
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(super::field("plain"), "plain");
    }
}
