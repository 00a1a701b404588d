//! OpManager: query, form and JSON parameter decoding, apiKey extraction, the validators
//! (mandatory, type, length, XSS), paging and the severity and time parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opmanager_keys::fuzzing as op;

fuzz_target!(|data: &[u8]| {
    let _ = op::form_params(data);
    let _ = op::json_params(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (query, body) = text.split_once('\n').unwrap_or((text, ""));
    let _ = op::query_params(query);
    let _ = op::api_key_param(query, body.as_bytes());
    let _ = op::markup(text);
    let _ = op::validators(query);
    let _ = op::paging(query, 1_000_000);
    let _ = op::severity(text);
    let _ = op::day_time(text);
});
