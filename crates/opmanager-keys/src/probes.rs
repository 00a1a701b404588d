//! listProbes: the probe servers of an Enterprise-edition central server, in the vendor
//! sample's shape; `deviceCount` is counted from the devices' `probe`.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::{Device, Probe};
use crate::store;
use crate::wire::Reply;
use crate::wire::{self, ms};
use serde_json::{json, Value};

/// A listProbes entry (vendor sample keys).
fn probe_row(p: &Probe, device_count: usize) -> Value {
    let severity: u8 = if p.connected { 5 } else { 1 };
    json!({
        "severity": severity.to_string(),
        "serverMode": "PRIMARY",
        "serverStatus": if p.connected { "Server running" } else { "Server down" },
        "contactEmail": p.contact_email,
        "deviceCount": device_count.to_string(),
        "natProtocol": p.nat_protocol,
        "probeID": p.probe_id.to_string(),
        "isConnected": p.connected.to_string(),
        "contactPerson": p.contact_person,
        "statusImg": format!("images/status{severity}.gif"),
        "ipslaCount": "0",
        "lastContact": wire::display_time(ms(&p.last_contact)),
        "natName": p.nat_name,
        "name": p.name,
        "probeDisplayName": p.display_name,
        "ncmCount": "-1",
        "attr": {
            "deviceCount": {"rowspan": "1"},
            "name": {"rowspan": "1"},
            "lastContact": {"rowspan": "1"},
        },
        "natPort": p.nat_port.to_string(),
        "status": wire::severity_name(severity),
    })
}

fn list_probes_body(call: &Caller, _params: &Params) -> Result<Value, OpmError> {
    let (probes, devices) = call
        .inst
        .store
        .read(|c| Ok::<_, OpmError>((store::all::<Probe>(c)?, store::all::<Device>(c)?)))?;
    Ok(Value::Array(
        probes
            .iter()
            .map(|p| {
                let count = devices
                    .iter()
                    .filter(|d| d.probe.as_deref() == Some(p.name.as_str()))
                    .count();
                probe_row(p, count)
            })
            .collect(),
    ))
}

/// `GET /api/json/admin/listProbes`.
pub(crate) async fn list_probes(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(list_probes_body(&caller, &params)?)
}
