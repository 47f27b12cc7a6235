//! `xsuaa-lint runbook`: snapshots for an MTA, a Kyma and a Terraform instance, the JSON form,
//! a `cf` script's bindings and keys, the dual state's date from git, and a repository with
//! nothing left to do.

mod support;

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn runbook(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir)
        .args(["runbook", "--isolated"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into())
}

const MTA: &str = "_schema-version: '3.1'
ID: orders
version: 1.0.0
modules:
  - name: orders-srv
    type: nodejs
    path: srv
    requires:
      - name: orders-auth
  - name: orders-worker
    type: nodejs
    path: worker
    requires:
      - name: orders-auth
        parameters:
          config:
            credential-type: x509
  - name: orders-destinations
    type: com.sap.application.content
    requires:
      - name: orders-auth
resources:
  - name: orders-auth
    type: org.cloudfoundry.managed-service
    parameters:
      service: xsuaa
      service-plan: application
      service-name: orders-xsuaa
      path: ./xs-security.json
      service-keys:
        - name: orders-reporting-key
";

const KYMA: &str = "apiVersion: services.cloud.sap.com/v1
kind: ServiceInstance
metadata:
  name: shop-xsuaa
spec:
  serviceOfferingName: xsuaa
  servicePlanName: application
  parameters:
    xsappname: shop
---
apiVersion: services.cloud.sap.com/v1
kind: ServiceBinding
metadata:
  name: shop-binding
spec:
  serviceInstanceName: shop-xsuaa
";

const TERRAFORM: &str = r#"resource "btp_subaccount_service_instance" "xsuaa" {
  subaccount_id         = var.subaccount_id
  service_offering_name = "xsuaa"
  serviceplan_name      = "application"
  name                  = "billing-xsuaa"
  parameters = jsonencode({
    xsappname = "billing"
    "oauth2-configuration" = {
      "credential-types" = ["binding-secret", "instance-secret"]
    }
  })
}

resource "btp_subaccount_service_binding" "billing" {
  subaccount_id       = var.subaccount_id
  service_instance_id = btp_subaccount_service_instance.xsuaa.id
  name                = "billing"
}
"#;

#[test]
fn an_mta_instance() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mta.yaml", MTA);
    write(dir.path(), "xs-security.json", "{\n  \"xsappname\": \"orders\"\n}\n");
    // A script beside it that binds and keys the instance by its Cloud Foundry name.
    write(
        dir.path(),
        "scripts/partners.sh",
        "#!/bin/sh\ncf bind-service orders-ui orders-xsuaa\ncf create-service-key orders-xsuaa orders-partner-key\ncf bind-service other-ui other-xsuaa\n",
    );
    write(dir.path(), "partners.sh", "#!/bin/sh\ncf create-service-key orders-xsuaa orders-partner-key\n");
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- service key `orders-partner-key`: `partners.sh:2`\n"), "{out}");
    // Only the deployment file's folder and the repository's root are looked into.
    assert!(!out.contains("scripts/partners.sh"), "{out}");
    insta::assert_snapshot!("runbook_mta", out);
}

#[test]
fn a_kyma_instance() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/xsuaa.yaml", KYMA);
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!("runbook_kyma", out);
}

