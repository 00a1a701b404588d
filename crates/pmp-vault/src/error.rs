//! Why an operation failed, and the message texts PMP answers with.
//!
//! PMP reports every failure as HTTP 200 with `result.status` `Failed` in its envelope
//! ([`crate::wire`]); `Display` here is for logs, [`PmpError::message`] is what the client
//! reads. The texts are the ones the vendor's REST API documentation ("RESTful API" help
//! pages of Password Manager Pro) and captured responses show.

use crate::wire;
use actix_web::{HttpResponse, ResponseError};

/// Message for an unknown or missing token.
pub const MSG_BAD_TOKEN: &str =
    "API key received is not associated to any user. Authentication failed.";
/// Message for a token used from another host.
pub const MSG_WRONG_HOST: &str = "User is not allowed to access from this host";
/// Message for an expired token.
pub const MSG_EXPIRED: &str = "API key has expired. Authentication failed.";
/// Message for a locked user's token.
pub const MSG_LOCKED: &str = "User account is locked. Authentication failed.";
/// Message for a role or scope that does not allow the operation.
pub const MSG_NOT_AUTHORIZED: &str = "You are not authorized to perform this operation";
/// Message for INPUT_DATA that is missing where required or unparseable.
pub const MSG_INVALID_INPUT: &str = "Invalid input data";
/// Message for an unknown resource id.
pub const MSG_NO_RESOURCE: &str = "No such resource found";
/// Message for an unknown account id.
pub const MSG_NO_ACCOUNT: &str = "No such account found";
/// Message for an unknown user.
pub const MSG_NO_USER: &str = "No such user found";

/// Why an operation failed; `Display` is for logs, [`PmpError::message`] is what the client sees.
#[derive(Debug, thiserror::Error)]
pub enum PmpError {
    /// A logical failure with PMP's message.
    #[error("failed: {0}")]
    Failed(String),
    /// The store said no (the client sees a generic message, never SQLite text).
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
}

impl PmpError {
    /// A logical failure.
    pub fn failed(message: impl Into<String>) -> Self {
        PmpError::Failed(message.into())
    }

    /// The message the client sees.
    pub fn message(&self) -> String {
        match self {
            PmpError::Failed(m) => m.clone(),
            PmpError::Store(_) => "Internal error occurred while processing the request".into(),
        }
    }
}

/// Without its operation name (which [`wire::envelope`] supplies on every API route) a
/// failure still answers in the envelope.
impl ResponseError for PmpError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::OK
    }

    fn error_response(&self) -> HttpResponse {
        wire::failure("UNKNOWN", &self.message())
    }
}

/// `Ok` when `allowed`, else the not-authorized failure.
///
/// # Errors
/// `You are not authorized to perform this operation`.
pub fn allow(allowed: bool) -> Result<(), PmpError> {
    if allowed {
        Ok(())
    } else {
        Err(PmpError::failed(MSG_NOT_AUTHORIZED))
    }
}
