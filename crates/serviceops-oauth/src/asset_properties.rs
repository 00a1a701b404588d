//! An asset's `assetPropertyList`: its type-specific property record, as the vendor's
//! "UPDATE an Asset" page (<https://www.motadata.com/documentations/update-an-asset/>) shows
//! it: a request sends `{"type": "ComputerProperty", "osName": "...", "propertyCustomField":
//! {...}}`, the answer carries the whole record, `id` and `refName` (the asset's `assetId`)
//! first, every documented property with its default (`null`, `0`, `false`), then
//! `propertyCustomField`.

use crate::error::ApiError;
use crate::request::invalid;
use serde_json::{Map, Value};

/// What a property may hold.
#[derive(Clone, Copy)]
enum Slot {
    /// A string or `null` (default `null`).
    Text,
    /// A number (default `0`).
    Number,
    /// A boolean (default `false`).
    Flag,
}

/// The documented properties of a `ComputerProperty` (hardware assets), in the page's order.
const COMPUTER: &[(&str, Slot)] = &[
    ("osName", Slot::Text),
    ("osVersion", Slot::Text),
    ("servicePackName", Slot::Text),
    ("osLicenceKey", Slot::Text),
    ("osArchitecture", Slot::Text),
    ("bootupState", Slot::Text),
    ("memorySize", Slot::Number),
    ("diskSize", Slot::Number),
    ("domainName", Slot::Text),
    ("cpuSpeed", Slot::Number),
    ("cpuCoreCount", Slot::Number),
    ("partOfDomain", Slot::Flag),
    ("numberOfLogicalProcessors", Slot::Number),
    ("numberOfProcessors", Slot::Number),
    ("pcSystemType", Slot::Text),
    ("lastLoggedInUser", Slot::Text),
    ("activationStatus", Slot::Text),
];

/// The documented properties of a `SoftwareProperty` (software assets).
const SOFTWARE: &[(&str, Slot)] = &[("softwareCost", Slot::Number)];

