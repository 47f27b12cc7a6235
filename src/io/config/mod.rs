//! The configuration file, `xsuaa-lint.toml` or `.xsuaa-lint.toml`: found by walking up from
//! each linted file (the nearest wins), or named with `--config`; `--isolated` ignores them all.
//! The reference is in the README.

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::environment::Environment;
use crate::rules::policy::Policy;
use crate::text::source::{Position, SourceFile};
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use toml::Spanned;

mod add_ignore;
mod extend;
mod parse;
mod raw;
mod resolve;
mod show;
mod suppress;

pub use add_ignore::{add_ignores, entry_pointer, literal_glob, IgnoreEntry};
pub use extend::{ExtendScope, MAX_EXTEND_CHAIN};
pub use resolve::{Discovery, Resolver};
pub use suppress::Suppression;
use suppress::SuppressionIndex;

/// Looked for in this order in each folder (the hidden name first, as ruff does).
pub const FILE_NAMES: [&str; 2] = [".xsuaa-lint.toml", "xsuaa-lint.toml"];

/// The plans of the xsuaa offering (spec section 2.4); `default` is the old name of `application`.
pub const PLANS: [&str; 6] = ["application", "broker", "apiaccess", "space", "system", "default"];

/// The severities `[check] fail-on` accepts (as `--fail-on`).
pub const FAIL_ON: [&str; 3] = ["info", "warning", "error"];

/// How many days a descriptor may stay in the dual state before XS103 warns: the project's
/// choice (SAP gives no figure), time enough to rebind the apps and replace the keys of one
/// release cycle.
pub const DEFAULT_GRACE_DAYS: u32 = 30;

/// A rule's severity as configured; `off` disables it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

impl Level {
    fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }
}

/// A configuration file that cannot be used, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigError {
    pub path: String,
    pub position: Option<Position>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}:{}: {}", self.path, p.line, p.column, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// The resolved settings for the files below one configuration file (or the defaults).
#[derive(Debug)]
pub struct Config {
    /// The file the settings come from; `None` for the defaults.
    pub file: Option<PathBuf>,
    /// The folder that globs and suppression paths are relative to.
    pub root: PathBuf,
    /// Rule selection, one layer per source in the order they apply: the defaults (everything),
    /// each file of an `extend` chain from the base up, then the command line.
    pub selection: Vec<RuleSelection>,
    pub severity: BTreeMap<String, Level>,
    pub include: Vec<String>,
    include_set: GlobSet,
    pub exclude: Vec<String>,
    exclude_set: GlobSet,
    pub plan: Option<String>,
    pub plans: Vec<(String, String)>,
    plan_matchers: Vec<GlobMatcher>,
    /// The environment of descriptors that no deployment file names, and per path.
    pub environment: Option<Environment>,
    pub environments: Vec<(String, Environment)>,
    environment_matchers: Vec<GlobMatcher>,
    pub suppressions: Vec<Suppression>,
    suppression_index: SuppressionIndex,
    pub policies: Vec<Policy>,
    /// `[migration] grace-days`.
    pub grace_days: u32,
    /// `[recommendations]`.
    pub recommendations: crate::rules::recommendations::Recommendations,
    /// `[check] fail-on` (one of [`FAIL_ON`]); `--fail-on` wins.
    pub fail_on: Option<String>,
    /// `[check] exit-zero`; `--exit-zero` wins.
    pub exit_zero: Option<bool>,
    /// Where each setting not left at its default comes from (key as `config --show` prints
    /// it, file as shown): an `extend` chain mixes files.
    pub origins: BTreeMap<String, String>,
    /// The file as messages name it (empty for the defaults).
    shown: String,
    /// The files this one extends, the nearest first, as shown.
    pub extends: Vec<String>,
    /// The keys this file sets itself (before `extend` fills the others from its base).
    set_here: std::collections::BTreeSet<&'static str>,
}

/// One source's rule selection, as ruff's: `select` replaces what the layers below selected,
/// `extend-select` adds to it, `ignore` removes from it (within a layer, `ignore` wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSelection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// Where it comes from: a file as shown, `command line` or `defaults`.
    pub from: String,
}

