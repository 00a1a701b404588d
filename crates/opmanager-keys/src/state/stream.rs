//! `PUT /_standin/state` read as a stream: each device is checked and inserted as soon as it
//! is parsed, so neither a `Value` of the document nor a `Vec` of its devices is ever held
//! (10^6 devices would be a few GB of either). The other sections are small and read into
//! the typed [`State`] (with no devices), then checked and written as [`super::load`] does.
//!
//! The loader accepts exactly the documents [`super::load`] accepts: it runs the same checks
//! (the devices' in the document's order, their probes once the probes are known). On any
//! refusal it answers `Ok(false)` and writes nothing that stays: auth-core rolls the
//! transaction back and reads the document again through [`super::load`], which gives the
//! refusal its field and message, so a bad document is refused exactly as before.

use super::{validate_head, validate_tail, write_records, KnownDevices, Moids, State, MAX_ID};
use crate::state::Device;
use crate::store::{self, Appender};
use auth_core::clock::parse_rfc3339_ms;
use auth_core::store::StoreError;
use auth_core::{read_once as once, required_field as required, ForEach, StateError};
use rusqlite::Transaction;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;

/// The document's top-level fields, as [`State`] names them.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Edition,
    TfaEnabled,
    Users,
    Probes,
    Devices,
    Interfaces,
    Monitors,
    Alarms,
    Events,
    DowntimeSchedules,
    BusinessViews,
    LogicalGroups,
    Dashboards,
    Credentials,
    DiscoveryProfiles,
    Subnets,
    SpmSwitches,
    FileImports,
    NotificationProfiles,
    BusinessRules,
    Reports,
    MonitorTemplates,
    ScriptMonitors,
    Virtualization,
    Wireless,
    HostNames,
}

/// Where the devices go as they are read.
struct DeviceSink<'c> {
    rows: Appender<'c, Device>,
    /// The devices' moids (and then the interfaces'), checked for repeats at the end.
    moids: MoidList,
    /// The probes the devices name (checked once the probes section is known).
    probes: HashSet<String>,
    /// Whether a device failed its checks.
    refused: bool,
    /// Why reading stopped, when it was the store.
    failed: Option<StoreError>,
}

impl DeviceSink<'_> {
    /// Check and insert the next device; `false` when the document is refused or the
    /// store failed (`failed` says which). The checks of [`super::DeviceChecks`], but for
    /// repeats: the table's unique key refuses a repeated name, and moids are checked at
    /// the end.
    fn take(&mut self, device: &Device) -> bool {
        let ok = !device.device_name.is_empty()
            && (1..=MAX_ID).contains(&device.moid)
            && parse_rfc3339_ms(&device.added_time).is_some();
        if !ok {
            self.refused = true;
            return false;
        }
        self.moids.0.push(device.moid);
        if let Some(p) = &device.probe {
            if !self.probes.contains(p) {
                self.probes.insert(p.clone());
            }
        }
        match self.rows.push(&device.device_name, device) {
            Ok(()) => true,
            Err(err) => {
                self.fail(err);
                false
            }
        }
    }

    fn fail(&mut self, err: StoreError) {
        if store::is_constraint(&err) {
            self.refused = true;
        } else {
            self.failed = Some(err);
        }
    }
}

/// Moids in the order seen; repeats are found by sorting once at the end.
#[derive(Default)]
struct MoidList(Vec<i64>);

impl Moids for MoidList {
    fn first(&mut self, moid: i64) -> bool {
        self.0.push(moid);
        true
    }
}

impl MoidList {
    /// Whether no moid was seen twice.
    fn all_distinct(mut self) -> bool {
        self.0.sort_unstable();
        self.0.windows(2).all(|w| w[0] != w[1])
    }
}

/// The devices of the store (all of the document's are written before they are looked up).
struct StoredDevices<'c> {
    conn: &'c rusqlite::Connection,
    /// A lookup failed (answered as unknown, so the document is read again the slow way).
    failed: std::cell::Cell<bool>,
}

