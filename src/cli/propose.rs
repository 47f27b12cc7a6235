//! `xsuaa-lint propose`: each repository's safe fixes as a branch, pushed and opened as a pull
//! request when asked.

use super::exit::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use super::thread_count;
use crate::audit::propose::{self, Forge, Outcome, ProposeOptions};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ForgeArg {
    /// GitHub, with the `gh` you are logged in with.
    Gh,
    /// GitLab, with the `glab` you are logged in with (a merge request).
    Glab,
}

#[derive(clap::Args, Debug)]
pub struct ProposeArgs {
    /// Folders holding the repositories, found as `audit` finds them (each folder with `.git`).
    #[arg(default_value = ".", required_unless_present = "repos_from")]
    pub roots: Vec<PathBuf>,
    /// Each folder DEPTH levels below each root is one repository.
    #[arg(long, value_name = "DEPTH", value_parser = clap::value_parser!(u16).range(1..=64), conflicts_with = "repos_from")]
    pub repos_at: Option<u16>,
    /// The repositories listed in FILE, one folder a line (`#` comments; `-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub repos_from: Option<PathBuf>,
    /// The branch the fixes are committed on.
    #[arg(long, value_name = "NAME", default_value = propose::DEFAULT_BRANCH, value_parser = branch_name)]
    pub branch: String,
    /// Push the branch to REMOTE (default `origin`), with `--force-with-lease` when it is there already.
    #[arg(long, value_name = "REMOTE", num_args = 0..=1, default_missing_value = "origin", value_parser = remote_name)]
    pub push: Option<String>,
    /// Open (or update) the pull request with `gh`, or the merge request with `glab`; pushes
    /// (to `origin` unless `--push` names another remote).
    #[arg(long, value_enum, value_name = "CLIENT")]
    pub open_pr: Option<ForgeArg>,
    /// The longest any one `git`, `gh` or `glab` call may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,
    /// Worker threads of each check (default: one per core).
    #[arg(short, long)]
    pub jobs: Option<usize>,
}

/// A branch name git accepts and no option or revision could be taken for.
fn branch_name(name: &str) -> Result<String, String> {
    let bad = name.is_empty()
        || name.starts_with(['-', '/', '.'])
        || name.ends_with(['/', '.'])
        || name.ends_with(".lock")
        || name.contains("..")
        || name.contains("//")
        || name.contains("@{")
        || name.contains("/.")
        || name.chars().any(|c| c.is_control() || " ~^:?*[\\".contains(c));
    if bad {
        Err(format!("`{}` is not a branch name git accepts", crate::text::escape::terminal(name)))
    } else {
        Ok(name.to_string())
    }
}

fn remote_name(name: &str) -> Result<String, String> {
    if name.is_empty() || name.starts_with('-') || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        Err(format!("`{}` is not a remote's name", crate::text::escape::terminal(name)))
    } else {
        Ok(name.to_string())
    }
}

pub fn run(args: ProposeArgs) -> i32 {
    use crate::audit::discover;
    let found = match (&args.repos_from, args.repos_at) {
        (Some(file), _) => match super::audit::listed(file) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("error: --repos-from {}", crate::text::escape::terminal(&e));
                return EXIT_ERROR;
            }
        },
        (None, depth) => {
            let mut all = discover::Found::default();
            for root in &args.roots {
                if !root.is_dir() {
                    eprintln!("error: {}: not a folder", crate::text::escape::terminal(&root.to_string_lossy()));
                    return EXIT_ERROR;
                }
                let found = match depth {
                    Some(depth) => discover::at_depth(root, usize::from(depth)),
                    None => discover::git(root),
                };
                all.repositories.extend(found.repositories);
                all.skipped.extend(found.skipped);
            }
            all
        }
    };
    let options = ProposeOptions {
        branch: args.branch.clone(),
        push: args.push.clone(),
        open: args.open_pr.map(|f| match f {
            ForgeArg::Gh => Forge::Github,
            ForgeArg::Glab => Forge::Gitlab,
        }),
        isolated: args.isolated,
        threads: thread_count(args.jobs),
        timeout: Duration::from_secs(args.timeout),
    };
    let cwd = std::env::current_dir().ok();
    let mut repositories = found.repositories;
    repositories.sort();
    repositories.dedup();
    let (mut refused, mut failed) = (false, false);
    for skipped in &found.skipped {
        eprintln!(
            "warning: {}: skipped: {}",
            crate::text::escape::terminal(&skipped.path),
            crate::text::escape::terminal(&skipped.reason)
        );
    }
    let mut out = std::io::stdout().lock();
    for repository in &repositories {
        let shown = crate::io::discover::display_path(repository, cwd.as_deref());
        let outcome = propose::propose(repository, &options);
        refused |= matches!(outcome, Outcome::Refused(_));
        failed |= matches!(outcome, Outcome::Failed(_));
        if writeln!(out, "{}", propose::line(&shown, &outcome)).and_then(|()| out.flush()).is_err() {
            return EXIT_ERROR;
        }
    }
    if failed {
        EXIT_ERROR
    } else if refused {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
