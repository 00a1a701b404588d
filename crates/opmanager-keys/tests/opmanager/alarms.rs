//! Alarm APIs and the alarm lifecycle.

use crate::common::*;
use serde_json::json;

fn entities(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["entity"].as_str().unwrap()).collect()
}

#[actix_web::test]
async fn list_alarms_is_a_bare_array_with_the_vendor_keys_newest_first() {
    let srv = Srv::start().await;
    let rows = srv.alarms("").await;
    assert_eq!(rows.len(), 14);
    let first = &rows[0];
    assert_eq!(first["entity"], "124_CPUUSAGE");
    assert_eq!(first["deviceName"], "desk-fin-07");
    assert_eq!(first["category"], "Desktop");
    assert_eq!(first["numericSeverity"], 3);
    assert_eq!(first["statusNum"], 3);
    assert_eq!(first["severityString"], "Attention");
    assert_eq!(
        first["severity"],
        "<img src='/images/devices/status3.gif'>&nbsp;Attention"
    );
    assert_eq!(first["modTime"], "23 Nov 2026 08:55:00 AM UTC");
    assert_eq!(first["modTimeLong"], 1_795_424_100_000_i64);
    assert_eq!(first["who"], "Unacknowledged");
    assert!(first["alarmId"].is_string());
    let acked = rows.iter().find(|r| r["deviceName"] == "ups-01").unwrap();
    assert_eq!(acked["who"], "operator");
}

#[actix_web::test]
async fn list_alarms_filters_by_type_severity_device_and_time() {
    let srv = Srv::start().await;
    assert_eq!(srv.alarms("alertType=ActiveAlarms").await.len(), 12);
    assert_eq!(srv.alarms("alertType=TrapAlarms").await.len(), 2);
    assert_eq!(srv.alarms("alertType=Virtualization").await.len(), 1);
    assert_eq!(srv.alarms("alertType=CorrelatedAlarms").await.len(), 0);
    assert_eq!(srv.alarms("severity=1").await.len(), 2);
    assert_eq!(srv.alarms("severity=1,2").await.len(), 6);
    assert_eq!(srv.alarms("severity=Clear").await.len(), 2);
    let rows = srv.alarms("deviceName=srv-sql-01").await;
    assert_eq!(entities(&rows), ["114_CPUUSAGE"]);
    let rows = srv
        .alarms("fromTime=2026-11-23%2006:00:00&toTime=2026-11-23%2008:00:00")
        .await;
    assert_eq!(entities(&rows), ["114_CPUUSAGE", "102_IF-10.10.0.2-3"]);
    assert_eq!(srv.alarms("category=Router").await.len(), 1);
}

#[actix_web::test]
async fn list_alarms_validates_its_parameters() {
    let srv = Srv::start().await;
    for (query, code) in [
        ("alertType=Everything", "PATTERN_NOT_MATCHED"),
        ("severity=1,9", "PATTERN_NOT_MATCHED"),
        ("fromTime=yesterday", "PATTERN_NOT_MATCHED"),
        ("deviceName=%3Cimg%20src=x%3E", "XSS_DETECTED"),
    ] {
        let body = srv
            .get(&format!("/api/json/alarm/listAlarms?{query}"))
            .await;
        assert_eq!(errorcode(&body), code, "{query}");
    }
}

#[actix_web::test]
async fn the_alarm_lifecycle_acknowledge_note_unacknowledge_clear_delete() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T10:00:00Z").await;
    let entity = "114_CPUUSAGE";

    let body = srv
        .post_as(
            &format!("/api/json/alarm/acknowledgeAlarm?entity={entity}"),
            SERVICEDESK_KEY,
        )
        .await;
    assert_eq!(
        body,
        json!({"result": {"message": "Alarm has been successfully Acknowledged"}})
    );
    let row = &srv.alarms(&format!("entity={entity}")).await[0];
    assert_eq!(row["who"], "servicedesk");

    let body = srv
        .post(&format!(
            "/api/json/alarm/addNotes?entity={entity}&notes=Ticket%20INC-4411%20opened"
        ))
        .await;
    assert_eq!(body, json!({"result": {"message": "Successfully Added"}}));
    let notes = srv
        .get(&format!("/api/json/alarm/getAnnotation?entity={entity}"))
        .await;
    assert_eq!(
        notes,
        json!([{
            "notes": "Ticket INC-4411 opened",
            "modTime": 1_795_428_000_000_i64,
            "noteID": 1,
            "modTimeStr": "23 Nov 2026 10:00:00 AM UTC",
            "entity": entity,
            "who": "admin",
        }])
    );

    let body = srv
        .post(&format!(
            "/api/json/alarm/unAcknowledgeAlarm?entity={entity}"
        ))
        .await;
    assert_eq!(
        body["result"]["message"],
        "Alarm has been successfully UnAcknowledged"
    );
    assert_eq!(
        srv.alarms(&format!("entity={entity}")).await[0]["who"],
        "Unacknowledged"
    );

    let body = srv
        .post(&format!("/api/json/alarm/clearAlarm?entity={entity}"))
        .await;
    assert_eq!(
        body["result"]["message"],
        "Alarm has been successfully Cleared!"
    );
    let row = &srv.alarms(&format!("entity={entity}")).await[0];
    assert_eq!(row["statusStr"], "Clear");
    assert_eq!(row["modTime"], "23 Nov 2026 10:00:00 AM UTC");
    let active = srv.alarms("alertType=ActiveAlarms").await;
    assert!(!entities(&active).contains(&entity));
    let devices = srv.get("/api/json/device/listDevices?severity=1").await;
    assert_eq!(devices["records"], 1, "srv-sql-01 is no longer critical");

    let body = srv
        .post(&format!("/api/json/alarm/deleteAlarm?entity={entity}"))
        .await;
    assert_eq!(
        body["result"]["message"],
        "Alarm has been successfully Deleted!"
    );
    assert!(srv.alarms(&format!("entity={entity}")).await.is_empty());
    let body = srv
        .post(&format!("/api/json/alarm/deleteAlarm?entity={entity}"))
        .await;
    assert_eq!(errorcode(&body), "INVALID_ALARM");
}

