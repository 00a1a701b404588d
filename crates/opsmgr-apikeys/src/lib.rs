//! # opsmgr-apikeys
//!
//! A fake of the MongoDB Ops Manager Public API v1.0
//! (<https://www.mongodb.com/docs/ops-manager/current/reference/api/>): HTTP Digest
//! authentication with programmatic API keys (RFC 7616, realm `MMS Public API`), API access
//! lists on the caller's address, organizations, projects, organization API keys, their
//! project assignments and access lists, in the vendor's wire format (alphabetical keys,
//! Jackson pretty printing, list envelopes, the five-field error body), as MongoDB's
//! "Public API Principles" (<https://www.mongodb.com/docs/ops-manager/current/core/api/>)
//! and the API error codes page describe them. `docs/opsmgr.md` lists every endpoint with
//! its fidelity notes.
//!
//! Where to look: `routes.rs` holds the route table; each handler lives in the module of
//! its resource family (`orgs`, `groups`, `org_keys`, `project_keys`, `access`); `auth.rs`
//! is the Digest front door and the access-list check; `request.rs` reads client input;
//! `wire.rs` writes Ops Manager's JSON; `error.rs` its error body; `store.rs` holds the SQL
//! and `state.rs` the state document.

mod access;
mod agents;
mod alerts;
mod auth;
mod backup_configs;
mod cache;
mod deployments;
mod error;
mod events;
pub mod fuzzing;
mod global_keys;
mod groups;
mod json;
mod measurements;
mod model;
mod org_keys;
mod orgs;
mod project_keys;
mod project_teams;
mod request;
mod root;
mod routes;
mod state;
mod store;
mod teams;
mod users;
mod wire;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use auth_core::digest::DigestServer;
use auth_core::{Env, Instance, OpRoute, Product, StateError, StoreError};
use error::OpsMgrError;
use rusqlite::{Connection, Transaction};
use serde_json::Value;

/// The Digest realm of the public API.
pub const REALM: &str = "MMS Public API";

/// Product settings (launcher flags `--opsmgr-…`).
#[derive(clap::Args, Debug, Clone)]
#[group(id = "opsmgr-settings")]
pub struct Settings {
    /// Base URL used in `links` (Ops Manager's central URL); default `{scheme}://{Host}`.
    #[arg(long = "opsmgr-central-url", env = "STANDIN_OPSMGR_CENTRAL_URL")]
    pub central_url: Option<String>,
    /// Lifetime of a Digest nonce in seconds, on the instance clock.
    #[arg(
        long = "opsmgr-nonce-ttl-secs",
        env = "STANDIN_OPSMGR_NONCE_TTL_SECS",
        default_value_t = Settings::default().nonce_ttl_secs
    )]
    pub nonce_ttl_secs: i64,
    /// Endpoints documented as "must originate from an access-listed IP" (create-and-assign
    /// a project key) refuse callers whose key has an empty access list.
    #[arg(
        long = "opsmgr-require-access-list-for-sensitive",
        env = "STANDIN_OPSMGR_REQUIRE_ACCESS_LIST_FOR_SENSITIVE",
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_value_t = Settings::default().require_access_list_for_sensitive,
        default_missing_value = "true"
    )]
    pub require_access_list_for_sensitive: bool,
    /// Answer with the 4.x `WHITELIST` error codes instead of the 5.0+ `ACCESS_LIST` ones.
    #[arg(
        long = "opsmgr-legacy-whitelist-codes",
        env = "STANDIN_OPSMGR_LEGACY_WHITELIST_CODES",
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_value_t = Settings::default().legacy_whitelist_codes,
        default_missing_value = "true"
    )]
    pub legacy_whitelist_codes: bool,
    /// Take the caller's address for access lists from the first `X-Forwarded-For` hop
    /// (only behind a trusted proxy; the socket peer address otherwise).
    #[arg(
        long = "opsmgr-trust-forwarded-for",
        env = "STANDIN_OPSMGR_TRUST_FORWARDED_FOR",
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_value_t = Settings::default().trust_forwarded_for,
        default_missing_value = "true"
    )]
    pub trust_forwarded_for: bool,
}

impl Default for Settings {
    /// The defaults, written once: the flags show them (`default_value_t`) from here.
    fn default() -> Self {
        Settings {
            central_url: None,
            nonce_ttl_secs: 300,
            require_access_list_for_sensitive: true,
            legacy_whitelist_codes: false,
            trust_forwarded_for: false,
        }
    }
}

/// The Ops Manager product: its Digest nonce store.
#[derive(Debug)]
pub struct OpsMgr {
    /// Nonces and verification for realm `MMS Public API`.
    pub digest: DigestServer,
    /// Whether the store's statement cache was made large enough for every query of the
    /// product (rusqlite keeps 16 by default; evicted statements are parsed again).
    statements_sized: std::sync::atomic::AtomicBool,
    /// Where deep pages of an org's key list start (keyset paging for `pageNum`).
    pub(crate) key_anchors: store::KeyAnchors,
    /// The rows usage stamps changed, to tell every other write by (the caches' generation).
    pub(crate) changes: cache::Changes,
    /// Digest usernames' secrets, access lists and roles, for one generation.
    pub(crate) principals: cache::Principals,
    /// Rendered key pages, for one generation.
    pub(crate) pages: cache::Pages,
    /// Org and project rows by id, for one generation.
    pub(crate) rows: cache::Rows,
}

impl OpsMgr {
    /// Size the store's statement cache once (rusqlite keeps 16 by default; evicted
    /// statements are parsed again).
    pub(crate) fn size_statement_cache(&self, conn: &Connection) {
        use std::sync::atomic::Ordering;
        if !self.statements_sized.swap(true, Ordering::Relaxed) {
            conn.set_prepared_statement_cache_capacity(store::STATEMENT_CACHE);
        }
    }
}

