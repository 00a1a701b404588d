//! Reading a PMP request: parameters from the query and the body, INPUT_DATA and file uploads.
//!
//! As the vendor's clients send it (pypmp, passwordmanpro-cli), the body is read as `application/x-www-form-urlencoded` whatever the
//! Content-Type says (`text/json`, none, form), unless it is `multipart/form-data`; query
//! parameters come first. Decoding is a servlet container's (`+` is a space, bad `%` escapes
//! kept literally). INPUT_DATA is parsed with the [lenient](crate::lenient) reader.

use crate::error::{PmpError, MSG_INVALID_INPUT};
use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, HttpRequest};
use futures_util::StreamExt as _;
use serde_json::{Map, Value};

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name the client gave.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Everything a request carried besides its path.
#[derive(Debug, Default)]
pub struct Input {
    params: Vec<(String, String)>,
    /// A file part of a multipart body.
    pub file: Option<Upload>,
}

impl Input {
    /// Parameters from a query string and a form-encoded body.
    pub fn from_parts(query: &str, body: &[u8]) -> Input {
        let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        params.extend(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())));
        Input { params, file: None }
    }

    /// The first value of parameter `name` (exact name first, then any case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .or_else(|| {
                self.params
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.as_str())
    }

    /// `operation.Details` of INPUT_DATA: `Ok(None)` when INPUT_DATA is absent, blank or an
    /// object without `Details`.
    ///
    /// # Errors
    /// `Invalid input data` when INPUT_DATA does not parse or has no `operation.Details`.
    pub fn details(&self) -> Result<Option<Map<String, Value>>, PmpError> {
        let Some(raw) = self.param("INPUT_DATA") else {
            return Ok(None);
        };
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let doc = crate::lenient::parse(raw).map_err(|_| PmpError::failed(MSG_INVALID_INPUT))?;
        let details = get_ci(&doc, "operation")
            .and_then(|op| get_ci(op, "Details"))
            .or_else(|| get_ci(&doc, "Details"));
        match details {
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            None if doc.is_object() => Ok(None),
            _ => Err(PmpError::failed(MSG_INVALID_INPUT)),
        }
    }

    /// Like [`Input::details`] but INPUT_DATA is mandatory.
    ///
    /// # Errors
    /// `Invalid input data` when it is absent or bad.
    pub fn require_details(&self) -> Result<Map<String, Value>, PmpError> {
        self.details()?
            .ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))
    }
}

fn get_ci<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let map = value.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A field of `Details` as text (scalars only; `null` and missing read as `None`).
pub fn text(details: &Map<String, Value>, key: &str) -> Option<String> {
    let value = details.get(key).or_else(|| {
        details
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })?;
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A non-blank field of `Details`, trimmed.
pub fn nonblank(details: &Map<String, Value>, key: &str) -> Option<String> {
    text(details, key)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// A field of `Details` read as a flag (`"true"`, any case).
pub fn flag(details: &Map<String, Value>, key: &str) -> bool {
    text(details, key).is_some_and(|s| s.trim().eq_ignore_ascii_case("true"))
}

/// An array field of `Details`.
pub fn array<'a>(details: &'a Map<String, Value>, key: &str) -> Option<&'a Vec<Value>> {
    details
        .get(key)
        .or_else(|| {
            details
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .and_then(Value::as_array)
}

/// Read the body (at most `limit` bytes) and the query into an [`Input`].
///
/// # Errors
/// A failure message when the body is too large or a multipart body is malformed.
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<Input, PmpError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| PmpError::failed(MSG_INVALID_INPUT))?;
        if body.len() + chunk.len() > limit {
            return Err(PmpError::failed(format!(
                "Request size exceeds the allowed limit of {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    parse(req.headers(), req.query_string(), body.freeze()).await
}

/// An [`Input`] from the request's headers, query string and whole body: multipart when the
/// Content-Type says so, else a form body whatever the Content-Type.
///
/// # Errors
/// `Invalid input data` for a malformed multipart body.
pub async fn parse(headers: &HeaderMap, query: &str, body: Bytes) -> Result<Input, PmpError> {
    let is_multipart = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if is_multipart {
        multipart(headers, query, body).await
    } else {
        Ok(Input::from_parts(query, &body))
    }
}

async fn multipart(headers: &HeaderMap, query: &str, body: Bytes) -> Result<Input, PmpError> {
    let bad = || PmpError::failed(MSG_INVALID_INPUT);
    let stream =
        futures_util::stream::once(
            async move { Ok::<Bytes, actix_web::error::PayloadError>(body) },
        );
    let mut parts = actix_multipart::Multipart::new(headers, stream);
    let mut input = Input::from_parts(query, b"");
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(|_| bad())?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            bytes.extend_from_slice(&chunk.map_err(|_| bad())?);
        }
        match file_name {
            Some(file_name) if input.file.is_none() => {
                input.file = Some(Upload {
                    name: file_name,
                    bytes,
                });
            }
            Some(_) => {}
            None => input
                .params
                .push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_comes_before_body_and_plus_is_a_space() {
        let input = Input::from_parts("A=1&B=x+y", b"A=2&C=%zz");
        assert_eq!(input.param("A"), Some("1"));
        assert_eq!(input.param("B"), Some("x y"));
        assert_eq!(input.param("C"), Some("%zz"));
        assert_eq!(input.param("c"), Some("%zz"));
    }

    #[test]
    fn raw_curl_bodies_and_python_reprs_give_details() {
        let raw = br#"INPUT_DATA={"operation":{"Details":{"REASON":"Need it","TICKETID":"7"}}}"#;
        let d = Input::from_parts("", raw).require_details().unwrap();
        assert_eq!(text(&d, "REASON").as_deref(), Some("Need it"));
        let py = b"INPUT_DATA={'operation': {'Details': {'ISAPIUSER': True}}}";
        let d = Input::from_parts("", py).require_details().unwrap();
        assert!(flag(&d, "ISAPIUSER"));
    }

    #[test]
    fn missing_or_bad_input_data() {
        assert!(Input::from_parts("", b"").details().unwrap().is_none());
        assert!(Input::from_parts("", b"").require_details().is_err());
        assert!(Input::from_parts("INPUT_DATA={oops", b"")
            .details()
            .is_err());
        let no_details = Input::from_parts("INPUT_DATA={\"x\":1}", b"");
        assert!(no_details.details().unwrap().is_none());
        assert!(no_details.require_details().is_err());
        assert!(Input::from_parts("INPUT_DATA=[1]", b"").details().is_err());
        let bad = "INPUT_DATA={\"operation\":{\"Details\":\"x\"}}";
        assert!(Input::from_parts(bad, b"").details().is_err());
    }
}