/// A Kyma instance whose bindings are in files of their own: one beside it, one in a
/// kustomize overlay that builds it into its namespace, and one of another namespace.
#[test]
fn kyma_bindings_in_other_files_and_overlays_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let instance = "apiVersion: services.cloud.sap.com/v1\nkind: ServiceInstance\nmetadata:\n  name: orders-xsuaa\nspec:\n  serviceOfferingName: xsuaa\n  servicePlanName: application\n  parameters:\n    xsappname: orders\n";
    let binding = |name: &str, namespace: &str| {
        format!("apiVersion: services.cloud.sap.com/v1\nkind: ServiceBinding\nmetadata:\n  name: {name}\n{namespace}spec:\n  serviceInstanceName: orders-xsuaa\n")
    };
    write(dir.path(), "k8s/base/xsuaa-instance.yaml", instance);
    write(dir.path(), "k8s/base/xsuaa-binding.yaml", &binding("orders-srv", ""));
    write(dir.path(), "k8s/base/sandbox-binding.yaml", &binding("orders-sandbox", "  namespace: sandbox\n"));
    write(dir.path(), "k8s/base/kustomization.yaml", "resources:\n  - xsuaa-instance.yaml\n  - xsuaa-binding.yaml\n");
    write(
        dir.path(),
        "k8s/overlays/prod/kustomization.yaml",
        "namespace: prod\nresources:\n  - ../../base\n  - worker-binding.yaml\n",
    );
    write(dir.path(), "k8s/overlays/prod/worker-binding.yaml", &binding("orders-worker", ""));
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- binding `orders-srv`: `k8s/base/xsuaa-binding.yaml:1`\n"), "{out}");
    assert!(out.contains("- binding `orders-worker`: `k8s/overlays/prod/worker-binding.yaml:1`\n"), "{out}");
    assert!(!out.contains("orders-sandbox"), "{out}");
    assert!(!out.contains("none declared"), "{out}");
}

#[test]
fn a_terraform_instance_as_json() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/main.tf", TERRAFORM);
    let (code, out) = runbook(dir.path(), &["--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["instances"][0]["environment"], "other");
    insta::assert_snapshot!("runbook_terraform_json", out);
}

#[test]
fn a_standalone_descriptor_in_the_dual_state_and_a_finished_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a/xs-security.json",
        "{\"xsappname\": \"a\", \"oauth2-configuration\": {\"credential-types\": [\"binding-secret\", \"instance-secret\"]}}",
    );
    write(
        dir.path(),
        "b/xs-security.json",
        "{\"xsappname\": \"b\", \"oauth2-configuration\": {\"credential-types\": [\"binding-secret\"]}}",
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!("runbook_descriptor_dual", out);
    let (_, clean) = runbook(&dir.path().join("b"), &[]);
    assert!(clean.contains("Every instance found is finished"), "{clean}");
}

const SCRIPT: &str = "#!/bin/sh
set -e
cf create-service xsuaa application ledger-xsuaa -c xs-security.json
cf bind-service ledger-app ledger-xsuaa
cf create-service-key ledger-xsuaa ledger-report-key \\
  -c '{\"credential-type\": \"binding-secret\"}'
";

#[test]
fn a_cf_script_lists_its_bindings_and_keys_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deploy.sh", SCRIPT);
    write(dir.path(), "xs-security.json", "{\"xsappname\": \"ledger\"}\n");
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- binding `ledger-app`: `deploy.sh:4`\n"), "{out}");
    assert!(out.contains("- service key `ledger-report-key`: `deploy.sh:5`\n"), "{out}");
    assert!(out.contains("cf bind-service ledger-app ledger-xsuaa --strategy multiple"), "{out}");
    insta::assert_snapshot!("runbook_cf_script", out);
}

