//! Device APIs.

use crate::common::*;
use serde_json::json;

const LIST: &str = "/api/json/device/listDevices";

#[actix_web::test]
async fn list_devices_rows_have_the_vendor_keys_and_derived_status() {
    let srv = Srv::start().await;
    let body = srv.get(LIST).await;
    let rows = body["rows"].as_array().unwrap();
    let sql = rows
        .iter()
        .find(|r| r["deviceName"] == "srv-sql-01")
        .unwrap();
    let mut keys: Vec<&str> = sql
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "addedTime",
            "category",
            "deviceName",
            "displayName",
            "interfaceCount",
            "ipaddress",
            "isNew",
            "isSNMP",
            "prettyTime",
            "statusNum",
            "statusStr",
            "type",
            "vendorName"
        ]
    );
    assert_eq!(sql["statusStr"], "Critical");
    assert_eq!(sql["statusNum"], "1");
    assert_eq!(sql["interfaceCount"], 1);
    assert_eq!(sql["addedTime"], "6 Mar 2025 11:10:00 AM UTC");
    let unmanaged = rows
        .iter()
        .find(|r| r["deviceName"] == "lab-test-01")
        .unwrap();
    assert_eq!(unmanaged["statusNum"], "7");
    assert_eq!(unmanaged["statusStr"], "Unmanaged");
}

