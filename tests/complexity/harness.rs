//! The complexity harness: every reader gets inputs of about `n` and `8n` bytes, and the time
//! of the large one over the small one must stay under [`MAX_RATIO`] (linear gives about 8, a
//! quadratic path about 64). Shared by `tests/complexity.rs` (small `n`, debug build, in CI)
//! and `examples/complexity.rs` (`n` = 100 KB, release, with the 1-second bound).
//!
//! Adding a reader: write `fn NAME(bytes: usize) -> Work` that builds an input of about
//! `bytes` bytes (see [`fill`]) and returns the work to time (see [`judge`] for a deployment
//! file, [`tree`] for a folder checked by the engine), then add one line to [`READERS`].
//! Building the input is not timed; the work may run several times.

#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xsuaa_lint::lint::set::{judge_set, Declaration, SetOptions};
use xsuaa_lint::model::deployment::{FileFormat, Files, Unreadable};
use xsuaa_lint::text::source::SourceFile;

/// Linear gives 8; quadratic 64; `n log n` about 9.
pub const MAX_RATIO: f64 = 12.0;

/// What is timed: one run of a reader over the input its builder made.
pub type Work = Box<dyn FnMut()>;

/// One reader (or one hostile shape of its input).
pub struct Reader {
    pub name: &'static str,
    /// Builds an input of about this many bytes; returns the work to time.
    pub build: fn(usize) -> Work,
}

/// Every reader, by the file or function it exercises.
pub const READERS: &[Reader] = &[
    // The descriptor path (parse.rs, yaml.rs, the rules).
    Reader { name: "descriptor: many scopes and role templates", build: descriptor_many_scopes },
    Reader { name: "descriptor: fix with many findings", build: descriptor_fix_many_findings },
    Reader { name: "json: escapes, surrogate pairs and nesting", build: json_escapes_and_nesting },
    Reader { name: "yaml: many documents with anchors and aliases", build: yaml_aliases },
    // src/deployment.rs
    Reader { name: "mta: many xsuaa resources", build: mta_many_resources },
    Reader { name: "mta: many modules bound to one resource", build: mta_many_bindings },
    Reader { name: "kubernetes: many ServiceInstances in one file", build: kyma_many_instances },
    Reader { name: "kubernetes: many ServiceBindings of one instance", build: kyma_many_bindings },
    Reader { name: "kubernetes: ServiceBindings beside the instance, a file each", build: kyma_bindings_beside },
    Reader { name: "kubernetes: a kustomization of many binding files", build: kustomization_many_resources },
    Reader { name: "kubernetes: a Helm template of many documents, some skipped", build: helm_template_documents },
    Reader { name: "terraform: many instances in one file", build: terraform_many_instances },
    Reader { name: "terraform: many findings on one instance", build: terraform_many_findings },
    // src/deployment/crossplane.rs, src/deployment/service_catalog.rs
    Reader { name: "crossplane-btp: many instances, bindings and Provider pins", build: crossplane_btp_many },
    Reader { name: "crossplane-btp: many ServiceBindings of one instance", build: crossplane_btp_many_bindings },
    Reader { name: "service-catalog: many instances and bindings", build: service_catalog_many },
    // src/model/deployment/pulumi.rs
    Reader { name: "pulumi: many instances, keys and app bindings", build: pulumi_many_instances },
    Reader { name: "pulumi: many service keys of one instance", build: pulumi_many_keys },
    // src/dotenv.rs through XS120
    Reader { name: "dotenv: many VCAP_SERVICES lines and quoted values", build: dotenv_many_lines },
    Reader { name: "dotenv: a double quote never closed", build: dotenv_unclosed_quote },
    // src/deployment/cf.rs
    Reader { name: "cf: services manifest with many instances", build: services_manifest_many },
    Reader { name: "cf: manifest.yml binding many apps", build: cf_manifest_many_apps },
    // src/deployment/helm.rs
    Reader { name: "helm: values with many instances", build: helm_many_instances },
    // src/deployment/shell.rs
    Reader { name: "shell: many cf commands", build: shell_many_commands },
    Reader { name: "shell: an unclosed quote over many lines", build: shell_unclosed_quote },
    Reader { name: "shell: many continuation lines", build: shell_continuations },
    Reader { name: "shell: many heredocs", build: shell_heredocs },
    Reader { name: "shell: many cds and folder variables", build: shell_cds_and_variables },
    Reader { name: "makefile: many escaped dollars", build: makefile_escaped_dollars },
    Reader { name: "shell: many token requests on one line", build: shell_token_requests_one_line },
    Reader { name: "rest client: many token requests", build: rest_client_token_requests },
    Reader { name: "compose: many binding secrets", build: compose_binding_secrets },
    // src/deployment/ci.rs
    Reader { name: "ci: a GitHub run block of many lines", build: github_long_run },
    Reader { name: "ci: a GitHub run block with escaped lines", build: github_escaped_run },
    Reader { name: "ci: GitLab with many jobs", build: gitlab_many_jobs },
    Reader { name: "ci: Jenkinsfile with many sh steps", build: jenkinsfile_many_steps },
    Reader { name: "ci: package.json with many scripts", build: package_json_many_scripts },
    Reader { name: "ci: Piper config with many services", build: piper_many_services },
    // Terraform expressions, parametersFrom, history, the server, CODEOWNERS (issue 21's
    // linear-rest items).
    Reader { name: "terraform: merge() of many maps", build: terraform_merge_many },
    Reader { name: "terraform: many locals merged", build: terraform_locals_many },
    Reader { name: "kubernetes: parametersFrom entries into another file", build: parameters_from_one_file },
    Reader { name: "kubernetes: parametersFrom entries, a file each", build: parameters_from_many_files },
    Reader { name: "history: rename detection against a dissimilar file", build: history_rename },
    Reader { name: "history: dual-state walk over versions", build: history_dual_walk },
    Reader { name: "server: didChange with an edit per line", build: server_did_change },
    Reader { name: "audit: CODEOWNERS with many rules", build: codeowners_many_rules },
    Reader { name: "remote: a list of many remotes", build: remote_list },
    Reader { name: "remote: git's message with many URLs to redact", build: remote_message },
    // Trees through the engine (files read once per run, not once per deployment file).
    Reader { name: "engine: deployment files beside a root manifest.yml", build: tree_root_manifest },
    Reader { name: "engine: MTAs and extensions", build: tree_mta_extensions },
];

