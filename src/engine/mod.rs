//! Orchestration of `check`: discover -> load -> lint or fix -> one report per file, in parallel,
//! holding one file at a time per worker; reports come back sorted by path. Deployment files
//! go first (`deployments`): they decide which descriptors are judged through them.

pub mod baseline;
pub mod inventory;

mod declarations;
mod deployments;
mod held;
pub mod pipeline;

pub use crate::io::load::repository_root;

use crate::diagnostic::Diagnostic;
pub use crate::diagnostic::FileReport;
use crate::engine::baseline::FindingsBaseline;
use crate::engine::inventory::{codes_of, InstanceRecord};
use crate::io::config::{Config, Resolver};
use crate::io::discover::{self, FileKind, Found};
use crate::io::history::History;
use crate::io::load::{self, LoadError};
use crate::lint::fix::FixOutcome;
use crate::model::deployment;
use crate::rules::{xs000_io_error, xs900_unused_suppression};
use crate::text::source::SourceFile;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Report only.
    Off,
    /// Write the fixed files.
    Apply,
    /// Write nothing; show a unified diff of what `Apply` would change.
    Diff,
}

/// Where a run's reports go: one call per file, in path order, as soon as no earlier path can
/// still come; then one `finish`. Outputs implement it; the engine knows none of them.
pub trait Reporter {
    /// Whether reports should carry their file's text (only with findings): an output that
    /// shows snippets of it.
    fn wants_source(&self) -> bool {
        false
    }
    /// The next file's report.
    fn file(&mut self, report: FileReport);
    /// The run is over: nothing more comes.
    fn finish(&mut self) {}
}

/// Every report, kept (for callers that look at the whole run: `audit`, `runbook`, tests).
impl Reporter for Vec<FileReport> {
    fn file(&mut self, report: FileReport) {
        self.push(report);
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub fix: FixMode,
    pub unsafe_fixes: bool,
    pub stdin_filename: String,
    pub threads: usize,
    /// `--base REV`; `None` compares with `HEAD`.
    pub base: Option<String>,
    /// Apply the configuration's excludes to files named explicitly too.
    pub force_exclude: bool,
    /// `--plan`: the plan of descriptors that no deployment file names.
    pub plan: Option<String>,
    /// Record every instance with its migration state (`audit`).
    pub inventory: bool,
    /// With `inventory`: also gather the bindings and service keys that scripts make for each
    /// instance (for runbooks; an audit that writes no HTML drops them, and skips the search).
    pub script_bindings: bool,
    /// Compare files with their git history (off for `audit`, which judges the tree as it is).
    pub history: bool,
    /// What the platform says about the instances (`check --live`): XS103's removal of
    /// `instance-secret` becomes a safe fix where it allows it.
    pub live: Option<Arc<crate::model::platform::LiveFacts>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fix: FixMode::Off,
            unsafe_fixes: false,
            stdin_filename: "<stdin>".into(),
            threads: 1,
            base: None,
            force_exclude: false,
            plan: None,
            inventory: false,
            script_bindings: true,
            history: true,
            live: None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub files_checked: usize,
    /// Paths that could not be read, or fixed files that could not be written.
    pub io_errors: usize,
    /// Files whose fix was refused by the safety check, with the reason.
    pub refused: Vec<(String, String)>,
    /// Fixes not written because a rival fix of another instance sharing the file won, and why.
    pub held_back: Vec<String>,
    /// With `--fix` on standard input: the fixed text, for standard output.
    pub fixed_stdin: Option<String>,
    /// Repositories that could not be opened, or a `--base` that does not resolve.
    pub history_errors: Vec<String>,
    /// With `Options::inventory`: every instance, sorted by file and line.
    pub instances: Vec<InstanceRecord>,
    /// With `Options::inventory`: the files counted in `files_checked`, as shown (for `audit`,
    /// which splits one run over many repositories).
    pub checked_files: Vec<String>,
}

/// One input as given on the command line.
enum Target {
    Stdin,
    File(PathBuf),
    Dir(PathBuf),
    Missing(PathBuf),
}

fn classify(path: &Path) -> Target {
    if path.as_os_str() == "-" {
        return Target::Stdin;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Target::Dir(path.to_path_buf()),
        Ok(_) => Target::File(path.to_path_buf()),
        // A dangling or looping symbolic link is "there"; reading it reports why it fails.
        Err(_) if std::fs::symlink_metadata(path).is_ok() => Target::File(path.to_path_buf()),
        Err(_) => Target::Missing(path.to_path_buf()),
    }
}

/// The set of files taken, by a 128-bit fingerprint of their canonical path rather than the
/// path itself: 16 bytes a file, and two different files share a fingerprint with odds far
/// below 1 in 10^25 at a million files.
#[derive(Default)]
struct Seen {
    keys: (std::hash::RandomState, std::hash::RandomState),
    taken: Mutex<HashSet<(u64, u64)>>,
}

impl Seen {
    /// Whether `canonical` is taken for the first time.
    fn first(&self, canonical: &Path) -> bool {
        use std::hash::BuildHasher;
        // `Path`'s hash, as its equality: component by component.
        let fingerprint = (self.keys.0.hash_one(canonical), self.keys.1.hash_one(canonical));
        self.taken.lock().unwrap().insert(fingerprint)
    }
}

struct Collector<'c> {
    /// Files already taken, by canonical path: a file named twice (or named and walked) is
    /// linted once, so `--fix` never writes it twice and `--diff` never repeats a hunk.
    seen: Seen,
    /// Help texts of the findings held: each distinct text once (a 1,000,000-file tree has
    /// ~42,000 findings and ~25 distinct help texts).
    help_texts: Mutex<HashSet<std::sync::Arc<str>>>,
    /// Reports made and not yet handed on (each path's turn comes in path order).
    reports: Mutex<Vec<held::WaitingReport>>,
    /// Whether reports carry their file's text ([`Reporter::wants_source`]).
    keep_source: bool,
    checked: Mutex<usize>,
    io_errors: Mutex<usize>,
    refused: Mutex<Vec<(String, String)>>,
    /// Fixes not written because a rival fix of another instance sharing the file won.
    held_back: Mutex<Vec<String>>,
    fixed_stdin: Mutex<Option<String>>,
    history: History,
    configs: &'c Resolver,
    baseline: Option<&'c FindingsBaseline>,
    /// Files judged with a deployment set (descriptors it uses, extensions), by canonical
    /// path: the walk reports a descriptor from here rather than judging it on its own.
    /// Shared keys: the list of paths whose reports may still come holds them too.
    used_by_deployments: Mutex<HashMap<Arc<Path>, deployments::HeldReport>>,
    /// The rules of the findings held there.
    held_rules: held::HeldRules,
    /// Descriptors that a deployment file names but that are not UTF-8, by canonical path: their
    /// instance is the deployment file's (XS005), not listed again as a descriptor of its own.
    named_unreadable: Mutex<std::collections::HashSet<PathBuf>>,
    instances: Mutex<Vec<InstanceRecord>>,
    /// Every instance a deployment file declares, in every run: XS115 compares them.
    declarations: Mutex<declarations::Declarations>,
    checked_files: Mutex<Vec<String>>,
    /// The folders and files named on the command line (absolute and normalised): outside git,
    /// the trees reads stay in.
    named: load::NamedFolders,
    /// The files deployment files bring in, read once for the run.
    reads: load::Reads,
}

