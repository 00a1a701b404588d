//! getDeviceAssociatedMonitors: a device's monitors grouped by family, in the vendor
//! sample's shape (`performanceMonitors`, `ntServiceMonitors`, `serverMonitors`,
//! `processMonitors`, `urlMonitors`, and the families standin has no data for, empty).

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::{Device, Monitor, MonitorKind};
use crate::store;
use crate::wire::Reply;
use crate::wire::{self, ms};
use serde_json::{json, Map, Value};

/// The value as the vendor prints numbers: no trailing `.0`.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn threshold_status(m: &Monitor) -> &'static str {
    match (m.threshold_enabled, m.status) {
        (false, _) => "Not Enabled",
        (true, 5) => "Normal",
        (true, s) => wire::severity_name(s),
    }
}

fn performance(m: &Monitor) -> Value {
    let image = match (m.threshold_enabled, m.status) {
        (false, _) => "images/thresholdNonConfigured.gif",
        (true, 5) => "images/thresholdConOK.gif",
        (true, _) => "images/thresholdConNotOK.gif",
    };
    json!({
        "DISPLAYNAME": m.display_name,
        "YAXISTEXT": m.unit,
        "graphType": "multiple",
        "checkNumeric": "true",
        "data": [{"instance": "-1", "value": number(m.value)}],
        "policyName": m.name,
        "Instance": "",
        "THRESHOLDENABLED": m.threshold_enabled.to_string(),
        "GRAPHID": m.poll_id.to_string(),
        "thresholdStatus": threshold_status(m),
        "isMultiple": "true",
        "sSave": "true",
        "type": "multiple",
        "thresholdImg": image,
        "lastCollectedTime": wire::display_time(ms(&m.last_collected)),
        "DisplayColumn": "",
        "pollId": m.poll_id.to_string(),
        "name": m.name,
        "numericType": "1",
        "interval": m.interval.to_string(),
        "Protocol": m.protocol,
        "statusStr": wire::severity_name(m.status),
        "statusNum": m.status.to_string(),
    })
}

fn nt_service(m: &Monitor) -> Value {
    json!({
        "statusStr": wire::severity_name(m.status),
        "name": m.display_name,
        "serviceName": m.name,
        "serviceID": m.poll_id.to_string(),
        "moid": m.poll_id.to_string(),
        "status": format!("/images/devices/status{}.gif", m.status),
        "statusNum": m.status.to_string(),
    })
}

fn server(m: &Monitor) -> Value {
    json!({
        "portNo": m.target,
        "failureThreshold": 1,
        "statusStr": wire::severity_name(m.status),
        "responseTime": number(m.value).to_string(),
        "statusText": if m.status == 5 { "Up" } else { "Down" },
        "name": m.display_name,
        "THRESHOLDENABLED": m.threshold_enabled.to_string(),
        "thresholdStatus": threshold_status(m),
        "moid": m.poll_id.to_string(),
        "statusNum": m.status.to_string(),
    })
}

fn process(m: &Monitor) -> Value {
    let state = if m.status == 5 { "1" } else { "2" };
    json!({
        "path": m.target,
        "statusStr": wire::severity_name(m.status),
        "cmdLineArgs": "",
        "statusIcon": format!("/webclient/devices/images/servicestatus{}.gif", m.status),
        "name": m.name,
        "state": state,
        "id": m.poll_id.to_string(),
        "proName": m.name,
        "trimName": m.name,
        "status": m.status.to_string(),
        "statusNum": m.status.to_string(),
    })
}

fn url(m: &Monitor) -> Value {
    json!({
        "compactURL": m.target,
        "availPercentage": if m.status == 5 { "100.0" } else { "0.0" },
        "urlName": m.display_name,
        "stringstatus": wire::severity_name(m.status),
        "name": m.name,
        "RESPONSETIME": if m.status == 5 { number(m.value).to_string() } else { "NA".to_owned() },
        "completeURL": m.target,
        "deviceName": m.device_name,
        "url": m.target,
        "statusNum": m.status.to_string(),
    })
}

/// One family: `{total, statusIcon, down, monitors}`.
fn family(list: &[&Monitor], render: fn(&Monitor) -> Value) -> Value {
    let down = list.iter().filter(|m| m.status != 5).count();
    let icon = if down == 0 { 5 } else { 1 };
    json!({
        "total": list.len(),
        "statusIcon": format!("images/servicestatus{icon}.gif"),
        "down": down,
        "monitors": list.iter().map(|m| render(m)).collect::<Vec<_>>(),
    })
}

/// The Windows services of a domain controller's Active Directory family.
const AD_SERVICES: [&str; 5] = ["NTDS", "DFSR", "DNS", "Netlogon", "kdc"];

/// How OpManager polls the device: WMI for Windows, SNMP when enabled, else ICMP only.
pub fn device_protocol(d: &Device) -> &'static str {
    if d.vendor_name == "Microsoft" {
        "WMI"
    } else if d.is_snmp {
        "SNMP"
    } else {
        "ICMP"
    }
}

fn monitors_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    let name = params.required("name")?.to_owned();
    let (device, monitors) = call.inst.store.read(|c| {
        Ok::<_, OpmError>((store::get::<Device>(c, &name)?, store::all::<Monitor>(c)?))
    })?;
    let device = device.ok_or(OpmError::UnknownDevice(name))?;
    let of = |kind: MonitorKind| -> Vec<&Monitor> {
        monitors
            .iter()
            .filter(|m| m.device_name == device.device_name && m.kind == kind)
            .collect()
    };
    let mut body = Map::new();
    body.insert(
        "performanceMonitors".into(),
        family(&of(MonitorKind::Performance), performance),
    );
    body.insert("deviceProtocol".into(), json!(device_protocol(&device)));
    body.insert(
        "ntServiceMonitors".into(),
        family(&of(MonitorKind::WindowsService), nt_service),
    );
    for empty in [
        "fileMonitors",
        "folderMonitors",
        "eventlogMonitors",
        "scriptMonitors",
    ] {
        body.insert(empty.into(), family(&[], performance));
    }
    // Active Directory and Exchange: their Windows services on the device (standin has no
    // AD or Exchange performance counters, so those two families are empty).
    let services = of(MonitorKind::WindowsService);
    let ad: Vec<&Monitor> = services
        .iter()
        .copied()
        .filter(|m| AD_SERVICES.contains(&m.name.as_str()))
        .collect();
    let exchange: Vec<&Monitor> = services
        .iter()
        .copied()
        .filter(|m| m.name.starts_with("MSExchange"))
        .collect();
    body.insert("adMonitors".into(), family(&[], performance));
    body.insert("adServices".into(), family(&ad, nt_service));
    body.insert("exchangeMonitors".into(), family(&[], performance));
    body.insert("exchangeServices".into(), family(&exchange, nt_service));
    body.insert("isVM".into(), json!(false));
    body.insert("isHost".into(), json!(device.category == "Virtual Device"));
    body.insert(
        "serverMonitors".into(),
        family(&of(MonitorKind::Service), server),
    );
    body.insert("urlMonitors".into(), family(&of(MonitorKind::Url), url));
    body.insert(
        "processMonitors".into(),
        family(&of(MonitorKind::Process), process),
    );
    Ok(Value::Object(body))
}

/// `GET /api/json/device/getDeviceAssociatedMonitors` (`name`*).
pub(crate) async fn get_device_associated_monitors(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    Reply::json(monitors_body(&caller, &params)?)
}
