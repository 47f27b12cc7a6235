//! # XS304 get-token-request
//!
//! ## What it does
//! Reports a request for an XSUAA token (`/oauth/token`) sent with HTTP GET, in shell scripts,
//! Makefiles, CI files, `package.json` scripts and REST-client files (`.http`, `.rest`):
//!
//! - `curl -X GET .../oauth/token` (`--request GET`), `curl -G` or `curl --get`;
//! - `curl ".../oauth/token?grant_type=...&client_id=...&client_secret=..."` without a body
//!   (`-d`, `--data`, `-F`, `--json`), which curl sends by GET; `wget` the same way, without
//!   `--post-data`;
//! - in a REST-client file, `GET .../oauth/token` or a request line with no method (GET).
//!
//! The finding never repeats the URL: it may hold the client secret.
//!
//! ## Why
//! SAP's page on application access tokens says "Only the POST method is supported"
//! ([Getting an Application Access Token](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/getting-an-application-access-token-6391b5d.md)),
//! and SAP announced that XSUAA stops answering token requests sent by GET after 2026-06-30: a
//! script or pipeline that asks so gets no token. A secret in a URL is also written to proxy
//! and server logs, where a request body is not.
//!
//! ## Example
//! ```bash title="scripts/token.sh"
//! #!/bin/sh
//! TOKEN=$(curl -s "$UAA_URL/oauth/token?grant_type=client_credentials&client_id=$CLIENT_ID&client_secret=$CLIENT_SECRET" | jq -r .access_token)
//! ```
//! Flagged: sent by GET, with the secret in the URL. Clean: sent by POST, the client
//! authenticated with Basic authentication and the grant in the body:
//! ```bash title="scripts/token.sh"
//! #!/bin/sh
//! TOKEN=$(curl -s -X POST "$UAA_URL/oauth/token" -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials | jq -r .access_token)
//! ```
//!
//! ## Fix
//! None: the request is rewritten by hand (the body depends on the grant type).

