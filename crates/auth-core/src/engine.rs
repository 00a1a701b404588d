//! The request pipeline every product shares: pick the instance (main, tenant listener or
//! `X-Standin-Tenant` header), guard the control scope, run the product, and annotate the
//! response (`X-Standin-Reason` with `--explain`).

use crate::control;
use crate::instance::{Bound, Host, Inst};
use crate::product::{OpRoute, Product};
use crate::trace::Trace;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

/// Header that addresses a tenant on the main port.
pub const TENANT_HEADER: &str = "x-standin-tenant";
/// Response header carrying the refusal reason with `--explain`.
pub const REASON_HEADER: &str = "x-standin-reason";

/// Whether `path` belongs to the control scope.
pub fn is_control_path(path: &str) -> bool {
    path == "/_standin" || path.starts_with("/_standin/")
}

pub(crate) async fn engine<P: Product, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(host) = req.app_data::<web::Data<Host<P>>>().cloned() else {
        return Ok(req.into_response(HttpResponse::InternalServerError().finish()));
    };
    let bound = req.app_data::<Bound<P>>().and_then(|b| b.0.clone());
    let instance = match bound {
        Some(instance) => instance,
        None => match req.headers().get(TENANT_HEADER) {
            Some(id) => {
                let id = id.to_str().unwrap_or_default();
                match host.tenant(id) {
                    Some(instance) => instance,
                    None => {
                        let resp = control::error_response(control::ControlError::NotFound(
                            format!("no tenant {id:?} (header X-Standin-Tenant)"),
                        ));
                        return Ok(req.into_response(resp));
                    }
                }
            }
            None => host.main.clone(),
        },
    };
    let is_control = is_control_path(req.path());
    if is_control {
        if let Err(err) = control::gate(&host.options, req.request()) {
            return Ok(req.into_response(control::error_response(err)));
        }
    }
    req.extensions_mut().insert(instance);
    let mut res = next.call(req).await?.map_into_boxed_body();
    if !is_control && host.options.explain {
        let reason = res
            .request()
            .extensions()
            .get::<Trace>()
            .and_then(|t| t.reason.clone());
        if let Some(reason) = reason {
            let text: String = reason
                .chars()
                .map(|c| {
                    if c.is_ascii() && !c.is_ascii_control() {
                        c
                    } else {
                        '?'
                    }
                })
                .collect();
            if let Ok(value) = HeaderValue::from_str(&text) {
                res.headers_mut()
                    .insert(HeaderName::from_static(REASON_HEADER), value);
            }
        }
    }
    Ok(res)
}

/// Register the product's routes, grouped by path so each path answers unsupported methods
/// in the vendor's format.
pub(crate) fn register_routes<P: Product>(cfg: &mut web::ServiceConfig) {
    let mut groups: Vec<(&'static str, Vec<actix_web::Route>)> = Vec::new();
    for OpRoute { path, route, .. } in P::routes() {
        match groups.iter_mut().find(|(p, _)| *p == path) {
            Some((_, routes)) => routes.push(route),
            None => groups.push((path, vec![route])),
        }
    }
    for (path, routes) in groups {
        let mut resource = web::resource(path).name(path);
        for route in routes {
            resource = resource.route(route);
        }
        cfg.service(resource.default_service(web::to(method_not_allowed::<P>)));
    }
}

pub(crate) async fn not_found<P: Product>(inst: Inst<P>, req: HttpRequest) -> HttpResponse {
    P::not_found(&inst, &req)
}

async fn method_not_allowed<P: Product>(inst: Inst<P>, req: HttpRequest) -> HttpResponse {
    P::method_not_allowed(&inst, &req)
}
