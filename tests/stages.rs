//! One stage per run, exhaustively: every migration state x `--fix` and `--fix --unsafe-fixes`
//! x no git or a git base in each state x every place a list can live (a descriptor alone, a
//! descriptor used by an `mta.yaml`, an inline MTA `config`, a Kyma `ServiceInstance`, Terraform
//! with `jsonencode` and with a JSON string). For each case: one run moves each instance at most
//! one stage (from the state it started in and, in git, from the base); the report after `--fix`
//! is exactly what a fresh `check` prints, exit status included; a second `--fix` changes
//! nothing, and repeated `--fix --unsafe-fixes` runs converge one stage at a time.

mod support;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use xsuaa_lint::model::descriptor::MigrationState;

/// `None`: no `credential-types`; the rest as written in JSON.
const STATES: &[Option<&str>] = &[
    None,
    Some(r#"["instance-secret"]"#),
    Some(r#"["instance-secret", "binding-secret"]"#),
    Some(r#"["binding-secret", "instance-secret"]"#),
    Some(r#"["binding-secret"]"#),
    Some(r#"["x509"]"#),
    // Invalid, repairable: a bare string, a misspelt value.
    Some(r#""instance-secret""#),
    Some(r#"["instance_secret"]"#),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Descriptor,
    MtaPath,
    MtaInline,
    Kyma,
    TerraformJsonencode,
    TerraformJsonString,
}

fn descriptor(types: Option<&str>) -> String {
    match types {
        Some(list) => format!(
            "{{\n  \"xsappname\": \"orders\",\n  \"oauth2-configuration\": {{\n    \"credential-types\": {list}\n  }}\n}}\n"
        ),
        None => "{\n  \"xsappname\": \"orders\"\n}\n".to_string(),
    }
}

/// The files of a layout in one state.
fn files(layout: Layout, types: Option<&str>) -> Vec<(&'static str, String)> {
    let oauth2 = |list: &str| format!("\n        oauth2-configuration:\n          credential-types: {list}");
    match layout {
        Layout::Descriptor => vec![("xs-security.json", descriptor(types))],
        Layout::MtaPath => vec![
            ("xs-security.json", descriptor(types)),
            (
                "mta.yaml",
                "_schema-version: '3.1'\nID: orders\nversion: 1.0.0\nmodules:\n  - name: srv\n    type: nodejs\n    requires:\n      - name: uaa\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n".into(),
            ),
        ],
        Layout::MtaInline => vec![(
            "mta.yaml",
            format!(
                "_schema-version: '3.1'\nID: orders\nversion: 1.0.0\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      config:\n        xsappname: orders{}\n",
                types.map(oauth2).unwrap_or_default()
            ),
        )],
        Layout::Kyma => vec![(
            "service-instance.yaml",
            format!(
                "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: uaa\nspec:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: orders{}\n",
                types.map(|l| oauth2(l).replace("\n      ", "\n  ")).unwrap_or_default()
            ),
        )],
        Layout::TerraformJsonencode => vec![(
            "main.tf",
            format!(
                "resource \"btp_subaccount_service_instance\" \"uaa\" {{\n  service_offering_name = \"xsuaa\"\n  serviceplan_name      = \"application\"\n  name                  = \"uaa\"\n  parameters = jsonencode({{\n    xsappname = \"orders\"{}\n  }})\n}}\n",
                types
                    .map(|l| format!("\n    \"oauth2-configuration\" = {{ \"credential-types\" = {l} }}"))
                    .unwrap_or_default()
            ),
        )],
        Layout::TerraformJsonString => {
            let json = match types {
                Some(l) => format!("{{\"xsappname\": \"orders\", \"oauth2-configuration\": {{\"credential-types\": {l}}}}}"),
                None => "{\"xsappname\": \"orders\"}".to_string(),
            };
            vec![(
                "main.tf",
                format!(
                    "resource \"btp_subaccount_service_instance\" \"uaa\" {{\n  service_offering_name = \"xsuaa\"\n  serviceplan_name      = \"application\"\n  name                  = \"uaa\"\n  parameters            = {}\n}}\n",
                    serde_json::to_string(&json).unwrap()
                ),
            )]
        }
    }
}

fn write_all(dir: &Path, files: &[(&str, String)]) {
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
}

fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap()))
        .collect()
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--isolated", "--output-format", "json"])
        .args(args)
        .arg(".")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The state a base revision meant (a malformed list at the base still allowed what it names).
fn meant(dir: &Path, layout: Layout) -> MigrationState {
    if layout == Layout::Descriptor || layout == Layout::MtaPath {
        let text = fs::read_to_string(dir.join("xs-security.json")).unwrap();
        return xsuaa_lint::model::descriptor::CredentialTypes::meant(
            &xsuaa_lint::syntax::json::parse(&text, 0).unwrap(),
        );
    }
    state(dir, layout)
}

/// The instance's migration state, read through the library as `audit` reads it.
fn state(dir: &Path, layout: Layout) -> MigrationState {
    use xsuaa_lint::model::deployment::{self, FileFormat};
    let (name, kind) = match layout {
        Layout::Descriptor => {
            let source = xsuaa_lint::io::load::read_path(&dir.join("xs-security.json"), "x").unwrap();
            let observed = xsuaa_lint::lint::Observed::default();
            let options = xsuaa_lint::lint::LintOptions { observed: Some(&observed), ..Default::default() };
            xsuaa_lint::lint::lint_with(&source, &options);
            return observed.state.get();
        }
        Layout::MtaPath | Layout::MtaInline => ("mta.yaml", FileFormat::Mta),
        Layout::Kyma => ("service-instance.yaml", FileFormat::Kubernetes),
        Layout::TerraformJsonencode | Layout::TerraformJsonString => ("main.tf", FileFormat::Terraform),
    };
    let path = dir.join(name);
    let source = xsuaa_lint::io::load::read_path(&path, name).unwrap();
    let set = deployment::load(&path, source, kind, dir, &[], &xsuaa_lint::io::load::Disk);
    assert_eq!(set.instances.len(), 1, "{layout:?}");
    xsuaa_lint::lint::instance::evaluate(&set, &set.instances[0], &Default::default()).state
}

/// Before step 1, step 1 (the dual state), done; invalid lists have none.
fn stage(state: MigrationState) -> Option<u8> {
    match state {
        MigrationState::Implicit | MigrationState::InstanceOnly | MigrationState::DualInstanceFirst => Some(0),
        MigrationState::Dual => Some(1),
        MigrationState::BindingOnly | MigrationState::X509 => Some(2),
        MigrationState::Invalid => None,
    }
}

fn at_most_one_stage(from: MigrationState, to: MigrationState, what: &str) {
    match (stage(from), stage(to)) {
        (Some(a), Some(b)) => assert!(b <= a + 1, "{what}: {from:?} -> {to:?}"),
        // A repaired list may reach the dual state, never the end.
        (None, Some(b)) => assert!(b <= 1, "{what}: {from:?} -> {to:?}"),
        _ => {}
    }
}

fn case(layout: Layout, current: Option<&str>, base: Option<Option<&str>>, unsafe_fixes: bool) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let what = format!("{layout:?} {current:?} base {base:?} unsafe {unsafe_fixes}");
    if let Some(base) = base {
        support::git(dir.path(), &["init", "-q", "-b", "main"]);
        write_all(dir.path(), &files(layout, base));
        support::git(dir.path(), &["add", "-A"]);
        support::git(dir.path(), &["commit", "-q", "-m", "base"]);
    }
    write_all(dir.path(), &files(layout, current));
    let fix_args: &[&str] = if unsafe_fixes { &["--fix", "--unsafe-fixes"] } else { &["--fix"] };
    let check_args: &[&str] = if unsafe_fixes { &["--unsafe-fixes"] } else { &[] };

    let started = state(dir.path(), layout);
    let files_before = snapshot(dir.path());
    let (fix_code, fix_report) = run(dir.path(), fix_args);
    assert_ne!(fix_code, 2, "{what}: {fix_report}");
    let after = state(dir.path(), layout);
    at_most_one_stage(started, after, &what);
    // What the run wrote is at most one stage beyond the base, too (what the user wrote
    // before the run is the history rules' business).
    if let (Some(base), true) = (base, snapshot(dir.path()) != files_before) {
        let base_dir = tempfile::tempdir().unwrap();
        write_all(base_dir.path(), &files(layout, base));
        at_most_one_stage(meant(base_dir.path(), layout), after, &format!("{what} (from the base)"));
    }
    // The report after `--fix` is a fresh check of the fixed tree.
    let (check_code, check_report) = run(dir.path(), check_args);
    assert_eq!((fix_code, &fix_report), (check_code, &check_report), "{what}");

    // A second `--fix` changes nothing; unsafe runs converge, one stage each.
    let files_after = snapshot(dir.path());
    run(dir.path(), &["--fix"]);
    assert_eq!(snapshot(dir.path()), files_after, "{what}: a second --fix changed something");
    let mut runs = 1;
    if unsafe_fixes {
        let mut previous = (after, files_after);
        loop {
            run(dir.path(), fix_args);
            let now = (state(dir.path(), layout), snapshot(dir.path()));
            if now.1 == previous.1 {
                break;
            }
            runs += 1;
            assert!(runs <= 3, "{what}: still changing after {runs} runs");
            at_most_one_stage(previous.0, now.0, &format!("{what} (run {runs})"));
            previous = now;
        }
    }
    runs
}

/// Every state, base and flag for one layout; the layouts run as separate tests, in parallel.
fn every_case(layout: Layout) {
    // The base matters where the list is a descriptor's; elsewhere one git case suffices.
    let bases: Vec<Option<Option<&str>>> = match layout {
        Layout::Descriptor | Layout::MtaPath => std::iter::once(None).chain(STATES.iter().map(|s| Some(*s))).collect(),
        _ => vec![None, Some(None)],
    };
    let mut cases = 0;
    for &current in STATES {
        for base in &bases {
            for unsafe_fixes in [false, true] {
                case(layout, current, *base, unsafe_fixes);
                cases += 1;
            }
        }
    }
    eprintln!("{layout:?}: {cases} cases");
}

#[test]
fn descriptor_alone_moves_one_stage_per_run() {
    every_case(Layout::Descriptor);
}

#[test]
fn descriptor_used_by_an_mta_moves_one_stage_per_run() {
    every_case(Layout::MtaPath);
}

#[test]
fn inline_mta_config_moves_one_stage_per_run() {
    every_case(Layout::MtaInline);
}

#[test]
fn kyma_service_instance_moves_one_stage_per_run() {
    every_case(Layout::Kyma);
}

#[test]
fn terraform_jsonencode_moves_one_stage_per_run() {
    every_case(Layout::TerraformJsonencode);
}

#[test]
fn terraform_json_string_moves_one_stage_per_run() {
    every_case(Layout::TerraformJsonString);
}

fn concise(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--isolated", "--output-format", "concise", "--quiet"])
        .args(args)
        .arg(".")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

const MTA_WITH_PATH: &str = "_schema-version: '3.1'\nID: orders\nversion: 1.0.0\nmodules:\n  - name: srv\n    type: nodejs\n    requires:\n      - name: uaa\n        parameters:\n          config:\n            credential-type: x509\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n";

#[test]
fn a_fix_keeps_the_x509_a_binding_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), &[("mta.yaml", MTA_WITH_PATH.into()), ("xs-security.json", descriptor(None))]);
    let (code, out) = concise(dir.path(), &["--fix"]);
    let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
    assert!(fixed.contains(r#""credential-types": ["binding-secret", "x509", "instance-secret"]"#), "{fixed}");
    // The x509 binding is allowed: no XS111; the dual state is reported.
    assert!(out.contains("XS103") && !out.contains("XS111"), "{out}");
    assert_eq!((code, out), concise(dir.path(), &[]));
    // The instance-only list gets the same.
    write_all(dir.path(), &[("xs-security.json", descriptor(Some(r#"["instance-secret"]"#)))]);
    concise(dir.path(), &["--fix"]);
    let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
    assert!(fixed.contains(r#"["binding-secret", "x509", "instance-secret"]"#), "{fixed}");
}

#[test]
fn a_descriptor_used_by_an_mta_does_not_flip_flop_in_git() {
    let dir = tempfile::tempdir().unwrap();
    support::git(dir.path(), &["init", "-q", "-b", "main"]);
    write_all(dir.path(), &files(Layout::MtaPath, None));
    support::git(dir.path(), &["add", "-A"]);
    support::git(dir.path(), &["commit", "-q", "-m", "implicit"]);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let (code, out) = concise(dir.path(), &["--fix", "--unsafe-fixes"]);
        // The dual state is not committed: XS103 is an info ("in progress since today").
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("XS103") && !out.contains("XS109"), "{out}");
        seen.push(fs::read_to_string(dir.path().join("xs-security.json")).unwrap());
    }
    assert!(seen[0].contains(r#"["binding-secret", "instance-secret"]"#), "{}", seen[0]);
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:#?}");
    let (_, out) = concise(dir.path(), &[]);
    assert!(!out.contains("XS109"), "{out}");
}

#[test]
fn the_cap_layout_gets_its_fix_in_the_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    let mta = "_schema-version: '3.1'\nID: bookshop\nversion: 1.0.0\nresources:\n  - name: uaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n      config:\n        xsappname: bookshop-${space}\n        tenant-mode: dedicated\n";
    write_all(dir.path(), &[("mta.yaml", mta.into()), ("xs-security.json", descriptor(None))]);
    let (code, out) = concise(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(out.starts_with("xs-security.json:1:1: XS101"), "{out}");
    let diff = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--diff", "."])
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(1));
    let patch = String::from_utf8_lossy(&diff.stdout);
    assert!(patch.starts_with("--- a/xs-security.json"), "{patch}");
    assert!(String::from_utf8_lossy(&diff.stderr).contains("Would apply 1 fix(es) to 1 file(s)."));
}

#[test]
fn a_descriptor_fix_keeps_the_descriptors_own_style() {
    for (descriptor_newline, mta_newline) in [("\r\n", "\n"), ("\n", "\r\n")] {
        let dir = tempfile::tempdir().unwrap();
        let json = "{\n    \"xsappname\": \"orders\"\n}\n".replace('\n', descriptor_newline);
        write_all(
            dir.path(),
            &[("mta.yaml", files(Layout::MtaPath, None)[1].1.replace('\n', mta_newline)), ("xs-security.json", json)],
        );
        concise(dir.path(), &["--fix"]);
        let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
        let expected = "{\n    \"xsappname\": \"orders\",\n    \"oauth2-configuration\": {\n        \"credential-types\": [\"binding-secret\", \"instance-secret\"]\n    }\n}\n";
        assert_eq!(fixed, expected.replace('\n', descriptor_newline));
    }
}

#[test]
fn after_a_fix_positions_and_findings_are_a_fresh_checks() {
    for case in [
        "XS110/err/mta-bindings",
        "XS105/err/mta-shared-descriptor-two-plans",
        "XS107/err/mta-merge-order",
        "XS004/err/terraform",
        "XS110/err/kyma-multi-document",
    ] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixtures().join("rules").join(case), dir.path());
        for format in ["full", "concise", "json"] {
            let work = tempfile::tempdir().unwrap();
            copy_dir(dir.path(), work.path());
            let run = |args: &[&str]| {
                let out = Command::cargo_bin("xsuaa-lint")
                    .unwrap()
                    .current_dir(work.path())
                    .args(["check", "--isolated", "--color", "never", "--output-format", format])
                    .args(args)
                    .arg(".")
                    .output()
                    .unwrap();
                (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
            };
            let after_fix = run(&["--fix"]);
            let fresh = run(&[]);
            // The summary line of `full` differs by its "Applied N fixes." only.
            let strip = |s: &str| s.lines().filter(|l| !l.contains(" fix")).collect::<Vec<_>>().join("\n");
            assert_eq!((after_fix.0, strip(&after_fix.1)), (fresh.0, strip(&fresh.1)), "{case} {format}");
        }
    }
}

#[test]
fn the_com_sap_xs_uaa_resource_reports_what_its_fix_leads_to() {
    let dir = tempfile::tempdir().unwrap();
    let mta = "_schema-version: '3.1'\nID: orders\nversion: 1.0.0\nresources:\n  - name: uaa\n    type: com.sap.xs.uaa\n    parameters:\n      path: ./xs-security.json\n";
    write_all(dir.path(), &[("mta.yaml", mta.into()), ("xs-security.json", descriptor(None))]);
    let (code, out) = concise(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("xs-security.json") && out.contains("XS103"), "{out}");
    let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
    assert_eq!((code, out), concise(dir.path(), &["--fix"]));
    assert_eq!(fs::read_to_string(dir.path().join("xs-security.json")).unwrap(), fixed);
}

#[test]
fn terraform_json_string_parameters_never_crash_or_corrupt() {
    for parameters in [
        r#"{"xsappname": "a", "oauth2-configuration": {"credential-types": ["instance-secret"]}}"#,
        r#"{"xsappname": "a", "xsappname": "b", "oauth2-configuration": {"credential-types": ["instance-secret"]}}"#,
        r#"{"oauth2-configuration": {"credential-types": ["binding-secret"]}, "oauth2-configuration": {"credential-types": ["instance-secret"]}}"#,
    ] {
        for plan in ["application", "apiaccess"] {
            let dir = tempfile::tempdir().unwrap();
            let tf = format!(
                "resource \"btp_subaccount_service_instance\" \"uaa\" {{\n  service_offering_name = \"xsuaa\"\n  serviceplan_name      = \"{plan}\"\n  name                  = \"uaa\"\n  parameters            = {}\n}}\n\nresource \"btp_subaccount_service_binding\" \"b\" {{\n  service_instance_id = btp_subaccount_service_instance.uaa.id\n  parameters          = \"{{\\\"credential-type\\\": \\\"instance-secret\\\"}}\"\n}}\n",
                serde_json::to_string(parameters).unwrap()
            );
            write_all(dir.path(), &[("main.tf", tf.clone())]);
            let (code, out) = concise(dir.path(), &["--fix", "--unsafe-fixes"]);
            assert_eq!(code, 1, "{parameters} {plan}: {out}");
            // Values inside a JSON string have no span of their own: nothing there is rewritten.
            assert_eq!(fs::read_to_string(dir.path().join("main.tf")).unwrap(), tf, "{parameters} {plan}");
        }
    }
}

#[test]
fn the_bundled_example_is_fixed_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bookshop"), dir.path());
    let (code, out) = concise(dir.path(), &["--fix"]);
    assert_eq!((code, &out), (concise(dir.path(), &[]).0, &concise(dir.path(), &[]).1));
    let fixed = snapshot_tree(dir.path());
    concise(dir.path(), &["--fix"]);
    assert_eq!(snapshot_tree(dir.path()), fixed, "a second --fix changed the example");
}

fn snapshot_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        // A fixture case's expected output is not part of the repository it describes.
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("expected.")) {
            continue;
        }
        if path.is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Where the test binary's fixtures are.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// One descriptor used by instances of two deployment files: of two environments (an MTA on
/// Cloud Foundry and CAP Helm values on Kyma; an MTA and a Terraform BTP instance) or of one
/// (two MTAs). Each file's fixes were planned per deployment file and raced on the shared file.
#[derive(Debug, Clone, Copy)]
enum Shared {
    MtaAndHelm,
    MtaAndTerraform,
    TwoMtas,
    /// An MTA and a Makefile's `cf create-service`: each finding's help names its own commands.
    MtaAndMakefile,
}

const SHARED: [Shared; 4] = [Shared::MtaAndHelm, Shared::MtaAndTerraform, Shared::TwoMtas, Shared::MtaAndMakefile];

fn mta(id: &str, resource: &str, path: &str) -> String {
    format!(
        "_schema-version: '3.1'\nID: {id}\nversion: 1.0.0\nmodules:\n  - name: srv\n    type: nodejs\n    requires:\n      - name: {resource}\nresources:\n  - name: {resource}\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: {path}\n"
    )
}

/// The tree of a shared layout with the descriptor in a state, and its deployment files.
/// Files by path, with their text.
type Tree = Vec<(String, String)>;

/// Deployment files by path, with their kind.
type Deployments = Vec<(&'static str, FileFormat)>;

fn shared_tree(shared: Shared, types: Option<&str>) -> (Tree, Deployments) {
    let mut tree = vec![("xs-security.json".to_string(), descriptor(types))];
    let deployments = match shared {
        Shared::MtaAndHelm => {
            tree.push(("mta.yaml".into(), mta("orders", "uaa", "./xs-security.json")));
            tree.push(("chart/Chart.yaml".into(), "apiVersion: v2\nname: orders\nversion: 1.0.0\n".into()));
            tree.push((
                "chart/values.yaml".into(),
                "xsuaa:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  config: xs-security.json\n"
                    .into(),
            ));
            vec![("mta.yaml", FileFormat::Mta), ("chart/values.yaml", FileFormat::HelmValues)]
        }
        Shared::MtaAndTerraform => {
            tree.push(("mta.yaml".into(), mta("orders", "uaa", "./xs-security.json")));
            tree.push((
                "infra/main.tf".into(),
                "resource \"btp_subaccount_service_instance\" \"uaa\" {\n  subaccount_id         = var.subaccount_id\n  service_offering_name = \"xsuaa\"\n  serviceplan_name      = \"application\"\n  name                  = \"orders-uaa\"\n  parameters            = file(\"${path.module}/../xs-security.json\")\n}\n".into(),
            ));
            vec![("mta.yaml", FileFormat::Mta), ("infra/main.tf", FileFormat::Terraform)]
        }
        Shared::TwoMtas => {
            tree.push(("orders/mta.yaml".into(), mta("orders", "uaa", "../xs-security.json")));
            tree.push(("invoices/mta.yaml".into(), mta("invoices", "uaa-invoices", "../xs-security.json")));
            vec![("orders/mta.yaml", FileFormat::Mta), ("invoices/mta.yaml", FileFormat::Mta)]
        }
        Shared::MtaAndMakefile => {
            tree.push(("mta.yaml".into(), mta("orders", "uaa", "./xs-security.json")));
            tree.push((
                "Makefile".into(),
                "uaa:\n\tcf create-service xsuaa application orders-uaa -c xs-security.json\n".into(),
            ));
            vec![("Makefile", FileFormat::Shell), ("mta.yaml", FileFormat::Mta)]
        }
    };
    (tree, deployments)
}

use xsuaa_lint::model::deployment::FileFormat;

fn write_tree(dir: &Path, tree: &[(String, String)]) {
    for (name, text) in tree {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// Every instance of the tree's deployment files, with its state, read as `audit` reads it.
fn instance_states(dir: &Path, deployments: &[(&str, FileFormat)]) -> Vec<(String, MigrationState)> {
    let mut states = Vec::new();
    for (name, kind) in deployments {
        let path = dir.join(name);
        let source = xsuaa_lint::io::load::read_path(&path, name).unwrap();
        let set = xsuaa_lint::model::deployment::load(&path, source, *kind, dir, &[], &xsuaa_lint::io::load::Disk);
        assert!(!set.instances.is_empty(), "{name}");
        for instance in &set.instances {
            let state = xsuaa_lint::lint::instance::evaluate(&set, instance, &Default::default()).state;
            states.push((format!("{name} {}", instance.name), state));
        }
    }
    states
}

/// Exit status, standard output and standard error of a run in `dir`.
fn run_all(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--isolated", "--color", "never"])
        .args(args)
        .arg(".")
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// The races showed in 5 to 9 runs of 10: every check here is made several times.
const REPEATS: usize = 4;

#[test]
fn a_shared_descriptor_moves_every_instance_one_stage_per_run() {
    for shared in SHARED {
        for types in [None, Some(r#"["instance-secret"]"#), Some(r#"["binding-secret", "instance-secret"]"#)] {
            for repeat in 0..REPEATS {
                let what = format!("{shared:?} {types:?} (repeat {repeat})");
                let dir = tempfile::tempdir().unwrap();
                let (tree, deployments) = shared_tree(shared, types);
                write_tree(dir.path(), &tree);
                let mut before = instance_states(dir.path(), &deployments);
                for run in 1..=3 {
                    let (code, report, errors) =
                        run_all(dir.path(), &["--fix", "--unsafe-fixes", "--output-format", "json"]);
                    assert_ne!(code, 2, "{what} run {run}: {errors}");
                    let after = instance_states(dir.path(), &deployments);
                    for ((name, from), (_, to)) in before.iter().zip(&after) {
                        at_most_one_stage(*from, *to, &format!("{what} run {run}: {name}"));
                    }
                    // The report after `--fix` is a fresh check of the fixed tree.
                    let (fresh_code, fresh, _) = run_all(dir.path(), &["--unsafe-fixes", "--output-format", "json"]);
                    assert_eq!((code, &report), (fresh_code, &fresh), "{what} run {run}");
                    before = after;
                }
            }
        }
    }
}

#[test]
fn a_shared_descriptor_keeps_the_dual_state_a_cloud_foundry_instance_needs() {
    for shared in [Shared::MtaAndHelm, Shared::MtaAndTerraform] {
        for repeat in 0..REPEATS {
            let dir = tempfile::tempdir().unwrap();
            let (tree, _) = shared_tree(shared, None);
            write_tree(dir.path(), &tree);
            let (code, out, errors) = run_all(dir.path(), &["--fix", "--output-format", "concise"]);
            assert_ne!(code, 2, "{shared:?} (repeat {repeat}): {errors}");
            let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
            assert!(
                fixed.contains(r#"["binding-secret", "instance-secret"]"#),
                "{shared:?} (repeat {repeat}): {fixed}"
            );
            // The other instance's list was not written: the run says why.
            assert!(
                errors.contains("not written") && errors.contains("mta.yaml") && errors.contains("dual state"),
                "{shared:?} (repeat {repeat}): {errors}"
            );
            // The other environment's XS113 on the list written says why `instance-secret` stays.
            assert!(
                out.contains("XS113") && out.contains("also used by the Cloud Foundry instance `uaa` (mta.yaml)"),
                "{out}"
            );
        }
    }
}

#[test]
fn a_shared_descriptor_gives_the_same_output_and_files_with_any_jobs() {
    for shared in SHARED {
        for types in [None, Some(r#"["instance-secret"]"#), Some(r#"["binding-secret", "instance-secret"]"#)] {
            for args in [&["--fix"][..], &["--fix", "--unsafe-fixes"], &["--diff"], &["--diff", "--unsafe-fixes"]] {
                let what = format!("{shared:?} {types:?} {args:?}");
                let dir = tempfile::tempdir().unwrap();
                let (tree, _) = shared_tree(shared, types);
                let mut seen = Vec::new();
                for jobs in ["1", "8"] {
                    for _ in 0..REPEATS {
                        write_tree(dir.path(), &tree);
                        let mut all = args.to_vec();
                        all.extend(["--jobs", jobs, "--output-format", "full"]);
                        let out = run_all(dir.path(), &all);
                        assert_ne!(out.0, 2, "{what} --jobs {jobs}: {}", out.2);
                        seen.push((out, snapshot_tree(dir.path())));
                    }
                }
                for other in &seen[1..] {
                    assert_eq!(other.0, seen[0].0, "{what}: the output differs between runs");
                    assert!(other.1 == seen[0].1, "{what}: the files written differ between runs");
                }
            }
        }
    }
}

#[test]
fn a_descriptor_shared_by_two_mtas_keeps_the_x509_one_of_them_asks_for() {
    for repeat in 0..REPEATS {
        let dir = tempfile::tempdir().unwrap();
        let tree = [
            ("xs-security.json".to_string(), descriptor(None)),
            // Judged first (by path): its list has no x509.
            ("invoices/mta.yaml".to_string(), mta("invoices", "uaa-invoices", "../xs-security.json")),
            ("orders/mta.yaml".to_string(), MTA_WITH_PATH.replace("./xs-security.json", "../xs-security.json")),
        ];
        write_tree(dir.path(), &tree);
        let (code, _, errors) = run_all(dir.path(), &["--fix", "--output-format", "concise"]);
        assert_ne!(code, 2, "(repeat {repeat}): {errors}");
        let fixed = fs::read_to_string(dir.path().join("xs-security.json")).unwrap();
        assert!(fixed.contains(r#"["binding-secret", "x509", "instance-secret"]"#), "(repeat {repeat}): {fixed}");
        assert!(
            errors.contains("`uaa-invoices` (invoices/mta.yaml) not written")
                && errors.contains("keeps more of the credential types its bindings ask for"),
            "(repeat {repeat}): {errors}"
        );
    }
}
