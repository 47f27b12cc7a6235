//! The pure core: texts in, findings out (parse -> model -> schema -> rules). A descriptor on
//! its own here; an instance of a deployment file in [`instance`].

pub mod diff;
pub mod fix;
pub mod instance;
pub mod set;

use crate::diagnostic::Diagnostic;
use crate::model::descriptor::Baseline;
use crate::model::descriptor::{CredentialTypes, MigrationState};
use crate::rules::policy::Policy;
use crate::rules::{self, xs001_invalid_json, Context};
use crate::text::source::SourceFile;

/// Changes a file's findings after the rules ran (selection, severities, suppressions).
pub type Filter<'a> = &'a (dyn Fn(&mut Vec<Diagnostic>) + Sync);

/// What a run adds to the descriptor itself.
#[derive(Default, Clone, Copy)]
pub struct LintOptions<'a> {
    /// The descriptor at the base revision, for the history rules.
    pub base: Option<&'a Baseline>,
    /// Organisation policies from the configuration.
    pub policies: &'a [Policy],
    /// Rule selection, severities and suppressions from the configuration, applied last.
    pub filter: Option<Filter<'a>>,
    /// The plan of a descriptor that no deployment file names (`--plan`, or the configuration).
    pub plan: Option<&'a str>,
    /// The environment of a descriptor that no deployment file names (the configuration's
    /// `environment`); `None`: Cloud Foundry assumed.
    pub environment: Option<crate::model::environment::Environment>,
    /// Only the rules that judge the file itself rather than its configuration (syntax, repeated
    /// keys, history): for a descriptor that a deployment file judges through its instances.
    pub own_rules_only: bool,
    /// Receives what `audit` records of the descriptor, without a second parse.
    pub observed: Option<&'a Observed>,
    /// The migration state the file had when the run started (the fix loop's later passes);
    /// `None`: the state it has now.
    pub started_in: Option<MigrationState>,
    /// The configuration's `[recommendations]`; `None`: the defaults.
    pub recommendations: Option<&'a crate::rules::recommendations::Recommendations>,
}

/// A descriptor's migration state and `xsappname`, as the lint saw them.
#[derive(Default)]
pub struct Observed {
    pub state: std::cell::Cell<MigrationState>,
    pub xsappname: std::cell::Cell<Option<String>>,
}

/// Lints one descriptor on its own. Findings are sorted by position, then code.
pub fn lint(source: &SourceFile) -> Vec<Diagnostic> {
    lint_with(source, &LintOptions::default())
}

/// Lints one descriptor; with a base, also as a change from that version.
pub fn lint_against(source: &SourceFile, base: Option<&Baseline>) -> Vec<Diagnostic> {
    lint_with(source, &LintOptions { base, ..LintOptions::default() })
}

pub fn lint_with(source: &SourceFile, options: &LintOptions<'_>) -> Vec<Diagnostic> {
    match crate::syntax::json::parse(&source.text, source.bom_len()) {
        Err(e) => finish(vec![Diagnostic::new(&xs001_invalid_json::RULE, source, e.span, "", e.message)], options),
        Ok(root) => lint_tree(source, &root, options),
    }
}

/// Lints a descriptor already parsed into `root` (a deployment set parses each descriptor once).
pub fn lint_tree(source: &SourceFile, root: &crate::syntax::json::Node, options: &LintOptions<'_>) -> Vec<Diagnostic> {
    let (mut out, in_doubt) = if options.own_rules_only {
        (Vec::new(), false)
    } else {
        let schema = crate::rules::schema::validate(source, root);
        (schema.diagnostics, schema.credential_types_in_doubt)
    };
    let mut ctx = Context {
        source,
        root,
        credential_types: CredentialTypes::of(root),
        credential_types_in_doubt: in_doubt,
        base: options.base,
        plan: if options.own_rules_only { None } else { options.plan },
        started_in: MigrationState::Invalid,
        requested: &[],
        instance: None,
        placement: crate::model::environment::Placement::standalone(options.environment),
        fixable: true,
        recommendations: options.recommendations.unwrap_or(&crate::rules::recommendations::DEFAULT),
        // A descriptor that no deployment file names has no instance name to look up.
        live: None,
    };
    ctx.started_in = options.started_in.unwrap_or_else(|| ctx.state());
    if let Some(observed) = options.observed {
        observed.state.set(ctx.state());
        observed.xsappname.set(root.get("xsappname").and_then(|n| n.as_str().map(String::from)));
    }
    if options.own_rules_only {
        rules::check_descriptor_where(&ctx, &mut out, |rule| rule.judges_the_file);
    } else {
        rules::check_descriptor(&ctx, &mut out);
        for policy in options.policies {
            policy.check(source, root, &mut out);
        }
    }
    finish(out, options)
}

/// The configuration's filter, then the findings in order.
fn finish(mut diagnostics: Vec<Diagnostic>, options: &LintOptions<'_>) -> Vec<Diagnostic> {
    if let Some(filter) = options.filter {
        filter(&mut diagnostics);
    }
    sort(&mut diagnostics);
    diagnostics
}

pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.start.offset, a.end.offset, a.rule.code, &a.message).cmp(&(
            b.start.offset,
            b.end.offset,
            b.rule.code,
            &b.message,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        lint(&SourceFile::new("t.json", text.into())).iter().map(|d| d.rule.code).collect()
    }

    #[test]
    fn one_migration_code_per_state() {
        assert_eq!(codes(r#"{"xsappname": "a"}"#), ["XS101"]);
        assert_eq!(codes(r#"{"oauth2-configuration": {"credential-types": ["instance-secret"]}}"#), ["XS102"]);
        assert_eq!(
            codes(r#"{"oauth2-configuration": {"credential-types": ["binding-secret", "instance-secret"]}}"#),
            ["XS103"]
        );
        assert_eq!(codes(r#"{"oauth2-configuration": {"credential-types": ["instance-secret", "x509"]}}"#), ["XS104"]);
        assert!(codes(r#"{"oauth2-configuration": {"credential-types": ["x509", "binding-secret"]}}"#).is_empty());
    }

    #[test]
    fn invalid_credential_types_get_the_schema_finding_only() {
        assert_eq!(
            codes(r#"{"oauth2-configuration": {"credential-types": ["instance-secret", "instance-secret"]}}"#),
            ["XS002"]
        );
        assert_eq!(codes(r#"{"oauth2-configuration": {"credential-type": ["instance-secret"]}}"#), ["XS002"]);
        assert_eq!(codes(r#"{"oauth2-configuation": {"credential-types": ["x509"]}}"#), ["XS002"]);
        assert_eq!(codes(r#"[]"#), ["XS002"]);
    }

    #[test]
    fn bom_is_accepted_and_offsets_stay_in_file_bytes() {
        let source = SourceFile::new(
            "t.json",
            "\u{feff}{\"oauth2-configuration\": {\"credential-types\": [\"instance-secret\"]}}".into(),
        );
        let d = &lint(&source)[0];
        assert_eq!(d.rule.code, "XS102");
        assert_eq!(&source.text[d.start.offset..d.end.offset], "[\"instance-secret\"]");
    }
}
