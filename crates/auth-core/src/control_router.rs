//! The control router: the `/_standin` scope of every listener (main port and tenant
//! ports), naming the handlers of health, readiness, reset, clock, state, snapshots, the
//! journal, faults, rate limits, tenants and the product's own control routes. Every route
//! passes through the access rule ([`crate::control::gate`], by the scope's `guard`) first.
//!
//! Import structure: this router names the handlers of [`crate::observe`],
//! [`crate::snapshots`] and [`crate::tenants`], which use only the vocabulary in
//! [`crate::control`]. One recursion is real and intended: a tenant is a mounted server, so
//! [`crate::tenants`] calls `crate::server::build_server`, which mounts this router, which
//! routes `POST /_standin/tenants` back to [`crate::tenants`].

use crate::clock::parse_rfc3339_ms;
use crate::control::{error_response, guard, parse_body, ControlError, MAX_CONTROL_BODY, VERSION};
use crate::host::{Host, Inst};
use crate::product::Product;
use actix_web::dev::Handler;
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, Responder};
use serde::Deserialize;
use serde_json::json;
use std::time::Instant;

/// One shared control route: method, path under `/_standin` and handler. The scope and the
/// OpenAPI document ([`crate::openapi`]) are both built from [`routes`], so they cannot drift.
pub struct ControlRoute {
    /// HTTP method.
    pub method: Method,
    /// actix path pattern under `/_standin`, e.g. `/snapshots/{name}`.
    pub path: &'static str,
    /// The handler.
    pub route: actix_web::Route,
}

fn route<F, Args>(method: Method, path: &'static str, handler: F) -> ControlRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    ControlRoute {
        route: web::method(method.clone()).to(handler),
        method,
        path,
    }
}

/// Every shared control route of product `P`, in mounting order.
pub fn routes<P: Product>() -> Vec<ControlRoute> {
    use crate::{observe, snapshots, tenants};
    use Method as M;
    vec![
        route(M::GET, "/health", health::<P>),
        route(M::GET, "/ready", ready::<P>),
        route(M::POST, "/reset", reset::<P>),
        route(M::GET, "/clock", get_clock::<P>),
        route(M::POST, "/clock", set_clock::<P>),
        route(M::GET, "/state", get_state::<P>),
        route(M::PUT, "/state", put_state::<P>),
        route(M::GET, "/snapshots", snapshots::list::<P>),
        route(M::POST, "/snapshots/{name}", snapshots::save::<P>),
        route(M::DELETE, "/snapshots/{name}", snapshots::delete::<P>),
        route(
            M::POST,
            "/snapshots/{name}/restore",
            snapshots::restore::<P>,
        ),
        route(M::GET, "/requests", observe::list_requests::<P>),
        route(M::DELETE, "/requests", observe::clear_requests::<P>),
        route(M::POST, "/requests/wait", observe::wait_requests::<P>),
        route(M::GET, "/faults", observe::list_faults::<P>),
        route(M::POST, "/faults", observe::add_fault::<P>),
        route(M::DELETE, "/faults", observe::clear_faults::<P>),
        route(M::DELETE, "/faults/{id}", observe::delete_fault::<P>),
        route(M::GET, "/rate-limits", observe::list_limits::<P>),
        route(M::POST, "/rate-limits", observe::add_limit::<P>),
        route(M::DELETE, "/rate-limits", observe::clear_limits::<P>),
        route(M::DELETE, "/rate-limits/{id}", observe::delete_limit::<P>),
        route(M::GET, "/tenants", tenants::list::<P>),
        route(M::POST, "/tenants", tenants::create::<P>),
        route(M::GET, "/tenants/{id}", tenants::get::<P>),
        route(M::DELETE, "/tenants/{id}", tenants::delete::<P>),
        route(M::GET, "/openapi.json", openapi::<P>),
        route(M::GET, "/ui", crate::ui::page),
    ]
}

/// The `/_standin` scope for product `P`.
pub(crate) fn scope<P: Product>() -> impl actix_web::dev::HttpServiceFactory {
    let mut scope = web::scope("/_standin").app_data(web::PayloadConfig::new(MAX_CONTROL_BODY));
    for ControlRoute { path, route, .. } in routes::<P>() {
        scope = scope.route(path, route);
    }
    // An unknown path or method under `/_standin/<NAME>/` answers as the control API does,
    // not with the vendor's 404.
    let mut product =
        web::scope(&format!("/{}", P::NAME)).default_service(web::to(control_not_found));
    for op in P::control_routes() {
        product = product.route(op.path, op.route);
    }
    scope
        .service(product)
        .default_service(web::to(control_not_found))
        // The access rule, on everything the router sends into this scope.
        .wrap(from_fn(guard::<P, _>))
}

