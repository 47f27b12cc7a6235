//! Hostile and unusual input through the command line: YAML alias bombs, bytes that are not
//! UTF-8, lone surrogate escapes, patches for awkward file names and line ends, and case-only
//! fixes that must not repeat a reference.

mod support;

use assert_cmd::Command;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};
use support::check_concise as check;
use tempfile::TempDir;

fn cmd() -> Command {
    Command::cargo_bin("xsuaa-lint").unwrap()
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// Nine levels, each aliasing the previous one nine times: 9^9 (387 million) strings when
/// expanded, from 500 bytes.
fn billion_laughs() -> String {
    let mut text = String::from("ID: bomb\n_schema-version: \"3.1\"\n");
    text.push_str("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    text
}

#[test]
fn a_yaml_alias_bomb_is_xs004_in_milliseconds() {
    let dir = TempDir::new().unwrap();
    let text = billion_laughs();
    write(dir.path(), "mta.yaml", &text);
    let started = Instant::now();
    let (code, out, _) = check(dir.path(), &[]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(code, 1, "{out}");
    // At the first alias that goes over: the first `*d` of `e`.
    let line = text.lines().position(|l| l.starts_with("e:")).unwrap() + 1;
    assert!(out.contains(&format!("mta.yaml:{line}:8: XS004 not valid YAML: too many alias expansions")), "{out}");
    // The parser alone says so too.
    assert!(xsuaa_lint::syntax::yaml::parse_documents(&text)
        .unwrap_err()
        .message
        .starts_with("too many alias expansions"));
}

#[test]
fn a_deployment_file_with_anchors_and_merge_keys_still_works() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "mta.yaml",
        "ID: app\n_schema-version: \"3.1\"\nx-defaults: &xsuaa\n  service: xsuaa\n  service-plan: application\n\
         resources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      <<: *xsuaa\n\
         \x20     service: xsuaa\n      service-plan: application\n      config:\n        xsappname: app\n\
         \x20       oauth2-configuration:\n          credential-types: [\"instance-secret\"]\n",
    );
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("XS102"), "{out}");
    assert!(!out.contains("XS004"), "{out}");
}

#[test]
fn invalid_utf8_is_xs004_in_deployment_files_and_xs001_in_descriptors() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "mta.yaml", b"ID: a\n_schema-version: \"3.1\"\n# caf\xe9\n".as_slice());
    write(root, "main.tf", b"resource \"btp_subaccount_service_instance\" \"x\" {\n  # caf\xe9\n}\n".as_slice());
    write(root, "k8s/uaa.yaml", b"apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance # \xff\n".as_slice());
    // Not about XSUAA: skipped in a walk, as any unrelated YAML is.
    write(root, "k8s/other.yaml", b"kind: ConfigMap # \xff\n".as_slice());
    // A BOM is not a column: `{"a": "caf` is ten.
    write(root, "xs-security.json", b"\xef\xbb\xbf{\"a\": \"caf\xe9\"}".as_slice());
    let expected = [
        "k8s/uaa.yaml:2:25: XS004 the file is not valid UTF-8 (byte 0xFF at offset 62)",
        "main.tf:2:8: XS004 the file is not valid UTF-8 (byte 0xE9 at offset 56)",
        "mta.yaml:3:6: XS004 the file is not valid UTF-8 (byte 0xE9 at offset 34)",
        "xs-security.json:1:11: XS001 the file is not valid UTF-8 (byte 0xE9 at offset 13)",
    ];
    let (code, out, _) = check(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().filter(|l| l.contains(": XS")).collect::<Vec<_>>(), expected, "{out}");
    // Named on the command line (and found by the walk too): the same, once each.
    let (_, out, _) = check(root, &[".", "mta.yaml", "main.tf", "k8s/uaa.yaml", "xs-security.json"]);
    assert_eq!(out.lines().filter(|l| l.contains(": XS")).collect::<Vec<_>>(), expected, "{out}");
    // Named, even an unrelated one is reported.
    let (_, out, _) = check(root, &["k8s/other.yaml"]);
    assert!(out.contains("k8s/other.yaml:1:19: XS004"), "{out}");
}

