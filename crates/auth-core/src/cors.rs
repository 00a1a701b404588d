//! `--cors`: cross-origin access for browser clients and dashboards, off by default (the
//! vendors' servers send no CORS headers, and without `--cors` standin sends none either).
//!
//! With it, on every listener (main and tenant ports, product and control routes alike):
//! - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`, as the Fetch
//!   standard's "CORS-preflight request" defines it) is answered `204 No Content` here, before
//!   the engine: it reaches no product handler, no control handler and no journal;
//! - every other response gets `Access-Control-Allow-Origin` (the request's `Origin`, else
//!   `*`), `Vary: Origin` and `Access-Control-Expose-Headers`.
//!
//! A preflight carries no credentials (Fetch standard, "CORS-preflight request"), so
//! answering it opens nothing: the request that follows meets the product's authentication
//! or, under `/_standin`, the control scope's access rule ([`crate::control`]) exactly as
//! without `--cors`; its refusal is readable by the page because it carries the headers too.
//! `Access-Control-Allow-Credentials` is never sent: cookies and the browser's HTTP
//! authentication cache stay out of cross-origin requests, and the products' credentials go
//! in headers the preflight allows (`Authorization` and the names in
//! [`Product::SECRETS`]).

use crate::engine::TENANT_HEADER;
use crate::product::Product;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::HttpResponse;

/// The methods a preflight allows: every method a product or the control API serves.
pub const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/// Headers every product's browser client may need, before the product's own secret headers.
const BASE_ALLOW_HEADERS: [&str; 5] = [
    "Authorization",
    "Content-Type",
    "Accept",
    "X-Requested-With",
    TENANT_HEADER,
];

/// Response headers a page may read besides the CORS-safelisted ones: the Digest and Bearer
/// challenges, `--explain`'s reason, rate-limit back-off, created objects' locations and
/// downloads' file names.
pub const EXPOSE_HEADERS: &str =
    "WWW-Authenticate, X-Standin-Reason, Retry-After, Location, Content-Disposition, ETag";

/// How long a browser may cache a preflight answer, in seconds (Chromium caps it at 7200).
pub const MAX_AGE_SECS: &str = "600";

/// Whether `req` is a CORS preflight.
fn is_preflight(req: &ServiceRequest) -> bool {
    req.method() == Method::OPTIONS
        && req.headers().contains_key(ORIGIN)
        && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// `Access-Control-Allow-Origin`: the request's `Origin` when it is one header value, else `*`.
fn allow_origin(headers: &HeaderMap) -> HeaderValue {
    let mut origins = headers.get_all(ORIGIN);
    match (origins.next(), origins.next()) {
        (Some(origin), None) if !origin.is_empty() => origin.clone(),
        _ => HeaderValue::from_static("*"),
    }
}

/// Whether `name` is an HTTP token (RFC 9110 "Tokens"), so it can be named in a header list.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `Access-Control-Allow-Headers`: the base list, product `P`'s secret headers, then whatever
/// else the preflight asks for (each name once, compared without case; one pass over the
/// request's list).
fn allow_headers<P: Product>(headers: &HeaderMap) -> HeaderValue {
    let mut names: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        if is_token(name) && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_owned());
        }
    };
    BASE_ALLOW_HEADERS.iter().for_each(|n| push(n));
    P::SECRETS.headers.iter().for_each(|n| push(n));
    for value in headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
        if let Ok(text) = value.to_str() {
            // Bounded: a browser asks for a handful; a hostile list stops growing here.
            for name in text.split(',').map(str::trim).take(64) {
                push(name);
            }
        }
    }
    HeaderValue::from_str(&names.join(", ")).unwrap_or_else(|_| HeaderValue::from_static("*"))
}

fn add_common(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.append(VARY, HeaderValue::from_static("Origin"));
}

/// The middleware `--cors` mounts on every listener, outside the engine.
pub(crate) async fn cors<P: Product, B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = allow_origin(req.headers());
    if is_preflight(&req) {
        let mut resp = HttpResponse::NoContent().finish();
        let headers = resp.headers_mut();
        add_common(headers, origin);
        headers.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            allow_headers::<P>(req.headers()),
        );
        headers.insert(
            ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
        return Ok(req.into_response(resp));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    add_common(headers, origin);
    headers.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_tokens_and_lists_are_not() {
        assert!(is_token("X-Standin-Tenant"));
        assert!(is_token("apiKey"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a,b"));
        assert!(!is_token("caf\u{e9}"));
    }
}
