//! # XS111 credential-type-not-allowed
//!
//! ## What it does
//! Reports a binding's or service key's `credential-type` that is not in the instance's effective
//! `credential-types`, or is no credential type of xsuaa at all.
//!
//! ## Why
//! The instance's list is an allow-list: a binding that asks for another type is refused when it
//! is created, which fails the deployment. See SAP's [Binding Parameters of SAP Authorization and Trust Management Service](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/50-administration-and-ops/binding-parameters-of-sap-authorization-and-trust-management-service-3240307.md) and the
//! `credential-types` entry of the [Application Security Descriptor Configuration Syntax](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/application-security-descriptor-configuration-syntax-517895a.md).
//!
//! ## Example
//! ```yaml title="k8s/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: orders-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: orders
//!     oauth2-configuration:
//!       credential-types: [binding-secret]
//! ---
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceBinding
//! metadata:
//!   name: orders-worker-xsuaa
//! spec:
//!   serviceInstanceName: orders-xsuaa
//!   parameters:
//!     credential-type: x509
//! ```
//! Flagged: the instance allows `binding-secret` only. Fixed, `x509` allowed on the instance:
//! ```yaml title="k8s/xsuaa.yaml"
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceInstance
//! metadata:
//!   name: orders-xsuaa
//! spec:
//!   serviceOfferingName: xsuaa
//!   servicePlanName: application
//!   parameters:
//!     xsappname: orders
//!     oauth2-configuration:
//!       credential-types: [binding-secret, x509]
//! ---
//! apiVersion: services.cloud.sap.com/v1
//! kind: ServiceBinding
//! metadata:
//!   name: orders-worker-xsuaa
//! spec:
//!   serviceInstanceName: orders-xsuaa
//!   parameters:
//!     credential-type: x509
//! ```
//!
//! ## Fix
//! None: add the type to the instance first, or ask for an allowed one.

use super::{xs112_ias_credential_type::is_ias_type, Finding, FixKind, InstanceContext, Rule};
use crate::model::descriptor::{CredentialType, CredentialTypes};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "XS111",
    name: "credential-type-not-allowed",
    severity: Severity::Error,
    summary: "A binding or service key asks for a credential type the instance does not allow",
    fix: FixKind::None,
    instance_check: Some(check_instance),
    ..Rule::DEFAULT
};

fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    let allowed: Option<&[CredentialType]> = match ctx.credential_types {
        CredentialTypes::Listed { types, .. } => Some(types),
        _ => None,
    };
    for request in &ctx.instance.requests {
        let value = request.value.as_str();
        // IAS types (XS112) and the instance secret (XS110) have rules of their own; XS112 also
        // warns about `x509_attested`, which the instance must still allow.
        if is_ias_type(value) || value == CredentialType::InstanceSecret.as_str() {
            continue;
        }
        let message = match (CredentialType::parse(value), allowed) {
            (None, _) => {
                format!("{} asks for `credential-type: {value}`, which is not a credential type of xsuaa", request.what)
            }
            (Some(t), Some(types)) if !types.contains(&t) => format!(
                "{} asks for `{value}`, but instance `{}` allows only {}",
                request.what,
                ctx.instance.name,
                types.iter().map(|t| format!("`{}`", t.as_str())).collect::<Vec<_>>().join(", ")
            ),
            _ => continue,
        };
        let d = Diagnostic::new(&RULE, &ctx.set.files[request.file], request.span, request.pointer.clone(), message)
            .with_help(format!(
                "Ask for a type listed in the instance's `{}`, or add it there first and {}",
                // A reuse service's XSUAA client keeps its list nested (`Wrapper`).
                if ctx.instance.wrapper.is_some() {
                    "xs-security.oauth2-configuration.credential-types"
                } else {
                    "oauth2-configuration.credential-types"
                },
                crate::model::environment::Placement::deployed(ctx.instance.format).update_step(
                    Some(&ctx.instance.name),
                    ctx.instance.layers.iter().any(|l| l.kind == crate::model::deployment::LayerKind::DescriptorFile)
                )
            ));
        out.push(Finding { file: request.file, diagnostic: d });
    }
}
