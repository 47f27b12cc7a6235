//! The deployment side of a run: deployment files with their instances' effective
//! configuration, the descriptors they use (judged through them, once), committed credentials.
//! The judging and the fix loop are the pure core's ([`crate::lint::set`]); here they meet the
//! disk, the configuration, the history and the reports.

use super::{Collector, FixMode, Options};
use crate::config::Config;
use crate::deployment::Kind;
use crate::diagnostic::Diagnostic;
use crate::inventory::InstanceRecord;
use crate::lint::fix::Converged;
use crate::lint::set::{dedup, judge_set, Declaration, SetOptions, SetOutcome};
use crate::load;
use crate::report::{FileReport, OutputFormat};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder that `path:` may not leave: the git work tree, else the working directory, else
/// the deployment file's folder.
pub fn repository_root(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    if let Some(root) = folder.ancestors().find(|d| d.join(".git").exists()) {
        return root.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cwd) if folder.starts_with(&cwd) => cwd,
        _ => folder,
    }
}

/// A file of a deployment set that the walk reports later (a descriptor) or never reaches
/// (an extension, a descriptor outside the walk): its final findings, and its texts when
/// they are needed for rendering or a diff.
pub(super) struct Parked {
    /// The final text: kept only when there is something to show.
    source: Option<SourceFile>,
    /// The text before `--fix`/`--diff` changed it.
    original: Option<String>,
    diagnostics: Vec<Diagnostic>,
    fixes_applied: usize,
    /// The first set with something to show has filled `source`, `original`, `fixes_applied`.
    filled: bool,
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
            let id = crate::load::read_path_as(&path, &path.to_string_lossy(), crate::load::Format::Deployment)
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

