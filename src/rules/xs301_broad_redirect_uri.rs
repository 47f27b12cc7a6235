//! # XS301 broad-redirect-uri
//!
//! ## What it does
//! Reports an entry of `oauth2-configuration.redirect-uris` that lets the service redirect users,
//! with their authorization code or token, to hosts the application does not own:
//!
//! - a host that is only a wildcard (`https://*/**`, `http://**/*`);
//! - a wildcard host under a domain where anyone can get a host: SAP BTP's shared domains
//!   (`hana.ondemand.com` and its regions, such as `https://*.hana.ondemand.com/**` or
//!   `https://*.cfapps.eu10.hana.ondemand.com/**`; `kyma.ondemand.com`; SAP Business Application
//!   Studio's `applicationstudio.cloud.sap`), an MTA's `${default-domain}` (the organization's
//!   default domain, normally a shared one) and the domains listed in `[recommendations]
//!   shared-domains`;
//! - plain `http://` (also `http*://`) to a host other than `localhost` (`*.localhost`,
//!   `127.0.0.1`, `[::1]`).
//!
//! A wildcard *path* after a fixed host (`https://myapp.cfapps.eu10.hana.ondemand.com/**`), a
//! wildcard host under the application's own domain (`https://*.mydomain.com/callback/**`, the
//! form SAP's documentation shows) and `http://localhost:*/**` are fine. A host written as a
//! placeholder (`~{app-api/url}`, `<your-domain>`) is not judged.
//!
//! ## Why
//! SAP's security recommendation BTP-UAA-0002 says to set `redirect-uris` "to restrict access as
//! much as possible"; wildcards "open up the redirect for multiple websites" and "increase the risk
//! of redirecting to malicious websites" ([Security Recommendations for SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-recommendations-for-sap-authorization-and-trust-management-service-0578b80.md),
//! [Listing Allowed Redirect URIs](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/60-security/security-considerations-for-the-sap-authorization-and-trust-management-service-f117cab.md#loio88b7d9d4c6ff4498b48dbc0b7be8a294),
//! [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md)).
//! On a shared domain any other customer can create a route that matches the wildcard; over plain
//! HTTP the code or token travels unencrypted. Only `localhost` is always allowed, so local
//! development needs no such entry.
//!
//! Which domains count as shared is this project's list (SAP publishes none): extend it with
//! `[recommendations] shared-domains` in `xsuaa-lint.toml`.
//!
//! ## Example
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "oauth2-configuration": {
//!     "credential-types": ["binding-secret"],
//!     "redirect-uris": ["https://*.hana.ondemand.com/**", "http://localhost:5000/**"]
//!   }
//! }
//! ```
//! Flagged. Fixed, with the application's own hosts:
//! ```json
//! {
//!   "xsappname": "bookshop",
//!   "oauth2-configuration": {
//!     "credential-types": ["binding-secret"],
//!     "redirect-uris": ["https://bookshop.cfapps.eu10.hana.ondemand.com/**", "https://*.bookshop.example.com/**", "http://localhost:5000/**"]
//!   }
//! }
//! ```
//!
//! ## Fix
//! None: only the application's owners know its hosts.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::json::Node;

pub static RULE: Rule = Rule {
    code: "XS301",
    name: "broad-redirect-uri",
    severity: Severity::Warning,
    summary: "A redirect URI allows any host, a wildcard host on a shared domain, or plain http",
    fix: FixKind::None,
    check: Some(check),
    recommendation: Some("BTP-UAA-0002"),
    ..Rule::DEFAULT
};

const POINTER: &str = "/oauth2-configuration/redirect-uris";

fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(uris) = ctx.root.pointer(POINTER).and_then(Node::as_array) else { return };
    for (i, node) in uris.iter().enumerate() {
        let Some(uri) = node.as_str() else { continue };
        let problems = problems(uri, &ctx.recommendations.shared_domains);
        if problems.is_empty() {
            continue;
        }
        let d = Diagnostic::new(
            &RULE,
            ctx.source,
            node.span,
            format!("{POINTER}/{i}"),
            format!("redirect URI `{uri}` {}", problems.join("; and it ")),
        )
        .with_help(
            "List the application's own hosts (`https://myapp.cfapps.eu10.hana.ondemand.com/**`, or a wildcard under a domain you own: `https://*.myapp.example.com/**`) and use https; `localhost` is always allowed for local development.",
        );
        out.push(d);
    }
}

