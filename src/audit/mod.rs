//! `audit`: the migration state of every XSUAA service instance across many repositories.
//!
//! Each git repository under the roots (a folder holding `.git`; a root that is none and holds
//! none counts as one) is checked on its own with the linter's engine, recording every instance
//! (a descriptor, or a deployment file's instance judged on its effective configuration) with its
//! state. The report is deterministic, so shard reports merge into exactly the full report.

pub mod csv;
pub mod discover;
pub mod html;
pub mod identity;
pub mod markdown;
pub mod page_data;
pub mod propose;
pub mod remote;
pub mod table;
pub mod trend;

use crate::diagnostic::Severity;
use crate::engine;
use crate::engine::inventory::{InstanceKind, InstanceRecord};
use crate::io::config::{Discovery, Resolver};
use crate::model::descriptor::MigrationState;
use crate::model::environment::Environment;
use identity::{CodeOwners, GitIdentity};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
pub use trend::Trend;

pub const REPORT_VERSION: u32 = 1;

/// The states, best last; the order of every chart and table.
pub const STATES: [MigrationState; 7] = [
    MigrationState::InstanceOnly,
    MigrationState::DualInstanceFirst,
    MigrationState::Implicit,
    MigrationState::Invalid,
    MigrationState::Dual,
    MigrationState::BindingOnly,
    MigrationState::X509,
];

/// How much migration work an instance means: none outside Cloud Foundry for an absent list
/// (binding secrets are the default there, and there are no instance secrets to migrate).
fn instance_weight(state: MigrationState, environment: Option<Environment>) -> usize {
    if state == MigrationState::Implicit && matches!(environment, Some(Environment::Kyma | Environment::Other)) {
        0
    } else {
        crate::engine::inventory::weight(state)
    }
}

/// What a state means and what to do next: the legend of every report.
pub fn legend(state: MigrationState) -> (&'static str, &'static str) {
    match state {
        MigrationState::InstanceOnly => (
            "`credential-types` is `[\"instance-secret\"]`: every binding and service key gets the instance's one secret.",
            "Step 1: set `[\"binding-secret\", \"instance-secret\"]` and update the instance.",
        ),
        MigrationState::DualInstanceFirst => (
            "Both types allowed, instance secret first: new bindings still get the instance secret.",
            "Step 1: put `binding-secret` first and update the instance.",
        ),
        MigrationState::Implicit => (
            "No `credential-types`: the service's default applies. In Cloud Foundry an older instance's bindings and keys may still hold its instance secret; elsewhere (Kyma, other) binding secrets are the default and there is nothing to migrate.",
            "Cloud Foundry: declare `[\"binding-secret\", \"instance-secret\"]` while anything may use the instance secret (then rebind and replace keys, as for `dual`), else `[\"binding-secret\"]`. Elsewhere: state `[\"binding-secret\"]` (not counted as work).",
        ),
        MigrationState::Invalid => (
            "The credential types cannot be read: a value the service rejects, or a configuration not known from the repository.",
            "Fix the findings listed in its codes (`xsuaa-lint check`), then run the audit again.",
        ),
        MigrationState::Dual => (
            "Binding secret first, instance secret still allowed: the migration is under way.",
            "Step 2: rebind every app and replace every service key; step 3: set `[\"binding-secret\"]` and update.",
        ),
        MigrationState::BindingOnly => ("Binding secrets only: finished.", "Nothing; keep it so."),
        MigrationState::X509 => ("X.509 certificates (with or without binding secrets): finished.", "Nothing; renew the certificates in time."),
    }
}

/// `total += n`, saturating; `false` when it would have passed `usize::MAX`: counts read from a
/// merged report may hold any number.
fn add(total: &mut usize, n: usize) -> bool {
    let sum = total.checked_add(n);
    *total = sum.unwrap_or(usize::MAX);
    sum.is_some()
}

