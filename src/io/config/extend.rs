//! `extend = "PATH"`: a configuration file built on another (as ruff's `extend`): the base's
//! settings first, this file's on top. The README's "Configuration" says per setting what "on
//! top" means.

use super::*;

/// The longest chain of `extend` followed; a longer one is an error rather than a long walk.
pub const MAX_EXTEND_CHAIN: usize = 32;

/// Where the files an `extend` names may be.
#[derive(Debug, Clone)]
pub enum ExtendScope {
    /// Anywhere: the configuration is the user's own (`check`, `config`, the editor).
    Anywhere,
    /// Inside this folder (an audited repository): a repository's configuration must not make
    /// the audit read files of the auditing machine.
    Within(PathBuf),
}

/// A TOML file read only for its `extend` key (the whole file is checked afterwards).
#[derive(Deserialize)]
struct ExtendKey {
    extend: Option<Spanned<String>>,
}

fn read_text(path: &Path, root: Option<&Path>) -> Result<String, String> {
    // Bounded and regular files only, as descriptors: `--config /dev/zero` or a FIFO must not
    // hang the run. (The TOML parser accepts a byte-order mark.)
    crate::io::load::read_file(path, root, crate::io::load::MAX_FILE_SIZE).and_then(|bytes| {
        String::from_utf8(bytes)
            .map_err(|e| format!("the file is not valid UTF-8 (at byte offset {})", e.utf8_error().valid_up_to()))
    })
}

impl Config {
    /// [`Config::load_within`], following `extend` where `scope` allows.
    pub fn load_extending(
        path: &Path,
        shown: &str,
        root: Option<&Path>,
        scope: &ExtendScope,
    ) -> Result<Self, ConfigError> {
        // Globs and suppression paths of every file of the chain are relative to the folder of
        // this one: a shared base describes the repositories that use it, not its own folder.
        let globs_root = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        let mut chain = Vec::new();
        let mut config = Self::load_link(path, shown, root, scope, &globs_root, &mut chain)?;
        config.file = Some(path.to_path_buf());
        Ok(config)
    }

