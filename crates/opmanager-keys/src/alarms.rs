//! Alarm APIs: listAlarms (header-only), alarmProperties, acknowledgeAlarm,
//! unAcknowledgeAlarm, clearAlarm, deleteAlarm, addNotes. Alarms are addressed by their
//! `entity` (`3_CPUUSAGE`), never by `alarmId`.

use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::Network;
use crate::state::{Alarm, AlarmSource, Device, Event, Note, Role, User};
use crate::wire::Reply;
use crate::wire::{self, ms};
use crate::{store, OpManager};
use auth_core::clock::rfc3339_ms;
use auth_core::Instance;
use rusqlite::Transaction;
use serde_json::{json, Value};

/// Longest note accepted by addNotes.
pub const MAX_NOTE_LEN: usize = 2000;

/// A listAlarms row (vendor sample keys).
pub fn alarm_row(alarm: &Alarm, device: Option<&Device>) -> Value {
    let sev = alarm.severity;
    let name = wire::severity_name(sev);
    json!({
        "alarmId": alarm.alarm_id.to_string(),
        "entity": alarm.entity,
        "deviceName": alarm.device_name,
        "displayName": device.map_or(alarm.device_name.as_str(), |d| d.display_name.as_str()),
        "category": device.map_or("", |d| d.category.as_str()),
        "message": alarm.message,
        "numericSeverity": sev,
        "severityString": name,
        "statusStr": name,
        "statusNum": sev,
        "status": sev,
        "severity": format!("<img src='/images/devices/status{sev}.gif'>&nbsp;{name}"),
        "modTime": wire::display_time(ms(&alarm.mod_time)),
        "modTimeLong": ms(&alarm.mod_time),
        "who": alarm.acknowledged_by.as_deref().unwrap_or("Unacknowledged"),
    })
}

/// The `alertType` values of listAlarms (vendor doc "Alarms").
pub const ALERT_TYPES: [&str; 14] = [
    "ActiveAlarms",
    "EventLogAlarms",
    "SyslogAlarms",
    "TrapAlarms",
    "NCMAlarms",
    "NFAAlarms",
    "WebAlarms",
    "FWAAlarms",
    "StorageAlarms",
    "APMAlarms",
    "Server",
    "Network",
    "Virtualization",
    "CorrelatedAlarms",
];

/// Whether `alarm` on `device` belongs to the listAlarms `alertType` family. standin has
/// no correlation rules, so `CorrelatedAlarms` matches nothing.
fn in_family(family: &str, alarm: &Alarm, device: Option<&Device>) -> bool {
    let category = device.map_or("", |d| d.category.as_str());
    let source = |s: AlarmSource| alarm.source == s;
    match family {
        "ActiveAlarms" => alarm.severity != 5,
        "EventLogAlarms" => source(AlarmSource::EventLog),
        "SyslogAlarms" => source(AlarmSource::Syslog),
        "TrapAlarms" => source(AlarmSource::Trap),
        "NCMAlarms" => source(AlarmSource::Ncm),
        "NFAAlarms" => source(AlarmSource::Nfa),
        "WebAlarms" => source(AlarmSource::Web),
        "FWAAlarms" => source(AlarmSource::Fwa),
        "StorageAlarms" => source(AlarmSource::Storage),
        "APMAlarms" => source(AlarmSource::Apm),
        "Server" => matches!(category, "Server" | "Desktop"),
        "Network" => matches!(
            category,
            "Router" | "Switch" | "Firewall" | "Wireless" | "Load Balancer"
        ),
        "Virtualization" => category == "Virtual Device",
        // standin has no correlation rules, so no alarm is a correlated one.
        _ => false,
    }
}

