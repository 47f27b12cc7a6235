//! SAP Service Manager, through SAP's `btp` CLI in the subaccount it targets (SAP's "Service
//! Bindings" and "Service Instances" command pages of the btp CLI for SAP Service Manager; the
//! shapes as SAP/terraform-provider-btp reads them, `internal/btpcli/types/servicemanager`):
//! `btp --format json list services/instance` (the instance by `name`, its `id` and
//! `service_plan_id`), `btp --format json get services/plan --id` (the plan's `name`),
//! `btp --format json list services/binding` (bindings whose `service_instance_id` is the
//! instance's, with `name`, `created_at`, `bind_resource.app_guid` and `credentials`, of which
//! only `credential-type` and `xsappname` are kept: the rest is skipped while parsing).

use super::cf::Kept;
use super::{LiveError, RateLimited, Reply, Session};
use crate::model::platform::{Consumer, ConsumerKind, Held, Platform, PlatformInstance};
use serde::Deserialize;

const BTP: &str = "btp";
const LOGIN: &str = "run `btp login` (or `btp login --sso`) and `btp target --subaccount ID`";

/// SAP's Cloud Management APIs answer a rate limit with HTTP 429 and error code 11006, and send
/// no `Retry-After`.
fn limited(reply: &Reply) -> Option<RateLimited> {
    (!reply.ok() && (reply.says("11006") || reply.says("429") || reply.says("too many requests")))
        .then_some(RateLimited(None))
}

fn lost_login(reply: &Reply) -> bool {
    reply.says("not logged in")
        || reply.says("btp login")
        || reply.says("session expired")
        || reply.says("login required")
}

/// A list as the btp CLI prints it: an array, or an object holding one.
#[derive(Deserialize)]
#[serde(untagged)]
enum ListOf<T> {
    Plain(Vec<T>),
    Items { items: Vec<T> },
}

impl<T> ListOf<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            ListOf::Plain(v) | ListOf::Items { items: v } => v,
        }
    }
}

#[derive(Deserialize)]
struct Instance {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    service_plan_id: Option<String>,
}

#[derive(Deserialize)]
struct Plan {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Binding {
    #[serde(default)]
    id: String,
    name: Option<String>,
    #[serde(default)]
    service_instance_id: String,
    created_at: Option<String>,
    credentials: Option<Kept>,
    bind_resource: Option<BindResource>,
}

#[derive(Deserialize)]
struct BindResource {
    app_guid: Option<String>,
}

fn run(session: &Session<'_>, args: &[&str]) -> Result<Option<Reply>, LiveError> {
    let mut all = vec!["--format".to_string(), "json".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let reply = session.call(BTP, &all, None, limited)?;
    if !reply.ok() {
        if lost_login(&reply) {
            return Err(LiveError::NotLoggedIn { program: BTP.into(), hint: LOGIN });
        }
        return Ok(None);
    }
    Ok(Some(reply))
}

pub(super) fn read(session: &Session<'_>, name: &str) -> Result<PlatformInstance, LiveError> {
    let mut instance = PlatformInstance::new(name, None, Platform::ServiceManager);
    let Some(reply) = run(session, &["list", "services/instance"])? else {
        instance.notes.push(format!("`{BTP}` could not list the service instances of the targeted subaccount"));
        return Ok(instance);
    };
    let Ok(list) = serde_json::from_slice::<ListOf<Instance>>(&reply.stdout) else {
        instance.notes.push(format!("`{BTP}` gave an answer that is not a list of service instances"));
        return Ok(instance);
    };
    let Some(found) = list.into_vec().into_iter().find(|i| i.name == name) else { return Ok(instance) };
    instance.found = true;
    if let Some(plan) = found.service_plan_id.as_deref().filter(|p| !p.is_empty()) {
        match run(session, &["get", "services/plan", "--id", plan])? {
            Some(reply) => instance.plan = serde_json::from_slice::<Plan>(&reply.stdout).ok().and_then(|p| p.name),
            None => instance.notes.push(format!("`{BTP}` could not read the instance's plan")),
        }
    }
    let Some(reply) = run(session, &["list", "services/binding"])? else {
        instance.notes.push(format!("`{BTP}` could not list the service bindings"));
        instance.consumers.push(unread());
        return Ok(instance);
    };
    let Ok(list) = serde_json::from_slice::<ListOf<Binding>>(&reply.stdout) else {
        instance.notes.push(format!("`{BTP}` gave an answer that is not a list of service bindings"));
        instance.consumers.push(unread());
        return Ok(instance);
    };
    for binding in list.into_vec().into_iter().filter(|b| b.service_instance_id == found.id) {
        let mut kept = binding.credentials;
        // A listing without credentials: ask for the one binding.
        if kept.as_ref().is_none_or(|k| k.credential_type.is_none()) && !binding.id.is_empty() {
            if let Some(reply) = run(session, &["get", "services/binding", "--id", &binding.id])? {
                kept = serde_json::from_slice::<One>(&reply.stdout).ok().and_then(|o| o.credentials);
            }
        }
        let app = binding.bind_resource.and_then(|r| r.app_guid);
        if instance.app_id.is_none() {
            instance.app_id = kept.as_ref().and_then(|k| k.xsappname.clone());
        }
        instance.consumers.push(Consumer {
            kind: if app.is_some() { ConsumerKind::App } else { ConsumerKind::Binding },
            name: binding.name,
            app,
            created_at: binding.created_at,
            credential_type: Held::parse(kept.as_ref().and_then(|k| k.credential_type.as_deref())),
            declared: false,
        });
    }
    Ok(instance)
}

#[derive(Deserialize)]
struct One {
    credentials: Option<Kept>,
}

fn unread() -> Consumer {
    Consumer {
        kind: ConsumerKind::Binding,
        name: Some("(bindings not read)".into()),
        app: None,
        created_at: None,
        credential_type: Held::Unknown,
        declared: true,
    }
}
