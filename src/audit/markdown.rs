//! A Markdown report for pull requests, wikis and issue trackers.

use super::{AuditReport, STATES};
use std::io::{self, Write};

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

pub fn write(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(out, "# XSUAA audit\n")?;
    writeln!(
        out,
        "{} repositories ({} need work), {} service instances, {} committed credentials, {} files checked.\n",
        t.repositories, t.repositories_needing_work, t.instances, t.committed_credentials, t.files_checked
    )?;
    writeln!(out, "| state | instances |\n|---|---:|")?;
    for state in STATES {
        writeln!(out, "| {state} | {} |", t.states.get(state).copied().unwrap_or(0))?;
    }
    let worst = report.worst_first();
    writeln!(out, "\n## Repositories that need work\n")?;
    if worst.is_empty() {
        return writeln!(out, "None.");
    }
    write!(out, "| repository | score |")?;
    for state in &STATES[..5] {
        write!(out, " {state} |")?;
    }
    writeln!(out, " credentials |")?;
    writeln!(out, "|---|---:|{}---:|", "---:|".repeat(5))?;
    for repo in &worst {
        write!(out, "| {} | {} |", cell(&repo.path), repo.score())?;
        for state in &STATES[..5] {
            write!(out, " {} |", repo.states.get(*state).copied().unwrap_or(0))?;
        }
        writeln!(out, " {} |", repo.committed_credentials)?;
    }
    writeln!(out, "\n## Instances that need work\n")?;
    writeln!(
        out,
        "| repository | instance | kind | plan | state | file | codes | runbook |\n|---|---|---|---|---|---|---|---|"
    )?;
    for repo in &worst {
        for i in repo.instances.iter().filter(|i| super::weight(&i.state) > 0) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {}:{} | {} | `{}` |",
                cell(&repo.path),
                cell(&i.name),
                i.kind,
                cell(&i.plan),
                i.state,
                cell(&i.file),
                i.line,
                i.codes.join(" "),
                cell(&super::runbook_command(&i.file))
            )?;
        }
    }
    Ok(())
}
