//! Control endpoints for seeing and bending traffic: the request journal
//! (`/_standin/requests`, `/_standin/requests/wait`), fault rules (`/_standin/faults`) and
//! rate limits (`/_standin/rate-limits`). Each acts on the addressed instance (main or
//! tenant).

use crate::control::{parse_body, ControlError};
use crate::faults::{FaultSpec, LimitSpec};
use crate::host::Inst;
use crate::journal::Filter;
use crate::product::Product;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// Longest a wait may last.
pub const MAX_WAIT_MS: u64 = 60_000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    method: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    operation: Option<String>,
    principal: Option<String>,
    since: Option<String>,
    limit: Option<usize>,
}

fn entries_json<P: Product>(inst: &Inst<P>, entries: &[crate::journal::Entry]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| e.to_json(inst.tenant.as_deref()))
        .collect()
}

pub(crate) async fn list_requests<P: Product>(
    inst: Inst<P>,
    req: HttpRequest,
) -> Result<HttpResponse, ControlError> {
    let q = web::Query::<ListQuery>::from_query(req.query_string())
        .map_err(|e| ControlError::BadRequest(format!("query: {e}")))?
        .into_inner();
    let filter = Filter {
        method: q.method,
        path: q.path,
        status: q.status,
        operation: q.operation,
        principal: q.principal,
        since: q.since,
    };
    let entries = inst
        .env
        .journal
        .select(&filter, q.limit)
        .map_err(ControlError::BadRequest)?;
    Ok(HttpResponse::Ok().json(json!({
        "count": entries.len(),
        "dropped": inst.env.journal.dropped(),
        "capacity": inst.env.journal.capacity(),
        "bytes": inst.env.journal.bytes(),
        "capacity_bytes": inst.env.journal.capacity_bytes(),
        "requests": entries_json(&inst, &entries),
    })))
}

pub(crate) async fn clear_requests<P: Product>(inst: Inst<P>) -> HttpResponse {
    inst.env.journal.clear();
    HttpResponse::Ok().json(json!({"cleared": true}))
}

#[derive(Debug, Deserialize)]
struct WaitBody {
    #[serde(flatten)]
    filter: WaitFilter,
    #[serde(default = "one")]
    count: usize,
    #[serde(default = "default_timeout")]
    timeout_ms: u64,
}

/// The filter fields of a wait (flattened; `deny_unknown_fields` does not work with flatten).
#[derive(Debug, Default, Deserialize)]
struct WaitFilter {
    method: Option<String>,
    path: Option<String>,
    status: Option<u16>,
    operation: Option<String>,
    principal: Option<String>,
    since: Option<String>,
}

fn one() -> usize {
    1
}

fn default_timeout() -> u64 {
    5_000
}

pub(crate) async fn wait_requests<P: Product>(
    inst: Inst<P>,
    body: web::Bytes,
) -> Result<HttpResponse, ControlError> {
    let raw: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        parse_body(&body)?
    };
    const KNOWN: [&str; 8] = [
        "method",
        "path",
        "status",
        "operation",
        "principal",
        "since",
        "count",
        "timeout_ms",
    ];
    if let Some(map) = raw.as_object() {
        if let Some(unknown) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(ControlError::BadRequest(format!(
                "{unknown}: unknown field"
            )));
        }
    }
    let wait: WaitBody =
        serde_json::from_value(raw).map_err(|e| ControlError::BadRequest(e.to_string()))?;
    if wait.timeout_ms > MAX_WAIT_MS {
        return Err(ControlError::BadRequest(format!(
            "timeout_ms: at most {MAX_WAIT_MS}"
        )));
    }
    if wait.count == 0 {
        return Err(ControlError::BadRequest("count: must be at least 1".into()));
    }
    let filter = Filter {
        method: wait.filter.method,
        path: wait.filter.path,
        status: wait.filter.status,
        operation: wait.filter.operation,
        principal: wait.filter.principal,
        since: wait.filter.since,
    };
    filter.validate().map_err(ControlError::BadRequest)?;
    let (entries, reached) = inst
        .env
        .journal
        .wait(&filter, wait.count, Duration::from_millis(wait.timeout_ms))
        .await
        .map_err(ControlError::BadRequest)?;
    let body = json!({
        "count": entries.len(),
        "wanted": wait.count,
        "timed_out": !reached,
        "requests": entries_json(&inst, &entries),
    });
    Ok(if reached {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::RequestTimeout().json(body)
    })
}

pub(crate) async fn list_faults<P: Product>(inst: Inst<P>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"faults": inst.env.faults.list()}))
}

pub(crate) async fn add_fault<P: Product>(
    inst: Inst<P>,
    body: web::Bytes,
) -> Result<HttpResponse, ControlError> {
    let spec: FaultSpec = parse_body(&body)?;
    spec.validate().map_err(ControlError::BadRequest)?;
    Ok(HttpResponse::Created().json(inst.env.faults.add(spec)))
}

pub(crate) async fn clear_faults<P: Product>(inst: Inst<P>) -> HttpResponse {
    inst.env.faults.clear();
    HttpResponse::Ok().json(json!({"cleared": true}))
}

pub(crate) async fn delete_fault<P: Product>(
    inst: Inst<P>,
    id: web::Path<String>,
) -> Result<HttpResponse, ControlError> {
    if inst.env.faults.remove(&id) {
        Ok(HttpResponse::Ok().json(json!({"deleted": *id})))
    } else {
        Err(ControlError::NotFound(format!("no fault rule {:?}", *id)))
    }
}

pub(crate) async fn list_limits<P: Product>(inst: Inst<P>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"rate_limits": inst.env.limits.list()}))
}

pub(crate) async fn add_limit<P: Product>(
    inst: Inst<P>,
    body: web::Bytes,
) -> Result<HttpResponse, ControlError> {
    let spec: LimitSpec = parse_body(&body)?;
    spec.validate().map_err(ControlError::BadRequest)?;
    Ok(HttpResponse::Created().json(inst.env.limits.add(spec)))
}

pub(crate) async fn clear_limits<P: Product>(inst: Inst<P>) -> HttpResponse {
    inst.env.limits.clear();
    HttpResponse::Ok().json(json!({"cleared": true}))
}

pub(crate) async fn delete_limit<P: Product>(
    inst: Inst<P>,
    id: web::Path<String>,
) -> Result<HttpResponse, ControlError> {
    if inst.env.limits.remove(&id) {
        Ok(HttpResponse::Ok().json(json!({"deleted": *id})))
    } else {
        Err(ControlError::NotFound(format!("no rate limit {:?}", *id)))
    }
}
