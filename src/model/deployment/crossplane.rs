//! SAP's Crossplane provider for SAP BTP (`account.btp.sap.crossplane.io`): a `ServiceInstance`
//! with `spec.forProvider.offeringName: xsuaa` is an instance of the other environment (the
//! subaccount's Service Manager), `planName` its plan and `parameters` its whole configuration.
//! `parameterSecretRefs` merges Secrets the provider reads in the cluster: the configuration is
//! then not in the repository (XS007). A `ServiceBinding` of the same file binds the instance its
//! `spec.forProvider.serviceInstanceRef.name` names, and `spec.rotation` renews it.
//!
//! The provider's package pinned in a Crossplane `Provider` (`spec.package`) at a version that
//! drops parameter updates is XS114, where it is pinned.

use super::kubernetes::{attach_api_binding, bindings_by_instance, is_of_api, not_judged};
use super::{go_duration, str_at, Instance, InstanceFormat, InstanceSet, Layer, LayerKind};
use super::{ProblemKind, Renewal};
use crate::syntax::json::{Node, Value};

/// The provider's API group, as `apiVersion` starts.
pub(super) const API: &str = "account.btp.sap.crossplane.io/";

/// What names the provider's package (`ghcr.io/sap/crossplane-provider-btp/crossplane/provider-btp`).
pub(super) const PACKAGE: &str = "crossplane-provider-btp";

/// The file's Crossplane BTP instances and bindings (`docs` are its YAML documents), and the
/// provider's package pins.
pub(super) fn load(set: &mut InstanceSet, file: usize, docs: &[Node]) {
    let pointer_of = |i: usize| if docs.len() > 1 { format!("/{i}") } else { String::new() };
    let of_api = |doc: &Node, kind: &str| is_of_api(doc, API, kind);
    let bindings_of = bindings_by_instance(docs, API, "/spec/forProvider/serviceInstanceRef/name");
    for (i, doc) in docs.iter().enumerate() {
        pinned_provider(set, file, doc);
        if !of_api(doc, "ServiceInstance") {
            continue;
        }
        let spec = "/spec/forProvider";
        let parameters = doc.pointer(&format!("{spec}/parameters"));
        let offering = str_at(doc, &format!("{spec}/offeringName"));
        // A plan given by its ID (`servicePlanID`) names no offering: an `xsappname` says xsuaa.
        let is_xsuaa = match offering {
            Some(offering) => offering == "xsuaa",
            None => parameters.is_some_and(|p| p.get("xsappname").is_some()),
        };
        let plan_node = doc.pointer(&format!("{spec}/planName"));
        // A `reference-instance` shares an existing instance; its parameters are no descriptor.
        if !is_xsuaa || plan_node.and_then(Node::as_str) == Some("reference-instance") {
            continue;
        }
        let pointer = pointer_of(i);
        let name = str_at(doc, "/metadata/name").unwrap_or("?").to_string();
        let span = doc.pointer("/metadata/name").map_or(doc.span, |n| n.span);
        let mut instance = Instance {
            service_name: str_at(doc, &format!("{spec}/name")).filter(|n| *n != name).map(String::from),
            namespace: str_at(doc, "/metadata/namespace").map(String::from),
            plan: plan_node.and_then(|n| n.as_str().map(|p| (p.to_string(), n.span))),
            plan_pointer: format!("{pointer}{spec}/planName"),
            ..Instance::declared(name.clone(), InstanceFormat::CrossplaneBtp, file, span, pointer.clone())
        };
        match parameters {
            Some(node) if matches!(node.value, Value::Object(_)) => instance.layers.push(Layer {
                file,
                kind: LayerKind::Inline,
                pointer: format!("{pointer}{spec}/parameters"),
                node: node.clone().into(),
            }),
            None | Some(Node { value: Value::Null, .. }) => {}
            Some(node) => {
                let why = "`spec.forProvider.parameters` is not an object, which the provider cannot read";
                not_judged(set, &mut instance, file, node.span, why);
            }
        }
        let secrets = doc.pointer(&format!("{spec}/parameterSecretRefs"));
        if let Some(first) = secrets.and_then(Node::as_array).and_then(|refs| refs.first()) {
            let secret = first.get("name").and_then(Node::as_str).unwrap_or("?");
            let why = format!(
                "the provider merges Secret `{secret}` (`parameterSecretRefs`) into it in the cluster, and what the Secret holds there is not in the repository"
            );
            not_judged(set, &mut instance, file, secrets.map_or(span, |s| s.span), &why);
        }
        for &j in bindings_of.get(name.as_str()).map(Vec::as_slice).unwrap_or_default() {
            attach_api_binding(
                &mut instance,
                file,
                &docs[j],
                &pointer_of(j),
                "/spec/forProvider/parameters",
                renewal(&docs[j]),
            );
        }
        set.instances.push(instance);
    }
}

