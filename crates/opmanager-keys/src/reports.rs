//! Reports (vendor page "OpManager Plus REST API", group Reports): getReportsList,
//! getReportsData, the v2 report builder's getReportData, and the business hour rules
//! (listBusinessRules, viewBusinessRules, addBusinessRules, updateBusinessRules,
//! deleteBusinessRules). Report figures come from the network and the instance clock:
//! availability from the devices' down intervals, utilisation from the monitors' samples
//! ([`crate::state::network::sample`]), so they are the same on every run.

use crate::auth::Caller;
use crate::availability::{down_since, uptime};
use crate::error::OpmError;
use crate::events::period_window;
use crate::request::Params;
use crate::state::network::{sample, Network};
use crate::state::{BusinessRule, Device, DowntimeSchedule, Report, ReportKind};
use crate::store;
use crate::wire::{self, ms, Reply};
use serde_json::{json, Map, Value};

const HOUR: i64 = 3_600_000;

fn reports(caller: &Caller) -> Result<Vec<Report>, OpmError> {
    Ok(caller.inst.store.read(store::all)?)
}

fn bool_param(params: &Params, name: &str) -> Result<Option<bool>, OpmError> {
    match params.opt(name)? {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(OpmError::Pattern(name.to_owned())),
    }
}

fn report_row(r: &Report) -> Value {
    json!({
        "customStatus": if r.custom { "True" } else { "False" },
        "displayName": r.name,
        "isCustom": r.custom.to_string(),
        "id": r.id,
        "url": format!("/reports/GenerateReports.do?firstTime=true &reportID={}", r.id),
        "Name": r.name,
        "desc": r.description,
    })
}

/// `GET /api/json/reports/getReportsList` (`isFavouriteNeeded`: a `Favourites` group first;
/// `hideintegratedReports`, `hideHardwareReport` are accepted): the reports by category.
pub(crate) async fn get_reports_list(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let favourites = bool_param(&params, "isFavouriteNeeded")?.unwrap_or(false);
    bool_param(&params, "hideintegratedReports")?;
    bool_param(&params, "hideHardwareReport")?;
    let list = reports(&caller)?;
    let mut categories: Vec<&str> = Vec::new();
    for r in &list {
        if !categories.contains(&r.category.as_str()) {
            categories.push(&r.category);
        }
    }
    let group = |name: &str, rows: Vec<Value>| json!({"displayName": name, "list": [{"list": rows, "title": ""}], "Name": name});
    let mut body = Vec::new();
    if favourites {
        let rows = list
            .iter()
            .filter(|r| r.favourite)
            .map(report_row)
            .collect();
        body.push(group("Favourites", rows));
    }
    for c in categories {
        let rows = list
            .iter()
            .filter(|r| r.category == c)
            .map(report_row)
            .collect();
        body.push(group(c, rows));
    }
    Reply::json(body)
}

/// The `[from, to)` window of a report period name, clamped to now.
fn window(params: &Params, name: &str, default: &str, now: i64) -> Result<(i64, i64), OpmError> {
    let period = params.opt(name)?.unwrap_or(default);
    let (from, to) =
        period_window(params, period, now).map_err(|_| OpmError::Pattern(name.to_owned()))?;
    Ok((from, to.min(now)))
}

/// The average and maximum of a monitor's hourly samples over `[from, to)`.
fn stats(d: &Device, monitor: &str, value: f64, from: i64, to: i64) -> (f64, f64) {
    let key = format!("{}/{monitor}", d.device_name);
    let points: Vec<f64> = (0..)
        .map(|i| from + i * HOUR)
        .take_while(|t| *t < to)
        .take(24 * 62)
        .map(|t| sample(&key, value, t, true))
        .collect();
    if points.is_empty() {
        return (value, value);
    }
    let avg = points.iter().sum::<f64>() / points.len() as f64;
    let max = points.iter().copied().fold(f64::MIN, f64::max);
    ((avg * 100.0).round() / 100.0, max)
}

