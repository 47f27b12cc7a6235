//! `xsuaa-lint audit`: the migration state of every instance across many repositories.

use super::exit::{Verdict, EXIT_CLEAN, EXIT_ERROR};
use super::thread_count;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

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

pub fn run(args: AuditArgs) -> i32 {
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
        Ok(()) => Verdict { failing: report.totals.repositories_needing_work > 0, ..Verdict::default() }.status(),
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_CLEAN,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            EXIT_ERROR
        }
    }
}
