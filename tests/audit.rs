//! `audit`: repository detection, states, report formats, sharding and merging, progress,
//! identity (remotes, CODEOWNERS, links), the trend against an earlier report, the exit gate.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn descriptor(name: &str, types: Option<&str>) -> String {
    match types {
        Some(list) => {
            format!("{{\"xsappname\": \"{name}\", \"oauth2-configuration\": {{\"credential-types\": {list}}}}}\n")
        }
        None => format!("{{\"xsappname\": \"{name}\"}}\n"),
    }
}

/// Three repositories (one nested in a plain folder), a vendored one that must be ignored.
fn estate() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for repo in ["alpha", "group/beta", "gamma"] {
        fs::create_dir_all(root.join(repo).join(".git")).unwrap();
    }
    write(root, "alpha/xs-security.json", &descriptor("a1", Some(r#"["instance-secret"]"#)));
    write(root, "alpha/srv/xs-security.json", &descriptor("a2", Some(r#"["instance-secret","binding-secret"]"#)));
    write(
        root,
        "alpha/default-env.json",
        r#"{"VCAP_SERVICES": {"xsuaa": [{"credentials": {"clientid": "sb-a", "clientsecret": "HksDYy9RxYFUQeOHIzprqBam3vQ=", "uaadomain": "x"}}]}}"#,
    );
    write(root, "group/beta/xs-security.json", &descriptor("b1", None));
    write(root, "group/beta/api/xs-security.json", &descriptor("b2", Some(r#"["binding-secret","instance-secret"]"#)));
    write(root, "group/beta/bad/xs-security.json", &descriptor("b3", Some(r#""x509""#)));
    write(root, "gamma/xs-security.json", &descriptor("g1", Some(r#"["binding-secret"]"#)));
    write(root, "gamma/cert/xs-security.json", &descriptor("g2", Some(r#"["x509"]"#)));
    write(
        root,
        "gamma/mta.yaml",
        "ID: g\nresources:\n  - name: g-auth\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: broker\n      config:\n        xsappname: g3\n        oauth2-configuration:\n          credential-types: [x509, binding-secret]\n",
    );
    fs::create_dir_all(root.join("group/node_modules/dep/.git")).unwrap();
    write(root, "group/node_modules/dep/xs-security.json", &descriptor("vendored", None));
    dir
}

fn audit(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("xsuaa-lint").unwrap().current_dir(dir).arg("audit").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json", "--isolated"];
    all.extend_from_slice(args);
    let (_, out, err) = audit(dir, &all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

#[test]
fn repositories_states_and_credentials() {
    let dir = estate();
    let report = json(dir.path(), &["."]);
    let repos: Vec<&str> =
        report["repositories"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(repos, ["alpha", "gamma", "group/beta"]);
    let states = &report["totals"]["states"];
    let expected = [
        ("instance-only", 1),
        ("dual-instance-first", 1),
        ("implicit", 1),
        ("invalid", 1),
        ("dual", 1),
        ("binding-only", 2),
        ("x509", 1),
    ];
    for (state, n) in expected {
        assert_eq!(states[state], n, "{state}: {report:#}");
    }
    assert_eq!(report["totals"]["committed_credentials"], 1);
    assert_eq!(report["totals"]["repositories_needing_work"], 2);
    let gamma = &report["repositories"][1];
    let mta = gamma["instances"].as_array().unwrap().iter().find(|i| i["kind"] == "mta").unwrap();
    assert_eq!(
        (mta["name"].as_str(), mta["plan"].as_str(), mta["state"].as_str()),
        (Some("g-auth"), Some("broker"), Some("binding-only"))
    );
    assert_eq!(mta["file"], "gamma/mta.yaml");
    // A folder that is no repository and holds none counts as one.
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "xs-security.json", &descriptor("p", None));
    let report = json(plain.path(), &["."]);
    assert_eq!(report["totals"]["repositories"], 1);
    assert_eq!(report["totals"]["states"]["implicit"], 1);
}

#[test]
fn every_format_says_the_same() {
    let dir = estate();
    let (code, table, err) = audit(dir.path(), &["--isolated", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(
        table.starts_with("XSUAA audit: 3 repositories (2 need work), 8 service instances, 1 committed credentials"),
        "{table}"
    );
    // Worst first: alpha (instance-only, dual-instance-first, a credential) before beta.
    let alpha = table.find("\nalpha ").unwrap();
    let beta = table.find("\ngroup/beta ").unwrap();
    assert!(alpha < beta && !table.contains("\ngamma "), "{table}");

    let (_, md, _) = audit(dir.path(), &["--isolated", "--format", "markdown", "."]);
    assert!(md.contains("| instance-only | 1 |") && md.contains("| alpha | "), "{md}");
    // Each instance that needs work links its runbook, a command that works from here.
    assert!(md.contains("| `xsuaa-lint runbook alpha/xs-security.json` |"), "{md}");
    let runbook = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir.path())
        .args(["runbook", "--isolated", "alpha/xs-security.json"])
        .output()
        .unwrap();
    let runbook = String::from_utf8_lossy(&runbook.stdout);
    assert!(runbook.contains("## `a1` (alpha/xs-security.json:1)") && runbook.contains("`instance-only`"), "{runbook}");

    let (_, csv, _) = audit(dir.path(), &["--isolated", "--format", "csv", "."]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "repository,file,line,instance,kind,plan,state,codes,owners,link,sources,change");
    assert_eq!(lines.len(), 9, "{csv}");
    let root = fs::canonicalize(dir.path()).unwrap();
    let a1 = format!(
        "alpha,alpha/xs-security.json,1,a1,descriptor,unknown,instance-only,XS102,,file://{}/alpha/xs-security.json#L1,alpha/xs-security.json:1,",
        root.display()
    );
    assert!(lines.contains(&a1.as_str()), "{csv}");

    let (_, html, _) = audit(dir.path(), &["--isolated", "--format", "html", "."]);
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("data-state=\"binding-only\" data-count=\"2\""),
        "{html}"
    );
    // Nothing to load: no `src`, no stylesheet link, and the CSP forbids any fetch anyway (the
    // runbooks name SAP's API URL as text).
    assert!(!html.contains(" src=") && !html.contains("<link") && html.contains("default-src 'none'"), "no network");
    // Links work wherever the report is opened: by absolute path when there is no known remote.
    assert!(html.contains(&format!("<a href=\"file://{}/alpha/xs-security.json#L1\">", root.display())), "{html}");
    // The legend says what each state means and what comes next.
    assert!(html.contains("<tr data-state=\"dual\"><td>") && html.contains("Step 2: rebind every app"), "{html}");
}

#[test]
fn shards_merge_into_the_full_report() {
    let dir = estate();
    // More repositories, so that every shard is likely to hold some.
    for i in 0..12 {
        fs::create_dir_all(dir.path().join(format!("more/r{i}/.git"))).unwrap();
        write(
            dir.path(),
            &format!("more/r{i}/xs-security.json"),
            &descriptor(&format!("r{i}"), Some(r#"["instance-secret"]"#)),
        );
    }
    let full = json(dir.path(), &["."]);
    let mut files = Vec::new();
    for k in 1..=3 {
        let shard = json(dir.path(), &["--shard", &format!("{k}/3"), "."]);
        let path = dir.path().join(format!("shard{k}.json"));
        fs::write(&path, serde_json::to_string(&shard).unwrap()).unwrap();
        files.push(path.to_string_lossy().to_string());
    }
    let mut args = vec!["--merge"];
    args.extend(files.iter().map(String::as_str));
    let mut merged = json(dir.path(), &args);
    let mut full = full;
    // Everything but when and how each report was made.
    assert!(merged["generated"]["command"].as_str().unwrap().contains("--merge"));
    merged.as_object_mut().unwrap().remove("generated");
    full.as_object_mut().unwrap().remove("generated");
    assert_eq!(merged, full);
    assert_eq!(full["totals"]["repositories"], 15);
    let (code, _, err) = audit(dir.path(), &["--shard", "4/3", "."]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn no_progress_line_when_not_a_terminal_and_output_file_is_whole() {
    let dir = estate();
    let (code, out, err) = audit(dir.path(), &["--isolated", "--format", "json", "--output-file", "report.json", "."]);
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", ""));
    let report: Value = serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["version"], 1);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// The HTML report in a real headless browser (Debian's chromium, driven by playwright-core from
/// `tests/browser`): no console error, no network request, the chart and the table show the
/// report's counts, clicking a heading sorts, the legend is there, the search box and the state
/// filters hide rows, the trend column shows what moved since the earlier report, a runbook opens
/// with a click, and the two buttons save the report's CSV and JSON. Skipped, saying so, when the
/// browser or the driver is missing, unless `XSUAA_LINT_BROWSER_TEST=required` (as `.ci/run` sets).
#[test]
fn html_report_works_in_a_real_browser() {
    let required = std::env::var("XSUAA_LINT_BROWSER_TEST").is_ok_and(|v| v == "required");
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = Path::new(&chromium).exists()
        && browser_dir.join("node_modules/playwright-core").is_dir()
        && std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(!required, "the browser test is required but chromium, node or playwright-core is missing");
        eprintln!("skipped: chromium, node or tests/browser/node_modules/playwright-core is missing");
        return;
    }
    let dir = estate();
    // The earlier report, then the tree moves: beta's dual instance finishes, gamma's regresses,
    // and alpha gets a new instance-secret instance.
    let (_, old, _) = audit(dir.path(), &["--isolated", "--format", "json", "."]);
    fs::write(dir.path().join("old.json"), old).unwrap();
    fs::create_dir(dir.path().join("out")).unwrap();
    write(dir.path(), "group/beta/api/xs-security.json", &descriptor("b2", Some(r#"["binding-secret"]"#)));
    write(dir.path(), "gamma/xs-security.json", &descriptor("g1", Some(r#"["instance-secret"]"#)));
    // A file whose path a URL would misread (fragment, query, escape, space, non-ASCII).
    write(dir.path(), "alpha/odd #1?%41 é/xs-security.json", &descriptor("a3", Some(r#"["instance-secret"]"#)));
    let (_, _, err) = audit(
        dir.path(),
        &["--isolated", "--format", "html", "--compare", "old.json", "--output-file", "out/report.html", "."],
    );
    assert!(err.is_empty(), "{err}");
    let report = json(dir.path(), &["--compare", "old.json", "."]);
    let page = dir.path().join("out/report.html");
    let out = std::process::Command::new("node")
        .current_dir(&browser_dir)
        .arg("check-report.mjs")
        .arg(&page)
        .arg("beta")
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["errors"], serde_json::json!([]), "console errors");
    assert_eq!(seen["requests"], serde_json::json!([]), "network requests");
    for (state, n) in report["totals"]["states"].as_object().unwrap() {
        assert_eq!(&seen["bars"][state], n, "chart bar {state}");
    }
    // The legend: every state, what it means and its next step.
    let legend = seen["legend"].as_array().unwrap();
    assert_eq!(legend.len(), 7, "{legend:?}");
    for row in legend {
        assert!(!row["meaning"].as_str().unwrap().is_empty() && !row["next"].as_str().unwrap().is_empty(), "{row}");
    }
    assert_eq!(legend[0]["state"], "instance-only");
    assert!(legend[0]["next"].as_str().unwrap().starts_with("Step 1"), "{legend:?}");
    // Every link leads to its instance's file and line, from wherever the report is (`out/`).
    let links: Vec<&str> = seen["links"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert_eq!(links.len(), 9, "{links:?}");
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for link in &links {
        let (path, line) = link.strip_prefix("file://").and_then(|l| l.split_once("#L")).expect(link);
        let path = percent_encoding::percent_decode_str(path).decode_utf8().unwrap();
        let file = Path::new(path.as_ref()).strip_prefix(&root).unwrap().to_string_lossy().to_string();
        let instance = report["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["instances"].as_array().unwrap())
            .find(|i| i["file"] == file.as_str())
            .unwrap_or_else(|| panic!("{link}: no instance in {file}"));
        assert_eq!(instance["line"].to_string(), line, "{link}");
    }
    assert!(links.iter().any(|l| l.contains("/alpha/odd%20%231%3F%2541%20%C3%A9/xs-security.json#L1")), "{links:?}");
    // Bars are drawn: the tallest state has the tallest bar.
    let heights: Vec<f64> = seen["barHeights"].as_array().unwrap().iter().map(|h| h.as_f64().unwrap()).collect();
    assert!(heights.iter().any(|h| *h > 100.0), "{heights:?}");
    // Worst first on load, then sorted by the clicked column.
    assert_eq!(seen["rows"], serde_json::json!(["alpha", "group/beta", "gamma"]));
    assert_eq!(seen["byNameAscending"], serde_json::json!(["alpha", "gamma", "group/beta"]));
    assert_eq!(seen["byNameDescending"], serde_json::json!(["group/beta", "gamma", "alpha"]));
    let scores: Vec<i64> = seen["byScoreAscending"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]) && scores.len() == 3, "{scores:?}");
    // The search box leaves the rows that mention it; the state filters hide finished instances
    // and the repositories that hold nothing else.
    assert_eq!(seen["allInstances"].as_array().unwrap().len(), 9);
    assert_eq!(seen["searchRepositories"], serde_json::json!(["group/beta"]));
    let found: Vec<&str> = seen["searchInstances"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|row| row.starts_with("group/beta ")), "{found:?}");
    let filtered: Vec<&str> =
        seen["filteredInstances"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(filtered.len(), 6, "{filtered:?}");
    assert!(filtered.iter().all(|row| !row.ends_with(" binding-only") && !row.ends_with(" x509")), "{filtered:?}");
    assert_eq!(seen["shown"], "3 repositories, 9 instances shown");
    // The trend column: gamma regressed, beta finished one, alpha has a new instance-secret instance.
    let trend = &seen["trend"];
    assert_eq!((trend["gamma"]["regressions"].as_u64(), trend["gamma"]["finished"].as_u64()), (Some(1), Some(0)));
    assert_eq!(trend["group/beta"]["finished"], 1);
    assert_eq!(trend["alpha"]["newInstanceSecret"], 1);
    assert_eq!(trend["alpha"]["text"], "1 new instance-secret, 1 new");
    let mut changes: Vec<&str> = seen["changes"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    changes.retain(|c| !c.is_empty());
    changes.sort_unstable();
    assert_eq!(changes, ["finished", "new", "regressed"]);
    // A runbook one click away, with SAP's steps.
    let runbook = seen["runbook"].as_str().unwrap();
    assert!(runbook.contains("Steps") && runbook.contains("credential-types"), "{runbook}");
    // The saved files are the report's CSV and JSON.
    let (_, csv, _) = audit(dir.path(), &["--isolated", "--format", "csv", "--compare", "old.json", "."]);
    assert_eq!(seen["saved"]["csv"]["name"], "xsuaa-audit.csv");
    assert_eq!(seen["saved"]["csv"]["text"].as_str().unwrap(), csv);
    let mut saved: Value = serde_json::from_str(seen["saved"]["json"]["text"].as_str().unwrap()).unwrap();
    let mut expected = report.clone();
    saved.as_object_mut().unwrap().remove("generated");
    expected.as_object_mut().unwrap().remove("generated");
    assert_eq!(saved, expected);
    assert!(page.with_extension("png").exists(), "screenshot");
    if let Ok(keep) = std::env::var("XSUAA_LINT_KEEP_SCREENSHOT") {
        std::fs::copy(page.with_extension("png"), keep).unwrap();
    }
}

#[test]
fn unknown_configurations_are_counted_not_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("infra/.git")).unwrap();
    write(
        root,
        "infra/main.tf",
        "data \"cloudfoundry_service_plan\" \"xsuaa\" {\n  name = \"application\"\n  service_offering_name = \"xsuaa\"\n}\n\n\
         resource \"cloudfoundry_service_instance\" \"xsuaa\" {\n  name = \"shop-xsuaa\"\n  type = \"managed\"\n  \
         service_plan = data.cloudfoundry_service_plan.xsuaa.id\n  parameters = var.parameters\n}\n",
    );
    let (_, out, err) = audit(root, &["--format", "csv", "--isolated", "."]);
    assert!(out.contains("infra,infra/main.tf,6,shop-xsuaa,terraform-cf,application,invalid,XS007"), "{out}{err}");
}
