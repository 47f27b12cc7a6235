//! Judging a deployment file together with the files it brings in (the descriptors its
//! instances use, its extensions): every instance's evaluation, the descriptors' own rules,
//! the deployment file's problems. Files reach it through [`Files`], so the same code runs on
//! the disk, on the fix loop's edited texts and on an editor's unsaved buffers.

use crate::deployment::{self, Files, InstanceSet, Kind, LayerKind, ProblemKind};
use crate::descriptor::{Baseline, MigrationState};
use crate::diagnostic::Diagnostic;
use crate::lint::fix::{converge, Converged, Pass};
use crate::lint::instance::{self, EvaluationOptions};
use crate::lint::{lint_tree, lint_with, LintOptions, Observed};
use crate::policy::Policy;
use crate::rules::{
    self, xs004_invalid_deployment_file as xs004, xs005_unresolved_descriptor_path as xs005,
    xs006_unrendered_template as xs006, xs007_unknown_configuration as xs007,
};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a deployment file is and what it may read.
pub struct Declaration<'a> {
    pub path: &'a Path,
    pub kind: Kind,
    /// The folder `path:` may not leave.
    pub root: &'a Path,
    /// The `.mtaext` files of the run.
    pub extensions: &'a [PathBuf],
}

/// What a run adds to the judgement of a set.
pub struct SetOptions<'a> {
    pub policies: &'a [Policy],
    /// The version of a descriptor file at the base revision (history rules).
    pub base_of: &'a dyn Fn(&Path, &str) -> Option<Baseline>,
    /// Selection, severities and suppressions for a file of the set, applied last.
    pub filter: &'a dyn Fn(&Path, &mut Vec<Diagnostic>),
    /// `Some(unsafe_fixes)`: run the fix loop.
    pub fix: Option<bool>,
    /// The configuration's `[recommendations]`; `None`: the defaults.
    pub recommendations: Option<&'a crate::recommendations::Recommendations>,
}

/// One judgement of a whole set.
#[derive(Clone)]
struct Judged {
    by_file: Vec<Vec<Diagnostic>>,
    /// Each instance's migration state.
    states: Vec<MigrationState>,
    /// Each descriptor file's own migration state, for its own rules.
    file_states: Vec<MigrationState>,
}

/// What a set came to.
pub struct SetOutcome {
    /// The set as last loaded (the fixed texts, when fixes were applied).
    pub set: InstanceSet,
    /// Which files are descriptors used as a layer.
    pub descriptors: Vec<bool>,
    pub converged: Converged,
    /// Each instance's migration state and the codes found on it (for `audit`).
    pub instances: Vec<(MigrationState, Vec<String>)>,
}

struct Judge<'a> {
    kind: Kind,
    /// The deployment file's name (a CI file's syntax depends on it).
    name: String,
    descriptors: Vec<bool>,
    bases: Vec<Option<Baseline>>,
    options: &'a SetOptions<'a>,
}

impl Judge<'_> {
    fn judge(
        &self,
        set: &InstanceSet,
        started: Option<&Judged>,
        records: &mut Vec<(MigrationState, Vec<String>)>,
    ) -> Judged {
        let mut by_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); set.files.len()];
        for problem in &set.problems {
            let rule = match problem.kind {
                ProblemKind::Syntax => &xs004::RULE,
                ProblemKind::Path => &xs005::RULE,
                ProblemKind::Template => &xs006::RULE,
                ProblemKind::Unknown => &xs007::RULE,
                ProblemKind::Duplicate => &rules::xs008_duplicate_parameter::RULE,
            };
            let d = Diagnostic::new(rule, &set.files[problem.file], problem.span, "", problem.message.clone());
            by_file[problem.file].push(d);
        }
        records.clear();
        let mut states = Vec::with_capacity(set.instances.len());
        for (n, instance) in set.instances.iter().enumerate() {
            let options = EvaluationOptions {
                policies: self.options.policies,
                started_in: started.and_then(|s| s.states.get(n).copied()),
                bases: &self.bases,
                recommendations: self.options.recommendations,
            };
            let evaluation = instance::evaluate(set, instance, &options);
            states.push(evaluation.state);
            let mut codes: Vec<String> =
                evaluation.findings.iter().map(|f| f.diagnostic.rule.code.to_string()).collect();
            if set.unknown.contains(&n) {
                codes.push(xs007::RULE.code.to_string());
            }
            for (_, kind) in set.instance_problems.iter().filter(|(i, _)| *i == n) {
                let rule = match kind {
                    ProblemKind::Duplicate => &rules::xs008_duplicate_parameter::RULE,
                    ProblemKind::Syntax => &xs004::RULE,
                    _ => &xs005::RULE,
                };
                codes.push(rule.code.to_string());
            }
            if set.unparsable.iter().any(|(i, _)| *i == n) {
                codes.push(rules::xs001_invalid_json::RULE.code.to_string());
            }
            codes.sort();
            codes.dedup();
            records.push((evaluation.state, codes));
            let link = set.links.iter().find(|(i, _)| *i == n).map(|(_, link)| link);
            let own_only = set.own_only.contains(&n);
            for mut finding in evaluation.findings.into_iter().filter(|f| !own_only || f.file == instance.file) {
                // A file the deployment file does not name itself: say how it reaches the instance.
                if let Some(link) = link.filter(|_| finding.file != instance.file) {
                    finding.diagnostic.message = format!("{} ({link})", finding.diagnostic.message);
                }
                by_file[finding.file].push(finding.diagnostic);
            }
        }
        if matches!(self.kind, Kind::Kubernetes | Kind::CfManifest) {
            if let Ok(documents) = crate::yaml::parse_documents(&set.files[0].text) {
                rules::xs120_committed_credentials::check_secrets(&set.files[0], &documents, &mut by_file[0]);
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
                base: self.bases.get(file).and_then(Option::as_ref),
                own_rules_only: true,
                observed: Some(&observed),
                started_in: started.map(|s| s.file_states[file]),
                ..LintOptions::default()
            };
            // Parsed once, by the model: the tree of the layer.
            diagnostics.extend(match set.descriptor_tree(file) {
                Some(root) => lint_tree(&set.files[file], root, &options),
                None => lint_with(&set.files[file], &options),
            });
            file_states[file] = observed.state.get();
        }
        for (file, diagnostics) in by_file.iter_mut().enumerate() {
            (self.options.filter)(&set.paths[file], diagnostics);
            dedup(diagnostics);
        }
        Judged { by_file, states, file_states }
    }

    /// The syntax a file of the set must keep after a fix.
    fn parses(&self, file: usize, text: &str) -> bool {
        if file == 0 && self.kind == Kind::Terraform {
            crate::hcl::parse(text).is_ok()
        } else if file == 0 && self.kind == Kind::Shell {
            // No fix edits a script (its values have no positions of their own).
            true
        } else if file == 0 && self.kind == Kind::Ci {
            // A token swapped inside a command's JSON keeps the file's syntax; a Jenkinsfile is
            // Groovy, not checked here.
            if self.name == "package.json" {
                crate::parse::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok()
            } else if self.name.starts_with("Jenkinsfile") {
                true
            } else {
                crate::yaml::parse_documents(text).is_ok()
            }
        } else if file == 0 || !self.descriptors.get(file).copied().unwrap_or(false) {
            crate::yaml::parse_documents(text).is_ok()
        } else {
            crate::parse::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok()
        }
    }
}

