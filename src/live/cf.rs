//! Cloud Foundry, through `cf curl` on the CF v3 API (cloudfoundry/cloud_controller_ng's API
//! docs, `docs/v3/source/includes/resources/`): the instance by name in the targeted space
//! (`GET /v3/service_instances?names=&space_guids=` with its plan and offering in `included`),
//! its credential bindings of type `app` and `key` (`GET /v3/service_credential_bindings?
//! service_instance_guids=`, paged through `pagination.next`), and each one's
//! `GET /v3/service_credential_bindings/:guid/details` for the `credential-type` XSUAA writes
//! into the credentials. The details hold the client secret too: they are parsed into a shape
//! that has no field for it, so it is dropped while parsing.

use super::{failed, LiveError, RateLimited, Reply, Session};
use crate::model::platform::{Consumer, ConsumerKind, Held, Platform, PlatformInstance};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
use serde::Deserialize;

const CF: &str = "cf";
const LOGIN: &str = "run `cf login` (or `cf login --sso`) and `cf target -o ORG -s SPACE`";
/// Bindings plus keys per instance are at most 1,000 (SAP's limits for XSUAA); a page holds up
/// to 5,000. Far more pages than that is a server that never ends its list.
const MAX_PAGES: usize = 100;

/// The guid of the space `cf target` points at.
pub(super) fn target_space(session: &Session<'_>) -> Result<String, LiveError> {
    let reply = session.call(CF, &["target".into()], None, |_| None)?;
    if !reply.ok() || reply.says("not logged in") {
        return Err(LiveError::NotLoggedIn { program: CF.into(), hint: LOGIN });
    }
    let out = String::from_utf8_lossy(&reply.stdout);
    let space = out
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("space"))
        .map(|(_, v)| v.trim().to_string())
        .filter(|s| !s.is_empty() && !s.to_ascii_lowercase().contains("no space targeted"));
    let Some(space) = space else {
        return Err(LiveError::NotLoggedIn { program: CF.into(), hint: "no space is targeted: `cf target -s SPACE`" });
    };
    let reply = session.call(CF, &["space".into(), space, "--guid".into()], None, |_| None)?;
    let guid = String::from_utf8_lossy(&reply.stdout).trim().to_string();
    if !reply.ok() || guid.is_empty() || guid.contains(char::is_whitespace) {
        return Err(LiveError::Failed(failed(CF, "the targeted space's guid", &reply)));
    }
    Ok(guid)
}

/// One `cf curl -i PATH`: the body of a 2xx answer; 429 is retried; 401 is a lost login.
fn get(session: &Session<'_>, path: &str) -> Result<Result<Vec<u8>, String>, LiveError> {
    let args = ["curl".to_string(), "-i".to_string(), path.to_string()];
    let limited = |reply: &Reply| {
        let (status, wait, _) = super::split_http(&reply.stdout);
        (status == Some(429)).then_some(RateLimited(wait))
    };
    let reply = session.call(CF, &args, None, limited)?;
    let (status, _, body) = super::split_http(&reply.stdout);
    match status {
        Some(401) => Err(LiveError::NotLoggedIn { program: CF.into(), hint: LOGIN }),
        Some(200..=299) if reply.ok() => Ok(Ok(body.to_vec())),
        Some(code) => Ok(Err(format!("`cf curl` answered HTTP {code} for {}", path.split('?').next().unwrap_or(path)))),
        None => Ok(Err(failed(CF, path.split('?').next().unwrap_or(path), &reply))),
    }
}

#[derive(Deserialize, Default)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    resources: Vec<T>,
    #[serde(default)]
    pagination: Pagination,
    #[serde(default)]
    included: Included,
}

#[derive(Deserialize, Default)]
struct Pagination {
    next: Option<Link>,
}

#[derive(Deserialize)]
struct Link {
    href: String,
}

#[derive(Deserialize, Default)]
struct Included {
    #[serde(default)]
    service_plans: Vec<Named>,
    #[serde(default)]
    service_offerings: Vec<Named>,
    #[serde(default)]
    apps: Vec<Named>,
}

#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    guid: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Binding {
    guid: String,
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    created_at: Option<String>,
    #[serde(default)]
    relationships: Relationships,
}

#[derive(Deserialize, Default)]
struct Relationships {
    app: Option<Relationship>,
}

#[derive(Deserialize)]
struct Relationship {
    data: Option<Guid>,
}

