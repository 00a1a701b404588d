//! Virtualisation (VMware, Nutanix) and Wireless.

use crate::common::*;

#[actix_web::test]
async fn vmware_inventory_agrees_across_hosts_vms_datastores_and_clusters() {
    let srv = Srv::start().await;
    let devices = srv
        .get("/api/json/device/listVirtualDevices?virtualDeviceType=VMware")
        .await;
    let esx = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["ENTITYNAME"] == "esx-01")
        .unwrap();
    assert_has_keys(
        esx,
        &[
            "VENDOR_NAME",
            "BUILD_INFO",
            "CPU_PACKAGES",
            "TotalDataStores",
            "TotalVms",
            "VCENTERNAME",
            "POWER_STATE",
            "UUID",
            "MEM_CAPACITY_MB",
        ],
    );
    let vms = srv.get("/api/json/device/getVMWareVMs?name=esx-01").await;
    assert_eq!(esx["TotalVms"], vms.as_array().unwrap().len());
    assert_has_keys(
        &vms[0],
        &[
            "VM_CONNECTIONSTATE",
            "DISPLAYNAME",
            "VM_ID",
            "VIRTUAL_TYPE",
            "VM_POWERSTATE",
            "OS_NAME",
            "VHOST_ID",
            "MEMORY_MB",
            "MOID",
            "NUM_VCPU",
        ],
    );
    let stores = srv
        .get("/api/json/device/getVMWareDataStores?name=esx-01")
        .await;
    assert_eq!(esx["TotalDataStores"], stores.as_array().unwrap().len());
    assert_eq!(
        keys(&stores[0]),
        [
            "CAPACITY_MB",
            "DATASTORENAME",
            "DATASTORE_URL",
            "Datastore_ID",
            "FILESYSTEM_TYPE",
            "FREESPACE_MB",
            "HostCount",
            "IS_ACCESSIBLE",
            "MOID",
            "deviceName"
        ]
    );
    let hosts = srv
        .get("/api/json/device/getVMWareHosts?name=vcenter.corp.example.com")
        .await;
    let h1 = hosts
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["NAME"] == "esx-01")
        .unwrap();
    let listed = srv
        .get("/api/json/device/listDevices?category=Virtual+Device")
        .await;
    let device = listed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["deviceName"] == "esx-01")
        .unwrap();
    assert_eq!(
        h1["STATUS"], device["statusNum"],
        "a host shows its device's status"
    );
    let clusters = srv.get("/api/json/device/getClusterDetails").await;
    let prod = clusters
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["ENTITY_NAME"] == "Prod")
        .unwrap();
    assert_eq!(prod["NO_OF_HOSTS"], 2);
    assert_has_keys(
        prod,
        &[
            "NO_OF_DATASTORES",
            "STATUS_STR",
            "STATUS",
            "EFFECTIVE_CPU",
            "TOTAL_CPU_GHZ",
            "DRS_ENABLED",
            "DAS_ENABLED",
            "EFFECTIVE_MEMORY",
            "TOTAL_MEMORY_GB",
        ],
    );
    let dcs = srv.get("/api/json/device/getDataCenterDetails").await;
    assert_eq!(
        keys(&dcs[0]),
        [
            "ENTITY_NAME",
            "NO_OF_DATASTORES",
            "NO_OF_NETWORKS",
            "STATUS",
            "STATUS_STR"
        ]
    );
    let unknown = srv.get("/api/json/device/getVMWareVMs?name=nope").await;
    assert_eq!(errorcode(&unknown), "INVALID_DEVICE");
    let bad = srv
        .get("/api/json/device/listVirtualDevices?virtualDeviceType=Nope")
        .await;
    assert_eq!(errorcode(&bad), "PATTERN_NOT_MATCHED");
    srv.assert_refusals(
        "GET",
        "/api/json/device/listVirtualDevices",
        "virtualDeviceType=VMware",
        &["virtualDeviceType"],
    )
    .await;
    for path in [
        "getVMWareHosts",
        "getVMWareVMs",
        "getVMWareDataStores",
        "getDataCenterDetails",
        "getClusterDetails",
    ] {
        srv.assert_refusals("GET", &format!("/api/json/device/{path}"), "", &[])
            .await;
    }
}

