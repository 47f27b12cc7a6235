//! The command line: argument parsing, exit codes and where output goes.

use crate::baseline::Baseline;
use crate::config::{Config, ConfigError, Discovery, Resolver};
use crate::diagnostic::Severity;
use crate::engine::{self, FixMode};
use crate::report::{self, OutputFormat, Summary};
use crate::rules;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Exit statuses: a public contract (README).
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "xsuaa-lint",
    version,
    about = "Lint SAP BTP XSUAA security descriptors (xs-security.json) and their migration to binding secrets"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check descriptors: walk directories for xs-security*.json, lint files named explicitly.
    Check(CheckArgs),
    /// Print a rule's documentation, or list every rule.
    Rule(RuleArgs),
    /// Show the configuration that applies to a path.
    Config(ConfigArgs),
    /// Report the migration state of every XSUAA service instance across many repositories.
    Audit(AuditArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Totals and the repositories that need work, for a terminal.
    Table,
    Markdown,
    /// One row per instance.
    Csv,
    /// The documented report, also what `--merge` reads.
    Json,
    /// One self-contained page with a chart and sortable tables.
    Html,
}

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Folders holding git repositories (each folder with `.git` is one; a root with none is one).
    #[arg(default_value = ".", required_unless_present = "merge")]
    pub roots: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Write the report to this file (written whole, then renamed into place).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Audit only shard K of N (1-based): a deterministic part of the repositories.
    #[arg(long, value_name = "K/N", value_parser = crate::audit::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Combine JSON reports (of shards) into one report instead of auditing.
    #[arg(long, value_name = "REPORT.json", num_args = 1.., conflicts_with_all = ["shard"])]
    pub merge: Vec<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,
    /// No progress line, even on a terminal.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct ConfigSource {
    /// Use this configuration file for every path instead of discovering `xsuaa-lint.toml`.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file: the defaults apply.
    #[arg(long)]
    pub isolated: bool,
}

#[derive(clap::Args, Debug)]
pub struct ConfigArgs {
    /// Print the resolved settings for PATH (a file or folder; default: .).
    #[arg(long, required = true)]
    pub show: bool,
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub source: ConfigSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// How findings are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub output_format: OutputFormat,
    /// The name under which standard input is reported.
    #[arg(long, default_value = "<stdin>")]
    pub stdin_filename: String,
    /// Apply the safe fixes (with `--unsafe-fixes`, the unsafe ones too).
    #[arg(long)]
    pub fix: bool,
    /// Include unsafe fixes: with `--fix` they are applied, otherwise only shown as available.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Write nothing; print a unified diff of what `--fix` would change (exit 1 if there is one).
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// With `--fix`: exit 1 when a file was changed, even if nothing is left to report.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
    /// When to use colour in the `full` format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads (default: one per core).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub config_source: ConfigSource,
    /// Apply the configuration's `files.exclude` to files named on the command line too
    /// (pre-commit passes every changed file).
    #[arg(long)]
    pub force_exclude: bool,
    /// The lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings (2 still reports usage, configuration and I/O errors).
    #[arg(long)]
    pub exit_zero: bool,
    /// Print the findings only: no summary lines.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    pub statistics: bool,
    /// Report (and fail on) only findings that this baseline file does not record.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this file, then exit 0 (unless there are errors).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "fix", "diff"])]
    pub write_baseline: Option<PathBuf>,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// The service plan of descriptors that no deployment file names (default: unknown, judged as
    /// `application`); overrides the configuration's `plan`.
    #[arg(long, value_name = "PLAN", value_parser = clap::builder::PossibleValuesParser::new(crate::config::PLANS))]
    pub plan: Option<String>,
    /// Compare each file with its version at this git revision (history rules XS109, XS210-XS214);
    /// default `HEAD`, so a pre-commit hook judges the staged change. A CI job passes the merge base.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct RuleArgs {
    /// A rule code (XS102) or name (instance-secret-only).
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// List every rule with its code, name, default severity and fix.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
}

