//! How Ops Manager writes a JSON answer: Jackson's text (alphabetical keys, compact by
//! default, `pretty=true` in `DefaultPrettyPrinter` style) and the headers every JSON answer
//! carries. The bottom of the crate's rendering: [`crate::error`] and [`crate::wire`] both
//! write through it.

use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::Value;

/// The service-version header Ops Manager adds to its responses (the example response
/// headers of the reference page "Delete One Organization API Key", 6.0).
pub const SERVICE_VERSION_HEADER: &str = "x-mongodb-service-version";

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

/// The build standin presents (its git hash in `X-MongoDB-Service-Version` and the root).
pub const BUILD: &str = "6d2bd0a2a1ec4fd0b4a5d9f1c0e3b7a8f2d4c6e1";

/// The value of the `X-MongoDB-Service-Version` header.
pub fn service_version() -> HeaderValue {
    HeaderValue::from_static(
        "gitHash=6d2bd0a2a1ec4fd0b4a5d9f1c0e3b7a8f2d4c6e1; versionString=7.0.12.100.20240807T1647Z",
    )
}

/// A JSON response with Ops Manager's headers.
pub fn json_response(
    status: StatusCode,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    let mut resp = HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body);
    resp.headers_mut().insert(
        HeaderName::from_static(SERVICE_VERSION_HEADER),
        service_version(),
    );
    resp
}