/// The walk as the configuration of each folder wants it: excluded folders and files left out,
/// included globs added to the descriptor names.
struct ConfiguredSelector<'a>(&'a Resolver);

impl discover::Selector for ConfiguredSelector<'_> {
    fn skip_dir(&self, path: &Path) -> bool {
        self.0.for_folder(path).is_some_and(|c| c.is_excluded(path))
    }

    fn wants(&self, path: &Path, named: bool) -> bool {
        // Broken configuration: still taken, so that `file` reports nothing twice and skips it.
        self.0.for_file(path).is_none_or(|c| !c.is_excluded(path) && (named || c.is_included(path)))
    }

    fn may_include_others(&self) -> bool {
        self.0.any_includes()
    }
}

/// Files of the last phase judged between two hand-overs of reports, per worker thread: enough
/// to keep the threads busy, few enough that little is held.
const BATCH_PER_THREAD: usize = 64;

pub fn check(
    paths: &[PathBuf],
    opts: &Options,
    configs: &Resolver,
    baseline: Option<&FindingsBaseline>,
    reporter: &mut dyn Reporter,
) -> Outcome {
    let cwd = std::env::current_dir().ok();
    let collector = Collector {
        seen: Seen::default(),
        help_texts: Mutex::new(HashSet::new()),
        reports: Mutex::new(Vec::new()),
        keep_source: reporter.wants_source(),
        checked: Mutex::new(0),
        io_errors: Mutex::new(0),
        refused: Mutex::new(Vec::new()),
        held_back: Mutex::new(Vec::new()),
        fixed_stdin: Mutex::new(None),
        history: History::new(opts.base.as_deref()),
        configs,
        baseline,
        used_by_deployments: Mutex::new(HashMap::new()),
        held_rules: held::HeldRules::default(),
        named_unreadable: Mutex::new(std::collections::HashSet::new()),
        instances: Mutex::new(Vec::new()),
        declarations: Mutex::new(declarations::Declarations::default()),
        checked_files: Mutex::new(Vec::new()),
        named: load::normalized(&paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect::<Vec<_>>()),
        reads: load::Reads::default(),
    };
    let mut targets: Vec<(PathBuf, FileKind, bool)> = Vec::new();
    let mut dirs = Vec::new();
    let mut stdin = false;
    for path in paths {
        match classify(path) {
            Target::Stdin => stdin = true,
            Target::File(p) => {
                // Named explicitly: any name is a descriptor unless it is a deployment or credentials file.
                let kind = p.file_name().and_then(|n| n.to_str()).and_then(|n| discover::classify_path(&p, n));
                targets.push((p, kind.unwrap_or(FileKind::Descriptor), true));
            }
            Target::Dir(p) => dirs.push(p),
            Target::Missing(p) => {
                let display = discover::display_path(&p, cwd.as_deref());
                collector.io_error(&display, "the path does not exist".into(), opts);
            }
        }
    }
    let walked = Mutex::new(Vec::new());
    discover::walk(&dirs, opts.threads, &ConfiguredSelector(configs), &|found| match found {
        Found::File(p, kind) => walked.lock().unwrap().push((p, kind, false)),
        Found::NotRegular(p) => collector.io_error(
            &discover::display_path(&p, cwd.as_deref()),
            "cannot read the file: it is not a regular file (a FIFO, socket or device)".into(),
            opts,
        ),
        Found::Error { path, message } => {
            let display = path.map_or_else(|| "<walk>".to_string(), |p| discover::display_path(&p, cwd.as_deref()));
            collector.io_error(&display, message, opts)
        }
    });
    targets.extend(walked.into_inner().unwrap_or_default());
    // Deployment files first: they say which descriptors are judged through them.
    let mut extensions: Vec<PathBuf> = targets
        .iter()
        .filter(|(_, kind, _)| *kind == FileKind::Deployment(deployment::FileFormat::MtaExtension))
        .map(|(p, _, _)| p.clone())
        .collect();
    // An extension named alone (a commit hook passes the staged files) is judged through the
    // MTA it extends, found from its folder up to the repository's root.
    let named_extensions: Vec<PathBuf> = targets
        .iter()
        .filter(|(_, kind, explicit)| *explicit && *kind == FileKind::Deployment(deployment::FileFormat::MtaExtension))
        .map(|(p, _, _)| p.clone())
        .collect();
    for extension in named_extensions {
        if let Some(mta) = extended_mta(&extension, &collector.named) {
            targets.push((mta, FileKind::Deployment(deployment::FileFormat::Mta), false));
        }
    }
    // An MTA judged without a walk of its folder (named alone, brought in by a named extension or
    // `cf push` manifest, on standard input) gets the extensions a check of its folder finds.
    let stdin_stands_for = stdin.then(|| collector.stdin_stands_for(opts));
    let mta_folders = targets
        .iter()
        .filter(|(_, kind, explicit)| match kind {
            FileKind::Deployment(deployment::FileFormat::Mta) => true,
            FileKind::Deployment(deployment::FileFormat::CfManifest) => *explicit,
            _ => false,
        })
        .map(|(p, kind, _)| (p.as_path(), *kind))
        .chain(stdin_stands_for.as_ref().and_then(|(p, kind)| Some((p.as_path(), (*kind)?))))
        .filter_map(|(p, kind)| mta_folder(p, kind));
    extensions.extend(extensions_found_in(mta_folders, &dirs, opts.threads, configs));
    // Each read once, and offered to the MTAs whose `ID` it extends.
    let extensions = deployments::Extensions::index(distinct_files(extensions));
    if let Some((stands_for, kind)) = stdin_stands_for {
        collector.stdin(&stands_for, kind, &extensions, opts);
    }
    // Extensions are read by the MTA they extend; their findings come out with the leftovers.
    targets.retain(|(_, kind, _)| *kind != FileKind::Deployment(deployment::FileFormat::MtaExtension));
    // A `cf push` manifest is judged with the instances it binds: after the files declaring them.
    let split = move_to_end(
        &mut targets,
        |(_, kind, _)| matches!(kind, FileKind::Deployment(k) if *k != deployment::FileFormat::CfManifest),
    );
    if opts.fix == FixMode::Off {
        // Consumed: each path is freed once its file is done.
        targets.par_drain(split..).for_each(|(p, kind, explicit)| {
            let p = p.as_path();
            // Found by name, a deployment file is read only if its content is relevant, and one that
            // cannot be read is skipped in silence; one too large to read could hold instances.
            if !explicit && std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() > load::MAX_FILE_SIZE) {
                return collector.too_large(p, &discover::display_path(p, cwd.as_deref()), opts);
            }
            if let FileKind::Deployment(kind) = kind {
                collector.deployment(p, &discover::display_path(p, cwd.as_deref()), kind, explicit, &extensions, opts);
            }
        });
    } else {
        collector.fix_deployments(targets.drain(split..).collect(), &extensions, cwd.as_deref(), opts);
    }
    // `cf push` manifests may judge the deployment files beside them and park findings for
    // other files: before the phase whose reports leave in path order.
    let split = move_to_end(&mut targets, |(_, kind, _)| matches!(kind, FileKind::Deployment(_)));
    targets.par_drain(split..).for_each(|(p, _, explicit)| {
        let display = discover::display_path(&p, cwd.as_deref());
        collector.cf_manifest(&p, &display, explicit, &extensions, opts)
    });
    // Findings parked for deployment files: no later phase takes them, so out now rather than
    // holding back every path after theirs until the end.
    // XS115 compares every declaration: all deployment files are judged by now.
    collector.conflicting_declarations(opts);
    collector.leftover_findings(cwd.as_deref(), opts, true);
    // The last phase in path order, a batch at a time: each report leaves once no earlier path
    // can still come, so the run holds a batch's reports, not the tree's.
    let mut late = collector.late_paths(cwd.as_deref());
    let mut rest: Vec<(String, PathBuf, FileKind, bool)> = targets
        .into_iter()
        .map(|(p, kind, explicit)| (discover::display_path(&p, cwd.as_deref()), p, kind, explicit))
        .collect();
    // Unstable: no buffer as large as the list (two entries of one path are one file, taken once).
    rest.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut rest = std::collections::VecDeque::from(rest);
    let mut pending: Vec<held::WaitingReport> = Vec::new();
    let batch = BATCH_PER_THREAD * opts.threads.max(1);
    while !rest.is_empty() {
        let files: Vec<_> = rest.drain(..batch.min(rest.len())).collect();
        files.into_par_iter().for_each(|(display, p, kind, explicit)| match kind {
            FileKind::Credentials => collector.credentials(&p, &display, explicit, opts),
            _ => collector.file(&p, &display, explicit, opts),
        });
        take_reports(&mut pending, &collector.reports);
        // Reports still to come: of the next files, of files judged through deployment files
        // that the walk has not reached, and of configurations' unused suppressions.
        let next = rest.front().map(|(display, ..)| display.clone());
        let limit = [next, collector.first_late_path(&mut late)].into_iter().flatten().min();
        hand_over(&mut pending, limit.as_deref(), &collector.held_rules, reporter);
    }
    drop(extensions);
    collector.leftover_findings(cwd.as_deref(), opts, false);
    collector.unused_suppressions(&dirs, cwd.as_deref());
    take_reports(&mut pending, &collector.reports);
    hand_over(&mut pending, None, &collector.held_rules, reporter);
    reporter.finish();
    let mut refused = collector.refused.into_inner().unwrap_or_default();
    refused.sort();
    Outcome {
        files_checked: collector.checked.into_inner().unwrap_or_default(),
        io_errors: collector.io_errors.into_inner().unwrap_or_default(),
        refused,
        held_back: {
            let mut held_back = collector.held_back.into_inner().unwrap_or_default();
            held_back.sort();
            held_back.dedup();
            held_back
        },
        fixed_stdin: collector.fixed_stdin.into_inner().unwrap_or_default(),
        history_errors: collector.history.errors(),
        instances: {
            let mut instances = collector.instances.into_inner().unwrap_or_default();
            instances.sort();
            instances
        },
        checked_files: collector.checked_files.into_inner().unwrap_or_default(),
    }
}

