//! Device APIs: listDevices (v1 and v2), getDeviceSummary, getDeviceInfo,
//! getDeviceCompleteDetails, getInterfaces, listInterfaces, getDeviceAssociatedMonitors,
//! setManaged, addDevice, deleteDevice.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::paging::{self, Paging};
use crate::request::Params;
use crate::state::network::{DeviceRow, Network};
use crate::state::{
    Alarm, Device, DowntimeSchedule, Event, Hardware, HostName, Interface, LogicalGroup, Monitor,
    MonitorKind, Role,
};
use crate::store::{self, Record};
use crate::wire::Reply;
use crate::wire::{self, ms};
use auth_core::clock::rfc3339_ms;
use rusqlite::Transaction;
use serde_json::{json, Value};
use std::net::IpAddr;

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
/// The `protocol` values listDevices accepts (vendor doc).
const PROTOCOLS: [&str; 10] = [
    "all",
    "SNMP",
    "WMI",
    "CLI",
    "VIWebService",
    "VIWMI",
    "XenService",
    "PrismAPI",
    "NetAppAPI",
    "SMI",
];

/// The Windows services that make a device run an `app` (listDevices' `app` filter).
fn app_services(app: &str) -> Option<&'static [&'static str]> {
    match app.to_ascii_lowercase().as_str() {
        "mssql" => Some(&["MSSQLSERVER"]),
        "exchange" => Some(&["MSExchangeIS", "MSExchangeTransport"]),
        "domain controller" => Some(&["NTDS"]),
        _ => None,
    }
}

/// listDevices' filters, validated.
struct Filters<'p> {
    category: Option<&'p str>,
    device_type: Option<&'p str>,
    vendor: Option<&'p str>,
    group: Option<&'p str>,
    view: Option<&'p str>,
    severity: Option<u8>,
    protocol: Option<&'static str>,
    app: Option<&'static [&'static str]>,
}

impl<'p> Filters<'p> {
    fn parse(params: &'p Params) -> Result<Self, OpmError> {
        Ok(Filters {
            category: params.opt("category")?,
            device_type: params.opt("type")?,
            vendor: params.opt("vendor")?,
            group: params.opt("groupName")?,
            view: params.opt("bvName")?,
            severity: params
                .opt("severity")?
                .map(|s| {
                    wire::parse_severity(s).ok_or_else(|| OpmError::Pattern("severity".into()))
                })
                .transpose()?,
            protocol: match params.opt("protocol")? {
                None => None,
                Some(p) => match PROTOCOLS.iter().find(|k| k.eq_ignore_ascii_case(p)) {
                    Some(&"all") => None,
                    Some(k) => Some(*k),
                    None => return Err(OpmError::Pattern("protocol".into())),
                },
            },
            app: params
                .opt("app")?
                .map(|a| app_services(a).ok_or_else(|| OpmError::Pattern("app".into())))
                .transpose()?,
        })
    }

    /// Whether every device passes.
    fn none(&self) -> bool {
        self.category.is_none()
            && self.device_type.is_none()
            && self.vendor.is_none()
            && self.group.is_none()
            && self.view.is_none()
            && self.severity.is_none()
            && self.protocol.is_none()
            && self.app.is_none()
    }

    /// The devices passing the filters.
    fn apply<'a>(&self, net: &'a Network) -> Vec<&'a Device> {
        let in_group = |d: &Device, g: Option<&str>| {
            g.is_none_or(|g| d.groups.iter().any(|x| x.eq_ignore_ascii_case(g)))
        };
        let runs = |d: &Device, services: &[&str]| {
            net.monitors.iter().any(|m| {
                m.device_name == d.device_name
                    && m.kind == MonitorKind::WindowsService
                    && services.contains(&m.name.as_str())
            })
        };
        net.devices
            .iter()
            .filter(|d| matches(self.category, &d.category))
            .filter(|d| matches(self.device_type, &d.device_type))
            .filter(|d| matches(self.vendor, &d.vendor_name))
            .filter(|d| in_group(d, self.group) && in_group(d, self.view))
            .filter(|d| self.severity.is_none_or(|s| net.status(d) == s))
            .filter(|d| {
                self.protocol
                    .is_none_or(|p| crate::monitors::device_protocol(d) == p)
            })
            .filter(|d| self.app.is_none_or(|services| runs(d, services)))
            .collect()
    }
}