fn under_api(req: &HttpRequest) -> bool {
    let path = req.path();
    path == wire::BASE || path.starts_with(&format!("{}/", wire::BASE))
}

/// Authenticate first (unknown paths too: the real server answers 401 before 404), then
/// answer with `err`.
fn refuse_after_auth(inst: &Instance<OpsMgr>, req: &HttpRequest, err: OpsMgrError) -> HttpResponse {
    if under_api(req) {
        if let Err(resp) = auth::authenticate(inst, req) {
            return *resp;
        }
    }
    auth_core::trace::refuse(req, err.to_string());
    wire::error_response(req, &err, inst.settings.legacy_whitelist_codes)
}

impl Product for OpsMgr {
    const NAME: &'static str = "opsmgr";
    const TITLE: &'static str = "MongoDB Ops Manager";
    const DEFAULT_PORT: u16 = 8080;
    const DEFAULT_TLS: bool = false;
    const FIXTURES: &'static str = include_str!("../../../fixtures/opsmgr.json");
    const SCHEMA: &'static str = concat!(
        include_str!("schema.sql"),
        include_str!("insert_triggers.sql")
    );
    /// The private half of a programmatic API key, however a client spells it; the Digest
    /// response travels in `Authorization`, which auth-core always redacts.
    const SECRETS: auth_core::Secrets = auth_core::Secrets {
        headers: &[],
        params: &["privateKey", "private_key"],
        json_fields: &["privateKey", "private_key"],
        path_params: &[],
    };
    type Settings = Settings;

    fn new(_env: &Env, settings: &Settings) -> Self {
        OpsMgr {
            digest: DigestServer::new(REALM, settings.nonce_ttl_secs.max(1)),
            statements_sized: std::sync::atomic::AtomicBool::new(false),
            key_anchors: store::KeyAnchors::default(),
            changes: cache::Changes::default(),
            principals: cache::Principals::default(),
            pages: cache::Pages::default(),
            rows: cache::Rows::default(),
        }
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        self.size_statement_cache(tx);
        state::load(tx, doc)
    }

    fn load_state_json(
        &self,
        tx: &Transaction<'_>,
        json: &[u8],
        _env: &Env,
    ) -> Result<bool, StateError> {
        self.size_statement_cache(tx);
        state::load_json(tx, json)
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn on_reset(&self) {
        self.digest.clear();
        self.key_anchors.clear();
        self.principals.clear();
        self.pages.clear();
        self.rows.clear();
    }

    /// The route table of `routes.rs`.
    fn routes() -> Vec<OpRoute> {
        routes::table()
    }

    fn not_found(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        refuse_after_auth(
            inst,
            req,
            OpsMgrError::ResourceNotFound(req.path().to_owned()),
        )
    }

    fn method_not_allowed(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        refuse_after_auth(inst, req, OpsMgrError::MethodNotAllowed)
    }

    /// A status set by a fault rule or a rate limit, in Ops Manager's own bodies ("Public API
    /// Error Codes"): 401 is the Digest challenge a client answers, 403
    /// `IP_ADDRESS_NOT_ON_ACCESS_LIST` for the caller, 404 `RESOURCE_NOT_FOUND`, 405
    /// `METHOD_NOT_ALLOWED`, 429 `RATE_LIMITED`, anything else `UNEXPECTED_ERROR` with that
    /// status (its `reason` the status's reason phrase).
    fn error_for_status(
        inst: &Instance<Self>,
        req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        let err = match status.as_u16() {
            401 => return auth::challenge(inst, req, false),
            403 => OpsMgrError::IpNotOnAccessList(
                req.peer_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default(),
            ),
            404 => OpsMgrError::ResourceNotFound(req.path().to_owned()),
            405 => OpsMgrError::MethodNotAllowed,
            429 => OpsMgrError::RateLimited(req.path().to_owned()),
            _ => OpsMgrError::Unexpected(status),
        };
        wire::error_response(req, &err, inst.settings.legacy_whitelist_codes)
    }

    fn principal_hint(_inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
        auth_core::digest::parse_authorization(header.to_str().ok()?)
            .ok()
            .map(|p| p.username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        opsmgr: Settings,
    }

    #[test]
    fn the_clap_defaults_match_default_and_bool_flags_take_an_optional_value() {
        let cli = Cli::try_parse_from(["standin"]).unwrap();
        let d = Settings::default();
        assert_eq!(cli.opsmgr.central_url, d.central_url);
        assert_eq!(cli.opsmgr.nonce_ttl_secs, d.nonce_ttl_secs);
        assert_eq!(
            cli.opsmgr.require_access_list_for_sensitive,
            d.require_access_list_for_sensitive
        );
        assert_eq!(cli.opsmgr.legacy_whitelist_codes, d.legacy_whitelist_codes);
        assert_eq!(cli.opsmgr.trust_forwarded_for, d.trust_forwarded_for);
        let cli = Cli::try_parse_from([
            "standin",
            "--opsmgr-legacy-whitelist-codes",
            "--opsmgr-require-access-list-for-sensitive=false",
            "--opsmgr-nonce-ttl-secs",
            "60",
            "--opsmgr-central-url",
            "https://om.example:8443",
        ])
        .unwrap();
        assert!(cli.opsmgr.legacy_whitelist_codes);
        assert!(!cli.opsmgr.require_access_list_for_sensitive);
        assert_eq!(cli.opsmgr.nonce_ttl_secs, 60);
        assert_eq!(
            cli.opsmgr.central_url.as_deref(),
            Some("https://om.example:8443")
        );
    }
}
