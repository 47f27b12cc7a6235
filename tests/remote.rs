//! `audit` on git remotes, against real servers on loopback: `git daemon` and `git
//! http-backend` behind a small HTTP server of this file, both with `uploadpack.allowFilter`.
//! Many small repositories, a large one of which only the matched blobs are fetched, one that
//! is not there, a host that never answers, the cache reused on a second run, shards merged,
//! a URL's credentials in no output, and every command of the README's audit section run as
//! written. Without `git` (or `jq`, for the README's commands) the tests say they skip.

mod support;

use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{git, GitDaemon, SERVER_CONFIG};

/// Whether git (with `daemon` and `http-backend`) is here; says so when not.
fn have_git(test: &str) -> bool {
    let ok = Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipping {test}: no `git` on PATH (CI has it)");
    }
    ok
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn descriptor(name: &str, types: &str) -> String {
    format!("{{\"xsappname\": \"{name}\", \"oauth2-configuration\": {{\"credential-types\": {types}}}}}\n")
}

/// A bare repository `NAME.git` under `served`, holding `files` in one commit on `main`.
fn serve_repository(served: &Path, name: &str, files: &[(&str, String)]) -> PathBuf {
    let work = tempfile::tempdir().unwrap();
    support::git_init(work.path());
    for (rel, text) in files {
        write(work.path(), rel, text);
    }
    git(work.path(), &["add", "-A"]);
    git(work.path(), &["commit", "-qm", "files"]);
    let bare = served.join(format!("{name}.git"));
    git(served, &["clone", "-q", "--bare", &work.path().to_string_lossy(), &bare.to_string_lossy()]);
    bare
}

/// A new commit on `main` of a served repository.
fn commit_to(bare: &Path, rel: &str, text: &str) {
    let work = tempfile::tempdir().unwrap();
    git(work.path(), &["clone", "-q", &bare.to_string_lossy(), "."]);
    write(work.path(), rel, text);
    git(work.path(), &["add", "-A"]);
    git(work.path(), &["commit", "-qm", "change"]);
    git(work.path(), &["push", "-q", "origin", "main"]);
}

/// The loopback `git daemon` these tests need (it comes with Debian's git, as `.ci/run` installs it).
fn daemon(served: &Path) -> GitDaemon {
    GitDaemon::start(served, "this test").expect("`git daemon` is needed (Debian's git has it)")
}

/// `git http-backend` behind a one-request-per-connection HTTP server; records each request.
struct HttpServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl HttpServer {
    fn start(served: &Path) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (served, seen) = (served.to_path_buf(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (served, seen) = (served.clone(), seen.clone());
                std::thread::spawn(move || {
                    let _ = serve_cgi(stream, &served, &seen);
                });
            }
        });
        HttpServer { port, requests }
    }
}

/// One HTTP request through `git http-backend` (CGI): the request line and headers read, the
/// body (by length or chunked) given on its standard input, its output sent back.
fn serve_cgi(stream: TcpStream, served: &Path, seen: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("GET").to_string(), parts.next().unwrap_or("/").to_string());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if let Some(length) = header("content-length").and_then(|l| l.parse::<u64>().ok()) {
        (&mut reader).take(length).read_to_end(&mut body)?;
    } else if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    seen.lock().unwrap().push(format!("{method} {path}"));
    let mut cgi = Command::new("git");
    cgi.arg("http-backend")
        .env("GIT_PROJECT_ROOT", served)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .envs(SERVER_CONFIG.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, env) in [
        ("content-type", "CONTENT_TYPE"),
        ("git-protocol", "HTTP_GIT_PROTOCOL"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
    ] {
        if let Some(value) = header(name) {
            cgi.env(env, value);
        }
    }
    let mut child = cgi.spawn()?;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&body));
    let output = child.wait_with_output()?;
    let _ = writer.join();
    // CGI headers (`Status:` among them), a blank line, the body.
    let out = output.stdout;
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    let split = split.or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head, rest) = match split {
        Some((i, n)) => (String::from_utf8_lossy(&out[..i]).into_owned(), &out[i + n..]),
        None => (String::new(), &out[..]),
    };
    let mut status = "200 OK".to_string();
    let mut response = Vec::new();
    for h in head.lines() {
        match h.strip_prefix("Status:") {
            Some(s) => status = s.trim().to_string(),
            None => response.push(h.trim_end().to_string()),
        }
    }
    let mut stream = stream;
    write!(stream, "HTTP/1.1 {status}\r\n")?;
    for h in response {
        write!(stream, "{h}\r\n")?;
    }
    write!(stream, "Content-Length: {}\r\nConnection: close\r\n\r\n", rest.len())?;
    stream.write_all(rest)?;
    stream.flush()
}

