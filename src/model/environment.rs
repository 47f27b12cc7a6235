//! Where an XSUAA instance runs, and so which advice fits it: instance secrets exist only in
//! Cloud Foundry (a note of SAP's "Service Instance Secrets" page from 2023-02 until its 2025-01
//! rewrite; elsewhere binding secrets were always the default), and each environment updates an
//! instance with its own
//! commands.

use crate::model::deployment::InstanceFormat;

/// The environment of a service instance. Reports name it as the configuration does
/// ([`Environment::as_str`]); the order of the variants is the order of those names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    /// Cloud Foundry: MTA deployments, `cf` commands (and a descriptor nothing deploys, unless
    /// configured otherwise).
    #[default]
    CloudFoundry,
    /// Kyma or any Kubernetes cluster with SAP's service operator (`ServiceInstance`).
    Kyma,
    /// SAP BTP's "other" environment: `btp_subaccount_service_instance`, the `btp` CLI.
    Other,
}

/// The names `environment` takes in the configuration.
pub const NAMES: [&str; 3] = ["cloud-foundry", "kyma", "other"];

impl Environment {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "cloud-foundry" => Some(Environment::CloudFoundry),
            "kyma" => Some(Environment::Kyma),
            "other" => Some(Environment::Other),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::CloudFoundry => "cloud-foundry",
            Environment::Kyma => "kyma",
            Environment::Other => "other",
        }
    }

    /// How people name it.
    pub fn label(self) -> &'static str {
        match self {
            Environment::CloudFoundry => "Cloud Foundry",
            Environment::Kyma => "Kyma",
            Environment::Other => "the other environment",
        }
    }

    /// The environment of an instance that a deployment file declares.
    pub fn of(format: InstanceFormat) -> Self {
        format.line().environment
    }

    /// Whether the instance can hold instance secrets at all.
    pub fn has_instance_secrets(self) -> bool {
        self == Environment::CloudFoundry
    }
}

/// How the environment of a descriptor or instance was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// A deployment file declares the instance.
    Deployment(InstanceFormat),
    /// `environment` or `[[environments]]` of the configuration, for a descriptor nothing deploys.
    Configured,
    /// A descriptor nothing deploys and the configuration does not place: Cloud Foundry assumed.
    #[default]
    Assumed,
}

/// An instance's environment and where that came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    pub environment: Environment,
    pub origin: Origin,
}

impl Placement {
    /// A descriptor that no deployment file names: configured, or Cloud Foundry assumed.
    pub fn standalone(configured: Option<Environment>) -> Self {
        match configured {
            Some(environment) => Placement { environment, origin: Origin::Configured },
            None => Placement { environment: Environment::CloudFoundry, origin: Origin::Assumed },
        }
    }

    pub fn deployed(format: InstanceFormat) -> Self {
        Placement { environment: Environment::of(format), origin: Origin::Deployment(format) }
    }

