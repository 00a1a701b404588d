//! Every search operator over HTTP, concurrent updates, huge bodies, unknown paths and methods.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn rel(key: &str, operator: &str, value: Value) -> Value {
    json!({"type": "RelationalQualificationRest",
           "leftOperand": {"type": "PropertyOperandRest", "key": key},
           "operator": operator,
           "rightOperand": {"type": "ValueOperandRest", "value": {"type": "StringValueRest", "value": value}}})
}

async fn ids(srv: &Srv, auth: &str, qual_details: Value) -> Vec<i64> {
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/search/byqual?size=100",
            auth,
            &json!({"qualDetails": qual_details}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["objectList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

fn flat(quals: Vec<Value>) -> Value {
    json!({"type": "FlatQualificationRest", "quals": quals})
}

#[actix_web::test]
async fn every_operator_selects_the_right_requests() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    // Fixture: 64 "Email Server is Down" (tags [mail]), 65 "Incident Summary", 66 SR "New laptop".
    let cases: Vec<(Value, Vec<i64>)> = vec![
        (
            rel("request.subject", "equal", json!("Incident Summary")),
            vec![65],
        ),
        (
            rel("request.subject", "not_equal", json!("Incident Summary")),
            vec![64, 66],
        ),
        (rel("id", "in", json!([64, 66, 99])), vec![64, 66]),
        (rel("id", "not_in", json!([64])), vec![65, 66]),
        (
            rel("request.subject", "contains", json!("SERVER")),
            vec![64],
        ),
        (rel("request.subject", "not_contains", json!("e")), vec![]),
        (rel("request.subject", "start_with", json!("new")), vec![66]),
        (
            rel("request.subject", "end_with", json!("summary")),
            vec![65],
        ),
        (rel("id", "greater_than", json!(65)), vec![66]),
        (rel("id", "greater_than_or_equal", json!(65)), vec![65, 66]),
        (rel("id", "less_than", json!(65)), vec![64]),
        (rel("id", "less_than_or_equal", json!(65)), vec![64, 65]),
        (rel("id", "between", json!([65, 66])), vec![65, 66]),
        (rel("request.tags", "is_blank", Value::Null), vec![65, 66]),
        (rel("request.tags", "is_not_blank", Value::Null), vec![64]),
        (rel("request.tags", "equal", json!("mail")), vec![64]),
        (
            rel("request.priorityName", "equal", json!("high")),
            vec![64],
        ),
        (
            rel(
                "request.createdTime",
                "greater_than",
                json!(1_756_304_000_000_i64),
            ),
            vec![65, 66],
        ),
    ];
    for (qual, expected) in cases {
        assert_eq!(
            ids(&srv, &auth, flat(vec![qual.clone()])).await,
            expected,
            "{qual}"
        );
    }
    let both = flat(vec![
        rel("request.priorityName", "equal", json!("Low")),
        rel("request.subject", "contains", json!("summary")),
    ]);
    assert_eq!(ids(&srv, &auth, both).await, vec![65], "quals are ANDed");
    let mut either = flat(vec![
        rel("id", "equal", json!(64)),
        rel("id", "equal", json!(66)),
    ]);
    either["operator"] = json!("or");
    assert_eq!(ids(&srv, &auth, either).await, vec![64, 66]);
    let binary = json!({"type": "BinaryQualificationRest", "operator": "or",
                        "leftQual": rel("id", "equal", json!(65)),
                        "rightQual": flat(vec![rel("request.tags", "equal", json!("mail"))])});
    assert_eq!(ids(&srv, &auth, binary).await, vec![64, 65]);
    let db_operand = json!({"type": "RelationalQualificationRest",
        "leftOperand": {"type": "DbOperandRest", "key": "id"}, "operator": "in",
        "rightOperand": {"type": "ValueOperandRest", "value": {"type": "ListLongValueRest", "value": [65]}}});
    assert_eq!(ids(&srv, &auth, flat(vec![db_operand])).await, vec![65]);

    for (bad, path) in [
        (
            flat(vec![rel("id", "in", json!(5))]),
            "qualDetails.quals[0].rightOperand.value.value",
        ),
        (
            flat(vec![rel("id", "equal", Value::Null)]),
            "qualDetails.quals[0].rightOperand.value.value",
        ),
        (json!({"type": "Mystery"}), "qualDetails.type"),
        (
            json!({"type": "FlatQualificationRest"}),
            "qualDetails.quals",
        ),
    ] {
        let res = srv
            .send(
                Method::POST,
                "/api/v1/request/search/byqual",
                &auth,
                &json!({"qualDetails": bad}),
            )
            .await;
        let message = assert_business_error(res, 400, "validation_failed").await;
        assert!(message.starts_with(path), "{message}");
    }
}

#[actix_web::test]
async fn concurrent_updates_of_one_request_lose_nothing() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let patches = [
        json!({"subject": "Concurrent"}),
        json!({"description": "many writers"}),
        json!({"priorityName": "Urgent"}),
        json!({"urgencyName": "High"}),
        json!({"impactName": "On Business"}),
        json!({"categoryName": "Hardware"}),
        json!({"departmentName": "IT"}),
        json!({"locationName": "New York"}),
        json!({"tags": ["a", "b"]}),
        json!({"spam": true}),
        json!({"supportLevel": "tier3"}),
        json!({"customField": {"New Text Input": "set"}}),
    ];
    let futures = patches
        .iter()
        .map(|p| srv.send(Method::PATCH, "/api/v1/request/65", &auth, p));
    for res in futures_util::future::join_all(futures).await {
        assert_eq!(res.status(), 200);
    }
    let after: Value = srv
        .get("/api/v1/request/65", &auth)
        .await
        .json()
        .await
        .unwrap();
    for patch in &patches {
        for (key, value) in patch.as_object().unwrap() {
            if key == "customField" {
                assert_eq!(after[key]["New Text Input"], "set");
            } else {
                assert_eq!(&after[key], value, "{key} was lost");
            }
        }
    }
}

#[actix_web::test]
async fn huge_bodies_are_413_and_nothing_is_created() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let huge = json!({"subject": "x", "requesterEmail": "tim", "description": "a".repeat(2 << 20)});
    let res = srv
        .send(Method::POST, "/api/v1/request", &auth, &huge)
        .await;
    assert_business_error(res, 413, "payload_too_large").await;
    assert_eq!(srv.state().await["sequences"]["nextId"], 69);
}

