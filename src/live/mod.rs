//! Reading the platform, read-only, with the clients the user is already logged in with: `cf`
//! for Cloud Foundry, `kubectl` for Kyma, `btp` for SAP Service Manager, and (where the user
//! supplies API credentials through the environment) `curl` for SAP's Authorization API. The
//! tool never handles a password or a login of its own.
//!
//! Every reader keeps names, ids, dates and `credential-type` only: credentials in a response
//! are dropped while it is parsed, and no response text is ever printed, logged or written.
//! Each call has a time limit and the whole read a deadline; rate limits (HTTP 429, SAP's code
//! 11006, `Retry-After`) are retried a bounded number of times.

mod authz;
mod btp;
mod cf;
mod kyma;
pub mod process;

use crate::engine::inventory::{InstanceKind, InstanceRecord};
use crate::model::deployment::InstanceFormat;
use crate::model::platform::{LiveFacts, Platform};
use std::time::{Duration, Instant};

/// What a client answered.
#[derive(Debug, Default)]
pub struct Reply {
    /// The exit status (`None`: killed by a signal).
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Reply {
    pub fn ok(&self) -> bool {
        self.status == Some(0)
    }

    /// Whether either stream contains `needle` (ASCII case ignored): how a client's own
    /// messages are recognised, never shown.
    fn says(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        [&self.stdout, &self.stderr].iter().any(|s| String::from_utf8_lossy(s).to_ascii_lowercase().contains(&needle))
    }
}

/// Why a call did not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The program is not on `PATH`.
    Missing(String),
    /// It did not finish in time and was killed.
    TimedOut(String, Duration),
    /// Anything else, in the tool's own words.
    Failed(String),
}

/// Runs one client program. The real one is [`process::Processes`]; tests may bring their own.
pub trait Client {
    fn call(&self, program: &str, args: &[String], stdin: Option<&[u8]>, timeout: Duration)
        -> Result<Reply, CallError>;
}

/// Why the live read stopped: one clear message, exit status 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveError {
    /// The client is not installed.
    Missing { program: String, hint: &'static str },
    /// The client is installed but not logged in (or its session expired).
    NotLoggedIn { program: String, hint: &'static str },
    /// A call took longer than its limit, or the whole read passed its deadline.
    TimedOut(String),
    /// Still rate limited after the retries.
    RateLimited(String),
    /// The client failed in another way.
    Failed(String),
}

impl std::fmt::Display for LiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LiveError::Missing { program, hint } => write!(f, "`{program}` is not installed or not on PATH ({hint})"),
            LiveError::NotLoggedIn { program, hint } => write!(f, "`{program}` is not logged in: {hint}"),
            LiveError::TimedOut(what) | LiveError::RateLimited(what) | LiveError::Failed(what) => f.write_str(what),
        }
    }
}

/// Limits of one live read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest one call may take.
    pub per_call: Duration,
    /// The longest the whole read may take.
    pub total: Duration,
    /// How often a rate-limited call is tried again.
    pub retries: u32,
    /// The longest wait between two tries, whatever `Retry-After` asks.
    pub max_wait: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_call: Duration::from_secs(60),
            total: Duration::from_secs(600),
            retries: 3,
            max_wait: Duration::from_secs(30),
        }
    }
}

/// API credentials for SAP's Authorization API, from the environment (never from a file of the
/// repository): `XSUAA_LINT_AUTHZ_URL` (the `apiurl` of the credentials, as
/// `https://api.authentication.eu10.hana.ondemand.com`) and `XSUAA_LINT_AUTHZ_TOKEN` (a
/// bearer token the user fetched for them).
#[derive(Clone)]
pub struct AuthzApi {
    pub url: String,
    pub token: String,
}

impl std::fmt::Debug for AuthzApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token never reaches a log, even a debug one.
        f.debug_struct("AuthzApi").field("url", &self.url).finish_non_exhaustive()
    }
}