async fn control_not_found(req: HttpRequest) -> HttpResponse {
    error_response(ControlError::NotFound(format!(
        "no control endpoint {} {}",
        req.method(),
        req.path()
    )))
}

/// `GET /_standin/openapi.json`: [`crate::openapi::build`] over this router's own routes.
async fn openapi<P: Product>() -> HttpResponse {
    let routes = routes::<P>();
    let pairs = routes.iter().map(|r| (r.method.as_str(), r.path));
    let mut doc = crate::openapi::build(P::TITLE, pairs);
    crate::openapi::add_product_routes(&mut doc, P::NAME, &P::control_routes());
    HttpResponse::Ok().json(doc)
}

async fn health<P: Product>(inst: Inst<P>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": "ok",
        "product": P::NAME,
        "title": P::TITLE,
        "version": VERSION,
        "tenant": inst.tenant,
    }))
}

async fn ready<P: Product>(inst: Inst<P>) -> HttpResponse {
    // An instance exists only once its fixtures are loaded, so reaching it means ready.
    HttpResponse::Ok().json(json!({"ready": true, "product": P::NAME, "tenant": inst.tenant}))
}

async fn reset<P: Product>(
    inst: Inst<P>,
    host: web::Data<Host<P>>,
) -> Result<HttpResponse, ControlError> {
    let started = Instant::now();
    host.reset(&inst)?;
    Ok(HttpResponse::Ok().json(json!({
        "reset": true,
        "product": P::NAME,
        "tenant": inst.tenant,
        "elapsed_us": started.elapsed().as_micros() as u64,
    })))
}

async fn get_clock<P: Product>(inst: Inst<P>) -> HttpResponse {
    HttpResponse::Ok().json(inst.env.clock.state())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockCommand {
    freeze: Option<bool>,
    advance_secs: Option<i64>,
    advance_ms: Option<i64>,
    set: Option<String>,
}

async fn set_clock<P: Product>(
    inst: Inst<P>,
    body: web::Bytes,
) -> Result<HttpResponse, ControlError> {
    let cmd: ClockCommand = parse_body(&body)?;
    if cmd.freeze.is_none()
        && cmd.advance_secs.is_none()
        && cmd.advance_ms.is_none()
        && cmd.set.is_none()
    {
        return Err(ControlError::BadRequest(
            "expected one of \"freeze\", \"advance_secs\", \"advance_ms\" or \"set\"".into(),
        ));
    }
    let set_ms = match &cmd.set {
        Some(text) => Some(parse_rfc3339_ms(text).ok_or_else(|| {
            ControlError::BadRequest(format!(
                "set: {text:?} is not an RFC 3339 date-time such as 2027-01-01T00:00:00Z"
            ))
        })?),
        None => None,
    };
    let advance_ms = cmd
        .advance_secs
        .unwrap_or(0)
        .checked_mul(1000)
        .and_then(|ms| ms.checked_add(cmd.advance_ms.unwrap_or(0)))
        .ok_or_else(|| ControlError::BadRequest("advance is out of range".into()))?;
    let clock = &inst.env.clock;
    if let Some(at) = set_ms {
        clock.set_ms(at);
    }
    if advance_ms != 0 {
        clock.advance_ms(advance_ms);
    }
    match cmd.freeze {
        Some(true) => clock.freeze(),
        Some(false) => clock.unfreeze(),
        None => {}
    }
    Ok(HttpResponse::Ok().json(clock.state()))
}

async fn get_state<P: Product>(inst: Inst<P>) -> Result<HttpResponse, ControlError> {
    Ok(HttpResponse::Ok().json(inst.export_state()?))
}

async fn put_state<P: Product>(
    inst: Inst<P>,
    body: web::Bytes,
) -> Result<HttpResponse, ControlError> {
    // Straight into the product's typed records; a document that does not deserialise that
    // way is read again as a `Value` for the same error as before, naming the field.
    if !inst.replace_state_json(&body)? {
        let doc: serde_json::Value = parse_body(&body)?;
        inst.replace_state(&doc)?;
    }
    Ok(HttpResponse::Ok()
        .json(json!({"replaced": true, "product": P::NAME, "tenant": inst.tenant})))
}
