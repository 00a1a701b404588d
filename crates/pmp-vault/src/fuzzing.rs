//! Entry points for fuzz targets and micro-benchmarks: thin wrappers over the functions that
//! read client bytes (and the envelope writer), with no behaviour of their own.
//!
//! Not an API: names and signatures follow the fuzz targets' needs.

use crate::error::PmpError;
use crate::input::Input;
use crate::lenient::ParseError;
use crate::wire::{envelope_bytes, Reply};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::Uri;
use actix_web::test::TestRequest;
use actix_web::web::Bytes;
use futures_util::FutureExt as _;
use serde_json::{json, Map, Value};

/// The lenient INPUT_DATA reader (`crate::lenient::parse`).
///
/// # Errors
/// Where reading stopped.
pub fn lenient(text: &str) -> Result<Value, ParseError> {
    crate::lenient::parse(text)
}

/// `operation.Details` of an INPUT_DATA value, as a handler reads it (`Input::details`).
///
/// # Errors
/// `Invalid input data`.
pub fn input_data(text: &str) -> Result<Option<Map<String, Value>>, PmpError> {
    let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    Input::from_parts("", format!("INPUT_DATA={encoded}").as_bytes()).details()
}

/// The custom fields a `CREATE RESOURCE` would store from INPUT_DATA `text`: its
/// `RESOURCECUSTOMFIELD` array read and merged as the handler does
/// (`accounts::merge_fields`); the number of fields.
///
/// # Errors
/// `Invalid input data`, or the custom-field limit message.
pub fn custom_fields(text: &str) -> Result<usize, PmpError> {
    let details = input_data(text)?.unwrap_or_default();
    let fields =
        crate::accounts::merge_fields(&[], crate::input::array(&details, "RESOURCECUSTOMFIELD"))?;
    Ok(fields.len())
}

/// Parameters of a query string (servlet decoding: `+` is a space, bad escapes kept).
pub fn query(text: &str) -> Input {
    Input::from_parts(text, b"")
}

/// Parameters of a form body, read whatever the Content-Type.
pub fn form(body: &[u8]) -> Input {
    Input::from_parts("", body)
}

/// A request's input from raw parts, as `crate::input::read` decodes them: the first line
/// of `data` is the Content-Type header value (`multipart/form-data; boundary=...` selects
/// multipart), the rest is the body.
///
/// # Errors
/// `Invalid input data` for a malformed multipart body.
pub fn body(data: &[u8]) -> Result<Input, PmpError> {
    let (content_type, body) = split_line(data);
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    let body = Bytes::copy_from_slice(body);
    // The body is one ready chunk, so decoding never waits.
    crate::input::parse(&headers, "", body)
        .now_or_never()
        .unwrap_or_else(|| Err(PmpError::failed(crate::error::MSG_INVALID_INPUT)))
}

/// The AUTHTOKEN a request presents (`crate::auth::token`: header, query, form, then `APP_AUTHTOKEN`) and the cheap
/// principal hint (`crate::auth::token_hint`). `data` is three lines: the raw `AUTHTOKEN`
/// header value (no header when empty), the query string, then the form body.
pub fn authtoken(data: &[u8]) -> (Option<String>, Option<String>) {
    let (header, rest) = split_line(data);
    let (query, body) = split_line(rest);
    let mut req = TestRequest::default();
    if !header.is_empty() {
        if let Ok(value) = HeaderValue::from_bytes(header) {
            req = req.insert_header((HeaderName::from_static("authtoken"), value));
        }
    }
    let query = String::from_utf8_lossy(query);
    let uri = format!("/?{query}");
    if Uri::try_from(uri.as_str()).is_ok() {
        req = req.uri(&uri);
    }
    let req = req.to_http_request();
    let input = Input::from_parts(req.query_string(), body);
    (
        crate::auth::token(&req, &input),
        crate::auth::token_hint(&req),
    )
}

/// A numeric id from path text (`crate::request::parse_id`).
pub fn path_id(text: &str) -> Option<i64> {
    crate::request::parse_id(text)
}

/// The envelope's bytes (`crate::wire::envelope_bytes`).
pub fn envelope(
    name: &str,
    ok: bool,
    message: &str,
    details: Option<&Value>,
    total_rows: Option<usize>,
) -> Vec<u8> {
    envelope_bytes(name, ok, message, details, total_rows)
}

/// A success reply's envelope bytes (`Reply::to_bytes`).
pub fn reply(reply: &Reply, name: &str) -> Vec<u8> {
    reply.to_bytes(name)
}

/// The exact body of a successful `GET PASSWORD`.
pub fn password_reply(password: &str) -> Vec<u8> {
    Reply::message("Password fetched successfully")
        .details(json!({ "PASSWORD": password }))
        .to_bytes("GET PASSWORD")
}

fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_read_what_handlers_read() {
        let d = input_data("{'operation': {'Details': {'REASON': 'x'}}}")
            .unwrap()
            .unwrap();
        assert_eq!(d["REASON"], "x");
        assert_eq!(query("A=x+y").param("A"), Some("x y"));
        assert_eq!(form(b"A=%zz").param("a"), Some("%zz"));
        let multi = b"multipart/form-data; boundary=XB\n--XB\r\nContent-Disposition: form-data; name=\"A\"\r\n\r\n1\r\n--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\r\nhi\r\n--XB--\r\n";
        let input = body(multi).unwrap();
        assert_eq!(input.param("A"), Some("1"));
        assert_eq!(
            input.file.as_ref().map(|f| f.bytes.as_slice()),
            Some(&b"hi"[..])
        );
        assert_eq!(body(b"text/json\nB=2").unwrap().param("B"), Some("2"));
        let (token, hint) = authtoken(b" T1 \nAUTHTOKEN=T2\nAUTHTOKEN=T3");
        assert_eq!(
            (token.as_deref(), hint.as_deref()),
            (Some("T1"), Some("T1"))
        );
        let (token, hint) = authtoken(b"\n\nAPP_AUTHTOKEN=T3");
        assert_eq!((token.as_deref(), hint), (Some("T3"), None));
        assert_eq!(authtoken(b"\xff\n%%%\x00\n").0, None);
        assert_eq!(path_id(" 7 "), Some(7));
        let bytes = password_reply("p\"w");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"operation":{"name":"GET PASSWORD","result":{"status":"Success","message":"Password fetched successfully"},"Details":{"PASSWORD":"p\"w"}}}"#
        );
    }
}
