//! Business Views, Dashboards and Groups.

use crate::common::*;

#[actix_web::test]
async fn business_views_count_their_devices_and_alarms() {
    let srv = Srv::start().await;
    let body = srv.get("/api/json/businessview/getBusinessView").await;
    let details = body["BusinessView"]["Details"].as_array().unwrap();
    let servers = details
        .iter()
        .find(|v| v["displayName"] == "Servers")
        .unwrap();
    assert_eq!(
        keys(servers),
        ["alarms", "displayName", "error", "name", "status", "total"]
    );
    let listed = srv.get("/api/json/device/listDevices?bvName=Servers").await;
    assert_eq!(servers["total"], listed["records"].to_string());
    assert_eq!(servers["name"], "Servers_bv");
    assert_eq!(servers["status"], "1");
    let view = srv
        .get("/api/json/businessview/getBusinessDetailsView?bvName=Servers_bv")
        .await;
    let rows = view["BusinessDetailsView"]["Details"].as_array().unwrap();
    assert_eq!(
        view["BusinessDetailsView"]["TotalRecords"],
        servers["total"]
    );
    let sql = rows.iter().find(|r| r["name"] == "srv-sql-01").unwrap();
    assert_eq!(
        keys(sql),
        [
            "CPUUtilization",
            "IpAddress",
            "MemUtilization",
            "displayName",
            "name",
            "severity",
            "status",
            "type"
        ]
    );
    assert_eq!(sql["status"], "Critical");
    let unknown = srv
        .get("/api/json/businessview/getBusinessDetailsView?bvName=Nope")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_INPUT");
    srv.assert_refusals("GET", "/api/json/businessview/getBusinessView", "", &[])
        .await;
    srv.assert_refusals(
        "GET",
        "/api/json/businessview/getBusinessDetailsView",
        "bvName=Servers",
        &["bvName"],
    )
    .await;
}

