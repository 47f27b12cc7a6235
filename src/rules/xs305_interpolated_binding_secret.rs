//! # XS305 interpolated-binding-secret
//!
//! ## What it does
//! Reports a binding secret written where `$` is interpolated: in a shell script outside single
//! quotes, in a Makefile (make expands `$` everywhere, quotes or not), or in a Docker Compose
//! file (`docker-compose*.yml`, `compose*.yml`, which interpolates `$VAR` in every value and
//! refuses any other single `$`). A
//! binding secret is recognised by the shape SAP gives it, a GUID, `$`, then at least 20
//! base64 characters (`8c902673-00d4-471f-9ebb-4463d4073fda$7NIo5bat...=`); placeholders and
//! instance secrets (no `$`) are not reported. The secret is never printed.
//!
//! ## Why
//! Binding secrets hold a `$`
//! ([Retrieve Credentials for Remote Applications](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/retrieve-credentials-for-remote-applications-0f48b2e.md)):
//! where it is interpolated, `$7NIo5bat...` is read as a variable and replaced (with nothing,
//! mostly), so the application sends a shortened secret and gets HTTP 401. Instance secrets had
//! no `$`, so a script that worked for years breaks when the instance moves to binding secrets.
//! The secret is also committed: read it from the environment or a secret store instead.
//!
//! ## Example
//! ```bash title="scripts/smoke-test.sh"
//! #!/bin/sh
//! CLIENT_SECRET="8c902673-00d4-471f-9ebb-4463d4073fda$7NIo5batSFZCF1RNGcpNkRfo4mDj6vq-cElDFIcvcwg="
//! ```
//! Flagged: in double quotes the shell replaces `$7` and what follows. Clean: single quotes keep
//! every character (better still, the secret comes from the environment):
//! ```bash title="scripts/smoke-test.sh"
//! #!/bin/sh
//! CLIENT_SECRET='8c902673-00d4-471f-9ebb-4463d4073fda$7NIo5batSFZCF1RNGcpNkRfo4mDj6vq-cElDFIcvcwg='
//! ```
//!
//! ## Fix
//! None: quote the secret as the file's language needs (`'...'` in a shell, `$$` in a Makefile
//! or a Compose file), and move it out of the repository.

use super::{FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::source::{SourceFile, Span};

pub static RULE: Rule = Rule {
    code: "XS305",
    name: "interpolated-binding-secret",
    severity: Severity::Info,
    summary: "A binding secret is written where its `$` is interpolated, so the application gets a broken secret",
    fix: FixKind::None,
    ..Rule::DEFAULT
};

/// How a file interpolates `$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    /// A shell script: outside single quotes, `$NAME`, `${...}` and `$1` are replaced.
    Shell,
    /// A Makefile: every `$` not doubled, quotes or not.
    Make,
    /// A Docker Compose file: `$NAME` and `${...}` in every value, any other single `$` an error;
    /// `$$` is a `$`.
    Compose,
}

/// The length of a GUID: `8c902673-00d4-471f-9ebb-4463d4073fda`.
const GUID: usize = 36;
/// How many base64 characters after the `$` make a binding secret.
const MIN_TAIL: usize = 20;

pub use crate::model::deployment::may_hold_binding_secret;

/// Where the binding secret whose `$` is at `at` starts and ends, if one is there.
fn binding_secret_at(bytes: &[u8], at: usize) -> Option<Span> {
    let start = at.checked_sub(GUID)?;
    let guid = &bytes[start..at];
    let dashes = [8, 13, 18, 23];
    let guid_shaped = guid.iter().enumerate().all(|(i, &b)| if dashes.contains(&i) { b == b'-' } else { b.is_ascii_hexdigit() });
    // The GUID starts the word: not the tail of a longer run of hex digits.
    let word_start = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'-');
    if !(guid_shaped && word_start) {
        return None;
    }
    let tail = bytes[at + 1..].iter().take_while(|&&b| b.is_ascii_alphanumeric() || b"-_+/=".contains(&b)).count();
    (tail >= MIN_TAIL).then(|| Span::new(start, at + 1 + tail))
}

