//! Business views and logical groups (vendor page "OpManager Plus REST API", groups
//! Business Views and Groups): getBusinessView, getBusinessDetailsView,
//! listAllLogicalGroups, getLogicalGroupInfo, getLogicalGroupAlerts, listLogicalGroupMembers,
//! addToGroup. A business view holds the devices whose `groups` name it; a logical group
//! lists its members. Status is the worst member status, counts are counted from the alarms.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::Network;
use crate::state::{Alarm, BusinessView, Device, GroupType, LogicalGroup, Role};
use crate::store;
use crate::wire::{self, ms, Reply};
use serde_json::{json, Value};

/// The last polled value of a device's performance monitor `name` (0 when none).
fn monitor_value(net: &Network, d: &Device, name: &str) -> f64 {
    net.monitors
        .iter()
        .find(|m| m.device_name == d.device_name && m.name == name)
        .map_or(0.0, |m| m.value)
}

fn views(caller: &Caller) -> Result<Vec<BusinessView>, OpmError> {
    Ok(caller.inst.store.read(store::all)?)
}

fn members_of<'n>(net: &'n Network, view: &str) -> Vec<&'n Device> {
    net.devices
        .iter()
        .filter(|d| d.groups.iter().any(|g| g == view))
        .collect()
}

/// Worst status of `statuses` (Clear when empty; unmanaged counts last).
fn worst(statuses: impl Iterator<Item = u8>) -> u8 {
    statuses
        .min_by_key(|s| if *s == 7 { 6 } else { *s })
        .unwrap_or(5)
}

fn active_alarms_on<'n>(net: &'n Network, devices: &[&Device]) -> Vec<&'n Alarm> {
    net.alarms
        .iter()
        .filter(|a| a.severity != 5 && devices.iter().any(|d| d.device_name == a.device_name))
        .collect()
}

/// `GET /api/json/businessview/getBusinessView`.
pub(crate) async fn get_business_view(caller: Caller, _params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let details: Vec<Value> = views(&caller)?
        .iter()
        .map(|v| {
            let members = members_of(&net, &v.name);
            let status = worst(members.iter().map(|d| net.status(d)));
            let error = members.iter().filter(|d| net.status(d) < 5).count();
            json!({
                "name": format!("{}_bv", v.name),
                "total": members.len().to_string(),
                "error": error.to_string(),
                "displayName": v.name,
                "status": status.to_string(),
                "alarms": active_alarms_on(&net, &members).len().to_string(),
            })
        })
        .collect();
    Reply::json(json!({"BusinessView": {"Details": details}}))
}

/// `GET /api/json/businessview/getBusinessDetailsView` (`bvName`*, with or without the
/// `_bv` suffix).
pub(crate) async fn get_business_details_view(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let asked = params.required("bvName")?;
    let name = asked.strip_suffix("_bv").unwrap_or(asked);
    if !views(&caller)?.iter().any(|v| v.name == name) {
        return Err(OpmError::Unknown("Business view", asked.to_owned()));
    }
    let net = Network::read(&caller.inst)?;
    let members = members_of(&net, name);
    let details: Vec<Value> = members
        .iter()
        .map(|d| {
            let status = net.status(d);
            json!({
                "severity": status.to_string(),
                "MemUtilization": monitor_value(&net, d, "MemoryUtilization"),
                "CPUUtilization": monitor_value(&net, d, "CPUUtilization"),
                "displayName": d.display_name,
                "name": d.device_name,
                "IpAddress": d.ip_address,
                "type": d.device_type,
                "status": wire::severity_name(status),
            })
        })
        .collect();
    Reply::json(json!({"BusinessDetailsView": {
        "Details": details,
        "TotalRecords": members.len().to_string(),
    }}))
}

/// `devices-363`: the display name, lower case without spaces, and the id.
fn group_name(g: &LogicalGroup) -> String {
    let slug: String = g
        .name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    format!("{slug}-{}", g.id)
}

fn groups(caller: &Caller) -> Result<Vec<LogicalGroup>, OpmError> {
    Ok(caller.inst.store.read(store::all)?)
}

/// The group a `groupName` names (`devices-363`; the id after the last `-` decides).
fn find_group<'g>(list: &'g [LogicalGroup], asked: &str) -> Result<&'g LogicalGroup, OpmError> {
    let id = asked.rsplit('-').next().and_then(|t| t.parse::<i64>().ok());
    list.iter()
        .find(|g| Some(g.id) == id || g.name == asked)
        .ok_or_else(|| OpmError::Unknown("Group", asked.to_owned()))
}