impl KnownDevices for StoredDevices<'_> {
    fn contains(&self, name: &str) -> bool {
        match store::exists::<Device>(self.conn, name) {
            Ok(found) => found,
            Err(_) => {
                self.failed.set(true);
                false
            }
        }
    }
}

/// Load the document in `json` into the (emptied) store inside `tx`; `Ok(false)` when it
/// is refused (bad JSON, a wrong field, a failed check): nothing is then to be kept.
///
/// # Errors
/// Store errors.
pub fn load(tx: &Transaction<'_>, json: &[u8]) -> Result<bool, StateError> {
    store::bulk(tx, || load_in(tx, json))
}

fn load_in(tx: &Transaction<'_>, json: &[u8]) -> Result<bool, StateError> {
    // The UTF-8 checked once for the whole text, not again for every string (JSON text that is
    // not UTF-8 is refused by the `Value` reading too).
    let Ok(text) = std::str::from_utf8(json) else {
        return Ok(false);
    };
    let mut sink = DeviceSink {
        rows: Appender::new(tx),
        moids: MoidList::default(),
        probes: HashSet::new(),
        refused: false,
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Document { sink: &mut sink }.deserialize(&mut de);
    let DeviceSink {
        rows,
        mut moids,
        probes: named,
        mut refused,
        mut failed,
    } = sink;
    if parsed.is_ok() && failed.is_none() && !refused {
        if let Err(err) = rows.finish() {
            if store::is_constraint(&err) {
                refused = true;
            } else {
                failed = Some(err);
            }
        }
    }
    if let Some(err) = failed {
        return Err(err.into());
    }
    let Ok(state) = parsed else {
        return Ok(false);
    };
    if refused || de.end().is_err() {
        return Ok(false);
    }
    let Ok(probes) = validate_head(&state) else {
        return Ok(false);
    };
    if !named.iter().all(|p| probes.contains(p)) {
        return Ok(false);
    }
    let devices = StoredDevices {
        conn: tx,
        failed: std::cell::Cell::new(false),
    };
    let tail = validate_tail(&state, &devices, &mut moids);
    if devices.failed.get() || tail.is_err() || !moids.all_distinct() {
        return Ok(false);
    }
    write_records(tx, &state)?;
    Ok(true)
}

/// The whole document: a [`State`] whose devices went to the sink.
struct Document<'s, 'c> {
    sink: &'s mut DeviceSink<'c>,
}

impl<'de> DeserializeSeed<'de> for Document<'_, '_> {
    type Value = State;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<State, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_, '_> {
    type Value = State;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct State")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<State, A::Error> {
        let (mut edition, mut tfa_enabled, mut users, mut probes) = (None, None, None, None);
        let mut devices = false;
        let (mut interfaces, mut monitors, mut alarms, mut events) = (None, None, None, None);
        let (mut downtime_schedules, mut business_views, mut logical_groups) = (None, None, None);
        let (mut dashboards, mut credentials, mut discovery_profiles) = (None, None, None);
        let (mut subnets, mut spm_switches, mut file_imports) = (None, None, None);
        let (mut notification_profiles, mut business_rules, mut reports) = (None, None, None);
        let (mut monitor_templates, mut script_monitors) = (None, None);
        let (mut virtualization, mut wireless, mut host_names) = (None, None, None);
        while let Some(field) = map.next_key::<Field>()? {
            let m = &mut map;
            match field {
                Field::Edition => once(&mut edition, m, "edition")?,
                Field::TfaEnabled => once(&mut tfa_enabled, m, "tfaEnabled")?,
                Field::Users => once(&mut users, m, "users")?,
                Field::Probes => once(&mut probes, m, "probes")?,
                Field::Devices => {
                    if devices {
                        return Err(de::Error::duplicate_field("devices"));
                    }
                    devices = true;
                    let sink = &mut *self.sink;
                    m.next_value_seed(ForEach::new(|device: Device| sink.take(&device)))?;
                }
                Field::Interfaces => once(&mut interfaces, m, "interfaces")?,
                Field::Monitors => once(&mut monitors, m, "monitors")?,
                Field::Alarms => once(&mut alarms, m, "alarms")?,
                Field::Events => once(&mut events, m, "events")?,
                Field::DowntimeSchedules => {
                    once(&mut downtime_schedules, m, "downtimeSchedules")?;
                }
                Field::BusinessViews => once(&mut business_views, m, "businessViews")?,
                Field::LogicalGroups => once(&mut logical_groups, m, "logicalGroups")?,
                Field::Dashboards => once(&mut dashboards, m, "dashboards")?,
                Field::Credentials => once(&mut credentials, m, "credentials")?,
                Field::DiscoveryProfiles => {
                    once(&mut discovery_profiles, m, "discoveryProfiles")?;
                }
                Field::Subnets => once(&mut subnets, m, "subnets")?,
                Field::SpmSwitches => once(&mut spm_switches, m, "spmSwitches")?,
                Field::FileImports => once(&mut file_imports, m, "fileImports")?,
                Field::NotificationProfiles => {
                    once(&mut notification_profiles, m, "notificationProfiles")?;
                }
                Field::BusinessRules => once(&mut business_rules, m, "businessRules")?,
                Field::Reports => once(&mut reports, m, "reports")?,
                Field::MonitorTemplates => once(&mut monitor_templates, m, "monitorTemplates")?,
                Field::ScriptMonitors => once(&mut script_monitors, m, "scriptMonitors")?,
                Field::Virtualization => once(&mut virtualization, m, "virtualization")?,
                Field::Wireless => once(&mut wireless, m, "wireless")?,
                Field::HostNames => once(&mut host_names, m, "hostNames")?,
            }
        }
        if !devices {
            return Err(de::Error::missing_field("devices"));
        }
        Ok(State {
            edition: required(edition, "edition")?,
            tfa_enabled: required(tfa_enabled, "tfaEnabled")?,
            users: required(users, "users")?,
            probes: probes.unwrap_or_default(),
            devices: Vec::new(),
            interfaces: interfaces.unwrap_or_default(),
            monitors: monitors.unwrap_or_default(),
            alarms: alarms.unwrap_or_default(),
            events: events.unwrap_or_default(),
            downtime_schedules: downtime_schedules.unwrap_or_default(),
            business_views: business_views.unwrap_or_default(),
            logical_groups: logical_groups.unwrap_or_default(),
            dashboards: dashboards.unwrap_or_default(),
            credentials: credentials.unwrap_or_default(),
            discovery_profiles: discovery_profiles.unwrap_or_default(),
            subnets: subnets.unwrap_or_default(),
            spm_switches: spm_switches.unwrap_or_default(),
            file_imports: file_imports.unwrap_or_default(),
            notification_profiles: notification_profiles.unwrap_or_default(),
            business_rules: business_rules.unwrap_or_default(),
            reports: reports.unwrap_or_default(),
            monitor_templates: monitor_templates.unwrap_or_default(),
            script_monitors: script_monitors.unwrap_or_default(),
            virtualization: virtualization.unwrap_or_default(),
            wireless: wireless.unwrap_or_default(),
            host_names: host_names.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_core::Product;
    use serde_json::{json, Value};

    /// A store with the schema, for one load.
    fn fresh() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::OpManager::SCHEMA).unwrap();
        conn
    }

    /// The store's dump after the streaming load of `doc`, or `None` if it was refused.
    fn streamed(doc: &Value) -> Option<Value> {
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        let text = serde_json::to_vec(doc).unwrap();
        if !load(&tx, &text).unwrap() {
            return None;
        }
        tx.commit().unwrap();
        Some(super::super::dump(&conn).unwrap())
    }

    /// The same through the `Value` loader.
    fn typed(doc: &Value) -> Option<Value> {
        let mut conn = fresh();
        let tx = conn.transaction().unwrap();
        super::super::load(&tx, doc).ok()?;
        tx.commit().unwrap();
        Some(super::super::dump(&conn).unwrap())
    }

    fn fixture() -> Value {
        serde_json::from_str(crate::OpManager::FIXTURES).unwrap()
    }

    #[test]
    fn the_fixture_loads_the_same_streamed_and_typed() {
        let doc = fixture();
        let streamed = streamed(&doc).expect("the fixture is accepted");
        assert_eq!(Some(streamed.clone()), typed(&doc));
        // Round trip: the dump loads to itself.
        assert_eq!(self::streamed(&streamed), Some(streamed));
    }

    #[test]
    fn field_order_does_not_matter() {
        let doc = fixture();
        let object = doc.as_object().unwrap();
        let reversed: serde_json::Map<String, Value> = object
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let reversed = Value::Object(reversed);
        assert_eq!(streamed(&reversed), typed(&doc));
    }

    #[test]
    fn every_refusal_of_the_typed_loader_is_a_refusal_here() {
        let base = fixture();
        type Edit = Box<dyn Fn(&mut Value)>;
        let edits: Vec<Edit> = vec![
            Box::new(|d| d["devices"][1]["deviceName"] = d["devices"][0]["deviceName"].clone()),
            Box::new(|d| d["devices"][1]["moid"] = d["devices"][0]["moid"].clone()),
            Box::new(|d| d["interfaces"][0]["moid"] = d["devices"][0]["moid"].clone()),
            Box::new(|d| d["devices"][0]["moid"] = json!(0)),
            Box::new(|d| d["devices"][0]["deviceName"] = json!("")),
            Box::new(|d| d["devices"][0]["addedTime"] = json!("yesterday")),
            Box::new(|d| d["devices"][0]["probe"] = json!("Nowhere")),
            Box::new(|d| d["devices"][0]["colour"] = json!("red")),
            Box::new(|d| d["devices"] = json!({})),
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("devices");
            }),
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("edition");
            }),
            Box::new(|d| d["colour"] = json!("red")),
            Box::new(|d| d["users"][1]["apiKey"] = d["users"][0]["apiKey"].clone()),
            Box::new(|d| d["alarms"][0]["deviceName"] = json!("nowhere")),
            Box::new(|d| d["events"][3]["id"] = json!(-4)),
        ];
        for (n, edit) in edits.iter().enumerate() {
            let mut doc = base.clone();
            edit(&mut doc);
            assert_eq!(typed(&doc), None, "edit {n} is refused by the typed loader");
            assert_eq!(streamed(&doc), None, "edit {n} is refused streamed");
        }
        // A probe named before the probes section is known is accepted once it is.
        let mut doc = base.clone();
        doc["probes"] = json!([{"probeID": 7, "name": "Probe1", "displayName": "P",
            "natName": "p", "natPort": 8062, "natProtocol": "http", "connected": true,
            "lastContact": "2026-11-23T07:42:59Z", "contactPerson": "J",
            "contactEmail": "j@example.com"}]);
        doc["devices"][0]["probe"] = json!("Probe1");
        let mut reordered = serde_json::Map::new();
        reordered.insert("devices".into(), doc["devices"].clone());
        for (k, v) in doc.as_object().unwrap() {
            if k != "devices" {
                reordered.insert(k.clone(), v.clone());
            }
        }
        let reordered = Value::Object(reordered);
        assert!(typed(&doc).is_some());
        assert_eq!(streamed(&reordered), typed(&doc));
    }

    #[test]
    fn duplicate_fields_and_trailing_text_are_refused() {
        let refused = |text: &str| {
            let mut conn = fresh();
            let tx = conn.transaction().unwrap();
            !load(&tx, text.as_bytes()).unwrap()
        };
        let text = crate::OpManager::FIXTURES.trim_end();
        assert!(!refused(text));
        let inner = text.strip_suffix('}').unwrap();
        assert!(refused(&format!("{inner}, \"devices\": []}}")));
        assert!(refused(&format!("{inner}, \"users\": []}}")));
        assert!(refused(&format!("{text} x")));
        assert!(refused("{\"edition\": "));
    }
}