/// The headers and rows of report `r` over `[from, to)`.
fn report_rows(
    net: &Network,
    schedules: &[DowntimeSchedule],
    r: &Report,
    devices: &[&Device],
    (from, to): (i64, i64),
) -> (Vec<&'static str>, Vec<Value>, &'static str) {
    match r.kind {
        ReportKind::AllAlerts => {
            let mut alarms: Vec<_> = net
                .alarms
                .iter()
                .filter(|a| devices.iter().any(|d| d.device_name == a.device_name))
                .filter(|a| (from..to).contains(&ms(&a.mod_time)))
                .collect();
            alarms.sort_by_key(|a| std::cmp::Reverse(ms(&a.mod_time)));
            let rows = alarms
                .iter()
                .map(|a| {
                    json!([
                        a.device_name,
                        a.message,
                        wire::severity_name(a.severity),
                        wire::display_time(ms(&a.mod_time))
                    ])
                })
                .collect();
            (
                vec!["Device Name", "Message", "Severity", "Time"],
                rows,
                "eventList",
            )
        }
        ReportKind::Availability => {
            let rows = devices
                .iter()
                .map(|d| {
                    let pct = uptime(from, to, down_since(net, &d.device_name, None));
                    json!([
                        d.device_name,
                        d.display_name,
                        pct,
                        ((100.0 - pct) * 100.0).round() / 100.0
                    ])
                })
                .collect();
            (
                vec![
                    "Device Name",
                    "Display Name",
                    "Availability %",
                    "Downtime %",
                ],
                rows,
                "availDetails",
            )
        }
        ReportKind::CpuUtilization | ReportKind::MemoryUtilization => {
            let monitor = if r.kind == ReportKind::CpuUtilization {
                "CPUUtilization"
            } else {
                "MemoryUtilization"
            };
            let rows = devices
                .iter()
                .filter_map(|d| {
                    let m = net
                        .monitors
                        .iter()
                        .find(|m| m.device_name == d.device_name && m.name == monitor)?;
                    let (avg, max) = stats(d, monitor, m.value, from, to);
                    Some(json!([d.device_name, d.display_name, avg, max]))
                })
                .collect();
            (
                vec!["Device Name", "Display Name", "Average", "Maximum"],
                rows,
                "perfDetails",
            )
        }
        ReportKind::DowntimeSchedules => {
            let rows = schedules
                .iter()
                .map(|s| {
                    json!([
                        s.name,
                        s.devices.join(","),
                        wire::display_time(ms(&s.start)),
                        wire::display_time(ms(&s.end))
                    ])
                })
                .collect();
            (
                vec!["Schedule Name", "Devices", "Start Time", "End Time"],
                rows,
                "downtimeList",
            )
        }
    }
}

/// `GET /api/json/reports/getReportsData` (`reportID`*; `time` a period name, default
/// `Last_7_Days`, `custom` with `startDate`/`endDate`; `category`, `bview` narrow the
/// devices; `top` keeps the first rows).
pub(crate) async fn get_reports_data(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let id = params
        .int("reportID")?
        .ok_or_else(|| OpmError::Mandatory("reportID".into()))?;
    let list = reports(&caller)?;
    let r = list
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| OpmError::Unknown("Report", id.to_string()))?;
    let now = caller.inst.env.clock.now_ms();
    let time = params.opt("time")?.unwrap_or("Last_7_Days").to_owned();
    let span = window(&params, "time", "Last_7_Days", now)?;
    let category = params.opt("category")?;
    let view = params.opt("bview")?;
    let top = params.int("top")?.unwrap_or(0);
    if top < 0 {
        return Err(OpmError::Range("top".into(), 0, i64::from(i32::MAX)));
    }
    let net = Network::read(&caller.inst)?;
    let schedules: Vec<DowntimeSchedule> = caller.inst.store.read(store::all)?;
    let devices: Vec<&Device> = net
        .devices
        .iter()
        .filter(|d| category.is_none_or(|c| d.category.eq_ignore_ascii_case(c)))
        .filter(|d| view.is_none_or(|v| d.groups.iter().any(|g| g == v)))
        .collect();
    let (headers, mut rows, forward) = report_rows(&net, &schedules, r, &devices, span);
    if top > 0 {
        rows.truncate(usize::try_from(top).unwrap_or(usize::MAX));
    }
    let records = rows.len();
    Reply::json(json!([{
        "clientParams": {
            "top": top,
            "genAt": wire::display_time(now),
            "showType": 0,
            "time": time,
            "isFavourite": r.favourite,
            "genAtMilliseconds": now,
        },
        "additionalRespData": {"RECORDS": records.to_string(), "SKIPCOLUMNS": []},
        "graphDetails": rows,
        "forward": forward,
        "graphHeaders": headers,
        "vmClientParams": {"RECORDS": records, "SKIPCOLUMNS": []},
        "ReportGraphName": r.name,
        "graphDispName": r.name,
    }]))
}

