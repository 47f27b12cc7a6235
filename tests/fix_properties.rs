//! Property test of the fixes: descriptors in varied formatting, every migration state.
//! For `--fix` and `--fix --unsafe-fixes`: the result parses; its data equals the input except
//! for `credential-types` (and the `oauth2-configuration` created to hold it); the list is the
//! next state, one stage on at most; BOM, final newline and line endings are kept; a second
//! `--fix` changes nothing, and repeated `--fix --unsafe-fixes` runs converge one stage at a
//! time; and the `--diff` patch applied with `patch -p1` gives byte for byte the fixed text.

use proptest::prelude::*;
use serde_json::{json, Value};
use xsuaa_lint::lint::fix::{fix_source, FixOutcome};
use xsuaa_lint::text::source::SourceFile;

#[derive(Debug, Clone)]
struct Style {
    indent: &'static str,
    newline: &'static str,
    minified: bool,
    bom: bool,
    final_newline: bool,
    multiline_arrays: bool,
    colon: &'static str,
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop::sample::select(vec!["  ", "    ", "\t"]),
        prop::sample::select(vec!["\n", "\r\n"]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![": ", ":", " : "]),
    )
        .prop_map(|(indent, newline, minified, bom, final_newline, multiline_arrays, colon)| Style {
            indent,
            newline,
            minified,
            bom,
            final_newline,
            multiline_arrays,
            colon,
        })
}

const LISTS: &[&[&str]] = &[
    &["instance-secret"],
    &["instance-secret", "binding-secret"],
    &["instance-secret", "x509"],
    &["instance-secret", "x509", "binding-secret"],
    &["binding-secret", "instance-secret"],
    &["x509", "instance-secret", "binding-secret"],
    &["binding-secret"],
    &["x509", "binding-secret"],
];

/// (has oauth2-configuration, credential-types or None, token-validity or None, tenant-mode)
fn descriptor() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        prop::option::of(prop::sample::select(LISTS.to_vec())),
        prop::option::of(60u32..86400),
        prop::option::of(prop::sample::select(vec!["dedicated", "shared", "external"])),
        prop::collection::vec("[A-Z][a-z]{1,8}", 0..3),
    )
        .prop_map(|(oauth2, types, validity, tenant, scopes)| {
            let mut root = serde_json::Map::new();
            root.insert("xsappname".into(), json!("app"));
            if let Some(t) = tenant {
                root.insert("tenant-mode".into(), json!(t));
            }
            if !scopes.is_empty() {
                let scopes: Vec<Value> =
                    scopes.iter().map(|s| json!({"name": format!("$XSAPPNAME.{s}"), "description": s})).collect();
                root.insert("scopes".into(), Value::Array(scopes));
            }
            if oauth2 || types.is_some() {
                let mut o = serde_json::Map::new();
                if let Some(v) = validity {
                    o.insert("token-validity".into(), json!(v));
                }
                if let Some(t) = types {
                    o.insert("credential-types".into(), json!(t));
                }
                root.insert("oauth2-configuration".into(), Value::Object(o));
            }
            Value::Object(root)
        })
}

fn render(value: &Value, s: &Style, depth: usize, out: &mut String) {
    let nl = if s.minified { "" } else { s.newline };
    let pad = |d: usize| if s.minified { String::new() } else { s.indent.repeat(d) };
    match value {
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { "," });
                out.push_str(nl);
                out.push_str(&pad(depth + 1));
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push_str(if s.minified { ":" } else { s.colon });
                render(v, s, depth + 1, out);
            }
            out.push_str(nl);
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(items) if (s.minified || !s.multiline_arrays) && items.iter().all(Value::is_string) => {
            let sep = if s.minified { "," } else { ", " };
            let items: Vec<String> = items.iter().map(|v| v.to_string()).collect();
            out.push('[');
            out.push_str(&items.join(sep));
            out.push(']');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { "," });
                out.push_str(nl);
                out.push_str(&pad(depth + 1));
                render(v, s, depth + 1, out);
            }
            out.push_str(nl);
            out.push_str(&pad(depth));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn text_of(value: &Value, s: &Style) -> String {
    let mut out = String::new();
    if s.bom {
        out.push('\u{feff}');
    }
    render(value, s, 0, &mut out);
    if s.final_newline {
        out.push_str(s.newline);
    }
    out
}

