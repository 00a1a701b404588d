//! The whole OpManager route table, one line per operation (vendor page "OpManager Plus
//! REST API"). Each handler takes the [`crate::auth::Caller`] (the `apiKey` rules) and its
//! input, and answers `Result<Reply, OpmError>`.

use crate::{
    alarms, availability, dashboards, devices, discovery, events, groups, interfaces, monitoring,
    monitors, notifications, probes, reports, virtualization, wireless,
};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next};
use actix_web::{FromRequest, Handler, Responder};
use auth_core::OpRoute;

const GET: Method = Method::GET;
const POST: Method = Method::POST;

/// Every API operation: method, path, operation name (journal, faults), handler.
#[rustfmt::skip]
pub(crate) fn routes() -> Vec<OpRoute> {
    vec![
        op(GET, "/api/json/device/listDevices", "opmanager.list_devices", devices::list_devices),
        op(GET, "/api/json/v2/device/listDevices", "opmanager.list_devices_v2", devices::list_devices),
        op(GET, "/api/json/device/getDeviceSummary", "opmanager.get_device_summary", devices::get_device_summary),
        op(GET, "/api/json/device/getDeviceInfo", "opmanager.get_device_info", devices::get_device_info),
        op(GET, "/api/json/v2/device/getDeviceCompleteDetails", "opmanager.get_device_complete_details", devices::get_device_complete_details),
        op(GET, "/api/json/device/getInterfaces", "opmanager.get_interfaces", interfaces::get_interfaces),
        op(GET, "/api/json/device/listInterfaces", "opmanager.list_interfaces", interfaces::list_interfaces),
        op(GET, "/api/json/device/getDeviceAssociatedMonitors", "opmanager.get_device_associated_monitors", monitors::get_device_associated_monitors),
        op(POST, "/api/json/device/setManaged", "opmanager.set_managed", devices::set_managed),
        op(POST, "/api/json/discovery/addDevice", "opmanager.add_device", devices::add_device),
        op(POST, "/api/json/device/deleteDevice", "opmanager.delete_device", devices::delete_device),
        op(GET, "/api/json/admin/listProbes", "opmanager.list_probes", probes::list_probes),
        op(GET, "/api/json/events/listEvents", "opmanager.list_events", events::list_events),
        op(POST, "/api/json/events/addEvent", "opmanager.add_event", events::add_event),
        op(GET, "/api/json/alarm/listAlarms", "opmanager.list_alarms", alarms::list_alarms),
        op(GET, "/api/json/alarm/alarmProperties", "opmanager.alarm_properties", alarms::alarm_properties),
        op(GET, "/api/json/alarm/getAnnotation", "opmanager.get_annotation", alarms::get_annotation),
        op(POST, "/api/json/alarm/acknowledgeAlarm", "opmanager.acknowledge_alarm", alarms::acknowledge_alarm),
        op(POST, "/api/json/alarm/unAcknowledgeAlarm", "opmanager.unacknowledge_alarm", alarms::unacknowledge_alarm),
        op(POST, "/api/json/alarm/clearAlarm", "opmanager.clear_alarm", alarms::clear_alarm),
        op(POST, "/api/json/alarm/deleteAlarm", "opmanager.delete_alarm", alarms::delete_alarm),
        op(POST, "/api/json/alarm/addNotes", "opmanager.add_notes", alarms::add_notes),
        op(GET, "/api/json/alarm/getTopDevicesByAlarms", "opmanager.get_top_devices_by_alarms", availability::get_top_devices_by_alarms),
        op(POST, "/api/json/device/getPingResponse", "opmanager.get_ping_response", availability::get_ping_response),
        op(POST, "/api/json/device/getTraceResponse", "opmanager.get_trace_response", availability::get_trace_response),
        op(GET, "/api/json/discovery/getDownDevices", "opmanager.get_down_devices", availability::get_down_devices),
        op(GET, "/api/json/device/getAvailabilityGraphData", "opmanager.get_availability_graph_data", availability::get_availability_graph_data),
        op(GET, "/api/json/admin/listDownTimeSchedules", "opmanager.list_downtime_schedules", availability::list_downtime_schedules),
        op(GET, "/api/json/admin/getDowntimeSchedule", "opmanager.get_downtime_schedule", availability::get_downtime_schedule),
        op(POST, "/api/json/admin/updateDowntimeSchedule", "opmanager.update_downtime_schedule", availability::update_downtime_schedule),
        op(POST, "/api/json/device/getCategoryList", "opmanager.get_category_list", availability::get_category_list),
        op(GET, "/api/json/businessview/getBusinessView", "opmanager.get_business_view", groups::get_business_view),
        op(GET, "/api/json/businessview/getBusinessDetailsView", "opmanager.get_business_details_view", groups::get_business_details_view),
        op(GET, "/api/json/dashboard/getWidgetsList", "opmanager.get_widgets_list", dashboards::get_widgets_list),
        op(GET, "/api/json/v2/dashboard/getWidgetData", "opmanager.get_widget_data", dashboards::get_widget_data),
        op(GET, "/api/json/admin/listAllLogicalGroups", "opmanager.list_all_logical_groups", groups::list_all_logical_groups),
        op(GET, "/api/json/admin/getLogicalGroupInfo", "opmanager.get_logical_group_info", groups::get_logical_group_info),
        op(GET, "/api/json/admin/getLogicalGroupAlerts", "opmanager.get_logical_group_alerts", groups::get_logical_group_alerts),
        op(GET, "/api/json/admin/listLogicalGroupMembers", "opmanager.list_logical_group_members", groups::list_logical_group_members),
        op(POST, "/api/json/device/addToGroup", "opmanager.add_to_group", groups::add_to_group),
        op(GET, "/api/json/device/listSubnets", "opmanager.list_subnets", discovery::list_subnets),
        op(POST, "/api/json/admin/addLinuxCredential", "opmanager.add_linux_credential", discovery::add_linux_credential),
        op(POST, "/api/json/discovery/addDiscoveryProfile", "opmanager.add_discovery_profile", discovery::add_discovery_profile),
        op(POST, "/api/json/discovery/editDiscoveryProfile", "opmanager.edit_discovery_profile", discovery::edit_discovery_profile),
        op(POST, "/api/json/v2/discovery/addDiscoveryProfile", "opmanager.add_discovery_profile_v2", discovery::add_discovery_profile),
        op(POST, "/api/json/v2/discovery/editDiscoveryProfile", "opmanager.edit_discovery_profile_v2", discovery::edit_discovery_profile),
        op(POST, "/api/json/ncmsettings/importSSHKey", "opmanager.import_ssh_key", discovery::import_file),
        op(POST, "/api/json/ncmsettings/importDevices", "opmanager.import_devices", discovery::import_file),
        op(POST, "/api/json/ncmsettings/uploadConfigletFile", "opmanager.upload_configlet_file", discovery::import_file),
        op(POST, "/api/json/ncmsettings/uploadConfigletPreView", "opmanager.upload_configlet_preview", discovery::import_file),
        op(POST, "/api/json/ncmsettings/importConfiglets", "opmanager.import_configlets", discovery::import_file),
        op(POST, "/api/json/ncmdevice/updateHostNamefromFileImp", "opmanager.update_host_name_from_file", discovery::import_file),
        op(POST, "/api/json/ncmdevice/editCustomColfromFileImp", "opmanager.edit_custom_col_from_file", discovery::import_file),
        op(POST, "/api/json/ncmdevice/importDG", "opmanager.import_device_groups", discovery::import_file),
        op(POST, "/api/json/ipam/addSubnet", "opmanager.add_subnet", discovery::add_subnet),
        op(POST, "/api/json/spm/addSwitch", "opmanager.add_switch", discovery::add_switch),
        op(POST, "/api/json/device/setDeviceInfo", "opmanager.set_device_info", devices::set_device_info),
        op(GET, "/api/json/device/getDeviceNotes", "opmanager.get_device_notes", devices::get_device_notes),
        op(GET, "/api/json/discovery/getInfrastructureDetailsView", "opmanager.get_infrastructure_details_view", devices::get_infrastructure_details_view),
        op(GET, "/api/json/device/getInterfaceSummary", "opmanager.get_interface_summary", interfaces::get_interface_summary),
        op(GET, "/api/json/device/getInterfaceNotes", "opmanager.get_interface_notes", interfaces::get_interface_notes),
        op(GET, "/api/json/device/getInterfaceGraphs", "opmanager.get_interface_graphs", interfaces::get_interface_graphs),
        op(GET, "/api/json/v2/device/getIntfAtAGlanceReportDetails", "opmanager.get_intf_at_a_glance_report_details", interfaces::get_intf_at_a_glance_report_details),
        op(GET, "/api/json/v2/device/getIntfBWOutageReportDetails", "opmanager.get_intf_bw_outage_report_details", interfaces::get_intf_bw_outage_report_details),
        op(GET, "/api/json/device/listVirtualDevices", "opmanager.list_virtual_devices", virtualization::list_virtual_devices),
        op(GET, "/api/json/device/getVMWareHosts", "opmanager.get_vmware_hosts", virtualization::get_vmware_hosts),
        op(GET, "/api/json/device/getVMWareVMs", "opmanager.get_vmware_vms", virtualization::get_vmware_vms),
        op(GET, "/api/json/device/getVMWareDataStores", "opmanager.get_vmware_datastores", virtualization::get_vmware_datastores),
        op(GET, "/api/json/device/getDataCenterDetails", "opmanager.get_data_center_details", virtualization::get_data_center_details),
        op(GET, "/api/json/device/getClusterDetails", "opmanager.get_cluster_details", virtualization::get_cluster_details),
        op(GET, "/api/json/device/getNutanixDetails", "opmanager.get_nutanix_details", virtualization::get_nutanix_details),
        op(GET, "/api/json/device/getNutanixVDisks", "opmanager.get_nutanix_vdisks", virtualization::get_nutanix_vdisks),
        op(GET, "/api/json/wireless/getWirelessNetworkDetails", "opmanager.get_wireless_network_details", wireless::get_wireless_network_details),
        op(GET, "/api/json/wireless/getWirelessAPList", "opmanager.get_wireless_ap_list", wireless::get_wireless_ap_list),
        op(GET, "/api/json/wireless/getSSIDClientList", "opmanager.get_ssid_client_list", wireless::get_ssid_client_list),
        op(GET, "/api/json/wireless/getClientDetails", "opmanager.get_client_details", wireless::get_client_details),
        op(GET, "/api/json/device/getPerformanceMonitors", "opmanager.get_performance_monitors", monitoring::get_performance_monitors),
        op(GET, "/api/json/device/getLastCollectedValues", "opmanager.get_last_collected_values", monitoring::get_last_collected_values),
        op(GET, "/api/json/device/getPerformanceMonitorDetails", "opmanager.get_performance_monitor_details", monitoring::get_performance_monitor_details),
        op(POST, "/api/json/device/addPerformanceMonitors", "opmanager.add_performance_monitors", monitoring::add_performance_monitors),
        op(POST, "/api/json/device/deletePerformanceMonitors", "opmanager.delete_performance_monitors", monitoring::delete_performance_monitors),
        op(POST, "/api/json/device/TestMonitor", "opmanager.test_monitor", monitoring::test_monitor),
        op(GET, "/api/json/device/getAssociatedProcessMonitors", "opmanager.get_associated_process_monitors", monitoring::get_associated_process_monitors),
        op(POST, "/api/json/device/associateProcessMonitor", "opmanager.associate_process_monitor", monitoring::associate_process_monitor),
        op(GET, "/api/json/device/getAssociatedServiceMonitors", "opmanager.get_associated_service_monitors", monitoring::get_associated_service_monitors),
        op(POST, "/api/json/admin/associateServiceMonitor", "opmanager.associate_service_monitor", monitoring::associate_service_monitor),
        op(GET, "/api/json/device/getDeviceAssociatedWindowsServiceMonitors", "opmanager.get_device_associated_windows_service_monitors", monitoring::get_device_associated_windows_service_monitors),
        op(GET, "/api/json/admin/listURLMonitors", "opmanager.list_url_monitors", monitoring::list_url_monitors),
        op(GET, "/api/json/admin/listAllDevicesSpecificURLs", "opmanager.list_all_devices_specific_urls", monitoring::list_all_devices_specific_urls),
        op(GET, "/api/json/admin/listScriptMonitors", "opmanager.list_script_monitors", monitoring::list_script_monitors),
        op(GET, "/api/json/admin/listNotificationProfiles", "opmanager.list_notification_profiles", notifications::list_notification_profiles),
        op(POST, "/api/json/admin/associateNotificationProfiles", "opmanager.associate_notification_profiles", notifications::associate_notification_profiles),
        op(POST, "/api/json/admin/updateNotificationProfileStatus", "opmanager.update_notification_profile_status", notifications::update_notification_profile_status),
        op(GET, "/api/json/device/getNotificationProfiles", "opmanager.get_notification_profiles", notifications::get_notification_profiles),
        op(GET, "/api/json/reports/getReportsList", "opmanager.get_reports_list", reports::get_reports_list),
        op(GET, "/api/json/reports/getReportsData", "opmanager.get_reports_data", reports::get_reports_data),
        op(POST, "/api/json/v2/device/getReportData", "opmanager.get_report_data", reports::get_report_data),
        op(GET, "/api/json/admin/listBusinessRules", "opmanager.list_business_rules", reports::list_business_rules),
        op(GET, "/api/json/admin/viewBusinessRules", "opmanager.view_business_rules", reports::view_business_rules),
        op(POST, "/api/json/admin/addBusinessRules", "opmanager.add_business_rules", reports::add_business_rules),
        op(POST, "/api/json/admin/updateBusinessRules", "opmanager.update_business_rules", reports::update_business_rules),
        op(POST, "/api/json/admin/deleteBusinessRules", "opmanager.delete_business_rules", reports::delete_business_rules),
    ]
}

/// [`auth_core::op`], with the handler's error (its log text) noted as the request's
/// refusal reason for the journal.
fn op<F, Args>(method: Method, path: &'static str, operation: &'static str, handler: F) -> OpRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    let mut route = auth_core::op(method, path, operation, handler);
    route.route = route.route.wrap(from_fn(note_refusal));
    route
}

async fn note_refusal(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    if let Some(err) = res.response().error() {
        auth_core::trace::refuse(res.request(), err.to_string());
    }
    Ok(res)
}