/// The findings of one file, sorted, each once (a descriptor shared by two instances).
pub fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    crate::lint::sort(diagnostics);
    diagnostics.dedup_by(|a, b| a.rule.code == b.rule.code && a.start == b.start && a.message == b.message);
}

/// The files of the set as the fix loop has them, over what `files` reads.
struct Edited<'a> {
    texts: HashMap<&'a Path, &'a str>,
    files: &'a dyn Files,
}

impl Files for Edited<'_> {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, deployment::Unreadable> {
        match self.texts.get(path) {
            Some(text) => Ok(SourceFile::new(shown, (*text).to_string())),
            None => self.files.read(path, shown),
        }
    }

    fn list(&self, folder: &Path, suffix: &str) -> Vec<PathBuf> {
        self.files.list(folder, suffix)
    }
}

/// Judges a deployment file and the files it brings in; with `options.fix`, runs the one fix
/// loop over all of them. Nothing is written here.
pub fn judge_set(
    declaration: &Declaration<'_>,
    source: SourceFile,
    files: &dyn Files,
    options: &SetOptions<'_>,
) -> SetOutcome {
    let load = |source: SourceFile, files: &dyn Files| {
        deployment::load(declaration.path, source, declaration.kind, declaration.root, declaration.extensions, files)
    };
    let set = load(source, files);
    let mut descriptors = vec![false; set.files.len()];
    for layer in set.instances.iter().flat_map(|i| &i.layers) {
        if layer.kind == LayerKind::DescriptorFile {
            descriptors[layer.file] = true;
        }
    }
    for (_, file) in &set.unparsable {
        descriptors[*file] = true;
    }
    let bases = (0..set.files.len())
        .map(|f| if descriptors[f] { (options.base_of)(&set.paths[f], &set.files[f].text) } else { None })
        .collect();
    let name = declaration.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let judge = Judge { kind: declaration.kind, name, descriptors, bases, options };
    let paths = set.paths.clone();
    let mut records = Vec::new();
    let Some(unsafe_fixes) = options.fix else {
        let judged = judge.judge(&set, None, &mut records);
        let n = set.files.len();
        let files = set.files.clone();
        let converged = Converged {
            files,
            originals: vec![None; n],
            applied: vec![0; n],
            diagnostics: judged.by_file,
            refused: None,
        };
        return SetOutcome { set, descriptors: judge.descriptors, converged, instances: records };
    };
    let first = set.files.clone();
    let mut latest = set;
    let mut start: Option<Judged> = None;
    let mut judge_texts = |texts: &[SourceFile], pass: Pass| {
        if pass != Pass::Start {
            // The set again, from the edited texts (fixes never change which files it reads).
            let edited = Edited {
                texts: paths.iter().map(PathBuf::as_path).zip(texts.iter().map(|t| t.text.as_str())).collect(),
                files,
            };
            latest = load(texts[0].clone(), &edited);
        }
        let started = if pass == Pass::Later { start.as_ref() } else { None };
        let judged = judge.judge(&latest, started, &mut records);
        let by_file = align(&paths, &latest.paths, &judged.by_file);
        if pass == Pass::Start {
            start = Some(judged);
        }
        by_file
    };
    let converged = converge(first, unsafe_fixes, &|file, text| judge.parses(file, text), &mut judge_texts);
    SetOutcome { set: latest, descriptors: judge.descriptors, converged, instances: records }
}

/// Findings of a reloaded set, by the file indices of the first load.
fn align(paths: &[PathBuf], loaded: &[PathBuf], by_file: &[Vec<Diagnostic>]) -> Vec<Vec<Diagnostic>> {
    if paths == loaded {
        return by_file.to_vec();
    }
    paths.iter().map(|p| loaded.iter().position(|l| l == p).map(|i| by_file[i].clone()).unwrap_or_default()).collect()
}
