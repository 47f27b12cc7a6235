//! The configuration file, `xsuaa-lint.toml` or `.xsuaa-lint.toml`: found by walking up from
//! each linted file (the nearest wins), or named with `--config`; `--isolated` ignores them all.
//! The reference is in the README.

use crate::diagnostic::{Diagnostic, Severity};
use crate::environment::Environment;
use crate::policy::Policy;
use crate::source::{Position, SourceFile};
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use toml::Spanned;

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    files: RawFiles,
    plan: Option<Spanned<String>>,
    #[serde(default)]
    plans: Vec<Spanned<RawPlan>>,
    environment: Option<Spanned<String>>,
    #[serde(default)]
    environments: Vec<Spanned<RawEnvironment>>,
    #[serde(default)]
    ignore: Vec<Spanned<RawSuppression>>,
    #[serde(default)]
    policy: Vec<Spanned<RawPolicy>>,
    #[serde(default)]
    migration: RawMigration,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    recommendations: RawRecommendations,
}

/// `[recommendations]`: thresholds of the rules for SAP's security recommendations (XS301-XS303).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRecommendations {
    token_validity_max: Option<Spanned<i64>>,
    token_validity_min: Option<Spanned<i64>>,
    refresh_token_validity_max: Option<Spanned<i64>>,
    #[serde(default)]
    shared_domains: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMigration {
    grace_days: Option<Spanned<i64>>,
}

