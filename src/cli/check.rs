//! `xsuaa-lint check`: lint (or fix) files and folders, print the report.

use super::config::{check_rule_codes, resolver_with_rules, ConfigSource, RuleSelectionArgs};
use super::exit::{FailOn, Verdict, EXIT_CLEAN, EXIT_ERROR};
use super::thread_count;
use crate::diagnostic::{FileReport, Severity};
use crate::engine::baseline::FindingsBaseline;
use crate::engine::{self, FixMode};
use crate::report::{self, OutputFormat, Summary};
use crate::rules;
use crate::text::escape::terminal;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// How findings are printed.
    #[arg(long, value_enum, default_value_t = FormatArg::Full)]
    pub output_format: FormatArg,
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
    #[command(flatten)]
    pub rules: RuleSelectionArgs,
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
    /// Record every current finding as an `[[ignore]]` entry with `--reason` in the nearest
    /// configuration file (creating `xsuaa-lint.toml` in the folder named if there is none),
    /// then exit 0: a repository adopts the gate today and burns the list down.
    #[arg(long, requires = "reason", conflicts_with_all = ["fix", "diff", "write_baseline", "baseline", "statistics", "isolated"])]
    pub add_ignore: bool,
    /// Why the findings `--add-ignore` records are accepted (a ticket, a date).
    #[arg(long, value_name = "TEXT", requires = "add_ignore")]
    pub reason: Option<String>,
    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// The service plan of descriptors that no deployment file names (default: unknown, judged as
    /// `application`); overrides the configuration's `plan`.
    #[arg(long, value_name = "PLAN", value_parser = clap::builder::PossibleValuesParser::new(crate::io::config::PLANS))]
    pub plan: Option<String>,
    /// Compare each file with its version at this git revision (history rules XS109, XS210-XS214);
    /// default `HEAD`, so a pre-commit hook judges the staged change. A CI job passes the merge base.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
}

/// `--output-format`: the report's formats as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Each finding with the source snippet it points at (the default).
    Full,
    /// One line per finding: `path:line:column: CODE message`.
    Concise,
    /// One JSON array of findings, sorted by path then position (a documented contract).
    Json,
    /// One JSON object per line per finding, the same object as `json` (no array, no summary).
    JsonLines,
    /// A SARIF 2.1.0 log, for GitHub code scanning and other code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=...::message`), shown as annotations.
    Github,
    /// A GitLab Code Quality report (a JSON array), shown in merge requests.
    Gitlab,
    /// JUnit XML, one failing test case per finding, for CI test-report views.
    Junit,
}