fn type_label(t: GroupType) -> &'static str {
    match t {
        GroupType::Device => "Device",
        GroupType::Interface => "Interface",
    }
}

/// The devices a group covers (an interface group: the interfaces' devices).
fn group_devices<'n>(net: &'n Network, g: &LogicalGroup) -> Vec<&'n Device> {
    net.devices
        .iter()
        .filter(|d| match g.group_type {
            GroupType::Device => g.members.contains(&d.device_name),
            GroupType::Interface => net.interfaces_of(d).any(|f| g.members.contains(&f.name)),
        })
        .collect()
}

/// Status numbers of a group's members.
fn member_statuses(net: &Network, g: &LogicalGroup) -> Vec<u8> {
    match g.group_type {
        GroupType::Device => group_devices(net, g)
            .iter()
            .map(|d| net.status(d))
            .collect(),
        GroupType::Interface => net
            .interfaces
            .iter()
            .filter(|f| g.members.contains(&f.name))
            .map(|f| f.status)
            .collect(),
    }
}

/// The common part of a group's row.
fn group_row(net: &Network, g: &LogicalGroup) -> Value {
    let status = worst(member_statuses(net, g).into_iter());
    json!({
        "groupDisplayName": g.name,
        "groupType": type_label(g.group_type),
        "groupName": group_name(g),
        "groupID": g.id.to_string(),
        "count": g.members.len().to_string(),
        "description": if g.description.is_empty() { "No Description" } else { g.description.as_str() },
        "statusImg": format!("/images/devices/status{status}.gif"),
        "displayGroupType": type_label(g.group_type),
        "statusLabel": wire::severity_name(status),
        "status": status.to_string(),
    })
}

