//! The wire conventions of the public API (spec §1): query parameters, Jackson-style JSON
//! (alphabetical keys, compact by default, `pretty=true` in `DefaultPrettyPrinter` style),
//! `envelope=true`, the list envelope with its `links`, and the response headers.

use crate::error::ApiError;
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

/// Base path of the public API.
pub const BASE: &str = "/api/public/v1.0";
/// The service-version header Ops Manager adds to its responses (S3b).
pub const SERVICE_VERSION_HEADER: &str = "x-mongodb-service-version";
/// Default `itemsPerPage`.
pub const DEFAULT_ITEMS_PER_PAGE: u64 = 100;
/// Largest `itemsPerPage` (current docs).
pub const MAX_ITEMS_PER_PAGE: u64 = 500;

/// The raw query as `(name, value)` pairs, decoded, in order.
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The last value of query parameter `name`.
pub fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k == name)
        .last()
        .map(|(_, v)| v.into_owned())
}

/// Every value of query parameter `name`, in order.
pub fn query_values(req: &HttpRequest, name: &str) -> Vec<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// How the response body is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Format {
    /// `pretty=true`.
    pub pretty: bool,
    /// `envelope=true`.
    pub envelope: bool,
}

impl Format {
    /// The format a request asks for.
    pub fn of(req: &HttpRequest) -> Self {
        Self::of_query(req.query_string())
    }

    /// The format a raw query string asks for (the last `pretty` and `envelope` count).
    pub fn of_query(query: &str) -> Self {
        let mut format = Format::default();
        if query.is_empty() {
            return format;
        }
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "pretty" => format.pretty = v.eq_ignore_ascii_case("true"),
                "envelope" => format.envelope = v.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        format
    }
}

/// `pageNum`, `itemsPerPage` and `includeCount` of a list request.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// 1-based page.
    pub page_num: u64,
    /// Page size, 1..=500.
    pub items_per_page: u64,
    /// Whether `totalCount` is sent.
    pub include_count: bool,
}

impl Paging {
    /// Read and validate the paging parameters.
    ///
    /// # Errors
    /// `INVALID_QUERY_PARAMETER` for a non-number, `pageNum < 1` or `itemsPerPage`
    /// outside 1..=500 (UNCONFIRMED: the real server's answer is not documented).
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        Self::of_query(req.query_string())
    }

    /// [`Paging::of`] for a raw query string (the last value of each parameter counts).
    ///
    /// # Errors
    /// As [`Paging::of`].
    pub fn of_query(query: &str) -> Result<Self, ApiError> {
        let (mut page_num, mut items_per_page, mut include_count) = (None, None, None);
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "pageNum" => page_num = Some(v),
                "itemsPerPage" => items_per_page = Some(v),
                "includeCount" => include_count = Some(v),
                _ => {}
            }
        }
        let number = |name: &'static str, value: Option<&str>, default: u64, max: u64| match value {
            None => Ok(default),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::InvalidQueryParameter(name)),
            },
        };
        Ok(Paging {
            page_num: number("pageNum", page_num.as_deref(), 1, u64::from(u32::MAX))?,
            items_per_page: number(
                "itemsPerPage",
                items_per_page.as_deref(),
                DEFAULT_ITEMS_PER_PAGE,
                MAX_ITEMS_PER_PAGE,
            )?,
            include_count: include_count.is_none_or(|v| !v.eq_ignore_ascii_case("false")),
        })
    }
}

/// Where links point: the configured central URL, else `{scheme}://{Host}`.
pub fn central_url(req: &HttpRequest, configured: Option<&str>) -> String {
    match configured {
        Some(url) if !url.is_empty() => url.trim_end_matches('/').to_owned(),
        _ => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// A `self` link object.
pub fn self_link(href: String) -> Value {
    json!({"href": href, "rel": "self"})
}

impl Paging {
    /// How many items come before this page.
    pub fn offset(&self) -> u64 {
        self.page_num
            .saturating_sub(1)
            .saturating_mul(self.items_per_page)
    }
}

/// Build the list object (§1.4) for one page of `items` (every item of the list).
pub fn list(req: &HttpRequest, central: &str, paging: Paging, items: Vec<Value>) -> Value {
    let total = items.len() as u64;
    let results: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.items_per_page).unwrap_or(usize::MAX))
        .collect();
    page(req, central, paging, total, results)
}

/// Build the list object (§1.4) from one page already cut out by the store (`results`)
/// and the size of the whole list (`total`).
pub fn page(
    req: &HttpRequest,
    central: &str,
    paging: Paging,
    total: u64,
    results: Vec<Value>,
) -> Value {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|part| !part.is_empty())
        .filter(|part| {
            let name = part.split('=').next().unwrap_or_default();
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            name != "pageNum" && name != "itemsPerPage"
        })
        .collect();
    let href = |page: u64| {
        let mut query = kept.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        format!(
            "{central}{}?{query}pageNum={page}&itemsPerPage={}",
            req.path(),
            paging.items_per_page
        )
    };
    let mut links = vec![self_link(href(paging.page_num))];
    if paging.page_num > 1 {
        links.push(json!({"href": href(paging.page_num - 1), "rel": "previous"}));
    }
    if paging.page_num.saturating_mul(paging.items_per_page) < total {
        links.push(json!({"href": href(paging.page_num + 1), "rel": "next"}));
    }
    let mut out = Map::new();
    out.insert("links".into(), Value::Array(links));
    out.insert("results".into(), Value::Array(results));
    if paging.include_count {
        out.insert("totalCount".into(), json!(total));
    }
    Value::Object(out)
}

