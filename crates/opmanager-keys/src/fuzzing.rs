//! Entry points for fuzzing the parsers of client bytes (thin wrappers, no behaviour of
//! their own). Not part of the API.

use crate::error::OpmError;
use crate::request::paging::{Paging, Window};
use crate::request::{looks_like_markup, Params};

/// Parameters of a query string (`a=1&b=%20x`).
pub fn query_params(query: &str) -> Vec<(String, String)> {
    Params::from_parts(query, "", b"").pairs().to_vec()
}

/// Parameters of an `application/x-www-form-urlencoded` body.
pub fn form_params(body: &[u8]) -> Vec<(String, String)> {
    Params::from_parts("", "application/x-www-form-urlencoded", body)
        .pairs()
        .to_vec()
}

/// Parameters of a JSON object body (any other body gives none).
pub fn json_params(body: &[u8]) -> Vec<(String, String)> {
    Params::from_parts("", "application/json", body)
        .pairs()
        .to_vec()
}

/// The `apiKey` parameter as authentication reads it (first value, trimmed, non-empty)
/// from a query string and a form body.
pub fn api_key_param(query: &str, form_body: &[u8]) -> Option<String> {
    Params::from_parts(query, "application/x-www-form-urlencoded", form_body)
        .get(crate::auth::KEY_NAME)
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
}

/// The XSS filter.
pub fn markup(value: &str) -> bool {
    looks_like_markup(value)
}

/// The validators over the parameters of `query`: mandatory `name`, optional `text`
/// (default length), `short` of at most 10 characters, integer `n`; each answer is the
/// value or the vendor's error code.
pub fn validators(query: &str) -> [Result<Option<String>, &'static str>; 4] {
    let p = Params::from_parts(query, "", b"");
    let code = |e: OpmError| e.message_and_code().1;
    let own = |r: Result<Option<&str>, OpmError>| r.map(|v| v.map(str::to_owned)).map_err(code);
    [
        own(p.required("name").map(Some)),
        own(p.opt("text")),
        own(p.text("short", 10)),
        p.int("n").map(|n| n.map(|n| n.to_string())).map_err(code),
    ]
}

/// Paging and sorting parameters of `query` (listDevices' columns) and the window over
/// `records` rows; `Err` is the vendor's error code.
pub fn paging(query: &str, records: usize) -> Result<(Paging<'static>, Window), &'static str> {
    const COLUMNS: [&str; 3] = ["deviceName", "statusNum", "addedTime"];
    let p = Params::from_parts(query, "", b"");
    let paging = Paging::parse(&p, &COLUMNS).map_err(|e| e.message_and_code().1)?;
    Ok((paging, paging.window(records)))
}

/// A severity as clients pass it (`1`, `Critical`).
pub fn severity(text: &str) -> Option<u8> {
    crate::wire::parse_severity(text)
}

/// listAlarms' `fromTime`/`toTime` (`yyyy-mm-dd[ hh:mm:ss]`).
pub fn day_time(text: &str) -> Option<i64> {
    crate::wire::parse_day_time(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzing_entry_points_answer_like_the_api() {
        assert_eq!(
            query_params("a=1&b=%20x+y&a"),
            [
                ("a".into(), "1".into()),
                ("b".into(), " x y".into()),
                ("a".into(), String::new())
            ]
        );
        assert_eq!(form_params(b" k=v "), [("k".into(), "v".into())]);
        assert_eq!(json_params(br#"{"n":1,"s":"t","z":null}"#).len(), 2);
        assert!(json_params(b"[1]").is_empty());
        assert_eq!(
            api_key_param("x=1", b"apiKey=%20k%20").as_deref(),
            Some("k")
        );
        assert_eq!(api_key_param("apiKey=+", b""), None);
        let [name, text, short, n] = validators("name=a&text=<b>&short=12345678901&n=x");
        assert_eq!(name, Ok(Some("a".into())));
        assert_eq!(text, Err("XSS_DETECTED"));
        assert_eq!(short, Err("MORE_THAN_MAX_LENGTH"));
        assert_eq!(n, Err("DATATYPE_NOT_MATCHED"));
        assert_eq!(validators("")[0], Err("LESS_THAN_MIN_OCCURANCE"));
        let (page, window) = paging("page=3&rows=10&sortByColumn=STATUSNUM", 25).unwrap();
        assert_eq!(page.sort, Some(("statusNum", false)));
        assert_eq!((window.total, window.skip, window.take), (3, 20, 10));
        assert_eq!(paging("page=0", 1).unwrap_err(), "RANGE_NOT_MATCHED");
        assert_eq!(
            paging("page=99999999999999999999", 1).unwrap_err(),
            "DATATYPE_NOT_MATCHED"
        );
        assert!(markup("<svg onload=x>"));
        assert_eq!(severity("Trouble"), Some(2));
        assert!(day_time("2024-02-30").is_none());
    }
}
