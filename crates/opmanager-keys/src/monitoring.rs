//! Monitoring APIs besides getDeviceAssociatedMonitors (vendor page "OpManager Plus REST
//! API", group Monitoring): the performance monitors (getPerformanceMonitors,
//! getLastCollectedValues, getPerformanceMonitorDetails, addPerformanceMonitors,
//! deletePerformanceMonitors, TestMonitor), process, service and Windows service monitors,
//! URL monitors and script monitors. New monitors come from the state's template catalog;
//! values are the monitors' samples on the instance clock ([`sample`]).

use crate::auth::Caller;
use crate::error::OpmError;
use crate::monitors::device_protocol;
use crate::request::Params;
use crate::state::network::{sample, Network};
use crate::state::{Device, Monitor, MonitorKind, MonitorTemplate, ScriptMonitor};
use crate::store::{self, Record};
use crate::wire::{self, ms, Reply};
use auth_core::clock::rfc3339_ms;
use serde_json::{json, Map, Value};

fn templates(caller: &Caller) -> Result<Vec<MonitorTemplate>, OpmError> {
    Ok(caller.inst.store.read(store::all)?)
}

fn of_kind<'n>(net: &'n Network, d: &Device, kind: MonitorKind) -> Vec<&'n Monitor> {
    net.monitors
        .iter()
        .filter(|m| m.device_name == d.device_name && m.kind == kind)
        .collect()
}

/// The number as the vendor prints values (no trailing `.0`).
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// `GET /api/json/device/getPerformanceMonitors` (`deviceName`*, `category`*, `type`*):
/// the catalog's performance monitors for the device's protocol, by group, `isSelected`
/// when the device has it.
pub(crate) async fn get_performance_monitors(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.required("deviceName")?;
    params.required("category")?;
    params.required("type")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    let protocol = device_protocol(d);
    let has = of_kind(&net, d, MonitorKind::Performance);
    let mut body = Map::new();
    for t in templates(&caller)?
        .iter()
        .filter(|t| t.kind == MonitorKind::Performance)
    {
        if t.protocol != protocol {
            continue;
        }
        let row = json!({
            "DISPLAYNAME": t.display_name,
            "Description": t.description,
            "name": t.name,
            "isSelected": has.iter().any(|m| m.name == t.name).to_string(),
            "GRAPHID": t.id,
            "interval": (t.interval * 60).to_string(),
            "Protocol": t.protocol,
            "thresholdEnabled": "false",
            "STANDARDNAME": t.group,
        });
        if let Some(list) = body
            .entry(t.group.clone())
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            list.push(row);
        }
    }
    Reply::json(Value::Object(body))
}

fn collected_row(d: &Device, m: &Monitor, t: Option<&MonitorTemplate>) -> Value {
    json!({
        "NumericType": 1,
        "Agent": d.dns_name,
        "ProtocolName": m.protocol,
        "Description": t.map_or(m.display_name.as_str(), |t| t.description.as_str()),
        "GraphName": m.name,
        "GraphTypeName": "multiple",
        "data": [{"instance": "-1", "value": number(m.value)}],
        "GraphId": t.map_or(m.poll_id, |t| t.id),
        "PollId": m.poll_id,
        "OID": m.display_name,
        "previousSeverity": 5,
        "YAxisText": if m.unit == "Percentage" { "%" } else { m.unit.as_str() },
        "lastCollectedTime": wire::display_time(ms(&m.last_collected)),
        "failureThreshold": 1,
        "PolicyName": m.name,
        "lastPolledCounterValue": 0,
        "DataType": "1",
        "failureCount": if m.status == 5 { 0 } else { 1 },
    })
}

/// `GET /api/json/device/getLastCollectedValues` (`deviceMOIDList`*: comma list of device
/// moids): each device's performance monitors with their last polled values.
pub(crate) async fn get_last_collected_values(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let list = params
        .text("deviceMOIDList", 4000)?
        .ok_or_else(|| OpmError::Mandatory("deviceMOIDList".into()))?;
    let net = Network::read(&caller.inst)?;
    let catalog = templates(&caller)?;
    let mut body = Map::new();
    for moid in list.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        let id: i64 = moid
            .parse()
            .map_err(|_| OpmError::NotInteger("deviceMOIDList".into()))?;
        let d = net
            .devices
            .iter()
            .find(|d| d.moid == id)
            .ok_or_else(|| OpmError::UnknownDevice(moid.to_owned()))?;
        let rows: Vec<Value> = of_kind(&net, d, MonitorKind::Performance)
            .iter()
            .map(|m| collected_row(d, m, catalog.iter().find(|t| t.name == m.name)))
            .collect();
        body.insert(moid.to_owned(), Value::Array(rows));
    }
    Reply::json(Value::Object(body))
}

