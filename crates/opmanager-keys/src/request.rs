//! Reading client input: [`Params`] gathers the request parameters the way OpManager's
//! servlet container does (query string, then a form body; a JSON object body is accepted
//! too, and an empty body declared as JSON is fine) and checks them with the vendor's
//! validators (mandatory, single occurrence, length, integer, the XSS filter). It is an
//! extractor: the body is read once per request and shared with [`crate::auth::Caller`],
//! which needs the `apiKey` parameter.

pub(crate) mod paging;

use crate::error::OpmError;
use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, Either, FutureExt, LocalBoxFuture, Shared};
use serde_json::Value;
use std::future::Future;
use std::rc::Rc;

/// Request parameters, in order of appearance (query first, then body).
/// Cloning is cheap (the pairs are shared).
#[derive(Debug, Default, Clone)]
pub struct Params(Rc<Vec<(String, String)>>);

/// Longest parameter value accepted unless a parameter says otherwise.
pub const DEFAULT_MAX_LEN: usize = 250;

impl Params {
    /// Parse a raw query string and a body declared as `content_type`: a form body when it
    /// is `application/x-www-form-urlencoded`, else a JSON object body if it is one (other
    /// bodies add no parameters).
    pub fn from_parts(query: &str, content_type: &str, body: &[u8]) -> Self {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let trimmed = body.trim_ascii();
        if trimmed.is_empty() {
            return Params(Rc::new(pairs));
        }
        let is_form = content_type
            .get(..33)
            .is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded"));
        if is_form {
            pairs.extend(
                form_urlencoded::parse(trimmed).map(|(k, v)| (k.into_owned(), v.into_owned())),
            );
        } else if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(trimmed) {
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s,
                    Value::Null => continue,
                    other => other.to_string(),
                };
                pairs.push((k, text));
            }
        }
        Params(Rc::new(pairs))
    }

    /// The parameters as `(name, value)` pairs, in order of appearance.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of `name`, checked for length and markup.
    ///
    /// # Errors
    /// [`OpmError::TooMany`], [`OpmError::TooLong`], [`OpmError::Xss`].
    pub fn text(&self, name: &str, max: usize) -> Result<Option<&str>, OpmError> {
        self.single(name)?;
        let Some(value) = self.get(name).map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if looks_like_markup(value) {
            return Err(OpmError::Xss(name.to_owned()));
        }
        if value.chars().count() > max {
            return Err(OpmError::TooLong(name.to_owned(), max));
        }
        Ok(Some(value))
    }

    /// [`Params::text`] with the default length.
    ///
    /// # Errors
    /// As [`Params::text`].
    pub fn opt(&self, name: &str) -> Result<Option<&str>, OpmError> {
        self.text(name, DEFAULT_MAX_LEN)
    }

    /// A mandatory parameter.
    ///
    /// # Errors
    /// [`OpmError::Mandatory`] when missing or empty, else as [`Params::text`].
    pub fn required(&self, name: &str) -> Result<&str, OpmError> {
        self.opt(name)?
            .ok_or_else(|| OpmError::Mandatory(name.to_owned()))
    }

    /// Refuse a second occurrence of `name`.
    ///
    /// # Errors
    /// [`OpmError::TooMany`].
    fn single(&self, name: &str) -> Result<(), OpmError> {
        if self.0.iter().filter(|(k, _)| k == name).count() > 1 {
            return Err(OpmError::TooMany(name.to_owned()));
        }
        Ok(())
    }

    /// An optional integer parameter.
    ///
    /// # Errors
    /// [`OpmError::TooMany`], [`OpmError::NotInteger`].
    pub fn int(&self, name: &str) -> Result<Option<i64>, OpmError> {
        self.single(name)?;
        match self.get(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| OpmError::NotInteger(name.to_owned())),
        }
    }
}

/// The request's parameters as one shared future: actix creates every extractor of a
/// handler before polling any, so [`Params`] and [`crate::auth::Caller`] must share the one
/// read of the body rather than each take the payload.
#[derive(Clone)]
struct SharedParams(Shared<LocalBoxFuture<'static, Params>>);

impl Params {
    /// The request's parameters: from a request with a body, parsed once from the query and
    /// the body and shared by every extractor of the request (kept in its extensions; the
    /// future holds no reference to the request); from one without, the query's, read by
    /// each extractor (the same text gives the same parameters).
    pub(crate) fn of_request(
        req: &HttpRequest,
        payload: &mut Payload,
    ) -> impl Future<Output = Params> {
        // First: the first extractor that read the body took the payload (it is `None` for
        // the others).
        if let Some(shared) = req.extensions().get::<SharedParams>() {
            return Either::Right(shared.0.clone());
        }
        if matches!(payload, Payload::None) {
            // No body (no Content-Length, or 0, and no Transfer-Encoding): the parameters are
            // the query's alone, read by each extractor that asks, with nothing to share.
            return Either::Left(ready(Params::from_parts(req.query_string(), "", &[])));
        }
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let query = req.query_string().to_owned();
        let body = web::Bytes::from_request(req, payload);
        let fut: LocalBoxFuture<'static, Params> = Box::pin(async move {
            // An unreadable body (too large, broken) counts as no body parameters.
            let body = body.await.unwrap_or_default();
            Params::from_parts(&query, &content_type, &body)
        });
        let shared = fut.shared();
        req.extensions_mut().insert(SharedParams(shared.clone()));
        Either::Right(shared)
    }
}

impl FromRequest for Params {
    type Error = OpmError;
    type Future = LocalBoxFuture<'static, Result<Self, OpmError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let params = Params::of_request(req, payload);
        Box::pin(params.map(Ok))
    }
}

/// What the security filter treats as an XSS attempt: an HTML tag, a `javascript:` URL,
/// an inline event handler or a CSS expression.
pub fn looks_like_markup(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let tag = bytes.windows(2).any(|w| {
        w.first() == Some(&b'<')
            && w.get(1)
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
    });
    // Linear: only an `on` after a non-alphanumeric character starts a handler name, so the
    // names scanned never overlap (`onononon…` is one scan, not one per `on`).
    let handler = lower.match_indices("on").any(|(i, _)| {
        let before_ok = lower
            .get(..i)
            .and_then(|b| b.chars().next_back())
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if !before_ok {
            return false;
        }
        let rest = lower.get(i + 2..).unwrap_or("");
        let name_len = rest.chars().take_while(char::is_ascii_alphabetic).count();
        name_len > 0
            && rest
                .get(name_len..)
                .is_some_and(|r| r.trim_start().starts_with('='))
    });
    tag || handler
        || lower.contains("javascript:")
        || lower.contains("vbscript:")
        || lower.contains("expression(")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_detected_and_plain_text_is_not() {
        for bad in [
            "<script>alert(1)</script>",
            "a <img src=x>",
            "x\" onmouseover=\"alert(1)",
            "javascript:alert(1)",
            "</b>",
        ] {
            assert!(looks_like_markup(bad), "{bad}");
        }
        for good in [
            "CPU is 5 < 10",
            "Checked by the on-call team",
            "the uplink is online again",
            "ticket #4411 opened",
        ] {
            assert!(!looks_like_markup(good), "{good}");
        }
    }
}
