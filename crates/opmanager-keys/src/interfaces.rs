//! Interface APIs: getInterfaces (one device's interfaces) and listInterfaces (all of them,
//! paged), in the vendor's shapes. standin models no traffic counters, so traffic and error
//! figures are zero.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::paging;
use crate::request::Params;
use crate::state::network::{sample, Network};
use crate::state::{Device, Interface};
use crate::wire;
use crate::wire::Reply;
use serde_json::{json, Value};

/// The IANA ifType number of an interface type name (for the vendor's image paths).
fn if_type_number(if_type: &str) -> u32 {
    match if_type {
        "Ethernet" => 6,
        "PPP" => 23,
        "Software Loopback" => 24,
        "Propvirtual" => 53,
        "Tunnel" => 131,
        _ => 1,
    }
}

/// A speed the vendor's way: `1 G` (short) or `1 Gbps` (long).
pub fn speed(bps: i64, long: bool) -> String {
    let (value, unit) = match bps {
        b if b >= 1_000_000_000 => (b as f64 / 1e9, "G"),
        b if b >= 1_000_000 => (b as f64 / 1e6, "M"),
        b if b >= 1_000 => (b as f64 / 1e3, "K"),
        b => (b as f64, ""),
    };
    let number = format!("{:.3}", value)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_owned();
    match (long, unit) {
        (true, unit) => format!("{number} {unit}bps"),
        (false, "") => number,
        (false, unit) => format!("{number} {unit}"),
    }
}

/// The display name cut to 24 characters, as the vendor's `trimmedDispName`.
fn trimmed(name: &str) -> String {
    if name.chars().count() > 24 {
        format!("{}...", name.chars().take(24).collect::<String>())
    } else {
        name.to_owned()
    }
}

/// The status colour of the vendor's maps ([GUESS] for the non-Clear ones).
fn bg_color(status: u8) -> &'static str {
    match status {
        1 => "ff0000",
        2 => "ff9900",
        3 => "ffff00",
        4 => "ff00ff",
        7 => "cccccc",
        _ => "00ff00",
    }
}

/// SNMP ifOperStatus: 2 (down) for a Critical interface, else 1 (up).
fn oper_status(f: &Interface) -> u8 {
    if f.status == 1 {
        2
    } else {
        1
    }
}

/// A getInterfaces entry (vendor sample keys).
fn get_interfaces_row(f: &Interface) -> Value {
    let status = wire::severity_name(f.status);
    json!({
        "ifIndex": f.if_index.to_string(),
        "ifAdminStatus": "1",
        "ifIndexNum": f.if_index,
        "statusStr": status,
        "ifType": f.if_type,
        "displayName": f.display_name,
        "imagePath": format!("/apiclient/ember/images/intfTypes/ifType{}.gif", if_type_number(&f.if_type)),
        "RouterPortType": "",
        "trimmedDispName": trimmed(&f.display_name),
        "outSpeed": speed(f.speed_bps, false),
        "inSpeed": speed(f.speed_bps, false),
        "type": "Interface",
        "moid": f.moid.to_string(),
        "outTraffic": "0 (0.0%)",
        "nfEnabled": "false",
        "statusNum": f.status.to_string(),
        "bgColor": bg_color(f.status),
        "inTraffic": "0 (0.0%)",
        "isSubInterface": "false",
        "statusString": status,
        "name": f.name,
        "ifOperStatus": oper_status(f).to_string(),
        "errors": "0",
        "status": f.status.to_string(),
    })
}

fn get_interfaces_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    let net = Network::read(&call.inst)?;
    let d = net.device(params.required("name")?)?;
    let list: Vec<&Interface> = net.interfaces_of(d).collect();
    let down = list.iter().filter(|f| oper_status(f) == 2).count();
    Ok(json!({
        "downCount": down.to_string(),
        "interfaces": list.iter().map(|f| get_interfaces_row(f)).collect::<Vec<_>>(),
        "interfaceCount": list.len().to_string(),
    }))
}