#[actix_web::test]
async fn unknown_paths_and_methods_need_credentials_first() {
    let srv = start().await;
    let res = srv
        .http
        .get(srv.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_oauth_error(
        res,
        401,
        "unauthorized",
        "Full authentication is required to access this resource",
    )
    .await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = srv.get("/api/v1/nothing", &auth).await;
    assert_eq!(res.status(), 404);
    let res = srv
        .send(Method::PUT, "/api/v1/request/65", &auth, &json!({}))
        .await;
    assert_eq!(res.status(), 405);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Request method 'PUT' not supported");
    let res = srv
        .http
        .put(srv.url("/api/v1/request/65"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = srv.http.get(srv.url("/elsewhere")).send().await.unwrap();
    assert_eq!(res.status(), 404, "outside /api/ nothing is guarded");
}

#[actix_web::test]
async fn state_survives_a_restart_on_a_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let on_dir = || {
        standin_testkit::Standin::serviceops()
            .data_dir(dir.path())
            .start()
    };
    let auth = format!("Apikey {}", CREDS.api_key);
    let http = reqwest::Client::new();
    let first = on_dir().await;
    let res = http
        .post(format!("{}/api/v1/request", first.url()))
        .header("Authorization", &auth)
        .json(&json!({"subject": "Survives", "requesterEmail": "tim"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    let tokens: Value = http
        .post(format!("{}/api/oauth/token", first.url()))
        .header("Authorization", basic())
        .form(&[
            ("username", "tim"),
            ("password", CREDS.password),
            ("grant_type", "password"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    drop(first); // stops it

    let second = on_dir().await;
    let res = http
        .get(format!("{}/api/v1/request/{}", second.url(), created["id"]))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), created);
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let res = http
        .get(format!("{}/api/v1/request/65", second.url()))
        .header("Authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "tokens survive the restart");
    drop(second);
}

#[actix_web::test]
async fn a_mutated_state_round_trips_through_dump_and_load() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let writes = [
        (
            Method::POST,
            "/api/v1/request",
            json!({"subject": "a", "requesterEmail": "rita", "tags": ["t"], "ccEmailSet": ["x@y.z"]}),
        ),
        (
            Method::POST,
            "/api/v1/service_catalog/servicerequest",
            json!({"requester": "paulsn", "serviceName": "HW 1"}),
        ),
        (
            Method::POST,
            "/api/v1/change",
            json!({"requesterEmail": "tim", "subject": "c", "startDate": 1, "endDate": 2}),
        ),
        (
            Method::POST,
            "/api/v1/asset",
            json!({"name": "n", "assetTypeName": "nonit$furniture", "type": "NonITAsset"}),
        ),
        (
            Method::POST,
            "/api/v1/request/65/conversation",
            json!({"conversationType": "note", "details": "d"}),
        ),
        (
            Method::POST,
            "/api/v1/requester",
            json!({"name": "R", "email": "r@acme.com", "contactNo": "1"}),
        ),
        (
            Method::PATCH,
            "/api/v1/request/64",
            json!({"statusName": "Closed", "description": null}),
        ),
    ];
    for (method, path, body) in writes {
        let res = srv.send(method, path, &auth, &body).await;
        assert_eq!(res.status(), 200, "{path}");
    }
    let res = srv
        .control("/serviceops/apikeys", json!({"user": "rita"}))
        .await;
    assert_eq!(res.status(), 201);
    let dumped = srv.state().await;
    assert_eq!(srv.put_state(&dumped).await.status(), 200);
    assert_eq!(srv.state().await, dumped);
    let res = srv.control("/reset", json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        srv.state().await["sequences"]["nextId"],
        69,
        "reset goes back to the fixtures"
    );
}

/// Send raw bytes and read the status code (stopping quietly if the server closes early).
fn exchange(addr: &str, request: &[u8]) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    for chunk in request.chunks(64 * 1024) {
        if stream.write_all(chunk).is_err() {
            break;
        }
    }
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(2).any(|w| w == b"\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace().nth(1).and_then(|s| s.parse().ok())
}

#[actix_web::test]
async fn hostile_bodies_get_clean_answers() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let addr = srv.server.url().trim_start_matches("http://").to_owned();
    let req = |path: &str, content_type: &str, body: &[u8]| {
        let mut out = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: {auth}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    };
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut nested_qual = String::from(r#"{"qualDetails":"#);
    for _ in 0..60 {
        nested_qual.push_str(r#"{"type":"FlatQualificationRest","quals":["#);
    }
    nested_qual.push_str(&"]}".repeat(60));
    nested_qual.push('}');
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "nested JSON",
            req("/api/v1/request", "application/json", nested.as_bytes()),
            400,
        ),
        (
            "numbers out of range",
            req(
                "/api/v1/request",
                "application/json",
                br#"{"subject": 1e999}"#,
            ),
            400,
        ),
        (
            "binary",
            req("/api/v1/request", "application/json", b"\x00\x01{{{"),
            400,
        ),
        (
            "nested qualification",
            req(
                "/api/v1/request/search/byqual",
                "application/json",
                nested_qual.as_bytes(),
            ),
            200,
        ),
        (
            "multipart without a boundary",
            req("/api/oauth/token", "multipart/form-data", b"--x\r\n\r\n"),
            400,
        ),
    ];
    for (name, bytes, expected) in cases {
        let addr = addr.clone();
        let status = tokio::task::spawn_blocking(move || exchange(&addr, &bytes))
            .await
            .unwrap();
        assert_eq!(status, Some(expected), "{name}");
    }
    let mut huge = format!(
        "POST /api/oauth/token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        100 * 1024 * 1024
    )
    .into_bytes();
    huge.extend(std::iter::repeat_n(b'a', 100 * 1024 * 1024));
    let started = std::time::Instant::now();
    let addr2 = addr.clone();
    let status = tokio::task::spawn_blocking(move || exchange(&addr2, &huge))
        .await
        .unwrap();
    assert!(status.is_none_or(|s| s == 413), "{status:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(12));
    assert_eq!(
        srv.get("/api/v1/request/65", &auth).await.status(),
        200,
        "still serving"
    );
}
