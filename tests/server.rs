//! `xsuaa-lint server` driven by real clients the project does not write: Neovim's built-in LSP
//! client (`tests/server/nvim.lua`). Skipped, saying so, when the client is missing, unless
//! `XSUAA_LINT_NVIM_TEST=required` (as `.ci/run` sets).

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_xsuaa-lint");

/// A descriptor on one line with characters outside ASCII and the Basic Multilingual Plane
/// before the finding: byte, scalar and UTF-16 columns all differ there.
const DESCRIPTOR: &str = "{\"xsappname\": \"app\", \"scopes\": [{\"name\": \"$XSAPPNAME.read\", \"description\": \"Lesen für 😀\"}], \"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}\n";

fn run_with_timeout(mut command: Command, limit: Duration) -> std::process::Output {
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Neovim opens a descriptor on `["instance-secret"]`: XS102 arrives at the list's range (UTF-16
/// columns, as Neovim converts them to bytes), the preferred code action is the safe fix, and
/// applying it replaces XS102 by XS103 (the dual state, the next stage).
#[test]
fn neovim_gets_the_finding_applies_the_preferred_fix_and_sees_the_next_stage() {
    let required = std::env::var("XSUAA_LINT_NVIM_TEST").is_ok_and(|v| v == "required");
    let ready = Command::new("nvim").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(!required, "the Neovim test is required but nvim is missing");
        eprintln!("skipped: nvim is not installed (apt-get install neovim)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("xs-security.json");
    std::fs::write(&file, DESCRIPTOR).unwrap();
    let out = dir.path().join("seen.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/server/nvim.lua");
    let mut nvim = Command::new("nvim");
    nvim.args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(dir.path())
        .env("XSUAA_LINT_BIN", BIN)
        .env("XSUAA_LINT_FILE", &file)
        .env("XSUAA_LINT_OUT", &out)
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path());
    let output = run_with_timeout(nvim, Duration::from_secs(60));
    let seen: Value = std::fs::read_to_string(&out)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("nvim wrote nothing: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(output.status.success(), "{seen}\n{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(seen.get("error"), None, "{seen}");

    // The range, as the server sent it (UTF-16 units) and as Neovim placed it (bytes).
    let start = DESCRIPTOR.find("[\"instance-secret\"]").unwrap();
    let end = start + "[\"instance-secret\"]".len();
    let utf16 = |offset: usize| DESCRIPTOR[..offset].encode_utf16().count() as u64;
    let raw = seen["raw"][0]["diagnostics"].as_array().unwrap();
    let xs102 = raw.iter().find(|d| d["code"] == "XS102").expect("XS102 in the first publication");
    assert_eq!(xs102["range"]["start"], serde_json::json!({"line": 0, "character": utf16(start)}));
    assert_eq!(xs102["range"]["end"], serde_json::json!({"line": 0, "character": utf16(end)}));
    assert_eq!(xs102["severity"], 1, "error");
    assert!(xs102["codeDescription"]["href"].as_str().unwrap().ends_with("src/rules/xs102_instance_secret_only.rs"));
    assert_eq!(seen["first"]["col"], start as u64, "Neovim's byte column");
    assert_eq!(seen["first"]["end_col"], end as u64);
    assert_eq!(seen["first"]["source"], "xsuaa-lint");

    // One preferred action, the safe fix; fix-all is offered too and never preferred.
    let actions = seen["actions"].as_array().unwrap();
    let preferred: Vec<&Value> = actions.iter().filter(|a| a["isPreferred"] == true).collect();
    assert_eq!(preferred.len(), 1, "{actions:?}");
    assert_eq!(preferred[0]["kind"], "quickfix");
    assert!(!preferred[0]["title"].as_str().unwrap().contains("unsafe"));
    assert!(actions.iter().any(|a| a["kind"] == "source.fixAll.xsuaa-lint" && a["isPreferred"] == false));

    // The buffer holds the dual state, and the finding is the next stage's.
    assert!(
        seen["text"].as_str().unwrap().contains("\"credential-types\": [\"binding-secret\", \"instance-secret\"]"),
        "{}",
        seen["text"]
    );
    let after: Vec<&str> = seen["after"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(after.contains(&"XS103") && !after.contains(&"XS102"), "{after:?}");
    // The file on disk is untouched: the edit lives in the unsaved buffer.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), DESCRIPTOR);
}

/// The same server through `vscode-languageserver-protocol`'s node client
/// (`tests/lsp-client/client.mjs`): the unsaved buffer wins over the disk, an unsaved edit is
/// judged on `didChange`, hover on `credential-types` and on a finding, unsafe fixes never
/// preferred, a malformed buffer gives XS001 and the server answers on, so do hostile buffers
/// (100 000 levels of nesting, lone surrogates in the JSON-RPC text, 2 MB of spaces), an unknown document is
/// an error, a burst of changes publishes the last version last, fix-all moves one stage, an
/// `mta.yaml` reads the unsaved descriptor buffer rather than the disk, the descriptor is judged
/// through the `mta.yaml` with related information at the resource (and relinted when the
/// `mta.yaml` buffer changes), a broken `xsuaa-lint.toml`
/// is one diagnostic and its repair applies on `didChangeWatchedFiles`, the configuration file
/// open shows its own error and hover on a rule code in it, and shutdown exits 0. Prints the didChange -> publishDiagnostics latency (`--nocapture`).
/// Skipped, saying so, when node or the client is missing, unless
/// `XSUAA_LINT_LSP_CLIENT_TEST=required` (as `.ci/run` sets).
#[test]
fn vscode_protocol_client_edits_hovers_and_survives_a_malformed_buffer() {
    let required = std::env::var("XSUAA_LINT_LSP_CLIENT_TEST").is_ok_and(|v| v == "required");
    let client_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp-client");
    let ready = client_dir.join("node_modules/vscode-languageserver-protocol").is_dir()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(!required, "the LSP client test is required but node or tests/lsp-client/node_modules is missing");
        eprintln!("skipped: node or tests/lsp-client/node_modules is missing (npm ci --prefix tests/lsp-client)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("big")).unwrap();
    let typical = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus/instance-secret-only.json");
    let mut node = Command::new("node");
    node.current_dir(&client_dir).arg("client.mjs").arg(BIN).arg(&typical).arg(dir.path());
    let output = run_with_timeout(node, Duration::from_secs(120));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(seen["passed"].as_array().unwrap().len(), 22, "{seen}");
    eprintln!("didChange -> publishDiagnostics: {}", seen["latency"]);
}

/// One JSON-RPC message framed as the protocol sends it.
fn framed(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

/// The server's exit status after `messages` and the end of its input (killed after 20 s).
fn exit_status_after(messages: &[&str]) -> Option<i32> {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for message in messages {
        stdin.write_all(framed(message).as_bytes()).unwrap();
    }
    drop(stdin);
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap().status.code()
}

/// The protocol: `exit` ends the server with 0 after a `shutdown` request, with 1 without one;
/// the end of input without `shutdown` (the client died) is 1 too, also before the session is
/// open. A request after `shutdown` is answered with an error, and the server still waits for
/// `exit`.
#[test]
fn exit_is_0_after_shutdown_and_1_without() {
    const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    const SHUTDOWN: &str = r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#;
    const HOVER: &str = r#"{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x/xs-security.json"},"position":{"line":0,"character":0}}}"#;
    const EXIT: &str = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    assert_eq!(exit_status_after(&[INITIALIZE, INITIALIZED, SHUTDOWN, EXIT]), Some(0));
    assert_eq!(exit_status_after(&[INITIALIZE, INITIALIZED, EXIT]), Some(1));
    assert_eq!(exit_status_after(&[INITIALIZE, INITIALIZED]), Some(1));
    assert_eq!(exit_status_after(&[INITIALIZE, INITIALIZED, SHUTDOWN, HOVER, EXIT]), Some(0));
    // Before the session is open: `exit` before `initialize`, or before `initialized`.
    assert_eq!(exit_status_after(&[EXIT]), Some(1));
    assert_eq!(exit_status_after(&[HOVER, EXIT]), Some(1));
    assert_eq!(exit_status_after(&[INITIALIZE, EXIT]), Some(1));
    assert_eq!(exit_status_after(&[INITIALIZE, SHUTDOWN, EXIT]), Some(0));
}