/// Readers still quadratic, with why and who fixes it: measured and printed, not failed. A
/// line here is removed with its fix.
pub const KNOWN: &[(&str, &str)] = &[];

pub fn known(name: &str) -> Option<&'static str> {
    KNOWN.iter().find(|(n, _)| *n == name).map(|(_, why)| *why)
}

// ---------------------------------------------------------------------------------------------
// Inputs.

const TERRAFORM_XSUAA: &str = "resource \"btp_subaccount_service_instance\" \"uaa\" {\n  service_offering_name = \"xsuaa\"\n  serviceplan_name = \"application\"\n";

fn terraform_merge_many(bytes: usize) -> Work {
    let maps = fill(bytes, "", |i, out| {
        let _ = write!(out, "{{ k{i} = {i} }}, ");
    });
    let text = format!("{TERRAFORM_XSUAA}  parameters = jsonencode(merge({maps}{{ xsappname = \"a\" }}))\n}}\n");
    judge(FileFormat::Terraform, "main.tf", text, Vec::new(), None)
}

fn terraform_locals_many(bytes: usize) -> Work {
    let mut names = Vec::new();
    let locals = fill(bytes, "locals {\n", |i, out| {
        let _ = writeln!(out, "  p{i} = {{ k{i} = \"v\" }}");
        names.push(format!("local.p{i}"));
    });
    let text = format!(
        "{locals}}}\n{TERRAFORM_XSUAA}  parameters = jsonencode(merge({{ xsappname = \"a\" }}, {}))\n}}\n",
        names.join(", ")
    );
    judge(FileFormat::Terraform, "main.tf", text, Vec::new(), None)
}

const KYMA_FROM_HEAD: &str = "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: uaa\nspec:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: a\n  parametersFrom:\n";

fn config_map(i: usize) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p{i}\ndata:\n  k: '{{\"k{i}\": {i}}}'\n")
}

fn parameters_from_one_file(bytes: usize) -> Work {
    let mut maps = Vec::new();
    let text = fill(bytes, KYMA_FROM_HEAD, |i, out| {
        let _ = write!(out, "    - configMapKeyRef:\n        name: p{i}\n        key: k\n");
        maps.push(config_map(i));
    });
    judge(FileFormat::Kubernetes, "instance.yaml", text, vec![("config.yaml", maps.join("---\n"))], None)
}

fn parameters_from_many_files(bytes: usize) -> Work {
    let mut maps = Vec::new();
    let text = fill(bytes / 2, KYMA_FROM_HEAD, |i, out| {
        let _ = write!(out, "    - configMapKeyRef:\n        name: p{i}\n        key: k\n");
        maps.push(config_map(i));
    });
    let names: Vec<String> = (0..maps.len()).map(|i| format!("config-{i}.yaml")).collect();
    let others = names.iter().map(String::as_str).zip(maps).collect();
    // The reader alone: judging an instance of many files is the effective configuration's.
    let memory = Memory::new(others);
    let path = memory.root.join("instance.yaml");
    Box::new(move || {
        let source = SourceFile::new("instance.yaml", text.clone());
        let set =
            xsuaa_lint::model::deployment::load(&path, source, FileFormat::Kubernetes, &memory.root, &[], &memory);
        std::hint::black_box(set.files.len());
    })
}

/// A git repository written with `git fast-import` from a stream, its work tree left empty.
fn fast_import(stream: &str) -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().expect("a temporary folder");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("git runs")
    };
    assert!(git(&["init", "-q", "-b", "main"]).wait().unwrap().success());
    let mut import = git(&["fast-import", "--quiet"]);
    use std::io::Write as _;
    import.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(import.wait().unwrap().success());
    dir
}

fn blob(mark: usize, text: &str) -> String {
    format!("blob\nmark :{mark}\ndata {}\n{text}\n", text.len())
}

fn commit(at: usize, changes: &str) -> String {
    format!(
        "commit refs/heads/main\ncommitter t <t@example.com> {} +0000\ndata 1\nc\n{changes}\n",
        1_700_000_000 + at * 60
    )
}

fn scopes_descriptor(bytes: usize, prefix: &str) -> String {
    let body = fill(bytes, "{\"xsappname\": \"a\", \"scopes\": [\n", |i, out| {
        let _ = writeln!(out, "{{\"name\": \"$XSAPPNAME.{prefix}{i}\"}},");
    });
    format!("{body}{{\"name\": \"$XSAPPNAME.last\"}}]}}\n")
}

fn history_rename(bytes: usize) -> Work {
    // The base held old/xs-security.json; the work tree has new/xs-security.json, no line shared.
    let old = scopes_descriptor(bytes, "a");
    let dir = fast_import(&(blob(1, &old) + &commit(0, "M 100644 :1 old/xs-security.json\n")));
    let path = dir.path().join("new/xs-security.json");
    let text = scopes_descriptor(bytes, "b");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &text).unwrap();
    Box::new(move || {
        let history = xsuaa_lint::io::history::History::new(None);
        std::hint::black_box(history.baseline(&path, &text, 30).is_some());
        let _ = &dir;
    })
}

