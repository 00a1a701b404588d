//! Redaction of secrets before a request is journaled or logged.
//!
//! auth-core knows only HTTP's own secret carriers (`Authorization`, `Proxy-Authorization`,
//! `Cookie`, `Set-Cookie`); every vendor name comes from the product's
//! [`Product::SECRETS`](crate::Product::SECRETS). Names are compared without regard to ASCII
//! case and after percent-decoding (a client may send `ap%69Key` or `NEWP%41SSWORD`), in every
//! place of a request that is journaled: header names, query parameters, JSON documents
//! carried in a query parameter (fields at any depth, e.g. PMP's `INPUT_DATA`), and path
//! parameters (`/resources;AUTHTOKEN=...`), and the first bytes of request bodies ([`body_collect`]:
//! forms like a query, JSON by field, anything else that names a secret withheld whole).
//! Bodies are never logged. Every function here is linear in the size of its input.

use serde_json::Value;
use std::borrow::Cow;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// HTTP's own headers that carry credentials, whatever the product.
const HTTP_SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// The names under which a product's clients send secrets.
#[derive(Debug, Clone, Copy)]
pub struct Secrets {
    /// Header names (`AUTHTOKEN`, `apiKey`).
    pub headers: &'static [&'static str],
    /// Query and form parameter names (`apiKey`, `client_secret`).
    pub params: &'static [&'static str],
    /// JSON field names, matched at any depth of a JSON document sent as a parameter value.
    pub json_fields: &'static [&'static str],
    /// Path parameter names (`;AUTHTOKEN=` in a path segment); query parameter names are
    /// matched there too.
    pub path_params: &'static [&'static str],
}

impl Secrets {
    /// No product-specific secrets.
    pub const NONE: Secrets = Secrets {
        headers: &[],
        params: &[],
        json_fields: &[],
        path_params: &[],
    };
}

/// `text` with `%XX` decoded (and `+` as a space when `plus` is set), repeated while it
/// changes (bounded: each round shortens the text), so double encoding hides nothing.
fn decode_fully(text: &str, plus: bool) -> Cow<'_, str> {
    let mut current: Cow<'_, str> = if plus && text.contains('+') {
        Cow::Owned(text.replace('+', " "))
    } else {
        Cow::Borrowed(text)
    };
    // A name is short; values are decoded once by the callers that need it.
    for _ in 0..4 {
        if !current.contains('%') {
            break;
        }
        let next = percent_encoding::percent_decode_str(&current)
            .decode_utf8_lossy()
            .into_owned();
        if next == current {
            break;
        }
        current = Cow::Owned(next);
    }
    current
}

fn named(name: &str, list: &[&str]) -> bool {
    let name = decode_fully(name, true);
    in_list(name.trim(), list)
}

/// Whether `name` (decoded and trimmed) is one of `list`, without regard to ASCII case.
fn in_list(name: &str, list: &[&str]) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// `bytes` as text: borrowed when it is UTF-8 (checked in one pass, the common case), else
/// with U+FFFD for each invalid sequence, as [`String::from_utf8_lossy`].
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Whether `text` contains `needle` (ASCII) without regard to ASCII case.
fn contains_ignore_case(text: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether header `name` carries a secret of `secrets` (or of HTTP itself).
pub fn is_secret_header(secrets: &Secrets, name: &str) -> bool {
    HTTP_SECRET_HEADERS
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
        || secrets.headers.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// A header value as it may be journaled: secrets become `[redacted]` (an
/// `Authorization` header keeps its scheme: `Bearer [redacted]`).
pub fn header_value<'a>(secrets: &Secrets, name: &str, value: &'a str) -> Cow<'a, str> {
    if !is_secret_header(secrets, name) {
        return Cow::Borrowed(value);
    }
    let suffix = name.len().saturating_sub("authorization".len());
    if name
        .get(suffix..)
        .is_some_and(|tail| tail.eq_ignore_ascii_case("authorization"))
    {
        if let Some((scheme, _)) = value.trim_start().split_once(' ') {
            return Cow::Owned(format!("{scheme} {REDACTED}"));
        }
    }
    Cow::Borrowed(REDACTED)
}

/// [`header_value`], also collecting the secret (and the credential after the scheme)
/// into `seen`.
pub fn header_value_collect<'a>(
    secrets: &Secrets,
    name: &str,
    value: &'a str,
    seen: &mut Vec<String>,
) -> Cow<'a, str> {
    let redacted = header_value(secrets, name, value);
    if redacted != value {
        seen.push(value.to_owned());
        if let Some((_, credential)) = value.trim_start().split_once(' ') {
            seen.push(credential.trim().to_owned());
        }
    }
    redacted
}