/// `check` flags that a project may set once for everyone (the command line wins).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    fail_on: Option<Spanned<String>>,
    exit_zero: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRules {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<Level>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFiles {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPlan {
    path: Spanned<String>,
    plan: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEnvironment {
    path: Spanned<String>,
    environment: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSuppression {
    path: Spanned<String>,
    pointer: Option<Spanned<String>>,
    rules: Vec<Spanned<String>>,
    reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    code: Spanned<String>,
    message: String,
    #[serde(default = "default_policy_level")]
    severity: Spanned<Level>,
    pointer: Spanned<String>,
    schema: Option<toml::Table>,
    #[serde(default)]
    required: bool,
}

fn default_policy_level() -> Spanned<Level> {
    Spanned::new(0..0, Level::Warning)
}

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
    used: AtomicBool,
}

impl Suppression {
    /// Whether it silences `d`, in a file its path glob matches.
    fn silences(&self, d: &Diagnostic) -> bool {
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
enum SuppressionIndex {
    Set(GlobSet),
    /// Globs too many or too complex to compile as one set: each on its own (slower, same answers).
    Each(Vec<GlobMatcher>),
}

impl SuppressionIndex {
    fn new(globs: &[Glob]) -> Self {
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
    fn matching(&self, relative_path: &str) -> Vec<usize> {
        match self {
            SuppressionIndex::Set(set) => set.matches(relative_path),
            SuppressionIndex::Each(matchers) => {
                matchers.iter().enumerate().filter(|(_, m)| m.is_match(relative_path)).map(|(i, _)| i).collect()
            }
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
    pub select: Vec<String>,
    pub ignore: Vec<String>,
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
    pub recommendations: crate::recommendations::Recommendations,
    /// `[check] fail-on` (one of [`FAIL_ON`]); `--fail-on` wins.
    pub fail_on: Option<String>,
    /// `[check] exit-zero`; `--exit-zero` wins.
    pub exit_zero: Option<bool>,
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
            select: vec!["ALL".into()],
            ignore: Vec::new(),
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
            recommendations: crate::recommendations::Recommendations::default(),
            fail_on: None,
            exit_zero: None,
        }
    }

    /// Reads and checks a configuration file the user named. `shown` is how its path is printed.
    pub fn load(path: &Path, shown: &str) -> Result<Self, ConfigError> {
        Self::load_within(path, shown, None)
    }

    /// [`Config::load`] of a file found in a folder: it may not lead out of the repository
    /// holding it (`root`) through a symbolic link.
    pub fn load_within(path: &Path, shown: &str, root: Option<&Path>) -> Result<Self, ConfigError> {
        // Bounded and regular files only, as descriptors: `--config /dev/zero` or a FIFO must
        // not hang the run. (The TOML parser accepts a byte-order mark.)
        let text = crate::load::read_file(path, root, crate::load::MAX_FILE_SIZE)
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|e| {
                    format!("the file is not valid UTF-8 (at byte offset {})", e.utf8_error().valid_up_to())
                })
            })
            .map_err(|message| ConfigError { path: shown.to_string(), position: None, message })?;
        let root = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&text, shown, root).map(|mut c| {
            c.file = Some(path.to_path_buf());
            c
        })
    }

    pub fn parse(text: &str, shown: &str, root: PathBuf) -> Result<Self, ConfigError> {
        // A line index: positions of thousands of entries, each found without rescanning the text.
        let lines = SourceFile::new(shown, text.to_string());
        let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: shown.to_string(),
            position: span.map(|s| lines.position(s.start)),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| error(e.span(), e.message().trim().to_string()))?;
        let mut config = Config::defaults(root);
        let known_code = |code: &str, policies: &[Spanned<RawPolicy>]| {
            code.eq_ignore_ascii_case("ALL")
                || crate::rules::ALL.iter().any(|r| matches_code(code, r.code))
                || policies.iter().any(|p| matches_code(code, p.get_ref().code.get_ref()))
        };
        let check_codes = |codes: &[Spanned<String>], what: &str| {
            for c in codes {
                // `""` would be a prefix of every code: `ignore = [""]` would turn every rule off.
                if c.get_ref().trim().is_empty() {
                    return Err(error(
                        Some(c.span()),
                        format!("{what}: an empty rule code; give a code or prefix (`XS1`) or `ALL`"),
                    ));
                }
                if !known_code(c.get_ref(), &raw.policy) {
                    return Err(error(
                        Some(c.span()),
                        format!(
                            "{what}: `{}` is no rule code or prefix (`xsuaa-lint rule --all` lists them)",
                            c.get_ref()
                        ),
                    ));
                }
            }
            Ok(())
        };
        if let Some(select) = &raw.rules.select {
            check_codes(select, "rules.select")?;
            config.select = select.iter().map(|c| c.get_ref().to_uppercase()).collect();
        }
        check_codes(&raw.rules.ignore, "rules.ignore")?;
        config.ignore = raw.rules.ignore.iter().map(|c| c.get_ref().to_uppercase()).collect();
        for (code, level) in &raw.rules.severity {
            let known = crate::rules::by_code(code).is_some()
                || raw.policy.iter().any(|p| p.get_ref().code.get_ref().eq_ignore_ascii_case(code));
            if !known {
                return Err(error(Some(level.span()), format!("rules.severity: `{code}` is no rule code")));
            }
            // XS000 (a file that cannot be read) is never silenced nor lowered: setting it would be
            // ignored, so it is refused rather than accepted in silence.
            if code.eq_ignore_ascii_case(crate::rules::xs000_io_error::RULE.code) && *level.get_ref() != Level::Error {
                return Err(error(
                    Some(level.span()),
                    format!("rules.severity: `{code}`: XS000 (unreadable files) always stays an error"),
                ));
            }
            config.severity.insert(code.to_uppercase(), *level.get_ref());
        }

        let patterns = |list: &[Spanned<String>], what: &str| -> Result<(Vec<String>, GlobSet), ConfigError> {
            // Compiled into one automaton, whose memory grows with the patterns' wildcards: a
            // configuration from a pull request must not take the run's memory.
            if let Some(extra) = list.get(MAX_PATH_GLOBS) {
                return Err(error(
                    Some(extra.span()),
                    format!("{what}: more than {MAX_PATH_GLOBS} patterns; list folders rather than files"),
                ));
            }
            if let Some(long) = list.iter().find(|p| p.get_ref().len() > MAX_PATH_GLOB_LEN) {
                return Err(error(
                    Some(long.span()),
                    format!("{what}: a pattern longer than {MAX_PATH_GLOB_LEN} bytes names no path of a repository"),
                ));
            }
            let strings: Vec<String> = list.iter().map(|p| p.get_ref().clone()).collect();
            let set = glob_set(&strings).map_err(|(i, e)| {
                error(list.get(i).map(Spanned::span), format!("{what}: not a valid glob: {}", e.kind()))
            })?;
            Ok((strings, set))
        };
        (config.include, config.include_set) = patterns(&raw.files.include, "files.include")?;
        (config.exclude, config.exclude_set) = patterns(&raw.files.exclude, "files.exclude")?;

        let check_plan = |plan: &Spanned<String>| {
            if PLANS.contains(&plan.get_ref().as_str()) {
                Ok(plan.get_ref().clone())
            } else {
                Err(error(
                    Some(plan.span()),
                    format!("unknown plan `{}`; one of: {}", plan.get_ref(), PLANS.join(", ")),
                ))
            }
        };
        config.plan = raw.plan.as_ref().map(check_plan).transpose()?;
        for entry in &raw.plans {
            let entry = entry.get_ref();
            let matcher = glob(entry.path.get_ref())
                .map_err(|e| error(Some(entry.path.span()), format!("plans.path: not a valid glob: {}", e.kind())))?;
            config.plans.push((entry.path.get_ref().clone(), check_plan(&entry.plan)?));
            config.plan_matchers.push(matcher);
        }

        if let Some(days) = &raw.migration.grace_days {
            config.grace_days = u32::try_from(*days.get_ref()).ok().filter(|d| *d <= 3650).ok_or_else(|| {
                error(Some(days.span()), "migration.grace-days: a number of days from 0 to 3650".into())
            })?;
        }
        let seconds = |value: &Option<Spanned<i64>>, key: &str, range: std::ops::RangeInclusive<u32>| {
            let Some(value) = value else { return Ok(None) };
            u32::try_from(*value.get_ref()).ok().filter(|v| range.contains(v)).map(Some).ok_or_else(|| {
                error(
                    Some(value.span()),
                    format!("recommendations.{key}: a number of seconds from {} to {}", range.start(), range.end()),
                )
            })
        };
        let r = &raw.recommendations;
        // The ranges SAP's descriptor accepts for each key.
        if let Some(max) = seconds(&r.token_validity_max, "token-validity-max", 60..=86_400)? {
            config.recommendations.token_validity_max = max;
        }
        if let Some(min) = seconds(&r.token_validity_min, "token-validity-min", 0..=86_400)? {
            config.recommendations.token_validity_min = min;
        }
        if let Some(max) = seconds(&r.refresh_token_validity_max, "refresh-token-validity-max", 60..=31_536_000)? {
            config.recommendations.refresh_token_validity_max = max;
        }
        for domain in &r.shared_domains {
            let name = domain.get_ref().trim_start_matches('.').to_ascii_lowercase();
            if name.is_empty() || name.contains(['*', '/', ':', ' ']) || !name.contains('.') {
                return Err(error(
                    Some(domain.span()),
                    format!(
                        "recommendations.shared-domains: `{}` is no domain name (e.g. `apps.example.net`)",
                        domain.get_ref()
                    ),
                ));
            }
            config.recommendations.shared_domains.push(name);
        }
        if let Some(fail_on) = &raw.check.fail_on {
            if !FAIL_ON.contains(&fail_on.get_ref().as_str()) {
                return Err(error(
                    Some(fail_on.span()),
                    format!("check.fail-on: `{}`; one of: {}", fail_on.get_ref(), FAIL_ON.join(", ")),
                ));
            }
            config.fail_on = Some(fail_on.get_ref().clone());
        }
        config.exit_zero = raw.check.exit_zero;

        let check_environment = |name: &Spanned<String>| {
            Environment::parse(name.get_ref()).ok_or_else(|| {
                error(
                    Some(name.span()),
                    format!(
                        "unknown environment `{}`; one of: {}",
                        name.get_ref(),
                        crate::environment::NAMES.join(", ")
                    ),
                )
            })
        };
        config.environment = raw.environment.as_ref().map(check_environment).transpose()?;
        for entry in &raw.environments {
            let entry = entry.get_ref();
            let matcher = glob(entry.path.get_ref()).map_err(|e| {
                error(Some(entry.path.span()), format!("environments.path: not a valid glob: {}", e.kind()))
            })?;
            config.environments.push((entry.path.get_ref().clone(), check_environment(&entry.environment)?));
            config.environment_matchers.push(matcher);
        }

        let mut suppression_globs = Vec::with_capacity(raw.ignore.len());
        for entry in &raw.ignore {
            let span = entry.span();
            let raw_entry = entry.get_ref();
            if raw_entry.reason.get_ref().trim().is_empty() {
                return Err(error(Some(raw_entry.reason.span()), "ignore: `reason` must say why".into()));
            }
            if raw_entry.rules.is_empty() {
                return Err(error(Some(span), "ignore: `rules` must name at least one rule".into()));
            }
            check_codes(&raw_entry.rules, "ignore.rules")?;
            if let Some(pointer) = &raw_entry.pointer {
                if let Some(problem) = pointer_problem(pointer.get_ref()) {
                    return Err(error(Some(pointer.span()), format!("ignore.pointer: {problem}")));
                }
            }
            let path_glob = path_glob(raw_entry.path.get_ref()).map_err(|e| {
                error(Some(raw_entry.path.span()), format!("ignore.path: not a valid glob: {}", e.kind()))
            })?;
            suppression_globs.push(path_glob);
            config.suppressions.push(Suppression {
                path: raw_entry.path.get_ref().clone(),
                pointer: raw_entry.pointer.as_ref().map(|p| p.get_ref().clone()),
                rules: raw_entry.rules.iter().map(|r| r.get_ref().to_uppercase()).collect(),
                reason: raw_entry.reason.get_ref().clone(),
                position: lines.position(span.start),
                end: lines.position(span.end),
                used: AtomicBool::new(false),
            });
        }
        config.suppression_index = SuppressionIndex::new(&suppression_globs);

        let mut codes = std::collections::HashSet::new();
        for entry in &raw.policy {
            let p = entry.get_ref();
            let code = p.code.get_ref();
            let valid = code.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid || code.to_ascii_uppercase().starts_with("XS") {
                return Err(error(
                    Some(p.code.span()),
                    format!("policy.code `{code}`: use letters, digits, `-` or `_`, not starting with `XS` (reserved for built-in rules)"),
                ));
            }
            if !codes.insert(code.to_ascii_uppercase()) {
                return Err(error(Some(p.code.span()), format!("policy.code `{code}` is used twice")));
            }
            if let Some(problem) = pointer_problem(p.pointer.get_ref()) {
                return Err(error(Some(p.pointer.span()), format!("policy.pointer: {problem}")));
            }
            if p.schema.is_none() && !p.required {
                return Err(error(Some(entry.span()), "policy: give a `schema`, `required = true`, or both".into()));
            }
            let Some(severity) = p.severity.get_ref().severity() else {
                return Err(error(Some(p.severity.span()), "policy.severity: `off` is set in [rules.severity]".into()));
            };
            let schema = p.schema.as_ref().map(|t| serde_json::to_value(t).unwrap_or_default());
            let rule = crate::policy::rule(code, &p.message, severity);
            let policy = Policy::new(rule, p.pointer.get_ref().clone(), p.required, schema)
                .map_err(|m| error(Some(entry.span()), format!("policy {code}: {m}")))?;
            config.policies.push(policy);
        }
        Ok(config)
    }

    /// Whether a rule runs at all, and at which severity.
    pub fn level(&self, code: &str, default: Severity) -> Option<Severity> {
        if code == crate::rules::xs000_io_error::RULE.code {
            return Some(default); // unreadable files are never silent
        }
        if let Some(level) = self.severity.get(code) {
            return level.severity();
        }
        let selected = self.select.iter().any(|p| matches_code(p, code));
        let ignored = self.ignore.iter().any(|p| matches_code(p, code));
        (selected && !ignored).then_some(default)
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
        let candidates = match self.relative(path) {
            Some(relative) if !self.suppressions.is_empty() => self.suppression_index.matching(&relative),
            _ => Vec::new(),
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
        let relative = self.relative(path);
        let by_path = relative.and_then(|r| self.environment_matchers.iter().position(|m| m.is_match(&r)));
        by_path.map(|i| self.environments[i].1).or(self.environment)
    }

    /// The plan for a descriptor that no deployment file names.
    pub fn plan_for(&self, path: &Path) -> Option<&str> {
        let relative = self.relative(path);
        let by_path = relative.and_then(|r| self.plan_matchers.iter().position(|m| m.is_match(&r)));
        by_path.map(|i| self.plans[i].1.as_str()).or(self.plan.as_deref())
    }

    /// Suppressions that silenced nothing in this run.
    pub fn unused_suppressions(&self) -> impl Iterator<Item = &Suppression> {
        self.suppressions.iter().filter(|s| !s.used.load(Ordering::Relaxed))
    }

    /// The resolved settings as TOML, for `config --show`.
    pub fn show(&self) -> String {
        let file = self.file.as_ref().map_or("(none: defaults)".to_string(), |f| f.display().to_string());
        let mut out = format!("# configuration file: {file}\n# relative to: {}\n", self.root.display());
        let shown = Shown {
            check: (self.fail_on.is_some() || self.exit_zero.is_some())
                .then_some(ShownCheck { exit_zero: self.exit_zero, fail_on: self.fail_on.as_deref() }),
            environment: self.environment.map(|e| e.as_str()),
            environments: self
                .environments
                .iter()
                .map(|(path, environment)| ShownEnvironment { environment: environment.as_str(), path })
                .collect(),
            files: ShownFiles { exclude: &self.exclude, include: &self.include },
            migration: ShownMigration { grace_days: self.grace_days },
            recommendations: ShownRecommendations {
                refresh_token_validity_max: self.recommendations.refresh_token_validity_max,
                shared_domains: &self.recommendations.shared_domains,
                token_validity_max: self.recommendations.token_validity_max,
                token_validity_min: self.recommendations.token_validity_min,
            },
            ignore: self
                .suppressions
                .iter()
                .map(|s| ShownSuppression {
                    path: &s.path,
                    pointer: s.pointer.as_deref(),
                    reason: &s.reason,
                    rules: &s.rules,
                })
                .collect(),
            plan: self.plan.as_deref(),
            plans: self.plans.iter().map(|(path, plan)| ShownPlan { path, plan }).collect(),
            policy: self
                .policies
                .iter()
                .map(|p| ShownPolicy {
                    code: p.rule.code,
                    message: p.rule.summary,
                    pointer: &p.pointer,
                    required: p.required,
                    schema: p.schema_json.as_ref(),
                    severity: p.rule.severity,
                })
                .collect(),
            rules: ShownRules { ignore: &self.ignore, select: &self.select, severity: &self.severity },
        };
        match toml::to_string(&shown) {
            Ok(text) => out.push_str(&text),
            Err(e) => out.push_str(&format!("# cannot be shown as TOML: {e}\n")),
        }
        out
    }
}

/// The settings as `config --show` prints them, serialized by `toml` (which writes a table's
/// plain values before its sub-tables). Fields are in alphabetical order, as the output has
/// always been; empty lists of entries are left out.
#[derive(serde::Serialize)]
struct Shown<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<ShownCheck<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    environments: Vec<ShownEnvironment<'a>>,
    files: ShownFiles<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignore: Vec<ShownSuppression<'a>>,
    migration: ShownMigration,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    plans: Vec<ShownPlan<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    policy: Vec<ShownPolicy<'a>>,
    recommendations: ShownRecommendations<'a>,
    rules: ShownRules<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct ShownRecommendations<'a> {
    refresh_token_validity_max: u32,
    shared_domains: &'a [String],
    token_validity_max: u32,
    token_validity_min: u32,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct ShownCheck<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_zero: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_on: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct ShownEnvironment<'a> {
    environment: &'a str,
    path: &'a str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct ShownMigration {
    grace_days: u32,
}

#[derive(serde::Serialize)]
struct ShownFiles<'a> {
    exclude: &'a [String],
    include: &'a [String],
}

