//! The fixture / state document (`fixtures/opmanager.json`, `PUT /_standin/state`): typed
//! records with `deny_unknown_fields`, validation naming the bad field, load and dump.
//!
//! Times are RFC 3339 text in the document (`2026-11-20T08:15:00Z`); the wire renders them
//! the OpManager way (`8 Mar 2024 06:17:07 PM UTC`, epoch milliseconds).

use crate::store::{self, Record};
use auth_core::clock::parse_rfc3339_ms;
use auth_core::store::StoreError;
use auth_core::{parse_state, StateError};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;

/// The edition of the OpManager installation being faked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// Standard edition.
    Standard,
    /// Professional edition (the default).
    #[default]
    Professional,
    /// Enterprise edition, central server.
    Central,
    /// Enterprise edition, probe server: users synced from the central server have no
    /// permanent REST access.
    Probe,
}

/// Instance-wide settings of the installation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Meta {
    /// The edition.
    pub edition: Edition,
    /// Whether Two-Factor Authentication is configured (enabling REST access then needs an OTP).
    pub tfa_enabled: bool,
}

impl Record for Meta {
    const TABLE: &'static str = "meta";
    fn key(&self) -> String {
        "instance".to_owned()
    }
}

/// A user's role in User Management.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Administrator.
    Administrator,
    /// Operator: may act on alarms and events, not on the device inventory.
    Operator,
    /// Read-only user: reads only.
    ReadOnly,
}

/// An OpManager user and its REST API key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct User {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Access to all modules and devices (only such an administrator may grant REST access).
    pub full_access: bool,
    /// Whether REST API access is enabled.
    pub rest_api_enabled: bool,
    /// The REST API key (32 lowercase hex characters).
    pub api_key: String,
    /// Synced from the central server (probe edition).
    #[serde(default)]
    pub synced_from_central: bool,
    /// Base32 TOTP secret of the user's authenticator (TFA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
}

impl Record for User {
    const TABLE: &'static str = "users";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// An Enterprise-edition probe server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    /// Probe id.
    #[serde(rename = "probeID")]
    pub probe_id: i64,
    /// Probe name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Host name the central server reaches the probe at (`natName`).
    pub nat_name: String,
    /// Port of the probe's web server (`natPort`).
    pub nat_port: u16,
    /// `http` or `https` (`natProtocol`).
    pub nat_protocol: String,
    /// Whether the probe is connected to the central server.
    pub connected: bool,
    /// Last contact (RFC 3339).
    pub last_contact: String,
    /// Contact person.
    pub contact_person: String,
    /// Contact e-mail.
    pub contact_email: String,
}

impl Record for Probe {
    const TABLE: &'static str = "probes";
    fn key(&self) -> String {
        self.name.clone()
    }
}

/// Hardware inventory of a device (getDeviceInfo).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Hardware {
    /// Operating system.
    pub operating_system: String,
    /// MAC address.
    pub mac_address: String,
    /// Software version.
    pub software_version: String,
    /// Serial number.
    pub serial_number: String,
    /// Service tag.
    pub service_tag: String,
    /// Model.
    pub model: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Disk in GB.
    pub hdd: String,
    /// Memory in MB.
    pub ram: String,
}

/// A monitored device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Device {
    /// Managed object id.
    pub moid: i64,
    /// Device name (its key: host name or IP address as discovered).
    pub device_name: String,
    /// Display name.
    pub display_name: String,
    /// IP address.
    pub ip_address: String,
    /// DNS name.
    pub dns_name: String,
    /// Device type (`Cisco 2900 IS Series`, `Windows 2019`, ...).
    #[serde(rename = "type")]
    pub device_type: String,
    /// Vendor.
    pub vendor_name: String,
    /// Category (`Router`, `Switch`, `Server`, `Firewall`, `Desktop`, ...).
    pub category: String,
    /// Monitored over SNMP.
    #[serde(rename = "isSNMP")]
    pub is_snmp: bool,
    /// Whether the device is managed (unmanaged devices have status 7).
    pub managed: bool,
    /// When it was added (RFC 3339).
    pub added_time: String,
    /// Business views / device groups it belongs to.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The probe monitoring it (Enterprise edition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// SNMP sysDescr.
    #[serde(default)]
    pub sys_description: String,
    /// Last response time in ms.
    pub response_time_ms: i64,
    /// Packet loss in percent.
    pub packet_loss: f64,
    /// Availability today in percent.
    pub availability: f64,
    /// Hardware inventory.
    #[serde(default)]
    pub hardware: Hardware,
}