/// Findings met while checking a repository, by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Findings {
    /// Adds `other`; `false` when a count would pass `usize::MAX` (it stays there).
    fn add(&mut self, other: &Findings) -> bool {
        add(&mut self.error, other.error) & add(&mut self.warning, other.warning) & add(&mut self.info, other.info)
    }

    /// Findings at or above `severity`.
    pub fn at_least(&self, severity: Severity) -> usize {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.error.saturating_add(self.warning),
            Severity::Info => self.error.saturating_add(self.warning).saturating_add(self.info),
        }
    }
}

/// One place that declares an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub line: usize,
    pub kind: InstanceKind,
    /// The state judged from this place alone.
    pub state: MigrationState,
    /// Its file and line on the web view, or as a `file://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// An instance as the audit reports it: the record (the first of its places) and what the audit
/// adds. An instance declared in several places of one repository (an MTA resource and a `cf
/// create-service` line, two deployment files) is one instance: same environment and same
/// service-instance name; its state is the worst of its places'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInstance {
    #[serde(flatten)]
    pub record: InstanceRecord,
    /// Every place that declares it, the record's first, when there is more than one (else
    /// empty: its `file` and `line` are the place).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// Its owners by the repository's `CODEOWNERS` (for its descriptor, else its file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Its file and line on the remote's web view, else as a `file://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// With `--compare`: `new`, `finished`, `regressed` or `improved` (absent: unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    /// With `--compare`: the state in the earlier report, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_state: Option<MigrationState>,
    /// `cloud-foundry`, `kyma` or `other` (absent in reports of earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// What its places disagree on (XS115), when they do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<crate::engine::inventory::Conflict>,
    /// With `--live`: what the platform says about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveStatus>,
}

/// With `audit --live`: whether the platform allows SAP's final step (removing
/// `instance-secret`) for the instance, and what holds it back. Names and dates only: the
/// live read never keeps a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveStatus {
    /// `ready` (no binding or key holds the instance secret and `instanceSecretLastUsedAt`,
    /// where read, is older than the grace period), `not-ready`, or `not-read`.
    pub status: String,
    /// Why it is not ready, or why it was not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Bindings and keys on the platform still holding the instance secret (or whose type could
    /// not be read, which counts the same).
    #[serde(default)]
    pub instance_secret_holders: usize,
    /// Their names (a key's or binding's name, else `app NAME`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instance_secret_holder_names: Vec<String>,
    /// SAP's `instanceSecretLastUsedAt`, when the Authorization API was read (`never` when it
    /// says the secret was never used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_secret_last_used_at: Option<String>,
}

impl LiveStatus {
    pub const READY: &'static str = "ready";
    pub const NOT_READY: &'static str = "not-ready";
    pub const NOT_READ: &'static str = "not-read";

    /// The status of an instance the platform was read for.
    pub fn of(view: crate::model::platform::LiveView<'_>) -> Self {
        use crate::model::platform::{LastUse, Removal};
        let holders: Vec<String> = view
            .instance
            .holders()
            .map(|c| match (&c.name, &c.app) {
                (Some(name), _) => name.clone(),
                (None, Some(app)) => format!("app {app}"),
                (None, None) => c.kind.describe().to_string(),
            })
            .collect();
        let (status, reasons) = match view.removal() {
            Removal::Safe => (Self::READY, Vec::new()),
            Removal::Blocked { reasons } => (Self::NOT_READY, reasons),
        };
        LiveStatus {
            status: status.to_string(),
            reasons,
            instance_secret_holders: holders.len(),
            instance_secret_holder_names: holders,
            instance_secret_last_used_at: match &view.instance.last_use {
                LastUse::At { at, .. } => Some(at.clone()),
                LastUse::Never => Some("never".to_string()),
                LastUse::NotRead { .. } => None,
            },
        }
    }

    /// An instance whose platform was not read, and why.
    pub fn not_read(reason: impl Into<String>) -> Self {
        LiveStatus {
            status: Self::NOT_READ.to_string(),
            reasons: vec![reason.into()],
            instance_secret_holders: 0,
            instance_secret_holder_names: Vec::new(),
            instance_secret_last_used_at: None,
        }
    }
}

