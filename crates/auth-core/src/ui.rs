//! `GET /_standin/ui`: the dashboard, one self-contained HTML page (its CSS and script are
//! embedded in the binary, nothing is loaded from elsewhere) that shows and drives the
//! addressed instance through its own control API: the request journal, live; the clock;
//! faults and rate limits; snapshots, state export and reset; tenants.
//!
//! The page's bytes are the same for every instance and hold no instance data, so they are
//! served to any caller (see [`is_public`]); every call the page then makes is a control call
//! under the scope's access rule. A caller that is refused is asked for the control token
//! once; the page keeps it in the browser's local storage for this origin and sends it as
//! `Authorization: Bearer <token>`.

use actix_web::http::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use actix_web::http::Method;
use actix_web::HttpResponse;
use std::sync::OnceLock;

const HTML: &str = include_str!("ui/dashboard.html");
const CSS: &str = include_str!("ui/dashboard.css");
const JS: &str = include_str!("ui/dashboard.js");

/// The path of the page.
pub const PATH: &str = "/_standin/ui";

/// What the page may load and talk to: nothing but its own inline style and script, and
/// this origin's control API.
pub const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
    connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// The whole page: the HTML with its style and script put in.
pub fn html() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        HTML.replacen("/*STYLE*/", CSS, 1)
            .replacen("/*SCRIPT*/", JS, 1)
    })
}

/// Whether a request is for the page itself, which the control gate lets through: the page
/// is static and every call it makes is gated.
pub fn is_public(method: &Method, path: &str) -> bool {
    method == Method::GET && path == PATH
}

pub(crate) async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ))
        .insert_header((CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .insert_header((X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .insert_header((REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(html())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_its_style_and_script_and_loads_nothing_from_elsewhere() {
        let page = html();
        assert!(!page.contains("/*STYLE*/") && !page.contains("/*SCRIPT*/"));
        assert!(page.contains("--accent") && page.contains("async function api("));
        for outside in ["http://", "https://", "//cdn", "@import", "src=\"", "url("] {
            assert!(!page.contains(outside), "the page refers to {outside}");
        }
    }

    #[test]
    fn only_a_get_of_the_page_itself_is_public() {
        assert!(is_public(&Method::GET, "/_standin/ui"));
        assert!(!is_public(&Method::HEAD, "/_standin/ui"));
        assert!(!is_public(&Method::POST, "/_standin/ui"));
        assert!(!is_public(&Method::GET, "/_standin/ui/"));
        assert!(!is_public(&Method::GET, "/_standin/state"));
        assert!(!is_public(&Method::GET, "/%5Fstandin/ui"));
    }
}
