//! # XS120 committed-credentials
//!
//! ## What it does
//! Reports XSUAA credentials checked into the repository: a `VCAP_SERVICES` dump
//! (`default-env.json` and alike, or `VCAP_SERVICES='{...}'` in a dotenv file such as `.env` or
//! `db/.env`, which `cds bind` and `cds deploy --to hana` write), a service key saved as JSON, or a Kubernetes Secret with a
//! client secret or a private key. The message names the credential type, from the
//! `credential-type` field or else from the secret's shape (SAP's [Retrieve Credentials for Remote Applications](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/retrieve-credentials-for-remote-applications-0f48b2e.md)): `<uuid>$<base64>`
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
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::json::{Node, Value};
use crate::text::source::SourceFile;

pub static RULE: Rule = Rule {
    code: "XS120",
    name: "committed-credentials",
    severity: Severity::Error,
    summary: "XSUAA credentials are committed to the repository",
    fix: FixKind::None,
    ..Rule::DEFAULT
};

fn is_binding_secret(s: &str) -> bool {
    let Some((uuid, rest)) = s.split_once('$') else { return false };
    uuid.len() == 36
        && uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && rest.len() >= 20
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || "-_+/=".contains(c))
}

fn is_base64_secret(s: &str) -> bool {
    s.len() >= 20
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_lowercase())
}

fn is_private_key(s: &str) -> bool {
    s.contains("PRIVATE KEY-----") && s.len() > 200
}

/// The credential type of a credentials object, and how it was told.
fn credential_type(credentials: &Node) -> Option<(String, &'static str, &Node)> {
    let secret = credentials
        .get("clientsecret")
        .filter(|n| n.as_str().is_some_and(|s| is_binding_secret(s) || is_base64_secret(s)));
    let key = credentials.get("key").filter(|n| n.as_str().is_some_and(is_private_key));
    let offending = secret.or(key)?;
    if let Some(t) = credentials.get("credential-type").and_then(Node::as_str) {
        return Some((t.to_string(), "its `credential-type`", offending));
    }
    if key.is_some() && credentials.get("certificate").is_some() {
        return Some(("x509".into(), "certificate and key", offending));
    }
    let secret_text = secret?.as_str()?;
    if is_binding_secret(secret_text) {
        Some(("binding-secret".into(), "the shape of its secret", offending))
    } else {
        Some(("instance-secret".into(), "the shape of its secret (probably)", offending))
    }
}

fn report(source: &SourceFile, credentials: &Node, what: &str, pointer: String, out: &mut Vec<Diagnostic>) {
    let Some((kind, told_by, offending)) = credential_type(credentials) else { return };
    let consequence = if kind == "instance-secret" {
        "an instance secret is shared by every binding of the instance and cannot be rotated without recreating the instance"
    } else {
        "rotate it (rebind, or replace the service key) and remove the file from the repository and its history"
    };
    out.push(
        Diagnostic::new(
            &RULE,
            source,
            offending.span,
            pointer,
            format!("XSUAA credentials committed in {what}: credential type `{kind}` (from {told_by}); {consequence}"),
        )
        .with_help("Keep credentials out of the repository: list the file in .gitignore, and use `cf env`, a secret store or the service binding at run time.")
        .holding_secret(),
    );
}

/// Credentials in a JSON file: `VCAP_SERVICES` (or its value) with `xsuaa` entries, or one
/// service key.
pub fn check_json(source: &SourceFile, root: &Node, out: &mut Vec<Diagnostic>) {
    let (services, prefix) = match root.get("VCAP_SERVICES") {
        Some(v) => (v, "/VCAP_SERVICES"),
        None => (root, ""),
    };
    let mut found = false;
    if let Some(entries) = services.get("xsuaa").and_then(Node::as_array) {
        for (i, entry) in entries.iter().enumerate() {
            if let Some(credentials) = entry.get("credentials") {
                let before = out.len();
                report(source, credentials, "a VCAP_SERVICES dump", format!("{prefix}/xsuaa/{i}/credentials"), out);
                found |= out.len() > before;
            }
        }
    }
    // A service key: the credentials object itself (`cf service-key` output, or wrapped).
    let key = root.get("credentials").unwrap_or(root);
    let is_xsuaa_key =
        key.get("clientid").is_some() && (key.get("uaadomain").is_some() || key.get("xsappname").is_some());
    if !found && is_xsuaa_key {
        let pointer = if root.get("credentials").is_some() { "/credentials" } else { "" };
        report(source, key, "a service key", pointer.to_string(), out);
    }
}

/// A credentials file as its name says to read it: a dotenv file (`.env`) or JSON. `false` when
/// the file is not judged (JSON that does not parse: it is nobody's credentials).
pub fn check_file(source: &SourceFile, out: &mut Vec<Diagnostic>) -> bool {
    let name = source.path.rsplit(['/', '\\']).next().unwrap_or(&source.path);
    if crate::syntax::dotenv::is_dotenv_name(name) {
        check_dotenv(source, out);
        return true;
    }
    match crate::syntax::json::parse(&source.text, source.bom_len()) {
        Ok(root) => {
            check_json(source, &root, out);
            true
        }
        Err(_) => false,
    }
}