impl From<FormatArg> for OutputFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Full => OutputFormat::Full,
            FormatArg::Concise => OutputFormat::Concise,
            FormatArg::Json => OutputFormat::Json,
            FormatArg::JsonLines => OutputFormat::JsonLines,
            FormatArg::Sarif => OutputFormat::Sarif,
            FormatArg::Github => OutputFormat::Github,
            FormatArg::Gitlab => OutputFormat::Gitlab,
            FormatArg::Junit => OutputFormat::Junit,
        }
    }
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
    let configs = match resolver_with_rules(&args.config_source, &args.rules.layer()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
            return EXIT_ERROR;
        }
    };
    if let Err(message) = check_rule_codes(&args.rules, &configs) {
        eprintln!("error: {}", terminal(&message));
        return EXIT_ERROR;
    }
    // The configuration of each folder named is read even when the walk finds nothing in it, so a
    // broken one is an error (exit 2) whether or not the folder holds files to check.
    for path in args.paths.iter().filter(|p| p.as_os_str() != "-") {
        if path.is_dir() {
            configs.for_folder(path);
        } else {
            configs.for_file(path);
        }
    }
    let baseline = match args.baseline.as_deref().map(FindingsBaseline::load).transpose() {
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
        fix,
        unsafe_fixes: args.unsafe_fixes,
        stdin_filename: args.stdin_filename.clone(),
        threads,
        base: args.base.clone(),
        force_exclude: args.force_exclude,
        plan: args.plan.clone(),
        inventory: false,
        script_bindings: false,
        history: true,
        live,
    };
    let (fail_on, exit_zero) = gate(&args, &configs);
    let format = OutputFormat::from(args.output_format);
    let style = report::Style { color, show_unsafe: args.unsafe_fixes };
    // Kept whole (not written as files complete): `--diff`, `--statistics` and the baseline look
    // at the whole run; with standard input the report may have to go to standard error, which
    // only the end of the run tells (`--fix` writes the fixed text to standard output).
    if args.add_ignore {
        if args.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            eprintln!("error: --reason must say why the findings are accepted; it is empty");
            return EXIT_ERROR;
        }
        if args.paths.iter().any(|p| p.as_os_str() == "-") {
            eprintln!("error: --add-ignore records findings of files; standard input is none");
            return EXIT_ERROR;
        }
    }
    let keep_all = fix == FixMode::Diff
        || args.add_ignore
        || args.statistics
        || args.write_baseline.is_some()
        || args.paths.iter().any(|p| p.as_os_str() == "-");
    // `--output-file`: written beside its destination and renamed into place once whole.
    let report_file = match &args.output_file {
        Some(file) if args.write_baseline.is_none() => match crate::io::write::NewFile::create(file) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", file.display());
                return EXIT_ERROR;
            }
        },
        _ => None,
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut reporter = CheckReporter {
        stream: (!keep_all).then(|| report::Stream::new(format, style)),
        out: std::io::BufWriter::with_capacity(
            64 * 1024,
            match report_file {
                Some(file) => Destination::File(file),
                None => Destination::Console(stdout.lock()),
            },
        ),
        written: Ok(()),
        summary: Summary { fix_mode: fix == FixMode::Apply, ..Summary::default() },
        unsafe_fixes: args.unsafe_fixes,
        worst: None,
        any_diff: false,
        kept: Vec::new(),
        keep_all,
        wants_source: format == OutputFormat::Full && args.write_baseline.is_none(),
    };
    let outcome = engine::check(&args.paths, &opts, &configs, baseline.as_ref(), &mut reporter);
    let CheckReporter {
        stream,
        out: mut streamed,
        mut written,
        mut summary,
        worst,
        any_diff,
        kept,
        unsafe_fixes: _,
        keep_all: _,
        wants_source: _,
    } = reporter;
    summary.files_checked = outcome.files_checked;
    let config_errors = configs.errors();
    // A broken configuration: the errors say so; no summary may claim that nothing was found.
    summary.quiet = args.quiet || !config_errors.is_empty();
    // Nothing to lint is not a pass worth trusting (a wrong folder, everything excluded): said
    // on standard error, as ruff does, without changing the exit status.
    let nothing_reported = worst.is_none() && kept.is_empty() && summary.total() == 0 && !any_diff;
    if outcome.files_checked == 0 && outcome.io_errors == 0 && !args.quiet && nothing_reported {
        eprintln!("warning: no XSUAA descriptor or deployment file found in the given paths");
    }

    if args.add_ignore {
        for e in &config_errors {
            eprintln!("error: {}", terminal(&e.to_string()));
        }
        if !config_errors.is_empty() {
            eprintln!("error: nothing recorded: the configuration must load first");
            return EXIT_ERROR;
        }
        let (written, skipped) =
            super::add_ignore::record(&kept, &args.paths, &configs, args.reason.as_deref().unwrap_or(""));
        return if outcome.io_errors > 0 || !written {
            EXIT_ERROR
        } else if skipped > 0 {
            super::exit::EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        };
    }

    if let Some(file) = &args.write_baseline {
        for e in &config_errors {
            eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
        }
        return match crate::engine::baseline::write(file, &kept) {
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

    // With `--fix` on standard input, standard output carries the fixed text; the report moves to stderr.
    let stdin_fixed = outcome.fixed_stdin.is_some();
    let mut console = stderr.lock();
    let sink: &mut dyn Write = if stdin_fixed && args.output_file.is_none() { &mut console } else { &mut streamed };
    let written_now = if let Some(stream) = stream {
        written.and_then(|()| stream.finish(&summary, sink))
    } else if fix == FixMode::Diff {
        let mut r = Ok(());
        for report in &kept {
            if let Some(diff) = &report.diff {
                r = r.and_then(|()| sink.write_all(diff.as_bytes()));
            }
        }
        // What blocks fixing (unreadable or unparsable files) must not pass in silence.
        for report in &kept {
            for d in report.diagnostics.iter().filter(|d| rules::blocks_fixing(d.rule.code)) {
                let (path, message) = (terminal(&report.path), terminal(&d.message));
                eprintln!("{path}:{}:{}: {} {message}", d.start.line, d.start.column, d.rule.code);
            }
        }
        let fixes: usize = kept.iter().filter(|r| r.diff.is_some()).map(|r| r.fixes_applied).sum();
        let files = kept.iter().filter(|r| r.diff.is_some()).count();
        if !args.quiet {
            eprintln!("Would apply {fixes} fix(es) to {files} file(s).");
        }
        r
    } else {
        if stdin_fixed {
            let _ = stdout.lock().write_all(outcome.fixed_stdin.as_deref().unwrap_or_default().as_bytes());
        }
        if args.statistics {
            report::statistics::write(&kept, &summary, sink)
        } else {
            report::write(format, kept, &summary, style, sink)
        }
    };
    written = written_now;
    let written = written.and_then(|()| sink.flush());
    drop(console);
    let written = written.and_then(|()| match streamed.into_inner() {
        Ok(Destination::File(file)) => file.commit(),
        Ok(Destination::Console(_)) => Ok(()),
        Err(e) => Err(e.into_error()),
    });
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
        FixMode::Diff => any_diff,
        _ => {
            let threshold = fail_on.severity();
            (args.exit_non_zero_on_fix && summary.fixes_applied > 0) || worst.is_some_and(|worst| worst >= threshold)
        }
    };
    Verdict { errors, failing, exit_zero }.status()
}

