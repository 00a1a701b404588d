//! Request bodies: bounded reading, JSON objects, and the token endpoint's parameters from
//! multipart/form-data, x-www-form-urlencoded or the query string (Spring reads request
//! parameters from all three).

use crate::error::ApiError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::HttpRequest;
use futures_util::StreamExt as _;
use serde_json::{Map, Value};

/// The largest body accepted (1 MiB).
pub const MAX_BODY: usize = 1 << 20;

/// Read the whole body, refusing more than [`MAX_BODY`] bytes.
///
/// # Errors
/// [`ApiError::TooLarge`], or [`ApiError::Validation`] if the connection broke.
pub async fn read(mut payload: Payload) -> Result<Bytes, ApiError> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::Validation("Request body is unreadable".into()))?;
        if buf.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// Read the body as a JSON object.
///
/// # Errors
/// [`ApiError::Validation`] for anything that is not a JSON object.
pub async fn json_object(payload: Payload) -> Result<Map<String, Value>, ApiError> {
    parse_object(&read(payload).await?)
}

/// Parse `bytes` as a JSON object.
///
/// # Errors
/// [`ApiError::Validation`] for anything that is not a JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::Validation(
            "Request body must be a JSON object".into(),
        )),
        Err(e) => Err(ApiError::Validation(format!(
            "Request body is not valid JSON: {e}"
        ))),
    }
}

/// Request parameters in the order Spring sees them: query string first, then the body.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The token endpoint's parameters.
///
/// # Errors
/// [`ApiError::TooLarge`] for a huge body, `invalid_request` for a broken multipart body.
pub async fn params(req: &HttpRequest, payload: Payload) -> Result<Params, ApiError> {
    let body = read(payload).await?;
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    parse_params(req.query_string(), content_type, &body)
}

/// The parameters of the query string `query`, then of `body` as `content_type` says.
///
/// # Errors
/// `invalid_request` for a broken multipart body.
pub fn parse_params(query: &str, content_type: &str, body: &[u8]) -> Result<Params, ApiError> {
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("multipart/form-data") {
        params.extend(multipart(content_type, body).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_request",
                "Failed to parse multipart servlet request",
            )
        })?);
    } else if lower.starts_with("application/x-www-form-urlencoded") {
        params.extend(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())));
    }
    Ok(Params(params))
}

/// The boundaries a multipart body may use: every `boundary=` of the Content-Type header, then
/// the body's first line.
///
/// Clients copied from the vendor's example send `boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW`
/// in the header while curl appends its own `boundary=` and writes that one into the body, so
/// the header alone cannot be trusted.
fn boundaries(content_type: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = content_type
        .split(';')
        .filter_map(|p| {
            let (key, value) = p.trim().split_once('=')?;
            key.eq_ignore_ascii_case("boundary")
                .then(|| value.trim().trim_matches('"').to_owned())
        })
        .filter(|b| !b.is_empty())
        .collect();
    let first_line = text.trim_start_matches(['\r', '\n']).split("\r\n").next();
    if let Some(b) = first_line.and_then(|l| l.strip_prefix("--")) {
        out.push(b.trim_end().to_owned());
    }
    out
}

/// The text fields of a multipart/form-data body (RFC 7578), using the first candidate
/// boundary that delimits the body. `None` if the body is not multipart at all.
pub fn multipart(content_type: &str, body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = String::from_utf8_lossy(body);
    let boundary = boundaries(content_type, &text).into_iter().find(|b| {
        !b.is_empty()
            && (text.starts_with(&format!("--{b}\r\n")) || text.contains(&format!("\r\n--{b}\r\n")))
    })?;
    let delimiter = format!("--{boundary}");
    let mut fields = Vec::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n")?;
        let (headers, value) = part.split_once("\r\n\r\n")?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        if let Some(name) = field_name(headers) {
            fields.push((name, value.to_owned()));
        }
    }
    Some(fields)
}

/// The `name` of a part's `Content-Disposition: form-data; name="..."` header.
fn field_name(headers: &str) -> Option<String> {
    let disposition = headers.split("\r\n").find(|h| {
        h.get(..20)
            .is_some_and(|p| p.eq_ignore_ascii_case("content-disposition:"))
    })?;
    disposition.split(';').skip(1).find_map(|param| {
        let (key, value) = param.trim().split_once('=')?;
        key.eq_ignore_ascii_case("name")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_fields_are_read_with_the_bodys_own_boundary() {
        let body = "--xyz\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\ntim@acme.com\r\n--xyz\r\ncontent-disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--xyz--\r\n";
        let fields = multipart("multipart/form-data; boundary=other", body.as_bytes()).unwrap();
        assert_eq!(
            fields,
            vec![
                ("username".to_owned(), "tim@acme.com".to_owned()),
                ("grant_type".to_owned(), "password".to_owned())
            ]
        );
    }

    #[test]
    fn a_preamble_is_skipped_with_the_headers_boundary() {
        let body =
            "preamble\r\n--b1\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b1--\r\n";
        let fields = multipart("multipart/form-data; boundary=\"b1\"", body.as_bytes()).unwrap();
        assert_eq!(fields, vec![("a".to_owned(), "1".to_owned())]);
    }

    #[test]
    fn garbage_is_not_multipart() {
        let ct = "multipart/form-data; boundary=b";
        assert!(multipart(ct, b"username=tim").is_none());
        assert!(multipart(ct, b"--b\r\nno headers end").is_none());
        assert!(multipart(ct, b"").is_none());
    }
}