/// Worker threads for `--jobs N`, capped: threads beyond a few per core only cost memory, and
/// tens of thousands make thread creation fail.
pub fn thread_count(jobs: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let cap = (cores * 4).clamp(1, 256);
    jobs.filter(|&j| j > 0).map_or(cores, |j| j.min(cap))
}

/// What the process found at start-up, before Rust's runtime touched its descriptors.
#[derive(Debug, Clone, Copy, Default)]
pub struct Startup {
    /// Standard output was closed (`xsuaa-lint check >&-`). The runtime then points it at
    /// `/dev/null`, where a report would vanish without an error.
    pub stdout_closed: bool,
}

pub fn main() -> i32 {
    main_with(Startup::default())
}

pub fn main_with(startup: Startup) -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN };
        }
    };
    if startup.stdout_closed && cli.command.writes_to_stdout() {
        eprintln!("error: cannot write the report: standard output is closed");
        return EXIT_ERROR;
    }
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rule(args) => rule(args),
        Command::Config(args) => show_config(args),
        Command::Audit(args) => audit(args),
    }
}

impl Command {
    /// Whether the command's result goes to standard output.
    fn writes_to_stdout(&self) -> bool {
        match self {
            Command::Check(args) => {
                let fixed_stdin = args.fix && args.paths.iter().any(|p| p.as_os_str() == "-");
                args.write_baseline.is_none() && (args.output_file.is_none() || fixed_stdin)
            }
            Command::Audit(args) => args.output_file.is_none(),
            Command::Rule(_) | Command::Config(_) => true,
        }
    }
}

fn rule(args: RuleArgs) -> i32 {
    let mut out = std::io::stdout().lock();
    if args.all {
        let _ = writeln!(out, "{:<7} {:<28} {:<9} {:<18} summary", "code", "name", "severity", "fix");
        for r in rules::ALL {
            let _ = writeln!(
                out,
                "{:<7} {:<28} {:<9} {:<18} {}",
                r.code,
                r.name,
                r.severity.as_str(),
                r.fix.as_str(),
                r.summary
            );
        }
        return EXIT_CLEAN;
    }
    let code = args.code.unwrap_or_default();
    match rules::by_code(&code) {
        Some(r) => {
            let _ = writeln!(out, "{}", rules::rule_doc(r.code).unwrap_or(r.summary));
            let _ = writeln!(out, "\nDefault severity: {}. Fix: {}.", r.severity.as_str(), r.fix.as_str());
            EXIT_CLEAN
        }
        None => {
            eprintln!("error: unknown rule `{code}`; `xsuaa-lint rule --all` lists them");
            EXIT_ERROR
        }
    }
}

/// The configuration discovery chosen on the command line; a `--config` file that cannot be
/// used is an error at once.
fn resolver(source: &ConfigSource) -> Result<Resolver, ConfigError> {
    let discovery = if source.isolated {
        Discovery::Isolated
    } else if let Some(file) = &source.config {
        Discovery::Fixed(Arc::new(Config::load(file, &file.to_string_lossy())?))
    } else {
        Discovery::Nearest
    };
    Ok(Resolver::new(discovery))
}