fn list_alarms_body(net: &Network, params: &Params) -> Result<Value, OpmError> {
    let p = &params;
    let device_name = p.opt("deviceName")?;
    let category = p.opt("category")?;
    let entity = p.opt("entity")?;
    let probe = p.opt("probeName")?;
    let family = p.opt("alertType")?;
    let severities = p
        .opt("severity")?
        .map(|list| {
            list.split(',')
                .map(|s| {
                    wire::parse_severity(s).ok_or_else(|| OpmError::Pattern("severity".into()))
                })
                .collect::<Result<Vec<u8>, _>>()
        })
        .transpose()?;
    let time = |name: &str| {
        p.opt(name)?
            .map(|t| wire::parse_day_time(t).ok_or_else(|| OpmError::Pattern(name.to_owned())))
            .transpose()
    };
    let (from, to) = (time("fromTime")?, time("toTime")?);
    if family.is_some_and(|f| !ALERT_TYPES.contains(&f)) {
        return Err(OpmError::Pattern("alertType".into()));
    }
    let mut alarms: Vec<(&Alarm, Option<&Device>)> = net
        .alarms
        .iter()
        .map(|a| (a, net.device(&a.device_name).ok()))
        .filter(|(a, _)| device_name.is_none_or(|n| n == a.device_name))
        .filter(|(a, _)| entity.is_none_or(|e| e == a.entity))
        .filter(|(_, d)| {
            category.is_none_or(|c| d.is_some_and(|d| d.category.eq_ignore_ascii_case(c)))
        })
        .filter(|(_, d)| probe.is_none_or(|p| d.and_then(|d| d.probe.as_deref()) == Some(p)))
        .filter(|(a, d)| family.is_none_or(|f| in_family(f, a, *d)))
        .filter(|(a, _)| severities.as_ref().is_none_or(|s| s.contains(&a.severity)))
        .filter(|(a, _)| from.is_none_or(|f| ms(&a.mod_time) >= f))
        .filter(|(a, _)| to.is_none_or(|t| ms(&a.mod_time) <= t))
        .collect();
    alarms.sort_by_key(|(a, _)| std::cmp::Reverse(ms(&a.mod_time)));
    Ok(Value::Array(
        alarms.into_iter().map(|(a, d)| alarm_row(a, d)).collect(),
    ))
}

/// `GET /api/json/alarm/listAlarms`: rendered once per store state and parameters (no row
/// depends on "now"; [`Network::cached`]).
pub(crate) async fn list_alarms(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let net = Network::read(&caller.inst)?;
    let body = net.cached("listAlarms", &params, |net| {
        Ok((wire::render(&list_alarms_body(net, &params)?)?, i64::MAX))
    })?;
    Ok(Reply::rendered(body))
}

fn alarm_properties_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    // `deviceID` (a moid) addresses the device's own status alarm, whose entity is the moid.
    let entity = match (params.opt("entity")?, params.int("deviceID")?) {
        (Some(entity), _) => entity.to_owned(),
        (None, Some(moid)) => moid.to_string(),
        (None, None) => return Err(OpmError::Mandatory("entity".into())),
    };
    let (alarm, events) = call
        .inst
        .store
        .read(|c| Ok::<_, OpmError>((store::get::<Alarm>(c, &entity)?, store::all::<Event>(c)?)))?;
    let alarm = alarm.ok_or(OpmError::UnknownAlarm(entity))?;
    let device: Option<Device> = call
        .inst
        .store
        .read(|c| store::get(c, &alarm.device_name))?;
    Ok(properties_of(&alarm, device.as_ref(), &events))
}

