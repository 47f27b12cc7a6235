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
//!
//! The log is a tree of typed records borrowing from the reports; its results are serialized
//! one by one straight to the output while they are made, so no JSON tree of the whole log is
//! ever built (with 50,000 findings that tree alone took most of a gigabyte). The field order of
//! each record is the key order of the output.

use super::{fingerprint, uri_path, FileReport};
use crate::diagnostic::{Applicability, Diagnostic, RuleId, Severity};
use crate::rules;
use crate::text::source::Position;
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use std::io::{self, BufWriter, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn drive_letter(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Whether a reported path is absolute: `/...`, or on Windows `C:/...`. Elsewhere `c:/x.json`
/// is a relative path whose first folder is named `c:`.
fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || (cfg!(windows) && drive_letter(path))
}

/// A `file:` URL for an absolute path, `/home/me` or `C:/Users/me` (the drive stays as it is).
fn file_url(path: &str) -> String {
    let path = path.replace('\\', "/");
    if drive_letter(&path) {
        format!("file:///{}:{}", &path[..1], uri_path(&path[2..]))
    } else {
        format!("file://{}", uri_path(&path))
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// Where a reported path is: relative to `%SRCROOT%`, or a `file:` URL when it is absolute.
fn artifact_location(path: &str) -> ArtifactLocation {
    if is_absolute(path) {
        ArtifactLocation { uri: file_url(path), uri_base_id: None }
    } else {
        ArtifactLocation { uri: uri_path(path), uri_base_id: Some(SRCROOT) }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

impl Region {
    fn new(start: Position, end: Position) -> Self {
        Region {
            start_line: start.line.max(1),
            start_column: start.column.max(1),
            end_line: end.line.max(1),
            end_column: end.column.max(1),
        }
    }
}

#[derive(Debug, Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Debug, Serialize)]
struct Multiformat<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Debug, Serialize)]
struct Configuration {
    level: &'static str,
}

/// A rule as `tool.driver.rules` lists it (SARIF's `reportingDescriptor`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Multiformat<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RuleProperties<'a>>,
}

/// A rule's `properties`: its `tags`, which name the SAP BTP security recommendation it checks
/// (code scanning filters alerts by tag).
#[derive(Debug, Serialize)]
struct RuleProperties<'a> {
    tags: [&'a str; 2],
}

fn tags(recommendation: Option<&str>) -> Option<[&str; 2]> {
    recommendation.map(|id| ["security", id])
}

impl<'a> Rule<'a> {
    fn new(rule: &'a RuleId, help_uri: &'a str) -> Self {
        // Only built-in rules have documentation here and in the README; a policy has neither.
        let doc = rules::rule_doc(rule.code);
        // Viewers show `fullDescription` in lists: the "What it does" section; `help` has it all.
        let what = doc.map(|doc| {
            doc.split("## What it does").nth(1).and_then(|s| s.split("\n## ").next()).map_or(doc, str::trim)
        });
        Rule {
            id: rule.code,
            name: rule.name,
            short_description: Text { text: rule.summary },
            full_description: what.map(|text| Text { text }),
            help: doc.map(|doc| Multiformat { text: doc, markdown: doc }),
            help_uri: doc.map(|_| help_uri),
            default_configuration: Configuration { level: level(rule.severity) },
            properties: tags(rule.recommendation).map(|tags| RuleProperties { tags }),
        }
    }
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

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Debug, Serialize)]
struct Fingerprints {
    #[serde(rename = "xsuaaLint/v1")]
    v1: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Fix<'a> {
    description: Text<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties<'a> {
    pointer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unsafe_fix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<[&'a str; 2]>,
}

/// One finding (SARIF's `result`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[Fix<'a>; 1]>,
    properties: Properties<'a>,
}

impl<'a> SarifResult<'a> {
    fn new(path: &str, d: &'a Diagnostic, rule_index: usize, fingerprint: String) -> Self {
        let (fixes, unsafe_fix) = match &d.fix {
            Some(fix) if fix.applicability == Applicability::Safe && !fix.edits.is_empty() => {
                let replacements = fix
                    .edits
                    .iter()
                    .map(|e| Replacement {
                        deleted_region: Region::new(e.start, e.end),
                        inserted_content: Text { text: &e.content },
                    })
                    .collect();
                let change = ArtifactChange { artifact_location: artifact_location(path), replacements };
                (Some([Fix { description: Text { text: &fix.message }, artifact_changes: [change] }]), None)
            }
            Some(fix) if fix.applicability == Applicability::Unsafe => (None, Some(fix.message.as_str())),
            _ => (None, None),
        };
        SarifResult {
            rule_id: d.rule.code,
            rule_index,
            level: level(d.severity),
            message: Text { text: &d.message },
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifact_location(path),
                    region: Region::new(d.start, d.end),
                },
            }],
            partial_fingerprints: Fingerprints { v1: fingerprint },
            fixes,
            properties: Properties {
                pointer: &d.pointer,
                help: d.help.as_deref(),
                unsafe_fix,
                tags: tags(d.rule.recommendation),
            },
        }
    }
}