fn show_config(args: ConfigArgs) -> i32 {
    let resolver = match resolver(&args.source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let config = if args.path.is_dir() { resolver.for_folder(&args.path) } else { resolver.for_file(&args.path) };
    match config {
        Some(config) => {
            let mut text = config.show();
            if let Some(plan) = config.plan_for(&args.path) {
                text.push_str(&format!("# plan for {}: {plan}\n", args.path.display()));
            }
            print!("{text}");
            EXIT_CLEAN
        }
        None => {
            for e in resolver.errors() {
                eprintln!("error: {e}");
            }
            EXIT_ERROR
        }
    }
}

fn audit(args: AuditArgs) -> i32 {
    use crate::audit::{self, AuditReport};
    let report = if args.merge.is_empty() {
        let threads = thread_count(args.jobs);
        for root in &args.roots {
            if !root.is_dir() {
                eprintln!("error: {}: not a folder", root.display());
                return EXIT_ERROR;
            }
        }
        audit::run(&audit::AuditOptions {
            roots: args.roots.clone(),
            shard: args.shard,
            threads,
            isolated: args.isolated,
            progress: !args.quiet && std::io::stderr().is_terminal(),
        })
    } else {
        let mut reports = Vec::new();
        for file in &args.merge {
            // Bounded and regular files only (not `/dev/zero`, not a FIFO); a byte-order mark is fine.
            let parsed = crate::load::read_text(file).and_then(|text| {
                serde_json::from_str::<AuditReport>(crate::load::without_bom(&text))
                    .map_err(|e| format!("not an audit report: {e}"))
            });
            match parsed {
                Ok(r) => reports.push(r),
                Err(e) => {
                    eprintln!("error: {}: {e}", file.display());
                    return EXIT_ERROR;
                }
            }
        }
        match AuditReport::merge(reports) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        }
    };
    let mut text = Vec::new();
    let written = match args.format {
        AuditFormat::Table => audit::table::write(&report, &mut text),
        AuditFormat::Markdown => audit::markdown::write(&report, &mut text),
        AuditFormat::Csv => audit::csv::write(&report, &mut text),
        AuditFormat::Html => audit::html::write(&report, &mut text),
        AuditFormat::Json => serde_json::to_writer_pretty(&mut text, &report)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(text)),
    };
    // The report is written whole at the end: an interrupted run leaves nothing half-written.
    let result = written.and_then(|()| match &args.output_file {
        Some(file) => crate::write::write_new(file, &text),
        None => std::io::stdout().lock().write_all(&text),
    });
    match result {
        Ok(()) => {
            if report.totals.repositories_needing_work > 0 {
                EXIT_FINDINGS
            } else {
                EXIT_CLEAN
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            EXIT_ERROR
        }
    }
}

/// Standard input is linted as the file it stands for: the name must be one a file can have.
fn check_stdin_filename(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("must name the file that standard input stands for; it is empty".into());
    }
    if name.ends_with('/') || name.ends_with(std::path::MAIN_SEPARATOR) || Path::new(name).is_dir() {
        return Err(format!("`{name}` names a folder; give the path of the file that standard input stands for"));
    }
    Ok(())
}

