//! Availability group: getDownDevices, getAvailabilityGraphData, getPingResponse,
//! getTraceResponse, the downtime schedules, getTopDevicesByAlarms, getCategoryList.

use crate::common::*;

#[actix_web::test]
async fn down_devices_are_the_critical_ones_of_list_devices() {
    let srv = Srv::start().await;
    let body = srv.get("/api/json/discovery/getDownDevices").await;
    let details = body["DownDevices"]["Details"].as_array().unwrap();
    let names: Vec<&str> = details
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    let listed = srv.get("/api/json/device/listDevices?severity=1").await;
    let critical: Vec<&str> = listed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["deviceName"].as_str().unwrap())
        .collect();
    assert!(!names.is_empty());
    let (mut a, mut b) = (names.clone(), critical.clone());
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
    assert_eq!(
        keys(&details[0]),
        ["category", "displayName", "name", "type"]
    );
    srv.assert_refusals("GET", "/api/json/discovery/getDownDevices", "", &[])
        .await;
}

#[actix_web::test]
async fn a_device_down_since_this_morning_loses_that_share_of_today() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await;
    let q = "source=srv-db-01&severity=1&message=No+response&alarmCode=DeviceDown\
             &entity=175_DeviceDown&eventType=Device+Down";
    let res = srv.post(&format!("/api/json/events/addEvent?{q}")).await;
    assert!(res["result"].is_object(), "{res}");
    srv.freeze_at("2026-11-23T18:00:00Z").await;
    let path = "/api/json/device/getAvailabilityGraphData";
    let body = srv
        .get(&format!("{path}?name=srv-db-01&isFluidic=true"))
        .await;
    assert_eq!(keys(&body), ["graphData", "uptimeData"]);
    assert_eq!(body["uptimeData"]["Today"], 66.67);
    assert_eq!(body["uptimeData"]["Last 12 hours"], 50);
    assert_eq!(body["uptimeData"]["Yesterday"], 100);
    assert_eq!(body["graphData"][0]["seriesname"], "Up");
    let ping = srv
        .post("/api/json/device/getPingResponse?deviceName=srv-db-01")
        .await;
    assert!(ping["PingResponse"]["Details"]
        .as_str()
        .unwrap()
        .contains("Request timed out."));
    let down = srv.get("/api/json/discovery/getDownDevices").await;
    assert!(down["DownDevices"]["Details"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "srv-db-01"));
    let unknown = srv.get(&format!("{path}?name=nope&isFluidic=true")).await;
    assert_eq!(errorcode(&unknown), "INVALID_DEVICE");
    let intf = srv
        .get(&format!(
            "{path}?name=IF-10.10.0.2-3&isFluidic=true&instance=Interface"
        ))
        .await;
    assert!(
        intf["uptimeData"]["Today"].as_f64().unwrap() < 100.0,
        "{intf}"
    );
    srv.assert_refusals(
        "GET",
        path,
        "name=srv-db-01&isFluidic=true",
        &["name", "isFluidic"],
    )
    .await;
}

#[actix_web::test]
async fn ping_and_trace_answer_with_the_devices_address() {
    let srv = Srv::start().await;
    let ping = srv
        .post("/api/json/device/getPingResponse?deviceName=srv-web-01")
        .await;
    let text = ping["PingResponse"]["Details"].as_str().unwrap();
    assert!(
        text.starts_with("Pinging 10.10.3.10 with 32 bytes of data:"),
        "{text}"
    );
    assert!(text.contains("Lost = 0 (0% loss)"));
    let trace = srv
        .post("/api/json/device/getTraceResponse?deviceName=10.10.3.10")
        .await;
    let text = trace["TraceResponse"]["Details"].as_str().unwrap();
    assert!(text.starts_with("Tracing route to 10.10.3.10"), "{text}");
    assert!(text.ends_with("Trace complete."));
    for path in [
        "/api/json/device/getPingResponse",
        "/api/json/device/getTraceResponse",
    ] {
        srv.assert_refusals("POST", path, "deviceName=srv-web-01", &["deviceName"])
            .await;
        let unknown = srv.post(&format!("{path}?deviceName=nope")).await;
        assert_eq!(errorcode(&unknown), "INVALID_DEVICE");
    }
}

