//! A repository with hostile names through every writer: its runbook's commands run in a shell
//! (with `cf` and the other tools stubbed) without running what the names hold; the findings
//! (full, concise), the runbook and the audit table reach the terminal without a control
//! character; the audit's CSV starts no formula, its Markdown keeps names in code spans, its
//! HTML links only to web and file URLs and runs only its own script; remotes lose their
//! credentials in any scheme, and merged totals that pass `usize::MAX` are an error.

use assert_cmd::Command;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::Path;

mod support;

const FORMULA: &str = "=cmd|' /C calc'!A0";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A Cloud Foundry script that creates, binds and keys an instance whose name runs a command,
/// a descriptor whose `xsappname` is a spreadsheet formula, and folders named with a terminal
/// escape sequence and with backquotes.
fn hostile_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "deploy.sh",
        "#!/bin/sh\ncf create-service xsuaa application 'uaa$(touch pwned)' -c xs-security.json\n\
         cf bind-service 'app`id`;x' 'uaa$(touch pwned)'\ncf create-service-key 'uaa$(touch pwned)' 'k$(id)'\n",
    );
    write(root, "xs-security.json", "{\"xsappname\": \"uaa$(touch pwned)\"}\n");
    let instance_secret = r#""oauth2-configuration": {"credential-types": ["instance-secret"]}"#;
    write(
        root,
        "f/xs-security.json",
        &format!("{{\"xsappname\": \"{}\", {instance_secret}}}\n", FORMULA.replace('"', "\\\"")),
    );
    write(
        root,
        "evil\x1b[31mred\x1b]0;title\x07/xs-security.json",
        &format!("{{\"xsappname\": \"e\\u001b[2J\", {instance_secret}}}\n"),
    );
    write(
        root,
        "tick`s``/xs-security.json",
        &format!("{{\"xsappname\": \"[x](javascript:alert(1))\", {instance_secret}}}\n"),
    );
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("xsuaa-lint").unwrap().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Control characters a terminal acts on, and the bidirectional controls.
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            let n = c as u32;
            (n < 0x20 && c != '\n') || (0x7f..=0x9f).contains(&n) || (0x202a..=0x202e).contains(&n)
        })
        .collect()
}

#[test]
fn the_runbook_commands_run_no_name() {
    let dir = hostile_repository();
    let (code, json, err) = run(dir.path(), &["runbook", "--isolated", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let commands: Vec<String> = json["instances"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["steps"].as_array().unwrap().iter())
        .flat_map(|s| s["commands"].as_array().unwrap().iter())
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(commands.iter().any(|c| c.contains("cf bind-service 'app`id`;x' 'uaa$(touch pwned)'")), "{commands:#?}");
    // Every command, pasted into a shell with the tools stubbed to print their arguments.
    let stubs = "cf() { printf '<%s>' \"$@\"; echo; }; curl() { cf \"$@\"; }; mbt() { :; }; kubectl() { cf \"$@\"; }; helm() { cf \"$@\"; }; terraform() { :; }";
    let script = format!("{stubs}\n{}\n", commands.join("\n"));
    let out = std::process::Command::new("sh").current_dir(dir.path()).arg("-c").arg(&script).output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{script}\n{printed}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("pwned").exists(), "a name ran as a command:\n{script}");
    assert!(printed.contains("<bind-service><app`id`;x><uaa$(touch pwned)>"), "{printed}");
    assert!(printed.contains("<create-service-key><uaa$(touch pwned)><k$(id)-v2>"), "{printed}");
    // Placeholders stay as text to replace, never a redirection: no file `_` or `.mtar` appears.
    assert!(printed.contains("<bind-service><<app>><"), "{printed}");
    assert!(fs::read_dir(dir.path()).unwrap().count() == 5, "a placeholder redirected into a file");

    let (_, markdown, _) = run(dir.path(), &["runbook", "--isolated"]);
    assert_eq!(controls(&markdown), [], "{markdown}");
    assert!(markdown.contains("## `uaa$(touch pwned)` (`deploy.sh:2`)"), "{markdown}");
    assert!(markdown.contains("## `[x](javascript:alert(1))` (```tick`s``/xs-security.json:1```)"), "{markdown}");
    assert!(markdown.contains("`evil\\x1b[31mred\\x1b]0;title\\x07/xs-security.json:1`"), "{markdown}");
}

#[test]
fn findings_reach_the_terminal_without_control_characters() {
    let dir = hostile_repository();
    for format in ["full", "concise"] {
        let (code, out, err) = run(dir.path(), &["check", "--isolated", "--output-format", format, "--color", "never"]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(controls(&out), [], "{format}: {out}");
        assert!(out.contains("evil\\x1b[31mred\\x1b]0;title\\x07/xs-security.json"), "{format}: {out}");
    }
}

#[test]
fn audit_reports_escape_for_their_reader() {
    let dir = hostile_repository();
    let (code, table, err) = run(dir.path(), &["audit", "--isolated", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(controls(&table), [], "{table}");

    let (_, csv, _) = run(dir.path(), &["audit", "--isolated", "--format", "csv", "."]);
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().any(|r| &r[3] == "'=cmd|' /C calc'!A0"), "{csv}");
    for cell in rows.iter().flat_map(|r| r.iter()) {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} in {csv}");
    }

    let (_, md, _) = run(dir.path(), &["audit", "--isolated", "--format", "markdown", "."]);
    assert_eq!(controls(&md), [], "{md}");
    assert!(
        md.contains("| ```tick`s``/xs-security.json:1``` |") || md.contains("[```tick`s``/xs-security.json:1```]("),
        "{md}"
    );
    assert!(md.contains("`xsuaa-lint runbook 'evil\\x1b[31mred\\x1b]0;title\\x07/xs-security.json'`"), "{md}");
    assert_eq!(markdown_links(&md).iter().filter(|l| !l.starts_with("file://")).count(), 0, "{md}");

    let (_, html, _) = run(dir.path(), &["audit", "--isolated", "--format", "html", "."]);
    // The CSV to save is built by the page's script from its data: no raw copy in the page.
    assert!(!html.contains("<textarea"), "no hidden copy of the CSV");
    assert_eq!(controls(&html), [], "no raw control character in the page");
    // The page's script shows the name as a text node, from the page's data.
    assert!(html.contains("\"name\":\"[x](javascript:alert(1))\""), "the name is text");
}

/// The targets of the links a Markdown renderer (with GitHub's tables) finds.
fn markdown_links(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    Parser::new_ext(markdown, Options::ENABLE_TABLES)
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some(dest_url.to_string()),
            Event::Html(html) | Event::InlineHtml(html) => Some(format!("html: {html}")),
            _ => None,
        })
        .collect()
}

