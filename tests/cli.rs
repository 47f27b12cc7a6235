//! Command-line behaviour: discovery, output formats, exit codes, standard input, fixing.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;
use support::check_concise as check;
use tempfile::TempDir;

const CLEAN: &str =
    "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": { \"credential-types\": [\"binding-secret\"] }\n}\n";
const INSTANCE_ONLY: &str =
    "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": { \"credential-types\": [\"instance-secret\"] }\n}\n";
const IMPLICIT: &str = "{\n  \"xsappname\": \"a\"\n}\n";

fn cmd() -> Command {
    Command::cargo_bin("xsuaa-lint").unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn finding_paths(stdout: &str) -> Vec<String> {
    stdout.lines().filter(|l| l.contains(": XS")).map(|l| l.split(':').next().unwrap().to_string()).collect()
}

#[test]
fn walk_finds_descriptors_and_skips_ignored_hidden_and_vendored_folders() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "app/xs-security.json", INSTANCE_ONLY);
    write(root, "app/deep/er/xs-security-broker.json", INSTANCE_ONLY);
    write(root, "app/xs-security-prod.json", INSTANCE_ONLY);
    write(root, "app/other.json", INSTANCE_ONLY);
    write(root, "app/my-xs-security.json", INSTANCE_ONLY);
    write(root, "node_modules/pkg/xs-security.json", INSTANCE_ONLY);
    write(root, ".hidden/xs-security.json", INSTANCE_ONLY);
    write(root, "gen/xs-security.json", INSTANCE_ONLY);
    write(root, "skipped/xs-security.json", INSTANCE_ONLY);
    write(root, ".gitignore", "gen/\n");
    write(root, ".ignore", "skipped/\n");
    let (code, out, _) = check(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_paths(&out),
        ["app/deep/er/xs-security-broker.json", "app/xs-security-prod.json", "app/xs-security.json"]
    );
    assert!(out.contains("in 3 files checked"), "{out}");
}

#[test]
fn explicit_files_are_linted_whatever_their_name() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "security/descriptor.json", INSTANCE_ONLY);
    write(dir.path(), "gen/xs-security.json", INSTANCE_ONLY);
    write(dir.path(), ".gitignore", "gen/\n");
    let (code, out, _) = check(dir.path(), &["security/descriptor.json", "gen/xs-security.json"]);
    assert_eq!(code, 1);
    assert_eq!(finding_paths(&out), ["gen/xs-security.json", "security/descriptor.json"]);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_during_a_walk() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "real/descriptor.json", INSTANCE_ONLY);
    std::os::unix::fs::symlink("real/descriptor.json", dir.path().join("xs-security.json")).unwrap();
    assert!(fs::metadata(dir.path().join("xs-security.json")).is_ok(), "the link resolves");
    fs::create_dir_all(dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("loop/back")).unwrap();
    let (code, out, err) = check(dir.path(), &[]);
    assert_eq!((code, out.trim()), (0, "No problems found in 0 files."));
    // Nothing to lint is said, as ruff says it, without failing the run.
    assert!(err.contains("warning: no XSUAA descriptor or deployment file found"), "{err}");
    // A link named like a descriptor that leads nowhere is reported; the run goes on.
    std::os::unix::fs::symlink("xs-security.json", dir.path().join("loop/xs-security.json")).unwrap();
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("loop/xs-security.json:1:1: XS000 cannot read the file: a symbolic link that cannot be resolved"),
        "{out}"
    );
}

#[test]
fn concise_format_and_exit_codes() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", INSTANCE_ONLY);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "xs-security.json:3:49: XS102 only `instance-secret` is allowed: every existing binding and service key holds the one shared instance secret, which can't be rotated, and SAP has issued none for new ones since 2026-01-19; allow binding secrets first (Cloud Foundry assumed: nothing in the repository deploys this descriptor; set `environment` in xsuaa-lint.toml)\n\
         Found 1 problem (1 error, 0 warnings) in 1 file checked.\n"
    );
    write(dir.path(), "xs-security.json", CLEAN);
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!((code, out.as_str()), (0, "No problems found in 1 file.\n"));
}

#[test]
fn json_format_is_the_documented_contract() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "b/xs-security.json",
        "{\"oauth2-configuration\": {\"credential-types\": [\"instance-secret\", \"x509\"]}}",
    );
    write(dir.path(), "a/xs-security.json", "{\n  \"é\": 1\n}");
    let out = cmd().current_dir(dir.path()).args(["check", "--output-format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    let order: Vec<(&str, &str)> =
        items.iter().map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap())).collect();
    assert_eq!(
        order,
        [("a/xs-security.json", "XS101"), ("a/xs-security.json", "XS002"), ("b/xs-security.json", "XS104")]
    );
    let d = &items[1];
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["code", "name", "severity", "message", "help", "path", "pointer", "start", "end", "fix"]);
    assert_eq!(d["name"], "schema-violation");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["pointer"], "/é");
    assert_eq!(d["start"], serde_json::json!({"line": 2, "column": 3, "offset": 4}));
    // `"é"` is 3 scalar values but 4 bytes.
    assert_eq!(d["end"], serde_json::json!({"line": 2, "column": 6, "offset": 8}));
    let fix = &items[2]["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["content"], "\"x509\"");
    assert!(fix["edits"][0]["start"]["offset"].is_u64());
}

#[test]
fn full_format_shows_the_snippet_code_and_help() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", INSTANCE_ONLY);
    let out = cmd().current_dir(dir.path()).args(["check", "--color", "never"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("XS102 instance-secret-only"), "{text}");
    assert!(text.contains("[xs-security.json:3:49]"), "{text}");
    assert!(text.contains("\"credential-types\": [\"instance-secret\"]"), "{text}");
    assert!(text.contains("fix available: Enable binding secrets"), "{text}");
}

