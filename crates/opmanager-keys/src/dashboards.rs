//! Dashboards (vendor page "OpManager Plus REST API", group Dashboard): getWidgetsList and
//! the v2 getWidgetData. A widget's data is computed from the network on each call, so a
//! down device is down in the widgets as in getDownDevices.

use crate::auth::Caller;
use crate::availability::{down_since, uptime};
use crate::error::OpmError;
use crate::request::Params;
use crate::state::network::Network;
use crate::state::{Dashboard, Widget, WidgetKind};
use crate::store;
use crate::wire::{self, ms, Reply};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn dashboards(caller: &Caller) -> Result<Vec<Dashboard>, OpmError> {
    Ok(caller.inst.store.read(store::all)?)
}

/// The widget type and unique name of a kind.
fn kind_names(kind: WidgetKind) -> (&'static str, &'static str) {
    match kind {
        WidgetKind::DevicesByAvailability => ("Grid", "widget.name.topnavail"),
        WidgetKind::InfrastructureSnapshot => ("Grid", "widget.name.infrasnap"),
        WidgetKind::DownDevices => ("Grid", "widget.name.downdevices"),
        WidgetKind::RecentAlarms => ("Grid", "widget.name.recentalarms"),
    }
}

fn widget_row(w: &Widget) -> Value {
    let (kind, unique) = kind_names(w.kind);
    json!({
        "widgetID": w.widget_id.to_string(),
        "name": w.name,
        "width": w.width.to_string(),
        "x": w.x.to_string(),
        "y": w.y.to_string(),
        "id": w.id.to_string(),
        "type": kind,
        "desc": w.name,
        "widgetUniqueName": unique,
        "height": w.height.to_string(),
    })
}

/// `GET /api/json/dashboard/getWidgetsList` (`dashboardName`*).
pub(crate) async fn get_widgets_list(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let name = params.required("dashboardName")?;
    let list = dashboards(&caller)?;
    let d = list
        .iter()
        .find(|d| d.name == name)
        .ok_or_else(|| OpmError::Unknown("Dashboard", name.to_owned()))?;
    Reply::json(json!({
        "dashName": d.name,
        "dashboardID": d.id.to_string(),
        "isDashPropsAvailable": true,
        "isDefaultDashboard": d.is_default,
        "dashDesc": d.description,
        "noOfCols": "4",
        "colWidths": [{"colWidth": "50", "colID": "1"}, {"colWidth": "50", "colID": "2"}],
        "configureWidget": true,
        "editDashboard": false,
        "widgetList": d.widgets.iter().map(widget_row).collect::<Vec<_>>(),
    }))
}

/// `1d`, `3h`, `0s`: a duration as the vendor's widgets show it.
fn span(ms_: i64) -> String {
    let s = ms_ / 1000;
    match s {
        0 => "0s".into(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3600 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The rows and headers of a widget.
fn widget_data(net: &Network, kind: WidgetKind) -> (Vec<Value>, Vec<&'static str>, &'static str) {
    let day = 86_400_000;
    let (from, to) = (net.now_ms - day, net.now_ms);
    match kind {
        WidgetKind::DevicesByAvailability => {
            let mut rows: Vec<(f64, Value)> = net
                .devices
                .iter()
                .map(|d| {
                    let since = down_since(net, &d.device_name, None);
                    let pct = uptime(from, to, since);
                    let down_ms = ((100.0 - pct) / 100.0 * day as f64).round() as i64;
                    let row = json!({
                        "parentKey": "NULL",
                        "onHold": "0s",
                        "displayName": d.display_name,
                        "dependentUnavailable": "0s",
                        "ipAddress": d.ip_address,
                        "availability": format!("{pct}"),
                        "downPercent": format!("{}", ((100.0 - pct) * 100.0).round() / 100.0),
                        "deviceName": d.device_name,
                        "maintenance": "0s",
                        "down": span(down_ms),
                        "NOTMONITORED": "0s",
                        "uptime": span(day - down_ms),
                    });
                    (pct, row)
                })
                .collect();
            rows.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
            let rows = rows.into_iter().take(10).map(|(_, r)| r).collect();
            (rows, vec!["Name", "IPAddress"], "twfourhours")
        }
        WidgetKind::InfrastructureSnapshot => {
            let mut per: BTreeMap<&str, [usize; 8]> = BTreeMap::new();
            for d in &net.devices {
                let counts = per.entry(d.category.as_str()).or_default();
                if let Some(c) = counts.get_mut(usize::from(net.status(d))) {
                    *c += 1;
                }
            }
            let rows = per
                .iter()
                .map(|(category, c)| {
                    json!({
                        "category": category,
                        "total": c.iter().sum::<usize>(),
                        "Critical": c[1], "Trouble": c[2], "Attention": c[3],
                        "Service Down": c[4], "Clear": c[5], "Unmanaged": c[7],
                    })
                })
                .collect();
            (rows, vec!["Category", "Total"], "")
        }
        WidgetKind::DownDevices => {
            let rows = net
                .devices
                .iter()
                .filter(|d| net.status(d) == 1)
                .map(|d| {
                    json!({
                        "deviceName": d.device_name,
                        "displayName": d.display_name,
                        "ipAddress": d.ip_address,
                        "category": d.category,
                        "statusStr": wire::severity_name(1),
                    })
                })
                .collect();
            (rows, vec!["Name", "IPAddress", "Category"], "")
        }
        WidgetKind::RecentAlarms => {
            let mut alarms: Vec<_> = net.alarms.iter().filter(|a| a.severity != 5).collect();
            alarms.sort_by_key(|a| std::cmp::Reverse(ms(&a.mod_time)));
            let rows = alarms
                .into_iter()
                .take(10)
                .map(|a| {
                    json!({
                        "entity": a.entity,
                        "deviceName": a.device_name,
                        "message": a.message,
                        "statusStr": wire::severity_name(a.severity),
                        "statusNum": a.severity.to_string(),
                        "modTime": wire::display_time(ms(&a.mod_time)),
                    })
                })
                .collect();
            (rows, vec!["Source", "Message", "Time"], "")
        }
    }
}

/// `GET /api/json/v2/dashboard/getWidgetData` (`widgetID`*: the placed widget's `id` of
/// getWidgetsList; `widgetName`, `widgetType` are not needed).
pub(crate) async fn get_widget_data(caller: Caller, params: Params) -> Result<Reply, OpmError> {
    let id = params
        .int("widgetID")?
        .ok_or_else(|| OpmError::Mandatory("widgetID".into()))?;
    params.opt("widgetName")?;
    params.opt("widgetType")?;
    let list = dashboards(&caller)?;
    let w = list
        .iter()
        .flat_map(|d| d.widgets.iter())
        .find(|w| w.id == id)
        .ok_or_else(|| OpmError::Unknown("Widget", id.to_string()))?;
    let net = Network::read(&caller.inst)?;
    let (rows, headers, period) = widget_data(&net, w.kind);
    let (kind, unique) = kind_names(w.kind);
    let mut body = serde_json::Map::new();
    body.insert(
        id.to_string(),
        json!({
            "WidgetName": w.name,
            "WidgetForwardPage": "availDetails",
            "WidgetAdditionalData": {},
            "WidgetData": rows,
            "Period": period,
            "WidgetType": kind,
            "WidgetHeaders": headers,
            "Name": unique,
        }),
    );
    Reply::json(Value::Object(body))
}
