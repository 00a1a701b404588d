//! Availability APIs (vendor page "OpManager Plus REST API", group Availability):
//! getDownDevices, getAvailabilityGraphData, getPingResponse, getTraceResponse, the downtime
//! schedules (listDownTimeSchedules, getDowntimeSchedule, updateDowntimeSchedule), plus
//! getTopDevicesByAlarms and getCategoryList, which read the same network.
//!
//! A device is down from its active `Device Down` alarm on (an interface from its active
//! alarm on); every availability figure is computed from those intervals over the
//! instance's clock, so getDownDevices, the graphs and getDeviceCompleteDetails agree.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::Network;
use crate::state::{Device, DowntimeSchedule, Recurrence, Role};
use crate::store;
use crate::wire::{self, ms, Reply};
use auth_core::clock::rfc3339_ms;
use serde_json::{json, Map, Value};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// `GET /api/json/discovery/getDownDevices`: the devices whose status is Critical.
pub(crate) async fn get_down_devices(caller: Caller, _params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let details: Vec<Value> = net
        .devices
        .iter()
        .filter(|d| net.status(d) == 1)
        .map(|d| {
            json!({
                "name": d.device_name,
                "type": d.device_type,
                "category": d.category,
                "displayName": d.display_name,
            })
        })
        .collect();
    Reply::json(json!({"DownDevices": {"Details": details}}))
}

/// The `[from, to)` intervals in which `entity` (a device, or with `instance` an interface
/// or monitor) was down: from its oldest active down alarm until now.
pub(crate) fn down_since(net: &Network, name: &str, instance: Option<&str>) -> Option<i64> {
    net.alarms
        .iter()
        .filter(|a| a.severity != 5)
        .filter(|a| match instance {
            None => a.device_name == name && a.event_type == "Device Down",
            Some(_) => a.entity.ends_with(&format!("_{name}")),
        })
        .map(|a| ms(&a.mod_time))
        .min()
}

/// Percent of `[from, to)` not covered by "down since `since`", rounded to 2 places.
pub(crate) fn uptime(from: i64, to: i64, since: Option<i64>) -> f64 {
    let span = (to - from).max(1);
    let down = since.map_or(0, |s| (to - s.max(from)).clamp(0, span));
    let pct = 100.0 * (span - down) as f64 / span as f64;
    (pct * 100.0).round() / 100.0
}

/// The report periods of getAvailabilityGraphData, as `[from, to)` seen from `now`.
fn periods(now: i64) -> Vec<(&'static str, i64, i64)> {
    let midnight = now - now.rem_euclid(DAY);
    let date = wire::datetime(now);
    let monday = midnight - i64::from(date.weekday().number_days_from_monday()) * DAY;
    let first = midnight - (i64::from(date.day()) - 1) * DAY;
    let last_month_days = i64::from(
        wire::datetime(first - DAY)
            .month()
            .length(wire::datetime(first - DAY).year()),
    );
    vec![
        ("Today", midnight, now),
        ("This week", monday, now),
        ("Last week", monday - 7 * DAY, monday),
        ("Last 30 days", now - 30 * DAY, now),
        ("Last month", first - last_month_days * DAY, first),
        ("This month", first, now),
        ("Last 24 hours", now - DAY, now),
        ("Yesterday", midnight - DAY, midnight),
        ("Last 7 days", now - 7 * DAY, now),
        ("Last 12 hours", now - 12 * HOUR, now),
    ]
}

/// A number without a trailing `.0`.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// `GET /api/json/device/getAvailabilityGraphData` (`name`*, `isFluidic`*, `instance`).
pub(crate) async fn get_availability_graph_data(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.required("name")?;
    params.required("isFluidic")?;
    let instance = params.opt("instance")?;
    let net = Network::read(&caller.inst)?;
    match instance {
        None => {
            net.device(name)?;
        }
        Some(i) if i.eq_ignore_ascii_case("Interface") => {
            if !net.interfaces.iter().any(|f| f.name == name) {
                return Err(OpmError::UnknownInterface(name.to_owned()));
            }
        }
        Some(_) => return Err(OpmError::Pattern("instance".into())),
    }
    let since = down_since(&net, name, instance);
    let mut uptime_data = Map::new();
    let mut up = Vec::new();
    let mut down = Vec::new();
    for (label, from, to) in periods(net.now_ms) {
        let pct = uptime(from, to, since);
        uptime_data.insert(label.into(), number(pct));
        up.push(json!([label, number(pct)]));
        down.push(json!([
            label,
            number(((100.0 - pct) * 100.0).round() / 100.0)
        ]));
    }
    let zero: Vec<Value> = up
        .iter()
        .map(|p| json!([p.get(0).cloned().unwrap_or(Value::Null), 0]))
        .collect();
    Reply::json(json!({
        "uptimeData": uptime_data,
        "graphData": [
            {"seriesname": "Up", "data": up},
            {"seriesname": "Down", "data": down},
            {"seriesname": "On Maintenance", "data": zero},
        ],
    }))
}