impl AuditInstance {
    pub fn of(record: InstanceRecord) -> Self {
        AuditInstance {
            environment: record.facts.environment,
            record,
            sources: Vec::new(),
            owners: Vec::new(),
            link: None,
            change: None,
            previous_state: None,
            conflicts: Vec::new(),
            live: None,
        }
    }

    /// Every place that declares it: its sources, or its own file and line.
    pub fn places(&self) -> Vec<(&str, usize)> {
        if self.sources.is_empty() {
            vec![(self.record.file.as_str(), self.record.line)]
        } else {
            self.sources.iter().map(|s| (s.file.as_str(), s.line)).collect()
        }
    }

    /// How much migration work it means (see `instance_weight`).
    pub fn weight(&self) -> usize {
        instance_weight(self.record.state, self.environment)
    }

    pub fn needs_work(&self) -> bool {
        self.weight() > 0
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
    /// Every finding of the check, by severity.
    #[serde(default)]
    pub findings: Findings,
    /// Remote, branch and commit, when the folder is a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitIdentity>,
    /// The `CODEOWNERS` file that names the owners, relative to the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codeowners: Option<String>,
    /// With `--compare`: what moved since the earlier report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    pub instances: Vec<AuditInstance>,
}

impl RepositoryAudit {
    pub fn score(&self) -> usize {
        let weights = self.instances.iter().map(AuditInstance::weight).fold(0usize, usize::saturating_add);
        weights.saturating_add(self.committed_credentials.saturating_mul(5))
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
    #[serde(default)]
    pub findings: Findings,
    /// With `--compare`: what moved, over every repository (removed ones included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
}

/// When, by what and how a report was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// UTC, `2026-01-31T12:00:00Z` (`SOURCE_DATE_EPOCH` when set).
    pub date: String,
    pub tool_version: String,
    /// The command line, as a shell would read it.
    pub command: String,
    /// With `--compare`: the earlier report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<ComparedWith>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparedWith {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl Generated {
    pub fn now(command: String) -> Self {
        let secs =
            std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
            });
        Generated { date: utc(secs), tool_version: env!("CARGO_PKG_VERSION").to_string(), command, compared_with: None }
    }
}

/// `2026-01-31T12:00:00Z` of seconds since 1970; years 1970 to 9999 (a `SOURCE_DATE_EPOCH`
/// beyond them is clamped, never overflowed).
fn utc(secs: i64) -> String {
    let secs = secs.clamp(0, 253_402_300_799);
    let moment =
        jiff::civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0).checked_add(jiff::SignedDuration::from_secs(secs));
    moment.map_or_else(
        |_| String::from("1970-01-01T00:00:00Z"),
        |moment| moment.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

/// A folder that was found but not audited, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReport {
    pub version: u32,
    /// When and how the report was made (absent from reports of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    pub totals: Totals,
    /// Sorted by path.
    pub repositories: Vec<RepositoryAudit>,
    /// Folders found but not audited (bare repositories).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
}

impl AuditReport {
    pub fn new(repositories: Vec<RepositoryAudit>) -> Self {
        Self::counted(repositories).0
    }

    /// The report, and whether every total fits a `usize` (else it is `usize::MAX`).
    fn counted(mut repositories: Vec<RepositoryAudit>) -> (Self, bool) {
        repositories.sort_by(|a, b| a.path.cmp(&b.path));
        repositories.dedup_by(|a, b| a.path == b.path);
        let mut totals = Totals { repositories: repositories.len(), ..Totals::default() };
        for state in STATES {
            totals.states.insert(state.as_str().to_string(), 0);
        }
        let mut fits = true;
        for repo in &repositories {
            totals.repositories_needing_work += usize::from(repo.needs_work());
            totals.instances += repo.instances.len();
            fits &= add(&mut totals.committed_credentials, repo.committed_credentials);
            fits &= add(&mut totals.files_checked, repo.files_checked);
            fits &= totals.findings.add(&repo.findings);
            fits &= repo.committed_credentials.checked_mul(5).is_some();
            for (state, n) in &repo.states {
                fits &= add(totals.states.entry(state.clone()).or_default(), *n);
            }
        }
        (AuditReport { version: REPORT_VERSION, generated: None, totals, repositories, skipped: Vec::new() }, fits)
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
        let mut skipped: Vec<Skipped> = reports.iter().flat_map(|r| r.skipped.iter().cloned()).collect();
        skipped.sort();
        skipped.dedup();
        let (mut report, fits) = AuditReport::counted(reports.into_iter().flat_map(|r| r.repositories).collect());
        if !fits {
            return Err(format!(
                "the reports' counts add up to more than {} (files, findings, credentials or instances per state): not reports this tool wrote",
                usize::MAX
            ));
        }
        report.skipped = skipped;
        Ok(report)
    }
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

/// How the repositories are found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Folders holding `.git` under each root (a root with none is one).
    Git,
    /// Each folder this many levels below each root.
    Depth(usize),
    /// These folders (and the bare repositories the list named, skipped).
    Listed(discover::Found),
}

