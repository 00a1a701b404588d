//! The vocabulary of the control API `/_standin/...`: its error type ([`ControlError`],
//! rendered as `{"error":"bad_request","message":"...","field":"..."}`), its body parser
//! ([`parse_body`]) and its access rule ([`gate`], applied by `guard` on the `/_standin`
//! scope of every listener, tenants included).
//!
//! The access rule, the same on every port:
//! - a loopback caller (127.0.0.0/8, ::1, IPv4-mapped loopback) needs no token;
//! - a caller whose address is inside a network of `--control-allow` needs no token;
//! - anyone else needs `Authorization: Bearer <--control-token>`, compared in constant time;
//!   without `--control-token` remote callers are refused.
//!
//! `GET /_standin/ui`, the dashboard's static page, is served to anyone ([`crate::ui`]); the
//! control calls it makes follow the rule.
//!
//! Refusals are 403 with a JSON body saying why. Product credentials never open the scope.
//! The rule is attached where the control routes are matched (the scope's middleware), so
//! every spelling the router decodes to `/_standin/...` (`/%5Fstandin`, `/_st%61ndin`, ...)
//! passes through it; spellings that only normalise to it (`//_standin`, `/./_standin`,
//! `/_standin%2F...`) are caught before routing by the engine ([`is_control_spelling`]).
//!
//! The handlers live in [`crate::control_router`]; this module imports none of them, so
//! engine, observe, snapshots and tenants can use it without an import circle.

use crate::credentials::bearer;
use crate::host::{CommonOptions, Host};
use crate::product::{Product, StateError};
use crate::secret::ct_eq_str;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use serde_json::json;
use std::net::IpAddr;

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

/// Whether `ip` is inside one of the `--control-allow` networks (IPv4-mapped IPv6
/// addresses are compared as IPv4).
pub fn is_allowed_network(options: &CommonOptions, ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    options.control_allow.iter().any(|net| net.contains(&ip))
}

/// The control token, if one is configured (an empty token counts as none, so an empty
/// `Authorization: Bearer ` never opens the scope).
fn configured_token(options: &CommonOptions) -> Option<&str> {
    options.control_token.as_deref().filter(|t| !t.is_empty())
}

/// Decide whether `req` may use the control scope (the rule in the module docs).
///
/// # Errors
/// [`ControlError::Forbidden`] saying why.
pub fn gate(options: &CommonOptions, req: &HttpRequest) -> Result<(), ControlError> {
    let peer = req.peer_addr().map(|a| a.ip());
    if let Some(ip) = peer {
        if is_loopback(ip) || is_allowed_network(options, ip) {
            return Ok(());
        }
    }
    let who = match peer {
        Some(ip) => format!("caller {}", ip.to_canonical()),
        None => "a caller without a peer address".to_owned(),
    };
    let Some(token) = configured_token(options) else {
        return Err(ControlError::Forbidden(format!(
            "the control API answers loopback callers only and {who} is not one: \
             start standin with --control-token <token> and send Authorization: Bearer <token>, \
             or allow the caller's network with --control-allow <cidr>"
        )));
    };
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .map(|v| v.to_str().ok().and_then(bearer));
    match header {
        Some(Some(given)) if ct_eq_str(given, token) => Ok(()),
        Some(Some(_)) => Err(ControlError::Forbidden(format!(
            "{who}: the Bearer token is not the control token"
        ))),
        Some(None) => Err(ControlError::Forbidden(format!(
            "{who}: the control API needs Authorization: Bearer <control token>; \
             the Authorization header sent is not a Bearer token"
        ))),
        None => Err(ControlError::Forbidden(format!(
            "{who} is not loopback: the control API needs Authorization: Bearer <control token>"
        ))),
    }
}

/// The scope middleware applying [`gate`] to everything routed into `/_standin`.
pub(crate) async fn guard<P: Product, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let verdict = match req.app_data::<web::Data<Host<P>>>() {
        // The dashboard's static page; every call it makes meets the gate.
        _ if crate::ui::is_public(req.method(), req.path()) => Ok(()),
        Some(host) => gate(&host.options, req.request()),
        None => Err(ControlError::Internal("control scope not mounted".into())),
    };
    match verdict {
        Ok(()) => Ok(next.call(req).await?.map_into_boxed_body()),
        Err(err) => Ok(req.into_response(err.error_response())),
    }
}

/// One startup line for a listener bound to a non-loopback address without a control token:
/// remote callers will be refused, and how to allow them. `None` when nothing needs saying.
pub fn remote_refusal_notice(options: &CommonOptions) -> Option<String> {
    if is_loopback(options.bind) || configured_token(options).is_some() {
        return None;
    }
    let allowed = if options.control_allow.is_empty() {
        String::new()
    } else {
        let nets: Vec<String> = options
            .control_allow
            .iter()
            .map(|n| n.to_string())
            .collect();
        format!(" except from {}", nets.join(", "))
    };
    Some(format!(
        "control API /_standin: bound to {} without --control-token, so remote callers will be \
         refused{allowed}; set --control-token <token> (callers send Authorization: Bearer <token>) \
         or --control-allow <cidr> to allow them",
        options.bind
    ))
}

/// Whether `path` is the control scope spelled canonically (`/_standin` or `/_standin/...`).
pub fn is_control_path(path: &str) -> bool {
    path == "/_standin" || path.starts_with("/_standin/")
}

/// Whether `raw` (a request path as received) means the control scope once normalised:
/// every `%XX` decoded (`%2F` included), `//` collapsed, `.` and `..` segments resolved,
/// compared without regard to ASCII case. Linear in the length of `raw`.
pub fn is_control_spelling(raw: &str) -> bool {
    // Nothing to decode and no `.` or `..` segment: normalising only collapses `//`, so the
    // first non-empty segment is the one that counts (the common case, without allocating).
    if !raw.contains('%') && !raw.starts_with('.') && !raw.contains("/.") {
        return raw
            .split('/')
            .find(|segment| !segment.is_empty())
            .is_some_and(|first| first.eq_ignore_ascii_case("_standin"));
    }
    normalised_is_control(raw)
}

/// [`is_control_spelling`] for any path: decode, resolve, then look at the first segment.
fn normalised_is_control(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                decoded.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    // Resolve segments; only the first surviving one matters.
    let mut stack: Vec<&[u8]> = Vec::new();
    for segment in decoded.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            b".." => {
                stack.pop();
            }
            s => stack.push(s),
        }
    }
    stack
        .first()
        .is_some_and(|first| first.eq_ignore_ascii_case(b"_standin"))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for paths with nothing to decode or resolve answers as the full
    /// normalisation does, on every path of up to four pieces from a set of awkward ones.
    #[test]
    fn the_control_spelling_shortcut_agrees_with_the_full_normalisation() {
        let pieces = [
            "/",
            "//",
            "_standin",
            "_STANDIN",
            "_standinx",
            "api",
            ".",
            "..",
            "./",
            "../",
            "%2F",
            "%5fstandin",
            "v1.0",
            ".x",
            "x.",
            "/.",
            "%",
            "%2",
            "_stan",
            "din",
        ];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| pieces.iter().map(move |piece| format!("{p}{piece}")))
                .collect();
            paths.extend(longer);
        }
        let mut controls = 0;
        for path in &paths {
            let full = normalised_is_control(path);
            assert_eq!(is_control_spelling(path), full, "{path:?}");
            controls += usize::from(full);
        }
        assert!(controls > 1000, "{controls} of {} paths", paths.len());
    }
}
