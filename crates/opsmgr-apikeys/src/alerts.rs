//! Alerts and alert configurations of a project: `GET /groups/{GROUP-ID}/alerts` (with the
//! `status` filter), one alert, acknowledging it (`PATCH`), `GET .../alertConfigs`, one
//! configuration and its open alerts (Ops Manager API reference, "Alerts" and "Alert
//! Configurations": <https://www.mongodb.com/docs/ops-manager/current/reference/api/alerts/>,
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/alert-configurations/>).
//! The alerts come from the state document (`alertConfigs[]`, `alerts[]`).

use crate::auth::{Caller, Principal};
use crate::error::OpsMgrError;
use crate::request::{self, Body, Call};
use crate::state::{AlertConfigDoc, AlertDoc, ALERT_STATUSES};
use crate::store::{self, ProjectRow};
use crate::wire::{self, Reply, BASE};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `GET /groups/{GROUP-ID}/alerts`: `status` is `OPEN`, `CLOSED`, `TRACKING` or
/// `CANCELLED`.
pub(crate) async fn list_alerts(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let status = call.query("status");
    if let Some(s) = &status {
        if !ALERT_STATUSES.contains(&s.as_str()) {
            return Err(OpsMgrError::InvalidQueryParameter("status"));
        }
    }
    let docs = call
        .inst
        .store
        .read(|c| store::alerts_of(c, &project.id, status.as_deref()))?;
    let central = call.central();
    let items = parsed::<AlertDoc>(&docs)
        .iter()
        .map(|a| alert_view(&central, a))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}/alerts/{ALERT-ID}`.
pub(crate) async fn get_alert(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let alert = find_alert(&call, &project)?;
    Ok(Reply::ok(alert_view(&call.central(), &alert)))
}

/// `PATCH /groups/{GROUP-ID}/alerts/{ALERT-ID}`: `{"acknowledgedUntil", "acknowledgementComment"}`;
/// `GROUP_OWNER`, `GROUP_MONITORING_ADMIN` (or `ORG_OWNER`); 200 with the alert, which
/// records who acknowledged it.
pub(crate) async fn acknowledge_alert(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let allowed = caller.is_org_owner(&project.org_id)
        || caller.roles().iter().any(|r| {
            r.group_id.as_deref() == Some(project.id.as_str())
                && matches!(r.name.as_str(), "GROUP_OWNER" | "GROUP_MONITORING_ADMIN")
        });
    if !allowed {
        return Err(OpsMgrError::UserUnauthorized);
    }
    let map = request::object(&payload, &["acknowledgedUntil", "acknowledgementComment"])?;
    let until = request::opt_string(&map, "acknowledgedUntil")?
        .ok_or(OpsMgrError::MissingAttribute("acknowledgedUntil"))?;
    let until_ms = auth_core::clock::parse_rfc3339_ms(&until)
        .ok_or(OpsMgrError::InvalidAttribute("acknowledgedUntil".into()))?;
    let comment = request::opt_string(&map, "acknowledgementComment")?;
    if comment.as_ref().is_some_and(|c| c.chars().count() > 200) {
        return Err(OpsMgrError::InvalidAttribute(
            "acknowledgementComment".into(),
        ));
    }
    let mut alert = find_alert(&call, &project)?;
    let now_ms = call.inst.env.clock.now_ms();
    alert.acknowledged_until = Some(auth_core::clock::rfc3339_ms(until_ms));
    alert.acknowledgement_comment = comment;
    alert.acknowledging_username = Some(match caller.principal() {
        Principal::Key(k) | Principal::GlobalKey(k) => k.public_key.clone(),
        Principal::User(u) => call
            .inst
            .store
            .read(|c| store::profile_by_id(c, &u.id))?
            .map(|p| p.username)
            .unwrap_or_default(),
    });
    alert.updated = auth_core::clock::rfc3339_ms(now_ms - now_ms.rem_euclid(1000));
    let text = serde_json::to_string(&alert).map_err(|_| OpsMgrError::InvalidJson)?;
    call.inst
        .store
        .write(|tx| store::update_alert(tx, &alert.id, &text))?;
    Ok(Reply::ok(alert_view(&call.central(), &alert)))
}

/// `GET /groups/{GROUP-ID}/alertConfigs`.
pub(crate) async fn list_alert_configs(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let docs = call
        .inst
        .store
        .read(|c| store::alert_configs_of(c, &project.id))?;
    let central = call.central();
    let items = parsed::<AlertConfigDoc>(&docs)
        .iter()
        .map(|c| config_view(&central, c))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}/alertConfigs/{ALERT-CONFIG-ID}`.
pub(crate) async fn get_alert_config(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let config = find_config(&call, &project)?;
    Ok(Reply::ok(config_view(&call.central(), &config)))
}

/// `GET /groups/{GROUP-ID}/alertConfigs/{ALERT-CONFIG-ID}/alerts`: its open alerts.
pub(crate) async fn list_config_alerts(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let config = find_config(&call, &project)?;
    let paging = call.paging()?;
    let docs = call
        .inst
        .store
        .read(|c| store::open_alerts_of_config(c, &config.id))?;
    let central = call.central();
    let items = parsed::<AlertDoc>(&docs)
        .iter()
        .map(|a| alert_view(&central, a))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

fn find_alert(call: &Call, project: &ProjectRow) -> Result<AlertDoc, OpsMgrError> {
    let id = call.segment("alert_id");
    let docs = call
        .inst
        .store
        .read(|c| store::alerts_of(c, &project.id, None))?;
    parsed::<AlertDoc>(&docs)
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| OpsMgrError::ResourceNotFound(call.req.path().to_owned()))
}

fn find_config(call: &Call, project: &ProjectRow) -> Result<AlertConfigDoc, OpsMgrError> {
    let id = call.segment("config_id");
    let docs = call
        .inst
        .store
        .read(|c| store::alert_configs_of(c, &project.id))?;
    parsed::<AlertConfigDoc>(&docs)
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| OpsMgrError::ResourceNotFound(call.req.path().to_owned()))
}

/// Documents the store holds (written by this crate, so they parse).
pub(crate) fn parsed<T: DeserializeOwned>(docs: &[String]) -> Vec<T> {
    docs.iter()
        .filter_map(|d| serde_json::from_str(d).ok())
        .collect()
}

/// A stored document with its `self` link.
pub(crate) fn with_link(doc: &impl serde::Serialize, href: String) -> Value {
    let mut value = serde_json::to_value(doc).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("links".into(), Value::Array(vec![wire::self_link(href)]));
    }
    value
}

fn alert_view(central: &str, a: &AlertDoc) -> Value {
    with_link(
        a,
        format!("{central}{BASE}/groups/{}/alerts/{}", a.group_id, a.id),
    )
}

fn config_view(central: &str, c: &AlertConfigDoc) -> Value {
    with_link(
        c,
        format!(
            "{central}{BASE}/groups/{}/alertConfigs/{}",
            c.group_id, c.id
        ),
    )
}
