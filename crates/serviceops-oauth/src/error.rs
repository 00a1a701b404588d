//! ServiceOps' error bodies.
//!
//! Two families, as the real product (Spring Security OAuth2 in front of the "floto" REST
//! layer) answers:
//! - OAuth2 errors (RFC 6749 section 5.2, RFC 6750 section 3): `{"error": ..., "error_description": ...}`,
//!   with `WWW-Authenticate` on 401;
//! - business errors of the REST API: `{"userMessage": ..., "errorCode": ...}`.

use actix_web::http::header::{HeaderValue, CACHE_CONTROL, PRAGMA, WWW_AUTHENTICATE};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};
use auth_core::trace;
use serde_json::json;

/// "Full authentication is required to access this resource" (Spring's entry points).
pub const FULL_AUTH: &str = "Full authentication is required to access this resource";

/// Everything the API can refuse with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Token endpoint: the client did not authenticate (no or bad Basic credentials).
    #[error("client unauthorized: {0}")]
    ClientUnauthorized(String),
    /// Token endpoint: an OAuth2 error with its status (`invalid_grant`, `invalid_request`, ...).
    #[error("oauth {status} {error}: {description}")]
    OAuth {
        /// HTTP status.
        status: StatusCode,
        /// RFC 6749 error code.
        error: &'static str,
        /// `error_description`.
        description: String,
    },
    /// Token endpoint: a requested scope the client does not have (RFC 6749 section 5.2).
    #[error("invalid scope {requested:?}")]
    InvalidScope {
        /// What the client asked for.
        requested: String,
        /// The client's scopes.
        allowed: String,
    },
    /// Resource server: no credentials at all.
    #[error("no credentials")]
    Unauthenticated,
    /// Resource server: a bad, expired or revoked credential.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// Resource server: authenticated but not allowed.
    #[error("access denied")]
    AccessDenied,
    /// Business: unknown entity.
    #[error("not found: {0}")]
    NotFound(String),
    /// Business: bad input.
    #[error("validation: {0}")]
    Validation(String),
    /// Business: request body over the limit.
    #[error("payload too large")]
    TooLarge,
    /// Anything the client did not cause (store failures); never shown in detail.
    #[error("internal: {0}")]
    Internal(String),
    /// A status chosen by fault injection or rate limits.
    #[error("status {0}")]
    Status(StatusCode),
}

impl ApiError {
    /// An OAuth2 `invalid_grant` with `status`.
    pub fn invalid_grant(status: StatusCode, description: impl Into<String>) -> Self {
        ApiError::OAuth {
            status,
            error: "invalid_grant",
            description: description.into(),
        }
    }

    /// An OAuth2 error with status 400.
    pub fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        ApiError::OAuth {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    /// The vendor's answer for a status set by a fault rule or a rate limit. The token
    /// endpoint answers in the OAuth2 family (RFC 6749 section 5.2): 401 the client
    /// challenge, 503 `temporarily_unavailable`, other 5xx `server_error`, 403
    /// `access_denied`, anything else `invalid_request` (Spring's `OAuth2Exception` default),
    /// with the reason phrase as `error_description`. The API answers 401 and 403 as Spring
    /// Security does, 413 and 500 with the REST layer's own bodies, and any other status as
    /// a business error whose `errorCode` spells the reason phrase (`service_unavailable`).
    pub fn for_status(status: StatusCode, token_endpoint: bool) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        if token_endpoint {
            let error = match status.as_u16() {
                401 => return ApiError::ClientUnauthorized(FULL_AUTH.into()),
                403 => "access_denied",
                503 => "temporarily_unavailable",
                500..=599 => "server_error",
                _ => "invalid_request",
            };
            return ApiError::OAuth {
                status,
                error,
                description: reason.into(),
            };
        }
        match status {
            StatusCode::UNAUTHORIZED => ApiError::Unauthenticated,
            StatusCode::FORBIDDEN => ApiError::AccessDenied,
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
            StatusCode::INTERNAL_SERVER_ERROR => ApiError::Internal(String::new()),
            other => ApiError::Status(other),
        }
    }

    /// A short reason for the request journal (no secrets).
    pub fn reason(&self) -> String {
        self.to_string()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::Internal(err.to_string())
    }
}

