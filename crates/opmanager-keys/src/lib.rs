//! # opmanager-keys
//!
//! Fakes the REST API of ManageEngine OpManager
//! (<https://www.manageengine.com/network-monitoring/help/rest-api-opmanager.html>):
//! the `apiKey` rules (header or parameter, the header-only URL list, per-user REST access,
//! regenerated keys, TFA, probe users) and the 85 operations of the vendor reference "OpManager
//! Plus REST API" (alarms, availability, business views, dashboards, devices and
//! virtualization, events, groups, interfaces, monitoring, notifications, reports, subnets,
//! wireless) plus the header-only configuration URLs, on one consistent fixture network.
//! `routes.rs` lists every operation. See `docs/opmanager.md`.

mod alarms;
mod auth;
mod availability;
mod control;
mod dashboards;
mod devices;
mod discovery;
mod error;
mod events;
#[doc(hidden)]
pub mod fuzzing;
mod groups;
mod interfaces;
mod monitoring;
mod monitors;
mod notifications;
mod probes;
mod reports;
mod request;
mod routes;
mod state;
mod store;
mod virtualization;
mod wire;
mod wireless;

/// The current TOTP code of a base32 secret (for tests that enable REST access under TFA).
pub use auth::totp::totp_at;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use auth_core::store::StoreError;
use auth_core::{Env, Instance, OpRoute, Product, StateError};
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
        default_value_t = Settings::default().param_auth
    )]
    pub param_auth: ParamAuth,
    /// HTTP status of OpManager's authentication errors (200 or 401).
    #[arg(
        long = "opmanager-auth-status",
        env = "STANDIN_OPMANAGER_AUTH_STATUS",
        value_enum,
        default_value_t = Settings::default().auth_status
    )]
    pub auth_status: AuthStatus,
}

impl Default for Settings {
    /// The defaults, written once: the flags show them (`default_value_t`) from here.
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
    /// The parsed store state, reused until the store changes ([`state::network::snapshot`]).
    cache: state::network::SnapshotCache,
}

impl Product for OpManager {
    const NAME: &'static str = "opmanager";
    const TITLE: &'static str = "ManageEngine OpManager";
    const DEFAULT_PORT: u16 = 8060;
    const DEFAULT_TLS: bool = false;
    const FIXTURES: &'static str = include_str!("../../../fixtures/opmanager.json");
    const SCHEMA: &'static str = include_str!("schema.sql");
    /// The API key travels as the `apiKey` header or query parameter (clients also send
    /// `api_key`); the TOTP code as `otp`.
    const SECRETS: auth_core::Secrets = auth_core::Secrets {
        headers: &["apiKey", "api_key"],
        params: &["apiKey", "api_key", "otp"],
        json_fields: &["apiKey", "api_key", "otp"],
        path_params: &[],
    };
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

    fn load_state_json(
        &self,
        tx: &Transaction<'_>,
        json: &[u8],
        _env: &Env,
    ) -> Result<bool, StateError> {
        state::load_json(tx, json)
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn routes() -> Vec<OpRoute> {
        routes::routes()
    }

    fn configure(cfg: &mut web::ServiceConfig) {
        cfg.app_data(web::PayloadConfig::new(256 * 1024));
    }

    fn control_routes() -> Vec<auth_core::ControlOp> {
        control::routes()
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
        req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        error::for_status(status, req.method())
    }

    fn principal_hint(inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        let (key, _) = auth_core::credentials::api_key(req, auth::KEY_NAME, auth::KEY_NAME)?;
        auth::user_by_key(inst, &key)
            .ok()
            .flatten()
            .map(|u| u.name.clone())
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
