"""OpManager through the opmanager-mcp-server package's own HTTP client (PyPI 1.0.0,
`opmanager_mcp/api_client.py`, `OpManagerAPIClient`): host, port and apiKey, the key sent in
the `apiKey` header, one `execute_operation(path, method, params)` per MCP tool.

The package's MCP server makes one tool per operation of its OpenAPI document (the vendor's
"OpManager Plus REST API" reference, 85 operations) and calls it the way `server.py` does:
every argument as a query parameter, for POST too, no body. The wheel on PyPI does not ship
that document (only the sdist has `openapi.json`), so the operations are listed here, each with
the required parameters filled from the fixture network; when LOCAL_OPENAPI_SPEC_PATH (the
package's own setting) names the document, a test checks that this list is exactly its tools.
"""

import asyncio
import os
from urllib.parse import urlsplit

import pytest
from opmanager_mcp.api_client import OpManagerAPIClient

# operationId: (method, path, query parameters). Names are the fixture network's
# (fixtures/opmanager.json): devices, interfaces, alarms, groups, dashboards, schedules,
# notification profiles, business rules, reports, VMware, Nutanix and wireless inventory.
OPERATIONS = {
    # Alarms
    "listAlarms": ("GET", "/api/json/alarm/listAlarms", {}),
    "alarmProperties": ("GET", "/api/json/alarm/alarmProperties", {"entity": "114_CPUUSAGE"}),
    "addNotes": (
        "POST",
        "/api/json/alarm/addNotes",
        {"entity": "114_CPUUSAGE", "notes": "Ticket INC-4411"},
    ),
    "acknowledgeAlarm": ("POST", "/api/json/alarm/acknowledgeAlarm", {"entity": "114_CPUUSAGE"}),
    "unAcknowledgeAlarm": (
        "POST",
        "/api/json/alarm/unAcknowledgeAlarm",
        {"entity": "114_CPUUSAGE"},
    ),
    "clearAlarm": ("POST", "/api/json/alarm/clearAlarm", {"entity": "114_CPUUSAGE"}),
    "deleteAlarm": ("POST", "/api/json/alarm/deleteAlarm", {"entity": "114_CPUUSAGE"}),
    "getTopDevicesByAlarms": (
        "GET",
        "/api/json/alarm/getTopDevicesByAlarms",
        {"eventType": "Threshold"},
    ),
    "getAnnotation": ("GET", "/api/json/alarm/getAnnotation", {"entity": "115_DiskUtilization"}),
    # Availability
    "getPingResponse": ("POST", "/api/json/device/getPingResponse", {"deviceName": "srv-web-01"}),
    "getTraceResponse": (
        "POST",
        "/api/json/device/getTraceResponse",
        {"deviceName": "srv-web-01"},
    ),
    "getDownDevices": ("GET", "/api/json/discovery/getDownDevices", {}),
    "getAvailabilityGraphData": (
        "GET",
        "/api/json/device/getAvailabilityGraphData",
        {"name": "srv-sql-01", "isFluidic": "true"},
    ),
    "listDownTimeSchedules": ("GET", "/api/json/admin/listDownTimeSchedules", {}),
    "updateDowntimeSchedule": (
        "POST",
        "/api/json/admin/updateDowntimeSchedule",
        {"scheduleId": "2", "status": "1"},
    ),
    "getDowntimeSchedule": ("GET", "/api/json/admin/getDowntimeSchedule", {}),
    "setManaged": (
        "POST",
        "/api/json/device/setManaged",
        {"name": "srv-sql-01", "manage": "false"},
    ),
    # Business views and dashboards
    "getBusinessView": ("GET", "/api/json/businessview/getBusinessView", {}),
    "getBusinessDetailsView": (
        "GET",
        "/api/json/businessview/getBusinessDetailsView",
        {"bvName": "Servers_bv"},
    ),
    "getWidgetData": ("GET", "/api/json/v2/dashboard/getWidgetData", {"widgetID": "624"}),
    "getWidgetList": (
        "GET",
        "/api/json/dashboard/getWidgetsList",
        {"dashboardName": "Network Operations"},
    ),
    # Devices and virtualization
    "listDevices": ("GET", "/api/json/device/listDevices", {}),
    "getDeviceInfo": ("GET", "/api/json/device/getDeviceInfo", {"deviceName": "core-rtr-01"}),
    "setDeviceInfo": (
        "POST",
        "/api/json/device/setDeviceInfo",
        {
            "deviceName": "core-rtr-01",
            "values": '[{"metricName":"Building","metricValue":"HQ"}]',
        },
    ),
    "getDeviceNotes": ("GET", "/api/json/device/getDeviceNotes", {"name": "core-rtr-01"}),
    "getInfrastructureDetailsView": (
        "GET",
        "/api/json/discovery/getInfrastructureDetailsView",
        {"categoryName": "Server"},
    ),
    "getDeviceSummary": ("GET", "/api/json/device/getDeviceSummary", {"name": "srv-exch-01"}),
    "getDeviceCompleteDetails": (
        "GET",
        "/api/json/v2/device/getDeviceCompleteDetails",
        {"name": "core-rtr-01"},
    ),
    "listVirtualDevices": (
        "GET",
        "/api/json/device/listVirtualDevices",
        {"virtualDeviceType": "VMware"},
    ),
    "getVMWareHosts": (
        "GET",
        "/api/json/device/getVMWareHosts",
        {"name": "vcenter.corp.example.com"},
    ),
    "getDataCenterDetails": ("GET", "/api/json/device/getDataCenterDetails", {}),
    "getClusterDetails": ("GET", "/api/json/device/getClusterDetails", {}),
    "getVMWareVMs": ("GET", "/api/json/device/getVMWareVMs", {"name": "esx-01"}),
    "getVMWareDataStores": ("GET", "/api/json/device/getVMWareDataStores", {"name": "esx-01"}),
    "getNutanixVDisks": ("GET", "/api/json/device/getNutanixVDisks", {"name": "nutanix-vm-01"}),
    "getNutanixDetails": (
        "GET",
        "/api/json/device/getNutanixDetails",
        {"deviceName": "nutanix-vm-01", "entityType": "VM"},
    ),
    "addServiceMonitor": (  # the reference's operationId for addDevice
        "POST",
        "/api/json/discovery/addDevice",
        {"deviceName": "10.10.7.7", "netmask": "255.255.255.0"},
    ),
    "listProbes": ("GET", "/api/json/admin/listProbes", {}),
    # Events
    "listEvents": ("GET", "/api/json/events/listEvents", {}),
    "addEvent": (
        "POST",
        "/api/json/events/addEvent",
        {
            "source": "srv-db-01",
            "severity": "2",
            "message": "Replication lag",
            "alarmCode": "REPLLAG",
            "entity": "srv-db-01_ReplLag",
            "eventType": "Threshold",
        },
    ),
    # Groups
    "listAllLogicalGroups": ("GET", "/api/json/admin/listAllLogicalGroups", {}),
    "getLogicalGroupInfo": (
        "GET",
        "/api/json/admin/getLogicalGroupInfo",
        {"groupName": "windowsservers-363"},
    ),
    "getLogicalGroupAlerts": ("GET", "/api/json/admin/getLogicalGroupAlerts", {}),
    "listLogicalGroupMembers": ("GET", "/api/json/admin/listLogicalGroupMembers", {}),
    "addToGroup": (
        "POST",
        "/api/json/device/addToGroup",
        {"groupName": "lab-365", "groupType": "device", "selectedMembers": "lab-test-01"},
    ),
    # Interfaces
    "listInterfaces": ("GET", "/api/json/device/listInterfaces", {}),
    "getInterfaceSummary": (
        "GET",
        "/api/json/device/getInterfaceSummary",
        {"interfaceName": "IF-10.10.0.1-1"},
    ),
    "getIntfAtAGlanceReportDetails": (
        "GET",
        "/api/json/v2/device/getIntfAtAGlanceReportDetails",
        {"InterfaceName": "IF-10.10.0.1-1", "period": "Today"},
    ),
    "getIntfBWOutageReportDetails": (
        "GET",
        "/api/json/v2/device/getIntfBWOutageReportDetails",
        {"interfaceName": "IF-10.10.0.1-1", "period": "Today"},
    ),
    "getInterfaces": ("GET", "/api/json/device/getInterfaces", {"name": "core-rtr-02"}),
    "getInterfaceNotes": (
        "GET",
        "/api/json/device/getInterfaceNotes",
        {"interfaceName": "IF-10.10.0.1-1"},
    ),
    "getInterfaceGraphs": (
        "GET",
        "/api/json/device/getInterfaceGraphs",
        {"interfaceName": "IF-10.10.0.1-1"},
    ),
    # Monitoring
    "getDeviceAssociatedMonitors": (
        "GET",
        "/api/json/device/getDeviceAssociatedMonitors",
        {"name": "srv-sql-01"},
    ),
    "getPerformanceMonitors": (
        "GET",
        "/api/json/device/getPerformanceMonitors",
        {"deviceName": "srv-web-01", "category": "Server", "type": "Linux"},
    ),
    "getLastCollectedValues": (
        "GET",
        "/api/json/device/getLastCollectedValues",
        {"deviceMOIDList": "114"},
    ),
    "getPerformanceMonitorDetails": (
        "GET",
        "/api/json/device/getPerformanceMonitorDetails",
        {
            "name": "srv-sql-01",
            "policyName": "CPUUtilization",
            "graphName": "CPUUtilization",
            "checkNumeric": "true",
        },
    ),
    "addPerformanceMonitors": (
        "POST",
        "/api/json/device/addPerformanceMonitors",
        {"name": "srv-web-01", "selectedMonitors": "SysUpTime"},
    ),
    "deletePerformanceMonitors": (
        "POST",
        "/api/json/device/deletePerformanceMonitors",
        {"name": "srv-web-01", "pollId": "2035"},
    ),
    "TestMonitor": (
        "POST",
        "/api/json/device/TestMonitor",
        {"name": "srv-sql-01", "policyName": "CPUUtilization", "graphName": "CPUUtilization"},
    ),
    "getAssociatedProcessMonitors": (
        "GET",
        "/api/json/device/getAssociatedProcessMonitors",
        {"deviceName": "srv-db-01"},
    ),
    "associateProcessMonitor": (
        "POST",
        "/api/json/device/associateProcessMonitor",
        {"deviceName": "srv-db-01", "processId": "2"},
    ),
    "getAssociatedServiceMonitors": (
        "GET",
        "/api/json/device/getAssociatedServiceMonitors",
        {"name": "srv-web-01"},
    ),
    "associateServiceMonitor": (
        "POST",
        "/api/json/admin/associateServiceMonitor",
        {"deviceName": "srv-web-01", "serviceName": "SSH"},
    ),
    "getDeviceAssociatedWindowsServiceMonitors": (
        "GET",
        "/api/json/device/getDeviceAssociatedWindowsServiceMonitors",
        {"name": "srv-sql-01"},
    ),
    "listURLMonitors": ("GET", "/api/json/admin/listURLMonitors", {}),
    "listAllDevicesSpecificURLs": ("GET", "/api/json/admin/listAllDevicesSpecificURLs", {}),
    "listScriptMonitors": ("GET", "/api/json/admin/listScriptMonitors", {}),
    # Notifications
    "listNotificationProfiles": ("GET", "/api/json/admin/listNotificationProfiles", {}),
    "associateNotificationProfiles": (
        "POST",
        "/api/json/admin/associateNotificationProfiles",
        {"deviceName": "srv-web-01", "profiles": "301,303"},
    ),
    "updateNotificationProfileStatus": (
        "POST",
        "/api/json/admin/updateNotificationProfileStatus",
        {"profileName": "NOC e-mail", "profileId": "301", "status": "disable"},
    ),
    "getNotificationProfileS": (  # sic, the reference's operationId
        "GET",
        "/api/json/device/getNotificationProfiles",
        {"name": "srv-sql-01"},
    ),
    # Reports and business rules
    "getReportsList": ("GET", "/api/json/reports/getReportsList", {}),
    "getReportsData": (
        "GET",
        "/api/json/reports/getReportsData",
        {"reportID": "6", "time": "Last_7_Days"},
    ),
    "listBusinessRules": ("GET", "/api/json/admin/listBusinessRules", {}),
    "addBusinessRules": (
        "POST",
        "/api/json/admin/addBusinessRules",
        {"businessRuleName": "Weekend", "timeSettings": "Saturday=00:00-23:59"},
    ),
    "deleteBusinessRules": ("POST", "/api/json/admin/deleteBusinessRules", {"businessRuleId": "1"}),
    "viewBusinessRules": ("GET", "/api/json/admin/viewBusinessRules", {"businessRuleId": "1"}),
    "updateBusinessRules": (
        "POST",
        "/api/json/admin/updateBusinessRules",
        {"businessRuleId": "1", "description": "Weekdays"},
    ),
    "getReportData": (
        "POST",
        "/api/json/v2/device/getReportData",
        {
            "deviceList": "srv-sql-01",
            "monitorList": "DevicesAvailability,CPUUtilization",
            "timePeriod": "Today",
        },
    ),
    # Subnets
    "listSubnets": ("GET", "/api/json/device/listSubnets", {}),
    # Wireless
    "getWirelessNetworkDetails": (
        "GET",
        "/api/json/wireless/getWirelessNetworkDetails",
        {"deviceName": "wlc-01"},
    ),
    "getWirelessAPList": ("GET", "/api/json/wireless/getWirelessAPList", {"deviceName": "wlc-01"}),
    "getSSIDClientList": ("GET", "/api/json/wireless/getSSIDClientList", {"deviceName": "wlc-01"}),
    "getClientDetails": (
        "GET",
        "/api/json/wireless/getClientDetails",
        {"deviceName": "wlc-01", "ssidName": "Corp-WiFi"},
    ),
    "getCategoryList": ("POST", "/api/json/device/getCategoryList", {}),
}

