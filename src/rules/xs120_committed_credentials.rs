//! # XS120 committed-credentials
//!
//! ## What it does
//! Reports XSUAA credentials checked into the repository: a `VCAP_SERVICES` dump
//! (`default-env.json` and alike), a service key saved as JSON, or a Kubernetes Secret with a
//! client secret or a private key. The message names the credential type, from the
//! `credential-type` field or else from the secret's shape (spec section 3.2): `<uuid>$<base64>`
//! is a binding secret, a certificate with a key is X.509, a short base64 string is probably an
//! instance secret. Only values shaped like real secrets are reported, not placeholders.
//!
//! ## Why
//! Anyone who can read the repository can get tokens for the application. An instance secret is
//! worse: every binding of the instance shares it, and it cannot be rotated without recreating
//! the instance.
//!
//! ## Example
//! ```json title="default-env.json"
//! { "VCAP_SERVICES": { "xsuaa": [ { "name": "bookshop-auth", "credentials": {
//!     "clientid": "sb-bookshop!t1", "clientsecret": "HksDYy9RxYFUQeOHIzprqBam3vQ=",
//!     "uaadomain": "authentication.eu10.hana.ondemand.com", "xsappname": "bookshop!t1" } } ] } }
//! ```
//! Flagged: probably an instance secret. Clean: the committed file is a template whose secret each
//! developer fills in locally (and never commits):
//! ```json title="default-env.json"
//! { "VCAP_SERVICES": { "xsuaa": [ { "name": "bookshop-auth", "credentials": {
//!     "clientid": "sb-bookshop!t1", "clientsecret": "<from cf service-key bookshop-auth local>",
//!     "uaadomain": "authentication.eu10.hana.ondemand.com", "xsappname": "bookshop!t1" } } ] } }
//! ```
//!
//! ## Fix
//! None: delete the file, add it to `.gitignore`, rotate the secret (rebind or replace the key),
//! and remove it from the history.

use super::{FixKind, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "XS120",
    name: "committed-credentials",
    severity: Severity::Error,
    summary: "XSUAA credentials are committed to the repository",
    fix: FixKind::None,
    check: None,
};