#[test]
fn a_descriptor_path_that_is_not_utf8_says_so() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "mta.yaml",
        "ID: a\n_schema-version: \"3.1\"\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n\
         \x20   parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./security.json\n",
    );
    write(dir.path(), "security.json", b"{\"xsappname\": \"caf\xe9\"}".as_slice());
    let (_, out, _) = check(dir.path(), &[]);
    assert!(
        out.contains("mta.yaml:9:13: XS005 `path: ./security.json` is not valid UTF-8 (byte 0xE9 at offset 18)"),
        "{out}"
    );
}

#[test]
fn lone_surrogate_escapes_are_valid_json() {
    let dir = TempDir::new().unwrap();
    let text =
        "{\n  \"xsappname\": \"a\",\n  \"description\": \"\\ud800\",\n  \"scopes\": [{ \"name\": \"$XSAPPNAME.Read\", \
                \"description\": \"\\ud83d\\ude00 \\udc00\" }],\n  \"oauth2-configuration\": { \"credential-types\": \
                [\"binding-secret\"] }\n}\n";
    write(dir.path(), "xs-security.json", text);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No problems found"), "{out}");
    // And fixes keep the escapes as written.
    write(dir.path(), "xs-security.json", text.replace("[\"binding-secret\"]", "[\"instance-secret\"]"));
    check(dir.path(), &["--fix"]);
    let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
    assert_eq!(fixed, text.replace("[\"binding-secret\"]", "[\"binding-secret\", \"instance-secret\"]"));
}

/// Applies `patch` in `dir` with `program args`; `None` when the program is missing.
fn apply(program: &str, args: &[&str], dir: &Path, patch: &[u8]) -> Option<std::process::Output> {
    use std::io::Write;
    let child = std::process::Command::new(program)
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            eprintln!("skipped the `{program}` check: {e}");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(patch).unwrap();
    Some(child.wait_with_output().unwrap())
}

fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.strip_prefix(root).unwrap().to_string_lossy().into_owned(), fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn diff_patches_apply_for_spaces_in_names_and_every_kind_of_line_end() {
    let files: [(&str, &[u8]); 6] = [
        ("dir with space/xs-security.json", b"{\n  \"xsappname\": \"a\"\n}\n"),
        ("cr-only/xs-security.json", b"{\r  \"xsappname\": \"a\"\r}\r"),
        ("stray-cr/xs-security.json", b"{\n  \"xsappname\": \"a\",\r  \"tenant-mode\": \"dedicated\"\n}\n"),
        ("crlf/xs-security.json", b"{\r\n  \"xsappname\": \"a\"\r\n}\r\n"),
        ("no-final-newline/xs-security.json", b"{\n  \"xsappname\": \"a\"\n}"),
        ("odd names/tab\tand \"quote\"/xs-security.json", b"{\n  \"xsappname\": \"a\"\n}\n"),
    ];
    let original = TempDir::new().unwrap();
    let expected = TempDir::new().unwrap();
    for (name, bytes) in files {
        write(original.path(), name, bytes);
        write(expected.path(), name, bytes);
    }
    let out = cmd().current_dir(original.path()).args(["check", "--diff"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let patch = out.stdout;
    let text = String::from_utf8_lossy(&patch);
    assert!(text.contains("--- a/dir with space/xs-security.json\t\n+++ b/dir with space/xs-security.json\t\n"));
    assert!(text.contains("--- \"a/odd names/tab\\tand \\\"quote\\\"/xs-security.json\"\n"), "{text}");
    // The CR-only file is one line to `patch`.
    assert!(text.contains("--- a/cr-only/xs-security.json\n+++ b/cr-only/xs-security.json\n@@ -1 +1 @@\n"), "{text}");
    let (code, out, _) = check(expected.path(), &["--fix"]);
    assert_ne!(code, 2, "{out}");
    let want = tree(expected.path());
    assert_ne!(tree(original.path()), want);
    for (program, args) in [("patch", &["-p1", "--quiet"][..]), ("patch", &["-p1", "--binary"]), ("git", &["apply"])] {
        let dir = TempDir::new().unwrap();
        for (name, bytes) in files {
            write(dir.path(), name, bytes);
        }
        let Some(output) = apply(program, args, dir.path(), &patch) else { continue };
        assert!(output.status.success(), "{program} {args:?}: {}\n{text}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(tree(dir.path()), want, "{program} {args:?}");
    }
}

#[test]
fn case_only_fixes_never_repeat_a_reference() {
    let dir = TempDir::new().unwrap();
    let text = r#"{
  "xsappname": "app",
  "scopes": [{ "name": "$XSAPPNAME.Read" }],
  "attributes": [{ "name": "Country", "valueType": "string" }],
  "role-templates": [
    { "name": "Viewer", "scope-references": ["$XSAPPNAME.read", "$XSAPPNAME.READ"],
      "attribute-references": ["country", { "name": "COUNTRY" }] },
    { "name": "Twice", "scope-references": ["$XSAPPNAME.read", "$XSAPPNAME.read"] }
  ],
  "role-collections": [{ "name": "C", "role-template-references": ["$XSAPPNAME.viewer", "$XSAPPNAME.VIEWER"] }],
  "oauth2-configuration": { "credential-types": ["binding-secret"] }
}
"#;
    write(dir.path(), "xs-security.json", text);
    let (code, out, _) = check(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "{out}");
    let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
    let want = text
        .replacen("\"$XSAPPNAME.read\", \"$XSAPPNAME.READ\"", "\"$XSAPPNAME.Read\", \"$XSAPPNAME.READ\"", 1)
        .replacen("\"country\", { \"name\": \"COUNTRY\" }", "\"Country\", { \"name\": \"COUNTRY\" }", 1)
        .replacen("\"$XSAPPNAME.read\", \"$XSAPPNAME.read\"", "\"$XSAPPNAME.Read\", \"$XSAPPNAME.read\"", 1)
        .replacen("\"$XSAPPNAME.viewer\", \"$XSAPPNAME.VIEWER\"", "\"$XSAPPNAME.Viewer\", \"$XSAPPNAME.VIEWER\"", 1);
    assert_eq!(fixed, want);
    // What is left is one finding per extra spelling, each saying to remove it; a second run
    // changes nothing.
    for left in ["$XSAPPNAME.READ", "COUNTRY", "$XSAPPNAME.read", "$XSAPPNAME.VIEWER"] {
        assert!(out.contains(&format!("`{left}` names no")), "{left}: {out}");
    }
    let json = cmd().current_dir(dir.path()).args(["check", "--fix", "--output-format", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let helps: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] != "XS206")
        .map(|d| d["help"].as_str().unwrap())
        .collect();
    assert_eq!(
        helps,
        [
            "`$XSAPPNAME.Read` is already listed beside it (names are case-sensitive): remove this entry.",
            "`Country` is already listed beside it (names are case-sensitive): remove this entry.",
            "`$XSAPPNAME.Read` is already listed beside it (names are case-sensitive): remove this entry.",
            "`$XSAPPNAME.Viewer` is already listed beside it (names are case-sensitive): remove this entry.",
        ]
    );
    assert_eq!(fs::read_to_string(dir.path().join("xs-security.json")).unwrap(), want);
}

#[test]
fn many_unresolved_references_cost_seconds_not_minutes() {
    // 500 scopes and 15,000 references to none of them, all of the same length: each "did you
    // mean" compares a reference with every scope, so only the first thousand get one. Then
    // 2,500 spellings of one scope in another case: only the first is fixed, and finding that
    // out does not rescan the list for every entry.
    let scopes: Vec<String> = (0..500).map(|i| format!("{{\"name\": \"$XSAPPNAME.s{i:07}\"}}")).collect();
    let mut references: Vec<String> = (0..15_000).map(|i| format!("\"$XSAPPNAME.t{i:07}\"")).collect();
    references.extend(
        (0..5_000).map(|i| if i % 2 == 0 { "\"$XSAPPNAME.S0000001\"" } else { "\"$XSAPPNAME.s0000001 \"" }.to_string()),
    );
    let text = format!(
        "{{\"xsappname\": \"a\", \"scopes\": [{}], \"role-templates\": [{{\"name\": \"R\", \"scope-references\": [{}]}}]}}",
        scopes.join(", "),
        references.join(", ")
    );
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", &text);
    let started = Instant::now();
    let out = cmd().current_dir(dir.path()).args(["check", "--output-format", "json"]).output().unwrap();
    let took = started.elapsed();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let helps: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "XS201")
        .map(|d| d["help"].as_str().unwrap())
        .collect();
    assert_eq!(helps.len(), 20_000);
    assert!(helps[0].starts_with("Did you mean `$XSAPPNAME.s0000000`?"), "{}", helps[0]);
    assert_eq!(helps[..15_000].iter().filter(|h| h.starts_with("Did you mean")).count(), 1_000);
    let fixes = report.as_array().unwrap().iter().filter(|d| d["code"] == "XS201" && !d["fix"].is_null()).count();
    assert_eq!(fixes, 1);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_finding_on_a_yaml_mapping_marks_its_whole_first_character() {
    // XS101 on parameters that do not set credential-types is placed on their first character:
    // here `é`, two bytes.
    let dir = TempDir::new().unwrap();
    let text = "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: auth\nspec:\n  \
                serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    \u{e9}t\u{e9}: x\n    \
                xsappname: a\n";
    write(dir.path(), "k8s.yaml", text);
    let out = cmd().current_dir(dir.path()).args(["check", "--output-format", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let xs101 = report.as_array().unwrap().iter().find(|d| d["code"] == "XS101").expect("XS101");
    let (start, end) =
        (xs101["start"]["offset"].as_u64().unwrap() as usize, xs101["end"]["offset"].as_u64().unwrap() as usize);
    assert_eq!(text.get(start..end), Some("\u{e9}"), "{xs101}");
}

#[test]
fn an_extension_of_the_mta_that_does_not_parse_or_is_not_utf8_is_xs004() {
    // Extensions are read through the MTA they extend; a broken one was dropped without a word,
    // and with it its layer of the configuration.
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(
        root,
        "mta.yaml",
        "ID: a\n_schema-version: \"3.1\"\nresources:\n  - name: x\n    type: org.cloudfoundry.managed-service\n    \
         parameters:\n      service: xsuaa\n      config:\n        xsappname: a\n        oauth2-configuration:\n          \
         credential-types: [binding-secret]\n",
    );
    write(
        root,
        "broken.mtaext",
        "ID: a.ext\nextends: \"a\" # the MTA\nresources:\n  - name: x\n    parameters: {config: {tenant-mode: shared}\n",
    );
    write(root, "latin1.mtaext", b"ID: a.ext2\nextends: a\n# caf\xe9\n".as_slice());
    // Extends another MTA: not this one's business.
    write(root, "other.mtaext", "ID: b.ext\nextends: b\nresources: [\n");
    let (code, out, _) = check(root, &[]);
    assert_eq!(code, 1, "{out}");
    let findings: Vec<&str> = out.lines().filter(|l| l.contains(": XS")).collect();
    assert_eq!(
        findings,
        [
            "broken.mtaext:5:17: XS004 not valid YAML: unclosed bracket '{'",
            "latin1.mtaext:3:6: XS004 the file is not valid UTF-8 (byte 0xE9 at offset 27)",
        ],
        "{out}"
    );
}

#[test]
fn a_finding_on_a_very_long_line_is_reported_without_a_snippet() {
    // A minified descriptor with a finding past column 65,535: the snippet drawer panicked.
    let dir = TempDir::new().unwrap();
    let text = format!(
        "{{\"xsappname\": \"a\", \"description\": \"{}\", \"oauth2-configuration\": {{\"credential-types\": \
         [\"instance-secret\"]}}}}",
        "x".repeat(70_000)
    );
    write(dir.path(), "xs-security.json", &text);
    let out = cmd().current_dir(dir.path()).args(["check"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let column = text.find("[\"instance-secret\"]").unwrap() + 1;
    assert!(stdout.contains(&format!("xs-security.json:1:{column}: only `instance-secret` is allowed")), "{stdout}");
    // A short line still gets its snippet.
    write(dir.path(), "xs-security.json", "{\"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}");
    let out = cmd().current_dir(dir.path()).args(["check", "--color", "never"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("╭─[xs-security.json:1:"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
