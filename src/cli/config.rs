//! `xsuaa-lint config --show`, and where every subcommand gets its configuration from.

use super::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::io::config::{Config, ConfigError, Discovery, Resolver};
use std::path::PathBuf;
use std::sync::Arc;

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

/// The configuration discovery chosen on the command line; a `--config` file that cannot be
/// used is an error at once.
pub fn resolver(source: &ConfigSource) -> Result<Resolver, ConfigError> {
    let discovery = if source.isolated {
        Discovery::Isolated
    } else if let Some(file) = &source.config {
        Discovery::Fixed(Arc::new(Config::load(file, &file.to_string_lossy())?))
    } else {
        Discovery::Nearest
    };
    Ok(Resolver::new(discovery))
}

pub fn run(args: ConfigArgs) -> i32 {
    let resolver = match resolver(&args.source) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
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
            let environment = config.environment_for(&args.path).map_or("cloud-foundry (assumed)", |e| e.as_str());
            text.push_str(&format!("# environment for {}: {environment}\n", args.path.display()));
            print!("{text}");
            EXIT_CLEAN
        }
        None => {
            for e in resolver.errors() {
                eprintln!("error: {}", crate::text::escape::terminal(&e.to_string()));
            }
            EXIT_ERROR
        }
    }
}
