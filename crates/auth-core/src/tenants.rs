//! Tenants: isolated copies of a product in the same process, each with its own store,
//! clock, RNG stream and listener on an ephemeral port, also reachable on the main port with
//! `X-Standin-Tenant: <id>`. Tenant stores are always in memory.

use crate::control::{parse_body, ControlError};
use crate::env::Env;
use crate::host::{Host, Tenant};
use crate::product::Instance;
use crate::product::Product;
use crate::server::base_url;
use crate::store::Store;
use crate::tenant_runner::TenantRunner;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use std::sync::Arc;

/// How many tenants one product may have at once.
pub const MAX_TENANTS: usize = 1000;

fn describe<P: Product>(id: &str, url: &str) -> Value {
    json!({
        "id": id,
        "product": P::NAME,
        "url": url,
        "header": format!("X-Standin-Tenant: {id}"),
    })
}

/// The state a new tenant starts from: the fixtures (empty body), a snapshot
/// (`{"snapshot":"name"}`), `{"state": <document>}`, or a state document itself.
fn initial_state<P: Product>(host: &Host<P>, body: &[u8]) -> Result<Arc<Value>, ControlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(host.fixtures.clone());
    }
    let doc: Value = parse_body(body)?;
    match &doc {
        Value::Object(map) if map.len() == 1 && map.contains_key("snapshot") => {
            let name = map["snapshot"].as_str().ok_or_else(|| {
                ControlError::BadRequest("snapshot: expected a snapshot name".into())
            })?;
            crate::snapshots::get(host, name)
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("state") => {
            Ok(Arc::new(map["state"].clone()))
        }
        Value::Object(_) => Ok(Arc::new(doc)),
        _ => Err(ControlError::BadRequest(
            "expected no body, {\"snapshot\":\"name\"}, {\"state\":{...}} or a state document"
                .into(),
        )),
    }
}

pub(crate) async fn create<P: Product>(
    host: web::Data<Host<P>>,
    body: web::Bytes,
) -> Result<HttpResponse, ControlError> {
    let doc = initial_state(&host, &body)?;
    if host.tenants.lock().len() >= MAX_TENANTS {
        return Err(ControlError::BadRequest(format!(
            "at most {MAX_TENANTS} tenants at once; delete some first"
        )));
    }
    let id = host.next_tenant_id();
    let env = Env::with_journal(
        host.options.seed,
        &format!("{}/{id}", P::NAME),
        crate::journal::Journal::bounded(host.options.journal_size, host.options.journal_bytes),
    );
    let store = Store::memory(P::SCHEMA)?;
    let instance = Arc::new(Instance::<P>::new(
        Some(id.clone()),
        env,
        store,
        host.settings.clone(),
    ));
    instance.replace_state(&doc)?;
    let listener = std::net::TcpListener::bind((host.options.bind, 0))
        .map_err(|e| ControlError::Internal(format!("cannot bind a tenant listener: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ControlError::Internal(e.to_string()))?;
    let url = base_url(addr, host.tls.is_some());
    let handle = runner(&host)?
        .serve(listener, instance.clone())
        .await
        .map_err(|e| ControlError::Internal(format!("cannot start a tenant listener: {e}")))?;
    host.tenants.lock().insert(
        id.clone(),
        Tenant {
            instance,
            url: url.clone(),
            handle,
        },
    );
    Ok(HttpResponse::Created().json(describe::<P>(&id, &url)))
}

/// The runner of `host`'s tenants, started (again) if it is not running. Returns a handle
/// to it that does not hold the lock.
fn runner<P: Product>(host: &web::Data<Host<P>>) -> Result<TenantRunner<P>, ControlError> {
    let mut slot = host.tenant_runner.lock();
    if !slot.as_ref().is_some_and(TenantRunner::is_running) {
        let started = TenantRunner::start(host.clone().into_inner())
            .map_err(|e| ControlError::Internal(format!("cannot start the tenant runner: {e}")))?;
        *slot = Some(started);
    }
    slot.as_ref()
        .map(TenantRunner::handle)
        .ok_or_else(|| ControlError::Internal("the tenant runner is not running".into()))
}

pub(crate) async fn list<P: Product>(host: web::Data<Host<P>>) -> HttpResponse {
    let tenants: Vec<Value> = host
        .tenants
        .lock()
        .iter()
        .map(|(id, t)| describe::<P>(id, &t.url))
        .collect();
    HttpResponse::Ok().json(json!({ "product": P::NAME, "tenants": tenants }))
}

pub(crate) async fn get<P: Product>(
    host: web::Data<Host<P>>,
    id: web::Path<String>,
) -> Result<HttpResponse, ControlError> {
    let tenants = host.tenants.lock();
    let tenant = tenants
        .get(id.as_str())
        .ok_or_else(|| ControlError::NotFound(format!("no tenant {:?}", *id)))?;
    Ok(HttpResponse::Ok().json(describe::<P>(&id, &tenant.url)))
}

pub(crate) async fn delete<P: Product>(
    host: web::Data<Host<P>>,
    id: web::Path<String>,
) -> Result<HttpResponse, ControlError> {
    let tenant = host
        .tenants
        .lock()
        .remove(id.as_str())
        .ok_or_else(|| ControlError::NotFound(format!("no tenant {:?}", *id)))?;
    // Returns once the port is closed; a request in flight on it (this one, when it came
    // through the tenant's own listener) still finishes.
    tenant.handle.stop().await;
    Ok(HttpResponse::Ok().json(json!({ "deleted": *id, "product": P::NAME })))
}
