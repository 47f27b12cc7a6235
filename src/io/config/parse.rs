//! `Config::parse`: the TOML text into resolved settings, each error with its position.

use super::raw::*;
use super::*;

impl Config {
    /// One file's settings; an `extend` key is read but not followed (see `Config::load`).
    pub fn parse(text: &str, shown: &str, root: PathBuf) -> Result<Self, ConfigError> {
        Self::parse_layer(text, shown, root, &[])
    }

    /// [`Config::parse`], where `inherited_policies` are the policy codes of the files this one
    /// extends (its rule lists may name them).
    pub(super) fn parse_layer(
        text: &str,
        shown: &str,
        root: PathBuf,
        inherited_policies: &[String],
    ) -> Result<Self, ConfigError> {
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
                || inherited_policies.iter().any(|p| matches_code(code, p))
        };
        // What this file sets itself, and so where each of those settings comes from.
        let set = |config: &mut Config, key: &'static str| {
            config.set_here.insert(key);
            config.origins.insert(key.to_string(), shown.to_string());
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
        let upper = |codes: &[Spanned<String>]| codes.iter().map(|c| c.get_ref().to_uppercase()).collect::<Vec<_>>();
        let mut layer = RuleSelection { from: shown.to_string(), ..RuleSelection::default() };
        if let Some(select) = &raw.rules.select {
            check_codes(select, "rules.select")?;
            layer.select = Some(upper(select));
            set(&mut config, "rules.select");
        }
        if let Some(extend_select) = &raw.rules.extend_select {
            check_codes(extend_select, "rules.extend-select")?;
            layer.extend_select = upper(extend_select);
            set(&mut config, "rules.extend-select");
        }
        if let Some(ignore) = &raw.rules.ignore {
            check_codes(ignore, "rules.ignore")?;
            layer.ignore = upper(ignore);
            set(&mut config, "rules.ignore");
        }
        if !layer.is_empty() {
            config.selection.push(layer);
        }
        for (code, level) in &raw.rules.severity {
            let known = crate::rules::by_code(code).is_some()
                || raw.policy.iter().any(|p| p.get_ref().code.get_ref().eq_ignore_ascii_case(code))
                || inherited_policies.iter().any(|p| p.eq_ignore_ascii_case(code));
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
            config.origins.insert(format!("rules.severity.{}", code.to_uppercase()), shown.to_string());
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
        if let Some(include) = &raw.files.include {
            (config.include, config.include_set) = patterns(include, "files.include")?;
            set(&mut config, "files.include");
        }
        if let Some(exclude) = &raw.files.exclude {
            (config.exclude, config.exclude_set) = patterns(exclude, "files.exclude")?;
            set(&mut config, "files.exclude");
        }

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
        if config.plan.is_some() {
            set(&mut config, "plan");
        }
        for entry in &raw.plans {
            let entry = entry.get_ref();
            let matcher = glob(entry.path.get_ref())
                .map_err(|e| error(Some(entry.path.span()), format!("plans.path: not a valid glob: {}", e.kind())))?;
            config.plans.push((entry.path.get_ref().clone(), check_plan(&entry.plan)?));
            config.plan_matchers.push(matcher);
            config.origins.insert(format!("plans.{}", entry.path.get_ref()), shown.to_string());
        }

        if let Some(days) = &raw.migration.grace_days {
            config.grace_days = u32::try_from(*days.get_ref()).ok().filter(|d| *d <= 3650).ok_or_else(|| {
                error(Some(days.span()), "migration.grace-days: a number of days from 0 to 3650".into())
            })?;
            set(&mut config, "migration.grace-days");
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
            set(&mut config, "recommendations.token-validity-max");
        }
        if let Some(min) = seconds(&r.token_validity_min, "token-validity-min", 0..=86_400)? {
            config.recommendations.token_validity_min = min;
            set(&mut config, "recommendations.token-validity-min");
        }
        if let Some(max) = seconds(&r.refresh_token_validity_max, "refresh-token-validity-max", 60..=31_536_000)? {
            config.recommendations.refresh_token_validity_max = max;
            set(&mut config, "recommendations.refresh-token-validity-max");
        }
        if r.shared_domains.is_some() {
            set(&mut config, "recommendations.shared-domains");
        }
        for domain in r.shared_domains.iter().flatten() {
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
            set(&mut config, "check.fail-on");
        }
        config.exit_zero = raw.check.exit_zero;
        if config.exit_zero.is_some() {
            set(&mut config, "check.exit-zero");
        }

        let check_environment = |name: &Spanned<String>| {
            Environment::parse(name.get_ref()).ok_or_else(|| {
                error(
                    Some(name.span()),
                    format!(
                        "unknown environment `{}`; one of: {}",
                        name.get_ref(),
                        crate::model::environment::NAMES.join(", ")
                    ),
                )
            })
        };
        config.environment = raw.environment.as_ref().map(check_environment).transpose()?;
        if config.environment.is_some() {
            set(&mut config, "environment");
        }
        for entry in &raw.environments {
            let entry = entry.get_ref();
            let matcher = glob(entry.path.get_ref()).map_err(|e| {
                error(Some(entry.path.span()), format!("environments.path: not a valid glob: {}", e.kind()))
            })?;
            config.environments.push((entry.path.get_ref().clone(), check_environment(&entry.environment)?));
            config.environment_matchers.push(matcher);
            config.origins.insert(format!("environments.{}", entry.path.get_ref()), shown.to_string());
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
            suppression_globs.push(path_glob.clone());
            config.suppressions.push(Suppression {
                path: raw_entry.path.get_ref().clone(),
                pointer: raw_entry.pointer.as_ref().map(|p| p.get_ref().clone()),
                rules: raw_entry.rules.iter().map(|r| r.get_ref().to_uppercase()).collect(),
                reason: raw_entry.reason.get_ref().clone(),
                position: lines.position(span.start),
                end: lines.position(span.end),
                from: shown.to_string(),
                inherited: false,
                glob: path_glob,
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
            let rule = crate::rules::policy::rule(code, &p.message, severity);
            let policy = Policy::new(rule, p.pointer.get_ref().clone(), p.required, schema)
                .map_err(|m| error(Some(entry.span()), format!("policy {code}: {m}")))?;
            config.policies.push(policy);
            config.origins.insert(format!("policy.{}", code.to_ascii_uppercase()), shown.to_string());
        }
        Ok(config)
    }
}
