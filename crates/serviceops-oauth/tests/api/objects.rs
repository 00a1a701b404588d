//! Changes and assets: CRUD, search with paging, validation, role rules.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn qual(key: &str, operator: &str, value: Value) -> Value {
    json!({"qualDetails": {"type": "FlatQualificationRest", "quals": [
        {"type": "RelationalQualificationRest",
         "leftOperand": {"type": "PropertyOperandRest", "key": key},
         "operator": operator,
         "rightOperand": {"type": "ValueOperandRest", "value": {"type": "StringValueRest", "value": value}}}]}})
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    res.json().await.unwrap()
}

#[actix_web::test]
async fn a_change_is_created_read_updated_searched_and_deleted() {
    let srv = start().await;
    srv.control(
        "/clock",
        json!({"set": "2027-01-01T00:00:00Z", "freeze": true}),
    )
    .await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let body = json!({"requesterEmail": "tim", "subject": "Patch the firewall",
                      "startDate": 1_798_800_000_000_i64, "endDate": 1_798_803_600_000_i64,
                      "riskType": "high", "changeType": "Emergency", "targetEnvironment": "Test",
                      "tags": ["fw"], "description": "<p>Apply <i>CVE</i> fix</p>"});
    let created = json_of(
        srv.send(Method::POST, "/api/v1/change", &auth, &body).await,
        200,
    )
    .await;
    assert_eq!(created["id"], 69);
    assert_eq!(created["name"], "CHG-49");
    assert_eq!(created["riskType"], "High");
    assert_eq!(created["statusName"], "Requested");
    assert_eq!(created["description"], "Apply CVE fix");
    assert_eq!(created["requesterEmail"], "tim@acme.com");
    assert_eq!(created["createdTime"], 1_798_761_600_000_i64);
    let read = json_of(srv.get("/api/v1/change/69", &auth).await, 200).await;
    assert_eq!(read, created);

    let updated = json_of(
        srv.send(
            Method::PATCH,
            "/api/v1/change/69",
            &auth,
            &json!({"statusName": "Approval", "targetEnvironment": null}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(updated["statusName"], "Approval");
    assert!(updated.get("targetEnvironment").is_none());

    let found = json_of(
        srv.send(
            Method::POST,
            "/api/v1/change/search/byqual?size=1",
            &auth,
            &qual("change.changeType", "in", json!(["Emergency", "Major"])),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(found["totalCount"], 1);
    assert_eq!(found["objectList"][0]["name"], "CHG-49");
    let found = json_of(
        srv.send(
            Method::POST,
            "/api/v1/change/search/byqual?offset=1&size=1",
            &auth,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(found["totalCount"], 2);
    assert_eq!(found["objectList"][0]["id"], 69);

    assert_eq!(
        srv.send(Method::DELETE, "/api/v1/change/69", &auth, &json!({}))
            .await
            .status(),
        200
    );
    let res = srv.get("/api/v1/change/69", &auth).await;
    assert_eq!(
        assert_business_error(res, 404, "entity_not_found").await,
        "Change with id 69 not found"
    );
    let res = srv.get("/api/v1/request/67", &auth).await;
    assert_eq!(res.status(), 404, "a change is not a request");
}

#[actix_web::test]
async fn bad_changes_are_400_naming_the_field() {
    let srv = start().await;
    let auth = srv.bearer("admin", "admin").await;
    let base = json!({"requesterEmail": "tim", "subject": "x", "startDate": 1000, "endDate": 2000});
    let mut cases = Vec::new();
    for (key, value, message) in [
        ("startDate", Value::Null, "startDate is required"),
        ("endDate", json!("tomorrow"), "endDate: must be an integer"),
        (
            "endDate",
            json!(500),
            "endDate: must not be before startDate",
        ),
        (
            "riskType",
            json!("Extreme"),
            "riskType: \"Extreme\" does not exist",
        ),
        (
            "changeType",
            json!("Tiny"),
            "changeType: \"Tiny\" does not exist",
        ),
        (
            "targetEnvironment",
            json!("Staging"),
            "targetEnvironment: \"Staging\" does not exist",
        ),
        ("subject", json!(""), "subject is required"),
    ] {
        let mut body = base.clone();
        body[key] = value;
        cases.push((body, message));
    }
    for (body, message) in cases {
        let res = srv.send(Method::POST, "/api/v1/change", &auth, &body).await;
        assert_eq!(
            assert_business_error(res, 400, "validation_failed").await,
            message,
            "{body}"
        );
    }
    let res = srv
        .send(
            Method::PATCH,
            "/api/v1/change/67",
            &auth,
            &json!({"endDate": 1}),
        )
        .await;
    assert_business_error(res, 400, "validation_failed").await;
}

#[actix_web::test]
async fn requesters_only_read_their_own_changes_and_assets_and_never_write() {
    let srv = start().await;
    let rita = srv.bearer("rita", "789").await;
    let res = srv.get("/api/v1/change/67", &rita).await;
    assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    let asset = json_of(srv.get("/api/v1/asset/68", &rita).await, 200).await;
    assert_eq!(asset["usedByEmail"], "rita@acme.com");
    let found = json_of(
        srv.send(
            Method::POST,
            "/api/v1/change/search/byqual",
            &rita,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(found["totalCount"], 0);
    let found = json_of(
        srv.send(
            Method::POST,
            "/api/v1/asset/search/byqual",
            &rita,
            &json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(found["totalCount"], 1);
    for (method, path) in [
        (Method::POST, "/api/v1/change"),
        (Method::POST, "/api/v1/asset"),
        (Method::PATCH, "/api/v1/asset/68"),
        (Method::DELETE, "/api/v1/asset/68"),
    ] {
        let res = srv
            .send(method, path, &rita, &json!({"name": "mine"}))
            .await;
        assert_oauth_error(res, 403, "access_denied", "Access is denied").await;
    }
}

#[actix_web::test]
async fn an_asset_is_created_with_its_display_id_and_validated() {
    let srv = start().await;
    let auth = format!("Apikey {}", CREDS.api_key);
    let body = json!({"name": "SRV-01", "assetTypeName": "hardware$server", "type": "HardwareAsset",
                      "usedByEmail": "paulsn", "managedByEmail": "tim", "ipAddress": "fe80::1",
                      "macAddress": "00-1A-2B-3C-4D-5E", "vendorName": "HPE", "locationName": "ahmedabad"});
    let created = json_of(
        srv.send(Method::POST, "/api/v1/asset", &auth, &body).await,
        200,
    )
    .await;
    assert_eq!(created["id"], 69);
    assert_eq!(created["assetId"], "HA-2");
    assert_eq!(created["usedByEmail"], "snehashis.paul@motadata.com");
    assert_eq!(created["locationName"], "Ahmedabad");
    assert_eq!(created["statusName"], "In Use");
    let soft = json_of(
        srv.send(Method::POST, "/api/v1/asset", &auth, &json!({"name": "Office", "assetTypeName": "software$application", "type": "softwareasset"}))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (soft["assetId"].clone(), soft["type"].clone()),
        (json!("SA-3"), json!("SoftwareAsset"))
    );

    for (patch, message) in [
        (
            json!({"ipAddress": "999.1.1.1"}),
            "ipAddress: \"999.1.1.1\" is not an IP address",
        ),
        (
            json!({"macAddress": "00:11"}),
            "macAddress: \"00:11\" is not a MAC address",
        ),
        (json!({"type": "Robot"}), "type: \"Robot\" does not exist"),
        (json!({"assetId": "HA-9"}), "assetId: is view-only"),
        (
            json!({"managedByEmail": "rita"}),
            "managedByEmail: \"rita\" is not a technician",
        ),
        (
            json!({"statusName": "Stolen"}),
            "statusName: \"Stolen\" does not exist",
        ),
    ] {
        let res = srv
            .send(Method::PATCH, "/api/v1/asset/69", &auth, &patch)
            .await;
        assert_eq!(
            assert_business_error(res, 400, "validation_failed").await,
            message
        );
    }
    let res = srv
        .send(
            Method::POST,
            "/api/v1/asset",
            &auth,
            &json!({"name": "x", "type": "HardwareAsset"}),
        )
        .await;
    assert_eq!(
        assert_business_error(res, 400, "validation_failed").await,
        "assetTypeName is required"
    );

    let found = json_of(
        srv.send(
            Method::POST,
            "/api/v1/asset/search/byqual",
            &auth,
            &qual("asset.hostName", "is_blank", Value::Null),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        found["totalCount"], 2,
        "the two new assets have no host name"
    );
    let updated = json_of(
        srv.send(
            Method::PATCH,
            "/api/v1/asset/69",
            &auth,
            &json!({"statusName": "In Store", "usedByEmail": null}),
        )
        .await,
        200,
    )
    .await;
    assert!(updated.get("usedByEmail").is_none());
    assert_eq!(
        srv.send(Method::DELETE, "/api/v1/asset/69", &auth, &json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(srv.get("/api/v1/asset/69", &auth).await.status(), 404);
}
