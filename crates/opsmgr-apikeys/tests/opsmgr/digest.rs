//! The front door: Digest challenge, credentials, nonces, replay, uri check, access lists.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn keys_uri() -> String {
    format!("/api/public/v1.0/groups/{GROUP}/apiKeys")
}

#[actix_web::test]
async fn an_unauthenticated_request_gets_the_exact_challenge_and_body() {
    let srv = server().await;
    let res = reqwest::get(format!("{}{}", srv.url(), keys_uri()))
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(res.headers()["content-type"], "application/json");
    let nonce = nonce_of(&challenge);
    assert_eq!(nonce.len(), 32);
    assert!(nonce
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'));
    assert_eq!(
        challenge,
        format!("Digest realm=\"MMS Public API\", domain=\"\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\", stale=false")
    );
    assert_eq!(
        res.text().await.unwrap(),
        r#"{"reason":"Unauthorized","error":401,"detail":"You are not authorized for this resource."}"#
    );
}

#[actix_web::test]
async fn the_pretty_401_body_is_the_captured_106_bytes() {
    let srv = server().await;
    let res = reqwest::get(format!("{}{}?pretty=true", srv.url(), keys_uri()))
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let text = res.text().await.unwrap();
    assert_eq!(text.len(), 106);
    assert!(text.starts_with("{\n  \"reason\" : \"Unauthorized\",\n"));
}

#[actix_web::test]
async fn a_correct_digest_lists_the_projects_keys_redacted() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, body) = client.get_json(&keys_uri()).await;
    assert_eq!(status, 200, "{body}");
    let base = srv.url().to_owned();
    assert_eq!(
        body,
        json!({
            "links": [{"href": format!("{base}/api/public/v1.0/groups/{GROUP}/apiKeys?pageNum=1&itemsPerPage=100"), "rel": "self"}],
            "results": [{
                "desc": "standin default key",
                "id": KEY_ID,
                "links": [{"href": format!("{base}/api/public/v1.0/orgs/{ORG}/apiKeys/{KEY_ID}"), "rel": "self"}],
                "privateKey": "********-****-****-71f4b2a9e6c3",
                "publicKey": PUBLIC,
                "roles": [
                    {"orgId": ORG, "roleName": "ORG_OWNER"},
                    {"groupId": GROUP, "roleName": "GROUP_OWNER"}
                ]
            }],
            "totalCount": 1
        })
    );
}

#[actix_web::test]
async fn the_response_is_compact_with_alphabetical_keys_and_the_service_version_header() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let res = client.get(&keys_uri()).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["x-mongodb-service-version"]
        .to_str()
        .unwrap()
        .starts_with("gitHash="));
    let text = res.text().await.unwrap();
    assert!(text.starts_with(r#"{"links":[{"href":"#), "{text}");
    assert!(text.contains(r#""privateKey":"********-****-****-71f4b2a9e6c3","publicKey":"qzvhwmtx","roles":[{"orgId":"#));
    assert!(!text.contains('\n') && !text.contains(" : "));
}

#[actix_web::test]
async fn a_wrong_private_key_is_challenged_again() {
    let srv = server().await;
    let client = DigestClient::new(&srv, PUBLIC, "00000000-0000-4000-8000-000000000000");
    let res = client.get(&keys_uri()).await;
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .ends_with("stale=false"));
    assert_eq!(
        res.headers()["x-standin-reason"],
        "Digest response does not match for user \"qzvhwmtx\""
    );
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"reason":"Unauthorized","error":401,"detail":"You are not authorized for this resource."})
    );
}

#[actix_web::test]
async fn an_unknown_public_key_is_refused() {
    let srv = server().await;
    let client = DigestClient::new(&srv, "abcdefgh", PRIVATE);
    assert_eq!(client.get(&keys_uri()).await.status(), 401);
}

#[actix_web::test]
async fn an_expired_nonce_with_a_correct_digest_is_stale_and_a_wrong_one_is_not() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let nonce = client.fresh_nonce().await;
    srv.host().main.env.clock.advance_ms(301_000);
    let uri = keys_uri();
    let good = auth_header(PUBLIC, PRIVATE, &nonce, "GET", &uri, 1, "abc");
    let res = client
        .http
        .get(format!("{}{uri}", srv.url()))
        .header("authorization", good)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.ends_with("stale=true"), "{challenge}");
    assert_ne!(
        nonce_of(&challenge),
        nonce,
        "a fresh nonce comes with stale=true"
    );

    let bad = auth_header(PUBLIC, "wrong", &nonce, "GET", &uri, 2, "abd");
    let res = client
        .http
        .get(format!("{}{uri}", srv.url()))
        .header("authorization", bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .ends_with("stale=false"));

    // The client retries on the fresh nonce and gets through.
    let (status, _) = client.get_json(&uri).await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn the_stale_nonce_also_works_through_the_control_clock() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let nonce = client.fresh_nonce().await;
    let res = client
        .http
        .post(format!("{}/_standin/clock", srv.url()))
        .body(r#"{"advance_secs": 600}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let uri = keys_uri();
    let res = client
        .http
        .get(format!("{}{uri}", srv.url()))
        .header(
            "authorization",
            auth_header(PUBLIC, PRIVATE, &nonce, "GET", &uri, 1, "x"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .ends_with("stale=true"));
}

#[actix_web::test]
async fn a_live_nonce_is_reused_with_a_growing_nc_but_an_exact_replay_is_refused() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let nonce = client.fresh_nonce().await;
    let uri = keys_uri();
    let send = |header: String| {
        client
            .http
            .get(format!("{}{uri}", srv.url()))
            .header("authorization", header)
            .send()
    };
    let h1 = auth_header(PUBLIC, PRIVATE, &nonce, "GET", &uri, 1, "c1");
    assert_eq!(send(h1.clone()).await.unwrap().status(), 200);
    let h2 = auth_header(PUBLIC, PRIVATE, &nonce, "GET", &uri, 2, "c1");
    assert_eq!(send(h2).await.unwrap().status(), 200);
    let replay = send(h1).await.unwrap();
    assert_eq!(replay.status(), 401);
    assert!(replay.headers().contains_key("www-authenticate"));
}

