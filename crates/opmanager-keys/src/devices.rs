//! Device APIs: listDevices (v1 and v2), getDeviceSummary, getDeviceInfo,
//! getDeviceCompleteDetails, getInterfaces, listInterfaces, getDeviceAssociatedMonitors,
//! setManaged, addDevice, deleteDevice.

use crate::call::{Call, Params};
use crate::error::OpmError;
use crate::network::Network;
use crate::paging;
use crate::state::Device;
use crate::wire;
use actix_web::HttpResponse;
use serde_json::Value;

/// Sortable listDevices columns.
const DEVICE_COLUMNS: [&str; 11] = [
    "deviceName",
    "displayName",
    "ipaddress",
    "type",
    "vendorName",
    "category",
    "statusStr",
    "statusNum",
    "interfaceCount",
    "addedTime",
    "isSNMP",
];

fn matches(filter: Option<&str>, value: &str) -> bool {
    filter.is_none_or(|f| f.eq_ignore_ascii_case(value))
}

/// The devices passing listDevices' filters.
fn filtered<'a>(net: &'a Network, params: &Params) -> Result<Vec<&'a Device>, OpmError> {
    let category = params.opt("category")?;
    let device_type = params.opt("type")?;
    let vendor = params.opt("vendor")?;
    let group = params.opt("groupName")?;
    let view = params.opt("bvName")?;
    let severity = params
        .opt("severity")?
        .map(|s| wire::parse_severity(s).ok_or_else(|| OpmError::Pattern("severity".into())))
        .transpose()?;
    let in_group = |d: &Device, g: Option<&str>| {
        g.is_none_or(|g| d.groups.iter().any(|x| x.eq_ignore_ascii_case(g)))
    };
    Ok(net
        .devices
        .iter()
        .filter(|d| matches(category, &d.category))
        .filter(|d| matches(device_type, &d.device_type))
        .filter(|d| matches(vendor, &d.vendor_name))
        .filter(|d| in_group(d, group) && in_group(d, view))
        .filter(|d| severity.is_none_or(|s| net.status(d) == s))
        .collect())
}

fn list_devices_body(call: &Call) -> Result<Value, OpmError> {
    let net = Network::read(&call.inst)?;
    let rows = filtered(&net, &call.params)?
        .into_iter()
        .map(|d| net.device_row(d))
        .collect();
    paging::page(rows, &call.params, &DEVICE_COLUMNS)
}

/// `GET /api/json/device/listDevices` and `/api/json/v2/device/listDevices`.
pub async fn list_devices(call: Call) -> HttpResponse {
    call.reply(list_devices_body(&call))
}