#[test]
fn the_dual_state_date_comes_from_git() {
    let dir = tempfile::tempdir().unwrap();
    support::git_init(dir.path());
    write(
        dir.path(),
        "xs-security.json",
        "{\"xsappname\": \"a\", \"oauth2-configuration\": {\"credential-types\": [\"binding-secret\", \"instance-secret\"]}}\n",
    );
    support::git(dir.path(), &["add", "-A"]);
    let stamp = "2026-01-05T12:00:00+0000";
    support::git_with(
        dir.path(),
        &["commit", "-q", "-m", "dual"],
        &[("GIT_AUTHOR_DATE", stamp), ("GIT_COMMITTER_DATE", stamp)],
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- In the dual state since 2026-01-05 ("), "{out}");
    let (_, json) = runbook(dir.path(), &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["instances"][0]["dual_since"]["date"], "2026-01-05");
    assert!(json["instances"][0]["dual_since"]["days"].as_u64().unwrap() >= 300);
    // Outside git the date is unknown: no line, `null` in JSON.
    let plain = tempfile::tempdir().unwrap();
    fs::copy(dir.path().join("xs-security.json"), plain.path().join("xs-security.json")).unwrap();
    let (_, out) = runbook(plain.path(), &[]);
    assert!(!out.contains("In the dual state since"), "{out}");
}

#[test]
fn a_cloud_foundry_instance_of_terraform_is_updated_by_terraform() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        r#"data "cloudfoundry_service_plans" "xsuaa" {
  service_offering_name = "xsuaa"
}

resource "cloudfoundry_service_instance" "app_xsuaa" {
  name         = "app-xsuaa"
  type         = "managed"
  space        = var.space
  service_plan = data.cloudfoundry_service_plans.xsuaa.service_plans[0].id
  parameters   = jsonencode({ xsappname = "app" })
}
"#,
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- Environment: Cloud Foundry\n"), "{out}");
    assert!(out.contains("   terraform apply\n") && !out.contains("cf update-service"), "{out}");
    assert!(out.contains("cf bind-service '<app>' app-xsuaa --strategy multiple"), "{out}");
}

/// Two modules' `btp_subaccount_service_instance "xsuaa"`: two instances, each known by its
/// `name` (issue 22); a `name` only Terraform knows is shown with its expression as placeholder.
#[test]
fn terraform_instances_are_known_by_their_name_not_their_label() {
    let dir = tempfile::tempdir().unwrap();
    let module = |name: &str| {
        format!(
            r#"resource "btp_subaccount_service_instance" "xsuaa" {{
  subaccount_id         = var.subaccount_id
  service_offering_name = "xsuaa"
  serviceplan_name      = "application"
  name                  = {name}
  parameters            = jsonencode({{ xsappname = "app" }})
}}
"#
        )
    };
    write(dir.path(), "infra/billing/main.tf", &module("\"billing-xsuaa\""));
    write(dir.path(), "infra/orders/main.tf", &module("\"orders-xsuaa\""));
    write(dir.path(), "infra/shared/main.tf", &module("\"${var.env}-xsuaa\""));
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("## `billing-xsuaa` (`infra/billing/main.tf:1`)"), "{out}");
    assert!(out.contains("## `orders-xsuaa` (`infra/orders/main.tf:1`)"), "{out}");
    insta::assert_snapshot!("runbook_terraform_names", out);
    let audit = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir.path())
        .args(["audit", "--isolated", "--format", "json", "."])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let mut names: Vec<&str> = report["repositories"][0]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["billing-xsuaa", "orders-xsuaa", "xsuaa"], "{report:#}");
}

/// The `services:` of a `cf push` manifest that name an instance of the repository are its
/// apps' bindings: listed, and rebound by name in step 3 (issue 22).
#[test]
fn apps_bound_by_cf_push_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "services-manifest.yml",
        "create-services:\n  - name: ledger-uaa\n    broker: xsuaa\n    plan: application\n    parameters: xs-security.json\n",
    );
    write(dir.path(), "xs-security.json", "{\"xsappname\": \"ledger\"}\n");
    write(
        dir.path(),
        "manifest.yml",
        "applications:\n  - name: ledger-api\n    services:\n      - ledger-uaa\n      - ledger-db\n  - name: ledger-ui\n    services:\n      - name: ledger-uaa\n        parameters:\n          credential-type: binding-secret\n",
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- binding `ledger-api`: `manifest.yml:4`\n"), "{out}");
    assert!(out.contains("- binding `ledger-ui`: `manifest.yml:8`\n"), "{out}");
    assert!(out.contains("cf bind-service ledger-api ledger-uaa --strategy multiple"), "{out}");
    assert!(!out.contains("ledger-db"), "{out}");
    insta::assert_snapshot!("runbook_cf_push_bindings", out);
}