/// `GET /api/json/device/getInterfaces` (`name`*).
pub(crate) async fn get_interfaces(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(get_interfaces_body(&caller, &params)?)
}

/// The extra properties listInterfaces' `intfProps` may ask for.
const INTF_PROPS: [&str; 3] = ["ifName", "moid", "physAddress"];

/// A listInterfaces row (vendor sample keys), with the asked-for `intfProps`.
fn list_row(f: &Interface, device: Option<&Device>, props: &[&str]) -> Value {
    let oper = if oper_status(f) == 2 { "Down" } else { "Up" };
    let mut row = json!({
        "interfaceDisplayName": f.display_name,
        "statusStr": wire::severity_name(f.status),
        "displayName": device.map_or(f.device_name.as_str(), |d| d.display_name.as_str()),
        "ipAddress": f.ip_address,
        "outSpeed": speed(f.speed_bps, true),
        "inSpeed": speed(f.speed_bps, true),
        "type": f.if_type,
        "deviceName": f.device_name,
        "interfaceStatus": f.status,
        "statusNum": f.status,
        "adminStatus": "Up",
        "operStatus": oper,
        "id": f.moid.to_string(),
        "interfaceName": f.name,
    });
    if let Some(map) = row.as_object_mut() {
        for prop in props {
            let value = match *prop {
                "ifName" => json!(f.display_name.split('-').next().unwrap_or_default()),
                "moid" => json!(f.moid.to_string()),
                _ => json!(f.mac_address),
            };
            map.insert((*prop).to_owned(), value);
        }
    }
    row
}

/// Sortable listInterfaces columns (vendor doc: inSpeed, displayName, ipaddress, outSpeed,
/// statusNum, ...).
const LIST_COLUMNS: [&str; 10] = [
    "inSpeed",
    "outSpeed",
    "displayName",
    "interfaceDisplayName",
    "interfaceName",
    "ipAddress",
    "statusNum",
    "statusStr",
    "type",
    "deviceName",
];

fn list_interfaces_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    let p = &params;
    let severity = p
        .opt("severity")?
        .map(|s| wire::parse_severity(s).ok_or_else(|| OpmError::Pattern("severity".into())))
        .transpose()?;
    let if_type = p.opt("type")?;
    let props: Vec<&str> = match p.opt("intfProps")? {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .map(|x| {
                INTF_PROPS
                    .iter()
                    .copied()
                    .find(|known| known.eq_ignore_ascii_case(x))
                    .ok_or_else(|| OpmError::Pattern("intfProps".into()))
            })
            .collect::<Result<_, _>>()?,
    };
    let net = Network::read(&call.inst)?;
    let rows = net
        .interfaces
        .iter()
        .filter(|f| severity.is_none_or(|s| f.status == s))
        .filter(|f| if_type.is_none_or(|t| t.eq_ignore_ascii_case(&f.if_type)))
        .map(|f| list_row(f, net.device(&f.device_name).ok(), &props))
        .collect();
    let mut body = paging::page(rows, p, &LIST_COLUMNS)?;
    // listInterfaces gives its counters as strings, unlike listDevices.
    if let Some(map) = body.as_object_mut() {
        for key in ["total", "records", "page"] {
            if let Some(value) = map.get_mut(key) {
                *value = json!(value.to_string());
            }
        }
    }
    Ok(body)
}

/// `GET /api/json/device/listInterfaces`.
pub(crate) async fn list_interfaces(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(list_interfaces_body(&caller, &params)?)
}

/// The interface named `interfaceName` (or `InterfaceName`, as getIntfAtAGlanceReportDetails spells it).
fn find_interface<'n>(
    net: &'n Network,
    params: &Params,
    param: &str,
) -> Result<&'n Interface, OpmError> {
    let name = params.required(param)?;
    net.interfaces
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| OpmError::UnknownInterface(name.to_owned()))
}

/// An interface's base utilisation in percent (5..40, fixed per interface name).
fn base_util(f: &Interface) -> f64 {
    let h = f.name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    5.0 + (h % 36) as f64
}

