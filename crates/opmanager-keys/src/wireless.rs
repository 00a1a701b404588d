//! Wireless APIs (vendor page "OpManager Plus REST API", group Wireless):
//! getWirelessNetworkDetails, getWirelessAPList, getSSIDClientList, getClientDetails, over
//! the state's `wireless` inventory (access points, SSIDs and clients of the controllers).
//! Traffic is each client's typical rate sampled at the clock's now.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::{sample, Network};
use crate::state::{Wireless, WirelessClient};
use crate::store;
use crate::wire::{self, Reply};
use serde_json::{json, Value};

/// The controller named by `deviceName` (a Wireless device) and the inventory.
fn controller(caller: &Caller, params: &Params) -> Result<(String, Wireless, i64), OpmError> {
    let name = params.required("deviceName")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    if d.category != "Wireless" {
        return Err(OpmError::Pattern("deviceName".into()));
    }
    let inv: Wireless = caller
        .inst
        .store
        .read(|c| store::get::<Wireless>(c, "inventory"))?
        .unwrap_or_default();
    Ok((d.device_name.clone(), inv, net.now_ms))
}

/// `28.156 MBps`.
fn rate(bytes: f64) -> String {
    format!("{:.3} MBps", bytes / 1e6)
}

fn traffic(clients: &[&WirelessClient], now: i64) -> f64 {
    clients
        .iter()
        .map(|c| sample(&c.mac_address, c.bytes_per_sec, now, false))
        .sum()
}

/// `GET /api/json/wireless/getWirelessNetworkDetails` (`deviceName`*): per SSID, its
/// clients, access points and traffic.
pub(crate) async fn get_wireless_network_details(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let (name, inv, now) = controller(&caller, &params)?;
    let rows: Vec<Value> = inv
        .ssids
        .iter()
        .filter(|s| s.controller == name)
        .map(|s| {
            let clients: Vec<&WirelessClient> =
                inv.clients.iter().filter(|c| c.ssid == s.name).collect();
            let mut aps: Vec<&str> = clients.iter().map(|c| c.ap.as_str()).collect();
            aps.sort_unstable();
            aps.dedup();
            json!({
                "ClientCount": clients.len().to_string(),
                "TotalBytes": rate(traffic(&clients, now)),
                "SSIDName": s.name,
                "APCount": aps.len().to_string(),
            })
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/wireless/getWirelessAPList` (`deviceName`*).
pub(crate) async fn get_wireless_ap_list(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let (name, inv, _) = controller(&caller, &params)?;
    let rows: Vec<Value> = inv
        .access_points
        .iter()
        .filter(|a| a.controller == name)
        .map(|a| {
            let status = if a.advanced { a.status } else { 7 };
            json!({
                "macAddress": a.mac_address,
                "channels": a.channels,
                "statusStr": if status == 7 { "Not Monitored" } else { wire::severity_name(status) },
                "ipAddress": a.ip_address,
                "apDisplayName": a.name,
                "advanceMonitoringEnabled": a.advanced.to_string(),
                "apName": format!("ap-{}-{}", a.ip_address, a.mac_address.replace(':', ".")),
                "statusNum": status.to_string(),
            })
        })
        .collect();
    Reply::json(rows)
}

/// `GET /api/json/wireless/getSSIDClientList` (`deviceName`*): clients per SSID.
pub(crate) async fn get_ssid_client_list(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let (name, inv, _) = controller(&caller, &params)?;
    let mut total = 0;
    let rows: Vec<Value> = inv
        .ssids
        .iter()
        .filter(|s| s.controller == name)
        .map(|s| {
            let n = inv.clients.iter().filter(|c| c.ssid == s.name).count();
            total += n;
            json!({"displayName": s.name, "ClientCount": n.to_string()})
        })
        .collect();
    Reply::json(json!({"clientData": rows, "clientCount": total}))
}

/// `GET /api/json/wireless/getClientDetails` (`deviceName`*, `ssidName`*): per access point,
/// the SSID's clients and traffic there.
pub(crate) async fn get_client_details(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let (name, inv, now) = controller(&caller, &params)?;
    let ssid = params.required("ssidName")?;
    if !inv
        .ssids
        .iter()
        .any(|s| s.name == ssid && s.controller == name)
    {
        return Err(OpmError::Unknown("SSID", ssid.to_owned()));
    }
    let rows: Vec<Value> = inv
        .access_points
        .iter()
        .filter(|a| a.controller == name)
        .filter_map(|a| {
            let clients: Vec<&WirelessClient> = inv
                .clients
                .iter()
                .filter(|c| c.ssid == ssid && c.ap == a.name)
                .collect();
            (!clients.is_empty()).then(|| {
                json!({
                    "ClientCount": clients.len().to_string(),
                    "TotalBytes": rate(traffic(&clients, now)),
                    "APMOName": format!("ap-{}-{}", a.ip_address, a.mac_address.replace(':', ".")),
                    "advanceMonitoringEnabled": a.advanced.to_string(),
                    "apName": a.name,
                })
            })
        })
        .collect();
    Reply::json(rows)
}