fn history_dual_walk(bytes: usize) -> Work {
    // Commits in proportion to the size, alternating two dual versions of the file.
    let version = |tail: &str| {
        format!(
            "{{\"xsappname\": \"a\", \"description\": \"{}{tail}\", \"oauth2-configuration\": {{\"credential-types\": [\"binding-secret\", \"instance-secret\"]}}}}\n",
            "x".repeat(bytes)
        )
    };
    let commits = (bytes / 1024).clamp(2, 1000);
    let mut stream = blob(1, &version("a")) + &blob(2, &version("b"));
    for i in 0..commits {
        stream.push_str(&commit(i, &format!("M 100644 :{} xs-security.json\n", 1 + i % 2)));
    }
    let dir = fast_import(&stream);
    let path = dir.path().join("xs-security.json");
    let text = version(if commits % 2 == 1 { "a" } else { "b" });
    std::fs::write(&path, &text).unwrap();
    Box::new(move || {
        let history = xsuaa_lint::io::history::History::new(None);
        std::hint::black_box(history.baseline(&path, &text, 30).is_some());
        let _ = &dir;
    })
}

fn server_did_change(bytes: usize) -> Work {
    use lsp_types::{Position, Range, TextDocumentContentChangeEvent};
    let lines = bytes / 11;
    let text = "0123456789\n".repeat(lines);
    let changes: Vec<TextDocumentContentChangeEvent> = (0..lines as u32)
        .rev()
        .map(|l| TextDocumentContentChangeEvent {
            range: Some(Range { start: Position { line: l, character: 2 }, end: Position { line: l, character: 4 } }),
            range_length: None,
            text: "ab".into(),
        })
        .collect();
    Box::new(move || {
        let out = xsuaa_lint::server::position::apply_changes(text.clone(), changes.clone());
        std::hint::black_box(out.len());
    })
}

fn codeowners_many_rules(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = writeln!(out, "/d{i}/**/a*b*c*{i}*.json @team{i}");
    });
    Box::new(move || {
        let owners = xsuaa_lint::audit::identity::parse_rules(&text);
        std::hint::black_box(owners.owners("d1/x/abc1.json").len() + owners.owners("e/f/g.json").len());
    })
}

fn remote_list(bytes: usize) -> Work {
    let text = fill(bytes, "# the organisation\n", |i, out| {
        let _ = writeln!(out, "https://user:tok{i}@git.example.com/group/sub/repo-{i}.git\ngit@host:org/r{i}.git");
    });
    Box::new(move || {
        std::hint::black_box(xsuaa_lint::io::remote::listed(&text).map(|l| l.len()).unwrap_or(0));
    })
}

fn remote_message(bytes: usize) -> Work {
    // URLs back to back, then one without an end: each scanned once.
    let text = fill(bytes, "fatal: ", |i, out| {
        let _ = write!(out, "'https://u:p{i}@h/r.git?private_token=t' x://a@b://c@");
    });
    Box::new(move || {
        std::hint::black_box(xsuaa_lint::io::remote::redact_text(&text, "https://u:p1@h/r.git").len());
    })
}

/// `head`, then `unit(0)`, `unit(1)`, ... until the text holds at least `bytes` bytes.
pub fn fill(bytes: usize, head: &str, mut unit: impl FnMut(usize, &mut String)) -> String {
    let mut out = String::with_capacity(bytes + 256);
    out.push_str(head);
    let mut i = 0;
    while out.len() < bytes {
        unit(i, &mut out);
        i += 1;
    }
    out
}

/// Files held in memory under a made-up root, as the deployment model reads them.
pub struct Memory {
    pub root: PathBuf,
    pub files: HashMap<PathBuf, String>,
}

impl Memory {
    pub fn new(files: Vec<(&str, String)>) -> Memory {
        let root = PathBuf::from("/xsuaa-lint-complexity");
        let files = files.into_iter().map(|(p, t)| (root.join(p), t)).collect();
        Memory { root, files }
    }
}

impl Files for Memory {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, Unreadable> {
        self.files.get(path).map(|t| SourceFile::new(shown, t.clone())).ok_or(Unreadable::Missing)
    }

    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .files
            .keys()
            .filter(|p| p.parent() == Some(folder) && p.to_string_lossy().ends_with(suffix))
            .cloned()
            .collect();
        out.sort();
        out
    }
}

/// The work of judging `text` as the deployment file `name` of `kind` (model, every instance's
/// evaluation and, with `fix`, the fix loop), with `others` readable beside it.
pub fn judge(kind: FileFormat, name: &str, text: String, others: Vec<(&str, String)>, fix: Option<bool>) -> Work {
    let memory = Memory::new(others);
    let path = memory.root.join(name);
    let extensions: Vec<PathBuf> =
        memory.files.keys().filter(|p| p.to_string_lossy().ends_with(".mtaext")).cloned().collect();
    let name = name.to_string();
    Box::new(move || {
        let declaration = Declaration { path: &path, kind, root: &memory.root, extensions: &extensions };
        let options = SetOptions {
            policies: &[],
            base_of: &|_, _| None,
            filter: &|_, _| {},
            fix,
            recommendations: None,
            live: None,
        };
        let outcome = judge_set(&declaration, SourceFile::new(name.clone(), text.clone()), &memory, &options);
        std::hint::black_box(outcome.set.instances.len());
    })
}

/// The work of `check` (with an inventory, as `runbook` and `audit` run it) over a folder
/// holding `files`, written once to a temporary folder.
pub fn tree(files: Vec<(String, String)>) -> Work {
    let dir = tempfile::TempDir::new().expect("a temporary folder");
    // A repository's root (`.git` marks it), so that root files are read with every folder's.
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    for (path, text) in &files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let resolver = xsuaa_lint::io::config::Resolver::new(xsuaa_lint::io::config::Discovery::Isolated);
    Box::new(move || {
        let options = xsuaa_lint::engine::Options {
            stdin_filename: String::new(),
            inventory: true,
            history: false,
            ..xsuaa_lint::engine::Options::default()
        };
        let outcome =
            xsuaa_lint::engine::check(&[dir.path().to_path_buf()], &options, &resolver, None, &mut Vec::new());
        std::hint::black_box(outcome.files_checked);
    })
}

const SCOPES_DESCRIPTOR: &str =
    "{\"xsappname\": \"a\", \"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}";

