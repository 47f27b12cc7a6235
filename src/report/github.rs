//! GitHub Actions workflow commands, one per finding:
//! `::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CODE name::message`.
//! The Actions runner turns them into annotations on the pull request; nothing else reads them.
//! Warnings become `::warning`, infos `::notice`. No summary line (it would be an annotation-less
//! log line anyway; the exit code tells the outcome).

use super::FileReport;
use crate::diagnostic::Severity;
use std::io::{self, Write};

pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes the message (the data after `::`), as the Actions toolkit does.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file=...`, `title=...`): the data escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for r in reports {
        for d in &r.diagnostics {
            writeln!(
                out,
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                command(d.severity),
                escape_property(&r.path),
                d.start.line,
                d.start.column,
                d.end.line,
                d.end.column,
                escape_property(&format!("{} {}", d.rule.code, d.rule.name)),
                escape_data(&d.message)
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, report};
    use crate::rules::xs101_implicit_credential_types::RULE;

    #[test]
    fn severities_map_to_commands() {
        assert_eq!(command(Severity::Error), "error");
        assert_eq!(command(Severity::Warning), "warning");
        assert_eq!(command(Severity::Info), "notice");
    }

    #[test]
    fn escaping() {
        let s = "100%, a: b\r\nc";
        assert_eq!(escape_data(s), "100%25, a: b%0D%0Ac");
        assert_eq!(escape_property(s), "100%25%2C a%3A b%0D%0Ac");
        // `%` first: an escape is never escaped twice.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_command_per_finding() {
        let mut d = finding(&RULE, "");
        d.message = "bad: 50%, see\nhere".into();
        d.severity = Severity::Info;
        let mut out = Vec::new();
        write(&[report("dir,x/a:b.json", vec![d]), report("clean.json", vec![])], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::notice file=dir%2Cx/a%3Ab.json,line=2,col=3,endLine=2,endColumn=5,\
             title=XS101 implicit-credential-types::bad: 50%25, see%0Ahere\n"
        );
    }
}
