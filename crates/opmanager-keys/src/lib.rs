//! # opmanager-keys
//!
//! Fakes the REST API of ManageEngine OpManager
//! (<https://www.manageengine.com/network-monitoring/help/rest-api-opmanager.html>):
//! the `apiKey` rules (header or parameter, the header-only URL list, per-user REST access,
//! regenerated keys, TFA, probe users) and the device, interface, alarm and event APIs that
//! service-desk and monitoring integrations use. See `docs/opmanager.md`.

pub mod alarms;
pub mod auth;
pub mod call;
pub mod control;
pub mod devices;
pub mod error;
pub mod events;
pub mod interfaces;
pub mod monitors;
pub mod network;
pub mod paging;
pub mod probes;
pub mod state;
pub mod store;
pub mod totp;
pub mod wire;

use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use auth_core::store::StoreError;
use auth_core::{op, Env, Instance, OpRoute, Product, StateError};
use error::OpmError;
use rusqlite::{Connection, Transaction};
use serde_json::Value;

/// How request-parameter keys are treated (the product builds).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamAuth {
    /// Parameter keys work on every URL.
    Allowed,
    /// Build 128100 and later: parameter keys work except on the header-only URLs.
    HeaderOnlyList,
    /// The announced end of parameter keys: header only.
    Disabled,
}

/// HTTP status of authentication failures.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStatus {
    /// HTTP 200 with the error body (what OpManager does for its errors).
    #[value(name = "200")]
    Ok,
    /// HTTP 401 with the error body.
    #[value(name = "401")]
    Unauthorized,
}

impl AuthStatus {
    /// The status code.
    pub fn status(self) -> StatusCode {
        match self {
            AuthStatus::Ok => StatusCode::OK,
            AuthStatus::Unauthorized => StatusCode::UNAUTHORIZED,
        }
    }
}

/// OpManager's settings (launcher flags).
#[derive(clap::Args, Debug, Clone)]
#[group(id = "opmanager-settings")]
pub struct Settings {
    /// apiKey as a request parameter: allowed (before build 128100), header-only-list (128100
    /// and later), disabled (the announced end).
    #[arg(
        long = "opmanager-param-auth",
        env = "STANDIN_OPMANAGER_PARAM_AUTH",
        value_enum,
        default_value = "header-only-list"
    )]
    pub param_auth: ParamAuth,
    /// HTTP status of OpManager's authentication errors (200 or 401).
    #[arg(
        long = "opmanager-auth-status",
        env = "STANDIN_OPMANAGER_AUTH_STATUS",
        value_enum,
        default_value = "200"
    )]
    pub auth_status: AuthStatus,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            param_auth: ParamAuth::HeaderOnlyList,
            auth_status: AuthStatus::Ok,
        }
    }
}

/// The OpManager product: its runtime state is the cached read snapshot of the store.
#[derive(Debug, Default)]
pub struct OpManager {
    /// The parsed store state, reused until the store changes ([`network::snapshot`]).
    pub(crate) cache: network::SnapshotCache,
}

impl Product for OpManager {
    const NAME: &'static str = "opmanager";
    const TITLE: &'static str = "ManageEngine OpManager";
    const DEFAULT_PORT: u16 = 8060;
    const DEFAULT_TLS: bool = false;
    const FIXTURES: &'static str = include_str!("../../../fixtures/opmanager.json");
    const SCHEMA: &'static str = include_str!("schema.sql");
    type Settings = Settings;

    fn new(_env: &Env, _settings: &Settings) -> Self {
        OpManager::default()
    }

