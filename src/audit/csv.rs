//! CSV, one row per instance, for spreadsheets and BI tools: RFC 4180 quoting by the `csv`
//! crate, every field quoted when it needs to be (a report given to `audit --merge` may hold any
//! text in any field, `kind`, `state` and `codes` included). Columns after `codes` were added
//! later and only ever are appended: `owners` (space-separated), `link`, `sources` (every
//! `file:line` that declares the instance, space-separated), `change` (with `--compare`),
//! `skipped` (a repository not audited, one row each: its path, state `skipped`, the reason),
//! and with `--live` `live` (`ready`, `not-ready` or `not-read`), `instance_secret_holders` (a
//! count), `instance_secret_holder_names` (space-separated), `instance_secret_last_used_at` and
//! `live_reasons` (`; `-separated); empty without `--live`.
//! A text cell that would start a spreadsheet formula (`=`, `+`, `-`, `@`, tab, carriage
//! return) starts with `'` instead ([`crate::text::escape::csv_cell`], OWASP's CSV injection advice).

use super::AuditReport;
use crate::text::escape::csv_cell;
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};

const HEADER: [&str; 18] = [
    "repository",
    "file",
    "line",
    "instance",
    "kind",
    "plan",
    "state",
    "codes",
    "owners",
    "link",
    "sources",
    "change",
    "skipped",
    "live",
    "instance_secret_holders",
    "instance_secret_holder_names",
    "instance_secret_last_used_at",
    "live_reasons",
];

/// One row, in the order of [`HEADER`].
#[derive(Serialize)]
struct Row<'a> {
    repository: Cow<'a, str>,
    file: Cow<'a, str>,
    /// Empty on the row of a repository skipped.
    line: Option<usize>,
    instance: Cow<'a, str>,
    kind: Cow<'a, str>,
    plan: Cow<'a, str>,
    state: Cow<'a, str>,
    codes: String,
    owners: String,
    link: Cow<'a, str>,
    sources: String,
    change: Cow<'a, str>,
    /// Why the repository was not audited.
    skipped: Cow<'a, str>,
    live: Cow<'a, str>,
    instance_secret_holders: Option<usize>,
    instance_secret_holder_names: String,
    instance_secret_last_used_at: Cow<'a, str>,
    live_reasons: String,
}

fn owned_cell(s: String) -> String {
    match csv_cell(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(cell) => cell,
    }
}

