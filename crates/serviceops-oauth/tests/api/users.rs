//! Requesters and technicians through the API; users and clients through the control API.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

#[actix_web::test]
async fn technicians_manage_requesters_and_technicians() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/requester",
            &auth,
            &json!({"name": "Neo", "email": "neo@acme.com", "userLogOnName": "neo",
                    "contactNo": "+1 555 0100", "locationName": "new york"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let neo: Value = res.json().await.unwrap();
    assert_eq!(
        neo,
        json!({"id": 6, "name": "Neo", "email": "neo@acme.com", "userLogOnName": "neo",
               "contactNo": "+1 555 0100", "locationName": "New York"})
    );
    let read: Value = srv
        .get("/api/v1/requester/6", &auth)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, neo);
    let res = srv.get("/api/v1/technician/6", &auth).await;
    assert_eq!(
        assert_business_error(res, 404, "entity_not_found").await,
        "Technician with id 6 not found"
    );
    let updated: Value = srv
        .send(
            Method::PATCH,
            "/api/v1/requester/6",
            &auth,
            &json!({"contactNo": null, "departmentName": "IT"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(updated.get("contactNo").is_none());
    assert_eq!(updated["departmentName"], "IT");

    let created = srv
        .send(
            Method::POST,
            "/api/v1/request",
            &auth,
            &json!({"subject": "x", "requesterEmail": "neo"}),
        )
        .await;
    assert_eq!(
        created.status(),
        200,
        "the new requester can be a request's requester"
    );
    let res = srv.login("neo@acme.com", "").await;
    assert_oauth_error(res, 401, "invalid_grant", "Bad credentials").await;

    let found: Value = srv
        .send(
            Method::POST,
            "/api/v1/technician/search/byqual",
            &auth,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["totalCount"], 3, "Tim, Ada (admin) and disabled Dana");
    let found: Value = srv
        .send(
            Method::POST,
            "/api/v1/requester/search/byqual?size=2",
            &auth,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["totalCount"], 3);
    assert_eq!(found["objectList"].as_array().unwrap().len(), 2);
    assert!(found["objectList"][0].get("password").is_none());

    let tech: Value = srv
        .send(
            Method::POST,
            "/api/v1/technician",
            &auth,
            &json!({"name": "Trinity", "email": "trinity@acme.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tech["id"], 7);
    assert_eq!(
        srv.send(Method::DELETE, "/api/v1/technician/7", &auth, &json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(srv.get("/api/v1/technician/7", &auth).await.status(), 404);
}

#[actix_web::test]
async fn bad_users_are_400_and_requesters_may_not_manage_users() {
    let srv = start().await;
    let auth = srv.bearer("admin", "admin").await;
    for (body, message) in [
        (json!({"email": "a@b.c"}), "name is required"),
        (json!({"name": "A"}), "email is required"),
        (
            json!({"name": "A", "email": "nope"}),
            "email: \"nope\" is not an e-mail address",
        ),
        (
            json!({"name": "A", "email": "TIM@acme.com"}),
            "email: \"TIM@acme.com\" already exists",
        ),
        (
            json!({"name": "A", "email": "a@b.c", "userLogOnName": "paulsn"}),
            "userLogOnName: \"paulsn\" already exists",
        ),
        (
            json!({"name": "A", "email": "a@b.c", "locationName": "Mars"}),
            "locationName: \"Mars\" does not exist",
        ),
    ] {
        let res = srv
            .send(Method::POST, "/api/v1/requester", &auth, &body)
            .await;
        assert_eq!(
            assert_business_error(res, 400, "validation_failed").await,
            message
        );
    }
    let rita = srv.bearer("rita", "789").await;
    for (method, path) in [
        (Method::POST, "/api/v1/requester"),
        (Method::GET, "/api/v1/requester/2"),
        (Method::PATCH, "/api/v1/requester/2"),
        (Method::DELETE, "/api/v1/requester/2"),
        (Method::POST, "/api/v1/technician/search/byqual"),
    ] {
        let res = srv.send(method, path, &rita, &json!({"name": "x"})).await;
        assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    }
}

#[actix_web::test]
async fn the_control_api_disables_users_and_registers_clients() {
    let srv = start().await;
    let tokens = srv.tokens("rita@acme.com", "789").await;
    let auth = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let res = srv
        .http
        .patch(srv.url("/_standin/serviceops/users/rita"))
        .json(&json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = srv.get("/api/v1/request/64", &auth).await;
    assert_oauth_error(res, 401, "invalid_token", "User is disabled").await;
    let res = srv.login("rita", "789").await;
    assert_oauth_error(res, 400, "invalid_grant", "User is disabled").await;
    let res = srv
        .http
        .patch(srv.url("/_standin/serviceops/users/rita"))
        .json(&json!({"enabled": true, "password": "new", "role": "technician"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(srv.login("rita", "789").await.status(), 401);
    let auth = srv.bearer("rita", "new").await;
    assert_eq!(
        srv.get("/api/v1/request/65", &auth).await.status(),
        200,
        "now a technician"
    );
    let res = srv
        .http
        .patch(srv.url("/_standin/serviceops/users/ghost"))
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let res = srv
        .control(
            "/serviceops/users",
            json!({"id": 1, "name": "Zed", "email": "zed@acme.com", "password": "z", "role": "requester", "enabled": true}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let zed: Value = res.json().await.unwrap();
    assert_eq!(zed["id"], 6, "a taken id is replaced");
    assert_eq!(srv.login("zed@acme.com", "z").await.status(), 200);
    let res = srv
        .control("/serviceops/users", json!({"id": 9, "name": "Dup", "email": "zed@acme.com", "password": "z", "role": "admin", "enabled": true}))
        .await;
    assert_eq!(res.status(), 400);

    let res = srv
        .control(
            "/serviceops/clients",
            json!({"clientId": "ci", "clientSecret": "cs", "scope": "other-api-scope"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "ci:cs")
    );
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .header("Authorization", &basic)
        .form(&[
            ("username", "tim"),
            ("password", CREDS.password),
            ("grant_type", "password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(tokens["scope"], "other-api-scope");
    let res = srv
        .control(
            "/serviceops/clients",
            json!({"clientId": "ci", "clientSecret": "x", "scope": "s"}),
        )
        .await;
    assert_eq!(res.status(), 400);
    let res = srv
        .http
        .delete(srv.url("/_standin/serviceops/clients/ci"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = srv
        .refresh(&basic, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_oauth_error(res, 401, "unauthorized", "Bad credentials").await;
    let state = srv.state().await;
    assert_eq!(state["clients"].as_array().unwrap().len(), 3);
}