fn find_monitor<'n>(net: &'n Network, d: &Device, name: &str) -> Result<&'n Monitor, OpmError> {
    net.monitors
        .iter()
        .find(|m| {
            m.device_name == d.device_name && (m.name == name || m.poll_id.to_string() == name)
        })
        .ok_or_else(|| OpmError::Unknown("Monitor", name.to_owned()))
}

/// `GET /api/json/device/getPerformanceMonitorDetails` (`name`*, `policyName`*, `graphName`*,
/// `checkNumeric`*): today's statistics of the monitor (hourly samples) and its settings.
pub(crate) async fn get_performance_monitor_details(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.required("name")?;
    let policy = params.required("policyName")?;
    params.required("graphName")?;
    params.required("checkNumeric")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    let m = find_monitor(&net, d, policy)?;
    let midnight = net.now_ms - net.now_ms.rem_euclid(86_400_000);
    let key = format!("{}/{}", d.device_name, m.name);
    let percent = m.unit == "Percentage";
    let mut points: Vec<f64> = (0..24)
        .map(|h| midnight + h * 3_600_000)
        .filter(|t| *t <= net.now_ms)
        .map(|t| sample(&key, m.value, t, percent))
        .collect();
    points.push(m.value);
    let mut sorted = points.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let avg = points.iter().sum::<f64>() / points.len() as f64;
    let p95 = sorted
        .get((sorted.len() * 95 / 100).min(sorted.len() - 1))
        .copied()
        .unwrap_or(m.value);
    let text = |v: f64| format!("{}", (v * 100.0).round() / 100.0);
    Reply::json(json!({
        "statsList": [{
            "minimumValue": text(sorted.first().copied().unwrap_or(m.value)),
            "averageValue": text(avg),
            "instance": m.display_name,
            "percentile": text(p95),
            "lastPolledValue": text(m.value),
            "maximumValue": text(sorted.last().copied().unwrap_or(m.value)),
        }],
        "monitors": {
            "YAXISTEXT": m.unit,
            "checkNumeric": "true",
            "Description": m.display_name,
            "Instance": "",
            "THRESHOLDENABLED": m.threshold_enabled.to_string(),
            "GRAPHID": m.poll_id.to_string(),
            "oid": m.display_name,
            "type": "multiple",
            "PREVIOUSSEVERITY": "5",
            "id": m.poll_id.to_string(),
            "Protocol": m.protocol,
            "FAILURETHRESHOLD": "1",
            "DISPLAYNAME": m.display_name,
            "INTERVAL": m.interval.to_string(),
            "statusNum": m.status.to_string(),
        },
    }))
}

/// The next poll id.
fn next_poll_id(tx: &rusqlite::Transaction<'_>) -> Result<i64, OpmError> {
    let all: Vec<Monitor> = store::all(tx)?;
    Ok(all.iter().map(|m| m.poll_id).max().unwrap_or(2000) + 1)
}

fn from_template(t: &MonitorTemplate, device: &str, poll_id: i64, now: &str) -> Monitor {
    Monitor {
        device_name: device.to_owned(),
        kind: t.kind,
        name: t.name.clone(),
        display_name: t.display_name.clone(),
        status: 5,
        value: t.typical_value,
        unit: t.unit.clone(),
        interval: t.interval,
        protocol: t.protocol.clone(),
        threshold_enabled: false,
        last_collected: now.to_owned(),
        poll_id,
        target: t.target.clone(),
    }
}

