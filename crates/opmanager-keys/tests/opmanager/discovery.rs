//! The header-only configuration URLs (credentials, discovery profiles, NCM imports,
//! IPAM, SPM) and listSubnets.

use crate::common::*;

/// Every header-only URL but listAlarms, with parameters that succeed.
const HEADER_ONLY: [(&str, &str); 15] = [
    (
        "/api/json/admin/addLinuxCredential",
        "credentialName=linux-ssh&userName=root&password=pw",
    ),
    (
        "/api/json/discovery/addDiscoveryProfile",
        "profileName=lab&startIp=10.10.9.1&endIp=10.10.9.50",
    ),
    (
        "/api/json/discovery/editDiscoveryProfile",
        "profileName=lab&endIp=10.10.9.60",
    ),
    (
        "/api/json/v2/discovery/addDiscoveryProfile",
        "profileName=lab2&startIp=10.10.8.1&endIp=10.10.8.9",
    ),
    (
        "/api/json/v2/discovery/editDiscoveryProfile",
        "profileName=lab2&startIp=10.10.8.2",
    ),
    (
        "/api/json/ncmsettings/importSSHKey",
        "file=ssh-rsa+AAAA&fileName=id.pub",
    ),
    (
        "/api/json/ncmsettings/importDevices",
        "file=10.10.1.1%0A10.10.1.2",
    ),
    ("/api/json/ncmsettings/uploadConfigletFile", "file=show+run"),
    (
        "/api/json/ncmsettings/uploadConfigletPreView",
        "file=show+run",
    ),
    (
        "/api/json/ncmsettings/importConfiglets",
        "file=show+version",
    ),
    (
        "/api/json/ncmdevice/updateHostNamefromFileImp",
        "file=core-rtr-01,rtr1",
    ),
    (
        "/api/json/ncmdevice/editCustomColfromFileImp",
        "file=core-rtr-01,Rack,4",
    ),
    ("/api/json/ncmdevice/importDG", "file=core-rtr-01,Core"),
    (
        "/api/json/ipam/addSubnet",
        "subnetAddress=10.20.0.0&netmask=255.255.0.0&subnetName=Branch",
    ),
    ("/api/json/spm/addSwitch", "deviceName=acc-sw-01"),
];

#[actix_web::test]
async fn header_only_urls_refuse_a_query_key_and_work_with_the_header() {
    let srv = Srv::start().await;
    for (path, query) in HEADER_ONLY {
        let in_query = srv
            .call("POST", &format!("{path}?{query}&apiKey={ADMIN_KEY}"), None)
            .await;
        assert_eq!(errorcode(&in_query), "API_KEY_MISSING", "{path}");
        let ok = srv.post(&format!("{path}?{query}")).await;
        assert!(ok["result"]["message"].is_string(), "{path}: {ok}");
        let viewer = srv.post_as(&format!("{path}?{query}"), VIEWER_KEY).await;
        assert_eq!(errorcode(&viewer), "UNAUTHORIZED_ACCESS", "{path}");
    }
    let state = srv.state().await;
    assert_eq!(state["credentials"][0]["userName"], "root");
    assert!(
        !state.to_string().contains("\"pw\""),
        "the password is not stored"
    );
    assert_eq!(state["discoveryProfiles"][0]["endIp"], "10.10.9.60");
    assert_eq!(state["discoveryProfiles"][1]["startIp"], "10.10.8.2");
    assert_eq!(state["fileImports"].as_array().unwrap().len(), 8);
    assert_eq!(state["fileImports"][1]["lines"], 2);
    assert_eq!(state["spmSwitches"][0]["deviceName"], "acc-sw-01");
}

#[actix_web::test]
async fn header_only_urls_validate_their_parameters() {
    let srv = Srv::start().await;
    for (path, query, required) in [
        (
            HEADER_ONLY[0].0,
            HEADER_ONLY[0].1,
            &["credentialName", "userName", "password"][..],
        ),
        (
            HEADER_ONLY[1].0,
            HEADER_ONLY[1].1,
            &["profileName", "startIp", "endIp"][..],
        ),
        (HEADER_ONLY[5].0, HEADER_ONLY[5].1, &["file"][..]),
        (
            HEADER_ONLY[13].0,
            HEADER_ONLY[13].1,
            &["subnetAddress", "netmask"][..],
        ),
        (HEADER_ONLY[14].0, HEADER_ONLY[14].1, &["deviceName"][..]),
    ] {
        srv.assert_refusals("POST", path, query, required).await;
    }
    srv.post(&format!("{}?{}", HEADER_ONLY[0].0, HEADER_ONLY[0].1))
        .await;
    let again = srv
        .post(&format!("{}?{}", HEADER_ONLY[0].0, HEADER_ONLY[0].1))
        .await;
    assert_eq!(errorcode(&again), "ALREADY_EXISTS");
    let unknown_credential = srv
        .post("/api/json/discovery/addDiscoveryProfile?profileName=x&startIp=10.0.0.1&endIp=10.0.0.2&credentials=nope")
        .await;
    assert_eq!(errorcode(&unknown_credential), "INVALID_INPUT");
    let reversed = srv
        .post(
            "/api/json/discovery/addDiscoveryProfile?profileName=x&startIp=10.0.0.9&endIp=10.0.0.2",
        )
        .await;
    assert_eq!(errorcode(&reversed), "PATTERN_NOT_MATCHED");
    let no_profile = srv
        .post("/api/json/discovery/editDiscoveryProfile?profileName=nope")
        .await;
    assert_eq!(errorcode(&no_profile), "INVALID_INPUT");
    let host_bits = srv
        .post("/api/json/ipam/addSubnet?subnetAddress=10.20.0.1&netmask=255.255.0.0")
        .await;
    assert_eq!(errorcode(&host_bits), "PATTERN_NOT_MATCHED");
    let not_a_switch = srv
        .post("/api/json/spm/addSwitch?deviceName=srv-db-01")
        .await;
    assert_eq!(errorcode(&not_a_switch), "PATTERN_NOT_MATCHED");
}

#[actix_web::test]
async fn list_subnets_counts_devices_and_shows_added_subnets() {
    let srv = Srv::start().await;
    let before = srv.get("/api/json/device/listSubnets").await;
    let servers = &before["10.10.2.0.10000000001"];
    assert_eq!(keys(servers), ["data", "displayName", "subnetDisplayName"]);
    let total: usize = before
        .as_object()
        .unwrap()
        .values()
        .flat_map(|s| s["data"].as_array().unwrap().iter())
        .map(|d| d["Count"].as_str().unwrap().parse::<usize>().unwrap())
        .sum();
    let devices = srv.get("/api/json/device/listDevices").await;
    assert_eq!(total, devices["records"].as_u64().unwrap() as usize);
    assert!(servers["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["Label"] == "Critical"));
    srv.post(
        "/api/json/ipam/addSubnet?subnetAddress=10.30.0.0&netmask=255.255.255.0&subnetName=Branch",
    )
    .await;
    let after = srv.get("/api/json/device/listSubnets").await;
    assert_eq!(
        after["10.30.0.0.10000000001"]["subnetDisplayName"],
        "Branch"
    );
    assert_eq!(after["10.30.0.0.10000000001"]["data"][0]["Count"], "0");
    srv.assert_refusals("GET", "/api/json/device/listSubnets", "", &[])
        .await;
}
