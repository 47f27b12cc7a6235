//! The command line: argument parsing, exit codes and where output goes.

use crate::diagnostic::Severity;
use crate::engine::{self, FixMode};
use crate::report::{self, OutputFormat, Summary};
use crate::rules;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

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

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN };
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rule(args) => rule(args),
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

fn check(args: CheckArgs) -> i32 {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let fix = if args.diff {
        FixMode::Diff
    } else if args.fix {
        FixMode::Apply
    } else {
        FixMode::Off
    };
    let threads =
        args.jobs.filter(|&j| j > 0).unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let opts = engine::Options {
        format: args.output_format,
        color,
        fix,
        unsafe_fixes: args.unsafe_fixes,
        stdin_filename: args.stdin_filename.clone(),
        threads,
        base: args.base.clone(),
    };
    let outcome = engine::check(&args.paths, &opts);
    let summary = Summary::of(&outcome.reports, outcome.files_checked, fix == FixMode::Apply, args.unsafe_fixes);

    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    // With `--fix` on standard input, standard output carries the fixed text; the report moves to stderr.
    let stdin_fixed = outcome.fixed_stdin.is_some();
    let written = if fix == FixMode::Diff {
        let mut out = stdout.lock();
        let mut r = Ok(());
        for report in &outcome.reports {
            if let Some(diff) = &report.diff {
                r = r.and_then(|()| out.write_all(diff.as_bytes()));
            }
        }
        // What blocks fixing (unreadable or unparsable files) must not pass in silence.
        for report in &outcome.reports {
            for d in report.diagnostics.iter().filter(|d| matches!(d.rule.code, "XS000" | "XS001")) {
                eprintln!("{}:{}:{}: {} {}", report.path, d.start.line, d.start.column, d.rule.code, d.message);
            }
        }
        let fixes: usize = outcome.reports.iter().filter(|r| r.diff.is_some()).map(|r| r.fixes_applied).sum();
        let files = outcome.reports.iter().filter(|r| r.diff.is_some()).count();
        eprintln!("Would apply {fixes} fix(es) to {files} file(s).");
        r
    } else if stdin_fixed {
        let _ = stdout.lock().write_all(outcome.fixed_stdin.as_deref().unwrap_or_default().as_bytes());
        report::write(opts.format, &outcome.reports, &summary, &mut stderr.lock())
    } else {
        report::write(opts.format, &outcome.reports, &summary, &mut stdout.lock())
    };
    for (path, reason) in &outcome.refused {
        eprintln!("error: {path}: fix not applied: {reason}");
    }
    for message in &outcome.history_errors {
        eprintln!("error: {message}");
    }
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return EXIT_ERROR;
        }
    }

    if outcome.io_errors > 0 || !outcome.refused.is_empty() || !outcome.history_errors.is_empty() {
        return EXIT_ERROR;
    }
    if fix == FixMode::Diff {
        return if outcome.reports.iter().any(|r| r.diff.is_some()) { EXIT_FINDINGS } else { EXIT_CLEAN };
    }
    if args.exit_non_zero_on_fix && summary.fixes_applied > 0 {
        return EXIT_FINDINGS;
    }
    let failing = outcome.reports.iter().flat_map(|r| &r.diagnostics).any(|d| d.severity >= Severity::Warning);
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
