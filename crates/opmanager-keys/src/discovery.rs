//! The configuration URLs of the vendor's header-only list (help page "REST API": "should be
//! called with apiKey only via the request header"): addLinuxCredential, the discovery
//! profiles (v1 and v2), the NCM file imports, ipam/addSubnet, spm/addSwitch; and
//! listSubnets, which shows the added subnets with those of the devices' addresses.
//!
//! Their parameters are not in the REST reference; standin reads the few named here and
//! keeps what it is given in the state document. The NCM URLs take a file: standin reads
//! its content from the `file` parameter (query, form or JSON body; multipart bodies are
//! not parsed) and records its size, nothing else.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::Network;
use crate::state::{Credential, DiscoveryProfile, FileImport, SpmSwitch, Subnet};
use crate::store;
use crate::wire::{self, Reply};
use auth_core::clock::rfc3339_ms;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

fn done(message: &str) -> Result<Reply, OpmError> {
    Reply::json(json!({"result": {"message": message}}))
}

fn ipv4(params: &Params, name: &str) -> Result<Option<Ipv4Addr>, OpmError> {
    params
        .opt(name)?
        .map(|v| v.parse().map_err(|_| OpmError::Pattern(name.to_owned())))
        .transpose()
}

fn required_ipv4(params: &Params, name: &str) -> Result<Ipv4Addr, OpmError> {
    ipv4(params, name)?.ok_or_else(|| OpmError::Mandatory(name.to_owned()))
}

/// `POST /api/json/admin/addLinuxCredential` (header-only; administrators;
/// `credentialName`*, `userName`*, `password`* (checked, not stored), `protocol`
/// `SSH`/`Telnet`, `port`, `description`).
pub(crate) async fn add_linux_credential(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let name = params
        .text("credentialName", 100)?
        .ok_or_else(|| OpmError::Mandatory("credentialName".into()))?;
    let user = params.required("userName")?;
    params.required("password")?;
    let protocol = match params.opt("protocol")? {
        None => "SSH",
        Some(p) if p.eq_ignore_ascii_case("ssh") => "SSH",
        Some(p) if p.eq_ignore_ascii_case("telnet") => "Telnet",
        Some(_) => return Err(OpmError::Pattern("protocol".into())),
    };
    let port = params
        .int("port")?
        .unwrap_or(if protocol == "SSH" { 22 } else { 23 });
    if !(1..=65535).contains(&port) {
        return Err(OpmError::Range("port".into(), 1, 65535));
    }
    let credential = Credential {
        name: name.to_owned(),
        kind: "Linux".into(),
        user_name: user.to_owned(),
        protocol: protocol.into(),
        port,
        description: params.opt("description")?.unwrap_or_default().to_owned(),
    };
    if !caller
        .inst
        .store
        .write(|tx| store::insert_new(tx, &credential))?
    {
        return Err(OpmError::Exists("Credential", name.to_owned()));
    }
    done("Credential added successfully.")
}

/// The credential list of a profile: every name must exist.
fn credential_list(caller: &Caller, params: &Params) -> Result<Option<Vec<String>>, OpmError> {
    let Some(list) = params.text("credentials", 4000)? else {
        return Ok(None);
    };
    let known: Vec<Credential> = caller.inst.store.read(store::all)?;
    let names: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    for n in &names {
        if !known.iter().any(|c| &c.name == n) {
            return Err(OpmError::Unknown("Credential", n.clone()));
        }
    }
    Ok(Some(names))
}

/// `POST /api/json/discovery/addDiscoveryProfile` and `/api/json/v2/discovery/addDiscoveryProfile`
/// (header-only; administrators; `profileName`*, `startIp`*, `endIp`*, `credentials`).
pub(crate) async fn add_discovery_profile(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let name = params
        .text("profileName", 100)?
        .ok_or_else(|| OpmError::Mandatory("profileName".into()))?;
    let (start, end) = (
        required_ipv4(&params, "startIp")?,
        required_ipv4(&params, "endIp")?,
    );
    if end < start {
        return Err(OpmError::Pattern("endIp".into()));
    }
    let profile = DiscoveryProfile {
        name: name.to_owned(),
        start_ip: start.to_string(),
        end_ip: end.to_string(),
        credentials: credential_list(&caller, &params)?.unwrap_or_default(),
    };
    if !caller
        .inst
        .store
        .write(|tx| store::insert_new(tx, &profile))?
    {
        return Err(OpmError::Exists("Discovery profile", name.to_owned()));
    }
    done("Discovery profile added successfully.")
}

/// `POST /api/json/discovery/editDiscoveryProfile` and the v2 URL (header-only;
/// administrators; `profileName`* of an existing profile, then `startIp`, `endIp`,
/// `credentials`).
pub(crate) async fn edit_discovery_profile(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let name = params.required("profileName")?;
    let (start, end) = (ipv4(&params, "startIp")?, ipv4(&params, "endIp")?);
    let credentials = credential_list(&caller, &params)?;
    caller.inst.store.write(|tx| {
        let mut p: DiscoveryProfile = store::get(tx, name)?
            .ok_or_else(|| OpmError::Unknown("Discovery profile", name.to_owned()))?;
        if let Some(s) = start {
            p.start_ip = s.to_string();
        }
        if let Some(e) = end {
            p.end_ip = e.to_string();
        }
        if let Some(c) = &credentials {
            p.credentials = c.clone();
        }
        let (s, e): (Ipv4Addr, Ipv4Addr) = (
            p.start_ip
                .parse()
                .map_err(|_| OpmError::Pattern("startIp".into()))?,
            p.end_ip
                .parse()
                .map_err(|_| OpmError::Pattern("endIp".into()))?,
        );
        if e < s {
            return Err(OpmError::Pattern("endIp".into()));
        }
        store::put(tx, &p)?;
        Ok::<_, OpmError>(())
    })?;
    done("Discovery profile updated successfully.")
}