impl RuleSelection {
    /// Whether a code is on after this layer, given whether it was on below it.
    fn apply(&self, code: &str, below: bool) -> bool {
        let any = |patterns: &[String]| patterns.iter().any(|p| matches_code(p, code));
        let selected = match &self.select {
            Some(select) => any(select),
            None => below,
        };
        (selected || any(&self.extend_select)) && !any(&self.ignore)
    }

    pub fn is_empty(&self) -> bool {
        self.select.is_none() && self.extend_select.is_empty() && self.ignore.is_empty()
    }
}

/// What is wrong with a rule code or prefix given on the command line (`None`: it names a
/// built-in rule, a prefix of some, `ALL`, or one of `policies`), with the nearest code.
pub fn command_line_code_problem(code: &str, policies: &[String]) -> Option<String> {
    if code.trim().is_empty() {
        return Some("an empty rule code; give a code or prefix (`XS1`) or `ALL`".into());
    }
    let known = code.eq_ignore_ascii_case("ALL")
        || crate::rules::ALL.iter().any(|r| matches_code(code, r.code))
        || policies.iter().any(|p| matches_code(code, p));
    if known {
        return None;
    }
    let candidates = crate::rules::ALL.iter().map(|r| r.code).chain(policies.iter().map(String::as_str));
    let upper = code.to_ascii_uppercase();
    let nearest = candidates
        .map(|c| (strsim::levenshtein(&upper, &c.to_ascii_uppercase()), c))
        .filter(|(distance, _)| *distance <= 2)
        .min();
    Some(match nearest {
        Some((_, c)) => {
            format!("`{code}` is no rule code or prefix; did you mean `{c}`? (`xsuaa-lint rule --all` lists them)")
        }
        None => format!("`{code}` is no rule code or prefix (`xsuaa-lint rule --all` lists them)"),
    })
}

fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(path_glob(pattern)?.compile_matcher())
}

/// A path glob: `*` stops at `/`, `**` crosses folders.
fn path_glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// The most `files.include` or `files.exclude` patterns, and the longest one: 20,000 patterns
/// took 226 MB to compile; 1,000 such as `d1/**/x*y*z.json` take about 24 MB.
const MAX_PATH_GLOBS: usize = 1_000;
const MAX_PATH_GLOB_LEN: usize = 1_024;

/// `apps/**` also matches what is below `apps/`, as a folder pattern should.
fn glob_set(patterns: &[String]) -> Result<GlobSet, (usize, globset::Error)> {
    let mut builder = GlobSetBuilder::new();
    for (i, p) in patterns.iter().enumerate() {
        let trimmed = p.trim_end_matches('/');
        builder.add(GlobBuilder::new(trimmed).literal_separator(true).build().map_err(|e| (i, e))?);
        builder.add(Glob::new(&format!("{trimmed}/**")).map_err(|e| (i, e))?);
    }
    builder.build().map_err(|e| (0, e))
}

/// What makes `pointer` no RFC 6901 JSON Pointer: it starts with `/` (or is empty, the root)
/// and every `~` is followed by `0` or `1`.
fn pointer_problem(pointer: &str) -> Option<String> {
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Some("a JSON Pointer starts with `/`".into());
    }
    let bytes = pointer.as_bytes();
    let bad = bytes.iter().enumerate().find(|&(i, &b)| b == b'~' && !matches!(bytes.get(i + 1), Some(b'0' | b'1')));
    bad.map(|(i, _)| {
        format!("`{pointer}` is no JSON Pointer: `~` at byte {i} must be followed by `0` (for `~`) or `1` (for `/`)")
    })
}

fn matches_code(pattern: &str, code: &str) -> bool {
    pattern.eq_ignore_ascii_case("ALL")
        || code.len() >= pattern.len() && code[..pattern.len()].eq_ignore_ascii_case(pattern)
}