#[actix_web::test]
async fn a_downtime_schedule_update_shows_in_the_list_get_and_state() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await;
    let list = srv.get("/api/json/admin/listDownTimeSchedules").await;
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        keys(&rows[0]),
        [
            "id",
            "name",
            "nextscheduledtime",
            "status",
            "statusNum",
            "type"
        ]
    );
    assert_eq!(rows[0]["nextscheduledtime"], "Sat, Nov 28, 2026 22:00:00");
    assert_eq!(rows[1]["status"], "Disabled");
    let q = "scheduleId=2&status=1&scheduleName=Lab+rebuild+2&recurrence=OnceOnly\
             &once_startat=2026-12-05+08:00&once_endat=2026-12-05+18:00\
             &selectDevicesMethod=Category&selectedCateg=Desktop";
    let after = srv
        .post(&format!("/api/json/admin/updateDowntimeSchedule?{q}"))
        .await;
    assert_eq!(after[1]["status"], "Enabled");
    assert_eq!(after[1]["nextscheduledtime"], "Sat, Dec 05, 2026 08:00:00");
    let one = srv
        .get("/api/json/admin/getDowntimeSchedule?operation=Lab+rebuild+2")
        .await;
    assert_eq!(
        one[0]["devices"],
        serde_json::json!(["desk-fin-07", "desk-hr-03"])
    );
    let state = srv.state().await;
    assert_eq!(state["downtimeSchedules"][1]["name"], "Lab rebuild 2");
    let unknown = srv
        .post("/api/json/admin/updateDowntimeSchedule?scheduleId=99")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_INPUT");
    let bad = srv
        .post("/api/json/admin/updateDowntimeSchedule?scheduleId=1&recurrence=Hourly")
        .await;
    assert_eq!(errorcode(&bad), "PATTERN_NOT_MATCHED");
    let operator = srv
        .post_as(
            "/api/json/admin/updateDowntimeSchedule?scheduleId=1",
            SERVICEDESK_KEY,
        )
        .await;
    assert_eq!(errorcode(&operator), "UNAUTHORIZED_ACCESS");
    srv.assert_refusals(
        "POST",
        "/api/json/admin/updateDowntimeSchedule",
        "scheduleId=1",
        &["scheduleId"],
    )
    .await;
    srv.assert_refusals("GET", "/api/json/admin/listDownTimeSchedules", "", &[])
        .await;
    srv.assert_refusals("GET", "/api/json/admin/getDowntimeSchedule", "", &[])
        .await;
}

#[actix_web::test]
async fn top_devices_by_alarms_count_the_devices_alarms() {
    let srv = Srv::start().await;
    let body = srv
        .get("/api/json/alarm/getTopDevicesByAlarms?eventType=Threshold")
        .await;
    let rows = body.as_array().unwrap();
    assert_eq!(
        keys(&rows[0]),
        [
            "alarmcount",
            "category",
            "devicename",
            "ipaddress",
            "mapname",
            "moname",
            "status",
            "type"
        ]
    );
    let threshold = srv.alarms("").await;
    let expected = threshold
        .iter()
        .filter(|a| a["deviceName"] == "srv-sql-01")
        .count();
    let sql = rows.iter().find(|r| r["moname"] == "srv-sql-01").unwrap();
    assert_eq!(sql["alarmcount"], expected);
    assert_eq!(sql["status"], 1);
    srv.assert_refusals(
        "GET",
        "/api/json/alarm/getTopDevicesByAlarms",
        "eventType=All",
        &["eventType"],
    )
    .await;
}

#[actix_web::test]
async fn the_category_list_holds_the_vendor_categories() {
    let srv = Srv::start().await;
    let body = srv.post("/api/json/device/getCategoryList").await;
    assert_eq!(body["WirelessLANController"], "Wireless LAN Controller");
    assert_eq!(body["Router"], "Router");
    assert_eq!(body["VirtualDevice"], "Virtual Device");
    srv.assert_refusals("POST", "/api/json/device/getCategoryList", "", &[])
        .await;
}
