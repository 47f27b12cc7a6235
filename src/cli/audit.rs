//! `xsuaa-lint audit`: the migration state of every instance across many repositories.

use super::exit::{FailOn, Verdict, EXIT_CLEAN, EXIT_ERROR};
use super::thread_count;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Totals, then the repositories that need work, worst first, for a terminal.
    Table,
    /// Totals, the legend, the repositories that need work and their instances, for pull
    /// requests, wikis and issues.
    Markdown,
    /// One row per instance (with its owners, link and, with --compare, its change), for
    /// spreadsheets.
    Csv,
    /// The documented report (additive fields only), what --merge and --compare read.
    Json,
    /// One self-contained page, no network: legend, chart, search and state filters, sortable
    /// tables, each instance's runbook, CSV and JSON export.
    Html,
}

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Folders holding the repositories (each folder with `.git` is one; a root with none is one;
    /// see --repos-at and --repos-from for checkouts without `.git`), and git remotes to fetch
    /// (`https://`, `ssh://`, `git://`, `file://` URLs, `user@host:path`). Default: `.`.
    #[arg(value_name = "FOLDER|REMOTE")]
    pub roots: Vec<PathBuf>,
    /// Each folder DEPTH levels below each root is one repository, `.git` or not (1: the roots'
    /// subfolders; a download of many repositories is often `--repos-at 1`).
    #[arg(long, value_name = "DEPTH", value_parser = clap::value_parser!(u16).range(1..=64), conflicts_with_all = ["repos_from", "merge"])]
    pub repos_at: Option<u16>,
    /// Audit the repositories listed in FILE, one folder a line (`#` comments; `-` reads standard
    /// input; relative paths from the current folder).
    #[arg(long, value_name = "FILE", conflicts_with = "merge")]
    pub repos_from: Option<PathBuf>,
    #[command(flatten)]
    pub remote: super::remotes::RemoteArgs,
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Write the report to this file (written whole, then renamed into place; mode 0666 less the umask).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Show what moved since this earlier JSON report: per instance, per repository and in total
    /// (finished, new instance-secret instances, regressions).
    #[arg(long, value_name = "OLD.json")]
    pub compare: Option<PathBuf>,
    /// Link the files of repositories whose remote is on HOST by TEMPLATE ({host}, {repo},
    /// {commit}, {path}, {line}); GitHub, GitLab and Bitbucket are known. Repeatable.
    #[arg(long, value_name = "HOST=TEMPLATE", value_parser = crate::audit::identity::parse_link_pattern)]
    pub link_pattern: Vec<(String, String)>,
    /// Audit only shard K of N (1-based): a deterministic part of the repositories.
    #[arg(long, value_name = "K/N", value_parser = crate::audit::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Combine JSON reports (of shards) into one report instead of auditing.
    #[arg(long, value_name = "REPORT.json", num_args = 1.., conflicts_with_all = ["shard", "remotes_from"])]
    pub merge: Vec<PathBuf>,
    /// Exit 1 when a finding of at least this severity is in an audited repository (default: when
    /// a repository needs work).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Exit 0 whatever the findings (2 still reports usage and I/O errors).
    #[arg(long)]
    pub exit_zero: bool,
    /// Worker threads (default: one per core); for remotes, the fetches at once (default: 4).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,
    /// Let a repository's configuration `extend` files outside the repository (by default that
    /// is a configuration error: an audit reads nothing of the auditing machine for a repository).
    #[arg(long, conflicts_with = "isolated")]
    pub allow_extend_outside: bool,
    /// No progress line, even on a terminal.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also read the platform for each instance, read-only, as `xsuaa-lint live` does (with the
    /// `cf`, `kubectl` and `btp` clients you are logged in with): bindings and keys still on the
    /// instance secret, `instanceSecretLastUsedAt`, and whether `instance-secret` can go. An
    /// instance the platform could not be read for is marked `not-read`, and the audit goes on.
    #[arg(long, conflicts_with = "merge")]
    pub live: bool,
    /// With --live: the longest one client call may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600), requires = "live")]
    pub live_call_timeout: u64,
    /// With --live: the longest the whole platform read may take, in seconds; instances not read
    /// by then are marked `not-read`.
    #[arg(long, value_name = "SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86400), requires = "live")]
    pub live_deadline: u64,
}

