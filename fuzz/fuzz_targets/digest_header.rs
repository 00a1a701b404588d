//! The Digest `Authorization` header: parsing and full verification never panic, and
//! arbitrary bytes never authenticate.
#![no_main]

use auth_core::clock::Clock;
use auth_core::digest::{parse_authorization, DigestServer};
use auth_core::ids::Ids;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_authorization(text);
    let server = DigestServer::new("MMS Public API", 300);
    let clock = Clock::frozen_at(1_800_000_000_000);
    let _ = server.challenge(&Ids::new(Some(1), "fuzz"), &clock, false);
    let verdict = server.verify(&clock, "GET", "/api/public/v1.0/orgs", Some(text), |_| {
        Some(("9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3".to_owned(), ()))
    });
    assert!(verdict.is_err());
});
