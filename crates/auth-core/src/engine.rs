//! The request pipeline every product shares:
//! 1. pick the instance (main, a tenant's own listener, or `X-Standin-Tenant` on the main port);
//! 2. leave the control scope to its own gate ([`crate::control::gate`], applied on the `/_standin`
//!    scope where the router matches it), and refuse spellings that only normalise to it
//!    (`//_standin`, `/./_standin`, `/_standin%2F...`) after the same gate, so no product
//!    route or default service ever answers them;
//! 3. apply rate limits and fault rules (only evaluated when some are set);
//! 4. run the product;
//! 5. record the request in the instance's journal and, with `--explain`, add
//!    `X-Standin-Reason` to refusals.

use crate::control;
use crate::faults::{Action, RequestFacts};
use crate::host::{Bound, Host, Inst};
use crate::journal::Entry;
use crate::product::Instance;
use crate::product::{OpRoute, Product};
use crate::trace::Trace;
use actix_web::body::{BoxBody, MessageBody, SizedStream};
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use std::sync::Arc;
use std::time::Instant;

/// Header that addresses a tenant on the main port.
pub const TENANT_HEADER: &str = "x-standin-tenant";
/// Response header carrying the refusal reason with `--explain`.
pub const REASON_HEADER: &str = "x-standin-reason";

pub use crate::control::is_control_path;

/// A duplicate of the connection's socket, kept so a `reset` fault can drop it.
#[cfg(unix)]
struct ConnSocket(Arc<std::os::fd::OwnedFd>);

/// `on_connect` hook: remember the socket of each new connection (plain or TLS).
pub(crate) fn remember_socket(conn: &dyn std::any::Any, ext: &mut Extensions) {
    #[cfg(unix)]
    {
        use actix_web::rt::net::TcpStream;
        use std::os::fd::AsFd;
        let fd = if let Some(tcp) = conn.downcast_ref::<TcpStream>() {
            tcp.as_fd().try_clone_to_owned().ok()
        } else if let Some(tls) =
            conn.downcast_ref::<actix_tls::accept::rustls_0_23::TlsStream<TcpStream>>()
        {
            tls.get_ref().0.as_fd().try_clone_to_owned().ok()
        } else {
            None
        };
        if let Some(fd) = fd {
            ext.insert(ConnSocket(Arc::new(fd)));
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (conn, ext);
    }
}

/// Drop the request's connection with a TCP reset.
fn drop_connection(req: &HttpRequest) {
    #[cfg(unix)]
    if let Some(sock) = req.conn_data::<ConnSocket>() {
        let sock = socket2::SockRef::from(&*sock.0);
        let _ = sock.set_linger(Some(std::time::Duration::ZERO));
        let _ = sock.shutdown(std::net::Shutdown::Both);
    }
    #[cfg(not(unix))]
    let _ = req;
}

fn reason_header(reason: &str) -> Option<HeaderValue> {
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
    HeaderValue::from_str(&text).ok()
}

/// What the journal and the request log need from the request, taken (and redacted) before
/// the product consumes it.
struct Arrival {
    entry_head: Option<Entry>,
    /// The secret values redaction removed, to scrub from the reason.
    seen: Vec<String>,
    /// Whether the `standin::request` event is wanted.
    log: bool,
}

/// The tracing target of the one event per request.
pub const REQUEST_TARGET: &str = "standin::request";

/// A redacted copy of `headers` that owns its bytes. Parsed header values are slices of the
/// connection's read buffer; cloning them would keep that whole buffer (kilobytes) alive per
/// journal entry.
fn redacted_headers(
    secrets: &crate::redact::Secrets,
    headers: &actix_web::http::header::HeaderMap,
    seen: &mut Vec<String>,
) -> actix_web::http::header::HeaderMap {
    let mut owned = actix_web::http::header::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers.iter() {
        let value = if crate::redact::is_secret_header(secrets, name.as_str()) {
            let text = String::from_utf8_lossy(value.as_bytes());
            HeaderValue::from_str(&crate::redact::header_value_collect(
                secrets,
                name.as_str(),
                &text,
                seen,
            ))
        } else {
            HeaderValue::from_bytes(value.as_bytes())
        };
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_str().as_bytes()), value) {
            owned.append(name, value);
        }
    }
    owned
}

fn arrival<P: Product>(instance: &Instance<P>, req: &ServiceRequest) -> Arrival {
    let log = tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO);
    let mut seen = Vec::new();
    let entry_head = (instance.env.journal.capacity() > 0 || log).then(|| Entry {
        seq: 0,
        time_ms: instance.env.clock.now_ms(),
        method: req.method().clone(),
        path: crate::redact::path_collect(&P::SECRETS, req.path(), &mut seen),
        query: crate::redact::query_collect(&P::SECRETS, req.query_string(), &mut seen),
        headers: redacted_headers(&P::SECRETS, req.headers(), &mut seen),
        status: 0,
        latency_us: 0,
        principal: None,
        operation: None,
        reason: None,
        client: req.peer_addr().map(|a| a.ip()),
    });
    Arrival {
        entry_head,
        seen,
        log,
    }
}

