//! A consistent read of the network (devices, interfaces, alarms) and what OpManager
//! derives from it: a device's status is its worst active alarm (Clear when none, 7
//! Unmanaged when unmanaged), its "prettyTime" counts from its last alarm change.

use crate::error::OpmError;
use crate::state::{Alarm, Device, Interface};
use crate::wire::{self, ms};
use crate::{store, OpManager};
use auth_core::Instance;
use serde_json::{json, Value};
use std::cmp::Ordering;

/// Devices, interfaces and alarms read in one lock.
pub struct Network {
    /// Devices.
    pub devices: Vec<Device>,
    /// Interfaces.
    pub interfaces: Vec<Interface>,
    /// Alarms.
    pub alarms: Vec<Alarm>,
    /// The instance's "now" in epoch milliseconds.
    pub now_ms: i64,
}

impl Network {
    /// Read the network of `inst`.
    ///
    /// # Errors
    /// Store errors.
    pub fn read(inst: &Instance<OpManager>) -> Result<Self, OpmError> {
        let (devices, interfaces, alarms) = inst
            .store
            .read(|c| Ok::<_, OpmError>((store::all(c)?, store::all(c)?, store::all(c)?)))?;
        Ok(Network {
            devices,
            interfaces,
            alarms,
            now_ms: inst.env.clock.now_ms(),
        })
    }

    /// The device called `name`.
    ///
    /// # Errors
    /// [`OpmError::UnknownDevice`].
    pub fn device(&self, name: &str) -> Result<&Device, OpmError> {
        self.devices
            .iter()
            .find(|d| d.device_name == name)
            .ok_or_else(|| OpmError::UnknownDevice(name.to_owned()))
    }

    /// The device's status number.
    pub fn status(&self, device: &Device) -> u8 {
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

    /// A listDevices row (vendor sample keys).
    pub fn device_row(&self, d: &Device) -> Value {
        let status = self.status(d);
        let added = ms(&d.added_time);
        json!({
            "deviceName": d.device_name,
            "displayName": d.display_name,
            "ipaddress": d.ip_address,
            "type": d.device_type,
            "vendorName": d.vendor_name,
            "category": d.category,
            "statusStr": wire::severity_name(status),
            "statusNum": status.to_string(),
            "isSNMP": d.is_snmp,
            "isNew": self.now_ms.saturating_sub(added) < 86_400_000,
            "interfaceCount": self.interfaces_of(d).count(),
            "prettyTime": wire::pretty_time(self.status_changed_ms(d), self.now_ms),
            "addedTime": wire::display_time(added),
        })
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
