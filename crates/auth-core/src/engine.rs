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
use crate::host::{Host, Inst};
use crate::journal::{self, Draft, Outcome};
use crate::product::Instance;
use crate::product::Product;
use crate::tenant_runner::TenantConn;
use crate::trace::Trace;
use actix_web::body::{BoxBody, MessageBody, SizedStream};
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, TRANSFER_ENCODING,
};
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
    draft: Option<Draft>,
    /// The body as the product reads it (its first [`journal::BODY_CAP`] bytes).
    tap: Option<Tap>,
    /// The secret values redaction removed, to scrub from the reason.
    seen: Vec<String>,
    /// Whether the `standin::request` event is wanted.
    log: bool,
}

/// The tracing target of the one event per request.
pub const REQUEST_TARGET: &str = "standin::request";

/// Collect the request's secret header values into `seen` and, with a draft, journal the
/// headers redacted. Values are copied (as text) into the draft's one buffer: parsed header
/// values are slices of the connection's read buffer, and holding one would keep that whole
/// buffer (kilobytes) alive per journal entry.
fn redact_headers(
    secrets: &crate::redact::Secrets,
    headers: &actix_web::http::header::HeaderMap,
    seen: &mut Vec<String>,
    mut draft: Option<&mut Draft>,
) {
    for (name, value) in headers.iter() {
        let text = crate::redact::lossy(value.as_bytes());
        let shown = if crate::redact::is_secret_header(secrets, name.as_str()) {
            crate::redact::header_value_collect(secrets, name.as_str(), &text, seen)
        } else {
            text
        };
        if let Some(draft) = draft.as_deref_mut() {
            draft.push_header(name.as_str(), &shown);
        }
    }
}

/// The first bytes of a request body, seen as the product reads it.
#[derive(Debug, Default)]
struct Captured {
    bytes: Vec<u8>,
    total: usize,
}

impl Captured {
    fn record(&mut self, chunk: &[u8]) {
        let room = journal::BODY_CAP.saturating_sub(self.bytes.len());
        self.bytes
            .extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.total = self.total.saturating_add(chunk.len());
    }
}

type Tap = Arc<parking_lot::Mutex<Captured>>;

/// Whether the request announces a body.
fn has_body(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// Put a tap on the request body: each chunk the product reads is seen on its way (the
/// first [`journal::BODY_CAP`] bytes kept). The product receives the same chunks with the
/// same errors, still streamed; nothing is read ahead of it, so a body the product never
/// reads is not journaled and the connection handling (keep-alive or close after an unread
/// body) is the HTTP server's as before.
fn tap_body(req: &mut ServiceRequest) -> Option<Tap> {
    use futures_util::StreamExt;
    if !has_body(req.headers()) {
        return None;
    }
    let tap: Tap = Arc::default();
    let seen = tap.clone();
    let body = req.take_payload().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            seen.lock().record(bytes);
        }
        chunk
    });
    req.set_payload(actix_web::dev::Payload::Stream {
        payload: Box::pin(body),
    });
    Some(tap)
}

fn arrival<P: Product>(instance: &Instance<P>, req: &ServiceRequest) -> Arrival {
    let log = tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO);
    let mut seen = Vec::new();
    let wanted = instance.env.journal.enabled() || log;
    let mut draft = wanted.then(|| {
        let path = crate::redact::path_collect(&P::SECRETS, req.path(), &mut seen);
        let query = crate::redact::query_collect(&P::SECRETS, req.query_string(), &mut seen);
        Draft::new(
            instance.env.clock.now_ms(),
            req.method().clone(),
            req.peer_addr().map(|a| a.ip()),
            &path,
            &query,
            req.headers().len() * 48,
        )
    });
    redact_headers(&P::SECRETS, req.headers(), &mut seen, draft.as_mut());
    Arrival {
        draft,
        tap: None,
        seen,
        log,
    }
}

