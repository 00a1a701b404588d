//! The fixture / state document (`fixtures/opmanager.json`, `PUT /_standin/state`): typed
//! records with `deny_unknown_fields`, validation naming the bad field, load and dump.
//!
//! Times are RFC 3339 text in the document (`2026-11-20T08:15:00Z`); the wire renders them
//! the OpManager way (`8 Mar 2024 06:17:07 PM UTC`, epoch milliseconds).

pub(crate) mod network;
mod records;
mod stream;

pub(crate) use records::*;

use crate::store::{self, Record};
use auth_core::clock::parse_rfc3339_ms;
use auth_core::store::StoreError;
use auth_core::{parse_state, StateError};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;

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
    /// Downtime schedules.
    #[serde(default)]
    pub downtime_schedules: Vec<DowntimeSchedule>,
    /// Business views.
    #[serde(default)]
    pub business_views: Vec<BusinessView>,
    /// Logical groups.
    #[serde(default)]
    pub logical_groups: Vec<LogicalGroup>,
    /// Dashboards.
    #[serde(default)]
    pub dashboards: Vec<Dashboard>,
    /// Device credentials.
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// Discovery profiles.
    #[serde(default)]
    pub discovery_profiles: Vec<DiscoveryProfile>,
    /// Subnets added to IPAM.
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    /// Switch Port Mapper switches.
    #[serde(default)]
    pub spm_switches: Vec<SpmSwitch>,
    /// Files imported through the NCM URLs.
    #[serde(default)]
    pub file_imports: Vec<FileImport>,
    /// Notification profiles.
    #[serde(default)]
    pub notification_profiles: Vec<NotificationProfile>,
    /// Business hour rules.
    #[serde(default)]
    pub business_rules: Vec<BusinessRule>,
    /// Reports.
    #[serde(default)]
    pub reports: Vec<Report>,
    /// The monitor template catalog.
    #[serde(default)]
    pub monitor_templates: Vec<MonitorTemplate>,
    /// Script monitor templates.
    #[serde(default)]
    pub script_monitors: Vec<ScriptMonitor>,
    /// The virtualisation inventory.
    #[serde(default)]
    pub virtualization: Virtualization,
    /// The wireless inventory.
    #[serde(default)]
    pub wireless: Wireless,
    /// Host names addDevice can resolve.
    #[serde(default)]
    pub host_names: Vec<HostName>,
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

/// The device names a document's later sections may name.
trait KnownDevices {
    /// Whether a device is called `name`.
    fn contains(&self, name: &str) -> bool;
}

impl KnownDevices for HashSet<String> {
    fn contains(&self, name: &str) -> bool {
        HashSet::contains(self, name)
    }
}

/// The moids seen so far (devices' and interfaces' share one space).
trait Moids {
    /// Note `moid`; `false` if it was seen before.
    fn first(&mut self, moid: i64) -> bool;
}

impl Moids for HashSet<i64> {
    fn first(&mut self, moid: i64) -> bool {
        self.insert(moid)
    }
}

fn known(
    devices: &impl KnownDevices,
    field: impl FnOnce() -> String,
    name: &str,
) -> Result<(), StateError> {
    if devices.contains(name) {
        Ok(())
    } else {
        Err(StateError::invalid(field(), "unknown device"))
    }
}

/// The checks of the devices section, one device at a time (both loaders run them in the
/// document's order): the names and moids seen so far, for the sections that follow.
#[derive(Debug, Default)]
struct DeviceChecks {
    /// Device names.
    names: HashSet<String>,
    /// Moids of devices (and, later, interfaces: they share one space).
    moids: HashSet<i64>,
}

impl DeviceChecks {
    /// Check `devices[i]` against the ones before it; its probe is the caller's to check.
    fn check(&mut self, i: usize, d: &Device) -> Result<(), StateError> {
        check_unique(
            &mut self.names,
            || format!("devices[{i}].deviceName"),
            &d.device_name,
            "device",
        )?;
        check_moid(&mut self.moids, || format!("devices[{i}].moid"), d.moid)?;
        check_id(|| format!("devices[{i}].moid"), d.moid)?;
        check_time(|| format!("devices[{i}].addedTime"), &d.added_time)?;
        Ok(())
    }
}