#[test]
fn standard_input_is_named_by_stdin_filename() {
    let out = cmd()
        .args(["check", "--output-format", "concise", "--stdin-filename", "apps/x/xs-security.json", "-"])
        .write_stdin(INSTANCE_ONLY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("apps/x/xs-security.json:3:49: XS102"));
}

#[test]
fn standard_input_is_read_in_the_format_its_name_says() {
    let dir = TempDir::new().unwrap();
    let rendered = [
        "apiVersion: services.cloud.sap.com/v1",
        "kind: ServiceInstance",
        "metadata:",
        "  name: shop-xsuaa",
        "spec:",
        "  serviceOfferingName: xsuaa",
        "  servicePlanName: application",
        "  parameters:",
        "    xsappname: shop",
        "    oauth2-configuration:",
        "      credential-types: [instance-secret]\n",
    ]
    .join("\n");
    // `helm template chart | xsuaa-lint check - --stdin-filename rendered.yaml`: YAML, not JSON.
    let out = cmd()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--output-format", "concise", "--stdin-filename", "rendered.yaml", "-"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // Kyma has no instance secrets: XS113 (not XS001, as JSON would have it).
    assert!(text.starts_with("rendered.yaml:11:26: XS113"), "{text}");
    assert!(!text.contains("XS001"), "{text}");
    // Terraform, with the descriptor it names read from the disk; `--fix` prints the piped text
    // and writes nothing, not even the descriptor.
    let descriptor =
        "{\"xsappname\": \"shop\", \"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}\n";
    write(dir.path(), "infra/xs-security.json", descriptor);
    let tf = "resource \"cloudfoundry_service_instance\" \"xsuaa\" {\n  name = \"shop-xsuaa\"\n  \
        service_plan = \"0f7a1c5e\"\n  parameters = file(\"${path.module}/xs-security.json\")\n}\n";
    let out = cmd()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--fix", "--output-format", "concise", "--stdin-filename", "infra/main.tf", "-"])
        .write_stdin(tf)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), tf);
    assert!(String::from_utf8_lossy(&out.stderr).contains("infra/xs-security.json:1:"), "{:?}", out);
    assert_eq!(fs::read_to_string(dir.path().join("infra/xs-security.json")).unwrap(), descriptor);
}

