//! Device details (setDeviceInfo, getDeviceNotes, getInfrastructureDetailsView) and the
//! interface APIs beyond listInterfaces/getInterfaces.

use crate::common::*;

#[actix_web::test]
async fn set_device_info_changes_device_info_and_notes() {
    let srv = Srv::start().await;
    let values = serde_json::json!([
        {"metricName": "Model", "metricValue": "ISR4451/K9"},
        {"metricName": "RAM", "metricValue": 16384},
        {"metricName": "Building", "metricValue": "HQ"}
    ])
    .to_string();
    let res = srv
        .client
        .post(srv.url("/api/json/device/setDeviceInfo"))
        .header("apiKey", ADMIN_KEY)
        .form(&[("deviceName", "core-rtr-01"), ("values", values.as_str())])
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["result"]["message"],
        "Hardware details updated successfully."
    );
    let info = srv
        .get("/api/json/device/getDeviceInfo?deviceName=core-rtr-01")
        .await;
    assert_eq!(info["Model"], "ISR4451/K9");
    assert_eq!(info["RAM"], "16384");
    let notes = srv
        .get("/api/json/device/getDeviceNotes?name=core-rtr-01")
        .await;
    let rows = notes.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(
        keys(&rows[0]),
        [
            "ALIASNAME",
            "DATATYPE",
            "DESCRIPTION",
            "FIELDLENGTH",
            "FIELDNAME",
            "FIELDVALUE",
            "ISEDITABLE"
        ]
    );
    let building = rows.iter().find(|r| r["FIELDNAME"] == "Building").unwrap();
    assert_eq!(building["FIELDVALUE"], "HQ");
    let state = srv.state().await;
    assert_eq!(state["devices"][0]["customFields"]["Building"], "HQ");
    let bad = srv
        .post("/api/json/device/setDeviceInfo?deviceName=core-rtr-01&values=%5B%7B%22metricName%22%3A%22Nope%22%2C%22metricValue%22%3A%221%22%7D%5D")
        .await;
    assert_eq!(errorcode(&bad), "PATTERN_NOT_MATCHED");
    let info = srv
        .get("/api/json/device/getDeviceInfo?deviceName=core-rtr-01")
        .await;
    assert_eq!(
        info["Model"], "ISR4451/K9",
        "a refused update writes nothing"
    );
    let viewer = srv
        .post_as(
            "/api/json/device/setDeviceInfo?deviceName=core-rtr-01&values=%5B%5D",
            VIEWER_KEY,
        )
        .await;
    assert_eq!(errorcode(&viewer), "UNAUTHORIZED_ACCESS");
    srv.assert_refusals(
        "POST",
        "/api/json/device/setDeviceInfo",
        "deviceName=core-rtr-01&values=%5B%5D",
        &["deviceName", "values"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getDeviceNotes",
        "name=core-rtr-01",
        &["name"],
    )
    .await;
}

#[actix_web::test]
async fn infrastructure_view_lists_a_categorys_devices() {
    let srv = Srv::start().await;
    let body = srv
        .get("/api/json/discovery/getInfrastructureDetailsView?categoryName=Server")
        .await;
    let view = &body["InfrastructureDetailsView"];
    let rows = view["Details"].as_array().unwrap();
    let listed = srv
        .get("/api/json/device/listDevices?category=Server")
        .await;
    assert_eq!(view["TotalRecords"], listed["records"].to_string());
    let sql = rows.iter().find(|r| r["name"] == "srv-sql-01").unwrap();
    assert_eq!(
        keys(sql),
        [
            "IpAddress",
            "displayName",
            "intfCount",
            "monitors",
            "name",
            "severity",
            "status",
            "type"
        ]
    );
    assert_eq!(sql["monitors"]["CPUUtilization"], 94.0);
    srv.assert_refusals(
        "GET",
        "/api/json/discovery/getInfrastructureDetailsView",
        "categoryName=Server",
        &["categoryName"],
    )
    .await;
}