/// Add monitors from templates to a device in one transaction (existing ones stay).
fn associate(caller: &Caller, device: &str, chosen: &[MonitorTemplate]) -> Result<(), OpmError> {
    let now = rfc3339_ms(caller.inst.env.clock.now_ms());
    caller.inst.store.write(|tx| {
        for t in chosen {
            let id = next_poll_id(tx)?;
            let m = from_template(t, device, id, &now);
            if store::get::<Monitor>(tx, &m.key())?.is_none() {
                store::put(tx, &m)?;
            }
        }
        Ok::<_, OpmError>(())
    })
}

/// The catalog templates of `kind` named (by name or id) in the comma list `list`; of two
/// templates of one name, the one of `protocol`.
fn chosen(
    caller: &Caller,
    kind: MonitorKind,
    protocol: &str,
    list: &str,
) -> Result<Vec<MonitorTemplate>, OpmError> {
    let catalog = templates(caller)?;
    list.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| {
            let matches: Vec<&MonitorTemplate> = catalog
                .iter()
                .filter(|t| t.kind == kind && (t.name == n || t.id.to_string() == n))
                .collect();
            matches
                .iter()
                .find(|t| t.protocol == protocol)
                .or(matches.first())
                .map(|t| (*t).clone())
                .ok_or_else(|| OpmError::Unknown("Monitor", n.to_owned()))
        })
        .collect()
}

/// The administrator's "associate these templates with this device" shared by
/// addPerformanceMonitors and associateProcessMonitor: the device named by `device_param`,
/// the comma list in `list_param` (both mandatory), templates of `kind` for its protocol.
fn associate_listed(
    caller: &Caller,
    params: &Params,
    device_param: &str,
    list_param: &str,
    kind: MonitorKind,
) -> Result<(), OpmError> {
    caller.require_admin()?;
    let name = params.required(device_param)?;
    let list = params
        .text(list_param, 4000)?
        .ok_or_else(|| OpmError::Mandatory(list_param.into()))?;
    let net = Network::read(&caller.inst)?;
    let protocol = device_protocol(net.device(name)?);
    let picked = chosen(caller, kind, protocol, list)?;
    associate(caller, name, &picked)
}

/// `POST /api/json/device/addPerformanceMonitors` (administrators; `name`*, `selectedMonitors`*
/// comma list of template names or `GRAPHID`s).
pub(crate) async fn add_performance_monitors(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    associate_listed(
        &caller,
        &params,
        "name",
        "selectedMonitors",
        MonitorKind::Performance,
    )?;
    Reply::json(json!({"result": {"message": "Monitor added successfully"}}))
}

/// `POST /api/json/device/deletePerformanceMonitors` (administrators; `name`*, `pollId`*
/// comma list).
pub(crate) async fn delete_performance_monitors(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let name = params.required("name")?;
    let ids = params
        .text("pollId", 4000)?
        .ok_or_else(|| OpmError::Mandatory("pollId".into()))?;
    let ids: Vec<i64> = ids
        .split(',')
        .map(|i| {
            i.trim()
                .parse()
                .map_err(|_| OpmError::NotInteger("pollId".into()))
        })
        .collect::<Result<_, _>>()?;
    Network::read(&caller.inst)?.device(name)?;
    caller.inst.store.write(|tx| {
        let all: Vec<Monitor> = store::all(tx)?;
        for id in &ids {
            let m = all
                .iter()
                .find(|m| {
                    m.device_name == name && m.poll_id == *id && m.kind == MonitorKind::Performance
                })
                .ok_or_else(|| OpmError::Unknown("Monitor", id.to_string()))?;
            store::delete::<Monitor>(tx, &m.key())?;
        }
        Ok::<_, OpmError>(())
    })?;
    Reply::json(
        json!({"result": {"message": "The monitor(s) will be deleted. Please check after sometime."}}),
    )
}

/// `POST /api/json/device/TestMonitor` (`name`*, `policyName`*, `graphName`*,
/// `instanceName`): one poll of the monitor now (its sample at the clock's now).
pub(crate) async fn test_monitor(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let name = params.required("name")?;
    let policy = params.required("policyName")?;
    params.required("graphName")?;
    params.opt("instanceName")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    let m = find_monitor(&net, d, policy)?;
    let value = sample(
        &format!("{}/{}", d.device_name, m.name),
        m.value,
        net.now_ms,
        m.unit == "Percentage",
    );
    Reply::json(json!({
        "protocol": m.protocol,
        "checkNumeric": "true",
        "reasons": [],
        "monitorname": m.name,
        "data": [number(value.round())],
        "displayName": m.display_name,
        "isMultiple": "false",
        "oid": m.display_name,
        "units": m.unit,
        "deviceName": d.device_name,
    }))
}

