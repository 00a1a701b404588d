//! Interface APIs: getInterfaces (one device's interfaces) and listInterfaces (all of them,
//! paged), in the vendor's shapes. standin models no traffic counters, so traffic and error
//! figures are zero.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::paging;
use crate::request::Params;
use crate::state::network::Network;
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
