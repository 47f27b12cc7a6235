//! The migration runbook of each XSUAA instance a run found: where it stands, where it goes,
//! and SAP's steps with the commands for its environment and its name, with the bindings and
//! service keys the repository declares for it. Shared by `runbook` and `audit`'s reports.

use crate::engine::inventory::{BindingKind, Conflict, InstanceKind, InstanceRecord, Merged};
use crate::model::deployment::InstanceFormat as Format;
use crate::model::descriptor::MigrationState;
use crate::model::environment::Environment;
use crate::text::escape::{markdown_code, markdown_fence, markdown_text, shell_comment, shell_word, terminal};
use serde::Serialize;

mod tools;

/// SAP's Authorization API, `GET /sap/rest/authorization/v2/apps/{id}`: its `instanceSecretLastUsedAt`
/// tells whether the instance secret is still used (SAP's "Migrate from Instance Secrets to
/// Binding Secrets", step 4), on `api.authentication.<region>.hana.ondemand.com` (SAP's "Call an
/// API" example), with API credentials of the btp CLI, which SAP's "Access to REST APIs" names
/// instead of the deprecated `apiaccess` plan (XS106).
const API: &str = "https://api.authentication.<region>.hana.ondemand.com/sap/rest/authorization/v2/apps";

#[derive(Serialize)]
struct Step {
    title: String,
    commands: Vec<String>,
}

#[derive(Serialize)]
pub struct Entry<'a> {
    #[serde(flatten)]
    record: &'a InstanceRecord,
    /// As the audit names it; empty where not known (a record read back from a report).
    environment: &'static str,
    environment_assumed: bool,
    xsappname: Option<&'a str>,
    descriptor: Option<&'a str>,
    target: String,
    steps: Vec<Step>,
    /// Every place that declares the instance, when there is more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    declared_in: Vec<DeclaredAt<'a>>,
    /// What those places disagree on (XS115).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    conflicts: &'a [Conflict],
    /// Each binding and service key once, with every place that declares it.
    bindings: Vec<Binding<'a>>,
    not_visible: &'static str,
    /// The name Cloud Foundry knows the instance by, when it differs from the resource's name.
    service_name: Option<&'a str>,
    /// Since when the instance is in the dual state (its descriptor's git history).
    dual_since: Option<&'a crate::engine::inventory::DualSinceFact>,
}

#[derive(Serialize)]
struct DeclaredAt<'a> {
    file: &'a str,
    line: usize,
    kind: InstanceKind,
}

/// A binding or service key of the instance: where it is declared first, and the other places
/// that declare the same one (an MTA key on the resource and in a module's `requires`).
#[derive(Serialize)]
struct Binding<'a> {
    kind: BindingKind,
    name: &'a str,
    file: &'a str,
    line: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_at: Vec<At<'a>>,
}

#[derive(Serialize)]
struct At<'a> {
    file: &'a str,
    line: usize,
}

/// The instance's bindings and keys, each `(kind, name)` once, where it first comes.
fn bindings(record: &InstanceRecord) -> Vec<Binding<'_>> {
    let mut out: Vec<Binding<'_>> = Vec::new();
    let mut at: std::collections::HashMap<(BindingKind, &str), usize> = std::collections::HashMap::new();
    for b in &record.facts.bindings {
        match at.get(&(b.kind, b.name.as_str())) {
            Some(&i) => out[i].also_at.push(At { file: &b.file, line: b.line }),
            None => {
                at.insert((b.kind, &b.name), out.len());
                out.push(Binding { kind: b.kind, name: &b.name, file: &b.file, line: b.line, also_at: Vec::new() });
            }
        }
    }
    out
}

const NOT_VISIBLE: &str = "Bindings and service keys made outside the repository (by hand in the cockpit, with `btp` or `kubectl` commands typed by hand, or by other repositories' deployments) do not show here.";
const NOT_VISIBLE_CF: &str = "Bindings and service keys made outside the repository (by hand in the cockpit, with `cf` or `btp` commands typed by hand or in scripts outside the deployment file's folder and the repository's root, or by other repositories' deployments) do not show here: `instanceSecretLastUsedAt` (step above) is the check that covers them.";

