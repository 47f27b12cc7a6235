//! The published schema (`schemas/xs-security.schema.json`) as editors use it.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn schema() -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/xs-security.schema.json"));
    serde_json::from_str(&text.unwrap()).unwrap()
}

fn each_property(node: &Value, at: &str, visit: &mut dyn FnMut(&str, &Value)) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                for (name, property) in properties {
                    visit(&format!("{at}/properties/{name}"), property);
                }
            }
            for (key, value) in map {
                each_property(value, &format!("{at}/{key}"), visit);
            }
        }
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| each_property(v, &format!("{at}/{i}"), visit))
        }
        _ => {}
    }
}

/// SchemaStore-ready: draft-07 (what VS Code's JSON service and SchemaStore handle best), a
/// published `$id`, a description on every property, one description per enumerated value.
#[test]
fn every_property_and_enum_value_is_described_in_a_draft_editors_handle() {
    let schema = schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let id = schema["$id"].as_str().unwrap();
    let repository = env!("CARGO_PKG_REPOSITORY").replace("https://github.com/", "https://raw.githubusercontent.com/");
    assert_eq!(id, format!("{repository}/main/schemas/xs-security.schema.json"));
    assert!(schema.get("$defs").is_none(), "draft-07 keeps its subschemas in `definitions`");
    let mut problems = Vec::new();
    each_property(&schema, "", &mut |at, property| {
        if property["description"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: no description"));
        }
        let items = &property["items"];
        for node in [property, items] {
            if let Some(values) = node["enum"].as_array() {
                let described = node["enumDescriptions"].as_array().map_or(0, Vec::len);
                if described != values.len() {
                    problems.push(format!("{at}: {} values, {described} descriptions", values.len()));
                }
            }
        }
    });
    assert!(problems.is_empty(), "{problems:#?}");
}

/// VS Code's JSON engine (`vscode-json-languageservice`, `tests/schema/check.mjs`) validates
/// every descriptor of `fixtures/` with the schema: each error it shows is one `xsuaa-lint
/// check` reports too (XS001 or XS002 on the same line). Skipped, saying so, when node or the
/// package is missing, unless `XSUAA_LINT_SCHEMA_TEST=required` (as `.ci/run` sets).
#[test]
fn vscode_json_service_reports_nothing_the_linter_does_not() {
    let required = std::env::var("XSUAA_LINT_SCHEMA_TEST").is_ok_and(|v| v == "required");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ready = root.join("tests/schema/node_modules/vscode-json-languageservice").is_dir()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(!required, "the schema test is required but node or tests/schema/node_modules is missing");
        eprintln!("skipped: node or tests/schema/node_modules is missing (npm ci --prefix tests/schema)");
        return;
    }
    let output = Command::new("node")
        .arg(root.join("tests/schema/check.mjs"))
        .arg(env!("CARGO_BIN_EXE_xsuaa-lint"))
        .arg(root)
        .output()
        .unwrap();
    let seen: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
    assert!(seen["files"].as_u64().unwrap() > 100, "{seen}");
    assert!(seen["editorErrors"].as_u64().unwrap() > 0, "the fixtures hold invalid descriptors: {seen}");
    assert_eq!(seen["editorOnly"], serde_json::json!([]), "{seen:#}");
    assert!(output.status.success());
}
