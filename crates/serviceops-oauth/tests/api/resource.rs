//! The resource server: Bearer and Apikey, every refusal of the resource server, API-key revocation.

use crate::common::*;
use auth_core::credentials::percent_decode;
use base64::Engine as _;
use serde_json::{json, Value};

#[actix_web::test]
async fn a_bearer_token_reads_a_request_as_the_fixture_has_it() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = srv.get("/api/v1/request/65", &auth).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let fixture: Value =
        serde_json::from_str(include_str!("../../../../fixtures/serviceops.json")).unwrap();
    let expected = fixture["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == 65)
        .unwrap();
    assert_eq!(&body, expected);
    assert_eq!(body["name"], "INC-46");
    assert!(
        body.get("assigneeEmail").is_none(),
        "absent keys are omitted"
    );
}

#[actix_web::test]
async fn a_portal_api_key_works_raw_and_percent_decoded() {
    let srv = start().await;
    for key in [
        CREDS.api_key.to_owned(),
        percent_decode(CREDS.api_key).into_owned(),
    ] {
        let res = srv
            .get("/api/v1/request/65", &format!("Apikey {key}"))
            .await;
        assert_eq!(res.status(), 200, "{key}");
    }
    let res = srv
        .get("/api/v1/request/65", &format!("apikey {}", CREDS.api_key))
        .await;
    assert_eq!(res.status(), 200, "the scheme is case-insensitive");
}

#[actix_web::test]
async fn no_credentials_is_401_unauthorized_with_a_bearer_challenge() {
    let srv = start().await;
    for auth in [None, Some("Basic dGltOjEyMw==")] {
        let mut req = srv.http.get(srv.url("/api/v1/request/65"));
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let res = req.send().await.unwrap();
        let headers = assert_oauth_error(
            res,
            401,
            "unauthorized",
            "Full authentication is required to access this resource",
        )
        .await;
        assert_eq!(
            headers["www-authenticate"],
            "Bearer realm=\"oauth2-resource\", error=\"unauthorized\", error_description=\"Full authentication is required to access this resource\""
        );
    }
}

#[actix_web::test]
async fn garbage_foreign_tampered_and_unsigned_tokens_are_invalid() {
    let srv = start().await;
    let other = start().await;
    let foreign = other.bearer(CREDS.username, CREDS.password).await;
    let own = srv.bearer("rita@acme.com", "789").await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts: Vec<String> = own
        .trim_start_matches("Bearer ")
        .split('.')
        .map(str::to_owned)
        .collect();
    let mut payload = claims(own.trim_start_matches("Bearer "));
    payload["user_name"] = json!("admin@acme.com");
    parts[1] = b64.encode(payload.to_string());
    let tampered = format!("Bearer {}", parts.join("."));
    let unsigned = format!(
        "Bearer {}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        b64.encode(payload.to_string())
    );
    for auth in ["Bearer garbage".to_owned(), foreign, tampered, unsigned] {
        let res = srv.get("/api/v1/request/65", &auth).await;
        assert_oauth_error(
            res,
            401,
            "invalid_token",
            "Cannot convert access token to JSON",
        )
        .await;
    }
}

#[actix_web::test]
async fn a_refresh_token_is_not_an_access_token() {
    let srv = start().await;
    let tokens = srv.tokens(CREDS.username, CREDS.password).await;
    let auth = format!("Bearer {}", tokens["refresh_token"].as_str().unwrap());
    let res = srv.get("/api/v1/request/65", &auth).await;
    assert_oauth_error(
        res,
        401,
        "invalid_token",
        "Encoded token is a refresh token",
    )
    .await;
}

#[actix_web::test]
async fn unknown_and_disabled_api_keys_are_refused() {
    let srv = start().await;
    let res = srv.get("/api/v1/request/65", "Apikey not-a-key").await;
    assert_oauth_error(res, 401, "invalid_token", "Invalid API key").await;
    let res = srv
        .get(
            "/api/v1/request/65",
            &format!("Apikey {}", CREDS.disabled_api_key),
        )
        .await;
    assert_oauth_error(res, 401, "invalid_token", "User is disabled").await;
}

#[actix_web::test]
async fn a_revoked_api_key_stops_working_and_a_new_one_works() {
    let srv = start().await;
    let auth = format!("Apikey {}", CREDS.api_key);
    assert_eq!(srv.get("/api/v1/request/65", &auth).await.status(), 200);
    let res = srv
        .control("/serviceops/apikeys/revoke", json!({"key": CREDS.api_key}))
        .await;
    assert_eq!(res.status(), 200);
    let res = srv.get("/api/v1/request/65", &auth).await;
    assert_oauth_error(res, 401, "invalid_token", "Invalid API key").await;
    let res = srv
        .control("/serviceops/apikeys/revoke", json!({"key": CREDS.api_key}))
        .await;
    assert_eq!(res.status(), 404);

    let res = srv
        .control("/serviceops/apikeys", json!({"user": "tim"}))
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["user"], CREDS.username);
    let key = created["key"].as_str().unwrap();
    let res = srv
        .get("/api/v1/request/65", &format!("Apikey {key}"))
        .await;
    assert_eq!(res.status(), 200);
    let state = srv.state().await;
    assert_eq!(state["users"][0]["apiKeys"], json!([key]));
    let res = srv
        .control("/serviceops/apikeys", json!({"user": "ghost"}))
        .await;
    assert_eq!(res.status(), 404);
    let res = srv
        .control("/serviceops/apikeys", json!({"usr": "tim"}))
        .await;
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn unknown_ids_are_404_and_other_peoples_requests_403() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    for id in ["999", "abc"] {
        let res = srv.get(&format!("/api/v1/request/{id}"), &auth).await;
        let message = assert_business_error(res, 404, "entity_not_found").await;
        assert_eq!(message, format!("Request with id {id} not found"));
    }
    let rita = srv.bearer("rita", "789").await;
    assert_eq!(srv.get("/api/v1/request/64", &rita).await.status(), 200);
    let res = srv.get("/api/v1/request/65", &rita).await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    let res = srv
        .get(
            "/api/v1/request/65",
            &format!("Apikey {}", CREDS.requester_api_key),
        )
        .await;
    assert_eq!(res.status(), 200, "Paul reads his own request");
}