/// A script in a monorepo's project (`apps/shop/scripts/`) passes `-c xs-security.json` from the
/// project's folder: the runbook edits that descriptor, not the script.
#[test]
fn a_script_in_a_monorepo_project_edits_the_projects_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "apps/shop/package.json", "{\"name\": \"shop\"}\n");
    write(
        dir.path(),
        "apps/shop/xs-security.json",
        "{\"xsappname\": \"shop\", \"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}\n",
    );
    write(
        dir.path(),
        "apps/shop/scripts/deploy.sh",
        "#!/bin/sh\ncf create-service xsuaa application shop-uaa -c xs-security.json\n",
    );
    let (_, out) = runbook(dir.path(), &[]);
    assert!(out.contains("Set `oauth2-configuration.credential-types` in `apps/shop/xs-security.json`"), "{out}");
    assert!(out.contains("cf update-service shop-uaa -c apps/shop/xs-security.json"), "{out}");
}

/// One instance that an MTA and a script's `cf create-service` both declare is one section,
/// naming both places, and migrated once (survey M9: michal-majer/xsuaa-better-admin); what the
/// places disagree on is stated (XS115).
#[test]
fn an_instance_declared_in_two_files_is_one_section() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mta.yaml",
        "_schema-version: '3.1'\nID: admin\nversion: 1.0.0\nresources:\n  - name: admin-xsuaa\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n",
    );
    write(dir.path(), "xs-security.json", "{\"xsappname\": \"admin\"}\n");
    write(
        dir.path(),
        "scripts/create-services.sh",
        "#!/bin/sh\ncf create-service xsuaa broker admin-xsuaa -c xs-security.json\n",
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("## `admin-xsuaa`").count(), 1, "{out}");
    assert!(out.contains("- Declared in: `mta.yaml:5` (mta), `scripts/create-services.sh:2` (cf)"), "{out}");
    assert!(
        out.contains("- Conflict (XS115): the declarations give plan `application` in `mta.yaml:5` but `broker` in `scripts/create-services.sh:2`"),
        "{out}"
    );
    insta::assert_snapshot!("runbook_declared_twice", out);
    let (code, json) = runbook(dir.path(), &["--format", "json"]);
    assert_eq!(code, 0, "{json}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let instances = json["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 1, "{json:#}");
    assert_eq!(instances[0]["declared_in"].as_array().map(Vec::len), Some(2), "{json:#}");
    assert_eq!(instances[0]["conflicts"][0]["what"], "plan", "{json:#}");
}

/// A service key that the MTA declares on its resource and in a module's `requires` is one
/// key: listed once with both places, replaced once (survey M10: cap-js/incidents-app).
#[test]
fn a_service_key_declared_twice_is_replaced_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mta.yaml",
        "_schema-version: '3.1'\nID: incidents\nversion: 1.0.0\nmodules:\n  - name: incidents-content\n    type: com.sap.application.content\n    requires:\n      - name: incidents-auth\n        parameters:\n          service-key:\n            name: incidents-auth-key\nresources:\n  - name: incidents-auth\n    type: org.cloudfoundry.managed-service\n    parameters:\n      service: xsuaa\n      service-plan: application\n      path: ./xs-security.json\n      service-keys:\n        - name: incidents-auth-key\n",
    );
    write(dir.path(), "xs-security.json", "{\"xsappname\": \"incidents\"}\n");
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- service key `incidents-auth-key`: `mta.yaml:20`, `mta.yaml:11`\n"), "{out}");
    assert_eq!(out.matches("after renaming service key incidents-auth-key at").count(), 1, "{out}");
    insta::assert_snapshot!("runbook_key_declared_twice", out);
}

/// Issue 24: each deployment tool's own steps 3 and 4, with the repository's names.
const MTA_KEEP_EXISTING: &str = "_schema-version: '3.1'
ID: shop
version: 1.0.0
modules:
  - name: shop-srv
    type: nodejs
    path: srv
    requires:
      - name: shop-auth
  - name: shop-legacy
    type: nodejs
    path: legacy
    parameters:
      keep-existing:
        service-bindings: true
    requires:
      - name: shop-auth
  - name: shop-content
    type: com.sap.application.content
    requires:
      - name: shop-auth
        parameters:
          service-key:
            name: shop-content-key
