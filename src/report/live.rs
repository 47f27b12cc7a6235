//! `xsuaa-lint live`: per instance the repository declares, what the platform says (bindings
//! and service keys with their credential type, `instanceSecretLastUsedAt`, what no file
//! declares, a plan that differs) and whether `instance-secret` may be removed now. Every text
//! from the repository or the platform is escaped for Markdown; secrets are never in the facts.

use crate::engine::inventory::{InstanceKind, InstanceRecord};
use crate::model::descriptor::MigrationState;
use crate::model::platform::{Consumer, Held, LastUse, LiveFacts, PlatformInstance, Removal};
use crate::text::escape::{markdown_code, markdown_code_cell, markdown_text};
use serde::Serialize;

/// One instance of the repository with what the platform says about it.
#[derive(Serialize)]
pub struct Entry<'a> {
    /// Where the repository declares it.
    pub file: &'a str,
    pub line: usize,
    pub name: &'a str,
    pub kind: InstanceKind,
    /// The migration state of its `credential-types` in the repository.
    pub state: MigrationState,
    pub plan_in_repository: &'a str,
    #[serde(flatten)]
    pub platform: &'a PlatformInstance,
    /// The platform's plan differs from the repository's (both known).
    pub plan_differs: bool,
    #[serde(flatten)]
    pub removal: Removal,
    /// Bindings and keys on the platform that no file of the repository declares.
    pub not_declared: Vec<&'a Consumer>,
}

/// Pairs each deployed instance of the run with its facts.
pub fn entries<'a>(records: &'a [InstanceRecord], facts: &'a LiveFacts) -> Vec<Entry<'a>> {
    records
        .iter()
        .filter_map(|record| {
            let view =
                facts.find(&record.name, record.facts.service_name.as_deref(), record.facts.namespace.as_deref())?;
            let platform = view.instance;
            let plan_differs = record.plan != "unknown" && platform.plan.as_deref().is_some_and(|p| p != record.plan);
            Some(Entry {
                file: &record.file,
                line: record.line,
                name: &record.name,
                kind: record.kind,
                state: record.state,
                plan_in_repository: &record.plan,
                platform,
                plan_differs,
                removal: view.removal(),
                not_declared: platform.consumers.iter().filter(|c| !c.declared).collect(),
            })
        })
        .collect()
}

#[derive(Serialize)]
struct Document<'a> {
    grace_days: u32,
    instances: &'a [Entry<'a>],
    /// Descriptors that no deployment file names: no instance name to look up.
    not_read: Vec<NotRead<'a>>,
}

#[derive(Serialize)]
struct NotRead<'a> {
    file: &'a str,
    name: &'a str,
    reason: &'static str,
}

fn not_read<'a>(records: &'a [InstanceRecord], entries: &[Entry<'_>]) -> Vec<NotRead<'a>> {
    records
        .iter()
        .filter(|r| !entries.iter().any(|e| e.file == r.file && e.line == r.line))
        .map(|r| NotRead {
            file: &r.file,
            name: &r.name,
            reason: if crate::live::platform_of(r).is_some() {
                "its platform was not asked (--platform)"
            } else {
                "no deployment file names the instance of this descriptor"
            },
        })
        .collect()
}

pub fn json(entries: &[Entry<'_>], records: &[InstanceRecord], grace_days: u32) -> String {
    let doc = Document { grace_days, instances: entries, not_read: not_read(records, entries) };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

pub fn markdown(entries: &[Entry<'_>], records: &[InstanceRecord], grace_days: u32) -> String {
    let mut out = String::from("# What the platform says\n\n");
    if entries.is_empty() {
        out.push_str("No instance of the repository was read from a platform.\n");
    }
    for e in entries {
        let p = e.platform;
        out.push_str(&format!(
            "## {} ({}, {})\n\nDeclared in {} line {}; read from {}",
            markdown_code(e.name),
            markdown_text(e.kind.as_str()),
            markdown_text(e.state.as_str()),
            markdown_code(e.file),
            e.line,
            p.platform.as_str()
        ));
        if let Some(ns) = &p.namespace {
            out.push_str(&format!(" (namespace {})", markdown_code(ns)));
        }
        out.push_str(".\n\n");
        if !p.found {
            out.push_str(&format!(
                "- **Not found**: the platform has no instance {} where the client points.\n",
                markdown_code(&p.name)
            ));
        }
        if let Some(plan) = &p.plan {
            let differs = if e.plan_differs {
                format!(" (**differs**: the repository says {})", markdown_code(e.plan_in_repository))
            } else {
                String::new()
            };
            out.push_str(&format!("- Plan: {}{differs}\n", markdown_code(plan)));
        }
        out.push_str(&format!("- `instanceSecretLastUsedAt`: {}\n", last_use(&p.last_use)));
        out.push_str(&match &e.removal {
            Removal::Safe => {
                "- **Ready to remove `instance-secret`**: no binding or service key holds the instance secret.\n".into()
            }
            Removal::Blocked { reasons } => format!(
                "- **Not ready to remove `instance-secret`**:\n{}",
                reasons.iter().map(|r| format!("  - {}\n", markdown_text(r))).collect::<String>()
            ),
        });
        for note in &p.notes {
            out.push_str(&format!("- Note: {}\n", markdown_text(note)));
        }
        if !p.consumers.is_empty() {
            out.push_str(
                "\n| Kind | Name | App | Created | Credential type | In the repository |\n|---|---|---|---|---|---|\n",
            );
            for c in &p.consumers {
                let held = match c.credential_type {
                    Held::InstanceSecret => "**instance-secret**".to_string(),
                    ref other => markdown_code_cell(other.describe()),
                };
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {held} | {} |\n",
                    c.kind.describe(),
                    c.name.as_deref().map(markdown_code_cell).unwrap_or_default(),
                    c.app.as_deref().map(markdown_code_cell).unwrap_or_default(),
                    c.created_at.as_deref().map(markdown_code_cell).unwrap_or_default(),
                    if c.declared { "yes" } else { "**no**" }
                ));
            }
        }
        if !e.not_declared.is_empty() {
            out.push_str("\nNot declared in the repository (made by hand, by another repository, or by an SAP service such as Mobile Services, SAP Note 3697481): replace them too before removing `instance-secret`.\n");
        }
        out.push('\n');
    }
    let skipped = not_read(records, entries);
    if !skipped.is_empty() {
        out.push_str("## Not read\n\n");
        for s in skipped {
            out.push_str(&format!("- {} ({}): {}\n", markdown_code(s.name), markdown_code(s.file), s.reason));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "Removal is judged safe when no binding or service key holds the instance secret and `instanceSecretLastUsedAt`, where read, is more than {grace_days} days old ([migration] grace-days).\n"
    ));
    out
}

fn last_use(last: &LastUse) -> String {
    match last {
        LastUse::NotRead { reason } => format!("not read ({})", markdown_text(reason)),
        LastUse::Never => "never used".into(),
        LastUse::At { at, days } => format!("{} ({days} days ago)", markdown_code(at)),
    }
}
