//! `POST /api/oauth/token`: the exchange of the vendor's "Getting Started with REST API" page, body encodings, refresh, every error row.

use crate::common::*;
use serde_json::{json, Value};

/// The body curl 7.88 sends for the vendor page's command: the header carries the example's
/// boundary *and* curl's own, and the body uses curl's.
const CURL_CONTENT_TYPE: &str = "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW; boundary=------------------------08fe9ab5b31d7dac";
const CURL_BODY: &str = "--------------------------08fe9ab5b31d7dac\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\ntim@acme.com\r\n--------------------------08fe9ab5b31d7dac\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n123\r\n--------------------------08fe9ab5b31d7dac\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--------------------------08fe9ab5b31d7dac--\r\n";

#[actix_web::test]
async fn the_seeds_curl_command_gets_the_seeds_response_shape() {
    let srv = start().await;
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .header("Authorization", basic())
        .header("content-type", CURL_CONTENT_TYPE)
        .body(CURL_BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "token_type",
            "refresh_token",
            "expires_in",
            "scope",
            "jti"
        ]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 7199);
    assert_eq!(body["scope"], "main-web-app-scope");

    let access = claims(body["access_token"].as_str().unwrap());
    let keys: Vec<&str> = access
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "grant_type",
            "user_name",
            "scope",
            "exp",
            "authorities",
            "jti",
            "client_id"
        ]
    );
    assert_eq!(access["grant_type"], "password");
    assert_eq!(access["user_name"], CREDS.username);
    assert_eq!(access["scope"], json!(["main-web-app-scope"]));
    assert_eq!(access["authorities"], json!(["USER"]));
    assert_eq!(access["client_id"], "main-web-app-client");
    assert_eq!(access["jti"], body["jti"]);

    let refresh = claims(body["refresh_token"].as_str().unwrap());
    let keys: Vec<&str> = refresh
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "grant_type",
            "user_name",
            "scope",
            "ati",
            "exp",
            "authorities",
            "jti",
            "client_id"
        ]
    );
    assert_eq!(refresh["ati"], access["jti"]);
    assert_ne!(refresh["jti"], access["jti"]);
    let lifetime = refresh["exp"].as_i64().unwrap() - access["exp"].as_i64().unwrap();
    assert_eq!(
        lifetime, 2_584_800,
        "the vendor example's refresh exp minus access exp"
    );
}

#[actix_web::test]
async fn multipart_urlencoded_and_query_bodies_all_work() {
    let srv = start().await;
    let form = reqwest::multipart::Form::new()
        .text("username", CREDS.username)
        .text("password", CREDS.password)
        .text("grant_type", "password");
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .header("Authorization", basic())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    assert_eq!(
        srv.login(CREDS.username, CREDS.password).await.status(),
        200
    );
    assert_eq!(
        srv.login("tim", CREDS.password).await.status(),
        200,
        "logon name"
    );

    let res = srv
        .http
        .post(srv.url("/api/oauth/token?username=tim%40acme.com&password=123&grant_type=password"))
        .header("Authorization", basic())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn client_credentials_may_come_in_the_form_body() {
    let srv = start().await;
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .form(&[
            ("username", CREDS.username),
            ("password", CREDS.password),
            ("grant_type", "password"),
            ("client_id", "Integration-client"),
            ("client_secret", "Integration-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "other-api-scope");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["client_id"],
        "Integration-client"
    );
}

#[actix_web::test]
async fn after_7200_seconds_the_access_token_is_refused_and_the_refresh_token_works() {
    let srv = start().await;
    srv.control("/clock", json!({"freeze": true})).await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let access = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    assert_eq!(srv.get("/api/v1/request/65", &access).await.status(), 200);

    srv.advance(7199).await;
    assert_eq!(srv.get("/api/v1/request/65", &access).await.status(), 200);
    srv.advance(1).await;
    let res = srv.get("/api/v1/request/65", &access).await;
    let expected = format!(
        "Access token expired: {}",
        tokens["access_token"].as_str().unwrap()
    );
    let headers = assert_oauth_error(res, 401, "invalid_token", &expected).await;
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer realm=\"oauth2-resource\", error=\"invalid_token\""));

    let res = srv
        .refresh(&basic(), tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), 200);
    let renewed: Value = res.json().await.unwrap();
    assert_eq!(renewed["expires_in"], 7199);
    assert_ne!(renewed["jti"], tokens["jti"]);
    let refresh = claims(renewed["refresh_token"].as_str().unwrap());
    assert_eq!(
        refresh["ati"], renewed["jti"],
        "re-encoded with the new ati"
    );
    assert_eq!(
        refresh["jti"],
        claims(tokens["refresh_token"].as_str().unwrap())["jti"],
        "the refresh token is reused"
    );
    let access = claims(renewed["access_token"].as_str().unwrap());
    assert_eq!(access["grant_type"], "password");
    let renewed_bearer = format!("Bearer {}", renewed["access_token"].as_str().unwrap());
    assert_eq!(
        srv.get("/api/v1/request/65", &renewed_bearer)
            .await
            .status(),
        200
    );
}