/// The alarmProperties object (vendor sample keys).
pub fn properties_of(alarm: &Alarm, device: Option<&Device>, events: &[Event]) -> Value {
    let mut history: Vec<&Event> = events.iter().filter(|e| e.entity == alarm.entity).collect();
    history.sort_by_key(|e| std::cmp::Reverse((ms(&e.time), e.id)));
    let created = history.last().map_or(ms(&alarm.mod_time), |e| ms(&e.time));
    let previous = history.get(1).map(|e| e.severity);
    let sev = alarm.severity;
    let category = device.map_or("", |d| d.category.as_str());
    let events_json: Vec<Value> = history
        .iter()
        .map(|e| {
            json!({
                "severity": wire::severity_name(e.severity),
                "statusStr": wire::severity_name(e.severity),
                "source": e.source,
                "id": e.id.to_string(),
                "time": wire::display_time(ms(&e.time)),
                "text": e.message,
                "category": category,
                "imgsrc": format!("/images/devices/status{}.gif", e.severity),
                "entity": e.entity,
                "statusNum": e.severity.to_string(),
            })
        })
        .collect();
    json!({
        "statusStr": wire::severity_name(sev),
        "displayName": device.map_or(alarm.device_name.as_str(), |d| d.display_name.as_str()),
        "PRIORITY": "0",
        "workflows": [],
        "source": alarm.device_name,
        "stringseverity": wire::severity_name(sev),
        "GROUPNAME": "",
        "strCreateTime": wire::display_time(created),
        "id": alarm.alarm_id.to_string(),
        "events": events_json,
        "severity": format!("/images/devices/status{sev}.gif"),
        "WEBNMS": "",
        "strModTime": wire::display_time(ms(&alarm.mod_time)),
        "ALARMCODE": history.first().map_or("", |e| e.alarm_code.as_str()),
        "message": alarm.message,
        "previousSeverity": previous.map_or("-1".to_owned(), |p| p.to_string()),
        "priority": "0",
        "deviceID": device.map(|d| d.moid),
        "OWNERNAME": "",
        "statusNum": sev.to_string(),
        "MAPNAME": "",
        "EVENTTYPE": alarm.event_type,
        "stage": "0",
        "modTime": ms(&alarm.mod_time).to_string(),
        "createTime": created.to_string(),
        "pollid": alarm.entity.split('_').next().unwrap_or_default(),
        "category": category,
        "entity": alarm.entity,
        "stringpreviousseverity": previous.map_or("", wire::severity_name),
        "who": alarm.acknowledged_by.as_deref().unwrap_or("Unacknowledge"),
    })
}

fn annotations_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    let entity = params.required("entity")?;
    let alarm: Alarm = call
        .inst
        .store
        .read(|c| store::get(c, entity))?
        .ok_or_else(|| OpmError::UnknownAlarm(entity.to_owned()))?;
    Ok(Value::Array(
        alarm
            .notes
            .iter()
            .zip(1..)
            .map(|(n, id): (&Note, i64)| {
                json!({
                    "notes": n.text,
                    "modTime": ms(&n.time),
                    "noteID": id,
                    "modTimeStr": wire::display_time(ms(&n.time)),
                    "entity": alarm.entity,
                    "who": n.by,
                })
            })
            .collect(),
    ))
}

/// `GET /api/json/alarm/getAnnotation` (`entity`*): the alarm's notes, oldest first.
pub(crate) async fn get_annotation(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(annotations_body(&caller, &params)?)
}

/// `GET /api/json/alarm/alarmProperties`.
pub(crate) async fn alarm_properties(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(alarm_properties_body(&caller, &params)?)
}

/// Operators and administrators may act on alarms; read-only users may not.
pub fn may_act_on_alarms(user: &User) -> Result<(), OpmError> {
    match user.role {
        Role::Administrator | Role::Operator => Ok(()),
        Role::ReadOnly => Err(OpmError::NotAuthorized(user.name.clone())),
    }
}

/// The optional `type` of alarm actions: `single` or `multiple` selection.
fn check_selection_type(params: &Params) -> Result<(), OpmError> {
    match params.opt("type")? {
        None => Ok(()),
        Some(t) if t.eq_ignore_ascii_case("single") || t.eq_ignore_ascii_case("multiple") => Ok(()),
        Some(_) => Err(OpmError::Pattern("type".into())),
    }
}

/// The next event id.
pub fn next_event_id(tx: &Transaction<'_>) -> Result<i64, OpmError> {
    let events: Vec<Event> = store::all(tx)?;
    Ok(events.iter().map(|e| e.id).max().unwrap_or(1000) + 1)
}