#[actix_web::test]
async fn list_devices_pages_sorts_and_filters() {
    let srv = Srv::start().await;
    let body = srv
        .get(&format!(
            "{LIST}?rows=10&page=3&sortByColumn=deviceName&sortByType=desc"
        ))
        .await;
    assert_eq!(body["total"], 3);
    assert_eq!(body["records"], 26);
    assert_eq!(body["page"], 3);
    let names: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["deviceName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 6);
    assert_eq!(names.last(), Some(&"acc-sw-01"));

    let newest = srv
        .get(&format!(
            "{LIST}?sortByColumn=addedTime&sortByType=desc&rows=2"
        ))
        .await;
    assert_eq!(newest["rows"][0]["deviceName"], "desk-fin-07");
    assert_eq!(newest["rows"][1]["deviceName"], "lab-test-01");
    let oldest = srv
        .get(&format!("{LIST}?sortByColumn=addedTime&rows=1"))
        .await;
    assert_eq!(oldest["rows"][0]["deviceName"], "core-rtr-01");
    let body = srv.get(&format!("{LIST}?category=Router")).await;
    assert_eq!(body["records"], 2);
    let body = srv.get(&format!("{LIST}?severity=Critical")).await;
    assert_eq!(body["records"], 2, "srv-sql-01 and core-rtr-02");
    let body = srv
        .get(&format!("{LIST}?vendor=cisco&groupName=Core%20Network"))
        .await;
    assert_eq!(body["records"], 5);
    let body = srv.get(&format!("{LIST}?protocol=WMI")).await;
    assert_eq!(body["records"], 6, "the Windows servers and desktops");
    let body = srv.get(&format!("{LIST}?protocol=all")).await;
    assert_eq!(body["records"], 26);
    let body = srv.get(&format!("{LIST}?app=Domain%20Controller")).await;
    let names: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["deviceName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["srv-dc-01", "srv-dc-02"]);
    let body = srv.get(&format!("{LIST}?app=MSSQL")).await;
    assert_eq!(body["records"], 1);
    let body = srv.get("/api/json/v2/device/listDevices?rows=5").await;
    assert_eq!(body["rows"].as_array().unwrap().len(), 5);
    assert_eq!(body["total"], 6);
}

#[actix_web::test]
async fn list_devices_validates_its_parameters() {
    let srv = Srv::start().await;
    for (query, code) in [
        ("rows=ten", "DATATYPE_NOT_MATCHED"),
        ("page=0", "RANGE_NOT_MATCHED"),
        ("rows=-1", "RANGE_NOT_MATCHED"),
        ("sortByType=up", "PATTERN_NOT_MATCHED"),
        ("sortByColumn=password", "PATTERN_NOT_MATCHED"),
        ("severity=9", "PATTERN_NOT_MATCHED"),
        ("protocol=Telepathy", "PATTERN_NOT_MATCHED"),
        ("app=Minesweeper", "PATTERN_NOT_MATCHED"),
        ("category=%3Cscript%3E", "XSS_DETECTED"),
    ] {
        let body = srv.get(&format!("{LIST}?{query}")).await;
        assert_eq!(errorcode(&body), code, "{query}");
    }
}

#[actix_web::test]
async fn device_summary_info_and_complete_details_describe_one_device() {
    let srv = Srv::start().await;
    let summary = srv
        .get("/api/json/device/getDeviceSummary?name=srv-exch-01")
        .await;
    assert_eq!(summary["deviceName"], "srv-exch-01");
    assert_eq!(summary["statusStr"], "Trouble");
    assert_eq!(summary["ipaddress"], "10.10.2.25");
    assert_eq!(summary["responseTime"], 6);
    assert_eq!(summary["availability"]["Up"], 100.0);
    assert_eq!(summary["availability"]["Parent Down"], 0);
    let info = srv
        .get("/api/json/device/getDeviceInfo?ipAddress=10.10.2.25")
        .await;
    assert_eq!(info["Model"], "ProLiant BL460c Gen9");
    assert_eq!(info["OperatingSystem"], "Windows Server 2016");
    assert_eq!(info["RAM"], "32768");
    let by_dns = srv
        .get("/api/json/device/getDeviceInfo?dnsName=srv-exch-01.corp.example.com")
        .await;
    assert_eq!(by_dns, info);
    let details = srv
        .get("/api/json/v2/device/getDeviceCompleteDetails?name=core-rtr-01")
        .await;
    assert_eq!(details["vendorName"], "Cisco");
    assert_eq!(details["statusStr"], "Clear");
    assert_eq!(details["statusNum"], "5");
    assert_eq!(details["responseTime"], "002ms");
    assert_eq!(details["packetLoss"], "0");
    assert_eq!(details["opmdetails"]["Category"], "Router");
    assert_eq!(details["opmdetails"]["displayCategory"], "Routers");
    assert_eq!(details["opmdetails"]["Monitoring"], "SNMP");
    assert_eq!(
        details["opmdetails"]["hardwareInfo"]["HW_MODEL"],
        "ISR4431/K9"
    );
    assert_eq!(details["opmdetails"]["hardwareInfo"]["MOID"], 101);
    assert_eq!(details["availdata"]["Up"], 100.0);
    assert!(details["availability"][0]
        .as_str()
        .unwrap()
        .starts_with("UpTime,"));

    for (path, code) in [
        (
            "/api/json/device/getDeviceSummary",
            "LESS_THAN_MIN_OCCURANCE",
        ),
        (
            "/api/json/device/getDeviceSummary?name=ghost",
            "INVALID_DEVICE",
        ),
        ("/api/json/device/getDeviceInfo", "LESS_THAN_MIN_OCCURANCE"),
        (
            "/api/json/device/getDeviceInfo?ipAddress=10.9.9.9",
            "INVALID_DEVICE",
        ),
        (
            "/api/json/v2/device/getDeviceCompleteDetails?name=",
            "LESS_THAN_MIN_OCCURANCE",
        ),
        (
            "/api/json/device/getInterfaces?name=ghost",
            "INVALID_DEVICE",
        ),
        (
            "/api/json/device/getDeviceAssociatedMonitors",
            "LESS_THAN_MIN_OCCURANCE",
        ),
        (
            "/api/json/device/listInterfaces?page=x",
            "DATATYPE_NOT_MATCHED",
        ),
    ] {
        assert_eq!(errorcode(&srv.get(path).await), code, "{path}");
    }
}

#[actix_web::test]
async fn get_interfaces_lists_one_device_in_the_vendor_shape() {
    let srv = Srv::start().await;
    let body = srv
        .get("/api/json/device/getInterfaces?name=core-rtr-02")
        .await;
    assert_eq!(body["interfaceCount"], "4");
    assert_eq!(body["downCount"], "1");
    let down = &body["interfaces"][2];
    assert_eq!(down["displayName"], "GigabitEthernet0/0/2");
    assert_eq!(down["statusStr"], "Critical");
    assert_eq!(down["statusString"], "Critical");
    assert_eq!(down["statusNum"], "1");
    assert_eq!(down["ifIndex"], "3");
    assert_eq!(down["ifIndexNum"], 3);
    assert_eq!(down["ifOperStatus"], "2");
    assert_eq!(down["name"], "IF-10.10.0.2-3");
    assert_eq!(down["inSpeed"], "1 G");
    assert_eq!(down["type"], "Interface");
    assert_eq!(
        down["imagePath"],
        "/apiclient/ember/images/intfTypes/ifType6.gif"
    );
    let serial = &body["interfaces"][3];
    assert_eq!(serial["outSpeed"], "2.048 M");
    assert_eq!(serial["ifType"], "PPP");
}

#[actix_web::test]
async fn list_interfaces_pages_filters_and_sorts_with_string_counters() {
    let srv = Srv::start().await;
    let all = srv.get("/api/json/device/listInterfaces").await;
    assert_eq!(all["records"], "52");
    assert_eq!(all["page"], "1");
    let row = &all["rows"][0];
    assert_eq!(row["interfaceName"], "IF-10.10.0.1-1");
    assert_eq!(row["displayName"], "core-rtr-01");
    assert_eq!(row["interfaceDisplayName"], "GigabitEthernet0/0/0");
    assert_eq!(row["inSpeed"], "1 Gbps");
    assert_eq!(row["statusNum"], 5);
    assert_eq!(row["operStatus"], "Up");
    assert!(row.get("moid").is_none());

    let page = srv
        .get("/api/json/device/listInterfaces?rows=20&page=3&type=Ethernet")
        .await;
    assert_eq!(page["records"], "48");
    assert_eq!(page["total"], "3");
    assert_eq!(page["rows"].as_array().unwrap().len(), 8);
    let critical = srv.get("/api/json/device/listInterfaces?severity=1").await;
    assert_eq!(critical["records"], "1");
    assert_eq!(critical["rows"][0]["operStatus"], "Down");
    let fastest = srv
        .get("/api/json/device/listInterfaces?sortByColumn=inSpeed&sortByType=desc&rows=1&intfProps=moid,physAddress")
        .await;
    assert_eq!(fastest["rows"][0]["inSpeed"], "10 Gbps");
    assert!(fastest["rows"][0]["moid"].is_string());
    assert!(fastest["rows"][0]["physAddress"].is_string());
    let slowest = srv
        .get("/api/json/device/listInterfaces?sortByColumn=inSpeed&sortByType=asc&rows=1")
        .await;
    assert_eq!(slowest["rows"][0]["inSpeed"], "2.048 Mbps");
    let bad = srv
        .get("/api/json/device/listInterfaces?intfProps=password")
        .await;
    assert_eq!(errorcode(&bad), "PATTERN_NOT_MATCHED");
}

#[actix_web::test]
async fn associated_monitors_are_grouped_by_family_in_the_vendor_shape() {
    let srv = Srv::start().await;
    let body = srv
        .get("/api/json/device/getDeviceAssociatedMonitors?name=srv-sql-01")
        .await;
    let perf = &body["performanceMonitors"];
    assert_eq!(perf["total"], 3);
    assert_eq!(perf["down"], 1);
    assert_eq!(perf["statusIcon"], "images/servicestatus1.gif");
    let cpu = &perf["monitors"][0];
    assert_eq!(cpu["DISPLAYNAME"], "CPU Utilization");
    assert_eq!(cpu["data"][0]["value"], 94);
    assert_eq!(cpu["thresholdStatus"], "Critical");
    assert_eq!(cpu["Protocol"], "WMI");
    assert_eq!(cpu["lastCollectedTime"], "23 Nov 2026 08:50:00 AM UTC");
    assert_eq!(perf["monitors"][1]["thresholdStatus"], "Normal");
    assert_eq!(body["deviceProtocol"], "WMI");
    let nt = &body["ntServiceMonitors"];
    assert_eq!(nt["total"], 1);
    assert_eq!(nt["monitors"][0]["serviceName"], "MSSQLSERVER");
    assert_eq!(nt["monitors"][0]["name"], "SQL Server (MSSQLSERVER)");
    assert_eq!(body["urlMonitors"]["total"], 0);
    assert_eq!(body["isHost"], false);

    let web = srv
        .get("/api/json/device/getDeviceAssociatedMonitors?name=srv-web-02")
        .await;
    let https = &web["serverMonitors"]["monitors"][0];
    assert_eq!(https["portNo"], "443");
    assert_eq!(https["statusText"], "Down");
    assert_eq!(https["statusStr"], "Service Down");
    assert_eq!(web["deviceProtocol"], "SNMP");
    let portal = srv
        .get("/api/json/device/getDeviceAssociatedMonitors?name=srv-web-01")
        .await;
    assert_eq!(
        portal["urlMonitors"]["monitors"][0]["url"],
        "https://portal.corp.example.com/"
    );
    assert_eq!(portal["urlMonitors"]["monitors"][0]["RESPONSETIME"], "142");
    let esx = srv
        .get("/api/json/device/getDeviceAssociatedMonitors?name=esx-01")
        .await;
    assert_eq!(esx["isHost"], true);
    let unknown = srv
        .get("/api/json/device/getDeviceAssociatedMonitors?name=ghost")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_DEVICE");
}

#[actix_web::test]
async fn set_managed_unmanages_and_remanages_a_device() {
    let srv = Srv::start().await;
    let body = srv
        .post("/api/json/device/setManaged?name=srv-sql-01&manage=false")
        .await;
    assert_eq!(body["result"]["message"], "Device is being unmanaged.");
    let summary = srv
        .get("/api/json/device/getDeviceSummary?name=srv-sql-01")
        .await;
    assert_eq!(summary["statusNum"], "7");
    let body = srv
        .post("/api/json/device/setManaged?name=srv-sql-01&manage=true")
        .await;
    assert_eq!(body["result"]["message"], "Device is being managed.");
    let summary = srv
        .get("/api/json/device/getDeviceSummary?name=srv-sql-01")
        .await;
    assert_eq!(summary["statusNum"], "1");

    for (path, code) in [
        (
            "/api/json/device/setManaged?name=srv-sql-01",
            "LESS_THAN_MIN_OCCURANCE",
        ),
        (
            "/api/json/device/setManaged?name=srv-sql-01&manage=maybe",
            "PATTERN_NOT_MATCHED",
        ),
        (
            "/api/json/device/setManaged?name=ghost&manage=true",
            "INVALID_DEVICE",
        ),
    ] {
        assert_eq!(errorcode(&srv.post(path).await), code, "{path}");
    }
    let body = srv
        .post_as(
            "/api/json/device/setManaged?name=srv-sql-01&manage=false",
            SERVICEDESK_KEY,
        )
        .await;
    assert_eq!(errorcode(&body), "UNAUTHORIZED_ACCESS");
}

#[actix_web::test]
async fn add_device_and_delete_device_change_list_devices() {
    let srv = Srv::start().await;
    srv.freeze_at("2026-12-01T09:30:00Z").await;
    let body = srv
        .post("/api/json/discovery/addDevice?deviceName=10.10.7.7&netmask=255.255.255.0")
        .await;
    assert_eq!(body["device"]["deviceIp"], "10.10.7.7");
    assert_eq!(body["device"]["deviceName"], "10.10.7.7");
    assert_eq!(body["device"]["message"], "Device added successfully.");
    assert!(body["device"]["moid"].as_i64().unwrap() > 100);
    let list = srv.get(LIST).await;
    assert_eq!(list["records"], 27);
    let row = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["deviceName"] == "10.10.7.7")
        .unwrap()
        .clone();
    assert_eq!(row["addedTime"], "1 Dec 2026 09:30:00 AM UTC");
    assert_eq!(row["isNew"], true);

    let again = srv
        .post("/api/json/discovery/addDevice?deviceName=10.10.7.7")
        .await;
    assert_eq!(errorcode(&again), "DEVICE_ALREADY_EXISTS");
    for (path, code) in [
        ("/api/json/discovery/addDevice", "LESS_THAN_MIN_OCCURANCE"),
        (
            "/api/json/discovery/addDevice?deviceName=10.1.1.1&netmask=wide",
            "PATTERN_NOT_MATCHED",
        ),
        (
            "/api/json/discovery/addDevice?deviceName=%3Cb%3Ex",
            "XSS_DETECTED",
        ),
        ("/api/json/device/deleteDevice", "LESS_THAN_MIN_OCCURANCE"),
        ("/api/json/device/deleteDevice?name=ghost", "INVALID_DEVICE"),
    ] {
        assert_eq!(errorcode(&srv.post(path).await), code, "{path}");
    }

    let body = srv
        .post("/api/json/device/deleteDevice?name=srv-sql-01")
        .await;
    assert_eq!(body["result"]["message"], "Device(s) deleted successfully.");
    let list = srv.get(LIST).await;
    assert_eq!(list["records"], 26);
    assert!(srv.alarms("deviceName=srv-sql-01").await.is_empty());
    let body = srv
        .get("/api/json/device/getInterfaces?name=srv-sql-01")
        .await;
    assert_eq!(errorcode(&body), "INVALID_DEVICE");

    let body = srv
        .post("/api/json/device/deleteDevice?name=srv-web-01,ghost")
        .await;
    assert_eq!(errorcode(&body), "INVALID_DEVICE");
    assert_eq!(srv.get(LIST).await["records"], 26, "nothing half-deleted");
}

#[actix_web::test]
async fn list_probes_counts_the_devices_of_each_probe() {
    let srv = Srv::start().await;
    assert_eq!(
        srv.get("/api/json/admin/listProbes").await,
        serde_json::json!([])
    );
    let mut state = srv.state().await;
    state["edition"] = "central".into();
    state["probes"] = serde_json::json!([
        {"probeID": 10000000001_i64, "name": "Probe1", "displayName": "Berlin branch",
         "natName": "opm-probe1", "natPort": 8062, "natProtocol": "http", "connected": false,
         "lastContact": "2026-11-23T07:42:59Z", "contactPerson": "Jana Weber",
         "contactEmail": "noc-berlin@corp.example.com"}
    ]);
    state["devices"][0]["probe"] = "Probe1".into();
    state["devices"][1]["probe"] = "Probe1".into();
    srv.put_state(&state).await;
    let body = srv.get("/api/json/admin/listProbes").await;
    let probe = &body[0];
    assert_eq!(probe["name"], "Probe1");
    assert_eq!(probe["probeDisplayName"], "Berlin branch");
    assert_eq!(probe["deviceCount"], "2");
    assert_eq!(probe["probeID"], "10000000001");
    assert_eq!(probe["isConnected"], "false");
    assert_eq!(probe["serverStatus"], "Server down");
    assert_eq!(probe["status"], "Critical");
    assert_eq!(probe["natPort"], "8062");
    assert_eq!(probe["lastContact"], "23 Nov 2026 07:42:59 AM UTC");
    let alarms = srv.alarms("probeName=Probe1").await;
    assert_eq!(alarms.len(), 1, "core-rtr-02's interface alarm");
    let mut bad = srv.state().await;
    bad["devices"][2]["probe"] = "Nowhere".into();
    let res = srv
        .client
        .put(srv.url("/_standin/state"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn list_devices_unsorted_pages_are_consecutive_slices_of_the_whole_list() {
    // Arrange
    let srv = Srv::start().await;
    let all = srv.get(LIST).await;
    let all_rows = all["rows"].as_array().unwrap().clone();
    assert_eq!(all["total"], 1);
    assert_eq!(all["records"], all_rows.len());

    // Act
    let mut paged = Vec::new();
    for page in 1..=3 {
        let body = srv.get(&format!("{LIST}?rows=10&page={page}")).await;
        assert_eq!(body["total"], all_rows.len().div_ceil(10));
        assert_eq!(body["page"], page);
        assert_eq!(body["records"], all_rows.len());
        paged.extend(body["rows"].as_array().unwrap().iter().cloned());
    }
    let beyond = srv.get(&format!("{LIST}?rows=10&page=4")).await;

    // Assert
    assert_eq!(paged, all_rows);
    assert_eq!(beyond["rows"], json!([]));
    assert_eq!(beyond["page"], 4);
    assert_eq!(beyond["total"], all_rows.len().div_ceil(10));
    assert_eq!(beyond["records"], all_rows.len());
}

#[actix_web::test]
async fn list_devices_reflects_every_write_and_replaced_state_at_once() {
    // Arrange
    let srv = Srv::start().await;
    let before = srv.get(LIST).await;
    let count = before["records"].as_u64().unwrap();

    // Act: a write through the API, then a whole new state.
    srv.post("/api/json/discovery/addDevice?deviceName=10.99.0.7")
        .await;
    let added = srv.get(LIST).await;
    let mut state = srv.state().await;
    state["devices"].as_array_mut().unwrap().truncate(2);
    for key in [
        "interfaces",
        "monitors",
        "alarms",
        "events",
        "downtimeSchedules",
        "logicalGroups",
        "notificationProfiles",
        "spmSwitches",
    ] {
        state[key] = json!([]);
    }
    state["wireless"] = json!({});
    srv.put_state(&state).await;
    let replaced = srv.get(LIST).await;

    // Assert
    assert_eq!(added["records"], count + 1);
    assert_eq!(
        added["rows"].as_array().unwrap().last().unwrap()["deviceName"],
        "10.99.0.7"
    );
    assert_eq!(replaced["records"], 2);
    assert!(replaced["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["statusStr"] == "Clear" || r["statusStr"] == "Unmanaged"));
}
