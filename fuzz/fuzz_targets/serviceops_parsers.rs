//! ServiceOps: qualification JSON, paging, the token endpoint's body and query, the
//! `Authorization` header (Bearer / Apikey) and request bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serviceops_oauth::fuzzing as sd;

fuzz_target!(|data: &[u8]| {
    let _ = sd::qualification(data);
    let _ = sd::token_body(data);
    let _ = sd::request_body(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sd::page_query(text);
        let _ = sd::token_query(text);
        let _ = sd::authorization(text);
    }
});