/// The property record type of an asset class, and its properties.
fn record_of(asset_kind: &str) -> Option<(&'static str, &'static [(&'static str, Slot)])> {
    match asset_kind {
        "HardwareAsset" => Some(("ComputerProperty", COMPUTER)),
        "SoftwareAsset" => Some(("SoftwareProperty", SOFTWARE)),
        _ => None,
    }
}

fn default_of(slot: Slot) -> Value {
    match slot {
        Slot::Text => Value::Null,
        Slot::Number => Value::from(0),
        Slot::Flag => Value::Bool(false),
    }
}

fn fits(slot: Slot, value: &Value) -> bool {
    match slot {
        Slot::Text => value.is_string() || value.is_null(),
        Slot::Number => value.is_number(),
        Slot::Flag => value.is_boolean(),
    }
}

/// Apply a body's `assetPropertyList` to the asset's current list (`current`), for an asset of
/// class `asset_kind` with id `id` and display id `asset_id`. The list holds at most one record,
/// of the class's type; its keys merge into the current record (an update changes only what it
/// sends), `propertyCustomField` merges by label.
///
/// # Errors
/// [`ApiError::Validation`] naming `assetPropertyList` (not a list, more than one record, the
/// wrong `type` for the asset, an unknown key, a value of the wrong kind).
pub fn apply(
    current: &[Map<String, Value>],
    given: &Value,
    asset_kind: &str,
    id: i64,
    asset_id: &str,
) -> Result<Vec<Map<String, Value>>, ApiError> {
    const KEY: &str = "assetPropertyList";
    let items = given
        .as_array()
        .ok_or_else(|| invalid(KEY, "must be a list of property objects"))?;
    let Some((record_type, slots)) = record_of(asset_kind) else {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        return Err(invalid(KEY, &format!("a {asset_kind} has no properties")));
    };
    let item = match items.as_slice() {
        [] => return Ok(current.to_vec()),
        [one] => one
            .as_object()
            .ok_or_else(|| invalid(KEY, "must be a list of property objects"))?,
        _ => return Err(invalid(KEY, "holds one property record")),
    };
    match item.get("type").and_then(Value::as_str) {
        Some(t) if t == record_type => {}
        _ => {
            return Err(invalid(
                "assetPropertyList[0].type",
                &format!("must be {record_type} for a {asset_kind}"),
            ))
        }
    }
    let mut record = current
        .first()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some(record_type))
        .cloned()
        .unwrap_or_else(|| fresh(record_type, slots, id, asset_id));
    for (key, value) in item {
        let field = || format!("assetPropertyList[0].{key}");
        match key.as_str() {
            "type" => {}
            "id" | "refName" => return Err(invalid(&field(), "is view-only")),
            "propertyCustomField" => {
                let labels = value
                    .as_object()
                    .ok_or_else(|| invalid(&field(), "must be an object"))?;
                if let Some(Value::Object(custom)) = record.get_mut("propertyCustomField") {
                    custom.extend(labels.clone());
                }
            }
            _ => {
                let (_, slot) = slots
                    .iter()
                    .find(|(name, _)| *name == key.as_str())
                    .ok_or_else(|| {
                        invalid(&field(), &format!("unknown property of a {record_type}"))
                    })?;
                if !fits(*slot, value) {
                    return Err(invalid(&field(), "has the wrong type"));
                }
                record.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(vec![record])
}

/// A new record of `record_type` with every property at its default.
fn fresh(record_type: &str, slots: &[(&str, Slot)], id: i64, asset_id: &str) -> Map<String, Value> {
    let mut record = Map::new();
    record.insert("id".into(), Value::from(id));
    record.insert("refName".into(), Value::from(asset_id));
    record.insert("type".into(), Value::from(record_type));
    for (name, slot) in slots {
        record.insert((*name).to_owned(), default_of(*slot));
    }
    record.insert("propertyCustomField".into(), Value::Object(Map::new()));
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_computer_property_gets_every_documented_key_with_its_default() {
        let given = json!([{"type": "ComputerProperty", "osName": "Windows X10",
                             "propertyCustomField": {"computerproperty-textbox": "t"}}]);
        let list = apply(&[], &given, "HardwareAsset", 1, "AST-1").unwrap();
        let keys: Vec<&str> = list[0].keys().map(String::as_str).collect();
        assert_eq!(&keys[..4], ["id", "refName", "type", "osName"]);
        assert_eq!(keys.last(), Some(&"propertyCustomField"));
        assert_eq!(list[0]["osVersion"], Value::Null);
        assert_eq!(list[0]["memorySize"], 0);
        assert_eq!(list[0]["partOfDomain"], false);
        assert_eq!(
            list[0]["propertyCustomField"]["computerproperty-textbox"],
            "t"
        );
        let again = apply(
            &list,
            &json!([{"type": "ComputerProperty", "diskSize": 512}]),
            "HardwareAsset",
            1,
            "AST-1",
        )
        .unwrap();
        assert_eq!(again[0]["osName"], "Windows X10");
        assert_eq!(again[0]["diskSize"], 512);
    }

    #[test]
    fn wrong_shapes_types_and_keys_are_refused() {
        let bad = [
            json!({}),
            json!([1]),
            json!([{"type": "SoftwareProperty"}]),
            json!([{"type": "ComputerProperty", "nope": 1}]),
            json!([{"type": "ComputerProperty", "memorySize": "big"}]),
            json!([{"type": "ComputerProperty", "id": 9}]),
            json!([{"type": "ComputerProperty"}, {"type": "ComputerProperty"}]),
        ];
        for given in bad {
            assert!(
                apply(&[], &given, "HardwareAsset", 1, "AST-1").is_err(),
                "{given}"
            );
        }
        assert!(apply(&[], &json!([{"type": "X"}]), "NonITAsset", 1, "AST-1").is_err());
        assert!(apply(&[], &json!([]), "NonITAsset", 1, "AST-1")
            .unwrap()
            .is_empty());
    }
}
