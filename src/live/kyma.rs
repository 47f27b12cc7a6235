//! Kyma, through `kubectl` and the SAP BTP service operator's resources (SAP/sap-btp-service-operator,
//! `config/crd/bases/services.cloud.sap.com_serviceinstances.yaml` and `_servicebindings.yaml`):
//! the `ServiceInstance` by name (`spec.serviceOfferingName`, `spec.servicePlanName`,
//! `spec.externalName`), the `ServiceBinding`s whose `spec.serviceInstanceName` names it (their
//! `spec.secretName`, `spec.credentialsRotationPolicy.enabled`, `metadata.creationTimestamp`),
//! and from each binding's secret only `data.credential-type` and `data.xsappname`, asked for
//! with a JSONPath so that no other key of the secret leaves `kubectl`.

use super::{LiveError, RateLimited, Reply, Session};
use crate::model::platform::{Consumer, ConsumerKind, Held, Platform, PlatformInstance};
use base64::Engine;
use serde::Deserialize;

const KUBECTL: &str = "kubectl";
const LOGIN: &str =
    "point kubectl at the Kyma cluster (`kubectl config use-context`, a fresh kubeconfig or `kubectl oidc-login`)";

fn limited(reply: &Reply) -> Option<RateLimited> {
    (!reply.ok() && (reply.says("TooManyRequests") || reply.says("(429)"))).then_some(RateLimited(None))
}

fn lost_login(reply: &Reply) -> bool {
    reply.says("Unauthorized")
        || reply.says("must be logged in")
        || reply.says("provide credentials")
        || reply.says("connection to the server")
        || reply.says("no configuration has been provided")
}

fn with_namespace(mut args: Vec<String>, namespace: Option<&str>) -> Vec<String> {
    if let Some(ns) = namespace {
        args.push("--namespace".into());
        args.push(ns.into());
    }
    args
}

#[derive(Deserialize)]
struct Object<S> {
    #[serde(default)]
    metadata: Metadata,
    spec: Option<S>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    name: String,
    #[serde(rename = "creationTimestamp")]
    creation_timestamp: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct InstanceSpec {
    service_offering_name: Option<String>,
    service_plan_name: Option<String>,
    external_name: Option<String>,
}

#[derive(Deserialize)]
struct List<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct BindingSpec {
    #[serde(default)]
    service_instance_name: String,
    secret_name: Option<String>,
    credentials_rotation_policy: Option<Rotation>,
}

#[derive(Deserialize)]
struct Rotation {
    #[serde(default)]
    enabled: bool,
}

pub(super) fn read(session: &Session<'_>, name: &str, namespace: Option<&str>) -> Result<PlatformInstance, LiveError> {
    let mut instance = PlatformInstance::new(name, namespace.map(String::from), Platform::Kyma);
    let args = with_namespace(
        vec![
            "get".into(),
            "serviceinstances.services.cloud.sap.com".into(),
            name.into(),
            "--output".into(),
            "json".into(),
        ],
        namespace,
    );
    let reply = session.call(KUBECTL, &args, None, limited)?;
    if !reply.ok() {
        if lost_login(&reply) {
            return Err(LiveError::NotLoggedIn { program: KUBECTL.into(), hint: LOGIN });
        }
        if reply.says("(NotFound)") {
            return Ok(instance);
        }
        instance.notes.push(super::failed(KUBECTL, "the ServiceInstance", &reply));
        return Ok(instance);
    }
    let Ok(object) = serde_json::from_slice::<Object<InstanceSpec>>(&reply.stdout) else {
        instance.notes.push("`kubectl` gave an answer that is not a ServiceInstance".into());
        return Ok(instance);
    };
    instance.found = true;
    let spec = object.spec.unwrap_or_default();
    instance.plan = spec.service_plan_name;
    instance.offering = spec.service_offering_name;
    if let Some(external) = spec.external_name.filter(|e| *e != object.metadata.name) {
        instance.notes.push(format!("BTP knows the instance as `{external}` (spec.externalName)"));
    }

    let args = with_namespace(
        vec!["get".into(), "servicebindings.services.cloud.sap.com".into(), "--output".into(), "json".into()],
        namespace,
    );
    let reply = session.call(KUBECTL, &args, None, limited)?;
    let bindings = match serde_json::from_slice::<List<Object<BindingSpec>>>(&reply.stdout) {
        Ok(list) if reply.ok() => list.items,
        _ => {
            instance.notes.push(super::failed(KUBECTL, "the ServiceBindings", &reply));
            return Ok(instance);
        }
    };
    for binding in bindings {
        let spec = binding.spec.unwrap_or_default();
        if spec.service_instance_name != name {
            continue;
        }
        let secret = spec.secret_name.clone().unwrap_or_else(|| binding.metadata.name.clone());
        let (held, app_id) = secret_type(session, &secret, namespace, &mut instance.notes)?;
        if instance.app_id.is_none() {
            instance.app_id = app_id;
        }
        let rotation = spec.credentials_rotation_policy.is_some_and(|r| r.enabled);
        instance.rotation.push((binding.metadata.name.clone(), rotation));
        instance.consumers.push(Consumer {
            kind: ConsumerKind::ServiceBinding,
            name: Some(binding.metadata.name),
            app: None,
            created_at: binding.metadata.creation_timestamp,
            credential_type: held,
            declared: false,
        });
    }
    Ok(instance)
}

/// `credential-type` and `xsappname` of a binding's secret, and nothing else of it.
fn secret_type(
    session: &Session<'_>,
    secret: &str,
    namespace: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<(Held, Option<String>), LiveError> {
    let args = with_namespace(
        vec![
            "get".into(),
            "secret".into(),
            secret.into(),
            "--output".into(),
            // Base64 has no spaces: one space parts the two values.
            "jsonpath={.data.credential-type}{\" \"}{.data.xsappname}".into(),
        ],
        namespace,
    );
    let reply = session.call(KUBECTL, &args, None, limited)?;
    if !reply.ok() {
        notes.push(super::failed(KUBECTL, &format!("the secret `{secret}`"), &reply));
        return Ok((Held::Unknown, None));
    }
    let out = String::from_utf8_lossy(&reply.stdout);
    let mut parts = out.trim_end_matches(['\n', '\r']).splitn(2, ' ');
    let decode = |v: Option<&str>| {
        v.filter(|v| !v.is_empty())
            .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v.trim()).ok())
            .and_then(|b| String::from_utf8(b).ok())
    };
    let held = Held::parse(decode(parts.next()).as_deref());
    let app_id = decode(parts.next());
    if held == Held::Unknown {
        notes.push(format!(
            "the secret `{secret}` has no `credential-type` key (written with secretKey or secretRootKey?): its type is not known"
        ));
    }
    Ok((held, app_id))
}