/// `GET /api/json/admin/listAllLogicalGroups`.
pub(crate) async fn list_all_logical_groups(
    caller: Caller,
    _params: Params,
) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let rows: Vec<Value> = groups(&caller)?
        .iter()
        .map(|g| {
            let mut row = group_row(&net, g);
            if let Some(map) = row.as_object_mut() {
                map.insert("device_Count".into(), json!(g.members.len().to_string()));
                map.insert("availability".into(), json!("NA"));
            }
            row
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/admin/getLogicalGroupInfo` (`groupName`*; `period`, `snapType` are not
/// read): `GroupDetails` with `alertCount` (active alarms on the members) and
/// `statusChangeCount` (the members' events of today), and the snapshot page's widgets.
pub(crate) async fn get_logical_group_info(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let asked = params.required("groupName")?;
    let list = groups(&caller)?;
    let g = find_group(&list, asked)?;
    let net = Network::read(&caller.inst)?;
    let devices = group_devices(&net, g);
    let alerts = active_alarms_on(&net, &devices).len();
    let midnight = net.now_ms - net.now_ms.rem_euclid(86_400_000);
    let events: Vec<crate::state::Event> = caller.inst.store.read(store::all)?;
    let changes = events
        .iter()
        .filter(|e| devices.iter().any(|d| d.device_name == e.source))
        .filter(|e| ms(&e.time) >= midnight)
        .count();
    let mut details = group_row(&net, g);
    if let Some(map) = details.as_object_mut() {
        map.insert(
            "deviceDevice_Count".into(),
            json!(g.members.len().to_string()),
        );
        map.insert("alertCount".into(), json!(alerts));
        map.insert("statusChangeCount".into(), json!(changes));
    }
    let snap = |index: usize, kind: &str, api: &str, name: &str| {
        json!({
            "indexCount": index, "ondemandWidget": false, "refresh": false, "type": kind,
            "apiurl": format!("/client/api/json/admin/{api}"), "parameter": "groupName",
            "isEnabled": true, "name": name, "header": true,
        })
    };
    Reply::json(json!({
        "GroupDetails": details,
        "snapDetails": {"snapList": [
            snap(0, "GroupSummary", "getLogicalGroupInfo", "opm.intfGroup.Summary"),
            snap(1, "Grid", "getLogicalGroupAlerts", "opm.devicegrouping.Alarms"),
        ]},
    }))
}

/// `GET /api/json/admin/getLogicalGroupAlerts` (`groupName`; every group's when absent): the
/// active alarms on the members, newest first.
pub(crate) async fn get_logical_group_alerts(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let list = groups(&caller)?;
    let chosen: Vec<&LogicalGroup> = match params.opt("groupName")? {
        Some(asked) => vec![find_group(&list, asked)?],
        None => list.iter().collect(),
    };
    let net = Network::read(&caller.inst)?;
    let mut devices: Vec<&Device> = chosen.iter().flat_map(|g| group_devices(&net, g)).collect();
    devices.dedup_by_key(|d| d.device_name.clone());
    let mut alarms = active_alarms_on(&net, &devices);
    alarms.sort_by_key(|a| std::cmp::Reverse(ms(&a.mod_time)));
    let rows: Vec<Value> = alarms
        .iter()
        .map(|a| {
            let d = net.device(&a.device_name).ok();
            json!({
                "severity": wire::severity_name(a.severity),
                "groupType": "device",
                "severityString": format!("/images/devices/status{}.gif", a.severity),
                "modTime": wire::display_time(ms(&a.mod_time)),
                "displayName": d.map_or(a.device_name.as_str(), |d| d.display_name.as_str()),
                "name": a.device_name,
                "alarmId": a.alarm_id,
                "type": "device",
                "message": a.message,
                "entity": a.entity,
                "status": a.severity,
            })
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/admin/listLogicalGroupMembers` (`groupName`; every group's when absent).
pub(crate) async fn list_logical_group_members(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let list = groups(&caller)?;
    let chosen: Vec<&LogicalGroup> = match params.opt("groupName")? {
        Some(asked) => vec![find_group(&list, asked)?],
        None => list.iter().collect(),
    };
    let net = Network::read(&caller.inst)?;
    let mut rows = Vec::new();
    for g in chosen {
        for m in &g.members {
            let (display, moid, status) = match g.group_type {
                GroupType::Device => match net.device(m) {
                    Ok(d) => (d.display_name.clone(), d.moid, net.status(d)),
                    Err(_) => continue,
                },
                GroupType::Interface => match net.interfaces.iter().find(|f| &f.name == m) {
                    Some(f) => (f.display_name.clone(), f.moid, f.status),
                    None => continue,
                },
            };
            rows.push(json!({
                "groupType": type_label(g.group_type),
                "statusStr": wire::severity_name(status),
                "displayname": display,
                "name": m,
                "type": type_label(g.group_type),
                "moid": moid.to_string(),
                "statusNum": status.to_string(),
            }));
        }
    }
    Reply::json(rows)
}

/// `POST /api/json/device/addToGroup` (administrators; `groupName`*, `groupType`*
/// `device`/`interface`, `selectedMembers`* comma list): every member must exist; members
/// already in the group stay once.
pub(crate) async fn add_to_group(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    if caller.user.role != Role::Administrator {
        return Err(OpmError::NotAuthorized(caller.user.name.clone()));
    }
    let asked = params.required("groupName")?;
    let kind = match params.required("groupType")? {
        t if t.eq_ignore_ascii_case("device") => GroupType::Device,
        t if t.eq_ignore_ascii_case("interface") => GroupType::Interface,
        _ => return Err(OpmError::Pattern("groupType".into())),
    };
    let selected = params
        .text("selectedMembers", 4000)?
        .ok_or_else(|| OpmError::Mandatory("selectedMembers".into()))?;
    let net = Network::read(&caller.inst)?;
    let names: Vec<&str> = selected
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    for n in &names {
        match kind {
            GroupType::Device => {
                net.device(n)?;
            }
            GroupType::Interface => {
                if !net.interfaces.iter().any(|f| f.name == *n) {
                    return Err(OpmError::UnknownInterface((*n).to_owned()));
                }
            }
        }
    }
    let list = groups(&caller)?;
    let mut g = find_group(&list, asked)?.clone();
    if g.group_type != kind {
        return Err(OpmError::Pattern("groupType".into()));
    }
    for n in names {
        if !g.members.iter().any(|m| m == n) {
            g.members.push(n.to_owned());
        }
    }
    caller.inst.store.write(|tx| store::put(tx, &g))?;
    let message = match kind {
        GroupType::Device => "The Device(s) have been associated to the group successfully.",
        GroupType::Interface => "The Interface(s) have been associated to the group successfully.",
    };
    Reply::json(json!({"result": {"message": message}}))
}