/// The interface's in or out traffic in bits per second at `t` (0 while it is down).
fn traffic(f: &Interface, dir: &str, t: i64) -> f64 {
    if oper_status(f) == 2 {
        return 0.0;
    }
    let util = sample(&format!("{}/{dir}", f.name), base_util(f), t, true);
    (f.speed_bps as f64 * util / 100.0).round()
}

/// Hourly points of `[from, to)` (at most two months), then `to` itself.
fn points(from: i64, to: i64) -> Vec<i64> {
    let hour = 3_600_000;
    let mut out: Vec<i64> = (0..)
        .map(|i| from - from.rem_euclid(hour) + i * hour)
        .take_while(|t| *t < to)
        .take(24 * 62)
        .collect();
    out.push(to);
    out
}

/// `61.616 M`: a quantity with a unit prefix.
fn short(v: f64) -> String {
    let (x, unit) = match v {
        v if v >= 1e9 => (v / 1e9, " G"),
        v if v >= 1e6 => (v / 1e6, " M"),
        v if v >= 1e3 => (v / 1e3, " K"),
        v => (v, ""),
    };
    format!("{}{unit}", (x * 1000.0).floor() / 1000.0)
}

/// The vendor's consolidated statistics of a series.
fn consolidated(name: &str, series: &[(i64, f64)]) -> Value {
    let mut sorted: Vec<(i64, f64)> = series.to_vec();
    sorted.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
    let (min_t, min) = sorted.first().copied().unwrap_or((0, 0.0));
    let (max_t, max) = sorted.last().copied().unwrap_or((0, 0.0));
    let cur = series.last().map_or(0.0, |p| p.1);
    let avg = series.iter().map(|p| p.1).sum::<f64>() / series.len().max(1) as f64;
    let p95 = sorted
        .get((sorted.len() * 95 / 100).min(sorted.len().saturating_sub(1)))
        .map_or(0.0, |p| p.1);
    json!({
        "95thpercentileValue": short(p95),
        "minCollectionTime": min_t.to_string(),
        "maxVal": short(max),
        "currVal": short(cur),
        "minVal": short(min),
        "seriesName": name,
        "95thpercRawVal": format!("{p95}"),
        "avgVal": short(avg),
        "95thperc": short(p95),
        "maxCollectionTime": max_t.to_string(),
        "95thpercVal": format!("{p95}"),
    })
}

fn graph(series: &[(i64, f64)]) -> Vec<Value> {
    series
        .iter()
        .map(|(t, v)| json!([t, v, short(*v)]))
        .collect()
}

fn details(net: &Network, f: &Interface) -> Value {
    let parent = net
        .device(&f.device_name)
        .map_or(f.device_name.as_str(), |d| d.display_name.as_str());
    json!({
        "Parent Name": parent,
        "IfDescr": f.display_name.split('-').next().unwrap_or_default(),
        "IfIndex": f.if_index.to_string(),
        "IfAlias": f.custom_fields.get("Comments").map_or("-", String::as_str),
        "IfName": f.display_name.rsplit('-').next().unwrap_or_default(),
        "Circuit ID": f.custom_fields.get("Circuit ID").map_or("-", String::as_str),
    })
}

/// The report window of `period` (default `Today`), up to now.
fn report_window(net: &Network, params: &Params, required: bool) -> Result<(i64, i64), OpmError> {
    let period = if required {
        params.required("period")?
    } else {
        params.opt("period")?.unwrap_or("Today")
    };
    let (from, to) = crate::events::period_window(params, period, net.now_ms)?;
    Ok((from, to.min(net.now_ms)))
}

fn series(f: &Interface, dir: &str, from: i64, to: i64) -> Vec<(i64, f64)> {
    points(from, to)
        .into_iter()
        .map(|t| (t, traffic(f, dir, t)))
        .collect()
}

