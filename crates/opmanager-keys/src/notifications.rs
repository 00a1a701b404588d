//! Notification profiles (vendor page "OpManager Plus REST API", group Notifications):
//! listNotificationProfiles, associateNotificationProfiles, updateNotificationProfileStatus,
//! getNotificationProfiles. Global and device-specific profiles alike act for the devices
//! associated with them.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::Network;
use crate::state::NotificationProfile;
use crate::store;
use crate::wire::Reply;
use serde_json::{json, Value};

fn profiles(caller: &Caller) -> Result<Vec<NotificationProfile>, OpmError> {
    Ok(caller.inst.store.read(store::all)?)
}

fn applies_to(p: &NotificationProfile, device: &str) -> bool {
    p.devices.iter().any(|d| d == device)
}

/// `GET /api/json/admin/listNotificationProfiles` (`isGlobal` `false`: the device-specific
/// profiles; `profileFilter` `All` or an action; `deviceName`: `hasAssociated` says whether
/// each profile is associated with it).
pub(crate) async fn list_notification_profiles(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let global = match params.opt("isGlobal")? {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => return Err(OpmError::Pattern("isGlobal".into())),
    };
    let filter = params
        .opt("profileFilter")?
        .filter(|f| !f.eq_ignore_ascii_case("All"));
    let device = params.opt("deviceName")?;
    if let Some(d) = device {
        Network::read(&caller.inst)?.device(d)?;
    }
    let rows: Vec<Value> = profiles(&caller)?
        .iter()
        .filter(|p| global.is_none_or(|g| p.global == g))
        .filter(|p| filter.is_none_or(|f| p.profile_type.eq_ignore_ascii_case(f)))
        .map(|p| {
            let mut row = json!({
                "profileName": p.name,
                "hasSubProfiles": false,
                "profileType": p.profile_type,
                "profileLabel": p.profile_type,
                "profileID": p.id.to_string(),
                "hasCriteria": p.criteria_id > 0,
                "isDevice": !p.global,
                "status": p.enabled.to_string(),
            });
            if let (Some(d), Some(map)) = (device, row.as_object_mut()) {
                map.insert("hasAssociated".into(), json!(applies_to(p, d)));
            }
            row
        })
        .collect();
    Reply::json(rows)
}

/// `POST /api/json/admin/associateNotificationProfiles` (administrators; `deviceName`* a
/// comma list of devices, `profiles`* a comma list of profile ids).
pub(crate) async fn associate_notification_profiles(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let devices = params
        .text("deviceName", 4000)?
        .ok_or_else(|| OpmError::Mandatory("deviceName".into()))?;
    let ids = params
        .text("profiles", 4000)?
        .ok_or_else(|| OpmError::Mandatory("profiles".into()))?;
    let net = Network::read(&caller.inst)?;
    let devices: Vec<&str> = devices
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    for d in &devices {
        net.device(d)?;
    }
    let ids: Vec<i64> = ids
        .split(',')
        .map(|i| {
            i.trim()
                .parse()
                .map_err(|_| OpmError::NotInteger("profiles".into()))
        })
        .collect::<Result<_, _>>()?;
    caller.inst.store.write(|tx| {
        for id in &ids {
            let mut p: NotificationProfile = store::get(tx, &format!("{id:012}"))?
                .ok_or_else(|| OpmError::Unknown("Notification profile", id.to_string()))?;
            for d in &devices {
                if !applies_to(&p, d) {
                    p.devices.push((*d).to_owned());
                }
            }
            store::put(tx, &p)?;
        }
        Ok::<_, OpmError>(())
    })?;
    Reply::json(
        json!({"result": {"message": "Notification Profile has been associated successfully"}}),
    )
}

/// `POST /api/json/admin/updateNotificationProfileStatus` (administrators; `profileName`*,
/// `profileId`*, `status`* `enable`/`disable`, `deviceName` for a device-specific profile).
pub(crate) async fn update_notification_profile_status(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let name = params.required("profileName")?;
    let id = params
        .int("profileId")?
        .ok_or_else(|| OpmError::Mandatory("profileId".into()))?;
    let enable = match params.required("status")? {
        s if s.eq_ignore_ascii_case("enable") || s.eq_ignore_ascii_case("true") => true,
        s if s.eq_ignore_ascii_case("disable") || s.eq_ignore_ascii_case("false") => false,
        _ => return Err(OpmError::Pattern("status".into())),
    };
    let device = params.opt("deviceName")?;
    caller.inst.store.write(|tx| {
        let mut p: NotificationProfile = store::get(tx, &format!("{id:012}"))?
            .filter(|p: &NotificationProfile| p.name == name)
            .ok_or_else(|| OpmError::Unknown("Notification profile", name.to_owned()))?;
        if let Some(d) = device {
            if p.global || !applies_to(&p, d) {
                return Err(OpmError::Pattern("deviceName".into()));
            }
        }
        p.enabled = enable;
        store::put(tx, &p)?;
        Ok::<_, OpmError>(())
    })?;
    let message = if enable {
        "Notification Profile(s) enabled successfully"
    } else {
        "Notification Profile(s) disabled successfully"
    };
    Reply::json(json!({"message": message}))
}

/// `GET /api/json/device/getNotificationProfiles` (`name`*: a device): the profiles
/// associated with the device.
pub(crate) async fn get_notification_profiles(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    let name = params.required("name")?;
    Network::read(&caller.inst)?.device(name)?;
    let rows: Vec<Value> = profiles(&caller)?
        .iter()
        .filter(|p| applies_to(p, name))
        .map(|p| {
            json!({
                "profileName": p.name,
                "actionDisplayName": p.profile_type,
                "profileLabel": p.profile_type,
                "criteriaId": p.criteria_id.to_string(),
                "profileId": p.id.to_string(),
                "isGlobal": p.global,
                "actionName": p.profile_type,
                "status": p.enabled.to_string(),
            })
        })
        .collect();
    Reply::json(rows)
}