    /// The extensions that may extend the MTA of `text` (the model checks each one).
    fn of(&self, text: &str) -> Vec<PathBuf> {
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
    let value = crate::deployment::top_level_value(text, key)?;
    let plain = !value.contains(['\\', '&', '*', '!', '{', '[', '|', '>', '"', '\'', '#', '%', '@', '`']);
    plain.then_some(value)
}

impl Collector<'_> {
    pub(super) fn deployment(
        &self,
        path: &Path,
        display: &str,
        kind: Kind,
        explicit: bool,
        extensions: &Extensions,
        opts: &Options,
    ) {
        let Some(config) = self.configs.for_file(path) else { return };
        if explicit && opts.force_exclude && config.is_excluded(path) {
            return;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let source = match load::read_path_as(path, display, load::Format::Deployment) {
            Ok(source) => source,
            // Deployment candidates are found by name only: an unreadable one is noise unless
            // named, or unless it is text that is not UTF-8 and matters (XS004).
            Err(e @ load::LoadError::NotText { .. })
                if explicit || e.lossy_text().is_some_and(|t| kind.is_relevant(t)) =>
            {
                if !self.seen.first(&key) {
                    return;
                }
                return self.load_failed(display, e, Some((&config, path)), opts);
            }
            Err(e) if explicit => return self.load_failed(display, e, Some((&config, path)), opts),
            Err(_) => return,
        };
        if !kind.is_relevant(&source.text) {
            return;
        }
        if !self.seen.first(&key) {
            return;
        }
        self.count_checked(display, opts);
        let extensions = if kind == Kind::Mta { extensions.of(&source.text) } else { Vec::new() };
        self.judge_deployment(path, display, kind, source, &extensions, &config, false, opts);
    }

    /// Standard input named like a deployment file (`--stdin-filename rendered.yaml`): judged
    /// as that file, the files it names read from the disk; `--fix` prints its fixed text and
    /// writes nothing.
    pub(super) fn deployment_stdin(
        &self,
        stands_for: &Path,
        source: SourceFile,
        kind: Kind,
        config: &Arc<Config>,
        opts: &Options,
    ) {
        let display = source.path.clone();
        self.count_checked(&display, opts);
        self.judge_deployment(stands_for, &display, kind, source, &[], config, true, opts);
    }

    #[allow(clippy::too_many_arguments)]
    fn judge_deployment(
        &self,
        path: &Path,
        display: &str,
        kind: Kind,
        source: SourceFile,
        extensions: &[PathBuf],
        config: &Arc<Config>,
        stdin: bool,
        opts: &Options,
    ) {
        let root = repository_root(path);
        let declaration = Declaration { path, kind, root: &root, extensions };
        let base_of = |file: &Path, text: &str| {
            let grace_days = self.configs.for_file(file).map_or(config.grace_days, |c| c.grace_days);
            if opts.history {
                self.history.baseline(file, text, grace_days)
            } else {
                None
            }
        };
        let filter = |file: &Path, diagnostics: &mut Vec<Diagnostic>| {
            self.configs.for_file(file).unwrap_or_else(|| config.clone()).apply(file, diagnostics);
        };
        let fix = (opts.fix != FixMode::Off).then_some(opts.unsafe_fixes);
        let options = SetOptions {
            policies: &config.policies,
            base_of: &base_of,
            filter: &filter,
            fix,
            recommendations: Some(&config.recommendations),
        };
        let SetOutcome { mut set, descriptors, converged, instances } =
            judge_set(&declaration, source, &load::Disk, &options);
        let Converged { files, originals, applied, diagnostics, refused } = converged;
        if let Some(reason) = refused {
            // Nothing is written; the files are reported as they are on disk.
            self.refused.lock().unwrap().push((display.to_string(), reason));
        } else if stdin && opts.fix == FixMode::Apply {
            *self.fixed_stdin.lock().unwrap() = Some(files[0].text.clone());
        } else if opts.fix == FixMode::Apply {
            self.write_set(&set.paths, &files, &originals);
        }
        if opts.inventory {
            // Files this adds to the set come after the judged ones: the reports below pair
            // the judged files only.
            crate::deployment::attach_script_bindings(&mut set, kind, &root, &load::Disk);
            for (instance, (state, codes)) in set.instances.iter().zip(instances) {
                let (line, _) = set.files[instance.file].locate(instance.span);
                self.record(InstanceRecord {
                    file: display.to_string(),
                    line: line.line,
                    name: instance.name.clone(),
                    kind: instance.format.as_str().to_string(),
                    plan: instance.plan.as_ref().map_or("unknown", |(p, _)| p.as_str()).to_string(),
                    state: state.as_str().to_string(),
                    codes,
                    facts: facts(&set, instance, state.as_str() == "dual", &base_of),
                });
            }
        }
        let mut parts = files.into_iter().zip(set.paths).zip(diagnostics).zip(applied).zip(originals);
        if let Some(((((source, _), diagnostics), fixes_applied), original)) = parts.next() {
            let parked = Parked { source: Some(source), original, diagnostics, fixes_applied, filled: true };
            self.publish_parked(display, parked, opts);
        }
        for (file, ((((source, other), diagnostics), fixes_applied), original)) in parts.enumerate() {
            // A descriptor is always parked (the walk reports it from here, without reading it
            // again); an extension only when there is something to report.
            let shown = !diagnostics.is_empty() || original.is_some();
            if !shown && !descriptors[file + 1] {
                continue;
            }
            let used = std::fs::canonicalize(&other).unwrap_or(other);
            let mut map = self.used_by_deployments.lock().unwrap();
            let entry = map.entry(used).or_insert_with(|| Parked {
                source: None,
                original: None,
                diagnostics: Vec::new(),
                fixes_applied: 0,
                filled: false,
            });
            // Texts are kept only for findings and changes, and only when the report shows
            // them (the `full` format, a diff): holding them until the descriptor's turn would
            // make memory grow with the tree.
            if shown && !entry.filled {
                let needed = opts.format == OutputFormat::Full || original.is_some();
                entry.source = needed.then_some(source);
                entry.filled = true;
                entry.original = original;
                entry.fixes_applied = fixes_applied;
            }
            entry.diagnostics.extend(diagnostics);
            dedup(&mut entry.diagnostics);
            // Parked until the walk reaches the file: without spare room.
            entry.diagnostics.shrink_to_fit();
        }
    }

    fn write_set(&self, paths: &[PathBuf], files: &[SourceFile], originals: &[Option<String>]) {
        for (file, original) in originals.iter().enumerate() {
            let Some(original) = original else { continue };
            if let Err(e) = crate::write::write_atomically(&paths[file], original, &files[file].text) {
                *self.io_errors.lock().unwrap() += 1;
                let reason = format!("cannot write the fixed file: {e}");
                self.refused.lock().unwrap().push((files[file].path.clone(), reason));
            }
        }
    }

    /// The report of a file judged with a deployment set, under the name the run shows it by.
    pub(super) fn publish_parked(&self, display: &str, parked: Parked, opts: &Options) {
        let mut report = FileReport {
            path: display.to_string(),
            diagnostics: parked.diagnostics,
            fixes_applied: parked.fixes_applied,
            ..FileReport::default()
        };
        let shown = match parked.source {
            Some(mut source) => {
                source.path = display.to_string();
                source
            }
            None => SourceFile::new(display, String::new()),
        };
        if opts.fix == FixMode::Diff {
            if let Some(original) = &parked.original {
                report.diff = Some(crate::report::diff::unified(display, original, &shown.text));
            }
        }
        self.publish(report, &shown, opts);
    }

    /// A descriptor judged through a deployment set: its parked report, if it has one.
    pub(super) fn take_parked(&self, key: &Path) -> Option<Parked> {
        self.used_by_deployments.lock().unwrap().remove(key)
    }

    /// A `cf push` manifest: its bindings were judged with the instances they name (parked by
    /// the files declaring them); on its own it declares nothing.
    pub(super) fn cf_manifest(&self, path: &Path, display: &str, explicit: bool, opts: &Options) {
        let Some(config) = self.configs.for_file(path) else { return };
        if explicit && opts.force_exclude && config.is_excluded(path) {
            return;
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        // Named alone (a commit hook passes the staged files): the files beside it that may
        // declare the instances it binds are judged too, with it.
        if explicit && !self.used_by_deployments.lock().unwrap().contains_key(&key) {
            let folder = path.parent().unwrap_or(Path::new(""));
            let shown_folder = display.rsplit_once('/').map(|(f, _)| f);
            for name in ["services-manifest.yml", "services-manifest.yaml", "mta.yaml", "mta.yml"] {
                let sibling = folder.join(name);
                let Some(kind) = Kind::of_name(name) else { continue };
                if sibling.is_file() {
                    let shown = shown_folder.map_or_else(|| name.to_string(), |f| format!("{f}/{name}"));
                    self.deployment(&sibling, &shown, kind, false, &Extensions::none(), opts);
                }
            }
        }
        // Named like a `cf push` manifest but a Kubernetes manifest (`k8s/manifest.yaml`): judged
        // as one, when no declaring file bound instances through it.
        if !self.used_by_deployments.lock().unwrap().contains_key(&key) {
            let text = load::read_path_as(path, display, load::Format::Deployment).ok();
            if text.is_some_and(|t| Kind::Kubernetes.is_relevant(&t.text)) {
                return self.deployment(path, display, Kind::CfManifest, explicit, &Extensions::none(), opts);
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
        let Ok(source) = load::read_path(path, display) else { return };
        if !(source.text.contains("clientsecret") || source.text.contains("\"key\"")) {
            return;
        }
        let Ok(root) = crate::parse::parse(&source.text, source.bom_len()) else { return };
        if !self.seen.first(&key) {
            return;
        }
        self.count_checked(&source.path, opts);
        let mut diagnostics = Vec::new();
        crate::rules::xs120_committed_credentials::check_json(&source, &root, &mut diagnostics);
        config.apply(path, &mut diagnostics);
        let report = FileReport { path: source.path.clone(), diagnostics, ..FileReport::default() };
        self.publish(report, &source, opts);
    }

    /// Findings in files the run did not visit itself (extensions, descriptors outside the
    /// walk or excluded from it).
    pub(super) fn leftover_findings(&self, cwd: Option<&Path>, opts: &Options) {
        let left: Vec<(PathBuf, Parked)> = self.used_by_deployments.lock().unwrap().drain().collect();
        for (path, parked) in left {
            if parked.diagnostics.is_empty() && parked.original.is_none() {
                continue;
            }
            // A deployment file judged on its own (a `.tf` of the module, a script, a ConfigMap's
            // manifest) may also hold findings of another file's instances: reported too.
            let deployment = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| crate::discover::classify_path(&path, n))
                .is_some_and(|k| matches!(k, crate::discover::FileKind::Deployment(_)));
            if !self.seen.first(&path) && !deployment {
                continue;
            }
            self.publish_parked(&crate::discover::display_path(&path, cwd), parked, opts);
        }
    }
}

/// What `runbook` needs of an instance that a deployment file declares.
/// `dual`: the instance is in the dual state, so the date it entered it is looked up in the
/// history of its descriptor file (through `base_of`, which knows whether history is read).
fn facts(
    set: &crate::deployment::InstanceSet,
    instance: &crate::deployment::Instance,
    dual: bool,
    base_of: &dyn Fn(&Path, &str) -> Option<crate::descriptor::Baseline>,
) -> crate::inventory::Facts {
    let cwd = std::env::current_dir().ok();
    let shown = |file: usize| crate::discover::display_path(&set.paths[file], cwd.as_deref());
    let xsappname =
        instance.layers.iter().rev().find_map(|l| l.node.get("xsappname").and_then(|n| n.as_str().map(String::from)));
    let descriptor_file =
        instance.layers.iter().rfind(|l| l.kind == crate::deployment::LayerKind::DescriptorFile).map(|l| l.file);
    let descriptor = descriptor_file.map(shown);
    let dual_since = descriptor_file
        .filter(|_| dual)
        .and_then(|file| base_of(&set.paths[file], &set.files[file].text))
        .and_then(|base| base.dual_since)
        .map(|since| crate::inventory::DualSinceFact { date: since.date, days: since.days });
    let bindings = instance
        .bindings
        .iter()
        .map(|b| crate::inventory::BindingRecord {
            kind: if b.key { "service-key" } else { "binding" }.to_string(),
            name: b.name.clone(),
            file: shown(b.file),
            line: set.files[b.file].locate(b.span).0.line,
        })
        .collect();
    crate::inventory::Facts {
        environment: crate::environment::Environment::of(instance.format).as_str().to_string(),
        assumed: false,
        xsappname,
        descriptor,
        bindings,
        service_name: instance.service_name.clone(),
        namespace: instance.namespace.clone(),
        dual_since,
    }
}
