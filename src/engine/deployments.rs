//! The deployment side of a run: deployment files with their instances' effective
//! configuration, the descriptors they use (judged through them, once), committed credentials.
//! The judging and the fix loop are the pure core's ([`crate::lint::set`]); here they meet the
//! disk, the configuration, the history and the reports.

use super::held::HeldFinding;
use super::FileReport;
use super::{Collector, FixMode, Options};
use crate::diagnostic::Diagnostic;
use crate::engine::inventory::InstanceRecord;
use crate::io::config::Config;
use crate::io::load;
use crate::lint::fix::Converged;
use crate::lint::set::{
    dedup, judge_group, judge_set, load_set, Declaration, Judgement, Member, SetOptions, SetOutcome,
};
use crate::model::deployment::FileFormat;
use crate::model::deployment::InstanceSet;
use crate::text::source::SourceFile;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file of a deployment set that the walk reports later (a descriptor) or never reaches
/// (an extension, a descriptor outside the walk): its final findings, and its texts when
/// they are needed for rendering or a diff. One is held per descriptor a deployment file uses
/// until the walk reaches it, so what is rarely there (texts, keepers) takes no room otherwise.
pub(super) struct HeldReport {
    diagnostics: Vec<HeldFinding>,
    fixes_applied: usize,
    /// The first set with something to show has filled `texts` and `fixes_applied`.
    filled: bool,
    /// The final text and the one before `--fix`/`--diff` changed it: only when shown.
    texts: Option<Box<HeldTexts>>,
    /// Cloud Foundry instances configured by this file that still need `instance-secret`
    /// (`uaa` (mta.yaml)): why XS113 of another environment's instance sharing it is not fixed.
    keepers: Vec<String>,
}

/// The texts of a [`HeldReport`].
struct HeldTexts {
    /// The final text: kept only when there is something to show.
    source: Option<SourceFile>,
    /// The text before `--fix`/`--diff` changed it.
    original: Option<String>,
}

impl HeldReport {
    fn texts(source: Option<SourceFile>, original: Option<String>) -> Option<Box<HeldTexts>> {
        (source.is_some() || original.is_some()).then(|| Box::new(HeldTexts { source, original }))
    }

    fn original(&self) -> Option<&String> {
        self.texts.as_ref().and_then(|t| t.original.as_ref())
    }
}

/// The `.mtaext` files of a run, by the MTA ID each extends: read once per run, so that each
/// MTA reads only its own extensions, not every extension of the tree.
pub(super) struct Extensions {
    by_id: HashMap<String, Vec<PathBuf>>,
    /// Extensions whose `extends` a line does not tell for sure: offered to every MTA.
    unsure: Vec<PathBuf>,
}

impl Extensions {
    pub(super) fn index(paths: Vec<PathBuf>) -> Self {
        let mut by_id: HashMap<String, Vec<PathBuf>> = HashMap::new();
        let mut unsure = Vec::new();
        for path in paths {
            let id = crate::io::load::read_path_as(&path, &path.to_string_lossy(), crate::io::load::ReadAs::Deployment)
                .ok()
                .and_then(|source| single_top_level_value(&source.text, "extends"));
            match id {
                Some(id) => by_id.entry(id).or_default().push(path),
                None => unsure.push(path),
            }
        }
        Extensions { by_id, unsure }
    }

    pub(super) fn none() -> Self {
        Extensions { by_id: HashMap::new(), unsure: Vec::new() }
    }

    /// The extensions that may extend the deployment file of `kind` and `text`: an MTA's (the
    /// model checks each one), none for other kinds.
    fn of(&self, kind: FileFormat, text: &str) -> Vec<PathBuf> {
        if kind != FileFormat::Mta {
            return Vec::new();
        }
        match single_top_level_value(text, "ID") {
            Some(id) => self.by_id.get(&id).into_iter().flatten().chain(&self.unsure).cloned().collect(),
            None => self.by_id.values().flatten().chain(&self.unsure).cloned().collect(),
        }
    }
}