fn record<P: Product>(
    instance: &Instance<P>,
    arrival: Arrival,
    req: &HttpRequest,
    started: Instant,
    status: u16,
    operation: Option<&'static str>,
    trace: Trace,
) {
    let Arrival {
        draft,
        tap,
        mut seen,
        log,
    } = arrival;
    let Some(draft) = draft else {
        return;
    };
    let latency_us = started.elapsed().as_micros() as u64;
    let (body, body_truncated) = match tap {
        Some(tap) => {
            let captured = std::mem::take(&mut *tap.lock());
            let truncated = captured.total > captured.bytes.len();
            let body = (!captured.bytes.is_empty()).then(|| {
                let content_type = req
                    .headers()
                    .get(CONTENT_TYPE)
                    .map(|v| crate::redact::lossy(v.as_bytes()));
                crate::redact::body_collect(
                    &P::SECRETS,
                    content_type.as_deref().unwrap_or_default(),
                    &captured.bytes,
                    &mut seen,
                )
            });
            (body, truncated)
        }
        None => (None, false),
    };
    let reason = trace
        .reason
        .as_deref()
        .map(|r| crate::redact::scrub(r, &seen));
    if log {
        tracing::info!(
            target: REQUEST_TARGET,
            product = P::NAME,
            tenant = instance.tenant.as_deref().unwrap_or("-"),
            method = draft.method.as_str(),
            path = draft.path(),
            status,
            latency_ms = latency_us as f64 / 1000.0,
            operation = operation.unwrap_or("-"),
            principal = trace.principal.as_deref().unwrap_or("-"),
            reason = reason.as_deref().unwrap_or("-"),
            "request"
        );
    }
    if instance.env.journal.enabled() {
        instance.env.journal.push(draft.finish(&Outcome {
            status,
            latency_us,
            operation,
            principal: trace.principal.as_deref(),
            reason: reason.as_deref(),
            body: body.as_deref(),
            body_truncated,
        }));
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
    let tenant_conn = req
        .conn_data::<TenantConn<P>>()
        .map(|conn| conn.0.as_ref().filter(|link| link.is_live()).cloned());
    let instance = match tenant_conn {
        // A tenant's own listener.
        Some(Some(link)) => link.instance.clone(),
        // A connection to a tenant that has been deleted: close it, as stopping the tenant's
        // listener closes the idle ones.
        Some(None) => {
            drop_connection(req.request());
            return Ok(req.into_response(HttpResponse::ServiceUnavailable().finish()));
        }
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
    let mut req = req;
    let mut arrival = arrival(&instance, &req);
    if instance.env.journal.enabled() {
        arrival.tap = tap_body(&mut req);
    }
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
    // The table's dispatch names the operation it routed to; a route actix matched (the
    // product's own services, or a table left to actix) is found by its resource name.
    let operation = match res.request().extensions().get::<crate::dispatch::Routed>() {
        Some(routed) => Some(routed.0),
        None => res
            .request()
            .match_name()
            .and_then(|pattern| host.operation(res.request().method(), pattern)),
    };
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
        if arrival.draft.is_none() {
            let req = res.request();
            crate::redact::path_collect(&P::SECRETS, req.path(), &mut seen);
            crate::redact::query_collect(&P::SECRETS, req.query_string(), &mut seen);
            redact_headers(&P::SECRETS, req.headers(), &mut seen, None);
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
    record(
        &instance,
        arrival,
        res.request(),
        started,
        status,
        operation,
        trace,
    );
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
        req.request(),
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

pub(crate) async fn not_found<P: Product>(inst: Inst<P>, req: HttpRequest) -> HttpResponse {
    P::not_found(&inst, &req)
}

pub(crate) async fn method_not_allowed<P: Product>(
    inst: Inst<P>,
    req: HttpRequest,
) -> HttpResponse {
    P::method_not_allowed(&inst, &req)
}