fn list_devices_body<'n>(
    net: &'n Network,
    params: &Params,
) -> Result<paging::Page<DeviceRow<'n>>, OpmError> {
    let filters = Filters::parse(params)?;
    if filters.none() {
        // Unfiltered and unsorted: the page is a slice of the devices in insertion order.
        let paging = Paging::parse(params, &DEVICE_COLUMNS)?;
        if paging.sort.is_none() {
            let records = net.devices.len();
            let w = paging.window(records);
            let shown = net.devices.get(w.skip.min(records)..).unwrap_or_default();
            return Ok(paging::Page {
                total: w.total,
                page: paging.page,
                records,
                rows: shown.iter().take(w.take).map(|d| net.row(d)).collect(),
            });
        }
    }
    let devices = filters.apply(net);
    paging::page_with(
        devices,
        params,
        &DEVICE_COLUMNS,
        |d, column| net.device_row(d)[column].clone(),
        |d| net.row(d),
    )
}

/// `GET /api/json/device/listDevices` and `/api/json/v2/device/listDevices` (one answer for
/// both): rendered once per store state, parameters and age of its rows ([`Network::cached`]).
pub(crate) async fn list_devices(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let body = net.cached("listDevices", &params, |net| {
        let page = list_devices_body(net, &params)?;
        let until = page.rows.iter().map(DeviceRow::until_ms).min();
        Ok((wire::render(&page)?, until.unwrap_or(i64::MAX)))
    })?;
    Ok(Reply::rendered(body))
}

/// Only administrators change the device inventory.
fn may_change_inventory(call: &Caller) -> Result<(), OpmError> {
    match call.user.role {
        Role::Administrator => Ok(()),
        Role::Operator | Role::ReadOnly => Err(OpmError::NotAuthorized(call.user.name.clone())),
    }
}

fn device_summary_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    let net = Network::read(&call.inst)?;
    let d = net.device(params.required("name")?)?;
    let status = net.status(d);
    Ok(json!({
        "displayName": d.display_name,
        "deviceName": d.device_name,
        "ipaddress": d.ip_address,
        "type": d.device_type,
        "category": d.category,
        "vendorName": d.vendor_name,
        "statusStr": wire::severity_name(status),
        "statusNum": status.to_string(),
        "availability": availability_buckets(d),
        "responseTime": d.response_time_ms,
        "packetLoss": d.packet_loss,
        "moID": d.moid,
    }))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `GET /api/json/device/getDeviceSummary` (`name`*).
pub(crate) async fn get_device_summary(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(device_summary_body(&caller, &params)?)
}

fn device_info_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    Network::read_with(&call.inst, |net, conn| device_info_of(net, conn, params))
}

fn device_info_of(
    net: &Network,
    conn: &rusqlite::Connection,
    p: &Params,
) -> Result<Value, OpmError> {
    let device = if let Some(name) = p.opt("deviceName")? {
        net.device(name)?
    } else if let Some(ip) = p.opt("ipAddress")? {
        net.devices
            .iter()
            .find(|d| d.ip_address == ip)
            .ok_or_else(|| OpmError::UnknownDevice(ip.to_owned()))?
    } else if let Some(dns) = p.opt("dnsName")? {
        net.devices
            .iter()
            .find(|d| d.dns_name.eq_ignore_ascii_case(dns))
            .ok_or_else(|| OpmError::UnknownDevice(dns.to_owned()))?
    } else {
        return Err(OpmError::Mandatory("deviceName".into()));
    };
    let stored = net.stored(conn, device)?;
    let h = stored.hardware.get().unwrap_or(&NO_HARDWARE);
    Ok(json!({
        "OperatingSystem": h.operating_system,
        "MACAddress": h.mac_address,
        "SoftwareVersion": h.software_version,
        "SerialNumber": h.serial_number,
        "ServiceTag": h.service_tag,
        "Model": h.model,
        "Manufacturer": h.manufacturer,
        "HDD": h.hdd,
        "RAM": h.ram,
    }))
}

