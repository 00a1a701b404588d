//! The rendered answers of listDevices and listAlarms are kept until the store or the clock
//! says otherwise: every write through the API, `PUT /_standin/state`, a reset and a clock
//! change is seen by the next read. Each test reads once before the change, so the answer it
//! then reads again would be the kept one if the change were missed.

use crate::common::*;
use serde_json::json;

const LIST: &str = "/api/json/device/listDevices";

fn row<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {body}"))
        .iter()
        .find(|r| r["deviceName"] == name)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
}

fn alarm<'a>(rows: &'a [Value], entity: &str) -> Option<&'a Value> {
    rows.iter().find(|a| a["entity"] == entity)
}

#[actix_web::test]
async fn list_devices_follows_writes_through_the_api() {
    let srv = Srv::start().await;
    let before = srv.get(LIST).await;
    assert_eq!(srv.get(LIST).await, before, "the same state reads the same");
    assert_eq!(row(&before, "srv-sql-01")["statusStr"], "Critical");

    srv.post("/api/json/device/setManaged?name=srv-sql-01&manage=false")
        .await;
    let body = srv.get(LIST).await;
    assert_eq!(row(&body, "srv-sql-01")["statusStr"], "Unmanaged");
    assert_eq!(row(&body, "srv-sql-01")["statusNum"], "7");

    let records = body["records"].as_u64().unwrap();
    srv.post("/api/json/discovery/addDevice?deviceName=10.99.0.7")
        .await;
    let body = srv.get(LIST).await;
    assert_eq!(body["records"].as_u64(), Some(records + 1));
    assert_eq!(row(&body, "10.99.0.7")["category"], "Unknown");

    // The v2 URL answers the same list, after the same writes.
    assert_eq!(srv.get("/api/json/v2/device/listDevices").await, body);

    srv.post("/api/json/device/deleteDevice?name=10.99.0.7")
        .await;
    let body = srv.get(LIST).await;
    assert_eq!(body["records"].as_u64(), Some(records));
}

#[actix_web::test]
async fn list_devices_keeps_one_answer_per_parameters() {
    let srv = Srv::start().await;
    let page1 = srv.get(&format!("{LIST}?rows=5&page=1")).await;
    let page2 = srv.get(&format!("{LIST}?rows=5&page=2")).await;
    assert_ne!(page1["rows"], page2["rows"]);
    assert_eq!(page2["page"], 2);
    let routers = srv.get(&format!("{LIST}?category=Router")).await;
    assert!(routers["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["category"] == "Router"));
    // A refused parameter is refused on every request, never answered from a kept page.
    for _ in 0..2 {
        let body = srv.get(&format!("{LIST}?rows=5&page=0")).await;
        assert_eq!(errorcode(&body), "RANGE_NOT_MATCHED", "{body}");
    }
    assert_eq!(srv.get(&format!("{LIST}?rows=5&page=1")).await, page1);
}

#[actix_web::test]
async fn list_alarms_follows_acknowledge_clear_and_delete() {
    let srv = Srv::start().await;
    let entity = "114_CPUUSAGE";
    let rows = srv.alarms("").await;
    assert_eq!(alarm(&rows, entity).unwrap()["who"], "Unacknowledged");
    let critical = srv.alarms("severity=1").await;
    assert!(critical.iter().all(|a| a["numericSeverity"] == 1));
    assert!(critical.len() < rows.len());

    srv.post(&format!("/api/json/alarm/acknowledgeAlarm?entity={entity}"))
        .await;
    let rows = srv.alarms("").await;
    assert_eq!(alarm(&rows, entity).unwrap()["who"], "admin");

    srv.post(&format!("/api/json/alarm/clearAlarm?entity={entity}"))
        .await;
    let rows = srv.alarms("").await;
    assert_eq!(alarm(&rows, entity).unwrap()["severityString"], "Clear");
    assert!(alarm(&srv.alarms("severity=1").await, entity).is_none());

    srv.post(&format!("/api/json/alarm/deleteAlarm?entity={entity}"))
        .await;
    assert!(alarm(&srv.alarms("").await, entity).is_none());
}

#[actix_web::test]
async fn lists_follow_a_replaced_state_and_a_reset() {
    let srv = Srv::start().await;
    let fixtures = srv.get(LIST).await;
    let alarms = srv.alarms("").await;
    assert!(!alarms.is_empty());

    let mut doc = srv.state().await;
    doc["devices"][0]["displayName"] = json!("renamed-by-put");
    doc["alarms"] = json!([]);
    srv.put_state(&doc).await;
    let name = doc["devices"][0]["deviceName"].as_str().unwrap().to_owned();
    assert_eq!(
        row(&srv.get(LIST).await, &name)["displayName"],
        "renamed-by-put"
    );
    assert_eq!(srv.alarms("").await, Vec::<Value>::new());

    srv.server.reset().await;
    assert_eq!(srv.alarms("").await, alarms);
    assert_eq!(srv.get(LIST).await["rows"], fixtures["rows"]);
}

#[actix_web::test]
async fn list_devices_follows_the_clock_both_ways() {
    let srv = Srv::start().await;
    // desk-fin-07 was added at 08:40 and its newest alarm changed at 08:55.
    srv.freeze_at("2026-11-23T08:55:30Z").await;
    let body = srv.get(LIST).await;
    assert_eq!(row(&body, "desk-fin-07")["prettyTime"], "30 seconds ago");
    assert_eq!(row(&body, "desk-fin-07")["isNew"], true);

    srv.freeze_at("2026-11-23T08:55:31Z").await;
    let body = srv.get(LIST).await;
    assert_eq!(row(&body, "desk-fin-07")["prettyTime"], "31 seconds ago");

    srv.freeze_at("2026-11-24T09:00:00Z").await;
    let body = srv.get(LIST).await;
    assert_eq!(row(&body, "desk-fin-07")["prettyTime"], "1 day ago");
    assert_eq!(row(&body, "desk-fin-07")["isNew"], false);

    // Back in time: the earlier answer again, not the later one.
    srv.freeze_at("2026-11-23T09:00:00Z").await;
    let body = srv.get(LIST).await;
    assert_eq!(row(&body, "desk-fin-07")["prettyTime"], "5 minutes ago");
    assert_eq!(row(&body, "desk-fin-07")["isNew"], true);
}