impl Device {
    /// A device added by addDevice: standin does no SNMP discovery, so it is of unknown
    /// category, type and vendor until the state says otherwise.
    pub fn discovered(moid: i64, name: &str, ip: std::net::IpAddr, added_time: String) -> Self {
        Device {
            moid,
            device_name: name.to_owned(),
            display_name: name.to_owned(),
            ip_address: ip.to_string(),
            dns_name: name.to_owned(),
            device_type: "Unknown".into(),
            vendor_name: "Unknown".into(),
            category: "Unknown".into(),
            is_snmp: false,
            managed: true,
            added_time,
            groups: Vec::new(),
            probe: None,
            sys_description: String::new(),
            response_time_ms: 0,
            packet_loss: 0.0,
            availability: 100.0,
            hardware: Hardware::default(),
        }
    }
}

impl Record for Device {
    const TABLE: &'static str = "devices";
    fn key(&self) -> String {
        self.device_name.clone()
    }
}

/// A network interface of a device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Interface {
    /// Managed object id.
    pub moid: i64,
    /// The device it belongs to.
    pub device_name: String,
    /// Interface name (`IF-10.0.0.1-3`).
    pub name: String,
    /// Display name (`Gi0/1-Gi0/1`).
    pub display_name: String,
    /// SNMP ifIndex.
    pub if_index: i64,
    /// Interface type (`Ethernet`, `PPP`, ...).
    pub if_type: String,
    /// Severity number (1 Critical .. 5 Clear, 7 Unmanaged).
    pub status: u8,
    /// Interface IP address, if any.
    #[serde(default)]
    pub ip_address: String,
    /// Speed in bits per second.
    pub speed_bps: i64,
    /// MAC address (`physAddress`), if known.
    #[serde(default)]
    pub mac_address: String,
}

impl Record for Interface {
    const TABLE: &'static str = "interfaces";
    fn key(&self) -> String {
        self.moid.to_string()
    }
}

/// A performance or service monitor associated with a device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitor {
    /// The device.
    pub device_name: String,
    /// `performance`, `service`, `process`, `windowsService`, `url`.
    pub kind: MonitorKind,
    /// Monitor name (`CPUUtilization`; the service name of a Windows service).
    pub name: String,
    /// Display name (`CPU Utilization`).
    pub display_name: String,
    /// Severity number.
    pub status: u8,
    /// Last polled value (performance: the measure; service and URL: response time in ms).
    pub value: f64,
    /// Unit of `value` (`Percentage`, `ms`).
    pub unit: String,
    /// Poll interval in minutes.
    pub interval: i64,
    /// `SNMP`, `WMI`, `CLI`, `TCP`, `HTTP`.
    pub protocol: String,
    /// Whether a threshold is configured.
    pub threshold_enabled: bool,
    /// When the value was last collected (RFC 3339).
    pub last_collected: String,
    /// Poll id.
    pub poll_id: i64,
    /// What is monitored: the TCP port, the process path or the URL (empty otherwise).
    #[serde(default)]
    pub target: String,
}

/// The monitor families of getDeviceAssociatedMonitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MonitorKind {
    /// performanceMonitors.
    Performance,
    /// serviceMonitors.
    Service,
    /// processMonitors.
    Process,
    /// windowsServiceMonitors.
    WindowsService,
    /// urlMonitors.
    Url,
}

impl Record for Monitor {
    const TABLE: &'static str = "monitors";
    fn key(&self) -> String {
        format!("{}/{}", self.device_name, self.name)
    }
}

/// Where an alarm came from (the `alertType` families of listAlarms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlarmSource {
    /// Status / performance polling.
    Poll,
    /// Windows event log rules.
    EventLog,
    /// Syslog rules.
    Syslog,
    /// SNMP traps.
    Trap,
    /// Network Configuration Manager.
    #[serde(rename = "NCM")]
    Ncm,
    /// NetFlow Analyzer.
    #[serde(rename = "NFA")]
    Nfa,
    /// URL monitors.
    Web,
    /// Firewall Analyzer.
    #[serde(rename = "FWA")]
    Fwa,
    /// Storage monitoring.
    Storage,
    /// Applications Manager.
    #[serde(rename = "APM")]
    Apm,
}

/// A note added to an alarm.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Note {
    /// Who added it.
    pub by: String,
    /// When (RFC 3339).
    pub time: String,
    /// The text.
    pub text: String,
}

/// An alarm, keyed by its entity (`3_CPUUSAGE`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Alarm {
    /// Alarm id.
    pub alarm_id: i64,
    /// Entity: the key clients act on.
    pub entity: String,
    /// The device it is raised on.
    pub device_name: String,
    /// Message.
    pub message: String,
    /// Severity number (1 Critical, 2 Trouble, 3 Attention, 4 Service Down, 5 Clear).
    pub severity: u8,
    /// Last change (RFC 3339).
    pub mod_time: String,
    /// Who acknowledged it, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// Where it came from.
    pub source: AlarmSource,
    /// The event type that raised it (`Threshold`, `Device Down`, ...).
    pub event_type: String,
    /// Notes.
    #[serde(default)]
    pub notes: Vec<Note>,
}