fn record<P: Product>(
    instance: &Instance<P>,
    arrival: Arrival,
    started: Instant,
    status: u16,
    operation: Option<&'static str>,
    trace: Trace,
) {
    if let Some(mut entry) = arrival.entry_head {
        entry.status = status;
        entry.latency_us = started.elapsed().as_micros() as u64;
        entry.operation = operation;
        entry.principal = trace.principal;
        entry.reason = trace
            .reason
            .map(|r| crate::redact::scrub(&r, &arrival.seen));
        if arrival.log {
            tracing::info!(
                target: REQUEST_TARGET,
                product = P::NAME,
                tenant = instance.tenant.as_deref().unwrap_or("-"),
                method = entry.method.as_str(),
                path = entry.path.as_str(),
                status,
                latency_ms = entry.latency_us as f64 / 1000.0,
                operation = entry.operation.unwrap_or("-"),
                principal = entry.principal.as_deref().unwrap_or("-"),
                reason = entry.reason.as_deref().unwrap_or("-"),
                "request"
            );
        }
        if instance.env.journal.capacity() > 0 {
            instance.env.journal.push(entry);
        }
    }
}

pub(crate) async fn engine<P: Product, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(host) = req.app_data::<web::Data<Host<P>>>().cloned() else {
        return Ok(req.into_response(HttpResponse::InternalServerError().finish()));
    };
    let control_spelling = control::is_control_spelling(req.path());
    // What the router matches is the path with %XX decoded (except %2F, %25, %2B): spellings
    // it sends into the `/_standin` scope meet the scope's own gate; the others that still
    // normalise to the control scope are refused here, after the same gate.
    if control_spelling && !control::is_control_path(req.match_info().as_str()) {
        let err = match control::gate(&host.options, req.request()) {
            Err(err) => err,
            Ok(()) => control::ControlError::NotFound(format!(
                "{:?} is not a control path: spell it /_standin/... (no //, /./, .. or %2F)",
                req.path()
            )),
        };
        return Ok(req.into_response(control::error_response(err)));
    }
    let bound = req.app_data::<Bound<P>>().and_then(|b| b.0.clone());
    let instance = match bound {
        Some(instance) => instance,
        None => match req.headers().get(TENANT_HEADER) {
            Some(id) => {
                let id = id.to_str().unwrap_or_default();
                match host.tenant(id) {
                    Some(instance) => instance,
                    None => {
                        // A refused control caller learns nothing about tenants.
                        let err = match control_spelling {
                            true => control::gate(&host.options, req.request()).err(),
                            false => None,
                        };
                        let err = err.unwrap_or_else(|| {
                            control::ControlError::NotFound(format!(
                                "no tenant {id:?} (header X-Standin-Tenant)"
                            ))
                        });
                        return Ok(req.into_response(control::error_response(err)));
                    }
                }
            }
            None => host.main.clone(),
        },
    };
    if control_spelling {
        // The scope's own guard ([`control::guard`]) applies the access rule.
        req.extensions_mut().insert(instance);
        return Ok(next.call(req).await?.map_into_boxed_body());
    }

    let started = Instant::now();
    let arrival = arrival(&instance, &req);
    req.extensions_mut().insert(instance.clone());
    let env = &instance.env;
    let mut truncate: Option<Option<usize>> = None;
    if env.faults.any() || env.limits.any() {
        // Found only when a rule needs them; `finish_early` finds them for the journal.
        let operation = if env.faults.needs_operation() || env.limits.needs_operation() {
            host.operation_for_path(req.method(), req.path())
        } else {
            None
        };
        let principal = if env.faults.needs_principal() || env.limits.needs_principal() {
            P::principal_hint(&instance, req.request())
        } else {
            None
        };
        let facts = RequestFacts {
            method: req.method().as_str(),
            path: req.path(),
            operation,
            principal: principal.as_deref(),
            client: req.peer_addr().map(|a| a.ip()),
        };
        if let Some(limited) = env.limits.check(&facts, env.clock.now_ms()) {
            let mut resp =
                P::error_for_status(&instance, req.request(), StatusCode::TOO_MANY_REQUESTS);
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(limited.retry_after_secs));
            let reason = format!("rate limit {} exceeded for {:?}", limited.id, limited.key);
            return Ok(finish_early(
                &host, &instance, req, resp, arrival, started, operation, principal, reason,
            ));
        }
        if let Some(fired) = env.faults.decide(&facts, &env.ids) {
            match fired.action {
                Action::Status => {
                    let status = fired
                        .status
                        .and_then(|s| StatusCode::from_u16(s).ok())
                        .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                    let mut resp = P::error_for_status(&instance, req.request(), status);
                    if matches!(status.as_u16(), 204 | 205 | 304) {
                        // These carry no content (RFC 9110 sections 15.3.5, 15.3.6, 15.4.5):
                        // a body would be read as the start of the next answer.
                        resp = resp.drop_body().map_into_boxed_body();
                    }
                    let reason = format!("fault {}: status {}", fired.id, status.as_u16());
                    return Ok(finish_early(
                        &host, &instance, req, resp, arrival, started, operation, principal, reason,
                    ));
                }
                Action::Delay => {
                    let ms = fired.delay_ms.unwrap_or(0);
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                }
                Action::Reset => {
                    drop_connection(req.request());
                    let resp = HttpResponse::ServiceUnavailable().finish();
                    let reason = format!("fault {}: connection reset", fired.id);
                    return Ok(finish_early(
                        &host, &instance, req, resp, arrival, started, operation, principal, reason,
                    ));
                }
                Action::Truncate => truncate = Some(fired.bytes),
            }
        }
    }

    let mut res = next.call(req).await?.map_into_boxed_body();
    let operation = res
        .request()
        .match_name()
        .and_then(|pattern| host.operation(res.request().method(), pattern));
    let trace = res
        .request()
        .extensions()
        .get::<Trace>()
        .cloned()
        .unwrap_or_default();
    if host.options.explain {
        if let Some(value) = trace.reason.as_deref().and_then(reason_header) {
            res.headers_mut()
                .insert(HeaderName::from_static(REASON_HEADER), value);
        }
    }
    let status = res.status().as_u16();
    if status >= 500 {
        // A real server error (injected faults return earlier): one log line per failure,
        // e.g. a full disk or an unwritable data dir. Never the request's secrets.
        let mut seen = Vec::new();
        if arrival.entry_head.is_none() {
            let req = res.request();
            crate::redact::path_collect(&P::SECRETS, req.path(), &mut seen);
            crate::redact::query_collect(&P::SECRETS, req.query_string(), &mut seen);
            redacted_headers(&P::SECRETS, req.headers(), &mut seen);
        }
        let seen = if seen.is_empty() {
            &arrival.seen
        } else {
            &seen
        };
        tracing::error!(
            product = P::NAME,
            tenant = instance.tenant.as_deref().unwrap_or("-"),
            method = %res.request().method(),
            path = crate::redact::path(&P::SECRETS, res.request().path()),
            status,
            operation = operation.unwrap_or("-"),
            reason = crate::redact::scrub(trace.reason.as_deref().unwrap_or("-"), seen),
            "server error"
        );
    }
    if let Some(bytes) = truncate {
        res = truncate_body(res, bytes).await;
    }
    record(&instance, arrival, started, status, operation, trace);
    Ok(res)
}

