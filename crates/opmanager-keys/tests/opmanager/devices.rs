//! Device APIs.

use super::*;

const LIST: &str = "/api/json/device/listDevices";

#[actix_web::test]
async fn list_devices_rows_have_the_vendor_keys_and_derived_status() {
    let srv = Srv::start();
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
    let srv = Srv::start();
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

    let body = srv.get(&format!("{LIST}?category=Router")).await;
    assert_eq!(body["records"], 2);
    let body = srv.get(&format!("{LIST}?severity=Critical")).await;
    assert_eq!(body["records"], 2, "srv-sql-01 and core-rtr-02");
    let body = srv
        .get(&format!("{LIST}?vendor=cisco&groupName=Core%20Network"))
        .await;
    assert_eq!(body["records"], 5);
    let body = srv.get("/api/json/v2/device/listDevices?rows=5").await;
    assert_eq!(body["rows"].as_array().unwrap().len(), 5);
    assert_eq!(body["total"], 6);
}

#[actix_web::test]
async fn list_devices_validates_its_parameters() {
    let srv = Srv::start();
    for (query, code) in [
        ("rows=ten", "DATATYPE_NOT_MATCHED"),
        ("page=0", "RANGE_NOT_MATCHED"),
        ("rows=-1", "RANGE_NOT_MATCHED"),
        ("sortByType=up", "PATTERN_NOT_MATCHED"),
        ("sortByColumn=password", "PATTERN_NOT_MATCHED"),
        ("severity=9", "PATTERN_NOT_MATCHED"),
        ("category=%3Cscript%3E", "XSS_DETECTED"),
    ] {
        let body = srv.get(&format!("{LIST}?{query}")).await;
        assert_eq!(errorcode(&body), code, "{query}");
    }
}
