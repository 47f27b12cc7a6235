//! `instanceSecretLastUsedAt` of SAP's Authorization API, `GET /sap/rest/authorization/v2/apps/{id}`
//! (SAP's "Migrate from Instance Secrets to Binding Secrets", step 4: the check before the
//! instance secret is removed). The btp CLI's app view does not return it, so the call is made
//! with `curl`, with the API URL and a bearer token the user supplies through the environment
//! ([`super::AuthzApi`]). The token goes to `curl` on its standard input as a configuration
//! (`--config -`), never as an argument that other users could see in the process list.

use super::{AuthzApi, RateLimited, Reply, Session};
use crate::model::platform::{LastUse, PlatformInstance};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

const CURL: &str = "curl";

pub(super) fn last_use(session: &Session<'_>, instance: &PlatformInstance) -> LastUse {
    let Some(api) = &session.authz else {
        return LastUse::NotRead {
            reason: "no API credentials (XSUAA_LINT_AUTHZ_URL and XSUAA_LINT_AUTHZ_TOKEN) were given".into(),
        };
    };
    let Some(id) = instance.app_id.as_deref() else {
        return LastUse::NotRead { reason: "no binding gave the instance's xsappname".into() };
    };
    match ask(session, api, id) {
        Ok(last) => last,
        Err(reason) => LastUse::NotRead { reason },
    }
}

/// A value that cannot break out of a curl configuration's quoted string.
fn quoted(value: &str) -> Option<String> {
    (!value.chars().any(|c| c == '"' || c == '\\' || c.is_control())).then(|| format!("\"{value}\""))
}

fn ask(session: &Session<'_>, api: &AuthzApi, id: &str) -> Result<LastUse, String> {
    let url = format!("{}/sap/rest/authorization/v2/apps/{}", api.url, utf8_percent_encode(id, QUERY));
    let (Some(url), Some(header)) = (quoted(&url), quoted(&format!("Authorization: Bearer {}", api.token))) else {
        return Err(
            "XSUAA_LINT_AUTHZ_URL or XSUAA_LINT_AUTHZ_TOKEN holds a quote, backslash or control character".into()
        );
    };
    let config = format!("url = {url}\nheader = {header}\nheader = \"Accept: application/json\"\n");
    let args: Vec<String> =
        ["--silent", "--show-error", "--include", "--config", "-"].iter().map(|s| s.to_string()).collect();
    let limited = |reply: &Reply| {
        let (status, wait, _) = super::split_http(&reply.stdout);
        (status == Some(429)).then_some(RateLimited(wait))
    };
    let reply = session.call(CURL, &args, Some(config.as_bytes()), limited).map_err(|e| e.to_string())?;
    let (status, _, body) = super::split_http(&reply.stdout);
    match status {
        Some(200) => {}
        Some(code) => return Err(format!("the Authorization API answered HTTP {code}")),
        None => return Err(super::failed(CURL, "the Authorization API", &reply)),
    }
    parse(body).ok_or_else(|| "the Authorization API's answer has no instanceSecretLastUsedAt".into())
}

/// The one field kept of the app's description.
#[derive(serde::Deserialize)]
struct App {
    /// `None`: absent; `Some(Null)`: present and null.
    #[serde(rename = "instanceSecretLastUsedAt", default, deserialize_with = "present")]
    last_used: Option<serde_json::Value>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// `null` is "never used"; a timestamp (ISO 8601, or epoch seconds or milliseconds) gives the
/// days since; no field at all is not an answer.
fn parse(body: &[u8]) -> Option<LastUse> {
    let app: App = serde_json::from_slice(body).ok()?;
    match app.last_used? {
        serde_json::Value::Null => Some(LastUse::Never),
        serde_json::Value::String(at) => {
            let days = super::days_since(&at)?;
            Some(LastUse::At { at, days })
        }
        serde_json::Value::Number(n) => {
            let n = n.as_i64()?;
            // Epoch milliseconds are past 10^11 since 1973; seconds will not be before 5138.
            let seconds = if n > 100_000_000_000 { n / 1000 } else { n };
            let at = jiff::Timestamp::from_second(seconds).ok()?.to_string();
            let days = super::days_since(&at)?;
            Some(LastUse::At { at, days })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_use_is_read_in_each_written_form() {
        assert_eq!(parse(br#"{"instanceSecretLastUsedAt": null}"#), Some(LastUse::Never));
        assert!(matches!(parse(br#"{"instanceSecretLastUsedAt": "2020-01-01T00:00:00Z"}"#), Some(LastUse::At { .. })));
        let Some(LastUse::At { at, .. }) = parse(br#"{"instanceSecretLastUsedAt": 1577836800000}"#) else { panic!() };
        assert_eq!(at, "2020-01-01T00:00:00Z");
        assert_eq!(parse(br#"{"appid": "x"}"#), None);
    }

    #[test]
    fn nothing_escapes_the_curl_configuration() {
        assert_eq!(quoted("a b").as_deref(), Some("\"a b\""));
        assert_eq!(quoted("a\"\nurl = evil"), None);
    }
}
