//! Judging a deployment file together with the files it brings in (the descriptors its
//! instances use, its extensions): every instance's evaluation, the descriptors' own rules,
//! the deployment file's problems. Files reach it through [`Files`], so the same code runs on
//! the disk, on the fix loop's edited texts and on an editor's unsaved buffers.

use crate::diagnostic::{Diagnostic, Fix};
use crate::lint::fix::{converge, descriptor_state, Converged, Pass, TextChecks};
use crate::lint::instance::{self, EvaluationOptions};
use crate::lint::{lint_tree, lint_with, LintOptions, Observed};
use crate::model::deployment::{self, FileFormat, Files, InstanceSet, LayerKind, ProblemKind};
use crate::model::descriptor::{Baseline, MigrationState};
use crate::rules::policy::Policy;
use crate::rules::xs305_interpolated_binding_secret::Interpolation;
use crate::rules::{
    self, xs004_invalid_deployment_file as xs004, xs005_unresolved_descriptor_path as xs005,
    xs006_unrendered_template as xs006, xs007_unknown_configuration as xs007,
};
use crate::text::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a deployment file is and what it may read.
pub struct Declaration<'a> {
    pub path: &'a Path,
    pub kind: FileFormat,
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
    pub recommendations: Option<&'a crate::rules::recommendations::Recommendations>,
    /// What the platform says about the instances (`--live`).
    pub live: Option<&'a crate::model::platform::LiveFacts>,
}

/// One judgement of a whole set.
#[derive(Clone)]
struct Judged {
    by_file: Vec<Vec<Diagnostic>>,
    /// Each instance's migration state.
    states: Vec<MigrationState>,
    /// Each descriptor file's own migration state, for its own rules.
    file_states: Vec<MigrationState>,
    /// The instance each fix of an instance's finding is for: (file, fix, instance name).
    origins: Vec<(usize, Fix, String)>,
}

/// What a set came to.
pub struct SetOutcome {
    /// The set as last loaded (the fixed texts, when fixes were applied).
    pub set: InstanceSet,
    /// Which files are descriptors used as a layer.
    pub descriptors: Vec<bool>,
    pub converged: Converged,
    /// What each instance came to.
    pub instances: Vec<Judgement>,
}

/// What one instance of a set came to.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub state: MigrationState,
    /// The codes found on it (for `audit`).
    pub codes: Vec<String>,
    /// Its effective `credential-types` as compared with its other declarations
    /// (`Declared::list` of the engine's inventory).
    pub list: Option<String>,
}

struct Judge<'a> {
    kind: FileFormat,
    /// The deployment file's name (a CI file's syntax depends on it).
    name: String,
    descriptors: Vec<bool>,
    bases: Vec<Option<Baseline>>,
    options: &'a SetOptions<'a>,
}

impl<'a> Judge<'a> {
    fn new(declaration: &Declaration<'_>, set: &InstanceSet, options: &'a SetOptions<'a>) -> Self {
        let mut descriptors = vec![false; set.files.len()];
        for layer in set.instances.iter().flat_map(|i| &i.layers) {
            if layer.kind == LayerKind::DescriptorFile {
                descriptors[layer.file] = true;
            }
        }
        // A file named as a descriptor that is not strict JSON: judged as one (XS001).
        for (_, file) in &set.unparsable {
            descriptors[*file] = true;
        }
        let bases = (0..set.files.len())
            .map(|f| if descriptors[f] { (options.base_of)(&set.paths[f], &set.files[f].text) } else { None })
            .collect();
        let name = declaration.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Judge { kind: declaration.kind, name, descriptors, bases, options }
    }