#[actix_web::test]
async fn a_tampered_response_or_a_uri_for_another_resource_is_refused() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let nonce = client.fresh_nonce().await;
    let uri = keys_uri();
    let mut tampered = auth_header(PUBLIC, PRIVATE, &nonce, "GET", &uri, 1, "c1");
    let at = tampered.find("response=\"").unwrap() + 10;
    let flipped = if &tampered[at..at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    tampered.replace_range(at..at + 1, flipped);
    let res = client
        .http
        .get(format!("{}{uri}", srv.url()))
        .header("authorization", tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let other = "/api/public/v1.0/orgs";
    let header = auth_header(PUBLIC, PRIVATE, &nonce, "GET", other, 2, "c2");
    let res = client
        .http
        .get(format!("{}{uri}", srv.url()))
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers()["x-standin-reason"]
        .to_str()
        .unwrap()
        .contains("does not match the request target"));

    // A digest computed for GET does not authorize a DELETE.
    let header = auth_header(PUBLIC, PRIVATE, &nonce, "GET", &uri, 3, "c3");
    let res = client
        .http
        .delete(format!("{}{uri}", srv.url()))
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[actix_web::test]
async fn unquoted_parameters_as_httpx_and_go_send_them_are_accepted() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let nonce = client.fresh_nonce().await;
    let uri = format!("{}?pretty=true", keys_uri());
    let response = digest_response(PUBLIC, PRIVATE, &nonce, "GET", &uri, 1, "f00d");
    let header = format!(
        "Digest username=\"{PUBLIC}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", \
         response=\"{response}\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"f00d\""
    );
    let res = client
        .http
        .get(format!("{}{uri}", srv.url()))
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .starts_with("{\n  \"links\" : [ {\n"));
}

#[actix_web::test]
async fn the_legacy_username_and_personal_api_key_form_is_accepted() {
    let srv = server().await;
    let client = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, body) = client.get_json(&keys_uri()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalCount"], 1);
    let wrong = DigestClient::new(&srv, USERNAME, PRIVATE);
    assert_eq!(wrong.get(&keys_uri()).await.status(), 401);
}

#[actix_web::test]
async fn a_caller_outside_the_keys_access_list_is_forbidden_with_its_ip() {
    let srv = server().await;
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["accessList"] =
            json!([{"cidrBlock": "10.0.0.0/8", "count": 0, "created": "2020-01-01T00:00:00Z"}]);
    });
    let client = DigestClient::key(&srv);
    let (status, body) = client.get_json(&keys_uri()).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({
            "detail": "IP address 127.0.0.1 is not allowed to access this resource.",
            "error": 403,
            "errorCode": "IP_ADDRESS_NOT_ON_ACCESS_LIST",
            "parameters": ["127.0.0.1"],
            "reason": "Forbidden"
        })
    );
}

#[actix_web::test]
async fn legacy_codes_say_whitelist() {
    let srv = server_with(opsmgr_apikeys::Settings {
        legacy_whitelist_codes: true,
        ..Default::default()
    })
    .await;
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["accessList"] =
            json!([{"cidrBlock": "192.0.2.0/24", "count": 0, "created": "2020-01-01T00:00:00Z"}]);
    });
    let (status, body) = DigestClient::key(&srv).get_json(&keys_uri()).await;
    assert_eq!(status, 403);
    assert_eq!(code(&body), "IP_ADDRESS_NOT_ON_WHITELIST");
}

#[actix_web::test]
async fn an_empty_access_list_allows_any_address() {
    let srv = server().await;
    with_state(&srv, |doc| doc["apiKeys"][0]["accessList"] = json!([]));
    let (status, _) = DigestClient::key(&srv).get_json(&keys_uri()).await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn a_matching_entry_counts_its_uses() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    for _ in 0..2 {
        assert_eq!(client.get(&keys_uri()).await.status(), 200);
    }
    let state = srv.host().main.export_state().unwrap();
    let entry = &state["apiKeys"][0]["accessList"][0];
    assert_eq!(entry["count"], 2);
    assert_eq!(entry["lastUsedAddress"], "127.0.0.1");
    assert!(entry["lastUsed"].as_str().unwrap().ends_with('Z'));
}