#[actix_web::test]
async fn nutanix_vm_details_and_vdisks_agree() {
    let srv = Srv::start().await;
    let vm = srv
        .get("/api/json/device/getNutanixDetails?deviceName=nutanix-vm-01&entityType=VM")
        .await;
    assert_has_keys(
        &vm,
        &[
            "DISPLAYNAME",
            "clusterMoName",
            "hostName",
            "VCPUCOUNT",
            "VM_ID",
            "statusStr",
            "VM_POWERSTATE",
            "DISKCAPACITY",
            "IPADDRESS",
            "uuid",
            "MEMORYCAPACITY",
            "statusNum",
            "ENTITYNAME",
            "MOID",
        ],
    );
    let disks = srv
        .get("/api/json/device/getNutanixVDisks?name=nutanix-vm-01")
        .await;
    let total: i64 = disks
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["CAPACITY"].as_str().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(vm["DISKCAPACITY"], total.to_string());
    assert_eq!(
        keys(&disks[0]),
        ["CAPACITY", "DISKADDRESS", "NFSFILEPATH", "UUID", "VDISK_ID"]
    );
    let vmware = srv
        .get("/api/json/device/getNutanixVDisks?name=vm-app-01")
        .await;
    assert_eq!(errorcode(&vmware), "INVALID_DEVICE");
    srv.assert_refusals(
        "GET",
        "/api/json/device/getNutanixDetails",
        "deviceName=nutanix-vm-01",
        &["deviceName"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/device/getNutanixVDisks",
        "name=nutanix-vm-01",
        &["name"],
    )
    .await;
}

#[actix_web::test]
async fn wireless_ssids_aps_and_clients_agree() {
    let srv = Srv::start().await;
    let networks = srv
        .get("/api/json/wireless/getWirelessNetworkDetails?deviceName=wlc-01")
        .await;
    assert_eq!(
        keys(&networks[0]),
        ["APCount", "ClientCount", "SSIDName", "TotalBytes"]
    );
    let aps = srv
        .get("/api/json/wireless/getWirelessAPList?deviceName=wlc-01")
        .await;
    assert_eq!(
        keys(&aps[0]),
        [
            "advanceMonitoringEnabled",
            "apDisplayName",
            "apName",
            "channels",
            "ipAddress",
            "macAddress",
            "statusNum",
            "statusStr"
        ]
    );
    assert_eq!(aps[2]["statusStr"], "Not Monitored");
    let ssids = srv
        .get("/api/json/wireless/getSSIDClientList?deviceName=wlc-01")
        .await;
    assert_eq!(ssids["clientCount"], 5);
    let per_ssid: usize = networks
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["ClientCount"].as_str().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(per_ssid, 5);
    let corp = srv
        .get("/api/json/wireless/getClientDetails?deviceName=wlc-01&ssidName=Corp-WiFi")
        .await;
    let on_aps: usize = corp
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ClientCount"].as_str().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(
        on_aps.to_string(),
        networks[0]["ClientCount"].as_str().unwrap()
    );
    assert_eq!(
        keys(&corp[0]),
        [
            "APMOName",
            "ClientCount",
            "TotalBytes",
            "advanceMonitoringEnabled",
            "apName"
        ]
    );
    let not_wireless = srv
        .get("/api/json/wireless/getWirelessAPList?deviceName=srv-db-01")
        .await;
    assert_eq!(errorcode(&not_wireless), "PATTERN_NOT_MATCHED");
    let no_ssid = srv
        .get("/api/json/wireless/getClientDetails?deviceName=wlc-01&ssidName=Nope")
        .await;
    assert_eq!(errorcode(&no_ssid), "INVALID_INPUT");
    for path in [
        "getWirelessNetworkDetails",
        "getWirelessAPList",
        "getSSIDClientList",
    ] {
        srv.assert_refusals(
            "GET",
            &format!("/api/json/wireless/{path}"),
            "deviceName=wlc-01",
            &["deviceName"],
        )
        .await;
    }
    srv.assert_refusals(
        "GET",
        "/api/json/wireless/getClientDetails",
        "deviceName=wlc-01&ssidName=Guest",
        &["deviceName", "ssidName"],
    )
    .await;
}
