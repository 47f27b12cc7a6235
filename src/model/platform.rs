//! What the platform says about an instance (read by `xsuaa-lint live`), as plain data, and the one
//! decision taken on it: may `instance-secret` be removed now? No I/O here: the facts come in,
//! the answer goes out, so the rules and the tests judge the same thing.
//!
//! Only names, ids, dates and each binding's `credential-type` are kept: the readers drop every
//! credential at parse time, so nothing here can hold a secret.

use serde::Serialize;

/// Where the facts were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Cloud Foundry's v3 API through `cf curl`.
    CloudFoundry,
    /// Kyma's `ServiceBinding`s through `kubectl`.
    Kyma,
    /// SAP Service Manager through the `btp` CLI.
    ServiceManager,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::CloudFoundry => "cloud-foundry",
            Platform::Kyma => "kyma",
            Platform::ServiceManager => "service-manager",
        }
    }
}

/// A binding's or service key's credential type, as its credentials state it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Held {
    InstanceSecret,
    BindingSecret,
    X509,
    /// Another value, as the platform wrote it.
    Other(String),
    /// Not read: the credentials carry no `credential-type`, or the call for them failed.
    Unknown,
}

impl Held {
    /// From the value of `credential-type` in a binding's credentials.
    pub fn parse(value: Option<&str>) -> Held {
        match value.map(str::trim) {
            None | Some("") => Held::Unknown,
            Some(v) if v.eq_ignore_ascii_case("instance-secret") => Held::InstanceSecret,
            Some(v) if v.eq_ignore_ascii_case("binding-secret") => Held::BindingSecret,
            Some(v) if v.eq_ignore_ascii_case("x509") => Held::X509,
            Some(v) => Held::Other(v.to_string()),
        }
    }

    pub fn describe(&self) -> &str {
        match self {
            Held::InstanceSecret => "instance-secret",
            Held::BindingSecret => "binding-secret",
            Held::X509 => "x509",
            Held::Other(v) => v,
            Held::Unknown => "unknown",
        }
    }
}

/// An app binding, a service key, or a Kubernetes `ServiceBinding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsumerKind {
    /// A Cloud Foundry app binding, or a Service Manager binding made for an app.
    App,
    /// A service key.
    Key,
    /// A Kyma `ServiceBinding` (its secret is mounted by whatever workload names it).
    ServiceBinding,
    /// A Service Manager binding that does not say what it was made for.
    Binding,
}

impl ConsumerKind {
    pub fn describe(self) -> &'static str {
        match self {
            ConsumerKind::App => "app binding",
            ConsumerKind::Key => "service key",
            ConsumerKind::ServiceBinding => "ServiceBinding",
            ConsumerKind::Binding => "binding",
        }
    }
}

/// One binding or service key on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consumer {
    pub kind: ConsumerKind,
    /// The binding's or key's name (`None`: the platform gives none, as for most CF app bindings).
    pub name: Option<String>,
    /// The app it is bound to, when the platform says (a CF app's name or guid).
    pub app: Option<String>,
    /// When it was made, as the platform writes it (ISO 8601).
    pub created_at: Option<String>,
    pub credential_type: Held,
    /// Whether a file of the repository declares it (filled in by [`PlatformInstance::mark_declared`]).
    pub declared: bool,
}

impl Consumer {
    /// `app binding of app "web" (created 2025-01-02T03:04:05Z)`, for messages.
    pub fn label(&self) -> String {
        let mut out = self.kind.describe().to_string();
        if let Some(name) = &self.name {
            out.push_str(&format!(" `{name}`"));
        }
        if let Some(app) = &self.app {
            out.push_str(&format!(" of app `{app}`"));
        }
        if let Some(at) = &self.created_at {
            out.push_str(&format!(" (created {at})"));
        }
        out
    }
}