/// `POST /api/json/v2/device/getReportData` (`deviceList`*, `monitorList`* comma lists;
/// `timePeriod` a period name, default `Today`): hourly series per device and monitor.
/// Monitors: `DevicesAvailability`, `PacketLoss`, `ResponseTime`, or a performance monitor
/// name (`CPUUtilization`).
pub(crate) async fn get_report_data(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let devices = params
        .text("deviceList", 4000)?
        .ok_or_else(|| OpmError::Mandatory("deviceList".into()))?;
    let monitors = params
        .text("monitorList", 4000)?
        .ok_or_else(|| OpmError::Mandatory("monitorList".into()))?;
    let now = caller.inst.env.clock.now_ms();
    let (from, to) = window(&params, "timePeriod", "Today", now)?;
    let net = Network::read(&caller.inst)?;
    let devices: Vec<&Device> = devices
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| net.device(d))
        .collect::<Result<_, _>>()?;
    let hours: Vec<i64> = (0..)
        .map(|i| from - from.rem_euclid(HOUR) + i * HOUR)
        .take_while(|t| *t < to)
        .take(24 * 62)
        .collect();
    let mut body = Map::new();
    for monitor in monitors.split(',').map(str::trim).filter(|m| !m.is_empty()) {
        let mut label = None;
        let mut series = Vec::new();
        for d in &devices {
            let since = down_since(&net, &d.device_name, None);
            let (title, id, points): (String, String, Vec<Value>) = match monitor {
                "DevicesAvailability" => (
                    "DevicesAvailability - Percentage".into(),
                    d.moid.to_string(),
                    hours
                        .iter()
                        .map(|t| json!([t, uptime(*t, (t + HOUR).min(to.max(*t + 1)), since)]))
                        .collect(),
                ),
                "PacketLoss" => (
                    "Packet Loss - Percentage".into(),
                    d.moid.to_string(),
                    hours
                        .iter()
                        .map(|t| {
                            let down = since.is_some_and(|s| s <= *t);
                            json!([t, if down { 100.0 } else { d.packet_loss }])
                        })
                        .collect(),
                ),
                "ResponseTime" => (
                    "Response Time - ms".into(),
                    d.moid.to_string(),
                    hours
                        .iter()
                        .map(|t| {
                            json!([
                                t,
                                sample(
                                    &format!("{}/rt", d.device_name),
                                    d.response_time_ms as f64,
                                    *t,
                                    false
                                )
                            ])
                        })
                        .collect(),
                ),
                name => {
                    let Some(m) = net
                        .monitors
                        .iter()
                        .find(|m| m.device_name == d.device_name && m.name == name)
                    else {
                        continue;
                    };
                    let key = format!("{}/{}", d.device_name, m.name);
                    let percent = m.unit == "Percentage";
                    (
                        format!("{} - {}", m.display_name, m.unit),
                        m.poll_id.to_string(),
                        hours
                            .iter()
                            .map(|t| json!([t, sample(&key, m.value, *t, percent)]))
                            .collect(),
                    )
                }
            };
            label = Some(title);
            series.push(json!({"seriesname": d.display_name, "data": points, "id": id}));
        }
        match label {
            Some(l) => {
                body.insert(l, Value::Array(series));
            }
            None => return Err(OpmError::Pattern("monitorList".into())),
        }
    }
    Reply::json(Value::Object(body))
}

fn rule_row(r: &BusinessRule) -> Value {
    json!({
        "businessRuleId": r.id.to_string(),
        "businessRuleName": r.name,
        "description": r.description,
    })
}