impl AuthzApi {
    pub fn from_env() -> Option<AuthzApi> {
        let url = std::env::var("XSUAA_LINT_AUTHZ_URL").ok().filter(|u| !u.trim().is_empty())?;
        let token = std::env::var("XSUAA_LINT_AUTHZ_TOKEN").ok().filter(|t| !t.trim().is_empty())?;
        Some(AuthzApi { url: url.trim().trim_end_matches('/').to_string(), token: token.trim().to_string() })
    }
}

/// One live read: the client, its limits and deadline.
pub struct Session<'a> {
    client: &'a dyn Client,
    limits: Limits,
    deadline: Instant,
    authz: Option<AuthzApi>,
}

/// A rate-limited answer, with the wait the server asked for.
pub(crate) struct RateLimited(pub Option<Duration>);

impl<'a> Session<'a> {
    pub fn new(client: &'a dyn Client, limits: Limits, authz: Option<AuthzApi>) -> Self {
        Session { client, limits, deadline: Instant::now() + limits.total, authz }
    }

    /// One call within the time limits, without retries.
    fn call_once(&self, program: &str, args: &[String], stdin: Option<&[u8]>) -> Result<Reply, LiveError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(LiveError::TimedOut(format!(
                "the live read passed its deadline of {} s before `{program}` could be asked",
                self.limits.total.as_secs()
            )));
        }
        self.client.call(program, args, stdin, self.limits.per_call.min(left)).map_err(|e| match e {
            CallError::Missing(program) => LiveError::Missing { hint: install_hint(&program), program },
            CallError::TimedOut(program, limit) => LiveError::TimedOut(format!(
                "`{program}` did not answer within {} s and was stopped (is it waiting for a login?)",
                limit.as_secs_f32().ceil()
            )),
            CallError::Failed(message) => LiveError::Failed(message),
        })
    }

    /// One call, tried again while `limited` says the answer is a rate limit (at most
    /// `Limits::retries` times, each wait bounded and within the deadline).
    fn call(
        &self,
        program: &str,
        args: &[String],
        stdin: Option<&[u8]>,
        limited: impl Fn(&Reply) -> Option<RateLimited>,
    ) -> Result<Reply, LiveError> {
        let mut attempt = 0;
        loop {
            let reply = self.call_once(program, args, stdin)?;
            let Some(RateLimited(asked)) = limited(&reply) else { return Ok(reply) };
            if attempt >= self.limits.retries {
                return Err(LiveError::RateLimited(format!(
                    "`{program}`: the platform still limits the rate of requests after {} retries; try again later",
                    self.limits.retries
                )));
            }
            // No `Retry-After` (SAP's Cloud Management APIs send none with code 11006): back off.
            let wait = asked.unwrap_or(Duration::from_secs(1 << attempt.min(4))).min(self.limits.max_wait);
            if Instant::now() + wait >= self.deadline {
                return Err(LiveError::TimedOut(format!(
                    "`{program}`: rate limited, and waiting {} s more would pass the live read's deadline",
                    wait.as_secs()
                )));
            }
            std::thread::sleep(wait);
            attempt += 1;
        }
    }
}

fn install_hint(program: &str) -> &'static str {
    match program {
        "cf" => "install the Cloud Foundry CLI, then `cf login`",
        "kubectl" => "install kubectl and point it at the Kyma cluster",
        "btp" => "install SAP's btp CLI, then `btp login`",
        "curl" => "install curl to read instanceSecretLastUsedAt",
        _ => "install it",
    }
}

/// Which platform an instance of the repository is read from, by the kind of file that declares
/// it; `None` for a descriptor that no deployment file names (no instance name to look up).
pub fn platform_of(record: &InstanceRecord) -> Option<Platform> {
    match record.kind {
        InstanceKind::Deployment(
            InstanceFormat::Mta | InstanceFormat::Cf | InstanceFormat::TerraformCf | InstanceFormat::Pulumi,
        ) => Some(Platform::CloudFoundry),
        InstanceKind::Deployment(InstanceFormat::Kyma) => Some(Platform::Kyma),
        InstanceKind::Deployment(InstanceFormat::Terraform) => Some(Platform::ServiceManager),
        _ => None,
    }
}

