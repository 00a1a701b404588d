//! The apiKey front door: header (any case) or parameter, the header-only URLs, the
//! parameter-auth modes, disabled users, wrong and missing keys, the auth status setting.

use crate::common::*;
use opmanager_keys::{AuthStatus, ParamAuth};
use serde_json::json;

const LIST: &str = "/api/json/device/listDevices";

#[actix_web::test]
async fn admin_key_in_the_header_lists_the_fixture_devices() {
    let srv = Srv::start().await;
    let body = srv.get(LIST).await;
    assert_eq!(body["records"], 26);
    assert_eq!(body["page"], 1);
    assert_eq!(body["total"], 1);
    assert_eq!(body["rows"][0]["deviceName"], "core-rtr-01");
}

#[actix_web::test]
async fn the_header_name_is_case_insensitive() {
    let srv = Srv::start().await;
    for name in ["apikey", "APIKEY", "ApiKey"] {
        let body: Value = srv
            .client
            .get(srv.url(LIST))
            .header(name, ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["records"], 26, "{name}");
    }
}

#[actix_web::test]
async fn the_key_as_a_query_parameter_works_on_ordinary_urls() {
    let srv = Srv::start().await;
    let body: Value = srv
        .client
        .get(srv.url(&format!("{LIST}?apiKey={ADMIN_KEY}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["records"], 26);
}

#[actix_web::test]
async fn a_missing_key_gets_the_api_key_missing_body_with_http_200() {
    let srv = Srv::start().await;
    let res = srv.client.get(srv.url(LIST)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["x-standin-reason"],
        "no apiKey in the request (no apiKey header or parameter)"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": {"message": "API key is missing in the request.", "errorcode": "API_KEY_MISSING"}})
    );
}

#[actix_web::test]
async fn a_wrong_key_gets_the_invalid_api_key_body() {
    let srv = Srv::start().await;
    for key in [
        "ffffffffffffffffffffffffffffffff",
        "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6",
        "x",
    ] {
        let body = srv.get_as(LIST, key).await;
        assert_eq!(
            body,
            json!({"error": {"message": "Invalid API key.", "errorcode": "INVALID_API_KEY"}}),
            "{key}"
        );
    }
}

#[actix_web::test]
async fn a_user_with_rest_access_disabled_is_refused_in_header_and_query() {
    let srv = Srv::start().await;
    let body = srv.get_as(LIST, OPERATOR_KEY).await;
    assert_eq!(errorcode(&body), "REST_API_ACCESS_DISABLED");
    assert_eq!(
        body["error"]["message"],
        "Rest API access is disabled for this user. Contact the administrator user."
    );
    let body: Value = srv
        .client
        .get(srv.url(&format!("{LIST}?apiKey={OPERATOR_KEY}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(errorcode(&body), "REST_API_ACCESS_DISABLED");
}

#[actix_web::test]
async fn auth_status_401_changes_only_the_status_of_auth_failures() {
    let srv = Srv::with(Settings {
        auth_status: AuthStatus::Unauthorized,
        ..Settings::default()
    })
    .await;
    for key in [None, Some("bad"), Some(OPERATOR_KEY)] {
        let mut req = srv.client.get(srv.url(LIST));
        if let Some(key) = key {
            req = req.header("apiKey", key);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{key:?}");
        let body: Value = res.json().await.unwrap();
        assert!(body["error"]["errorcode"].is_string());
    }
    let body = srv.get(LIST).await;
    assert_eq!(body["records"], 26);
    let body = srv.get(&format!("{LIST}?rows=x")).await;
    assert_eq!(
        errorcode(&body),
        "DATATYPE_NOT_MATCHED",
        "validation stays 200"
    );
}

#[actix_web::test]
async fn a_query_key_on_a_header_only_url_counts_as_no_key() {
    let srv = Srv::start().await;
    let res = srv
        .client
        .get(srv.url(&format!("/api/json/alarm/listAlarms?apiKey={ADMIN_KEY}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["x-standin-reason"],
        "no apiKey in the request (apiKey given as a parameter on a header-only URL)"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(errorcode(&body), "API_KEY_MISSING");
}

#[actix_web::test]
async fn param_auth_disabled_refuses_query_keys_everywhere_but_keeps_headers() {
    let srv = Srv::with(Settings {
        param_auth: ParamAuth::Disabled,
        ..Settings::default()
    })
    .await;
    let body: Value = srv
        .client
        .get(srv.url(&format!("{LIST}?apiKey={ADMIN_KEY}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(errorcode(&body), "API_KEY_MISSING");
    assert_eq!(srv.get(LIST).await["records"], 26);
}

#[actix_web::test]
async fn param_auth_allowed_accepts_query_keys_even_on_header_only_urls() {
    let srv = Srv::with(Settings {
        param_auth: ParamAuth::Allowed,
        ..Settings::default()
    })
    .await;
    let body: Value = srv
        .client
        .get(srv.url(&format!("/api/json/alarm/listAlarms?apiKey={ADMIN_KEY}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body.is_array(), "{body}");
}

#[actix_web::test]
async fn the_header_wins_over_a_query_key() {
    let srv = Srv::start().await;
    let body = srv
        .get_as(&format!("{LIST}?apiKey={ADMIN_KEY}"), "wrong")
        .await;
    assert_eq!(errorcode(&body), "INVALID_API_KEY");
}

#[actix_web::test]
async fn a_form_body_key_is_a_parameter_key() {
    let srv = Srv::start().await;
    let body: Value = srv
        .client
        .post(srv.url("/api/json/alarm/addNotes"))
        .form(&[("apiKey", ADMIN_KEY), ("entity", "nope"), ("notes", "x")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        errorcode(&body),
        "INVALID_ALARM",
        "authenticated, then alarm lookup"
    );
}

#[actix_web::test]
async fn unknown_paths_and_wrong_methods_answer_in_the_vendor_envelope() {
    let srv = Srv::start().await;
    let res = srv
        .client
        .get(srv.url("/api/json/device/nothing"))
        .header("apiKey", ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(errorcode(&res.json().await.unwrap()), "INVALID_URL");
    let res = srv
        .client
        .delete(srv.url(LIST))
        .header("apiKey", ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(errorcode(&res.json().await.unwrap()), "METHOD_NOT_ALLOWED");
}

#[actix_web::test]
async fn the_state_round_trips_and_a_bad_document_names_the_field() {
    let srv = Srv::start().await;
    let state = srv.state().await;
    srv.put_state(&state).await;
    assert_eq!(srv.state().await, state);
    let mut bad = state.clone();
    bad["users"][1]["apiKey"] = bad["users"][0]["apiKey"].clone();
    let res = srv
        .client
        .put(srv.url("/_standin/state"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "users[1].apiKey");
    let mut bad = state.clone();
    bad["events"][3]["id"] = json!(-4);
    let res = srv
        .client
        .put(srv.url("/_standin/state"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "events[3].id");
    let mut bad = state;
    bad["devices"][0]["colour"] = json!("red");
    let res = srv
        .client
        .put(srv.url("/_standin/state"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn the_journal_names_the_principal_and_the_refusal_reason() {
    let srv = Srv::start().await;
    srv.get(LIST).await;
    srv.get_as(LIST, OPERATOR_KEY).await;
    let journal: Value = srv
        .client
        .get(srv.url("/_standin/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = journal.to_string();
    assert!(text.contains("\"principal\":\"admin\""), "{text}");
    assert!(
        text.contains("REST API access is disabled for user operator"),
        "{text}"
    );
    assert!(
        !text.contains(OPERATOR_KEY),
        "no secret in the journal: {text}"
    );
}

#[actix_web::test]
async fn the_same_seed_generates_the_same_keys() {
    let mut keys = Vec::new();
    for _ in 0..2 {
        let srv = Srv::on(Standin::opmanager().seed(7).start().await);
        let res = srv
            .client
            .post(srv.url("/_standin/opmanager/users/admin/key/regenerate"))
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        keys.push(body["apiKey"].as_str().unwrap().to_owned());
    }
    assert_eq!(keys[0], keys[1]);
}

#[actix_web::test]
async fn validation_messages_follow_the_vendor_templates() {
    let srv = Srv::start().await;
    let cases = [
        (
            "/api/json/device/getDeviceSummary",
            "The parameter 'name' is mandatory and must have at least 1 occurrence.",
        ),
        (
            "/api/json/device/listDevices?rows=x",
            "The parameter 'rows' must be of integer type.",
        ),
        (
            "/api/json/device/listDevices?rows=1&rows=2",
            "The parameter 'rows' must have at most only 1 occurrences.",
        ),
        (
            "/api/json/device/listDevices?sortByType=up",
            "The input specified for the parameter 'sortByType' does not match the required pattern.",
        ),
        (
            "/api/json/device/listDevices?category=%3Cscript%3E",
            "Illegal input detected on the parameter 'category'.",
        ),
    ];
    for (path, message) in cases {
        assert_eq!(srv.get(path).await["error"]["message"], message, "{path}");
    }
    let long = "x".repeat(251);
    let body = srv.get(&format!("{LIST}?category={long}")).await;
    assert_eq!(
        body["error"]["message"],
        "The parameter 'category' must have a maximum length of 250."
    );
}
