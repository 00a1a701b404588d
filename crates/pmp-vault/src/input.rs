//! Reading a PMP request: parameters from the query and the body, INPUT_DATA and file uploads.
//!
//! As the vendor's clients send it (pypmp, passwordmanpro-cli), the body is read as `application/x-www-form-urlencoded` whatever the
//! Content-Type says (`text/json`, none, form), unless it is `multipart/form-data`; query
//! parameters come first. Decoding is a servlet container's (`+` is a space, bad `%` escapes
//! kept literally). INPUT_DATA is parsed with the [lenient](crate::lenient) reader, once per
//! request, with the custom-field arrays capped while they are read ([`CUSTOM_FIELDS`]).
//!
//! Every step is linear in the body's size. A body larger than [`BLOCKING_THRESHOLD`] is
//! decoded, INPUT_DATA included, on actix's blocking pool (`web::block`), so one large request
//! never holds up the async worker serving other connections.

use crate::error::{PmpError, MSG_INVALID_INPUT};
use crate::lenient::Cap;
use crate::state::MAX_CUSTOM_FIELDS;
use actix_web::http::header::{HeaderMap, CONTENT_TYPE};
use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, HttpRequest};
use futures_util::{FutureExt as _, StreamExt as _};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// Bodies longer than this (64 KiB) are decoded on the blocking pool.
pub const BLOCKING_THRESHOLD: usize = 64 * 1024;

/// The custom-field arrays of INPUT_DATA (`RESOURCECUSTOMFIELD`, `ACCOUNTCUSTOMFIELD`, any
/// case, at any depth, e.g. inside `ACCOUNTLIST`), capped at [`MAX_CUSTOM_FIELDS`] distinct
/// labels while INPUT_DATA is read: an array of 100,000 fields keeps 21, which is enough for
/// `merge_fields` (accounts) to give the same answer ("Custom fields limit exceeded",
/// or `Invalid input data` for a field without a label) as the whole array would.
pub const CUSTOM_FIELDS: Cap<'static> = Cap {
    applies: &is_custom_field_array,
    key_of: &custom_label,
    limit: MAX_CUSTOM_FIELDS,
};

fn is_custom_field_array(key: &str) -> bool {
    key.eq_ignore_ascii_case("RESOURCECUSTOMFIELD")
        || key.eq_ignore_ascii_case("ACCOUNTCUSTOMFIELD")
}

/// A custom field's label as `merge_fields` (accounts) reads it: `CUSTOMLABEL`, else
/// `CUSTOMFIELDLABEL`, non-blank and trimmed; `None` for an entry that is not an object.
pub fn custom_label(item: &Value) -> Option<String> {
    let map = item.as_object()?;
    nonblank(map, "CUSTOMLABEL").or_else(|| nonblank(map, "CUSTOMFIELDLABEL"))
}

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
    /// `operation.Details` of INPUT_DATA, read once (`Err`: it does not parse).
    details: OnceLock<Result<Option<Map<String, Value>>, ()>>,
}

impl Input {
    /// Parameters from a query string and a form-encoded body.
    pub fn from_parts(query: &str, body: &[u8]) -> Input {
        let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        params.extend(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())));
        Input {
            params,
            ..Input::default()
        }
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
        self.details
            .get_or_init(|| self.read_details())
            .clone()
            .map_err(|()| PmpError::failed(MSG_INVALID_INPUT))
    }

    fn read_details(&self) -> Result<Option<Map<String, Value>>, ()> {
        let Some(raw) = self.param("INPUT_DATA") else {
            return Ok(None);
        };
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let mut doc = crate::lenient::parse_capped(raw, &CUSTOM_FIELDS).map_err(|_| ())?;
        if !doc.is_object() {
            return Err(());
        }
        let details = take_ci(&mut doc, "operation")
            .and_then(|mut op| take_ci(&mut op, "Details"))
            .or_else(|| take_ci(&mut doc, "Details"));
        match details {
            Some(Value::Object(map)) => Ok(Some(map)),
            None => Ok(None),
            _ => Err(()),
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

/// Take `key` out of an object (exact name first, then any case).
fn take_ci(value: &mut Value, key: &str) -> Option<Value> {
    let map = value.as_object_mut()?;
    let name = if map.contains_key(key) {
        key.to_owned()
    } else {
        map.keys().find(|k| k.eq_ignore_ascii_case(key))?.clone()
    };
    map.get_mut(&name).map(Value::take)
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

/// Read the body (at most `limit` bytes) and the query into an [`Input`], INPUT_DATA read;
/// a body over [`BLOCKING_THRESHOLD`] is decoded on the blocking pool.
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
    let body = body.freeze();
    if body.len() <= BLOCKING_THRESHOLD {
        return decode(req.headers(), req.query_string(), body);
    }
    let (headers, query) = (req.headers().clone(), req.query_string().to_owned());
    web::block(move || decode(&headers, &query, body))
        .await
        .map_err(|_| PmpError::failed(MSG_INVALID_INPUT))?
}

/// [`parse`], then INPUT_DATA read (and kept) so handlers never parse it themselves.
fn decode(headers: &HeaderMap, query: &str, body: Bytes) -> Result<Input, PmpError> {
    // The body is one ready chunk, so decoding never waits.
    let input = parse(headers, query, body)
        .now_or_never()
        .unwrap_or_else(|| Err(PmpError::failed(MSG_INVALID_INPUT)))?;
    let _ = input.details.get_or_init(|| input.read_details());
    Ok(input)
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
