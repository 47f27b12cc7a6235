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
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Every declaration of the run, compactly: a 1,000,000-file tree has tens of thousands, and
/// XS115 needs them all until the last deployment file is judged. Names, plans, lists and
/// pointers repeat across a tree and are kept once ([`Words`]); a declaring file once per set.
#[derive(Default)]
pub(super) struct Declarations {
    list: Vec<Declaration>,
    /// Each declaring file as shown, and its real path (its configuration, its text for `full`)
    /// where the path shown is not it (mostly it is, relative to the working folder).
    files: Vec<(Option<Box<Path>>, Box<str>)>,
    words: Words,
    /// Keys the identities' fingerprints; random per run.
    keys: (std::hash::RandomState, std::hash::RandomState),
}

/// Strings kept once each, by index.
#[derive(Default)]
struct Words {
    index: HashMap<Arc<str>, u32>,
    all: Vec<Arc<str>>,
}

impl Words {
    fn add(&mut self, word: &str) -> u32 {
        if let Some(&known) = self.index.get(word) {
            return known;
        }
        let word: Arc<str> = word.into();
        let index = self.all.len() as u32;
        self.all.push(word.clone());
        self.index.insert(word, index);
        index
    }

    fn get(&self, index: u32) -> &str {
        &self.all[index as usize]
    }
}

/// One declaration of an instance, as a run keeps it: what tells which instance it is (a
/// 128-bit fingerprint of [`identity`]; two instances of a run share one with odds far below 1
/// in 10^25) and what the comparison and the findings need.
struct Declaration {
    identity: (u64, u64),
    /// Into [`Declarations::files`].
    file: u32,
    line: u32,
    kind: InstanceKind,
    /// The name the findings give (the platform's name, else the file's).
    name: u32,
    /// The plan as written, where it is written.
    plan: Option<(u32, Place)>,
    /// The declaration itself (its name).
    at: Place,
    list: Option<u32>,
}

/// Per setting a declaration disagrees on: its own value, and each other value with the
/// places (`` `file:line` ``) that give it.
type Against<'a> = BTreeMap<&'a str, (&'a str, Vec<(&'a str, Vec<String>)>)>;

/// A span of a declaring file, located, with its JSON Pointer (a word). Files are read up to
/// 16 MiB, so lines, columns and offsets fit 32 bits.
struct Place {
    start: [u32; 3],
    end: [u32; 3],
    pointer: u32,
}

fn compact(position: Position) -> [u32; 3] {
    let fit = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    [fit(position.line), fit(position.column), fit(position.offset)]
}

fn position([line, column, offset]: [u32; 3]) -> Position {
    Position { line: line as usize, column: column as usize, offset: offset as usize }
}

/// The declaring file of `d`, as shown.
fn kept_file<'a>(files: &'a [(Option<Box<Path>>, Box<str>)], d: &Declaration) -> &'a str {
    &files[d.file as usize].1
}

/// What [`disagreements`] compares of a declaration (its identity was compared already).
fn declared<'a>(files: &'a [(Option<Box<Path>>, Box<str>)], words: &'a Words, d: &Declaration) -> Declared<'a> {
    Declared {
        file: kept_file(files, d),
        line: d.line as usize,
        kind: d.kind,
        name: words.get(d.name),
        service_name: None,
        environment: None,
        namespace: None,
        plan: d.plan.as_ref().map(|(p, _)| words.get(*p)),
        list: d.list.map(|l| words.get(l)),
    }
}

