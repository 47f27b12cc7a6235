//! JUnit XML, read by CI test-report views (GitLab `junit` reports, Jenkins, Azure Pipelines,
//! GitHub test-report actions): one `<testsuite>`; per finding a `<testcase>` named
//! `CODE name at line:column` with the file as `classname`; per file without findings one passing
//! `<testcase name="xsuaa-lint">`.
//!
//! Errors and warnings are `<failure type="CODE">`. Infos pass: their test case carries the
//! message in `<system-out>` only, so that an info never fails a pipeline.

use super::FileReport;
use crate::diagnostic::{Diagnostic, Severity};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

/// `s` with every character that XML 1.0 cannot hold (its `Char` production leaves out the C0
/// controls but tab, line feed and carriage return, and U+FFFE, U+FFFF) replaced by U+FFFD.
/// quick-xml escapes markup, but writes these as they are: no XML parser would read the report.
fn xml_chars(s: &str) -> Cow<'_, str> {
    let invalid =
        |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if s.contains(invalid) {
        Cow::Owned(s.chars().map(|c| if invalid(c) { '\u{fffd}' } else { c }).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Character data: escaped by quick-xml (markup, and carriage returns as references so that
/// line-end normalisation keeps them); tabs as references too, as this format always wrote them.
fn text(s: &str) -> BytesText<'static> {
    BytesText::from_escaped(quick_xml::escape::escape(xml_chars(s)).replace('\t', "&#9;"))
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
    let tests = reports.iter().map(|r| r.diagnostics.len().max(1)).sum::<usize>().to_string();
    let failures = reports.iter().flat_map(|r| &r.diagnostics).filter(|d| fails(d.severity)).count().to_string();
    let mut xml = Writer::new_with_indent(BufWriter::with_capacity(64 * 1024, out), b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let counts = [("tests", tests.as_str()), ("failures", failures.as_str()), ("errors", "0")];
    xml.create_element("testsuites")
        .with_attribute(("name", "xsuaa-lint"))
        .with_attributes(counts)
        .write_inner_content(|xml| {
            xml.create_element("testsuite")
                .with_attribute(("name", "xsuaa-lint"))
                .with_attributes(counts)
                .with_attribute(("skipped", "0"))
                .write_inner_content(|xml| {
                    for r in reports {
                        write_file(xml, r)?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    let mut out = xml.into_inner();
    writeln!(out)?;
    out.flush()
}

/// The test cases of one file: one per finding, or one passing case when it has none.
fn write_file<W: Write>(xml: &mut Writer<W>, r: &FileReport) -> io::Result<()> {
    // Attribute values: quick-xml escapes markup and writes line breaks and tabs as character
    // references, which attribute-value normalisation would otherwise turn into spaces.
    let classname = xml_chars(&r.path);
    if r.diagnostics.is_empty() {
        xml.create_element("testcase")
            .with_attribute(("classname", &*classname))
            .with_attribute(("name", "xsuaa-lint"))
            .write_empty()?;
    }
    for d in &r.diagnostics {
        let name = format!("{} {} at {}:{}", d.rule.code, d.rule.name, d.start.line, d.start.column);
        xml.create_element("testcase")
            .with_attribute(("classname", &*classname))
            .with_attribute(("name", &*xml_chars(&name)))
            .write_inner_content(|xml| {
                let body = text(&details(&r.path, d));
                if fails(d.severity) {
                    xml.create_element("failure")
                        .with_attribute(("message", &*xml_chars(&d.message)))
                        .with_attribute(("type", &*xml_chars(d.rule.code)))
                        .write_text_content(body)?;
                } else {
                    xml.create_element("system-out").write_text_content(body)?;
                }
                Ok(())
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, report};
    use crate::rules::xs101_implicit_credential_types::RULE;

    /// Every character a message or path may hold comes back from a strict XML parser as it
    /// was, but for those XML cannot hold (U+FFFD instead): markup, `]]>`, quotes, line breaks
    /// and tabs in attributes and in text, controls, non-characters, non-ASCII.
    #[test]
    fn any_text_reads_back_from_a_strict_parser() {
        let odd = "a&b <c> \"d\" 'e' ]]> \t|\n|\r\n|\r| nul\u{0} bell\u{7} esc\u{1b} del\u{7f} \u{85} \u{fffe}\u{ffff} é \u{1F600}";
        let readable = xml_chars(odd);
        assert_eq!(readable.matches('\u{fffd}').count(), 5, "{readable:?}");
        let mut error = finding(&RULE, "/a");
        error.severity = Severity::Error;
        error.message = odd.into();
        error.help = Some(odd.into());
        let mut info = error.clone();
        info.severity = Severity::Info;
        let reports = [report(odd, vec![error.clone(), info]), report(odd, vec![])];
        let mut out = Vec::new();
        write(&reports, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(cases.len(), 3);
        assert!(cases.iter().all(|c| c.attribute("classname") == Some(&*readable)));
        let failure = cases[0].first_element_child().unwrap();
        assert_eq!(failure.attribute("message"), Some(&*readable));
        let body = xml_chars(&details(odd, &error)).into_owned();
        assert_eq!(failure.text(), Some(body.as_str()));
        let system_out = cases[1].first_element_child().unwrap();
        assert_eq!(system_out.text(), Some(body.replacen("error:", "info:", 1).as_str()));
    }

    /// quick-xml writes what XML cannot hold as it is; [`xml_chars`] is what keeps the report
    /// readable.
    #[test]
    fn quick_xml_alone_would_write_a_control_character() {
        let mut xml = Writer::new(Vec::new());
        xml.create_element("a").with_attribute(("b", "\u{1}")).write_empty().unwrap();
        let written = String::from_utf8(xml.into_inner()).unwrap();
        assert_eq!(written, "<a b=\"\u{1}\"/>");
        assert!(roxmltree::Document::parse(&written).is_err());
    }

    #[test]
    fn escaping_is_byte_for_byte_as_before() {
        let mut error = finding(&RULE, "/a");
        error.severity = Severity::Error;
        error.message = "a\t\"b\"\r\n'c' <&>".into();
        let mut out = Vec::new();
        write(&[report("p\tq", vec![error])], &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let escaped = "a&#9;&quot;b&quot;&#13;&#10;&apos;c&apos; &lt;&amp;&gt;";
        assert!(xml.contains(&format!("<testcase classname=\"p&#9;q\" name=\"XS101 implicit-credential-types at 2:3\">\n      <failure message=\"{escaped}\" type=\"XS101\">error: p&#9;q:2:3: XS101 a&#9;&quot;b&quot;&#13;\n&apos;c&apos; &lt;&amp;&gt;</failure>\n    </testcase>\n")), "{xml}");
    }

    #[test]
    fn no_files() {
        let mut out = Vec::new();
        write(&[], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"xsuaa-lint\" tests=\"0\" failures=\"0\" errors=\"0\">\n  \
             <testsuite name=\"xsuaa-lint\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n  \
             </testsuite>\n\
             </testsuites>\n"
        );
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