fn check(args: CheckArgs) -> i32 {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output_file.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let fix = if args.diff {
        FixMode::Diff
    } else if args.fix {
        FixMode::Apply
    } else {
        FixMode::Off
    };
    let configs = match resolver(&args.config_source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", args.baseline.as_deref().unwrap_or(Path::new("")).display());
            return EXIT_ERROR;
        }
    };
    let threads = thread_count(args.jobs);
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if let Err(e) = check_stdin_filename(&args.stdin_filename) {
            eprintln!("error: --stdin-filename {e}");
            return EXIT_ERROR;
        }
    }
    let opts = engine::Options {
        format: args.output_format,
        color,
        fix,
        unsafe_fixes: args.unsafe_fixes,
        stdin_filename: args.stdin_filename.clone(),
        threads,
        base: args.base.clone(),
        force_exclude: args.force_exclude,
        plan: args.plan.clone(),
        inventory: false,
        history: true,
    };
    let outcome = engine::check(&args.paths, &opts, &configs, baseline.as_ref());
    let mut summary = Summary::of(&outcome.reports, outcome.files_checked, fix == FixMode::Apply, args.unsafe_fixes);
    let config_errors = configs.errors();
    // A broken configuration: the errors say so; no summary may claim that nothing was found.
    summary.quiet = args.quiet || !config_errors.is_empty();

    if let Some(file) = &args.write_baseline {
        for e in &config_errors {
            eprintln!("error: {e}");
        }
        return match crate::baseline::write(file, &outcome.reports) {
            Ok(n) => {
                eprintln!("Recorded {n} finding(s) in {}.", file.display());
                if outcome.io_errors > 0 || !config_errors.is_empty() {
                    EXIT_ERROR
                } else {
                    EXIT_CLEAN
                }
            }
            Err(e) => {
                eprintln!("error: cannot write the baseline {}: {e}", file.display());
                EXIT_ERROR
            }
        };
    }

    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    // With `--fix` on standard input, standard output carries the fixed text; the report moves to stderr.
    let stdin_fixed = outcome.fixed_stdin.is_some();
    // `--output-file`: written beside its destination and renamed into place once whole.
    let mut report_file = match &args.output_file {
        Some(file) => match crate::write::NewFile::create(file) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", file.display());
                return EXIT_ERROR;
            }
        },
        None => None,
    };
    let mut console: Box<dyn Write> = if stdin_fixed { Box::new(stderr.lock()) } else { Box::new(stdout.lock()) };
    let sink: &mut dyn Write = match report_file.as_mut() {
        Some(file) => file,
        None => &mut console,
    };
    let written = if fix == FixMode::Diff {
        let mut r = Ok(());
        for report in &outcome.reports {
            if let Some(diff) = &report.diff {
                r = r.and_then(|()| sink.write_all(diff.as_bytes()));
            }
        }
        // What blocks fixing (unreadable or unparsable files) must not pass in silence.
        for report in &outcome.reports {
            for d in report.diagnostics.iter().filter(|d| rules::blocks_fixing(d.rule.code)) {
                eprintln!("{}:{}:{}: {} {}", report.path, d.start.line, d.start.column, d.rule.code, d.message);
            }
        }
        let fixes: usize = outcome.reports.iter().filter(|r| r.diff.is_some()).map(|r| r.fixes_applied).sum();
        let files = outcome.reports.iter().filter(|r| r.diff.is_some()).count();
        if !args.quiet {
            eprintln!("Would apply {fixes} fix(es) to {files} file(s).");
        }
        r
    } else {
        if stdin_fixed {
            let _ = stdout.lock().write_all(outcome.fixed_stdin.as_deref().unwrap_or_default().as_bytes());
        }
        if args.statistics {
            report::statistics::write(&outcome.reports, &summary, sink)
        } else {
            report::write(opts.format, &outcome.reports, &summary, sink)
        }
    };
    let written = written.and_then(|()| sink.flush());
    let written = written.and_then(|()| report_file.map_or(Ok(()), crate::write::NewFile::commit));
    drop(console);
    for (path, reason) in &outcome.refused {
        eprintln!("error: {path}: fix not applied: {reason}");
    }
    for message in &outcome.history_errors {
        eprintln!("error: {message}");
    }
    for e in &config_errors {
        eprintln!("error: {e}");
    }
    if let Some(baseline) = &baseline {
        let gone = baseline.gone();
        if gone > 0 && !args.quiet {
            eprintln!(
                "{gone} finding(s) recorded in the baseline no longer occur; `--write-baseline` records the current state."
            );
        }
    }
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            match &args.output_file {
                Some(file) => eprintln!("error: cannot write the report {}: {e}", file.display()),
                None => eprintln!("error: cannot write the report: {e}"),
            }
            return EXIT_ERROR;
        }
    }

    if outcome.io_errors > 0
        || !outcome.refused.is_empty()
        || !outcome.history_errors.is_empty()
        || !config_errors.is_empty()
    {
        return EXIT_ERROR;
    }
    if args.exit_zero {
        return EXIT_CLEAN;
    }
    if fix == FixMode::Diff {
        return if outcome.reports.iter().any(|r| r.diff.is_some()) { EXIT_FINDINGS } else { EXIT_CLEAN };
    }
    if args.exit_non_zero_on_fix && summary.fixes_applied > 0 {
        return EXIT_FINDINGS;
    }
    let threshold = args.fail_on.severity();
    let failing = outcome.reports.iter().flat_map(|r| &r.diagnostics).any(|d| d.severity >= threshold);
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