#[actix_web::test]
async fn interface_summary_notes_and_graphs_have_the_documented_keys() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await;
    let name = "IF-10.10.0.1-1";
    let summary = srv
        .get(&format!(
            "/api/json/device/getInterfaceSummary?interfaceName={name}"
        ))
        .await;
    assert_has_keys(
        &summary,
        &[
            "NFA_ID",
            "recBandwidth",
            "IntfIpaddress",
            "instance",
            "displayName",
            "Util",
            "availability",
            "moID",
            "intfDisplayName",
            "txUtil",
            "typeIdDescr",
            "operStateImg",
            "isSubInterface",
            "managed",
        ],
    );
    let down = srv
        .get("/api/json/device/getInterfaceSummary?interfaceName=IF-10.10.0.2-3")
        .await;
    assert_eq!(down["operState"], "Down");
    assert_eq!(down["Util"], "0");
    let notes = srv
        .get(&format!(
            "/api/json/device/getInterfaceNotes?interfaceName={name}"
        ))
        .await;
    assert_has_keys(
        &notes[0],
        &[
            "CUSTOMFIELDID",
            "DATATYPE",
            "DESCRIPTION",
            "FIELDNAME",
            "ALIASNAME",
            "FIELDLENGTH",
        ],
    );
    let graphs = srv
        .get(&format!(
            "/api/json/device/getInterfaceGraphs?interfaceName={name}&period=Today"
        ))
        .await;
    assert_eq!(
        keys(&graphs),
        [
            "consolidatedValues",
            "displayName",
            "graphData",
            "interfaceDetails",
            "seriesNames",
            "suffix",
            "xyTitles"
        ]
    );
    assert_eq!(graphs["graphData"][0]["data"].as_array().unwrap().len(), 13);
    let again = srv
        .get(&format!(
            "/api/json/device/getInterfaceGraphs?interfaceName={name}&period=Today"
        ))
        .await;
    assert_eq!(graphs, again);
    let glance = srv
        .get(&format!(
            "/api/json/v2/device/getIntfAtAGlanceReportDetails?InterfaceName={name}&period=Today"
        ))
        .await;
    assert_eq!(
        keys(&glance),
        [
            "Details",
            "InterfaceCategory",
            "graphData",
            "intfDisplayName",
            "repType"
        ]
    );
    let outage = srv
        .get(&format!(
            "/api/json/v2/device/getIntfBWOutageReportDetails?interfaceName={name}&period=Today"
        ))
        .await;
    assert_has_keys(
        &outage,
        &[
            "InSpeed",
            "IfDesc",
            "repType",
            "consolidatedValues",
            "seriesNames",
            "bwChartData",
            "availData",
        ],
    );
    let unknown = srv
        .get("/api/json/device/getInterfaceSummary?interfaceName=IF-nope")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_INTERFACE");
    let bad_graph = srv
        .get(&format!(
            "/api/json/device/getInterfaceGraphs?interfaceName={name}&graphName=nope"
        ))
        .await;
    assert_eq!(errorcode(&bad_graph), "PATTERN_NOT_MATCHED");
    srv.assert_refusals(
        "GET",
        "/api/json/device/getInterfaceSummary",
        &format!("interfaceName={name}"),
        &["interfaceName"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getInterfaceNotes",
        &format!("interfaceName={name}"),
        &["interfaceName"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getInterfaceGraphs",
        &format!("interfaceName={name}"),
        &["interfaceName"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/v2/device/getIntfAtAGlanceReportDetails",
        &format!("InterfaceName={name}&period=Today"),
        &["InterfaceName", "period"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/v2/device/getIntfBWOutageReportDetails",
        &format!("interfaceName={name}&period=Today"),
        &["interfaceName", "period"],
    )
    .await;
}

#[actix_web::test]
async fn add_device_resolves_host_names_from_the_state_never_from_dns() {
    let srv = Srv::start().await;
    let added = srv
        .post("/api/json/discovery/addDevice?deviceName=NAS-02.corp.example.com")
        .await;
    assert_eq!(added["device"]["deviceIp"], "10.10.5.11");
    assert_eq!(added["device"]["deviceName"], "NAS-02.corp.example.com");
    let info = srv
        .get("/api/json/device/getDeviceInfo?ipAddress=10.10.5.11")
        .await;
    assert!(info["Model"].is_string(), "{info}");
    let unknown = srv
        .post("/api/json/discovery/addDevice?deviceName=www.example.com")
        .await;
    assert_eq!(errorcode(&unknown), "PATTERN_NOT_MATCHED");
    let again = srv
        .post("/api/json/discovery/addDevice?deviceName=10.10.5.11")
        .await;
    assert_eq!(errorcode(&again), "DEVICE_ALREADY_EXISTS");
}