fn process_row(m: &Monitor) -> Value {
    json!({
        "path": m.target,
        "statusStr": wire::severity_name(m.status),
        "cmdLineArgs": "",
        "statusIcon": format!("/webclient/devices/images/servicestatus{}.gif", m.status),
        "name": m.display_name,
        "state": if m.status == 5 { "1" } else { "2" },
        "id": m.poll_id.to_string(),
        "proName": m.name,
        "trimName": m.display_name,
        "status": m.status.to_string(),
        "statusNum": m.status.to_string(),
    })
}

/// `GET /api/json/device/getAssociatedProcessMonitors` (`deviceName`*): the process
/// templates with their device counts, the device's process monitors, and its running
/// monitored processes (standin knows no other processes).
pub(crate) async fn get_associated_process_monitors(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.required("deviceName")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    let assigned = of_kind(&net, d, MonitorKind::Process);
    let catalog = templates(&caller)?;
    let rows: Vec<Value> = catalog
        .iter()
        .filter(|t| t.kind == MonitorKind::Process)
        .map(|t| {
            let count = net
                .monitors
                .iter()
                .filter(|m| m.kind == MonitorKind::Process && m.name == t.name)
                .count();
            json!({
                "protocol": t.protocol,
                "associatedDeviceCount": count.to_string(),
                "templateName": t.name,
                "displayName": t.display_name,
                "description": t.description,
                "templateId": t.id.to_string(),
            })
        })
        .collect();
    let mut active = Map::new();
    for m in assigned.iter().filter(|m| m.status == 5) {
        active.insert(
            m.poll_id.to_string(),
            json!({"path": m.target, "trimArgs": "", "trimPath": m.target, "cmdLineArgs": "", "name": m.name, "trimName": m.name}),
        );
    }
    Reply::json(json!({
        "protocol": device_protocol(d),
        "Templates": rows,
        "AssignedMonitors": assigned.iter().map(|m| process_row(m)).collect::<Vec<_>>(),
        "ActiveProcesses": active,
    }))
}

/// `POST /api/json/device/associateProcessMonitor` (administrators; `deviceName`*,
/// `processId`* comma list of process template ids).
pub(crate) async fn associate_process_monitor(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    associate_listed(
        &caller,
        &params,
        "deviceName",
        "processId",
        MonitorKind::Process,
    )?;
    Reply::json(json!({"result": {"message": "Process monitor(s) associated successfully."}}))
}

/// `GET /api/json/device/getAssociatedServiceMonitors` (`name`*): `NAME(port)` of the
/// catalog's services, split into the device's and the rest.
pub(crate) async fn get_associated_service_monitors(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.required("name")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    let has = of_kind(&net, d, MonitorKind::Service);
    let label = |n: &str, port: &str| format!("{n}({port})");
    let selected: Vec<String> = has.iter().map(|m| label(&m.name, &m.target)).collect();
    let remaining: Vec<String> = templates(&caller)?
        .iter()
        .filter(|t| t.kind == MonitorKind::Service && has.iter().all(|m| m.name != t.name))
        .map(|t| label(&t.name, &t.target))
        .collect();
    Reply::json(json!({"remainingServices": remaining, "selectedServices": selected}))
}

/// `POST /api/json/admin/associateServiceMonitor` (administrators; `deviceName`* comma list,
/// `serviceName`* comma list of catalog service names).
pub(crate) async fn associate_service_monitor(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let devices = params
        .text("deviceName", 4000)?
        .ok_or_else(|| OpmError::Mandatory("deviceName".into()))?;
    let services = params
        .text("serviceName", 4000)?
        .ok_or_else(|| OpmError::Mandatory("serviceName".into()))?;
    let net = Network::read(&caller.inst)?;
    let picked = chosen(&caller, MonitorKind::Service, "TCP", services)?;
    let devices: Vec<&str> = devices
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    for d in &devices {
        net.device(d)?;
    }
    for d in devices {
        associate(&caller, d, &picked)?;
    }
    Reply::json(json!({"result": {"message": "Service Monitor associated successfully"}}))
}

