//! The shapes of the TOML file as serde reads them; `Config::parse` resolves them.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawConfig {
    /// Another configuration file whose settings this one builds on (relative to this file):
    /// followed by `extend.rs` before the file is parsed; declared here as a known key.
    #[allow(dead_code)]
    pub(super) extend: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) rules: RawRules,
    #[serde(default)]
    pub(super) files: RawFiles,
    pub(super) plan: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) plans: Vec<Spanned<RawPlan>>,
    pub(super) environment: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) environments: Vec<Spanned<RawEnvironment>>,
    #[serde(default)]
    pub(super) ignore: Vec<Spanned<RawSuppression>>,
    #[serde(default)]
    pub(super) policy: Vec<Spanned<RawPolicy>>,
    #[serde(default)]
    pub(super) migration: RawMigration,
    #[serde(default)]
    pub(super) check: RawCheck,
    #[serde(default)]
    pub(super) recommendations: RawRecommendations,
}

/// `[recommendations]`: thresholds of the rules for SAP's security recommendations (XS301-XS303).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawRecommendations {
    pub(super) token_validity_max: Option<Spanned<i64>>,
    pub(super) token_validity_min: Option<Spanned<i64>>,
    pub(super) refresh_token_validity_max: Option<Spanned<i64>>,
    pub(super) shared_domains: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMigration {
    pub(super) grace_days: Option<Spanned<i64>>,
}

/// `check` flags that a project may set once for everyone (the command line wins).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawCheck {
    pub(super) fail_on: Option<Spanned<String>>,
    pub(super) exit_zero: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawRules {
    pub(super) select: Option<Vec<Spanned<String>>>,
    pub(super) extend_select: Option<Vec<Spanned<String>>>,
    pub(super) ignore: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(super) severity: BTreeMap<String, Spanned<Level>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawFiles {
    pub(super) include: Option<Vec<Spanned<String>>>,
    pub(super) exclude: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPlan {
    pub(super) path: Spanned<String>,
    pub(super) plan: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawEnvironment {
    pub(super) path: Spanned<String>,
    pub(super) environment: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSuppression {
    pub(super) path: Spanned<String>,
    pub(super) pointer: Option<Spanned<String>>,
    pub(super) rules: Vec<Spanned<String>>,
    pub(super) reason: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPolicy {
    pub(super) code: Spanned<String>,
    pub(super) message: String,
    #[serde(default = "default_policy_level")]
    pub(super) severity: Spanned<Level>,
    pub(super) pointer: Spanned<String>,
    pub(super) schema: Option<toml::Table>,
    #[serde(default)]
    pub(super) required: bool,
}

pub(super) fn default_policy_level() -> Spanned<Level> {
    Spanned::new(0..0, Level::Warning)
}