fn descriptor_many_scopes(bytes: usize) -> Work {
    let mut scopes = String::new();
    let mut templates = String::new();
    let half = bytes / 2;
    let mut i = 0;
    while scopes.len() < half {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(scopes, "{sep}\n  {{\"name\": \"$XSAPPNAME.s{i}\", \"description\": \"scope {i}\"}}");
        let _ = write!(templates, "{sep}\n  {{\"name\": \"T{i}\", \"scope-references\": [\"$XSAPPNAME.s{i}\"]}}");
        i += 1;
    }
    let text = format!(
        "{{\"xsappname\": \"a\", \"scopes\": [{scopes}], \"role-templates\": [{templates}],\n\"oauth2-configuration\": {{\"credential-types\": [\"binding-secret\"]}}}}\n"
    );
    Box::new(move || {
        let source = SourceFile::new("xs-security.json", text.clone());
        std::hint::black_box(xsuaa_lint::lint::lint(&source).len());
    })
}

fn json_escapes_and_nesting(bytes: usize) -> Work {
    // The one-pass JSON reader's strings (escapes, pairs) and nesting just below its depth limit.
    let mut entries = String::new();
    let mut i = 0;
    while entries.len() < bytes {
        let sep = if i > 0 { "," } else { "" };
        let nested = "[".repeat(100) + &"]".repeat(100);
        let _ = write!(entries, "{sep}\n  {{\"name\": \"$XSAPPNAME.s{i}\", \"description\": \"\\u00e9\\n\\\"\\ud83d\\ude00\\/\", \"x\": {nested}}}");
        i += 1;
    }
    let text = format!("{{\"xsappname\": \"a\", \"scopes\": [{entries}]}}\n");
    Box::new(move || {
        let source = SourceFile::new("xs-security.json", text.clone());
        std::hint::black_box(xsuaa_lint::lint::lint(&source).len());
    })
}

fn descriptor_fix_many_findings(bytes: usize) -> Work {
    // Scopes named in lowercase and role templates that reference them in another case: a
    // finding (and a fix) each.
    let mut scopes = String::new();
    let mut templates = String::new();
    let mut i = 0;
    while scopes.len() + templates.len() < bytes {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(scopes, "{sep}\n  {{\"name\": \"$XSAPPNAME.read{i}\"}}");
        let _ = write!(templates, "{sep}\n  {{\"name\": \"T{i}\", \"scope-references\": [\"$XSAPPNAME.READ{i}\"]}}");
        i += 1;
    }
    let text = format!("{{\"xsappname\": \"a\", \"scopes\": [{scopes}], \"role-templates\": [{templates}]}}\n");
    Box::new(move || {
        let source = SourceFile::new("xs-security.json", text.clone());
        let outcome = xsuaa_lint::lint::fix::fix_source(&source, true, &Default::default());
        std::hint::black_box(matches!(outcome, xsuaa_lint::lint::fix::FixOutcome::Fixed(_)));
    })
}

fn yaml_aliases(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "---\nbase: &b{i} {{a: 1, b: [x, y]}}\nuse: [*b{i}, *b{i}, *b{i}]\nmerged:\n  <<: *b{i}\n  c: {i}\n"
        );
    });
    Box::new(move || {
        std::hint::black_box(xsuaa_lint::syntax::yaml::parse_documents(&text).map(|d| d.len()).ok());
    })
}

const MTA_HEAD: &str = "_schema-version: \"3.1\"\nID: big\nversion: 1.0.0\n";

fn mta_many_resources(bytes: usize) -> Work {
    let mut text = String::from(MTA_HEAD);
    text.push_str("resources:\n");
    let text = fill(bytes, &text, |i, out| {
        let _ = write!(
            out,
            "  - name: uaa-{i}\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      \
             service-plan: application\n      path: ./xs-security.json\n      config:\n        xsappname: app-{i}\n        \
             oauth2-configuration:\n          credential-types: [instance-secret]\n"
        );
    });
    judge(FileFormat::Mta, "mta.yaml", text, vec![("xs-security.json", SCOPES_DESCRIPTOR.to_string())], Some(true))
}

fn mta_many_bindings(bytes: usize) -> Work {
    let resource = "resources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      \
                    service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n";
    let mut text = fill(bytes, &format!("{MTA_HEAD}modules:\n"), |i, out| {
        let _ = write!(
            out,
            "  - name: m{i}\n    type: nodejs\n    requires:\n      - name: uaa\n        parameters:\n          config:\n            \
             credential-type: x509\n"
        );
    });
    text.push_str(resource);
    judge(FileFormat::Mta, "mta.yaml", text, vec![("xs-security.json", SCOPES_DESCRIPTOR.to_string())], None)
}

fn kyma_many_instances(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "---\napiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: uaa-{i}\nspec:\n  \
             serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: a{i}\n    \
             oauth2-configuration:\n      credential-types: [instance-secret]\n---\napiVersion: services.cloud.sap.com/v1\n\
             kind: ServiceBinding\nmetadata:\n  name: b-{i}\nspec:\n  serviceInstanceName: uaa-{i}\n  parameters:\n    \
             credential-type: x509\n"
        );
    });
    judge(FileFormat::Kubernetes, "k8s.yaml", text, Vec::new(), Some(true))
}

fn pulumi_many_instances(bytes: usize) -> Work {
    let head =
        "name: p\nruntime: yaml\nvariables:\n  uaa:\n    fn::invoke:\n      function: cloudfoundry:getService\n      \
                arguments:\n        name: xsuaa\nresources:\n";
    let text = fill(bytes, head, |i, out| {
        let _ = write!(
            out,
            "  uaa{i}:\n    type: cloudfoundry:ServiceInstance\n    properties:\n      name: uaa-{i}\n      \
             servicePlan: ${{uaa.servicePlans[\"application\"]}}\n      jsonParams:\n        fn::toJSON:\n          \
             xsappname: a{i}\n          oauth2-configuration:\n            credential-types: [instance-secret]\n  \
             key{i}:\n    type: cloudfoundry:ServiceKey\n    properties:\n      serviceInstance: ${{uaa{i}.id}}\n      \
             params:\n        credential-type: instance-secret\n  app{i}:\n    type: cloudfoundry:App\n    properties:\n      \
             serviceBindings:\n        - serviceInstance: ${{uaa{i}.id}}\n"
        );
    });
    judge(FileFormat::Pulumi, "Pulumi.yaml", text, Vec::new(), Some(true))
}