/// `text` (a refusal reason, a log message) with every secret value in `seen` replaced.
/// Values shorter than 4 characters are left alone: they would mask ordinary words.
pub fn scrub(text: &str, seen: &[String]) -> String {
    let mut out = text.to_owned();
    for value in seen {
        if value.len() >= 4 && out.contains(value.as_str()) {
            out = out.replace(value.as_str(), REDACTED);
        }
    }
    out
}

/// Replace, in `doc`, the value of every field named in `secrets.json_fields` (at any depth).
/// Returns whether anything was replaced.
pub fn json(secrets: &Secrets, doc: &mut Value) -> bool {
    json_collect(secrets, doc, &mut Vec::new())
}

fn json_collect(secrets: &Secrets, doc: &mut Value, seen: &mut Vec<String>) -> bool {
    // An explicit stack instead of recursion: depth costs nothing.
    let mut changed = false;
    let mut stack: Vec<&mut Value> = vec![doc];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, field) in map.iter_mut() {
                    if named(key, secrets.json_fields) {
                        let old = std::mem::replace(field, Value::String(REDACTED.into()));
                        match old {
                            Value::String(text) => seen.push(text),
                            other => seen.push(other.to_string()),
                        }
                        changed = true;
                    } else {
                        stack.push(field);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
    changed
}

/// A parameter value with its secrets redacted, or `None` when it holds none. A value that
/// is a JSON document has its secret fields redacted; one that only looks like a document
/// (a vendor's lenient syntax) and mentions a secret field name is redacted whole.
fn param_value(secrets: &Secrets, raw: &str, seen: &mut Vec<String>) -> Option<String> {
    if secrets.json_fields.is_empty() {
        return None;
    }
    let decoded = decode_fully(raw, true);
    let text = decoded.trim_start();
    if !(text.starts_with('{') || text.starts_with('[')) {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut doc) => json_collect(secrets, &mut doc, seen).then(|| {
            let text = doc.to_string();
            form_urlencoded::byte_serialize(text.as_bytes()).collect()
        }),
        Err(_) => {
            let lower = text.to_ascii_lowercase();
            secrets
                .json_fields
                .iter()
                .any(|f| lower.contains(&f.to_ascii_lowercase()))
                .then(|| {
                    seen.push(raw.to_owned());
                    seen.push(text.to_owned());
                    REDACTED.to_owned()
                })
        }
    }
}

/// A query string or form body (`a=1&b=2`) with secret parameters redacted, the rest as
/// sent.
pub fn query(secrets: &Secrets, query: &str) -> String {
    query_collect(secrets, query, &mut Vec::new()).into_owned()
}

/// [`query`], also collecting the secret values it removed into `seen`. Borrowed when
/// nothing was redacted.
pub fn query_collect<'a>(
    secrets: &Secrets,
    query: &'a str,
    seen: &mut Vec<String>,
) -> Cow<'a, str> {
    // Pairs are copied only from the first one that changes; before it, `out` stays empty
    // and `kept` counts the bytes of `query` that are as sent.
    let mut out = String::new();
    let mut kept = 0;
    for (i, pair) in query.split('&').enumerate() {
        let start = if i == 0 { 0 } else { kept + 1 };
        let (key, value) = match pair.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (pair, None),
        };
        let decoded = decode_fully(key, true);
        let key_name = decoded.trim();
        let replaced =
            if in_list(key_name, secrets.params) || in_list(key_name, secrets.path_params) {
                if let Some(v) = value {
                    seen.push(v.to_owned());
                    seen.push(decode_fully(v, true).into_owned());
                }
                Some(format!("{key}={REDACTED}"))
            } else {
                value
                    .and_then(|v| param_value(secrets, v, seen))
                    .map(|redacted| format!("{key}={redacted}"))
            };
        match replaced {
            None if out.is_empty() => kept = start + pair.len(),
            None => {
                out.push('&');
                out.push_str(pair);
            }
            Some(text) => {
                if out.is_empty() {
                    out.push_str(&query[..start]);
                } else {
                    out.push('&');
                }
                out.push_str(&text);
            }
        }
    }
    if out.is_empty() {
        Cow::Borrowed(query)
    } else {
        Cow::Owned(out)
    }
}