#[actix_web::test]
async fn alarm_actions_accept_form_bodies_and_validate_everything_before_writing() {
    let srv = Srv::start().await;
    let res = srv
        .client
        .post(srv.url("/api/json/alarm/acknowledgeAlarm"))
        .header("apiKey", ADMIN_KEY)
        .form(&[
            ("entity", "114_CPUUSAGE,102_IF-10.10.0.2-3"),
            ("type", "multiple"),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["result"]["message"],
        "Alarm has been successfully Acknowledged"
    );
    assert_eq!(
        srv.alarms("entity=102_IF-10.10.0.2-3").await[0]["who"],
        "admin"
    );

    let body = srv
        .post("/api/json/alarm/clearAlarm?entity=124_CPUUSAGE,no_such")
        .await;
    assert_eq!(errorcode(&body), "INVALID_ALARM");
    assert_eq!(
        srv.alarms("entity=124_CPUUSAGE").await[0]["statusStr"],
        "Attention",
        "nothing half-written"
    );

    for (path, code) in [
        (
            "/api/json/alarm/acknowledgeAlarm",
            "LESS_THAN_MIN_OCCURANCE",
        ),
        (
            "/api/json/alarm/addNotes?entity=124_CPUUSAGE",
            "LESS_THAN_MIN_OCCURANCE",
        ),
        (
            "/api/json/alarm/addNotes?entity=124_CPUUSAGE&notes=%3Cscript%3Ealert(1)%3C/script%3E",
            "XSS_DETECTED",
        ),
        ("/api/json/alarm/alarmProperties", "LESS_THAN_MIN_OCCURANCE"),
        (
            "/api/json/alarm/clearAlarm?entity=124_CPUUSAGE&type=all",
            "PATTERN_NOT_MATCHED",
        ),
        (
            "/api/json/alarm/deleteAlarm?entity=124_CPUUSAGE&type=x",
            "PATTERN_NOT_MATCHED",
        ),
        (
            "/api/json/alarm/addNotes?entity=124_CPUUSAGE&notes=n&type=x",
            "PATTERN_NOT_MATCHED",
        ),
    ] {
        let body = if path.contains("Properties") {
            srv.get(path).await
        } else {
            srv.post(path).await
        };
        assert_eq!(errorcode(&body), code, "{path}");
    }
    let long = "a".repeat(2001);
    let body = srv
        .post(&format!(
            "/api/json/alarm/addNotes?entity=124_CPUUSAGE&notes={long}"
        ))
        .await;
    assert_eq!(errorcode(&body), "MORE_THAN_MAX_LENGTH");
    let notes = srv
        .get("/api/json/alarm/getAnnotation?entity=124_CPUUSAGE")
        .await;
    assert_eq!(notes, json!([]));
    let fixture_note = srv
        .get("/api/json/alarm/getAnnotation?entity=115_DiskUtilization")
        .await;
    assert_eq!(
        fixture_note[0]["notes"],
        "Log truncation scheduled for tonight."
    );
    let body = srv.get("/api/json/alarm/getAnnotation?entity=nope").await;
    assert_eq!(errorcode(&body), "INVALID_ALARM");
}

#[actix_web::test]
async fn read_only_users_may_read_alarms_but_not_act_on_them() {
    let srv = Srv::start().await;
    let rows = srv.get_as("/api/json/alarm/listAlarms", VIEWER_KEY).await;
    assert_eq!(rows.as_array().unwrap().len(), 14);
    let body = srv
        .post_as("/api/json/alarm/clearAlarm?entity=124_CPUUSAGE", VIEWER_KEY)
        .await;
    assert_eq!(errorcode(&body), "UNAUTHORIZED_ACCESS");
}

#[actix_web::test]
async fn alarm_actions_refuse_get() {
    let srv = Srv::start().await;
    let res = srv
        .client
        .get(srv.url("/api/json/alarm/clearAlarm?entity=124_CPUUSAGE"))
        .header("apiKey", ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
}