#[allow(clippy::too_many_arguments)]
fn finish_early<P: Product>(
    host: &Host<P>,
    instance: &Instance<P>,
    req: ServiceRequest,
    mut resp: HttpResponse,
    arrival: Arrival,
    started: Instant,
    operation: Option<&'static str>,
    principal: Option<String>,
    reason: String,
) -> ServiceResponse<BoxBody> {
    // The journal entry of a request answered here keeps its operation and the principal its
    // credential names (the product never ran, so that name is not verified).
    let operation = operation.or_else(|| host.operation_for_path(req.method(), req.path()));
    let principal = principal.or_else(|| P::principal_hint(instance, req.request()));
    if host.options.explain {
        if let Some(value) = reason_header(&reason) {
            resp.headers_mut()
                .insert(HeaderName::from_static(REASON_HEADER), value);
        }
    }
    let trace = Trace {
        principal,
        reason: Some(reason),
    };
    record(
        instance,
        arrival,
        started,
        resp.status().as_u16(),
        operation,
        trace,
    );
    req.into_response(resp)
}

/// Send the first `bytes` (default: half) of the body, then break the connection, while the
/// headers announce the full length.
async fn truncate_body(
    res: ServiceResponse<BoxBody>,
    bytes: Option<usize>,
) -> ServiceResponse<BoxBody> {
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let full = match actix_web::body::to_bytes(body).await {
        Ok(full) => full,
        Err(_) => web::Bytes::new(),
    };
    let keep = bytes
        .unwrap_or(full.len() / 2)
        .min(full.len().saturating_sub(1));
    let part = full.slice(..keep);
    // The part, then one `Pending` (the HTTP/1 dispatcher flushes the status line, headers
    // and part to the socket when the body is not ready), then an error, on which the
    // connection is closed without the rest.
    let mut step = 0u8;
    let mut part = Some(part);
    let stream = futures_util::stream::poll_fn(move |cx| {
        step = step.saturating_add(1);
        match step {
            1 => std::task::Poll::Ready(part.take().map(Ok::<_, std::io::Error>)),
            2 => {
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
            _ => std::task::Poll::Ready(Some(Err(std::io::Error::other(
                "response truncated by a standin fault rule",
            )))),
        }
    });
    head.headers_mut().remove(CONTENT_LENGTH);
    let body = SizedStream::new(full.len().max(1) as u64, stream);
    ServiceResponse::new(req, head.set_body(BoxBody::new(body)))
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
