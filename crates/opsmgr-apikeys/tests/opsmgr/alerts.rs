//! Alerts (list, status filter, get, acknowledge), alert configurations and events.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

const OPEN: &str = "5953c5f380eef53887615fc0";
const CONFIG: &str = "5953c5f380eef53887615fb0";

#[actix_web::test]
async fn alerts_list_and_filter_by_status() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, all) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/alerts"))
        .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["totalCount"], 2);
    let (_, open) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/alerts?status=OPEN"
        ))
        .await;
    assert_eq!(open["totalCount"], 1);
    let alert = &open["results"][0];
    assert_eq!(alert["id"], OPEN);
    assert_eq!(alert["metricName"], "OPLOG_REPLICATION_LAG_TIME");
    assert_eq!(
        alert["currentValue"],
        json!({"number": 75.0, "units": "SECONDS"})
    );
    assert!(alert["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/groups/{GROUP}/alerts/{OPEN}")));
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/alerts?status=open"
        ))
        .await;
    assert_eq!((status, code(&body)), (400, "INVALID_QUERY_PARAMETER"));
    let (status, one) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/alerts/{OPEN}"))
        .await;
    assert_eq!((status, one["status"].as_str()), (200, Some("OPEN")));
    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/alerts/{CONFIG}"))
        .await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/groups/{OTHER_GROUP}/alerts"))
        .await;
    assert_eq!((status, code(&body)), (401, "NOT_IN_GROUP"));
}

#[actix_web::test]
async fn acknowledging_an_alert_records_until_when_why_and_who() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let uri = format!("/api/public/v1.0/groups/{GROUP}/alerts/{OPEN}");
    let (status, acked) = client
        .call(
            Method::PATCH,
            &uri,
            Some(r#"{"acknowledgedUntil":"2027-02-01T00:00:00Z","acknowledgementComment":"lag known"}"#),
        )
        .await;
    assert_eq!(status, 200, "{acked}");
    assert_eq!(acked["acknowledgedUntil"], "2027-02-01T00:00:00Z");
    assert_eq!(acked["acknowledgementComment"], "lag known");
    assert_eq!(acked["acknowledgingUsername"], PUBLIC);
    let (_, again) = client.get_json(&uri).await;
    assert_eq!(again, acked);
    for (body, status, want) in [
        ("{}", 400, "MISSING_ATTRIBUTE"),
        (r#"{"acknowledgedUntil":"soon"}"#, 400, "INVALID_ATTRIBUTE"),
        (
            r#"{"acknowledgedUntil":"2027-02-01T00:00:00Z","x":1}"#,
            400,
            "INVALID_ATTRIBUTE",
        ),
        ("nope", 400, "INVALID_JSON"),
    ] {
        let (got, err) = client.call(Method::PATCH, &uri, Some(body)).await;
        assert_eq!((got, code(&err)), (status, want), "{body}");
    }
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["roles"] = json!([
            {"orgId": ORG, "roleName": "ORG_MEMBER"},
            {"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}
        ]);
    });
    let (status, body) = client
        .call(
            Method::PATCH,
            &uri,
            Some(r#"{"acknowledgedUntil":"2027-02-01T00:00:00Z"}"#),
        )
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
}

#[actix_web::test]
async fn alert_configurations_list_get_and_show_their_open_alerts() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, configs) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/alertConfigs"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(configs["totalCount"], 2);
    assert_eq!(
        configs["results"][0]["metricThreshold"]["metricName"],
        "OPLOG_REPLICATION_LAG_TIME"
    );
    let (status, one) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/alertConfigs/{CONFIG}"
        ))
        .await;
    assert_eq!(
        (status, one["eventTypeName"].as_str()),
        (200, Some("OUTSIDE_METRIC_THRESHOLD"))
    );
    let (_, open) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/alertConfigs/{CONFIG}/alerts"
        ))
        .await;
    assert_eq!(open["results"][0]["id"], OPEN);
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/alertConfigs/{OPEN}"
        ))
        .await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
}

#[actix_web::test]
async fn events_come_newest_first_and_filter_by_type_and_date() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, org) = client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/events"))
        .await;
    assert_eq!(status, 200, "{org}");
    assert_eq!(org["results"][0]["eventTypeName"], "API_KEY_CREATED");
    assert_eq!(org["results"][1]["eventTypeName"], "JOINED_ORG");
    let (_, project) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/events?eventType=HOST_DOWN"
        ))
        .await;
    assert_eq!(project["totalCount"], 1);
    let (_, dated) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/events?minDate=2026-12-25T00:00:00Z&maxDate=2027-01-01T00:00:00Z"
        ))
        .await;
    assert_eq!(
        dated["results"][0]["eventTypeName"],
        "OUTSIDE_METRIC_THRESHOLD"
    );
    assert_eq!(dated["totalCount"], 1);
    let id = dated["results"][0]["id"].as_str().unwrap();
    let (status, one) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/events/{id}"))
        .await;
    assert_eq!((status, &one), (200, &dated["results"][0]));
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/events?minDate=yesterday"
        ))
        .await;
    assert_eq!((status, code(&body)), (400, "INVALID_QUERY_PARAMETER"));
    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/events/{id}"))
        .await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/orgs/{OTHER_ORG}/events"))
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
}

#[actix_web::test]
async fn alerts_and_events_round_trip_and_bad_ones_name_the_field() {
    let srv = server().await;
    let doc = srv.host().main.export_state().unwrap();
    srv.host().main.replace_state(&doc).unwrap();
    assert_eq!(srv.host().main.export_state().unwrap(), doc);
    type Change = fn(&mut serde_json::Value);
    let cases: [(&str, Change); 4] = [
        ("alerts[0].status", |d| {
            d["alerts"][0]["status"] = json!("RED")
        }),
        ("alerts[0].alertConfigId", |d| {
            d["alerts"][0]["alertConfigId"] = json!(OTHER_GROUP)
        }),
        ("events[0].orgId", |d| {
            d["events"][0]["groupId"] = json!(GROUP)
        }),
        ("alertConfigs[1].groupId", |d| {
            d["alertConfigs"][1]["groupId"] = json!("000000000000000000000000")
        }),
    ];
    for (field, change) in cases {
        let mut bad = doc.clone();
        change(&mut bad);
        let err = srv.host().main.replace_state(&bad).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
}