impl Config {
    /// The defaults: every rule at its own severity, no suppressions.
    pub fn defaults(root: PathBuf) -> Self {
        Config {
            file: None,
            root,
            selection: vec![RuleSelection {
                select: Some(vec!["ALL".into()]),
                from: "defaults".into(),
                ..RuleSelection::default()
            }],
            severity: BTreeMap::new(),
            include: Vec::new(),
            include_set: GlobSet::empty(),
            exclude: Vec::new(),
            exclude_set: GlobSet::empty(),
            plan: None,
            plans: Vec::new(),
            plan_matchers: Vec::new(),
            environment: None,
            environments: Vec::new(),
            environment_matchers: Vec::new(),
            suppressions: Vec::new(),
            suppression_index: SuppressionIndex::Set(GlobSet::empty()),
            policies: Vec::new(),
            grace_days: DEFAULT_GRACE_DAYS,
            recommendations: crate::rules::recommendations::Recommendations::default(),
            fail_on: None,
            exit_zero: None,
            origins: BTreeMap::new(),
            shown: String::new(),
            extends: Vec::new(),
            set_here: Default::default(),
        }
    }

    /// Reads and checks a configuration file the user named. `shown` is how its path is printed.
    pub fn load(path: &Path, shown: &str) -> Result<Self, ConfigError> {
        Self::load_within(path, shown, None)
    }

    /// [`Config::load`] of a file found in a folder: it may not lead out of the repository
    /// holding it (`root`) through a symbolic link.
    pub fn load_within(path: &Path, shown: &str, root: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_extending(path, shown, root, &ExtendScope::Anywhere)
    }

    fn origin_name(&self) -> String {
        self.shown.clone()
    }

    /// Whether a rule runs at all, and at which severity.
    pub fn level(&self, code: &str, default: Severity) -> Option<Severity> {
        if code == crate::rules::xs000_io_error::RULE.code {
            return Some(default); // unreadable files are never silent
        }
        if let Some(level) = self.severity.get(code) {
            return level.severity();
        }
        let on = self.selection.iter().fold(false, |below, layer| layer.apply(code, below));
        on.then_some(default)
    }

    /// The command line's `--select`, `--extend-select` and `--ignore`, over every file's.
    pub fn add_command_line(&mut self, layer: &RuleSelection) {
        if !layer.is_empty() {
            self.selection.push(RuleSelection { from: "command line".into(), ..layer.clone() });
        }
    }

