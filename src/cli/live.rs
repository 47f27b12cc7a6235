//! `xsuaa-lint live`: what the platform says about every instance the repository declares,
//! read-only, through the `cf`, `kubectl` and `btp` clients the user is logged in with; and the
//! read that `check --live` does before it lints.

use super::config::{resolver, ConfigSource};
use super::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::engine;
use crate::io::config::Resolver;
use crate::live::{self, process::Processes, AuthzApi, Limits, Session};
use crate::model::platform::{LiveFacts, Platform};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LiveFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlatformChoice {
    /// `cf curl` (instances of MTA files, CF manifests and scripts, Terraform's CF provider).
    CloudFoundry,
    /// `kubectl` (Kyma `ServiceInstance`s of manifests and Helm charts).
    Kyma,
    /// `btp` (instances of Terraform's BTP provider).
    ServiceManager,
}

/// How the platform is read: which clients, and for how long.
#[derive(clap::Args, Debug, Clone)]
pub struct LiveLimits {
    /// Ask only these platforms (repeatable; default: each instance's own).
    #[arg(long = "platform", value_enum)]
    pub platforms: Vec<PlatformChoice>,
    /// The longest one client call may take, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub call_timeout: u64,
    /// The longest the whole read may take, in seconds.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub deadline: u64,
}

#[derive(clap::Args, Debug)]
pub struct LiveArgs {
    /// Files or directories (default: .).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LiveFormat::Markdown)]
    pub format: LiveFormat,
    #[command(flatten)]
    pub limits: LiveLimits,
    #[command(flatten)]
    pub config_source: ConfigSource,
}

/// The instances of the tree (no fix, no history: the tree as it is).
fn inventory(paths: &[PathBuf], configs: &Resolver) -> engine::Outcome {
    let opts = engine::Options {
        threads: super::thread_count(None),
        inventory: true,
        history: false,
        ..engine::Options::default()
    };
    engine::check(paths, &opts, configs, None, &mut Vec::new())
}

/// `[migration] grace-days` of the configuration that applies to the first path.
pub(super) fn grace_days(paths: &[PathBuf], configs: &Resolver) -> u32 {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    configs.for_file(&first.join("xs-security.json")).map_or(crate::io::config::DEFAULT_GRACE_DAYS, |c| c.grace_days)
}

/// Reads the platform for the instances of `records`; the error is the one line to print.
pub fn read(
    records: &[crate::engine::inventory::InstanceRecord],
    limits: &LiveLimits,
    grace_days: u32,
) -> Result<LiveFacts, String> {
    let client = Processes;
    let session = session(&client, limits);
    live::read(&session, records, &only(limits), grace_days).map_err(|e| e.to_string())
}

/// `audit --live`: each group of instances (a repository's, with its grace period) read on its
/// own, within one session: the call limit, retries and one deadline over them all. A group's
/// error stops that group only.
pub fn read_each(
    groups: &[(Vec<crate::engine::inventory::InstanceRecord>, u32)],
    limits: &LiveLimits,
) -> Vec<Result<LiveFacts, String>> {
    let client = Processes;
    let session = session(&client, limits);
    let only = only(limits);
    groups
        .iter()
        .map(|(records, grace_days)| live::read(&session, records, &only, *grace_days).map_err(|e| e.to_string()))
        .collect()
}

fn session<'a>(client: &'a Processes, limits: &LiveLimits) -> Session<'a> {
    Session::new(
        client,
        Limits {
            per_call: Duration::from_secs(limits.call_timeout),
            total: Duration::from_secs(limits.deadline),
            ..Limits::default()
        },
        AuthzApi::from_env(),
    )
}

fn only(limits: &LiveLimits) -> Vec<Platform> {
    limits
        .platforms
        .iter()
        .map(|p| match p {
            PlatformChoice::CloudFoundry => Platform::CloudFoundry,
            PlatformChoice::Kyma => Platform::Kyma,
            PlatformChoice::ServiceManager => Platform::ServiceManager,
        })
        .collect()
}

/// The facts `check --live` lints with: the tree's instances, then the platform.
pub fn facts_for_check(paths: &[PathBuf], configs: &Resolver, limits: &LiveLimits) -> Result<LiveFacts, String> {
    let outcome = inventory(paths, configs);
    read(&outcome.instances, limits, grace_days(paths, configs))
}

pub fn run(args: LiveArgs) -> i32 {
    let configs = match resolver(&args.config_source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
            return EXIT_ERROR;
        }
    };
    for e in configs.errors() {
        eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
    }
    if !configs.errors().is_empty() {
        return EXIT_ERROR;
    }
    let outcome = inventory(&args.paths, &configs);
    let grace = grace_days(&args.paths, &configs);
    let facts = match read(&outcome.instances, &args.limits, grace) {
        Ok(facts) => facts,
        Err(message) => {
            eprintln!("error: {}", crate::text::escape::terminal(&message));
            return EXIT_ERROR;
        }
    };
    let entries = crate::report::live::entries(&outcome.instances, &facts);
    let text = match args.format {
        LiveFormat::Markdown => crate::report::live::markdown(&entries, &outcome.instances, grace),
        LiveFormat::Json => crate::report::live::json(&entries, &outcome.instances, grace),
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() || outcome.io_errors > 0 {
        return EXIT_ERROR;
    }
    EXIT_CLEAN
}
