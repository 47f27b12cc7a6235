//! `xsuaa-lint check`: lint (or fix) files and folders, print the report.

use super::config::{resolver, ConfigSource};
use super::exit::{FailOn, Verdict, EXIT_CLEAN, EXIT_ERROR};
use super::thread_count;
use crate::baseline::Baseline;
use crate::engine::{self, FixMode};
use crate::escape::terminal;
use crate::report::{self, OutputFormat, Summary};
use crate::rules;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

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
    /// The lowest severity that makes the exit status 1 (default: `[check] fail-on` of the
    /// configuration that applies to the current folder, else `warning`).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Exit 0 even when there are findings (2 still reports usage, configuration and I/O errors);
    /// also `[check] exit-zero = true` in the configuration.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print the findings only: no summary lines.
    #[arg(short, long)]
    pub quiet: bool,
    /// Ask the platform first, read-only, with the `cf`, `kubectl` or `btp` client you are
    /// logged in with: XS103's removal of `instance-secret` becomes a safe fix where no binding
    /// or service key holds the instance secret any more, and its finding names those that do.
    #[arg(long)]
    pub live: bool,
    #[command(flatten)]
    pub live_limits: super::live::LiveLimits,
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

pub fn run(args: CheckArgs) -> i32 {
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
            eprintln!("error: {}", crate::escape::terminal(&e.to_string()));
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
    let live = if args.live {
        let paths: Vec<PathBuf> = args.paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
        match super::live::facts_for_check(&paths, &configs, &args.live_limits) {
            Ok(facts) => Some(std::sync::Arc::new(facts)),
            Err(message) => {
                eprintln!("error: {}", terminal(&message));
                return EXIT_ERROR;
            }
        }
    } else {
        None
    };
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
        live,
    };
    let (fail_on, exit_zero) = gate(&args, &configs);
    let outcome = engine::check(&args.paths, &opts, &configs, baseline.as_ref());
    let mut summary = Summary::of(&outcome.reports, outcome.files_checked, fix == FixMode::Apply, args.unsafe_fixes);
    let config_errors = configs.errors();
    // A broken configuration: the errors say so; no summary may claim that nothing was found.
    summary.quiet = args.quiet || !config_errors.is_empty();
    // Nothing to lint is not a pass worth trusting (a wrong folder, everything excluded): said
    // on standard error, as ruff does, without changing the exit status.
    if outcome.files_checked == 0 && outcome.io_errors == 0 && !args.quiet && outcome.reports.is_empty() {
        eprintln!("warning: no XSUAA descriptor or deployment file found in the given paths");
    }

    if let Some(file) = &args.write_baseline {
        for e in &config_errors {
            eprintln!("error: {}", crate::escape::terminal(&e.to_string()));
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
                let (path, message) = (terminal(&report.path), terminal(&d.message));
                eprintln!("{path}:{}:{}: {} {message}", d.start.line, d.start.column, d.rule.code);
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
        eprintln!("error: {}: fix not applied: {}", terminal(path), terminal(reason));
    }
    for note in &outcome.held_back {
        eprintln!("note: {note}");
    }
    for message in &outcome.history_errors {
        eprintln!("error: {}", terminal(message));
    }
    for e in &config_errors {
        eprintln!("error: {}", terminal(&e.to_string()));
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

    let errors = outcome.io_errors > 0
        || !outcome.refused.is_empty()
        || !outcome.history_errors.is_empty()
        || !config_errors.is_empty();
    let failing = match fix {
        // `--diff` fails when there is something to apply.
        FixMode::Diff => outcome.reports.iter().any(|r| r.diff.is_some()),
        _ => {
            let threshold = fail_on.severity();
            (args.exit_non_zero_on_fix && summary.fixes_applied > 0)
                || outcome.reports.iter().flat_map(|r| &r.diagnostics).any(|d| d.severity >= threshold)
        }
    };
    Verdict { errors, failing, exit_zero }.status()
}

/// `--fail-on` and `--exit-zero`, else the `[check]` table of the configuration that applies to
/// the current folder (or `--config`), else the defaults (`warning`, off).
fn gate(args: &CheckArgs, configs: &crate::config::Resolver) -> (FailOn, bool) {
    let config = configs.for_folder(Path::new("."));
    let configured = config.as_ref().and_then(|c| c.fail_on.as_deref()).and_then(|s| FailOn::from_str(s, true).ok());
    let fail_on = args.fail_on.or(configured).unwrap_or(FailOn::Warning);
    let exit_zero = args.exit_zero || config.and_then(|c| c.exit_zero).unwrap_or(false);
    (fail_on, exit_zero)
}