    fn judge(&self, set: &InstanceSet, started: Option<&Judged>, records: &mut Vec<Judgement>) -> Judged {
        let mut by_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); set.files.len()];
        for problem in &set.problems {
            let rule = match problem.kind {
                ProblemKind::Syntax => &xs004::RULE,
                ProblemKind::Path => &xs005::RULE,
                ProblemKind::Template => &xs006::RULE,
                ProblemKind::Unknown => &xs007::RULE,
                ProblemKind::Duplicate => &rules::xs008_duplicate_parameter::RULE,
                ProblemKind::DroppedUpdates => &rules::xs114_dropped_instance_update::RULE,
            };
            let mut d = Diagnostic::new(rule, &set.files[problem.file], problem.span, "", problem.message.clone());
            if problem.kind == ProblemKind::DroppedUpdates {
                d = d.with_help(rules::xs114_dropped_instance_update::HELP);
            }
            by_file[problem.file].push(d);
        }
        records.clear();
        let mut origins = Vec::new();
        let mut states = Vec::with_capacity(set.instances.len());
        for (n, instance) in set.instances.iter().enumerate() {
            let options = EvaluationOptions {
                policies: self.options.policies,
                started_in: started.and_then(|s| s.states.get(n).copied()),
                bases: &self.bases,
                recommendations: self.options.recommendations,
                live: self.options.live,
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
            let list = evaluation.list.filter(|_| !set.unknown.contains(&n));
            records.push(Judgement { state: evaluation.state, codes, list });
            let link = set.links.iter().find(|(i, _)| *i == n).map(|(_, link)| link);
            let own_only = set.own_only.contains(&n);
            let terraform = matches!(
                instance.format,
                deployment::InstanceFormat::Terraform | deployment::InstanceFormat::TerraformCf
            );
            for mut finding in evaluation.findings.into_iter().filter(|f| !own_only || f.file == instance.file) {
                if terraform && changes_credential_types(finding.diagnostic.rule.code) {
                    hidden_from_plans(&mut finding.diagnostic);
                }
                // A file the deployment file does not name itself: say how it reaches the instance.
                if let Some(link) = link.filter(|_| finding.file != instance.file) {
                    finding.diagnostic.message = format!("{} ({link})", finding.diagnostic.message);
                }
                // Only the fix loop names who wanted a fix.
                if let Some(fix) = finding.diagnostic.fix.as_ref().filter(|_| self.options.fix.is_some()) {
                    origins.push((finding.file, fix.clone(), instance.name.clone()));
                }
                by_file[finding.file].push(finding.diagnostic);
            }
        }
        let mut undeclared = Vec::new();
        rules::xs110_instance_secret_binding::check_undeclared(set, &mut undeclared);
        for finding in undeclared {
            by_file[finding.file].push(finding.diagnostic);
        }
        if matches!(self.kind, FileFormat::Shell | FileFormat::Ci | FileFormat::Http)
            && rules::xs304_get_token_request::may_request_token(&set.files[0].text)
        {
            let rest_client = self.kind == FileFormat::Http;
            rules::xs304_get_token_request::check_text(&set.files[0], rest_client, &mut by_file[0]);
        }
        let interpolation = match self.kind {
            FileFormat::Shell if is_makefile(&self.name) => Some(Interpolation::Make),
            FileFormat::Shell => Some(Interpolation::Shell),
            FileFormat::Compose => Some(Interpolation::Compose),
            _ => None,
        };
        if let Some(how) = interpolation {
            if rules::xs305_interpolated_binding_secret::may_hold_binding_secret(&set.files[0].text) {
                rules::xs305_interpolated_binding_secret::check_text(&set.files[0], how, &mut by_file[0]);
            }
        }
        if matches!(self.kind, FileFormat::Kubernetes | FileFormat::CfManifest)
            && rules::xs120_committed_credentials::may_hold_secret(&set.files[0].text)
        {
            if let Ok(documents) = crate::syntax::yaml::parse_documents(&set.files[0].text) {
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
        Judged { by_file, states, file_states, origins }
    }

    /// The syntax a file of the set must keep after a fix.
    fn parses(&self, file: usize, text: &str) -> bool {
        if file == 0 && self.kind == FileFormat::Terraform {
            crate::syntax::hcl::parse(text).is_ok()
        } else if file == 0 && matches!(self.kind, FileFormat::Shell | FileFormat::Http | FileFormat::Compose) {
            // No fix edits a script (its values have no positions of their own).
            true
        } else if file == 0 && self.kind == FileFormat::Ci {
            // A token swapped inside a command's JSON keeps the file's syntax; a Jenkinsfile is
            // Groovy, not checked here.
            if self.name == "package.json" {
                crate::syntax::json::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok()
            } else if self.name.starts_with("Jenkinsfile") {
                true
            } else {
                crate::syntax::yaml::parse_documents(text).is_ok()
            }
        } else if file == 0 || !self.descriptors.get(file).copied().unwrap_or(false) {
            crate::syntax::yaml::parse_documents(text).is_ok()
        } else {
            crate::syntax::json::parse(text, usize::from(text.starts_with('\u{feff}')) * 3).is_ok()
        }
    }
}

/// Whether a rule's change is a change of the instance's `credential-types` (a migration step):
/// on a Terraform instance, `terraform plan` does not show it.
fn changes_credential_types(code: &str) -> bool {
    [
        &rules::xs101_implicit_credential_types::RULE,
        &rules::xs102_instance_secret_only::RULE,
        &rules::xs103_unfinished_migration::RULE,
        &rules::xs104_instance_secret_default::RULE,
        &rules::xs107_credential_types_replaced::RULE,
        &rules::xs109_skipped_dual_state::RULE,
        &rules::xs113_instance_secret_outside_cloud_foundry::RULE,
        &rules::xs214_migration_finished::RULE,
    ]
    .iter()
    .any(|rule| rule.code == code)
}

/// Both Terraform providers mark an instance's `parameters` sensitive
/// (`btp_subaccount_service_instance`, `cloudfoundry_service_instance`): `terraform plan` prints
/// `(sensitive value)` where `instance-secret` is added or removed, so the help says where a
/// reviewer can see the change.
fn hidden_from_plans(diagnostic: &mut Diagnostic) {
    const NOTE: &str = "`terraform plan` shows the instance's `parameters` as `(sensitive value)` (the provider marks them sensitive): review this change in the diff of the `.tf` file (or of the descriptor it reads), the only place it can be seen before `terraform apply`.";
    diagnostic.help = Some(match diagnostic.help.as_deref() {
        Some(help) if help.ends_with('.') => format!("{help} {NOTE}").into(),
        Some(help) => format!("{help}. {NOTE}").into(),
        None => NOTE.into(),
    });
}

/// The findings of one file, sorted, each once (a descriptor shared by two instances).
pub fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    sort_by_content(diagnostics, &|_, _| std::cmp::Ordering::Equal);
    diagnostics.dedup_by(|a, b| a.rule.code == b.rule.code && a.start == b.start && a.message == b.message);
}