/// Apply `change` to every alarm of the comma-separated `entity` list in one transaction:
/// all exist or nothing is written.
fn update_alarms(
    inst: &Instance<OpManager>,
    entities: &str,
    change: impl Fn(&Transaction<'_>, &mut Alarm) -> Result<(), OpmError>,
) -> Result<(), OpmError> {
    inst.store.write(|tx| {
        for entity in entities.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let mut alarm: Alarm =
                store::get(tx, entity)?.ok_or_else(|| OpmError::UnknownAlarm(entity.to_owned()))?;
            change(tx, &mut alarm)?;
            store::put(tx, &alarm)?;
        }
        Ok(())
    })
}

fn act(
    call: &Caller,
    params: &Params,
    done: &str,
    change: impl Fn(&Transaction<'_>, &mut Alarm) -> Result<(), OpmError>,
) -> Result<Value, OpmError> {
    may_act_on_alarms(&call.user)?;
    check_selection_type(params)?;
    let entities = params
        .text("entity", 4000)?
        .ok_or_else(|| OpmError::Mandatory("entity".into()))?;
    update_alarms(&call.inst, entities, change)?;
    Ok(json!({"result": {"message": done}}))
}

/// `POST /api/json/alarm/acknowledgeAlarm`: `who` becomes the caller.
pub(crate) async fn acknowledge_alarm(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let who = caller.user.name.clone();
    Reply::json(act(
        &caller,
        &params,
        "Alarm has been successfully Acknowledged",
        |_, a| {
            a.acknowledged_by = Some(who.clone());
            Ok(())
        },
    )?)
}

/// `POST /api/json/alarm/unAcknowledgeAlarm`.
pub(crate) async fn unacknowledge_alarm(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(act(
        &caller,
        &params,
        "Alarm has been successfully UnAcknowledged",
        |_, a| {
            a.acknowledged_by = None;
            Ok(())
        },
    )?)
}

/// `POST /api/json/alarm/clearAlarm`: severity Clear at the instance's "now", leaves
/// ActiveAlarms, and logs a Clear event.
pub(crate) async fn clear_alarm(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let now = rfc3339_ms(caller.inst.env.clock.now_ms());
    let who = caller.user.name.clone();
    Reply::json(act(
        &caller,
        &params,
        "Alarm has been successfully Cleared!",
        |tx, a| {
            a.severity = 5;
            a.mod_time = now.clone();
            let event = Event {
                id: next_event_id(tx)?,
                source: a.device_name.clone(),
                entity: a.entity.clone(),
                severity: 5,
                message: format!("Alarm cleared manually by {who}"),
                event_type: a.event_type.clone(),
                alarm_code: a.entity.rsplit('_').next().unwrap_or_default().to_owned(),
                time: now.clone(),
            };
            store::put(tx, &event)?;
            Ok(())
        },
    )?)
}

/// `POST /api/json/alarm/deleteAlarm`.
pub(crate) async fn delete_alarm(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    may_act_on_alarms(&caller.user)?;
    check_selection_type(&params)?;
    let entities = params
        .text("entity", 4000)?
        .ok_or_else(|| OpmError::Mandatory("entity".into()))?;
    caller.inst.store.write(|tx| {
        for entity in entities.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !store::delete::<Alarm>(tx, entity)? {
                return Err(OpmError::UnknownAlarm(entity.to_owned()));
            }
        }
        Ok(())
    })?;
    Reply::json(json!({"result": {"message": "Alarm has been successfully Deleted!"}}))
}

/// `POST /api/json/alarm/addNotes`.
pub(crate) async fn add_notes(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    may_act_on_alarms(&caller.user)?;
    check_selection_type(&params)?;
    let entity = params.required("entity")?;
    let text = params
        .text("notes", MAX_NOTE_LEN)?
        .ok_or_else(|| OpmError::Mandatory("notes".into()))?;
    let note = Note {
        by: caller.user.name.clone(),
        time: rfc3339_ms(caller.inst.env.clock.now_ms()),
        text: text.to_owned(),
    };
    update_alarms(&caller.inst, entity, |_, a| {
        a.notes.push(note.clone());
        Ok(())
    })?;
    Reply::json(json!({"result": {"message": "Successfully Added"}}))
}
