//! The deployment side of a run: deployment files with their instances' effective
//! configuration, the descriptors they use (judged through them, once), committed credentials.
//!
//! A deployment file and the files it brings in are fixed together by one loop: judge the
//! whole set, apply each file's allowed fixes in memory, load the set again from the edited
//! texts, and repeat until nothing is left to apply. Migration fixes are judged against the
//! state each instance had when the run started, and what is reported afterwards is a fresh
//! judgement of the result.

use super::{Collector, FixMode, Options};
use crate::config::Config;
use crate::deployment::{self, InstanceSet, Kind, LayerKind, ProblemKind};
use crate::descriptor::Baseline;
use crate::descriptor::MigrationState;
use crate::diagnostic::Diagnostic;
use crate::fix;
use crate::inventory::{codes_of, InstanceRecord};
use crate::lint::instance::{self, EvaluationOptions};
use crate::lint::{LintOptions, Observed};
use crate::load;
use crate::report::FileReport;
use crate::rules::{
    xs004_invalid_deployment_file as xs004, xs005_unresolved_descriptor_path as xs005,
    xs006_unrendered_template as xs006,
};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder that `path:` may not leave: the git work tree, else the working directory, else
/// the deployment file's folder.
fn repository_root(path: &Path) -> PathBuf {
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

fn parses_as(kind: Option<Kind>, text: &str) -> bool {
    match kind {
        Some(Kind::Terraform) => crate::hcl::parse(text).is_ok(),
        Some(_) => crate::yaml::parse_documents(text).is_ok(),
        None => crate::parse::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok(),
    }
}

fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    crate::lint::sort(diagnostics);
    diagnostics.dedup_by(|a, b| a.rule.code == b.rule.code && a.start == b.start && a.message == b.message);
}

/// The files a deployment set reads: the disk, overlaid by the fix loop's edits.
#[derive(Default)]
struct Overlay {
    edited: HashMap<PathBuf, String>,
}

impl deployment::Files for Overlay {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, deployment::Unreadable> {
        match self.edited.get(path) {
            Some(text) => Ok(SourceFile::new(shown, text.clone())),
            None => deployment::Files::read(&load::Disk, path, shown),
        }
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
}

/// One judgement of a whole set.
#[derive(Clone)]
struct Judged {
    by_file: Vec<Vec<Diagnostic>>,
    /// Each instance's migration state.
    states: Vec<MigrationState>,
    /// Each file's own migration state (descriptor files), for their own rules.
    file_states: Vec<MigrationState>,
    records: Vec<(MigrationState, Vec<String>)>,
}

/// What stays the same across the passes of one set: its shape, configurations and history.
struct SetContext<'a> {
    kind: Kind,
    /// Which files are descriptors (JSON) used as a layer.
    descriptors: Vec<bool>,
    configs: Vec<Arc<Config>>,
    bases: Vec<Option<Baseline>>,
    opts: &'a Options,
}

impl SetContext<'_> {
    /// The syntax a file of the set must keep after a fix.
    fn syntax(&self, file: usize) -> Option<Kind> {
        if file == 0 {
            Some(self.kind)
        } else if self.descriptors[file] {
            None
        } else {
            Some(Kind::MtaExtension)
        }
    }

    fn judge(&self, set: &InstanceSet, started: Option<&Judged>) -> Judged {
        let mut by_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); set.files.len()];
        for problem in &set.problems {
            let rule = match problem.kind {
                ProblemKind::Syntax => &xs004::RULE,
                ProblemKind::Path => &xs005::RULE,
                ProblemKind::Template => &xs006::RULE,
            };
            let d = Diagnostic::new(rule, &set.files[problem.file], problem.span, "", problem.message.clone());
            by_file[problem.file].push(d);
        }
        let mut states = Vec::with_capacity(set.instances.len());
        let mut records = Vec::new();
        for (n, instance) in set.instances.iter().enumerate() {
            let options = EvaluationOptions {
                policies: &self.configs[0].policies,
                started_in: started.and_then(|s| s.states.get(n).copied()),
                bases: &self.bases,
            };
            let evaluation = instance::evaluate(set, instance, &options);
            states.push(evaluation.state);
            if self.opts.inventory {
                let codes = codes_of(evaluation.findings.iter().map(|f| f.diagnostic.rule.code));
                records.push((evaluation.state, codes));
            }
            for finding in evaluation.findings {
                by_file[finding.file].push(finding.diagnostic);
            }
        }
        if self.kind == Kind::Kubernetes {
            if let Ok(documents) = crate::yaml::parse_documents(&set.files[0].text) {
                crate::rules::xs120_committed_credentials::check_secrets(&set.files[0], &documents, &mut by_file[0]);
            }
        }
        // A descriptor's own rules: syntax, repeated keys, history.
        let mut file_states = vec![MigrationState::Invalid; set.files.len()];
        for (file, diagnostics) in by_file.iter_mut().enumerate() {
            if !self.descriptors.get(file).copied().unwrap_or(false) {
                continue;
            }
            let observed = Observed::default();
            let options = LintOptions {
                base: self.bases[file].as_ref(),
                own_rules_only: true,
                observed: Some(&observed),
                started_in: started.map(|s| s.file_states[file]),
                ..LintOptions::default()
            };
            diagnostics.extend(crate::lint::lint_with(&set.files[file], &options));
            file_states[file] = observed.state.get();
        }
        for (file, diagnostics) in by_file.iter_mut().enumerate() {
            self.configs[file].apply(&set.paths[file], diagnostics);
            dedup(diagnostics);
        }
        Judged { by_file, states, file_states, records }
    }
}

