//! Notifications and Reports (with the business hour rules).

use crate::common::*;

#[actix_web::test]
async fn notification_profiles_list_filter_and_show_per_device() {
    let srv = Srv::start().await;
    let all = srv.get("/api/json/admin/listNotificationProfiles").await;
    let rows = all.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_has_keys(
        &rows[0],
        &[
            "profileName",
            "hasSubProfiles",
            "profileType",
            "profileLabel",
            "profileID",
            "hasCriteria",
            "isDevice",
            "status",
        ],
    );
    let specific = srv
        .get("/api/json/admin/listNotificationProfiles?isGlobal=false")
        .await;
    assert_eq!(specific.as_array().unwrap().len(), 1);
    let email = srv
        .get("/api/json/admin/listNotificationProfiles?profileFilter=Send+Email&deviceName=srv-sql-01")
        .await;
    assert_eq!(email[0]["hasAssociated"], true);
    let of_sql = srv
        .get("/api/json/device/getNotificationProfiles?name=srv-sql-01")
        .await;
    assert_eq!(
        keys(&of_sql[0]),
        [
            "actionDisplayName",
            "actionName",
            "criteriaId",
            "isGlobal",
            "profileId",
            "profileLabel",
            "profileName",
            "status"
        ]
    );
    assert_eq!(of_sql.as_array().unwrap().len(), 2);
    srv.assert_refusals("GET", "/api/json/admin/listNotificationProfiles", "", &[])
        .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getNotificationProfiles",
        "name=srv-sql-01",
        &["name"],
    )
    .await;
    let unknown = srv
        .get("/api/json/device/getNotificationProfiles?name=nope")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_DEVICE");
}

#[actix_web::test]
async fn associating_and_disabling_profiles_shows_in_the_reads_and_state() {
    let srv = Srv::start().await;
    let path = "/api/json/admin/associateNotificationProfiles";
    let done = srv
        .post(&format!("{path}?deviceName=srv-web-01&profiles=301,303"))
        .await;
    assert_eq!(
        done["result"]["message"],
        "Notification Profile has been associated successfully"
    );
    let of_web = srv
        .get("/api/json/device/getNotificationProfiles?name=srv-web-01")
        .await;
    assert_eq!(of_web.as_array().unwrap().len(), 2);
    let status = "/api/json/admin/updateNotificationProfileStatus";
    let off = srv
        .post(&format!(
            "{status}?profileName=NOC+e-mail&profileId=301&status=disable"
        ))
        .await;
    assert_eq!(
        off["message"],
        "Notification Profile(s) disabled successfully"
    );
    let list = srv.get("/api/json/admin/listNotificationProfiles").await;
    assert_eq!(list[1]["status"], "false");
    let state = srv.state().await;
    assert_eq!(state["notificationProfiles"][1]["enabled"], false);
    let on = srv
        .post(&format!(
            "{status}?profileName=DBA+pager&profileId=302&status=enable&deviceName=srv-db-01"
        ))
        .await;
    assert_eq!(
        on["message"],
        "Notification Profile(s) enabled successfully"
    );
    let mismatch = srv
        .post(&format!(
            "{status}?profileName=Other&profileId=302&status=enable"
        ))
        .await;
    assert_eq!(errorcode(&mismatch), "INVALID_INPUT");
    let bad = srv
        .post(&format!("{path}?deviceName=srv-web-01&profiles=x"))
        .await;
    assert_eq!(errorcode(&bad), "DATATYPE_NOT_MATCHED");
    let viewer = srv
        .post_as(
            &format!("{path}?deviceName=srv-web-01&profiles=301"),
            VIEWER_KEY,
        )
        .await;
    assert_eq!(errorcode(&viewer), "UNAUTHORIZED_ACCESS");
    srv.assert_refusals(
        "POST",
        path,
        "deviceName=srv-web-01&profiles=301",
        &["deviceName", "profiles"],
    )
    .await;
    srv.assert_refusals(
        "POST",
        status,
        "profileName=Play+Sound&profileId=1&status=enable",
        &["profileName", "profileId", "status"],
    )
    .await;
}