use super::{FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::source::{SourceFile, Span};

pub static RULE: Rule = Rule {
    code: "XS304",
    name: "get-token-request",
    severity: Severity::Error,
    summary: "An XSUAA token is requested with HTTP GET, which XSUAA stops answering after 2026-06-30",
    fix: FixKind::None,
    ..Rule::DEFAULT
};

/// Where the token endpoint is named.
const ENDPOINT: &str = "/oauth/token";

pub use crate::model::deployment::may_request_token;

/// The token requests by GET in a script, a CI file or `package.json` (`rest_client: false`), or
/// in a REST-client file.
pub fn check_text(source: &SourceFile, rest_client: bool, out: &mut Vec<Diagnostic>) {
    let text = source.text.as_str();
    // Where the last command looked at ends: each command is judged once, by where it first
    // names the endpoint, and never looked at again (so that a long line costs its length once).
    let mut judged_to = 0;
    for (at, _) in text.match_indices(ENDPOINT) {
        if at < judged_to {
            continue;
        }
        let (start, end) = command_around(text, at, judged_to);
        judged_to = end.max(at + ENDPOINT.len());
        let command = &text[start..end];
        let found = if rest_client { rest_client_get(command) } else { command_get(command, at - start) };
        let Some(how) = found else { continue };
        let secret_in_url = query_of(command, at - start).is_some_and(|q| q.contains("client_secret="));
        let exposure = if secret_in_url { " and puts the client secret in the URL, where logs keep it" } else { "" };
        let message = format!(
            "this token request ({ENDPOINT}) is sent by GET ({how}){exposure}: XSUAA answers only POST, and no longer answers GET after 2026-06-30"
        );
        let help = if rest_client {
            "Send it as `POST .../oauth/token` with `Content-Type: application/x-www-form-urlencoded`, the grant in the body (`grant_type=client_credentials`) and the client in an `Authorization: Basic` header."
        } else {
            "Send it by POST with the grant in the body and the client in Basic authentication: `curl -X POST \"$UAA_URL/oauth/token\" -u \"$CLIENT_ID:$CLIENT_SECRET\" -d grant_type=client_credentials`."
        };
        let span = Span::new(at, at + ENDPOINT.len());
        out.push(Diagnostic::new(&RULE, source, span, String::new(), message).with_help(help));
    }
}

/// The command line around `at`: its physical line, joined with the lines a trailing `\`
/// continues (backwards and forwards, at most [`MAX_JOINED`] lines each way), never before
/// `floor` (the end of the command judged before).
fn command_around(text: &str, at: usize, floor: usize) -> (usize, usize) {
    let line_start = |to: usize| text[floor.min(to)..to].rfind('\n').map_or(floor.min(to), |n| floor.min(to) + n + 1);
    let mut start = line_start(at);
    for _ in 0..MAX_JOINED {
        let before = text[..start].trim_end_matches(['\n', '\r']);
        if start <= floor || !before.ends_with('\\') {
            break;
        }
        start = line_start(before.len());
    }
    let mut end = text[at..].find('\n').map_or(text.len(), |n| at + n);
    for _ in 0..MAX_JOINED {
        if !text[..end].trim_end_matches('\r').ends_with('\\') || end >= text.len() {
            break;
        }
        end = text[end + 1..].find('\n').map_or(text.len(), |n| end + 1 + n);
    }
    (start, end)
}

/// How many continuation lines a command is looked for over, each way.
const MAX_JOINED: usize = 32;

/// The query of the URL that names the endpoint at `at` (after `?`, to the URL's end).
fn query_of(command: &str, at: usize) -> Option<&str> {
    let rest = &command[at + ENDPOINT.len()..];
    let url_end = rest.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`')).unwrap_or(rest.len());
    rest[..url_end].strip_prefix('?')
}

/// Why a `curl` or `wget` command sends GET, if it does.
fn command_get(command: &str, at: usize) -> Option<&'static str> {
    let words: Vec<&str> = command.split(|c: char| c.is_whitespace()).map(|w| w.trim_matches(['"', '\''])).collect();
    let curl = words.iter().any(|w| *w == "curl" || w.ends_with("/curl") || w.ends_with("(curl"));
    let wget = words.iter().any(|w| *w == "wget" || w.ends_with("/wget") || w.ends_with("(wget"));
    if !(curl || wget) {
        return None;
    }
    let method = words.iter().enumerate().find_map(|(i, w)| match *w {
        "-X" | "--request" | "--method" => words.get(i + 1).copied(),
        _ => w.strip_prefix("-X").or_else(|| w.strip_prefix("--request=")).or_else(|| w.strip_prefix("--method=")),
    });
    match method.map(str::to_ascii_uppercase).as_deref() {
        Some("GET") => return Some("`-X GET`"),
        Some(m) if !m.is_empty() => return None,
        _ => {}
    }
    if curl && words.iter().any(|w| matches!(*w, "-G" | "--get")) {
        return Some("`--get`");
    }
    let body = words.iter().any(|w| {
        w.starts_with("-d")
            || w.starts_with("--data")
            || w.starts_with("-F")
            || w.starts_with("--form")
            || *w == "--json"
            || w.starts_with("--post-")
            || w.starts_with("--body-")
    });
    let query = query_of(command, at).is_some_and(|q| q.contains("grant_type="));
    (!body && query).then_some("the parameters in the URL and no body")
}

/// Whether a REST-client request line asks the endpoint by GET: `GET URL` or a URL alone.
fn rest_client_get(line: &str) -> Option<&'static str> {
    let line = line.trim_start();
    if line.starts_with('#') || line.starts_with("//") {
        return None;
    }
    if line.get(..4).is_some_and(|m| m.eq_ignore_ascii_case("GET ")) {
        return Some("`GET`");
    }
    (line.starts_with("http://") || line.starts_with("https://") || line.starts_with("{{"))
        .then_some("a request line without a method")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, rest_client: bool) -> Vec<String> {
        let source = SourceFile::new("x", text.to_string());
        let mut out = Vec::new();
        check_text(&source, rest_client, &mut out);
        out.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn get_requests_are_found_and_posts_are_not() {
        let secret = "curl \"https://a.authentication.eu10.hana.ondemand.com/oauth/token?grant_type=client_credentials&client_id=x&client_secret=TOPSECRET\"\n";
        let messages = found(secret, false);
        assert_eq!(messages.len(), 1);
        assert!(messages[0].contains("client secret in the URL") && !messages[0].contains("TOPSECRET"), "{messages:?}");
        assert_eq!(found("curl -X GET \\\n  \"$URL/oauth/token\" -u a:b\n", false).len(), 1);
        assert_eq!(found("curl -G \"$URL/oauth/token\" -d grant_type=password\n", false).len(), 1);
        assert_eq!(found("wget -qO- \"$URL/oauth/token?grant_type=client_credentials\"\n", false).len(), 1);
        assert!(found("curl -X POST \"$URL/oauth/token\" -d grant_type=client_credentials\n", false).is_empty());
        assert!(found("curl \"$URL/oauth/token?grant_type=x\" -d a=b\n", false).is_empty());
        assert!(found("# see $URL/oauth/token?grant_type=x\necho done\n", false).is_empty());
        assert_eq!(found("GET {{uaa}}/oauth/token?grant_type=client_credentials\n", true).len(), 1);
        assert_eq!(found("{{uaa}}/oauth/token\n", true).len(), 1);
        assert!(found("POST {{uaa}}/oauth/token\nContent-Type: x\n", true).is_empty());
    }
}