/// What a page's policy lets run: the hash of its one inline script, nothing inline else.
fn check_script_policy(html: &str) {
    let policy = html.split("Content-Security-Policy\" content=\"").nth(1).unwrap().split('"').next().unwrap();
    let script_src = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap();
    assert!(!script_src.contains("unsafe-inline") && !script_src.contains("unsafe-eval"), "{policy}");
    let scripts: Vec<&str> = html.split("<script>").skip(1).map(|s| s.split("</script>").next().unwrap()).collect();
    assert_eq!(scripts.len(), 1, "one inline script");
    use base64::Engine;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(scripts[0].as_bytes()));
    assert_eq!(script_src, format!("script-src 'sha256-{hash}'"), "{policy}");
}

#[test]
fn a_merged_shard_cannot_put_script_in_the_report() {
    let dir = hostile_repository();
    let (_, shard, _) = run(dir.path(), &["audit", "--isolated", "--format", "json", "."]);
    let mut shard: serde_json::Value = serde_json::from_str(&shard).unwrap();
    let schemes = [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
    ];
    for (n, instance) in shard["repositories"][0]["instances"].as_array_mut().unwrap().iter_mut().enumerate() {
        instance["link"] = schemes[n % schemes.len()].into();
    }
    fs::write(dir.path().join("shard.json"), shard.to_string()).unwrap();
    let (code, html, err) = run(dir.path(), &["audit", "--format", "html", "--merge", "shard.json"]);
    assert!(code == 0 || code == 1, "{err}");
    // No link in the markup (the script draws the rows); each refused link has the file's
    // relative URL in the page's data, which the script uses instead (the browser test in
    // tests/audit.rs checks the rendered links).
    let instances = shard["repositories"][0]["instances"].as_array().unwrap().len();
    assert_eq!(html.matches("\"href\":\"").count(), instances, "{html}");
    let hrefs: Vec<&str> = html.split("href=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    for href in &hrefs {
        let decoded = href.replace("&#x09;", "\t").to_ascii_lowercase();
        assert!(!decoded.contains("script:") && !decoded.starts_with("data:"), "{href}");
    }
    check_script_policy(&html);
    let (_, md, _) = run(dir.path(), &["audit", "--format", "markdown", "--merge", "shard.json"]);
    let links = markdown_links(&md);
    assert_eq!(links, Vec::<String>::new(), "every recorded link was refused: {md}");
    assert!(md.contains("| `f/xs-security.json:1` |"), "the place, without a link: {md}");
}

#[test]
fn merged_totals_that_pass_the_largest_count_are_an_error() {
    let dir = hostile_repository();
    let (_, shard, _) = run(dir.path(), &["audit", "--isolated", "--format", "json", "."]);
    let mut one: serde_json::Value = serde_json::from_str(&shard).unwrap();
    let mut two = one.clone();
    one["repositories"][0]["files_checked"] = serde_json::json!(18446744073709551614u64);
    two["repositories"][0]["path"] = "other".into();
    two["repositories"][0]["files_checked"] = serde_json::json!(2);
    fs::write(dir.path().join("one.json"), one.to_string()).unwrap();
    fs::write(dir.path().join("two.json"), two.to_string()).unwrap();
    let (code, out, err) =
        run(dir.path(), &["audit", "--format", "json", "--merge", "one.json", "--merge", "two.json"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("add up to more than 18446744073709551615"), "{err}");
    // One count at the top is still a report.
    let (code, _, err) = run(dir.path(), &["audit", "--format", "json", "--merge", "one.json"]);
    assert!(code == 0 || code == 1, "{err}");
}

#[test]
fn remotes_lose_credentials_in_any_scheme() {
    let dir = tempfile::tempdir().unwrap();
    for (name, remote) in [
        ("upper", "HTTPS://user:tok-upper@github.com/a/b.git"),
        ("ssh", "ssh://me:tok-ssh@git.example.com/a/b.git"),
        ("query", "https://git.example.com/a/b.git?private_token=tok-query&ref=main"),
        ("only", "https://tok-only@github.com/a/b.git"),
    ] {
        let repo = dir.path().join(name);
        fs::create_dir_all(&repo).unwrap();
        support::git_init(&repo);
        write(&repo, "xs-security.json", "{\"xsappname\": \"a\"}\n");
        support::git(&repo, &["remote", "add", "origin", remote]);
    }
    let (_, json, err) = run(dir.path(), &["audit", "--isolated", "--format", "json", "."]);
    assert!(!json.contains("tok-") && !err.contains("tok-"), "{json}");
    assert!(json.contains("\"https://git.example.com/a/b.git?ref=main\""), "{json}");
    assert!(json.contains("\"https://github.com/a/b.git\""), "{json}");
}