#[test]
fn missing_paths_and_usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let (code, out, _) = check(dir.path(), &["nope.json"]);
    assert_eq!(code, 2);
    assert!(out.contains("nope.json:1:1: XS000 the path does not exist"), "{out}");
    let out = cmd().args(["check", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = cmd().args(["rule", "XS999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn fifos_and_symlink_loops_are_reported_and_the_run_goes_on() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "ok/xs-security.json", CLEAN);
    write(dir.path(), "bad/xs-security-prod.json", INSTANCE_ONLY);
    let fifo = dir.path().join("fifo/xs-security.json");
    fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("fifo/xs-security.json:1:1: XS000 cannot read the file: it is not a regular file"), "{out}");
    assert!(out.contains("bad/xs-security-prod.json:3:49: XS102"), "{out}");
    // Named explicitly, the FIFO is refused before it is opened (no hang).
    let (code, out, _) = check(dir.path(), &["fifo/xs-security.json"]);
    assert_eq!(code, 2);
    assert!(out.contains("not a regular file"), "{out}");
    std::os::unix::fs::symlink("loop.json", dir.path().join("loop.json")).unwrap();
    let (code, out, _) = check(dir.path(), &["loop.json", "ok/xs-security.json"]);
    assert_eq!(code, 2);
    assert!(out.contains("loop.json:1:1: XS000 cannot read the file"), "{out}");
}

#[test]
fn hostile_inputs_get_a_diagnostic_not_a_crash() {
    let dir = TempDir::new().unwrap();
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    write(dir.path(), "deep/xs-security.json", &deep);
    let deep_objects = "{\"a\":".repeat(100_000) + "1" + &"}".repeat(100_000);
    write(dir.path(), "deep-objects/xs-security.json", &deep_objects);
    fs::create_dir_all(dir.path().join("binary")).unwrap();
    fs::write(dir.path().join("binary/xs-security.json"), [0xff, 0xfe, 0x00, 0x7b]).unwrap();
    write(dir.path(), "bom-only/xs-security.json", "\u{feff}");
    // Many keys, many repeats: no check is quadratic in the number of keys or entries.
    let keys: Vec<String> = (0..5_000).map(|i| format!("\"k{i}\": 1, \"k{i}\": 2")).collect();
    let repeats = vec!["\"x509\""; 5_000].join(",");
    write(
        dir.path(),
        "wide/xs-security.json",
        &format!("{{{}, \"oauth2-configuration\": {{\"credential-types\": [{repeats}]}}}}", keys.join(", ")),
    );
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("deep/xs-security.json:1:513: XS001 the value is nested too deeply"), "{out}");
    assert!(out.contains("deep-objects/xs-security.json:1:") && out.matches("nested too deeply").count() == 2, "{out}");
    assert!(
        out.contains("binary/xs-security.json:1:1: XS001 the file is UTF-16 LE (byte-order mark FF FE), not UTF-8"),
        "{out}"
    );
    assert!(out.contains("bom-only/xs-security.json:1:1: XS001 the file holds no JSON value"), "{out}");
    assert_eq!(out.matches("wide/xs-security.json:1:").count(), 5_000 * 2 + 1);
}

#[test]
fn rule_prints_documentation_and_the_list() {
    let out = cmd().args(["rule", "XS103"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# XS103 unfinished-migration"), "{text}");
    assert!(text.contains("## Fix\nUnsafe"), "{text}");
    let out = cmd().args(["rule", "--all"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for code in ["XS000", "XS001", "XS002", "XS003", "XS101", "XS102", "XS103", "XS104"] {
        assert!(text.lines().any(|l| l.starts_with(code)), "{code} missing:\n{text}");
    }
    assert!(text.contains("XS104   instance-secret-default      error"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("XS301") && l.contains(" BTP-UAA-0002 ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("XS201") && l.contains(" -             ")), "{text}");
}

#[test]
fn fix_writes_in_place_and_keeps_permissions() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", IMPLICIT);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.path().join("xs-security.json"), fs::Permissions::from_mode(0o640)).unwrap();
    }
    let (code, out, _) = check(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "the dual state is still reported: {out}");
    assert!(out.contains("XS103") && out.contains("Applied 1 fix."), "{out}");
    let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
    assert_eq!(fixed, "{\n  \"xsappname\": \"a\",\n  \"oauth2-configuration\": {\n    \"credential-types\": [\"binding-secret\", \"instance-secret\"]\n  }\n}\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.path().join("xs-security.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    // Unsafe fixes finish the migration; a second run changes nothing.
    let (code, out, _) = check(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!((code, out.contains("No problems found")), (0, true), "{out}");
    let (code, _, _) = check(dir.path(), &["--fix", "--unsafe-fixes", "--exit-non-zero-on-fix"]);
    assert_eq!(code, 0);
}

#[test]
fn exit_non_zero_on_fix_reports_a_changed_file() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", INSTANCE_ONLY);
    let (code, _, _) = check(dir.path(), &["--fix", "--unsafe-fixes", "--exit-non-zero-on-fix"]);
    assert_eq!(code, 1);
    // One stage per run, even with unsafe fixes: the dual state, not the end of the migration.
    assert!(fs::read_to_string(dir.path().join("xs-security.json"))
        .unwrap()
        .contains("[\"binding-secret\", \"instance-secret\"]"));
}

#[test]
fn diff_writes_nothing_and_patch_applies_it() {
    let dir = TempDir::new().unwrap();
    let crlf = IMPLICIT.replace('\n', "\r\n");
    write(dir.path(), "app/xs-security.json", &crlf);
    let out = cmd().current_dir(dir.path()).args(["check", "--diff"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read_to_string(dir.path().join("app/xs-security.json")).unwrap(), crlf);
    let patch = String::from_utf8(out.stdout).unwrap();
    assert!(patch.starts_with("--- a/app/xs-security.json\n+++ b/app/xs-security.json\n@@"), "{patch}");
    // What `--fix` would write ...
    let expected_dir = TempDir::new().unwrap();
    write(expected_dir.path(), "app/xs-security.json", &crlf);
    check(expected_dir.path(), &["--fix"]);
    let expected = fs::read(expected_dir.path().join("app/xs-security.json")).unwrap();
    // ... is what the patch gives.
    let status = std::process::Command::new("patch")
        .current_dir(dir.path())
        .args(["-p1", "--quiet", "--binary"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(patch.as_bytes())?;
            child.wait()
        });
    match status {
        Ok(s) => {
            assert!(s.success());
            assert_eq!(fs::read(dir.path().join("app/xs-security.json")).unwrap(), expected);
        }
        Err(e) => eprintln!("skipped the patch check: {e}"),
    }
    // Nothing to change: exit 0.
    let out = cmd().current_dir(expected_dir.path()).args(["check", "--diff"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    let out =
        cmd().args(["check", "--fix", "--output-format", "concise", "-"]).write_stdin(INSTANCE_ONLY).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        INSTANCE_ONLY.replace("[\"instance-secret\"]", "[\"binding-secret\", \"instance-secret\"]")
    );
    assert!(String::from_utf8(out.stderr).unwrap().contains("XS103"));
}

/// `--fix` on standard input, as ruff's `--fix -`: standard output carries the text of standard
/// input (fixed when its own fixes apply), the report and the summary go to standard error. A
/// fix that would change a file standard input does not hold (the descriptor of a piped
/// `mta.yaml`, a binding in another `.tf` of the module) is refused whole, exit 2: nothing is
/// written, nothing is said to be applied, the findings are those of the files as they are.
#[test]
fn fix_on_standard_input_never_claims_a_fix_it_cannot_print() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let mta = "_schema-version: \"3.1\"\nID: shop\nversion: 1.0.0\nresources:\n  - name: shop-uaa\n    \
               type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      \
               service-plan: application\n      path: xs-security.json\n";
    write(root, "mta.yaml", mta);
    write(root, "xs-security.json", INSTANCE_ONLY);
    let piped = |name: &str, text: &str| {
        cmd()
            .current_dir(root)
            .args(["check", "--isolated", "--fix", "--output-format", "concise", "--stdin-filename", name, "-"])
            .write_stdin(text.to_string())
            .output()
            .unwrap()
    };
    let out = piped("mta.yaml", mta);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), mta);
    assert_eq!(fs::read_to_string(root.join("xs-security.json")).unwrap(), INSTANCE_ONLY);
    assert!(err.contains("xs-security.json:3:49: XS102 "), "{err}");
    assert!(!err.contains("Applied"), "{err}");
    assert!(err.contains("error: mta.yaml: fix not applied: ") && err.contains("xs-security.json"), "{err}");
    // The same with a binding in another file of a Terraform module.
    let binding = "resource \"cloudfoundry_service_credential_binding\" \"key\" {\n  type = \"key\"\n  \
                   name = \"shop-key\"\n  service_instance = cloudfoundry_service_instance.xsuaa.id\n  \
                   parameters = jsonencode({ \"credential-type\" = \"instance-secret\" })\n}\n";
    write(root, "infra/bindings.tf", binding);
    let tf = "resource \"cloudfoundry_service_instance\" \"xsuaa\" {\n  name = \"shop-xsuaa\"\n  \
              type = \"managed\"\n  service_plan = data.cloudfoundry_service_plan.xsuaa.id\n  \
              parameters = jsonencode({ xsappname = \"shop\", \"oauth2-configuration\" = { \"credential-types\" = [\"binding-secret\"] } })\n}\n";
    let out = piped("infra/main.tf", tf);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), tf);
    assert_eq!(fs::read_to_string(root.join("infra/bindings.tf")).unwrap(), binding);
    assert!(err.contains("XS110") && !err.contains("Applied"), "{err}");
    // A fix inside the piped text itself is printed, and said on standard error only.
    let binding_in_mta = mta.replace(
        "resources:",
        "modules:\n  - name: srv\n    type: nodejs\n    requires:\n      - name: shop-uaa\n        \
         parameters:\n          config:\n            credential-type: instance-secret\nresources:",
    );
    write(root, "xs-security.json", CLEAN);
    let out = piped("mta.yaml", &binding_in_mta);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        binding_in_mta.replace("credential-type: instance-secret", "credential-type: binding-secret")
    );
    assert!(err.contains("Applied 1 fix."), "{err}");
    assert_eq!(fs::read_to_string(root.join("mta.yaml")).unwrap(), mta);
}

#[test]
fn files_with_syntax_errors_are_never_edited() {
    let dir = TempDir::new().unwrap();
    let broken = "{\n  \"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]},\n}\n";
    write(dir.path(), "xs-security.json", broken);
    let (code, out, _) = check(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(code, 1);
    assert!(out.contains("XS001"), "{out}");
    assert_eq!(fs::read_to_string(dir.path().join("xs-security.json")).unwrap(), broken);
}

#[test]
fn unsafe_fixes_are_shown_only_when_asked_for() {
    let dir = TempDir::new().unwrap();
    let dual = "{\"oauth2-configuration\": {\"credential-types\": [\"binding-secret\", \"instance-secret\"]}}\n";
    write(dir.path(), "xs-security.json", dual);
    let run = |extra: &[&str]| {
        let out = cmd().current_dir(dir.path()).args(["check", "--color", "never"]).args(extra).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let hidden = run(&[]);
    assert!(!hidden.contains("unsafe fix available"), "{hidden}");
    assert!(hidden.contains("1 unsafe fix hidden; `--unsafe-fixes` shows them"), "{hidden}");
    let shown = run(&["--unsafe-fixes"]);
    assert!(shown.contains("unsafe fix available: Remove the"), "{shown}");
    assert!(!shown.contains("hidden"), "{shown}");
    // Showing is not applying.
    assert_eq!(fs::read_to_string(dir.path().join("xs-security.json")).unwrap(), dual);
}

#[test]
fn a_file_named_twice_is_linted_once() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app/xs-security.json", INSTANCE_ONLY);
    let (code, out, _) = check(dir.path(), &[".", "app/xs-security.json", "./app/xs-security.json"]);
    assert_eq!(code, 1);
    assert_eq!(out.matches("XS102").count(), 1, "{out}");
    let out = cmd().current_dir(dir.path()).args(["check", "--diff", ".", "app/xs-security.json"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().matches("+++ b/").count(), 1);
}

#[test]
fn diff_names_what_it_cannot_fix() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", "{,}");
    let out = cmd().current_dir(dir.path()).args(["check", "--diff", ".", "missing.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("missing.json:1:1: XS000") && err.contains("xs-security.json:1:2: XS001"), "{err}");
}

/// A descriptor that nothing fixes, different for each file: what a user saves.
fn users_text(i: usize) -> String {
    CLEAN.replace("\"a\"", &format!("\"saved-by-the-user-{i}\""))
}

#[test]
fn fix_never_overwrites_an_edit_saved_while_it_runs() {
    // A best-effort real race (the deterministic one is in `fix::write`): `--fix` runs over many
    // fixable files, large enough that each takes a while to lint, while another thread saves
    // new text into half of them. The user's text must survive: the fix is either computed from
    // it (nothing to fix) or refused because the file changed on disk. (Without the check, 3 runs
    // in 4 lost an edit here; the window left between the check and the rename is a few system
    // calls.)
    let dir = TempDir::new().unwrap();
    let scopes: Vec<String> =
        (0..400).map(|i| format!("    {{\"name\": \"$XSAPPNAME.s{i}\", \"description\": \"scope {i}\"}}")).collect();
    let large = format!("{{\n  \"xsappname\": \"a\",\n  \"scopes\": [\n{}\n  ]\n}}\n", scopes.join(",\n"));
    let n = 300;
    let path = |i: usize| dir.path().join(format!("d{}/a{i}/xs-security.json", i % 10));
    for i in 0..n {
        write(dir.path(), &format!("d{}/a{i}/xs-security.json", i % 10), &large);
    }
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("xsuaa-lint"))
        .current_dir(dir.path())
        .args(["check", "--fix", "--output-format", "concise", "--jobs", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut edited = Vec::new();
    for i in (0..n).step_by(2) {
        fs::write(path(i), users_text(i)).unwrap();
        edited.push(i);
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(1 | 2)), "{err}");
    for line in err.lines().filter(|l| l.starts_with("error:")) {
        assert!(line.contains("changed on disk while being fixed"), "{err}");
    }
    for i in edited {
        assert_eq!(fs::read_to_string(path(i)).unwrap(), users_text(i), "{}\n{err}", path(i).display());
    }
    eprintln!(
        "{} edit(s) refused over {:?}",
        err.lines().filter(|l| l.contains("changed on disk")).count(),
        started.elapsed()
    );
}

#[cfg(unix)]
#[test]
fn fix_keeps_owner_group_and_mode() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", IMPLICIT);
    let path = dir.path().join("xs-security.json");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    // Only root can give a file away; elsewhere the owner is this user anyway.
    let given_away = std::os::unix::fs::chown(&path, Some(4321), Some(4322)).is_ok();
    let (code, out, err) = check(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "{out}{err}");
    let meta = fs::metadata(&path).unwrap();
    assert!(fs::read_to_string(&path).unwrap().contains("binding-secret"));
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
    if given_away {
        assert_eq!((meta.uid(), meta.gid()), (4321, 4322));
    } else {
        eprintln!("not root: ownership kept by this user");
    }
}

#[cfg(unix)]
#[test]
fn fix_refuses_hard_links_and_read_only_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    write(dir.path(), "linked/xs-security.json", IMPLICIT);
    fs::hard_link(dir.path().join("linked/xs-security.json"), dir.path().join("linked/other-name.json")).unwrap();
    write(dir.path(), "read-only/xs-security.json", IMPLICIT);
    let read_only = dir.path().join("read-only/xs-security.json");
    fs::set_permissions(&read_only, fs::Permissions::from_mode(0o444)).unwrap();
    write(dir.path(), "plain/xs-security.json", IMPLICIT);
    let (code, _, err) = check(dir.path(), &["--fix"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "error: linked/xs-security.json: fix not applied: cannot write the fixed file: it has 2 hard links"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "error: read-only/xs-security.json: fix not applied: cannot write the fixed file: it is read-only"
        ),
        "{err}"
    );
    // Both untouched, the link intact; the other file is fixed.
    assert_eq!(fs::read_to_string(dir.path().join("linked/xs-security.json")).unwrap(), IMPLICIT);
    assert_eq!(fs::read_to_string(dir.path().join("linked/other-name.json")).unwrap(), IMPLICIT);
    assert_eq!(fs::read_to_string(&read_only).unwrap(), IMPLICIT);
    assert_eq!(fs::metadata(&read_only).unwrap().permissions().mode() & 0o777, 0o444);
    assert!(fs::read_to_string(dir.path().join("plain/xs-security.json")).unwrap().contains("binding-secret"));
}

#[test]
fn fix_removes_temporary_files_left_by_a_killed_run() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", IMPLICIT);
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    // Pids above 2^22 never run on Linux.
    for name in [".xsuaa-lint-9999999-AbCdEf.tmp", ".xsuaa-lint-9999998-XyZ.tmp"] {
        fs::File::create(dir.path().join(name)).unwrap().set_modified(an_hour_ago).unwrap();
    }
    let (code, _, err) = check(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "{err}");
    let mut left: Vec<String> =
        fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["xs-security.json"]);
}

#[test]
fn output_file_is_replaced_whole() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "report.txt", "the previous report\n");
    // A reader of the previous report keeps reading it whole while the new one is written.
    let mut reader = fs::File::open(dir.path().join("report.txt")).unwrap();
    let (code, out, _) = check(dir.path(), &["--output-file", "report.txt"]);
    assert_eq!((code, out.as_str()), (1, ""));
    let mut previous = String::new();
    std::io::Read::read_to_string(&mut reader, &mut previous).unwrap();
    assert_eq!(previous, "the previous report\n");
    assert!(fs::read_to_string(dir.path().join("report.txt")).unwrap().contains("XS102"));
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The usual mode of a new file (0666 less the umask), as `File::create` gives it.
        fs::File::create(dir.path().join("reference")).unwrap();
        let mode = |name: &str| fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("report.txt"), mode("reference"));
        let out = cmd().current_dir(dir.path()).args(["audit", ".", "-o", "audit.txt"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(mode("audit.txt"), mode("reference"));
    }
}