impl Collector<'_> {
    pub(super) fn deployment(
        &self,
        path: &Path,
        display: &str,
        kind: Kind,
        explicit: bool,
        extensions: &[PathBuf],
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
                if !self.seen.lock().unwrap().insert(key) {
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
        if !self.seen.lock().unwrap().insert(key) {
            return;
        }
        *self.checked.lock().unwrap() += 1;
        let root = repository_root(path);
        let mut overlay = Overlay::default();
        let mut set = deployment::load(path, source, kind, &root, extensions, &overlay);
        let mut descriptors = vec![false; set.files.len()];
        for layer in set.instances.iter().flat_map(|i| &i.layers) {
            if layer.kind == LayerKind::DescriptorFile {
                descriptors[layer.file] = true;
            }
        }
        let context = SetContext {
            kind,
            bases: (0..set.files.len())
                .map(|f| {
                    (opts.history && descriptors[f])
                        .then(|| self.history.baseline(&set.paths[f], &set.files[f].text))
                        .flatten()
                })
                .collect(),
            configs: set.paths.iter().map(|p| self.configs.for_file(p).unwrap_or_else(|| config.clone())).collect(),
            descriptors,
            opts,
        };
        let mut judged = context.judge(&set, None);
        let mut applied = vec![0; set.files.len()];
        let mut originals: Vec<Option<String>> = vec![None; set.files.len()];
        if opts.fix != FixMode::Off {
            let start = judged.clone();
            for _ in 0..fix::MAX_PASSES {
                let mut edited = false;
                for (file, diagnostics) in judged.by_file.iter().enumerate() {
                    let fixes = fix::non_overlapping(diagnostics, opts.unsafe_fixes);
                    if fixes.is_empty() {
                        continue;
                    }
                    let text = fix::apply(&set.files[file].text, &fixes);
                    applied[file] += fixes.len();
                    originals[file].get_or_insert_with(|| set.files[file].text.clone());
                    overlay.edited.insert(set.paths[file].clone(), text);
                    edited = true;
                }
                if !edited {
                    break;
                }
                let main = overlay.edited.get(&set.paths[0]).cloned().unwrap_or_else(|| set.files[0].text.clone());
                set = deployment::load(path, SourceFile::new(display, main), kind, &root, extensions, &overlay);
                judged = context.judge(&set, Some(&start));
            }
            if originals.iter().any(Option::is_some) {
                judged = context.judge(&set, None);
                if let Some(reason) = self.refusal(&context, &set, &originals, &start, &judged) {
                    // Nothing is written; the files are reported as they are on disk.
                    self.refused.lock().unwrap().push((display.to_string(), reason));
                    for (file, original) in originals.iter_mut().enumerate() {
                        if let Some(text) = original.take() {
                            set.files[file] = SourceFile::new(set.files[file].path.clone(), text);
                        }
                    }
                    applied.iter_mut().for_each(|n| *n = 0);
                    judged = start;
                } else if opts.fix == FixMode::Apply {
                    self.write_set(&set, &originals);
                }
            }
        }
        if opts.inventory {
            for (instance, (state, codes)) in set.instances.iter().zip(&judged.records) {
                let (line, _) = set.files[instance.file].locate(instance.span);
                self.record(InstanceRecord {
                    file: display.to_string(),
                    line: line.line,
                    name: instance.name.clone(),
                    kind: format!("{:?}", instance.format).to_lowercase(),
                    plan: instance.plan.as_ref().map_or("unknown", |(p, _)| p.as_str()).to_string(),
                    state: state.as_str().to_string(),
                    codes: codes.clone(),
                });
            }
        }
        let descriptors = context.descriptors;
        let mut parts = set.files.into_iter().zip(set.paths).zip(judged.by_file).zip(applied).zip(originals);
        if let Some(((((source, _), diagnostics), fixes_applied), original)) = parts.next() {
            let parked = Parked { source: Some(source), original, diagnostics, fixes_applied };
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
            });
            // Texts are kept only for findings and changes: holding every descriptor until
            // its turn would make memory grow with the tree.
            if shown && entry.source.is_none() {
                entry.source = Some(source);
                entry.original = original;
                entry.fixes_applied = fixes_applied;
            }
            entry.diagnostics.extend(diagnostics);
            dedup(&mut entry.diagnostics);
        }
    }

    /// Why the fixed set must not be written, if it must not: a file that no longer parses,
    /// or a new structural finding.
    fn refusal(
        &self,
        context: &SetContext<'_>,
        set: &InstanceSet,
        originals: &[Option<String>],
        before: &Judged,
        after: &Judged,
    ) -> Option<String> {
        for (file, original) in originals.iter().enumerate() {
            if original.is_none() {
                continue;
            }
            if !parses_as(context.syntax(file), &set.files[file].text) {
                return Some(format!("the fixed text of {} would not parse", set.files[file].path));
            }
            if let Some(reason) = fix::regression(&before.by_file[file], &after.by_file[file]) {
                return Some(format!("{}: {reason}", set.files[file].path));
            }
        }
        None
    }

    fn write_set(&self, set: &InstanceSet, originals: &[Option<String>]) {
        for (file, original) in originals.iter().enumerate() {
            let Some(original) = original else { continue };
            if let Err(e) = fix::write::write_atomically(&set.paths[file], original, &set.files[file].text) {
                *self.io_errors.lock().unwrap() += 1;
                self.refused
                    .lock()
                    .unwrap()
                    .push((set.files[file].path.clone(), format!("cannot write the fixed file: {e}")));
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
        if !self.seen.lock().unwrap().insert(key) {
            return;
        }
        *self.checked.lock().unwrap() += 1;
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
            if !self.seen.lock().unwrap().insert(path.clone()) {
                continue;
            }
            self.publish_parked(&crate::discover::display_path(&path, cwd), parked, opts);
        }
    }
}
