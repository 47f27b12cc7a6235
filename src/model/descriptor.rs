//! The descriptor model: what an `xs-security.json` says about credential types.

use crate::syntax::json::{Member, Node};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialType {
    BindingSecret,
    InstanceSecret,
    X509,
    /// `x509_attested` (`X509_ATTESTED`): a certificate attested by SAP's Zero Trust Identity
    /// Service. Not in SAP's XSUAA reference, but SAP's own samples use it with xsuaa (XS112
    /// warns about it).
    X509Attested,
}

impl CredentialType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "binding-secret" => Some(Self::BindingSecret),
            "instance-secret" => Some(Self::InstanceSecret),
            "x509" => Some(Self::X509),
            // The two spellings SAP's samples and pages use.
            "x509_attested" | "X509_ATTESTED" => Some(Self::X509Attested),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BindingSecret => "binding-secret",
            Self::InstanceSecret => "instance-secret",
            Self::X509 => "x509",
            Self::X509Attested => "x509_attested",
        }
    }
}

pub const OAUTH2_CONFIGURATION: &str = "oauth2-configuration";
pub const CREDENTIAL_TYPES: &str = "credential-types";
pub const CREDENTIAL_TYPES_POINTER: &str = "/oauth2-configuration/credential-types";

/// Where a descriptor stands in SAP's migration from instance secrets (spec section 5.1).
/// Reports name it in kebab case (`dual-instance-first`), as [`MigrationState::as_str`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationState {
    /// No `credential-types`: what the instance hands out depends on its age.
    Implicit,
    /// `["instance-secret"]`.
    InstanceOnly,
    /// `instance-secret` first, another type after it.
    DualInstanceFirst,
    /// Another type first, `instance-secret` after it: SAP's step-1 target.
    Dual,
    /// No `instance-secret`, `binding-secret` allowed.
    BindingOnly,
    /// Only `x509`.
    X509,
    /// `credential-types` is not a valid list (or the file is not JSON).
    #[default]
    Invalid,
}

/// Its name in reports (`dual-instance-first`); padding and width apply (`{state:<22}`).
impl std::fmt::Display for MigrationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl MigrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Implicit => "implicit",
            Self::InstanceOnly => "instance-only",
            Self::DualInstanceFirst => "dual-instance-first",
            Self::Dual => "dual",
            Self::BindingOnly => "binding-only",
            Self::X509 => "x509",
            Self::Invalid => "invalid",
        }
    }

    /// Bindings may still hold the instance secret: it is allowed, explicitly or (absent list) implicitly.
    pub fn allows_instance_secret(self) -> bool {
        matches!(self, Self::Implicit | Self::InstanceOnly | Self::DualInstanceFirst | Self::Dual)
    }

    /// How far along SAP's procedure the state is: 0 before step 1, 1 the dual state, 2 done;
    /// `None` for an invalid list.
    pub fn stage(self) -> Option<u8> {
        match self {
            Self::Implicit | Self::InstanceOnly | Self::DualInstanceFirst => Some(0),
            Self::Dual => Some(1),
            Self::BindingOnly | Self::X509 => Some(2),
            Self::Invalid => None,
        }
    }

    pub fn of(types: &[CredentialType]) -> Self {
        let instance = types.iter().position(|t| *t == CredentialType::InstanceSecret);
        match (instance, types.len()) {
            (_, 0) => Self::Invalid,
            (Some(_), 1) => Self::InstanceOnly,
            (Some(0), _) => Self::DualInstanceFirst,
            (Some(_), _) => Self::Dual,
            (None, _) if types.contains(&CredentialType::BindingSecret) => Self::BindingOnly,
            (None, _) => Self::X509,
        }
    }
}

