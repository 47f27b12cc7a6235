//! # XS103 unfinished-migration
//!
//! ## What it does
//! Reports `instance-secret` listed after `binding-secret` or `x509`, as in
//! `["binding-secret", "instance-secret"]`: the dual state of SAP's migration (spec section 5.1,
//! state D2). The finding sits on the `instance-secret` entry.
//!
//! ## Why
//! The dual state is a stage, not a destination: while `instance-secret` stays allowed, the
//! shared, non-rotatable secret stays valid for every binding and key that still holds it.
//! Finishing means rebinding every app, replacing every service key, and then removing
//! `instance-secret` (spec section 5.2, steps 3-6).
//!
//! ## Example
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//! Flagged. Fixed, once every app is rebound and every service key replaced:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//!
//! ## Fix
//! Unsafe: removes `instance-secret`. Every binding and service key still on the instance secret
//! fails with HTTP 401 after the next instance update. Apply it (`--unsafe-fixes`) only after
//! every app is rebound, every service key replaced, and `instanceSecretLastUsedAt`
//! (`GET /sap/rest/authorization/v2/apps/{id}`) shows no recent use. Not offered while the
//! version at the base revision (`HEAD`, or `--base`) is not itself the dual state: the dual
//! state must be deployed before the removal (XS109). Nor for a list written in YAML or HCL,
//! which is not rewritten.

use super::{Context, FixKind, Rule};
use crate::descriptor::{CredentialType, CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS103",
    name: "unfinished-migration",
    severity: Severity::Warning,
    summary: "instance-secret is still allowed beside binding-secret or x509",
    fix: FixKind::Unsafe,
    check: Some(check),
    instance_check: None,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    // Under the `apiaccess` plan there is no migration to make: XS105 reports the list.
    if ctx.credential_types_in_doubt
        || ctx.plan == Some("apiaccess")
        || MigrationState::of(types) != MigrationState::Dual
    {
        return;
    }
    let index = types.iter().position(|t| *t == CredentialType::InstanceSecret).unwrap_or(0);
    let entry = node.as_array().and_then(|items| items.get(index)).unwrap_or(node);
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            entry.span,
            format!("{CREDENTIAL_TYPES_POINTER}/{index}"),
            format!(
                "migration unfinished (state: dual): `instance-secret` is still allowed beside `{}`; next step: rebind every app and replace every service key, then remove it",
                types[0].as_str()
            ),
        )
        .with_help(
            "Rebind every app and replace every service key, check that `instanceSecretLastUsedAt` shows no recent use, then remove `instance-secret` and update the instance; removing it earlier makes every binding still on the instance secret fail with HTTP 401",
        )
        .with_fix(crate::rules::migration::remove_instance_secret(ctx, node, types)),
    );
}
