//! Attachments of requests (upload, list, download, delete, the request's `fileAttachments`,
//! the size limit, the state document) and an asset's `assetPropertyList`.

use crate::common::*;
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

fn key(key: &str) -> String {
    format!("Apikey {key}")
}

fn file(name: &str, bytes: &[u8], mime: &str) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes.to_vec())
            .file_name(name.to_owned())
            .mime_str(mime)
            .unwrap(),
    )
}

async fn upload(srv: &Srv, request: i64, auth: &str, form: Form) -> reqwest::Response {
    srv.http
        .post(srv.url(&format!("/api/v1/request/{request}/attachment")))
        .header("Authorization", auth)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn delete(srv: &Srv, request: i64, name: &str, auth: &str) -> reqwest::Response {
    srv.http
        .delete(srv.url(&format!("/api/v1/request/{request}/attachment/{name}")))
        .header("Authorization", auth)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn an_uploaded_file_is_listed_downloaded_and_linked_from_the_request() {
    let srv = start().await;
    let tech = key(CREDS.api_key);
    let res = upload(
        &srv,
        65,
        &tech,
        file("screen shot.png", b"\x89PNG\r\n\x1a\nbytes", "image/png"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let entry: Value = res.json().await.unwrap();
    assert_eq!(entry["realName"], "screen shot.png");
    let name = entry["refFileName"].as_str().unwrap().to_owned();
    assert!(name.ends_with(".png"), "{name}");
    assert_eq!(entry.as_object().unwrap().len(), 2);

    let request: Value = srv
        .get("/api/v1/request/65", &tech)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(request["fileAttachments"], json!([entry]));
    let list: Value = srv
        .get("/api/v1/request/65/attachment", &tech)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!({"objectList": [entry], "totalCount": 1}));

    let res = srv
        .get(&format!("/api/v1/request/65/attachment/{name}"), &tech)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("screen shot.png"), "{disposition}");
    assert_eq!(&res.bytes().await.unwrap()[..], b"\x89PNG\r\n\x1a\nbytes");

    assert_eq!(delete(&srv, 65, &name, &tech).await.status(), 200);
    let request: Value = srv
        .get("/api/v1/request/65", &tech)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(request["fileAttachments"], json!([]));
    let res = srv
        .get(&format!("/api/v1/request/65/attachment/{name}"), &tech)
        .await;
    assert_business_error(res, 404, "entity_not_found").await;
}

#[actix_web::test]
async fn uploads_without_a_file_part_or_multipart_body_are_400() {
    let srv = start().await;
    let tech = key(CREDS.api_key);
    let no_file = Form::new().text("note", "hello");
    let res = upload(&srv, 65, &tech, no_file).await;
    assert_eq!(
        assert_business_error(res, 400, "validation_failed").await,
        "file: is required"
    );
    let no_name = Form::new().part("file", Part::bytes(b"x".to_vec()));
    let res = upload(&srv, 65, &tech, no_name).await;
    assert_business_error(res, 400, "validation_failed").await;
    let res = srv
        .send(
            Method::POST,
            "/api/v1/request/65/attachment",
            &tech,
            &json!({"file": "x"}),
        )
        .await;
    assert_eq!(
        assert_business_error(res, 400, "validation_failed").await,
        "file: the body must be multipart/form-data"
    );
    let request: Value = srv
        .get("/api/v1/request/65", &tech)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        request["fileAttachments"],
        json!([]),
        "nothing half-written"
    );
}

#[actix_web::test]
async fn a_file_over_the_limit_is_413_and_not_kept() {
    let srv = start_with(serviceops_oauth::Settings {
        max_attachment_bytes: 1024,
        ..serviceops_oauth::Settings::default()
    })
    .await;
    let tech = key(CREDS.api_key);
    let res = upload(
        &srv,
        65,
        &tech,
        file("big.bin", &[7u8; 4096], "application/octet-stream"),
    )
    .await;
    assert_eq!(
        assert_business_error(res, 413, "payload_too_large").await,
        "Request body is too large"
    );
    let list: Value = srv
        .get("/api/v1/request/65/attachment", &tech)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["totalCount"], 0);
    let res = upload(&srv, 65, &tech, file("small.txt", b"ok", "text/plain")).await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn unknown_requests_and_files_are_404() {
    let srv = start().await;
    let tech = key(CREDS.api_key);
    let res = upload(&srv, 999, &tech, file("a.txt", b"a", "text/plain")).await;
    assert_eq!(
        assert_business_error(res, 404, "entity_not_found").await,
        "Request with id 999 not found"
    );
    let res = srv.get("/api/v1/request/999/attachment", &tech).await;
    assert_business_error(res, 404, "entity_not_found").await;
    let res = srv
        .get("/api/v1/request/65/attachment/nope.txt", &tech)
        .await;
    assert_eq!(
        assert_business_error(res, 404, "entity_not_found").await,
        "Attachment with name nope.txt not found"
    );
    let res = delete(&srv, 65, "nope.txt", &tech).await;
    assert_business_error(res, 404, "entity_not_found").await;
    // A file of one request is not reachable through another.
    let entry: Value = upload(&srv, 65, &tech, file("a.txt", b"a", "text/plain"))
        .await
        .json()
        .await
        .unwrap();
    let name = entry["refFileName"].as_str().unwrap();
    let res = srv
        .get(&format!("/api/v1/request/64/attachment/{name}"), &tech)
        .await;
    assert_business_error(res, 404, "entity_not_found").await;
}

#[actix_web::test]
async fn a_requester_reaches_only_its_own_requests_files_and_may_not_delete() {
    let srv = start().await;
    let own = key(CREDS.requester_api_key);
    let res = upload(&srv, 65, &own, file("mine.txt", b"mine", "text/plain")).await;
    assert_eq!(res.status(), 200);
    let entry: Value = res.json().await.unwrap();
    let name = entry["refFileName"].as_str().unwrap();
    let res = srv
        .get(&format!("/api/v1/request/65/attachment/{name}"), &own)
        .await;
    assert_eq!(res.status(), 200);
    assert_oauth_error(
        delete(&srv, 65, name, &own).await,
        403,
        "access_denied",
        "Access is denied",
    )
    .await;
    assert_oauth_error(
        upload(&srv, 64, &own, file("x.txt", b"x", "text/plain")).await,
        403,
        "access_denied",
        "Access is denied",
    )
    .await;
    assert_oauth_error(
        srv.get("/api/v1/request/64/attachment", &own).await,
        403,
        "access_denied",
        "Access is denied",
    )
    .await;
}

#[actix_web::test]
async fn attachment_routes_need_credentials() {
    let srv = start().await;
    let res = srv
        .http
        .get(srv.url("/api/v1/request/65/attachment"))
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
    let res = upload(&srv, 65, "Apikey nope", file("a.txt", b"a", "text/plain")).await;
    assert_oauth_error(res, 401, "invalid_token", "Invalid API key").await;
}

#[actix_web::test]
async fn files_round_trip_through_the_state_document_within_the_limit() {
    let srv = start().await;
    let tech = key(CREDS.api_key);
    let entry: Value = upload(
        &srv,
        65,
        &tech,
        file("notes.txt", b"state me", "text/plain"),
    )
    .await
    .json()
    .await
    .unwrap();
    let doc = srv.state().await;
    assert_eq!(doc["attachments"][0]["refFileName"], entry["refFileName"]);
    assert_eq!(doc["attachments"][0]["ticketId"], 65);
    assert_eq!(doc["attachments"][0]["data"], "c3RhdGUgbWU=");

    let other = start().await;
    assert_eq!(other.put_state(&doc).await.status(), 200);
    let name = entry["refFileName"].as_str().unwrap();
    let res = other
        .get(&format!("/api/v1/request/65/attachment/{name}"), &tech)
        .await;
    assert_eq!(&res.bytes().await.unwrap()[..], b"state me");

    let small = start_with(serviceops_oauth::Settings {
        max_attachment_bytes: 4,
        ..serviceops_oauth::Settings::default()
    })
    .await;
    let res = small.put_state(&doc).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "attachments[0].data", "{body}");
    let mut orphan = doc.clone();
    orphan["attachments"][0]["ticketId"] = json!(4242);
    let res = other.put_state(&orphan).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "attachments[0].ticketId", "{body}");
    let mut bad = doc.clone();
    bad["attachments"][0]["data"] = json!("not base64!");
    assert_eq!(other.put_state(&bad).await.status(), 400);
}