    fn on_reset(&self) {
        self.cache.clear();
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        state::load(tx, doc)
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn routes() -> Vec<OpRoute> {
        vec![
            op(
                Method::GET,
                "/api/json/device/listDevices",
                "opmanager.list_devices",
                devices::list_devices,
            ),
            op(
                Method::GET,
                "/api/json/v2/device/listDevices",
                "opmanager.list_devices_v2",
                devices::list_devices,
            ),
            op(
                Method::GET,
                "/api/json/device/getDeviceSummary",
                "opmanager.get_device_summary",
                devices::get_device_summary,
            ),
            op(
                Method::GET,
                "/api/json/device/getDeviceInfo",
                "opmanager.get_device_info",
                devices::get_device_info,
            ),
            op(
                Method::GET,
                "/api/json/v2/device/getDeviceCompleteDetails",
                "opmanager.get_device_complete_details",
                devices::get_device_complete_details,
            ),
            op(
                Method::GET,
                "/api/json/device/getInterfaces",
                "opmanager.get_interfaces",
                interfaces::get_interfaces,
            ),
            op(
                Method::GET,
                "/api/json/device/listInterfaces",
                "opmanager.list_interfaces",
                interfaces::list_interfaces,
            ),
            op(
                Method::GET,
                "/api/json/device/getDeviceAssociatedMonitors",
                "opmanager.get_device_associated_monitors",
                monitors::get_device_associated_monitors,
            ),
            op(
                Method::POST,
                "/api/json/device/setManaged",
                "opmanager.set_managed",
                devices::set_managed,
            ),
            op(
                Method::POST,
                "/api/json/discovery/addDevice",
                "opmanager.add_device",
                devices::add_device,
            ),
            op(
                Method::POST,
                "/api/json/device/deleteDevice",
                "opmanager.delete_device",
                devices::delete_device,
            ),
            op(
                Method::GET,
                "/api/json/admin/listProbes",
                "opmanager.list_probes",
                probes::list_probes,
            ),
            op(
                Method::GET,
                "/api/json/events/listEvents",
                "opmanager.list_events",
                events::list_events,
            ),
            op(
                Method::POST,
                "/api/json/events/addEvent",
                "opmanager.add_event",
                events::add_event,
            ),
            op(
                Method::GET,
                "/api/json/alarm/listAlarms",
                "opmanager.list_alarms",
                alarms::list_alarms,
            ),
            op(
                Method::GET,
                "/api/json/alarm/alarmProperties",
                "opmanager.alarm_properties",
                alarms::alarm_properties,
            ),
            op(
                Method::GET,
                "/api/json/alarm/getAnnotation",
                "opmanager.get_annotation",
                alarms::get_annotation,
            ),
            op(
                Method::POST,
                "/api/json/alarm/acknowledgeAlarm",
                "opmanager.acknowledge_alarm",
                alarms::acknowledge_alarm,
            ),
            op(
                Method::POST,
                "/api/json/alarm/unAcknowledgeAlarm",
                "opmanager.unacknowledge_alarm",
                alarms::unacknowledge_alarm,
            ),
            op(
                Method::POST,
                "/api/json/alarm/clearAlarm",
                "opmanager.clear_alarm",
                alarms::clear_alarm,
            ),
            op(
                Method::POST,
                "/api/json/alarm/deleteAlarm",
                "opmanager.delete_alarm",
                alarms::delete_alarm,
            ),
            op(
                Method::POST,
                "/api/json/alarm/addNotes",
                "opmanager.add_notes",
                alarms::add_notes,
            ),
        ]
    }

    fn configure(cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::PayloadConfig::new(256 * 1024));
    }

    fn control_routes(cfg: &mut web::ServiceConfig) {
        control::configure(cfg);
    }

    fn not_found(_inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        let err = OpmError::NotFound(req.path().to_owned());
        auth_core::trace::refuse(req, err.to_string());
        err.error_response()
    }

    fn method_not_allowed(_inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        let err = OpmError::MethodNotAllowed(req.method().to_string());
        auth_core::trace::refuse(req, err.to_string());
        err.error_response()
    }

    fn error_for_status(
        _inst: &Instance<Self>,
        _req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        let (message, code) = match status.as_u16() {
            429 => ("Too many requests. Try again later.", "TOO_MANY_REQUESTS"),
            401 => ("Invalid API key.", "INVALID_API_KEY"),
            s if s >= 500 => ("Internal server error.", "INTERNAL_SERVER_ERROR"),
            _ => ("Request failed.", "REQUEST_FAILED"),
        };
        HttpResponse::build(status)
            .json(serde_json::json!({"error": {"message": message, "errorcode": code}}))
    }