#[derive(serde::Serialize)]
struct ShownSuppression<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    reason: &'a str,
    rules: &'a [String],
}

#[derive(serde::Serialize)]
struct ShownPlan<'a> {
    path: &'a str,
    plan: &'a str,
}

#[derive(serde::Serialize)]
struct ShownPolicy<'a> {
    code: &'a str,
    message: &'a str,
    pointer: &'a str,
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<&'a serde_json::Value>,
    severity: Severity,
}

#[derive(serde::Serialize)]
struct ShownRules<'a> {
    ignore: &'a [String],
    select: &'a [String],
    severity: &'a BTreeMap<String, Level>,
}

/// How configuration files are found for a run.
pub enum Discovery {
    /// The nearest `xsuaa-lint.toml` above each file.
    Nearest,
    /// `--config FILE`: one configuration for every file.
    Fixed(Arc<Config>),
    /// `--isolated`: the defaults everywhere.
    Isolated,
}

/// Finds the configuration of each file; shared by the worker threads, one read per file.
pub struct Resolver {
    discovery: Discovery,
    defaults: Arc<Config>,
    cwd: Option<PathBuf>,
    /// Per folder the walk entered: which configuration applies there.
    folders: Mutex<FolderCache>,
    /// Keys the folder fingerprints; random per run, so no tree can be made to collide.
    fingerprints: std::hash::RandomState,
    /// Every configuration loaded, in load order, for XS900.
    loaded: Mutex<Vec<Arc<Config>>>,
    errors: Mutex<Vec<ConfigError>>,
    includes: AtomicBool,
}