/// The device named by `deviceName`, by name or IP address.
fn target<'n>(net: &'n Network, params: &Params) -> Result<&'n Device, OpmError> {
    let name = params.required("deviceName")?;
    net.device(name)
        .or_else(|err| net.devices.iter().find(|d| d.ip_address == name).ok_or(err))
}

/// `POST /api/json/device/getPingResponse` (`deviceName`*): one echo request, answered with
/// the device's last response time unless it is down.
pub(crate) async fn get_ping_response(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let d = target(&net, &params)?;
    let ip = &d.ip_address;
    let down = down_since(&net, &d.device_name, None).is_some() || !d.managed;
    let details = if down {
        format!(
            "Pinging {ip} with 32 bytes of data:\nRequest timed out.\n\nPing statistics for {ip}:\n Packets: Sent = 1, Received = 0, Lost = 1 (100% loss),"
        )
    } else {
        let t = d.response_time_ms;
        format!(
            "Pinging {ip} with 32 bytes of data:\nReply from {ip}: bytes=32 time={t}ms TTL=251\n\nPing statistics for {ip}:\n Packets: Sent = 1, Received = 1, Lost = 0 (0% loss),\nApproximate round trip times in milli-seconds:\n Minimum = {t}ms, Maximum = {t}ms, Average = {t}ms"
        )
    };
    Reply::json(json!({"PingResponse": {"Details": details}}))
}

/// `POST /api/json/device/getTraceResponse` (`deviceName`*): the route through the core
/// router of the fixture network (the first Router device) to the device.
pub(crate) async fn get_trace_response(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let d = target(&net, &params)?;
    let mut hops: Vec<(String, i64)> = Vec::new();
    if let Some(gw) = net
        .devices
        .iter()
        .find(|g| g.category == "Router" && g.device_name != d.device_name)
    {
        hops.push((gw.ip_address.clone(), gw.response_time_ms.max(1)));
    }
    hops.push((d.ip_address.clone(), d.response_time_ms.max(1)));
    let mut text = format!(
        "Tracing route to {} over a maximum of 30 hops\n\n",
        d.ip_address
    );
    for (n, (ip, t)) in hops.iter().enumerate() {
        text.push_str(&format!(" {} {t} ms {t} ms {t} ms {ip} \n", n + 1));
    }
    text.push_str("\nTrace complete.");
    Reply::json(json!({"TraceResponse": {"Details": text}}))
}

/// The `type` of a schedule row.
fn recurrence_name(r: Recurrence) -> &'static str {
    match r {
        Recurrence::OnceOnly => "Once",
        Recurrence::Daily => "Daily",
        Recurrence::Weekly => "Weekly",
        Recurrence::Monthly => "Monthly",
    }
}

/// The next start of `s` at or after `now` (`None` for a past one-off schedule).
fn next_start(s: &DowntimeSchedule, now: i64) -> Option<i64> {
    let start = ms(&s.start);
    let step = match s.recurrence {
        Recurrence::OnceOnly => return (start >= now).then_some(start),
        Recurrence::Daily => DAY,
        Recurrence::Weekly => 7 * DAY,
        Recurrence::Monthly => 30 * DAY,
    };
    if start >= now {
        return Some(start);
    }
    let steps = (now - start).div_euclid(step) + 1;
    Some(start + steps * step)
}

/// `Mon, Nov 28, 2022 13:00:00`.
fn schedule_time(at: i64) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [month repr:short] [day], [year] [hour]:[minute]:[second]"
    );
    wire::datetime(at).format(&format).unwrap_or_default()
}

/// A schedule row (vendor sample keys).
fn schedule_row(s: &DowntimeSchedule, now: i64) -> Value {
    json!({
        "name": s.name,
        "id": s.id.to_string(),
        "type": recurrence_name(s.recurrence),
        "nextscheduledtime": next_start(s, now).map_or("-".to_owned(), schedule_time),
        "statusNum": if s.enabled { "1" } else { "0" },
        "status": if s.enabled { "Enabled" } else { "Disabled" },
    })
}

fn schedules(caller: &Caller) -> Result<Vec<DowntimeSchedule>, OpmError> {
    Ok(caller.inst.store.read(store::all)?)
}