    fn principal_hint(inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        let (key, _) = auth_core::credentials::api_key(req, auth::KEY_NAME, auth::KEY_NAME)?;
        auth::user_by_key(inst, &key).ok().flatten().map(|u| u.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        opmanager: Settings,
    }

    #[test]
    fn fuzzing_entry_points_answer_like_the_api() {
        assert_eq!(
            fuzzing::query_params("a=1&b=%20x+y&a"),
            [
                ("a".into(), "1".into()),
                ("b".into(), " x y".into()),
                ("a".into(), String::new())
            ]
        );
        assert_eq!(fuzzing::form_params(b" k=v "), [("k".into(), "v".into())]);
        assert_eq!(
            fuzzing::json_params(br#"{"n":1,"s":"t","z":null}"#).len(),
            2
        );
        assert!(fuzzing::json_params(b"[1]").is_empty());
        assert_eq!(
            fuzzing::api_key_param("x=1", b"apiKey=%20k%20").as_deref(),
            Some("k")
        );
        assert_eq!(fuzzing::api_key_param("apiKey=+", b""), None);
        let [name, text, short, n] = fuzzing::validators("name=a&text=<b>&short=12345678901&n=x");
        assert_eq!(name, Ok(Some("a".into())));
        assert_eq!(text, Err("XSS_DETECTED"));
        assert_eq!(short, Err("MORE_THAN_MAX_LENGTH"));
        assert_eq!(n, Err("DATATYPE_NOT_MATCHED"));
        assert_eq!(fuzzing::validators("")[0], Err("LESS_THAN_MIN_OCCURANCE"));
        let (paging, window) =
            fuzzing::paging("page=3&rows=10&sortByColumn=STATUSNUM", 25).unwrap();
        assert_eq!(paging.sort, Some(("statusNum", false)));
        assert_eq!((window.total, window.skip, window.take), (3, 20, 10));
        assert_eq!(
            fuzzing::paging("page=0", 1).unwrap_err(),
            "RANGE_NOT_MATCHED"
        );
        assert_eq!(
            fuzzing::paging("page=99999999999999999999", 1).unwrap_err(),
            "DATATYPE_NOT_MATCHED"
        );
        assert!(fuzzing::markup("<svg onload=x>"));
        assert_eq!(fuzzing::severity("Trouble"), Some(2));
        assert!(fuzzing::day_time("2024-02-30").is_none());
    }

    #[test]
    fn clap_defaults_match_default_and_flags_parse() {
        let cli = Cli::try_parse_from(["standin"]).unwrap();
        let default = Settings::default();
        assert_eq!(cli.opmanager.param_auth, default.param_auth);
        assert_eq!(cli.opmanager.auth_status, default.auth_status);
        let cli = Cli::try_parse_from([
            "standin",
            "--opmanager-param-auth",
            "disabled",
            "--opmanager-auth-status",
            "401",
        ])
        .unwrap();
        assert_eq!(cli.opmanager.param_auth, ParamAuth::Disabled);
        assert_eq!(cli.opmanager.auth_status.status(), StatusCode::UNAUTHORIZED);
        assert!(Cli::try_parse_from(["standin", "--opmanager-auth-status", "403"]).is_err());
        assert!(Cli::try_parse_from(["standin", "--opmanager-param-auth", "sometimes"]).is_err());
    }
}

/// Entry points for fuzzing the parsers of client bytes (thin wrappers, no behaviour of
/// their own). Not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    use crate::call::{looks_like_markup, Params};
    use crate::error::OpmError;
    use crate::paging::{Paging, Window};

    /// Parameters of a query string (`a=1&b=%20x`).
    pub fn query_params(query: &str) -> Vec<(String, String)> {
        Params::from_parts(query, "", b"").pairs().to_vec()
    }

    /// Parameters of an `application/x-www-form-urlencoded` body.
    pub fn form_params(body: &[u8]) -> Vec<(String, String)> {
        Params::from_parts("", "application/x-www-form-urlencoded", body)
            .pairs()
            .to_vec()
    }

    /// Parameters of a JSON object body (any other body gives none).
    pub fn json_params(body: &[u8]) -> Vec<(String, String)> {
        Params::from_parts("", "application/json", body)
            .pairs()
            .to_vec()
    }

    /// The `apiKey` parameter as authentication reads it (first value, trimmed, non-empty)
    /// from a query string and a form body.
    pub fn api_key_param(query: &str, form_body: &[u8]) -> Option<String> {
        Params::from_parts(query, "application/x-www-form-urlencoded", form_body)
            .get(crate::auth::KEY_NAME)
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
    }

    /// The XSS filter.
    pub fn markup(value: &str) -> bool {
        looks_like_markup(value)
    }

    /// The validators over the parameters of `query`: mandatory `name`, optional `text`
    /// (default length), `short` of at most 10 characters, integer `n`; each answer is the
    /// value or the vendor's error code.
    pub fn validators(query: &str) -> [Result<Option<String>, &'static str>; 4] {
        let p = Params::from_parts(query, "", b"");
        let code = |e: OpmError| e.message_and_code().1;
        let own = |r: Result<Option<&str>, OpmError>| r.map(|v| v.map(str::to_owned)).map_err(code);
        [
            own(p.required("name").map(Some)),
            own(p.opt("text")),
            own(p.text("short", 10)),
            p.int("n").map(|n| n.map(|n| n.to_string())).map_err(code),
        ]
    }

    /// Paging and sorting parameters of `query` (listDevices' columns) and the window over
    /// `records` rows; `Err` is the vendor's error code.
    pub fn paging(query: &str, records: usize) -> Result<(Paging<'static>, Window), &'static str> {
        const COLUMNS: [&str; 3] = ["deviceName", "statusNum", "addedTime"];
        let p = Params::from_parts(query, "", b"");
        let paging = Paging::parse(&p, &COLUMNS).map_err(|e| e.message_and_code().1)?;
        Ok((paging, paging.window(records)))
    }

    /// A severity as clients pass it (`1`, `Critical`).
    pub fn severity(text: &str) -> Option<u8> {
        crate::wire::parse_severity(text)
    }

    /// listAlarms' `fromTime`/`toTime` (`yyyy-mm-dd[ hh:mm:ss]`).
    pub fn day_time(text: &str) -> Option<i64> {
        crate::wire::parse_day_time(text)
    }
}
