//! `xsuaa-lint config --show`, and where every subcommand gets its configuration from.

use super::exit::{EXIT_CLEAN, EXIT_ERROR};
use crate::io::config::{Config, ConfigError, Discovery, Resolver, RuleSelection};
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

/// Rule selection on the command line, over the configuration's (as ruff's).
#[derive(clap::Args, Debug, Default)]
pub struct RuleSelectionArgs {
    /// Run only these rules: codes or prefixes (`XS1`), or `ALL`; comma-separated or repeated.
    /// Replaces the configuration's selection.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Option<Vec<String>>,
    /// Run these rules too, on top of the configuration's selection (or `--select`).
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub extend_select: Vec<String>,
    /// Do not run these rules (applied last: it wins over `--select` and `--extend-select`).
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,
}

impl RuleSelectionArgs {
    pub fn layer(&self) -> RuleSelection {
        let upper = |codes: &[String]| codes.iter().map(|c| c.trim().to_uppercase()).collect::<Vec<_>>();
        RuleSelection {
            select: self.select.as_deref().map(upper),
            extend_select: upper(&self.extend_select),
            ignore: upper(&self.ignore),
            from: "command line".into(),
        }
    }

    /// The first code that names no rule, with the nearest one; `policies` are the codes of the
    /// configuration that applies to the current folder (or `--config`).
    pub fn problem(&self, policies: &[String]) -> Option<String> {
        let all = self.select.iter().flatten().map(|c| ("--select", c));
        let all = all.chain(self.extend_select.iter().map(|c| ("--extend-select", c)));
        let mut all = all.chain(self.ignore.iter().map(|c| ("--ignore", c)));
        all.find_map(|(flag, code)| {
            crate::io::config::command_line_code_problem(code.trim(), policies).map(|p| format!("{flag}: {p}"))
        })
    }
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
    resolver_with_rules(source, &RuleSelection::default())
}

/// [`resolver`], with the command line's rule selection laid over every configuration.
pub fn resolver_with_rules(source: &ConfigSource, rules: &RuleSelection) -> Result<Resolver, ConfigError> {
    let discovery = if source.isolated {
        Discovery::Isolated
    } else if let Some(file) = &source.config {
        let mut config = Config::load(file, &file.to_string_lossy())?;
        config.add_command_line(rules);
        Discovery::Fixed(Arc::new(config))
    } else {
        Discovery::Nearest
    };
    Ok(Resolver::with_rules(discovery, rules.clone()))
}

/// The command line's rule codes checked against the rules and the policies of the
/// configuration for the current folder: an unknown one is a usage error (exit 2).
pub fn check_rule_codes(rules: &RuleSelectionArgs, configs: &Resolver) -> Result<(), String> {
    let policies: Vec<String> = configs
        .for_folder(std::path::Path::new("."))
        .map(|c| c.policies.iter().map(|p| p.rule.code.to_string()).collect())
        .unwrap_or_default();
    rules.problem(&policies).map_or(Ok(()), Err)
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
