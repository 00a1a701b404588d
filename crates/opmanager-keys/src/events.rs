//! Event APIs: listEvents and addEvent. addEvent correlates like OpManager does: the event's
//! `entity` is the alarm key, so a non-Clear event raises or updates that alarm and a Clear
//! event clears it.

use crate::alarms::{may_act_on_alarms, next_event_id};
use crate::auth::Caller;
use crate::error::OpmError;
use crate::request::Params;
use crate::state::{Alarm, AlarmSource, Device, Event};
use crate::wire::Reply;
use crate::wire::{self, ms};
use crate::{store, OpManager};
use auth_core::clock::rfc3339_ms;
use auth_core::Instance;
use serde_json::{json, Value};

/// Longest event message accepted.
pub const MAX_MESSAGE_LEN: usize = 1000;

/// An event as listEvents shows it (vendor sample keys).
pub fn event_row(e: &Event, device: Option<&Device>, now_ms: i64) -> Value {
    json!({
        "modTimeLong": ms(&e.time).to_string(),
        "statusStr": wire::severity_name(e.severity),
        "prettyTime": wire::pretty_time(ms(&e.time), now_ms),
        "displayname": device.map_or(e.source.as_str(), |d| d.display_name.as_str()),
        "text": e.message,
        "category": device.map_or("", |d| d.category.as_str()),
        "statusNum": e.severity.to_string(),
    })
}

const DAY: i64 = 86_400_000;

/// The `[from, to)` window of a listEvents `period`, seen from `now_ms` (UTC), with the
/// period names of the vendor's report APIs; `custom` takes `startDate`/`endDate`.
pub(crate) fn period_window(
    params: &Params,
    period: &str,
    now_ms: i64,
) -> Result<(i64, i64), OpmError> {
    let midnight = now_ms - now_ms.rem_euclid(DAY);
    let date = wire::datetime(now_ms);
    let monday = midnight - i64::from(date.weekday().number_days_from_monday()) * DAY;
    let first_of_month = midnight - (i64::from(date.day()) - 1) * DAY;
    let days_in_last_month = i64::from(wire::datetime(first_of_month - DAY).day());
    let first_of_last_month = first_of_month - days_in_last_month * DAY;
    Ok(match period {
        "twelvehours" => (now_ms - DAY / 2, i64::MAX),
        "twfourhours" => (now_ms - DAY, i64::MAX),
        "Today" => (midnight, i64::MAX),
        "Yesterday" => (midnight - DAY, midnight),
        "thisweek" => (monday, i64::MAX),
        "lastweek" => (monday - 7 * DAY, monday),
        "Last_7_Days" => (now_ms - 7 * DAY, i64::MAX),
        "thismonth" => (first_of_month, i64::MAX),
        "Last_30_Days" => (now_ms - 30 * DAY, i64::MAX),
        "Last_Month" => (first_of_last_month, first_of_month),
        "custom" => {
            let bound = |name: &str| {
                let text = params.required(name)?;
                wire::parse_day_time(text).ok_or_else(|| OpmError::Pattern(name.to_owned()))
            };
            (bound("startDate")?, bound("endDate")?)
        }
        _ => return Err(OpmError::Pattern("period".into())),
    })
}

/// `severityVsCount` (only the severities present) and `Details` (per device category:
/// `{value, status, label}` per severity, worst last) of a list of events.
fn summaries(list: &[(&Event, Option<&Device>)]) -> (Value, Value) {
    let mut counts = serde_json::Map::new();
    let mut details: serde_json::Map<String, Value> = serde_json::Map::new();
    for n in [5u8, 4, 3, 2, 1] {
        let of_severity: Vec<_> = list.iter().filter(|(e, _)| e.severity == n).collect();
        if of_severity.is_empty() {
            continue;
        }
        counts.insert(wire::severity_name(n).to_owned(), json!(of_severity.len()));
        let mut per_category: Vec<(&str, usize)> = Vec::new();
        for (_, d) in &of_severity {
            let category = d.map_or("", |d| d.category.as_str());
            match per_category.iter_mut().find(|(c, _)| *c == category) {
                Some((_, count)) => *count += 1,
                None => per_category.push((category, 1)),
            }
        }
        for (category, count) in per_category {
            let row = json!({"value": count, "status": n, "label": wire::severity_name(n)});
            match details.get_mut(category).and_then(Value::as_array_mut) {
                Some(rows) => rows.push(row),
                None => {
                    details.insert(category.to_owned(), json!([row]));
                }
            }
        }
    }
    (Value::Object(counts), Value::Object(details))
}

fn list_events_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    let p = &params;
    let device_name = p.opt("deviceName")?;
    let entity = p.opt("entity")?;
    let category = p.opt("category")?;
    let event_type = p.opt("eventType")?;
    let severity = p
        .opt("severity")?
        .map(|s| wire::parse_severity(s).ok_or_else(|| OpmError::Pattern("severity".into())))
        .transpose()?;
    let now = call.inst.env.clock.now_ms();
    let window = p
        .opt("period")?
        .map(|period| period_window(params, period, now))
        .transpose()?;
    let (events, devices) = call
        .inst
        .store
        .read(|c| Ok::<_, OpmError>((store::all::<Event>(c)?, store::all::<Device>(c)?)))?;
    let mut list: Vec<(&Event, Option<&Device>)> = events
        .iter()
        .map(|e| (e, devices.iter().find(|d| d.device_name == e.source)))
        .filter(|(e, _)| device_name.is_none_or(|n| n == e.source))
        .filter(|(e, _)| entity.is_none_or(|n| n == e.entity))
        .filter(|(e, _)| event_type.is_none_or(|t| t.eq_ignore_ascii_case(&e.event_type)))
        .filter(|(e, _)| severity.is_none_or(|s| s == e.severity))
        .filter(|(_, d)| {
            category.is_none_or(|c| d.is_some_and(|d| d.category.eq_ignore_ascii_case(c)))
        })
        .filter(|(e, _)| window.is_none_or(|(from, to)| (from..to).contains(&ms(&e.time))))
        .collect();
    list.sort_by_key(|(e, _)| std::cmp::Reverse((ms(&e.time), e.id)));
    let (counts, details) = summaries(&list);
    Ok(json!({
        "severityVsCount": counts,
        "List": list.iter().map(|(e, d)| event_row(e, *d, now)).collect::<Vec<_>>(),
        "Details": details,
    }))
}

/// `GET /api/json/events/listEvents`.
pub(crate) async fn list_events(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(list_events_body(&caller, &params)?)
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

fn parse_new_event(params: &Params) -> Result<NewEvent, OpmError> {
    let p = &params;
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

fn add_event_body(call: &Caller, params: &Params) -> Result<Value, OpmError> {
    may_act_on_alarms(&call.user)?;
    let new = parse_new_event(params)?;
    record_event(&call.inst, new)?;
    Ok(json!({"result": {"message": "Event has been successfully generated."}}))
}

/// `POST /api/json/events/addEvent` (`source`*, `severity`*, `message`*, `alarmCode`*,
/// `entity`*, `eventType`*).
pub(crate) async fn add_event(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    Reply::json(add_event_body(&caller, &params)?)
}