/// `GET /api/json/admin/listDownTimeSchedules`.
pub(crate) async fn list_downtime_schedules(
    caller: Caller,
    _params: Params,
) -> Result<Reply, OpmError> {
    let now = caller.inst.env.clock.now_ms();
    let rows: Vec<Value> = schedules(&caller)?
        .iter()
        .map(|s| schedule_row(s, now))
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/admin/getDowntimeSchedule` (`operation`: the schedule's name): the
/// schedule row with its description, devices and times.
pub(crate) async fn get_downtime_schedule(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.opt("operation")?;
    let now = caller.inst.env.clock.now_ms();
    let list = schedules(&caller)?;
    let chosen: Vec<&DowntimeSchedule> = list
        .iter()
        .filter(|s| name.is_none_or(|n| s.name == n))
        .collect();
    if let (Some(n), true) = (name, chosen.is_empty()) {
        return Err(OpmError::Unknown("Downtime schedule", n.to_owned()));
    }
    let rows: Vec<Value> = chosen
        .iter()
        .map(|s| {
            let mut row = schedule_row(s, now);
            if let Some(map) = row.as_object_mut() {
                map.insert("description".into(), json!(s.description));
                map.insert("devices".into(), json!(s.devices));
                map.insert("startTime".into(), json!(schedule_time(ms(&s.start))));
                map.insert("endTime".into(), json!(schedule_time(ms(&s.end))));
            }
            row
        })
        .collect();
    Reply::json(rows)
}

/// `yyyy-mm-dd hh:mm` as epoch ms.
fn minute_time(params: &Params, name: &str) -> Result<Option<i64>, OpmError> {
    params
        .opt(name)?
        .map(|t| {
            wire::parse_day_time(&format!("{t}:00"))
                .ok_or_else(|| OpmError::Pattern(name.to_owned()))
        })
        .transpose()
}

/// The devices a schedule's selection names (`selectDevicesMethod` with its list).
fn selected_devices(net: &Network, params: &Params) -> Result<Option<Vec<String>>, OpmError> {
    let Some(method) = params.opt("selectDevicesMethod")? else {
        return Ok(None);
    };
    let (param, pick): (&str, fn(&Device, &str) -> bool) = match method {
        "Device" => ("selectedDevices", |d, v| d.device_name == v),
        "Category" => ("selectedCateg", |d, v| d.category.eq_ignore_ascii_case(v)),
        "BV" | "GROUP" => (
            if method == "BV" {
                "selectedBV"
            } else {
                "selectedLogicalGroup"
            },
            |d, v| d.groups.iter().any(|g| g == v),
        ),
        _ => return Err(OpmError::Pattern("selectDevicesMethod".into())),
    };
    let list = params
        .text(param, 4000)?
        .ok_or_else(|| OpmError::Mandatory(param.to_owned()))?;
    let values: Vec<&str> = list.split(',').map(str::trim).collect();
    if method == "Device" {
        for v in &values {
            net.device(v)?;
        }
    }
    Ok(Some(
        net.devices
            .iter()
            .filter(|d| values.iter().any(|v| pick(d, v)))
            .map(|d| d.device_name.clone())
            .collect(),
    ))
}

/// `POST /api/json/admin/updateDowntimeSchedule` (`scheduleId` or `MS_INSTANCEID`*, and the
/// fields to change): answers the schedule list after the change.
pub(crate) async fn update_downtime_schedule(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    if caller.user.role != Role::Administrator {
        return Err(OpmError::NotAuthorized(caller.user.name.clone()));
    }
    let id = match (params.int("scheduleId")?, params.int("MS_INSTANCEID")?) {
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) => return Err(OpmError::Mandatory("scheduleId".into())),
    };
    let enabled = match params.int("status")? {
        None => None,
        Some(1) => Some(true),
        Some(0) => Some(false),
        Some(_) => return Err(OpmError::Range("status".into(), 0, 1)),
    };
    let recurrence = match params.opt("recurrence")? {
        None => None,
        Some("OnceOnly") => Some(Recurrence::OnceOnly),
        Some("Daily") => Some(Recurrence::Daily),
        Some("Weekly") => Some(Recurrence::Weekly),
        Some("Monthly") => Some(Recurrence::Monthly),
        Some(_) => return Err(OpmError::Pattern("recurrence".into())),
    };
    let (start, end) = (
        minute_time(&params, "once_startat")?,
        minute_time(&params, "once_endat")?,
    );
    let net = Network::read(&caller.inst)?;
    let devices = selected_devices(&net, &params)?;
    let name = params.text("scheduleName", 100)?;
    let description = params.opt("scheduleDesc")?;
    caller.inst.store.write(|tx| {
        let mut s: DowntimeSchedule = store::get(tx, &format!("{id:012}"))?
            .ok_or_else(|| OpmError::Unknown("Downtime schedule", id.to_string()))?;
        if let Some(n) = name {
            s.name = n.to_owned();
        }
        if let Some(d) = description {
            s.description = d.to_owned();
        }
        s.enabled = enabled.unwrap_or(s.enabled);
        s.recurrence = recurrence.unwrap_or(s.recurrence);
        if let Some(list) = &devices {
            s.devices = list.clone();
        }
        if let Some(t) = start {
            s.start = rfc3339_ms(t);
        }
        if let Some(t) = end {
            s.end = rfc3339_ms(t);
        }
        if ms(&s.end) <= ms(&s.start) {
            return Err(OpmError::Pattern("once_endat".into()));
        }
        store::put(tx, &s)?;
        Ok::<_, OpmError>(())
    })?;
    list_downtime_schedules(caller, params).await
}

/// `GET /api/json/alarm/getTopDevicesByAlarms` (`eventType`*: an alarm event type such as
/// `Threshold`, or `All`): devices by their number of such alarms, most first.
pub(crate) async fn get_top_devices_by_alarms(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let event_type = params.required("eventType")?;
    let net = Network::read(&caller.inst)?;
    let mut rows: Vec<(&Device, usize)> = net
        .devices
        .iter()
        .map(|d| {
            let n = net
                .alarms
                .iter()
                .filter(|a| a.device_name == d.device_name)
                .filter(|a| {
                    event_type.eq_ignore_ascii_case("All")
                        || a.event_type.eq_ignore_ascii_case(event_type)
                })
                .count();
            (d, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    rows.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let body: Vec<Value> = rows
        .into_iter()
        .take(10)
        .map(|(d, n)| {
            json!({
                "ipaddress": d.ip_address,
                "moname": d.device_name,
                "devicename": d.display_name,
                "alarmcount": n,
                "type": d.device_type,
                "category": d.category,
                "mapname": format!("{}_Map.netmap", display_category(&d.category)),
                "status": net.status(d),
            })
        })
        .collect();
    Reply::json(body)
}

/// The plural category name of the vendor's maps (`Servers`, `Switches`).
pub(crate) fn display_category(category: &str) -> String {
    match category {
        "Switch" => "Switches".into(),
        "Wireless" | "Storage" | "UPS" | "Unknown" => category.into(),
        c if c.ends_with('s') => c.into(),
        c => format!("{c}s"),
    }
}

/// The device categories OpManager ships (key: internal name, value: display name), as in
/// the vendor's getCategoryList sample, plus any other category the network's devices use.
const CATEGORIES: [(&str, &str); 29] = [
    ("Wireless", "Wireless"),
    ("Server", "Server"),
    ("UCS", "UCS"),
    ("WirelessLANController", "Wireless LAN Controller"),
    ("DomainController", "DomainController"),
    ("Printer", "Printer"),
    ("IoT", "IoT"),
    ("MerakiRadio", "Meraki Radio"),
    ("Unknown", "Unknown"),
    ("MerakiCellularGateway", "Meraki Cellular Gateway"),
    ("UPS", "UPS"),
    ("WirelessAccessPoint", "Wireless Access Point"),
    ("MerakiVision", "Meraki Vision"),
    ("SDN", "SDN"),
    ("TapeLibrary", "TapeLibrary"),
    ("PDU", "PDU"),
    ("IPMI", "IPMI"),
    ("MerakiSwitch", "Meraki Switch"),
    ("FCSwitch", "FCSwitch"),
    ("LoadBalancer", "Load Balancer"),
    ("Router", "Router"),
    ("RAID", "RAID"),
    ("Firewall", "Firewall"),
    ("Storage", "Storage"),
    ("Desktop", "Desktop"),
    ("Switch", "Switch"),
    ("MerakiController", "Meraki Controller"),
    ("MerakiSecurity", "Meraki Security"),
    ("WANAccelerator", "WAN Accelerator"),
];

/// `POST /api/json/device/getCategoryList`.
pub(crate) async fn get_category_list(caller: Caller, _params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let mut body = Map::new();
    for (key, label) in CATEGORIES {
        body.insert(key.into(), json!(label));
    }
    for d in &net.devices {
        let key: String = d.category.chars().filter(|c| !c.is_whitespace()).collect();
        body.entry(key).or_insert_with(|| json!(d.category));
    }
    Reply::json(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_counts_only_the_down_part_of_a_window() {
        assert_eq!(uptime(0, 100, None), 100.0);
        assert_eq!(uptime(0, 100, Some(50)), 50.0);
        assert_eq!(uptime(0, 100, Some(-10)), 0.0);
        assert_eq!(uptime(0, 100, Some(200)), 100.0);
    }
}
