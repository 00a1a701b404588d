//! Basic, Bearer and Apikey `Authorization` headers, form bodies and percent-decoding.
#![no_main]

use auth_core::credentials::{basic, bearer, form_param, form_param_ignore_case, percent_decode, scheme_token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = basic(text);
    let _ = bearer(text);
    let _ = scheme_token(text, "Apikey");
    let _ = form_param(text, "AUTHTOKEN");
    let _ = form_param_ignore_case(text, "input_data");
    let decoded = percent_decode(text);
    assert!(decoded.len() <= text.len() * 3);
});