resources:
  - name: shop-auth
    type: org.cloudfoundry.managed-service
    parameters:
      service: xsuaa
      service-plan: application
      path: ./xs-security.json
      service-keys:
        - name: shop-reporting-key
";

/// An MTA: the redeploy rebinds its modules, a `keep-existing` module gets `cf` commands (and
/// XS116), a resource's key is renamed, a module's key renamed and the old one deleted.
#[test]
fn an_mta_instance_rebinds_by_redeploying() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mta.yaml", MTA_KEEP_EXISTING);
    write(
        dir.path(),
        "xs-security.json",
        "{\n  \"xsappname\": \"shop\",\n  \"oauth2-configuration\": {\"credential-types\": [\"binding-secret\", \"instance-secret\"]}\n}\n",
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cf deploy rebinds shop-srv at every deploy"), "{out}");
    assert!(out.contains("cf bind-service shop-legacy shop-auth --strategy multiple"), "{out}");
    assert!(!out.contains("cf bind-service shop-srv"), "{out}");
    assert!(out.contains("after renaming service key shop-reporting-key at mta.yaml:33"), "{out}");
    assert!(out.contains("cf delete-service-key shop-auth shop-content-key -f"), "{out}");
    insta::assert_snapshot!("runbook_mta_tools", out);
    let check = Command::cargo_bin("xsuaa-lint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--isolated", "--output-format", "concise", "."])
        .output()
        .unwrap();
    let check = String::from_utf8_lossy(&check.stdout);
    assert!(check.contains("mta.yaml:15:27: XS116 module `shop-legacy`"), "{check}");
}

/// Terraform, both providers: every binding and key resource replaced by its address.
#[test]
fn terraform_instances_replace_bindings_by_address() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "btp/main.tf",
        r#"resource "btp_subaccount_service_instance" "xsuaa" {
  subaccount_id         = var.subaccount_id
  service_offering_name = "xsuaa"
  serviceplan_name      = "application"
  name                  = "billing-xsuaa"
  parameters = jsonencode({
    xsappname = "billing"
    "oauth2-configuration" = { "credential-types" = ["binding-secret", "instance-secret"] }
  })
}
"#,
    );
    write(
        dir.path(),
        "btp/bindings.tf",
        r#"resource "btp_subaccount_service_binding" "billing_app" {
  subaccount_id       = var.subaccount_id
  service_instance_id = btp_subaccount_service_instance.xsuaa.id
  name                = "billing-app"
}

resource "btp_subaccount_service_binding" "per_tenant" {
  for_each            = var.tenants
  subaccount_id       = var.subaccount_id
  service_instance_id = btp_subaccount_service_instance.xsuaa.id
  name                = "billing-${each.key}"
}
"#,
    );
    write(
        dir.path(),
        "cf/main.tf",
        r#"data "cloudfoundry_service_plans" "xsuaa" {
  service_offering_name = "xsuaa"
}

resource "cloudfoundry_service_instance" "ledger" {
  name         = "ledger-xsuaa"
  type         = "managed"
  space        = var.space
  service_plan = data.cloudfoundry_service_plans.xsuaa.service_plans[0].id
  parameters   = jsonencode({ xsappname = "ledger", "oauth2-configuration" = { "credential-types" = ["binding-secret", "instance-secret"] } })
}

resource "cloudfoundry_service_credential_binding" "ledger_app" {
  type             = "app"
  name             = "ledger-app-binding"
  app              = var.app_id
  service_instance = cloudfoundry_service_instance.ledger.id
}

resource "cloudfoundry_service_credential_binding" "ledger_key" {
  type             = "key"
  name             = "ledger-key"
  service_instance = cloudfoundry_service_instance.ledger.id
}