fn pulumi_many_keys(bytes: usize) -> Work {
    let head =
        "name: p\nruntime: yaml\nresources:\n  uaa:\n    type: cloudfoundry:ServiceInstance\n    properties:\n      \
                jsonParams: '{\"xsappname\": \"a\"}'\n";
    let text = fill(bytes, head, |i, out| {
        let _ = write!(
            out,
            "  key{i}:\n    type: cloudfoundry:ServiceKey\n    properties:\n      serviceInstance: ${{uaa.id}}\n      \
             paramsJson: '{{\"credential-type\": \"binding-secret\"}}'\n"
        );
    });
    judge(FileFormat::Pulumi, "Pulumi.yaml", text, Vec::new(), Some(true))
}

fn crossplane_btp_many(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "---\napiVersion: account.btp.sap.crossplane.io/v1alpha1\nkind: ServiceInstance\nmetadata:\n  name: uaa-{i}\n\
             spec:\n  forProvider:\n    name: uaa-{i}\n    offeringName: xsuaa\n    planName: application\n    \
             parameters:\n      xsappname: a{i}\n      oauth2-configuration:\n        credential-types: [instance-secret]\n\
             ---\napiVersion: account.btp.sap.crossplane.io/v1alpha1\nkind: ServiceBinding\nmetadata:\n  name: b-{i}\n\
             spec:\n  forProvider:\n    serviceInstanceRef:\n      name: uaa-{i}\n    parameters:\n      \
             credential-type: instance-secret\n  rotation:\n    frequency: 720h\n---\napiVersion: pkg.crossplane.io/v1\n\
             kind: Provider\nmetadata:\n  name: p-{i}\nspec:\n  \
             package: ghcr.io/sap/crossplane-provider-btp/crossplane/provider-btp:v1.11.0\n"
        );
    });
    judge(FileFormat::Kubernetes, "k8s.yaml", text, Vec::new(), Some(true))
}

fn crossplane_btp_many_bindings(bytes: usize) -> Work {
    let head = "apiVersion: account.btp.sap.crossplane.io/v1alpha1\nkind: ServiceInstance\nmetadata:\n  name: uaa\n\
                spec:\n  forProvider:\n    offeringName: xsuaa\n    planName: application\n    parameters:\n      \
                xsappname: a\n";
    let text = fill(bytes, head, |i, out| {
        let _ = write!(
            out,
            "---\napiVersion: account.btp.sap.crossplane.io/v1alpha1\nkind: ServiceBinding\nmetadata:\n  name: b-{i}\n\
             spec:\n  forProvider:\n    serviceInstanceRef:\n      name: uaa\n    parameters:\n      \
             credential-type: binding-secret\n"
        );
    });
    judge(FileFormat::Kubernetes, "k8s.yaml", text, Vec::new(), Some(true))
}

fn service_catalog_many(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "---\napiVersion: servicecatalog.k8s.io/v1beta1\nkind: ServiceInstance\nmetadata:\n  name: uaa-{i}\nspec:\n  \
             clusterServiceClassExternalName: xsuaa\n  clusterServicePlanExternalName: application\n  parameters:\n    \
             xsappname: a{i}\n    oauth2-configuration:\n      credential-types: [instance-secret]\n---\n\
             apiVersion: servicecatalog.k8s.io/v1beta1\nkind: ServiceBinding\nmetadata:\n  name: b-{i}\nspec:\n  \
             instanceRef:\n    name: uaa-{i}\n  parameters:\n    credential-type: instance-secret\n"
        );
    });
    judge(FileFormat::Kubernetes, "k8s.yaml", text, Vec::new(), Some(true))
}

/// XS120 on a dotenv file's text.
fn dotenv(text: String) -> Work {
    Box::new(move || {
        let source = SourceFile::new(".env", text.clone());
        let mut out = Vec::new();
        xsuaa_lint::rules::xs120_committed_credentials::check_dotenv(&source, &mut out);
        std::hint::black_box(out.len());
    })
}

fn dotenv_many_lines(bytes: usize) -> Work {
    dotenv(fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "# {i}\nexport A{i}=\"x\\\"y\nz\"\nB{i}='multi\nline'\nVCAP_SERVICES='{{\"xsuaa\":[{{\"credentials\":\
             {{\"clientid\":\"sb-a\",\"uaadomain\":\"x\",\"clientsecret\":\"HksDYy9RxYFUQeOHIzprqBam3vQ{i}=\"}}}}]}}'\n"
        );
    }))
}

fn dotenv_unclosed_quote(bytes: usize) -> Work {
    dotenv(fill(bytes, "A=\"never closed\n", |i, out| {
        let _ = writeln!(out, "B{i}=value \\ with a backslash");
    }))
}

fn kyma_many_bindings(bytes: usize) -> Work {
    let head = "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: uaa\nspec:\n  \
                serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: a\n";
    let text = fill(bytes, head, |i, out| {
        let _ = write!(
            out,
            "---\napiVersion: services.cloud.sap.com/v1\nkind: ServiceBinding\nmetadata:\n  name: b-{i}\nspec:\n  \
             serviceInstanceName: uaa\n  parameters:\n    credential-type: binding-secret\n"
        );
    });
    judge(FileFormat::Kubernetes, "k8s.yaml", text, Vec::new(), None)
}

const KYMA_INSTANCE: &str = "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: uaa\nspec:\n  \
                             serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: a\n";

