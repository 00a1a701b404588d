//! Reading client input: bounded bodies, JSON objects, the token endpoint's parameters from
//! multipart/form-data, x-www-form-urlencoded or the query string (Spring reads request
//! parameters from all three), and validating the keys of a create/update body: types,
//! mandatory fields, lookups by name against the fixture's reference data (a 400 naming the
//! field), custom fields.

use crate::error::{traced, ApiError};
use crate::qual::{self, Page};
use crate::store;
use crate::wire::{CustomFieldDef, CustomFieldType, FileAttachment, Reference, Role, User};
use actix_web::error::PayloadError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::{Stream, StreamExt as _};
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::future::{ready, Ready};
use std::marker::PhantomData;

/// The largest body accepted (1 MiB).
pub const MAX_BODY: usize = 1 << 20;

/// Read the whole body, refusing more than [`MAX_BODY`] bytes.
///
/// # Errors
/// [`ApiError::TooLarge`], or [`ApiError::Validation`] if the connection broke.
pub async fn read(
    mut payload: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin,
) -> Result<Bytes, ApiError> {
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
pub async fn json_object(
    payload: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin,
) -> Result<Map<String, Value>, ApiError> {
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
pub async fn params(
    req: &HttpRequest,
    payload: impl Stream<Item = Result<Bytes, PayloadError>> + Unpin,
) -> Result<Params, ApiError> {
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

impl FromRequest for Params {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    /// The token endpoint's parameters ([`params`]); a refusal is noted in the journal.
    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move { traced(&req, params(&req, payload).await) })
    }
}

/// A JSON object body (create and PATCH), read after the caller and path ids were accepted.
pub struct JsonBody(pub Map<String, Value>);

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move { traced(&req, json_object(payload).await).map(JsonBody) })
    }
}

/// A `search/byqual` call: the page from the query string (`offset`, `size`), then the
/// qualification from the body.
pub struct Search {
    /// Which slice of the matches.
    pub page: Page,
    /// The qualification.
    pub query: qual::Query,
}

impl FromRequest for Search {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let (req, payload) = (req.clone(), payload.take());
        Box::pin(async move {
            let page = traced(&req, Page::from_query(req.query_string()))?;
            let bytes = traced(&req, read(payload).await)?;
            let query = traced(&req, qual::Query::from_body(&bytes))?;
            Ok(Search { page, query })
        })
    }
}

/// What a path id names: the start of its 404 message, and its path parameter.
pub trait Scope {
    /// "Request", "Change": an unparsable id is "<label> with id <raw> not found".
    const LABEL: &'static str;
    /// The path parameter holding the id.
    const PARAM: &'static str = "id";
}

/// A numeric path id of scope `S`; a non-number is a 404 naming it, as for an unknown id.
pub struct Id<S>(pub i64, PhantomData<S>);

impl<S: Scope + 'static> FromRequest for Id<S> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    // Parsed when polled, after the extractors before it succeeded, so the journal notes the
    // refusal the client sees.
    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let raw = path_param(&req, S::PARAM);
            traced(&req, parse_id(S::LABEL, &raw)).map(|id| Id(id, PhantomData))
        })
    }
}

/// A path segment as sent (after percent-decoding), such as `{refFileName}`.
pub struct Segment<S>(pub String, PhantomData<S>);

impl<S: Scope + 'static> FromRequest for Segment<S> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(Segment(path_param(req, S::PARAM), PhantomData)))
    }
}

/// Path parameter `name`, percent-decoded as actix's `Path` extractor decodes it.
fn path_param(req: &HttpRequest, name: &str) -> String {
    let raw = req.match_info().get(name).unwrap_or_default();
    auth_core::credentials::percent_decode(raw).into_owned()
}

/// Incidents and service requests, under `/api/v1/request/{id}`.
pub enum RequestScope {}
impl Scope for RequestScope {
    const LABEL: &'static str = "Request";
}

/// Service requests, under `/api/v1/service_catalog/servicerequest/{id}`.
pub enum ServiceRequestScope {}
impl Scope for ServiceRequestScope {
    const LABEL: &'static str = "Service Request";
}

impl Scope for crate::wire::Change {
    const LABEL: &'static str = "Change";
}

impl Scope for crate::wire::Asset {
    const LABEL: &'static str = "Asset";
}

/// A conversation of a request or change: `{conversationId}`.
pub enum ConversationScope {}
impl Scope for ConversationScope {
    const LABEL: &'static str = "Conversation";
    const PARAM: &'static str = "conversationId";
}

/// An attachment's stored name: `{refFileName}`.
pub enum RefFileName {}
impl Scope for RefFileName {
    const LABEL: &'static str = "Attachment";
    const PARAM: &'static str = "refFileName";
}