#[derive(Deserialize)]
struct Guid {
    guid: String,
}

/// What is kept of a binding's details: its credential type and the app id. The credentials'
/// other members (the client secret, keys, certificates) have no field here and are skipped.
#[derive(Deserialize)]
struct Details {
    credentials: Option<Kept>,
}

#[derive(Deserialize)]
pub(super) struct Kept {
    #[serde(rename = "credential-type")]
    pub credential_type: Option<String>,
    pub xsappname: Option<String>,
}

fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

/// The path of a `pagination.next` link (`cf curl` takes the path, not the API's URL).
fn path_of(href: &str) -> Option<&str> {
    href.find("/v3/").map(|i| &href[i..])
}

pub(super) fn read(session: &Session<'_>, space: &str, name: &str) -> Result<PlatformInstance, LiveError> {
    let mut instance = PlatformInstance::new(name, None, Platform::CloudFoundry);
    let path = format!(
        "/v3/service_instances?names={}&space_guids={}&fields[service_plan]=guid,name,relationships.service_offering&fields[service_plan.service_offering]=guid,name",
        encode(name),
        encode(space)
    );
    let body = match get(session, &path)? {
        Ok(body) => body,
        Err(note) => {
            instance.notes.push(note);
            return Ok(instance);
        }
    };
    let Ok(page) = serde_json::from_slice::<Page<Named>>(&body) else {
        instance.notes.push("`cf curl` gave an answer that is not a CF v3 list of service instances".into());
        return Ok(instance);
    };
    let Some(found) = page.resources.into_iter().find(|r| r.name == name) else { return Ok(instance) };
    instance.found = true;
    instance.plan = page.included.service_plans.first().map(|p| p.name.clone());
    instance.offering = page.included.service_offerings.first().map(|o| o.name.clone());

    let mut next = Some(format!(
        "/v3/service_credential_bindings?service_instance_guids={}&include=app&per_page=5000",
        encode(&found.guid)
    ));
    let mut pages = 0;
    while let Some(path) = next.take() {
        pages += 1;
        if pages > MAX_PAGES {
            instance.notes.push(format!("more than {MAX_PAGES} pages of bindings: the rest was not read"));
            instance.consumers.push(unread_rest());
            break;
        }
        let body = match get(session, &path)? {
            Ok(body) => body,
            Err(note) => {
                instance.notes.push(note);
                instance.consumers.push(unread_rest());
                break;
            }
        };
        let Ok(page) = serde_json::from_slice::<Page<Binding>>(&body) else {
            instance.notes.push("`cf curl` gave an answer that is not a CF v3 list of credential bindings".into());
            instance.consumers.push(unread_rest());
            break;
        };
        for binding in page.resources {
            let app_guid = binding.relationships.app.and_then(|r| r.data).map(|d| d.guid);
            let app = app_guid.map(|g| page.included.apps.iter().find(|a| a.guid == g).map_or(g, |a| a.name.clone()));
            let kind = if binding.kind == "key" { ConsumerKind::Key } else { ConsumerKind::App };
            let (held, app_id) = details(session, &binding.guid, &mut instance.notes)?;
            if instance.app_id.is_none() {
                instance.app_id = app_id;
            }
            instance.consumers.push(Consumer {
                kind,
                name: binding.name,
                app,
                created_at: binding.created_at,
                credential_type: held,
                declared: false,
            });
        }
        next = page.pagination.next.and_then(|l| path_of(&l.href).map(String::from));
    }
    Ok(instance)
}

/// A stand-in for bindings that could not be listed: its type is unknown, so removal stays unsafe.
fn unread_rest() -> Consumer {
    Consumer {
        kind: ConsumerKind::Binding,
        name: Some("(bindings not read)".into()),
        app: None,
        created_at: None,
        credential_type: Held::Unknown,
        declared: true,
    }
}

fn details(session: &Session<'_>, guid: &str, notes: &mut Vec<String>) -> Result<(Held, Option<String>), LiveError> {
    let path = format!("/v3/service_credential_bindings/{}/details", encode(guid));
    match get(session, &path)? {
        Ok(body) => match serde_json::from_slice::<Details>(&body) {
            Ok(Details { credentials: Some(kept) }) => {
                Ok((Held::parse(kept.credential_type.as_deref()), kept.xsappname))
            }
            _ => Ok((Held::Unknown, None)),
        },
        Err(note) => {
            notes.push(note);
            Ok((Held::Unknown, None))
        }
    }
}