pub struct AuditOptions {
    pub roots: Vec<PathBuf>,
    pub layout: Layout,
    pub shard: Option<(usize, usize)>,
    pub threads: usize,
    pub isolated: bool,
    /// A repository's configuration may `extend` files outside it (the user trusts them all).
    pub allow_extend_outside: bool,
    /// Draw a progress line on standard error.
    pub progress: bool,
    /// `--link-pattern HOST=TEMPLATE`: web links for hosts beyond GitHub, GitLab and Bitbucket.
    pub link_patterns: Vec<(String, String)>,
    /// Keep what the runbooks need (the HTML report); other formats drop it as they go, so that
    /// memory stays small on large estates.
    pub keep_facts: bool,
    /// Remotes already fetched (and sharded): audited as folders, named by their URL.
    pub remotes: Vec<remote::FetchedRemote>,
}

/// The repositories the options name (not yet sharded), and the folders skipped.
pub fn find(options: &AuditOptions) -> discover::Found {
    let mut all = discover::Found::default();
    let mut add = |found: discover::Found| {
        all.repositories.extend(found.repositories);
        all.skipped.extend(found.skipped);
    };
    match &options.layout {
        Layout::Git => options.roots.iter().for_each(|root| add(discover::git(root))),
        Layout::Depth(depth) => options.roots.iter().for_each(|root| add(discover::at_depth(root, *depth))),
        Layout::Listed(found) => add(found.clone()),
    }
    all
}

