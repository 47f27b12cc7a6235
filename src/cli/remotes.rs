//! Git remotes on the command line, shared by `audit` and `propose`: the flags, telling remotes
//! from folders, `--remotes-from`, and fetching them into the cache.

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug, Default)]
pub struct RemoteArgs {
    /// The git remotes listed in FILE, one URL a line (`#` comments; `-` reads standard input),
    /// e.g. from `gh repo list ORG --json url -q '.[].url'`.
    #[arg(long, value_name = "FILE")]
    pub remotes_from: Option<PathBuf>,
    /// The branch or tag of every remote (default: each remote's default branch).
    #[arg(long = "ref", value_name = "NAME")]
    pub git_ref: Option<String>,
    /// Where remotes are cloned and kept between runs (default: `$XDG_CACHE_HOME/xsuaa-lint/remotes`,
    /// else `~/.cache/xsuaa-lint/remotes`).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// The most seconds one remote may take to fetch; then git is stopped and the remote skipped.
    #[arg(long, value_name = "SECONDS", default_value_t = 300.0, value_parser = seconds)]
    pub remote_timeout: f64,
    /// The most seconds fetching every remote may take; remotes not fetched by then are skipped.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub deadline: Option<f64>,
}

/// A number of seconds: positive, at most a year.
fn seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(n) if n > 0.0 && n <= 366.0 * 86_400.0 => Ok(n),
        _ => Err(format!("`{s}`: a number of seconds above 0 (e.g. 300 or 0.5)")),
    }
}

/// The arguments split into remotes (those named, then those of `--remotes-from`) and folders;
/// `repos_from`: the `--repos-from` file, which cannot share standard input with `--remotes-from`.
/// The error is a message for `error: ...`.
pub fn split(
    roots: &[PathBuf],
    args: &RemoteArgs,
    repos_from: Option<&std::path::Path>,
) -> Result<(Vec<String>, Vec<PathBuf>), String> {
    let (mut remotes, mut folders) = (Vec::new(), Vec::new());
    for root in roots {
        match root.to_str().filter(|r| crate::io::remote::is_remote(r)) {
            Some(remote) => remotes.push(remote.to_string()),
            None => folders.push(root.clone()),
        }
    }
    if let Some(file) = &args.remotes_from {
        if repos_from.is_some_and(|f| f.as_os_str() == "-") && file.as_os_str() == "-" {
            return Err("--repos-from and --remotes-from cannot both read standard input".into());
        }
        let listed =
            listed_remotes(file).map_err(|e| format!("--remotes-from {}", crate::text::escape::terminal(&e)))?;
        remotes.extend(listed);
    }
    Ok((remotes, folders))
}

/// The remotes of `--remotes-from`.
fn listed_remotes(file: &std::path::Path) -> Result<Vec<String>, String> {
    let text = if file.as_os_str() == "-" {
        super::audit::read_stdin()?
    } else {
        crate::io::load::read_text(file).map_err(|e| format!("{}: {e}", file.display()))?
    };
    crate::io::remote::listed(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Fetches `remotes` into the cache, `jobs` at a time (default 4), only those of `shard`;
/// `progress`: one line per remote on standard error.
pub fn fetch(
    args: &RemoteArgs,
    remotes: Vec<String>,
    jobs: Option<usize>,
    shard: Option<(usize, usize)>,
    progress: bool,
) -> Result<crate::audit::remote::Fetching, String> {
    if remotes.is_empty() {
        return Ok(Default::default());
    }
    let cache_dir = match args.cache_dir.clone().or_else(crate::io::remote::default_cache_dir) {
        Some(dir) => dir,
        None => return Err("no cache folder for remotes: set --cache-dir (or HOME, XDG_CACHE_HOME)".into()),
    };
    let options = crate::audit::remote::RemoteOptions {
        remotes,
        git_ref: args.git_ref.clone(),
        cache_dir,
        jobs: jobs.filter(|&j| j > 0).unwrap_or(4).min(64),
        timeout: Duration::from_secs_f64(args.remote_timeout),
        deadline: args.deadline.map(|d| Instant::now() + Duration::from_secs_f64(d)),
        shard,
        progress,
    };
    Ok(crate::audit::remote::fetch_all(&options))
}
