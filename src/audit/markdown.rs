//! A Markdown report for pull requests, wikis and issue trackers. Text from repositories and
//! merged reports goes through [`crate::text::escape`]: names, paths, URLs and commands in code spans,
//! other text with its Markdown punctuation escaped, links only with an allowed scheme.

use super::{AuditReport, STATES};
use crate::text::escape::{markdown_code, markdown_code_cell as code, markdown_link, markdown_text as text};
use std::io::{self, Write};

/// The tool's own text (the legend) in a table cell: it holds Markdown on purpose.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The earlier report of `--compare`, as people name it: its file and date.
pub fn compared(report: &AuditReport) -> String {
    match report.generated.as_ref().and_then(|g| g.compared_with.as_ref()) {
        Some(c) => match &c.date {
            Some(date) => format!("{} ({date})", c.file),
            None => c.file.clone(),
        },
        None => "the earlier report".into(),
    }
}

pub fn write(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(out, "# XSUAA audit\n")?;
    if let Some(g) = &report.generated {
        // The date and version are this run's own; the command line may hold any path.
        writeln!(out, "Made {} by xsuaa-lint {}: {}\n", g.date, g.tool_version, markdown_code(&g.command))?;
    }
    writeln!(
        out,
        "{} repositories ({} need work), {} service instances, {} committed credentials, {} files checked; findings: {} errors, {} warnings, {} info.\n",
        t.repositories,
        t.repositories_needing_work,
        t.instances,
        t.committed_credentials,
        t.files_checked,
        t.findings.error,
        t.findings.warning,
        t.findings.info
    )?;
    if let Some(trend) = &t.trend {
        writeln!(out, "Since {}: {}.\n", text(&compared(report)), trend.summary())?;
    }
    writeln!(out, "| state | instances | what it means | next step |\n|---|---:|---|---|")?;
    for state in STATES {
        let (meaning, next) = super::legend(state);
        writeln!(
            out,
            "| {state} | {} | {} | {} |",
            t.states.get(state.as_str()).copied().unwrap_or(0),
            cell(meaning),
            cell(next)
        )?;
    }
    for s in &report.skipped {
        writeln!(out, "\nSkipped {}: {}.", markdown_code(&s.path), text(&s.reason))?;
    }
    let worst = report.worst_first();
    writeln!(out, "\n## Repositories that need work\n")?;
    if worst.is_empty() {
        return writeln!(out, "None.");
    }
    let trend = t.trend.is_some();
    write!(out, "| repository | remote | commit | score |")?;
    for state in &STATES[..5] {
        write!(out, " {state} |")?;
    }
    write!(out, " credentials | errors | warnings |")?;
    writeln!(out, "{}", if trend { " since last report |" } else { "" })?;
    writeln!(out, "|---|---|---|---:|{}---:|---:|---:|{}", "---:|".repeat(5), if trend { "---|" } else { "" })?;
    for repo in &worst {
        let git = repo.git.clone().unwrap_or_default();
        let commit = git.commit.as_deref().map_or(String::new(), |c| c.chars().take(12).collect());
        write!(
            out,
            "| {} | {} | {} | {} |",
            code(&repo.path),
            code(git.remote.as_deref().unwrap_or("")),
            code(&commit),
            repo.score()
        )?;
        for state in &STATES[..5] {
            write!(out, " {} |", repo.states.get(state.as_str()).copied().unwrap_or(0))?;
        }
        write!(out, " {} | {} | {} |", repo.committed_credentials, repo.findings.error, repo.findings.warning)?;
        match (&repo.trend, trend) {
            (Some(t), _) => writeln!(out, " {} |", t.summary())?,
            (None, true) => writeln!(out, " |")?,
            (None, false) => writeln!(out)?,
        }
    }
    writeln!(out, "\n## Instances that need work\n")?;
    writeln!(
        out,
        "| repository | instance | kind | plan | state | file | owners | codes | runbook |{}\n|---|---|---|---|---|---|---|---|---|{}",
        if trend { " change |" } else { "" },
        if trend { "---|" } else { "" }
    )?;
    for repo in &worst {
        for instance in repo.instances.iter().filter(|i| i.needs_work()) {
            let i = &instance.record;
            let file = code(&format!("{}:{}", i.file, i.line));
            let place = match instance.link.as_deref().and_then(markdown_link) {
                Some(link) => format!("[{file}]({link})"),
                None => file,
            };
            let more = instance
                .sources
                .iter()
                .skip(1)
                .map(|s| format!(", {}", code(&format!("{}:{}", s.file, s.line))))
                .collect::<String>();
            write!(
                out,
                "| {} | {} | {} | {} | {} | {}{} | {} | {} | {} |",
                code(&repo.path),
                code(&i.name),
                text(i.kind.as_str()),
                text(&i.plan),
                text(i.state.as_str()),
                place,
                more,
                text(&instance.owners.join(" ")),
                text(&i.codes.join(" ")),
                code(&super::runbook_command(&i.file))
            )?;
            if trend {
                write!(out, " {} |", text(instance.change.as_deref().unwrap_or("")))?;
            }
            writeln!(out)?;
        }
    }
    live_section(report, out)
}

/// With `--live`: every instance read (or not) with what the platform says, so that a platform
/// lead sees which instances are ready for SAP's final step (removing `instance-secret`).
fn live_section(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<_> = report
        .repositories
        .iter()
        .flat_map(|repo| repo.instances.iter().filter_map(move |i| Some((repo, i, i.live.as_ref()?))))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n## Ready to remove `instance-secret` (read from the platform)\n")?;
    writeln!(
        out,
        "| repository | instance | platform says | on the instance secret | `instanceSecretLastUsedAt` | why |\n|---|---|---|---:|---|---|"
    )?;
    for (repo, instance, live) in rows {
        let names = live.instance_secret_holder_names.iter().map(|n| code(n)).collect::<Vec<_>>().join(", ");
        let held = if names.is_empty() {
            live.instance_secret_holders.to_string()
        } else {
            format!("{} ({names})", live.instance_secret_holders)
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&repo.path),
            code(&instance.record.name),
            text(&live.status),
            if live.status == crate::audit::LiveStatus::NOT_READ { String::new() } else { held },
            text(live.instance_secret_last_used_at.as_deref().unwrap_or("")),
            text(&live.reasons.join("; "))
        )?;
    }
    Ok(())
}
