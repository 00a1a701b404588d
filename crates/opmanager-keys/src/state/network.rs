//! A consistent read of the network (users, devices, interfaces, monitors, alarms) and what
//! OpManager derives from it: a device's status is its worst active alarm (Clear when none,
//! 7 Unmanaged when unmanaged), its "prettyTime" counts from its last alarm change.
//!
//! Reads are served from a [`Snapshot`] cached in the instance ([`crate::OpManager`]): it
//! is parsed once from the store and reused for as long as the store's connection reports
//! no change (SQLite's `total_changes()`, which every insert, update and delete of any
//! transaction moves, committed or not) and no reset happened. Every write goes through the
//! instance's one connection, so a stale snapshot is never served. The derived values
//! (status, last change, interface count, display date) are computed once per snapshot.
//!
//! A snapshot also keeps the rendered JSON of list answers ([`Network::cached`]): they go
//! with it when the store changes, and each is kept only for the instants whose "now" renders
//! it the same (ages such as `prettyTime`), so a clock change re-renders it too.

use crate::error::OpmError;
use crate::request::Params;
use crate::state::{Alarm, Detail, Device, Interface, Monitor, User};
use crate::wire::{self, ms};
use crate::{store, OpManager};
use actix_web::web::Bytes;
use auth_core::{Instance, Product};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::Arc;

/// What a device's row needs besides the device itself, computed once per snapshot.
#[derive(Debug, Clone)]
struct Derived {
    /// Status number (worst active alarm, 5 when none, 7 when unmanaged).
    status: u8,
    /// When the status last changed (newest alarm, else when added), epoch ms.
    changed_ms: i64,
    /// Number of interfaces.
    interface_count: usize,
    /// `addedTime` in epoch ms.
    added_ms: i64,
}

/// The parsed records of one store state, with per-device derived values.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Users (shared with the calls they make, [`crate::auth::Caller`]).
    pub users: Vec<Arc<User>>,
    /// Devices, without their [`crate::state::Detail`]s (hardware, sysDescr, custom
    /// fields): [`Network::read_with`] and [`Network::stored`] read those from the store.
    pub devices: Vec<Device>,
    /// Interfaces.
    pub interfaces: Vec<Interface>,
    /// Monitors.
    pub monitors: Vec<Monitor>,
    /// Alarms.
    pub alarms: Vec<Alarm>,
    /// Indices of `devices` in the order of their names.
    by_name: Vec<u32>,
    /// Derived values, by index of `devices`.
    derived: Vec<Derived>,
    /// Rendered list answers over this state.
    pages: Pages,
}

/// Most bytes of rendered answers one snapshot keeps (bodies and keys, with a per-entry
/// overhead); the oldest go first. An answer over a quarter of it is never kept.
pub const MAX_PAGE_BYTES: usize = 1 << 20;

/// Bytes counted per kept answer besides its body and key (map and queue slots).
const PAGE_OVERHEAD: usize = 96;

/// Rendered list answers of one snapshot, by operation and request parameters.
#[derive(Debug, Default)]
struct Pages(Mutex<PageMap>);

#[derive(Debug, Default)]
struct PageMap {
    entries: HashMap<String, CachedPage>,
    /// Keys in the order they were first kept (each once), for eviction.
    order: VecDeque<String>,
    /// Bytes counted for the kept answers.
    bytes: usize,
}

#[derive(Debug)]
struct CachedPage {
    body: Bytes,
    /// The answer holds for "now" in `from_ms..until_ms`.
    from_ms: i64,
    until_ms: i64,
}

impl CachedPage {
    fn cost(&self, key: &str) -> usize {
        self.body.len() + 2 * key.len() + PAGE_OVERHEAD
    }
}

impl PageMap {
    fn get(&self, key: &str, now_ms: i64) -> Option<Bytes> {
        self.entries
            .get(key)
            .filter(|p| (p.from_ms..p.until_ms).contains(&now_ms))
            .map(|p| p.body.clone())
    }