/// Sorts findings by position, code and message, then by help, pointer and `then`: two
/// instances' equal findings may differ in help (each names its own commands), and the one
/// kept must be the first by content, not the first judged, so the report is the same
/// whichever deployment file finished first.
fn sort_by_content(diagnostics: &mut [Diagnostic], then: &dyn Fn(&Diagnostic, &Diagnostic) -> std::cmp::Ordering) {
    fn key(d: &Diagnostic) -> (usize, usize, &str, &str) {
        (d.start.offset, d.end.offset, d.rule.code, &d.message)
    }
    diagnostics.sort_by(|a, b| {
        key(a).cmp(&key(b)).then_with(|| (&a.help, &a.pointer).cmp(&(&b.help, &b.pointer))).then_with(|| then(a, b))
    });
}

/// Each file's findings from every member, for planning: sorted like [`dedup`], but equal
/// findings of two instances that want different fixes (one with an `x509` a binding asks for)
/// both stay, so the plan sees every rival.
fn dedup_keeping_fixes(diagnostics: &mut Vec<Diagnostic>) {
    fn edits(d: &Diagnostic) -> Vec<(usize, usize, &str)> {
        d.fix.iter().flat_map(|f| &f.edits).map(|e| (e.start.offset, e.end.offset, e.content.as_str())).collect()
    }
    sort_by_content(diagnostics, &|a, b| edits(a).cmp(&edits(b)));
    diagnostics
        .dedup_by(|a, b| a.rule.code == b.rule.code && a.start == b.start && a.message == b.message && a.fix == b.fix);
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

    fn find_named(&self, root: &Path, names: &'static [&'static str]) -> std::sync::Arc<Vec<PathBuf>> {
        self.files.find_named(root, names)
    }
}

/// Loads a deployment file's set: its instances and the files they bring in.
pub fn load_set(declaration: &Declaration<'_>, source: SourceFile, files: &dyn Files) -> InstanceSet {
    deployment::load(declaration.path, source, declaration.kind, declaration.root, declaration.extensions, files)
}

/// Judges a deployment file and the files it brings in; with `options.fix`, runs the one fix
/// loop over all of them. Nothing is written here.
pub fn judge_set(
    declaration: &Declaration<'_>,
    source: SourceFile,
    files: &dyn Files,
    options: &SetOptions<'_>,
) -> SetOutcome {
    let set = load_set(declaration, source, files);
    let Some(unsafe_fixes) = options.fix else {
        let judge = Judge::new(declaration, &set, options);
        let mut records = Vec::new();
        let judged = judge.judge(&set, None, &mut records);
        let n = set.files.len();
        let files = set.files.clone();
        let converged = Converged {
            files,
            originals: vec![None; n],
            applied: vec![0; n],
            diagnostics: judged.by_file,
            refused: None,
            held_back: Vec::new(),
        };
        return SetOutcome { set, descriptors: judge.descriptors, converged, instances: records };
    };
    let keys = set.paths.clone();
    let member = Member { declaration, set, keys, options };
    let mut group = judge_group(vec![member], files, unsafe_fixes);
    group.members.pop().expect("one member in, one out")
}