/// The name the platform knows the instance by.
pub fn platform_name(record: &InstanceRecord) -> &str {
    record.facts.service_name.as_deref().unwrap_or(&record.name)
}

/// Reads every instance of `records` that a deployment file declares, each from its platform;
/// `only` restricts the read to some platforms. Stops at the first error that makes the rest
/// meaningless (a client missing, not logged in, the deadline passed).
pub fn read(
    session: &Session<'_>,
    records: &[InstanceRecord],
    only: &[Platform],
    grace_days: u32,
) -> Result<LiveFacts, LiveError> {
    let mut facts = LiveFacts { instances: Vec::new(), grace_days };
    let mut cf_space: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    for record in records {
        let Some(platform) = platform_of(record) else { continue };
        if !only.is_empty() && !only.contains(&platform) {
            continue;
        }
        let name = platform_name(record).to_string();
        let namespace = record.facts.namespace.clone();
        if !seen.insert((platform, name.clone(), namespace.clone())) {
            continue;
        }
        let mut instance = match platform {
            Platform::CloudFoundry => {
                let space = match &cf_space {
                    Some(space) => space.clone(),
                    None => cf_space.insert(cf::target_space(session)?).clone(),
                };
                cf::read(session, &space, &name)?
            }
            Platform::Kyma => kyma::read(session, &name, namespace.as_deref())?,
            Platform::ServiceManager => btp::read(session, &name)?,
        };
        instance.last_use = authz::last_use(session, &instance);
        let declared: Vec<String> = records
            .iter()
            .filter(|r| platform_name(r) == name)
            .flat_map(|r| r.facts.bindings.iter().map(|b| b.name.clone()))
            .collect();
        instance.mark_declared(&declared);
        facts.instances.push(instance);
    }
    Ok(facts)
}

/// `cf curl -i` and `curl --include` print the status line and headers before the body: the
/// status, the `Retry-After` seconds and the body.
pub(crate) fn split_http(out: &[u8]) -> (Option<u16>, Option<Duration>, &[u8]) {
    let mut rest = out;
    let mut status = None;
    let mut retry_after = None;
    // A `100 Continue` or a proxy's `200 Connection established` comes before the real head.
    while rest.starts_with(b"HTTP/") {
        let end = find(rest, b"\r\n\r\n").map(|i| (i, 4)).or_else(|| find(rest, b"\n\n").map(|i| (i, 2)));
        let Some((at, sep)) = end else { break };
        let head = String::from_utf8_lossy(&rest[..at]);
        let mut lines = head.lines();
        status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok());
        retry_after = lines
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        rest = &rest[at + sep..];
    }
    (status, retry_after, rest)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A note for the report about a call that failed for one instance (the client's own output is
/// never repeated: it may hold what the tool must not print).
fn failed(program: &str, what: &str, reply: &Reply) -> String {
    match reply.status {
        Some(code) => format!("`{program}` could not read {what} (exit status {code})"),
        None => format!("`{program}` could not read {what} (stopped by a signal)"),
    }
}

/// Whole days from an ISO 8601 timestamp to now (`None`: not a timestamp).
pub(crate) fn days_since(at: &str) -> Option<u64> {
    let then: jiff::Timestamp = at.parse().ok()?;
    let seconds = jiff::Timestamp::now().as_second().saturating_sub(then.as_second());
    Some(u64::try_from(seconds.max(0)).unwrap_or(0) / 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_heads_are_split_from_the_body() {
        let out =
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nX: y\r\n\r\n{\"a\":1}";
        let (status, wait, body) = split_http(out);
        assert_eq!(status, Some(429));
        assert_eq!(wait, Some(Duration::from_secs(7)));
        assert_eq!(body, b"{\"a\":1}");
        let (status, wait, body) = split_http(b"{}");
        assert_eq!((status, wait, body), (None, None, &b"{}"[..]));
    }

    #[test]
    fn days_are_counted_from_timestamps_only() {
        assert!(days_since("2020-01-01T00:00:00Z").is_some_and(|d| d > 365));
        assert_eq!(days_since("yesterday"), None);
    }
}