#[actix_web::test]
async fn lifetimes_follow_the_settings() {
    let srv = start_with(serviceops_oauth::Settings {
        access_token_secs: 43200,
        ..serviceops_oauth::Settings::default()
    })
    .await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    assert_eq!(tokens["expires_in"], 43199);
}

#[actix_web::test]
async fn wrong_user_or_password_is_401_invalid_grant() {
    let srv = start().await;
    for (user, password) in [
        (CREDS.username, "wrong"),
        ("nobody@acme.com", CREDS.password),
        ("", ""),
    ] {
        let res = srv.login(user, password).await;
        let headers = assert_oauth_error(res, 401, "invalid_grant", "Bad credentials").await;
        assert_eq!(
            headers["www-authenticate"],
            "Bearer error=\"invalid_grant\", error_description=\"Bad credentials\""
        );
        assert_eq!(headers["cache-control"], "no-store");
    }
}

#[actix_web::test]
async fn a_disabled_user_cannot_log_in() {
    let srv = start().await;
    let res = srv.login("dana@acme.com", "456").await;
    assert_oauth_error(res, 400, "invalid_grant", "User is disabled").await;
}

#[actix_web::test]
async fn a_wrong_or_missing_client_is_401_with_a_basic_challenge() {
    let srv = start().await;
    let wrong_secret = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "main-web-app-client:nope"
        )
    );
    let unknown_client = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "who:ever")
    );
    let cases = [
        (Some(wrong_secret.as_str()), "Bad credentials"),
        (Some(unknown_client.as_str()), "Bad credentials"),
        (
            Some("Basic ***"),
            "Failed to decode basic authentication token",
        ),
        (
            None,
            "Full authentication is required to access this resource",
        ),
        (
            Some("Bearer abc"),
            "Full authentication is required to access this resource",
        ),
    ];
    for (auth, description) in cases {
        let mut req = srv.http.post(srv.url("/api/oauth/token")).form(&[
            ("username", CREDS.username),
            ("password", CREDS.password),
            ("grant_type", "password"),
        ]);
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let res = req.send().await.unwrap();
        assert!(res.headers().contains_key("x-standin-reason"));
        let headers = assert_oauth_error(res, 401, "unauthorized", description).await;
        assert_eq!(headers["www-authenticate"], "Basic realm=\"oauth2/client\"");
    }
}

#[actix_web::test]
async fn missing_and_unsupported_grant_types_are_400() {
    let srv = start().await;
    let post = |form: Vec<(&'static str, &'static str)>| {
        srv.http
            .post(srv.url("/api/oauth/token"))
            .header("Authorization", basic())
            .form(&form)
            .send()
    };
    let res = post(vec![("username", CREDS.username)]).await.unwrap();
    assert_oauth_error(res, 400, "invalid_request", "Missing grant type").await;
    let res = post(vec![("grant_type", "client_credentials")])
        .await
        .unwrap();
    assert_oauth_error(
        res,
        400,
        "unsupported_grant_type",
        "Unsupported grant type: client_credentials",
    )
    .await;
}

#[actix_web::test]
async fn bad_refresh_tokens_are_400_invalid_grant() {
    let srv = start().await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let mut tampered: Vec<&str> = refresh.split('.').collect();
    let forged = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        r#"{"user_name":"admin@acme.com","ati":"x","exp":99999999999}"#,
    );
    tampered[1] = &forged;
    let tampered = tampered.join(".");
    for bad in ["garbage", access, tampered.as_str()] {
        let res = srv.refresh(&basic(), bad).await;
        let description = format!("Invalid refresh token: {bad}");
        assert_oauth_error(res, 400, "invalid_grant", &description).await;
    }
    let other = start().await;
    let foreign = other.tokens(CREDS.username, CREDS.password).await;
    let foreign = foreign["refresh_token"].as_str().unwrap();
    let res = srv.refresh(&basic(), foreign).await;
    let description = format!("Invalid refresh token: {foreign}");
    assert_oauth_error(res, 400, "invalid_grant", &description).await;
}

#[actix_web::test]
async fn a_refresh_token_is_bound_to_its_client() {
    let srv = start().await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let integration = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "Integration-client:Integration-secret"
        )
    );
    let res = srv.refresh(&integration, refresh).await;
    let description = format!("Wrong client for this refresh token: {refresh}");
    assert_oauth_error(res, 400, "invalid_grant", &description).await;
}

#[actix_web::test]
async fn an_expired_refresh_token_is_401_invalid_token() {
    let srv = start().await;
    srv.control("/clock", json!({"freeze": true})).await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    srv.advance(2_592_000).await;
    let res = srv.refresh(&basic(), refresh).await;
    let description = format!("Invalid refresh token (expired): {refresh}");
    let headers = assert_oauth_error(res, 401, "invalid_token", &description).await;
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer error=\"invalid_token\""));
}

