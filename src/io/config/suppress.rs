//! `[[ignore]]` entries and the index that finds the ones for a path.

use super::*;

/// A `[[ignore]]` entry: findings it silences, with the reason recorded. Its path glob is in
/// the configuration's [`SuppressionIndex`].
#[derive(Debug)]
pub struct Suppression {
    pub path: String,
    pub pointer: Option<String>,
    pub rules: Vec<String>,
    pub reason: String,
    /// Where the entry is in the configuration file, for XS900.
    pub position: Position,
    pub end: Position,
    /// The file the entry is in, as shown.
    pub from: String,
    /// From a file this configuration extends: not reported as unused here.
    pub inherited: bool,
    pub(super) glob: Glob,
    pub(super) used: AtomicBool,
}

impl Suppression {
    /// Whether it silences `d`, in a file its path glob matches.
    pub(super) fn silences(&self, d: &Diagnostic) -> bool {
        self.rules.iter().any(|r| r.eq_ignore_ascii_case(d.rule.code))
            && self.pointer.as_deref().is_none_or(|p| {
                d.pointer == p || (d.pointer.starts_with(p) && d.pointer.as_bytes().get(p.len()) == Some(&b'/'))
            })
    }
}

/// The `[[ignore]]` path globs compiled together: one lookup per file gives the entries that
/// apply to it (literal paths by hash, globs by one automaton), so thousands of entries cost no
/// more per finding than a few.
#[derive(Debug)]
pub(super) enum SuppressionIndex {
    Set(GlobSet),
    /// Globs too many or too complex to compile as one set: each on its own (slower, same answers).
    Each(Vec<GlobMatcher>),
}

impl SuppressionIndex {
    pub(super) fn new(globs: &[Glob]) -> Self {
        let mut builder = GlobSetBuilder::new();
        for g in globs {
            builder.add(g.clone());
        }
        match builder.build() {
            Ok(set) => SuppressionIndex::Set(set),
            Err(_) => SuppressionIndex::Each(globs.iter().map(Glob::compile_matcher).collect()),
        }
    }

    /// The entries whose glob matches `relative_path`, in configuration order.
    pub(super) fn matching(&self, relative_path: &str) -> Vec<usize> {
        match self {
            SuppressionIndex::Set(set) => set.matches(relative_path),
            SuppressionIndex::Each(matchers) => {
                matchers.iter().enumerate().filter(|(_, m)| m.is_match(relative_path)).map(|(i, _)| i).collect()
            }
        }
    }
}