impl Collector<'_> {
    /// Keeps what XS115 needs of each instance of a judged set.
    pub(super) fn keep_declarations(&self, set: &InstanceSet, judgements: &[Judgement], display: &str) {
        let cwd = std::env::current_dir().ok();
        let mut kept = self.declarations.lock().unwrap();
        let Declarations { list, files, words, keys } = &mut *kept;
        // The set's files, each added once: by the set's index.
        let mut file_index: HashMap<usize, u32> = HashMap::new();
        for (instance, judgement) in set.instances.iter().zip(judgements) {
            // A reuse service's XSUAA client is another service's instance: not compared.
            if instance.wrapper.is_some() {
                continue;
            }
            let source = &set.files[instance.file];
            let file = *file_index.entry(instance.file).or_insert_with(|| {
                let shown = if instance.file == 0 {
                    display.to_string()
                } else {
                    crate::io::discover::display_path(&set.paths[instance.file], cwd.as_deref())
                };
                let path = &set.paths[instance.file];
                let not_shown = || path.components().skip_while(|c| *c == Component::CurDir);
                let real = (!Path::new(&shown).components().eq(not_shown())).then(|| path.clone().into_boxed_path());
                files.push((real, shown.into_boxed_str()));
                (files.len() - 1) as u32
            });
            let mut locate = |span, pointer: &str| {
                let (start, end) = source.locate(span);
                Place { start: compact(start), end: compact(end), pointer: words.add(pointer) }
            };
            let at = locate(instance.span, &instance.pointer);
            let plan =
                instance.plan.as_ref().map(|(plan, span)| (plan.as_str(), locate(*span, &instance.plan_pointer)));
            let kind = InstanceKind::Deployment(instance.format);
            let shown = &files[file as usize].1;
            let identity = identity(&Declared {
                file: shown,
                line: at.start[0] as usize,
                kind,
                name: &instance.name,
                service_name: instance.service_name.as_deref(),
                environment: Some(Environment::of(instance.format)),
                namespace: instance.namespace.as_deref(),
                plan: plan.as_ref().map(|(p, _)| *p),
                list: judgement.list.as_deref(),
            });
            list.push(Declaration {
                identity: (keys.0.hash_one(&identity), keys.1.hash_one(&identity)),
                file,
                line: at.start[0],
                kind,
                name: words.add(instance.service_name.as_deref().unwrap_or(&instance.name)),
                plan: plan.map(|(p, place)| (words.add(p), place)),
                at,
                list: judgement.list.as_deref().map(|l| words.add(l)),
            });
        }
    }

    /// XS115 on every declaration that another file's declaration of the same instance
    /// contradicts, reported per declaring file under its configuration and the baseline.
    pub(super) fn conflicting_declarations(&self, opts: &Options) {
        let Declarations { mut list, files, words, .. } = std::mem::take(&mut *self.declarations.lock().unwrap());
        // Sorted in place: a stable sort's buffer, as large as the declarations, was once the
        // run's peak of memory.
        list.sort_unstable_by_key(|d| d.identity);
        let mut by_file: BTreeMap<(PathBuf, String), Vec<Diagnostic>> = BTreeMap::new();
        for group in list.chunk_by(|a, b| a.identity == b.identity).filter(|g| g.len() > 1) {
            // A file judged twice (named, and beside a named `cf push` manifest) declares once.
            // Which of two with one place is kept was already up to the threads.
            let mut group: Vec<&Declaration> = group.iter().collect();
            group.sort_by(|a, b| (kept_file(&files, a), a.line).cmp(&(kept_file(&files, b), b.line)));
            group.dedup_by(|a, b| (kept_file(&files, a), a.line) == (kept_file(&files, b), b.line));
            if group.len() < 2 {
                continue;
            }
            for &this in &group {
                let mine = declared(&files, &words, this);
                let mut against: Against<'_> = BTreeMap::new();
                for &other in &group {
                    let theirs = declared(&files, &words, other);
                    for (what, own, theirs) in disagreements(&mine, &theirs) {
                        let values = &mut against.entry(what).or_insert((own, Vec::new())).1;
                        let place = format!("`{}:{}`", kept_file(&files, other), other.line);
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
                    let d = Diagnostic {
                        rule: xs115::RULE.id(),
                        severity: xs115::RULE.severity,
                        message: xs115::message(words.get(this.name), what, own, &values),
                        help: Some(xs115::HELP.into()),
                        pointer: words.get(place.pointer).to_string(),
                        start: position(place.start),
                        end: position(place.end),
                        fix: None,
                        secret: false,
                    };
                    let (real, shown) = &files[this.file as usize];
                    let path = real.as_deref().unwrap_or(Path::new(&**shown));
                    by_file.entry((path.to_path_buf(), shown.to_string())).or_default().push(d);
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
