//! # XS205 unprefixed-scope
//!
//! ## What it does
//! Reports a scope whose `name` does not start with `$XSAPPNAME.` (SAP's [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)).
//! Scopes of the platform's own UAA that descriptors declare as they are (`uaa.user`,
//! `openid`, XS advanced's `xs_authorization.read` and alike) and names holding an MTA
//! placeholder are not reported.
//!
//! ## Why
//! SAP's documentation says local scope names must be prefixed with `$XSAPPNAME`, which the
//! service replaces with the application's real name. Without the prefix, the scope is not tied
//! to the application: it can collide with another application's scope in the subaccount, and
//! `$XSAPPNAME.<scope>` references do not find it.
//!
//! ## Example
//! ```json
//! { "scopes": [{ "name": "Read" }] }
//! ```
//! Flagged. Fixed:
//! ```json
//! { "scopes": [{ "name": "$XSAPPNAME.Read" }] }
//! ```
//!
//! ## Fix
//! None: renaming a scope changes the scope checked by the application code and by every
//! reference, so it is left to you.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::names::{has_placeholder, is_platform_scope, named, LOCAL_PREFIX, SCOPES};

pub static RULE: Rule = Rule {
    code: "XS205",
    name: "unprefixed-scope",
    severity: Severity::Warning,
    summary: "A local scope name is not prefixed with $XSAPPNAME",
    fix: FixKind::None,
    check: Some(check),
    ..Rule::DEFAULT
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for scope in named(ctx.root, SCOPES) {
        let name = scope.name;
        if name.starts_with(LOCAL_PREFIX) || is_platform_scope(name) || has_placeholder(name) {
            continue;
        }
        let bare = name.strip_prefix("$XSAPPNAME").unwrap_or(name).trim_start_matches(['.', '_', ':', '/']);
        out.push(
            Diagnostic::new(
                &RULE,
                ctx.source,
                scope.name_node.span,
                format!("{}/name", scope.pointer()),
                format!("scope `{name}` is not prefixed with `{LOCAL_PREFIX}`"),
            )
            .with_help(format!(
                "Name it `{LOCAL_PREFIX}{bare}` and update the references to it and the checks in the application code."
            )),
        );
    }
}
