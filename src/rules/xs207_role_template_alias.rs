//! # XS207 role-template-alias
//!
//! ## What it does
//! Warns about a role template key that SAP does not document but the service's broker accepts:
//! the camelCase `scopeReferences`, `attributeReferences`, `attributeReferencesFromNames` and
//! `appId`. XS002 does not report them as unknown keys.
//!
//! ## Why
//! SAP's [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)
//! documents a role template's `name`, `description`, `scope-references`,
//! `attribute-references` and `default-role-name`. The broker parses more: its error for an
//! unknown key lists these four camelCase names among its "known properties"
//! ([cap-js/sdm#225](https://github.com/cap-js/sdm/issues/225)). So a descriptor using them
//! deploys, but it relies on behaviour SAP does not document, editors and SAP's pages show the
//! kebab-case keys, and a reader looking for `scope-references` misses the list.
//! XS201 and XS202 check the references of `scopeReferences` and `attributeReferences` as they
//! check the documented lists.
//!
//! ## Example
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "scopes": [{ "name": "$XSAPPNAME.Read" }],
//!   "role-templates": [{ "name": "Viewer", "scopeReferences": ["$XSAPPNAME.Read"] }]
//! }
//! ```
//! Flagged. Fixed:
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "scopes": [{ "name": "$XSAPPNAME.Read" }],
//!   "role-templates": [{ "name": "Viewer", "scope-references": ["$XSAPPNAME.Read"] }]
//! }
//! ```
//!
//! ## Fix
//! Safe for `scopeReferences` and `attributeReferences`: the key is renamed to its documented
//! name, which the broker reads the same way, unless the template holds that key already (then
//! the help says to merge the two lists). `attributeReferencesFromNames` and `appId` have no
//! documented name: the help says to remove them.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::names::{named, ROLE_TEMPLATES};

pub static RULE: Rule = Rule {
    code: "XS207",
    name: "role-template-alias",
    severity: Severity::Warning,
    summary: "A role template uses an undocumented camelCase key that the broker accepts",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    ..Rule::DEFAULT
};

/// The role template keys the broker accepts beside the documented ones, with the documented
/// key each stands for (`None`: none documented).
pub const ALIASES: [(&str, Option<&str>); 4] = [
    ("scopeReferences", Some("scope-references")),
    ("attributeReferences", Some("attribute-references")),
    ("attributeReferencesFromNames", None),
    ("appId", None),
];

/// Whether `key` of a role template is one of the broker's aliases (XS207 reports it, not XS002).
pub fn is_alias(key: &str) -> bool {
    ALIASES.iter().any(|(alias, _)| *alias == key)
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for template in named(ctx.root, ROLE_TEMPLATES) {
        let Some(members) = template.entry.as_object() else { continue };
        for member in members {
            let Some((alias, documented)) = ALIASES.iter().find(|(alias, _)| *alias == member.key) else { continue };
            let pointer = crate::syntax::json::pointer_push(&template.pointer(), alias);
            let d = match documented {
                Some(documented) if template.entry.member(documented).is_some() => Diagnostic::new(
                    &RULE,
                    ctx.source,
                    member.key_span,
                    pointer,
                    format!("`{alias}` is an undocumented alias of `{documented}`, which this role template has too"),
                )
                .with_help(format!("Move its entries into `{documented}` and remove `{alias}`.")),
                Some(documented) => Diagnostic::new(
                    &RULE,
                    ctx.source,
                    member.key_span,
                    pointer,
                    format!("`{alias}` is an undocumented alias of `{documented}`"),
                )
                .with_help(format!("Write `{documented}`, the key SAP documents."))
                .with_fix(Some(Fix::new(
                    Applicability::Safe,
                    format!("Rename `{alias}` to `{documented}`"),
                    ctx.source,
                    [(member.key_span, crate::diagnostic::edit::quote(documented))],
                ))),
                None => Diagnostic::new(
                    &RULE,
                    ctx.source,
                    member.key_span,
                    pointer,
                    format!("`{alias}` is a role template key SAP does not document (the broker accepts it)"),
                )
                .with_help(format!("Remove `{alias}` unless you know what the broker does with it.")),
            };
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::text::source::SourceFile;

    fn lint(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        crate::lint::lint(&SourceFile::new("xs-security.json", text.to_string()))
    }

    /// cap-js/sdm#225: the broker lists these among a role template's known properties, so they
    /// are a warning with a rename, not an XS002 error; XS201/XS202 still read their references.
    #[test]
    fn aliases_warn_rename_and_are_still_checked() {
        let text = r#"{"oauth2-configuration": {"credential-types": ["binding-secret"]},
            "scopes": [{"name": "$XSAPPNAME.Read"}],
            "role-templates": [{"name": "V", "scopeReferences": ["$XSAPPNAME.Write"], "attributeReferences": ["Country"], "appId": "a"}]}"#;
        let found = lint(text);
        let codes: Vec<&str> = found.iter().map(|d| d.rule.code).collect();
        assert_eq!(codes, ["XS207", "XS201", "XS207", "XS202", "XS207"], "{found:#?}");
        let aliases: Vec<_> = found.iter().filter(|d| d.rule.code == "XS207").collect();
        assert!(aliases.iter().all(|d| d.severity == Severity::Warning));
        let renames: Vec<&str> =
            aliases.iter().filter_map(|d| d.fix.as_ref()).map(|f| f.edits[0].content.as_str()).collect();
        assert_eq!(renames, ["\"scope-references\"", "\"attribute-references\""]);
        assert_eq!(found[1].pointer, "/role-templates/0/scopeReferences/0");
    }

    #[test]
    fn an_alias_outside_a_role_template_is_still_an_unknown_key() {
        let found = lint(r#"{"scopes": [{"name": "$XSAPPNAME.Read", "appId": "a"}]}"#);
        assert!(found.iter().any(|d| d.rule.code == "XS002" && d.pointer == "/scopes/0/appId"), "{found:#?}");
        assert!(!found.iter().any(|d| d.rule.code == "XS207"));
    }
}
