//! Requests: create, read, PATCH, delete, search by qualification with paging, role rules,
//! validation of names and types.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn create(srv: &Srv, auth: &str, body: Value) -> reqwest::Response {
    srv.send(Method::POST, "/api/v1/request", auth, &body).await
}

fn qual(key: &str, operator: &str, value: Value) -> Value {
    json!({"qualDetails": {"type": "FlatQualificationRest", "quals": [
        {"type": "RelationalQualificationRest",
         "leftOperand": {"type": "PropertyOperandRest", "key": key},
         "operator": operator,
         "rightOperand": {"type": "ValueOperandRest", "value": {"type": "StringValueRest", "value": value}}}]}})
}

async fn search(srv: &Srv, auth: &str, query: &str, body: Value) -> Value {
    let path = format!("/api/v1/request/search/byqual{query}");
    let res = srv.send(Method::POST, &path, auth, &body).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[actix_web::test]
async fn a_created_request_gets_defaults_the_next_numbers_and_the_instance_clock() {
    let srv = start().await;
    srv.control(
        "/clock",
        json!({"set": "2027-01-01T00:00:00Z", "freeze": true}),
    )
    .await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = create(
        &srv,
        &auth,
        json!({"subject": "Incident Summary", "requesterEmail": "paulsn",
               "description": "<p>Incident <b>Description</b></p>",
               "customField": {"New Multi-Select Dropdown": ["A", "C"]}}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["id"], 69);
    assert_eq!(created["name"], "INC-49");
    assert_eq!(created["requesterEmail"], "snehashis.paul@motadata.com");
    assert_eq!(created["requesterName"], "Snehashis Paul");
    assert_eq!(created["description"], "Incident Description");
    for (key, value) in [
        ("statusName", json!("Open")),
        ("priorityName", json!("Low")),
        ("urgencyName", json!("Low")),
        ("impactName", json!("Low")),
        ("supportLevel", json!("tier0")),
        ("source", json!("External")),
        ("spam", json!(false)),
        ("createdTime", json!(1_798_761_600_000_i64)),
        ("updatedTime", json!(1_798_761_600_000_i64)),
        ("createdByName", json!("Tim")),
    ] {
        assert_eq!(created[key], value, "{key}");
    }
    assert_eq!(
        created["customField"],
        json!({"New Datetime": 0, "New Multi-Select Dropdown": ["A", "C"], "New Number": 0.0,
               "New Text Input": "", "New Checkbox": []})
    );
    assert!(created.get("categoryName").is_none());
    assert!(created.get("tags").is_none());

    let read: Value = srv
        .get("/api/v1/request/69", &auth)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, created);
    let next: Value = create(
        &srv,
        &auth,
        json!({"subject": "B", "requesterEmail": "tim@acme.com"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        (next["id"].clone(), next["name"].clone()),
        (json!(70), json!("INC-50"))
    );
}

#[actix_web::test]
async fn missing_mandatory_fields_and_wrong_types_are_400_naming_the_field() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let cases = [
        (
            json!({"requesterEmail": "tim@acme.com"}),
            "subject is required",
        ),
        (
            json!({"subject": "  ", "requesterEmail": "tim@acme.com"}),
            "subject is required",
        ),
        (json!({"subject": "x"}), "requesterEmail is required"),
        (
            json!({"subject": 5, "requesterEmail": "tim@acme.com"}),
            "subject: must be a string",
        ),
        (
            json!({"subject": "x", "requesterEmail": "tim@acme.com", "spam": "no"}),
            "spam: must be a boolean",
        ),
        (
            json!({"subject": "x", "requesterEmail": "tim@acme.com", "tags": "a"}),
            "tags: must be a list of strings",
        ),
        (
            json!({"subject": "x", "requesterEmail": "ghost@acme.com"}),
            "requesterEmail: no user \"ghost@acme.com\"",
        ),
    ];
    for (body, message) in cases {
        let res = create(&srv, &auth, body.clone()).await;
        let got = assert_business_error(res, 400, "validation_failed").await;
        assert_eq!(got, message, "{body}");
    }
    for raw in ["not json", "[1,2]"] {
        let res = srv
            .http
            .post(srv.url("/api/v1/request"))
            .header("Authorization", &auth)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_business_error(res, 400, "validation_failed").await;
    }
    let state = srv.state().await;
    assert_eq!(state["sequences"]["nextId"], 69, "nothing half-written");
}

#[actix_web::test]
async fn names_are_validated_against_the_reference_data() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    for key in [
        "priorityName",
        "urgencyName",
        "impactName",
        "statusName",
        "categoryName",
        "departmentName",
        "locationName",
        "supportLevel",
        "technicianGroupName",
        "source",
    ] {
        let mut body = json!({"subject": "x", "requesterEmail": "tim@acme.com"});
        body[key] = json!("Bogus");
        let res = create(&srv, &auth, body).await;
        let message = assert_business_error(res, 400, "validation_failed").await;
        assert_eq!(message, format!("{key}: \"Bogus\" does not exist"));
    }
    let res = create(
        &srv,
        &auth,
        json!({"subject": "x", "requesterEmail": "tim@acme.com", "assigneeEmail": "rita@acme.com"}),
    )
    .await;
    let message = assert_business_error(res, 400, "validation_failed").await;
    assert!(message.starts_with("assigneeEmail:"), "{message}");
    let res = create(
        &srv,
        &auth,
        json!({"subject": "x", "requesterEmail": "tim@acme.com", "customField": {"Nope": 1}}),
    )
    .await;
    let message = assert_business_error(res, 400, "validation_failed").await;
    assert!(message.starts_with("customField:"), "{message}");
    let res = create(
        &srv,
        &auth,
        json!({"subject": "x", "requesterEmail": "tim@acme.com",
               "customField": {"New Multi-Select Dropdown": ["Z"]}}),
    )
    .await;
    let message = assert_business_error(res, 400, "validation_failed").await;
    assert!(
        message.starts_with("customField.New Multi-Select Dropdown:"),
        "{message}"
    );

    let res = create(
        &srv,
        &auth,
        json!({"subject": "x", "requesterEmail": "tim@acme.com", "priorityName": "urgent",
               "locationName": "Mumbai", "assigneeEmail": "admin"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["priorityName"], "Urgent", "canonical spelling");
    assert_eq!(created["assigneeEmail"], "admin@acme.com");
}

#[actix_web::test]
async fn patch_updates_given_keys_and_moves_the_status() {
    let srv = start().await;
    srv.control("/clock", json!({"freeze": true})).await;
    let auth = srv.bearer("admin", "admin").await;
    let before: Value = srv
        .get("/api/v1/request/64", &auth)
        .await
        .json()
        .await
        .unwrap();
    srv.advance(60).await;
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64",
            &auth,
            &json!({"statusName": "In Progress", "tags": ["mail", "p1"], "technicianGroupName": null}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["statusName"], "In Progress");
    assert_eq!(after["tags"], json!(["mail", "p1"]));
    assert!(after.get("technicianGroupName").is_none());
    assert_eq!(after["subject"], before["subject"]);
    assert_eq!(after["createdTime"], before["createdTime"]);
    let clock: Value = srv
        .http
        .get(srv.url("/_standin/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["updatedTime"], clock["now_ms"]);
    assert_eq!(after["updatedByName"], "Ada Admin");
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64",
            &auth,
            &json!({"statusName": "Done"}),
        )
        .await;
    assert_business_error(res, 400, "validation_failed").await;
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64",
            &auth,
            &json!({"subject": ""}),
        )
        .await;
    assert_business_error(res, 400, "validation_failed").await;
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/999",
            &auth,
            &json!({"subject": "x"}),
        )
        .await;
    assert_business_error(res, 404, "entity_not_found").await;
    let still: Value = srv
        .get("/api/v1/request/64", &auth)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still, after, "refused updates change nothing");
}

#[actix_web::test]
async fn requesters_read_and_update_only_their_own_requests() {
    let srv = start().await;
    let rita = srv.bearer("rita@acme.com", "789").await;
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64",
            &rita,
            &json!({"description": "still down"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    for (method, path) in [
        (Method::PATCH, "/api/v1/request/65"),
        (Method::GET, "/api/v1/request/65"),
        (Method::DELETE, "/api/v1/request/65"),
        (Method::DELETE, "/api/v1/request/64"),
    ] {
        let res = srv
            .send(method.clone(), path, &rita, &json!({"subject": "mine now"}))
            .await;
        assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    }
    let res = create(
        &srv,
        &rita,
        json!({"subject": "for someone else", "requesterEmail": "tim@acme.com"}),
    )
    .await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/request/64",
            &rita,
            &json!({"requesterEmail": "tim@acme.com"}),
        )
        .await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    let found = search(&srv, &rita, "", json!({})).await;
    assert_eq!(found["totalCount"], 1);
    assert_eq!(found["objectList"][0]["id"], 64);
}

#[actix_web::test]
async fn delete_removes_the_request() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = srv
        .send(Method::DELETE, "/api/v1/request/64", &auth, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().is_empty());
    let res = srv.get("/api/v1/request/64", &auth).await;
    assert_business_error(res, 404, "entity_not_found").await;
    let res = srv
        .send(Method::DELETE, "/api/v1/request/64", &auth, &json!({}))
        .await;
    assert_business_error(res, 404, "entity_not_found").await;
}

#[actix_web::test]
async fn search_by_qualification_filters_and_pages() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    for i in 0..30 {
        let res = create(
            &srv,
            &auth,
            json!({"subject": format!("Bulk {i:02}"), "requesterEmail": "rita@acme.com",
                   "priorityName": if i % 2 == 0 { "High" } else { "Low" }}),
        )
        .await;
        assert_eq!(res.status(), 200);
    }
    let all = search(&srv, &auth, "", json!({})).await;
    assert_eq!(
        all["totalCount"], 33,
        "2 incidents, 1 service request, 30 new"
    );
    assert_eq!(
        all["objectList"].as_array().unwrap().len(),
        25,
        "default size"
    );

    let page = search(&srv, &auth, "?offset=30&size=25", json!({})).await;
    assert_eq!(page["totalCount"], 33);
    assert_eq!(page["objectList"].as_array().unwrap().len(), 3);

    let found = search(
        &srv,
        &auth,
        "",
        qual("request.subject", "equal", json!("Email Server is Down")),
    )
    .await;
    assert_eq!(found["totalCount"], 1);
    assert_eq!(found["objectList"][0]["name"], "INC-45");

    let found = search(
        &srv,
        &auth,
        "?offset=0&size=5",
        qual("request.subject", "start_with", json!("bulk")),
    )
    .await;
    assert_eq!(found["totalCount"], 30);
    assert_eq!(found["objectList"].as_array().unwrap().len(), 5);
    assert_eq!(found["objectList"][0]["subject"], "Bulk 00");

    let found = search(
        &srv,
        &auth,
        "",
        qual("request.priorityName", "in", json!(["High", "Urgent"])),
    )
    .await;
    assert_eq!(found["totalCount"], 16, "15 bulk + INC-45");
    let found = search(&srv, &auth, "", qual("id", "not_in", json!([64, 65]))).await;
    assert_eq!(found["totalCount"], 31);
    let found = search(
        &srv,
        &auth,
        "",
        qual("request.subject", "contains", json!("SUMMARY")),
    )
    .await;
    assert_eq!(found["totalCount"], 1);

    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/search/byqual",
            &auth,
            &qual("request.colour", "equal", json!("red")),
        )
        .await;
    assert_business_error(res, 400, "validation_failed").await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/search/byqual?size=x",
            &auth,
            &json!({}),
        )
        .await;
    assert_business_error(res, 400, "validation_failed").await;
}