fn kyma_binding(i: usize) -> String {
    format!(
        "apiVersion: services.cloud.sap.com/v1\nkind: ServiceBinding\nmetadata:\n  name: b-{i}\nspec:\n  \
         serviceInstanceName: uaa\n  parameters:\n    credential-type: x509\n"
    )
}

/// Binding files whose total size is about `bytes`, named by `name`.
fn binding_files(bytes: usize, name: impl Fn(usize) -> String) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let _ = fill(bytes, "", |i, out| {
        let binding = kyma_binding(i);
        out.push_str(&binding);
        files.push((name(i), binding));
    });
    files
}

fn kyma_bindings_beside(bytes: usize) -> Work {
    let files = binding_files(bytes, |i| format!("binding-{i}.yaml"));
    let others = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    judge(FileFormat::Kubernetes, "instance.yaml", KYMA_INSTANCE.to_string(), others, None)
}

fn kustomization_many_resources(bytes: usize) -> Work {
    let files = binding_files(bytes / 2, |i| format!("bindings/binding-{i}.yaml"));
    let mut kustomization = String::from("namespace: prod\nresources:\n  - instance.yaml\n");
    for (name, _) in &files {
        kustomization.push_str(&format!("  - {name}\n"));
    }
    let mut others: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    others.push(("kustomization.yaml", kustomization));
    judge(FileFormat::Kubernetes, "instance.yaml", KYMA_INSTANCE.to_string(), others, None)
}

fn helm_template_documents(bytes: usize) -> Work {
    let text = fill(bytes, KYMA_INSTANCE, |i, out| {
        let binding = kyma_binding(i);
        if i % 2 == 0 {
            let _ = write!(out, "---\n{{{{- if .Values.b{i} }}}}\n{binding}{{{{- end }}}}\n");
        } else {
            let _ = write!(out, "---\n{binding}  secretName: \"{{{{ .Release.Name }}}}-{i}\"\n");
        }
    });
    judge(FileFormat::Kubernetes, "templates/xsuaa.yaml", text, Vec::new(), None)
}

fn terraform_many_instances(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "resource \"btp_subaccount_service_instance\" \"uaa{i}\" {{\n  subaccount_id = var.subaccount_id\n  \
             serviceplan_id = data.btp_subaccount_service_plan.xsuaa.id\n  name = \"uaa-{i}\"\n  parameters = jsonencode({{\n    \
             xsappname = \"a{i}\"\n    oauth2-configuration = {{ credential-types = [\"instance-secret\"] }}\n  }})\n}}\n\
             resource \"btp_subaccount_service_binding\" \"b{i}\" {{\n  subaccount_id = var.subaccount_id\n  \
             service_instance_id = btp_subaccount_service_instance.uaa{i}.id\n  name = \"b{i}\"\n}}\n"
        );
    });
    judge(FileFormat::Terraform, "main.tf", text, Vec::new(), Some(true))
}

fn terraform_many_findings(bytes: usize) -> Work {
    // One instance whose parameters hold many scopes, each referenced in another case.
    let mut scopes = String::new();
    let mut templates = String::new();
    let mut i = 0;
    while scopes.len() + templates.len() < bytes {
        let _ = writeln!(scopes, "      {{ name = \"$XSAPPNAME.read{i}\" }},");
        let _ = writeln!(templates, "      {{ name = \"T{i}\", scope-references = [\"$XSAPPNAME.READ{i}\"] }},");
        i += 1;
    }
    let text = format!(
        "resource \"btp_subaccount_service_instance\" \"uaa\" {{\n  subaccount_id = var.subaccount_id\n  \
         serviceplan_id = data.btp_subaccount_service_plan.xsuaa.id\n  name = \"uaa\"\n  parameters = jsonencode({{\n    \
         xsappname = \"a\"\n    scopes = [\n{scopes}    ]\n    role-templates = [\n{templates}    ]\n  }})\n}}\n"
    );
    judge(FileFormat::Terraform, "main.tf", text, Vec::new(), Some(true))
}

fn services_manifest_many(bytes: usize) -> Work {
    let text = fill(bytes, "---\ncreate-services:\n", |i, out| {
        let _ = write!(
            out,
            "- name: uaa-{i}\n  broker: xsuaa\n  plan: application\n  parameters: '{{\"xsappname\": \"a{i}\", \
             \"oauth2-configuration\": {{\"credential-types\": [\"instance-secret\"]}}}}'\n"
        );
    });
    judge(FileFormat::ServicesManifest, "services-manifest.yml", text, Vec::new(), None)
}

fn cf_manifest_many_apps(bytes: usize) -> Work {
    // A services manifest declaring as many instances as the manifest.yml beside it binds apps.
    let mut services = String::from("---\ncreate-services:\n");
    let manifest = fill(bytes, "---\napplications:\n", |i, out| {
        let _ = write!(
            out,
            "- name: app{i}\n  services:\n  - name: uaa-{i}\n    parameters:\n      credential-type: x509\n"
        );
        let _ = write!(services, "- name: uaa-{i}\n  broker: xsuaa\n  plan: application\n");
    });
    judge(FileFormat::ServicesManifest, "services-manifest.yml", services, vec![("manifest.yml", manifest)], None)
}

fn helm_many_instances(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "srv{i}:\n  bindings:\n    auth:\n      serviceInstanceName: xsuaa{i}\n      parameters:\n        \
             credential-type: x509\nxsuaa{i}:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  \
             parameters:\n    xsappname: a{i}\n    oauth2-configuration:\n      credential-types: [instance-secret]\n"
        );
    });
    judge(FileFormat::HelmValues, "values.yaml", text, Vec::new(), None)
}