#[test]
fn stdin_filename_must_name_a_file() {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("apps")).unwrap();
    for name in ["", " ", "/", "apps/", "apps", "."] {
        let out = cmd()
            .current_dir(dir.path())
            .args(["check", "--output-format", "concise", "--stdin-filename", name, "-"])
            .write_stdin(INSTANCE_ONLY)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name:?}: {err}");
        assert!(err.starts_with("error: --stdin-filename "), "{name:?}: {err}");
        assert!(out.stdout.is_empty(), "{name:?}");
    }
    // Without `-` the name is not used, so not judged.
    let (code, _, _) = check(dir.path(), &["--stdin-filename", "", "."]);
    assert_eq!(code, 0);
}

#[cfg(unix)]
#[test]
fn a_closed_standard_output_is_an_error() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", INSTANCE_ONLY);
    let run = |redirect: &str, args: &str| {
        let out = std::process::Command::new("bash")
            .current_dir(dir.path())
            .arg("-c")
            .arg(format!("\"$0\" {args} {redirect}"))
            .arg(assert_cmd::cargo::cargo_bin("xsuaa-lint"))
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run(">&-", "check xs-security.json");
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err, "error: cannot write the report: standard output is closed\n");
    let (code, err) = run(">&-", "audit .");
    assert_eq!((code, err.contains("standard output is closed")), (Some(2), true), "{err}");
    // Not needed: the report goes to a file.
    let (code, err) = run(">&-", "check -o report.txt xs-security.json");
    assert_eq!(code, Some(1), "{err}");
    // `/dev/null` is a choice, not an error.
    let (code, err) = run(">/dev/null", "check xs-security.json");
    assert_eq!((code, err.as_str()), (Some(1), ""));
}