#[actix_web::test]
async fn a_refused_request_with_a_body_never_reaches_routing_or_a_handler() {
    let srv = server().await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/public/v1.0/no/such/path", srv.url()))
        .header("content-type", "application/json")
        .body(r#"{"desc":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let client = DigestClient::key(&srv);
    let (status, body) = client
        .call(Method::POST, "/api/public/v1.0/no/such/path", Some("{}"))
        .await;
    assert_eq!(status, 404);
    assert_eq!(code(&body), "RESOURCE_NOT_FOUND");
    assert_eq!(body["parameters"], json!(["/api/public/v1.0/no/such/path"]));
}

#[actix_web::test]
async fn malformed_authorization_headers_get_the_challenge() {
    let srv = server().await;
    let http = reqwest::Client::new();
    for header in [
        "Basic cXp2aHdtdHg6eA==",
        "Digest",
        "Digest username=\"qzvhwmtx\"",
        "Digest username=\"qzvhwmtx\", realm=\"Other\", nonce=\"n\", uri=\"/\", response=\"r\"",
    ] {
        let res = http
            .get(format!("{}{}", srv.url(), keys_uri()))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{header}");
        assert!(res.headers().contains_key("www-authenticate"));
    }
}

#[actix_web::test]
async fn the_rfc_2069_form_without_qop_is_accepted() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let nonce = client.fresh_nonce().await;
    let uri = keys_uri();
    let ha1 = md5_hex(&format!("{PUBLIC}:{REALM}:{PRIVATE}"));
    let ha2 = md5_hex(&format!("GET:{uri}"));
    let response = md5_hex(&format!("{ha1}:{nonce}:{ha2}"));
    let header = format!(
        "Digest username=\"{PUBLIC}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\""
    );
    let res = client
        .http
        .get(format!("{}{uri}", srv.url()))
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn a_go_style_first_round_trip_with_a_body_creates_nothing() {
    let srv = server().await;
    let uri = format!("/api/public/v1.0/orgs/{ORG}/apiKeys");
    let body = r#"{"desc":"go","roles":["ORG_MEMBER"]}"#;
    let http = reqwest::Client::new();
    let first = http
        .post(format!("{}{uri}", srv.url()))
        .header("content-type", "application/json")
        .body(format!("{body}\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 401);
    let nonce = nonce_of(first.headers()["www-authenticate"].to_str().unwrap());
    assert_eq!(
        srv.host().main.export_state().unwrap()["apiKeys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let response = digest_response(PUBLIC, PRIVATE, &nonce, "POST", &uri, 1, "0a4f113b");
    let header = format!(
        "Digest username=\"{PUBLIC}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", \
         response=\"{response}\", algorithm=\"MD5\", qop=auth, nc=00000001, cnonce=\"0a4f113b\""
    );
    let second = http
        .post(format!("{}{uri}", srv.url()))
        .header("content-type", "application/json")
        .header("authorization", header)
        .body(format!("{body}\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 200);
    assert_eq!(
        srv.host().main.export_state().unwrap()["apiKeys"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn the_journal_names_the_principal_and_never_the_secret() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    assert_eq!(client.get(&keys_uri()).await.status(), 200);
    let wrong = DigestClient::new(&srv, PUBLIC, "not-the-secret-0000");
    assert_eq!(wrong.get(&keys_uri()).await.status(), 401);
    let log = client
        .http
        .get(format!("{}/_standin/requests", srv.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(log.contains("qzvhwmtx"), "{log}");
    assert!(log.contains("opsmgr.list_project_keys"), "{log}");
    assert!(!log.contains(PRIVATE) && !log.contains("not-the-secret"));
}

#[actix_web::test]
async fn x_forwarded_for_is_ignored_unless_trusted() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let nonce = client.fresh_nonce().await;
    let uri = keys_uri();
    let send = |nc: u32, srv_url: String, nonce: String| {
        let header = auth_header(PUBLIC, PRIVATE, &nonce, "GET", &uri, nc, "xff");
        client
            .http
            .get(format!("{srv_url}{uri}"))
            .header("authorization", header)
            .header("x-forwarded-for", "203.0.113.7, 127.0.0.1")
            .send()
    };
    assert_eq!(
        send(1, srv.url().to_owned(), nonce).await.unwrap().status(),
        200
    );

    let trusting = server_with(opsmgr_apikeys::Settings {
        trust_forwarded_for: true,
        ..Default::default()
    })
    .await;
    let nonce = DigestClient::key(&trusting).fresh_nonce().await;
    let res = send(1, trusting.url().to_owned(), nonce).await.unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["parameters"], json!(["203.0.113.7"]));
}