#[actix_web::test]
async fn a_user_disabled_after_login_cannot_refresh() {
    let srv = start().await;
    let tokens = srv.tokens("rita@acme.com", "789").await;
    let mut state = srv.state().await;
    let users = state["users"].as_array_mut().unwrap();
    let rita = users
        .iter_mut()
        .find(|u| u["email"] == "rita@acme.com")
        .unwrap();
    rita["enabled"] = json!(false);
    assert_eq!(srv.put_state(&state).await.status(), 200);
    let res = srv
        .refresh(&basic(), tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_oauth_error(res, 400, "invalid_grant", "User is disabled").await;
}

#[actix_web::test]
async fn the_token_endpoint_refuses_other_methods_and_huge_bodies() {
    let srv = start().await;
    let res = srv
        .http
        .get(srv.url("/api/oauth/token"))
        .header("Authorization", basic())
        .send()
        .await
        .unwrap();
    assert_oauth_error(
        res,
        405,
        "method_not_allowed",
        "Request method 'GET' not supported",
    )
    .await;
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .header("Authorization", basic())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 2 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[actix_web::test]
async fn a_scope_the_client_lacks_is_400_invalid_scope() {
    let srv = start().await;
    let post = |scope: &'static str| {
        srv.http
            .post(srv.url("/api/oauth/token"))
            .header("Authorization", basic())
            .form(&[
                ("username", CREDS.username),
                ("password", CREDS.password),
                ("grant_type", "password"),
                ("scope", scope),
            ])
            .send()
    };
    let res = post("other-api-scope").await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": "invalid_scope", "error_description": "Invalid scope: other-api-scope",
               "scope": "main-web-app-scope"})
    );
    assert_eq!(post("main-web-app-scope").await.unwrap().status(), 200);
}

#[actix_web::test]
async fn the_2025_profile_issues_the_captured_claim_set() {
    let srv = start_with(serviceops_oauth::Settings {
        access_token_secs: 43200,
        token_profile: serviceops_oauth::TokenProfile::V2025,
        ..serviceops_oauth::Settings::default()
    })
    .await;
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .basic_auth("Integration-client", Some("Integration-secret"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("username", "tim")
                .text("password", CREDS.password)
                .text("grant_type", "password"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(tokens["expires_in"], 43199);
    assert_eq!(tokens["scope"], "other-api-scope");
    let access = claims(tokens["access_token"].as_str().unwrap());
    let keys: Vec<&str> = access
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "login_sso_id",
            "user_name",
            "scope",
            "login_source",
            "exp",
            "login_msp_portal_id",
            "jti",
            "client_id",
            "tenantIdentifier"
        ]
    );
    assert!(access["user_name"].as_str().unwrap().starts_with("uuid36-"));
    assert_eq!(access["login_source"], "normal_login");
    let refresh = claims(tokens["refresh_token"].as_str().unwrap());
    assert_eq!(refresh["ati"], access["jti"]);

    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    assert_eq!(srv.get("/api/v1/request/65", &bearer).await.status(), 200);
    let integration = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "Integration-client:Integration-secret"
        )
    );
    let res = srv
        .refresh(&integration, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn a_broken_multipart_body_is_400_invalid_request() {
    let srv = start().await;
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .header("Authorization", basic())
        .header("content-type", "multipart/form-data; boundary=xyz")
        .body("username=tim")
        .send()
        .await
        .unwrap();
    assert_oauth_error(
        res,
        400,
        "invalid_request",
        "Failed to parse multipart servlet request",
    )
    .await;
}

#[actix_web::test]
async fn the_2026_profile_issues_the_documented_claim_set() {
    let srv = start_with(serviceops_oauth::Settings {
        access_token_secs: 172_800,
        token_profile: serviceops_oauth::TokenProfile::V2026,
        ..serviceops_oauth::Settings::default()
    })
    .await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let access = claims(tokens["access_token"].as_str().unwrap());
    let keys: Vec<&str> = access
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "sub",
            "user_name",
            "iss",
            "login_source",
            "client_id",
            "aud",
            "login_sso_id",
            "nbf",
            "grant_type",
            "scope",
            "exp",
            "login_msp_portal_id",
            "iat",
            "jti",
            "tenantIdentifier"
        ]
    );
    assert_eq!(access["sub"], CREDS.username);
    assert_eq!(access["aud"], "main-web-app-client");
    assert_eq!(access["login_source"], "NORMAL_LOGIN");
    assert_eq!(access["iss"], format!("{}/api", srv.server.url()));
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        172_800
    );
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    assert_eq!(srv.get("/api/v1/request/65", &bearer).await.status(), 200);
    let res = srv
        .refresh(&basic(), tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), 200);
    let renewed: Value = res.json().await.unwrap();
    let refreshed = claims(renewed["access_token"].as_str().unwrap());
    assert_eq!(refreshed["sub"], CREDS.username);
    assert!(refreshed.get("ati").is_none());
}