/// `instanceSecretLastUsedAt` of SAP's Authorization API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum LastUse {
    /// Not read (no API credentials given, or the call failed).
    NotRead { reason: String },
    /// The API says the instance secret was never used (the field is absent or null).
    Never,
    /// Last used at `at` (as the API writes it, ISO 8601 or epoch), `days` whole days ago.
    At { at: String, days: u64 },
}

/// One instance as the platform knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformInstance {
    /// The name looked up (the repository's name for it, or the name the platform knows it by).
    pub name: String,
    /// A Kubernetes namespace, when the instance lives in one.
    pub namespace: Option<String>,
    pub platform: Platform,
    /// Whether the platform has an instance of that name where the client points.
    pub found: bool,
    /// The plan the platform reports, when read.
    pub plan: Option<String>,
    /// The service offering the platform reports (`xsuaa` for the instances this tool judges).
    pub offering: Option<String>,
    /// The instance's `xsappname` with its suffix (`app!t123`), from a binding's credentials:
    /// the id the Authorization API takes.
    pub app_id: Option<String>,
    pub consumers: Vec<Consumer>,
    pub last_use: LastUse,
    /// Kyma: whether the bindings' `credentialsRotationPolicy` is enabled (each `ServiceBinding`
    /// by name), so that `forceRotate` can replace them.
    pub rotation: Vec<(String, bool)>,
    /// What could not be read, for the report (never a response's text).
    pub notes: Vec<String>,
}

impl PlatformInstance {
    pub fn new(name: impl Into<String>, namespace: Option<String>, platform: Platform) -> Self {
        PlatformInstance {
            name: name.into(),
            namespace,
            platform,
            found: false,
            plan: None,
            offering: None,
            app_id: None,
            consumers: Vec::new(),
            last_use: LastUse::NotRead { reason: "not asked".into() },
            rotation: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The bindings and keys that still hold the instance secret, or whose type is not known.
    pub fn holders(&self) -> impl Iterator<Item = &Consumer> {
        self.consumers.iter().filter(|c| matches!(c.credential_type, Held::InstanceSecret | Held::Unknown))
    }

    /// Marks each consumer that the repository declares, by binding or key name, or by app name.
    pub fn mark_declared(&mut self, declared: &[String]) {
        for c in &mut self.consumers {
            c.declared = [&c.name, &c.app].into_iter().flatten().any(|n| declared.iter().any(|d| d == n));
        }
    }
}

/// Whether `instance-secret` may be removed from the instance's `credential-types` now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "removal", rename_all = "kebab-case")]
pub enum Removal {
    /// The platform shows no binding or key on the instance secret, and SAP's
    /// `instanceSecretLastUsedAt`, where read, is older than the grace period.
    Safe,
    /// What still stands in the way, one sentence each.
    Blocked { reasons: Vec<String> },
}

/// SAP's condition for step 5 of "Migrate from Instance Secrets to Binding Secrets": no binding
/// or key still holds the instance secret, and `instanceSecretLastUsedAt` shows no recent use.
/// A binding whose type could not be read counts as holding it: removal is never judged safe
/// on a guess.
pub fn removal(instance: &PlatformInstance, grace_days: u32) -> Removal {
    let mut reasons = Vec::new();
    if !instance.found {
        reasons.push(format!("the platform has no instance `{}` where the client points", instance.name));
    }
    for c in instance.holders() {
        reasons.push(match c.credential_type {
            Held::InstanceSecret => format!("{} holds the instance secret", c.label()),
            _ => format!("{}: its credential type could not be read", c.label()),
        });
    }
    if let LastUse::At { at, days } = &instance.last_use {
        if *days <= u64::from(grace_days) {
            reasons.push(format!(
                "`instanceSecretLastUsedAt` is {at} ({} ago, within the {grace_days}-day grace period)",
                if *days == 1 { "1 day".to_string() } else { format!("{days} days") }
            ));
        }
    }
    if reasons.is_empty() {
        Removal::Safe
    } else {
        Removal::Blocked { reasons }
    }
}

/// Everything a live read found, by instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LiveFacts {
    pub instances: Vec<PlatformInstance>,
    /// `[migration] grace-days` the read was judged with.
    pub grace_days: u32,
}

impl LiveFacts {
    /// The facts of the instance that a deployment file names `name` (or `service_name`), in
    /// `namespace` when it names one.
    pub fn find(&self, name: &str, service_name: Option<&str>, namespace: Option<&str>) -> Option<LiveView<'_>> {
        let wanted = service_name.unwrap_or(name);
        self.instances
            .iter()
            .find(|i| i.name == wanted && (namespace.is_none() || i.namespace.as_deref() == namespace))
            .map(|instance| LiveView { instance, grace_days: self.grace_days })
    }
}