#[actix_web::test]
async fn reports_list_and_data_agree_with_the_network() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await;
    let list = srv
        .get("/api/json/reports/getReportsList?isFavouriteNeeded=true")
        .await;
    assert_eq!(list[0]["Name"], "Favourites");
    let system = list
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["Name"] == "System")
        .unwrap();
    assert_eq!(
        keys(&system["list"][0]["list"][0]),
        [
            "Name",
            "customStatus",
            "desc",
            "displayName",
            "id",
            "isCustom",
            "url"
        ]
    );
    let data = srv
        .get("/api/json/reports/getReportsData?reportID=6&time=Last_7_Days")
        .await;
    let report = &data[0];
    assert_eq!(
        keys(report),
        [
            "ReportGraphName",
            "additionalRespData",
            "clientParams",
            "forward",
            "graphDetails",
            "graphDispName",
            "graphHeaders",
            "vmClientParams"
        ]
    );
    let alarms = srv.alarms("").await;
    assert_eq!(
        report["graphDetails"].as_array().unwrap().len(),
        alarms.len()
    );
    assert_eq!(
        report["clientParams"]["genAt"],
        "23 Nov 2026 12:00:00 PM UTC"
    );
    let cpu = srv
        .get("/api/json/reports/getReportsData?reportID=27&category=Server&top=3")
        .await;
    assert_eq!(cpu[0]["graphDetails"].as_array().unwrap().len(), 3);
    let again = srv
        .get("/api/json/reports/getReportsData?reportID=27&category=Server&top=3")
        .await;
    assert_eq!(cpu, again, "the same clock gives the same figures");
    let unknown = srv
        .get("/api/json/reports/getReportsData?reportID=999")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_INPUT");
    let bad_time = srv
        .get("/api/json/reports/getReportsData?reportID=6&time=forever")
        .await;
    assert_eq!(errorcode(&bad_time), "PATTERN_NOT_MATCHED");
    srv.assert_refusals("GET", "/api/json/reports/getReportsList", "", &[])
        .await;
    srv.assert_refusals(
        "GET",
        "/api/json/reports/getReportsData",
        "reportID=6",
        &["reportID"],
    )
    .await;
}

#[actix_web::test]
async fn report_builder_series_are_hourly_and_follow_the_clock() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await;
    let path = "/api/json/v2/device/getReportData";
    let q = "deviceList=srv-sql-01,core-rtr-01&monitorList=DevicesAvailability,PacketLoss,CPUUtilization&timePeriod=Today";
    let body = srv.post(&format!("{path}?{q}")).await;
    assert_eq!(
        keys(&body),
        [
            "CPU Utilization - Percentage",
            "DevicesAvailability - Percentage",
            "Packet Loss - Percentage"
        ]
    );
    let avail = &body["DevicesAvailability - Percentage"][0];
    assert_eq!(keys(avail), ["data", "id", "seriesname"]);
    assert_eq!(avail["data"].as_array().unwrap().len(), 12);
    assert_eq!(avail["data"][0][0], 1_795_392_000_000_i64);
    let again = srv.post(&format!("{path}?{q}")).await;
    assert_eq!(body, again);
    let unknown = srv
        .post(&format!("{path}?deviceList=nope&monitorList=PacketLoss"))
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_DEVICE");
    let no_monitor = srv
        .post(&format!("{path}?deviceList=srv-sql-01&monitorList=Nope"))
        .await;
    assert_eq!(errorcode(&no_monitor), "PATTERN_NOT_MATCHED");
    srv.assert_refusals("POST", path, q, &["deviceList", "monitorList"])
        .await;
}

#[actix_web::test]
async fn business_rules_are_added_viewed_updated_and_deleted() {
    let srv = Srv::start().await;
    let added = srv
        .post("/api/json/admin/addBusinessRules?businessRuleName=Weekend&timeSettings=Saturday%3D00:00-23:59&description=Sat")
        .await;
    let id = added["result"]["businessRuleId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(id, "2");
    let list = srv.get("/api/json/admin/listBusinessRules").await;
    assert_eq!(
        keys(&list[1]),
        ["businessRuleId", "businessRuleName", "description"]
    );
    assert_eq!(list[1]["businessRuleName"], "Weekend");
    srv.post(&format!(
        "/api/json/admin/updateBusinessRules?businessRuleId={id}&description=Saturday+only"
    ))
    .await;
    let view = srv
        .get(&format!(
            "/api/json/admin/viewBusinessRules?businessRuleId={id}"
        ))
        .await;
    assert_eq!(view["description"], "Saturday only");
    assert_eq!(view["timeSettings"], "Saturday=00:00-23:59");
    let state = srv.state().await;
    assert_eq!(state["businessRules"][1]["description"], "Saturday only");
    let deleted = srv
        .post(&format!(
            "/api/json/admin/deleteBusinessRules?businessRuleId={id}"
        ))
        .await;
    assert!(deleted["result"]["message"].is_string());
    let gone = srv
        .get(&format!(
            "/api/json/admin/viewBusinessRules?businessRuleId={id}"
        ))
        .await;
    assert_eq!(errorcode(&gone), "INVALID_INPUT");
    let twice = srv
        .post("/api/json/admin/addBusinessRules?businessRuleName=Office+hours&timeSettings=x")
        .await;
    assert_eq!(errorcode(&twice), "ALREADY_EXISTS");
    srv.assert_refusals("GET", "/api/json/admin/listBusinessRules", "", &[])
        .await;
    srv.assert_refusals(
        "GET",
        "/api/json/admin/viewBusinessRules",
        "businessRuleId=1",
        &["businessRuleId"],
    )
    .await;
    srv.assert_refusals(
        "POST",
        "/api/json/admin/addBusinessRules",
        "businessRuleName=X&timeSettings=y",
        &["businessRuleName", "timeSettings"],
    )
    .await;
    srv.assert_refusals(
        "POST",
        "/api/json/admin/updateBusinessRules",
        "businessRuleId=1",
        &["businessRuleId"],
    )
    .await;
    srv.assert_refusals(
        "POST",
        "/api/json/admin/deleteBusinessRules",
        "businessRuleId=1",
        &["businessRuleId"],
    )
    .await;
}