#[test]
fn huge_job_counts_are_capped() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", INSTANCE_ONLY);
    for args in [&["check", "--jobs", "100000", "."][..], &["audit", "--jobs", "100000", "."][..]] {
        let out =
            cmd().current_dir(dir.path()).args(args).timeout(std::time::Duration::from_secs(60)).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn a_walk_reports_odd_names_folders_and_oversized_deployment_files() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new().unwrap();
    // A descriptor whose name is not UTF-8: linted, shown lossily.
    let odd = dir.path().join("odd");
    fs::create_dir(&odd).unwrap();
    fs::write(odd.join(std::ffi::OsStr::from_bytes(b"xs-security-\xff.json")), INSTANCE_ONLY).unwrap();
    // A folder named like a descriptor: XS000, and what it holds is still walked.
    write(dir.path(), "folder/xs-security.json/inner/xs-security.json", INSTANCE_ONLY);
    // A deployment file too large to read could hold instances: XS000.
    let big = dir.path().join("big/mta.yaml");
    fs::create_dir_all(big.parent().unwrap()).unwrap();
    fs::File::create(&big).unwrap().set_len(17 * 1024 * 1024).unwrap();
    // An unrelated large YAML file is no deployment candidate by name: nothing said.
    fs::File::create(dir.path().join("big/values.txt")).unwrap().set_len(17 * 1024 * 1024).unwrap();
    let (code, out, _) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("odd/xs-security-\u{fffd}.json:3:49: XS102"), "{out}");
    assert!(out.contains("folder/xs-security.json:1:1: XS000 cannot read the file: it is a directory"), "{out}");
    assert!(out.contains("folder/xs-security.json/inner/xs-security.json:3:49: XS102"), "{out}");
    assert!(out.contains("big/mta.yaml:1:1: XS000 the file is larger than 16 MiB"), "{out}");
    assert_eq!(out.matches("XS000").count(), 2, "{out}");
    // A fix goes to the file under its real name.
    let (_, _, err) = check(dir.path(), &["--fix", "odd"]);
    assert!(err.is_empty(), "{err}");
    let fixed = fs::read_to_string(odd.join(std::ffi::OsStr::from_bytes(b"xs-security-\xff.json"))).unwrap();
    assert!(fixed.contains("binding-secret"), "{fixed}");
}

