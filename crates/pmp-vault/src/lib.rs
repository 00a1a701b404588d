//! # pmp-vault
//!
//! A stand-in for the **ManageEngine Password Manager Pro** REST API ("RESTful API",
//! <https://www.manageengine.com/products/passwordmanagerpro/help/restapi.html>), served on
//! HTTPS port 7272 under `/restapi/json/v1`:
//!
//! - the front door: an `AUTHTOKEN` (header, query or form body) of a user; API users are
//!   bound to one host and may expire (`auth.rs`);
//! - every answer is HTTP 200 with PMP's `{"operation":{"name","result","Details","totalRows"}}`
//!   envelope (`wire.rs`), failures included;
//! - INPUT_DATA is read from the query, the form body whatever its Content-Type, or a
//!   multipart body, and parsed leniently (`request.rs`, `input.rs`, `lenient.rs`).
//!
//! Where things are: `routes.rs` lists every operation and names its handler, which lives in
//! the module of its resource family (`resources`, `accounts`, `workflow`, `users`,
//! `passwords`, `audit`); `auth.rs` is the front door and the `ApiUser`
//! extractor every handler takes first; all SQL is in `store/`; the fixture document in
//! `state.rs`; the product's control routes in `control.rs`.
//!
//! See `docs/pmp.md` for every endpoint, the fixture credentials and the fidelity notes.

mod accounts;
mod audit;
mod auth;
mod cache;
mod control;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod input;
mod lenient;
mod passwords;
mod pki;
mod request;
mod resources;
mod routes;
mod rules;
mod state;
mod store;
mod users;
mod wire;
mod workflow;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use auth_core::store::StoreError;
use auth_core::{Env, Instance, OpRoute, Product, StateError};
use rusqlite::{Connection, Transaction};
use serde_json::Value;

/// PMP settings (launcher flags `--pmp-*`).
#[derive(clap::Args, Debug, Clone)]
#[group(id = "pmp-settings")]
pub struct Settings {
    /// Largest request body accepted, in bytes; larger ones fail in the envelope.
    #[arg(
        long = "pmp-max-body-bytes",
        env = "STANDIN_PMP_MAX_BODY_BYTES",
        default_value_t = Settings::default().max_body_bytes
    )]
    pub max_body_bytes: usize,
}

impl Default for Settings {
    /// The defaults, written once: the flags show them (`default_value_t`) from here.
    fn default() -> Self {
        Settings {
            max_body_bytes: 10 * 1024 * 1024,
        }
    }
}

/// The Password Manager Pro product; besides SQLite it keeps the PKI key material it made
/// (derived from `--seed`, made on first use).
#[derive(Debug, Default)]
pub struct Pmp {
    keys: pki::keys::KeyCache,
    /// What the front door and the password read keep per store generation.
    caches: cache::Caches,
}

impl Product for Pmp {
    const NAME: &'static str = "pmp";
    const TITLE: &'static str = "ManageEngine Password Manager Pro REST API";
    const DEFAULT_PORT: u16 = 7272;
    const DEFAULT_TLS: bool = true;
    const FIXTURES: &'static str = include_str!("../../../fixtures/pmp.json");
    const SCHEMA: &'static str = include_str!("schema.sql");
    /// The auth token travels as the `AUTHTOKEN`/`APP_AUTHTOKEN` header, query parameter or
    /// path parameter (`;AUTHTOKEN=`); passwords as INPUT_DATA fields.
    const SECRETS: auth_core::Secrets = auth_core::Secrets {
        headers: &["AUTHTOKEN", "APP_AUTHTOKEN"],
        params: &[
            "AUTHTOKEN",
            "APP_AUTHTOKEN",
            "PASSWORD",
            "NEWPASSWORD",
            "OLDPASSWORD",
        ],
        json_fields: &["PASSWORD", "NEWPASSWORD", "OLDPASSWORD", "AUTHTOKEN"],
        path_params: &["AUTHTOKEN", "APP_AUTHTOKEN"],
    };
    type Settings = Settings;

    fn new(_env: &Env, _settings: &Settings) -> Self {
        Pmp::default()
    }

    fn on_reset(&self) {
        self.keys.clear();
        self.caches.clear();
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
        routes::table()
    }

    fn control_routes() -> Vec<auth_core::ControlOp> {
        control::routes()
    }

    fn not_found(_inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        auth_core::trace::refuse(req, format!("no PMP API at {}", req.path()));
        match req.path().strip_prefix(routes::PKI) {
            Some(name) => wire::failure_in(wire::Style::Pki, name, "Invalid API URL"),
            None => wire::failure("UNKNOWN", "Invalid API URL"),
        }
    }

    fn method_not_allowed(_inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        auth_core::trace::refuse(
            req,
            format!("{} is not supported on {}", req.method(), req.path()),
        );
        wire::failure("UNKNOWN", "Invalid API URL")
    }

    /// PMP answers everything with HTTP 200 and tells failures apart in the envelope, so a
    /// status set by a fault rule or a rate limit keeps the envelope a PMP client parses and
    /// carries the status: 401 is the front door's `Authentication` failure, 403 the
    /// operation refusal, 404 and 405 the unknown-URL answer, any other status its reason
    /// phrase (`Service Unavailable`); PKI paths answer in the PKI envelope.
    fn error_for_status(
        _inst: &Instance<Self>,
        req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        let message = match status.as_u16() {
            401 => error::MSG_BAD_TOKEN,
            403 => error::MSG_NOT_AUTHORIZED,
            404 | 405 => "Invalid API URL",
            _ => status.canonical_reason().unwrap_or("Error"),
        };
        let mut resp = match req.path().strip_prefix(routes::PKI) {
            Some(name) => wire::failure_in(wire::Style::Pki, name, message),
            None if status == StatusCode::UNAUTHORIZED => wire::failure("Authentication", message),
            None => wire::failure("UNKNOWN", message),
        };
        *resp.status_mut() = status;
        resp
    }

    fn principal_hint(inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        let token = auth::token_hint(req)?;
        inst.store
            .read(|c| store::user_name_by_token(c, &token))
            .ok()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        pmp: Settings,
    }

    #[test]
    fn the_clap_defaults_match_default_and_the_body_limit_flag_parses() {
        let cli = Cli::try_parse_from(["standin"]).unwrap();
        assert_eq!(cli.pmp.max_body_bytes, Settings::default().max_body_bytes);
        let cli = Cli::try_parse_from(["standin", "--pmp-max-body-bytes", "4096"]).unwrap();
        assert_eq!(cli.pmp.max_body_bytes, 4096);
        assert!(Cli::try_parse_from(["standin", "--pmp-max-body-bytes", "-1"]).is_err());
        assert!(Cli::try_parse_from(["standin", "--pmp-max-body-bytes", "lots"]).is_err());
    }
}