/// `check_unique` of a moid (its decimal text is never empty, and equal texts are equal
/// numbers).
fn check_moid(
    seen: &mut impl Moids,
    field: impl FnOnce() -> String,
    moid: i64,
) -> Result<(), StateError> {
    if seen.first(moid) {
        Ok(())
    } else {
        Err(StateError::invalid(field(), "duplicate moid"))
    }
}

fn validate(state: &State) -> Result<(), StateError> {
    let probes = validate_head(state)?;
    let mut devices = DeviceChecks::default();
    for (i, d) in state.devices.iter().enumerate() {
        devices.check(i, d)?;
        if let Some(p) = &d.probe {
            if !probes.contains(p) {
                return Err(StateError::invalid(
                    format!("devices[{i}].probe"),
                    "unknown probe",
                ));
            }
        }
    }
    let DeviceChecks { names, mut moids } = devices;
    validate_tail(state, &names, &mut moids)
}

/// The sections before the devices (users, probes): the probe names.
fn validate_head(state: &State) -> Result<HashSet<String>, StateError> {
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
            if crate::auth::totp::base32_decode(secret).is_none() {
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
    Ok(probes)
}

/// The sections after the devices, given the devices' names and moids.
fn validate_tail(
    state: &State,
    devices: &impl KnownDevices,
    moids: &mut impl Moids,
) -> Result<(), StateError> {
    for (i, f) in state.interfaces.iter().enumerate() {
        known(
            devices,
            || format!("interfaces[{i}].deviceName"),
            &f.device_name,
        )?;
        check_id(|| format!("interfaces[{i}].moid"), f.moid)?;
        check_moid(moids, || format!("interfaces[{i}].moid"), f.moid)?;
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
            devices,
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
            devices,
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
        known(devices, || format!("events[{i}].source"), &e.source)?;
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
    let mut schedule_ids = HashSet::new();
    for (i, d) in state.downtime_schedules.iter().enumerate() {
        check_id(|| format!("downtimeSchedules[{i}].id"), d.id)?;
        check_unique(
            &mut schedule_ids,
            || format!("downtimeSchedules[{i}].id"),
            &d.id.to_string(),
            "schedule id",
        )?;
        check_time(|| format!("downtimeSchedules[{i}].start"), &d.start)?;
        check_time(|| format!("downtimeSchedules[{i}].end"), &d.end)?;
        for (j, name) in d.devices.iter().enumerate() {
            known(
                devices,
                || format!("downtimeSchedules[{i}].devices[{j}]"),
                name,
            )?;
        }
    }
    let mut views = HashSet::new();
    for (i, v) in state.business_views.iter().enumerate() {
        check_unique(
            &mut views,
            || format!("businessViews[{i}].name"),
            &v.name,
            "business view",
        )?;
    }
    let interface_names: HashSet<&str> = state.interfaces.iter().map(|f| f.name.as_str()).collect();
    let mut group_ids = HashSet::new();
    for (i, g) in state.logical_groups.iter().enumerate() {
        check_id(|| format!("logicalGroups[{i}].id"), g.id)?;
        check_unique(
            &mut group_ids,
            || format!("logicalGroups[{i}].id"),
            &g.id.to_string(),
            "group id",
        )?;
        for (j, m) in g.members.iter().enumerate() {
            let ok = match g.group_type {
                GroupType::Device => devices.contains(m),
                GroupType::Interface => interface_names.contains(m.as_str()),
            };
            if !ok {
                return Err(StateError::invalid(
                    format!("logicalGroups[{i}].members[{j}]"),
                    "unknown member",
                ));
            }
        }
    }
    let mut dashboards = HashSet::new();
    let mut widget_ids = HashSet::new();
    for (i, d) in state.dashboards.iter().enumerate() {
        check_unique(
            &mut dashboards,
            || format!("dashboards[{i}].name"),
            &d.name,
            "dashboard",
        )?;
        for (j, w) in d.widgets.iter().enumerate() {
            check_unique(
                &mut widget_ids,
                || format!("dashboards[{i}].widgets[{j}].id"),
                &w.id.to_string(),
                "widget id",
            )?;
        }
    }
    let mut credentials = HashSet::new();
    for (i, c) in state.credentials.iter().enumerate() {
        check_unique(
            &mut credentials,
            || format!("credentials[{i}].name"),
            &c.name,
            "credential",
        )?;
    }
    let mut profiles = HashSet::new();
    for (i, p) in state.discovery_profiles.iter().enumerate() {
        check_unique(
            &mut profiles,
            || format!("discoveryProfiles[{i}].name"),
            &p.name,
            "profile",
        )?;
        for (field, ip) in [("startIp", &p.start_ip), ("endIp", &p.end_ip)] {
            if ip.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(StateError::invalid(
                    format!("discoveryProfiles[{i}].{field}"),
                    "not an IPv4 address",
                ));
            }
        }
    }
    let mut subnets = HashSet::new();
    for (i, n) in state.subnets.iter().enumerate() {
        check_unique(
            &mut subnets,
            || format!("subnets[{i}].address"),
            &n.address,
            "subnet",
        )?;
        for (field, ip) in [("address", &n.address), ("netmask", &n.netmask)] {
            if ip.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(StateError::invalid(
                    format!("subnets[{i}].{field}"),
                    "not an IPv4 address",
                ));
            }
        }
    }
    for (i, s) in state.spm_switches.iter().enumerate() {
        known(
            devices,
            || format!("spmSwitches[{i}].deviceName"),
            &s.device_name,
        )?;
    }
    let mut imports = HashSet::new();
    for (i, f) in state.file_imports.iter().enumerate() {
        check_id(|| format!("fileImports[{i}].id"), f.id)?;
        check_unique(
            &mut imports,
            || format!("fileImports[{i}].id"),
            &f.id.to_string(),
            "import id",
        )?;
        check_time(|| format!("fileImports[{i}].time"), &f.time)?;
    }
    let mut profile_ids = HashSet::new();
    for (i, p) in state.notification_profiles.iter().enumerate() {
        check_id(|| format!("notificationProfiles[{i}].id"), p.id)?;
        check_unique(
            &mut profile_ids,
            || format!("notificationProfiles[{i}].id"),
            &p.id.to_string(),
            "profile id",
        )?;
        for (j, d) in p.devices.iter().enumerate() {
            known(
                devices,
                || format!("notificationProfiles[{i}].devices[{j}]"),
                d,
            )?;
        }
    }
    let mut rule_ids = HashSet::new();
    for (i, r) in state.business_rules.iter().enumerate() {
        check_id(|| format!("businessRules[{i}].id"), r.id)?;
        check_unique(
            &mut rule_ids,
            || format!("businessRules[{i}].id"),
            &r.id.to_string(),
            "rule id",
        )?;
    }
    let mut report_ids = HashSet::new();
    for (i, r) in state.reports.iter().enumerate() {
        check_id(|| format!("reports[{i}].id"), r.id)?;
        check_unique(
            &mut report_ids,
            || format!("reports[{i}].id"),
            &r.id.to_string(),
            "report id",
        )?;
    }
    let mut template_ids = HashSet::new();
    for (i, t) in state.monitor_templates.iter().enumerate() {
        check_id(|| format!("monitorTemplates[{i}].id"), t.id)?;
        check_unique(
            &mut template_ids,
            || format!("monitorTemplates[{i}].id"),
            &t.id.to_string(),
            "template id",
        )?;
        if !matches!(
            t.kind,
            MonitorKind::Performance | MonitorKind::Process | MonitorKind::Service
        ) {
            return Err(StateError::invalid(
                format!("monitorTemplates[{i}].kind"),
                "must be performance, process or service",
            ));
        }
    }
    let mut script_ids = HashSet::new();
    for (i, s) in state.script_monitors.iter().enumerate() {
        check_id(|| format!("scriptMonitors[{i}].id"), s.id)?;
        check_unique(
            &mut script_ids,
            || format!("scriptMonitors[{i}].id"),
            &s.id.to_string(),
            "script id",
        )?;
    }
    let v = &state.virtualization;
    let hosts: HashSet<&str> = v.hosts.iter().map(|h| h.name.as_str()).collect();
    for (i, h) in v.hosts.iter().enumerate() {
        check_time(
            || format!("virtualization.hosts[{i}].bootTime"),
            &h.boot_time,
        )?;
        if !v.clusters.iter().any(|c| c.name == h.cluster) {
            return Err(StateError::invalid(
                format!("virtualization.hosts[{i}].cluster"),
                "unknown cluster",
            ));
        }
    }
    for (i, c) in v.clusters.iter().enumerate() {
        if !v.datacenters.contains(&c.datacenter) {
            return Err(StateError::invalid(
                format!("virtualization.clusters[{i}].datacenter"),
                "unknown datacenter",
            ));
        }
    }
    for (i, m) in v.vms.iter().enumerate() {
        if !hosts.contains(m.host.as_str()) {
            return Err(StateError::invalid(
                format!("virtualization.vms[{i}].host"),
                "unknown host",
            ));
        }
        check_severity(|| format!("virtualization.vms[{i}].status"), m.status)?;
    }
    for (i, d) in v.datastores.iter().enumerate() {
        for (j, h) in d.hosts.iter().enumerate() {
            if !hosts.contains(h.as_str()) {
                return Err(StateError::invalid(
                    format!("virtualization.datastores[{i}].hosts[{j}]"),
                    "unknown host",
                ));
            }
        }
    }
    let w = &state.wireless;
    for (i, a) in w.access_points.iter().enumerate() {
        known(
            devices,
            || format!("wireless.accessPoints[{i}].controller"),
            &a.controller,
        )?;
    }
    for (i, s) in w.ssids.iter().enumerate() {
        known(
            devices,
            || format!("wireless.ssids[{i}].controller"),
            &s.controller,
        )?;
    }
    for (i, c) in w.clients.iter().enumerate() {
        if !w.ssids.iter().any(|s| s.name == c.ssid) {
            return Err(StateError::invalid(
                format!("wireless.clients[{i}].ssid"),
                "unknown SSID",
            ));
        }
        if !w.access_points.iter().any(|a| a.name == c.ap) {
            return Err(StateError::invalid(
                format!("wireless.clients[{i}].ap"),
                "unknown access point",
            ));
        }
    }
    let mut host_names = HashSet::new();
    for (i, h) in state.host_names.iter().enumerate() {
        check_unique(
            &mut host_names,
            || format!("hostNames[{i}].name"),
            &h.name.to_ascii_lowercase(),
            "host name",
        )?;
        if h.ip_address.parse::<std::net::IpAddr>().is_err() {
            return Err(StateError::invalid(
                format!("hostNames[{i}].ipAddress"),
                "not an IP address",
            ));
        }
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
    write(tx, &state)
}

/// [`load`] from the document's JSON text, straight into typed records (no `Value` of the
/// whole document); `Ok(false)` when it does not deserialise, so the caller reads it through
/// [`load`] for the message naming the field.
///
/// # Errors
/// [`StateError::Invalid`] naming the field.
pub fn load_json(tx: &Transaction<'_>, json: &[u8]) -> Result<bool, StateError> {
    stream::load(tx, json)
}

/// Validate a typed document and write it into the (emptied) store.
fn write(tx: &Transaction<'_>, state: &State) -> Result<(), StateError> {
    validate(state)?;
    write_records(tx, state)
}

/// Write a validated document into the (emptied) store.
fn write_records(tx: &Transaction<'_>, state: &State) -> Result<(), StateError> {
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
    put_all(tx, &state.downtime_schedules)?;
    put_all(tx, &state.business_views)?;
    put_all(tx, &state.logical_groups)?;
    put_all(tx, &state.dashboards)?;
    put_all(tx, &state.credentials)?;
    put_all(tx, &state.discovery_profiles)?;
    put_all(tx, &state.subnets)?;
    put_all(tx, &state.spm_switches)?;
    put_all(tx, &state.file_imports)?;
    put_all(tx, &state.notification_profiles)?;
    put_all(tx, &state.business_rules)?;
    put_all(tx, &state.reports)?;
    put_all(tx, &state.monitor_templates)?;
    put_all(tx, &state.script_monitors)?;
    store::put(tx, &state.virtualization)?;
    store::put(tx, &state.wireless)?;
    put_all(tx, &state.host_names)?;
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
        downtime_schedules: store::all(conn)?,
        business_views: store::all(conn)?,
        logical_groups: store::all(conn)?,
        dashboards: store::all(conn)?,
        credentials: store::all(conn)?,
        discovery_profiles: store::all(conn)?,
        subnets: store::all(conn)?,
        spm_switches: store::all(conn)?,
        file_imports: store::all(conn)?,
        notification_profiles: store::all(conn)?,
        business_rules: store::all(conn)?,
        reports: store::all(conn)?,
        monitor_templates: store::all(conn)?,
        script_monitors: store::all(conn)?,
        virtualization: store::get(conn, "inventory")?.unwrap_or_default(),
        wireless: store::get(conn, "inventory")?.unwrap_or_default(),
        host_names: store::all(conn)?,
    };
    serde_json::to_value(&state)
        .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}