/// `xsuaa-lint audit ARGS` run in `dir` with a git of no user settings.
fn audit(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .arg("audit")
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env_remove("XDG_CACHE_HOME")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn paths(report: &Value) -> Vec<String> {
    report["repositories"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap().to_string()).collect()
}

/// The cache folder of the only remote cached under `cache`.
fn cached(cache: &Path, name: &str) -> PathBuf {
    let found: Vec<PathBuf> = fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}-")) && p.is_dir())
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn many_small_repositories_and_one_that_is_not_there() {
    if !have_git("many_small_repositories_and_one_that_is_not_there") {
        return;
    }
    let served = tempfile::tempdir().unwrap();
    let states = [
        ("[\"instance-secret\"]", "instance-only"),
        ("[\"binding-secret\",\"instance-secret\"]", "dual"),
        ("[\"binding-secret\"]", "binding-only"),
    ];
    let mut list = String::from("# the organisation's repositories\n\n");
    let daemon = daemon(served.path());
    for i in 0..12 {
        let (types, _) = states[i % 3];
        serve_repository(
            served.path(),
            &format!("app{i:02}"),
            &[("xs-security.json", descriptor(&format!("app{i}"), types))],
        );
        list.push_str(&daemon.url(&format!("app{i:02}")));
        list.push('\n');
    }
    list.push_str(&daemon.url("missing"));
    list.push('\n');
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("remotes.txt"), &list).unwrap();
    let (code, out, err) =
        audit(dir.path(), &["--remotes-from", "remotes.txt", "--cache-dir", "cache", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let report = json(&out);
    let expected: Vec<String> = (0..12).map(|i| daemon.url(&format!("app{i:02}"))).collect();
    assert_eq!(paths(&report), expected);
    for (i, repo) in report["repositories"].as_array().unwrap().iter().enumerate() {
        let instance = &repo["instances"][0];
        assert_eq!(instance["state"], states[i % 3].1, "{repo}");
        assert_eq!(instance["file"], format!("{}/xs-security.json", expected[i]));
        assert_eq!(repo["git"]["remote"], expected[i]);
        assert_eq!(repo["git"]["commit"].as_str().unwrap().len(), 40);
    }
    let skipped = report["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["path"], daemon.url("missing"));
    assert!(skipped[0]["reason"].as_str().unwrap().starts_with("not found while cloning"), "{skipped:?}");
    // One progress line per remote, then the warning for the one skipped.
    assert_eq!(err.lines().filter(|l| l.starts_with('[')).count(), 13, "{err}");
    assert!(err.contains("cloned at"), "{err}");
    assert!(err.contains(&format!("warning: {}: skipped: not found", daemon.url("missing"))), "{err}");

    // Every format lists the remote skipped.
    for format in ["markdown", "html", "csv"] {
        let (_, out, _) =
            audit(dir.path(), &["--remotes-from", "remotes.txt", "--cache-dir", "cache", "--format", format, "-q"]);
        assert!(out.contains("missing.git") && out.contains("not found"), "{format}: {out}");
    }
    // Quiet: no progress, the warning stays.
    let (_, _, err) = audit(dir.path(), &["--remotes-from", "remotes.txt", "--cache-dir", "cache", "-q"]);
    assert!(!err.lines().any(|l| l.starts_with('[')) && err.contains("skipped"), "{err}");

    // Shards by the remote's URL: merged, they are the whole audit.
    let mut shards = Vec::new();
    for k in 1..=3 {
        let file = format!("shard-{k}.json");
        let shard = format!("{k}/3");
        audit(
            dir.path(),
            &[
                "--remotes-from",
                "remotes.txt",
                "--cache-dir",
                "cache",
                "--shard",
                &shard,
                "--format",
                "json",
                "-o",
                &file,
                "-q",
            ],
        );
        let part = json(&fs::read_to_string(dir.path().join(&file)).unwrap());
        assert!(paths(&part).len() < 12, "{shard}");
        shards.push(file);
    }
    let mut merge = vec!["--merge"];
    merge.extend(shards.iter().map(String::as_str));
    merge.extend(["--format", "json"]);
    let (_, out, _) = audit(dir.path(), &merge);
    let merged = json(&out);
    assert_eq!(paths(&merged), expected);
    assert_eq!(merged["totals"], report["totals"]);
    assert_eq!(merged["skipped"], report["skipped"]);
}

#[test]
fn a_large_repository_costs_its_tree_and_the_matched_files() {
    if !have_git("a_large_repository_costs_its_tree_and_the_matched_files") {
        return;
    }
    let served = tempfile::tempdir().unwrap();
    let mut files: Vec<(&str, String)> = Vec::new();
    let filler: Vec<String> = (0..1500).map(|i| format!("src/module{}/file{i}.js", i % 30)).collect();
    for (i, path) in filler.iter().enumerate() {
        files.push((path.as_str(), format!("// {i}\n{}\n", "x".repeat(200))));
    }
    files.push(("README.md", "# shop\n".into()));
    files.push(("mta.yaml", "_schema-version: '3.1'\nID: shop\nversion: 1.0.0\nresources:\n  - name: shop-uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n".into()));
    files.push(("xs-security.json", descriptor("shop", "[\"instance-secret\"]")));
    files.push((".gitignore", "dist/\n".into()));
    // A script that names a parameters file by a name the walk does not take.
    files.push(("scripts/deploy.sh", "cf create-service xsuaa application shop-admin -c admin-params.json\n".into()));
    files.push(("scripts/admin-params.json", descriptor("shop-admin", "[\"binding-secret\"]")));
    files.push(("scripts/unrelated.json", "{}\n".into()));
    let bare = serve_repository(served.path(), "shop", &files);
    let daemon = daemon(served.path());
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = audit(dir.path(), &[&daemon.url("shop"), "--cache-dir", "cache", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let report = json(&out);
    let states: Vec<(String, String)> = report["repositories"][0]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap().to_string(), i["state"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        states,
        [("shop-uaa".to_string(), "instance-only".to_string()), ("shop-admin".into(), "binding-only".into())]
    );

    // Blobs in the cache: the matched files and the parameters file the script names, no more.
    let clone = cached(&dir.path().join("cache"), "shop");
    let objects = git(&clone, &["rev-list", "--objects", "--missing=print", "HEAD"]);
    let missing = objects.lines().filter(|l| l.starts_with('?')).count();
    let blobs_total = files.len();
    let present_blobs = git(&clone, &["ls-tree", "-r", "HEAD"])
        .lines()
        .filter(|l| !objects.contains(&format!("?{}", l.split_whitespace().nth(2).unwrap())))
        .map(|l| l.split('\t').nth(1).unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(
        present_blobs,
        [".gitignore", "mta.yaml", "scripts/admin-params.json", "scripts/deploy.sh", "xs-security.json"],
        "the blobs fetched"
    );
    assert_eq!(missing, blobs_total - 5);
    assert!(!clone.join("README.md").exists() && !clone.join("src").exists());
    assert_eq!(fs::read_to_string(clone.join("mta.yaml")).unwrap(), files[files.len() - 6].1);
    // The clone, one request for the matched blobs, one for the file the script names.
    assert_eq!(daemon.requests("shop"), 3, "{}", fs::read_to_string(&daemon.log).unwrap());

    // A second run: the same clone, nothing fetched but the (unchanged) branch, and neither the
    // tree listed nor a file written again.
    use std::os::unix::fs::MetadataExt;
    let git_dir = fs::metadata(clone.join(".git/objects")).unwrap();
    let written = |rel: &str| {
        let meta = fs::metadata(clone.join(rel)).unwrap();
        (meta.ino(), meta.modified().unwrap())
    };
    let before = (written("mta.yaml"), written(".git/xsuaa-lint/tree"));
    let (_, out, err) = audit(dir.path(), &[&daemon.url("shop"), "--cache-dir", "cache", "--format", "json"]);
    assert!(err.contains("unchanged at") && err.contains("5 files, no blob fetched"), "{err}");
    assert_eq!(json(&out)["repositories"][0]["instances"], report["repositories"][0]["instances"]);
    assert_eq!(daemon.requests("shop"), 4);
    assert_eq!(fs::metadata(clone.join(".git/objects")).unwrap().ino(), git_dir.ino(), "the clone was made anew");
    assert_eq!((written("mta.yaml"), written(".git/xsuaa-lint/tree")), before, "listed or written again");

    // A new commit: fetched into the same clone, its change seen.
    commit_to(&bare, "xs-security.json", &descriptor("shop", "[\"binding-secret\",\"instance-secret\"]"));
    let (_, out, err) = audit(dir.path(), &[&daemon.url("shop"), "--cache-dir", "cache", "--format", "json"]);
    let report = json(&out);
    assert_eq!(report["repositories"][0]["instances"][0]["state"], "dual", "{err}");
    assert_eq!(fs::metadata(clone.join(".git/objects")).unwrap().ino(), git_dir.ino());
    assert_eq!(daemon.requests("shop"), 6, "the new commit and its one changed blob");
}

#[test]
fn a_host_that_never_answers_times_out_and_the_audit_goes_on() {
    if !have_git("a_host_that_never_answers_times_out_and_the_audit_goes_on") {
        return;
    }
    // Connections are accepted by the kernel and never answered.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let served = tempfile::tempdir().unwrap();
    serve_repository(served.path(), "ok", &[("xs-security.json", descriptor("ok", "[\"binding-secret\"]"))]);
    let daemon = daemon(served.path());
    let dir = tempfile::tempdir().unwrap();
    let hanging = format!("git://127.0.0.1:{port}/never.git");
    let started = Instant::now();
    let (code, out, err) = audit(
        dir.path(),
        &[&hanging, &daemon.url("ok"), "--cache-dir", "cache", "--remote-timeout", "1", "--format", "json"],
    );
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    assert_eq!(paths(&report), [daemon.url("ok")]);
    assert_eq!(report["skipped"][0]["path"], hanging);
    assert!(
        report["skipped"][0]["reason"].as_str().unwrap().starts_with("timed out after 1 s while cloning"),
        "{report}"
    );
    // Nothing half-cloned is left to be taken for a cache (beside each folder: its lock file).
    let left: Vec<String> = fs::read_dir(dir.path().join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".lock"))
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    drop(silent);
}

#[test]
fn over_http_a_url_s_credentials_appear_in_no_output() {
    if !have_git("over_http_a_url_s_credentials_appear_in_no_output") {
        return;
    }
    let served = tempfile::tempdir().unwrap();
    serve_repository(served.path(), "web", &[("xs-security.json", descriptor("web", "[\"instance-secret\"]"))]);
    let server = HttpServer::start(served.path());
    let dir = tempfile::tempdir().unwrap();
    let secret = "s3cretTOKENvalue";
    let good = format!("http://deploy:{secret}@127.0.0.1:{}/web.git", server.port);
    let bad = format!("http://{secret}@127.0.0.1:{}/gone.git?private_token={secret}", server.port);
    fs::write(dir.path().join("list"), format!("{good}\n{bad}\n")).unwrap();
    for format in ["json", "csv", "markdown", "html", "table"] {
        let (code, out, err) =
            audit(dir.path(), &["--remotes-from", "list", "--cache-dir", "cache", "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(!out.contains(secret) && !err.contains(secret), "{format}: {out}\n{err}");
        assert!(out.contains(&format!("127.0.0.1:{}/web.git", server.port)), "{format}: {out}");
    }
    let (_, out, _) = audit(dir.path(), &["--remotes-from", "list", "--cache-dir", "cache", "--format", "json"]);
    let report = json(&out);
    assert_eq!(report["repositories"][0]["path"], format!("http://127.0.0.1:{}/web.git", server.port));
    assert_eq!(report["repositories"][0]["instances"][0]["state"], "instance-only");
    assert!(report["skipped"][0]["reason"].as_str().unwrap().starts_with("not found"), "{report}");
    // No folder of the cache is named after the credentials either.
    for entry in fs::read_dir(dir.path().join("cache")).unwrap() {
        assert!(!entry.unwrap().file_name().to_string_lossy().contains(secret));
    }
    // Git's smart HTTP: the clone's requests and one POST for the matched blobs.
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests.iter().any(|r| r == "POST /web.git/git-upload-pack"), "{requests:?}");
}

#[test]
fn urls_and_folders_are_told_apart_and_lists_hold_remotes_only() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("list"), "https://example.com/a.git\nrepos/b\n").unwrap();
    let (code, _, err) = audit(dir.path(), &["--remotes-from", "list", "--cache-dir", "cache"]);
    assert_eq!(code, 2);
    assert!(err.contains("line 2: `repos/b` is not a git remote"), "{err}");
    // A folder is still a folder.
    write(dir.path(), "repo/xs-security.json", &descriptor("a", "[\"binding-secret\"]"));
    let (code, out, err) = audit(dir.path(), &["repo", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(paths(&json(&out)), ["repo"]);
}

#[test]
fn remotes_from_standard_input_at_a_named_ref() {
    if !have_git("remotes_from_standard_input_at_a_named_ref") {
        return;
    }
    let served = tempfile::tempdir().unwrap();
    let bare =
        serve_repository(served.path(), "tagged", &[("xs-security.json", descriptor("t", "[\"instance-secret\"]"))]);
    git(&bare, &["tag", "v1", "main"]);
    commit_to(&bare, "xs-security.json", &descriptor("t", "[\"binding-secret\"]"));
    let daemon = daemon(served.path());
    let dir = tempfile::tempdir().unwrap();
    let state = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("xsuaa-lint")
            .unwrap()
            .current_dir(dir.path())
            .args(["audit", "--remotes-from", "-", "--cache-dir", "cache", "--format", "json", "-q"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .write_stdin(format!("# from gh repo list\n{}\n", daemon.url("tagged")))
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let report = json(&String::from_utf8_lossy(&out.stdout));
        report["repositories"][0]["instances"][0]["state"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(state(&[]), "binding-only");
    assert_eq!(state(&["--ref", "v1"]), "instance-only");
    // Each ref has a clone of its own.
    assert_eq!(
        fs::read_dir(dir.path().join("cache")).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count(),
        2
    );
}

/// A fetched remote's report names every file by the remote, the files its runbooks name for
/// bindings and keys too: no path of the cache folder reaches the report.
#[test]
fn a_remote_s_runbooks_name_its_files_by_the_remote_not_the_cache() {
    if !have_git("a_remote_s_runbooks_name_its_files_by_the_remote_not_the_cache") {
        return;
    }
    let served = tempfile::tempdir().unwrap();
    let mta = "_schema-version: '3.1'\nID: shop\nversion: 1.0.0\nmodules:\n  - name: shop-srv\n    type: nodejs\n    requires:\n      - name: shop-uaa\nresources:\n  - name: shop-uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n      service-keys:\n        - name: shop-key\n";
    serve_repository(
        served.path(),
        "shop",
        &[("mta.yaml", mta.into()), ("xs-security.json", descriptor("shop", "[\"instance-secret\"]"))],
    );
    let daemon = daemon(served.path());
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) =
        audit(dir.path(), &[&daemon.url("shop"), "--cache-dir", "remote-cache", "--format", "html", "-q"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains(&format!("{}/mta.yaml", daemon.url("shop"))), "{out}");
    // The cache's folder appears only in the command line and in `file://` links to the audited
    // files (the fallback for a host without a web view), never as a file a runbook names.
    for (at, _) in out.match_indices("remote-cache/shop-") {
        let in_link = out[..at].rfind("file://").is_some_and(|link| at - link < 80);
        assert!(in_link, "a path in the cache reached the report: {}", &out[at..]);
    }
}

/// The commands of the README's section "Audit of many repositories": its `sh` blocks (a line
/// ending in `\` joined to the next, comments left out) and the `run:` steps of its
/// workflow, in order.
fn readme_audit_commands() -> (Vec<String>, Vec<String>) {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("\n## Audit of many repositories\n").expect("the README's audit section");
    let section = &readme[start + 1..];
    // Up to the next section, or to `propose`'s part (tests/propose.rs).
    let end = ["\n## ", "\n### Proposing"].iter().filter_map(|h| section[3..].find(h)).min();
    let section = &section[..end.map_or(section.len(), |end| end + 3)];
    let (mut shell, mut workflow) = (Vec::new(), Vec::new());
    let mut block: Option<&str> = None;
    let mut pending = String::new();
    for line in section.lines() {
        match (block, line.strip_prefix("```")) {
            (None, Some(lang)) => block = Some(lang.trim()),
            (Some(_), Some(_)) => block = None,
            (Some("sh"), None) => {
                // A comment after a command is left out too, so that arguments can follow it.
                let line = line.split_once("  #").map_or(line, |(command, _)| command).trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                match line.strip_suffix('\\') {
                    Some(first) => pending.push_str(first),
                    None => {
                        pending.push_str(line);
                        shell.push(std::mem::take(&mut pending));
                    }
                }
            }
            (Some("yaml"), None) => {
                if let Some(run) = line.trim().strip_prefix("- run: ") {
                    workflow.push(run.to_string());
                }
            }
            _ => {}
        }
    }
    (shell, workflow)
}

/// The README's commands, each taken once by a part of its text.
struct Commands {
    left: Vec<String>,
}

impl Commands {
    /// The only command left that contains `part`.
    fn take(&mut self, part: &str) -> String {
        let found: Vec<usize> = (0..self.left.len()).filter(|&i| self.left[i].contains(part)).collect();
        assert_eq!(found.len(), 1, "one README command with `{part}`: {:?}", self.left);
        self.left.remove(found[0])
    }
}

/// Stand-ins for `gh`, `glab` and `curl` that check their arguments and print what the real
/// ones print for an organisation of `repos` (GitHub's `url` is the web address, without
/// `.git`; GitLab's project objects carry `http_url_to_repo`); each call logged in `calls.log`.
fn listing_stand_ins(bin: &Path, log: &Path, repos: &[&str]) {
    let github: Vec<String> = repos.iter().map(|r| format!("{{\"url\":\"https://github.com/ORG/{r}\"}}")).collect();
    let gitlab: Vec<String> = repos
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                "{{\"id\":{},\"name\":\"{r}\",\"path_with_namespace\":\"GROUP/{r}\",\"web_url\":\"https://gitlab.example.com/GROUP/{r}\",\"ssh_url_to_repo\":\"git@gitlab.example.com:GROUP/{r}.git\",\"http_url_to_repo\":\"https://gitlab.example.com/GROUP/{r}.git\"}}",
                i + 1
            )
        })
        .collect();
    let (github, gitlab) = (format!("[{}]", github.join(",")), format!("[{}]", gitlab.join(",")));
    let log = log.display();
    let scripts = [
        (
            "gh",
            format!(
                r#"printf 'gh %s\n' "$*" >> '{log}'
case "$*" in
  'auth setup-git') exit 0 ;;
  "repo list ORG --limit 5000 --json url -q .[].url") printf '%s' '{github}' | jq -r '.[].url' ;;
  *) echo "gh stand-in: unexpected call: $*" >&2; exit 97 ;;
esac"#
            ),
        ),
        (
            "glab",
            format!(
                r#"printf 'glab %s\n' "$*" >> '{log}'
case "$*" in
  'repo list --group GROUP --per-page 100 --output json') printf '%s\n' '{gitlab}' ;;
  *) echo "glab stand-in: unexpected call: $*" >&2; exit 97 ;;
esac"#
            ),
        ),
        (
            "curl",
            format!(
                r#"printf 'curl %s\n' "$*" >> '{log}'
case "$*" in
  "-s --header PRIVATE-TOKEN: $TOKEN https://gitlab.example.com/api/v4/groups/GROUP/projects?include_subgroups=true&per_page=100") printf '%s\n' '{gitlab}' ;;
  *) echo "curl stand-in: unexpected call: $*" >&2; exit 97 ;;
esac"#
            ),
        ),
    ];
    for (name, body) in scripts {
        let path = bin.join(name);
        fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Every command of the README's audit section run as written by `sh -c`: the listing clients
/// (`gh`, `glab`, `curl`) are stand-ins first on `PATH`, `jq` is the real one, and git's
/// `url.<base>.insteadOf` (which the README says applies) sends github.com and
/// gitlab.example.com to a loopback `git daemon`. A command added to the section and not run
/// here, or one removed, fails the test.
#[test]
fn every_command_of_the_readme_s_audit_section_runs_as_written() {
    if !have_git("every_command_of_the_readme_s_audit_section_runs_as_written") {
        return;
    }
    if Command::new("jq").arg("--version").output().is_err() {
        println!("skipping every_command_of_the_readme_s_audit_section_runs_as_written: no `jq` on PATH (.ci/run installs it)");
        return;
    }
    let (shell, workflow) = readme_audit_commands();
    let served = tempfile::tempdir().unwrap();
    let repos = ["shop", "billing", "orders"];
    let states = ["[\"instance-secret\"]", "[\"binding-secret\",\"instance-secret\"]", "[\"binding-secret\"]"];
    for (i, repo) in repos.iter().enumerate() {
        let bare = serve_repository(served.path(), repo, &[("xs-security.json", descriptor(repo, states[i]))]);
        // The release tag holds the stage before the last commit's.
        git(&bare, &["tag", "v2.1.0", "main"]);
        if i < 2 {
            commit_to(&bare, "xs-security.json", &descriptor(repo, states[i + 1]));
        }
    }
    let daemon = daemon(served.path());
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let base = format!("git://127.0.0.1:{}/", daemon.port);
    let mut gitconfig = String::new();
    for from in [
        "https://github.com/ORG/",
        "https://github.com/acme/",
        "git@github.com:acme/",
        "https://gitlab.example.com/GROUP/",
    ] {
        gitconfig.push_str(&format!("[url \"{base}\"]\n\tinsteadOf = {from}\n"));
    }
    fs::write(home.join("gitconfig"), gitconfig).unwrap();
    let bin = home.join("bin");
    fs::create_dir(&bin).unwrap();
    let calls = home.join("calls.log");
    listing_stand_ins(&bin, &calls, &repos);
    let xsuaa_lint = assert_cmd::cargo::cargo_bin("xsuaa-lint");
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        xsuaa_lint.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let sh = |dir: &Path, line: &str| {
        fs::create_dir_all(dir).unwrap();
        let out = assert_cmd::Command::new("sh")
            .current_dir(dir)
            .arg("-c")
            .arg(line)
            .env("PATH", &path)
            .env("HOME", home)
            .env("TOKEN", "glpat-stand-in")
            .env("GH_TOKEN", "ghp-stand-in")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
            .env_remove("XDG_CACHE_HOME")
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Each listed remote fetched, none skipped.
    let fetched_all = |err: &str, count: usize, line: &str| {
        let fetched = ["cloned at", "updated to", "unchanged at"].map(|word| err.matches(word).count());
        assert_eq!(fetched.iter().sum::<usize>(), count, "{line}\n{err}");
        assert!(!err.contains("skipped"), "{line}\n{err}");
    };

    let mut commands = Commands { left: shell };
    // GitHub: gh's list through its own `-q`, an HTML report.
    let work = home.join("work");
    let line = commands.take("gh repo list");
    let (code, _, err) = sh(&work, &line);
    assert_eq!(code, 1, "{line}\n{err}");
    fetched_all(&err, 3, &line);
    let html = fs::read_to_string(work.join("audit.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("github.com/ORG/shop"), "{html}");
    // GitLab: glab's JSON and the API's, through jq.
    for part in ["glab repo list", "curl -s"] {
        let line = commands.take(part);
        let (code, out, err) = sh(&work, &line);
        assert_eq!(code, 1, "{line}\n{err}");
        fetched_all(&err, 3, &line);
        assert!(out.contains("XSUAA audit: 3 repositories (1 need work)"), "{line}\n{out}");
        assert!(out.contains("https://gitlab.example.com/GROUP/shop.git"), "{line}\n{out}");
    }
    let log = fs::read_to_string(&calls).unwrap();
    assert!(log.contains("PRIVATE-TOKEN: glpat-stand-in"), "{log}");
    // Remotes on the command line at a tag: the tag's content (a stage behind main).
    let line = commands.take("--ref v2.1.0");
    let (code, out, err) = sh(&work, &format!("{line} --format json"));
    assert_eq!(code, 1, "{line}\n{err}");
    let report = json(&out);
    // (The user name of `git@host:path` is no part of a printed remote.)
    assert_eq!(paths(&report), ["github.com:acme/billing.git", "https://github.com/acme/shop.git"]);
    let state = |r: &Value, i: usize| r["repositories"][i]["instances"][0]["state"].as_str().unwrap().to_string();
    assert_eq!((state(&report, 0), state(&report, 1)), ("dual".into(), "instance-only".into()));
    let (_, table, _) = sh(&work, &line);
    assert!(table.contains("https://github.com/acme/shop.git"), "{table}");

    // The CI matrix by hand: repos.txt from gh, every shard as the README's line makes shard 2.
    let matrix = home.join("matrix");
    sh(&matrix, "gh repo list ORG --limit 5000 --json url -q '.[].url' > repos.txt");
    let line = commands.take("--shard 2/8");
    for k in 1..=8 {
        let shard = line.replace("2/8", &format!("{k}/8")).replace("shard-2.json", &format!("shard-{k}.json"));
        let (code, _, err) = sh(&matrix, &shard);
        assert!(code <= 1, "{shard}\n{err}");
    }
    let line = commands.take("--merge shard-*.json --format markdown");
    let (code, merged, err) = sh(&matrix, &line);
    assert_eq!(code, 1, "{line}\n{err}");
    assert!(merged.contains("| `https://github.com/ORG/shop` |"), "{line}\n{merged}");
    let (_, whole, _) = sh(&matrix, "xsuaa-lint audit --remotes-from repos.txt --format json -q");
    let (_, shards, _) = sh(&matrix, "xsuaa-lint audit --merge shard-*.json --format json");
    assert_eq!(json(&shards)["totals"], json(&whole)["totals"]);
    assert_eq!(json(&shards)["totals"]["repositories"], 3);

    // Checkouts on disk: ~/src with git repositories, ~/download without `.git`, a list.
    for (folder, init) in [("src", true), ("download", false)] {
        for (repo, types) in repos.iter().zip(states) {
            let dir = home.join(folder).join(repo);
            write(&dir, "xs-security.json", &descriptor(repo, types));
            if init {
                support::git_init(&dir);
            }
        }
    }
    let local = home.join("local");
    write(
        &local,
        "repos.txt",
        &format!("# checkouts\n{}\n{}\n", home.join("src/shop").display(), "../download/billing"),
    );
    let compare = commands.take("--compare ~/reports/last.json");
    let line = commands.take("audit ~/src");
    let (code, out, err) = sh(&local, &line);
    assert_eq!(code, 1, "{line}\n{err}");
    assert!(out.contains("src/shop") && out.contains("src/billing"), "{line}\n{out}");
    let line = commands.take("--repos-at 1");
    let (code, out, err) = sh(&local, &format!("{line} --format json"));
    assert_eq!(code, 1, "{line}\n{err}");
    assert_eq!(json(&out)["totals"]["repositories"], 3, "{line}");
    let line = commands.take("--repos-from repos.txt");
    let (code, out, err) = sh(&local, &format!("{line} --format json"));
    assert_eq!(code, 1, "{line}\n{err}");
    assert_eq!(json(&out)["totals"]["repositories"], 2, "{line}: {out}");
    // The last report, then the trend against it after shop moved to the dual state.
    sh(&local, "mkdir -p ~/reports && xsuaa-lint audit ~/src --format json -o ~/reports/last.json -q");
    write(&home.join("src/shop"), "xs-security.json", &descriptor("shop", states[1]));
    let line = compare;
    let (code, _, err) = sh(&local, &line);
    assert_eq!(code, 1, "{line}\n{err}");
    let html = fs::read_to_string(home.join("reports/audit.html")).unwrap();
    assert!(html.contains("\"change\":\"improved\""), "{line}: the trend is in the report");
    assert!(commands.left.is_empty(), "README audit commands this test does not run: {:?}", commands.left);

    // The workflow's steps, each job in a folder of its own, the report from their shards.
    let mut steps = Commands { left: workflow };
    // Each job installs the tool (here: the binary under test, on PATH).
    let installs = steps.left.len();
    steps.left.retain(|step| !step.starts_with("pipx install xsuaa-lint=="));
    assert_eq!(installs - steps.left.len(), 2, "{:?}", steps.left);
    let (list, audit, report) =
        (steps.take("gh auth setup-git"), steps.take("--shard ${{ matrix.shard }}/4"), steps.take("--merge"));
    assert!(steps.left.is_empty(), "workflow steps this test does not run: {:?}", steps.left);
    let action = home.join("action");
    for k in 1..=4 {
        let job = action.join(format!("job-{k}"));
        let (code, _, err) = sh(&job, &list);
        assert_eq!(code, 0, "{list}\n{err}");
        let step = audit.replace("${{ matrix.shard }}", &k.to_string());
        let (code, _, err) = sh(&job, &step);
        assert!(code <= 1, "{step}\n{err}");
        fs::copy(job.join(format!("shard-{k}.json")), action.join(format!("shard-{k}.json"))).unwrap();
    }
    let (code, _, err) = sh(&action, &report);
    assert_eq!(code, 1, "{report}\n{err}");
    let html = fs::read_to_string(action.join("audit.html")).unwrap();
    assert!(html.contains("github.com/ORG/shop") && html.contains("github.com/ORG/billing"), "{report}");
    assert!(fs::read_to_string(&calls).unwrap().contains("gh auth setup-git"));
}

/// Git's ssh gets `BatchMode` (never a password, passphrase or host-key prompt) unless the user
/// chose the ssh command: `GIT_SSH_COMMAND`, or `core.sshCommand` in their git settings.
#[test]
fn ssh_never_prompts_unless_the_user_chose_the_ssh_command() {
    if !have_git("ssh_never_prompts_unless_the_user_chose_the_ssh_command") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fs::create_dir(&bin).unwrap();
    let log = dir.path().join("ssh.log");
    // An ssh that records how it was called and refuses the connection, under two names.
    for name in ["ssh", "their-ssh"] {
        let path = bin.join(name);
        fs::write(&path, format!("#!/bin/sh\nprintf '{name} %s\\n' \"$*\" >> '{}'\nexit 255\n", log.display()))
            .unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = |gitconfig: &str, ssh_command: Option<&str>| {
        fs::write(dir.path().join("gitconfig"), gitconfig).unwrap();
        let _ = fs::remove_file(&log);
        let mut command = assert_cmd::Command::cargo_bin("xsuaa-lint").unwrap();
        command
            .current_dir(dir.path())
            .args(["audit", "ssh://git@127.0.0.1:1/org/app.git", "--cache-dir", "cache", "--format", "json", "-q"])
            .env("PATH", &path)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", dir.path().join("gitconfig"))
            .env_remove("GIT_SSH")
            .env_remove("GIT_SSH_COMMAND")
            .timeout(Duration::from_secs(60));
        if let Some(ssh) = ssh_command {
            command.env("GIT_SSH_COMMAND", ssh);
        }
        let out = command.output().unwrap();
        let report = json(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(report["skipped"][0]["path"], "ssh://127.0.0.1:1/org/app.git", "{report}");
        fs::read_to_string(&log).unwrap_or_default()
    };
    let called = run("", None);
    assert!(called.starts_with("ssh ") && called.contains("-o BatchMode=yes"), "{called}");
    let called = run("", Some("their-ssh -o User=me"));
    assert!(called.starts_with("their-ssh -o User=me") && !called.contains("BatchMode"), "{called}");
    let called = run("[core]\n\tsshCommand = their-ssh -i key\n", None);
    assert!(called.starts_with("their-ssh -i key") && !called.contains("BatchMode"), "{called}");
}

/// Two runs sharing one cache: a remote's folder is fetched into by one run at a time (a lock
/// beside it), so runs side by side both see every remote whole; one that cannot get the lock
/// within its timeout skips the remote with the reason.
#[test]
fn runs_sharing_a_cache_take_turns_on_each_remote() {
    if !have_git("runs_sharing_a_cache_take_turns_on_each_remote") {
        return;
    }
    let served = tempfile::tempdir().unwrap();
    let mut list = String::new();
    let daemon = daemon(served.path());
    for i in 0..8 {
        let files: Vec<(String, String)> = (0..40)
            .map(|f| (format!("svc{f}/xs-security.json"), descriptor(&format!("app{i}-{f}"), "[\"instance-secret\"]")))
            .collect();
        let files: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
        serve_repository(served.path(), &format!("app{i}"), &files);
        list.push_str(&daemon.url(&format!("app{i}")));
        list.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("list"), &list).unwrap();
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("xsuaa-lint"))
            .current_dir(dir.path())
            .args(["audit", "--remotes-from", "list", "--cache-dir", "cache", "--format", "json", "-q"])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Twice over: first both clone, then both update.
    for round in 0..2 {
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "round {round}: {err}");
            let report = json(&String::from_utf8_lossy(&out.stdout));
            assert!(report.get("skipped").is_none(), "round {round}: {report}");
            assert_eq!(report["totals"]["instances"], 8 * 40, "round {round}: {err}");
        }
    }

    // The lock held elsewhere: this run waits its timeout out and skips the remote.
    let lock = fs::read_dir(dir.path().join("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("app3-") && p.extension().is_some_and(|e| e == "lock")
        })
        .expect("a lock file beside the folder");
    let held = fs::File::open(&lock).unwrap();
    use std::os::unix::io::AsRawFd;
    // SAFETY: `flock` on a file this test opened.
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let (code, out, err) =
        audit(dir.path(), &[&daemon.url("app3"), "--cache-dir", "cache", "--remote-timeout", "1", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let reason = json(&out)["skipped"][0]["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.starts_with("timed out after 1 s while waiting for another run"), "{reason}");
    drop(held);
    let (code, _, err) = audit(dir.path(), &[&daemon.url("app3"), "--cache-dir", "cache", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
}