/// Write `value` as Jackson does: keys in alphabetical order; compact, or pretty in the
/// `DefaultPrettyPrinter` style (`"key" : value`, 2-space indent, `[ {`, `} ]`, `[ ]`).
pub fn to_text(value: &Value, pretty: bool) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value, pretty, 0);
    out
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, value: &Value, pretty: bool, depth: usize) {
    match value {
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str(if pretty { "{ }" } else { "{}" });
                return;
            }
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pretty {
                    out.push('\n');
                    indent(out, depth + 1);
                }
                push_json_string(out, key);
                out.push_str(if pretty { " : " } else { ":" });
                if let Some(item) = map.get(*key) {
                    write_value(out, item, pretty, depth + 1);
                }
            }
            if pretty {
                out.push('\n');
                indent(out, depth);
            }
            out.push('}');
        }
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str(if pretty { "[ ]" } else { "[]" });
                return;
            }
            out.push_str(if pretty { "[ " } else { "[" });
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(if pretty { ", " } else { "," });
                }
                write_value(out, item, pretty, depth);
            }
            out.push_str(if pretty { " ]" } else { "]" });
        }
        Value::String(text) => push_json_string(out, text),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
    }
}

/// Append `text` as a JSON string, escaped exactly as `serde_json` does (`\"`, `\\`,
/// `\b\f\n\r\t`, other control characters as `\u00xx`; nothing else).
fn push_json_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// The value of the `X-MongoDB-Service-Version` header.
pub fn service_version() -> HeaderValue {
    HeaderValue::from_static(
        "gitHash=6d2bd0a2a1ec4fd0b4a5d9f1c0e3b7a8f2d4c6e1; versionString=7.0.12.100.20240807T1647Z",
    )
}

/// A JSON response with Ops Manager's headers.
pub fn json_response(status: StatusCode, body: String) -> HttpResponse {
    let mut resp = HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body);
    resp.headers_mut().insert(
        HeaderName::from_static(SERVICE_VERSION_HEADER),
        service_version(),
    );
    resp
}

/// What a handler produced.
#[derive(Debug)]
pub enum Out {
    /// A JSON body with a status.
    Json(StatusCode, Value),
    /// No body (200 or 204).
    Empty(StatusCode),
}

/// Render a handler's result in the requested format.
pub fn render(req: &HttpRequest, result: Result<Out, ApiError>, legacy: bool) -> HttpResponse {
    let format = Format::of(req);
    match result {
        Ok(Out::Json(status, value)) => {
            let value = if format.envelope {
                envelope(value, status)
            } else {
                value
            };
            json_response(status, to_text(&value, format.pretty))
        }
        Ok(Out::Empty(status)) => {
            if format.envelope {
                // UNCONFIRMED (spec §1.5): a 204 cannot carry a body, so the envelope of
                // an empty answer goes out with HTTP 200 and says the real status inside.
                let value = json!({"content": {}, "status": status.as_u16()});
                json_response(StatusCode::OK, to_text(&value, format.pretty))
            } else {
                let mut resp = HttpResponse::build(status).finish();
                resp.headers_mut().insert(
                    HeaderName::from_static(SERVICE_VERSION_HEADER),
                    service_version(),
                );
                resp
            }
        }
        Err(err) => {
            auth_core::trace::refuse(req, err.to_string());
            error_response(req, &err, legacy)
        }
    }
}

/// An error in Ops Manager's format (and envelope, if asked for).
pub fn error_response(req: &HttpRequest, err: &ApiError, legacy: bool) -> HttpResponse {
    let format = Format::of(req);
    let (status, body) = err.body(legacy);
    let body = if format.envelope {
        json!({"content": body, "status": status.as_u16()})
    } else {
        body
    };
    json_response(status, to_text(&body, format.pretty))
}

fn envelope(value: Value, status: StatusCode) -> Value {
    match value {
        Value::Object(mut map) if map.contains_key("results") && map.contains_key("links") => {
            map.insert("status".into(), json!(status.as_u16()));
            Value::Object(map)
        }
        other => json!({"content": other, "status": status.as_u16()}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_output_sorts_keys_and_has_no_whitespace() {
        let v = json!({"rel": "self", "href": "h", "n": [1, 2], "o": {}});
        assert_eq!(
            to_text(&v, false),
            r#"{"href":"h","n":[1,2],"o":{},"rel":"self"}"#
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        let mut text: String = (0u8..0x80).map(char::from).collect();
        text.push_str("é€😀/\u{2028}");
        let v = json!({ text.clone(): text.clone() });
        let expected = format!(
            "{{{}:{}}}",
            Value::String(text.clone()),
            Value::String(text)
        );
        assert_eq!(to_text(&v, false), expected);
    }

    #[test]
    fn pretty_output_is_jackson_style() {
        let v = json!({
            "roles": [{"roleName": "A", "orgId": "o"}, {"roleName": "B", "groupId": "g"}],
            "desc": "d",
            "tags": [],
            "names": ["a", "b"],
            "hostCounts": {"b": 0, "a": 1}
        });
        let expected = "{\n  \"desc\" : \"d\",\n  \"hostCounts\" : {\n    \"a\" : 1,\n    \"b\" : 0\n  },\n  \"names\" : [ \"a\", \"b\" ],\n  \"roles\" : [ {\n    \"orgId\" : \"o\",\n    \"roleName\" : \"A\"\n  }, {\n    \"groupId\" : \"g\",\n    \"roleName\" : \"B\"\n  } ],\n  \"tags\" : [ ]\n}";
        assert_eq!(to_text(&v, true), expected);
    }
}
