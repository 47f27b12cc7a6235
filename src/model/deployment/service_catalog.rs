//! Kubernetes Service Catalog (`servicecatalog.k8s.io/v1beta1`), which Kyma used before SAP's
//! BTP service operator: a `ServiceInstance` with `spec.clusterServiceClassExternalName: xsuaa`
//! (or the namespaced `serviceClassExternalName`) is a Kyma instance, its plan
//! `clusterServicePlanExternalName` (`servicePlanExternalName`), its configuration `parameters`
//! and `parametersFrom` (`secretKeyRef`), merged at the top level as the catalog does: a key
//! given twice makes it refuse the instance ("conflict: duplicate entry for parameter"), as the
//! BTP operator does. A `ServiceBinding` of the same file binds the instance that
//! `spec.instanceRef.name` names; the catalog never renews it.

use super::kubernetes::{attach_api_binding, bindings_by_instance, is_of_api, parameters_from, Sources};
use super::Renewal;
use super::{str_at, Files, Instance, InstanceFormat, InstanceSet, Layer, LayerKind};
use crate::syntax::json::{Node, Value};

/// The API group, as `apiVersion` starts.
pub(super) const API: &str = "servicecatalog.k8s.io/";

/// Where an instance names its class (the offering) and plan: cluster-wide, or in its namespace.
const CLASSES: [(&str, &str); 2] = [
    ("clusterServiceClassExternalName", "clusterServicePlanExternalName"),
    ("serviceClassExternalName", "servicePlanExternalName"),
];

/// The file's Service Catalog instances of xsuaa and their bindings (`docs` are its documents).
pub(super) fn load(set: &mut InstanceSet, file: usize, docs: &[Node], sources: &mut Sources, files: &dyn Files) {
    let pointer_of = |i: usize| if docs.len() > 1 { format!("/{i}") } else { String::new() };
    let of_api = |doc: &Node, kind: &str| is_of_api(doc, API, kind);
    let bindings_of = bindings_by_instance(docs, API, "/spec/instanceRef/name");
    for (i, doc) in docs.iter().enumerate() {
        if !of_api(doc, "ServiceInstance") {
            continue;
        }
        let Some(&(_, plan_key)) =
            CLASSES.iter().find(|(class, _)| str_at(doc, &format!("/spec/{class}")) == Some("xsuaa"))
        else {
            continue;
        };
        let pointer = pointer_of(i);
        let name = str_at(doc, "/metadata/name").unwrap_or("?").to_string();
        let span = doc.pointer("/metadata/name").map_or(doc.span, |n| n.span);
        let plan = doc.pointer(&format!("/spec/{plan_key}"));
        let mut instance = Instance {
            namespace: str_at(doc, "/metadata/namespace").map(String::from),
            plan: plan.and_then(|n| n.as_str().map(|p| (p.to_string(), n.span))),
            plan_pointer: format!("{pointer}/spec/{plan_key}"),
            ..Instance::declared(name.clone(), InstanceFormat::ServiceCatalog, file, span, pointer.clone())
        };
        if let Some(parameters) = doc.pointer("/spec/parameters").filter(|p| !matches!(p.value, Value::Null)) {
            instance.layers.push(Layer {
                file,
                kind: LayerKind::Inline,
                pointer: format!("{pointer}/spec/parameters"),
                node: parameters.clone().into(),
            });
        }
        if let Some(from) = doc.pointer("/spec/parametersFrom").and_then(Node::as_array) {
            parameters_from(set, file, docs, sources, from, files, &mut instance);
        }
        for &j in bindings_of.get(name.as_str()).map(Vec::as_slice).unwrap_or_default() {
            let renewal = Renewal::Never {
                why: "Service Catalog does not renew a ServiceBinding".into(),
                at: docs[j].pointer("/metadata/name").map_or(docs[j].span, |n| n.span),
            };
            attach_api_binding(&mut instance, file, &docs[j], &pointer_of(j), "/spec/parameters", renewal);
        }
        set.instances.push(instance);
    }
}