/// `--fail-on` and `--exit-zero`, else the `[check]` table of the configuration that applies to
/// the current folder (or `--config`), else the defaults (`warning`, off).
fn gate(args: &CheckArgs, configs: &crate::io::config::Resolver) -> (FailOn, bool) {
    let config = configs.for_folder(Path::new("."));
    let configured = config.as_ref().and_then(|c| c.fail_on.as_deref()).and_then(|s| FailOn::from_str(s, true).ok());
    let fail_on = args.fail_on.or(configured).unwrap_or(FailOn::Warning);
    let exit_zero = args.exit_zero || config.and_then(|c| c.exit_zero).unwrap_or(false);
    (fail_on, exit_zero)
}

/// `check`'s outputs as the engine hands over each file: written at once (formats that need
/// the whole run keep compact records of their own), counted for the summary and the exit
/// status; kept whole only when the end of the run decides what is written.
struct CheckReporter {
    stream: Option<report::Stream>,
    out: std::io::BufWriter<Destination>,
    /// The first write error; nothing more is written after it.
    written: std::io::Result<()>,
    summary: Summary,
    unsafe_fixes: bool,
    /// The highest severity reported.
    worst: Option<Severity>,
    /// `--diff`: a file has something to apply.
    any_diff: bool,
    kept: Vec<FileReport>,
    keep_all: bool,
    wants_source: bool,
}

impl engine::Reporter for CheckReporter {
    fn wants_source(&self) -> bool {
        self.wants_source
    }

    fn file(&mut self, report: FileReport) {
        self.summary.add(&report, self.unsafe_fixes);
        self.worst = report.diagnostics.iter().map(|d| d.severity).chain(self.worst).max();
        self.any_diff |= report.diff.is_some();
        if self.keep_all {
            return self.kept.push(report);
        }
        if let (Some(stream), Ok(())) = (self.stream.as_mut(), &self.written) {
            self.written = stream.file(report, &mut self.out);
        }
    }
}

/// Where the report goes: `--output-file` (renamed into place once whole) or standard output.
enum Destination {
    File(crate::io::write::NewFile),
    Console(std::io::StdoutLock<'static>),
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Destination::File(file) => file.write(buf),
            Destination::Console(console) => console.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Destination::File(file) => file.flush(),
            Destination::Console(console) => console.flush(),
        }
    }
}
