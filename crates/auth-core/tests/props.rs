//! Property tests of every parser that reads client bytes: no input panics, well-formed
//! input round-trips, and nothing malformed authenticates.

use auth_core::clock::Clock;
use auth_core::credentials::{basic, bearer, form_param, percent_decode, scheme_token};
use auth_core::digest::{parse_authorization, DigestServer};
use auth_core::faults::glob_match;
use auth_core::ids::Ids;
use auth_core::jwt::JwtKeys;
use base64::Engine;
use proptest::prelude::*;

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~/+=-]{1,40}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn digest_header_parsing_never_panics(input in ".{0,400}") {
        let _ = parse_authorization(&input);
        let _ = parse_authorization(&format!("Digest {input}"));
    }

    #[test]
    fn well_formed_digest_headers_round_trip_quoted_or_not(
        user in "[a-z]{1,12}",
        nonce in token(),
        uri in "/[a-z0-9/]{0,30}",
        response in "[0-9a-f]{32}",
        cnonce in "[A-Za-z0-9]{1,16}",
        nc in 1u32..=0xffff_ffff,
        quoted in any::<bool>(),
        spaces in any::<bool>(),
    ) {
        let q = |v: &str| if quoted { format!("\"{v}\"") } else { v.to_owned() };
        let sep = if spaces { ", " } else { "," };
        let header = [
            format!("username=\"{user}\""),
            "realm=\"MMS Public API\"".to_owned(),
            format!("nonce=\"{nonce}\""),
            format!("uri=\"{uri}\""),
            format!("response=\"{response}\""),
            format!("qop={}", q("auth")),
            format!("nc={nc:08x}"),
            format!("cnonce=\"{cnonce}\""),
            format!("algorithm={}", q("MD5")),
        ]
        .join(sep);
        let parsed = parse_authorization(&format!("Digest {header}")).unwrap();
        prop_assert_eq!(parsed.username, user);
        prop_assert_eq!(parsed.nonce, nonce);
        prop_assert_eq!(parsed.uri, uri);
        prop_assert_eq!(parsed.response, response);
        prop_assert_eq!(parsed.cnonce.as_deref(), Some(cnonce.as_str()));
        let expected_nc = format!("{nc:08x}");
        prop_assert_eq!(parsed.nc.as_deref(), Some(expected_nc.as_str()));
    }

    #[test]
    fn digest_verification_of_arbitrary_headers_never_succeeds(input in ".{0,300}") {
        let server = DigestServer::new("MMS Public API", 300);
        let clock = Clock::real();
        let ids = Ids::new(Some(1), "props");
        let nonce_header = server.challenge(&ids, &clock, false);
        prop_assert!(nonce_header.contains("nonce=\""));
        let result = server.verify(&clock, "GET", "/x", Some(&format!("Digest {input}")), |_| {
            Some(("secret".to_owned(), ()))
        });
        prop_assert!(result.is_err());
    }

    #[test]
    fn basic_round_trips_and_never_panics(user in "[^:]{0,20}", password in ".{0,30}", junk in ".{0,60}") {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let (u, p) = basic(&format!("Basic {encoded}")).unwrap();
        prop_assert_eq!(u, user);
        prop_assert_eq!(p, password);
        let _ = basic(&junk);
        let _ = basic(&format!("Basic {junk}"));
    }

    #[test]
    fn bearer_and_scheme_tokens_never_panic(input in ".{0,200}", scheme in "[A-Za-z]{0,10}") {
        let _ = bearer(&input);
        let _ = scheme_token(&input, &scheme);
        let _ = scheme_token(&format!("{scheme} {input}"), &scheme);
    }

    #[test]
    fn form_and_percent_decoding_never_panic(input in ".{0,300}", name in "[A-Za-z_]{1,12}") {
        let _ = form_param(&input, &name);
        let decoded = percent_decode(&input);
        // Decoding never grows the text.
        prop_assert!(decoded.len() <= input.len() * 3);
    }

    #[test]
    fn globs_match_themselves_and_double_star_matches_all(path in "(/[a-z0-9]{1,8}){0,6}", other in ".{0,80}") {
        prop_assert!(glob_match(&path, &path));
        let rooted = format!("/{}", other.trim_start_matches('/'));
        let all = glob_match("/**", &rooted);
        prop_assert!(all, "/** did not match {}", rooted);
        let _ = glob_match(&other, &path);
        let _ = glob_match(&path, &other);
    }

    #[test]
    fn jwt_verification_of_arbitrary_strings_never_succeeds(input in ".{0,300}", parts in proptest::collection::vec(token(), 0..4)) {
        let keys = JwtKeys::hs256(b"0123456789abcdef0123456789abcdef");
        prop_assert!(keys.verify::<serde_json::Value>(&input, 0).is_err());
        prop_assert!(keys.verify::<serde_json::Value>(&parts.join("."), 0).is_err());
    }

    #[test]
    fn a_signed_jwt_verifies_until_exp_and_not_with_another_key(exp in 1i64..4_000_000_000, now in 0i64..4_000_000_000) {
        let keys = JwtKeys::hs256(b"0123456789abcdef0123456789abcdef");
        let other = JwtKeys::hs256(b"fedcba9876543210fedcba9876543210");
        let token = keys.sign(&serde_json::json!({"exp": exp, "user_name": "tim"})).unwrap();
        prop_assert_eq!(keys.verify::<serde_json::Value>(&token, now).is_ok(), exp > now);
        prop_assert!(other.verify::<serde_json::Value>(&token, 0).is_err());
    }
}