/// A request path with secret path parameters (`;AUTHTOKEN=...`, also spelled `%3B`)
/// redacted. Segments without a secret are kept as sent; a redacted segment is shown
/// decoded.
pub fn path(secrets: &Secrets, path: &str) -> String {
    path_collect(secrets, path, &mut Vec::new()).into_owned()
}

/// [`path`], also collecting the secret values it removed into `seen`. Borrowed when the
/// path has no path parameter.
pub fn path_collect<'a>(secrets: &Secrets, path: &'a str, seen: &mut Vec<String>) -> Cow<'a, str> {
    // A `;` sent encoded, once (`%3B`) or more (`%253B`: decoded fully below, as names are),
    // needs the full walk; anything else has no path parameter.
    let encoded = path.contains('%') && (contains_ignore_case(path, "%3b") || path.contains("%25"));
    if !encoded && !path.contains(';') {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let decoded = decode_fully(segment, false);
        if !decoded.contains(';') {
            out.push_str(segment);
            continue;
        }
        let mut parts = decoded.split(';');
        let mut rebuilt = parts.next().unwrap_or_default().to_owned();
        let mut changed = false;
        for param in parts {
            rebuilt.push(';');
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            if named(name, secrets.path_params) || named(name, secrets.params) {
                seen.push(value.to_owned());
                rebuilt.push_str(name);
                rebuilt.push('=');
                rebuilt.push_str(REDACTED);
                changed = true;
            } else if let Some(v) = param_value(secrets, value, seen) {
                rebuilt.push_str(name);
                rebuilt.push('=');
                rebuilt.push_str(&v);
                changed = true;
            } else {
                rebuilt.push_str(param);
            }
        }
        if changed {
            out.push_str(&rebuilt);
        } else {
            out.push_str(segment);
        }
    }
    Cow::Owned(out)
}

/// The first bytes of a request body as they may be journaled, by `content_type`: a form
/// (`application/x-www-form-urlencoded`) is redacted like a query string (so a JSON document
/// in a field, such as PMP's `INPUT_DATA`, by field); JSON has its secret fields replaced (and
/// is then written compactly); a JSON document cut short by the cap, and any other body, is
/// withheld whole as `[redacted]` when it mentions one of the product's secret names. Values
/// already in `seen` (the request's credentials) are scrubbed, and what was removed is added.
pub fn body_collect(
    secrets: &Secrets,
    content_type: &str,
    body: &[u8],
    seen: &mut Vec<String>,
) -> String {
    let text = lossy(body);
    let kind = content_type.to_ascii_lowercase();
    let redacted = if kind.contains("x-www-form-urlencoded") {
        query_collect(secrets, &text, seen).into_owned()
    } else if kind.contains("json") || text.trim_start().starts_with(['{', '[']) {
        match serde_json::from_str::<Value>(&text) {
            Ok(mut doc) => match json_collect(secrets, &mut doc, seen) {
                true => doc.to_string(),
                false => text.into_owned(),
            },
            Err(_) => withheld_if_named(secrets, text),
        }
    } else {
        withheld_if_named(secrets, text)
    };
    scrub(&redacted, seen)
}