#[actix_web::test]
async fn deleting_a_request_deletes_its_files() {
    let srv = start().await;
    let tech = key(CREDS.api_key);
    let created: Value = srv
        .send(
            Method::POST,
            "/api/v1/request",
            &tech,
            &json!({"subject": "With a file", "requesterEmail": "tim@acme.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    upload(&srv, id, &tech, file("a.txt", b"a", "text/plain")).await;
    assert_eq!(
        srv.state().await["attachments"].as_array().unwrap().len(),
        1
    );
    let res = srv
        .send(
            Method::DELETE,
            &format!("/api/v1/request/{id}"),
            &tech,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(srv.state().await.get("attachments").is_none());
}

#[actix_web::test]
async fn an_asset_keeps_its_documented_property_record() {
    let srv = start().await;
    let tech = key(CREDS.api_key);
    let res = srv
        .send(
            Method::POST,
            "/api/v1/asset",
            &tech,
            &json!({"name": "PC-1", "assetTypeName": "hardware$computer", "type": "HardwareAsset",
                    "assetPropertyList": [{"type": "ComputerProperty", "osName": "Windows X10",
                        "propertyCustomField": {"computerproperty-textbox": "computer-text"}}]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let asset: Value = res.json().await.unwrap();
    let record = &asset["assetPropertyList"][0];
    assert_eq!(record["id"], asset["id"]);
    assert_eq!(record["refName"], asset["assetId"]);
    assert_eq!(record["type"], "ComputerProperty");
    assert_eq!(record["osName"], "Windows X10");
    assert_eq!(record["osVersion"], Value::Null);
    assert_eq!(record["memorySize"], 0);
    assert_eq!(record["partOfDomain"], false);
    assert_eq!(
        record["propertyCustomField"]["computerproperty-textbox"],
        "computer-text"
    );

    let id = asset["id"].as_i64().unwrap();
    let res = srv
        .send(
            Method::PATCH,
            &format!("/api/v1/asset/{id}"),
            &tech,
            &json!({"assetPropertyList": [{"type": "ComputerProperty", "memorySize": 16384}]}),
        )
        .await;
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["assetPropertyList"][0]["memorySize"], 16384);
    assert_eq!(updated["assetPropertyList"][0]["osName"], "Windows X10");
    let read: Value = srv
        .get(&format!("/api/v1/asset/{id}"), &tech)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["assetPropertyList"], updated["assetPropertyList"]);

    for (bad, field) in [
        (
            json!([{"type": "SoftwareProperty"}]),
            "assetPropertyList[0].type",
        ),
        (
            json!([{"type": "ComputerProperty", "nope": 1}]),
            "assetPropertyList[0].nope",
        ),
        (
            json!([{"type": "ComputerProperty", "memorySize": "big"}]),
            "assetPropertyList[0].memorySize",
        ),
        (json!("x"), "assetPropertyList"),
    ] {
        let res = srv
            .send(
                Method::PATCH,
                &format!("/api/v1/asset/{id}"),
                &tech,
                &json!({"assetPropertyList": bad}),
            )
            .await;
        let message = assert_business_error(res, 400, "validation_failed").await;
        assert!(message.starts_with(field), "{message}");
    }
}