#[actix_web::test]
async fn unknown_paths_get_springs_error_body() {
    let srv = start().await;
    let res = srv
        .get("/api/v9/nothing", &format!("Apikey {}", CREDS.api_key))
        .await;
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(body["path"], "/api/v9/nothing");
}

#[actix_web::test]
async fn the_state_round_trips_and_bad_state_names_the_field() {
    let srv = start().await;
    let state = srv.state().await;
    let fixture: Value =
        serde_json::from_str(include_str!("../../../../fixtures/serviceops.json")).unwrap();
    assert_eq!(state, fixture);
    assert_eq!(srv.put_state(&state).await.status(), 200);
    assert_eq!(srv.state().await, state);

    let mut bad = state.clone();
    bad["users"][1]["role"] = json!("boss");
    let res = srv.put_state(&bad).await;
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "users[1].role");

    let mut dup = state.clone();
    dup["users"][1]["email"] = json!("TIM@acme.com");
    let res = srv.put_state(&dup).await;
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "users[1].email");

    let mut extra = state.clone();
    extra["requests"][0]["colour"] = json!("red");
    let res = srv.put_state(&extra).await;
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "requests[0].colour");

    let mut dup = state.clone();
    dup["serviceRequests"][0]["id"] = json!(64);
    let res = srv.put_state(&dup).await;
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "serviceRequests[0].id");
    assert!(err.to_string().contains(r#"duplicate \"64\""#), "{err}");

    let mut dangling = state.clone();
    dangling["conversations"][0]["ticketId"] = json!(999);
    let res = srv.put_state(&dangling).await;
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "conversations[0].ticketId");
}

/// Authentication keeps what it read between requests (verified tokens, accounts, clients):
/// every change of the store shows at once, and "now" is checked on every use.
#[actix_web::test]
async fn what_authentication_keeps_follows_every_change_of_the_store_and_the_clock() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    for _ in 0..3 {
        assert_eq!(srv.get("/api/v1/request/65", &auth).await.status(), 200);
    }
    let fixture = srv.state().await;
    let with_user = |change: &dyn Fn(&mut Value)| {
        let mut doc = fixture.clone();
        let users = doc["users"].as_array_mut().unwrap();
        let tim = users
            .iter_mut()
            .find(|u| u["email"] == CREDS.username)
            .unwrap();
        change(tim);
        doc
    };
    // Disabled: the same token is refused on its next use.
    let res = srv
        .put_state(&with_user(&|u| u["enabled"] = json!(false)))
        .await;
    assert_eq!(res.status(), 200);
    let res = srv.get("/api/v1/request/65", &auth).await;
    assert_oauth_error(res, 401, "invalid_token", "User is disabled").await;
    // Enabled again: it works again.
    assert_eq!(srv.put_state(&fixture).await.status(), 200);
    assert_eq!(srv.get("/api/v1/request/65", &auth).await.status(), 200);
    // Gone: its tokens name nobody.
    let mut without = fixture.clone();
    without["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["email"] != CREDS.username);
    without["requests"] = json!([]);
    without["serviceRequests"] = json!([]);
    without["changes"] = json!([]);
    without["conversations"] = json!([]);
    assert_eq!(srv.put_state(&without).await.status(), 200, "{without}");
    let res = srv.get("/api/v1/request/65", &auth).await;
    assert_oauth_error(
        res,
        401,
        "invalid_token",
        "Cannot convert access token to JSON",
    )
    .await;
    assert_eq!(srv.put_state(&fixture).await.status(), 200);
    assert_eq!(srv.get("/api/v1/request/65", &auth).await.status(), 200);

    // The password grant: a changed password and a changed client secret show at once.
    assert_eq!(
        srv.login(CREDS.username, CREDS.password).await.status(),
        200
    );
    assert_eq!(
        srv.put_state(&with_user(&|u| u["password"] = json!("changed")))
            .await
            .status(),
        200
    );
    let res = srv.login(CREDS.username, CREDS.password).await;
    assert_oauth_error(res, 401, "invalid_grant", "Bad credentials").await;
    assert_eq!(srv.login(CREDS.username, "changed").await.status(), 200);
    let mut other_secret = fixture.clone();
    other_secret["clients"][0]["clientSecret"] = json!("rotated");
    assert_eq!(srv.put_state(&other_secret).await.status(), 200);
    let res = srv.login(CREDS.username, CREDS.password).await;
    assert_oauth_error(res, 401, "unauthorized", "Bad credentials").await;
    assert_eq!(srv.put_state(&fixture).await.status(), 200);
    assert_eq!(
        srv.login(CREDS.username, CREDS.password).await.status(),
        200
    );

    // Expiry is checked against "now" on every use of a token verified before.
    assert_eq!(srv.get("/api/v1/request/65", &auth).await.status(), 200);
    srv.advance(7200).await;
    let token = auth.strip_prefix("Bearer ").unwrap();
    let res = srv.get("/api/v1/request/65", &auth).await;
    assert_oauth_error(
        res,
        401,
        "invalid_token",
        &format!("Access token expired: {token}"),
    )
    .await;
    let res = srv.control("/clock", json!({"advance_secs": -7200})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(srv.get("/api/v1/request/65", &auth).await.status(), 200);
}