/// The binding secrets of a file whose `$` the file's language interpolates.
pub fn check_text(source: &SourceFile, how: Interpolation, out: &mut Vec<Diagnostic>) {
    let bytes = source.text.as_bytes();
    // The shell's quotes on the current line (a quote open at a line's end is taken to end there).
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match (how, quote, b) {
            (_, _, b'\n') => quote = None,
            (Interpolation::Shell, Some(q), _) if b == q => quote = None,
            (Interpolation::Shell, None, b'\'' | b'"') => quote = Some(b),
            (Interpolation::Shell, None | Some(b'"'), b'\\') => i += 1,
            (_, _, b'$') if bytes.get(i + 1) == Some(&b'$') && how != Interpolation::Shell => i += 1,
            (_, _, b'$') => {
                if let Some(span) = binding_secret_at(bytes, i).filter(|_| interpolated(how, quote, bytes.get(i + 1))) {
                    out.push(finding(source, how, span));
                    i = span.end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Whether the `$` before `next` is replaced, in a shell inside `quote`.
fn interpolated(how: Interpolation, quote: Option<u8>, next: Option<&u8>) -> bool {
    let Some(&next) = next else { return false };
    let name_start = next.is_ascii_alphabetic() || next == b'_' || next == b'{';
    match how {
        Interpolation::Shell => quote != Some(b'\'') && (name_start || next.is_ascii_digit()),
        // Compose replaces `$NAME` and refuses any other single `$` ("invalid interpolation format").
        Interpolation::Make | Interpolation::Compose => true,
    }
}

fn finding(source: &SourceFile, how: Interpolation, span: Span) -> Diagnostic {
    let (where_, help) = match how {
        Interpolation::Shell => (
            "outside single quotes in a shell script: the shell replaces the `$` and what follows",
            "Put the secret in single quotes, or better read it from the environment or a secret store at run time (and rotate this one: it is committed).",
        ),
        Interpolation::Make => (
            "in a Makefile: make replaces the `$` and the character after it, quoted or not",
            "Write the `$` as `$$`, or better pass the secret in the environment (and rotate this one: it is committed).",
        ),
        Interpolation::Compose => (
            "in a Compose file: Compose replaces `$` and the name after it, or refuses the file",
            "Write the `$` as `$$`, or better use an `env_file` kept out of the repository or a secret (and rotate this one: it is committed).",
        ),
    };
    let message = format!("a binding secret is written {where_}, so the application gets a broken secret (HTTP 401)");
    Diagnostic::new(&RULE, source, span, String::new(), message).with_help(help).holding_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "8c902673-00d4-471f-9ebb-4463d4073fda$7NIo5batSFZCF1RNGcpNkRfo4mDj6vq-cElDFIcvcwg=";

    fn count(text: &str, how: Interpolation) -> usize {
        let mut out = Vec::new();
        check_text(&SourceFile::new("x", text.to_string()), how, &mut out);
        assert!(out.iter().all(|d| !d.message.contains("7NIo5bat")));
        out.len()
    }

    #[test]
    fn interpolated_places_only() {
        assert_eq!(count(&format!("S=\"{SECRET}\"\n"), Interpolation::Shell), 1);
        assert_eq!(count(&format!("S={SECRET}\n"), Interpolation::Shell), 1);
        assert_eq!(count(&format!("S='{SECRET}'\n"), Interpolation::Shell), 0);
        assert_eq!(count(&format!("\tcurl -u 'id:{SECRET}'\n"), Interpolation::Make), 1);
        assert_eq!(count(&format!("S := {}\n", SECRET.replace('$', "$$")), Interpolation::Make), 0);
        assert_eq!(count(&format!("    environment:\n      SECRET: \"{SECRET}\"\n"), Interpolation::Compose), 1);
        assert_eq!(count(&format!("      SECRET: {}\n", SECRET.replace('$', "$$")), Interpolation::Compose), 0);
        // `$+...` is no variable for the shell; a placeholder is no secret.
        assert_eq!(count("S=\"8c902673-00d4-471f-9ebb-4463d4073fda$+NIo5batSFZCF1RNGcpNkRfo4mDj6\"\n", Interpolation::Shell), 0);
        assert_eq!(count("S=\"<guid>$<secret>\"\n", Interpolation::Shell), 0);
    }
}
