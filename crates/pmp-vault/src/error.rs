//! PMP's response envelope and its failures.
//!
//! Every outcome is HTTP 200 with
//! `{"operation":{"name":…,"result":{"status":"Success|Failed","message":…},"Details":…,"totalRows":n}}`
//! (spec §2, §3): clients that raise on a non-2xx status must never see one for a logical failure.

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::HttpResponse;
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
    /// `Details` already serialised as JSON (long lists); wins over `details`.
    pub details_json: Option<Vec<u8>>,
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

    /// Add `Details` already serialised as JSON.
    pub fn details_json(mut self, json: Vec<u8>) -> Self {
        self.details_json = Some(json);
        self
    }

    /// Add `totalRows`.
    pub fn rows(mut self, total: usize) -> Self {
        self.total_rows = Some(total);
        self
    }
}

/// `Details` of an envelope: a value, or bytes already serialised (long lists).
#[derive(Debug, Clone, Copy)]
pub enum DetailsRef<'a> {
    /// A JSON value.
    Value(&'a Value),
    /// Serialised JSON.
    Json(&'a [u8]),
}

/// Write the envelope straight to bytes: the same bytes as `envelope(..).to_string()`
/// (field order `name`, `result`, `Details`, `totalRows`), without building a map.
pub fn write_envelope(
    out: &mut Vec<u8>,
    name: &str,
    ok: bool,
    message: &str,
    details: Option<DetailsRef<'_>>,
    total_rows: Option<usize>,
) {
    // Writing strings and values into a Vec cannot fail.
    out.extend_from_slice(b"{\"operation\":{\"name\":");
    let _ = serde_json::to_writer(&mut *out, name);
    out.extend_from_slice(if ok {
        b",\"result\":{\"status\":\"Success\",\"message\":"
    } else {
        b",\"result\":{\"status\":\"Failed\",\"message\":"
    });
    let _ = serde_json::to_writer(&mut *out, message);
    out.push(b'}');
    match details {
        Some(DetailsRef::Value(value)) => {
            out.extend_from_slice(b",\"Details\":");
            let _ = serde_json::to_writer(&mut *out, value);
        }
        Some(DetailsRef::Json(json)) => {
            out.extend_from_slice(b",\"Details\":");
            out.extend_from_slice(json);
        }
        None => {}
    }
    if let Some(total) = total_rows {
        out.extend_from_slice(b",\"totalRows\":");
        out.extend_from_slice(total.to_string().as_bytes());
    }
    out.extend_from_slice(b"}}");
}

/// The envelope's bytes: the same bytes as `envelope(..).to_string()`.
pub fn envelope_bytes(
    name: &str,
    ok: bool,
    message: &str,
    details: Option<&Value>,
    total_rows: Option<usize>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_envelope(
        &mut out,
        name,
        ok,
        message,
        details.map(DetailsRef::Value),
        total_rows,
    );
    out
}

impl Reply {
    /// This success for operation `name` as envelope bytes.
    pub fn to_bytes(&self, name: &str) -> Vec<u8> {
        let details = match (&self.details_json, &self.details) {
            (Some(json), _) => Some(DetailsRef::Json(json)),
            (None, Some(value)) => Some(DetailsRef::Value(value)),
            (None, None) => None,
        };
        let extra = self.details_json.as_ref().map_or(0, Vec::len);
        let mut out = Vec::with_capacity(128 + extra);
        write_envelope(
            &mut out,
            name,
            true,
            &self.message,
            details,
            self.total_rows,
        );
        out
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