# The fixture instance is a standalone server (edition professional): it has no probes.
EMPTY_IN_THE_FIXTURES = {"listProbes"}


def call(standin, method, path, params, api_key=None):
    url = urlsplit(standin.url("opmanager"))

    async def go():
        async with OpManagerAPIClient(
            host=url.hostname,
            api_key=api_key or standin.credentials("opmanager")["api_key"],
            port=url.port,
            use_https=False,
            max_retries=0,
        ) as client:
            return await client.execute_operation(path, method, params=params or None)

    return asyncio.run(go())


def test_the_reference_has_85_operations_and_each_is_listed_once():
    assert len(OPERATIONS) == 85
    assert len({(m, p) for m, p, _ in OPERATIONS.values()}) == 85


@pytest.mark.skipif(
    not os.environ.get("LOCAL_OPENAPI_SPEC_PATH"),
    reason="LOCAL_OPENAPI_SPEC_PATH names no copy of the package's openapi.json",
)
def test_the_list_is_exactly_the_tools_the_package_makes_from_its_openapi_document():
    from opmanager_mcp.tool_generator import ToolGenerator, load_openapi_spec

    spec = load_openapi_spec(os.environ["LOCAL_OPENAPI_SPEC_PATH"])
    tools = ToolGenerator(spec, allowed_methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    made = {(t["_method"].upper(), t["_path"]) for t in tools.generate_tools()}

    assert made == {(m, p) for m, p, _ in OPERATIONS.values()}
    for method, path, params in OPERATIONS.values():
        operation = spec["paths"][path][method.lower()]
        for required in operation.get("parameters", []):
            if required.get("required"):
                # "deviceName/ipAddress/dnsName": one parameter, any of its spellings.
                spellings = set(required["name"].strip().split("/"))
                assert spellings & set(params), (path, required["name"])


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_operation_answers_the_package_client_with_json_and_no_error(standin, operation):
    method, path, params = OPERATIONS[operation]

    answer = call(standin, method, path, params)

    assert isinstance(answer, (dict, list)), answer
    if operation not in EMPTY_IN_THE_FIXTURES:
        assert answer, "an empty answer, though the fixture network has data for it"
    assert "raw_response" not in answer, answer  # the client's marker for a non-JSON body
    if isinstance(answer, dict):
        assert "error" not in answer, answer
    [entry] = standin.requests("opmanager", path=path)
    assert entry["status"] == 200
    assert entry["reason"] is None
    assert entry["operation"].startswith("opmanager.")


def test_a_wrong_key_reaches_the_package_client_as_the_vendors_error_document(standin):
    # OpManager answers a bad key with HTTP 200 and its error document (the default
    # --opmanager-auth-status); the client hands that document back as data.
    answer = call(standin, "GET", "/api/json/device/listDevices", {}, api_key="0" * 32)

    assert answer == {"error": {"message": "Invalid API key.", "errorcode": "INVALID_API_KEY"}}


def test_a_missing_required_parameter_gets_the_vendors_error_document(standin):
    answer = call(standin, "GET", "/api/json/device/getDeviceSummary", {})

    assert isinstance(answer, dict)
    assert set(answer) == {"error"}
    assert answer["error"]["errorcode"]
