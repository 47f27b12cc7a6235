//! The command line: argument parsing and dispatch, one file per subcommand; exit statuses are
//! decided in [`exit`].

mod add_ignore;
mod audit;
mod check;
mod config;
pub mod exit;
mod live;
mod propose;
mod remotes;
mod rule;
mod runbook;
mod server;

pub use audit::{AuditArgs, AuditFormat};
pub use check::{CheckArgs, ColorChoice};
pub use config::{ConfigArgs, ConfigSource, RuleSelectionArgs};
pub use exit::FailOn;
pub use exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
pub use rule::RuleArgs;
pub use server::ServerArgs;

use clap::{Parser, Subcommand};

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
    /// Check XSUAA descriptors and the deployment files that declare XSUAA instances (MTA, Kubernetes and Helm, Terraform, cf and btp commands in scripts and CI files): walk directories, lint files named explicitly.
    Check(CheckArgs),
    /// Print a rule's documentation, or list every rule.
    Rule(RuleArgs),
    /// Show the configuration that applies to a path.
    Config(ConfigArgs),
    /// Report the migration state of every XSUAA service instance across many repositories.
    Audit(AuditArgs),
    /// Serve the Language Server Protocol on standard input and output (for editors).
    Server(ServerArgs),
    /// For every instance not yet migrated: where it stands, where it goes, SAP's steps with the
    /// commands for its environment, and its bindings and service keys in the repository.
    Runbook(runbook::RunbookArgs),
    /// Read the platform, read-only, with the `cf`, `kubectl` or `btp` client you are logged in
    /// with: each instance's bindings and service keys with their credential type, what no file
    /// declares, `instanceSecretLastUsedAt`, and whether `instance-secret` may be removed now.
    Live(live::LiveArgs),
    /// Commit each repository's safe fixes (those of `check --fix`: one stage of the migration at
    /// most) on a branch of its own, without touching the work tree; push it and open or update
    /// the pull request with `gh` or `glab` when asked.
    Propose(propose::ProposeArgs),
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
        Command::Check(args) => check::run(args),
        Command::Rule(args) => rule::run(args),
        Command::Config(args) => config::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Server(args) => server::run(args),
        Command::Runbook(args) => runbook::run(args),
        Command::Live(args) => live::run(args),
        Command::Propose(args) => propose::run(args),
    }
}

impl Command {
    /// Whether the command's result goes to standard output.
    fn writes_to_stdout(&self) -> bool {
        match self {
            Command::Check(args) => {
                let fixed_stdin = args.fix && args.paths.iter().any(|p| p.as_os_str() == "-");
                args.write_baseline.is_none() && !args.add_ignore && (args.output_file.is_none() || fixed_stdin)
            }
            Command::Audit(args) => args.output_file.is_none(),
            Command::Rule(_)
            | Command::Config(_)
            | Command::Server(_)
            | Command::Runbook(_)
            | Command::Live(_)
            | Command::Propose(_) => true,
        }
    }
}