/// Whether an instance is done: binding secrets or X.509 only, or (outside Cloud Foundry) nothing to do.
pub fn finished(record: &InstanceRecord) -> bool {
    matches!(record.state, MigrationState::BindingOnly | MigrationState::X509)
}

fn step(title: impl Into<String>, commands: &[String]) -> Step {
    Step { title: title.into(), commands: commands.to_vec() }
}

/// How the instance's configuration reaches the service, per environment and kind. Every word
/// from the repository, and every placeholder, is one quoted shell word ([`shell_word`]).
fn update(record: &InstanceRecord) -> Vec<String> {
    let file = record.facts.descriptor.as_deref().unwrap_or("xs-security.json");
    match record.kind {
        InstanceKind::Deployment(Format::Mta) => vec![format!(
            "mbt build && cf deploy {}   # redeploy the MTA of {}",
            shell_word("mta_archives/<ID>_<version>.mtar"),
            shell_comment(&record.file)
        )],
        InstanceKind::Deployment(
            Format::Kyma | Format::CfOperator | Format::Crossplane | Format::CrossplaneBtp | Format::ServiceCatalog,
        ) => {
            vec![format!("kubectl apply -f {}", shell_word(&record.file))]
        }
        InstanceKind::Deployment(Format::Helm) => vec![format!(
            "helm upgrade {} {}   # with the values of {}",
            shell_word("<release>"),
            shell_word("<chart>"),
            shell_comment(&record.file)
        )],
        // Terraform's Cloud Foundry provider too: the instance is Terraform's to update.
        InstanceKind::Deployment(Format::Terraform | Format::TerraformCf) => vec!["terraform apply".into()],
        InstanceKind::Deployment(Format::Pulumi) => {
            vec![format!("pulumi up   # in the project of {}", shell_comment(&record.file))]
        }
        _ if record.facts.environment == Some(Environment::Kyma) => {
            vec![format!("kubectl apply -f {}", shell_word(&format!("<the ServiceInstance that carries {file}>")))]
        }
        // A `btp create services/instance` with the configuration inline: passed inline again, as
        // the model's update step says.
        InstanceKind::Deployment(Format::Btp) if record.facts.descriptor.is_none() => vec![format!(
            "btp update services/instance --name {} --parameters {}",
            instance_name(record),
            shell_word(&format!("<the JSON of {}:{}, with the new list>", record.file, record.line))
        )],
        _ if record.facts.environment == Some(Environment::Other) => {
            vec!["terraform apply   # or: btp update services/instance with the descriptor as parameters".into()]
        }
        // A `cf` command or services manifest with the configuration inline: passed inline again.
        InstanceKind::Deployment(Format::Cf) if record.facts.descriptor.is_none() => vec![format!(
            "cf update-service {} -c {}",
            instance_name(record),
            shell_word(&format!("<the JSON of {}:{}, with the new list>", record.file, record.line))
        )],
        _ => vec![format!("cf update-service {} -c {}", instance_name(record), shell_word(file))],
    }
}

/// The service instance's name as `cf` knows it, as a shell word: an MTA resource's
/// `service-name` when it has one, else the resource's name; for a descriptor alone, unknown.
fn instance_name(record: &InstanceRecord) -> String {
    let name = if let Some(name) = &record.facts.service_name {
        placeholders(name)
    } else if record.kind == InstanceKind::Descriptor {
        "<instance>".into()
    } else {
        record.name.clone()
    };
    shell_word(&name).into_owned()
}