/// What is wrong with one redirect URI, as phrases after "redirect URI `...`".
pub fn problems(uri: &str, extra_shared: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let Some((scheme, rest)) = uri.split_once("://") else { return out };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = strip_port(host_port).to_ascii_lowercase();
    if host.is_empty() {
        return out;
    }
    let placeholder = |s: &str| s.contains(['{', '}', '<', '>', '$']);
    let wildcard_only = host.split('.').all(|label| !label.is_empty() && label.chars().all(|c| c == '*'));
    if wildcard_only {
        out.push("allows any host".to_string());
    } else if host.contains('*') {
        // The fixed part after the last label that holds a wildcard: the domain the wildcard opens.
        let labels: Vec<&str> = host.split('.').collect();
        let last_wild = labels.iter().rposition(|l| l.contains('*')).unwrap_or(0);
        let suffix = labels[last_wild + 1..].join(".");
        if suffix == "${default-domain}" {
            out.push(
                "allows any host under the MTA's `${default-domain}`, the organization's default domain, normally a shared domain where anyone can create a route"
                    .to_string(),
            );
        } else if !placeholder(&suffix) && is_shared(&suffix, extra_shared) {
            out.push(if labels[last_wild].chars().all(|c| c == '*') {
                format!("allows any host under `{suffix}`, a shared domain where other customers' applications run too")
            } else {
                format!(
                    "lets `{}` match other hosts under `{suffix}`, a shared domain the application does not own",
                    labels[last_wild]
                )
            });
        }
    }
    let scheme = scheme.to_ascii_lowercase();
    let plain = scheme == "http" || (scheme.contains('*') && "http".starts_with(scheme.trim_end_matches('*')));
    if plain && !is_loopback(&host) && (wildcard_only || !placeholder(&host)) {
        let what = if scheme == "http" { "uses plain `http://`" } else { "allows plain `http://`" };
        out.push(format!("{what} outside localhost: the authorization code or token travels unencrypted"));
    }
    out
}

/// `host:port`, `[::1]:port`, `host:*` -> the host.
fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or(authority);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit() || c == '*') => host,
        _ => authority,
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host == "127.0.0.1" || host == "[::1]"
}

/// A domain under which anyone may get a host: SAP BTP's shared domains and the configured ones.
fn is_shared(domain: &str, extra: &[String]) -> bool {
    if extra.iter().any(|d| d == domain) {
        return true;
    }
    const EXACT: &[&str] =
        &["ondemand.com", "hana.ondemand.com", "kyma.ondemand.com", "cloud.sap", "applicationstudio.cloud.sap"];
    if EXACT.contains(&domain) {
        return true;
    }
    // A region (`eu10.hana.ondemand.com`, `us10-001.hana.ondemand.com`) and its Cloud Foundry
    // domain (`cfapps.eu10.hana.ondemand.com`); a host below those belongs to one application.
    // SAP's own hosts below a region (`<subaccount>.authentication.eu10.hana.ondemand.com`) serve
    // no customer content.
    if let Some(front) = domain.strip_suffix(".hana.ondemand.com") {
        return match front.split_once('.') {
            None => true,
            Some((first, region)) => first == "cfapps" && !region.contains('.'),
        };
    }
    // Business Application Studio per region (`eu10.applicationstudio.cloud.sap`).
    if let Some(front) = domain.strip_suffix(".applicationstudio.cloud.sap") {
        return !front.contains('.');
    }
    false
}

#[cfg(test)]
mod tests {
    use super::problems;

    fn flagged(uri: &str) -> bool {
        !problems(uri, &[]).is_empty()
    }

    #[test]
    fn wildcard_hosts_on_shared_domains_and_any_host() {
        for uri in [
            "https://*/**",
            "http://*/**",
            "http://**/*",
            "https://*.hana.ondemand.com/**",
            "https://**.hana.ondemand.com/**",
            "https://*.cfapps.eu10.hana.ondemand.com/**",
            "http*://*.cfapps.*.hana.ondemand.com/**",
            "https://*.us10-001.hana.ondemand.com/login/callback",
            "https://my-web-page-*cfapps.us10-001.hana.ondemand.com/login/callback",
            "https://*.applicationstudio.cloud.sap/**",
            "https://*applicationstudio.cloud.sap/login/callback",
            "https://*.kyma.ondemand.com/**",
            "http*://*.${default-domain}/**",
            "https://*.${default-domain}/**",
        ] {
            assert!(flagged(uri), "{uri}");
        }
    }

    #[test]
    fn own_hosts_paths_localhost_and_placeholders_pass() {
        for uri in [
            "https://myapp.cfapps.eu10.hana.ondemand.com/**",
            "https://*.myapp.cfapps.eu10.hana.ondemand.com/**",
            "https://*.mydomain.com/callback/**",
            "https://*.authentication.eu10.hana.ondemand.com/**",
            "https://*.a1b2c3d4.kyma.ondemand.com/**",
            "https://**.c-13093b0.kyma.shoot.live.k8s-hana.ondemand.com/**",
            "http://localhost:*/**",
            "http://localhost:5000",
            "http://*.localhost:4004/**",
            "http://127.0.0.1:8080/cb",
            "http://[::1]:8080/cb",
            "https://*.~{app-api/app-domain}/logout/**",
            "${protocol}://*.${default-uri}/**",
            "https://*.<your domain>/**",
            "~{app-uri/url}/**",
            "https://*.{{ .Values.global.domain }}/**",
            "not a uri",
        ] {
            assert!(!flagged(uri), "{uri}: {:?}", problems(uri, &[]));
        }
    }

    #[test]
    fn plain_http_outside_localhost() {
        assert!(flagged("http://myapp.example.com/cb"));
        assert!(flagged("http*://*.saptfe-demo.com/**"));
        assert!(!flagged("https://*.saptfe-demo.com/**"));
        assert!(problems("https://*.apps.example.net/**", &["apps.example.net".into()]).len() == 1);
    }
}