/// The largest report `--merge` and `--compare` read: 1 GiB.
const REPORT_MAX_SIZE: u64 = 1 << 30;

/// An audit report from a JSON file: bounded and regular files only (not `/dev/zero`, not a
/// FIFO); a byte-order mark is fine.
fn read_report(file: &std::path::Path) -> Result<crate::audit::AuditReport, String> {
    // A report of tens of thousands of instances is tens of MiB: bounded, but not as a descriptor.
    crate::io::load::read_bytes_at_most(file, REPORT_MAX_SIZE)
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "the file is not valid UTF-8".to_string()))
        .and_then(|text| {
            serde_json::from_str::<crate::audit::AuditReport>(crate::io::load::without_bom(&text))
                .map_err(|e| format!("not an audit report: {e}"))
        })
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// The folders of `--repos-from`.
pub(super) fn listed(file: &std::path::Path) -> Result<crate::audit::discover::Found, String> {
    let text = if file.as_os_str() == "-" {
        read_stdin()?
    } else {
        crate::io::load::read_text(file).map_err(|e| format!("{}: {e}", file.display()))?
    };
    crate::audit::discover::listed(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Standard input, bounded as a file is.
pub(super) fn read_stdin() -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin(), crate::io::load::MAX_FILE_SIZE + 1),
        &mut bytes,
    )
    .map_err(|e| format!("standard input: {e}"))?;
    if bytes.len() as u64 > crate::io::load::MAX_FILE_SIZE {
        return Err(format!("standard input is larger than {} MiB", crate::io::load::MAX_FILE_SIZE >> 20));
    }
    String::from_utf8(bytes).map_err(|_| "standard input is not valid UTF-8".to_string())
}

/// `--live`: each repository's instances read from their platforms, one session (one deadline)
/// for the whole audit. A repository whose read fails (a client missing or not logged in, the
/// deadline passed) has its instances marked `not-read` with the reason, and the audit goes on:
/// one missing login must not cost the report of hundreds of repositories. Each distinct reason
/// is also said once on standard error.
fn read_platform(report: &mut crate::audit::AuditReport, args: &AuditArgs) {
    use crate::audit::LiveStatus;
    let limits = super::live::LiveLimits {
        platforms: Vec::new(),
        call_timeout: args.live_call_timeout,
        deadline: args.live_deadline,
    };
    let configs = crate::io::config::Resolver::new(if args.isolated {
        crate::io::config::Discovery::Isolated
    } else {
        crate::io::config::Discovery::Nearest
    });
    let groups: Vec<(Vec<crate::engine::inventory::InstanceRecord>, u32)> = report
        .repositories
        .iter()
        .map(|repo| {
            let records = repo.instances.iter().map(|i| i.record.clone()).collect();
            (records, super::live::grace_days(&[PathBuf::from(&repo.path)], &configs))
        })
        .collect();
    let results = super::live::read_each(&groups, &limits);
    let mut said = std::collections::BTreeSet::new();
    for (repo, result) in report.repositories.iter_mut().zip(results) {
        for instance in &mut repo.instances {
            let record = &instance.record;
            instance.live = Some(match &result {
                _ if crate::live::platform_of(record).is_none() => {
                    LiveStatus::not_read("no deployment file names the instance of this descriptor")
                }
                Ok(facts) => match facts.find(
                    &record.name,
                    record.facts.service_name.as_deref(),
                    record.facts.namespace.as_deref(),
                ) {
                    Some(view) => LiveStatus::of(view),
                    None => LiveStatus::not_read("the platform was not asked for it"),
                },
                Err(message) => LiveStatus::not_read(message.clone()),
            });
        }
        if let Err(message) = result {
            if said.insert(message.clone()) {
                eprintln!(
                    "warning: --live: {}; the instances it concerns are marked not-read",
                    crate::text::escape::terminal(&message)
                );
            }
        }
    }
}

/// The command line as a shell reads it, the program as `xsuaa-lint`.
fn command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| crate::text::escape::shell_word(&a.to_string_lossy()).into_owned())
        .collect();
    format!("xsuaa-lint {}", args.join(" "))
}

