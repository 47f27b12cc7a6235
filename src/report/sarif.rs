//! SARIF 2.1.0, the OASIS interchange format for static analysis results, read by GitHub code
//! scanning, Azure DevOps, the VS Code SARIF viewer and most security dashboards.
//!
//! One run; `tool.driver.rules` lists every built-in rule (its "What it does" section as
//! `fullDescription`, its whole documentation as `help`) and then any other rule that has a finding (an organisation
//! policy). Paths are relative to `%SRCROOT%`, the working directory (given as a `file:` URL in
//! `originalUriBaseIds`); a path outside it is an absolute `file:` URL. Columns count Unicode
//! scalar values (`columnKind: unicodeCodePoints`); regions carry lines and columns only, no
//! offsets. Each result has `partialFingerprints["xsuaaLint/v1"]` (see [`super::fingerprint`])
//! and, in `properties`, the JSON pointer and the help text.
//!
//! Only safe fixes become SARIF `fixes`: SARIF has no notion of an unsafe fix and viewers offer
//! fixes in one click. An unsafe fix is described in `properties.unsafeFix` instead.

use super::{fingerprint, FileReport};
use crate::diagnostic::{Applicability, Diagnostic, RuleId, Severity};
use crate::rules;
use crate::source::Position;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encodes everything but unreserved characters and `/`, so that a path is a valid
/// relative URI reference (a `:` would otherwise read as a scheme).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn drive_letter(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || drive_letter(path)
}

/// A `file:` URL for an absolute path, `/home/me` or `C:/Users/me`.
fn file_url(path: &str) -> String {
    let path = path.replace('\\', "/");
    if drive_letter(&path) {
        format!("file:///{}:{}", &path[..1], percent_encode(&path[2..]))
    } else {
        format!("file://{}", percent_encode(&path))
    }
}

/// Where a reported path is: relative to `%SRCROOT%`, or a `file:` URL when it is absolute.
fn artifact_location(path: &str) -> Value {
    if is_absolute(path) {
        json!({ "uri": file_url(path) })
    } else {
        json!({ "uri": percent_encode(path), "uriBaseId": SRCROOT })
    }
}

fn region(start: Position, end: Position) -> Value {
    json!({
        "startLine": start.line.max(1),
        "startColumn": start.column.max(1),
        "endLine": end.line.max(1),
        "endColumn": end.column.max(1),
    })
}

/// Every built-in rule, then every other rule that has a finding, each once.
fn rules_of(reports: &[FileReport]) -> Vec<RuleId> {
    let mut out: Vec<RuleId> = rules::ALL.iter().map(|r| r.id()).collect();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        if !out.iter().any(|r| r.code == d.rule.code) {
            out.push(d.rule);
        }
    }
    out
}

fn rule_json(rule: &RuleId) -> Value {
    let mut v = json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
    });
    // Only built-in rules have documentation here and in the README; a policy has neither.
    if let Some(doc) = rules::rule_doc(rule.code) {
        // Viewers show `fullDescription` in lists: the "What it does" section; `help` has it all.
        let what = doc.split("## What it does").nth(1).and_then(|s| s.split("\n## ").next()).map_or(doc, str::trim);
        v["fullDescription"] = json!({ "text": what });
        v["help"] = json!({ "text": doc, "markdown": doc });
        v["helpUri"] = json!(format!("{}/blob/main/README.md#rules", env!("CARGO_PKG_REPOSITORY")));
    }
    v["defaultConfiguration"] = json!({ "level": level(rule.severity) });
    v
}