#[cfg(unix)]
#[test]
fn output_file_writes_through_links_and_into_devices() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "xs-security.json", INSTANCE_ONLY);
    write(dir.path(), "reports/real.txt", "old\n");
    std::os::unix::fs::symlink("reports/real.txt", dir.path().join("link.txt")).unwrap();
    let (code, _, err) = check(dir.path(), &["-o", "link.txt"]);
    assert_eq!(code, 1, "{err}");
    assert!(fs::symlink_metadata(dir.path().join("link.txt")).unwrap().file_type().is_symlink());
    assert!(fs::read_to_string(dir.path().join("reports/real.txt")).unwrap().contains("XS102"));
    // A FIFO (like /dev/stdout or /dev/null) is written into, never replaced by a file.
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for args in [
        &["check", "--output-format", "concise", "-o", "fifo"][..],
        &["audit", ".", "--format", "csv", "-o", "fifo"][..],
    ] {
        let (sender, received) = std::sync::mpsc::channel();
        let path = fifo.clone();
        // Detached: were the FIFO replaced, this read would never end.
        std::thread::spawn(move || sender.send(fs::read_to_string(path).unwrap()));
        let out = cmd().current_dir(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let report = received.recv_timeout(std::time::Duration::from_secs(30)).expect("the report went into the FIFO");
        assert!(report.contains("xs-security.json"), "{report}");
        assert!(!fs::metadata(&fifo).unwrap().is_file());
    }
}

#[test]
fn a_cf_push_manifest_named_alone_is_judged_with_the_instances_beside_it() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "services-manifest.yml",
        "create-services:\n- name: shop-uaa\n  broker: xsuaa\n  plan: application\n  \
         parameters: '{\"xsappname\": \"shop\", \"oauth2-configuration\": {\"credential-types\": [\"binding-secret\"]}}'\n",
    );
    write(
        dir.path(),
        "manifest.yml",
        "applications:\n- name: shop-srv\n  services:\n  - name: shop-uaa\n    parameters:\n      credential-type: instance-secret\n",
    );
    let (code, out, err) = check(dir.path(), &["--isolated", "manifest.yml"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("manifest.yml:6:24: XS110 the binding of app `shop-srv`"), "{out}");
    // With `--fix`, the binding is switched in place.
    let (_, out, _) = check(dir.path(), &["--isolated", "--fix", "manifest.yml"]);
    assert!(out.contains("No problems found") || !out.contains("XS110"), "{out}");
    let fixed = fs::read_to_string(dir.path().join("manifest.yml")).unwrap();
    assert!(fixed.contains("credential-type: binding-secret"), "{fixed}");
}