/// The boundaries a multipart body may use: every `boundary=` of the Content-Type header, then
/// the body's first line.
///
/// Clients copied from the vendor's example send `boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW`
/// in the header while curl appends its own `boundary=` and writes that one into the body, so
/// the header alone cannot be trusted.
///
/// Each candidate costs a search of the body, so only the first [`MAX_BOUNDARIES`] distinct
/// ones of the header are tried: a header repeating `boundary=` thousands of times must not
/// multiply the body's cost.
fn boundaries(content_type: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let declared = content_type.split(';').filter_map(|p| {
        let (key, value) = p.trim().split_once('=')?;
        key.eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"'))
            .filter(|b| !b.is_empty())
    });
    for b in declared {
        if out.len() == MAX_BOUNDARIES {
            break;
        }
        if !out.iter().any(|o| o == b) {
            out.push(b.to_owned());
        }
    }
    let first_line = text.trim_start_matches(['\r', '\n']).split("\r\n").next();
    if let Some(b) = first_line.and_then(|l| l.strip_prefix("--")) {
        out.push(b.trim_end().to_owned());
    }
    out
}

/// Most `boundary=` parameters of a Content-Type header tried (real clients send one).
const MAX_BOUNDARIES: usize = 4;

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
mod reading_tests {
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

/// What a body is validated against, read in the same transaction as the write.
pub struct Lookups<'c> {
    conn: &'c Connection,
    /// Reference data.
    pub reference: Reference,
    /// Custom field definitions.
    pub custom_fields: Vec<CustomFieldDef>,
}

/// A `400 validation_failed` naming `field`.
pub fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::Validation(format!("{field}: {why}"))
}

/// A `400 validation_failed`: `field is required`.
pub fn required(field: &str) -> ApiError {
    ApiError::Validation(format!("{field} is required"))
}

impl<'c> Lookups<'c> {
    /// Read the reference data and custom fields.
    ///
    /// # Errors
    /// Store errors.
    pub fn load(conn: &'c Connection) -> Result<Self, rusqlite::Error> {
        Ok(Lookups {
            conn,
            reference: store::config(conn, "reference")?,
            custom_fields: store::config(conn, "customFields")?,
        })
    }

    /// The user `login` names (e-mail or logon name), or a 400 naming `field`.
    ///
    /// # Errors
    /// [`ApiError::Validation`] for an unknown user.
    pub fn user(&self, field: &str, login: &str) -> Result<User, ApiError> {
        store::find_user_by_login(self.conn, login)?
            .ok_or_else(|| invalid(field, &format!("no user {login:?}")))
    }

    /// A technician (or admin) for `assigneeEmail`.
    ///
    /// # Errors
    /// [`ApiError::Validation`] for an unknown user or a requester.
    pub fn technician(&self, field: &str, login: &str) -> Result<User, ApiError> {
        let user = self.user(field, login)?;
        if user.role == Role::Requester {
            return Err(invalid(field, &format!("{login:?} is not a technician")));
        }
        Ok(user)
    }

    /// The canonical spelling of `value` in the reference list `list`, or a 400 naming
    /// `field`.
    ///
    /// # Errors
    /// [`ApiError::Validation`] for a value not in the list.
    pub fn name(&self, field: &str, list: &[String], value: &str) -> Result<String, ApiError> {
        list.iter()
            .find(|known| known.eq_ignore_ascii_case(value))
            .cloned()
            .ok_or_else(|| invalid(field, &format!("{value:?} does not exist")))
    }

    /// The custom fields of a new object: defaults, overridden by `given`.
    ///
    /// # Errors
    /// [`ApiError::Validation`] naming the bad field.
    pub fn custom_fields(
        &self,
        current: Option<&Map<String, Value>>,
        given: Option<&Value>,
    ) -> Result<Map<String, Value>, ApiError> {
        let mut out = Map::new();
        for def in &self.custom_fields {
            let value = current
                .and_then(|c| c.get(&def.name))
                .cloned()
                .unwrap_or_else(|| def.default_value());
            out.insert(def.name.clone(), value);
        }
        let Some(given) = given else {
            return Ok(out);
        };
        let given = given
            .as_object()
            .ok_or_else(|| invalid("customField", "must be an object"))?;
        for (label, value) in given {
            let def = self
                .custom_fields
                .iter()
                .find(|d| &d.name == label)
                .ok_or_else(|| invalid("customField", &format!("no custom field {label:?}")))?;
            out.insert(label.clone(), custom_value(def, value)?);
        }
        Ok(out)
    }
}

fn custom_value(def: &CustomFieldDef, value: &Value) -> Result<Value, ApiError> {
    let field = format!("customField.{}", def.name);
    let bad = |why: &str| invalid(&field, why);
    match def.kind {
        CustomFieldType::Text => value
            .as_str()
            .map(Value::from)
            .ok_or_else(|| bad("must be a string")),
        CustomFieldType::Number => value
            .as_f64()
            .map(Value::from)
            .ok_or_else(|| bad("must be a number")),
        CustomFieldType::Datetime => value
            .as_i64()
            .map(Value::from)
            .ok_or_else(|| bad("must be epoch milliseconds")),
        CustomFieldType::MultiSelect | CustomFieldType::Checkbox => {
            let items = value.as_array().ok_or_else(|| bad("must be a list"))?;
            let mut out = Vec::new();
            for item in items {
                let text = item
                    .as_str()
                    .ok_or_else(|| bad("must be a list of strings"))?;
                if !def.options.iter().any(|o| o == text) {
                    return Err(bad(&format!("{text:?} is not an option")));
                }
                out.push(Value::from(text));
            }
            Ok(Value::Array(out))
        }
    }
}