/// The hardware of a device whose record has none (never, for a stored record).
static NO_HARDWARE: Hardware = Hardware {
    operating_system: String::new(),
    mac_address: String::new(),
    software_version: String::new(),
    serial_number: String::new(),
    service_tag: String::new(),
    model: String::new(),
    manufacturer: String::new(),
    hdd: String::new(),
    ram: String::new(),
};

/// `GET /api/json/device/getDeviceInfo` (`deviceName`, `ipAddress` or `dnsName`).
pub(crate) async fn get_device_info(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(device_info_body(&caller, &params)?)
}

/// The seven availability buckets of the vendor's `availdata` (percent of today).
fn availability_buckets(d: &Device) -> Value {
    json!({
        "Down": round2(100.0 - d.availability),
        "Dependent Unavailable": 0,
        "On Hold": 0,
        "Not Monitored": 0,
        "Parent Down": 0,
        "On Maintenance": 0,
        "Up": d.availability,
    })
}

/// The plural category name of the vendor's `displayCategory`.
fn display_category(category: &str) -> String {
    match category {
        "Switch" => "Switches".into(),
        "Wireless" | "Storage" | "UPS" | "Unknown" => category.into(),
        c if c.ends_with('s') => c.into(),
        c => format!("{c}s"),
    }
}

/// Today's availability timeline: `UpTime`/`DownTime,<from ms>,<to ms>` segments, down from
/// the device's active `Device Down` alarm on.
fn timeline(net: &Network, d: &Device, today_start: i64) -> Vec<String> {
    let now = net.now_ms;
    let down_since = net
        .alarms
        .iter()
        .filter(|a| a.device_name == d.device_name && a.severity != 5)
        .filter(|a| a.event_type == "Device Down")
        .map(|a| ms(&a.mod_time))
        .min();
    match down_since {
        Some(since) if since > today_start => vec![
            format!("UpTime,{today_start},{since}"),
            format!("DownTime,{since},{now}"),
        ],
        Some(_) => vec![format!("DownTime,{today_start},{now}")],
        None => vec![format!("UpTime,{today_start},{now}")],
    }
}

fn complete_details_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    Network::read_with(&call.inst, |net, conn| {
        complete_details_of(net, conn, params)
    })
}

fn complete_details_of(
    net: &Network,
    conn: &rusqlite::Connection,
    params: &Params,
) -> Result<Value, OpmError> {
    let d = net.device(params.required("name")?)?;
    let status = net.status(d);
    let today_start = net.now_ms - net.now_ms.rem_euclid(86_400_000);
    let stored = net.stored(conn, d)?;
    let h = stored.hardware.get().unwrap_or(&NO_HARDWARE);
    Ok(json!({
        "nfadetails": {"NFAStatus": "Not Added"},
        "statusStr": wire::severity_name(status),
        "responseTime": format!("{:03}ms", d.response_time_ms),
        "format": "dd-MM-yy HH:mm:ss",
        "dnsName": d.dns_name,
        "timeZone": "UTC",
        "availability": timeline(net, d, today_start),
        "todayTimeAvail": {
            "todayStartTime": today_start.to_string(),
            "endTimeVal": net.now_ms.to_string(),
        },
        "type": d.device_type,
        "vendorName": d.vendor_name,
        "statusNum": status.to_string(),
        "isStorage": d.category == "Storage",
        "ncmdetails": {"SUMMARY_NOT_AVAILABLE": true},
        "packetLoss": number_text(d.packet_loss),
        "configBackup": {"RunningConfig": {}, "StartupConfig": {}},
        "opmdetails": {
            "Type": d.device_type,
            "dependentDisplayName": "None",
            "Category": d.category,
            "hardwareInfo": {
                "HW_MANUFACTURER": h.manufacturer,
                "HW_SERIALNUMBER": h.serial_number,
                "IS_ALARM_SUPPRESSED": "false",
                "ISPDPresent": false,
                "HW_MODEL": h.model,
                "LAST_UPDATED_TIME": wire::display_time(ms(&d.added_time)),
                "MOID": d.moid,
                "IS_MONITORED": d.managed.to_string(),
            },
            "displayCategory": display_category(&d.category),
            "PollInterval": "5",
            "IPAddress": d.ip_address,
            "DNSName": d.dns_name,
            "SysDescription": stored.sys_description.get().map_or("", String::as_str),
            "Monitoring": crate::monitors::device_protocol(d),
            "UpLinkDependency": "None",
        },
        "availdata": availability_buckets(d),
        // The vendor sample's managed device shows 2; standin shows 1 for an unmanaged one.
        "state": if d.managed { 2 } else { 1 },
    }))
}