/// `GET /api/json/device/getDeviceAssociatedWindowsServiceMonitors` (`name`*).
pub(crate) async fn get_device_associated_windows_service_monitors(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.required("name")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    let rows: Vec<Value> = of_kind(&net, d, MonitorKind::WindowsService)
        .iter()
        .map(|m| {
            json!({
                "displayName": m.display_name,
                "serviceName": m.name,
                "serviceID": m.poll_id.to_string(),
                "status": wire::severity_name(m.status),
            })
        })
        .collect();
    Reply::json(rows)
}

fn url_monitors(net: &Network) -> Vec<&Monitor> {
    net.monitors
        .iter()
        .filter(|m| m.kind == MonitorKind::Url)
        .collect()
}

/// `GET /api/json/admin/listURLMonitors`: every URL monitor, with the availability buckets
/// and the per-status dial of the URL page.
pub(crate) async fn list_url_monitors(caller: Caller, _params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let urls = url_monitors(&net);
    let list: Vec<Value> = urls
        .iter()
        .map(|m| {
            let up = m.status == 5;
            json!({
                "availPercentage": if up { 100 } else { 0 },
                "urlName": m.display_name,
                "statusStr": wire::severity_name(m.status),
                "name": m.name,
                "RESPONSETIME": if up { format!("{} ms", number(m.value)) } else { "No Response".to_owned() },
                "url": m.target,
                "moID": m.poll_id,
                "statusNum": m.status,
            })
        })
        .collect();
    let mut details: Map<String, Value> = Map::new();
    let mut dial: Vec<(u8, usize)> = Vec::new();
    for m in &urls {
        let bucket = if m.status == 5 { "90-100%" } else { "00-10%" };
        let entry = details.entry(bucket).or_insert_with(|| json!([]));
        if let Some(rows) = entry.as_array_mut() {
            match rows.iter_mut().find(|r| r["Status"] == m.status) {
                Some(r) => r["Count"] = json!(r["Count"].as_u64().unwrap_or(0) + 1),
                None => rows.push(
                    json!({"Status": m.status, "Label": wire::severity_name(m.status), "Count": 1}),
                ),
            }
        }
        match dial.iter_mut().find(|(s, _)| *s == m.status) {
            Some((_, n)) => *n += 1,
            None => dial.push((m.status, 1)),
        }
    }
    let dial: Vec<Value> = dial
        .iter()
        .map(|(s, n)| json!({"title": wire::severity_name(*s), "value": n, "status": s}))
        .collect();
    Reply::json(json!({"List": list, "Details": details, "DialCounter": dial}))
}

/// `GET /api/json/admin/listAllDevicesSpecificURLs`: the URL monitors with their devices.
pub(crate) async fn list_all_devices_specific_urls(
    caller: Caller,
    _params: Params,
) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let list: Vec<Value> = url_monitors(&net)
        .iter()
        .map(|m| {
            let parent = net.device(&m.device_name).ok();
            json!({
                "parentName": m.device_name,
                "urlName": m.display_name,
                "stringstatus": wire::severity_name(m.status),
                "parentDispName": parent.map_or(m.device_name.as_str(), |d| d.display_name.as_str()),
                "name": m.name,
                "url": m.target,
                "status": m.status.to_string(),
                "statusNum": m.status.to_string(),
            })
        })
        .collect();
    Reply::json(json!({"List": list}))
}

/// `GET /api/json/admin/listScriptMonitors`: the script monitor templates.
pub(crate) async fn list_script_monitors(
    caller: Caller,
    _params: Params,
) -> Result<Reply, OpmError> {
    let scripts: Vec<ScriptMonitor> = caller.inst.store.read(store::all)?;
    let rows: Vec<Value> = scripts
        .iter()
        .map(|s| {
            json!({
                "graphName": s.name,
                "scriptID": s.id.to_string(),
                "executeFrom": "1",
                "graphDesc": s.description,
                "graphID": s.graph_id.to_string(),
            })
        })
        .collect();
    Reply::json(rows)
}