fn result_json(path: &str, d: &Diagnostic, rule_index: usize, fingerprint: String) -> Value {
    let mut properties = Map::new();
    properties.insert("pointer".into(), json!(d.pointer));
    if let Some(help) = &d.help {
        properties.insert("help".into(), json!(help));
    }
    let mut v = json!({
        "ruleId": d.rule.code,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": d.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(path),
                "region": region(d.start, d.end),
            }
        }],
        "partialFingerprints": { "xsuaaLint/v1": fingerprint },
    });
    match &d.fix {
        Some(fix) if fix.applicability == Applicability::Safe && !fix.edits.is_empty() => {
            let replacements: Vec<Value> = fix
                .edits
                .iter()
                .map(|e| json!({ "deletedRegion": region(e.start, e.end), "insertedContent": { "text": e.content } }))
                .collect();
            v["fixes"] = json!([{
                "description": { "text": fix.message },
                "artifactChanges": [{ "artifactLocation": artifact_location(path), "replacements": replacements }],
            }]);
        }
        Some(fix) if fix.applicability == Applicability::Unsafe => {
            properties.insert("unsafeFix".into(), json!(fix.message));
        }
        _ => {}
    }
    v["properties"] = Value::Object(properties);
    v
}

/// The whole SARIF log as a JSON value.
pub fn log(reports: &[FileReport]) -> Value {
    let rules = rules_of(reports);
    let mut results = Vec::new();
    for r in reports {
        for (d, fp) in r.diagnostics.iter().zip(fingerprint::of_report(r)) {
            let index = rules.iter().position(|rule| rule.code == d.rule.code).unwrap_or_default();
            results.push(result_json(&r.path, d, index, fp));
        }
    }
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "xsuaa-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules.iter().map(rule_json).collect::<Vec<_>>(),
            }
        },
        "invocations": [{ "executionSuccessful": true }],
    });
    if let Some(cwd) = std::env::current_dir().ok().and_then(|p| p.to_str().map(str::to_string)) {
        let mut url = file_url(&cwd);
        if !url.ends_with('/') {
            url.push('/');
        }
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": url } });
    }
    run["columnKind"] = json!("unicodeCodePoints");
    run["results"] = Value::Array(results);
    json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] })
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(reports))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, report};
    use crate::rules::{xs101_implicit_credential_types as xs101, xs214_migration_finished as xs214};

    #[test]
    fn severities_map_to_sarif_levels() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            artifact_location("app/xs-security.json"),
            json!({"uri": "app/xs-security.json", "uriBaseId": SRCROOT})
        );
        assert_eq!(artifact_location("my app/a:b%.json")["uri"], "my%20app/a%3Ab%25.json");
        assert_eq!(artifact_location("<stdin>")["uri"], "%3Cstdin%3E");
        assert_eq!(artifact_location("/srv/x y.json"), json!({"uri": "file:///srv/x%20y.json"}));
        assert_eq!(file_url("C:\\Users\\me"), "file:///C:/Users/me");
        assert_eq!(percent_encode("é"), "%C3%A9");
    }

    #[test]
    fn custom_rules_are_listed_once_after_the_built_in_ones() {
        let policy = crate::policy::rule("ORG1", "An organisation policy", Severity::Info);
        let reports = [report("a.json", vec![finding(policy, ""), finding(&xs101::RULE, ""), finding(policy, "/x")])];
        let log = log(&reports);
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), rules::ALL.len() + 1);
        let last = rules.last().unwrap();
        assert_eq!(last["id"], "ORG1");
        assert_eq!(last["defaultConfiguration"]["level"], "note");
        assert!(last.get("help").is_none() && last.get("helpUri").is_none());
        let results = run["results"].as_array().unwrap();
        assert_eq!(results[0]["ruleIndex"], rules::ALL.len());
        assert_eq!(results[0]["level"], "note");
        assert_eq!(rules[results[1]["ruleIndex"].as_u64().unwrap() as usize]["id"], "XS101");
        assert_ne!(results[0]["partialFingerprints"], results[2]["partialFingerprints"]);
        let xs214 = &rules[rules::ALL.iter().position(|r| r.code == xs214::RULE.code).unwrap()];
        assert_eq!(xs214["defaultConfiguration"]["level"], "note");
    }
}