/// Typed access to the keys of a JSON body; a key sent as `null` counts as absent.
pub struct Body<'a>(pub &'a Map<String, Value>);

impl<'a> Body<'a> {
    fn present(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// Whether `key` was sent (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// A string key.
    ///
    /// # Errors
    /// [`ApiError::Validation`] if it is not a string.
    pub fn string(&self, key: &str) -> Result<Option<&'a str>, ApiError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(invalid(key, "must be a string")),
        }
    }

    /// A mandatory non-blank string key.
    ///
    /// # Errors
    /// [`ApiError::Validation`]: `key is required`, or a wrong type.
    pub fn required(&self, key: &str) -> Result<&'a str, ApiError> {
        match self.string(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(required(key)),
        }
    }

    /// A boolean key.
    ///
    /// # Errors
    /// [`ApiError::Validation`] if it is not a boolean.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(invalid(key, "must be a boolean")),
        }
    }

    /// An integer key (epoch milliseconds).
    ///
    /// # Errors
    /// [`ApiError::Validation`] if it is not an integer.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.present(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| invalid(key, "must be an integer")),
        }
    }

    /// A list of strings.
    ///
    /// # Errors
    /// [`ApiError::Validation`] if it is not a list of strings.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| invalid(key, "must be a list of strings"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(invalid(key, "must be a list of strings")),
        }
    }

    /// `fileAttachments`.
    ///
    /// # Errors
    /// [`ApiError::Validation`] if it is not a list of `{refFileName, realName}`.
    pub fn attachments(&self, key: &str) -> Result<Option<Vec<FileAttachment>>, ApiError> {
        match self.present(key) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone())
                .map(Some)
                .map_err(|_| invalid(key, "must be a list of {refFileName, realName}")),
        }
    }

    /// A raw value (custom fields).
    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.present(key)
    }
}

/// Set a mandatory name with a default (`priorityName`) from `body`, validated against `list`.
///
/// # Errors
/// [`ApiError::Validation`] naming the key.
pub fn set_name(
    lookups: &Lookups<'_>,
    body: &Body<'_>,
    key: &str,
    list: &[String],
    slot: &mut String,
) -> Result<(), ApiError> {
    if let Some(value) = body.string(key)? {
        *slot = lookups.name(key, list, value)?;
    }
    Ok(())
}

/// Set (or with `null`, clear) an optional name (`locationName`) validated against `list`.
///
/// # Errors
/// [`ApiError::Validation`] naming the key.
pub fn set_optional_name(
    lookups: &Lookups<'_>,
    body: &Body<'_>,
    key: &str,
    list: &[String],
    slot: &mut Option<String>,
) -> Result<(), ApiError> {
    if body.has(key) {
        *slot = match body.string(key)? {
            Some(value) => Some(lookups.name(key, list, value)?),
            None => None,
        };
    }
    Ok(())
}

/// Set (or clear) an optional user reference (`assigneeEmail`, `usedByEmail`) to the user's
/// e-mail; `technician` requires a technician or admin.
///
/// # Errors
/// [`ApiError::Validation`] naming the key.
pub fn set_user(
    lookups: &Lookups<'_>,
    body: &Body<'_>,
    key: &str,
    technician: bool,
    slot: &mut Option<String>,
) -> Result<(), ApiError> {
    if body.has(key) {
        *slot = match body.string(key)? {
            Some(login) if technician => Some(lookups.technician(key, login)?.email),
            Some(login) => Some(lookups.user(key, login)?.email),
            None => None,
        };
    }
    Ok(())
}

/// Set (or clear) an optional free-text key.
///
/// # Errors
/// [`ApiError::Validation`] if it is not a string.
pub fn set_text(body: &Body<'_>, key: &str, slot: &mut Option<String>) -> Result<(), ApiError> {
    if body.has(key) {
        *slot = body.string(key)?.map(str::to_owned);
    }
    Ok(())
}

/// Plain text of an HTML description: tags dropped, common entities decoded.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        let opens_tag = chars
            .peek()
            .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!');
        match c {
            '<' if opens_tag => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod validation_tests {
    use super::*;

    #[test]
    fn html_descriptions_become_plain_text() {
        assert_eq!(
            plain_text("<p>Mail is <b>down</b> &amp; out</p>"),
            "Mail is down & out"
        );
        assert_eq!(plain_text("a < b"), "a < b");
    }
}

/// Parse a path id; anything that is not a number is an unknown entity.
pub fn parse_id(kind_label: &str, raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::NotFound(format!("{kind_label} with id {raw} not found")))
}