/// An MTA placeholder (`${space}`) becomes `<space>`, a placeholder the reader sees to replace
/// (inside the quoted word, so never a redirection).
fn placeholders(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(at) = rest.find("${") {
        let Some(end) = rest[at..].find('}') else { break };
        out.push_str(&rest[..at]);
        out.push('<');
        out.push_str(&rest[at + 2..at + end]);
        out.push('>');
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

fn plan(record: &InstanceRecord) -> (String, Vec<Step>) {
    let format = match record.kind {
        InstanceKind::Deployment(format) => Some(format),
        InstanceKind::Descriptor => None,
    };
    let list_at = match format {
        Some(Format::Mta) if record.facts.descriptor.is_some() => {
            format!(
                "`oauth2-configuration.credential-types` in {}",
                markdown_code(record.facts.descriptor.as_deref().unwrap_or(""))
            )
        }
        Some(Format::Mta) => format!(
            "`oauth2-configuration.credential-types` under the resource's `parameters.config` in {}",
            markdown_code(&record.file)
        ),
        Some(Format::Kyma | Format::ServiceCatalog) => {
            format!(
                "`oauth2-configuration.credential-types` under `spec.parameters` in {}",
                markdown_code(&record.file)
            )
        }
        Some(Format::CrossplaneBtp) => {
            format!(
                "`oauth2-configuration.credential-types` under `spec.forProvider.parameters` in {}",
                markdown_code(&record.file)
            )
        }
        Some(Format::Helm) if record.facts.descriptor.is_some() => {
            format!(
                "`oauth2-configuration.credential-types` in {}",
                markdown_code(record.facts.descriptor.as_deref().unwrap_or(""))
            )
        }
        Some(Format::Helm) => {
            format!(
                "`oauth2-configuration.credential-types` under the instance's `parameters` in {}",
                markdown_code(&record.file)
            )
        }
        Some(Format::Pulumi) if record.facts.descriptor.is_none() => {
            format!(
                "`\"oauth2-configuration\"` / `\"credential-types\"` in the `jsonParams` of {}",
                markdown_code(&record.file)
            )
        }
        Some(Format::Terraform | Format::TerraformCf) if record.facts.descriptor.is_none() => {
            format!(
                "`\"oauth2-configuration\"` / `\"credential-types\"` in the `parameters` of {}",
                markdown_code(&record.file)
            )
        }
        // A `cf` command's or a Terraform resource's descriptor file (`-c xs-security.json`, `file(...)`).
        _ if format != Some(Format::Kyma) && record.facts.descriptor.is_some() => {
            format!(
                "`oauth2-configuration.credential-types` in {}",
                markdown_code(record.facts.descriptor.as_deref().unwrap_or(""))
            )
        }
        _ => format!("`oauth2-configuration.credential-types` in {}", markdown_code(&record.file)),
    };
    // Outside Cloud Foundry a list that names `instance-secret` gets SAP's staged procedure too:
    // an instance made there before binding secrets were the default may have handed one out.
    let staged = record.facts.environment == Some(Environment::CloudFoundry)
        || matches!(
            record.state,
            MigrationState::InstanceOnly | MigrationState::Dual | MigrationState::DualInstanceFirst
        );
    if !staged {
        let target = "[\"binding-secret\"] (plus any type a binding asks for)".to_string();
        let steps = vec![
            step(format!("Set {list_at} to {target}: this environment has no instance secrets"), &[]),
            step("Update the instance", &update(record)),
        ];
        return (target, steps);
    }
    let name = instance_name(record);
    // SAP's app IDs end in `!t<n>` for the application plan and `!b<n>` for the broker plan.
    let suffix = if record.plan == "broker" { "!b<n>" } else { "!t<n>" };
    let app_id = match record.facts.xsappname.as_deref() {
        // An MTA placeholder is resolved at deployment: the deployed name is not in the file.
        Some(x) if x.contains("${") || x.contains("~{") => format!("<xsappname as deployed>{suffix}"),
        Some(x) => format!("{x}{suffix}"),
        None => format!("<xsappname>{suffix}"),
    };
    let mut steps = Vec::new();
    if record.state != MigrationState::Dual {
        steps.push(step(
            format!(
                "Set {list_at} to [\"binding-secret\", \"instance-secret\"] (the dual state) and update the instance"
            ),
            &update(record),
        ));
    }
    let title = if format == Some(Format::Mta) {
        "Rebind every app (each new binding gets a binding secret; the apps are named after their modules unless `app-name` says otherwise)"
    } else {
        "Rebind every app (each new binding gets a binding secret)"
    };
    steps.push(step(title, &tools::rebind(record, &name)));
    let keys = tools::replace_keys(record, &name);
    steps.push(step("Replace every service key", &keys));
    steps.push(step(
        "Check that the instance secret is no longer used: `instanceSecretLastUsedAt` of SAP's Authorization API (`GET /sap/rest/authorization/v2/apps/{id}`)",
        &[format!("curl -H \"Authorization: Bearer $TOKEN\" {}   # TOKEN: a client-credentials token of API credentials from `btp create security/api-credential --subaccount <id>` (read-only credentials suffice); <region>: the subaccount's region", shell_word(&format!("{API}/{app_id}")))],
    ));
    steps.push(step(format!("Set {list_at} to [\"binding-secret\"] and update the instance again"), &update(record)));
    ("[\"binding-secret\"], through the dual state [\"binding-secret\", \"instance-secret\"]".to_string(), steps)
}

fn environment_label(record: &InstanceRecord) -> String {
    let name = match record.facts.environment {
        Some(Environment::Kyma) => "Kyma",
        Some(Environment::Other) => "other environment",
        Some(Environment::CloudFoundry) | None => "Cloud Foundry",
    };
    if record.facts.assumed {
        format!(
            "{name} (assumed: nothing in the repository deploys this descriptor; set `environment` in xsuaa-lint.toml)"
        )
    } else {
        name.to_string()
    }
}

/// `found`: how many instances the run found (finished ones have no entry).
pub fn markdown(entries: &[Entry<'_>], found: usize) -> String {
    let mut out = String::from("# XSUAA migration runbook\n\n");
    if entries.is_empty() {
        out.push_str(if found == 0 {
            "No XSUAA instance found.\n"
        } else {
            "Every instance found is finished (binding secrets or X.509 only).\n"
        });
        return out;
    }
    for e in entries {
        let r = e.record;
        // Repository text in code spans (or escaped text), commands in a fence longer than any
        // backquote run in them, control characters shown as escapes: nothing renders as a link,
        // image or HTML, and nothing reaches a terminal as a control sequence.
        out.push_str(&format!(
            "## {} ({})\n\n",
            markdown_code(&r.name),
            markdown_code(&format!("{}:{}", r.file, r.line))
        ));
        if let Some(service_name) = e.service_name {
            if r.kind.is_terraform() {
                out.push_str(&format!(
                    "- Instance: {} (the `name` of the Terraform resource {}, known when Terraform runs)\n",
                    markdown_code(service_name),
                    markdown_code(&r.name)
                ));
            } else {
                let resolved =
                    if service_name.contains("${") { ", its placeholders resolved at deployment" } else { "" };
                out.push_str(&format!(
                    "- Instance: {} in Cloud Foundry (`service-name` of the MTA resource {}{resolved})\n",
                    markdown_code(service_name),
                    markdown_code(&r.name)
                ));
            }
        }
        if !e.declared_in.is_empty() {
            let places: Vec<String> = e
                .declared_in
                .iter()
                .map(|p| {
                    format!("{} ({})", markdown_code(&format!("{}:{}", p.file, p.line)), markdown_text(p.kind.as_str()))
                })
                .collect();
            out.push_str(&format!("- Declared in: {} (one instance: migrate it once)\n", places.join(", ")));
        }
        for conflict in e.conflicts {
            let values: Vec<String> = conflict
                .values
                .iter()
                .map(|v| {
                    let places: Vec<String> = v.places.iter().map(|p| markdown_code(p)).collect();
                    format!("{} in {}", markdown_code(&v.value), places.join(", "))
                })
                .collect();
            out.push_str(&format!(
                "- Conflict (XS115): the declarations give {} {}; each deployment that runs sends its own, so make them agree before the steps below\n",
                markdown_text(&conflict.what),
                values.join(" but ")
            ));
        }
        out.push_str(&format!("- Environment: {}\n", environment_label(r)));
        out.push_str(&format!("- Plan: {}\n", markdown_text(&r.plan)));
        out.push_str(&format!("- Where it stands: {}", markdown_code(r.state.as_str())));
        if !r.codes.is_empty() {
            out.push_str(&format!(" ({})", markdown_text(&r.codes.join(", "))));
        }
        if let Some(since) = e.dual_since {
            let days = if since.days == 1 { "1 day".to_string() } else { format!("{} days", since.days) };
            out.push_str(&format!(
                "\n- In the dual state since {} ({days}, from the git history of its descriptor)",
                since.date
            ));
        }
        out.push_str(&format!("\n- Where it goes: {}\n\n### Steps\n\n", e.target));
        for (n, s) in e.steps.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", n + 1, s.title));
            if !s.commands.is_empty() {
                let commands: Vec<_> = s.commands.iter().map(|c| terminal(c)).collect();
                let fence = markdown_fence(commands.iter().map(|c| c.as_ref()));
                out.push_str(&format!("\n   {fence}sh\n"));
                for c in &commands {
                    out.push_str(&format!("   {c}\n"));
                }
                out.push_str(&format!("   {fence}\n\n"));
            }
        }
        out.push_str("\n### Bindings and service keys in the repository\n\n");
        if e.bindings.is_empty() {
            out.push_str("- none declared\n");
        }
        for b in &e.bindings {
            let what = b.kind.noun();
            let places: Vec<String> = std::iter::once((b.file, b.line))
                .chain(b.also_at.iter().map(|a| (a.file, a.line)))
                .map(|(file, line)| markdown_code(&format!("{file}:{line}")))
                .collect();
            let place = places.join(", ");
            if b.name.starts_with('(') {
                out.push_str(&format!(
                    "- {what} {}: {place} (a redeploy keeps it: name it in `service-key`, or deploy with `--delete-service-keys`)\n",
                    markdown_text(b.name)
                ));
            } else {
                out.push_str(&format!("- {what} {}: {place}\n", markdown_code(b.name)));
            }
        }
        out.push_str(&format!("\n{}\n\n", e.not_visible));
    }
    out
}

/// The runbook entries of the instances not yet finished, in the order given: one per
/// instance, however many places declare it ([`crate::engine::inventory::one_per_instance`]).
pub fn entries(instances: &[Merged]) -> Vec<Entry<'_>> {
    instances
        .iter()
        .filter(|m| !finished(&m.record))
        .map(|merged| {
            let record = &merged.record;
            let (target, steps) = plan(record);
            Entry {
                record,
                environment: record.facts.environment.map_or("", Environment::as_str),
                environment_assumed: record.facts.assumed,
                xsappname: record.facts.xsappname.as_deref(),
                descriptor: record.facts.descriptor.as_deref(),
                target,
                steps,
                declared_in: merged
                    .places
                    .iter()
                    .map(|p| DeclaredAt { file: &p.file, line: p.line, kind: p.kind })
                    .collect(),
                conflicts: &merged.conflicts,
                bindings: bindings(record),
                not_visible: if record.facts.environment == Some(Environment::CloudFoundry) {
                    NOT_VISIBLE_CF
                } else {
                    NOT_VISIBLE
                },
                service_name: record.facts.service_name.as_deref(),
                dual_since: record.facts.dual_since.as_ref(),
            }
        })
        .collect()
}

/// The runbook as JSON (`{"version": 1, "instances": [...]}`).
pub fn json(entries: &[Entry<'_>]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "instances": entries })).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_not_shell_variables() {
        assert_eq!(super::placeholders("${space}-demo-uaa"), "<space>-demo-uaa");
        assert_eq!(super::placeholders("a-${org}-${space}"), "a-<org>-<space>");
        assert_eq!(super::placeholders("plain"), "plain");
        assert_eq!(super::placeholders("broken-${x"), "broken-${x");
    }
}