    fn keep(&mut self, key: String, page: CachedPage) {
        let cost = page.cost(&key);
        if cost > MAX_PAGE_BYTES / 4 {
            return;
        }
        if let Some(old) = self.entries.remove(&key) {
            self.bytes = self.bytes.saturating_sub(old.cost(&key));
            self.order.retain(|k| k != &key);
        }
        while self.bytes + cost > MAX_PAGE_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(old) = self.entries.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(old.cost(&oldest));
            }
        }
        self.bytes += cost;
        self.order.push_back(key.clone());
        self.entries.insert(key, page);
    }
}

/// The cache key of an answer: the operation and every request parameter in order (names and
/// values length-prefixed), leaving out the credentials (`apiKey`, `otp`), which select the
/// caller but never change a list answer.
fn page_key(operation: &str, params: &Params) -> String {
    let secret = |name: &str| {
        OpManager::SECRETS
            .params
            .iter()
            .any(|s| s.eq_ignore_ascii_case(name))
    };
    let mut key = String::with_capacity(64);
    key.push_str(operation);
    for (name, value) in params.pairs().iter().filter(|(n, _)| !secret(n)) {
        // Writing to a String cannot fail.
        let _ = write!(key, "\n{}:{name}{}:{value}", name.len(), value.len());
    }
    key
}

impl Snapshot {
    fn load(conn: &rusqlite::Connection) -> Result<Self, OpmError> {
        let users: Vec<Arc<User>> = store::all::<User>(conn)?
            .into_iter()
            .map(Arc::new)
            .collect();
        // Each device without its details as soon as it is read, so what they took is reused
        // by the next one rather than left as holes between the devices kept.
        let mut devices: Vec<Device> = store::all_as(conn, |mut d: Device| {
            d.sys_description = Detail::left_out();
            d.hardware = Detail::left_out();
            d.custom_fields = Detail::left_out();
            d.groups.shrink_to_fit();
            d
        })?;
        devices.shrink_to_fit();
        let interfaces: Vec<Interface> = store::all(conn)?;
        let monitors: Vec<Monitor> = store::all(conn)?;
        let alarms: Vec<Alarm> = store::all(conn)?;
        let mut order: Vec<u32> = (0..devices.len())
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        order.sort_unstable_by(|&a, &b| name_at(&devices, a).cmp(name_at(&devices, b)));
        let index = Index {
            devices: &devices,
            order: &order,
        };
        let mut worst: Vec<Option<u8>> = vec![None; devices.len()];
        let mut newest: Vec<Option<i64>> = vec![None; devices.len()];
        let mut counts = vec![0usize; devices.len()];
        for a in &alarms {
            if let Some(i) = index.find(&a.device_name) {
                let t = ms(&a.mod_time);
                if let Some(n) = newest.get_mut(i) {
                    *n = Some(n.map_or(t, |n| n.max(t)));
                }
                if a.severity != 5 {
                    if let Some(w) = worst.get_mut(i) {
                        *w = Some(w.map_or(a.severity, |w| w.min(a.severity)));
                    }
                }
            }
        }
        for f in &interfaces {
            if let Some(c) = index.find(&f.device_name).and_then(|i| counts.get_mut(i)) {
                *c += 1;
            }
        }
        let derived = devices
            .iter()
            .zip(worst.into_iter().zip(newest).zip(counts))
            .map(|(d, ((worst, newest), interface_count))| {
                let added_ms = ms(&d.added_time);
                Derived {
                    status: if d.managed { worst.unwrap_or(5) } else { 7 },
                    changed_ms: newest.unwrap_or(added_ms),
                    interface_count,
                    added_ms,
                }
            })
            .collect();
        Ok(Snapshot {
            users,
            devices,
            interfaces,
            monitors,
            alarms,
            by_name: order,
            derived,
            pages: Pages::default(),
        })
    }

    /// The index in `devices` of the device called `name`.
    fn find(&self, name: &str) -> Option<usize> {
        Index {
            devices: &self.devices,
            order: &self.by_name,
        }
        .find(name)
    }