    /// `path` relative to the configuration's folder, with `/`.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let absolute = std::path::absolute(path).ok()?;
        let relative = absolute.strip_prefix(&self.root).ok()?;
        Some(relative.to_string_lossy().replace('\\', "/"))
    }

    /// Rule selection, severities and suppressions, applied to one file's findings.
    pub fn apply(&self, path: &Path, diagnostics: &mut Vec<Diagnostic>) {
        // The entries for this file, looked up once; the first that silences a finding wins.
        // Its relative path is made only when there are entries to match it against.
        let candidates = if self.suppressions.is_empty() {
            Vec::new()
        } else {
            self.relative(path).map(|r| self.suppression_index.matching(&r)).unwrap_or_default()
        };
        diagnostics.retain_mut(|d| {
            let Some(severity) = self.level(d.rule.code, d.severity) else { return false };
            d.severity = severity;
            match candidates.iter().map(|&i| &self.suppressions[i]).find(|s| s.silences(d)) {
                Some(s) => {
                    s.used.store(true, Ordering::Relaxed);
                    false
                }
                None => true,
            }
        });
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        !self.exclude.is_empty() && self.relative(path).is_some_and(|r| self.exclude_set.is_match(&r))
    }

    pub fn is_included(&self, path: &Path) -> bool {
        !self.include.is_empty() && self.relative(path).is_some_and(|r| self.include_set.is_match(&r))
    }

    /// The environment of a descriptor that no deployment file names (`None`: not configured,
    /// Cloud Foundry assumed).
    pub fn environment_for(&self, path: &Path) -> Option<Environment> {
        // The relative path only when a matcher may take it.
        let matchers = &self.environment_matchers;
        let by_path = if matchers.is_empty() {
            None
        } else {
            self.relative(path).and_then(|r| matchers.iter().position(|m| m.is_match(&r)))
        };
        by_path.map(|i| self.environments[i].1).or(self.environment)
    }

    /// The plan for a descriptor that no deployment file names.
    pub fn plan_for(&self, path: &Path) -> Option<&str> {
        let matchers = &self.plan_matchers;
        let by_path = if matchers.is_empty() {
            None
        } else {
            self.relative(path).and_then(|r| matchers.iter().position(|m| m.is_match(&r)))
        };
        by_path.map(|i| self.plans[i].1.as_str()).or(self.plan.as_deref())
    }

    /// Suppressions of this file (not of a file it extends) that silenced nothing in this run:
    /// an entry of a shared base may serve other repositories.
    pub fn unused_suppressions(&self) -> impl Iterator<Item = &Suppression> {
        self.suppressions.iter().filter(|s| !s.inherited && !s.used.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "xsuaa-lint.toml", PathBuf::from("/repo"))
    }

    #[test]
    fn errors_carry_their_position() {
        let e = parse("[rules]\nselekt = [\"XS1\"]\n").unwrap_err();
        assert_eq!(e.position.map(|p| (p.line, p.column)), Some((2, 1)), "{e}");
        assert!(e.message.contains("selekt"), "{e}");
        let e = parse("[rules]\nignore = [\"XS999\"]\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.line), Some(2));
        let e = parse("[rules.severity]\nXS103 = \"loud\"\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.line), Some(2), "{e}");
        let e = parse("[[ignore]]\npath = \"a/**\"\nrules = [\"XS103\"]\n").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = parse("plan = \"gold\"\n").unwrap_err();
        assert!(e.message.contains("unknown plan"), "{e}");
        let e =
            parse("[[policy]]\ncode = \"XS999\"\nmessage = \"m\"\npointer = \"/a\"\nrequired = true\n").unwrap_err();
        assert!(e.message.contains("reserved"), "{e}");
    }

    #[test]
    fn empty_codes_xs000_off_and_bad_pointer_escapes_are_errors() {
        for (text, line, column, needle) in [
            ("[rules]\nignore = [\"\"]\n", 2, 11, "empty rule code"),
            ("[rules]\nselect = [\"XS1\", \"\"]\n", 2, 18, "empty rule code"),
            ("[[ignore]]\npath = \"a\"\nrules = [\" \"]\nreason = \"r\"\n", 3, 10, "empty rule code"),
            ("[rules.severity]\nXS000 = \"off\"\n", 2, 9, "XS000"),
            ("[rules.severity]\nxs000 = \"warning\"\n", 2, 9, "XS000"),
            ("[[ignore]]\npath = \"a\"\npointer = \"/a~2\"\nrules = [\"XS1\"]\nreason = \"r\"\n", 3, 11, "`~`"),
            ("[[ignore]]\npath = \"a\"\npointer = \"/a~\"\nrules = [\"XS1\"]\nreason = \"r\"\n", 3, 11, "`~`"),
            ("[[policy]]\ncode = \"ORG1\"\nmessage = \"m\"\npointer = \"/x~9\"\nrequired = true\n", 4, 11, "`~`"),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.position.map(|p| (p.line, p.column)), Some((line, column)), "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
        // What stays valid: XS000 at its own severity, escapes `~0` and `~1`.
        parse("[rules.severity]\nXS000 = \"error\"\n").unwrap();
        let c = parse("[[ignore]]\npath = \"a\"\npointer = \"/a~0b~1c\"\nrules = [\"XS1\"]\nreason = \"r\"\n").unwrap();
        assert_eq!(c.suppressions[0].pointer.as_deref(), Some("/a~0b~1c"));
    }

    #[test]
    fn many_suppressions_cost_one_lookup_per_file() {
        use crate::diagnostic::Diagnostic;
        use crate::report::tests::finding;
        use crate::rules::xs102_instance_secret_only::RULE;
        let n = 20_000;
        let mut text = String::new();
        for i in 0..n {
            text.push_str(&format!(
                "[[ignore]]\npath = \"apps/a{i}/xs-security.json\"\nrules = [\"XS102\"]\nreason = \"legacy\"\n\n"
            ));
        }
        text.push_str("[[ignore]]\npath = \"glob/*/xs-security.json\"\nrules = [\"XS102\"]\nreason = \"legacy\"\n");
        let started = std::time::Instant::now();
        let c = parse(&text).unwrap();
        let mut kept = 0;
        for i in 0..n {
            let mut findings: Vec<Diagnostic> = vec![finding(&RULE, "/a")];
            // Every other file has no entry of its own.
            let folder = if i % 2 == 0 { format!("apps/a{i}") } else { format!("other/a{i}") };
            c.apply(Path::new(&format!("/repo/{folder}/xs-security.json")), &mut findings);
            kept += findings.len();
        }
        let mut globbed = vec![finding(&RULE, "/a")];
        c.apply(Path::new("/repo/glob/x/xs-security.json"), &mut globbed);
        let elapsed = started.elapsed();
        assert_eq!((kept, globbed.len()), (n / 2, 0));
        assert_eq!(c.unused_suppressions().count(), n / 2);
        // Quadratic matching took minutes in a debug build; linear takes about a second, under load too.
        assert!(elapsed < std::time::Duration::from_secs(10), "{n} suppressions took {elapsed:?}");
    }

    /// What `config --show` prints is a configuration that means the same, whatever its strings
    /// hold (quotes, line breaks, controls, TOML's own delimiters), and prints the same again.
    #[test]
    fn shown_settings_read_back_as_the_same_configuration() {
        let text = r#"plan = "broker"
[rules]
select = ["XS1", "org"]
[rules.severity]
XS103 = "error"
[files]
exclude = ["a b/**", "q'\"x"]
[[plans]]
path = "s/**"
plan = "space"
[[ignore]]
path = "apps/*/xs-security.json"
pointer = "/a~1b"
rules = ["XS102"]
reason = "line one\nline \"two\" ''' \"\"\" \u0007 \t é"
[[policy]]
code = "ORG1"
message = "at most 3600 \r\n ]]> <&>"
pointer = "/oauth2-configuration/token-validity"
schema = { maximum = 3600, "odd key" = { enum = [1, 2.5, true, "x"] } }
"#;
        let config = parse(text).unwrap();
        let shown = config.show();
        let again = parse(&shown).unwrap_or_else(|e| panic!("{e}\n{shown}"));
        // The settings, not the `#` lines on where they come from: shown, every value is set.
        let settings = |text: &str| text.lines().filter(|l| !l.starts_with('#')).collect::<Vec<_>>().join("\n");
        assert_eq!(settings(&again.show()), settings(&shown));
        assert_eq!(again.suppressions[0].reason, "line one\nline \"two\" ''' \"\"\" \u{7} \t é");
        assert_eq!(again.policies[0].rule.summary, "at most 3600 \r\n ]]> <&>");
        assert_eq!(again.policies[0].schema_json, config.policies[0].schema_json);
        assert_eq!((again.selection, again.exclude, again.plans), (config.selection, config.exclude, config.plans));
    }

    #[test]
    fn shown_defaults() {
        assert_eq!(
            Config::defaults(PathBuf::from("/repo")).show(),
            "# configuration file: (none: defaults)\n# relative to: /repo\n\
             [files]\nexclude = []\ninclude = []\n\n[migration]\ngrace-days = 30\n\n\
             [recommendations]\nrefresh-token-validity-max = 604800\nshared-domains = []\ntoken-validity-max = 43200\ntoken-validity-min = 1800\n\n[rules]\nignore = []\nselect = [\"ALL\"]\n\n[rules.severity]\n"
        );
    }

    #[test]
    fn selection_and_severity() {
        let c = parse("[rules]\nselect = [\"XS1\", \"XS2\"]\nignore = [\"XS205\"]\n[rules.severity]\nXS103 = \"error\"\nXS101 = \"off\"\n")
            .unwrap();
        assert_eq!(c.level("XS102", Severity::Error), Some(Severity::Error));
        assert_eq!(c.level("XS103", Severity::Warning), Some(Severity::Error));
        assert_eq!(c.level("XS101", Severity::Warning), None);
        assert_eq!(c.level("XS205", Severity::Warning), None);
        assert_eq!(c.level("XS002", Severity::Error), None);
        assert_eq!(c.level("XS000", Severity::Error), Some(Severity::Error));
    }
}
