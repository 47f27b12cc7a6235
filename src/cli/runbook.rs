//! `xsuaa-lint runbook`: for every XSUAA instance whose migration is not finished, where it
//! stands, where it goes, and SAP's steps with the commands for its environment and its name,
//! with the bindings and service keys the repository declares for it.

use super::config::{resolver, ConfigSource};
use super::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::engine;
use crate::runbook;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RunbookFormat {
    Markdown,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct RunbookArgs {
    /// Files or directories (default: .).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = RunbookFormat::Markdown)]
    pub format: RunbookFormat,
    #[command(flatten)]
    pub config_source: ConfigSource,
}

pub fn run(args: RunbookArgs) -> i32 {
    let configs = match resolver(&args.config_source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
            return EXIT_ERROR;
        }
    };
    // History: for the date each dual state began (its descriptor's git history against `HEAD`).
    let opts = engine::Options { threads: super::thread_count(None), inventory: true, ..engine::Options::default() };
    let outcome = engine::check(&args.paths, &opts, &configs, None, &mut Vec::new());
    let found = outcome.instances.len();
    let instances = crate::engine::inventory::one_per_instance(outcome.instances);
    let entries = runbook::entries(&instances);
    let text = match args.format {
        RunbookFormat::Markdown => runbook::markdown(&entries, found),
        RunbookFormat::Json => runbook::json(&entries),
    };
    let errors = outcome.io_errors > 0 || !configs.errors().is_empty();
    for e in configs.errors() {
        eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
    }
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() || errors {
        return EXIT_ERROR;
    }
    EXIT_CLEAN
}
