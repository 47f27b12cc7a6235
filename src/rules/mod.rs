//! The rule registry: one file per rule, each registered once in [`ALL`].
//!
//! A rule file's module documentation is its user-facing documentation, printed by
//! `xsuaa-lint rule CODE` (collected by `build.rs`).

pub mod policy;
pub mod recommendations;
pub mod suggest;

use crate::diagnostic::{Diagnostic, RuleId, Severity};
use crate::model::deployment::{Instance, InstanceSet};
use crate::model::descriptor::{CredentialType, CredentialTypes, MigrationState};
use crate::syntax::json::Node;
use crate::text::source::SourceFile;

/// Declares each rule's module and lists its `RULE` in [`ALL`], from one list.
macro_rules! registry {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every rule, in code order.
        pub static ALL: &[&Rule] = &[$(&$module::RULE),*];
    };
}

pub mod migration;
mod references;
pub mod schema;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// What kind of fix a rule can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    None,
    Safe,
    Unsafe,
    /// Safe where the intended value is certain, none otherwise.
    SometimesSafe,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "none",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
            FixKind::SometimesSafe => "sometimes (safe)",
        }
    }
}

/// What a rule needs to run on one parsed descriptor.
pub struct Context<'a> {
    pub source: &'a SourceFile,
    pub root: &'a Node,
    pub credential_types: CredentialTypes<'a>,
    /// The schema already reports `credential-types` (or a misspelling of it) as invalid, so
    /// the migration rules stay silent rather than judge a list nobody meant.
    pub credential_types_in_doubt: bool,
    /// The descriptor at the base revision, for the history-aware rules; `None` outside git
    /// or for a file that is new at that revision.
    pub base: Option<&'a crate::model::descriptor::Baseline>,
    /// The service plan, when a deployment file names it (`None`: unknown, judged as `application`).
    pub plan: Option<&'a str>,
    /// The migration state of `credential-types` when the run started: a migration fix moves
    /// the instance one stage from there and no further, whatever the fix loop does next.
    pub started_in: MigrationState,
    /// The credential types the instance's bindings and service keys ask for: a migration fix
    /// keeps every one of them allowed.
    pub requested: &'a [CredentialType],
    /// The instance whose effective configuration this is (`None`: a descriptor on its own).
    pub instance: Option<&'a str>,
    /// Where the instance runs (Cloud Foundry, Kyma, other) and how that was found.
    pub placement: crate::model::environment::Placement,
    /// Whether fixes may be built on this text (not on the effective configuration's virtual
    /// text, whose spans belong to several files: its fixes are built on the file that holds
    /// the value).
    pub fixable: bool,
    /// The thresholds of the security-recommendation rules (`[recommendations]`).
    pub recommendations: &'a crate::rules::recommendations::Recommendations,
    /// What the platform says about the instance (`--live`); `None`: not read.
    pub live: Option<crate::model::platform::LiveView<'a>>,
}

impl Context<'_> {
    /// The migration state as the rules judge it (`Invalid` while the schema doubts the list).
    pub fn state(&self) -> MigrationState {
        if self.credential_types_in_doubt {
            MigrationState::Invalid
        } else {
            self.credential_types.state()
        }
    }

    /// A migration fix is offered only while the instance is still where the run found it:
    /// one run moves it one stage at most. A list that started the run invalid may be repaired
    /// and moved to the dual state, never past it (the removal needs a run that starts dual).
    pub fn may_move(&self) -> bool {
        self.fixable && (self.state() == self.started_in || self.started_in == MigrationState::Invalid)
    }
}

pub type Check = fn(&Context<'_>, &mut Vec<Diagnostic>);

/// A finding in one of an instance set's files (by index into [`InstanceSet::files`]).
#[derive(Debug, Clone)]
pub struct Finding {
    pub file: usize,
    pub diagnostic: Diagnostic,
}

/// What the instance rules need: an instance of a deployment file, the files of its set and the
/// effective `credential-types` (`Invalid` when the configuration is not known).
pub struct InstanceContext<'a> {
    pub set: &'a InstanceSet,
    pub instance: &'a Instance,
    pub credential_types: &'a CredentialTypes<'a>,
    /// The thresholds of the security-recommendation rules (`[recommendations]`).
    pub recommendations: &'a crate::rules::recommendations::Recommendations,
}

