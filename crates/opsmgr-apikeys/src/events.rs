//! Events of an org and of a project: `GET /orgs/{ORG-ID}/events[/{EVENT-ID}]`, `GET
//! /groups/{GROUP-ID}/events[/{EVENT-ID}]`, newest first, with the `eventType` (repeatable),
//! `minDate` and `maxDate` filters (Ops Manager API reference, "Events":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/events/>). Org events
//! need any org role, project events any project role; they come from the state document
//! (`events[]`).

use crate::alerts::{parsed, with_link};
use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::request::{self, query_values, Call};
use crate::state::EventDoc;
use crate::store;
use crate::wire::{self, Reply, BASE};
use auth_core::clock::parse_rfc3339_ms;

/// `GET /orgs/{ORG-ID}/events`.
pub(crate) async fn list_org_events(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    list(&call, true, &org.id)
}

/// `GET /orgs/{ORG-ID}/events/{EVENT-ID}`.
pub(crate) async fn get_org_event(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    one(&call, true, &org.id)
}

/// `GET /groups/{GROUP-ID}/events`.
pub(crate) async fn list_project_events(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    list(&call, false, &project.id)
}

/// `GET /groups/{GROUP-ID}/events/{EVENT-ID}`.
pub(crate) async fn get_project_event(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    one(&call, false, &project.id)
}

fn list(call: &Call, org: bool, id: &str) -> Result<Reply, OpsMgrError> {
    let paging = call.paging()?;
    let types = query_values(&call.req, "eventType");
    let bound = |name: &'static str| -> Result<Option<i64>, OpsMgrError> {
        call.query(name)
            .map(|t| parse_rfc3339_ms(&t).ok_or(OpsMgrError::InvalidQueryParameter(name)))
            .transpose()
    };
    let (min, max) = (bound("minDate")?, bound("maxDate")?);
    let mut events = events(call, org, id)?;
    events.retain(|e| {
        let at = parse_rfc3339_ms(&e.created).unwrap_or_default();
        (types.is_empty() || types.contains(&e.event_type_name))
            && min.is_none_or(|m| at >= m)
            && max.is_none_or(|m| at <= m)
    });
    let central = call.central();
    let items = events.iter().map(|e| view(&central, org, id, e)).collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

fn one(call: &Call, org: bool, id: &str) -> Result<Reply, OpsMgrError> {
    let event_id = call.segment("event_id");
    let event = events(call, org, id)?
        .into_iter()
        .find(|e| e.id == event_id)
        .ok_or_else(|| OpsMgrError::ResourceNotFound(call.req.path().to_owned()))?;
    Ok(Reply::ok(view(&call.central(), org, id, &event)))
}

/// The events of the org or project, newest first (equal times in reverse insertion order).
fn events(call: &Call, org: bool, id: &str) -> Result<Vec<EventDoc>, OpsMgrError> {
    let docs = call.inst.store.read(|c| store::events_of(c, org, id))?;
    let mut events: Vec<EventDoc> = parsed(&docs);
    events.reverse();
    events.sort_by_key(|e| std::cmp::Reverse(parse_rfc3339_ms(&e.created).unwrap_or_default()));
    Ok(events)
}

fn view(central: &str, org: bool, id: &str, e: &EventDoc) -> serde_json::Value {
    let scope = if org { "orgs" } else { "groups" };
    with_link(e, format!("{central}{BASE}/{scope}/{id}/events/{}", e.id))
}
