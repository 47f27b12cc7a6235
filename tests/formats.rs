//! The machine-readable output formats, end to end: each pinned by a snapshot, SARIF validated
//! against the official OASIS schema (`tests/data`, see `PROVENANCE.md`).

use assert_cmd::Command;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

/// XS102 (error, safe fix), after non-ASCII text so that columns and byte offsets differ.
const INSTANCE_ONLY: &str = "{\"xsappname\":\"a\",\"description\":\"für äpps\",\
    \"oauth2-configuration\":{\"credential-types\":[\"instance-secret\"]}}\n";
/// XS101 (warning, safe fix).
const IMPLICIT: &str = "{\"xsappname\":\"a\"}\n";
/// XS103 (warning, unsafe fix).
const DUAL: &str = "{\n  \"xsappname\": \"a\",\n  \
    \"oauth2-configuration\": { \"credential-types\": [\"binding-secret\", \"instance-secret\"] }\n}\n";
const CLEAN: &str = "{\"xsappname\":\"a\",\"oauth2-configuration\":{\"credential-types\":[\"binding-secret\"]}}\n";

fn project() -> TempDir {
    let dir = TempDir::new().unwrap();
    for (rel, text) in [
        ("error/xs-security.json", INSTANCE_ONLY),
        ("warning/xs-security.json", IMPLICIT),
        ("dual/xs-security.json", DUAL),
        ("clean/xs-security.json", CLEAN),
    ] {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

/// Runs `check --output-format FORMAT` in `dir`; returns the exit code and standard output.
fn run(dir: &Path, format: &str, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--output-format", format])
        .args(args)
        .output()
        .unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

fn sarif_schema() -> Value {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"));
    serde_json::from_str(&text.unwrap()).unwrap()
}

/// Every violation of the SARIF 2.1.0 schema in `log`, formats (`uri`, `date-time`) included.
fn sarif_errors(log: &Value) -> Vec<String> {
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the schema compiles");
    validator.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// The `file:` URL of `dir`, as the tool writes it for `%SRCROOT%`.
fn dir_url(dir: &Path) -> String {
    let mut url = String::from("file://");
    for b in fs::canonicalize(dir).unwrap().to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url + "/"
}

/// What of a SARIF log depends on the machine, the version or the rule documentation, checked
/// and then replaced by placeholders. Only the rules with results are kept (the full list is
/// checked here), so that a new rule does not change the snapshot.
fn redact_sarif(mut log: Value, dir: &Path) -> Value {
    let run = &mut log["runs"][0];
    let base = &mut run["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert_eq!(base.as_str(), Some(dir_url(dir).as_str()));
    *base = json!("file:///[cwd]/");
    let driver = &mut run["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    driver["version"] = json!("[version]");
    let rules = driver["rules"].as_array_mut().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let built_in: Vec<&str> = xsuaa_lint::rules::ALL.iter().map(|r| r.code).collect();
    assert_eq!(ids, built_in);
    let used: HashSet<String> =
        run["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap().to_string()).collect();
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], result["ruleId"]);
    }
    let rules = run["tool"]["driver"]["rules"].as_array_mut().unwrap();
    rules.retain(|r| used.contains(r["id"].as_str().unwrap()));
    for rule in rules {
        let id = rule["id"].as_str().unwrap().to_string();
        let doc = xsuaa_lint::rules::rule_doc(&id).unwrap();
        assert_eq!(rule["help"], json!({ "text": doc, "markdown": doc }), "{id} help");
        rule["help"] = json!({ "text": format!("[rule_doc {id}]"), "markdown": format!("[rule_doc {id}]") });
        let what = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(!what.is_empty() && !what.contains("##") && doc.contains(what), "{id}: {what}");
    }
    log
}

#[test]
fn json_is_pinned_byte_for_byte() {
    let dir = project();
    let (code, out) = run(dir.path(), "json", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("json", out);
    let clean = TempDir::new().unwrap();
    fs::write(clean.path().join("xs-security.json"), CLEAN).unwrap();
    assert_eq!(run(clean.path(), "json", &[]), (0, "[]\n".to_string()));
}

#[test]
fn json_lines_holds_the_json_objects_one_per_line() {
    let dir = project();
    let (code, out) = run(dir.path(), "json-lines", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("json_lines", out);
    let (_, array) = run(dir.path(), "json", &[]);
    let array: Value = serde_json::from_str(&array).unwrap();
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(Value::Array(lines), array);
}

#[test]
fn sarif_is_valid_and_stable() {
    let dir = project();
    let (code, out) = run(dir.path(), "sarif", &[]);
    assert_eq!(code, 1);
    assert!(out.ends_with("}\n"));
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif_errors(&log), Vec::<String>::new());

    let results = log["runs"][0]["results"].as_array().unwrap();
    let error = results.iter().find(|r| r["ruleId"] == "XS102").unwrap();
    // Columns count scalar values: `ä` is one column but two bytes.
    let (_, concise) = run(dir.path(), "concise", &["error"]);
    let column = &error["locations"][0]["physicalLocation"]["region"]["startColumn"];
    assert!(concise.starts_with(&format!("error/xs-security.json:1:{column}: XS102")), "{concise}");
    // The unsafe fix of XS103 is described, not offered.
    let dual = results.iter().find(|r| r["ruleId"] == "XS103").unwrap();
    assert!(dual.get("fixes").is_none());
    assert!(dual["properties"]["unsafeFix"].is_string());

    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&redact_sarif(log, dir.path())).unwrap());
}

/// Paths that a URI would misread or cannot hold as they are still give valid URI references,
/// each naming its file.
#[test]
fn sarif_uris_of_odd_paths_are_valid() {
    let dir = TempDir::new().unwrap();
    let names = ["with space", "hash#1", "q?x", "pct%41", "é ü", "c:", "brack[1]", "pipe|caret^back`tick", "a&b'c\"d"];
    for name in names {
        let path = dir.path().join(name).join("xs-security.json");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, IMPLICIT).unwrap();
    }
    let (code, out) = run(dir.path(), "sarif", &[]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
    let mut named: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(location["uriBaseId"], "%SRCROOT%", "{location}");
            let uri = location["uri"].as_str().unwrap();
            assert!(uri.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)), "{uri}");
            percent_encoding::percent_decode_str(uri).decode_utf8().unwrap().into_owned()
        })
        .collect();
    named.sort();
    let mut expected: Vec<String> = names.iter().map(|n| format!("{n}/xs-security.json")).collect();
    expected.sort();
    assert_eq!(named, expected);
}

