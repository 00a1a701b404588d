//! Assets: `/api/v1/asset` (Motadata docs "POST Create an Asset",
//! <https://motadata.com/documentation_category/serviceops/>).

use crate::auth::Caller;
use crate::error::ApiError;
use crate::objects::Resource;
use crate::request::{invalid, set_name, set_optional_name, set_user, Body, Lookups};
use crate::store::{self, Kind};
use crate::wire::Asset;
use rusqlite::Transaction;
use serde_json::Map;

/// The properties an asset search may qualify on.
const FIELDS: &[&str] = &[
    "id",
    "name",
    "assetId",
    "assetTypeName",
    "type",
    "statusName",
    "impactName",
    "vendorName",
    "productName",
    "departmentName",
    "locationName",
    "usedByEmail",
    "managedByEmail",
    "ipAddress",
    "hostName",
    "macAddress",
    "createdTime",
    "updatedTime",
    "createdByName",
    "updatedByName",
];

/// Asset classes and the prefix of their display ids.
const CLASSES: [(&str, &str); 3] = [
    ("HardwareAsset", "HA"),
    ("SoftwareAsset", "SA"),
    ("NonITAsset", "NA"),
];

fn class(value: &str) -> Result<&'static str, ApiError> {
    CLASSES
        .iter()
        .map(|(name, _)| *name)
        .find(|name| name.eq_ignore_ascii_case(value))
        .ok_or_else(|| invalid("type", &format!("{value:?} does not exist")))
}

fn valid_mac(text: &str) -> bool {
    let parts: Vec<&str> = text.split([':', '-']).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

impl Resource for Asset {
    const KIND: Kind = Kind::Asset;
    const FIELDS: &'static [&'static str] = FIELDS;

    fn owner(&self) -> Option<&str> {
        self.used_by_email.as_deref()
    }

    fn build(
        lookups: &Lookups<'_>,
        body: &Body<'_>,
        caller: &Caller,
        now: i64,
    ) -> Result<Self, ApiError> {
        let name = body.required("name")?.to_owned();
        let asset_type = body.required("assetTypeName")?;
        let asset_kind = class(body.required("type")?)?;
        let mut asset = Asset {
            id: 0,
            name,
            asset_id: String::new(),
            asset_type_name: lookups.name(
                "assetTypeName",
                &lookups.reference.asset_types,
                asset_type,
            )?,
            asset_kind: asset_kind.to_owned(),
            status_name: lookups
                .reference
                .asset_statuses
                .first()
                .cloned()
                .unwrap_or_else(|| "In Use".into()),
            impact_name: "Low".into(),
            vendor_name: None,
            product_name: None,
            department_name: None,
            location_name: None,
            used_by_email: None,
            managed_by_email: None,
            ip_address: None,
            host_name: None,
            mac_address: None,
            created_time: now,
            updated_time: now,
            created_by_name: caller.user.name.clone(),
            updated_by_name: caller.user.name.clone(),
            custom_field: Map::new(),
            asset_property_list: Vec::new(),
        };
        asset.apply(lookups, body, caller)?;
        Ok(asset)
    }

    fn apply(
        &mut self,
        lookups: &Lookups<'_>,
        body: &Body<'_>,
        _caller: &Caller,
    ) -> Result<(), ApiError> {
        let reference = &lookups.reference;
        if body.has("name") {
            self.name = body.required("name")?.to_owned();
        }
        if body.has("assetTypeName") {
            let given = body.required("assetTypeName")?;
            self.asset_type_name = lookups.name("assetTypeName", &reference.asset_types, given)?;
        }
        if body.has("type") {
            self.asset_kind = class(body.required("type")?)?.to_owned();
        }
        if body.has("assetId") {
            return Err(invalid("assetId", "is view-only"));
        }
        set_name(
            lookups,
            body,
            "statusName",
            &reference.asset_statuses,
            &mut self.status_name,
        )?;
        set_name(
            lookups,
            body,
            "impactName",
            &reference.impacts,
            &mut self.impact_name,
        )?;
        set_optional_name(
            lookups,
            body,
            "departmentName",
            &reference.departments,
            &mut self.department_name,
        )?;
        set_optional_name(
            lookups,
            body,
            "locationName",
            &reference.locations,
            &mut self.location_name,
        )?;
        set_user(lookups, body, "usedByEmail", false, &mut self.used_by_email)?;
        set_user(
            lookups,
            body,
            "managedByEmail",
            true,
            &mut self.managed_by_email,
        )?;
        for (key, slot) in [
            ("vendorName", &mut self.vendor_name),
            ("productName", &mut self.product_name),
            ("hostName", &mut self.host_name),
        ] {
            crate::request::set_text(body, key, slot)?;
        }
        if body.has("ipAddress") {
            let ip = body.string("ipAddress")?;
            if let Some(ip) = ip.filter(|ip| ip.parse::<std::net::IpAddr>().is_err()) {
                return Err(invalid(
                    "ipAddress",
                    &format!("{ip:?} is not an IP address"),
                ));
            }
            self.ip_address = ip.map(str::to_owned);
        }
        if body.has("macAddress") {
            let mac = body.string("macAddress")?;
            if let Some(mac) = mac.filter(|mac| !valid_mac(mac)) {
                return Err(invalid(
                    "macAddress",
                    &format!("{mac:?} is not a MAC address"),
                ));
            }
            self.mac_address = mac.map(str::to_owned);
        }
        self.custom_field =
            lookups.custom_fields(Some(&self.custom_field), body.value("customField"))?;
        if let Some(given) = body.value("assetPropertyList") {
            self.asset_property_list = crate::asset_properties::apply(
                &self.asset_property_list,
                given,
                &self.asset_kind,
                self.id,
                &self.asset_id,
            )?;
        }
        Ok(())
    }

    fn number(&mut self, tx: &Transaction<'_>) -> Result<i64, ApiError> {
        self.id = store::take_sequence(tx, "nextId")?;
        let prefix = CLASSES
            .iter()
            .find(|(name, _)| *name == self.asset_kind)
            .map_or("AST", |(_, prefix)| *prefix);
        self.asset_id = format!("{prefix}-{}", store::take_sequence(tx, "nextAssetNumber")?);
        for record in &mut self.asset_property_list {
            record.insert("id".into(), self.id.into());
            record.insert("refName".into(), self.asset_id.as_str().into());
        }
        Ok(self.id)
    }

    fn touch(&mut self, now: i64, by: &str) {
        self.updated_time = now;
        by.clone_into(&mut self.updated_by_name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_addresses_are_six_hex_pairs() {
        assert!(valid_mac("00:1A:2b:3c:4D:5e"));
        assert!(valid_mac("00-1A-2b-3c-4D-5e"));
        assert!(!valid_mac("00:1A:2b:3c:4D"));
        assert!(!valid_mac("zz:1A:2b:3c:4D:5e"));
    }
}
