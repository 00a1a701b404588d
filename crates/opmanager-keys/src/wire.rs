//! OpManager's wire format: the [`Reply`] every API handler answers with (the result as
//! JSON, HTTP 200), severity names, its date format (`8 Mar 2024 06:17:07 PM IST`;
//! standin's server zone is UTC) and "10 minutes ago".

use crate::error::OpmError;
use actix_web::body::BoxBody;
use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, Responder};
use auth_core::clock::{datetime_from_ms, parse_rfc3339_ms};
use serde::Serialize;
use time::macros::format_description;

/// A successful API answer: the result document as JSON with HTTP 200. Errors are
/// [`OpmError`], which renders the vendor's error envelope.
pub(crate) struct Reply(Bytes);

impl Reply {
    /// The JSON of `body`.
    ///
    /// # Errors
    /// [`OpmError::Render`] if `body` does not serialise (never for the types used here).
    pub(crate) fn json(body: impl Serialize) -> Result<Reply, OpmError> {
        Ok(Reply(render(&body)?))
    }

    /// A result document already rendered as JSON ([`render`]), e.g. a cached page.
    pub(crate) fn rendered(json: Bytes) -> Reply {
        Reply(json)
    }
}

/// The JSON text of `body`.
///
/// # Errors
/// [`OpmError::Render`] if `body` does not serialise (never for the types used here).
pub(crate) fn render(body: &impl Serialize) -> Result<Bytes, OpmError> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| OpmError::Render(e.to_string()))
}

impl Responder for Reply {
    type Body = BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        // The text of `ContentType::json()`, without parsing it into a header value again on
        // every answer.
        HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, HeaderValue::from_static("application/json")))
            .body(self.0)
    }
}

/// The status text of a severity number (1 Critical, 2 Trouble, 3 Attention,
/// 4 Service Down, 5 Clear, 7 Unmanaged).
pub fn severity_name(n: u8) -> &'static str {
    match n {
        1 => "Critical",
        2 => "Trouble",
        3 => "Attention",
        4 => "Service Down",
        5 => "Clear",
        7 => "Unmanaged",
        _ => "Unknown",
    }
}

/// The severity number of a name or number as clients pass it (`1`, `Critical`).
pub fn parse_severity(text: &str) -> Option<u8> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u8>() {
        return (n == 7 || (1..=5).contains(&n)).then_some(n);
    }
    [1u8, 2, 3, 4, 5, 7]
        .into_iter()
        .find(|n| severity_name(*n).eq_ignore_ascii_case(text))
}

/// OpManager's display date for epoch milliseconds, e.g. `28 Nov 2022 01:08:41 PM UTC`.
pub fn display_time(ms: i64) -> String {
    let format = format_description!(
        "[day padding:none] [month repr:short] [year] [hour repr:12]:[minute]:[second] [period]"
    );
    let text = datetime_from_ms(ms).format(&format).unwrap_or_default();
    format!("{text} UTC")
}

/// Parse a [`display_time`] text back into epoch milliseconds (for sorting by date).
pub fn parse_display_time(text: &str) -> Option<i64> {
    let format = format_description!(
        "[day padding:none] [month repr:short] [year] [hour repr:12]:[minute]:[second] [period]"
    );
    let dt = time::PrimitiveDateTime::parse(text.strip_suffix(" UTC")?, &format)
        .ok()?
        .assume_utc();
    i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Epoch milliseconds as a UTC date-time.
pub fn datetime(ms: i64) -> time::OffsetDateTime {
    datetime_from_ms(ms)
}

/// Epoch milliseconds of an RFC 3339 fixture time (validated at load; 0 if not).
pub fn ms(rfc3339: &str) -> i64 {
    parse_rfc3339_ms(rfc3339).unwrap_or(0)
}

/// `10 minutes ago` for a time `then_ms` seen from `now_ms`.
pub fn pretty_time(then_ms: i64, now_ms: i64) -> String {
    let secs = now_ms.saturating_sub(then_ms).max(0) / 1000;
    let (n, unit) = match secs {
        0..60 => (secs, "second"),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural} ago")
}

/// The first time after `now_ms` at which [`pretty_time`]`(then_ms, ·)` reads differently
/// (the next second, minute, hour or day of the age); the text is the same from `now_ms` up
/// to it.
pub fn pretty_time_until(then_ms: i64, now_ms: i64) -> i64 {
    let secs = now_ms.saturating_sub(then_ms).max(0) / 1000;
    let step = match secs {
        0..60 => 1,
        60..3600 => 60,
        3600..86_400 => 3600,
        _ => 86_400,
    };
    let next_secs = (secs / step).saturating_add(1).saturating_mul(step);
    // Past `now_ms` whatever the arithmetic saturated to, so a window is never empty.
    then_ms
        .saturating_add(next_secs.saturating_mul(1000))
        .max(now_ms.saturating_add(1))
}

/// Parse `yyyy-mm-dd` or `yyyy-mm-dd hh:mm:ss` (listAlarms `fromTime`/`toTime`, UTC).
pub fn parse_day_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let full = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let day = format_description!("[year]-[month]-[day]");
    let dt = time::PrimitiveDateTime::parse(text, &full)
        .ok()
        .or_else(|| {
            time::Date::parse(text, &day)
                .ok()
                .map(|d| d.with_time(time::Time::MIDNIGHT))
        })?
        .assume_utc();
    i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_vendor_samples() {
        let at = ms("2024-03-08T18:17:07Z");
        assert_eq!(display_time(at), "8 Mar 2024 06:17:07 PM UTC");
        assert_eq!(parse_display_time("8 Mar 2024 06:17:07 PM UTC"), Some(at));
        assert_eq!(
            parse_display_time("28 Nov 2022 01:08:41 PM UTC"),
            Some(ms("2022-11-28T13:08:41Z"))
        );
        assert_eq!(parse_display_time("8 Mar 2024"), None);
        assert_eq!(pretty_time(at, at + 600_000), "10 minutes ago");
        assert_eq!(pretty_time(at, at + 1000), "1 second ago");
        assert_eq!(parse_day_time("2024-03-08 18:17:07"), Some(at));
        assert_eq!(
            parse_day_time("2024-03-08"),
            Some(ms("2024-03-08T00:00:00Z"))
        );
        assert_eq!(parse_day_time("08/03/2024"), None);
        assert_eq!(parse_severity("critical"), Some(1));
        assert_eq!(parse_severity("6"), None);
    }

    #[test]
    fn pretty_time_reads_the_same_until_its_next_change() {
        let then = ms("2026-11-20T08:15:00Z");
        // Ages in every unit, on and next to the unit boundaries, and a `then` in the future.
        let ages: [i64; 14] = [
            -5_000,
            0,
            999,
            1_000,
            59_999,
            60_000,
            61_500,
            3_599_999,
            3_600_000,
            86_399_999,
            86_400_000,
            90_061_001,
            40 * 86_400_000 + 7,
            i64::MAX / 4,
        ];
        for age in ages {
            let now = then + age;
            let text = pretty_time(then, now);
            let until = pretty_time_until(then, now);
            assert!(until > now, "age {age}");
            assert_eq!(pretty_time(then, until - 1), text, "age {age}");
            assert_ne!(pretty_time(then, until), text, "age {age}");
        }
    }
}