/// `GET /api/json/device/getInterfaceSummary` (`interfaceName`*): the interface's snapshot
/// summary, with traffic and utilisation at the clock's now.
pub(crate) async fn get_interface_summary(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let f = find_interface(&net, &params, "interfaceName")?;
    let now = net.now_ms;
    let (rx, tx) = (traffic(f, "in", now), traffic(f, "out", now));
    let util = |v: f64| {
        format!(
            "{}",
            ((v * 10_000.0 / f.speed_bps.max(1) as f64).round()) / 100.0
        )
    };
    let up = oper_status(f) == 1;
    let parent = net.device(&f.device_name).ok();
    Reply::json(json!({
        "NFA_ID": "",
        "recBandwidth": speed(f.speed_bps, false),
        "transBandwidth": speed(f.speed_bps, false),
        "IntfIpaddress": f.ip_address,
        "isIPAvailable": !f.ip_address.is_empty(),
        "instance": f.if_index.to_string(),
        "displayName": parent.map_or(f.device_name.as_str(), |d| d.display_name.as_str()),
        "intfDisplayName": f.display_name,
        "name": f.name,
        "moID": f.moid.to_string(),
        "Util": util(rx + tx),
        "rxUtil": util(rx),
        "txUtil": util(tx),
        "inTraffic": short(rx),
        "outTraffic": short(tx),
        "inSpeedDisplayValue": speed(f.speed_bps, true),
        "outSpeedDisplayValue": speed(f.speed_bps, true),
        "ifSpeedIn": f.speed_bps.to_string(),
        "ifSpeedOut": f.speed_bps.to_string(),
        "typeId": if_type_number(&f.if_type).to_string(),
        "typeIdDescr": format!("{} ({})", f.if_type, if_type_number(&f.if_type)),
        "ifPhysAddr": f.mac_address,
        "operState": if up { "Up" } else { "Down" },
        "adminState": "Up",
        "ifOperStatus": oper_status(f).to_string(),
        "ifAdminStatus": "1",
        "operStateImg": format!("<img alt=\"\" src=\"/webclient/devices/images/status{}.gif\" border=\"0\" align=\"absMiddle\">", f.status),
        "status": f.status.to_string(),
        "stringStatus": wire::severity_name(f.status),
        "isSubInterface": "false",
        "managed": (f.status != 7).to_string(),
        "availability": {
            "Down": if up { 0 } else { 100 }, "Dependent Unavailable": 0, "On Hold": 0,
            "Not Monitored": 0, "Parent Down": 0, "On Maintenance": 0, "Up": if up { 100 } else { 0 },
        },
        "avgInPackets": "0",
        "avgOutPackets": "0",
        "Errors": "0",
        "Discards": "0",
    }))
}

/// The interface notes' custom fields: (id, alias, name, description, length), as the
/// vendor's getInterfaceNotes sample lists them.
const INTERFACE_FIELDS: [(&str, &str, &str, &str, i64); 5] = [
    ("16", "UDF1", "Circuit ID", "Circuit ID", 250),
    (
        "20",
        "UDF5",
        "Comments",
        "Any comments about the interface",
        800,
    ),
    ("21", "UDF3", "Contact Name", "Contact person", 100),
    ("18", "UDF2", "SLA", "SLA related details", 250),
    ("22", "UDF4", "Telephone Number", "Contact number", 100),
];