    /// The index of `device` in `devices`: where it sits when it is one of them (found
    /// from its address), else the snapshot's device of the same name.
    fn position(&self, device: &Device) -> Option<usize> {
        let size = std::mem::size_of::<Device>();
        let offset =
            (device as *const Device as usize).wrapping_sub(self.devices.as_ptr() as usize);
        let at = offset / size.max(1);
        match self.devices.get(at) {
            Some(d) if std::ptr::eq(d, device) => Some(at),
            _ => self.find(&device.device_name),
        }
    }

    fn derived(&self, device: &Device) -> Option<&Derived> {
        self.position(device).and_then(|i| self.derived.get(i))
    }
}

/// The name of `devices[i]` (empty past the end).
fn name_at(devices: &[Device], i: u32) -> &str {
    devices
        .get(i as usize)
        .map_or("", |d| d.device_name.as_str())
}

/// Devices with their indices in name order: a lookup by name is a binary search.
struct Index<'a> {
    devices: &'a [Device],
    order: &'a [u32],
}

impl Index<'_> {
    fn find(&self, name: &str) -> Option<usize> {
        let at = self
            .order
            .binary_search_by(|&i| name_at(self.devices, i).cmp(name))
            .ok()?;
        self.order.get(at).map(|&i| i as usize)
    }
}

/// The instance's cached [`Snapshot`], keyed by the store's change counter.
#[derive(Debug, Default)]
pub struct SnapshotCache(Mutex<Option<(u64, Arc<Snapshot>)>>);

impl SnapshotCache {
    /// Forget the cached snapshot (after a reset or a replaced state).
    pub fn clear(&self) {
        *self.0.lock() = None;
    }
}

/// The current snapshot of `inst`: the cached one if the store did not change since, else a
/// fresh one (read under the store's lock, so it matches the change counter it is kept under).
///
/// # Errors
/// Store errors.
pub fn snapshot(inst: &Instance<OpManager>) -> Result<Arc<Snapshot>, OpmError> {
    inst.store.read(|conn| snapshot_of(inst, conn))
}

/// [`snapshot`] with the store's connection already locked.
fn snapshot_of(
    inst: &Instance<OpManager>,
    conn: &rusqlite::Connection,
) -> Result<Arc<Snapshot>, OpmError> {
    let stamp = conn.total_changes();
    let cache = &inst.product.cache;
    if let Some((at, snap)) = cache.0.lock().as_ref() {
        if *at == stamp {
            return Ok(snap.clone());
        }
    }
    let snap = Arc::new(Snapshot::load(conn)?);
    *cache.0.lock() = Some((stamp, snap.clone()));
    Ok(snap)
}

/// Devices, interfaces, monitors and alarms of one consistent state, seen at `now_ms`.
pub struct Network {
    snap: Arc<Snapshot>,
    /// The instance's "now" in epoch milliseconds.
    pub now_ms: i64,
}

impl std::ops::Deref for Network {
    type Target = Snapshot;
    fn deref(&self) -> &Snapshot {
        &self.snap
    }
}

/// A listDevices row (vendor sample keys, in the vendor's order).
#[derive(Debug, Serialize)]
pub struct DeviceRow<'a> {
    #[serde(rename = "deviceName")]
    device_name: &'a str,
    #[serde(rename = "displayName")]
    display_name: &'a str,
    ipaddress: &'a str,
    #[serde(rename = "type")]
    device_type: &'a str,
    #[serde(rename = "vendorName")]
    vendor_name: &'a str,
    category: &'a str,
    #[serde(rename = "statusStr")]
    status_str: &'static str,
    #[serde(rename = "statusNum")]
    status_num: std::borrow::Cow<'static, str>,
    #[serde(rename = "isSNMP")]
    is_snmp: bool,
    #[serde(rename = "isNew")]
    is_new: bool,
    #[serde(rename = "interfaceCount")]
    interface_count: usize,
    #[serde(rename = "prettyTime")]
    pretty_time: String,
    #[serde(rename = "addedTime")]
    added_time: std::borrow::Cow<'a, str>,
    /// The row reads the same for "now" up to this instant (`prettyTime`, `isNew`).
    #[serde(skip)]
    until_ms: i64,
}

