//! Monitoring: performance, process, service, Windows service, URL and script monitors.

use crate::common::*;

#[actix_web::test]
async fn performance_monitors_are_listed_added_tested_and_deleted() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-11-23T12:00:00Z").await;
    let catalog = srv
        .get("/api/json/device/getPerformanceMonitors?deviceName=srv-web-01&category=Server&type=Linux")
        .await;
    let perf = catalog["Performance Monitors"].as_array().unwrap();
    assert_has_keys(
        &perf[0],
        &[
            "DISPLAYNAME",
            "Description",
            "name",
            "isSelected",
            "GRAPHID",
            "interval",
            "Protocol",
            "thresholdEnabled",
            "STANDARDNAME",
        ],
    );
    let cpu = perf.iter().find(|m| m["name"] == "CPUUtilization").unwrap();
    assert_eq!(cpu["isSelected"], "true");
    assert!(catalog["General Monitors"].is_array());
    let add = "/api/json/device/addPerformanceMonitors";
    let added = srv
        .post(&format!("{add}?name=srv-web-01&selectedMonitors=SysUpTime"))
        .await;
    assert_eq!(added["result"]["message"], "Monitor added successfully");
    let monitors = srv
        .get("/api/json/device/getDeviceAssociatedMonitors?name=srv-web-01")
        .await;
    let list = monitors["performanceMonitors"]["monitors"]
        .as_array()
        .unwrap();
    let uptime = list.iter().find(|m| m["name"] == "SysUpTime").unwrap();
    let poll_id = uptime["pollId"].as_str().unwrap().to_owned();
    let test = srv
        .post("/api/json/device/TestMonitor?name=srv-sql-01&policyName=CPUUtilization&graphName=CPUUtilization")
        .await;
    assert_eq!(
        keys(&test),
        [
            "checkNumeric",
            "data",
            "deviceName",
            "displayName",
            "isMultiple",
            "monitorname",
            "oid",
            "protocol",
            "reasons",
            "units"
        ]
    );
    let details = srv
        .get("/api/json/device/getPerformanceMonitorDetails?name=srv-sql-01&policyName=CPUUtilization&graphName=CPUUtilization&checkNumeric=true")
        .await;
    assert_eq!(details["statsList"][0]["lastPolledValue"], "94");
    assert_has_keys(
        &details["monitors"],
        &["DISPLAYNAME", "GRAPHID", "Protocol", "THRESHOLDENABLED"],
    );
    let last = srv
        .get("/api/json/device/getLastCollectedValues?deviceMOIDList=114")
        .await;
    let rows = last["114"].as_array().unwrap();
    assert_has_keys(
        &rows[0],
        &[
            "GraphName",
            "PollId",
            "data",
            "lastCollectedTime",
            "PolicyName",
            "ProtocolName",
        ],
    );
    let del = "/api/json/device/deletePerformanceMonitors";
    let deleted = srv
        .post(&format!("{del}?name=srv-web-01&pollId={poll_id}"))
        .await;
    assert_eq!(
        deleted["result"]["message"],
        "The monitor(s) will be deleted. Please check after sometime."
    );
    let again = srv
        .post(&format!("{del}?name=srv-web-01&pollId={poll_id}"))
        .await;
    assert_eq!(errorcode(&again), "INVALID_INPUT");
    let unknown = srv
        .post(&format!("{add}?name=srv-web-01&selectedMonitors=Nope"))
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_INPUT");
    let viewer = srv
        .post_as(
            &format!("{add}?name=srv-web-01&selectedMonitors=SysUpTime"),
            VIEWER_KEY,
        )
        .await;
    assert_eq!(errorcode(&viewer), "UNAUTHORIZED_ACCESS");
    srv.assert_refusals(
        "GET",
        "/api/json/device/getPerformanceMonitors",
        "deviceName=srv-web-01&category=Server&type=Linux",
        &["deviceName", "category", "type"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getLastCollectedValues",
        "deviceMOIDList=114",
        &["deviceMOIDList"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getPerformanceMonitorDetails",
        "name=srv-sql-01&policyName=CPUUtilization&graphName=x&checkNumeric=true",
        &["name", "policyName", "graphName", "checkNumeric"],
    )
    .await;
    srv.assert_refusals(
        "POST",
        add,
        "name=srv-web-01&selectedMonitors=SysUpTime",
        &["name", "selectedMonitors"],
    )
    .await;
    srv.assert_refusals("POST", del, "name=srv-web-01&pollId=1", &["name", "pollId"])
        .await;
    srv.assert_refusals(
        "POST",
        "/api/json/device/TestMonitor",
        "name=srv-sql-01&policyName=CPUUtilization&graphName=x",
        &["name", "policyName", "graphName"],
    )
    .await;
}

#[actix_web::test]
async fn process_and_service_monitors_are_associated_and_listed() {
    let srv = Srv::start().await;
    let procs = "/api/json/device/getAssociatedProcessMonitors?deviceName=srv-db-01";
    let before = srv.get(procs).await;
    assert_eq!(
        keys(&before),
        [
            "ActiveProcesses",
            "AssignedMonitors",
            "Templates",
            "protocol"
        ]
    );
    assert_eq!(before["AssignedMonitors"].as_array().unwrap().len(), 1);
    let done = srv
        .post("/api/json/device/associateProcessMonitor?deviceName=srv-db-01&processId=2")
        .await;
    assert_eq!(
        done["result"]["message"],
        "Process monitor(s) associated successfully."
    );
    let after = srv.get(procs).await;
    assert_eq!(after["AssignedMonitors"].as_array().unwrap().len(), 2);
    let httpd = after["Templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["templateName"] == "httpd")
        .unwrap();
    assert_eq!(httpd["associatedDeviceCount"], "1");
    let services = srv
        .get("/api/json/device/getAssociatedServiceMonitors?name=srv-web-01")
        .await;
    assert_eq!(
        services["selectedServices"],
        serde_json::json!(["HTTPS(443)"])
    );
    let ok = srv
        .post("/api/json/admin/associateServiceMonitor?deviceName=srv-web-01&serviceName=SSH")
        .await;
    assert_eq!(
        ok["result"]["message"],
        "Service Monitor associated successfully"
    );
    let services = srv
        .get("/api/json/device/getAssociatedServiceMonitors?name=srv-web-01")
        .await;
    assert_eq!(
        services["selectedServices"],
        serde_json::json!(["HTTPS(443)", "SSH(22)"])
    );
    assert!(!services["remainingServices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "SSH(22)"));
    let win = srv
        .get("/api/json/device/getDeviceAssociatedWindowsServiceMonitors?name=srv-sql-01")
        .await;
    assert_eq!(
        keys(&win[0]),
        ["displayName", "serviceID", "serviceName", "status"]
    );
    assert_eq!(win[0]["serviceName"], "MSSQLSERVER");
    let state = srv.state().await;
    assert!(state["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "SSH" && m["deviceName"] == "srv-web-01"));
    srv.assert_refusals(
        "GET",
        "/api/json/device/getAssociatedProcessMonitors",
        "deviceName=srv-db-01",
        &["deviceName"],
    )
    .await;
    srv.assert_refusals(
        "POST",
        "/api/json/device/associateProcessMonitor",
        "deviceName=srv-db-01&processId=2",
        &["deviceName", "processId"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getAssociatedServiceMonitors",
        "name=srv-web-01",
        &["name"],
    )
    .await;
    srv.assert_refusals(
        "POST",
        "/api/json/admin/associateServiceMonitor",
        "deviceName=srv-web-01&serviceName=SSH",
        &["deviceName", "serviceName"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getDeviceAssociatedWindowsServiceMonitors",
        "name=srv-sql-01",
        &["name"],
    )
    .await;
}

#[actix_web::test]
async fn url_and_script_monitors_are_listed() {
    let srv = Srv::start().await;
    let urls = srv.get("/api/json/admin/listURLMonitors").await;
    assert_eq!(keys(&urls), ["Details", "DialCounter", "List"]);
    assert_eq!(
        keys(&urls["List"][0]),
        [
            "RESPONSETIME",
            "availPercentage",
            "moID",
            "name",
            "statusNum",
            "statusStr",
            "url",
            "urlName"
        ]
    );
    let specific = srv.get("/api/json/admin/listAllDevicesSpecificURLs").await;
    assert_eq!(
        keys(&specific["List"][0]),
        [
            "name",
            "parentDispName",
            "parentName",
            "status",
            "statusNum",
            "stringstatus",
            "url",
            "urlName"
        ]
    );
    assert_eq!(specific["List"][0]["parentName"], "srv-web-01");
    let scripts = srv.get("/api/json/admin/listScriptMonitors").await;
    assert_eq!(
        keys(&scripts[0]),
        [
            "executeFrom",
            "graphDesc",
            "graphID",
            "graphName",
            "scriptID"
        ]
    );
    for path in [
        "/api/json/admin/listURLMonitors",
        "/api/json/admin/listAllDevicesSpecificURLs",
        "/api/json/admin/listScriptMonitors",
    ] {
        srv.assert_refusals("GET", path, "", &[]).await;
    }
}