#[actix_web::test]
async fn search_pages_at_the_edges_and_requesters_match_their_email_in_any_case() {
    let srv = start().await;
    let mut state = srv.state().await;
    state["requests"][1]["requesterEmail"] = json!("RITA@Acme.COM");
    assert_eq!(srv.put_state(&state).await.status(), 200);
    let tim = srv.bearer(CREDS.username, CREDS.password).await;
    let rita = srv.bearer("rita@acme.com", "789").await;

    let ids = |found: &Value| -> Vec<i64> {
        found["objectList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect()
    };
    let found = search(&srv, &tim, "?size=0", json!({})).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(3), vec![])
    );
    let found = search(&srv, &tim, "?offset=3", json!({})).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(3), vec![])
    );
    let huge = format!("?offset={}&size={}", u64::MAX, u64::MAX);
    let found = search(&srv, &tim, &huge, json!({})).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(3), vec![])
    );
    let found = search(
        &srv,
        &tim,
        &format!("?offset=1&size={}", u64::MAX),
        json!({}),
    )
    .await;
    assert_eq!(ids(&found), vec![65, 66]);
    let found = search(&srv, &tim, "?offset=1&size=1", json!({})).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(3), vec![65])
    );

    let found = search(&srv, &rita, "", json!({})).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(2), vec![64, 65])
    );
    let found = search(&srv, &rita, "?offset=1", json!({})).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(2), vec![65])
    );
    let found = search(&srv, &rita, "", qual("id", "greater_than", json!(64))).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(1), vec![65])
    );

    let res = srv
        .send(
            Method::POST,
            "/api/v1/service_catalog/servicerequest/search/byqual",
            &tim,
            &json!({}),
        )
        .await;
    let found: Value = res.json().await.unwrap();
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(1), vec![66])
    );

    let res = srv
        .send(Method::DELETE, "/api/v1/request/65", &tim, &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let found = search(&srv, &tim, "", json!({})).await;
    assert_eq!(
        (found["totalCount"].clone(), ids(&found)),
        (json!(2), vec![64, 66])
    );
    let res = create(
        &srv,
        &tim,
        json!({"subject": "new", "requesterEmail": "rita@acme.com"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let found = search(&srv, &tim, "?size=0", json!({})).await;
    assert_eq!(found["totalCount"], 3);
    assert_eq!(srv.control("/reset", json!({})).await.status(), 200);
    let tim = srv.bearer(CREDS.username, CREDS.password).await;
    let found = search(&srv, &tim, "?size=0", json!({})).await;
    assert_eq!(found["totalCount"], 3);
}

#[actix_web::test]
async fn get_by_id_sends_the_same_bytes_as_create_and_the_state() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let res = create(
        &srv,
        &auth,
        json!({"subject": "bytes", "requesterEmail": "rita@acme.com", "tags": ["a"],
               "customField": {"New Number": 1.5}}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let created = res.bytes().await.unwrap();
    let id = serde_json::from_slice::<Value>(&created).unwrap()["id"].clone();
    let res = srv.get(&format!("/api/v1/request/{id}"), &auth).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.bytes().await.unwrap(), created);

    let state = srv.state().await;
    let res = srv.get("/api/v1/request/64", &auth).await;
    let body = res.bytes().await.unwrap();
    assert_eq!(body, serde_json::to_string(&state["requests"][0]).unwrap());
    let res = srv
        .get("/api/v1/service_catalog/servicerequest/66", &auth)
        .await;
    let body = res.bytes().await.unwrap();
    assert_eq!(
        body,
        serde_json::to_string(&state["serviceRequests"][0]).unwrap()
    );
}