/// A top-level `KEY:` written on one line only, plainly (no escapes, anchors, tags or flow
/// syntax that would make YAML read it otherwise); `None` when unsure.
fn single_top_level_value(text: &str, key: &str) -> Option<String> {
    let mut lines = text.lines().filter(|line| line.strip_prefix(key).is_some_and(|rest| rest.starts_with(':')));
    let (Some(_), None) = (lines.next(), lines.next()) else { return None };
    let value = crate::model::deployment::top_level_value(text, key)?;
    let plain = !value.contains(['\\', '&', '*', '!', '{', '[', '|', '>', '"', '\'', '#', '%', '@', '`']);
    plain.then_some(value)
}

impl Collector<'_> {
    pub(super) fn deployment(
        &self,
        path: &Path,
        display: &str,
        kind: FileFormat,
        explicit: bool,
        extensions: &Extensions,
        opts: &Options,
    ) {
        if let Some((config, source, kind)) = self.admit(path, display, kind, explicit, opts) {
            let extensions = extensions.of(kind, &source.text);
            self.judge_deployment(path, display, kind, source, &extensions, &config, false, opts);
        }
    }

    /// A deployment file the run takes: read, relevant, not taken before (counted as checked),
    /// with the kind its content makes it (a YAML file named like an MTA variant that holds no
    /// MTA descriptor is any other YAML file: a Kubernetes manifest, maybe).
    fn admit(
        &self,
        path: &Path,
        display: &str,
        kind: FileFormat,
        explicit: bool,
        opts: &Options,
    ) -> Option<(Arc<Config>, SourceFile, FileFormat)> {
        let config = self.configs.for_file(path)?;
        if explicit && opts.force_exclude && config.is_excluded(path) {
            return None;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let source = match load::read_path_within(
            path,
            display,
            load::ReadAs::Deployment,
            self.bound(path, explicit).as_deref(),
        ) {
            Ok(source) => source,
            // Deployment candidates are found by name only: an unreadable one is noise unless
            // named, or unless it is text that is not UTF-8 and matters (XS004).
            Err(e @ load::LoadError::NotText { .. })
                if explicit || e.lossy_text().is_some_and(|t| kind.is_relevant(t)) =>
            {
                if self.seen.first(&key) {
                    self.load_failed(display, e, Some((&config, path)), opts);
                }
                return None;
            }
            Err(e) if explicit => {
                self.load_failed(display, e, Some((&config, path)), opts);
                return None;
            }
            Err(_) => return None,
        };
        let kind = super::pipeline::deployment_kind(path, kind, &source.text)?;
        if !self.seen.first(&key) {
            return None;
        }
        self.count_checked(display, opts);
        Some((config, source, kind))
    }

    /// `--fix` and `--diff`: the deployment files are loaded first, then grouped by the files
    /// their sets share (a descriptor used by an MTA and by Helm values), and each group runs
    /// one fix loop, so a shared file gets one plan from every instance using it and is
    /// written once. Members and groups are ordered by path: the same output on every run and
    /// with any number of threads.
    pub(super) fn fix_deployments(
        &self,
        deployments: Vec<(PathBuf, crate::io::discover::FileKind, bool)>,
        extensions: &Extensions,
        cwd: Option<&Path>,
        opts: &Options,
    ) {
        let loaded: Vec<Loaded> = deployments
            .into_par_iter()
            .filter_map(|(path, kind, explicit)| {
                let display = crate::io::discover::display_path(&path, cwd);
                let crate::io::discover::FileKind::Deployment(kind) = kind else { return None };
                let too_large = std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() > load::MAX_FILE_SIZE);
                if !explicit && too_large {
                    self.too_large(&path, &display, opts);
                    return None;
                }
                let (config, source, kind) = self.admit(&path, &display, kind, explicit, opts)?;
                let root = self.root_of(&path);
                let extensions = extensions.of(kind, &source.text);
                let declaration = Declaration { path: &path, kind, root: &root, extensions: &extensions };
                let set = load_set(&declaration, source, &load::DiskWithin { root: &root, reads: &self.reads });
                let keys = set.paths.iter().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())).collect();
                Some(Loaded { path, display, kind, config, root, extensions, set, keys })
            })
            .collect();
        group_sharing(loaded).into_par_iter().for_each(|group| self.fix_group(group, cwd, opts));
    }

    fn fix_group(&self, group: Vec<Loaded>, cwd: Option<&Path>, opts: &Options) {
        let mut sets = Vec::with_capacity(group.len());
        let mut metas = Vec::with_capacity(group.len());
        let mut extension_lists = Vec::with_capacity(group.len());
        // A member's own file may also be another member's side file (a binding file of a
        // Terraform module or a Kubernetes folder): its diff and fix count are reported once, by
        // the member that declares it.
        let declared: std::collections::HashSet<PathBuf> =
            group.iter().filter_map(|m| m.keys.first().cloned()).collect();
        let mut side_keys = Vec::with_capacity(group.len());
        for Loaded { path, display, kind, config, root, extensions, set, keys } in group {
            side_keys.push(keys.clone());
            sets.push((set, keys));
            metas.push((path, display, kind, config, root));
            extension_lists.push(extensions);
        }
        let declarations: Vec<Declaration<'_>> = metas
            .iter()
            .zip(&extension_lists)
            .map(|((path, _, kind, _, root), extensions)| Declaration { path, kind: *kind, root, extensions })
            .collect();
        let judges: Vec<_> = metas.iter().map(|(_, _, _, config, _)| self.judge(config, opts)).collect();
        let base_ofs: Vec<_> = judges.iter().map(|judge| judge.base_of()).collect();
        let filters: Vec<_> = judges.iter().map(|judge| judge.filter()).collect();
        let options: Vec<SetOptions<'_>> = judges
            .iter()
            .zip(base_ofs.iter().zip(&filters))
            .map(|(judge, (base_of, filter))| judge.set_options(base_of, filter, Some(opts.unsafe_fixes)))
            .collect();
        let members = sets
            .into_iter()
            .zip(declarations.iter().zip(&options))
            .map(|((set, keys), (declaration, options))| Member { declaration, set, keys, options })
            .collect();
        // The members share files, so they share a repository: the first one's bounds the group.
        let root = &metas[0].4;
        let group = judge_group(members, &load::DiskWithin { root, reads: &self.reads }, opts.unsafe_fixes);
        if let Some(reason) = &group.refused {
            // Nothing is written; the files are reported as they are on disk.
            self.refused.lock().unwrap().push((metas[0].1.clone(), reason.clone()));
        } else if opts.fix == FixMode::Apply {
            self.write_set(root, &group.paths, &group.files, &group.originals);
        }
        // By the canonical path, as the walk shows the file (`infra/../xs-security.json` is
        // `xs-security.json`).
        let cwd = cwd.and_then(|c| std::fs::canonicalize(c).ok());
        let shown = |file: usize| {
            let path = &group.paths[file];
            let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            crate::io::discover::display_path(&canonical, cwd.as_deref())
        };
        let held_back = group.held_back.iter().map(|(file, reason)| format!("{}: {reason}", shown(*file)));
        self.held_back.lock().unwrap().extend(held_back);
        for (((_, display, kind, _, root), (mut outcome, base_of)), keys) in
            metas.iter().zip(group.members.into_iter().zip(&base_ofs)).zip(&side_keys)
        {
            for (file, key) in keys.iter().enumerate().skip(1) {
                if declared.contains(key) {
                    if let Some(original) = outcome.converged.originals.get_mut(file) {
                        *original = None;
                    }
                    if let Some(applied) = outcome.converged.applied.get_mut(file) {
                        *applied = 0;
                    }
                }
            }
            self.publish_set(display, *kind, root, outcome, base_of, opts);
        }
    }

    /// Standard input named like a deployment file (`--stdin-filename rendered.yaml`): judged
    /// as that file, the files it names read from the disk; `--fix` prints its fixed text and
    /// writes nothing (a fix that would change another file is refused).
    pub(super) fn deployment_stdin(
        &self,
        stands_for: &Path,
        source: SourceFile,
        kind: FileFormat,
        config: &Arc<Config>,
        extensions: &Extensions,
        opts: &Options,
    ) {
        let display = source.path.clone();
        self.count_checked(&display, opts);
        let extensions = extensions.of(kind, &source.text);
        self.judge_deployment(stands_for, &display, kind, source, &extensions, config, true, opts);
    }

    #[allow(clippy::too_many_arguments)]
    fn judge_deployment(
        &self,
        path: &Path,
        display: &str,
        kind: FileFormat,
        source: SourceFile,
        extensions: &[PathBuf],
        config: &Arc<Config>,
        stdin: bool,
        opts: &Options,
    ) {
        let root = self.root_of(path);
        let declaration = Declaration { path, kind, root: &root, extensions };
        let judge = self.judge(config, opts);
        let (base_of, filter) = (judge.base_of(), judge.filter());
        let fix = (opts.fix != FixMode::Off).then_some(opts.unsafe_fixes);
        let options = judge.set_options(&base_of, &filter, fix);
        let piped = (stdin && opts.fix == FixMode::Apply).then(|| source.clone());
        let disk = load::DiskWithin { root: &root, reads: &self.reads };
        let mut outcome = judge_set(&declaration, source, &disk, &options);
        // Standard input with `--fix` prints its own text and writes nothing: a plan that also
        // changes another file cannot be carried out, so none of it is (applying half of one
        // plan could skip a stage), and the files are judged as they are.
        if let Some(piped) = piped {
            let cwd = std::env::current_dir().ok();
            let mut elsewhere = Vec::new();
            for (file, original) in outcome.converged.originals.iter().enumerate().skip(1) {
                if original.is_some() && outcome.converged.refused.is_none() {
                    let path = outcome.set.paths.get(file).map(PathBuf::as_path).unwrap_or(Path::new(""));
                    elsewhere.push(crate::io::discover::display_path(path, cwd.as_deref()));
                }
            }
            if !elsewhere.is_empty() {
                let reason = format!(
                    "it would also change {}, which standard input does not hold; nothing was applied (run `xsuaa-lint check --fix` on the files)",
                    elsewhere.join(", ")
                );
                self.refused.lock().unwrap().push((display.to_string(), reason));
                outcome = judge_set(&declaration, piped, &disk, &SetOptions { fix: None, ..options });
            }
            *self.fixed_stdin.lock().unwrap() = Some(outcome.converged.files[0].text.clone());
        }
        let converged = &outcome.converged;
        if let Some(reason) = &converged.refused {
            // Nothing is written; the files are reported as they are on disk.
            self.refused.lock().unwrap().push((display.to_string(), reason.clone()));
        } else if opts.fix == FixMode::Apply && !stdin {
            self.write_set(&root, &outcome.set.paths, &converged.files, &converged.originals);
        }
        self.publish_set(display, kind, &root, outcome, &base_of, opts);
    }

    /// The reports of a judged set: its deployment file's, and its other files' parked for the
    /// walk; with `inventory`, its instances.
    fn publish_set(
        &self,
        display: &str,
        kind: FileFormat,
        root: &Path,
        outcome: SetOutcome,
        base_of: &dyn Fn(&Path, &str) -> Option<crate::model::descriptor::Baseline>,
        opts: &Options,
    ) {
        let SetOutcome { mut set, descriptors, converged, instances } = outcome;
        for path in &set.unreadable_descriptors {
            let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            self.named_unreadable.lock().unwrap().insert(key);
        }
        let Converged { files, originals, applied, diagnostics, .. } = converged;
        let keepers = keepers(&set, &instances, display);
        self.keep_declarations(&set, &instances, display);
        if opts.inventory {
            // Files this adds to the set come after the judged ones: the reports below pair
            // the judged files only.
            if opts.script_bindings {
                crate::model::deployment::attach_script_bindings(
                    &mut set,
                    kind,
                    root,
                    &load::DiskWithin { root, reads: &self.reads },
                );
            }
            for (instance, Judgement { state, codes, list }) in set.instances.iter().zip(instances) {
                // A reuse service's XSUAA client is no xsuaa instance to migrate: its findings
                // are reported, the instance is not listed.
                if instance.wrapper.is_some() {
                    continue;
                }
                let (line, _) = set.files[instance.file].locate(instance.span);
                let mut facts = facts(&set, instance, state == crate::model::descriptor::MigrationState::Dual, base_of);
                facts.credential_types = list;
                self.record(InstanceRecord {
                    file: display.to_string(),
                    line: line.line,
                    name: instance.name.clone(),
                    kind: crate::engine::inventory::InstanceKind::Deployment(instance.format),
                    plan: instance.plan.as_ref().map_or("unknown", |(p, _)| p.as_str()).to_string(),
                    state,
                    codes,
                    facts,
                });
            }
        }
        let mut parts = files.into_iter().zip(set.paths).zip(diagnostics).zip(applied).zip(originals);
        if let Some(((((source, _), diagnostics), fixes_applied), original)) = parts.next() {
            let texts = HeldReport::texts(Some(source), original);
            self.publish_held(display, diagnostics, fixes_applied, texts, opts);
        }
        for (file, ((((source, other), mut diagnostics), fixes_applied), original)) in parts.enumerate() {
            // A descriptor is always parked (the walk reports it from here, without reading it
            // again); an extension only when there is something to report.
            let shown = !diagnostics.is_empty() || original.is_some();
            if !shown && !descriptors[file + 1] {
                continue;
            }
            // Held until the walk reaches the file, as a report is.
            self.compact(&mut diagnostics);
            let used = std::fs::canonicalize(&other).unwrap_or(other);
            let mut map = self.used_by_deployments.lock().unwrap();
            let entry = map.entry(Arc::from(used)).or_insert_with(|| HeldReport {
                diagnostics: Vec::new(),
                fixes_applied: 0,
                filled: false,
                texts: None,
                keepers: Vec::new(),
            });
            // Texts are kept only for findings and changes, and only when the report shows
            // them (the `full` format, a diff): holding them until the descriptor's turn would
            // make memory grow with the tree.
            if shown && !entry.filled {
                let needed = self.keep_source || original.is_some();
                entry.texts = HeldReport::texts(needed.then_some(source), original);
                entry.filled = true;
                entry.fixes_applied = fixes_applied;
            }
            // Those held first, as `dedup` keeps the first of equals.
            let mut all: Vec<Diagnostic> =
                entry.diagnostics.drain(..).map(|held| self.held_rules.unhold(held)).collect();
            all.extend(diagnostics);
            dedup(&mut all);
            // Into a list of their own size: `collect` would keep the findings' larger one.
            entry.diagnostics = Vec::with_capacity(all.len());
            entry.diagnostics.extend(all.into_iter().map(|d| self.held_rules.hold(d)));
            entry.keepers.extend(keepers.iter().filter(|(f, _)| *f == file + 1).map(|(_, k)| k.clone()));
        }
    }

    fn write_set(&self, root: &Path, paths: &[PathBuf], files: &[SourceFile], originals: &[Option<String>]) {
        for (file, original) in originals.iter().enumerate() {
            let Some(original) = original else { continue };
            let written = crate::io::write::write_atomically(&paths[file], root, original, &files[file].text);
            // Read again by any later set, not served from what was held.
            self.reads.forget(&paths[file]);
            if let Err(e) = written {
                *self.io_errors.lock().unwrap() += 1;
                let reason = format!("cannot write the fixed file: {e}");
                self.refused.lock().unwrap().push((files[file].path.clone(), reason));
            }
        }
    }

    /// The report of a file judged with a deployment set, under the name the run shows it by.
    pub(super) fn publish_parked(&self, display: &str, parked: HeldReport, opts: &Options) {
        let mut diagnostics: Vec<Diagnostic> =
            parked.diagnostics.into_iter().map(|held| self.held_rules.unhold(held)).collect();
        explain_kept_instance_secret(&mut diagnostics, parked.keepers);
        self.publish_held(display, diagnostics, parked.fixes_applied, parked.texts, opts);
    }

    /// The report of a file judged with a deployment set, its findings unpacked.
    fn publish_held(
        &self,
        display: &str,
        diagnostics: Vec<Diagnostic>,
        fixes_applied: usize,
        texts: Option<Box<HeldTexts>>,
        opts: &Options,
    ) {
        let mut report = FileReport { path: display.to_string(), diagnostics, fixes_applied, ..FileReport::default() };
        let (source, original) = texts.map_or((None, None), |t| (t.source, t.original));
        let shown = match source {
            Some(mut source) => {
                source.path = display.to_string();
                source
            }
            None => SourceFile::new(display, String::new()),
        };
        if opts.fix == FixMode::Diff {
            if let Some(original) = &original {
                report.diff = Some(crate::lint::diff::unified(display, original, &shown.text));
            }
        }
        self.publish(report, shown, opts);
    }

    /// A descriptor judged through a deployment set: its parked report, if it has one.
    pub(super) fn take_parked(&self, key: &Path) -> Option<HeldReport> {
        self.used_by_deployments.lock().unwrap().remove(key)
    }

    /// A `cf push` manifest: its bindings were judged with the instances they name (parked by
    /// the files declaring them); on its own it declares nothing.
    pub(super) fn cf_manifest(
        &self,
        path: &Path,
        display: &str,
        explicit: bool,
        extensions: &Extensions,
        opts: &Options,
    ) {
        let Some(config) = self.configs.for_file(path) else { return };
        if explicit && opts.force_exclude && config.is_excluded(path) {
            return;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        // Named alone (a commit hook passes the staged files): the files beside it that may
        // declare the instances it binds are judged too, with it.
        if explicit && !self.used_by_deployments.lock().unwrap().contains_key(key.as_path()) {
            let folder = path.parent().unwrap_or(Path::new(""));
            let shown_folder = display.rsplit_once('/').map(|(f, _)| f);
            for name in ["services-manifest.yml", "services-manifest.yaml"]
                .into_iter()
                .chain(crate::model::deployment::MTA_NAMES)
            {
                let sibling = folder.join(name);
                let Some(kind) = FileFormat::of_name(name) else { continue };
                // A regular file, not a link: read as the walk would read it.
                if std::fs::symlink_metadata(&sibling).is_ok_and(|m| m.is_file()) {
                    let shown = shown_folder.map_or_else(|| name.to_string(), |f| format!("{f}/{name}"));
                    self.deployment(&sibling, &shown, kind, false, extensions, opts);
                }
            }
        }
        // Named like a `cf push` manifest but a Kubernetes manifest (`k8s/manifest.yaml`), or a
        // manifest asking for `instance-secret` (XS110 whoever declares the instance): judged on
        // its own, when no declaring file bound instances through it.
        if !self.used_by_deployments.lock().unwrap().contains_key(key.as_path()) {
            let text =
                load::read_path_within(path, display, load::ReadAs::Deployment, self.bound(path, explicit).as_deref())
                    .ok();
            if text.is_some_and(|t| FileFormat::Kubernetes.is_relevant(&t.text) || t.text.contains("instance-secret")) {
                return self.deployment(path, display, FileFormat::CfManifest, explicit, &Extensions::none(), opts);
            }
        }
        if !self.seen.first(&key) {
            return;
        }
        match self.take_parked(&key) {
            Some(parked) => {
                self.count_checked(display, opts);
                self.publish_parked(display, parked, opts);
            }
            None if explicit => self.count_checked(display, opts),
            None => {}
        }
    }

    /// A possible credentials dump (XS120).
    pub(super) fn credentials(&self, path: &Path, display: &str, explicit: bool, opts: &Options) {
        let Some(config) = self.configs.for_file(path) else { return };
        if explicit && opts.force_exclude && config.is_excluded(path) {
            return;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let Ok(source) =
            load::read_path_within(path, display, load::ReadAs::Json, self.bound(path, explicit).as_deref())
        else {
            return;
        };
        if !(source.text.contains("clientsecret") || source.text.contains("\"key\"")) {
            return;
        }
        let Some(diagnostics) = self.judge(&config, opts).credentials(&source, path) else { return };
        if !self.seen.first(&key) {
            return;
        }
        self.count_checked(&source.path, opts);
        let report = FileReport { path: source.path.clone(), diagnostics, ..FileReport::default() };
        self.publish(report, source, opts);
    }

    /// Findings in files the run did not visit itself (extensions, descriptors outside the
    /// walk or excluded from it). `deployments_only`: only those of deployment files, which no
    /// later phase takes (so their reports need not wait for the end of the run).
    pub(super) fn leftover_findings(&self, cwd: Option<&Path>, opts: &Options, deployments_only: bool) {
        let is_deployment = |path: &Path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| crate::io::discover::classify_path(path, n))
                .is_some_and(|k| matches!(k, crate::io::discover::FileKind::Deployment(_)))
        };
        let left: Vec<(Arc<Path>, HeldReport)> = {
            let mut parked = self.used_by_deployments.lock().unwrap();
            let keys: Vec<Arc<Path>> =
                parked.keys().filter(|path| !deployments_only || is_deployment(path)).cloned().collect();
            keys.into_iter().filter_map(|k| parked.remove_entry(&k)).collect()
        };
        for (path, parked) in left {
            if parked.diagnostics.is_empty() && parked.original().is_none() {
                continue;
            }
            // A deployment file judged on its own (a `.tf` of the module, a script, a ConfigMap's
            // manifest) may also hold findings of another file's instances: reported too.
            let deployment = is_deployment(&path);
            if !self.seen.first(&path) && !deployment {
                continue;
            }
            self.publish_parked(&crate::io::discover::display_path(&path, cwd), parked, opts);
        }
    }
}