pub fn run(args: AuditArgs) -> i32 {
    use crate::audit::{self, AuditReport};
    let mut report = if args.merge.is_empty() {
        let threads = thread_count(args.jobs);
        // Remotes apart from folders: the named remotes, then those of --remotes-from.
        let (remotes, mut roots) = match super::remotes::split(&args.roots, &args.remote, args.repos_from.as_deref()) {
            Ok(split) => split,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        };
        let only_remotes = roots.is_empty() && !remotes.is_empty() && args.repos_from.is_none();
        if roots.is_empty() && !only_remotes {
            roots.push(PathBuf::from("."));
        }
        let layout = match (&args.repos_from, args.repos_at) {
            _ if only_remotes => audit::Layout::Listed(Default::default()),
            (Some(file), _) => match listed(file) {
                Ok(found) => audit::Layout::Listed(found),
                Err(e) => {
                    eprintln!("error: --repos-from {e}");
                    return EXIT_ERROR;
                }
            },
            (None, Some(depth)) => audit::Layout::Depth(usize::from(depth)),
            (None, None) => audit::Layout::Git,
        };
        if args.repos_from.is_none() {
            for root in &roots {
                if !root.is_dir() {
                    eprintln!("error: {}: not a folder", root.display());
                    return EXIT_ERROR;
                }
            }
        }
        let fetching = match super::remotes::fetch(&args.remote, remotes, args.jobs, args.shard, !args.quiet) {
            Ok(fetching) => fetching,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        };
        let mut report = audit::run(&audit::AuditOptions {
            roots,
            layout,
            shard: args.shard,
            threads,
            isolated: args.isolated,
            allow_extend_outside: args.allow_extend_outside,
            progress: !args.quiet && std::io::stderr().is_terminal(),
            link_patterns: args.link_pattern.clone(),
            // The live read looks instances up by the names their facts hold.
            keep_facts: args.format == AuditFormat::Html || args.live,
            remotes: fetching.fetched,
        });
        if args.live {
            read_platform(&mut report, &args);
        }
        report.skipped.extend(fetching.skipped);
        report.skipped.sort();
        for s in &report.skipped {
            eprintln!(
                "warning: {}: skipped: {}",
                crate::text::escape::terminal(&s.path),
                crate::text::escape::terminal(&s.reason)
            );
        }
        report
    } else {
        let mut reports = Vec::new();
        for file in &args.merge {
            match read_report(file) {
                Ok(r) => reports.push(r),
                Err(e) => {
                    eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
                    return EXIT_ERROR;
                }
            }
        }
        match AuditReport::merge(reports) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
                return EXIT_ERROR;
            }
        }
    };
    let mut generated = audit::Generated::now(command_line());
    if let Some(file) = &args.compare {
        let old = match read_report(file) {
            Ok(old) => old,
            Err(e) => {
                eprintln!("error: --compare {}", crate::text::escape::terminal(&e.to_string()));
                return EXIT_ERROR;
            }
        };
        audit::trend::compare(&mut report, &old);
        generated.compared_with =
            Some(audit::ComparedWith { file: file.display().to_string(), date: old.generated.map(|g| g.date) });
    }
    report.generated = Some(generated);
    // Written once the audit is done, straight into the file (a temporary file beside it,
    // renamed into place when whole) or standard output: never held whole in memory.
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            AuditFormat::Table => audit::table::write(&report, out),
            AuditFormat::Markdown => audit::markdown::write(&report, out),
            AuditFormat::Csv => audit::csv::write(&report, out),
            AuditFormat::Html => audit::html::write(&report, out),
            AuditFormat::Json => serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out)),
        }?;
        out.flush()
    };
    let result = match &args.output_file {
        Some(file) => crate::io::write::NewFile::create(file).and_then(|mut f| {
            write(&mut f)?;
            f.commit()
        }),
        None => write(&mut std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let failing = match args.fail_on {
        Some(fail_on) => report.totals.findings.at_least(fail_on.severity()) > 0,
        None => report.totals.repositories_needing_work > 0,
    };
    match result {
        Ok(()) => {
            // Unreadable files and configurations that do not load: exit 2, as `check` does.
            let errors = report.repositories.iter().any(|r| r.errors > 0);
            Verdict { errors, failing, exit_zero: args.exit_zero }.status()
        }
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            EXIT_ERROR
        }
    }
}
