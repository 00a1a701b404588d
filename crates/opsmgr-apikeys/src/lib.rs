//! # opsmgr-apikeys
//!
//! A fake of the MongoDB Ops Manager Public API v1.0
//! (<https://www.mongodb.com/docs/ops-manager/current/reference/api/>): HTTP Digest
//! authentication with programmatic API keys (RFC 7616, realm `MMS Public API`), API access
//! lists on the caller's address, organizations, projects, organization API keys, their
//! project assignments and access lists, in the vendor's wire format (alphabetical keys,
//! Jackson pretty printing, list envelopes, the five-field error body).
//!
//! The wire contract is `shared/specs/opsmgr.md`; `docs/opsmgr.md` lists every endpoint.

pub mod access;
pub mod auth;
pub mod body;
pub mod error;
pub mod groups;
pub mod lookup;
pub mod model;
pub mod org_keys;
pub mod orgs;
pub mod project_keys;
pub mod state;
pub mod store;
pub mod view;
pub mod wire;

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use auth_core::digest::DigestServer;
use auth_core::{op, Env, Instance, OpRoute, Product, StateError, StoreError};
use error::ApiError;
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
        default_value_t = 300
    )]
    pub nonce_ttl_secs: i64,
    /// Endpoints documented as "must originate from an access-listed IP" (create-and-assign
    /// a project key) refuse callers whose key has an empty access list.
    #[arg(
        long = "opsmgr-require-access-list-for-sensitive",
        env = "STANDIN_OPSMGR_REQUIRE_ACCESS_LIST_FOR_SENSITIVE",
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_value_t = true,
        default_missing_value = "true"
    )]
    pub require_access_list_for_sensitive: bool,
    /// Answer with the 4.x `WHITELIST` error codes instead of the 5.0+ `ACCESS_LIST` ones.
    #[arg(
        long = "opsmgr-legacy-whitelist-codes",
        env = "STANDIN_OPSMGR_LEGACY_WHITELIST_CODES",
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_value_t = false,
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
        default_value_t = false,
        default_missing_value = "true"
    )]
    pub trust_forwarded_for: bool,
}

impl Default for Settings {
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
}

impl OpsMgr {
    /// Where `links` point for this request.
    pub fn central_url(&self, inst: &Instance<OpsMgr>, req: &HttpRequest) -> String {
        wire::central_url(req, inst.settings.central_url.as_deref())
    }

    /// Render a handler's result in the requested format and error codes.
    pub fn render(
        &self,
        inst: &Instance<OpsMgr>,
        req: &HttpRequest,
        result: Result<wire::Out, ApiError>,
    ) -> HttpResponse {
        wire::render(req, result, inst.settings.legacy_whitelist_codes)
    }
}

fn under_api(req: &HttpRequest) -> bool {
    let path = req.path();
    path == wire::BASE || path.starts_with(&format!("{}/", wire::BASE))
}