/// A rule on an instance as a deployment file declares it: its plan, layers and bindings.
pub type InstanceCheck = fn(&InstanceContext<'_>, &mut Vec<Finding>);

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub fix: FixKind,
    /// `None` for findings raised by a pipeline stage (reading, parsing, schema validation).
    pub check: Option<Check>,
    /// For rules on an instance as its deployment file declares it (plan, layers, bindings).
    pub instance_check: Option<InstanceCheck>,
    /// The ID of the SAP BTP security recommendation the rule checks (`BTP-UAA-0002`), if any:
    /// shown in the rule's documentation, SARIF `properties.tags` and JSON `recommendation`.
    pub recommendation: Option<&'static str>,
    /// Judges a descriptor file itself rather than its configuration (reading, syntax, repeated
    /// keys, history): still run on a descriptor whose configuration a deployment file judges.
    pub judges_the_file: bool,
    /// Judges the shape of the JSON (schema, repeated keys, repeated names): a fix must not add
    /// such a finding.
    pub structural: bool,
    /// Its finding keeps a file from being fixed at all: the file could not be read or parsed.
    pub blocks_fixing: bool,
    /// Judges where `credential-types` stands in SAP's migration (so its fixes move an instance
    /// along it).
    pub migration: bool,
}

impl Rule {
    /// What a rule file leaves out (`..Rule::DEFAULT`): no check of its own, no recommendation,
    /// none of the properties above.
    pub const DEFAULT: Rule = Rule {
        code: "",
        name: "",
        severity: Severity::Warning,
        summary: "",
        fix: FixKind::None,
        check: None,
        instance_check: None,
        recommendation: None,
        judges_the_file: false,
        structural: false,
        blocks_fixing: false,
        migration: false,
    };

    /// How a finding names this rule.
    pub fn id(&self) -> RuleId {
        RuleId {
            code: self.code,
            name: self.name,
            summary: self.summary,
            severity: self.severity,
            recommendation: self.recommendation,
        }
    }
}

impl From<&Rule> for RuleId {
    fn from(rule: &Rule) -> Self {
        rule.id()
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

// Every rule, in code order: a rule is its own file plus one line here.
registry! {
    xs000_io_error,
    xs001_invalid_json,
    xs002_schema_violation,
    xs003_duplicate_key,
    xs004_invalid_deployment_file,
    xs005_unresolved_descriptor_path,
    xs006_unrendered_template,
    xs007_unknown_configuration,
    xs008_duplicate_parameter,
    xs101_implicit_credential_types,
    xs102_instance_secret_only,
    xs103_unfinished_migration,
    xs104_instance_secret_default,
    xs105_apiaccess_instance_secret,
    xs106_deprecated_plan,
    xs107_credential_types_replaced,
    xs108_skipped_service_update,
    xs109_skipped_dual_state,
    xs110_instance_secret_binding,
    xs111_credential_type_not_allowed,
    xs112_ias_credential_type,
    xs113_instance_secret_outside_cloud_foundry,
    xs114_dropped_instance_update,
    xs115_conflicting_declarations,
    xs116_keep_existing_bindings,
    xs120_committed_credentials,
    xs201_unknown_scope_reference,
    xs202_unknown_attribute_reference,
    xs203_unknown_role_template_reference,
    xs204_duplicate_name,
    xs205_unprefixed_scope,
    xs206_no_default_role,
    xs207_role_template_alias,
    xs210_attribute_value_type_changed,
    xs211_attribute_now_required,
    xs212_role_collection_removed,
    xs213_default_values_changed,
    xs214_migration_finished,
    xs301_broad_redirect_uri,
    xs302_long_token_validity,
    xs303_x509_certificate_lifetime,
    xs304_get_token_request,
    xs305_interpolated_binding_secret,
    xs900_unused_suppression,
}

/// The rule whose code is exactly `code` (findings carry the code; a policy's is none of these).
fn rule_of(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code == code)
}

/// Whether the finding's rule judges the file itself ([`Rule::judges_the_file`]).
pub fn is_own_rule(code: &str) -> bool {
    rule_of(code).is_some_and(|r| r.judges_the_file)
}

/// Whether the finding's rule judges the shape of the JSON ([`Rule::structural`]).
pub fn is_structural(code: &str) -> bool {
    rule_of(code).is_some_and(|r| r.structural)
}

/// Whether the finding keeps its file from being fixed ([`Rule::blocks_fixing`]).
pub fn blocks_fixing(code: &str) -> bool {
    rule_of(code).is_some_and(|r| r.blocks_fixing)
}

/// Whether the finding's rule judges the migration ([`Rule::migration`]).
pub fn is_migration_rule(code: &str) -> bool {
    rule_of(code).is_some_and(|r| r.migration)
}

/// A rule by its code (any case) or its name, as users write them.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// Runs every rule that works on a parsed descriptor.
pub fn check_descriptor(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    check_descriptor_where(ctx, out, |_| true);
}

/// Runs every rule on an instance as its deployment file declares it.
pub fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    for rule in ALL {
        if let Some(check) = rule.instance_check {
            check(ctx, out);
        }
    }
}