impl DeviceRow<'_> {
    /// The first instant after the row's "now" at which it reads differently.
    pub fn until_ms(&self) -> i64 {
        self.until_ms
    }
}

/// The decimal text of a status number (`statusNum`).
fn status_text(n: u8) -> std::borrow::Cow<'static, str> {
    const DIGITS: [&str; 8] = ["0", "1", "2", "3", "4", "5", "6", "7"];
    match DIGITS.get(usize::from(n)) {
        Some(text) => std::borrow::Cow::Borrowed(text),
        None => std::borrow::Cow::Owned(n.to_string()),
    }
}

impl Network {
    /// Read the network of `inst`.
    ///
    /// # Errors
    /// Store errors.
    pub fn read(inst: &Instance<OpManager>) -> Result<Self, OpmError> {
        Ok(Network {
            snap: snapshot(inst)?,
            now_ms: inst.env.clock.now_ms(),
        })
    }

    /// Run `f` on the network of `inst` with the store's connection, both of one state
    /// (the store stays locked while `f` runs, so [`Network::stored`] reads what the snapshot
    /// was read from).
    ///
    /// # Errors
    /// Store errors, or whatever `f` returns.
    pub fn read_with<T>(
        inst: &Instance<OpManager>,
        f: impl FnOnce(&Network, &rusqlite::Connection) -> Result<T, OpmError>,
    ) -> Result<T, OpmError> {
        inst.store.read(|conn| {
            let net = Network {
                snap: snapshot_of(inst, conn)?,
                now_ms: inst.env.clock.now_ms(),
            };
            f(&net, conn)
        })
    }

    /// The whole stored record of one of the snapshot's devices, with its
    /// [`crate::state::Detail`]s; `conn` is the one [`Network::read_with`] gave.
    ///
    /// # Errors
    /// Store errors; [`OpmError::UnknownDevice`] if it is not stored.
    pub fn stored(&self, conn: &rusqlite::Connection, device: &Device) -> Result<Device, OpmError> {
        store::get::<Device>(conn, &device.device_name)?
            .ok_or_else(|| OpmError::UnknownDevice(device.device_name.clone()))
    }

    /// The device called `name`.
    ///
    /// # Errors
    /// [`OpmError::UnknownDevice`].
    pub fn device(&self, name: &str) -> Result<&Device, OpmError> {
        self.find(name)
            .and_then(|i| self.devices.get(i))
            .ok_or_else(|| OpmError::UnknownDevice(name.to_owned()))
    }

    /// The device's status number.
    pub fn status(&self, device: &Device) -> u8 {
        if let Some(d) = self.derived(device) {
            return d.status;
        }
        if !device.managed {
            return 7;
        }
        self.alarms
            .iter()
            .filter(|a| a.device_name == device.device_name && a.severity != 5)
            .map(|a| a.severity)
            .min()
            .unwrap_or(5)
    }

    /// When the device's status last changed (its newest alarm, else when it was added).
    pub fn status_changed_ms(&self, device: &Device) -> i64 {
        if let Some(d) = self.derived(device) {
            return d.changed_ms;
        }
        self.alarms
            .iter()
            .filter(|a| a.device_name == device.device_name)
            .map(|a| ms(&a.mod_time))
            .max()
            .unwrap_or_else(|| ms(&device.added_time))
    }

    /// The device's interfaces.
    pub fn interfaces_of<'a>(&'a self, device: &'a Device) -> impl Iterator<Item = &'a Interface> {
        self.interfaces
            .iter()
            .filter(move |f| f.device_name == device.device_name)
    }

