//! # XS302 long-token-validity
//!
//! ## What it does
//! Reports `oauth2-configuration.token-validity` (access tokens) above `[recommendations]
//! token-validity-max` (default 43200 seconds, 12 hours) and `refresh-token-validity` above
//! `refresh-token-validity-max` (default 604800 seconds, 7 days), as warnings; and, as an info,
//! a `token-validity` below `token-validity-min` (default 1800 seconds, 30 minutes). Values
//! outside the range the service accepts are XS002's.
//!
//! ## Why
//! SAP's security recommendation BTP-UAA-0005 ("Check the validity configuration for access
//! tokens") warns that a longer validity gives whoever steals a token access until it expires:
//! "Keep token validity as short as possible, but not less than 30 minutes"
//! ([Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md),
//! [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md),
//! [Configure Token Policy for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/configure-token-policy-for-sap-authorization-and-trust-management-service-40290a9.md)).
//! A value in the descriptor overrides the subaccount's token policy for the applications that
//! use the instance.
//!
//! SAP gives the floor (30 minutes) but no upper figure. The defaults of the maximums are this
//! project's choice: SAP's own defaults for a descriptor (12 hours for access tokens, 7 days for
//! refresh tokens), so a descriptor is flagged when it relaxes them. Set your own in
//! `xsuaa-lint.toml`:
//!
//! ```toml
//! [recommendations]
//! token-validity-max = 3600           # seconds, 60 to 86400
//! token-validity-min = 1800           # seconds, 0 turns the info off
//! refresh-token-validity-max = 86400  # seconds, 60 to 31536000
//! ```
//!
//! ## Example
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "oauth2-configuration": {
//!     "credential-types": ["binding-secret"],
//!     "token-validity": 86400,
//!     "refresh-token-validity": 2592000
//!   }
//! }
//! ```
//! Flagged. Fixed:
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "oauth2-configuration": {
//!     "credential-types": ["binding-secret"],
//!     "token-validity": 3600,
//!     "refresh-token-validity": 86400
//!   }
//! }
//! ```
//!
//! ## Fix
//! None: how short is right depends on the application's users.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::json::{Node, Value};

pub static RULE: Rule = Rule {
    code: "XS302",
    name: "long-token-validity",
    severity: Severity::Warning,
    summary: "An access or refresh token validity is longer than recommended (or an access token shorter than SAP's 30 minutes: info)",
    fix: FixKind::None,
    check: Some(check),
    recommendation: Some("BTP-UAA-0005"),
    ..Rule::DEFAULT
};

fn seconds(node: &Node) -> Option<u64> {
    match &node.value {
        Value::Number(n) => n.parse().ok(),
        _ => None,
    }
}

/// `3600 seconds (1 hour)`.
fn duration(s: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let readable = if s.is_multiple_of(86_400) {
        plural(s / 86_400, "day")
    } else if s.is_multiple_of(3600) {
        plural(s / 3600, "hour")
    } else if s.is_multiple_of(60) {
        plural(s / 60, "minute")
    } else {
        return plural(s, "second");
    };
    format!("{} ({readable})", plural(s, "second"))
}

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let r = ctx.recommendations;
    let pointer = "/oauth2-configuration/token-validity";
    if let Some((node, value)) = ctx.root.pointer(pointer).and_then(|n| Some((n, seconds(n)?))) {
        // Outside 60..=86400 the schema (XS002) reports it.
        if (60..=86_400).contains(&value) && value > u64::from(r.token_validity_max) {
            out.push(
                Diagnostic::new(&RULE, ctx.source, node.span, pointer, format!(
                    "access tokens are valid for {}, longer than {} (`[recommendations] token-validity-max`): a stolen token works that long",
                    duration(value),
                    duration(r.token_validity_max.into())
                ))
                .with_help("Keep `token-validity` as short as the application allows, but not under 1800 seconds (30 minutes), as SAP recommends (BTP-UAA-0005)."),
            );
        } else if (60..=86_400).contains(&value) && value < u64::from(r.token_validity_min) {
            let mut d = Diagnostic::new(
                &RULE,
                ctx.source,
                node.span,
                pointer,
                format!(
                    "access tokens are valid for {}, shorter than {}: SAP recommends no less than 30 minutes, or users reauthenticate often",
                    duration(value),
                    duration(r.token_validity_min.into())
                ),
            )
            .with_help("Set `token-validity` to at least 1800 seconds, or lower `[recommendations] token-validity-min` if the short lifetime is intended.");
            d.severity = Severity::Info;
            out.push(d);
        }
    }
    let pointer = "/oauth2-configuration/refresh-token-validity";
    if let Some((node, value)) = ctx.root.pointer(pointer).and_then(|n| Some((n, seconds(n)?))) {
        if (60..=31_536_000).contains(&value) && value > u64::from(r.refresh_token_validity_max) {
            out.push(
                Diagnostic::new(&RULE, ctx.source, node.span, pointer, format!(
                    "refresh tokens are valid for {}, longer than {} (`[recommendations] refresh-token-validity-max`): a stolen refresh token yields new access tokens that long",
                    duration(value),
                    duration(r.refresh_token_validity_max.into())
                ))
                .with_help("Shorten `refresh-token-validity` (SAP's default is 604800 seconds, 7 days), or raise `[recommendations] refresh-token-validity-max` if the lifetime is intended."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_plainly() {
        assert_eq!(super::duration(43_200), "43200 seconds (12 hours)");
        assert_eq!(super::duration(1800), "1800 seconds (30 minutes)");
        assert_eq!(super::duration(86_400), "86400 seconds (1 day)");
        assert_eq!(super::duration(61), "61 seconds");
    }
}
