//! Event APIs: listEvents and addEvent. addEvent correlates like OpManager does: the event's
//! `entity` is the alarm key, so a non-Clear event raises or updates that alarm and a Clear
//! event clears it.

use crate::alarms::{may_act_on_alarms, next_event_id};
use crate::call::Call;
use crate::error::OpmError;
use crate::state::{Alarm, AlarmSource, Device, Event};
use crate::wire::{self, ms};
use crate::{store, OpManager};
use actix_web::HttpResponse;
use auth_core::clock::rfc3339_ms;
use auth_core::Instance;
use serde_json::{json, Value};

/// Longest event message accepted.
pub const MAX_MESSAGE_LEN: usize = 1000;

/// An event as listEvents (and alarmProperties) show it.
pub fn event_row(e: &Event, device: Option<&Device>, now_ms: i64) -> Value {
    json!({
        "id": e.id.to_string(),
        "modTimeLong": ms(&e.time).to_string(),
        "modTime": wire::display_time(ms(&e.time)),
        "statusStr": wire::severity_name(e.severity),
        "statusNum": e.severity.to_string(),
        "prettyTime": wire::pretty_time(ms(&e.time), now_ms),
        "displayname": device.map_or(e.source.as_str(), |d| d.display_name.as_str()),
        "source": e.source,
        "entity": e.entity,
        "text": e.message,
        "category": device.map_or("", |d| d.category.as_str()),
        "eventType": e.event_type,
    })
}

/// The start of a listEvents `period` ([GUESS] names), seen from `now_ms`.
fn period_start(period: &str, now_ms: i64) -> Option<i64> {
    const DAY: i64 = 86_400_000;
    let midnight = now_ms - now_ms.rem_euclid(DAY);
    Some(match period {
        "Today" => midnight,
        "Yesterday" => midnight - DAY,
        "Last7Days" | "LastWeek" => now_ms - 7 * DAY,
        "Last30Days" | "LastMonth" => now_ms - 30 * DAY,
        _ => return None,
    })
}

fn list_events_body(call: &Call) -> Result<Value, OpmError> {
    let p = &call.params;
    let device_name = p.opt("deviceName")?;
    let entity = p.opt("entity")?;
    let category = p.opt("category")?;
    let event_type = p.opt("eventType")?;
    let severity = p
        .opt("severity")?
        .map(|s| wire::parse_severity(s).ok_or_else(|| OpmError::Pattern("severity".into())))
        .transpose()?;
    let now = call.inst.env.clock.now_ms();
    let period = p
        .opt("period")?
        .map(|t| period_start(t, now).ok_or_else(|| OpmError::Pattern("period".into())))
        .transpose()?;
    // "Yesterday" ends at midnight today.
    let until = (p.get("period") == Some("Yesterday")).then(|| now - now.rem_euclid(86_400_000));
    let (events, devices) = call
        .inst
        .store
        .read(|c| Ok::<_, OpmError>((store::all::<Event>(c)?, store::all::<Device>(c)?)))?;
    let device_of = |e: &Event| devices.iter().find(|d| d.device_name == e.source);
    let mut list: Vec<&Event> = events
        .iter()
        .filter(|e| device_name.is_none_or(|n| n == e.source))
        .filter(|e| entity.is_none_or(|n| n == e.entity))
        .filter(|e| event_type.is_none_or(|t| t.eq_ignore_ascii_case(&e.event_type)))
        .filter(|e| severity.is_none_or(|s| s == e.severity))
        .filter(|e| {
            category
                .is_none_or(|c| device_of(e).is_some_and(|d| d.category.eq_ignore_ascii_case(c)))
        })
        .filter(|e| period.is_none_or(|from| ms(&e.time) >= from))
        .filter(|e| until.is_none_or(|to| ms(&e.time) < to))
        .collect();
    list.sort_by_key(|e| std::cmp::Reverse((ms(&e.time), e.id)));
    let mut counts = serde_json::Map::new();
    for n in [1u8, 2, 3, 4, 5] {
        let count = list.iter().filter(|e| e.severity == n).count();
        counts.insert(wire::severity_name(n).to_owned(), json!(count));
    }
    Ok(json!({
        "severityVsCount": counts,
        "List": list.iter().map(|e| event_row(e, device_of(e), now)).collect::<Vec<_>>(),
    }))
}

/// `GET /api/json/events/listEvents`.
pub async fn list_events(call: Call) -> HttpResponse {
    call.reply(list_events_body(&call))
}

/// A validated addEvent request.
struct NewEvent {
    source: String,
    severity: u8,
    message: String,
    alarm_code: String,
    entity: String,
    event_type: String,
}

fn parse_new_event(call: &Call) -> Result<NewEvent, OpmError> {
    let p = &call.params;
    let source = p.required("source")?.to_owned();
    let severity = wire::parse_severity(p.required("severity")?)
        .filter(|s| *s != 7)
        .ok_or_else(|| OpmError::Pattern("severity".into()))?;
    let message = p
        .text("message", MAX_MESSAGE_LEN)?
        .ok_or_else(|| OpmError::Mandatory("message".into()))?
        .to_owned();
    Ok(NewEvent {
        source,
        severity,
        message,
        alarm_code: p.required("alarmCode")?.to_owned(),
        entity: p.required("entity")?.to_owned(),
        event_type: p.required("eventType")?.to_owned(),
    })
}

/// Record the event and raise, update or clear its alarm, in one transaction.
fn record_event(inst: &Instance<OpManager>, new: NewEvent) -> Result<(), OpmError> {
    let now = rfc3339_ms(inst.env.clock.now_ms());
    inst.store.write(|tx| {
        if store::get::<Device>(tx, &new.source)?.is_none() {
            return Err(OpmError::UnknownDevice(new.source.clone()));
        }
        let event = Event {
            id: next_event_id(tx)?,
            source: new.source.clone(),
            entity: new.entity.clone(),
            severity: new.severity,
            message: new.message.clone(),
            event_type: new.event_type.clone(),
            alarm_code: new.alarm_code.clone(),
            time: now.clone(),
        };
        store::put(tx, &event)?;
        match store::get::<Alarm>(tx, &new.entity)? {
            Some(mut alarm) => {
                alarm.severity = new.severity;
                alarm.message = new.message;
                alarm.event_type = new.event_type;
                alarm.mod_time = now;
                store::put(tx, &alarm)?;
            }
            None if new.severity != 5 => {
                let alarms: Vec<Alarm> = store::all(tx)?;
                let alarm = Alarm {
                    alarm_id: alarms.iter().map(|a| a.alarm_id).max().unwrap_or(0) + 1,
                    entity: new.entity,
                    device_name: new.source,
                    message: new.message,
                    severity: new.severity,
                    mod_time: now,
                    acknowledged_by: None,
                    source: AlarmSource::Poll,
                    event_type: new.event_type,
                    notes: Vec::new(),
                };
                store::put(tx, &alarm)?;
            }
            None => {}
        }
        Ok(())
    })
}

fn add_event_body(call: &Call) -> Result<Value, OpmError> {
    may_act_on_alarms(&call.user)?;
    let new = parse_new_event(call)?;
    record_event(&call.inst, new)?;
    Ok(json!({"result": {"message": "Event has been successfully generated."}}))
}

/// `POST /api/json/events/addEvent` (`source`*, `severity`*, `message`*, `alarmCode`*,
/// `entity`*, `eventType`*).
pub async fn add_event(call: Call) -> HttpResponse {
    call.reply(add_event_body(&call))
}