fn shell_many_commands(bytes: usize) -> Work {
    let text = fill(bytes, "#!/bin/sh\nset -e\n", |i, out| {
        let _ = write!(
            out,
            "cf create-service xsuaa application uaa-{i} -c '{{\"xsappname\": \"a{i}\"}}'\n\
             cf create-service-key uaa-{i} k{i} -c '{{\"credential-type\": \"x509\"}}'\ncf bind-service app{i} uaa-{i}\n\
             cf update-service other-{i} -c xs-security.json\n"
        );
    });
    judge(FileFormat::Shell, "deploy.sh", text, vec![("xs-security.json", SCOPES_DESCRIPTOR.to_string())], None)
}

fn shell_unclosed_quote(bytes: usize) -> Work {
    // An apostrophe in a comment-free line that never closes: the rest of the file is one word.
    let text = fill(bytes, "#!/bin/sh\necho 'it is not closed\n", |i, out| {
        let _ = writeln!(out, "cf create-service xsuaa application uaa-{i} -c xs-security.json");
    });
    judge(FileFormat::Shell, "deploy.sh", text, Vec::new(), None)
}

fn shell_continuations(bytes: usize) -> Work {
    let text = fill(bytes, "#!/bin/sh\ncf create-service xsuaa application uaa \\\n", |i, out| {
        let _ = writeln!(out, "  --flag-{i} value \\");
    });
    judge(FileFormat::Shell, "deploy.sh", text, Vec::new(), None)
}

fn shell_heredocs(bytes: usize) -> Work {
    let text = fill(bytes, "#!/bin/sh\n", |i, out| {
        let _ = write!(
            out,
            "cat > p{i}.json <<EOF\n{{\"xsappname\": \"a{i}\"}}\nEOF\ncf create-service xsuaa application uaa-{i} -c p{i}.json\n"
        );
    });
    judge(FileFormat::Shell, "deploy.sh", text, Vec::new(), None)
}

fn shell_cds_and_variables(bytes: usize) -> Work {
    // Each `cd sub` goes one folder deeper; each variable names a folder from the script's own.
    let text = fill(bytes, "#!/bin/sh\ncd \"$(dirname \"$0\")/..\"\n", |i, out| {
        let _ = write!(
            out,
            "cd sub && ROOT{i}=\"$(cd \"$(dirname \"${{BASH_SOURCE[0]}}\")/..\" && pwd)\"\n\
             cf create-service xsuaa application uaa-{i} -c \"$ROOT{i}/xs-security.json\"\n"
        );
    });
    judge(FileFormat::Shell, "deploy.sh", text, vec![("xs-security.json", SCOPES_DESCRIPTOR.to_string())], None)
}

fn makefile_escaped_dollars(bytes: usize) -> Work {
    let text = fill(bytes, "services:\n", |i, out| {
        let _ = writeln!(
            out,
            "\tcf cs xsuaa application uaa-{i} -c '{{\"xsappname\": \"a{i}\", \"scopes\": [{{\"name\": \"$$XSAPPNAME.s{i}\"}}]}}'"
        );
    });
    judge(FileFormat::Shell, "Makefile", text, Vec::new(), None)
}

fn shell_token_requests_one_line(bytes: usize) -> Work {
    // One line that names the endpoint again and again, after many continued lines.
    let mut text = String::from("#!/bin/sh\n");
    while text.len() < bytes / 2 {
        text.push_str("echo a \\\n");
    }
    text.push_str("curl -X GET");
    while text.len() < bytes {
        text.push_str(" \"$UAA/oauth/token?grant_type=a\"");
    }
    text.push('\n');
    judge(FileFormat::Shell, "token.sh", text, Vec::new(), None)
}

fn rest_client_token_requests(bytes: usize) -> Work {
    let text = fill(bytes, "@uaa = https://a.example\n", |i, out| {
        let _ = write!(out, "### {i}\nGET {{{{uaa}}}}/oauth/token?grant_type=client_credentials\n\n");
    });
    judge(FileFormat::Http, "token.http", text, Vec::new(), None)
}

fn compose_binding_secrets(bytes: usize) -> Work {
    let text = fill(bytes, "services:\n  srv:\n    environment:\n", |i, out| {
        let _ = writeln!(
            out,
            "      S{i}: \"8c902673-00d4-471f-9ebb-4463d4073fda$7NIo5batSFZCF1RNGcpNkRfo4mDj6vq-cElDFIcvcwg=\""
        );
    });
    judge(FileFormat::Compose, "docker-compose.yml", text, Vec::new(), None)
}

fn github_long_run(bytes: usize) -> Work {
    let head = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n";
    let text = fill(bytes, head, |i, out| {
        let _ = writeln!(out, "          cf create-service xsuaa application uaa-{i} -c xs-security.json");
    });
    judge(FileFormat::Ci, ".github/workflows/deploy.yml", text, Vec::new(), None)
}

fn github_escaped_run(bytes: usize) -> Work {
    // A double-quoted run: on one line, with escapes, so no line of the value is written as is.
    let mut text = String::from("on: push\njobs:\n  deploy:\n    steps:\n      - run: \"");
    let mut i = 0;
    while text.len() < bytes {
        let _ = write!(text, "cf create-service xsuaa application \\\"uaa-{i}\\\"\\n");
        i += 1;
    }
    text.push_str("\"\n");
    judge(FileFormat::Ci, ".github/workflows/deploy.yml", text, Vec::new(), None)
}

fn gitlab_many_jobs(bytes: usize) -> Work {
    let text = fill(bytes, "", |i, out| {
        let _ = write!(
            out,
            "deploy{i}:\n  stage: deploy\n  script:\n    - |\n      cf create-service xsuaa application uaa-{i} -c '{{\"xsappname\": \"a{i}\"}}'\n    \
             - |\n      cf create-service-key uaa-{i} k -c '{{\"credential-type\": \"x509\"}}'\n"
        );
    });
    judge(FileFormat::Ci, ".gitlab-ci.yml", text, Vec::new(), None)
}