/// The results of every report, each made and serialized in turn.
struct Results<'a> {
    reports: &'a [FileReport],
    rule_index: HashMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.reports.iter().flat_map(|r| {
            r.diagnostics.iter().zip(fingerprint::of_report(r)).map(|(d, fp)| {
                let index = self.rule_index.get(d.rule.code).copied().unwrap_or_default();
                SarifResult::new(&r.path, d, index, fp)
            })
        }))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
struct BaseIds {
    #[serde(rename = "%SRCROOT%")]
    srcroot: Uri,
}

#[derive(Serialize)]
struct Uri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BaseIds>,
    column_kind: &'static str,
    results: Results<'a>,
}

/// The SARIF log of `reports`; `rules` is [`rules_of`] them, `help_uri` the rules' `helpUri`.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

impl<'a> Log<'a> {
    fn new(reports: &'a [FileReport], rules: &'a [RuleId], help_uri: &'a str) -> Self {
        // `%SRCROOT%` is the working directory, as a folder URL (ending in `/`).
        let srcroot = std::env::current_dir().ok().and_then(|p| p.to_str().map(file_url)).map(|mut url| {
            if !url.ends_with('/') {
                url.push('/');
            }
            BaseIds { srcroot: Uri { uri: url } }
        });
        let rule_index = rules.iter().enumerate().map(|(i, r)| (r.code, i)).collect();
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "xsuaa-lint",
                        version: env!("CARGO_PKG_VERSION"),
                        information_uri: env!("CARGO_PKG_REPOSITORY"),
                        rules: rules.iter().map(|r| Rule::new(r, help_uri)).collect(),
                    },
                },
                invocations: [Invocation { execution_successful: true }],
                original_uri_base_ids: srcroot,
                column_kind: "unicodeCodePoints",
                results: Results { reports, rule_index },
            }],
        }
    }
}

fn help_uri() -> String {
    format!("{}/blob/main/README.md#rules", env!("CARGO_PKG_REPOSITORY"))
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    let rules = rules_of(reports);
    let help_uri = help_uri();
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut out, &Log::new(reports, &rules, &help_uri))?;
    writeln!(out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{finding, report};
    use crate::rules::{xs101_implicit_credential_types as xs101, xs214_migration_finished as xs214};
    use serde_json::{json, Value};

    fn log(reports: &[FileReport]) -> Value {
        let rules = rules_of(reports);
        serde_json::to_value(Log::new(reports, &rules, &help_uri())).unwrap()
    }

    fn uri(path: &str) -> Value {
        serde_json::to_value(artifact_location(path)).unwrap()
    }

    #[test]
    fn severities_map_to_sarif_levels() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("app/xs-security.json"), json!({"uri": "app/xs-security.json", "uriBaseId": SRCROOT}));
        assert_eq!(uri("my app/a:b%.json")["uri"], "my%20app/a%3Ab%25.json");
        assert_eq!(uri("<stdin>")["uri"], "%3Cstdin%3E");
        assert_eq!(uri("/srv/x y.json"), json!({"uri": "file:///srv/x%20y.json"}));
        assert_eq!(file_url("C:\\Users\\me"), "file:///C:/Users/me");
        assert_eq!(uri("é")["uri"], "%C3%A9");
        // Nothing in a path reads as a fragment, query, escape or scheme; no character that an
        // RFC 3986 URI cannot hold is left as it is (`[`, `]`, `|`, `^`, `` ` ``, `\`, `{`, `}`).
        assert_eq!(uri("a#b?c%41/d e/ü.json")["uri"], "a%23b%3Fc%2541/d%20e/%C3%BC.json");
        assert_eq!(uri("x[1]|^`\\{}/y.json")["uri"], "x%5B1%5D%7C%5E%60%5C%7B%7D/y.json");
        assert_eq!(
            uri("a,b;c=d@e!f$g&h'i(j)k*l+m/n.json")["uri"],
            "a%2Cb%3Bc%3Dd%40e%21f%24g%26h%27i%28j%29k%2Al%2Bm/n.json"
        );
        assert_eq!(uri("/srv/a#b?c%41/ü.json"), json!({"uri": "file:///srv/a%23b%3Fc%2541/%C3%BC.json"}));
        assert_eq!(file_url("C:/Program Files/a#1/x.json"), "file:///C:/Program%20Files/a%231/x.json");
        assert_eq!(file_url("d:\\repo\\x.json"), "file:///d:/repo/x.json");
        assert_eq!(file_url("/"), "file:///");
    }

    /// A drive letter means an absolute path on Windows only; elsewhere `c:` is a folder name
    /// (the hand-written version took it for a drive everywhere and wrote `file:///c:/x.json`).
    #[test]
    fn drive_letters_are_windows_only() {
        let expected = if cfg!(windows) {
            json!({"uri": "file:///c:/x.json"})
        } else {
            json!({"uri": "c%3A/x.json", "uriBaseId": SRCROOT})
        };
        assert_eq!(uri("c:/x.json"), expected);
    }

    #[test]
    fn custom_rules_are_listed_once_after_the_built_in_ones() {
        let policy = crate::rules::policy::rule("ORG1", "An organisation policy", Severity::Info);
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