resource "cloudfoundry_service_key" "legacy_key" {
  name             = "ledger-legacy-key"
  service_instance = cloudfoundry_service_instance.ledger.id
}
"#,
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("terraform apply -replace=btp_subaccount_service_binding.billing_app -replace='btp_subaccount_service_binding.per_tenant[\"<key>\"]'"),
        "{out}"
    );
    assert!(out.contains("terraform apply -replace=cloudfoundry_service_credential_binding.ledger_app   #"), "{out}");
    assert!(
        out.contains("terraform apply -replace=cloudfoundry_service_credential_binding.ledger_key -replace=cloudfoundry_service_key.legacy_key   #"),
        "{out}"
    );
    assert!(!out.contains("cf bind-service"), "{out}");
    insta::assert_snapshot!("runbook_terraform_tools", out);
}

/// Kyma: a ServiceBinding without rotation gets it enabled, then the forceRotate annotation;
/// one with rotation gets the annotation only.
#[test]
fn a_kyma_instance_rotates_its_bindings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "k8s/xsuaa.yaml",
        "apiVersion: services.cloud.sap.com/v1
kind: ServiceInstance
metadata:
  name: shop-xsuaa
  namespace: shop
spec:
  serviceOfferingName: xsuaa
  servicePlanName: application
  parameters:
    xsappname: shop
    oauth2-configuration:
      credential-types: [binding-secret, instance-secret]
---
apiVersion: services.cloud.sap.com/v1
kind: ServiceBinding
metadata:
  name: shop-srv-binding
  namespace: shop
spec:
  serviceInstanceName: shop-xsuaa
---
apiVersion: services.cloud.sap.com/v1
kind: ServiceBinding
metadata:
  name: shop-worker-binding
  namespace: shop
spec:
  serviceInstanceName: shop-xsuaa
  credentialsRotationPolicy:
    enabled: true
    rotationFrequency: 720h
    rotatedBindingTTL: 48h
",
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("kubectl annotate servicebindings.services.cloud.sap.com shop-srv-binding -n shop services.cloud.sap.com/forceRotate=true"), "{out}");
    assert!(out.contains("kubectl annotate servicebindings.services.cloud.sap.com shop-worker-binding -n shop services.cloud.sap.com/forceRotate=true"), "{out}");
    assert_eq!(out.matches("credentialsRotationPolicy.enabled: true (with").count(), 1, "{out}");
    insta::assert_snapshot!("runbook_kyma_tools", out);
}

/// Helm (CAP's chart): the binding is rotated under the name the chart gives it.
#[test]
fn a_helm_instance_rotates_its_bindings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "chart/values.yaml",
        "srv:
  bindings:
    auth:
      serviceInstanceName: xsuaa
approuter:
  bindings:
    auth_client:
      serviceInstanceName: xsuaa
      credentialsRotationPolicy:
        enabled: true
xsuaa:
  serviceOfferingName: xsuaa
  servicePlanName: application
  parameters:
    xsappname: bookshop
    oauth2-configuration:
      credential-types: [binding-secret, instance-secret]
",
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("srv.bindings.auth.credentialsRotationPolicy.enabled: true"), "{out}");
    assert!(out.contains("kubectl annotate servicebindings.services.cloud.sap.com '<release>-srv-auth'"), "{out}");
    assert!(
        out.contains("kubectl annotate servicebindings.services.cloud.sap.com '<release>-approuter-auth-client'"),
        "{out}"
    );
    assert!(!out.contains("approuter.bindings.auth_client.credentialsRotationPolicy"), "{out}");
    insta::assert_snapshot!("runbook_helm_tools", out);
}

/// SAP's Crossplane provider: a binding without `spec.rotation` gets it added or is replaced by
/// a delete and an apply, under the provider's own resource name.
#[test]
fn a_crossplane_instance_replaces_its_bindings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "crossplane/xsuaa.yaml",
        "apiVersion: account.btp.sap.crossplane.io/v1alpha1
kind: ServiceInstance
metadata:
  name: orders-xsuaa