/// A number without a trailing `.0` (`11`, `0.5`).
fn number_text(v: f64) -> String {
    let text = format!("{v}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

/// `GET /api/json/v2/device/getDeviceCompleteDetails` (`name`*).
pub(crate) async fn get_device_complete_details(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    Reply::json(complete_details_body(&caller, &params)?)
}

fn set_managed_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    may_change_inventory(call)?;
    let name = params.required("name")?;
    let manage = match params.required("manage")? {
        m if m.eq_ignore_ascii_case("true") => true,
        m if m.eq_ignore_ascii_case("false") => false,
        _ => return Err(OpmError::Pattern("manage".into())),
    };
    call.inst.store.write(|tx| {
        let mut device: Device =
            store::get(tx, name)?.ok_or_else(|| OpmError::UnknownDevice(name.to_owned()))?;
        device.managed = manage;
        store::put(tx, &device)?;
        Ok::<_, OpmError>(())
    })?;
    let message = if manage {
        "Device is being managed."
    } else {
        "Device is being unmanaged."
    };
    Ok(json!({"result": {"message": message}}))
}

/// `POST /api/json/device/setManaged` (`name`*, `manage`* `true`/`false`).
pub(crate) async fn set_managed(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(set_managed_body(&caller, &params)?)
}

fn add_device_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    may_change_inventory(call)?;
    let p = &params;
    let name = p
        .text("deviceName", 100)?
        .ok_or_else(|| OpmError::Mandatory("deviceName".into()))?;
    let ip: IpAddr = if name.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else if let Ok(ip) = name.parse() {
        ip
    } else {
        // A host name or FQDN: resolved from the state's `hostNames`, never from real DNS.
        let known: Option<HostName> = call
            .inst
            .store
            .read(|c| store::get(c, &name.to_ascii_lowercase()))?;
        known
            .and_then(|h| h.ip_address.parse().ok())
            .ok_or_else(|| OpmError::Pattern("deviceName".into()))?
    };
    if let Some(mask) = p.opt("netmask")? {
        if mask.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(OpmError::Pattern("netmask".into()));
        }
    }
    p.opt("credentialName")?;
    let added = rfc3339_ms(call.inst.env.clock.now_ms());
    let moid = call.inst.store.write(|tx| {
        let devices: Vec<Device> = store::all(tx)?;
        if devices
            .iter()
            .any(|d| d.device_name == name || d.ip_address == ip.to_string())
        {
            return Err(OpmError::DeviceExists(name.to_owned()));
        }
        let interfaces: Vec<Interface> = store::all(tx)?;
        let moid = devices
            .iter()
            .map(|d| d.moid)
            .chain(interfaces.iter().map(|f| f.moid))
            .max()
            .unwrap_or(0)
            + 1;
        store::put(tx, &Device::discovered(moid, name, ip, added))?;
        Ok(moid)
    })?;
    Ok(json!({"device": {
        "deviceIp": ip.to_string(),
        "message": "Device added successfully.",
        "deviceName": name,
        "moid": moid,
    }}))
}

/// `POST /api/json/discovery/addDevice` (`deviceName`* as an IP address; `netmask`,
/// `credentialName`).
pub(crate) async fn add_device(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(add_device_body(&caller, &params)?)
}

