//! PMP's response envelope, as every REST API answer of Password Manager Pro carries it
//! ("RESTful API" help pages; captured from a real server):
//!
//! `{"operation":{"name":…,"result":{"status":"Success|Failed","message":…},"Details":…,"totalRows":n}}`
//!
//! always with HTTP 200, failures included, so clients that raise on a non-2xx status never
//! see one for a logical failure. [`Reply`] is a success before it is wrapped; the route
//! builders of `routes.rs` answer a handler's `Result<Reply, PmpError>` in this envelope
//! under the vendor's operation name.

use actix_web::body::BoxBody;
use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, Responder};
use serde_json::Value;

/// The content type PMP answers with.
pub const JSON_TYPE: &str = "application/json;charset=UTF-8";

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

    /// Add `Details` when `rows` is not empty (PMP leaves `Details` out of empty lists).
    pub fn rows_of(self, rows: Vec<Value>) -> Self {
        let reply = self.rows(rows.len());
        if rows.is_empty() {
            reply
        } else {
            reply.details(Value::Array(rows))
        }
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

    /// A raw response (a file's bytes) instead of the envelope.
    pub fn raw(resp: HttpResponse) -> Self {
        Reply {
            raw: Some(resp),
            ..Reply::default()
        }
    }

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

/// The vendor's name of the operation a request runs, put on the request by [`api`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpName(pub &'static str);

impl Responder for Reply {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        if let Some(raw) = self.raw {
            return raw;
        }
        let name = req.extensions().get::<OpName>().map_or("UNKNOWN", |n| n.0);
        respond_bytes(self.to_bytes(name))
    }
}

/// Which envelope a route answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `{"operation":{...}}` of `/restapi/json/v1`.
    Rest,
    /// `{"name":..,"result":{..},..}` of the PKI sub-API `/api/pki/restapi`.
    Pki,
}

/// A failure of operation `name` in the envelope of `style`.
pub(crate) fn failure_in(style: Style, name: &str, message: &str) -> HttpResponse {
    match style {
        Style::Rest => failure(name, message),
        Style::Pki => respond_bytes(pki_bytes(name, false, message, &[])),
    }
}

/// A success of the PKI sub-API before it is wrapped: `result.message` and the operation's
/// own top-level members (`SSLCertificates`, `SSHKeys`, a certificate id...), or a file.
#[derive(Debug, Default)]
pub struct PkiReply {
    /// `result.message`.
    pub message: String,
    /// Members after `name` and `result`, in order.
    pub members: Vec<(String, Value)>,
    /// A file instead of the envelope (certificate, keystore, private key).
    pub raw: Option<HttpResponse>,
}

impl PkiReply {
    /// A success with `message`.
    pub fn message(message: impl Into<String>) -> Self {
        PkiReply {
            message: message.into(),
            ..PkiReply::default()
        }
    }

    /// Add a top-level member.
    pub fn member(mut self, key: impl Into<String>, value: Value) -> Self {
        self.members.push((key.into(), value));
        self
    }

    /// A file instead of the envelope.
    pub fn file(resp: HttpResponse) -> Self {
        PkiReply {
            raw: Some(resp),
            ..PkiReply::default()
        }
    }
}

impl Responder for PkiReply {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        if let Some(raw) = self.raw {
            return raw;
        }
        let name = req.extensions().get::<OpName>().map_or("UNKNOWN", |n| n.0);
        respond_bytes(pki_bytes(name, true, &self.message, &self.members))
    }
}

/// The PKI envelope's bytes: `{"name":..,"result":{"status":..,"message":..},<members>}`.
pub fn pki_bytes(name: &str, ok: bool, message: &str, members: &[(String, Value)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    // Writing strings and values into a Vec cannot fail.
    out.extend_from_slice(b"{\"name\":");
    let _ = serde_json::to_writer(&mut out, name);
    out.extend_from_slice(if ok {
        b",\"result\":{\"status\":\"Success\",\"message\":"
    } else {
        b",\"result\":{\"status\":\"Failed\",\"message\":"
    });
    let _ = serde_json::to_writer(&mut out, message);
    out.push(b'}');
    for (key, value) in members {
        out.push(b',');
        let _ = serde_json::to_writer(&mut out, key);
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, value);
    }
    out.push(b'}');
    out
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

/// The envelope's bytes.
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
    use crate::error::MSG_BAD_TOKEN;
    use serde_json::{json, Map};

    /// The envelope built as a JSON value, the way a reader of the vendor's page would.
    fn envelope(
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
