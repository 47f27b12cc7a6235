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
    /// Folders holding the repositories, found as `audit` finds them (each folder with `.git`),
    /// and git remotes to fetch (`https://`, `ssh://`, `git://`, `file://` URLs,
    /// `user@host:path`). Default: `.`.
    #[arg(value_name = "FOLDER|REMOTE")]
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
    #[command(flatten)]
    pub remote: super::remotes::RemoteArgs,
    /// Push the branch to REMOTE (default `origin`), with `--force-with-lease` when it is there
    /// already; a fetched remote is pushed to itself.
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
    /// Worker threads of each check (default: one per core); for remotes, the fetches at once
    /// (default: 4).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// No progress line for remotes.
    #[arg(short, long)]
    pub quiet: bool,
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

pub fn run(mut args: ProposeArgs) -> i32 {
    use crate::audit::discover;
    // `--push URL`: the URL is a remote to propose on, not the name to push to (`--push` takes
    // an optional value, so it took the remote after it).
    if let Some(url) = args.push.take_if(|p| crate::io::remote::is_remote(p)) {
        args.roots.insert(0, PathBuf::from(url));
        args.push = Some("origin".into());
    }
    let (remotes, mut roots) = match super::remotes::split(&args.roots, &args.remote, args.repos_from.as_deref()) {
        Ok(split) => split,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    if !remotes.is_empty() && args.push.as_deref().is_some_and(|p| p != "origin") {
        eprintln!("error: --push REMOTE names a remote of a local checkout; a fetched remote is pushed to its own URL (--push alone)");
        return EXIT_ERROR;
    }
    if roots.is_empty() && remotes.is_empty() && args.repos_from.is_none() {
        roots.push(PathBuf::from("."));
    }
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
            for root in &roots {
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
    // Every remote fetched (a few at a time) before the first proposal: the proposals run one
    // after the other, each from its own folder.
    let remotes_given = remotes.clone();
    let fetching = match super::remotes::fetch(&args.remote, remotes, args.jobs, None, !args.quiet) {
        Ok(fetching) => fetching,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    let mut out = std::io::stdout().lock();
    let mut say = |shown: &str, outcome: &Outcome| {
        refused |= matches!(outcome, Outcome::Refused(_));
        failed |= matches!(outcome, Outcome::Failed(_));
        writeln!(out, "{}", propose::line(shown, outcome)).and_then(|()| out.flush()).is_ok()
    };
    for repository in &repositories {
        let shown = crate::io::discover::display_path(repository, cwd.as_deref());
        if !say(&shown, &propose::propose(repository, &options)) {
            return EXIT_ERROR;
        }
    }
    // The remote as given (credentials and all: git needs them) by its printable form.
    let given: std::collections::HashMap<String, &String> =
        remotes_given.iter().map(|r| (crate::io::remote::without_secrets(r), r)).collect();
    for fetched in &fetching.fetched {
        let Some(remote) = given.get(&fetched.shown) else { continue };
        if !say(&fetched.shown, &propose::propose_fetched(&fetched.folder, remote, &options)) {
            return EXIT_ERROR;
        }
    }
    for skipped in &fetching.skipped {
        let outcome = Outcome::Failed(format!("not fetched: {}", skipped.reason));
        if !say(&skipped.path, &outcome) {
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
