//! Fault-rule path globs against request paths: no panic, bounded time (the matcher is a DP).
#![no_main]

use auth_core::faults::glob_match;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (glob, path) = text.split_once('\n').unwrap_or((text, "/api/json/device/listDevices"));
    let _ = glob_match(glob, path);
});
