//! PMP's response envelope and its failures.
//!
//! Every outcome is HTTP 200 with
//! `{"operation":{"name":…,"result":{"status":"Success|Failed","message":…},"Details":…,"totalRows":n}}`
//! (spec §2, §3): clients that raise on a non-2xx status must never see one for a logical failure.

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::HttpResponse;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The content type PMP answers with.
pub const JSON_TYPE: &str = "application/json;charset=UTF-8";

/// Message for an unknown or missing token.
pub const MSG_BAD_TOKEN: &str =
    "API key received is not associated to any user. Authentication failed.";
/// Message for a token used from another host.
pub const MSG_WRONG_HOST: &str = "User is not allowed to access from this host";
/// Message for an expired token.
pub const MSG_EXPIRED: &str = "API key has expired. Authentication failed.";
/// Message for a role or scope that does not allow the operation.
pub const MSG_NOT_AUTHORIZED: &str = "You are not authorized to perform this operation";
/// Message for INPUT_DATA that is missing where required or unparseable.
pub const MSG_INVALID_INPUT: &str = "Invalid input data";
/// Message for an unknown resource id.
pub const MSG_NO_RESOURCE: &str = "No such resource found";
/// Message for an unknown account id.
pub const MSG_NO_ACCOUNT: &str = "No such account found";

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

/// A successful outcome before it is wrapped in the envelope.
#[derive(Debug, Default)]
pub struct Reply {
    /// `result.message`.
    pub message: String,
    /// `Details`, when there is data.
    pub details: Option<Value>,
    /// `totalRows`, on list operations.
    pub total_rows: Option<usize>,
    /// A raw response instead of the envelope (file downloads).
    pub raw: Option<HttpResponse>,
}

impl Reply {
    /// A success with only a message.
    pub fn message(message: impl Into<String>) -> Self {
        Reply {
            message: message.into(),
            ..Reply::default()
        }
    }

    /// Add `Details`.
    pub fn details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// Add `totalRows`.
    pub fn rows(mut self, total: usize) -> Self {
        self.total_rows = Some(total);
        self
    }
}

/// The envelope's shape, serialised straight to bytes (same field order and bytes as
/// [`envelope`]'s value, without building a map per response).
#[derive(Serialize)]
struct Envelope<'a> {
    operation: Operation<'a>,
}

#[derive(Serialize)]
struct Operation<'a> {
    name: &'a str,
    result: Outcome<'a>,
    #[serde(rename = "Details", skip_serializing_if = "Option::is_none")]
    details: Option<&'a Value>,
    #[serde(rename = "totalRows", skip_serializing_if = "Option::is_none")]
    total_rows: Option<usize>,
}

#[derive(Serialize)]
struct Outcome<'a> {
    status: &'static str,
    message: &'a str,
}

/// The envelope's bytes: the same bytes as `envelope(..).to_string()`.
pub fn envelope_bytes(
    name: &str,
    ok: bool,
    message: &str,
    details: Option<&Value>,
    total_rows: Option<usize>,
) -> Vec<u8> {
    let body = Envelope {
        operation: Operation {
            name,
            result: Outcome {
                status: if ok { "Success" } else { "Failed" },
                message,
            },
            details,
            total_rows,
        },
    };
    // Serialising borrowed strings and a `Value` into a Vec cannot fail.
    serde_json::to_vec(&body).unwrap_or_default()
}

impl Reply {
    /// This success for operation `name` as envelope bytes.
    pub fn to_bytes(&self, name: &str) -> Vec<u8> {
        envelope_bytes(
            name,
            true,
            &self.message,
            self.details.as_ref(),
            self.total_rows,
        )
    }
}

/// The envelope as a JSON value.
pub fn envelope(
    name: &str,
    ok: bool,
    message: &str,
    details: Option<Value>,
    total_rows: Option<usize>,
) -> Value {
    let mut op = Map::new();
    op.insert("name".into(), json!(name));
    op.insert(
        "result".into(),
        json!({"status": if ok { "Success" } else { "Failed" }, "message": message}),
    );
    if let Some(details) = details {
        op.insert("Details".into(), details);
    }
    if let Some(total) = total_rows {
        op.insert("totalRows".into(), json!(total));
    }
    json!({ "operation": op })
}

/// An HTTP 200 response carrying `body`.
pub fn respond(body: &Value) -> HttpResponse {
    respond_bytes(body.to_string().into_bytes())
}

/// An HTTP 200 JSON response carrying already serialised `bytes`.
pub fn respond_bytes(bytes: Vec<u8>) -> HttpResponse {
    let mut resp = HttpResponse::Ok().body(bytes);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
    resp
}

/// A `Failed` envelope for operation `name`.
pub fn failure(name: &str, message: &str) -> HttpResponse {
    respond_bytes(envelope_bytes(name, false, message, None, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_bytes_match_the_envelope_value() {
        let details = json!({"PASSWORD": "s\"e\u{e9}cr\\et", "LIST": [1, {"B": "x", "A": null}]});
        let cases = [
            (
                "GET PASSWORD",
                true,
                "Password fetched successfully",
                Some(details),
                None,
            ),
            ("GET RESOURCES", true, "ok", Some(json!([])), Some(0)),
            ("Authentication", false, MSG_BAD_TOKEN, None, None),
            ("X", false, "", None, Some(7)),
        ];
        for (name, ok, message, details, rows) in cases {
            let bytes = envelope_bytes(name, ok, message, details.as_ref(), rows);
            let value = envelope(name, ok, message, details, rows).to_string();
            assert_eq!(String::from_utf8(bytes).unwrap(), value);
        }
    }
}