/// The NCM import and upload URLs (header-only; administrators; `file`* the file content,
/// `fileName`): the import is recorded with its size.
pub(crate) async fn import_file(
    caller: Caller,
    params: Params,
    req: actix_web::HttpRequest,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let content = params
        .get("file")
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| OpmError::Mandatory("file".into()))?;
    let file_name = params.opt("fileName")?.unwrap_or_default().to_owned();
    let operation = req.path().rsplit('/').next().unwrap_or_default().to_owned();
    let time = rfc3339_ms(caller.inst.env.clock.now_ms());
    caller.inst.store.write(|tx| {
        let all: Vec<FileImport> = store::all(tx)?;
        let import = FileImport {
            id: all.iter().map(|f| f.id).max().unwrap_or(0) + 1,
            operation,
            file_name,
            bytes: content.len(),
            lines: content.lines().filter(|l| !l.trim().is_empty()).count(),
            by: caller.user.name.clone(),
            time,
        };
        store::put(tx, &import)
    })?;
    done("File imported successfully.")
}

/// `POST /api/json/ipam/addSubnet` (header-only; administrators; `subnetAddress`*,
/// `netmask`*, `subnetName`): the address must be the network address of the mask.
pub(crate) async fn add_subnet(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let address = required_ipv4(&params, "subnetAddress")?;
    let mask = required_ipv4(&params, "netmask")?;
    let bits = u32::from(mask);
    if bits.leading_ones() + bits.trailing_zeros() != 32 {
        return Err(OpmError::Pattern("netmask".into()));
    }
    if u32::from(address) & bits != u32::from(address) {
        return Err(OpmError::Pattern("subnetAddress".into()));
    }
    let subnet = Subnet {
        address: address.to_string(),
        netmask: mask.to_string(),
        name: params
            .opt("subnetName")?
            .unwrap_or(&address.to_string())
            .to_owned(),
    };
    if !caller
        .inst
        .store
        .write(|tx| store::insert_new(tx, &subnet))?
    {
        return Err(OpmError::Exists("Subnet", address.to_string()));
    }
    done("Subnet added successfully.")
}

/// `POST /api/json/spm/addSwitch` (header-only; administrators; `deviceName`* of a Switch).
pub(crate) async fn add_switch(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let name = params.required("deviceName")?;
    let net = Network::read(&caller.inst)?;
    let d = net.device(name)?;
    if d.category != "Switch" {
        return Err(OpmError::Pattern("deviceName".into()));
    }
    let switch = SpmSwitch {
        device_name: d.device_name.clone(),
    };
    if !caller
        .inst
        .store
        .write(|tx| store::insert_new(tx, &switch))?
    {
        return Err(OpmError::Exists("Switch", name.to_owned()));
    }
    done("Switch added successfully.")
}

/// The probe id part of listSubnets' keys (a standalone server is probe 10000000001).
const PROBE_ID: &str = "10000000001";

/// `GET /api/json/device/listSubnets`: every subnet (the added ones, then the /24 of each
/// device address) with its devices counted per status.
pub(crate) async fn list_subnets(caller: Caller, _params: Params) -> Result<Reply, OpmError> {
    let added: Vec<Subnet> = caller.inst.store.read(store::all)?;
    let net = Network::read(&caller.inst)?;
    let mut subnets: Vec<(u32, u32, String)> = added
        .iter()
        .filter_map(|s| {
            let a: Ipv4Addr = s.address.parse().ok()?;
            let m: Ipv4Addr = s.netmask.parse().ok()?;
            Some((u32::from(a), u32::from(m), s.name.clone()))
        })
        .collect();
    for d in &net.devices {
        let Ok(ip) = d.ip_address.parse::<Ipv4Addr>() else {
            continue;
        };
        let covered = subnets.iter().any(|(a, m, _)| u32::from(ip) & m == *a);
        if !covered {
            let a = u32::from(ip) & 0xFFFF_FF00;
            subnets.push((a, 0xFFFF_FF00, Ipv4Addr::from(a).to_string()));
        }
    }
    let mut body = Map::new();
    for (address, mask, name) in subnets {
        let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
        for d in &net.devices {
            if let Ok(ip) = d.ip_address.parse::<Ipv4Addr>() {
                if u32::from(ip) & mask == address {
                    *counts.entry(net.status(d)).or_default() += 1;
                }
            }
        }
        let data: Vec<Value> = if counts.is_empty() {
            vec![json!({"Status": "7", "Label": "Unknown", "Count": "0"})]
        } else {
            counts
                .iter()
                .map(|(s, n)| json!({"Status": s.to_string(), "Label": wire::severity_name(*s), "Count": n.to_string()}))
                .collect()
        };
        let shown = Ipv4Addr::from(address).to_string();
        body.insert(
            format!("{shown}.{PROBE_ID}"),
            json!({"data": data, "displayName": shown, "subnetDisplayName": name}),
        );
    }
    Reply::json(Value::Object(body))
}