#[test]
fn sarif_validation_rejects_an_invalid_log() {
    let dir = project();
    let (_, out) = run(dir.path(), "sarif", &[]);
    let mut log: Value = serde_json::from_str(&out).unwrap();
    log["runs"][0]["results"][0]["level"] = json!("fatal");
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = json!(0);
    log["runs"][0]["tool"]["driver"]["informationUri"] = json!("not a uri");
    assert_eq!(sarif_errors(&log).len(), 3, "{:#?}", sarif_errors(&log));
}

#[test]
fn github_annotations() {
    let dir = project();
    let (code, out) = run(dir.path(), "github", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("github", out);
}

#[test]
fn gitlab_code_quality_with_stable_unique_fingerprints() {
    let dir = project();
    let (code, out) = run(dir.path(), "gitlab", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("gitlab", out);
    let issues: Value = serde_json::from_str(&out).unwrap();
    let fingerprints: Vec<&str> =
        issues.as_array().unwrap().iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    assert_eq!(fingerprints.len(), 3);
    assert_eq!(fingerprints.iter().collect::<HashSet<_>>().len(), 3, "{fingerprints:?}");
    assert_eq!(run(dir.path(), "gitlab", &[]).1, out, "a second run gives the same report");
    // The same fingerprints as SARIF's, in the same order.
    let (_, sarif) = run(dir.path(), "sarif", &[]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let partial: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["xsuaaLint/v1"].as_str().unwrap())
        .collect();
    assert_eq!(partial, fingerprints);
}

#[test]
fn junit_has_a_failing_case_per_finding_and_a_passing_case_per_clean_file() {
    let dir = project();
    let (code, out) = run(dir.path(), "junit", &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("junit", out);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    assert!(out.contains(r#"<testsuites name="xsuaa-lint" tests="4" failures="3" errors="0">"#));
    assert_eq!(out.matches("<testcase ").count(), 4);
    assert_eq!(out.matches("<failure ").count(), 3);
    assert_eq!(out.matches("</failure>").count(), 3);
    assert!(out.contains(r#"<testcase classname="clean/xs-security.json" name="xsuaa-lint"/>"#));
    assert!(out.ends_with("</testsuites>\n"));
}

#[test]
fn clean_runs() {
    let dir = project();
    let only_clean = ["clean"];
    assert_eq!(run(dir.path(), "json-lines", &only_clean), (0, String::new()));
    assert_eq!(run(dir.path(), "github", &only_clean), (0, String::new()));
    assert_eq!(run(dir.path(), "gitlab", &only_clean), (0, "[]\n".to_string()));
    let (code, junit) = run(dir.path(), "junit", &only_clean);
    assert_eq!(code, 0);
    assert!(junit.contains(r#"tests="1" failures="0""#), "{junit}");
    let (code, sarif) = run(dir.path(), "sarif", &only_clean);
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(log["runs"][0]["results"], json!([]));
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
}

/// The SAP security recommendation a rule checks reaches SARIF (`properties.tags` of the rule and
/// of each result) and JSON (`recommendation`, absent for the other rules).
#[test]
fn the_recommendation_is_in_sarif_tags_and_json() {
    let dir = TempDir::new().unwrap();
    fs::write(
        dir.path().join("xs-security.json"),
        "{\"xsappname\":\"a\",\"oauth2-configuration\":{\"credential-types\":[\"binding-secret\"],\
         \"redirect-uris\":[\"https://*.hana.ondemand.com/**\"],\"token-validity\":86400},\
         \"scopes\":[{\"name\":\"Read\"}]}\n",
    )
    .unwrap();
    let (_, out) = run(dir.path(), "sarif", &[]);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert!(sarif_errors(&log).is_empty(), "{:?}", sarif_errors(&log));
    let first = &log["runs"][0];
    let rule = |code: &str| {
        first["tool"]["driver"]["rules"].as_array().unwrap().iter().find(|r| r["id"] == code).unwrap().clone()
    };
    assert_eq!(rule("XS301")["properties"]["tags"], json!(["security", "BTP-UAA-0002"]));
    assert_eq!(rule("XS302")["properties"]["tags"], json!(["security", "BTP-UAA-0005"]));
    assert_eq!(rule("XS303")["properties"]["tags"], json!(["security", "BTP-UAA-0014"]));
    assert_eq!(rule("XS103")["properties"]["tags"], json!(["security", "BTP-UAA-0003"]));
    assert!(rule("XS205").get("properties").is_none());
    let results = first["results"].as_array().unwrap();
    let tags = |code: &str| results.iter().find(|r| r["ruleId"] == code).unwrap()["properties"].get("tags").cloned();
    assert_eq!(tags("XS301"), Some(json!(["security", "BTP-UAA-0002"])));
    assert_eq!(tags("XS302"), Some(json!(["security", "BTP-UAA-0005"])));
    assert_eq!(tags("XS205"), None);

    let (_, out) = run(dir.path(), "json", &[]);
    let findings: Value = serde_json::from_str(&out).unwrap();
    let of = |code: &str| findings.as_array().unwrap().iter().find(|f| f["code"] == code).unwrap().clone();
    assert_eq!(of("XS301")["recommendation"], "BTP-UAA-0002");
    assert_eq!(of("XS302")["recommendation"], "BTP-UAA-0005");
    assert!(of("XS205").get("recommendation").is_none());
}