/// The full format wraps at spaces only: `instance-secret`, `cf update-service` or a date split at
/// a hyphen could not be copied from the terminal.
#[test]
fn full_output_never_splits_a_word_at_a_hyphen() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let out = cmd().current_dir(&rules).args(["check", "--isolated", "."]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() > 1000, "the fixtures give a long report");
    let split: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_end().ends_with('-') && l.trim_end().chars().rev().nth(1).is_some_and(char::is_alphanumeric))
        .collect();
    assert!(split.is_empty(), "{split:#?}");
}

/// A commit hook passes only the staged `.mtaext`: it is judged through the MTA it extends,
/// found from its folder up to the repository's root (and not an MTA of another `ID`).
#[test]
fn an_mta_extension_named_alone_is_judged_through_the_mta_it_extends() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    std::process::Command::new("git").arg("init").arg("-q").current_dir(root).status().unwrap();
    let mta = |id: &str| {
        format!(
            "_schema-version: \"3.1\"\nID: {id}\nversion: 1.0.0\nresources:\n  - name: shop-uaa\n    \
             type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      \
             service-plan: application\n      path: ./xs-security.json\n"
        )
    };
    write(root, "mta.yaml", &mta("shop"));
    write(root, "deploy/mta.yaml", &mta("other"));
    write(
        root,
        "xs-security.json",
        r#"{"xsappname": "shop", "oauth2-configuration": {"credential-types": ["binding-secret"]}}"#,
    );
    write(root, "deploy/xs-security.json", r#"{"xsappname": "other"}"#);
    write(
        root,
        "deploy/prod.mtaext",
        "_schema-version: \"3.1\"\nID: shop.prod\nextends: shop\nresources:\n  - name: shop-uaa\n    parameters:\n      \
         config:\n        oauth2-configuration:\n          credential-types: [\"instance-secret\"]\n",
    );
    let (code, out, err) = check(root, &["--isolated", "deploy/prod.mtaext"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("deploy/prod.mtaext:9:29: XS102 "), "{out}");
    // Only the extension's MTA was brought in: the other one's implicit list is not reported.
    assert!(!out.contains("deploy/xs-security.json") && !out.contains("deploy/mta.yaml"), "{out}");
    // An extension of no MTA in the repository: nothing to judge it by, and no error.
    write(root, "deploy/orphan.mtaext", "_schema-version: \"3.1\"\nID: x.prod\nextends: nowhere\n");
    let (code, out, err) = check(root, &["--isolated", "deploy/orphan.mtaext"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// A commit hook passes only the staged `mta.yaml`: its extensions (the `.mtaext` files that
/// `extends` it, beside it and below, as a check of its folder finds them) are applied as when
/// the folder is checked; so for an `mta.yaml` on standard input and the `mta.yaml` that a `cf
/// push` manifest named alone brings in.
#[test]
fn an_mta_named_alone_is_judged_with_its_extensions() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    std::process::Command::new("git").arg("init").arg("-q").current_dir(root).status().unwrap();
    let mta =
        "_schema-version: \"3.1\"\nID: shop\nversion: 1.0.0\nmodules:\n  - name: shop-srv\n    type: nodejs\n    \
               path: srv\n    requires:\n      - name: shop-uaa\nresources:\n  - name: shop-uaa\n    \
               type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      \
               service-plan: application\n      path: ./xs-security.json\n";
    write(root, "app/mta.yaml", mta);
    write(
        root,
        "app/xs-security.json",
        r#"{"xsappname": "shop", "oauth2-configuration": {"credential-types": ["binding-secret"]}}"#,
    );
    let extension = |id: &str, extends: &str, types: &str| {
        format!(
            "_schema-version: \"3.1\"\nID: {id}\nextends: {extends}\nresources:\n  - name: shop-uaa\n    \
             parameters:\n      config:\n        oauth2-configuration:\n          credential-types: {types}\n"
        )
    };
    write(root, "app/prod.mtaext", &extension("shop.prod", "shop", "[\"instance-secret\"]"));
    write(
        root,
        "app/deploy/eu10/qa.mtaext",
        &extension("shop.qa", "shop", "[\"binding-secret\", \"instance-secret\"]"),
    );
    // Not this MTA's, or left out of a check of the folder: not applied.
    write(root, "app/other.mtaext", &extension("other.prod", "other", "[\"instance-secret\"]"));
    write(root, "app/gen/build.mtaext", &extension("shop.gen", "shop", "[\"instance-secret\"]"));
    write(root, ".gitignore", "gen/\n");
    let (code, folder, err) = check(root, &["--isolated", "app"]);
    assert_eq!(code, 1, "{folder}{err}");
    assert!(folder.contains("app/prod.mtaext:9:29: XS102 "), "{folder}");
    // The extension below is applied too (the findings in the one beside it say so).
    assert!(folder.contains("from qa.mtaext"), "{folder}");
    assert!(!folder.contains("other.mtaext") && !folder.contains("gen/build.mtaext"), "{folder}");
    let findings = |out: &str| out.lines().filter(|l| l.contains(": XS")).map(String::from).collect::<Vec<_>>();
    let (code, named, err) = check(root, &["--isolated", "app/mta.yaml"]);
    assert_eq!((code, findings(&named)), (1, findings(&folder)), "{named}{err}");
    // Named with its folder too: each finding once.
    let (_, both, _) = check(root, &["--isolated", "app/mta.yaml", "app"]);
    assert_eq!(findings(&both), findings(&folder), "{both}");
    // An extension named under another spelling and walked is applied once (twice, it replaced
    // its own list and XS107 was lost).
    let (_, twice, _) = check(root, &["--isolated", "./app/prod.mtaext", "app"]);
    assert_eq!(findings(&twice), findings(&folder), "{twice}");
    // From its own folder, named as the hook names it.
    let (_, inside, _) = check(&root.join("app"), &["--isolated", "mta.yaml"]);
    let relative = |lines: Vec<String>| lines.into_iter().map(|l| l.replacen("app/", "", 1)).collect::<Vec<_>>();
    assert_eq!(findings(&inside), relative(findings(&folder)), "{inside}");
    // A `cf push` manifest named alone brings in the `mta.yaml` beside it, with its extensions.
    write(root, "app/manifest.yml", "applications:\n  - name: shop-srv\n    services:\n      - shop-uaa\n");
    let (_, manifest, _) = check(root, &["--isolated", "app/manifest.yml"]);
    assert!(manifest.contains("app/prod.mtaext:9:29: XS102 "), "{manifest}");
    // Standard input named `mta.yaml`: the extensions of the folder it stands for.
    let out = cmd()
        .current_dir(root)
        .args(["check", "--isolated", "--output-format", "concise", "--stdin-filename", "app/mta.yaml", "-"])
        .write_stdin(mta)
        .output()
        .unwrap();
    let stdin = String::from_utf8_lossy(&out.stdout);
    assert!(stdin.contains("app/prod.mtaext:9:29: XS102 "), "{stdin}");
}

/// A Makefile that is a cf script of its own and also holds a chart's `--set-file`: one report
/// for the path, so that per-file numbering (GitLab fingerprints) does not repeat.
#[test]
fn a_file_judged_as_two_deployment_files_is_one_report() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    std::process::Command::new("git").arg("init").arg("-q").current_dir(root).status().unwrap();
    write(root, "chart/values.yaml", "xsuaa:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n");
    write(
        root,
        "Makefile",
        "services:\n\tcf create-service xsuaa $(PLAN) my-uaa -c xs-security.json\n\ndeploy:\n\thelm upgrade app ./chart --set-file xsuaa.jsonParameters=$(SECURITY_FILE)\n",
    );
    write(root, "xs-security.json", IMPLICIT);
    let out = cmd().current_dir(root).args(["check", "--isolated", "--output-format", "gitlab", "."]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let makefile: Vec<&Value> =
        report.as_array().unwrap().iter().filter(|f| f["location"]["path"] == "Makefile").collect();
    assert_eq!(makefile.len(), 2, "{report:#}");
    assert_ne!(makefile[0]["fingerprint"], makefile[1]["fingerprint"], "{report:#}");
    let lines: Vec<u64> =
        makefile.iter().map(|f| f["location"]["positions"]["begin"]["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [2, 5]);
}

#[test]
fn committed_secrets_are_masked_in_every_output_format() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/XS120/err/credentials");
    let secrets = [
        "8c902673-00d4-471f-9ebb-4463d4073fda$7NIo5batSFZCF1RNGcpNkRfo4mDj6vq-cElDFIcvcwg=",
        "HksDYy9RxYFUQeOHIzprqBam3vQ=",
        "sppEXArNzp3tccATO99CZsRKESY=",
    ];
    for secret in &secrets {
        let on_disk: String = walkdir_text(&fixture);
        assert!(on_disk.contains(secret), "the fixture no longer holds {secret}: the test would prove nothing");
    }
    for format in ["full", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit"] {
        let out = cmd().args(["check", "--isolated", "--output-format", format]).arg(&fixture).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let mut shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if format == "sarif" {
            // The rules' documentation (SARIF's `tool`) quotes the fixture's example; the results
            // are what comes from the repository.
            let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
            shown = sarif["runs"][0]["results"].to_string();
        }
        assert!(shown.contains("XS120"), "{format}: {shown}");
        for secret in &secrets {
            assert!(!shown.contains(secret), "{format} shows the committed secret {secret}:\n{shown}");
        }
    }
    // The full format still points at the masked value, quotes kept.
    let out = cmd()
        .args(["check", "--isolated", "--output-format", "full", "--color", "never"])
        .arg(&fixture)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("\"clientsecret\": \"*****"), "{shown}");
}

fn walkdir_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&walkdir_text(&path));
        } else {
            text.push_str(&fs::read_to_string(&path).unwrap_or_default());
        }
    }
    text
}