    /// Said in a message whose advice depends on the environment, when it was only assumed.
    pub fn assumed_note(self) -> &'static str {
        match self.origin {
            Origin::Assumed => {
                " (Cloud Foundry assumed: nothing in the repository deploys this descriptor; set `environment` in xsuaa-lint.toml)"
            }
            _ => "",
        }
    }

    /// Where `credential-types` is written, in the syntax of the file that holds (or would
    /// hold) it. `in_descriptor`: the list belongs in a descriptor file.
    pub fn list_path(self, in_descriptor: bool) -> &'static str {
        match self.origin {
            Origin::Deployment(InstanceFormat::Mta) if !in_descriptor => {
                "`oauth2-configuration.credential-types` under the resource's `parameters.config` (YAML)"
            }
            Origin::Deployment(InstanceFormat::Kyma | InstanceFormat::CfOperator | InstanceFormat::ServiceCatalog) => {
                "`oauth2-configuration.credential-types` under the ServiceInstance's `spec.parameters` (YAML)"
            }
            Origin::Deployment(InstanceFormat::CrossplaneBtp) => {
                "`oauth2-configuration.credential-types` under the ServiceInstance's `spec.forProvider.parameters` (YAML)"
            }
            Origin::Deployment(InstanceFormat::Terraform) => {
                "`oauth2-configuration.credential-types` in the `parameters` attribute of the `btp_subaccount_service_instance` (inside `jsonencode`)"
            }
            Origin::Deployment(InstanceFormat::TerraformCf) => {
                "`oauth2-configuration.credential-types` in the `parameters` attribute of the `cloudfoundry_service_instance`"
            }
            Origin::Deployment(InstanceFormat::Helm) if !in_descriptor => {
                "`oauth2-configuration.credential-types` under the instance's `parameters` in the chart's values (YAML)"
            }
            Origin::Deployment(InstanceFormat::Pulumi) if !in_descriptor => {
                "`oauth2-configuration.credential-types` in the `jsonParams` of the `cloudfoundry:ServiceInstance` resource"
            }
            Origin::Deployment(InstanceFormat::Cf | InstanceFormat::Btp) if !in_descriptor => {
                "`oauth2-configuration.credential-types` in the parameters the command or manifest passes"
            }
            _ => "`oauth2-configuration.credential-types` in the descriptor",
        }
    }

    /// The command (or action) that sends a changed configuration to the service.
    /// `in_descriptor`: the list is (or goes) in a descriptor file, not inline.
    pub fn update_step(self, instance: Option<&str>, in_descriptor: bool) -> String {
        let name = instance.unwrap_or("<instance>");
        match (self.origin, self.environment) {
            (Origin::Deployment(InstanceFormat::Mta), _) => "redeploy the MTA (`cf deploy`)".to_string(),
            (
                Origin::Deployment(
                    InstanceFormat::Kyma | InstanceFormat::CfOperator | InstanceFormat::Crossplane | InstanceFormat::CrossplaneBtp | InstanceFormat::ServiceCatalog,
                ),
                _,
            ) => "re-apply the ServiceInstance (`kubectl apply -f <file>`)".to_string(),
            (Origin::Deployment(InstanceFormat::Terraform | InstanceFormat::TerraformCf), _) => "run `terraform apply`".to_string(),
            (Origin::Deployment(InstanceFormat::Helm), _) => "upgrade the Helm release (`helm upgrade`)".to_string(),
            (Origin::Deployment(InstanceFormat::Pulumi), _) => "run `pulumi up`".to_string(),
            // The configuration is inline in the command or manifest: it is passed inline again.
            (Origin::Deployment(InstanceFormat::Cf), _) if !in_descriptor => {
                format!("update the instance with the changed JSON (`cf update-service {name} -c '{{...}}'`)")
            }
            (Origin::Deployment(InstanceFormat::Btp), _) if !in_descriptor => format!(
                "update the instance with the changed JSON (`btp update services/instance --name {name} --parameters '{{...}}'`)"
            ),
            (_, Environment::CloudFoundry) => format!("update the instance (`cf update-service {name} -c xs-security.json`)"),
            (_, Environment::Kyma) => {
                "re-apply the ServiceInstance that carries the descriptor (`kubectl apply -f <file>`)".to_string()
            }
            (_, Environment::Other) => {
                "update the instance (`terraform apply`, or `btp update services/instance` with the descriptor as its parameters)"
                    .to_string()
            }
        }
    }

    /// How an app gets a new binding, and a key is replaced, in this environment.
    /// In the words of `runbook`'s steps 3 and 4 for the tool (`src/runbook/tools.rs`).
    pub fn rebind_step(self) -> &'static str {
        match self.origin {
            Origin::Deployment(InstanceFormat::CrossplaneBtp) => {
                return "recreate every ServiceBinding (or let its `spec.rotation` replace it)";
            }
            Origin::Deployment(InstanceFormat::Mta) => {
                return "rebind every app (a redeploy does it: `cf deploy` rebinds every xsuaa-bound module, except one with `keep-existing.service-bindings`, which needs `cf bind-service`) and replace every service key (rename it, as `${timestamp}` does, or change its config and `cf deploy --delete-service-keys`)";
            }
            Origin::Deployment(InstanceFormat::Terraform | InstanceFormat::TerraformCf) => {
                return "replace every binding and service key resource (`terraform apply -replace=ADDRESS`)";
            }
            Origin::Deployment(InstanceFormat::Pulumi) => {
                return "replace every binding and service key resource (`pulumi up --replace URN`)";
            }
            Origin::Deployment(InstanceFormat::Kyma | InstanceFormat::Helm) => {
                return "rotate every ServiceBinding (`credentialsRotationPolicy.enabled: true`, then the `services.cloud.sap.com/forceRotate` annotation) or recreate it";
            }
            _ => {}
        }
        match self.environment {
            Environment::CloudFoundry => {
                "rebind every app (`cf unbind-service`, `cf bind-service`, restage) and replace every service key (`cf create-service-key`, then `cf delete-service-key`)"
            }
            Environment::Kyma => "recreate or rotate every ServiceBinding",
            Environment::Other => "replace every binding resource (`terraform apply -replace=...`)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in NAMES {
            assert_eq!(Environment::parse(name).map(Environment::as_str), Some(name));
        }
        assert_eq!(Environment::parse("cf"), None);
    }

    #[test]
    fn only_cloud_foundry_has_instance_secrets() {
        assert!(Environment::of(InstanceFormat::Mta).has_instance_secrets());
        assert!(!Environment::of(InstanceFormat::Kyma).has_instance_secrets());
        assert!(!Environment::of(InstanceFormat::Terraform).has_instance_secrets());
        assert_eq!(Placement::standalone(None).environment, Environment::CloudFoundry);
    }
}