impl Record for Alarm {
    const TABLE: &'static str = "alarms";
    fn key(&self) -> String {
        self.entity.clone()
    }
}

/// An event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Event {
    /// Event id.
    pub id: i64,
    /// Device name the event is about.
    pub source: String,
    /// Entity of the alarm it belongs to.
    pub entity: String,
    /// Severity number.
    pub severity: u8,
    /// Text.
    pub message: String,
    /// Event type (`Threshold`, `Device Down`, ...).
    pub event_type: String,
    /// Alarm code.
    pub alarm_code: String,
    /// When (RFC 3339).
    pub time: String,
}

impl Record for Event {
    const TABLE: &'static str = "events";
    fn key(&self) -> String {
        format!("{:012}", self.id)
    }
}

/// The whole document.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct State {
    /// Edition.
    pub edition: Edition,
    /// TFA configured.
    pub tfa_enabled: bool,
    /// Users.
    pub users: Vec<User>,
    /// Probes (Enterprise edition).
    #[serde(default)]
    pub probes: Vec<Probe>,
    /// Devices.
    pub devices: Vec<Device>,
    /// Interfaces.
    #[serde(default)]
    pub interfaces: Vec<Interface>,
    /// Monitors.
    #[serde(default)]
    pub monitors: Vec<Monitor>,
    /// Alarms.
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    /// Events.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// Severity numbers OpManager uses (7 = unmanaged is derived, never stored).
pub fn valid_severity(n: u8) -> bool {
    (1..=5).contains(&n)
}

fn check_time(field: impl FnOnce() -> String, text: &str) -> Result<(), StateError> {
    match parse_rfc3339_ms(text) {
        Some(_) => Ok(()),
        None => Err(StateError::invalid(field(), "not an RFC 3339 time")),
    }
}

fn check_unique(
    seen: &mut HashSet<String>,
    field: impl FnOnce() -> String,
    value: &str,
    what: &str,
) -> Result<(), StateError> {
    if value.is_empty() {
        return Err(StateError::invalid(field(), "must not be empty"));
    }
    if !seen.insert(value.to_owned()) {
        return Err(StateError::invalid(field(), format!("duplicate {what}")));
    }
    Ok(())
}

/// Largest id, alarm id or moid a document may hold (ids grow by one per API write).
pub const MAX_ID: i64 = 999_999_999_999;

fn check_id(field: impl FnOnce() -> String, id: i64) -> Result<(), StateError> {
    if (1..=MAX_ID).contains(&id) {
        Ok(())
    } else {
        Err(StateError::invalid(
            field(),
            format!("must be 1..={MAX_ID}"),
        ))
    }
}

fn check_severity(field: impl FnOnce() -> String, n: u8) -> Result<(), StateError> {
    if valid_severity(n) {
        Ok(())
    } else {
        Err(StateError::invalid(field(), "severity must be 1..5"))
    }
}

fn known(
    devices: &HashSet<String>,
    field: impl FnOnce() -> String,
    name: &str,
) -> Result<(), StateError> {
    if devices.contains(name) {
        Ok(())
    } else {
        Err(StateError::invalid(field(), "unknown device"))
    }
}

