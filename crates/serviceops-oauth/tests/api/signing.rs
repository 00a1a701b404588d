//! Token signatures: the legacy profile's HS256 header bytes, the 2025 and 2026 profiles'
//! RS256 with their headers and public key, and every forged token refused.

use crate::common::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use serviceops_oauth::{Settings, TokenProfile};
use standin_testkit::Standin;

fn profile(token_profile: TokenProfile) -> Settings {
    Settings {
        token_profile,
        ..Settings::default()
    }
}

/// The header of a JWT, as its exact bytes.
fn header(jwt: &str) -> String {
    let head = jwt.split('.').next().unwrap();
    String::from_utf8(URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap()
}

/// A token of `header` and `payload` JSON with `signature` (base64url) as its third part.
fn forge(header: &str, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

async fn jwks(srv: &Srv) -> reqwest::Response {
    srv.http
        .get(srv.url("/_standin/serviceops/jwks"))
        .send()
        .await
        .unwrap()
}

/// Verify `jwt` against the RSA public key served at `/_standin/serviceops/jwks`.
async fn verifies_with_served_key(srv: &Srv, jwt: &str) -> bool {
    let set: Value = jwks(srv).await.json().await.unwrap();
    let key = &set["keys"][0];
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(jwt, &decoding, &validation).is_ok()
}

#[actix_web::test]
async fn legacy_tokens_begin_with_the_vendor_examples_header_bytes() {
    let srv = start().await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    for name in ["access_token", "refresh_token"] {
        let jwt = tokens[name].as_str().unwrap();
        assert_eq!(header(jwt), r#"{"alg":"HS256","typ":"JWT"}"#);
        // The first segment of the token on the vendor's "Getting Started" page.
        assert!(jwt.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
    }
    let res = jwks(&srv).await;
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn the_2025_profile_signs_rs256_with_the_captured_header() {
    let srv = start_with(profile(TokenProfile::V2025)).await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(header(access), r#"{"alg":"RS256","typ":"JWT"}"#);
    assert_eq!(
        header(tokens["refresh_token"].as_str().unwrap()),
        r#"{"alg":"RS256","typ":"JWT"}"#
    );
    assert!(verifies_with_served_key(&srv, access).await);
    let bearer = format!("Bearer {access}");
    assert_eq!(srv.get("/api/v1/request/65", &bearer).await.status(), 200);
}

#[actix_web::test]
async fn the_2026_profile_signs_rs256_with_kid_floto_key_id() {
    let srv = start_with(profile(TokenProfile::V2026)).await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        header(access),
        r#"{"alg":"RS256","typ":"JWT","kid":"floto-key-id"}"#
    );
    let res = jwks(&srv).await;
    assert_eq!(res.status(), 200);
    let set: Value = res.json().await.unwrap();
    assert_eq!(set["keys"][0]["kid"], "floto-key-id");
    assert_eq!(set["keys"][0]["kty"], "RSA");
    assert_eq!(set["keys"][0]["alg"], "RS256");
    assert!(verifies_with_served_key(&srv, access).await);
    let res = srv
        .refresh(&basic(), tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), 200);
    let renewed: Value = res.json().await.unwrap();
    assert!(verifies_with_served_key(&srv, renewed["access_token"].as_str().unwrap()).await);
}

#[actix_web::test]
async fn the_rsa_key_survives_a_restart_on_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let spawn = || async {
        let server = standin_testkit::Standin::serviceops()
            .data_dir(dir.path())
            .settings(profile(TokenProfile::V2026))
            .start()
            .await;
        Srv::on(server)
    };
    let first = spawn().await;
    let tokens = first.tokens(CREDS.username, CREDS.password).await;
    let set: Value = jwks(&first).await.json().await.unwrap();
    drop(first); // stops it

    let second = spawn().await;
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    assert_eq!(
        second.get("/api/v1/request/65", &bearer).await.status(),
        200
    );
    let again: Value = jwks(&second).await.json().await.unwrap();
    assert_eq!(again, set);
}

#[actix_web::test]
async fn forged_tokens_are_refused_by_the_rs256_profiles() {
    for token_profile in [TokenProfile::V2025, TokenProfile::V2026] {
        let srv = start_with(profile(token_profile)).await;
        let tokens = srv.tokens(CREDS.username, CREDS.password).await;
        let access = tokens["access_token"].as_str().unwrap();
        let payload = claims(access);
        let signature = access.rsplit('.').next().unwrap();
        let mut admin = payload.clone();
        admin["user_name"] = "admin@acme.com".into();
        let forged = [
            // An HS256 token (keyed with anything, here the RSA signature) on an RS256 profile.
            forge(r#"{"alg":"HS256","typ":"JWT"}"#, &payload, signature),
            // alg none, without and with a signature.
            forge(r#"{"alg":"none","typ":"JWT"}"#, &payload, ""),
            forge(r#"{"alg":"none"}"#, &payload, signature),
            // The real header and signature over a changed payload.
            format!(
                "{}.{}.{signature}",
                access.split('.').next().unwrap(),
                URL_SAFE_NO_PAD.encode(admin.to_string())
            ),
            // Another algorithm of the same family.
            forge(r#"{"alg":"RS512","typ":"JWT"}"#, &payload, signature),
        ];
        for jwt in &forged {
            let res = srv
                .get("/api/v1/request/65", &format!("Bearer {jwt}"))
                .await;
            assert_oauth_error(
                res,
                401,
                "invalid_token",
                "Cannot convert access token to JSON",
            )
            .await;
        }
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let forged_refresh = forge(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            &claims(refresh),
            refresh.rsplit('.').next().unwrap(),
        );
        let res = srv.refresh(&basic(), &forged_refresh).await;
        assert_oauth_error(
            res,
            400,
            "invalid_grant",
            &format!("Invalid refresh token: {forged_refresh}"),
        )
        .await;
    }
}

#[actix_web::test]
async fn an_rs256_token_is_refused_by_the_legacy_profile() {
    let rs = start_with(profile(TokenProfile::V2025)).await;
    let tokens = rs.tokens(CREDS.username, CREDS.password).await;
    let legacy = start().await;
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    assert_oauth_error(
        legacy.get("/api/v1/request/65", &bearer).await,
        401,
        "invalid_token",
        "Cannot convert access token to JSON",
    )
    .await;
}

/// The served public key's modulus of an instance started through the testkit with `seed`.
async fn modulus_for_seed(seed: u64) -> String {
    let sd = Standin::serviceops()
        .seed(seed)
        .settings(profile(TokenProfile::V2026))
        .start()
        .await;
    let set: Value = sd
        .client()
        .get(format!("{}/_standin/serviceops/jwks", sd.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    set["keys"][0]["n"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_rsa_key_is_the_same_for_the_same_seed_and_differs_for_another() {
    // Arrange / Act
    let first = modulus_for_seed(11).await;
    let again = modulus_for_seed(11).await;
    let other = modulus_for_seed(12).await;
    // Assert
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[actix_web::test]
async fn the_fixture_users_rs256_token_opens_its_request() {
    // Arrange: the typed fixture credentials, through the testkit's password grant.
    let sd = Standin::serviceops()
        .settings(profile(TokenProfile::V2025))
        .start()
        .await;
    let token = sd.access_token().await;
    // Act
    let res = sd
        .client()
        .get(format!("{}/api/v1/request/65", sd.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    // Assert
    assert_eq!(header(&token), r#"{"alg":"RS256","typ":"JWT"}"#);
    assert_eq!(res.status(), 200);
    let creds = sd.credentials();
    assert_eq!(claims(&token)["client_id"], creds.client_id);
}