#[actix_web::test]
async fn dashboard_widgets_show_the_same_down_devices_as_get_down_devices() {
    let srv = Srv::start().await;
    let list = srv
        .get("/api/json/dashboard/getWidgetsList?dashboardName=Network+Operations")
        .await;
    assert_has_keys(
        &list,
        &[
            "dashName",
            "dashboardID",
            "isDefaultDashboard",
            "widgetList",
            "colWidths",
        ],
    );
    let widgets = list["widgetList"].as_array().unwrap();
    assert_eq!(
        keys(&widgets[0]),
        [
            "desc",
            "height",
            "id",
            "name",
            "type",
            "widgetID",
            "widgetUniqueName",
            "width",
            "x",
            "y"
        ]
    );
    let down = widgets
        .iter()
        .find(|w| w["widgetUniqueName"] == "widget.name.downdevices")
        .unwrap();
    let id = down["id"].as_str().unwrap();
    let data = srv
        .get(&format!(
            "/api/json/v2/dashboard/getWidgetData?widgetID={id}"
        ))
        .await;
    let widget = &data[id];
    assert_has_keys(
        widget,
        &[
            "WidgetName",
            "WidgetData",
            "WidgetType",
            "WidgetHeaders",
            "Name",
            "Period",
        ],
    );
    let mut in_widget: Vec<&str> = widget["WidgetData"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["deviceName"].as_str().unwrap())
        .collect();
    let downs = srv.get("/api/json/discovery/getDownDevices").await;
    let mut expected: Vec<&str> = downs["DownDevices"]["Details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    in_widget.sort_unstable();
    expected.sort_unstable();
    assert_eq!(in_widget, expected);
    let avail = srv
        .get("/api/json/v2/dashboard/getWidgetData?widgetID=623")
        .await;
    assert_has_keys(
        &avail["623"]["WidgetData"][0],
        &["availability", "deviceName", "downPercent", "uptime"],
    );
    let unknown = srv
        .get("/api/json/v2/dashboard/getWidgetData?widgetID=1")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_INPUT");
    let bad = srv
        .get("/api/json/v2/dashboard/getWidgetData?widgetID=x")
        .await;
    assert_eq!(errorcode(&bad), "DATATYPE_NOT_MATCHED");
    let no_dash = srv
        .get("/api/json/dashboard/getWidgetsList?dashboardName=Nope")
        .await;
    assert_eq!(errorcode(&no_dash), "INVALID_INPUT");
    srv.assert_refusals(
        "GET",
        "/api/json/dashboard/getWidgetsList",
        "dashboardName=Servers",
        &["dashboardName"],
    )
    .await;
    srv.assert_refusals(
        "GET",
        "/api/json/v2/dashboard/getWidgetData",
        "widgetID=623",
        &["widgetID"],
    )
    .await;
}

#[actix_web::test]
async fn logical_groups_list_their_members_alerts_and_status() {
    let srv = Srv::start().await;
    let all = srv.get("/api/json/admin/listAllLogicalGroups").await;
    let win = all
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["groupDisplayName"] == "Windows Servers")
        .unwrap();
    assert_eq!(
        keys(win),
        [
            "availability",
            "count",
            "description",
            "device_Count",
            "displayGroupType",
            "groupDisplayName",
            "groupID",
            "groupName",
            "groupType",
            "status",
            "statusImg",
            "statusLabel"
        ]
    );
    assert_eq!(win["groupName"], "windowsservers-363");
    assert_eq!(win["statusLabel"], "Critical");
    let info = srv
        .get("/api/json/admin/getLogicalGroupInfo?groupName=windowsservers-363")
        .await;
    let alerts = srv
        .get("/api/json/admin/getLogicalGroupAlerts?groupName=windowsservers-363")
        .await;
    let alerts = alerts.as_array().unwrap();
    assert_eq!(info["GroupDetails"]["alertCount"], alerts.len());
    assert!(info["snapDetails"]["snapList"].is_array());
    assert_eq!(
        keys(&alerts[0]),
        [
            "alarmId",
            "displayName",
            "entity",
            "groupType",
            "message",
            "modTime",
            "name",
            "severity",
            "severityString",
            "status",
            "type"
        ]
    );
    let members = srv
        .get("/api/json/admin/listLogicalGroupMembers?groupName=wanuplinks-364")
        .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    assert_eq!(
        keys(&members[0]),
        [
            "displayname",
            "groupType",
            "moid",
            "name",
            "statusNum",
            "statusStr",
            "type"
        ]
    );
    let unknown = srv
        .get("/api/json/admin/getLogicalGroupInfo?groupName=nope-1")
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_INPUT");
    srv.assert_refusals("GET", "/api/json/admin/listAllLogicalGroups", "", &[])
        .await;
    srv.assert_refusals(
        "GET",
        "/api/json/admin/getLogicalGroupInfo",
        "groupName=lab-365",
        &["groupName"],
    )
    .await;
    srv.assert_refusals("GET", "/api/json/admin/getLogicalGroupAlerts", "", &[])
        .await;
    srv.assert_refusals("GET", "/api/json/admin/listLogicalGroupMembers", "", &[])
        .await;
}

#[actix_web::test]
async fn add_to_group_adds_members_that_the_member_list_and_state_show() {
    let srv = Srv::start().await;
    let path = "/api/json/device/addToGroup";
    let q = "groupName=lab-365&groupType=device&selectedMembers=lab-test-01,srv-db-01";
    let done = srv.post(&format!("{path}?{q}")).await;
    assert_eq!(
        done["result"]["message"],
        "The Device(s) have been associated to the group successfully."
    );
    srv.post(&format!("{path}?{q}")).await;
    let members = srv
        .get("/api/json/admin/listLogicalGroupMembers?groupName=lab-365")
        .await;
    let names: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lab-test-01", "srv-db-01"]);
    let state = srv.state().await;
    assert_eq!(
        state["logicalGroups"][2]["members"],
        serde_json::json!(["lab-test-01", "srv-db-01"])
    );
    let unknown = srv
        .post(&format!(
            "{path}?groupName=lab-365&groupType=device&selectedMembers=srv-db-01,nope"
        ))
        .await;
    assert_eq!(errorcode(&unknown), "INVALID_DEVICE");
    let wrong_type = srv
        .post(&format!(
            "{path}?groupName=lab-365&groupType=interface&selectedMembers=IF-10.10.0.1-1"
        ))
        .await;
    assert_eq!(errorcode(&wrong_type), "PATTERN_NOT_MATCHED");
    let viewer = srv.post_as(&format!("{path}?{q}"), VIEWER_KEY).await;
    assert_eq!(errorcode(&viewer), "UNAUTHORIZED_ACCESS");
    srv.assert_refusals(
        "POST",
        path,
        q,
        &["groupName", "groupType", "selectedMembers"],
    )
    .await;
}