/// Moves the entries `later` picks to the end of `files`, in their order (files named come
/// before files walked), and returns where they start: in place, as a second list would be as
/// large as the files found. The others lose their order (they are sorted after).
fn move_to_end<T>(files: &mut [T], later: impl Fn(&T) -> bool) -> usize {
    let mut start = files.len();
    for i in (0..files.len()).rev() {
        if later(&files[i]) {
            start -= 1;
            files.swap(i, start);
        }
    }
    start
}

/// Moves the reports made since the last call to `pending`, leaving no empty buffer behind:
/// the deployment phase makes one report per deployment file, and its list would stay as
/// large for the rest of the run.
fn take_reports(pending: &mut Vec<held::WaitingReport>, reports: &Mutex<Vec<held::WaitingReport>>) {
    let made = std::mem::take(&mut *reports.lock().unwrap());
    if pending.is_empty() {
        *pending = made;
    } else {
        pending.extend(made);
    }
}

/// Hands `pending`'s reports on in path order, those before `limit` (all without one); the rest
/// stay pending. A path's reports (a file judged on its own and through other files' instances)
/// are merged into one, in an order of their contents, not of the threads that made them.
fn hand_over(
    pending: &mut Vec<held::WaitingReport>,
    limit: Option<&str>,
    rules: &held::HeldRules,
    reporter: &mut dyn Reporter,
) {
    let known = rules.known();
    // Unstable, so without a buffer as large as the reports: reports equal in this order are
    // equal in what is shown, and merged into one.
    pending.sort_unstable_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then_with(|| a.diff().cmp(&b.diff()))
            .then_with(|| a.findings(&known).cmp(&b.findings(&known)))
    });
    let ready = limit.map_or(pending.len(), |limit| pending.partition_point(|r| &*r.path < limit));
    for report in merge_same_path(pending.drain(..ready).map(|waiting| rules.report(waiting))) {
        reporter.file(report);
    }
}