#[test]
fn dotenv_files_are_read_for_credentials_and_a_folder_named_env_is_not_walked() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let vcap = "VCAP_SERVICES='{\"xsuaa\":[{\"credentials\":{\"clientid\":\"sb-a!t1\",\"uaadomain\":\"x\",\
                \"clientsecret\":\"HksDYy9RxYFUQeOHIzprqBam3vQ=\"}}]}'\n";
    write(root, "db/.env", vcap);
    // A Python virtualenv is often named `.env`: a folder, not a dotenv file.
    let json = vcap.trim_start_matches("VCAP_SERVICES='").trim_end().trim_end_matches('\'');
    write(root, ".env/lib/default-env.json", json);
    write(root, ".env.local", "PORT=4004\nGREETING='hello'\n");
    let (code, stdout, _) = check(root, &["."]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("db/.env") && stdout.contains("XS120"), "{stdout}");
    assert!(!stdout.contains("lib/default-env.json"), "a folder named .env was walked: {stdout}");
    assert!(!stdout.contains("HksDYy9RxYFUQeOHIzprqBam3vQ="), "the secret is printed: {stdout}");
    // Named on the command line, a dotenv file is not taken for a JSON descriptor (no XS001).
    let (code, stdout, stderr) = check(root, &[".env.local", "db/.env"]);
    assert_eq!((code, finding_paths(&stdout)), (1, vec!["db/.env".to_string()]), "{stdout}{stderr}");
    assert!(!stdout.contains("XS001"), "{stdout}");
}
