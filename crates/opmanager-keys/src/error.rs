//! OpManager's error envelope: `{"error":{"message":"…","errorcode":"…"}}`, answered with
//! HTTP 200 (vendor doc "Common JSON errors"); authentication failures use the status of
//! `--opmanager-auth-status` (200 by default, 401 optional).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use auth_core::store::StoreError;
use serde_json::json;

/// Everything an OpManager API call can answer with instead of its result.
#[derive(Debug, thiserror::Error)]
pub enum OpmError {
    /// No `apiKey` (or one only in the query of a header-only URL).
    #[error("no apiKey in the request ({0})")]
    ApiKeyMissing(String, StatusCode),
    /// The key matches no user (wrong, or regenerated away).
    #[error("apiKey matches no user")]
    InvalidApiKey(StatusCode),
    /// The key's user has REST API access disabled.
    #[error("REST API access is disabled for user {0}")]
    RestAccessDisabled(String, StatusCode),
    /// The user's role may not perform this operation.
    #[error("user {0} may not perform this operation")]
    NotAuthorized(String),
    /// A mandatory parameter is missing or empty.
    #[error("parameter {0} is mandatory")]
    Mandatory(String),
    /// A single-valued parameter is given more than once.
    #[error("parameter {0} is given more than once")]
    TooMany(String),
    /// A parameter that must be an integer is not.
    #[error("parameter {0} must be an integer")]
    NotInteger(String),
    /// A parameter is longer than allowed.
    #[error("parameter {0} is longer than {1}")]
    TooLong(String, usize),
    /// A parameter carries markup or script.
    #[error("XSS detected in parameter {0}")]
    Xss(String),
    /// A parameter is not one of the accepted values or does not match the expected format.
    #[error("parameter {0} does not match its pattern")]
    Pattern(String),
    /// A parameter is outside its range.
    #[error("parameter {0} is out of range")]
    Range(String, i64, i64),
    /// No such device.
    #[error("unknown device {0}")]
    UnknownDevice(String),
    /// No such alarm entity.
    #[error("unknown alarm {0}")]
    UnknownAlarm(String),
    /// No such interface.
    #[error("unknown interface {0}")]
    UnknownInterface(String),
    /// No such object of another kind (schedule, group, profile, rule, ...): what, name.
    #[error("unknown {0} {1}")]
    Unknown(&'static str, String),
    /// An object of that kind and name exists already: what, name.
    #[error("{0} {1} exists already")]
    Exists(&'static str, String),
    /// A device with this name exists already.
    #[error("device {0} exists already")]
    DeviceExists(String),
    /// Unknown API path.
    #[error("no API at {0}")]
    NotFound(String),
    /// Known path, wrong method.
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A result did not serialise.
    #[error("render: {0}")]
    Render(String),
}

impl OpmError {
    /// The vendor's `(message, errorcode)`.
    pub fn message_and_code(&self) -> (String, &'static str) {
        match self {
            OpmError::ApiKeyMissing(..) => (
                "API key is missing in the request.".into(),
                "API_KEY_MISSING",
            ),
            OpmError::InvalidApiKey(_) => ("Invalid API key.".into(), "INVALID_API_KEY"),
            OpmError::RestAccessDisabled(..) => (
                "Rest API access is disabled for this user. Contact the administrator user.".into(),
                "REST_API_ACCESS_DISABLED",
            ),
            OpmError::NotAuthorized(_) => (
                "You are not authorized to perform this operation.".into(),
                "UNAUTHORIZED_ACCESS",
            ),
            OpmError::Mandatory(p) => (
                format!("The parameter '{p}' is mandatory and must have at least 1 occurrence."),
                "LESS_THAN_MIN_OCCURANCE",
            ),
            OpmError::TooMany(p) => (
                format!("The parameter '{p}' must have at most only 1 occurrences."),
                "MORE_THAN_MAX_OCCURANCE",
            ),
            OpmError::NotInteger(p) => (
                format!("The parameter '{p}' must be of integer type."),
                "DATATYPE_NOT_MATCHED",
            ),
            OpmError::TooLong(p, max) => (
                format!("The parameter '{p}' must have a maximum length of {max}."),
                "MORE_THAN_MAX_LENGTH",
            ),
            OpmError::Xss(p) => (
                format!("Illegal input detected on the parameter '{p}'."),
                "XSS_DETECTED",
            ),
            OpmError::Pattern(p) => (
                format!("The input specified for the parameter '{p}' does not match the required pattern."),
                "PATTERN_NOT_MATCHED",
            ),
            OpmError::Range(p, min, max) => (
                format!("The parameter '{p}' must be in the range {min} to {max}."),
                "RANGE_NOT_MATCHED",
            ),
            OpmError::UnknownDevice(name) => {
                (format!("Device {name} does not exist."), "INVALID_DEVICE")
            }
            OpmError::UnknownAlarm(entity) => {
                (format!("Alarm {entity} does not exist."), "INVALID_ALARM")
            }
            OpmError::UnknownInterface(name) => (
                format!("Interface {name} does not exist."),
                "INVALID_INTERFACE",
            ),
            OpmError::Unknown(what, name) => {
                (format!("{what} {name} does not exist."), "INVALID_INPUT")
            }
            OpmError::Exists(what, name) => {
                (format!("{what} {name} already exists."), "ALREADY_EXISTS")
            }
            OpmError::DeviceExists(name) => (
                format!("Device {name} already exists."),
                "DEVICE_ALREADY_EXISTS",
            ),
            OpmError::NotFound(_) => ("Invalid API URL.".into(), "INVALID_URL"),
            OpmError::MethodNotAllowed(m) => (
                format!("Request method '{m}' is not supported for this URL."),
                "METHOD_NOT_ALLOWED",
            ),
            OpmError::Store(_) | OpmError::Render(_) => {
                ("Internal server error.".into(), "INTERNAL_SERVER_ERROR")
            }
        }
    }
}

/// The envelope for a status set by a fault rule or a rate limit (`/_standin/faults`,
/// `/_standin/rate-limits`), answered with that status. Where OpManager has its own text for
/// the status it is used (401 `INVALID_API_KEY`, 403 `UNAUTHORIZED_ACCESS`, 404 `INVALID_URL`,
/// 405 `METHOD_NOT_ALLOWED`, 500 `INTERNAL_SERVER_ERROR`); the vendor doc "Common JSON
/// errors" lists none for the others, so they get the status's reason phrase as the message
/// and as an upper-case code (503: "Service Unavailable." `SERVICE_UNAVAILABLE`).
pub fn for_status(status: StatusCode, method: &actix_web::http::Method) -> HttpResponse {
    let known = match status.as_u16() {
        401 => Some(OpmError::InvalidApiKey(status)),
        403 => Some(OpmError::NotAuthorized(String::new())),
        404 => Some(OpmError::NotFound(String::new())),
        405 => Some(OpmError::MethodNotAllowed(method.to_string())),
        500 => Some(OpmError::Render(String::new())),
        _ => None,
    };
    let (message, code) = if let Some(err) = known {
        let (message, code) = err.message_and_code();
        (message, code.to_owned())
    } else if status == StatusCode::TOO_MANY_REQUESTS {
        (
            "Too many requests. Try again later.".into(),
            "TOO_MANY_REQUESTS".into(),
        )
    } else if let (Some(reason), Some(code)) = (
        status.canonical_reason(),
        auth_core::faults::reason_snake(status),
    ) {
        (format!("{reason}."), code.to_ascii_uppercase())
    } else {
        ("Request failed.".into(), "REQUEST_FAILED".into())
    };
    HttpResponse::build(status).json(json!({"error": {"message": message, "errorcode": code}}))
}

impl ResponseError for OpmError {
    fn status_code(&self) -> StatusCode {
        match self {
            OpmError::ApiKeyMissing(_, s)
            | OpmError::InvalidApiKey(s)
            | OpmError::RestAccessDisabled(_, s) => *s,
            OpmError::NotFound(_) => StatusCode::NOT_FOUND,
            OpmError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            OpmError::Store(_) | OpmError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::OK,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (message, code) = self.message_and_code();
        HttpResponse::build(self.status_code())
            .json(json!({"error": {"message": message, "errorcode": code}}))
    }
}

impl From<rusqlite::Error> for OpmError {
    fn from(err: rusqlite::Error) -> Self {
        OpmError::Store(StoreError::Sqlite(err))
    }
}
