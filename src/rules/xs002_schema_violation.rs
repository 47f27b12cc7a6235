//! # XS002 schema-violation
//!
//! ## What it does
//! Validates the descriptor against the project's JSON Schema
//! (`schemas/xs-security.schema.json`, draft-07), written from SAP's descriptor reference
//! ([Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)): the documented keys and their types, the enumerations
//! (`tenant-mode`, `valueType`, `credential-types`, `system-attributes`), the ranges of
//! `token-validity` (60-86400) and `refresh-token-validity` (60-31536000), the name patterns and
//! lengths, the array limits (500 scopes, 50 attributes, 500 role templates, 250 role
//! collections) and the required keys. Unknown keys are rejected.
//!
//! Each violation is one finding on the offending span: an unknown key on the key, a wrong value
//! on the value, a missing key on the object that lacks it. A misspelled key or value gets a
//! suggestion (`credential-type` -> `credential-types`, `binding_secret` -> `binding-secret`,
//! `"allowedproviders "` -> `allowedproviders`).
//!
//! `xsappname` is not required here: CAP projects supply it from `mta.yaml`. MTA placeholders
//! such as `${org}` are accepted inside names.
//!
//! ## Why
//! The service rejects an invalid descriptor at `cf create-service` or `cf update-service`, or,
//! worse, silently ignores a misspelled key: `"credential-type": ["binding-secret"]` (singular)
//! leaves the instance on its default credential type.
//!
//! ## Example
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding_secret"] } }
//! ```
//! `binding_secret` is reported: allowed values are `binding-secret`, `instance-secret`, `x509`.
//! Fixed (what `--fix` writes):
//! ```json
//! { "oauth2-configuration": { "credential-types": ["binding-secret"] } }
//! ```
//!
//! ## Fix
//! Safe, for unambiguous repairs only: a key or enum value that differs from exactly one allowed
//! spelling by case, `_` for `-`, stray spaces or a single typo is rewritten (a singular
//! `credential-type` holding a bare string becomes `credential-types` holding a one-element
//! list). The intent is certain, and nothing else changes. Other violations have no fix.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS002",
    name: "schema-violation",
    severity: Severity::Error,
    summary: "The descriptor does not match the xs-security.json schema",
    fix: FixKind::SometimesSafe,
    structural: true,
    ..Rule::DEFAULT
};