/// The configuration of every folder the walk entered, in a few bytes per folder (a 1,000,000-file
/// tree has ~340,000 folders): a folder is known by a 64-bit fingerprint of its absolute path
/// (the odds that two folders of such a run share one are about 3 in 10^9), and points
/// into the short list of configurations loaded.
#[derive(Default)]
struct FolderCache {
    by_folder: HashMap<u64, u32>,
    /// `None`: the configuration file there is broken.
    configs: Vec<Option<Arc<Config>>>,
    defaults: Option<u32>,
}

impl FolderCache {
    fn add(&mut self, config: Option<Arc<Config>>) -> u32 {
        self.configs.push(config);
        (self.configs.len() - 1) as u32
    }

    fn default_index(&mut self, defaults: &Arc<Config>) -> u32 {
        match self.defaults {
            Some(index) => index,
            None => {
                let index = self.add(Some(defaults.clone()));
                self.defaults = Some(index);
                index
            }
        }
    }
}

impl Resolver {
    pub fn new(discovery: Discovery) -> Self {
        let cwd = std::env::current_dir().ok();
        let defaults = Arc::new(Config::defaults(cwd.clone().unwrap_or_else(|| PathBuf::from("."))));
        let loaded = match &discovery {
            Discovery::Fixed(c) => vec![c.clone()],
            _ => Vec::new(),
        };
        let includes = AtomicBool::new(loaded.iter().any(|c| !c.include.is_empty()));
        Resolver {
            discovery,
            defaults,
            cwd,
            folders: Mutex::new(FolderCache::default()),
            fingerprints: std::hash::RandomState::new(),
            loaded: Mutex::new(loaded),
            errors: Mutex::new(Vec::new()),
            includes,
        }
    }

