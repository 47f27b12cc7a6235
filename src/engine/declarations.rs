//! XS115: one service instance declared in several files that disagree on its plan or its
//! `credential-types`. Every run keeps, of each instance a deployment file declares, the few
//! fields that tell which instance it is and what it says (not its set); once every deployment
//! file is judged, the declarations of one instance are compared, and each declaring file gets
//! its findings as a report of its own (joined with the file's other report by path).

use super::{Collector, Options};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::FileReport;
use crate::engine::inventory::{disagreements, identity, Declared, InstanceKind};
use crate::lint::set::Judgement;
use crate::model::deployment::InstanceSet;
use crate::model::environment::Environment;
use crate::rules::xs115_conflicting_declarations as xs115;
use crate::text::source::{Position, SourceFile};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One declaration of an instance, as a run keeps it.
pub(super) struct Declaration {
    identity: String,
    /// The file's real path (its configuration, its text for `full`) and as shown.
    path: PathBuf,
    file: String,
    line: usize,
    kind: InstanceKind,
    name: String,
    service_name: Option<String>,
    environment: Environment,
    namespace: Option<String>,
    /// The plan as written, where it is written.
    plan: Option<(String, Place)>,
    /// The declaration itself (its name).
    at: Place,
    list: Option<String>,
}

/// Per setting a declaration disagrees on: its own value, and each other value with the
/// places (`` `file:line` ``) that give it.
type Against<'a> = BTreeMap<&'a str, (&'a str, Vec<(&'a str, Vec<String>)>)>;

/// A span of a declaring file, located, with its JSON Pointer.
struct Place {
    start: Position,
    end: Position,
    pointer: String,
}

impl Declaration {
    fn declared(&self) -> Declared<'_> {
        Declared {
            file: &self.file,
            line: self.line,
            kind: self.kind,
            name: &self.name,
            service_name: self.service_name.as_deref(),
            environment: Some(self.environment),
            namespace: self.namespace.as_deref(),
            plan: self.plan.as_ref().map(|(p, _)| p.as_str()),
            list: self.list.as_deref(),
        }
    }
}

impl Collector<'_> {
    /// Keeps what XS115 needs of each instance of a judged set.
    pub(super) fn keep_declarations(&self, set: &InstanceSet, judgements: &[Judgement], display: &str) {
        let cwd = std::env::current_dir().ok();
        let mut kept = Vec::with_capacity(set.instances.len());
        for (instance, judgement) in set.instances.iter().zip(judgements) {
            // A reuse service's XSUAA client is another service's instance: not compared.
            if instance.wrapper.is_some() {
                continue;
            }
            let source = &set.files[instance.file];
            let file = if instance.file == 0 {
                display.to_string()
            } else {
                crate::io::discover::display_path(&set.paths[instance.file], cwd.as_deref())
            };
            let locate = |span, pointer: &str| {
                let (start, end) = source.locate(span);
                Place { start, end, pointer: pointer.to_string() }
            };
            let at = locate(instance.span, &instance.pointer);
            let mut declaration = Declaration {
                identity: String::new(),
                path: set.paths[instance.file].clone(),
                file,
                line: at.start.line,
                kind: InstanceKind::Deployment(instance.format),
                name: instance.name.clone(),
                service_name: instance.service_name.clone(),
                environment: Environment::of(instance.format),
                namespace: instance.namespace.clone(),
                plan: instance.plan.as_ref().map(|(plan, span)| (plan.clone(), locate(*span, &instance.plan_pointer))),
                at,
                list: judgement.list.clone(),
            };
            declaration.identity = identity(&declaration.declared());
            kept.push(declaration);
        }
        self.declarations.lock().unwrap().extend(kept);
    }

    /// XS115 on every declaration that another file's declaration of the same instance
    /// contradicts, reported per declaring file under its configuration and the baseline.
    pub(super) fn conflicting_declarations(&self, opts: &Options) {
        let mut declarations = std::mem::take(&mut *self.declarations.lock().unwrap());
        // A file judged twice (named, and beside a named `cf push` manifest) declares once.
        // Sorted in place: a stable sort's buffer, as large as the declarations, was the run's
        // peak of memory. Which of two with one key is kept was already up to the threads.
        declarations.sort_unstable_by(|a, b| (&a.identity, &a.file, a.line).cmp(&(&b.identity, &b.file, b.line)));
        declarations.dedup_by(|a, b| (&a.identity, &a.file, a.line) == (&b.identity, &b.file, b.line));
        let mut by_file: BTreeMap<(PathBuf, String), Vec<Diagnostic>> = BTreeMap::new();
        for group in declarations.chunk_by(|a, b| a.identity == b.identity).filter(|g| g.len() > 1) {
            for this in group {
                let mine = this.declared();
                let mut against: Against<'_> = BTreeMap::new();
                for other in group {
                    for (what, own, theirs) in disagreements(&mine, &other.declared()) {
                        let values = &mut against.entry(what).or_insert((own, Vec::new())).1;
                        let place = format!("`{}:{}`", other.file, other.line);
                        match values.iter_mut().find(|(v, _)| *v == theirs) {
                            Some((_, places)) => places.push(place),
                            None => values.push((theirs, vec![place])),
                        }
                    }
                }
                for (what, (own, values)) in against {
                    let place = match (&this.plan, what) {
                        (Some((_, plan)), "plan") => plan,
                        _ => &this.at,
                    };
                    let name = this.service_name.as_deref().unwrap_or(&this.name);
                    let d = Diagnostic {
                        rule: xs115::RULE.id(),
                        severity: xs115::RULE.severity,
                        message: xs115::message(name, what, own, &values),
                        help: Some(xs115::HELP.into()),
                        pointer: place.pointer.clone(),
                        start: place.start,
                        end: place.end,
                        fix: None,
                        secret: false,
                    };
                    by_file.entry((this.path.clone(), this.file.clone())).or_default().push(d);
                }
            }
        }
        for ((path, display), mut diagnostics) in by_file {
            if let Some(config) = self.configs.for_file(&path) {
                config.apply(&path, &mut diagnostics);
            }
            if diagnostics.is_empty() {
                continue;
            }
            crate::lint::sort(&mut diagnostics);
            // The text only where an output shows it: read again, within the file's repository.
            let shown = self
                .keep_source
                .then(|| {
                    let root = self.root_of(&path);
                    crate::io::load::read_path_within(&path, &display, crate::io::load::ReadAs::Deployment, Some(&root))
                        .ok()
                })
                .flatten()
                .unwrap_or_else(|| SourceFile::new(display.clone(), String::new()));
            let report = FileReport { path: display, diagnostics, ..FileReport::default() };
            self.publish(report, shown, opts);
        }
    }
}