/// `[redacted]` when `text` mentions any secret name of the product, else `text`.
fn withheld_if_named(secrets: &Secrets, text: Cow<'_, str>) -> String {
    let lower = decode_fully(&text, true).to_ascii_lowercase();
    let named = [
        secrets.headers,
        secrets.params,
        secrets.json_fields,
        secrets.path_params,
    ]
    .iter()
    .flat_map(|names| names.iter())
    .any(|name| lower.contains(&name.to_ascii_lowercase()));
    if named {
        REDACTED.to_owned()
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Secrets = Secrets {
        headers: &["AUTHTOKEN", "apiKey"],
        params: &[
            "apiKey",
            "api_key",
            "AUTHTOKEN",
            "privateKey",
            "private_key",
        ],
        json_fields: &["PASSWORD", "NEWPASSWORD", "privateKey"],
        path_params: &["AUTHTOKEN"],
    };

    /// The query redaction as it was before it borrowed unchanged queries: a pair at a
    /// time into a new string.
    fn query_collect_reference(secrets: &Secrets, query: &str, seen: &mut Vec<String>) -> String {
        let mut out = String::new();
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            let (key, value) = match pair.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (pair, None),
            };
            if named(key, secrets.params) || named(key, secrets.path_params) {
                if let Some(v) = value {
                    seen.push(v.to_owned());
                    seen.push(decode_fully(v, true).into_owned());
                }
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
                continue;
            }
            match value.and_then(|v| param_value(secrets, v, seen)) {
                Some(redacted) => {
                    out.push_str(key);
                    out.push('=');
                    out.push_str(&redacted);
                }
                None => out.push_str(pair),
            }
        }
        out
    }

    #[test]
    fn query_redaction_borrows_an_unchanged_query_and_agrees_with_the_copying_one() {
        // Every query of up to three pairs from awkward pieces: secret names in any spelling,
        // JSON documents with and without secret fields, empty pairs and values, `=` in values.
        let pieces = [
            "",
            "a=1",
            "flag",
            "=",
            "apiKey=k1",
            "ap%69Key=k2",
            "API%5FKEY=k3",
            "private+key=x",
            "AUTHTOKEN",
            "name=r%3D1",
            "q={\"PASSWORD\":\"p\"}",
            "q=%7B%22a%22%3A1%7D",
            "q=[1,{\"privateKey\":\"s\"}]",
            "q={broken PASSWORD",
            "pageNum=1",
        ];
        let mut queries = vec![String::new()];
        for a in pieces {
            queries.push(a.to_owned());
            for b in pieces {
                queries.push(format!("{a}&{b}"));
                for c in pieces {
                    queries.push(format!("{a}&{b}&{c}"));
                }
            }
        }
        let mut borrowed = 0;
        for q in &queries {
            let (mut seen, mut seen_before) = (Vec::new(), Vec::new());
            let now = query_collect(&S, q, &mut seen);
            let before = query_collect_reference(&S, q, &mut seen_before);
            assert_eq!(now, before, "query {q:?}");
            assert_eq!(seen, seen_before, "secrets seen in {q:?}");
            if let Cow::Borrowed(text) = now {
                assert_eq!(text, q);
                borrowed += 1;
            }
        }
        assert!(
            borrowed > 100 && borrowed < queries.len(),
            "{borrowed} of {}",
            queries.len()
        );
    }

    #[test]
    fn header_values_that_are_not_utf8_are_shown_with_replacement_characters() {
        assert_eq!(lossy(b"plain"), Cow::Borrowed("plain"));
        assert_eq!(lossy(b"caf\xc3\xa9"), "caf\u{e9}");
        assert_eq!(lossy(b"a\xffb\xc3"), "a\u{fffd}b\u{fffd}");
        assert!(contains_ignore_case("/x%3Bauthtoken", "%3b"));
        assert!(!contains_ignore_case("/x%3", "%3b"));
    }

    #[test]
    fn query_parameters_are_matched_after_decoding_and_without_case() {
        let q = query(
            &S,
            "api_key=k1&APIKEY=k2&ap%69Key=k3&priv%61teKey=k4&private_key=k5&name=r1&flag",
        );
        assert_eq!(
            q,
            "api_key=[redacted]&APIKEY=[redacted]&ap%69Key=[redacted]&priv%61teKey=[redacted]\
             &private_key=[redacted]&name=r1&flag"
        );
    }

    #[test]
    fn json_fields_at_any_depth_of_a_parameter_are_redacted_and_the_rest_kept() {
        let raw = "INPUT_DATA=%7B%22operation%22%3A%7B%22Details%22%3A%7B%22NEWP%41SSWORD%22%3A%22pw1%22%2C%22ACCOUNTNAME%22%3A%22a%22%7D%7D%7D";
        let q = query(&S, raw);
        assert!(!q.contains("pw1"), "{q}");
        let value = q.strip_prefix("INPUT_DATA=").unwrap();
        let doc: Value = serde_json::from_str(&decode_fully(value, true)).unwrap();
        assert_eq!(doc["operation"]["Details"]["NEWPASSWORD"], REDACTED);
        assert_eq!(doc["operation"]["Details"]["ACCOUNTNAME"], "a");
        // Double-encoded field names and arrays.
        let q = query(&S, "d=[{\"x\":{\"NEWP%2541SSWORD\":\"pw2\"}}]");
        assert!(!q.contains("pw2"), "{q}");
        // A lenient document that does not parse is redacted whole when it names a secret.
        let q = query(&S, "INPUT_DATA={operation:{Details:{PASSWORD:pw3}}}");
        assert_eq!(q, "INPUT_DATA=[redacted]");
        let q = query(&S, "INPUT_DATA={operation:{Details:{ACCOUNTNAME:a}}}");
        assert_eq!(q, "INPUT_DATA={operation:{Details:{ACCOUNTNAME:a}}}");
    }

    #[test]
    fn path_parameters_are_redacted_in_any_segment_and_any_spelling() {
        assert_eq!(
            path(&S, "/restapi/json/v1/resources;AUTHTOKEN=tok"),
            "/restapi/json/v1/resources;AUTHTOKEN=[redacted]"
        );
        assert_eq!(
            path(&S, "/a;authtoken=tok;x=1/b"),
            "/a;authtoken=[redacted];x=1/b"
        );
        assert_eq!(
            path(&S, "/restapi/json/v1/resources%3BAUTHT%4FKEN%3Dtok"),
            "/restapi/json/v1/resources;AUTHTOKEN=[redacted]"
        );
        assert_eq!(
            path(&S, "/restapi/json/v1/resources%253BAUTHTOKEN%253Dtok/x"),
            "/restapi/json/v1/resources;AUTHTOKEN=[redacted]/x"
        );
        assert_eq!(path(&S, "/a%2520b%2Fc"), "/a%2520b%2Fc");
        assert_eq!(path(&S, "/plain/path"), "/plain/path");
        assert_eq!(path(&S, "/m;v=1"), "/m;v=1");
    }

    #[test]
    fn headers_keep_their_scheme_and_vendor_headers_come_from_the_product() {
        assert_eq!(
            header_value(&S, "authorization", "Bearer abc"),
            "Bearer [redacted]"
        );
        assert_eq!(header_value(&S, "authtoken", "abc"), REDACTED);
        assert_eq!(header_value(&Secrets::NONE, "authtoken", "abc"), "abc");
        assert_eq!(header_value(&Secrets::NONE, "cookie", "s=1"), REDACTED);
        assert_eq!(header_value(&S, "x-other", "abc"), "abc");
    }

    #[test]
    fn a_reason_echoing_a_secret_is_scrubbed_with_what_redaction_removed() {
        let mut seen = Vec::new();
        path_collect(&S, "/r;AUTHTOKEN=tok-123", &mut seen);
        query_collect(
            &S,
            "apiKey=key-456&d=%7B%22PASSWORD%22%3A%22pw-789%22%7D",
            &mut seen,
        );
        header_value_collect(&S, "authorization", "Bearer jwt-000", &mut seen);
        let reason = scrub(
            "no API at /r;AUTHTOKEN=tok-123 (key-456, pw-789, jwt-000)",
            &seen,
        );
        assert_eq!(
            reason,
            "no API at /r;AUTHTOKEN=[redacted] ([redacted], [redacted], [redacted])"
        );
    }

    #[test]
    fn deep_documents_cost_no_recursion() {
        let deep = format!("d={}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(query(&S, &deep), deep);
    }

    #[test]
    fn bodies_are_redacted_by_their_type() {
        let mut seen = vec!["tok-from-header".to_owned()];
        let form = body_collect(
            &S,
            "application/x-www-form-urlencoded; charset=utf-8",
            b"apiKey=k1&name=n&note=tok-from-header",
            &mut seen,
        );
        assert_eq!(form, "apiKey=[redacted]&name=n&note=[redacted]");
        let json = body_collect(
            &S,
            "application/json",
            br#"{"a":{"PASSWORD":"pw"},"b":1}"#,
            &mut seen,
        );
        assert_eq!(json, r#"{"a":{"PASSWORD":"[redacted]"},"b":1}"#);
        assert!(seen.iter().any(|s| s == "pw"));
        let plain = br#"{"b": 1}"#;
        assert_eq!(body_collect(&S, "", plain, &mut seen), r#"{"b": 1}"#);
        // Cut short by the cap: not a document any more, and it names a secret field.
        let cut = body_collect(&S, "application/json", br#"{"x":1,"passw"#, &mut seen);
        assert_eq!(cut, r#"{"x":1,"passw"#, "no secret name in it");
        let cut = body_collect(&S, "application/json", br#"{"PASSWORD":"p"#, &mut seen);
        assert_eq!(cut, REDACTED);
        let other = body_collect(
            &S,
            "multipart/form-data",
            b"name=\"apikey\"\r\n\r\nk",
            &mut seen,
        );
        assert_eq!(other, REDACTED);
        assert_eq!(body_collect(&S, "text/plain", b"hello", &mut seen), "hello");
    }
}
