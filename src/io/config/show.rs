//! `config --show`: the resolved settings printed back as TOML.

use super::*;

impl Config {
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