    /// One file of a chain, with the files it extends below it. `chain` holds the files
    /// that lead here (canonical path, as shown).
    fn load_link(
        path: &Path,
        shown: &str,
        root: Option<&Path>,
        scope: &ExtendScope,
        globs_root: &Path,
        chain: &mut Vec<(PathBuf, String)>,
    ) -> Result<Self, ConfigError> {
        let text = read_text(path, root).map_err(|message| ConfigError {
            path: shown.to_string(),
            position: None,
            message,
        })?;
        let identity = std::fs::canonicalize(path).unwrap_or_else(|_| crate::model::deployment::normalize(path));
        chain.push((identity, shown.to_string()));
        let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: shown.to_string(),
            position: span.map(|s| SourceFile::new(shown, text.clone()).position(s.start)),
            message,
        };
        let extend: ExtendKey = toml::from_str(&text).map_err(|e| error(e.span(), e.message().trim().to_string()))?;
        let base = match &extend.extend {
            None => None,
            Some(named) => {
                let target = Self::extended_path(path, named, scope).map_err(|m| error(Some(named.span()), m))?;
                let target_identity =
                    std::fs::canonicalize(&target).unwrap_or_else(|_| crate::model::deployment::normalize(&target));
                if chain.iter().any(|(seen, _)| *seen == target_identity) {
                    let mut names: Vec<&str> = chain.iter().map(|(_, s)| s.as_str()).collect();
                    let target_shown = target.display().to_string();
                    let again = chain
                        .iter()
                        .find(|(seen, _)| *seen == target_identity)
                        .map_or(target_shown.as_str(), |(_, s)| s);
                    names.push(again);
                    return Err(error(Some(named.span()), format!("extend: a cycle: {}", names.join(" -> "))));
                }
                if chain.len() >= MAX_EXTEND_CHAIN {
                    return Err(error(
                        Some(named.span()),
                        format!("extend: more than {MAX_EXTEND_CHAIN} files in one chain"),
                    ));
                }
                let target_shown = shown_path(&target);
                // The base is read as the user's file: no repository root bounds it, unless the
                // scope does (then `extended_path` has checked it lies inside).
                let bound = match scope {
                    ExtendScope::Anywhere => None,
                    ExtendScope::Within(folder) => Some(folder.as_path()),
                };
                // A missing or unreadable base is reported here, at the `extend` naming it.
                let readable = std::fs::metadata(&target)
                    .map_err(|e| e.to_string())
                    .and_then(|_| crate::io::load::check_file(&target, bound, crate::io::load::MAX_FILE_SIZE));
                if let Err(message) = readable {
                    return Err(error(
                        Some(named.span()),
                        format!("extend: cannot read `{}` ({target_shown}): {message}", named.get_ref()),
                    ));
                }
                Some(Self::load_link(&target, &target_shown, bound, scope, globs_root, chain)?)
            }
        };
        let extends: Vec<String> =
            base.iter().flat_map(|b| std::iter::once(b.origin_name()).chain(b.extends.iter().cloned())).collect();
        let inherited: Vec<String> =
            base.iter().flat_map(|b| b.policies.iter().map(|p| p.rule.code.to_string())).collect();
        let mut config = Self::parse_layer(&text, shown, globs_root.to_path_buf(), &inherited)?;
        config.shown = shown.to_string();
        config.extends = extends;
        chain.pop();
        Ok(match base {
            Some(base) => config.over(base),
            None => config,
        })
    }

    /// The file `extend` names, relative to the folder of the file naming it; checked against
    /// `scope`.
    fn extended_path(naming: &Path, named: &Spanned<String>, scope: &ExtendScope) -> Result<PathBuf, String> {
        let value = named.get_ref();
        if value.trim().is_empty() {
            return Err("extend: an empty path; name the configuration file this one builds on".into());
        }
        let folder = naming.parent().unwrap_or(Path::new(""));
        let target = folder.join(value);
        if let ExtendScope::Within(repository) = scope {
            // Lexically first (`../x` never leaves by accident), then every link resolved.
            let inside = crate::model::deployment::normalize(&target)
                .starts_with(crate::model::deployment::normalize(repository))
                && crate::io::load::within(&target, repository).is_ok_or_missing();
            if !inside {
                return Err(format!(
                    "extend: `{value}` leads outside the audited repository; `audit` reads nothing outside the repositories it audits (`--allow-extend-outside` permits it)"
                ));
            }
        }
        Ok(target)
    }

    /// `self` (the extending file) over `base`: what `self` sets wins; see the README.
    fn over(mut self, mut base: Config) -> Config {
        let here = std::mem::take(&mut self.set_here);
        let keep = |key: &str| here.contains(key);
        // Rule selection: the base's layers, then this file's (index 0 is the defaults).
        let own: Vec<RuleSelection> = self.selection.drain(1..).collect();
        self.selection = std::mem::take(&mut base.selection);
        self.selection.extend(own);
        // Severities: per rule, this file's wins.
        for (code, level) in std::mem::take(&mut base.severity) {
            self.severity.entry(code).or_insert(level);
        }
        if !keep("files.include") {
            self.include = std::mem::take(&mut base.include);
            self.include_set = std::mem::replace(&mut base.include_set, GlobSet::empty());
        }
        if !keep("files.exclude") {
            self.exclude = std::mem::take(&mut base.exclude);
            self.exclude_set = std::mem::replace(&mut base.exclude_set, GlobSet::empty());
        }
        if !keep("plan") {
            self.plan = base.plan.take();
        }
        if !keep("environment") {
            self.environment = base.environment.take();
        }
        // Per-path entries: the first that matches wins, so this file's come first.
        self.plans.append(&mut base.plans);
        self.plan_matchers.append(&mut base.plan_matchers);
        self.environments.append(&mut base.environments);
        self.environment_matchers.append(&mut base.environment_matchers);
        // Suppressions: both kept, the base's first.
        for s in &mut base.suppressions {
            s.inherited = true;
        }
        base.suppressions.append(&mut self.suppressions);
        self.suppressions = base.suppressions;
        let globs: Vec<Glob> = self.suppressions.iter().map(|s| s.glob.clone()).collect();
        self.suppression_index = SuppressionIndex::new(&globs);
        // Policies: one of this file replaces the base's of the same code.
        let codes: Vec<String> = self.policies.iter().map(|p| p.rule.code.to_ascii_uppercase()).collect();
        base.policies.retain(|p| !codes.contains(&p.rule.code.to_ascii_uppercase()));
        base.policies.append(&mut self.policies);
        self.policies = base.policies;
        if !keep("migration.grace-days") {
            self.grace_days = base.grace_days;
        }
        let r = &mut self.recommendations;
        if !keep("recommendations.token-validity-max") {
            r.token_validity_max = base.recommendations.token_validity_max;
        }
        if !keep("recommendations.token-validity-min") {
            r.token_validity_min = base.recommendations.token_validity_min;
        }
        if !keep("recommendations.refresh-token-validity-max") {
            r.refresh_token_validity_max = base.recommendations.refresh_token_validity_max;
        }
        if !keep("recommendations.shared-domains") {
            r.shared_domains = std::mem::take(&mut base.recommendations.shared_domains);
        }
        if !keep("check.fail-on") {
            self.fail_on = base.fail_on.take();
        }
        if !keep("check.exit-zero") {
            self.exit_zero = base.exit_zero;
        }
        // Origins: the base's, then this file's on top (the same keys as the values).
        let mine = std::mem::take(&mut self.origins);
        self.origins = base.origins;
        self.origins.extend(mine);
        self.set_here = here;
        self
    }
}

/// A base file as messages and `config --show` name it: without `..`, relative to the working
/// folder when below it.
fn shown_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    crate::io::discover::display_path(&crate::model::deployment::normalize(path), cwd.as_deref())
}

/// `within` for a path that may not exist yet: a missing file is reported by the read after.
trait OkOrMissing {
    fn is_ok_or_missing(&self) -> bool;
}

impl OkOrMissing for Result<PathBuf, String> {
    fn is_ok_or_missing(&self) -> bool {
        match self {
            Ok(_) => true,
            Err(message) => message != crate::io::load::OUTSIDE,
        }
    }
}
