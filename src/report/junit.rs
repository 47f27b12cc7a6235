//! JUnit XML, read by CI test-report views (GitLab `junit` reports, Jenkins, Azure Pipelines,
//! GitHub test-report actions): one `<testsuite>`; per finding a `<testcase>` named
//! `CODE name at line:column` with the file as `classname`; per file without findings one passing
//! `<testcase name="xsuaa-lint">`.
//!
//! Errors and warnings are `<failure type="CODE">`. Infos pass: their test case carries the
//! message in `<system-out>` only, so that an info never fails a pipeline.

use super::FileReport;
use crate::diagnostic::{Diagnostic, Severity};
use std::io::{self, Write};

/// Escapes an XML 1.0 attribute value. Characters XML 1.0 cannot hold at all (most C0
/// controls) become U+FFFD; line breaks and tabs are written as references so that
/// attribute-value normalisation keeps them.
pub fn escape(s: &str) -> String {
    escape_with(s, true)
}

/// Escapes XML 1.0 character data: as [`escape`], but line feeds stay as they are.
pub fn escape_text(s: &str) -> String {
    escape_with(s, false)
}

fn escape_with(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if !attribute => out.push('\n'),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether a finding fails its test case.
pub fn fails(severity: Severity) -> bool {
    match severity {
        Severity::Error | Severity::Warning => true,
        Severity::Info => false,
    }
}

fn details(path: &str, d: &Diagnostic) -> String {
    let mut text =
        format!("{}: {}:{}:{}: {} {}", d.severity.as_str(), path, d.start.line, d.start.column, d.rule.code, d.message);
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let tests: usize = reports.iter().map(|r| r.diagnostics.len().max(1)).sum();
    let failures = reports.iter().flat_map(|r| &r.diagnostics).filter(|d| fails(d.severity)).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<testsuites name="xsuaa-lint" tests="{tests}" failures="{failures}" errors="0">"#)?;
    writeln!(out, r#"  <testsuite name="xsuaa-lint" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#)?;
    for r in reports {
        let classname = escape(&r.path);
        if r.diagnostics.is_empty() {
            writeln!(out, r#"    <testcase classname="{classname}" name="xsuaa-lint"/>"#)?;
        }
        for d in &r.diagnostics {
            let name = format!("{} {} at {}:{}", d.rule.code, d.rule.name, d.start.line, d.start.column);
            writeln!(out, r#"    <testcase classname="{classname}" name="{}">"#, escape(&name))?;
            let body = escape_text(&details(&r.path, d));
            if fails(d.severity) {
                writeln!(
                    out,
                    r#"      <failure message="{}" type="{}">{body}</failure>"#,
                    escape(&d.message),
                    escape(d.rule.code)
                )?;
            } else {
                writeln!(out, "      <system-out>{body}</system-out>")?;
            }
            writeln!(out, "    </testcase>")?;
        }
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, report};
    use crate::rules::xs101_implicit_credential_types::RULE;

    #[test]
    fn escaping() {
        assert_eq!(escape(r#"a & b < c > d "e" 'f'"#), "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;");
        assert_eq!(escape("x\r\n\ty"), "x&#13;&#10;&#9;y");
        assert_eq!(escape_text("x\r\n\ty <'>"), "x&#13;\n&#9;y &lt;&apos;&gt;");
        assert_eq!(escape("nul\u{0} bell\u{7} é"), "nul\u{fffd} bell\u{fffd} é");
    }

    #[test]
    fn errors_and_warnings_fail_infos_pass() {
        assert!(fails(Severity::Error));
        assert!(fails(Severity::Warning));
        assert!(!fails(Severity::Info));
    }

    #[test]
    fn counts_and_structure() {
        let mut info = finding(&RULE, "");
        info.severity = Severity::Info;
        let mut error = finding(&RULE, "/a");
        error.severity = Severity::Error;
        error.message = "a <b> & \"c\"".into();
        let reports = [report("a&b.json", vec![error, info]), report("clean.json", vec![])];
        let mut out = Vec::new();
        write(&reports, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"xsuaa-lint\" tests=\"3\" failures=\"1\""
        ));
        assert!(xml.contains(r#"<testcase classname="a&amp;b.json" name="XS101 implicit-credential-types at 2:3">"#));
        let failure = r#"<failure message="a &lt;b&gt; &amp; &quot;c&quot;" type="XS101">"#;
        assert!(
            xml.contains(&format!("{failure}error: a&amp;b.json:2:3: XS101 a &lt;b&gt; &amp; &quot;c&quot;</failure>"))
        );
        assert!(xml.contains("<system-out>info: a&amp;b.json:2:3: XS101 XS101 at"));
        assert!(xml.contains(r#"<testcase classname="clean.json" name="xsuaa-lint"/>"#));
        assert_eq!(xml.matches("<testcase ").count(), 3);
        assert_eq!(xml.matches("</testcase>").count(), 2);
        assert!(xml.ends_with("</testsuites>\n"));
    }
}
