//! The control scope `/_standin/` on every product port: health, readiness, reset, the
//! instance clock and the whole state. It answers loopback callers only, unless
//! `--control-token` is set, in which case it requires `Authorization: Bearer <token>`
//! from anyone. Product credentials never open it. Errors are JSON:
//! `{"error":"bad_request","message":"...","field":"..."}`.

use crate::clock::parse_rfc3339_ms;
use crate::credentials::bearer;
use crate::instance::{CommonOptions, Inst};
use crate::product::{Product, StateError};
use crate::secret::ct_eq_str;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use serde_json::json;
use std::net::IpAddr;
use std::time::Instant;

/// The version reported by health.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Largest control request body (state documents can be large).
pub const MAX_CONTROL_BODY: usize = 1 << 30;

/// A control-API failure, rendered as JSON.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// Bad input.
    #[error("{0}")]
    BadRequest(String),
    /// A state document that does not load.
    #[error("{field}: {message}")]
    InvalidState {
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Unknown tenant, snapshot or control path.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not use the control scope.
    #[error("{0}")]
    Forbidden(String),
    /// Something failed inside standin.
    #[error("{0}")]
    Internal(String),
}

impl ControlError {
    fn code(&self) -> &'static str {
        match self {
            ControlError::BadRequest(_) | ControlError::InvalidState { .. } => "bad_request",
            ControlError::NotFound(_) => "not_found",
            ControlError::Forbidden(_) => "forbidden",
            ControlError::Internal(_) => "internal",
        }
    }
}

impl From<StateError> for ControlError {
    fn from(err: StateError) -> Self {
        match err {
            StateError::Invalid { field, message } => ControlError::InvalidState { field, message },
            StateError::Store(e) => ControlError::Internal(format!("store: {e}")),
        }
    }
}

impl From<crate::store::StoreError> for ControlError {
    fn from(err: crate::store::StoreError) -> Self {
        ControlError::Internal(err.to_string())
    }
}

impl ResponseError for ControlError {
    fn status_code(&self) -> StatusCode {
        match self {
            ControlError::BadRequest(_) | ControlError::InvalidState { .. } => {
                StatusCode::BAD_REQUEST
            }
            ControlError::NotFound(_) => StatusCode::NOT_FOUND,
            ControlError::Forbidden(_) => StatusCode::FORBIDDEN,
            ControlError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({"error": self.code(), "message": self.to_string()});
        if let ControlError::InvalidState { field, .. } = self {
            body["field"] = json!(field);
        }
        HttpResponse::build(self.status_code()).json(body)
    }
}

/// Render a control error.
pub fn error_response(err: ControlError) -> HttpResponse {
    err.error_response()
}

/// Whether `ip` is a loopback address (IPv4-mapped loopback included).
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Decide whether `req` may use the control scope.
///
/// # Errors
/// [`ControlError::Forbidden`] saying why.
pub fn gate(options: &CommonOptions, req: &HttpRequest) -> Result<(), ControlError> {
    match &options.control_token {
        Some(token) => {
            let given = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(bearer);
            match given {
                Some(given) if ct_eq_str(given, token) => Ok(()),
                _ => Err(ControlError::Forbidden(
                    "the control scope requires Authorization: Bearer <control token>".into(),
                )),
            }
        }
        None => match req.peer_addr() {
            Some(addr) if is_loopback(addr.ip()) => Ok(()),
            _ => Err(ControlError::Forbidden(
                "the control scope answers loopback callers only (set --control-token to open it)"
                    .into(),
            )),
        },
    }
}

/// Parse a JSON control body with a clear error.
///
/// # Errors
/// [`ControlError::BadRequest`] naming the problem.
pub fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ControlError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            ControlError::BadRequest(format!("invalid JSON body: {}", e.into_inner()))
        } else {
            ControlError::BadRequest(format!("{path}: {}", e.into_inner()))
        }
    })?;
    de.end()
        .map_err(|e| ControlError::BadRequest(format!("invalid JSON body: {e}")))?;
    Ok(value)
}

/// The `/_standin` scope for product `P`.
pub(crate) fn scope<P: Product>() -> actix_web::Scope {
    web::scope("/_standin")
        .app_data(web::PayloadConfig::new(MAX_CONTROL_BODY))
        .route("/health", web::get().to(health::<P>))
        .route("/ready", web::get().to(ready::<P>))
        .route("/reset", web::post().to(reset::<P>))
        .route("/clock", web::get().to(get_clock::<P>))
        .route("/clock", web::post().to(set_clock::<P>))
        .route("/state", web::get().to(get_state::<P>))
        .route("/state", web::put().to(put_state::<P>))
        .route("/snapshots", web::get().to(crate::snapshots::list::<P>))
        .route(
            "/snapshots/{name}",
            web::post().to(crate::snapshots::save::<P>),
        )
        .route(
            "/snapshots/{name}",
            web::delete().to(crate::snapshots::delete::<P>),
        )
        .route(
            "/snapshots/{name}/restore",
            web::post().to(crate::snapshots::restore::<P>),
        )
        .route(
            "/requests",
            web::get().to(crate::observe::list_requests::<P>),
        )
        .route(
            "/requests",
            web::delete().to(crate::observe::clear_requests::<P>),
        )
        .route(
            "/requests/wait",
            web::post().to(crate::observe::wait_requests::<P>),
        )
        .route("/faults", web::get().to(crate::observe::list_faults::<P>))
        .route("/faults", web::post().to(crate::observe::add_fault::<P>))
        .route(
            "/faults",
            web::delete().to(crate::observe::clear_faults::<P>),
        )
        .route(
            "/faults/{id}",
            web::delete().to(crate::observe::delete_fault::<P>),
        )
        .route(
            "/rate-limits",
            web::get().to(crate::observe::list_limits::<P>),
        )
        .route(
            "/rate-limits",
            web::post().to(crate::observe::add_limit::<P>),
        )
        .route(
            "/rate-limits",
            web::delete().to(crate::observe::clear_limits::<P>),
        )
        .route(
            "/rate-limits/{id}",
            web::delete().to(crate::observe::delete_limit::<P>),
        )
        .route("/tenants", web::get().to(crate::tenants::list::<P>))
        .route("/tenants", web::post().to(crate::tenants::create::<P>))
        .route("/tenants/{id}", web::get().to(crate::tenants::get::<P>))
        .route(
            "/tenants/{id}",
            web::delete().to(crate::tenants::delete::<P>),
        )
        .service(web::scope(&format!("/{}", P::NAME)).configure(P::control_routes))
        .default_service(web::to(control_not_found))
}

async fn control_not_found(req: HttpRequest) -> HttpResponse {
    error_response(ControlError::NotFound(format!(
        "no control endpoint {} {}",
        req.method(),
        req.path()
    )))
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
    host: web::Data<crate::instance::Host<P>>,
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
    let doc: serde_json::Value = parse_body(&body)?;
    inst.replace_state(&doc)?;
    Ok(HttpResponse::Ok()
        .json(json!({"replaced": true, "product": P::NAME, "tenant": inst.tenant})))
}