/// A deployment file of a group fixed together, with its set as loaded.
pub struct Member<'a> {
    pub declaration: &'a Declaration<'a>,
    pub set: InstanceSet,
    /// Each file of the set by a name that is one for one file (its canonical path): the
    /// files that members share.
    pub keys: Vec<PathBuf>,
    pub options: &'a SetOptions<'a>,
}

/// What a group of deployment files fixed together came to.
pub struct GroupOutcome {
    /// Each member's outcome, in the members' order, as [`judge_set`] gives it.
    pub members: Vec<SetOutcome>,
    /// Every file of the group once (by the path its first member reads it at): the fixed
    /// texts and what each changed one had before (to write, once each).
    pub paths: Vec<PathBuf>,
    pub files: Vec<SourceFile>,
    pub originals: Vec<Option<String>>,
    /// Why nothing of the group must be written, if so.
    pub refused: Option<String>,
    /// Why a fix that an instance wanted was not written (a rival fix of another instance
    /// sharing the file won): the file (an index into `paths`) and the reason, in order.
    pub held_back: Vec<(usize, String)>,
}

/// The fix loop once over every file of deployment files that share files (a descriptor used
/// by an MTA and by Helm values): each pass judges every member on the same edited texts and
/// plans each file's fixes from the findings of every instance using it, so a shared file is
/// decided once, and the one-stage guard of each instance holds across the group.
pub fn judge_group(members: Vec<Member<'_>>, files: &dyn Files, unsafe_fixes: bool) -> GroupOutcome {
    // Every file once, in the members' order; each member's files by their index there.
    let mut index: HashMap<&Path, usize> = HashMap::new();
    let mut union_paths: Vec<PathBuf> = Vec::new();
    let mut union: Vec<SourceFile> = Vec::new();
    let mut descriptor_files: Vec<bool> = Vec::new();
    let mut first_files: Vec<bool> = Vec::new();
    let mut parsers: Vec<(usize, usize)> = Vec::new();
    let mut maps: Vec<Vec<usize>> = Vec::with_capacity(members.len());
    let judges: Vec<Judge<'_>> = members.iter().map(|m| Judge::new(m.declaration, &m.set, m.options)).collect();
    for (m, member) in members.iter().enumerate() {
        let mut map = Vec::with_capacity(member.keys.len());
        for (file, key) in member.keys.iter().enumerate() {
            let u = *index.entry(key.as_path()).or_insert(union.len());
            if u == union.len() {
                union_paths.push(member.set.paths[file].clone());
                union.push(member.set.files[file].clone());
                descriptor_files.push(false);
                first_files.push(file == 0);
                parsers.push((m, file));
            }
            descriptor_files[u] |= judges[m].descriptors[file];
            map.push(u);
        }
        maps.push(map);
    }
    drop(index);
    let paths: Vec<Vec<PathBuf>> = members.iter().map(|m| m.set.paths.clone()).collect();
    let declarations: Vec<&Declaration<'_>> = members.iter().map(|m| m.declaration).collect();
    let load = |m: usize, texts: &[SourceFile], latest: &InstanceSet| {
        // The set again, from the edited texts (fixes never change which files it reads).
        let edited = Edited {
            texts: paths[m].iter().map(PathBuf::as_path).zip(maps[m].iter().map(|&u| texts[u].text.as_str())).collect(),
            files,
        };
        let first = SourceFile::new(latest.files[0].path.clone(), texts[maps[m][0]].text.clone());
        load_set(declarations[m], first, &edited)
    };
    let mut latest: Vec<InstanceSet> = members.into_iter().map(|m| m.set).collect();
    let mut starts: Vec<Option<Judged>> = vec![None; latest.len()];
    let mut records: Vec<Vec<Judgement>> = vec![Vec::new(); latest.len()];
    let mut first_by_file: Vec<Vec<Vec<Diagnostic>>> = vec![Vec::new(); latest.len()];
    let mut last_by_file: Vec<Vec<Vec<Diagnostic>>> = vec![Vec::new(); latest.len()];
    // Which instance of which member each fix is for, by file of the group (the first of
    // equal fixes is the one named).
    let mut origins: Vec<(usize, Fix, usize, String)> = Vec::new();
    let mut judge_texts = |texts: &[SourceFile], pass: Pass| {
        let mut by_union: Vec<Vec<Diagnostic>> = vec![Vec::new(); texts.len()];
        for m in 0..latest.len() {
            if pass != Pass::Start {
                latest[m] = load(m, texts, &latest[m]);
            }
            let started = if pass == Pass::Later { starts[m].as_ref() } else { None };
            let judged = judges[m].judge(&latest[m], started, &mut records[m]);
            let by_file = align(&paths[m], &latest[m].paths, &judged.by_file);
            let same_files = paths[m] == latest[m].paths;
            for (file, fix, instance) in judged.origins.iter().cloned() {
                let own =
                    if same_files { Some(file) } else { paths[m].iter().position(|p| *p == latest[m].paths[file]) };
                if let Some(own) = own {
                    origins.push((maps[m][own], fix, m, instance));
                }
            }
            for (file, diagnostics) in by_file.iter().enumerate() {
                by_union[maps[m][file]].extend(diagnostics.iter().cloned());
            }
            if pass == Pass::Start {
                first_by_file[m] = by_file.clone();
                starts[m] = Some(judged);
            }
            last_by_file[m] = by_file;
        }
        for diagnostics in &mut by_union {
            dedup_keeping_fixes(diagnostics);
        }
        by_union
    };
    let parses = |u: usize, text: &str| {
        let (m, file) = parsers[u];
        judges[m].parses(file, text)
    };
    let state =
        |u: usize, text: &str| if descriptor_files[u] && !first_files[u] { descriptor_state(text) } else { None };
    let checks = TextChecks { parses: &parses, state: &state };
    let converged = converge(union, unsafe_fixes, &checks, &mut judge_texts);
    let changed = converged.refused.is_none() && converged.originals.iter().any(Option::is_some);
    let member_name = |m: usize| latest[m].files[0].path.clone();
    let who = |u: usize, fix: &Option<Fix>| {
        origins
            .iter()
            .find(|(file, f, _, _)| *file == u && Some(f) == fix.as_ref())
            .map(|(_, _, m, instance)| (*m, instance))
    };
    let held_back = converged
        .held_back
        .iter()
        .map(|h| {
            let wanted = match who(h.file, &h.dropped.fix) {
                Some((m, instance)) => format!("`{instance}` ({})", member_name(m)),
                None => "an instance".to_string(),
            };
            let kept = match who(h.file, &h.kept.fix) {
                Some((m, instance)) => format!("`{instance}` ({})", member_name(m)),
                None => "another instance".to_string(),
            };
            let needs = match h.kept_state {
                _ if h.same_stage => "whose list keeps more of the credential types its bindings ask for".to_string(),
                MigrationState::Dual => "which still needs the dual state".to_string(),
                state => format!("whose fix leaves it {}", state.as_str()),
            };
            let reason = format!(
                "{} fix for {wanted} not written: the file is also used by {kept}, {needs} ({} written instead)",
                h.dropped.rule.code, h.kept.rule.code
            );
            (h.file, reason)
        })
        .collect();
    let outcomes = latest
        .into_iter()
        .zip(judges)
        .zip(maps)
        .enumerate()
        .map(|(m, ((set, judge), map))| {
            let take = |all: &[usize]| -> Vec<usize> { map.iter().map(|&u| all[u]).collect() };
            let diagnostics = if changed { last_by_file[m].clone() } else { first_by_file[m].clone() };
            let converged = Converged {
                files: map.iter().map(|&u| converged.files[u].clone()).collect(),
                originals: map.iter().map(|&u| converged.originals[u].clone()).collect(),
                applied: take(&converged.applied),
                diagnostics,
                refused: converged.refused.clone(),
                held_back: Vec::new(),
            };
            SetOutcome { set, descriptors: judge.descriptors, converged, instances: std::mem::take(&mut records[m]) }
        })
        .collect();
    GroupOutcome {
        members: outcomes,
        paths: union_paths,
        files: converged.files,
        originals: converged.originals,
        refused: converged.refused,
        held_back,
    }
}

/// Findings of a reloaded set, by the file indices of the first load.
fn align(paths: &[PathBuf], loaded: &[PathBuf], by_file: &[Vec<Diagnostic>]) -> Vec<Vec<Diagnostic>> {
    if paths == loaded {
        return by_file.to_vec();
    }
    paths.iter().map(|p| loaded.iter().position(|l| l == p).map(|i| by_file[i].clone()).unwrap_or_default()).collect()
}

/// `Makefile`, `makefile`, `GNUmakefile`, `*.mk`: make interpolates their `$`.
fn is_makefile(name: &str) -> bool {
    matches!(name, "Makefile" | "makefile" | "GNUmakefile") || name.ends_with(".mk")
}