/// Audits every repository of the roots (or of the shard).
pub fn run(options: &AuditOptions) -> AuditReport {
    let cwd = std::env::current_dir().ok();
    let found = find(options);
    let mut repos: Vec<(PathBuf, String)> = found
        .repositories
        .into_iter()
        .map(|p| {
            let shown = crate::io::discover::display_path(&p, cwd.as_deref());
            (p, shown)
        })
        .filter(|(_, shown)| in_shard(shown, options.shard))
        .collect();
    // A remote's folder is shown as any folder while the engine runs (its files are matched to
    // it by that path), then renamed to its URL.
    let renames: std::collections::HashMap<String, String> = options
        .remotes
        .iter()
        .map(|r| (crate::io::discover::display_path(&r.folder, cwd.as_deref()), r.shown.clone()))
        .collect();
    repos.extend(
        options
            .remotes
            .iter()
            .map(|r| (r.folder.clone(), crate::io::discover::display_path(&r.folder, cwd.as_deref()))),
    );
    repos.sort_by(|a, b| a.1.cmp(&b.1));
    repos.dedup_by(|a, b| a.1 == b.1);
    // Repositories in batches, each batch one run of the engine over its repositories (one walk),
    // batches in parallel: a run per repository would start a walk per repository, and one run
    // over all would hold every report until the end.
    // The scripts' bindings are facts: gathered only when they are kept.
    let engine_options = engine::Options {
        inventory: true,
        script_bindings: options.keep_facts,
        history: false,
        ..engine::Options::default()
    };
    let started = std::time::Instant::now();
    let files = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(options.threads.max(1)).build();
    let audit_batch = |batch: &[(PathBuf, String)]| {
        let paths: Vec<PathBuf> = batch.iter().map(|(p, _)| p.clone()).collect();
        let configs = Resolver::new(if options.isolated { Discovery::Isolated } else { Discovery::Nearest });
        let configs = if options.allow_extend_outside { configs } else { configs.confine_extend_to(&paths) };
        let mut reports: Vec<engine::FileReport> = Vec::new();
        let outcome = engine::check(&paths, &engine_options, &configs, None, &mut reports);
        let config_errors = configs.errors();
        // A repository whose configuration does not load is not judged: said on standard error
        // (and in the exit status), so that a broken or hostile file cannot hide a repository.
        for error in &config_errors {
            eprintln!("error: {}", crate::text::escape::terminal(&error.to_string()));
        }
        let audits: Vec<RepositoryAudit> = split(batch, outcome, &reports, &config_errors)
            .into_iter()
            .zip(batch)
            .map(|(part, (path, shown))| part.finish(path, shown, cwd.as_deref(), options))
            .collect();
        let n: usize = audits.iter().map(|a| a.files_checked).sum();
        let files = files.fetch_add(n, Ordering::Relaxed) + n;
        let done = done.fetch_add(batch.len(), Ordering::Relaxed) + batch.len();
        if options.progress {
            let rate = files as f64 / started.elapsed().as_secs_f64().max(0.001);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K[{done:>4}/{}] repositories, {files} files, {rate:.0} files/s", repos.len());
            let _ = err.flush();
        }
        audits
    };
    let audits: Vec<RepositoryAudit> = match &pool {
        Ok(pool) => pool.install(|| repos.par_chunks(BATCH).flat_map_iter(audit_batch).collect()),
        Err(_) => repos.chunks(BATCH).flat_map(audit_batch).collect(),
    };
    if options.progress {
        eprintln!();
    }
    let audits = audits.into_iter().map(|audit| remote::renamed(audit, &renames)).collect();
    let mut report = AuditReport::new(audits);
    report.skipped = found
        .skipped
        .into_iter()
        .map(|s| Skipped { path: crate::io::discover::display_path(Path::new(&s.path), cwd.as_deref()), ..s })
        .filter(|s| in_shard(&s.path, options.shard))
        .collect();
    report
}

/// Repositories per run of the engine.
const BATCH: usize = 64;

/// What one run of the engine found in one repository of its batch.
#[derive(Default)]
struct RepositoryTally {
    files: usize,
    errors: usize,
    credentials: usize,
    findings: Findings,
    records: Vec<InstanceRecord>,
}

/// The repository of `batch` that holds `file` (as shown): the deepest whose path is a prefix.
fn owner(index: &std::collections::HashMap<&str, usize>, file: &str) -> Option<usize> {
    let mut at = file;
    loop {
        if let Some(&i) = index.get(at) {
            return Some(i);
        }
        match at.rfind('/') {
            Some(k) => at = &at[..k],
            None => return index.get(".").copied(),
        }
    }
}

/// One run's outcome over a batch, split by repository; `config_errors` go to the repository
/// that holds the configuration file (else the batch's first).
fn split(
    batch: &[(PathBuf, String)],
    outcome: engine::Outcome,
    reports: &[engine::FileReport],
    config_errors: &[crate::io::config::ConfigError],
) -> Vec<RepositoryTally> {
    let index: std::collections::HashMap<&str, usize> =
        batch.iter().enumerate().map(|(i, (_, shown))| (shown.as_str(), i)).collect();
    let mut parts: Vec<RepositoryTally> = batch.iter().map(|_| RepositoryTally::default()).collect();
    for file in &outcome.checked_files {
        if let Some(i) = owner(&index, file) {
            parts[i].files += 1;
        }
    }
    let io = crate::rules::xs000_io_error::RULE.code;
    let credentials = crate::rules::xs120_committed_credentials::RULE.code;
    for report in reports {
        let Some(i) = owner(&index, &report.path) else { continue };
        let part = &mut parts[i];
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => part.findings.error += 1,
                Severity::Warning => part.findings.warning += 1,
                Severity::Info => part.findings.info += 1,
            }
            part.credentials += usize::from(d.rule.code == credentials);
            part.errors += usize::from(d.rule.code == io);
        }
    }
    for error in config_errors {
        let i = owner(&index, &error.path).unwrap_or(0);
        if let Some(part) = parts.get_mut(i) {
            part.errors += 1;
        }
    }
    for record in outcome.instances {
        if let Some(i) = owner(&index, &record.file) {
            parts[i].records.push(record);
        }
    }
    parts
}