/// The `credential-types` a descriptor really yields.
#[derive(Debug)]
pub enum CredentialTypes<'a> {
    /// Not set. `oauth2` is the `oauth2-configuration` member when that exists.
    Absent { oauth2: Option<&'a Member> },
    /// A valid list.
    Listed { node: &'a Node, types: Vec<CredentialType> },
    /// Set, but not a valid list (the schema reports it).
    Invalid,
}

impl<'a> CredentialTypes<'a> {
    pub fn of(root: &'a Node) -> Self {
        let Some(oauth2) = root.member(OAUTH2_CONFIGURATION) else {
            return if root.as_object().is_some() { Self::Absent { oauth2: None } } else { Self::Invalid };
        };
        if oauth2.value.as_object().is_none() {
            return Self::Invalid;
        }
        let Some(node) = oauth2.value.get(CREDENTIAL_TYPES) else {
            return Self::Absent { oauth2: Some(oauth2) };
        };
        let Some(items) = node.as_array() else { return Self::Invalid };
        let mut types = Vec::with_capacity(items.len());
        for item in items {
            match item.as_str().and_then(CredentialType::parse) {
                Some(t) if !types.contains(&t) => types.push(t),
                _ => return Self::Invalid,
            }
        }
        if types.is_empty() {
            return Self::Invalid;
        }
        Self::Listed { node, types }
    }

    /// The state a list means even when it is not valid as written (a bare string, a repeated
    /// entry, `Instance_Secret`): what a history rule must assume was deployed. `Invalid` when
    /// the list names something that is no credential type at all.
    pub fn meant(root: &'a Node) -> MigrationState {
        match Self::of(root) {
            Self::Invalid => {}
            valid => return valid.state(),
        }
        let Some(value) = root.pointer(CREDENTIAL_TYPES_POINTER) else { return MigrationState::Invalid };
        let entries: Vec<&Node> = match value.as_array() {
            Some(items) => items.iter().collect(),
            None => vec![value],
        };
        let mut types = Vec::new();
        for entry in entries {
            let Some(t) = entry.as_str().map(|s| s.trim().to_ascii_lowercase().replace('_', "-")) else {
                return MigrationState::Invalid;
            };
            match CredentialType::parse(&t) {
                Some(t) if !types.contains(&t) => types.push(t),
                Some(_) => {}
                None => return MigrationState::Invalid,
            }
        }
        MigrationState::of(&types)
    }

    pub fn state(&self) -> MigrationState {
        match self {
            Self::Absent { .. } => MigrationState::Implicit,
            Self::Listed { types, .. } => MigrationState::of(types),
            Self::Invalid => MigrationState::Invalid,
        }
    }
}

/// A descriptor as it was at the base revision.
#[derive(Debug)]
pub struct Baseline {
    /// The revision as the user named it (`HEAD`, `origin/main`, a commit).
    pub revision: String,
    /// The file's path at the base, when the file has been renamed since.
    pub renamed_from: Option<String>,
    pub root: Node,
    /// Since when the file is in the dual state, should it be now (XS103): the committed
    /// streak's first commit, or today when the base is not dual; `None` when unknown.
    pub dual_since: Option<DualSince>,
}

/// When a descriptor entered the dual state, and how long the project lets it stay there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DualSince {
    /// The calendar date (UTC) of the commit that first held the dual state in the streak that
    /// reaches the base revision, `YYYY-MM-DD`; today when the dual state is not committed yet.
    pub date: String,
    /// Whole calendar days from that date to today.
    pub days: u64,
    /// `[migration] grace-days`: how many days the dual state may last before XS103 warns.
    pub grace_days: u32,
}

impl DualSince {
    /// Still within the grace period.
    pub fn young(&self) -> bool {
        self.days <= u64::from(self.grace_days)
    }
}

impl Baseline {
    /// The migration state of `credential-types` at the base, as it was meant: a malformed
    /// `"instance-secret"` at the base still allowed the instance secret.
    pub fn migration_state(&self) -> MigrationState {
        CredentialTypes::meant(&self.root)
    }

    /// `instance-secret` was allowed at the base without the dual state around it: removing it
    /// now is the shortcut that breaks bindings (XS109).
    pub fn removal_skips_dual_state(&self) -> bool {
        let state = self.migration_state();
        state.allows_instance_secret() && state != MigrationState::Dual
    }

    /// `at HEAD`, or `at HEAD (as old/xs-security.json)` for a renamed file.
    pub fn label(&self) -> String {
        match &self.renamed_from {
            Some(old) => format!("at {} (as {old})", self.revision),
            None => format!("at {}", self.revision),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialType::*;

    #[test]
    fn states_follow_the_list() {
        assert_eq!(MigrationState::of(&[InstanceSecret]), MigrationState::InstanceOnly);
        assert_eq!(MigrationState::of(&[InstanceSecret, X509]), MigrationState::DualInstanceFirst);
        assert_eq!(MigrationState::of(&[BindingSecret, InstanceSecret]), MigrationState::Dual);
        assert_eq!(MigrationState::of(&[X509, BindingSecret]), MigrationState::BindingOnly);
        assert_eq!(MigrationState::of(&[X509]), MigrationState::X509);
        assert_eq!(MigrationState::of(&[]), MigrationState::Invalid);
    }

    #[test]
    fn reads_the_list_from_the_tree() {
        let root = crate::syntax::json::parse(
            r#"{"oauth2-configuration": {"credential-types": ["binding-secret", "instance-secret"]}}"#,
            0,
        )
        .unwrap();
        assert_eq!(CredentialTypes::of(&root).state(), MigrationState::Dual);
        let root = crate::syntax::json::parse(r#"{"oauth2-configuration": {"credential-types": "x509"}}"#, 0).unwrap();
        assert_eq!(CredentialTypes::of(&root).state(), MigrationState::Invalid);
        let root = crate::syntax::json::parse(r#"{"xsappname": "a"}"#, 0).unwrap();
        assert_eq!(CredentialTypes::of(&root).state(), MigrationState::Implicit);
    }
}