/// The provider replaces a binding every `spec.rotation.frequency` (its README's "Service
/// Binding Rotation"); without `spec.rotation` it never does.
fn renewal(binding: &Node) -> Renewal {
    match binding.pointer("/spec/rotation") {
        Some(rotation) if matches!(rotation.value, Value::Object(_)) => {
            let every = rotation.get("frequency").and_then(|n| {
                let text = n.as_str()?;
                Some((text.to_string(), go_duration(text), n.span))
            });
            Renewal::Rotated { every }
        }
        _ => Renewal::Never {
            why: "the ServiceBinding has no `spec.rotation`".into(),
            at: binding.pointer("/metadata/name").map_or(binding.span, |n| n.span),
        },
    }
}

/// The provider's versions whose `ServiceInstance` does not send changed `parameters` to SAP BTP:
/// from v1.11.0, which moved to terraform-provider-btp 1.23.1, until v1.13.2 on the v1 line and
/// v2.1.0 on the v2 line (SAP/crossplane-provider-btp#888 and #962, fixed by #963). The
/// pre-releases of v2.0.0 were built before the move.
const DROPS_UPDATES: [(&str, &str); 2] = [("1.11.0", "1.13.2"), ("2.0.0", "2.1.0")];

/// Whether `tag` (`v1.11.0`) is a version of [`DROPS_UPDATES`]; a tag that is not SemVer (`latest`,
/// a digest) is not judged.
fn drops_updates(tag: &str) -> bool {
    let Ok(version) = semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)) else { return false };
    DROPS_UPDATES.iter().any(|(from, to)| {
        let (Ok(from), Ok(to)) = (semver::Version::parse(from), semver::Version::parse(to)) else { return false };
        from <= version && version < to
    })
}

/// The tag of an OCI reference (`host/path:tag`, `host:port/path:tag@sha256:...`), when the
/// reference names the provider's package.
fn provider_tag(package: &str) -> Option<&str> {
    let reference = package.split('@').next().unwrap_or(package);
    let (path, tag) = reference.rsplit_once(':').filter(|(_, tag)| !tag.contains('/'))?;
    path.to_ascii_lowercase().contains(PACKAGE).then_some(tag)
}

/// XS114 at a Crossplane `Provider` that pins the provider at a version that drops updates.
fn pinned_provider(set: &mut InstanceSet, file: usize, doc: &Node) {
    let is_provider = doc.get("kind").and_then(Node::as_str) == Some("Provider")
        && doc.get("apiVersion").and_then(Node::as_str).is_some_and(|api| api.starts_with("pkg.crossplane.io/"));
    let Some(package) = doc.pointer("/spec/package").filter(|_| is_provider) else { return };
    let Some(tag) = package.as_str().and_then(provider_tag).filter(|tag| drops_updates(tag)) else { return };
    let message = format!(
        "SAP's Crossplane provider for SAP BTP {tag} does not send a changed `spec.forProvider.parameters` of a ServiceInstance to SAP BTP (SAP/crossplane-provider-btp#888, #962): the resource reports itself ready while the instance keeps its old configuration, so a `credential-types` changed here never reaches XSUAA"
    );
    set.problem(file, package.span, ProblemKind::DroppedUpdates, message);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_versions_that_drop_updates_are_known_by_their_tag() {
        for tag in ["v1.11.0", "v1.12.0", "v1.13.0", "v1.13.1", "v2.0.0", "2.0.3"] {
            assert!(drops_updates(tag), "{tag}");
        }
        for tag in ["v1.10.0", "v1.13.2", "v1.14.0", "v2.0.0-rc2", "v2.1.0", "latest", "v1.11"] {
            assert!(!drops_updates(tag), "{tag}");
        }
    }

    #[test]
    fn the_tag_is_read_from_the_package_reference() {
        let sap = "ghcr.io/sap/crossplane-provider-btp/crossplane/provider-btp";
        assert_eq!(provider_tag(&format!("{sap}:v1.11.0")), Some("v1.11.0"));
        assert_eq!(provider_tag(&format!("{sap}:v1.11.0@sha256:abc")), Some("v1.11.0"));
        assert_eq!(provider_tag("registry:5000/sap/crossplane-provider-btp:v1.12.0"), Some("v1.12.0"));
        assert_eq!(provider_tag(&format!("{sap}@sha256:abc")), None);
        assert_eq!(provider_tag("registry:5000/sap/crossplane-provider-btp"), None);
        assert_eq!(provider_tag("xpkg.upbound.io/crossplane-contrib/provider-kubernetes:v0.15.0"), None);
    }
}