impl From<auth_core::StoreError> for ApiError {
    fn from(err: auth_core::StoreError) -> Self {
        ApiError::Internal(err.to_string())
    }
}

fn oauth_body(error: &str, description: &str) -> serde_json::Value {
    json!({"error": error, "error_description": description})
}

fn business_body(message: &str, code: &str) -> serde_json::Value {
    json!({"userMessage": message, "errorCode": code})
}

/// `<prefix> error="...", error_description="..."` (RFC 6750 section 3), with quotes, backslashes
/// and control characters dropped from the description.
fn challenge(prefix: &str, error: &str, description: &str) -> HeaderValue {
    let description: String = description
        .chars()
        .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
        .collect();
    HeaderValue::from_str(&format!(
        "{prefix} error=\"{error}\", error_description=\"{description}\""
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
}

/// The resource server's challenge: `Bearer realm="oauth2-resource", error=..., ...`.
fn bearer_challenge(error: &str, description: &str) -> HeaderValue {
    challenge("Bearer realm=\"oauth2-resource\",", error, description)
}

/// The token endpoint's error headers: `Cache-Control: no-store`, `Pragma: no-cache`.
fn no_store(builder: &mut HttpResponseBuilder) -> &mut HttpResponseBuilder {
    builder
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::ClientUnauthorized(_)
            | ApiError::Unauthenticated
            | ApiError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            ApiError::OAuth { status, .. } | ApiError::Status(status) => *status,
            ApiError::InvalidScope { .. } => StatusCode::BAD_REQUEST,
            ApiError::AccessDenied => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Validation(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut builder = HttpResponse::build(status);
        match self {
            ApiError::ClientUnauthorized(description) => builder
                .insert_header((
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"oauth2/client\""),
                ))
                .insert_header((CACHE_CONTROL, "no-store"))
                .insert_header((PRAGMA, "no-cache"))
                .json(oauth_body("unauthorized", description)),
            ApiError::OAuth {
                error, description, ..
            } => {
                // Spring's DefaultWebResponseExceptionTranslator: a 401 from the token
                // endpoint carries a Bearer challenge without a realm.
                if status == StatusCode::UNAUTHORIZED {
                    builder
                        .insert_header((WWW_AUTHENTICATE, challenge("Bearer", error, description)));
                }
                no_store(&mut builder).json(oauth_body(error, description))
            }
            ApiError::InvalidScope { requested, allowed } => no_store(&mut builder).json(json!({
                "error": "invalid_scope",
                "error_description": format!("Invalid scope: {requested}"),
                "scope": allowed,
            })),
            ApiError::Unauthenticated => builder
                .insert_header((
                    WWW_AUTHENTICATE,
                    bearer_challenge("unauthorized", FULL_AUTH),
                ))
                .json(oauth_body("unauthorized", FULL_AUTH)),
            ApiError::InvalidToken(description) => builder
                .insert_header((
                    WWW_AUTHENTICATE,
                    bearer_challenge("invalid_token", description),
                ))
                .json(oauth_body("invalid_token", description)),
            ApiError::AccessDenied => builder.json(oauth_body("access_denied", "Access is denied")),
            ApiError::NotFound(message) => builder.json(business_body(message, "entity_not_found")),
            ApiError::Validation(message) => {
                builder.json(business_body(message, "validation_failed"))
            }
            ApiError::TooLarge => builder.json(business_body(
                "Request body is too large",
                "payload_too_large",
            )),
            ApiError::Internal(_) => builder.json(business_body(
                "Something went wrong, please contact your administrator",
                "internal_server_error",
            )),
            ApiError::Status(status) => builder.json(business_body(
                status.canonical_reason().unwrap_or("Error"),
                &auth_core::faults::reason_snake(*status).unwrap_or_else(|| "error".into()),
            )),
        }
    }
}

/// Spring Boot's default error body (`BasicErrorController`) for unknown paths and methods.
pub(crate) fn spring_error(
    inst: &auth_core::Instance<crate::ServiceOps>,
    req: &actix_web::HttpRequest,
    status: StatusCode,
    message: &str,
) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "timestamp": inst.env.clock.now_ms(),
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or(""),
        "message": message,
        "path": req.path(),
    }))
}

/// Note a refusal in the journal and pass the error on.
pub fn traced<T>(req: &HttpRequest, result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(err) = &result {
        trace::refuse(req, err.reason());
    }
    result
}
