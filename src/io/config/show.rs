//! `config --show`: the resolved settings printed back as TOML.

use super::*;

impl Config {
    /// The resolved settings as TOML, for `config --show`.
    pub fn show(&self) -> String {
        let file = self.file.as_ref().map_or("(none: defaults)".to_string(), |f| f.display().to_string());
        let mut out = format!("# configuration file: {file}\n# relative to: {}\n", self.root.display());
        if !self.extends.is_empty() {
            let chain: Vec<String> = self.extends.iter().map(|e| terminal(e).into_owned()).collect();
            out.push_str(&format!("# extends: {}\n", chain.join(" -> ")));
        }
        out.push_str(&self.origins_comment());
        let (select, extend_select, ignore) = self.flat_selection();
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
            rules: ShownRules {
                extend_select: &extend_select,
                ignore: &ignore,
                select: &select,
                severity: &self.severity,
            },
        };
        match toml::to_string(&shown) {
            Ok(text) => out.push_str(&text),
            Err(e) => out.push_str(&format!("# cannot be shown as TOML: {e}\n")),
        }
        out
    }

    /// The rule selection of every layer as one: the last `select`, then the `extend-select`
    /// and `ignore` lists from there up. (A layer's `extend-select` of a code a layer below
    /// ignored is where this is coarser than the layers; the comment lists them.)
    fn flat_selection(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let last_select = self.selection.iter().rposition(|l| l.select.is_some()).unwrap_or(0);
        let layers = &self.selection[last_select..];
        let select = layers.first().and_then(|l| l.select.clone()).unwrap_or_else(|| vec!["ALL".into()]);
        let extend_select = layers.iter().flat_map(|l| l.extend_select.iter().cloned()).collect();
        let ignore = layers.iter().flat_map(|l| l.ignore.iter().cloned()).collect();
        (select, extend_select, ignore)
    }

    /// `# from:` lines: the file each setting comes from, when one is set by a file (or the
    /// command line); the others are defaults.
    fn origins_comment(&self) -> String {
        let mut out = String::new();
        if self.origins.is_empty() && self.suppressions.is_empty() && self.selection.len() < 2 {
            return out;
        }
        out.push_str("# where each setting comes from (the others are defaults):\n");
        let line = |key: &str, from: &str| format!("#   {} <- {}\n", terminal(key), terminal(from));
        for layer in self.selection.iter().filter(|l| l.from != "defaults") {
            let mut parts = Vec::new();
            if let Some(select) = &layer.select {
                parts.push(format!("select {}", select.join(", ")));
            }
            if !layer.extend_select.is_empty() {
                parts.push(format!("extend-select {}", layer.extend_select.join(", ")));
            }
            if !layer.ignore.is_empty() {
                parts.push(format!("ignore {}", layer.ignore.join(", ")));
            }
            out.push_str(&line(&format!("rules ({})", parts.join("; ")), &layer.from));
        }
        for (key, from) in self
            .origins
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "rules.select" | "rules.extend-select" | "rules.ignore"))
        {
            out.push_str(&line(key, from));
        }
        for (i, s) in self.suppressions.iter().enumerate() {
            out.push_str(&line(&format!("ignore[{i}] ({})", s.path), &s.from));
        }
        out
    }
}

fn terminal(s: &str) -> std::borrow::Cow<'_, str> {
    crate::text::escape::terminal(s)
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
#[serde(rename_all = "kebab-case")]
struct ShownRules<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    extend_select: &'a [String],
    ignore: &'a [String],
    select: &'a [String],
    severity: &'a BTreeMap<String, Level>,
}
