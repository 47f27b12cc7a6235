//! The deployment side of a run: deployment files with their instances' effective
//! configuration, the descriptors they use (judged through them, once), committed credentials.

use super::{Collector, FixMode, Options};
use crate::config::Config;
use crate::deployment::{self, Kind, LayerKind, ProblemKind};
use crate::diagnostic::{Diagnostic, Position};
use crate::effective;
use crate::fix;
use crate::inventory::{codes_of, InstanceRecord};
use crate::load;
use crate::report::FileReport;
use crate::rules::{
    xs004_invalid_deployment_file as xs004, xs005_unresolved_descriptor_path as xs005,
    xs006_unrendered_template as xs006,
};
use crate::source::SourceFile;
use std::path::{Path, PathBuf};

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

fn parses_as(kind: Option<Kind>) -> impl Fn(&str) -> bool {
    move |text: &str| match kind {
        Some(Kind::Terraform) => crate::hcl::parse(text).is_ok(),
        Some(_) => crate::yaml::parse_documents(text).is_ok(),
        None => crate::parse::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok(),
    }
}

fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    crate::lint::sort(diagnostics);
    diagnostics.dedup_by(|a, b| a.rule.code == b.rule.code && a.start == b.start && a.message == b.message);
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
        let source = match load::read_path(path, display) {
            Ok(source) => source,
            // Deployment candidates are found by name only: an unreadable one is noise unless named.
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
        let set = deployment::load(path, source, kind, &root, extensions);
        let mut by_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); set.files.len()];
        for problem in &set.problems {
            let rule = match problem.kind {
                ProblemKind::Syntax => &xs004::RULE,
                ProblemKind::Path => &xs005::RULE,
                ProblemKind::Template => &xs006::RULE,
            };
            by_file[problem.file].push(Diagnostic::new(
                rule,
                &set.files[problem.file],
                problem.span,
                "",
                problem.message.clone(),
            ));
        }
        for instance in &set.instances {
            let evaluation = effective::evaluate(&set, instance, &config.policies);
            if opts.inventory {
                let (line, _) = set.files[instance.file].locate(instance.span);
                self.record(InstanceRecord {
                    file: display.to_string(),
                    line: line.line,
                    name: instance.name.clone(),
                    kind: format!("{:?}", instance.format).to_lowercase(),
                    plan: instance.plan.as_ref().map_or("unknown", |(p, _)| p.as_str()).to_string(),
                    state: evaluation.state.as_str().to_string(),
                    codes: codes_of(evaluation.findings.iter().map(|f| f.diagnostic.rule.code)),
                });
            }
            for finding in evaluation.findings {
                by_file[finding.file].push(finding.diagnostic);
            }
        }
        if kind == Kind::Kubernetes {
            if let Ok(documents) = crate::yaml::parse_documents(&set.files[0].text) {
                crate::credentials::check_secrets(&set.files[0], &documents, &mut by_file[0]);
            }
        }
        // Every descriptor an instance uses is judged here, even when it has no finding.
        for instance in &set.instances {
            for layer in instance.layers.iter().filter(|l| l.kind == LayerKind::DescriptorFile) {
                let used =
                    std::fs::canonicalize(&set.paths[layer.file]).unwrap_or_else(|_| set.paths[layer.file].clone());
                self.referenced.lock().unwrap().insert(used);
            }
        }
        let mut files = set.files.into_iter().zip(set.paths).zip(by_file);
        if let Some(((source, _), mut diagnostics)) = files.next() {
            dedup(&mut diagnostics);
            self.finish(source, Some(path), diagnostics, &config, Some(kind), opts);
        }
        for ((source, other), diagnostics) in files {
            // Texts are kept only for findings: holding every descriptor until its turn would
            // make memory grow with the tree.
            if diagnostics.is_empty() {
                continue;
            }
            let used = std::fs::canonicalize(&other).unwrap_or(other);
            let mut map = self.used_by_deployments.lock().unwrap();
            let entry = map.entry(used).or_insert_with(|| (source, Vec::new()));
            entry.1.extend(diagnostics);
        }
    }

    /// A descriptor used by a deployment file: its own syntax and history, plus what the
    /// deployments found in it.
    pub(super) fn used_descriptor(&self, source: SourceFile, path: &Path, key: &Path, config: &Config, opts: &Options) {
        *self.checked.lock().unwrap() += 1;
        let base = if opts.history { self.history.baseline(path, &source.text) } else { None };
        let options = crate::lint::LintOptions { base: base.as_ref(), own_rules_only: true, ..Default::default() };
        let mut diagnostics = crate::lint::lint_with(&source, &options);
        if let Some((_, found)) = self.used_by_deployments.lock().unwrap().remove(key) {
            diagnostics.extend(found);
        }
        dedup(&mut diagnostics);
        self.finish(source, Some(path), diagnostics, config, None, opts);
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
        crate::credentials::check_json(&source, &root, &mut diagnostics);
        self.finish(source, Some(path), diagnostics, &config, None, opts);
    }

    /// Findings in files the run did not visit itself (extensions, descriptors outside the
    /// walk or excluded from it).
    pub(super) fn leftover_findings(&self, cwd: Option<&Path>, opts: &Options) {
        let left: Vec<(PathBuf, (SourceFile, Vec<Diagnostic>))> =
            self.used_by_deployments.lock().unwrap().drain().collect();
        for (path, (mut source, mut diagnostics)) in left {
            let Some(config) = self.configs.for_file(&path) else { continue };
            if !self.seen.lock().unwrap().insert(path.clone()) {
                continue;
            }
            source.path = crate::discover::display_path(&path, cwd);
            dedup(&mut diagnostics);
            let kind = path.file_name().and_then(|n| n.to_str()).and_then(Kind::of_name);
            self.finish(source, Some(&path), diagnostics, &config, kind, opts);
        }
    }

    /// Configuration, one pass of fixes, baseline, rendering; then the report.
    fn finish(
        &self,
        source: SourceFile,
        path: Option<&Path>,
        mut diagnostics: Vec<Diagnostic>,
        config: &Config,
        kind: Option<Kind>,
        opts: &Options,
    ) {
        if let Some(path) = path {
            config.apply(path, &mut diagnostics);
        }
        let mut report = FileReport { path: source.path.clone(), ..FileReport::default() };
        let mut shown = source;
        if opts.fix != FixMode::Off {
            match fix::apply_once(&shown.text, &diagnostics, opts.unsafe_fixes, &parses_as(kind)) {
                Ok(None) => {}
                Err(reason) => self.refused.lock().unwrap().push((shown.path.clone(), reason)),
                Ok(Some((text, applied))) if opts.fix == FixMode::Diff => {
                    report.fixes_applied = applied;
                    report.diff = Some(crate::report::diff::unified(&shown.path, &shown.text, &text));
                }
                Ok(Some((text, applied))) => {
                    let written = path.map_or(Ok(()), |p| fix::write::write_atomically(p, &shown.text, &text));
                    match written {
                        Ok(()) => {
                            report.fixes_applied = applied;
                            // The fixed findings are gone; the rest is re-found on the next run.
                            diagnostics.retain(|d| d.fix.as_ref().is_none_or(|f| !fix::allowed(f, opts.unsafe_fixes)));
                            shown = SourceFile::new(shown.path.clone(), text);
                            diagnostics = relocate(&shown, diagnostics);
                        }
                        Err(e) => {
                            *self.io_errors.lock().unwrap() += 1;
                            self.refused
                                .lock()
                                .unwrap()
                                .push((shown.path.clone(), format!("cannot write the fixed file: {e}")));
                        }
                    }
                }
            }
        }
        report.diagnostics = diagnostics;
        self.publish(report, &shown, opts);
    }
}

/// After a fix the remaining findings may have moved; positions past the text are clamped.
fn relocate(source: &SourceFile, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let len = source.text.len();
    diagnostics
        .into_iter()
        .map(|mut d| {
            if d.end.offset > len {
                let clamp = |p: Position| if p.offset > len { source.position(len) } else { p };
                d.start = clamp(d.start);
                d.end = clamp(d.end);
            }
            d
        })
        .collect()
}
