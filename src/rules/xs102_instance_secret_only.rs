//! # XS102 instance-secret-only
//!
//! ## What it does
//! Reports `"credential-types": ["instance-secret"]`.
//!
//! ## Why
//! One secret is shared by every binding and service key of the instance; it cannot be rotated
//! without a new `xsappname` (spec section 2.1). Since 2026-01-19 SAP no longer issues instance
//! secrets for new bindings and service keys (spec section 2.2), so a new binding on this instance
//! gets a type the descriptor does not even allow (spec section 5.1, state I).
//!
//! ## Example
//! ```json
//! { "oauth2-configuration": { "credential-types": ["instance-secret"] } }
//! ```
//! Flagged. Fixed, the next safe state:
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret", "instance-secret"] } }
//! ```
//!
//! ## Fix
//! Safe, for a list written in a descriptor file: `["instance-secret"]` becomes
//! `["binding-secret", "instance-secret"]`, step 1 of SAP's procedure (spec section 5.2).
//! Existing bindings keep their instance secret; new ones get binding secrets. Then update the
//! instance, rebind every app and replace every service key. None for a list written in YAML or
//! HCL (an MTA `config` or extension, a Kyma `ServiceInstance`, Terraform), which is not
//! rewritten: the help says what to write.

use super::{Context, FixKind, Rule};
use crate::descriptor::{CredentialTypes, MigrationState, CREDENTIAL_TYPES_POINTER};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS102",
    name: "instance-secret-only",
    severity: Severity::Error,
    summary: "Only instance secrets are allowed",
    fix: FixKind::SometimesSafe,
    check: Some(check),
    instance_check: None,
};

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let CredentialTypes::Listed { node, types } = &ctx.credential_types else { return };
    // Under the `apiaccess` plan there is no migration to make: XS105 reports the list.
    if ctx.credential_types_in_doubt
        || ctx.plan == Some("apiaccess")
        || MigrationState::of(types) != MigrationState::InstanceOnly
    {
        return;
    }
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            node.span,
            CREDENTIAL_TYPES_POINTER,
            "only `instance-secret` is allowed (state: instance-only); the next step is to allow binding secrets first",
        )
        .with_help(
            "Set [\"binding-secret\", \"instance-secret\"] and update the instance (`cf update-service <instance> -c xs-security.json` or a redeploy); existing bindings keep working, new ones get binding secrets",
        )
        .with_fix(crate::rules::migration::binding_first(ctx, node, types)),
    );
}