/// What `runbook` needs of an instance that a deployment file declares.
/// `dual`: the instance is in the dual state, so the date it entered it is looked up in the
/// history of its descriptor file (through `base_of`, which knows whether history is read).
fn facts(
    set: &crate::model::deployment::InstanceSet,
    instance: &crate::model::deployment::Instance,
    dual: bool,
    base_of: &dyn Fn(&Path, &str) -> Option<crate::model::descriptor::Baseline>,
) -> crate::engine::inventory::Facts {
    let cwd = std::env::current_dir().ok();
    let shown = |file: usize| crate::io::discover::display_path(&set.paths[file], cwd.as_deref());
    let xsappname =
        instance.layers.iter().rev().find_map(|l| l.node.get("xsappname").and_then(|n| n.as_str().map(String::from)));
    let descriptor_file =
        instance.layers.iter().rfind(|l| l.kind == crate::model::deployment::LayerKind::DescriptorFile).map(|l| l.file);
    let descriptor = descriptor_file.map(shown);
    let dual_since = descriptor_file
        .filter(|_| dual)
        .and_then(|file| base_of(&set.paths[file], &set.files[file].text))
        .and_then(|base| base.dual_since)
        .map(|since| crate::engine::inventory::DualSinceFact { date: since.date, days: since.days });
    let bindings = instance
        .bindings
        .iter()
        .map(|b| crate::engine::inventory::BindingRecord {
            kind: if b.key {
                crate::engine::inventory::BindingKind::ServiceKey
            } else {
                crate::engine::inventory::BindingKind::Binding
            },
            name: b.name.clone(),
            file: shown(b.file),
            line: set.files[b.file].locate(b.span).0.line,
            tool: instance.format,
            handle: crate::engine::inventory::ToolHandle::of(&b.handle),
        })
        .collect();
    crate::engine::inventory::Facts {
        environment: Some(crate::model::environment::Environment::of(instance.format)),
        assumed: false,
        xsappname,
        descriptor,
        bindings,
        service_name: instance.service_name.clone(),
        namespace: instance.namespace.clone(),
        dual_since,
        credential_types: None,
    }
}

