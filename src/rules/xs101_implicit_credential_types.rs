//! # XS101 implicit-credential-types
//!
//! ## What it does
//! Reports a descriptor without `oauth2-configuration.credential-types`.
//!
//! ## Why
//! Without the list, the credential type an instance hands out depends on when it was created
//! (spec section 2.2): SAP's documentation named `instance-secret` the default until January 2025
//! and `binding-secret` since, and older instances still serve instance secrets to the bindings
//! and service keys made back then. Absence is "unknown", not "safe". Stating the list makes the
//! migration state visible and reviewable (spec section 5.1, state U).
//!
//! ## Example
//! ```json
//! { "xsappname": "bookshop", "tenant-mode": "dedicated" }
//! ```
//! Flagged. Clean:
//! ```json
//! { "xsappname": "bookshop", "tenant-mode": "dedicated",
//!   "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! Safe, when the finding sits in a descriptor file (a descriptor alone, or one that an MTA
//! `path` names while no layer sets the list): adds `"credential-types": ["binding-secret",
//! "instance-secret"]`, creating `oauth2-configuration` when it is missing. This is step 1 of
//! SAP's migration (spec section 5.2): new bindings get binding secrets while every binding still
//! on the instance secret keeps working. Update the instance afterwards (`cf update-service
//! <instance> -c xs-security.json` or a redeploy). None for an instance configured only in YAML
//! or HCL (an MTA `config`, a Kyma `ServiceInstance`, Terraform): those files are not rewritten,
//! and the help says what to add.

use super::{Context, FixKind, Rule};
use crate::descriptor::{CredentialTypes, CREDENTIAL_TYPES_POINTER, OAUTH2_CONFIGURATION};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub static RULE: Rule = Rule {
    code: "XS101",
    name: "implicit-credential-types",
    severity: Severity::Warning,
    summary: "No credential-types: the instance may still hand out instance secrets",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    instance_check: None,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Absent { oauth2 } = &ctx.credential_types else { return };
    // The `apiaccess` plan hands out binding secrets only (XS105 judges its list).
    if ctx.credential_types_in_doubt || ctx.plan == Some("apiaccess") {
        return;
    }
    let (span, pointer) = match oauth2 {
        Some(member) => (member.key_span, format!("/{OAUTH2_CONFIGURATION}")),
        None => (Span::new(ctx.root.span.start, ctx.root.span.start + 1), String::new()),
    };
    let diagnostic = Diagnostic::new(
        &RULE,
        ctx.source,
        span,
        pointer,
        "`credential-types` is not set (state: implicit): instances created before 2025 may still hand out instance secrets; next step: list [\"binding-secret\", \"instance-secret\"] explicitly",
    )
    .with_help(format!(
        "Make the state explicit with step 1 of SAP's migration: set `{CREDENTIAL_TYPES_POINTER}` to [\"binding-secret\", \"instance-secret\"] and update the instance; then rebind every app and replace every service key"
    ))
    .with_fix(crate::rules::migration::add_dual_list(ctx));
    out.push(diagnostic);
}
