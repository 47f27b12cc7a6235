//! One buffer through the pure core, as `xsuaa-lint check` would judge the file: its
//! configuration (the nearest `xsuaa-lint.toml`, read afresh each time, so an edited one applies
//! at the next change), the history rules against `HEAD`, and for a deployment file the
//! descriptors and extensions it brings in, read from the open buffers before the disk.

use crate::config::{Discovery, Resolver};
use crate::deployment::{self, Files, Kind, Unreadable};
use crate::descriptor::MigrationState;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, FileKind};
use crate::history::History;
use crate::lint::fix::{self, FixOutcome};
use crate::lint::set::{judge_set, Declaration, SetOptions};
use crate::lint::{LintOptions, Observed};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What kind of file a buffer holds, by its name (as the walk decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Descriptor,
    Deployment(Kind),
    Credentials,
    /// Not a file xsuaa-lint judges: no diagnostics.
    Other,
}

pub fn kind_of(name: &str) -> DocKind {
    match discover::classify_name(name) {
        Some(FileKind::Descriptor) => DocKind::Descriptor,
        Some(FileKind::Deployment(kind)) => DocKind::Deployment(kind),
        Some(FileKind::Credentials) => DocKind::Credentials,
        // A client that sends any JSON file (the extension activates on descriptor names only).
        None if name.to_ascii_lowercase().ends_with(".json") => DocKind::Descriptor,
        None => DocKind::Other,
    }
}

/// The open buffers with a path, by lexically normalised absolute path.
pub type OpenTexts = HashMap<PathBuf, String>;

/// Files as the editor has them: an open buffer wins over the disk.
pub struct OpenFiles<'a>(pub &'a OpenTexts);

impl Files for OpenFiles<'_> {
    fn read(&self, path: &Path, shown: &str) -> Result<SourceFile, Unreadable> {
        match self.0.get(&normalize(path)) {
            Some(text) => Ok(SourceFile::new(shown, text.clone())),
            None => crate::load::Disk.read(path, shown),
        }
    }
}

/// An absolute path without `.` and `..` (what `path:` of an MTA resolves to).
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A buffer to judge.
pub struct Buffer<'a> {
    /// `None` for a buffer that is not a file (`untitled:`).
    pub path: Option<&'a Path>,
    /// Its file name, which decides its kind.
    pub name: &'a str,
    pub text: &'a str,
}

/// A file a fix changes.
pub struct Change {
    /// `None`: the buffer itself.
    pub path: Option<PathBuf>,
    pub before: String,
    pub after: String,
}

#[derive(Default)]
pub struct Analysis {
    /// The buffer's findings.
    pub diagnostics: Vec<Diagnostic>,
    /// A descriptor's migration state.
    pub state: Option<MigrationState>,
    /// The configuration that applies cannot be read.
    pub config_error: Option<String>,
    /// With `fix`: what the fix loop changed (the buffer, and files a deployment file brings in).
    pub changes: Vec<Change>,
}

/// Judges a buffer; with `fix = Some(unsafe_fixes)`, runs the core's fix loop on it.
pub fn analyze(buffer: &Buffer<'_>, open: &OpenTexts, fix: Option<bool>) -> Analysis {
    let kind = kind_of(buffer.name);
    if kind == DocKind::Other {
        return Analysis::default();
    }
    let cwd = std::env::current_dir().ok();
    let configured_as = buffer.path.map_or_else(|| PathBuf::from(buffer.name), Path::to_path_buf);
    let shown = buffer.path.map_or_else(|| buffer.name.to_string(), |p| discover::display_path(p, cwd.as_deref()));
    let source = SourceFile::new(shown, buffer.text.to_string());
    let resolver = Resolver::new(Discovery::Nearest);
    let Some(config) = resolver.for_file(&configured_as) else {
        let errors: Vec<String> = resolver.errors().iter().map(ToString::to_string).collect();
        return Analysis { config_error: Some(errors.join("; ")), ..Analysis::default() };
    };
    // History against HEAD, as in pre-commit: a new reader each time, so a commit made while
    // the buffer is open is the base from then on.
    let history = History::new(None);
    match kind {
        DocKind::Descriptor => {
            let base = buffer.path.and_then(|p| history.baseline(p, buffer.text));
            let filter = |d: &mut Vec<Diagnostic>| config.apply(&configured_as, d);
            let observed = Observed::default();
            let options = LintOptions {
                base: base.as_ref(),
                policies: &config.policies,
                filter: Some(&filter),
                plan: config.plan_for(&configured_as),
                own_rules_only: false,
                observed: Some(&observed),
                started_in: None,
            };
            let mut analysis = Analysis::default();
            match fix {
                None => analysis.diagnostics = crate::lint::lint_with(&source, &options),
                Some(unsafe_fixes) => match fix::fix_source(&source, unsafe_fixes, &options) {
                    FixOutcome::Unchanged(d) | FixOutcome::Refused { diagnostics: d, .. } => analysis.diagnostics = d,
                    FixOutcome::Fixed(fixed) => {
                        analysis.diagnostics = fixed.remaining;
                        analysis.changes.push(Change { path: None, before: source.text.clone(), after: fixed.text });
                    }
                },
            }
            analysis.state = Some(observed.state.get());
            analysis
        }
        DocKind::Credentials => {
            let mut diagnostics = Vec::new();
            if let Ok(root) = crate::parse::parse(&source.text, source.bom_len()) {
                crate::rules::xs120_committed_credentials::check_json(&source, &root, &mut diagnostics);
            }
            config.apply(&configured_as, &mut diagnostics);
            Analysis { diagnostics, ..Analysis::default() }
        }
        DocKind::Deployment(kind) => {
            if !kind.is_relevant(buffer.text) {
                return Analysis::default();
            }
            let path = normalize(&configured_as);
            let root = crate::engine::repository_root(&path);
            let extensions = extensions_beside(&path, kind);
            let declaration = Declaration { path: &path, kind, root: &root, extensions: &extensions };
            let base_of = |file: &Path, text: &str| history.baseline(file, text);
            let filter = |file: &Path, d: &mut Vec<Diagnostic>| {
                resolver.for_file(file).unwrap_or_else(|| config.clone()).apply(file, d);
            };
            let options = SetOptions { policies: &config.policies, base_of: &base_of, filter: &filter, fix };
            let outcome = judge_set(&declaration, source, &OpenFiles(open), &options);
            let converged = outcome.converged;
            let mut analysis = Analysis {
                diagnostics: converged.diagnostics.into_iter().next().unwrap_or_default(),
                ..Analysis::default()
            };
            for (file, original) in converged.originals.into_iter().enumerate() {
                let Some(before) = original else { continue };
                let after = converged.files[file].text.clone();
                let path = (file > 0).then(|| outcome.set.paths[file].clone());
                analysis.changes.push(Change { path, before, after });
            }
            analysis
        }
        DocKind::Other => Analysis::default(),
    }
}

/// The `.mtaext` files beside an MTA deployment descriptor (a run gets those it walks).
fn extensions_beside(path: &Path, kind: Kind) -> Vec<PathBuf> {
    if kind != Kind::Mta {
        return Vec::new();
    }
    let Some(Ok(entries)) = path.parent().map(std::fs::read_dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).and_then(deployment::Kind::of_name) == Some(Kind::MtaExtension)
        })
        .collect();
    found.sort();
    found
}
