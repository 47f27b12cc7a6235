//! The terminal report: totals, then the repositories that need work, worst first. Paths and
//! names show control characters as escapes ([`crate::text::escape::terminal`]).

use super::{AuditReport, STATES};
use crate::model::descriptor::MigrationState;
use crate::text::escape::terminal;
use std::io::{self, Write};

pub fn write(report: &AuditReport, out: &mut dyn Write) -> io::Result<()> {
    let t = &report.totals;
    writeln!(
        out,
        "XSUAA audit: {} repositories ({} need work), {} service instances, {} committed credentials, {} files checked",
        t.repositories, t.repositories_needing_work, t.instances, t.committed_credentials, t.files_checked
    )?;
    if let Some(trend) = &t.trend {
        writeln!(out, "Since {}: {}", terminal(&super::markdown::compared(report)), trend.summary())?;
    }
    writeln!(out)?;
    writeln!(out, "{:<22} {:>9}", "state", "instances")?;
    for state in STATES {
        writeln!(out, "{state:<22} {:>9}", t.states.get(state.as_str()).copied().unwrap_or(0))?;
    }
    let worst = report.worst_first();
    if worst.is_empty() {
        return writeln!(out, "\nNo repository needs work.");
    }
    writeln!(out, "\nRepositories that need work, worst first:")?;
    let width = worst.iter().map(|r| terminal(&r.path).chars().count()).max().unwrap_or(10).max(10);
    write!(out, "{:<width$} {:>5}", "repository", "score")?;
    for state in &STATES[..5] {
        write!(out, " {:>8}", short(*state))?;
    }
    write!(out, " {:>6} {:>6} {:>6}", "creds", "errors", "warns")?;
    writeln!(out, "{}", if t.trend.is_some() { "  since last report" } else { "" })?;
    for repo in worst {
        write!(out, "{:<width$} {:>5}", terminal(&repo.path), repo.score())?;
        for state in &STATES[..5] {
            write!(out, " {:>8}", repo.states.get(state.as_str()).copied().unwrap_or(0))?;
        }
        write!(out, " {:>6} {:>6} {:>6}", repo.committed_credentials, repo.findings.error, repo.findings.warning)?;
        match &repo.trend {
            Some(trend) => writeln!(out, "  {}", trend.summary())?,
            None => writeln!(out)?,
        }
    }
    Ok(())
}

/// Column headings short enough for a terminal.
pub fn short(state: MigrationState) -> &'static str {
    match state {
        MigrationState::InstanceOnly => "inst-only",
        MigrationState::DualInstanceFirst => "dual-inst",
        other => other.as_str(),
    }
}