/// Runs the rules that `wanted` accepts.
pub fn check_descriptor_where(ctx: &Context<'_>, out: &mut Vec<Diagnostic>, wanted: fn(&Rule) -> bool) {
    for rule in ALL {
        if let (Some(check), true) = (rule.check, wanted(rule)) {
            check(ctx, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_lists_every_rule_file_in_code_order() {
        let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules"))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("xs") && n.ends_with(".rs"))
            .map(|n| n[..5].to_uppercase())
            .collect();
        files.sort();
        let codes: Vec<String> = ALL.iter().map(|r| r.code.to_string()).collect();
        assert_eq!(codes, files, "every src/rules/xsNNN_*.rs file is one registry line, in code order");
    }

    /// The properties the fix loop and the deployment judging rely on, on the rules they meant
    /// when they were lists of their own.
    #[test]
    fn rule_properties_are_on_the_rules_they_were_listed_for() {
        let with =
            |property: fn(&Rule) -> bool| -> Vec<&str> { ALL.iter().filter(|r| property(r)).map(|r| r.code).collect() };
        assert_eq!(
            with(|r| r.judges_the_file),
            ["XS000", "XS001", "XS003", "XS109", "XS210", "XS211", "XS212", "XS213", "XS214"]
        );
        assert_eq!(with(|r| r.structural), ["XS002", "XS003", "XS204"]);
        assert_eq!(with(|r| r.blocks_fixing), ["XS000", "XS001"]);
        assert_eq!(with(|r| r.migration), ["XS101", "XS102", "XS103", "XS104", "XS105", "XS113"]);
        assert!(blocks_fixing("XS001") && !blocks_fixing("xs001") && !is_migration_rule("POL001"));
    }

    #[test]
    fn every_rule_has_documentation_and_a_unique_code() {
        let mut codes = std::collections::HashSet::new();
        for rule in ALL {
            assert!(codes.insert(rule.code), "duplicate {}", rule.code);
            let doc = rule_doc(rule.code).unwrap_or_default();
            assert!(doc.contains(rule.name), "{} doc lacks its name", rule.code);
            for section in ["## What it does", "## Why", "## Example", "## Fix"] {
                assert!(doc.contains(section), "{} doc lacks {section}", rule.code);
            }
        }
    }

    /// A rule that checks one of SAP's security recommendations names it in its documentation,
    /// with the page that lists them.
    #[test]
    fn recommendation_rules_name_their_recommendation() {
        for rule in ALL.iter().filter(|r| r.recommendation.is_some()) {
            let doc = rule_doc(rule.code).unwrap_or_default();
            let id = rule.recommendation.unwrap_or_default();
            assert!(id.starts_with("BTP-UAA-") && doc.contains(id), "{} doc lacks {id}", rule.code);
            assert!(
                doc.contains("security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md"),
                "{}",
                rule.code
            );
        }
        let tagged: Vec<&str> =
            ALL.iter().filter(|r| r.recommendation == Some("BTP-UAA-0003")).map(|r| r.code).collect();
        assert_eq!(
            tagged,
            [
                "XS101", "XS102", "XS103", "XS104", "XS105", "XS107", "XS108", "XS109", "XS110", "XS113", "XS116",
                "XS214"
            ]
        );
    }

    /// The migration rules' documentation links SAP's public pages and cites nothing users lack
    /// (the project's research spec, its state letters).
    #[test]
    fn migration_rule_docs_link_sap_pages() {
        let migration = ALL.iter().filter(|r| (r.code >= "XS101" && r.code <= "XS113") || r.code == "XS214");
        for rule in migration {
            let doc = rule_doc(rule.code).unwrap_or_default();
            assert!(doc.contains("](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/"), "{}", rule.code);
        }
        // No rule's documentation cites what users lack (the project's research spec, its state
        // letters).
        for rule in ALL {
            let doc = rule_doc(rule.code).unwrap_or_default();
            for stale in ["spec section", "state U", "state I)", "state D1", "state D2", "xsuaa-spec"] {
                assert!(!doc.contains(stale), "{} doc cites `{stale}`", rule.code);
            }
        }
    }
}