    /// The configuration for a file; `None` when its configuration file is broken (the error
    /// is kept for the end of the run).
    pub fn for_file(&self, path: &Path) -> Option<Arc<Config>> {
        if let Some(config) = self.without_discovery() {
            return Some(config);
        }
        let absolute = self.absolute(path)?;
        self.nearest(absolute.parent()?)
    }

    /// The configuration for the files of a folder.
    pub fn for_folder(&self, path: &Path) -> Option<Arc<Config>> {
        if let Some(config) = self.without_discovery() {
            return Some(config);
        }
        self.nearest(&self.absolute(path)?)
    }

    /// `path` made absolute against the working directory read once, not once per call.
    fn absolute(&self, path: &Path) -> Option<PathBuf> {
        match &self.cwd {
            Some(cwd) if path.is_relative() => Some(cwd.join(path)),
            _ => std::path::absolute(path).ok(),
        }
    }

    /// Whether some configuration loaded so far includes files by glob. A folder's
    /// configuration is loaded before its files are visited, so a walk can ask this first.
    pub fn any_includes(&self) -> bool {
        self.includes.load(Ordering::Relaxed)
    }

    fn without_discovery(&self) -> Option<Arc<Config>> {
        match &self.discovery {
            Discovery::Fixed(c) => Some(c.clone()),
            Discovery::Isolated => Some(self.defaults.clone()),
            Discovery::Nearest => None,
        }
    }

