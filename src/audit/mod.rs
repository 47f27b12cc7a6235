//! `audit`: the migration state of every XSUAA service instance across many repositories.
//!
//! Each git repository under the roots (a folder holding `.git`; a root that is none and holds
//! none counts as one) is checked on its own with the linter's engine, recording every instance
//! (a descriptor, or a deployment file's instance judged on its effective configuration) with its
//! state. The report is deterministic, so shard reports merge into exactly the full report.

pub mod csv;
pub mod html;
pub mod markdown;
pub mod table;

use crate::config::{Discovery, Resolver};
use crate::engine::{self, FixMode};
use crate::inventory::InstanceRecord;
use crate::report::OutputFormat;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const REPORT_VERSION: u32 = 1;

/// The states, best last; the order of every chart and table.
pub const STATES: [&str; 7] =
    ["instance-only", "dual-instance-first", "implicit", "invalid", "dual", "binding-only", "x509"];

/// How much work a state means: what ranks repositories, worst first.
fn weight(state: &str) -> usize {
    match state {
        "instance-only" => 5,
        "dual-instance-first" => 4,
        "implicit" | "invalid" => 3,
        "dual" => 2,
        _ => 0,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryAudit {
    pub path: String,
    pub files_checked: usize,
    /// Committed credentials (XS120 findings).
    pub committed_credentials: usize,
    /// Unreadable files and other errors met while checking.
    pub errors: usize,
    pub states: BTreeMap<String, usize>,
    pub instances: Vec<InstanceRecord>,
}

impl RepositoryAudit {
    pub fn score(&self) -> usize {
        self.instances.iter().map(|i| weight(&i.state)).sum::<usize>() + 5 * self.committed_credentials
    }

    pub fn needs_work(&self) -> bool {
        self.score() > 0
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub repositories: usize,
    pub repositories_needing_work: usize,
    pub instances: usize,
    pub states: BTreeMap<String, usize>,
    pub committed_credentials: usize,
    pub files_checked: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    pub version: u32,
    pub totals: Totals,
    /// Sorted by path.
    pub repositories: Vec<RepositoryAudit>,
}

impl AuditReport {
    pub fn new(mut repositories: Vec<RepositoryAudit>) -> Self {
        repositories.sort_by(|a, b| a.path.cmp(&b.path));
        repositories.dedup_by(|a, b| a.path == b.path);
        let mut totals = Totals { repositories: repositories.len(), ..Totals::default() };
        for state in STATES {
            totals.states.insert(state.to_string(), 0);
        }
        for repo in &repositories {
            totals.repositories_needing_work += usize::from(repo.needs_work());
            totals.instances += repo.instances.len();
            totals.committed_credentials += repo.committed_credentials;
            totals.files_checked += repo.files_checked;
            for (state, n) in &repo.states {
                *totals.states.entry(state.clone()).or_default() += n;
            }
        }
        AuditReport { version: REPORT_VERSION, totals, repositories }
    }

    /// Repositories that need work, worst first (then by path).
    pub fn worst_first(&self) -> Vec<&RepositoryAudit> {
        let mut repos: Vec<&RepositoryAudit> = self.repositories.iter().filter(|r| r.needs_work()).collect();
        repos.sort_by(|a, b| b.score().cmp(&a.score()).then(a.path.cmp(&b.path)));
        repos
    }

    /// Shard reports (or any reports over distinct repositories) combined into one.
    pub fn merge(reports: Vec<AuditReport>) -> Result<Self, String> {
        if let Some(r) = reports.iter().find(|r| r.version != REPORT_VERSION) {
            return Err(format!("report version {} is not supported (expected {REPORT_VERSION})", r.version));
        }
        Ok(AuditReport::new(reports.into_iter().flat_map(|r| r.repositories).collect()))
    }
}

/// The git repositories under `root`: folders holding `.git`, not looked into further; the
/// root itself when it is one or holds none.
pub fn repositories(root: &Path) -> Vec<PathBuf> {
    if root.join(".git").exists() {
        return vec![root.to_path_buf()];
    }
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_dir || name.starts_with('.') || name == "node_modules" {
                continue;
            }
            if path.join(".git").exists() {
                found.push(path);
            } else {
                stack.push(path);
            }
        }
    }
    if found.is_empty() {
        found.push(root.to_path_buf());
    }
    found.sort();
    found
}

/// `K/N`: this run audits the repositories whose path hashes to shard K (1-based) of N.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s.split_once('/').ok_or("a shard is K/N, e.g. 2/8")?;
    let (k, n): (usize, usize) =
        (k.trim().parse().map_err(|_| "K is not a number")?, n.trim().parse().map_err(|_| "N is not a number")?);
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard {k}/{n}: need 1 <= K <= N"));
    }
    Ok((k, n))
}