/// A deployment file of a `--fix`/`--diff` run, loaded with its set, before it is grouped.
pub(super) struct Loaded {
    path: PathBuf,
    display: String,
    kind: FileFormat,
    config: Arc<Config>,
    root: PathBuf,
    /// The `.mtaext` files the set read (an MTA's).
    extensions: Vec<PathBuf>,
    set: InstanceSet,
    /// The canonical path of each file of the set.
    keys: Vec<PathBuf>,
}

/// The deployment files whose sets share a file, together (union-find over the files' canonical
/// paths); each group's members, and the groups, in the order of their paths.
fn group_sharing(loaded: Vec<Loaded>) -> Vec<Vec<Loaded>> {
    fn root_of(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut parent: Vec<usize> = (0..loaded.len()).collect();
    let mut owner: std::collections::HashMap<&Path, usize> = std::collections::HashMap::new();
    for (i, member) in loaded.iter().enumerate() {
        for key in &member.keys {
            let j = *owner.entry(key).or_insert(i);
            let (a, b) = (root_of(&mut parent, i), root_of(&mut parent, j));
            // The smaller index leads: which file leads does not depend on the order of visits.
            parent[a.max(b)] = a.min(b);
        }
    }
    drop(owner);
    let leaders: Vec<usize> = (0..loaded.len()).map(|i| root_of(&mut parent, i)).collect();
    let mut groups: std::collections::BTreeMap<usize, Vec<Loaded>> = std::collections::BTreeMap::new();
    for (member, leader) in loaded.into_iter().zip(leaders) {
        groups.entry(leader).or_default().push(member);
    }
    let mut groups: Vec<Vec<Loaded>> = groups.into_values().collect();
    for group in &mut groups {
        group.sort_by(|a, b| a.display.cmp(&b.display));
    }
    groups
}

/// The Cloud Foundry instances of a set that still need `instance-secret` (their state allows
/// it), by each descriptor file they use: `(file, "`uaa` (mta.yaml)")`.
fn keepers(
    set: &crate::model::deployment::InstanceSet,
    judgements: &[Judgement],
    display: &str,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (instance, Judgement { state, .. }) in set.instances.iter().zip(judgements) {
        let environment = crate::model::environment::Environment::of(instance.format);
        if environment != crate::model::environment::Environment::CloudFoundry || !state.allows_instance_secret() {
            continue;
        }
        for layer in instance.layers.iter().filter(|l| l.kind == crate::model::deployment::LayerKind::DescriptorFile) {
            out.push((layer.file, format!("`{}` ({display})", instance.name)));
        }
    }
    out
}

/// XS113 on a file that a Cloud Foundry instance also uses says why `instance-secret` stays
/// (the fix loop keeps the most conservative list of a shared file); the same in `check` and
/// after `--fix`, as both see every instance using the file.
fn explain_kept_instance_secret(diagnostics: &mut [Diagnostic], mut keepers: Vec<String>) {
    if keepers.is_empty() {
        return;
    }
    keepers.sort();
    keepers.dedup();
    let code = crate::rules::xs113_instance_secret_outside_cloud_foundry::RULE.code;
    let (one, many) = ("the Cloud Foundry instance", "the Cloud Foundry instances");
    let who = format!("{} {}", if keepers.len() == 1 { one } else { many }, keepers.join(", "));
    for d in diagnostics.iter_mut().filter(|d| d.rule.code == code) {
        d.message = format!("{}; it stays: this file is also used by {who}, which still needs it", d.message);
    }
}