    fn nearest(&self, folder: &Path) -> Option<Arc<Config>> {
        let mut folders = self.folders.lock().ok()?;
        let mut visited = Vec::new();
        let mut found: Option<u32> = None;
        for dir in folder.ancestors() {
            // `Path`'s hash, as its equality: `a/./b` and `a/b` are one folder.
            let fingerprint = self.fingerprints.hash_one(dir);
            if let Some(&known) = folders.by_folder.get(&fingerprint) {
                found = Some(known);
                break;
            }
            visited.push(fingerprint);
            // Asked relative to the working directory where possible: a shorter path lookup for
            // the two names asked in every folder a walk enters.
            let near = match self.cwd.as_deref().and_then(|cwd| dir.strip_prefix(cwd).ok()) {
                Some(relative) if relative.as_os_str().is_empty() => Path::new("."),
                Some(relative) => relative,
                None => dir,
            };
            if let Some(file) = FILE_NAMES.iter().find(|n| near.join(n).is_file()).map(|n| dir.join(n)) {
                let shown = crate::discover::display_path(&file, self.cwd.as_deref());
                let root = crate::load::repository_root(&file);
                let config = match Config::load_within(&file, &shown, Some(&root)) {
                    Ok(config) => {
                        if !config.include.is_empty() {
                            self.includes.store(true, Ordering::Relaxed);
                        }
                        let config = Arc::new(config);
                        self.loaded.lock().ok()?.push(config.clone());
                        Some(config)
                    }
                    Err(e) => {
                        self.errors.lock().ok()?.push(e);
                        None
                    }
                };
                found = Some(folders.add(config));
                break;
            }
        }
        let found = match found {
            Some(index) => index,
            None => folders.default_index(&self.defaults),
        };
        for fingerprint in visited {
            folders.by_folder.insert(fingerprint, found);
        }
        folders.configs[found as usize].clone()
    }

    pub fn errors(&self) -> Vec<ConfigError> {
        let mut errors = self.errors.lock().map(|e| e.clone()).unwrap_or_default();
        errors.sort();
        errors.dedup();
        errors
    }

    pub fn loaded(&self) -> Vec<Arc<Config>> {
        self.loaded.lock().map(|l| l.clone()).unwrap_or_default()
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
        assert_eq!(again.show(), shown);
        assert_eq!(again.suppressions[0].reason, "line one\nline \"two\" ''' \"\"\" \u{7} \t é");
        assert_eq!(again.policies[0].rule.summary, "at most 3600 \r\n ]]> <&>");
        assert_eq!(again.policies[0].schema_json, config.policies[0].schema_json);
        assert_eq!((again.select, again.exclude, again.plans), (config.select, config.exclude, config.plans));
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
