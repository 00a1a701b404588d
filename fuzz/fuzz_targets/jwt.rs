//! JWT verification: arbitrary tokens never verify and never panic.
#![no_main]

use auth_core::jwt::JwtKeys;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let keys = JwtKeys::hs256(b"0123456789abcdef0123456789abcdef");
    assert!(keys.verify::<serde_json::Value>(text, 0).is_err());
});