fn jenkinsfile_many_steps(bytes: usize) -> Work {
    let text = fill(bytes, "pipeline {\n  stages {\n", |i, out| {
        let _ = write!(
            out,
            "    stage('s{i}') {{ steps {{\n      sh 'cf create-service xsuaa application uaa-{i}'\n      sh '''\n        \
             cf create-service-key uaa-{i} k\n      '''\n    }} }}\n"
        );
    });
    judge(FileFormat::Ci, "Jenkinsfile", text, Vec::new(), None)
}

fn package_json_many_scripts(bytes: usize) -> Work {
    let mut text = fill(bytes, "{\"name\": \"a\", \"scripts\": {", |i, out| {
        let _ = writeln!(out, "\"s{i}\": \"cf create-service xsuaa application uaa-{i} -c xs-security.json\",");
    });
    text.push_str("\"last\": \"true\"}}\n");
    judge(FileFormat::Ci, "package.json", text, Vec::new(), None)
}

fn piper_many_services(bytes: usize) -> Work {
    let text = fill(bytes, "steps:\n", |i, out| {
        let _ = write!(
            out,
            "  create{i}:\n    cfService: xsuaa\n    cfServicePlan: application\n    cfServiceInstanceName: uaa-{i}\n    \
             cfCreateServiceConfig: '{{\"xsappname\": \"a{i}\"}}'\n  key{i}:\n    cfServiceInstance: uaa-{i}\n    \
             cfServiceKeyName: k{i}\n    cfServiceKeyConfig: '{{\"credential-type\": \"x509\"}}'\n"
        );
    });
    judge(FileFormat::Piper, ".pipeline/config.yml", text, Vec::new(), None)
}

/// `count` MTAs in their own folders and a root `manifest.yml` binding an app to each instance:
/// the manifest grows with the tree.
fn tree_root_manifest(bytes: usize) -> Work {
    let mut files = Vec::new();
    let mut manifest = String::from("---\napplications:\n");
    let mut i = 0;
    let mut total = 0;
    while total < bytes {
        let mta = format!(
            "{MTA_HEAD}resources:\n  - name: uaa-{i}\n    type: org.cloudfoundry.managed-service\n    parameters:\n      \
             service: xsuaa\n      service-plan: application\n      config:\n        xsappname: a{i}\n"
        );
        let app =
            format!("- name: app{i}\n  services:\n  - name: uaa-{i}\n    parameters:\n      credential-type: x509\n");
        total += mta.len() + app.len();
        manifest.push_str(&app);
        files.push((format!("m{i}/mta.yaml"), mta));
        i += 1;
    }
    files.push(("manifest.yml".to_string(), manifest));
    tree(files)
}

/// `count` MTAs and one extension of each, all at the root's level of the run.
fn tree_mta_extensions(bytes: usize) -> Work {
    let mut files = Vec::new();
    let mut i = 0;
    let mut total = 0;
    while total < bytes {
        let mta = format!(
            "_schema-version: \"3.1\"\nID: app{i}\nversion: 1.0.0\nresources:\n  - name: uaa-{i}\n    \
             type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      \
             config:\n        xsappname: a{i}\n"
        );
        let ext = format!(
            "_schema-version: \"3.1\"\nID: app{i}.prod\nextends: app{i}\nresources:\n  - name: uaa-{i}\n    parameters:\n      \
             config:\n        tenant-mode: dedicated\n"
        );
        total += mta.len() + ext.len();
        files.push((format!("m{i}/mta.yaml"), mta));
        files.push((format!("m{i}/prod.mtaext"), ext));
        i += 1;
    }
    tree(files)
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/// The fastest of runs of `work`: at least `min_runs`, and more until `budget` is spent (a
/// shared machine slows some runs down, never speeds one up).
pub fn fastest(work: &mut Work, min_runs: usize, budget: Duration) -> Duration {
    let began = Instant::now();
    let mut best = Duration::MAX;
    let mut runs = 0;
    while runs < min_runs || (began.elapsed() < budget && runs < 1000) {
        let started = Instant::now();
        work();
        best = best.min(started.elapsed());
        runs += 1;
    }
    best
}

#[derive(Debug, Clone)]
pub struct Measurement {
    pub name: &'static str,
    pub small_bytes: usize,
    pub small: Duration,
    pub large: Duration,
}

impl Measurement {
    pub fn ratio(&self) -> f64 {
        self.large.as_secs_f64() / self.small.as_secs_f64().max(1e-9)
    }
}

/// Times `reader` at `n` and `8n` bytes, `min_runs` runs or `budget` each at least. The runs
/// alternate between the two sizes, so that a busy spell of the machine slows both alike.
pub fn measure(reader: &Reader, n: usize, min_runs: usize, budget: Duration) -> Measurement {
    let mut small = (reader.build)(n);
    let mut large = (reader.build)(8 * n);
    // A first run of each warms caches and allocators.
    small();
    large();
    let began = Instant::now();
    let (mut best_small, mut best_large) = (Duration::MAX, Duration::MAX);
    let mut runs = 0;
    while runs < min_runs || (began.elapsed() < 2 * budget && runs < 1000) {
        best_small = best_small.min(fastest(&mut small, 1, Duration::ZERO));
        best_large = best_large.min(fastest(&mut large, 1, Duration::ZERO));
        runs += 1;
    }
    Measurement { name: reader.name, small_bytes: n, small: best_small, large: best_large }
}

/// Like [`measure`], and again with more runs while the ratio is over [`MAX_RATIO`].
pub fn measure_twice_if_needed(reader: &Reader, n: usize, min_runs: usize, budget: Duration) -> Measurement {
    // Up to three measurements, each longer than the last; the best one counts. A quadratic
    // reader is over the bound every time (x64 where linear is x8); a busy spell of a shared
    // machine spoils one or two.
    let mut best = measure(reader, n, min_runs, budget);
    for more in [3, 6] {
        if best.ratio() <= MAX_RATIO {
            break;
        }
        let again = measure(reader, n, more * min_runs, more as u32 * budget);
        if again.ratio() < best.ratio() {
            best = again;
        }
    }
    best
}
