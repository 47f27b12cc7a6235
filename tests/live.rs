//! `xsuaa-lint live` and `check --live` through stand-ins for `cf`, `kubectl`, `btp` and `curl`
//! on `PATH`: shell scripts that answer exactly the requests the CF v3 API docs, the service
//! operator's resources and the btp CLI define (responses in `fixtures/live/`, provenance in
//! `fixtures/PROVENANCE.md`) and fail on any other, logging it. The real code path runs: child
//! processes, time limits, retries, parsing, the decision and every output format.
#![cfg(unix)]

use assert_cmd::Command;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CANARY: &str = "LEAK-CANARY";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/live").join(rel)
}

enum Answer {
    /// `cf curl -i` / `curl --include`: a 200 head, then the file.
    Http(&'static str),
    /// The file as the client prints it.
    Raw(&'static str),
    /// First a 429 with `Retry-After: 1`, then the file as `Http`.
    RateLimitedOnce(&'static str),
    /// An exit status and a message on standard error.
    Fail(i32, &'static str),
    /// Never answers.
    Hang,
    /// A body given in the test.
    HttpText(String),
}

struct StandIns {
    dir: tempfile::TempDir,
    tree: tempfile::TempDir,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl StandIns {
    fn new(tree: &str) -> StandIns {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        let copy = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(fixture(tree)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
        StandIns { dir, tree: copy }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("requests.log")).unwrap_or_default()
    }

    fn unexpected(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("unexpected.log")).unwrap_or_default()
    }

    fn program(&self, name: &str, answers: Vec<(&str, Answer)>) -> &Self {
        let dir = self.dir.path();
        let head = "printf 'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n\\r\\n'";
        let mut script = format!(
            "#!/bin/sh\nprintf '%s %s\\n' {} \"$*\" >> {}\ncase \"$*\" in\n",
            quote(name),
            quote(&dir.join("requests.log").to_string_lossy())
        );
        for (n, (args, answer)) in answers.into_iter().enumerate() {
            let body = match answer {
                Answer::Http(f) => format!("{head}; /bin/cat {}", quote(&fixture(f).to_string_lossy())),
                Answer::Raw(f) => format!("/bin/cat {}", quote(&fixture(f).to_string_lossy())),
                Answer::RateLimitedOnce(f) => {
                    let flag = quote(&dir.join(format!("once-{name}-{n}")).to_string_lossy());
                    format!(
                        "if [ -e {flag} ]; then {head}; /bin/cat {}; else : > {flag}; printf 'HTTP/1.1 429 Too Many Requests\\r\\nRetry-After: 1\\r\\n\\r\\n'; /bin/cat {}; fi",
                        quote(&fixture(f).to_string_lossy()),
                        quote(&fixture("cf/rate-limited.json").to_string_lossy())
                    )
                }
                Answer::Fail(code, message) => format!("printf '%s\\n' {} >&2; exit {code}", quote(message)),
                Answer::Hang => "exec /bin/sleep 30".to_string(),
                Answer::HttpText(text) => format!("{head}; printf '%s' {}", quote(&text)),
            };
            script.push_str(&format!("{})\n  {body} ;;\n", quote(args)));
        }
        script.push_str(&format!(
            "*)\n  printf '%s %s\\n' {} \"$*\" >> {}\n  printf 'stand-in: unexpected request\\n' >&2\n  exit 97 ;;\nesac\n",
            quote(name),
            quote(&dir.join("unexpected.log").to_string_lossy())
        ));
        let path = dir.join("bin").join(name);
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        self
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("xsuaa-lint").unwrap();
        // Only the stand-ins: no real client of the machine can answer.
        cmd.env("PATH", self.dir.path().join("bin"))
            .env_remove("XSUAA_LINT_AUTHZ_URL")
            .env_remove("XSUAA_LINT_AUTHZ_TOKEN")
            .current_dir(self.tree.path())
            .args(args)
            .timeout(Duration::from_secs(60));
        cmd
    }

    fn live_json(&self, extra: &[&str]) -> Value {
        let mut args = vec!["live", "--format", "json", "--isolated"];
        args.extend(extra);
        let out = self.cmd(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(self.unexpected(), "", "requests the stand-ins do not answer");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn descriptor(&self) -> String {
        std::fs::read_to_string(self.tree.path().join("xs-security.json")).unwrap()
    }
}

const INSTANCES: &str = "curl -i /v3/service_instances?names=orders-auth&space_guids=5a84d315-9513-4d74-95e5-f6a5501eeef7&fields[service_plan]=guid,name,relationships.service_offering&fields[service_plan.service_offering]=guid,name";
const BINDINGS: &str = "curl -i /v3/service_credential_bindings?service_instance_guids=c89b3280-fe8d-4aa0-a42e-44465bb1c61c&include=app&per_page=5000";
const PAGE_2: &str = "curl -i /v3/service_credential_bindings?include=app&page=2&per_page=1&service_instance_guids=c89b3280-fe8d-4aa0-a42e-44465bb1c61c";
const APP_DETAILS: &str = "curl -i /v3/service_credential_bindings/dde5ad2a-d8f4-44dc-a56f-0452d744f1c3/details";
const KEY_DETAILS: &str = "curl -i /v3/service_credential_bindings/7aa37bad-6ccb-4ef9-ba48-9ce3a91b2b62/details";

/// A Cloud Foundry space whose app binding holds `app_type` and whose hand-made key holds `key_type`.
fn cf(app_type: &'static str, key_type: &'static str, bindings: Answer) -> StandIns {
    let s = StandIns::new("tree-cf");
    let details = |t: &str| match t {
        "binding-secret" => "cf/details-binding-secret.json",
        "instance-secret" => "cf/details-instance-secret.json",
        _ => "cf/details-x509.json",
    };
    s.program(
        "cf",
        vec![
            ("target", Answer::Raw("cf/target.txt")),
            ("space dev --guid", Answer::Raw("cf/space-guid.txt")),
            (INSTANCES, Answer::Http("cf/service-instances.json")),
            (BINDINGS, bindings),
            (PAGE_2, Answer::Http("cf/bindings-page-2.json")),
            (APP_DETAILS, Answer::Http(details(app_type))),
            (KEY_DETAILS, Answer::Http(details(key_type))),
        ],
    );
    s
}

fn instance(doc: &Value) -> &Value {
    let list = doc["instances"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{doc:#}");
    &list[0]
}

#[test]
fn all_rebound_makes_the_removal_a_safe_fix() {
    let s = cf("binding-secret", "x509", Answer::Http("cf/bindings-page-1.json"));
    let doc = s.live_json(&[]);
    let i = instance(&doc);
    assert_eq!(i["removal"], "safe", "{i:#}");
    assert_eq!(i["found"], true);
    assert_eq!(i["plan"], "application");
    assert_eq!(i["plan_differs"], false);
    // Paging: the key comes from the second page (`pagination.next`).
    let consumers = i["consumers"].as_array().unwrap();
    assert_eq!(consumers.len(), 2);
    assert_eq!(consumers[0]["app"], "orders-srv");
    assert_eq!(consumers[0]["declared"], true);
    assert_eq!(consumers[1]["name"], "made-by-hand-key");
    assert_eq!(consumers[1]["credential_type"], "x509");
    // A key made by hand: on the platform, in no file.
    assert_eq!(i["not_declared"][0]["name"], "made-by-hand-key");

    // Without the platform, `--fix` leaves the list alone (the removal is unsafe) ...
    s.cmd(&["check", "--isolated", "--fix", "--output-format", "concise"]).assert().code(1);
    assert!(s.descriptor().contains("\"instance-secret\""));
    // ... with it, the removal is safe and applied.
    let out = s.cmd(&["check", "--isolated", "--live", "--fix", "--output-format", "concise"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(s.descriptor().contains(r#""credential-types": ["binding-secret"]"#), "{}", s.descriptor());
    assert_eq!(s.unexpected(), "");
}

#[test]
fn one_app_on_the_instance_secret_keeps_the_removal_unsafe_and_named() {
    let s = cf("instance-secret", "x509", Answer::Http("cf/bindings-page-1.json"));
    let doc = s.live_json(&[]);
    let i = instance(&doc);
    assert_eq!(i["removal"], "blocked");
    let reasons = i["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].as_str().unwrap().contains("of app `orders-srv`"), "{reasons:?}");

    let out = s.cmd(&["check", "--isolated", "--live", "--fix", "--output-format", "concise"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("on the platform: app binding of app `orders-srv`"), "{stdout}");
    assert!(stdout.contains("holds the instance secret"), "{stdout}");
    assert!(s.descriptor().contains("\"instance-secret\""));
}

#[test]
fn a_rate_limit_is_waited_out() {
    let s = cf("binding-secret", "binding-secret", Answer::RateLimitedOnce("cf/bindings-page-1.json"));
    let doc = s.live_json(&[]);
    assert_eq!(instance(&doc)["removal"], "safe");
    assert_eq!(s.log().matches(&format!("cf {BINDINGS}")).count(), 2, "{}", s.log());
}

#[test]
fn not_logged_in_is_one_clear_error() {
    let s = StandIns::new("tree-cf");
    s.program("cf", vec![("target", Answer::Fail(1, "Not logged in. Use 'cf login' or 'cf login --sso' to log in."))]);
    let out = s.cmd(&["live", "--isolated"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("`cf` is not logged in: run `cf login`"), "{stderr}");
    assert!(out.stdout.is_empty());
    // `check --live` stops the same way, before it lints.
    s.cmd(&["check", "--isolated", "--live"]).assert().code(2);
}

#[test]
fn a_missing_client_is_one_clear_error() {
    let s = StandIns::new("tree-cf");
    let out = s.cmd(&["live", "--isolated"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`cf` is not installed or not on PATH"), "{stderr}");
}

#[test]
fn a_client_that_hangs_is_stopped() {
    let s = StandIns::new("tree-cf");
    s.program("cf", vec![("target", Answer::Hang)]);
    let started = Instant::now();
    let out = s.cmd(&["live", "--isolated", "--call-timeout", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`cf` did not answer within 1 s"), "{stderr}");
}

#[test]
fn no_secret_of_any_response_reaches_any_output() {
    let s = cf("instance-secret", "binding-secret", Answer::Http("cf/bindings-page-1.json"));
    let token = format!("{CANARY}-bearer-token");
    s.program("curl", vec![("--silent --show-error --include --config -", Answer::Http("cf/authz-app.json"))]);
    let mut outputs = Vec::new();
    let with_api = |mut cmd: Command| {
        cmd.env("XSUAA_LINT_AUTHZ_URL", "https://api.authentication.eu10.hana.ondemand.com")
            .env("XSUAA_LINT_AUTHZ_TOKEN", &token);
        cmd
    };
    for format in ["markdown", "json"] {
        outputs.push(with_api(s.cmd(&["live", "--isolated", "--format", format])).output().unwrap());
    }
    for format in ["full", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit"] {
        outputs.push(
            with_api(s.cmd(&["check", "--isolated", "--live", "--unsafe-fixes", "--output-format", format]))
                .output()
                .unwrap(),
        );
    }
    for out in &outputs {
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(CANARY), "a secret reached the output:\n{text}");
        }
    }
    // The read did happen (the secrets were there to leak) ...
    let json: Value = serde_json::from_slice(&outputs[1].stdout).unwrap();
    assert_eq!(instance(&json)["app_id"], "orders!t4711");
    assert_eq!(instance(&json)["last_use"]["state"], "at");
    // ... and the token never was an argument.
    assert!(!s.log().contains(CANARY), "{}", s.log());
    assert!(!s.dir.path().join("unexpected.log").exists(), "{}", s.unexpected());
}

#[test]
fn recent_use_of_the_instance_secret_blocks_the_removal() {
    let s = cf("binding-secret", "binding-secret", Answer::Http("cf/bindings-page-1.json"));
    let yesterday = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    s.program(
        "curl",
        vec![(
            "--silent --show-error --include --config -",
            Answer::HttpText(format!(r#"{{"appid": "orders!t4711", "instanceSecretLastUsedAt": "{yesterday}"}}"#)),
        )],
    );
    let out = s
        .cmd(&["live", "--isolated", "--format", "json"])
        .env("XSUAA_LINT_AUTHZ_URL", "https://api.authentication.eu10.hana.ondemand.com")
        .env("XSUAA_LINT_AUTHZ_TOKEN", "t")
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let i = instance(&doc);
    assert_eq!(i["removal"], "blocked", "{i:#}");
    assert!(i["reasons"][0].as_str().unwrap().contains("instanceSecretLastUsedAt"), "{i:#}");
}

#[test]
fn kyma_bindings_are_read_from_their_secrets() {
    let s = StandIns::new("tree-kyma");
    let secret = |name: &str| {
        format!("get secret {name} --output jsonpath={{.data.credential-type}}{{\" \"}}{{.data.xsappname}} --namespace orders")
    };
    let (current, legacy) = (secret("orders-srv-binding"), secret("legacy-binding"));
    s.program(
        "kubectl",
        vec![
            (
                "get serviceinstances.services.cloud.sap.com orders-auth --output json --namespace orders",
                Answer::Raw("kyma/serviceinstance.json"),
            ),
            (
                "get servicebindings.services.cloud.sap.com --output json --namespace orders",
                Answer::Raw("kyma/servicebindings.json"),
            ),
            (&current, Answer::Raw("kyma/secret-binding-secret.txt")),
            (&legacy, Answer::Raw("kyma/secret-instance-secret.txt")),
        ],
    );
    let doc = s.live_json(&[]);
    let i = instance(&doc);
    assert_eq!(i["platform"], "kyma");
    assert_eq!(i["namespace"], "orders");
    // The cluster's plan is not the repository's.
    assert_eq!(i["plan"], "broker");
    assert_eq!(i["plan_differs"], true);
    let consumers = i["consumers"].as_array().unwrap();
    assert_eq!(consumers.len(), 2, "the other instance's binding is not counted");
    assert_eq!(consumers[0]["credential_type"], "binding-secret");
    assert_eq!(consumers[0]["declared"], true);
    assert_eq!(consumers[1]["name"], "legacy-binding");
    assert_eq!(consumers[1]["credential_type"], "instance-secret");
    assert_eq!(i["not_declared"][0]["name"], "legacy-binding");
    assert_eq!(i["removal"], "blocked");
    assert_eq!(i["rotation"][0], serde_json::json!(["orders-srv-binding", true]));
}

#[test]
fn service_manager_bindings_are_read_through_btp() {
    let s = StandIns::new("tree-btp");
    s.program(
        "btp",
        vec![
            ("--format json list services/instance", Answer::Raw("btp/instances.json")),
            ("--format json get services/plan --id 8d2a1b3c-0000-4000-8000-0000000000b2", Answer::Raw("btp/plan.json")),
            ("--format json list services/binding", Answer::Raw("btp/bindings.json")),
        ],
    );
    let doc = s.live_json(&[]);
    let i = instance(&doc);
    assert_eq!(i["platform"], "service-manager", "{i:#}");
    assert_eq!(i["plan"], "application", "{i:#}");
    let consumers = i["consumers"].as_array().unwrap();
    assert_eq!(consumers.len(), 2);
    // A key an SAP service made (SAP Note 3697481), in no file, still on the instance secret.
    assert_eq!(consumers[1]["name"], "mobile-services-key");
    assert_eq!(consumers[1]["credential_type"], "instance-secret");
    assert_eq!(i["removal"], "blocked");
    assert_eq!(i["not_declared"].as_array().unwrap().len(), 2);
    let markdown = s.cmd(&["live", "--isolated"]).output().unwrap();
    let text = String::from_utf8_lossy(&markdown.stdout);
    assert!(text.contains("**Not ready to remove `instance-secret`**"), "{text}");
    assert!(!text.contains(CANARY));
}

/// `audit --live` over the stand-in tree (one repository: the tree has no `.git`): its instances.
fn audit_live(s: &StandIns, extra: &[&str]) -> (Vec<Value>, String) {
    let mut args = vec!["audit", "--live", "--format", "json", "--isolated", "--quiet"];
    args.extend(extra);
    let out = s.cmd(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // 1: the repository still needs work (the dual state); the live read never changes that.
    assert!(matches!(out.status.code(), Some(0 | 1)), "stderr: {stderr}");
    assert_eq!(s.unexpected(), "", "requests the stand-ins do not answer");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let instances = doc["repositories"][0]["instances"].as_array().unwrap().clone();
    (instances, stderr)
}

/// The instance the MTA declares (the one a platform knows).
fn deployed(instances: &[Value]) -> &Value {
    instances.iter().find(|i| i["kind"] == "mta").unwrap_or_else(|| panic!("{instances:#?}"))
}

#[test]
fn audit_live_marks_an_instance_ready_when_everything_is_rebound() {
    let s = cf("binding-secret", "x509", Answer::Http("cf/bindings-page-1.json"));
    let (instances, _) = audit_live(&s, &[]);
    let live = &deployed(&instances)["live"];
    assert_eq!(live["status"], "ready", "{live:#}");
    assert_eq!(live["instance_secret_holders"], 0);
    assert!(live.get("instance_secret_holder_names").is_none(), "{live:#}");
    // Without --live the report has no such field (the JSON contract is additive).
    let out = s.cmd(&["audit", "--format", "json", "--isolated", "--quiet"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\"live\""));
}

#[test]
fn audit_live_names_what_still_holds_the_instance_secret() {
    let s = cf("instance-secret", "x509", Answer::Http("cf/bindings-page-1.json"));
    let (instances, _) = audit_live(&s, &[]);
    let live = &deployed(&instances)["live"];
    assert_eq!(live["status"], "not-ready", "{live:#}");
    assert_eq!(live["instance_secret_holders"], 1);
    assert_eq!(live["instance_secret_holder_names"], serde_json::json!(["app orders-srv"]));
    assert!(live["reasons"][0].as_str().unwrap().contains("holds the instance secret"), "{live:#}");
    let csv = s.cmd(&["audit", "--live", "--format", "csv", "--isolated", "--quiet"]).output().unwrap();
    let csv = String::from_utf8_lossy(&csv.stdout);
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(
            ",live,instance_secret_holders,instance_secret_holder_names,instance_secret_last_used_at,live_reasons"
        ),
        "{header}"
    );
    assert!(csv.contains(",not-ready,1,app orders-srv,,"), "{csv}");
    let md = s.cmd(&["audit", "--live", "--format", "markdown", "--isolated", "--quiet"]).output().unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.contains("## Ready to remove `instance-secret` (read from the platform)"), "{md}");
    assert!(md.contains("| not-ready | 1 (`app orders-srv`) |"), "{md}");
}

#[test]
fn audit_live_goes_on_without_a_client_and_marks_the_instances_not_read() {
    // No `cf` on PATH at all: `live` would stop with exit 2; an audit goes on.
    let s = StandIns::new("tree-cf");
    let (instances, stderr) = audit_live(&s, &[]);
    let live = &deployed(&instances)["live"];
    assert_eq!(live["status"], "not-read", "{live:#}");
    assert!(live["reasons"][0].as_str().unwrap().contains("`cf` is not installed or not on PATH"), "{live:#}");
    assert_eq!(stderr.matches("warning: --live:").count(), 1, "{stderr}");
    // A descriptor that no deployment file names has no instance name to look up.
    for other in instances.iter().filter(|i| i["kind"] != "mta") {
        assert_eq!(other["live"]["status"], "not-read", "{other:#}");
    }
}

#[test]
fn audit_live_prints_no_secret_in_any_format() {
    let s = cf("instance-secret", "binding-secret", Answer::Http("cf/bindings-page-1.json"));
    s.program("curl", vec![("--silent --show-error --include --config -", Answer::Http("cf/authz-app.json"))]);
    let token = format!("{CANARY}-bearer-token");
    for format in ["table", "markdown", "csv", "json", "html"] {
        let out = s
            .cmd(&["audit", "--live", "--isolated", "--quiet", "--format", format])
            .env("XSUAA_LINT_AUTHZ_URL", "https://api.authentication.eu10.hana.ondemand.com")
            .env("XSUAA_LINT_AUTHZ_TOKEN", &token)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(CANARY), "a secret reached the {format} output:\n{text}");
        }
        let text = String::from_utf8_lossy(&out.stdout);
        if format != "table" {
            // The read did happen: the secrets were there to leak.
            assert!(text.contains("not-ready"), "{format}: {text}");
        }
        if format == "json" {
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
            let live = &deployed(doc["repositories"][0]["instances"].as_array().unwrap())["live"];
            assert!(live["instance_secret_last_used_at"].is_string(), "{live:#}");
        }
    }
    assert!(!s.log().contains(CANARY), "{}", s.log());
    assert_eq!(s.unexpected(), "");
}