/// `GET /api/json/admin/listBusinessRules`.
pub(crate) async fn list_business_rules(
    caller: Caller,
    _params: Params,
) -> Result<Reply, OpmError> {
    let rules: Vec<BusinessRule> = caller.inst.store.read(store::all)?;
    Reply::json(rules.iter().map(rule_row).collect::<Vec<_>>())
}

fn rule_id(params: &Params) -> Result<i64, OpmError> {
    params
        .int("businessRuleId")?
        .ok_or_else(|| OpmError::Mandatory("businessRuleId".into()))
}

fn find_rule(caller: &Caller, id: i64) -> Result<BusinessRule, OpmError> {
    caller
        .inst
        .store
        .read(|c| store::get::<BusinessRule>(c, &format!("{id:012}")))?
        .ok_or_else(|| OpmError::Unknown("Business rule", id.to_string()))
}

/// `GET /api/json/admin/viewBusinessRules` (`businessRuleId`*).
pub(crate) async fn view_business_rules(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let r = find_rule(&caller, rule_id(&params)?)?;
    let mut row = rule_row(&r);
    if let Some(map) = row.as_object_mut() {
        map.insert("timeSettings".into(), json!(r.time_settings));
    }
    Reply::json(row)
}

/// `POST /api/json/admin/addBusinessRules` (administrators; `businessRuleName`*,
/// `timeSettings`*, `description`): answers the new rule's id.
pub(crate) async fn add_business_rules(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let name = params
        .text("businessRuleName", 100)?
        .ok_or_else(|| OpmError::Mandatory("businessRuleName".into()))?;
    let time_settings = params
        .text("timeSettings", 4000)?
        .ok_or_else(|| OpmError::Mandatory("timeSettings".into()))?;
    let description = params.opt("description")?.unwrap_or_default();
    let id = caller.inst.store.write(|tx| {
        let all: Vec<BusinessRule> = store::all(tx)?;
        if all.iter().any(|r| r.name == name) {
            return Err(OpmError::Exists("Business rule", name.to_owned()));
        }
        let id = all.iter().map(|r| r.id).max().unwrap_or(0) + 1;
        store::put(
            tx,
            &BusinessRule {
                id,
                name: name.to_owned(),
                description: description.to_owned(),
                time_settings: time_settings.to_owned(),
            },
        )?;
        Ok(id)
    })?;
    Reply::json(
        json!({"result": {"message": "Business rule added successfully.", "businessRuleId": id.to_string()}}),
    )
}

/// `POST /api/json/admin/updateBusinessRules` (administrators; `businessRuleId`*, then
/// `businessRuleName`, `description`, `timeSettings`).
pub(crate) async fn update_business_rules(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let id = rule_id(&params)?;
    let name = params.text("businessRuleName", 100)?;
    let description = params.opt("description")?;
    let time_settings = params.text("timeSettings", 4000)?;
    caller.inst.store.write(|tx| {
        let mut r: BusinessRule = store::get(tx, &format!("{id:012}"))?
            .ok_or_else(|| OpmError::Unknown("Business rule", id.to_string()))?;
        if let Some(n) = name {
            r.name = n.to_owned();
        }
        if let Some(d) = description {
            r.description = d.to_owned();
        }
        if let Some(t) = time_settings {
            r.time_settings = t.to_owned();
        }
        store::put(tx, &r)?;
        Ok::<_, OpmError>(())
    })?;
    Reply::json(json!({"result": {"message": "Business rule updated successfully."}}))
}

/// `POST /api/json/admin/deleteBusinessRules` (administrators; `businessRuleId`*).
pub(crate) async fn delete_business_rules(
    caller: Caller,
    params: Params,
) -> Result<Reply, OpmError> {
    caller.require_admin()?;
    let id = rule_id(&params)?;
    if !caller
        .inst
        .store
        .write(|tx| store::delete::<BusinessRule>(tx, &format!("{id:012}")))?
    {
        return Err(OpmError::Unknown("Business rule", id.to_string()));
    }
    Reply::json(json!({"result": {"message": "Business rule deleted successfully."}}))
}