/// One report per path: a file that is a deployment file of its own and also receives findings
/// about another file's instances (a Makefile with `cf create-service` and a chart's `--set-file`)
/// was judged twice. `reports` is sorted by path; findings keep their order, then go by position.
fn merge_same_path(reports: impl Iterator<Item = FileReport>) -> Vec<FileReport> {
    let mut merged: Vec<FileReport> = Vec::new();
    for report in reports {
        match merged.last_mut() {
            Some(last) if last.path == report.path => {
                last.diagnostics.extend(report.diagnostics);
                last.diagnostics.sort_by_key(|d| (d.start.offset, d.end.offset));
                if last.source.is_none() {
                    last.source = report.source;
                }
                last.fixes_applied += report.fixes_applied;
                last.diff = match (last.diff.take(), report.diff) {
                    (Some(a), Some(b)) => Some(a + &b),
                    (a, b) => a.or(b),
                };
            }
            _ => merged.push(report),
        }
    }
    merged
}

/// The folder whose extensions apply to the MTA `path` (a `cf push` manifest: to the MTA beside it).
fn mta_folder(path: &Path, kind: FileKind) -> Option<PathBuf> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match kind {
        FileKind::Deployment(deployment::FileFormat::Mta) => Some(folder),
        FileKind::Deployment(deployment::FileFormat::CfManifest) => {
            deployment::MTA_NAMES.iter().any(|name| folder.join(name).is_file()).then_some(folder)
        }
        _ => None,
    }
}