impl RepositoryTally {
    /// The repository's audit: its identity, its instances one per service instance, each with
    /// its owners and link.
    fn finish(self, path: &Path, shown: &str, cwd: Option<&Path>, options: &AuditOptions) -> RepositoryAudit {
        let git = identity::git_identity(path);
        let owners = CodeOwners::load(path);
        if let Some((file, reason)) = &owners.refused {
            eprintln!("warning: {shown}/{file}: {reason}; no owners are shown");
        }
        let root = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let instances: Vec<AuditInstance> = one_per_instance(self.records)
            .into_iter()
            .map(|mut instance| {
                let r = &instance.record;
                let declared = r.facts.descriptor.as_deref().unwrap_or(&r.file);
                instance.owners =
                    identity::path_in(&root, declared, cwd).map(|p| owners.owners(&p)).unwrap_or_default();
                instance.link = Some(link(&root, &r.file, r.line, git.as_ref(), cwd, &options.link_patterns));
                for source in &mut instance.sources {
                    source.link =
                        Some(link(&root, &source.file, source.line, git.as_ref(), cwd, &options.link_patterns));
                }
                if !options.keep_facts {
                    instance.record.facts = Default::default();
                }
                instance
            })
            .collect();
        let mut states = BTreeMap::new();
        for instance in &instances {
            *states.entry(instance.record.state.as_str().to_string()).or_insert(0) += 1;
        }
        RepositoryAudit {
            path: shown.to_string(),
            files_checked: self.files,
            committed_credentials: self.credentials,
            errors: self.errors + usize::from(owners.refused.is_some()),
            states,
            findings: self.findings,
            git,
            codeowners: owners.file,
            trend: None,
            instances,
        }
    }
}

/// The web view of the instance's file and line when the remote is a known host and the commit
/// is known, else the file by absolute path.
fn link(
    root: &Path,
    file: &str,
    line: usize,
    git: Option<&GitIdentity>,
    cwd: Option<&Path>,
    patterns: &[(String, String)],
) -> String {
    let web = git.and_then(|g| {
        let (remote, commit) = (g.remote.as_deref()?, g.commit.as_deref()?);
        identity::web_link(remote, commit, &identity::path_in(root, file, cwd)?, line, patterns)
    });
    web.unwrap_or_else(|| identity::file_link(&identity::absolute_of(file, cwd), line))
}

/// The records of one repository, one per service instance (see [`crate::engine::inventory::one_per_instance`]).
fn one_per_instance(records: Vec<InstanceRecord>) -> Vec<AuditInstance> {
    crate::engine::inventory::one_per_instance(records)
        .into_iter()
        .map(|merged| {
            let mut instance = AuditInstance::of(merged.record);
            instance.sources = merged
                .places
                .into_iter()
                .map(|p| Source { file: p.file, line: p.line, kind: p.kind, state: p.state, link: None })
                .collect();
            instance.conflicts = merged.conflicts;
            instance
        })
        .collect()
}

/// The command that prints the runbook of an instance: `xsuaa-lint runbook` on the file that
/// declares it (as the report names it, from where the audit ran), quoted for the shell.
pub fn runbook_command(file: &str) -> String {
    format!("xsuaa-lint runbook {}", crate::text::escape::shell_word(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_dates() {
        for (secs, date) in [
            (0, "1970-01-01T00:00:00Z"),
            (1_767_225_599, "2025-12-31T23:59:59Z"),
            (-5, "1970-01-01T00:00:00Z"),
            (i64::MAX, "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(utc(secs), date, "{secs}");
        }
    }

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