    /// A listDevices row, ready to serialise.
    pub fn row<'a>(&'a self, d: &'a Device) -> DeviceRow<'a> {
        let (status, changed, count, added) = match self.derived(d) {
            Some(x) => (x.status, x.changed_ms, x.interface_count, x.added_ms),
            None => (
                self.status(d),
                self.status_changed_ms(d),
                self.interfaces_of(d).count(),
                ms(&d.added_time),
            ),
        };
        let added_text = std::borrow::Cow::Owned(wire::display_time(added));
        let is_new = self.now_ms.saturating_sub(added) < 86_400_000;
        let new_until = if is_new {
            added.saturating_add(86_400_000)
        } else {
            i64::MAX
        };
        DeviceRow {
            device_name: &d.device_name,
            display_name: &d.display_name,
            ipaddress: &d.ip_address,
            device_type: &d.device_type,
            vendor_name: &d.vendor_name,
            category: &d.category,
            status_str: wire::severity_name(status),
            status_num: status_text(status),
            is_snmp: d.is_snmp,
            is_new,
            interface_count: count,
            pretty_time: wire::pretty_time(changed, self.now_ms),
            added_time: added_text,
            until_ms: wire::pretty_time_until(changed, self.now_ms).min(new_until),
        }
    }

    /// The answer of `operation` for `params`, rendered by `render` (its JSON and the first
    /// instant after [`Network::now_ms`] at which it would read differently, `i64::MAX` if
    /// never), or the same answer kept from an earlier request on this snapshot whose "now"
    /// rendered it the same. Errors are never kept.
    ///
    /// # Errors
    /// Whatever `render` returns.
    pub fn cached(
        &self,
        operation: &str,
        params: &Params,
        render: impl FnOnce(&Network) -> Result<(Bytes, i64), OpmError>,
    ) -> Result<Bytes, OpmError> {
        let key = page_key(operation, params);
        if let Some(body) = self.pages.0.lock().get(&key, self.now_ms) {
            return Ok(body);
        }
        let (body, until_ms) = render(self)?;
        if until_ms > self.now_ms {
            let page = CachedPage {
                body: body.clone(),
                from_ms: self.now_ms,
                until_ms,
            };
            self.pages.0.lock().keep(key, page);
        }
        Ok(body)
    }

    /// A listDevices row as a JSON value (vendor sample keys).
    pub fn device_row(&self, d: &Device) -> Value {
        serde_json::to_value(self.row(d)).unwrap_or(Value::Null)
    }
}

/// Order two JSON cells: numbers (and numeric strings) numerically, text case-insensitively.
pub fn compare_cells(a: &Value, b: &Value) -> Ordering {
    let num = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s
            .parse::<f64>()
            .ok()
            .or_else(|| quantity(s))
            .or_else(|| crate::wire::parse_display_time(s).map(|ms| ms as f64)),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => {
            let text = |v: &Value| match v {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string(),
            };
            text(a).cmp(&text(b))
        }
    }
}

/// A number with a unit prefix as the vendor shows speeds (`8 Gbps`, `1 G`, `2.048 Mbps`).
fn quantity(text: &str) -> Option<f64> {
    let (number, unit) = text.trim().split_once(' ')?;
    let number: f64 = number.parse().ok()?;
    let factor = match unit.chars().next() {
        Some('G') => 1e9,
        Some('M') => 1e6,
        Some('K') => 1e3,
        Some('b') => 1.0,
        _ => return None,
    };
    Some(number * factor)
}

/// A monitored value at `at_ms`, for time series: its last polled `value` with a
/// deterministic jitter of up to ±15 % (FNV-1a of `key` and the 5-minute slot), kept within
/// 0..=100 for percentages. The same key, value and time always give the same sample.
pub fn sample(key: &str, value: f64, at_ms: i64, percent: bool) -> f64 {
    let slot = at_ms.div_euclid(300_000);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain(slot.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let unit = (h % 10_001) as f64 / 10_000.0; // 0..=1
    let v = value * (0.85 + 0.3 * unit);
    let v = if percent {
        v.clamp(0.0, 100.0)
    } else {
        v.max(0.0)
    };
    (v * 100.0).round() / 100.0
}