fn delete_device_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    may_change_inventory(call)?;
    let names = params
        .text("name", 4000)?
        .ok_or_else(|| OpmError::Mandatory("name".into()))?;
    call.inst.store.write(|tx| {
        for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if !store::delete::<Device>(tx, name)? {
                return Err(OpmError::UnknownDevice(name.to_owned()));
            }
            delete_where::<Interface>(tx, |f| f.device_name == name)?;
            delete_where::<Monitor>(tx, |m| m.device_name == name)?;
            delete_where::<Alarm>(tx, |a| a.device_name == name)?;
            delete_where::<Event>(tx, |e| e.source == name)?;
            for mut group in store::all::<LogicalGroup>(tx)? {
                if group.members.iter().any(|m| m == name) {
                    group.members.retain(|m| m != name);
                    store::put(tx, &group)?;
                }
            }
            for mut schedule in store::all::<DowntimeSchedule>(tx)? {
                if schedule.devices.iter().any(|d| d == name) {
                    schedule.devices.retain(|d| d != name);
                    store::put(tx, &schedule)?;
                }
            }
        }
        Ok::<_, OpmError>(())
    })?;
    Ok(json!({"result": {"message": "Device(s) deleted successfully."}}))
}

fn delete_where<R: Record>(
    tx: &Transaction<'_>,
    pred: impl Fn(&R) -> bool,
) -> Result<(), OpmError> {
    for record in store::all::<R>(tx)? {
        if pred(&record) {
            store::delete::<R>(tx, &record.key())?;
        }
    }
    Ok(())
}

/// `POST /api/json/device/deleteDevice` (`name`*, a comma list allowed): the device goes
/// with its interfaces, monitors, alarms and events.
pub(crate) async fn delete_device(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(delete_device_body(&caller, &params)?)
}

/// The device notes' custom fields: (alias, name, description, length), as the vendor's
/// getDeviceNotes sample lists them.
const DEVICE_FIELDS: [(&str, &str, &str, i64); 8] = [
    (
        "UDF2",
        "Building",
        "Building where the device is present",
        100,
    ),
    (
        "UDF4",
        "Cabinet",
        "Cabinet where the device is located",
        100,
    ),
    ("UDF8", "Comments", "Comments about the device", 800),
    ("UDF6", "Contact Name", "Contact person for the device", 100),
    (
        "UDF5",
        "Department",
        "Department for which the device services",
        100,
    ),
    ("UDF3", "Floor", "Floor where the device is located", 100),
    ("UDF1", "SerialNumber", "Serial Number of the device", 100),
    (
        "UDF7",
        "Telephone Number",
        "Contact number for this device",
        100,
    ),
];

/// `GET /api/json/device/getDeviceNotes` (`name`*): the custom fields with the device's
/// values (`SerialNumber` defaults to the hardware serial number).
pub(crate) async fn get_device_notes(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let d = Network::read_with(&caller.inst, |net, conn| {
        net.stored(conn, net.device(params.required("name")?)?)
    })?;
    let no_fields = std::collections::BTreeMap::new();
    let fields = d.custom_fields.get().unwrap_or(&no_fields);
    let hardware = d.hardware.get().unwrap_or(&NO_HARDWARE);
    let rows: Vec<Value> = DEVICE_FIELDS
        .iter()
        .map(|(alias, name, description, length)| {
            let value = fields.get(*name).cloned().unwrap_or_else(|| {
                if *name == "SerialNumber" {
                    hardware.serial_number.clone()
                } else {
                    String::new()
                }
            });
            json!({
                "FIELDVALUE": value,
                "DATATYPE": "Text",
                "ISEDITABLE": true,
                "DESCRIPTION": description,
                "FIELDNAME": name,
                "ALIASNAME": alias,
                "FIELDLENGTH": length,
            })
        })
        .collect();
    Reply::json(rows)
}

/// One `{metricName, metricValue}` of setDeviceInfo's `values`.
#[derive(serde::Deserialize)]
struct Metric {
    #[serde(rename = "metricName")]
    name: String,
    #[serde(rename = "metricValue")]
    value: serde_json::Value,
}