/// `GET /api/json/device/getInterfaceNotes` (`interfaceName`*): the custom fields, with the
/// interface's value as `FIELDVALUE`.
pub(crate) async fn get_interface_notes(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let f = find_interface(&net, &params, "interfaceName")?;
    let rows: Vec<Value> = INTERFACE_FIELDS
        .iter()
        .map(|(id, alias, name, description, length)| {
            json!({
                "CUSTOMFIELDID": id,
                "DATATYPE": "Text",
                "DESCRIPTION": description,
                "FIELDNAME": name,
                "ALIASNAME": alias,
                "FIELDLENGTH": length,
                "FIELDVALUE": f.custom_fields.get(*name).cloned().unwrap_or_default(),
            })
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/device/getInterfaceGraphs` (`interfaceName`*, `graphName` `traffic`
/// (default) or `utilization`, `period`): hourly Rx/Tx/Total series and their statistics.
pub(crate) async fn get_interface_graphs(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let f = find_interface(&net, &params, "interfaceName")?;
    let graph_name = params.opt("graphName")?.unwrap_or("traffic");
    params.opt("isFluidic")?;
    let (from, to) = report_window(&net, &params, false)?;
    let (rx, tx) = (series(f, "in", from, to), series(f, "out", from, to));
    let scale = |s: &[(i64, f64)], util: bool| -> Vec<(i64, f64)> {
        s.iter()
            .map(|(t, v)| {
                let v = if util {
                    (v * 10_000.0 / f.speed_bps.max(1) as f64).round() / 100.0
                } else {
                    *v
                };
                (*t, v)
            })
            .collect()
    };
    let (title, y, util) = match graph_name {
        "traffic" => ("Traffic", "bps", false),
        "utilization" => ("Utilization", "Percentage", true),
        _ => return Err(OpmError::Pattern("graphName".into())),
    };
    let rx = scale(&rx, util);
    let tx = scale(&tx, util);
    let total: Vec<(i64, f64)> = rx.iter().zip(&tx).map(|(a, b)| (a.0, a.1 + b.1)).collect();
    let names = ["Rx", "Tx", "Total"].map(|n| format!("{n} {title}"));
    let mut consolidated_values = serde_json::Map::new();
    for (name, s) in names.iter().zip([&rx, &tx, &total]) {
        consolidated_values.insert(name.clone(), consolidated(name, s));
    }
    Reply::json(json!({
        "interfaceDetails": details(&net, f),
        "displayName": title,
        "consolidatedValues": consolidated_values,
        "seriesNames": names,
        "xyTitles": ["Time", y],
        "suffix": "",
        "graphData": names.iter().zip([&rx, &tx, &total]).map(|(n, s)| json!({"seriesname": n, "data": graph(s)})).collect::<Vec<_>>(),
    }))
}

/// `GET /api/json/v2/device/getIntfAtAGlanceReportDetails` (`InterfaceName`*, `period`*).
pub(crate) async fn get_intf_at_a_glance_report_details(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let f = find_interface(&net, &params, "InterfaceName")?;
    let (from, to) = report_window(&net, &params, true)?;
    let (rx, tx) = (series(f, "in", from, to), series(f, "out", from, to));
    let pct = |s: &[(i64, f64)]| -> Vec<(i64, f64)> {
        s.iter()
            .map(|(t, v)| {
                (
                    *t,
                    (v * 10_000.0 / f.speed_bps.max(1) as f64).round() / 100.0,
                )
            })
            .collect()
    };
    let zero: Vec<(i64, f64)> = rx.iter().map(|(t, _)| (*t, 0.0)).collect();
    let one = |name: &str, s: &[(i64, f64)], y: &str| json!({"seriesname": name, "data": graph(s), "xyTitles": ["Time", y], "yaxiscolumnorder": [0], "suffix": ""});
    let bytes = |s: &[(i64, f64)]| -> Vec<(i64, f64)> {
        s.iter().map(|(t, v)| (*t, (v / 8.0).round())).collect()
    };
    let total: Vec<(i64, f64)> = pct(&rx)
        .iter()
        .zip(pct(&tx))
        .map(|(a, b)| (a.0, a.1 + b.1))
        .collect();
    let mut d = details(&net, f);
    if let Some(map) = d.as_object_mut() {
        map.insert("Receive Bandwidth".into(), json!(speed(f.speed_bps, true)));
        map.insert("Transmit Bandwidth".into(), json!(speed(f.speed_bps, true)));
    }
    Reply::json(json!({
        "intfDisplayName": f.display_name,
        "InterfaceCategory": if f.if_type == "PPP" { "WAN" } else { "LAN" },
        "Details": d,
        "repType": 7,
        "graphData": {
            "Errors": [one("inErrors", &zero, "Errors/sec"), one("outErrors", &zero, "Errors/sec")],
            "Discards": [one("inDiscards", &zero, "Discards/sec"), one("outDiscards", &zero, "Discards/sec")],
            "Unicast": [one("broadcast", &zero, "%"), one("unicast", &zero, "%")],
            "inTraffic": [one("inTraffic", &rx, "bps")],
            "outTraffic": [one("outTraffic", &tx, "bps")],
            "inBytes": [one("inBytes", &bytes(&rx), "Bytes/sec")],
            "outBytes": [one("outBytes", &bytes(&tx), "Bytes/sec")],
            "inFrames": [one("inFrames", &zero, "Frames/sec")],
            "outFrames": [one("outFrames", &zero, "Frames/sec")],
            "inUtilization": [one("inUtilization", &pct(&rx), "Percentage")],
            "outUtilization": [one("outUtilization", &pct(&tx), "Percentage")],
            "totalUtilization": [one("totalUtilization", &total, "Percentage")],
        },
    }))
}

/// `GET /api/json/v2/device/getIntfBWOutageReportDetails` (`interfaceName`*, `period`*):
/// traffic against bandwidth with the 95th percentile lines, and availability.
pub(crate) async fn get_intf_bw_outage_report_details(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let f = find_interface(&net, &params, "interfaceName")?;
    let (from, to) = report_window(&net, &params, true)?;
    let (rx, tx) = (series(f, "in", from, to), series(f, "out", from, to));
    let total: Vec<(i64, f64)> = rx.iter().zip(&tx).map(|(a, b)| (a.0, a.1 + b.1)).collect();
    let mut chart = Vec::new();
    let mut values = serde_json::Map::new();
    let mut names = Vec::new();
    for (name, s) in [("OutTraffic", &tx), ("Total", &total), ("InTraffic", &rx)] {
        let stats = consolidated(name, s);
        let p95: f64 = stats["95thpercRawVal"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        let line: Vec<(i64, f64)> = s.iter().map(|(t, _)| (*t, p95)).collect();
        chart.push(json!({"seriesname": name, "isRaw": true, "data": graph(s), "xyTitles": ["Time", "Bits per Second"]}));
        chart.push(json!({"seriesname": format!("{name}-95th"), "data": graph(&line), "xyTitles": ["Time", "Bits per Second"]}));
        values.insert(name.into(), stats);
        names.push(name.to_owned());
        names.push(format!("{name}-95th"));
    }
    let up = oper_status(f) == 1;
    Reply::json(json!({
        "InSpeed": speed(f.speed_bps, true),
        "OutSpeed": speed(f.speed_bps, true),
        "IfDesc": f.display_name.split('-').next().unwrap_or_default(),
        "IfName": f.display_name.rsplit('-').next().unwrap_or_default(),
        "IfAlias": "-",
        "IfIndex": f.if_index.to_string(),
        "CircuitID": f.custom_fields.get("Circuit ID").map_or("-", String::as_str),
        "InterfaceDisplayName": f.display_name,
        "InterfaceName": f.name,
        "name": f.name,
        "deviceName": f.device_name,
        "interfaceDetails": details(&net, f),
        "repType": 9,
        "consolidatedValues": values,
        "seriesNames": names,
        "bwChartData": chart,
        "availData": {"Up": if up { 100 } else { 0 }, "Down": if up { 0 } else { 100 }},
        "suffix": "",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_and_names_are_shown_the_vendor_way() {
        assert_eq!(speed(1_000_000_000, false), "1 G");
        assert_eq!(speed(8_000_000_000, true), "8 Gbps");
        assert_eq!(speed(2_048_000, true), "2.048 Mbps");
        assert_eq!(speed(1, true), "1 bps");
        assert_eq!(
            trimmed("Backplane-GigabitEthernet0/3-Ba0/3"),
            "Backplane-GigabitEtherne..."
        );
        assert_eq!(
            trimmed("GigabitEthernet0/2-Gi0/2"),
            "GigabitEthernet0/2-Gi0/2"
        );
    }
}