/// `VCAP_SERVICES='{...}'` in a dotenv file (what `cds bind` and `cds deploy --to hana` write):
/// judged as the same JSON in `default-env.json` is. A value written with escapes has no
/// position of its own for each member: its findings are placed on the whole value.
pub fn check_dotenv(source: &SourceFile, out: &mut Vec<Diagnostic>) {
    for assignment in crate::syntax::dotenv::assignments(&source.text) {
        if assignment.key != "VCAP_SERVICES" {
            continue;
        }
        let parsed = if assignment.exact {
            crate::syntax::json::parse(&source.text[..assignment.span.end], assignment.span.start)
        } else {
            crate::syntax::json::parse(&assignment.value, 0).map(|node| crate::syntax::hcl::respan(node, assignment.span))
        };
        let Ok(services) = parsed else { continue };
        let root = Node {
            span: services.span,
            value: Value::Object(vec![crate::syntax::json::Member {
                key: assignment.key.clone(),
                key_span: assignment.span,
                value: services,
            }]),
        };
        check_json(source, &root, out);
    }
}

/// Whether a YAML text may hold a document of `kind: Secret`, the only ones [`check_secrets`]
/// judges: a cheap look before parsing the text again. `Secret` must stand as a word of its own
/// (`imagePullSecret` is no such value); a backslash may spell it in escapes (`"Secr\x65t"`).
pub fn may_hold_secret(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr(b'\\', bytes).is_some()
        || memchr::memmem::find_iter(bytes, b"Secret")
            .any(|at| at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_'))
}

/// Kubernetes Secrets (in a YAML stream) holding XSUAA credentials, in `stringData` or
/// base64-encoded in `data`.
pub fn check_secrets(source: &SourceFile, documents: &[Node], out: &mut Vec<Diagnostic>) {
    for (i, doc) in documents.iter().enumerate() {
        if doc.get("kind").and_then(Node::as_str) != Some("Secret") {
            continue;
        }
        let prefix = if documents.len() > 1 { format!("/{i}") } else { String::new() };
        if let Some(data) = doc.get("stringData") {
            report(source, data, "a Kubernetes Secret", format!("{prefix}/stringData"), out);
        }
        if let Some(data) = doc.get("data").and_then(Node::as_object) {
            // Decode the values so the same checks apply; spans stay on the encoded values.
            let decoded = Node {
                span: doc.span,
                value: Value::Object(
                    data.iter()
                        .map(|m| crate::syntax::json::Member {
                            key: m.key.clone(),
                            key_span: m.key_span,
                            value: Node {
                                span: m.value.span,
                                value: m.value.as_str().and_then(base64_decode).map_or(Value::Null, Value::String),
                            },
                        })
                        .collect(),
                ),
            };
            report(source, &decoded, "a Kubernetes Secret", format!("{prefix}/data"), out);
        }
    }
}

/// Standard base64 (padded or not) to UTF-8 text; `None` for anything else.
fn base64_decode(s: &str) -> Option<String> {
    use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = base64::Engine::decode(&LENIENT, s.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_texts_that_may_name_a_secret_are_parsed_again() {
        for text in [
            "kind: Secret\n",
            "kind: \"Secret\"\n",
            "kind: 'Secret'\n",
            "{kind: Secret}\n",
            "kind: !!str Secret\n",
            "kind:\n  Secret\n",
            "Secret",
            "kind: \"Secr\\x65t\"\n",
        ] {
            assert!(may_hold_secret(text), "{text:?}");
        }
        for text in ["imagePullSecret: pull\n", "kind: Deployment\n", "kind: SealedSecret\n", "my_Secret: 1\n"] {
            assert!(!may_hold_secret(text), "{text:?}");
        }
        // What the look lets through is what `check_secrets` would have found nothing in.
        let text = "imagePullSecret: x\n---\nkind: Deployment\nstringData:\n  clientsecret: HksDYy9RxYFUQeOHIzprqBam3vQ=\n";
        let documents = crate::syntax::yaml::parse_documents(text).unwrap();
        let mut out = Vec::new();
        check_secrets(&SourceFile::new("k.yaml", text.into()), &documents, &mut out);
        assert!(out.is_empty());
    }

    fn codes(text: &str) -> Vec<String> {
        let source = SourceFile::new("default-env.json", text.into());
        let root = crate::syntax::json::parse(text, 0).unwrap();
        let mut out = Vec::new();
        check_json(&source, &root, &mut out);
        out.iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn real_shapes_only() {
        let binding = r#"{"VCAP_SERVICES": {"xsuaa": [{"credentials": {"clientid": "sb-a", "clientsecret": "8c902673-00d4-471f-9ebb-4463d4073fda$7NIo5batSFZCF1RNGcpNkRfo4mDj6vq-cElDFIcvcwg="}}]}}"#;
        let found = codes(binding);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("`binding-secret`"), "{found:?}");
        let instance = r#"{"clientid": "sb-a!t1", "clientsecret": "HksDYy9RxYFUQeOHIzprqBam3vQ=", "uaadomain": "x"}"#;
        assert!(codes(instance)[0].contains("cannot be rotated"));
        let typed = r#"{"credentials": {"clientid": "a", "xsappname": "a", "credential-type": "instance-secret", "clientsecret": "sppEXArNzp3tccATO99CZsRKESY="}}"#;
        assert!(codes(typed)[0].contains("from its `credential-type`"));
        let fake = r#"{"xsuaa": [{"credentials": {"clientid": "client-id", "clientsecret": "client-secret"}}]}"#;
        assert!(codes(fake).is_empty());
    }

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("aGVsbG8="), Some("hello".into()));
        assert_eq!(base64_decode("*"), None);
    }
}