/// `POST /api/json/device/setDeviceInfo` (administrators; `deviceName`, `ipAddress` or
/// `dnsName`*, `values`* a JSON array of `{metricName, metricValue}`): a metric is a
/// hardware field of getDeviceInfo (`Model`, `SoftwareVersion`, `OperatingSystem`,
/// `SerialNumber`, `ServiceTag`, `Manufacturer`, `MACAddress`, `HDD`, `RAM`) or a custom
/// field of getDeviceNotes; all are checked before anything is written.
pub(crate) async fn set_device_info(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    may_change_inventory(&caller)?;
    let name = {
        let net = Network::read(&caller.inst)?;
        find_device(&net, &params)?.device_name.clone()
    };
    let values = params
        .text("values", 8000)?
        .ok_or_else(|| OpmError::Mandatory("values".into()))?;
    let metrics: Vec<Metric> =
        serde_json::from_str(values).map_err(|_| OpmError::Pattern("values".into()))?;
    if metrics.is_empty() {
        return Err(OpmError::Mandatory("values".into()));
    }
    caller.inst.store.write(|tx| {
        let mut d: Device =
            store::get(tx, &name)?.ok_or_else(|| OpmError::UnknownDevice(name.clone()))?;
        for m in &metrics {
            let text = match &m.value {
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) => n.to_string(),
                _ => return Err(OpmError::Pattern("values".into())),
            };
            if text.chars().count() > 250 || crate::request::looks_like_markup(&text) {
                return Err(OpmError::Pattern("values".into()));
            }
            let h = d.hardware.get_mut();
            let slot = match m.name.as_str() {
                "OperatingSystem" => &mut h.operating_system,
                "MACAddress" => &mut h.mac_address,
                "SoftwareVersion" => &mut h.software_version,
                "SerialNumber" => &mut h.serial_number,
                "ServiceTag" => &mut h.service_tag,
                "Model" => &mut h.model,
                "Manufacturer" => &mut h.manufacturer,
                "HDD" => &mut h.hdd,
                "RAM" => &mut h.ram,
                other if DEVICE_FIELDS.iter().any(|(_, n, _, _)| *n == other) => {
                    d.custom_fields.get_mut().insert(other.to_owned(), text);
                    continue;
                }
                _ => return Err(OpmError::Pattern("values".into())),
            };
            *slot = text;
        }
        store::put(tx, &d)?;
        Ok::<_, OpmError>(())
    })?;
    Reply::json(json!({"result": {"message": "Hardware details updated successfully."}}))
}

/// The device named by `deviceName`, `ipAddress` or `dnsName`.
fn find_device<'n>(net: &'n Network, p: &Params) -> Result<&'n Device, OpmError> {
    if let Some(name) = p.opt("deviceName")? {
        net.device(name)
    } else if let Some(ip) = p.opt("ipAddress")? {
        net.devices
            .iter()
            .find(|d| d.ip_address == ip)
            .ok_or_else(|| OpmError::UnknownDevice(ip.to_owned()))
    } else if let Some(dns) = p.opt("dnsName")? {
        net.devices
            .iter()
            .find(|d| d.dns_name.eq_ignore_ascii_case(dns))
            .ok_or_else(|| OpmError::UnknownDevice(dns.to_owned()))
    } else {
        Err(OpmError::Mandatory("deviceName".into()))
    }
}

/// `GET /api/json/discovery/getInfrastructureDetailsView` (`categoryName`*): the devices of
/// the category with their CPU, memory and disk utilisation.
pub(crate) async fn get_infrastructure_details_view(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let category = params.required("categoryName")?;
    let net = Network::read(&caller.inst)?;
    let value = |d: &Device, name: &str| {
        net.monitors
            .iter()
            .find(|m| m.device_name == d.device_name && m.name == name)
            .map_or(0.0, |m| m.value)
    };
    let rows: Vec<Value> = net
        .devices
        .iter()
        .filter(|d| d.category.eq_ignore_ascii_case(category))
        .map(|d| {
            let status = net.status(d);
            json!({
                "intfCount": net.interfaces_of(d).count().to_string(),
                "severity": status.to_string(),
                "displayName": d.display_name,
                "name": d.device_name,
                "IpAddress": d.ip_address,
                "type": d.device_type,
                "monitors": {
                    "DiskUtilization": value(d, "DiskUtilization"),
                    "CPUUtilization": value(d, "CPUUtilization"),
                    "MemoryUtilization": value(d, "MemoryUtilization"),
                },
                "status": wire::severity_name(status),
            })
        })
        .collect();
    let total = rows.len();
    Reply::json(json!({"InfrastructureDetailsView": {
        "Details": rows,
        "TotalRecords": total.to_string(),
    }}))
}