/// The `.mtaext` files a check of the MTA deployment descriptor `mta` alone would offer it: those
/// found under its folder, ignore files and configured excludes applied (the language server's
/// lookup, so an editor judges an MTA with the extensions `check mta.yaml` reads).
pub fn extensions_of_mta(mta: &Path, configs: &Resolver) -> Vec<PathBuf> {
    let Some(folder) = mta_folder(mta, FileKind::Deployment(deployment::FileFormat::Mta)) else { return Vec::new() };
    let mut found = extensions_found_in(std::iter::once(folder), &[], 1, configs);
    found.sort();
    found
}

/// The `.mtaext` files that a check of `folders` finds (ignore files and configured excludes
/// as in any walk), leaving out the folders inside one the run walks anyway.
fn extensions_found_in(
    folders: impl Iterator<Item = PathBuf>,
    walked: &[PathBuf],
    threads: usize,
    configs: &Resolver,
) -> Vec<PathBuf> {
    let walked = load::normalized(walked);
    let mut roots: Vec<PathBuf> = Vec::new();
    for folder in folders {
        let absolute = deployment::normalize(&folder);
        if walked.widest_holding(&absolute).is_none() && !roots.iter().any(|r| deployment::normalize(r) == absolute) {
            roots.push(folder);
        }
    }
    let found = Mutex::new(Vec::new());
    // Errors of these walks are not the run's: they read folders nobody named.
    discover::walk(&roots, threads, &ConfiguredSelector(configs), &|entry| {
        if let Found::File(path, FileKind::Deployment(deployment::FileFormat::MtaExtension)) = entry {
            found.lock().unwrap().push(path);
        }
    });
    found.into_inner().unwrap_or_default()
}

/// `files` each once, spelled as the walk spells them (relative to the working folder, no `./`)
/// and sorted: a file named and walked (`./app/x.mtaext` and `app/x.mtaext`), or reached
/// through a link, is one file, and the order extensions apply in does not depend on spelling.
fn distinct_files(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().ok();
    let mut spelled: Vec<PathBuf> = files
        .into_iter()
        .map(|f| {
            let absolute = deployment::normalize(&f);
            match cwd.as_deref().and_then(|c| absolute.strip_prefix(c).ok()) {
                Some(relative) => relative.to_path_buf(),
                None => absolute,
            }
        })
        .collect();
    spelled.sort();
    let mut seen = HashSet::new();
    spelled.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    spelled
}

/// The MTA that a `.mtaext` extends: the nearest MTA descriptor (one of
/// [`deployment::MTA_NAMES`], then the folder's `mta*.yaml` variants) from the extension's
/// folder up to the repository's root whose `ID` is the extension's `extends`.
fn extended_mta(extension: &Path, named: &load::NamedFolders) -> Option<PathBuf> {
    let root = load::repository_root_in(extension, named);
    let text = load::read_text_within(extension, &root, load::MAX_FILE_SIZE).ok()?;
    let id = deployment::top_level_value(&text, "extends")?;
    let folder = std::path::absolute(extension).ok()?.parent()?.to_path_buf();
    let cwd = std::env::current_dir().ok();
    for dir in folder.ancestors() {
        let mut variants: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| deployment::is_mta_variant_name(name))
            .map(|name| dir.join(name))
            .collect();
        variants.sort();
        for candidate in deployment::MTA_NAMES.iter().map(|name| dir.join(name)).chain(variants) {
            let Ok(text) = load::read_text_within(&candidate, &root, load::MAX_FILE_SIZE) else { continue };
            if deployment::top_level_value(&text, "ID").as_deref() == Some(id.as_str()) {
                // Shown as the walk would show it: relative to the working folder.
                return Some(match cwd.as_deref().and_then(|c| candidate.strip_prefix(c).ok()) {
                    Some(relative) => relative.to_path_buf(),
                    None => candidate,
                });
            }
        }
        if dir == root {
            break;
        }
    }
    None
}

