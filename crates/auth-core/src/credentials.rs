//! Credential extraction shared by the products: API keys from a header or a query/form
//! parameter, HTTP Basic (RFC 7617), Bearer (RFC 6750) and other `Scheme token` headers.
//!
//! Errors carry no HTTP meaning: each product maps [`AuthError`] onto its vendor's format.

use actix_web::HttpRequest;
use base64::Engine as _;
use std::borrow::Cow;

/// Why a credential was not accepted; each product renders it in its vendor's format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No credential was presented.
    #[error("no credentials were presented")]
    Missing,
    /// A credential was presented but could not be parsed.
    #[error("malformed credentials: {0}")]
    Malformed(&'static str),
    /// The credential is well-formed but wrong (unknown key, bad password, bad signature).
    #[error("invalid credentials")]
    Invalid,
    /// The credential was valid once but has expired.
    #[error("credentials have expired")]
    Expired,
    /// A Digest nonce has expired although the digest itself was right (RFC 7616 `stale`).
    #[error("the Digest nonce is stale")]
    Stale,
    /// The credential is valid but not allowed here (disabled, wrong host, missing role).
    #[error("forbidden: {0}")]
    Forbidden(String),
}

/// Where an API key was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// A request header.
    Header,
    /// A query-string parameter.
    Query,
    /// A parameter of an `application/x-www-form-urlencoded` body.
    Form,
}

/// The value of header `name` (names are case-insensitive), if present and visible ASCII.
pub fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The first value of `name` in a form-encoded string (`a=1&b=2`), decoded the way a
/// servlet container does (`+` is a space, `%XX` decoded, bad escapes kept literally).
pub fn form_param<'a>(encoded: &'a str, name: &str) -> Option<Cow<'a, str>> {
    form_urlencoded::parse(encoded.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Like [`form_param`] but the parameter name is matched case-insensitively.
pub fn form_param_ignore_case<'a>(encoded: &'a str, name: &str) -> Option<Cow<'a, str>> {
    form_urlencoded::parse(encoded.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The first value of query parameter `name`.
pub fn query_param<'a>(req: &'a HttpRequest, name: &str) -> Option<Cow<'a, str>> {
    form_param(req.query_string(), name)
}

/// An API key from header `header_name`, else from query parameter `query_name`.
pub fn api_key<'a>(
    req: &'a HttpRequest,
    header_name: &str,
    query_name: &str,
) -> Option<(Cow<'a, str>, KeySource)> {
    if let Some(value) = header(req, header_name) {
        return Some((Cow::Borrowed(value.trim()), KeySource::Header));
    }
    query_param(req, query_name).map(|v| (v, KeySource::Query))
}

/// The token of an `Authorization: <scheme> <token>` header; the scheme is case-insensitive.
pub fn scheme_token<'a>(authorization: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = authorization.trim_start().split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 section 2.1).
pub fn bearer(authorization: &str) -> Option<&str> {
    scheme_token(authorization, "Bearer")
}

/// The user id and password of an `Authorization: Basic <base64>` header (RFC 7617 section 2).
///
/// # Errors
/// [`AuthError::Missing`] if the header is not Basic, [`AuthError::Malformed`] if the
/// payload is not base64 of UTF-8 `user:password`.
pub fn basic(authorization: &str) -> Result<(String, String), AuthError> {
    let token = scheme_token(authorization, "Basic").ok_or(AuthError::Missing)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| AuthError::Malformed("Basic credentials are not base64"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| AuthError::Malformed("Basic credentials are not UTF-8"))?;
    let (user, password) = text
        .split_once(':')
        .ok_or(AuthError::Malformed("Basic credentials have no ':'"))?;
    Ok((user.to_owned(), password.to_owned()))
}

/// Percent-decode `text` (no `+` handling), keeping invalid escapes literally.
pub fn percent_decode(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn basic_decodes_the_seed_header() {
        let (user, pass) =
            basic("Basic bWFpbi13ZWItYXBwLWNsaWVudDptYWluLXdlYi1hcHAtc2VjcmV0").unwrap();
        assert_eq!(user, "main-web-app-client");
        assert_eq!(pass, "main-web-app-secret");
    }

    #[test]
    fn basic_refuses_garbage_without_panicking() {
        assert_eq!(basic("Bearer abc"), Err(AuthError::Missing));
        assert!(matches!(basic("Basic ***"), Err(AuthError::Malformed(_))));
        assert!(matches!(
            basic("Basic bm9jb2xvbg=="),
            Err(AuthError::Malformed(_))
        ));
        assert_eq!(basic("Basic"), Err(AuthError::Missing));
    }

    #[test]
    fn scheme_is_case_insensitive() {
        assert_eq!(bearer("bearer abc.def"), Some("abc.def"));
        assert_eq!(scheme_token("APIKEY k%2B1", "Apikey"), Some("k%2B1"));
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Basic abc"), None);
    }

    #[test]
    fn api_key_prefers_the_header_then_the_query() {
        let req = TestRequest::default()
            .uri("/x?apiKey=from-query")
            .insert_header(("APIKEY", "from-header"))
            .to_http_request();
        assert_eq!(
            api_key(&req, "apiKey", "apiKey"),
            Some((Cow::Borrowed("from-header"), KeySource::Header))
        );
        let req = TestRequest::default()
            .uri("/x?a=1&apiKey=k%2B1+2")
            .to_http_request();
        let (key, source) = api_key(&req, "apiKey", "apiKey").unwrap();
        assert_eq!((key.as_ref(), source), ("k+1 2", KeySource::Query));
    }

    #[test]
    fn form_param_tolerates_bad_escapes() {
        assert_eq!(form_param("a=%zz&b=1", "a").as_deref(), Some("%zz"));
        assert_eq!(
            form_param_ignore_case("AUTHTOKEN=x", "authtoken").as_deref(),
            Some("x")
        );
    }
}
