//! Remotes in an audit: each fetched into the cache (see [`crate::io::remote`]), a few at a
//! time, before the audit walks them as folders; a remote that cannot be fetched is skipped with
//! its reason and the audit goes on. In the report a remote's repository is named by its URL
//! (without credentials), and so are its files (`URL/path`).

use super::{in_shard, RepositoryAudit, Skipped};
use crate::io::remote::{self, FetchOptions};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RemoteOptions {
    /// The remotes as given (credentials and all: git needs them).
    pub remotes: Vec<String>,
    pub git_ref: Option<String>,
    pub cache_dir: PathBuf,
    /// Remotes fetched at once.
    pub jobs: usize,
    /// The most one remote may take.
    pub timeout: Duration,
    /// When every fetch must be done.
    pub deadline: Option<Instant>,
    pub shard: Option<(usize, usize)>,
    /// One line per remote on standard error.
    pub progress: bool,
}

/// A remote fetched into the cache: the folder the audit walks and the name the report gives it.
#[derive(Debug, Clone)]
pub struct FetchedRemote {
    pub folder: PathBuf,
    /// Its URL without credentials.
    pub shown: String,
    /// The cache folder held (shared) while the audit reads it.
    pub lock: std::sync::Arc<remote::CacheLock>,
}

/// What fetching the remotes gave: the folders to audit and the remotes skipped.
#[derive(Debug, Default)]
pub struct Fetching {
    pub fetched: Vec<FetchedRemote>,
    pub skipped: Vec<Skipped>,
}

/// Fetches the remotes of this shard (by their printable URL, the same on every machine), each
/// once, `jobs` at a time.
pub fn fetch_all(options: &RemoteOptions) -> Fetching {
    let mut remotes: Vec<(String, &str)> = options
        .remotes
        .iter()
        .map(|r| (remote::without_secrets(r), r.as_str()))
        .filter(|(shown, _)| in_shard(shown, options.shard))
        .collect();
    remotes.sort_by(|a, b| a.0.cmp(&b.0));
    remotes.dedup_by(|a, b| a.0 == b.0);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Result<FetchedRemote, Skipped>>> = Mutex::new(Vec::new());
    let workers = options.jobs.clamp(1, remotes.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((shown, given)) = remotes.get(i) else { break };
                let result = fetch_one(shown, given, options);
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if options.progress {
                    let line = match &result {
                        Ok((_, said)) => said.clone(),
                        Err(skipped) => format!("skipped: {}", skipped.reason),
                    };
                    eprintln!("[{n}/{}] {}: {}", remotes.len(), crate::text::escape::terminal(shown), line);
                }
                if let Ok(mut results) = results.lock() {
                    results.push(result.map(|(fetched, _)| fetched));
                }
            });
        }
    });
    let mut fetching = Fetching::default();
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match result {
            Ok(fetched) => fetching.fetched.push(fetched),
            Err(skipped) => fetching.skipped.push(skipped),
        }
    }
    // Every folder held for reading only now: a run waiting for a lock holds none being fetched.
    for fetched in &fetching.fetched {
        fetched.lock.share(Instant::now() + options.timeout);
    }
    fetching.fetched.sort_by(|a, b| a.shown.cmp(&b.shown));
    fetching.skipped.sort();
    fetching
}

/// One remote fetched, with its progress line; else why it is skipped.
fn fetch_one(shown: &str, given: &str, options: &RemoteOptions) -> Result<(FetchedRemote, String), Skipped> {
    let started = Instant::now();
    let skip = |reason: String| Skipped { path: shown.to_string(), reason };
    let own = started + options.timeout;
    let deadline = options.deadline.map_or(own, |total| total.min(own));
    if deadline <= started {
        return Err(skip("not fetched: the audit's --deadline had passed".into()));
    }
    let fetch_options =
        FetchOptions { cache_dir: options.cache_dir.clone(), git_ref: options.git_ref.clone(), deadline };
    match remote::fetch(given, &fetch_options) {
        Ok(fetched) => {
            let said = format!(
                "{} {}, {} file{}, {} in {:.1} s",
                match (fetched.unchanged, fetched.updated) {
                    (true, _) => "unchanged at",
                    (false, true) => "updated to",
                    (false, false) => "cloned at",
                },
                fetched.commit.get(..12).unwrap_or(&fetched.commit),
                fetched.files,
                if fetched.files == 1 { "" } else { "s" },
                match fetched.blob_requests {
                    0 => "no blob fetched".to_string(),
                    1 => "1 blob request".to_string(),
                    n => format!("{n} blob requests"),
                },
                started.elapsed().as_secs_f64()
            );
            Ok((FetchedRemote { folder: fetched.folder, shown: shown.to_string(), lock: fetched.lock }, said))
        }
        Err(e) => Err(skip(e.to_string())),
    }
}

/// The audit of a fetched remote's folder named as the remote: the repository by its URL, its
/// files as `URL/path` (`renames`: the folder as the audit showed it, to the URL).
pub fn renamed(mut audit: RepositoryAudit, renames: &HashMap<String, String>) -> RepositoryAudit {
    let Some(shown) = renames.get(&audit.path) else { return audit };
    let folder = std::mem::replace(&mut audit.path, shown.clone());
    let rename = |file: &mut String| {
        if let Some(rest) = file.strip_prefix(folder.as_str()) {
            if rest.starts_with('/') {
                *file = format!("{}{rest}", shown.trim_end_matches('/'));
            }
        }
    };
    for instance in &mut audit.instances {
        rename(&mut instance.record.file);
        if let Some(descriptor) = &mut instance.record.facts.descriptor {
            rename(descriptor);
        }
        for source in &mut instance.sources {
            rename(&mut source.file);
        }
        // The runbook names each binding's and key's file too (`the MTA of FILE`).
        for binding in &mut instance.record.facts.bindings {
            rename(&mut binding.file);
        }
        for place in instance.conflicts.iter_mut().flat_map(|c| &mut c.values).flat_map(|v| &mut v.places) {
            rename(place);
        }
    }
    audit
}