fn validate(state: &State) -> Result<(), StateError> {
    let mut names = HashSet::new();
    let mut keys = HashSet::new();
    for (i, u) in state.users.iter().enumerate() {
        check_unique(
            &mut names,
            || format!("users[{i}].name"),
            &u.name,
            "user name",
        )?;
        check_unique(
            &mut keys,
            || format!("users[{i}].apiKey"),
            &u.api_key,
            "apiKey",
        )?;
        if let Some(secret) = &u.totp_secret {
            if crate::totp::base32_decode(secret).is_none() {
                return Err(StateError::invalid(
                    format!("users[{i}].totpSecret"),
                    "not base32",
                ));
            }
        }
    }
    let mut probes = HashSet::new();
    for (i, p) in state.probes.iter().enumerate() {
        check_unique(
            &mut probes,
            || format!("probes[{i}].name"),
            &p.name,
            "probe",
        )?;
        check_time(|| format!("probes[{i}].lastContact"), &p.last_contact)?;
    }
    let mut devices = HashSet::new();
    let mut moids = HashSet::new();
    for (i, d) in state.devices.iter().enumerate() {
        check_unique(
            &mut devices,
            || format!("devices[{i}].deviceName"),
            &d.device_name,
            "device",
        )?;
        check_unique(
            &mut moids,
            || format!("devices[{i}].moid"),
            &d.moid.to_string(),
            "moid",
        )?;
        check_id(|| format!("devices[{i}].moid"), d.moid)?;
        check_time(|| format!("devices[{i}].addedTime"), &d.added_time)?;
        if let Some(p) = &d.probe {
            if !probes.contains(p) {
                return Err(StateError::invalid(
                    format!("devices[{i}].probe"),
                    "unknown probe",
                ));
            }
        }
    }
    for (i, f) in state.interfaces.iter().enumerate() {
        known(
            &devices,
            || format!("interfaces[{i}].deviceName"),
            &f.device_name,
        )?;
        check_id(|| format!("interfaces[{i}].moid"), f.moid)?;
        check_unique(
            &mut moids,
            || format!("interfaces[{i}].moid"),
            &f.moid.to_string(),
            "moid",
        )?;
        if !valid_severity(f.status) && f.status != 7 {
            return Err(StateError::invalid(
                format!("interfaces[{i}].status"),
                "severity must be 1..5 or 7",
            ));
        }
    }
    let mut monitors = HashSet::new();
    for (i, m) in state.monitors.iter().enumerate() {
        known(
            &devices,
            || format!("monitors[{i}].deviceName"),
            &m.device_name,
        )?;
        check_unique(
            &mut monitors,
            || format!("monitors[{i}].name"),
            &m.key(),
            "monitor",
        )?;
        check_severity(|| format!("monitors[{i}].status"), m.status)?;
        check_time(|| format!("monitors[{i}].lastCollected"), &m.last_collected)?;
    }
    let mut entities = HashSet::new();
    let mut alarm_ids = HashSet::new();
    for (i, a) in state.alarms.iter().enumerate() {
        known(
            &devices,
            || format!("alarms[{i}].deviceName"),
            &a.device_name,
        )?;
        check_unique(
            &mut entities,
            || format!("alarms[{i}].entity"),
            &a.entity,
            "entity",
        )?;
        check_unique(
            &mut alarm_ids,
            || format!("alarms[{i}].alarmId"),
            &a.alarm_id.to_string(),
            "alarmId",
        )?;
        check_id(|| format!("alarms[{i}].alarmId"), a.alarm_id)?;
        check_severity(|| format!("alarms[{i}].severity"), a.severity)?;
        check_time(|| format!("alarms[{i}].modTime"), &a.mod_time)?;
        for (j, n) in a.notes.iter().enumerate() {
            check_time(|| format!("alarms[{i}].notes[{j}].time"), &n.time)?;
        }
    }
    let mut event_ids = HashSet::new();
    for (i, e) in state.events.iter().enumerate() {
        known(&devices, || format!("events[{i}].source"), &e.source)?;
        check_unique(
            &mut event_ids,
            || format!("events[{i}].id"),
            &e.id.to_string(),
            "event id",
        )?;
        check_id(|| format!("events[{i}].id"), e.id)?;
        check_severity(|| format!("events[{i}].severity"), e.severity)?;
        check_time(|| format!("events[{i}].time"), &e.time)?;
    }
    Ok(())
}

fn put_all<R: Record>(tx: &Transaction<'_>, records: &[R]) -> Result<(), StoreError> {
    store::put_many(tx, records)
}

/// Validate `doc` and write it into the (emptied) store.
///
/// # Errors
/// [`StateError::Invalid`] naming the field.
pub fn load(tx: &Transaction<'_>, doc: &Value) -> Result<(), StateError> {
    // The path-tracking parser only when the plain one fails, for the field-naming message.
    let state = match State::deserialize(doc) {
        Ok(state) => state,
        Err(_) => parse_state::<State>(doc)?,
    };
    validate(&state)?;
    store::put(
        tx,
        &Meta {
            edition: state.edition,
            tfa_enabled: state.tfa_enabled,
        },
    )?;
    put_all(tx, &state.users)?;
    put_all(tx, &state.probes)?;
    put_all(tx, &state.devices)?;
    put_all(tx, &state.interfaces)?;
    put_all(tx, &state.monitors)?;
    put_all(tx, &state.alarms)?;
    put_all(tx, &state.events)?;
    Ok(())
}

/// The instance settings (edition, TFA).
///
/// # Errors
/// Store errors.
pub fn meta(conn: &Connection) -> Result<Meta, StoreError> {
    Ok(store::get::<Meta>(conn, "instance")?.unwrap_or(Meta {
        edition: Edition::default(),
        tfa_enabled: false,
    }))
}

/// The whole state as a document.
///
/// # Errors
/// Store errors.
pub fn dump(conn: &Connection) -> Result<Value, StoreError> {
    let meta = meta(conn)?;
    let state = State {
        edition: meta.edition,
        tfa_enabled: meta.tfa_enabled,
        users: store::all(conn)?,
        probes: store::all(conn)?,
        devices: store::all(conn)?,
        interfaces: store::all(conn)?,
        monitors: store::all(conn)?,
        alarms: store::all(conn)?,
        events: store::all(conn)?,
    };
    serde_json::to_value(&state)
        .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}