/// Authenticate first (unknown paths too, spec §3.1), then answer with `err`.
fn refuse_after_auth(inst: &Instance<OpsMgr>, req: &HttpRequest, err: ApiError) -> HttpResponse {
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
    const SCHEMA: &'static str = include_str!("schema.sql");
    type Settings = Settings;

    fn new(_env: &Env, settings: &Settings) -> Self {
        OpsMgr {
            digest: DigestServer::new(REALM, settings.nonce_ttl_secs.max(1)),
        }
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        state::load(tx, doc)
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn on_reset(&self) {
        self.digest.clear();
    }

    /// Every resource; each GET also answers HEAD (headers only), as Jersey does.
    fn routes() -> Vec<OpRoute> {
        use Method as M;
        const ORGS: &str = "/api/public/v1.0/orgs{slash:/?}";
        const ORG: &str = "/api/public/v1.0/orgs/{org_id}{slash:/?}";
        const ORG_GROUPS: &str = "/api/public/v1.0/orgs/{org_id}/groups{slash:/?}";
        const ORG_KEYS: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys{slash:/?}";
        const ORG_KEY: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}{slash:/?}";
        const KEY_AL: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/accessList{slash:/?}";
        const KEY_AL_ENTRY: &str =
            "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/accessList/{entry}{slash:/?}";
        const KEY_WL: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/whitelist{slash:/?}";
        const KEY_WL_ENTRY: &str =
            "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/whitelist/{entry}{slash:/?}";
        const GROUPS: &str = "/api/public/v1.0/groups{slash:/?}";
        const GROUP: &str = "/api/public/v1.0/groups/{group_id}{slash:/?}";
        const GROUP_BY_NAME: &str = "/api/public/v1.0/groups/byName/{name}{slash:/?}";
        const GROUP_KEYS: &str = "/api/public/v1.0/groups/{group_id}/apiKeys{slash:/?}";
        const GROUP_KEY: &str = "/api/public/v1.0/groups/{group_id}/apiKeys/{key_id}{slash:/?}";
        const USER_AL: &str = "/api/public/v1.0/users/{user_id}/accessList{slash:/?}";
        const USER_AL_ENTRY: &str = "/api/public/v1.0/users/{user_id}/accessList/{entry}{slash:/?}";
        const USER_WL: &str = "/api/public/v1.0/users/{user_id}/whitelist{slash:/?}";
        const USER_WL_ENTRY: &str = "/api/public/v1.0/users/{user_id}/whitelist/{entry}{slash:/?}";
        vec![
            op(M::GET, ORGS, "opsmgr.list_orgs", orgs::list_orgs),
            op(M::HEAD, ORGS, "opsmgr.list_orgs", orgs::list_orgs),
            op(M::GET, ORG, "opsmgr.get_org", orgs::get_org),
            op(M::HEAD, ORG, "opsmgr.get_org", orgs::get_org),
            op(
                M::GET,
                ORG_GROUPS,
                "opsmgr.list_org_projects",
                orgs::list_org_projects,
            ),
            op(
                M::HEAD,
                ORG_GROUPS,
                "opsmgr.list_org_projects",
                orgs::list_org_projects,
            ),
            op(
                M::GET,
                ORG_KEYS,
                "opsmgr.list_org_keys",
                org_keys::list_org_keys,
            ),
            op(
                M::HEAD,
                ORG_KEYS,
                "opsmgr.list_org_keys",
                org_keys::list_org_keys,
            ),
            op(
                M::POST,
                ORG_KEYS,
                "opsmgr.create_org_key",
                org_keys::create_org_key,
            ),
            op(M::GET, ORG_KEY, "opsmgr.get_org_key", org_keys::get_org_key),
            op(
                M::HEAD,
                ORG_KEY,
                "opsmgr.get_org_key",
                org_keys::get_org_key,
            ),
            op(
                M::PATCH,
                ORG_KEY,
                "opsmgr.update_org_key",
                org_keys::update_org_key,
            ),
            op(
                M::DELETE,
                ORG_KEY,
                "opsmgr.delete_org_key",
                org_keys::delete_org_key,
            ),
            op(
                M::GET,
                KEY_AL,
                "opsmgr.list_key_access",
                access::list_key_access,
            ),
            op(
                M::HEAD,
                KEY_AL,
                "opsmgr.list_key_access",
                access::list_key_access,
            ),
            op(
                M::POST,
                KEY_AL,
                "opsmgr.add_key_access",
                access::add_key_access,
            ),
            op(
                M::GET,
                KEY_AL_ENTRY,
                "opsmgr.get_key_access",
                access::get_key_access,
            ),
            op(
                M::HEAD,
                KEY_AL_ENTRY,
                "opsmgr.get_key_access",
                access::get_key_access,
            ),
            op(
                M::DELETE,
                KEY_AL_ENTRY,
                "opsmgr.delete_key_access",
                access::delete_key_access,
            ),
            op(
                M::GET,
                KEY_WL,
                "opsmgr.list_key_access",
                access::list_key_access,
            ),
            op(
                M::HEAD,
                KEY_WL,
                "opsmgr.list_key_access",
                access::list_key_access,
            ),
            op(
                M::POST,
                KEY_WL,
                "opsmgr.add_key_access",
                access::add_key_access,
            ),
            op(
                M::GET,
                KEY_WL_ENTRY,
                "opsmgr.get_key_access",
                access::get_key_access,
            ),
            op(
                M::HEAD,
                KEY_WL_ENTRY,
                "opsmgr.get_key_access",
                access::get_key_access,
            ),
            op(
                M::DELETE,
                KEY_WL_ENTRY,
                "opsmgr.delete_key_access",
                access::delete_key_access,
            ),
            op(
                M::GET,
                GROUPS,
                "opsmgr.list_projects",
                groups::list_projects,
            ),
            op(
                M::HEAD,
                GROUPS,
                "opsmgr.list_projects",
                groups::list_projects,
            ),
            op(
                M::POST,
                GROUPS,
                "opsmgr.create_project",
                groups::create_project,
            ),
            op(
                M::GET,
                GROUP_BY_NAME,
                "opsmgr.get_project_by_name",
                groups::get_project_by_name,
            ),
            op(
                M::HEAD,
                GROUP_BY_NAME,
                "opsmgr.get_project_by_name",
                groups::get_project_by_name,
            ),
            op(M::GET, GROUP, "opsmgr.get_project", groups::get_project),
            op(M::HEAD, GROUP, "opsmgr.get_project", groups::get_project),
            op(
                M::GET,
                GROUP_KEYS,
                "opsmgr.list_project_keys",
                project_keys::list_project_keys,
            ),
            op(
                M::HEAD,
                GROUP_KEYS,
                "opsmgr.list_project_keys",
                project_keys::list_project_keys,
            ),
            op(
                M::POST,
                GROUP_KEYS,
                "opsmgr.create_project_key",
                project_keys::create_project_key,
            ),
            op(
                M::PATCH,
                GROUP_KEY,
                "opsmgr.update_project_key",
                project_keys::update_project_key,
            ),
            op(
                M::POST,
                GROUP_KEY,
                "opsmgr.assign_project_key",
                project_keys::assign_project_key,
            ),
            op(
                M::DELETE,
                GROUP_KEY,
                "opsmgr.unassign_project_key",
                project_keys::unassign_project_key,
            ),
            op(
                M::GET,
                USER_AL,
                "opsmgr.list_user_access",
                access::list_user_access,
            ),
            op(
                M::HEAD,
                USER_AL,
                "opsmgr.list_user_access",
                access::list_user_access,
            ),
            op(
                M::POST,
                USER_AL,
                "opsmgr.add_user_access",
                access::add_user_access,
            ),
            op(
                M::GET,
                USER_AL_ENTRY,
                "opsmgr.get_user_access",
                access::get_user_access,
            ),
            op(
                M::HEAD,
                USER_AL_ENTRY,
                "opsmgr.get_user_access",
                access::get_user_access,
            ),
            op(
                M::DELETE,
                USER_AL_ENTRY,
                "opsmgr.delete_user_access",
                access::delete_user_access,
            ),
            op(
                M::GET,
                USER_WL,
                "opsmgr.list_user_access",
                access::list_user_access,
            ),
            op(
                M::HEAD,
                USER_WL,
                "opsmgr.list_user_access",
                access::list_user_access,
            ),
            op(
                M::POST,
                USER_WL,
                "opsmgr.add_user_access",
                access::add_user_access,
            ),
            op(
                M::GET,
                USER_WL_ENTRY,
                "opsmgr.get_user_access",
                access::get_user_access,
            ),
            op(
                M::HEAD,
                USER_WL_ENTRY,
                "opsmgr.get_user_access",
                access::get_user_access,
            ),
            op(
                M::DELETE,
                USER_WL_ENTRY,
                "opsmgr.delete_user_access",
                access::delete_user_access,
            ),
        ]
    }

    fn not_found(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        refuse_after_auth(inst, req, ApiError::ResourceNotFound(req.path().to_owned()))
    }

    fn method_not_allowed(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        refuse_after_auth(inst, req, ApiError::MethodNotAllowed)
    }

    fn error_for_status(
        inst: &Instance<Self>,
        req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        let err = if status == StatusCode::TOO_MANY_REQUESTS {
            ApiError::RateLimited(req.path().to_owned())
        } else {
            ApiError::Unexpected(status)
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

    #[test]
    fn the_embedded_fixtures_load() {
        let store = auth_core::Store::memory(OpsMgr::SCHEMA).unwrap();
        let doc: Value = serde_json::from_str(OpsMgr::FIXTURES).unwrap();
        store.write(|tx| state::load(tx, &doc)).unwrap();
        let dumped = store.read(state::dump).unwrap();
        assert_eq!(dumped["apiKeys"][0]["publicKey"], "qzvhwmtx");
    }
}