fn expected_list(input: Option<&[&str]>, unsafe_fixes: bool) -> Vec<String> {
    // Only a list that started the run in the dual state may lose `instance-secret`.
    let started_dual =
        input.is_some_and(|l| l.len() > 1 && l[0] != "instance-secret" && l.contains(&"instance-secret"));
    let mut list: Vec<&str> = match input {
        None => vec!["binding-secret", "instance-secret"],
        Some(["instance-secret"]) => vec!["binding-secret", "instance-secret"],
        Some(l) if l[0] == "instance-secret" && l.len() > 1 => {
            let target = if l.contains(&"binding-secret") { "binding-secret" } else { "x509" };
            let mut v: Vec<&str> = l.iter().copied().filter(|t| *t != target).collect();
            v.insert(0, target);
            v
        }
        Some(l) => l.to_vec(),
    };
    if unsafe_fixes && started_dual {
        list.retain(|t| *t != "instance-secret");
    }
    list.into_iter().map(String::from).collect()
}

fn strip(mut v: Value) -> Value {
    if let Some(o) = v.get_mut("oauth2-configuration").and_then(Value::as_object_mut) {
        o.remove("credential-types");
        if o.is_empty() {
            v.as_object_mut().unwrap().remove("oauth2-configuration");
        }
    }
    v
}

fn fix(text: &str, unsafe_fixes: bool) -> String {
    match fix_source(
        &SourceFile::new("xs-security.json", text.to_string()),
        unsafe_fixes,
        &xsuaa_lint::lint::LintOptions::default(),
    ) {
        FixOutcome::Fixed(f) => f.text,
        FixOutcome::Unchanged(_) => text.to_string(),
        FixOutcome::Refused { reason, .. } => panic!("refused: {reason}\n{text}"),
    }
}

fn patch_gives(original: &str, patch: &str, expected: &str) {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("xs-security.json"), original).unwrap();
    let child = std::process::Command::new("patch")
        .current_dir(dir.path())
        .args(["-p1", "--quiet", "--binary"])
        .stdin(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else { return }; // no `patch` here: the CLI test says so
    use std::io::Write;
    child.stdin.take().unwrap().write_all(patch.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "patch failed:\n{patch}");
    assert_eq!(std::fs::read_to_string(dir.path().join("xs-security.json")).unwrap(), expected);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn fixes_change_only_credential_types_and_keep_the_format(value in descriptor(), s in style()) {
        let text = text_of(&value, &s);
        let input_list: Option<Vec<&str>> = value
            .pointer("/oauth2-configuration/credential-types")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect());
        for unsafe_fixes in [false, true] {
            let fixed = fix(&text, unsafe_fixes);
            let data: Value = serde_json::from_str(fixed.trim_start_matches('\u{feff}'))
                .unwrap_or_else(|e| panic!("{e}:\n{fixed}"));
            prop_assert_eq!(strip(data.clone()), strip(value.clone()), "other data changed:\n{}", fixed);
            let list: Vec<String> = serde_json::from_value(data["oauth2-configuration"]["credential-types"].clone()).unwrap();
            prop_assert_eq!(list, expected_list(input_list.as_deref(), unsafe_fixes), "{}", fixed);
            prop_assert_eq!(fixed.starts_with('\u{feff}'), s.bom);
            prop_assert_eq!(fixed.ends_with('\n'), s.final_newline);
            if s.newline == "\r\n" {
                prop_assert!(!fixed.replace("\r\n", "").contains('\n'), "bare LF in a CRLF file:\n{:?}", fixed);
            } else {
                prop_assert!(!fixed.contains('\r'));
            }
            let again = fix(&fixed, unsafe_fixes);
            if unsafe_fixes && again != fixed {
                // The dual state written by this run may finish in the next one, and then stay.
                let list: Vec<String> = serde_json::from_value(
                    serde_json::from_str::<Value>(again.trim_start_matches('\u{feff}')).unwrap()["oauth2-configuration"]["credential-types"].clone(),
                ).unwrap();
                prop_assert!(!list.iter().any(|t| t == "instance-secret"), "{}", again);
                prop_assert_eq!(fix(&again, unsafe_fixes), again.clone(), "not converging");
            } else {
                prop_assert_eq!(again, fixed.clone(), "not idempotent");
            }
            if fixed != text {
                let patch = xsuaa_lint::report::diff::unified("xs-security.json", &text, &fixed);
                patch_gives(&text, &patch, &fixed);
            }
        }
    }
}