pub fn write(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    // The header is written even when there is no row.
    let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(out);
    csv.write_record(HEADER)?;
    for repo in &report.repositories {
        for instance in &repo.instances {
            let i = &instance.record;
            csv.serialize(Row {
                repository: csv_cell(&repo.path),
                file: csv_cell(&i.file),
                line: Some(i.line),
                instance: csv_cell(&i.name),
                kind: csv_cell(i.kind.as_str()),
                plan: csv_cell(&i.plan),
                state: csv_cell(i.state.as_str()),
                codes: owned_cell(i.codes.join(" ")),
                owners: owned_cell(instance.owners.join(" ")),
                link: csv_cell(instance.link.as_deref().unwrap_or("")),
                sources: owned_cell(
                    instance.places().iter().map(|(file, line)| format!("{file}:{line}")).collect::<Vec<_>>().join(" "),
                ),
                change: csv_cell(instance.change.as_deref().unwrap_or("")),
                skipped: Cow::Borrowed(""),
                live: csv_cell(instance.live.as_ref().map_or("", |l| l.status.as_str())),
                instance_secret_holders: instance.live.as_ref().map(|l| l.instance_secret_holders),
                instance_secret_holder_names: owned_cell(
                    instance.live.as_ref().map(|l| l.instance_secret_holder_names.join(" ")).unwrap_or_default(),
                ),
                instance_secret_last_used_at: csv_cell(
                    instance.live.as_ref().and_then(|l| l.instance_secret_last_used_at.as_deref()).unwrap_or(""),
                ),
                live_reasons: owned_cell(instance.live.as_ref().map(|l| l.reasons.join("; ")).unwrap_or_default()),
            })?;
        }
    }
    for s in &report.skipped {
        csv.serialize(Row {
            repository: csv_cell(&s.path),
            file: Cow::Borrowed(""),
            line: None,
            instance: Cow::Borrowed(""),
            kind: Cow::Borrowed(""),
            plan: Cow::Borrowed(""),
            state: Cow::Borrowed("skipped"),
            codes: String::new(),
            owners: String::new(),
            link: Cow::Borrowed(""),
            sources: String::new(),
            change: Cow::Borrowed(""),
            skipped: csv_cell(&s.reason),
            live: Cow::Borrowed(""),
            instance_secret_holders: None,
            instance_secret_holder_names: String::new(),
            instance_secret_last_used_at: Cow::Borrowed(""),
            live_reasons: String::new(),
        })?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditInstance, RepositoryAudit};
    use crate::engine::inventory::{InstanceKind, InstanceRecord};
    use crate::model::deployment::InstanceFormat;
    use crate::model::descriptor::MigrationState;

    fn report(instance: InstanceRecord) -> AuditReport {
        AuditReport::new(vec![RepositoryAudit {
            path: "repo, \"one\"".into(),
            files_checked: 1,
            committed_credentials: 0,
            errors: 0,
            states: Default::default(),
            findings: Default::default(),
            git: None,
            codeowners: None,
            trend: None,
            instances: vec![AuditInstance::of(instance)],
        }])
    }

    fn written(report: &AuditReport) -> String {
        let mut out = Vec::new();
        write(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quotes_only_when_needed() {
        // An instance read from a report is one place: its file and line.
        let plain = InstanceRecord {
            file: "a/xs-security.json".into(),
            line: 1,
            name: "a1".into(),
            kind: InstanceKind::Descriptor,
            plan: "unknown".into(),
            state: MigrationState::Implicit,
            codes: vec!["XS101".into(), "XS205".into()],
            facts: Default::default(),
        };
        assert_eq!(
            written(&report(plain)),
            "repository,file,line,instance,kind,plan,state,codes,owners,link,sources,change,skipped,live,instance_secret_holders,instance_secret_holder_names,instance_secret_last_used_at,live_reasons\n\
             \"repo, \"\"one\"\"\",a/xs-security.json,1,a1,descriptor,unknown,implicit,XS101 XS205,,,a/xs-security.json:1,,,,,,,\n"
        );
        assert_eq!(
            written(&AuditReport::new(vec![])),
            "repository,file,line,instance,kind,plan,state,codes,owners,link,sources,change,skipped,live,instance_secret_holders,instance_secret_holder_names,instance_secret_last_used_at,live_reasons\n"
        );
    }

    /// Every field reads back as written, whatever it holds: the hand-written quoting left
    /// `kind`, `state` and `codes` unquoted, so a merged report could add columns and rows
    /// (`kind` and `state` are now names of the tool's own, but `codes` come from the report).
    #[test]
    fn every_field_round_trips() {
        let odd = InstanceRecord {
            file: "dir\nname/xs-security.json".into(),
            line: 7,
            name: "cr\rname ,\"x\"".into(),
            kind: InstanceKind::Deployment(InstanceFormat::TerraformCf),
            plan: "say \"broker\"".into(),
            state: MigrationState::DualInstanceFirst,
            codes: vec!["ORG,1".into(), "XS101".into()],
            facts: Default::default(),
        };
        let text = written(&report(odd.clone()));
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1, "{text}");
        let expected = [
            "repo, \"one\"",
            &odd.file,
            "7",
            &odd.name,
            "terraform-cf",
            &odd.plan,
            "dual-instance-first",
            "ORG,1 XS101",
            "",
            "",
            "dir\nname/xs-security.json:7",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ];
        assert_eq!(rows[0].iter().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_repository_skipped_is_a_row_of_its_own() {
        let mut skipped = AuditReport::new(vec![]);
        skipped.skipped.push(super::super::Skipped {
            path: "https://host/org/gone.git".into(),
            reason: "not found while cloning: =cmd".into(),
        });
        assert_eq!(
            written(&skipped).lines().nth(1).unwrap(),
            "https://host/org/gone.git,,,,,,skipped,,,,,,not found while cloning: =cmd,,,,,"
        );
    }
}