impl Collector<'_> {
    /// The folder reads and writes for `path` stay in (see [`load::repository_root_in`]).
    fn root_of(&self, path: &Path) -> PathBuf {
        load::repository_root_in(path, &self.named)
    }

    /// The bound of a top-level read: a file the walk found is inside the tree by construction
    /// (it follows no link); a file named on the command line stays in its repository.
    fn bound(&self, path: &Path, explicit: bool) -> Option<PathBuf> {
        explicit.then(|| self.root_of(path))
    }

    /// One more file checked (with `inventory`, remembered by the name it is shown by).
    fn count_checked(&self, display: &str, opts: &Options) {
        *self.checked.lock().unwrap() += 1;
        if opts.inventory {
            self.checked_files.lock().unwrap().push(display.to_string());
        }
    }

    fn push(&self, mut report: FileReport) {
        self.compact(&mut report.diagnostics);
        let waiting = self.held_rules.wait(report);
        if let Ok(mut reports) = self.reports.lock() {
            reports.push(waiting);
        }
    }

    /// Findings to hold (until their path's turn): the rule's help text shared with every other
    /// finding that has it. The rest is packed as it is held ([`held::HeldRules`]).
    fn compact(&self, diagnostics: &mut [Diagnostic]) {
        if let Ok(mut texts) = self.help_texts.lock() {
            for help in diagnostics.iter_mut().filter_map(|d| d.help.as_mut()) {
                match texts.get(help) {
                    Some(shared) => *help = shared.clone(),
                    None => {
                        texts.insert(help.clone());
                    }
                }
            }
        }
    }

    fn io_error(&self, display: &str, message: String, opts: &Options) {
        let zero = crate::text::source::Position { line: 1, column: 1, offset: 0 };
        let diagnostic = Diagnostic::at(&xs000_io_error::RULE, zero, zero, message);
        self.load_failed(display, LoadError::Io(Box::new(diagnostic)), None, opts);
    }

    fn load_failed(&self, display: &str, error: LoadError, config: Option<(&Config, &Path)>, opts: &Options) {
        self.load_failed_as(display, error, config, false, opts);
    }

    /// `inventory_as_descriptor`: with `Options::inventory`, the file is listed as a descriptor
    /// whose configuration cannot be read.
    fn load_failed_as(
        &self,
        display: &str,
        error: LoadError,
        config: Option<(&Config, &Path)>,
        inventory_as_descriptor: bool,
        opts: &Options,
    ) {
        if matches!(error, LoadError::Io(_)) {
            *self.io_errors.lock().unwrap() += 1;
        } else {
            self.count_checked(display, opts);
        }
        let mut diagnostics = vec![error.into_diagnostic()];
        if let Some((config, path)) = config {
            config.apply(path, &mut diagnostics);
        }
        if inventory_as_descriptor {
            self.record_unreadable_descriptor(display, &diagnostics, config, opts);
        }
        let mut report = FileReport { path: display.to_string(), diagnostics, ..FileReport::default() };
        if let Some(baseline) = self.baseline {
            baseline.filter(&mut report);
        }
        self.push(report);
    }

    /// A descriptor that is not UTF-8 (UTF-16 from an editor) is still an instance whose
    /// configuration nobody can read: `audit` and `runbook` list it as invalid, as they list a
    /// descriptor that is not JSON.
    fn record_unreadable_descriptor(
        &self,
        display: &str,
        diagnostics: &[Diagnostic],
        config: Option<(&Config, &Path)>,
        opts: &Options,
    ) {
        let plan = opts.plan.as_deref().or_else(|| config.and_then(|(c, p)| c.plan_for(p)));
        let environment = config.and_then(|(c, p)| c.environment_for(p));
        let name = display.rsplit('/').next().unwrap_or_default().to_string();
        self.record(InstanceRecord {
            file: display.to_string(),
            line: 1,
            name,
            kind: crate::engine::inventory::InstanceKind::Descriptor,
            plan: plan.unwrap_or("unknown").to_string(),
            state: crate::model::descriptor::MigrationState::Invalid,
            codes: codes_of(diagnostics.iter().map(|d| d.rule.code)),
            facts: crate::engine::inventory::Facts {
                environment: Some(environment.unwrap_or(crate::model::environment::Environment::CloudFoundry)),
                assumed: environment.is_none(),
                xsappname: None,
                descriptor: Some(display.to_string()),
                bindings: Vec::new(),
                service_name: None,
                namespace: None,
                dual_since: None,
                credential_types: None,
            },
        });
    }

    /// `explicit`: named on the command line rather than found by the walk.
    fn file(&self, path: &Path, display: &str, explicit: bool, opts: &Options) {
        // A broken configuration file is reported once at the end; its files are not linted.
        let Some(config) = self.configs.for_file(path) else { return };
        if explicit && opts.force_exclude && config.is_excluded(path) {
            return;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.first(&key) {
            return;
        }
        if let Some(parked) = self.take_parked(&key) {
            self.count_checked(display, opts);
            return self.publish_parked(display, parked, opts);
        }
        match load::read_path_within(path, display, load::ReadAs::Json, self.bound(path, explicit).as_deref()) {
            Ok(source) => self.source(source, Some(path), &config, opts),
            Err(e) => {
                // Listed unless a deployment file names it: its instance is listed there (XS005).
                let as_descriptor = opts.inventory
                    && matches!(e, LoadError::NotText { .. })
                    && !self.named_unreadable.lock().unwrap().contains(&key);
                self.load_failed_as(display, e, Some((&config, path)), as_descriptor, opts)
            }
        }
    }

    /// A file found by name that is too large to read (XS000, as for a descriptor).
    fn too_large(&self, path: &Path, display: &str, opts: &Options) {
        let Some(config) = self.configs.for_file(path) else { return };
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.first(&key) {
            return;
        }
        // Shrunk since it was looked at: read as usual next time; nothing to say now.
        if let Err(e) = load::read_path(path, display) {
            self.load_failed(display, e, Some((&config, path)), opts);
        }
    }

    /// The file standard input stands for, and its kind when its name says one.
    fn stdin_stands_for(&self, opts: &Options) -> (PathBuf, Option<FileKind>) {
        let stands_for = PathBuf::from(if opts.stdin_filename == "<stdin>" { "." } else { &opts.stdin_filename });
        let named =
            stands_for.file_name().and_then(|n| n.to_str()).and_then(|n| discover::classify_path(&stands_for, n));
        (stands_for, named)
    }

    fn stdin(&self, stands_for: &Path, named: Option<FileKind>, extensions: &deployments::Extensions, opts: &Options) {
        // Standard input is configured as the file it stands for.
        let Some(config) = self.configs.for_file(stands_for) else {
            // A broken configuration is reported at the end; otherwise standard input is never
            // dropped in silence.
            if self.configs.errors().is_empty() {
                let message = format!("cannot tell which configuration applies to `{}`", opts.stdin_filename);
                self.io_error(&opts.stdin_filename, message, opts);
            }
            return;
        };
        // Read in the format its name says: `rendered.yaml` is Kubernetes YAML, `mta.yaml` an MTA.
        match load::read_stdin(&opts.stdin_filename) {
            Ok(source) => match named {
                Some(FileKind::Deployment(kind)) => {
                    self.deployment_stdin(stands_for, source, kind, &config, extensions, opts)
                }
                _ => self.source(source, None, &config, opts),
            },
            Err(e) => self.load_failed(&opts.stdin_filename, e, Some((&config, stands_for)), opts),
        }
    }

    /// XS900 for each suppression that matched nothing, in the configurations of folders this
    /// run walked (a list of files cannot tell that a suppression for another file is stale).
    fn unused_suppressions(&self, walked: &[PathBuf], cwd: Option<&Path>) {
        let walked: Vec<PathBuf> = walked.iter().filter_map(|d| std::path::absolute(d).ok()).collect();
        for config in self.configs.loaded() {
            let Some(file) = &config.file else { continue };
            if !walked.iter().any(|w| config.root.starts_with(w)) {
                continue;
            }
            let Some(severity) =
                config.level(xs900_unused_suppression::RULE.code, xs900_unused_suppression::RULE.severity)
            else {
                continue;
            };
            let mut diagnostics: Vec<Diagnostic> = config
                .unused_suppressions()
                .map(|s| {
                    let mut d = Diagnostic::at(
                        &xs900_unused_suppression::RULE,
                        s.position,
                        s.end,
                        format!(
                            "suppression of {} for `{}`{} matched no finding; remove it",
                            s.rules.join(", "),
                            s.path,
                            s.pointer.as_ref().map(|p| format!(" at `{p}`")).unwrap_or_default()
                        ),
                    );
                    d.severity = severity;
                    d.help = Some(format!("Its reason was: {}", s.reason).into());
                    d
                })
                .collect();
            if diagnostics.is_empty() {
                continue;
            }
            crate::lint::sort(&mut diagnostics);
            let display = discover::display_path(file, cwd);
            self.push(FileReport { path: display, diagnostics, ..FileReport::default() });
        }
    }

    /// The per-file pipeline under `config`, as this run sets it up.
    fn judge<'s>(&'s self, config: &'s Arc<Config>, opts: &'s Options) -> pipeline::Judge<'s> {
        pipeline::Judge {
            configs: self.configs,
            config,
            history: opts.history.then_some(&self.history),
            plan: opts.plan.as_deref(),
            live: opts.live.as_deref(),
        }
    }

    /// Lints (or fixes) one loaded file. `write_to` is `None` for standard input.
    fn source(&self, source: SourceFile, write_to: Option<&Path>, config: &Arc<Config>, opts: &Options) {
        self.count_checked(&source.path, opts);
        let mut report = FileReport { path: source.path.clone(), ..FileReport::default() };
        let configured_as = write_to.map_or_else(|| PathBuf::from(&opts.stdin_filename), Path::to_path_buf);
        let observed = crate::lint::Observed::default();
        let judge = self.judge(config, opts);
        let fix = (opts.fix != FixMode::Off).then_some(opts.unsafe_fixes);
        let descriptor = pipeline::Descriptor { source: &source, file: write_to, configured_as: &configured_as };
        let judged = judge.descriptor(&descriptor, fix, opts.inventory.then_some(&observed));
        let (base, plan, environment) = (judged.base, judged.plan, judged.environment);
        let mut shown = source;
        match judged.outcome {
            FixOutcome::Unchanged(diagnostics) => report.diagnostics = diagnostics,
            FixOutcome::Refused { reason, diagnostics } => {
                self.refused.lock().unwrap().push((shown.path.clone(), reason));
                report.diagnostics = diagnostics;
            }
            FixOutcome::Fixed(fixed) if opts.fix == FixMode::Diff => {
                report.fixes_applied = fixed.applied;
                report.diff = Some(crate::lint::diff::unified(&shown.path, &shown.text, &fixed.text));
                report.diagnostics = fixed.remaining;
            }
            FixOutcome::Fixed(fixed) => {
                let written = write_to.map_or(Ok(()), |path| {
                    let written =
                        crate::io::write::write_atomically(path, &self.root_of(path), &shown.text, &fixed.text);
                    self.reads.forget(path);
                    written
                });
                match written {
                    Ok(()) => {
                        report.fixes_applied = fixed.applied;
                        report.diagnostics = fixed.remaining;
                        shown = SourceFile::new(shown.path.clone(), fixed.text);
                    }
                    Err(e) => {
                        *self.io_errors.lock().unwrap() += 1;
                        let reason = format!("cannot write the fixed file: {e}");
                        self.refused.lock().unwrap().push((shown.path.clone(), reason));
                        // Reported as it stays on disk.
                        let descriptor =
                            pipeline::Descriptor { source: &shown, file: write_to, configured_as: &configured_as };
                        let unfixed = judge.descriptor(&descriptor, None, opts.inventory.then_some(&observed));
                        if let FixOutcome::Unchanged(diagnostics) = unfixed.outcome {
                            report.diagnostics = diagnostics;
                        }
                    }
                }
            }
        }
        // Standard input with `--fix`: the (possibly fixed) text goes to standard output.
        if write_to.is_none() && opts.fix == FixMode::Apply {
            *self.fixed_stdin.lock().unwrap() = Some(shown.text.clone());
        }
        if opts.inventory {
            let xsappname = observed.xsappname.take();
            let xsappname_known = xsappname.is_some();
            let name = xsappname.unwrap_or_else(|| shown.path.rsplit('/').next().unwrap_or_default().to_string());
            self.record(InstanceRecord {
                file: report.path.clone(),
                line: 1,
                name: name.clone(),
                kind: crate::engine::inventory::InstanceKind::Descriptor,
                plan: plan.unwrap_or("unknown").to_string(),
                state: observed.state.get(),
                codes: codes_of(report.diagnostics.iter().map(|d| d.rule.code)),
                facts: crate::engine::inventory::Facts {
                    environment: Some(environment.unwrap_or(crate::model::environment::Environment::CloudFoundry)),
                    assumed: environment.is_none(),
                    xsappname: Some(name.clone()).filter(|_| xsappname_known),
                    descriptor: Some(report.path.clone()),
                    bindings: Vec::new(),
                    service_name: None,
                    namespace: None,
                    dual_since: base
                        .as_ref()
                        .and_then(|b| b.dual_since.as_ref())
                        .filter(|_| observed.state.get() == crate::model::descriptor::MigrationState::Dual)
                        .map(|s| crate::engine::inventory::DualSinceFact { date: s.date.clone(), days: s.days }),
                    credential_types: None,
                },
            });
        }
        self.publish(report, shown, opts);
    }

    /// The baseline, the text for outputs that show it (with findings, and not with `--diff`),
    /// then the report.
    fn publish(&self, mut report: FileReport, shown: SourceFile, opts: &Options) {
        if let Some(baseline) = self.baseline {
            baseline.filter(&mut report);
        }
        if self.keep_source && opts.fix != FixMode::Diff && !report.diagnostics.is_empty() {
            report.source = Some(shown);
        }
        self.push(report);
    }

    /// The paths whose reports may come after the last phase, sorted: files judged through
    /// deployment files that the walk may not reach (by the path shown, and the canonical one
    /// they are parked by), and configurations whose unused suppressions are known at the end.
    fn late_paths(&self, cwd: Option<&Path>) -> std::collections::VecDeque<(String, Option<Arc<Path>>)> {
        let parked = self.used_by_deployments.lock().unwrap();
        let parked = parked.keys().map(|path| (discover::display_path(path, cwd), Some(path.clone())));
        let loaded = self.configs.loaded();
        let configs = loaded
            .iter()
            .filter(|c| !c.suppressions.is_empty())
            .filter_map(|c| c.file.as_deref().map(|f| (discover::display_path(f, cwd), None)));
        let mut late: Vec<_> = parked.chain(configs).collect();
        late.sort();
        late.into()
    }

    /// The first of `late` whose report may still come (a parked file not yet taken).
    fn first_late_path(&self, late: &mut std::collections::VecDeque<(String, Option<Arc<Path>>)>) -> Option<String> {
        let parked = self.used_by_deployments.lock().unwrap();
        while late.front().is_some_and(|(_, key)| key.as_ref().is_some_and(|k| !parked.contains_key(k))) {
            late.pop_front();
        }
        late.front().map(|(display, _)| display.clone())
    }

    fn record(&self, instance: InstanceRecord) {
        if let Ok(mut instances) = self.instances.lock() {
            instances.push(instance);
        }
    }
}

#[cfg(test)]
mod tests {
    /// The entries moved keep their order (named files first); the others are all before them.
    #[test]
    fn moved_to_the_end_in_their_order() {
        let mut files = vec!["named.yaml", "a.json", "b.yaml", "c.json", "d.yaml", "e.json"];
        let start = super::move_to_end(&mut files, |f| f.ends_with(".yaml"));
        assert_eq!(start, 3);
        assert_eq!(&files[start..], ["named.yaml", "b.yaml", "d.yaml"]);
        let mut kept = files[..start].to_vec();
        kept.sort();
        assert_eq!(kept, ["a.json", "c.json", "e.json"]);
    }
}