/// One instance's facts with the grace period they are judged by.
#[derive(Debug, Clone, Copy)]
pub struct LiveView<'a> {
    pub instance: &'a PlatformInstance,
    pub grace_days: u32,
}

impl LiveView<'_> {
    pub fn removal(&self) -> Removal {
        removal(self.instance, self.grace_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumer(kind: ConsumerKind, name: &str, held: Held) -> Consumer {
        Consumer {
            kind,
            name: Some(name.into()),
            app: None,
            created_at: Some("2025-01-02T03:04:05Z".into()),
            credential_type: held,
            declared: false,
        }
    }

    fn instance(consumers: Vec<Consumer>, last_use: LastUse) -> PlatformInstance {
        PlatformInstance {
            found: true,
            consumers,
            last_use,
            ..PlatformInstance::new("uaa", None, Platform::CloudFoundry)
        }
    }

    #[test]
    fn safe_only_when_nothing_holds_the_instance_secret() {
        let rebound = instance(
            vec![consumer(ConsumerKind::App, "a", Held::BindingSecret), consumer(ConsumerKind::Key, "k", Held::X509)],
            LastUse::Never,
        );
        assert_eq!(removal(&rebound, 30), Removal::Safe);
        let one_left = instance(
            vec![
                consumer(ConsumerKind::App, "a", Held::BindingSecret),
                consumer(ConsumerKind::Key, "k", Held::InstanceSecret),
            ],
            LastUse::Never,
        );
        let Removal::Blocked { reasons } = removal(&one_left, 30) else { panic!("judged safe") };
        assert_eq!(reasons, ["service key `k` (created 2025-01-02T03:04:05Z) holds the instance secret"]);
    }

    #[test]
    fn an_unread_type_or_a_missing_instance_blocks() {
        let unread = instance(vec![consumer(ConsumerKind::App, "a", Held::Unknown)], LastUse::Never);
        assert!(matches!(removal(&unread, 30), Removal::Blocked { .. }));
        let missing = PlatformInstance::new("uaa", None, Platform::Kyma);
        assert!(matches!(removal(&missing, 30), Removal::Blocked { .. }));
    }

    #[test]
    fn recent_use_blocks_and_old_use_does_not() {
        let recent = instance(Vec::new(), LastUse::At { at: "2026-12-01".into(), days: 3 });
        assert!(matches!(removal(&recent, 30), Removal::Blocked { .. }));
        let old = instance(Vec::new(), LastUse::At { at: "2026-01-01".into(), days: 300 });
        assert_eq!(removal(&old, 30), Removal::Safe);
        // Where the API could not be asked, the bindings decide alone.
        let unread = instance(Vec::new(), LastUse::NotRead { reason: "no credentials".into() });
        assert_eq!(removal(&unread, 30), Removal::Safe);
    }

    #[test]
    fn credential_types_parse_as_xsuaa_writes_them() {
        assert_eq!(Held::parse(Some("instance-secret")), Held::InstanceSecret);
        assert_eq!(Held::parse(Some("binding-secret")), Held::BindingSecret);
        assert_eq!(Held::parse(Some("x509")), Held::X509);
        assert_eq!(Held::parse(None), Held::Unknown);
        assert_eq!(Held::parse(Some("x509_attested")), Held::Other("x509_attested".into()));
    }
}