spec:
  forProvider:
    offeringName: xsuaa
    planName: application
    parameters:
      xsappname: orders
      oauth2-configuration:
        credential-types: [binding-secret, instance-secret]
---
apiVersion: account.btp.sap.crossplane.io/v1alpha1
kind: ServiceBinding
metadata:
  name: orders-binding
spec:
  forProvider:
    serviceInstanceRef:
      name: orders-xsuaa
",
    );
    let (code, out) = runbook(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("after adding spec.rotation (frequency, ttl) to ServiceBinding orders-binding"), "{out}");
    assert!(
        out.contains("kubectl delete servicebindings.account.btp.sap.crossplane.io orders-binding && kubectl apply -f crossplane/xsuaa.yaml"),
        "{out}"
    );
    assert!(!out.contains("cf bind-service"), "{out}");
}

/// A `btp create services/instance` with its parameters inline is updated the same way, with
/// `btp update services/instance` (not `terraform apply`), as the model's update step says.
#[test]
fn a_btp_cli_instance_is_updated_with_the_btp_cli() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "scripts/setup.sh",
        "#!/bin/sh\nbtp create services/instance --subaccount \"$SUBACCOUNT\" --name orders-xsuaa --offering-name xsuaa --plan-name application --parameters '{\"xsappname\": \"orders\", \"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}'\n",
    );
    let (_, out) = runbook(dir.path(), &["."]);
    assert!(out.contains("btp update services/instance --name orders-xsuaa --parameters"), "{out}");
    assert!(!out.contains("terraform apply"), "{out}");
}

/// `data.cloudfoundry_service_plans.X.service_plans[0].id`: the plan is the data source's `name`
/// when it names one; without it the first plan the platform lists is not known from the files.
#[test]
fn a_terraform_plan_is_read_through_the_plans_data_source_when_it_names_one() {
    let tree = |plan_line: &str| {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "main.tf",
            &format!(
                r#"data "cloudfoundry_service_plans" "xsuaa" {{
  service_offering_name = "xsuaa"
{plan_line}}}

resource "cloudfoundry_service_instance" "app_xsuaa" {{
  name         = "app-xsuaa"
  type         = "managed"
  space        = var.space
  service_plan = data.cloudfoundry_service_plans.xsuaa.service_plans[0].id
  parameters   = jsonencode({{ xsappname = "app" }})
}}
"#
            ),
        );
        dir
    };
    let named = tree("  name                  = \"application\"\n");
    let (_, out) = runbook(named.path(), &[]);
    assert!(out.contains("- Plan: application\n"), "{out}");
    let unnamed = tree("");
    let (_, out) = runbook(unnamed.path(), &[]);
    assert!(out.contains("- Plan: unknown\n"), "{out}");
}

/// A Pulumi YAML program's instance is updated with `pulumi up`, and its key and app binding are
/// replaced by their URNs, not with `cf` commands.
#[test]
fn a_pulumi_instance_is_updated_and_its_bindings_replaced_by_pulumi() {
    let dir = tempfile::tempdir().unwrap();
    let program = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/XS110/err/pulumi-service-key/Pulumi.yaml"),
    )
    .unwrap();
    write(dir.path(), "infra/Pulumi.yaml", &program);
    let (_, out) = runbook(dir.path(), &[]);
    assert!(out.contains("- Environment: Cloud Foundry"), "{out}");
    assert!(out.contains("pulumi up   # in the project of infra/Pulumi.yaml"), "{out}");
    let key = "pulumi up --replace='urn:pulumi:<stack>::bookshop-infra::cloudfoundry:index/serviceKey:ServiceKey::reportingKey'";
    assert!(out.contains(key), "{out}");
    let app = "pulumi up --replace='urn:pulumi:<stack>::bookshop-infra::cloudfoundry:index/app:App::bookshopSrv'";
    assert!(out.contains(app), "{out}");
    assert!(!out.contains("cf create-service-key") && !out.contains("cf bind-service"), "{out}");
}
