//! Event APIs, addEvent's alarm correlation and alarmProperties' history.

use crate::common::*;

const ADD: &str = "/api/json/events/addEvent";

#[actix_web::test]
async fn list_events_is_newest_first_with_severity_counts() {
    let srv = Srv::start().await;
    let body = srv.get("/api/json/events/listEvents").await;
    let list = body["List"].as_array().unwrap();
    assert_eq!(list.len(), 17);
    assert_eq!(list[0]["displayname"], "desk-fin-07");
    assert_eq!(list[0]["category"], "Desktop");
    let mut keys: Vec<&str> = list[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "category",
            "displayname",
            "modTimeLong",
            "prettyTime",
            "statusNum",
            "statusStr",
            "text"
        ]
    );
    assert_eq!(list[0]["statusStr"], "Attention");
    assert_eq!(list[0]["statusNum"], "3");
    assert_eq!(list[0]["modTimeLong"], "1795424100000");
    assert!(list[0]["prettyTime"].as_str().unwrap().ends_with(" ago"));
    assert_eq!(body["severityVsCount"]["Critical"], 4);
    assert_eq!(body["severityVsCount"]["Clear"], 2);
    assert!(body["severityVsCount"].get("Service Down").is_some());
    assert_eq!(
        body["Details"]["Server"],
        serde_json::json!([
            {"value": 1, "status": 5, "label": "Clear"},
            {"value": 1, "status": 4, "label": "Service Down"},
            {"value": 2, "status": 3, "label": "Attention"},
            {"value": 1, "status": 2, "label": "Trouble"},
            {"value": 2, "status": 1, "label": "Critical"}
        ])
    );
    let body = srv
        .get("/api/json/events/listEvents?deviceName=desk-fin-07")
        .await;
    assert_eq!(body["severityVsCount"], serde_json::json!({"Attention": 1}));

    let body = srv
        .get("/api/json/events/listEvents?deviceName=srv-sql-01")
        .await;
    let texts: Vec<&str> = body["List"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "CPU Utilization is 94%, threshold value for this monitor is 90%",
            "CPU Utilization is 81%, threshold value for this monitor is 80%"
        ]
    );
    let body = srv
        .get("/api/json/events/listEvents?severity=1&category=Server")
        .await;
    assert_eq!(body["List"].as_array().unwrap().len(), 2);
    let body = srv
        .get("/api/json/events/listEvents?eventType=SNMP%20Trap")
        .await;
    assert_eq!(body["List"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn list_events_period_counts_from_the_instance_clock() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await; // a Monday
    let n = |v: &Value| v["List"].as_array().unwrap().len();
    for (period, count) in [
        ("Today", 8),
        ("Yesterday", 6),
        ("twelvehours", 8),
        ("twfourhours", 12),
        ("thisweek", 8),
        ("lastweek", 9),
        ("Last_7_Days", 17),
        ("thismonth", 17),
        ("Last_30_Days", 17),
        ("Last_Month", 0),
        (
            "custom&startDate=2026-11-22&endDate=2026-11-22%2012:00:00",
            2,
        ),
    ] {
        let body = srv
            .get(&format!("/api/json/events/listEvents?period={period}"))
            .await;
        assert_eq!(n(&body), count, "{period}");
    }
    for (query, code) in [
        ("period=Forever", "PATTERN_NOT_MATCHED"),
        (
            "period=custom&startDate=2026-11-22",
            "LESS_THAN_MIN_OCCURANCE",
        ),
        (
            "period=custom&startDate=22.11.2026&endDate=2026-11-23",
            "PATTERN_NOT_MATCHED",
        ),
    ] {
        let body = srv
            .get(&format!("/api/json/events/listEvents?{query}"))
            .await;
        assert_eq!(errorcode(&body), code, "{query}");
    }
}

#[actix_web::test]
async fn add_event_raises_updates_and_clears_an_alarm() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T11:00:00Z").await;
    let body = srv
        .post(&format!(
            "{ADD}?source=srv-db-01&severity=2&message=Replication%20lag%20is%20120s&alarmCode=REPLLAG&entity=srv-db-01_ReplLag&eventType=Threshold"
        ))
        .await;
    assert_eq!(
        body,
        serde_json::json!({"result": {"message": "Event has been successfully generated."}})
    );
    let alarms = srv.alarms("entity=srv-db-01_ReplLag").await;
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0]["statusStr"], "Trouble");
    assert_eq!(alarms[0]["alarmId"], "15");
    assert_eq!(alarms[0]["modTime"], "23 Nov 2026 11:00:00 AM UTC");
    let summary = srv
        .get("/api/json/device/getDeviceSummary?name=srv-db-01")
        .await;
    assert_eq!(
        summary["statusStr"], "Trouble",
        "the device takes the alarm's status"
    );

    srv.freeze_at("2026-11-23T11:05:00Z").await;
    srv.post(&format!(
        "{ADD}?source=srv-db-01&severity=Critical&message=Replication%20lag%20is%20900s&alarmCode=REPLLAG&entity=srv-db-01_ReplLag&eventType=Threshold"
    ))
    .await;
    let props = srv
        .get("/api/json/alarm/alarmProperties?entity=srv-db-01_ReplLag")
        .await;
    assert_eq!(props["statusStr"], "Critical");
    assert_eq!(props["previousSeverity"], "2");
    assert_eq!(props["stringpreviousseverity"], "Trouble");
    assert_eq!(props["strCreateTime"], "23 Nov 2026 11:00:00 AM UTC");
    assert_eq!(props["strModTime"], "23 Nov 2026 11:05:00 AM UTC");
    assert_eq!(props["events"].as_array().unwrap().len(), 2);
    assert_eq!(props["ALARMCODE"], "REPLLAG");
    assert_eq!(props["who"], "Unacknowledge");

    srv.post(&format!(
        "{ADD}?source=srv-db-01&severity=5&message=Replication%20lag%20is%201s&alarmCode=REPLLAG&entity=srv-db-01_ReplLag&eventType=Threshold"
    ))
    .await;
    let active = srv
        .alarms("alertType=ActiveAlarms&deviceName=srv-db-01")
        .await;
    assert!(active.is_empty());

    // A Clear event for an entity without an alarm records the event only.
    srv.post(&format!(
        "{ADD}?source=srv-db-01&severity=5&message=ok&alarmCode=X&entity=srv-db-01_Other&eventType=Threshold"
    ))
    .await;
    assert!(srv.alarms("entity=srv-db-01_Other").await.is_empty());
    let events = srv
        .get("/api/json/events/listEvents?entity=srv-db-01_Other")
        .await;
    assert_eq!(events["List"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn add_event_validates_every_parameter_and_writes_nothing_on_error() {
    let srv = Srv::start().await;
    let full = "source=srv-db-01&severity=2&message=m&alarmCode=C&entity=E1&eventType=T";
    for missing in [
        "source",
        "severity",
        "message",
        "alarmCode",
        "entity",
        "eventType",
    ] {
        let query: Vec<&str> = full
            .split('&')
            .filter(|kv| !kv.starts_with(&format!("{missing}=")))
            .collect();
        let body = srv.post(&format!("{ADD}?{}", query.join("&"))).await;
        assert_eq!(errorcode(&body), "LESS_THAN_MIN_OCCURANCE", "{missing}");
        assert!(body["error"]["message"].as_str().unwrap().contains(missing));
    }
    for (query, code) in [
        (
            full.replace("severity=2", "severity=9"),
            "PATTERN_NOT_MATCHED",
        ),
        (
            full.replace("severity=2", "severity=7"),
            "PATTERN_NOT_MATCHED",
        ),
        (
            full.replace("source=srv-db-01", "source=ghost"),
            "INVALID_DEVICE",
        ),
        (
            full.replace("message=m", "message=%3Cscript%3Ex%3C/script%3E"),
            "XSS_DETECTED",
        ),
        (
            full.replace("message=m", &format!("message={}", "m".repeat(1001))),
            "MORE_THAN_MAX_LENGTH",
        ),
    ] {
        let body = srv.post(&format!("{ADD}?{query}")).await;
        assert_eq!(errorcode(&body), code, "{query}");
    }
    let body = srv.post_as(&format!("{ADD}?{full}"), VIEWER_KEY).await;
    assert_eq!(errorcode(&body), "UNAUTHORIZED_ACCESS");
    let events = srv.get("/api/json/events/listEvents").await;
    assert_eq!(events["List"].as_array().unwrap().len(), 17);
    assert!(srv.alarms("entity=E1").await.is_empty());
}

#[actix_web::test]
async fn add_event_accepts_a_json_body() {
    let srv = Srv::start().await;
    let res = srv
        .client
        .post(srv.url(ADD))
        .header("apiKey", ADMIN_KEY)
        .json(&serde_json::json!({
            "source": "nas-01", "severity": 1, "message": "Volume 2 crashed",
            "alarmCode": "VOLUMESTATUS", "entity": "121_Volume2", "eventType": "Storage"
        }))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["result"]["message"],
        "Event has been successfully generated."
    );
    assert_eq!(
        srv.alarms("entity=121_Volume2").await[0]["statusStr"],
        "Critical"
    );
}

#[actix_web::test]
async fn alarm_properties_has_the_vendor_keys_and_history() {
    let srv = Srv::start().await;
    let props = srv
        .get("/api/json/alarm/alarmProperties?entity=114_CPUUSAGE")
        .await;
    assert_eq!(props["id"], "1");
    assert_eq!(props["source"], "srv-sql-01");
    assert_eq!(props["deviceID"], 114);
    assert_eq!(props["statusNum"], "1");
    assert_eq!(props["severity"], "/images/devices/status1.gif");
    assert_eq!(props["EVENTTYPE"], "Threshold");
    assert_eq!(props["previousSeverity"], "3");
    assert_eq!(props["events"][0]["statusStr"], "Critical");
    assert_eq!(props["events"][1]["imgsrc"], "/images/devices/status3.gif");
    assert_eq!(props["createTime"], "1795419069000");
    let body = srv.get("/api/json/alarm/alarmProperties?entity=nope").await;
    assert_eq!(errorcode(&body), "INVALID_ALARM");
}

#[actix_web::test]
async fn the_state_after_api_writes_round_trips() {
    let srv = Srv::start().await;
    srv.post(&format!(
        "{ADD}?source=srv-db-01&severity=2&message=lag&alarmCode=REPLLAG&entity=srv-db-01_ReplLag&eventType=Threshold"
    ))
    .await;
    srv.post("/api/json/alarm/addNotes?entity=srv-db-01_ReplLag&notes=looking")
        .await;
    srv.post("/api/json/alarm/acknowledgeAlarm?entity=srv-db-01_ReplLag")
        .await;
    srv.post("/api/json/discovery/addDevice?deviceName=10.10.8.8")
        .await;
    srv.post("/api/json/alarm/clearAlarm?entity=114_CPUUSAGE")
        .await;
    let state = srv.state().await;
    srv.put_state(&state).await;
    assert_eq!(srv.state().await, state);
    let props = srv
        .get("/api/json/alarm/alarmProperties?entity=srv-db-01_ReplLag")
        .await;
    assert_eq!(props["who"], "admin");
}

#[actix_web::test]
async fn a_parameter_given_twice_is_refused() {
    let srv = Srv::start().await;
    let body = srv
        .post("/api/json/alarm/clearAlarm?entity=114_CPUUSAGE&entity=124_CPUUSAGE")
        .await;
    assert_eq!(errorcode(&body), "MORE_THAN_MAX_OCCURANCE");
    let body = srv.get("/api/json/device/listDevices?rows=1&rows=2").await;
    assert_eq!(errorcode(&body), "MORE_THAN_MAX_OCCURANCE");
}

#[actix_web::test]
async fn alarm_properties_by_device_id_finds_the_device_status_alarm() {
    let srv = Srv::start().await;
    let props = srv
        .get("/api/json/alarm/alarmProperties?deviceID=104")
        .await;
    assert_eq!(props["source"], "edge-fw-02");
    assert_eq!(props["EVENTTYPE"], "Device Down");
    let body = srv
        .get("/api/json/alarm/alarmProperties?deviceID=abc")
        .await;
    assert_eq!(errorcode(&body), "DATATYPE_NOT_MATCHED");
    let body = srv
        .get("/api/json/alarm/alarmProperties?deviceID=114")
        .await;
    assert_eq!(errorcode(&body), "INVALID_ALARM");
}