pub fn in_shard(path: &str, shard: Option<(usize, usize)>) -> bool {
    shard.is_none_or(|(k, n)| crate::report::fingerprint::fnv1a64(path.as_bytes()) % n as u64 == (k - 1) as u64)
}

pub struct AuditOptions {
    pub roots: Vec<PathBuf>,
    pub shard: Option<(usize, usize)>,
    pub threads: usize,
    pub isolated: bool,
    /// Draw a progress line on standard error.
    pub progress: bool,
}

/// Audits every repository of the roots (or of the shard).
pub fn run(options: &AuditOptions) -> AuditReport {
    let cwd = std::env::current_dir().ok();
    let mut repos: Vec<(PathBuf, String)> = options
        .roots
        .iter()
        .flat_map(|root| repositories(root))
        .map(|p| {
            let shown = crate::discover::display_path(&p, cwd.as_deref());
            (p, shown)
        })
        .filter(|(_, shown)| in_shard(shown, options.shard))
        .collect();
    repos.sort_by(|a, b| a.1.cmp(&b.1));
    repos.dedup_by(|a, b| a.1 == b.1);
    // Repositories in parallel, each walked on one thread: many small walks cost less that way
    // than one thread pool per repository.
    let engine_options = engine::Options {
        format: OutputFormat::Concise,
        color: false,
        fix: FixMode::Off,
        unsafe_fixes: false,
        stdin_filename: "<stdin>".into(),
        threads: 1,
        base: None,
        force_exclude: false,
        plan: None,
        inventory: true,
        history: false,
    };
    let started = std::time::Instant::now();
    let files = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(options.threads.max(1)).build();
    let audit_one = |(path, shown): &(PathBuf, String)| {
        let configs = Resolver::new(if options.isolated { Discovery::Isolated } else { Discovery::Nearest });
        let outcome = engine::check(std::slice::from_ref(path), &engine_options, &configs, None);
        let mut states = BTreeMap::new();
        for instance in &outcome.instances {
            *states.entry(instance.state.clone()).or_insert(0) += 1;
        }
        let credentials = outcome
            .reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.rule.code == crate::rules::xs120_committed_credentials::RULE.code)
            .count();
        let files = files.fetch_add(outcome.files_checked, Ordering::Relaxed) + outcome.files_checked;
        let done = done.fetch_add(1, Ordering::Relaxed) + 1;
        if options.progress {
            let rate = files as f64 / started.elapsed().as_secs_f64().max(0.001);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K[{done:>4}/{}] repositories, {files} files, {rate:.0} files/s", repos.len());
            let _ = err.flush();
        }
        RepositoryAudit {
            path: shown.clone(),
            files_checked: outcome.files_checked,
            committed_credentials: credentials,
            errors: outcome.io_errors + configs.errors().len(),
            states,
            instances: outcome.instances,
        }
    };
    let audits: Vec<RepositoryAudit> = match pool {
        Ok(pool) => pool.install(|| repos.par_iter().map(audit_one).collect()),
        Err(_) => repos.iter().map(audit_one).collect(),
    };
    if options.progress {
        eprintln!();
    }
    AuditReport::new(audits)
}

/// The command that prints the runbook of an instance: `xsuaa-lint runbook` on the file that
/// declares it (as the report names it, from where the audit ran).
pub fn runbook_command(file: &str) -> String {
    format!("xsuaa-lint runbook {file}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_repositories() {
        let paths: Vec<String> = (0..200).map(|i| format!("repos/r{i}")).collect();
        for n in [1, 2, 3, 7] {
            let mut seen = 0;
            for k in 1..=n {
                seen += paths.iter().filter(|p| in_shard(p, Some((k, n)))).count();
            }
            assert_eq!(seen, paths.len());
        }
        assert!(parse_shard("0/3").is_err() && parse_shard("4/3").is_err() && parse_shard("x").is_err());
        assert_eq!(parse_shard("2/8"), Ok((2, 8)));
    }
}
