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
    /// Whether the store's statement cache was made large enough for every query of the
    /// product (rusqlite keeps 16 by default; evicted statements are parsed again).
    statements_sized: std::sync::atomic::AtomicBool,
}

impl OpsMgr {
    /// Where `links` point for this request.
    pub fn central_url(&self, inst: &Instance<OpsMgr>, req: &HttpRequest) -> String {
        wire::central_url(req, inst.settings.central_url.as_deref())
    }

    /// Size the statement cache of `conn` (the instance's store) once.
    pub fn size_statement_cache(&self, conn: &Connection) {
        use std::sync::atomic::Ordering;
        if !self.statements_sized.swap(true, Ordering::Relaxed) {
            conn.set_prepared_statement_cache_capacity(store::STATEMENT_CACHE);
        }
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
            statements_sized: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        self.size_statement_cache(tx);
        state::load(tx, doc)
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn on_reset(&self) {
        self.digest.clear();
    }

    /// Every resource; each GET also answers HEAD (headers only), as Jersey does. The key
    /// lists come first: actix tries resources in order, one regex search each, and no
    /// earlier resource can match their paths (only `byName` overlaps, and stays first).
    fn routes() -> Vec<OpRoute> {
        let mut routes = declared_routes();
        routes.sort_by_key(|r| !HOT_PATHS.contains(&r.path));
        routes
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

/// The busiest resources, tried first (in declaration order among themselves).
const HOT_PATHS: [&str; 4] = [
    "/api/public/v1.0/orgs/{org_id}/apiKeys{slash:/?}",
    "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}{slash:/?}",
    "/api/public/v1.0/groups/byName/{name}{slash:/?}",
    "/api/public/v1.0/groups/{group_id}/apiKeys{slash:/?}",
];

/// The routes in declaration order (the order of precedence between overlapping paths).
fn declared_routes() -> Vec<OpRoute> {
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

/// Entry points for fuzzing the parsers of client bytes: thin wrappers over the real
/// functions, with no behaviour of their own. Each returns whether the input was accepted
/// (a few also assert an invariant of the result, e.g. a parsed CIDR parses back the same).
#[doc(hidden)]
pub mod fuzzing {
    use crate::{access, model, org_keys, project_keys, wire};

    const GROUP: &str = "5953c5f380eef53887615f9a";

    /// An access-list entry in a path segment (IP or CIDR, already percent-decoded).
    pub fn access_entry(text: &str) -> bool {
        let net = model::parse_entry(text);
        if let Some(net) = net {
            // The canonical text must parse back to the same network.
            let again = model::parse_entry(&net.to_string());
            assert_eq!(again, Some(net), "{text:?}");
            let _ = model::entry_segment(&net.to_string());
        }
        let _ = model::Address::from_ip(text);
        net.is_some()
    }

    /// The body of `POST /orgs/{ORG-ID}/apiKeys/{ID}/accessList` (a key's list).
    pub fn key_access_list_body(body: &[u8]) -> bool {
        access::additions(body, false).is_ok()
    }

    /// The body of `POST /users/{USER-ID}/accessList` (a user's list: CIDR in `ipAddress`).
    pub fn user_access_list_body(body: &[u8]) -> bool {
        access::additions(body, true).is_ok()
    }

    /// `pageNum`, `itemsPerPage`, `includeCount` (and `pretty`, `envelope`) of a raw query
    /// string.
    pub fn paging_query(query: &str) -> bool {
        let _ = wire::Format::of_query(query);
        match wire::Paging::of_query(query) {
            Ok(paging) => {
                assert!((1..=wire::MAX_ITEMS_PER_PAGE).contains(&paging.items_per_page));
                assert!(paging.page_num >= 1);
                let _ = paging.offset();
                true
            }
            Err(_) => false,
        }
    }

    /// The body of `POST /orgs/{ORG-ID}/apiKeys`.
    pub fn org_key_create_body(body: &[u8]) -> bool {
        org_keys::create_body(body).is_ok()
    }

    /// The body of `PATCH /orgs/{ORG-ID}/apiKeys/{ID}`.
    pub fn org_key_update_body(body: &[u8]) -> bool {
        org_keys::update_body(body).is_ok()
    }

    /// The body of `POST /groups/{GROUP-ID}/apiKeys`.
    pub fn project_key_create_body(body: &[u8]) -> bool {
        project_keys::create_body(body, GROUP).is_ok()
    }

    /// The body of `PATCH`/`POST /groups/{GROUP-ID}/apiKeys/{ID}`.
    pub fn project_key_assign_body(body: &[u8]) -> bool {
        project_keys::assign_body(body, GROUP).is_ok()
    }

    /// A state document (`PUT /_standin/state`), loaded into a fresh in-memory store.
    pub fn state_document(body: &[u8]) -> bool {
        use auth_core::Product;
        let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) else {
            return false;
        };
        let Ok(store) = auth_core::Store::memory(crate::OpsMgr::SCHEMA) else {
            return false;
        };
        store.write(|tx| crate::state::load(tx, &doc)).is_ok()
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
    fn the_fuzzing_entry_points_accept_good_input_and_refuse_bad() {
        assert!(fuzzing::access_entry("192.0.2.0/24"));
        assert!(fuzzing::access_entry("::1"));
        assert!(!fuzzing::access_entry("300.1.1.1"));
        assert!(fuzzing::key_access_list_body(
            br#"[{"cidrBlock":"10.0.0.0/8"}]"#
        ));
        assert!(!fuzzing::key_access_list_body(
            br#"{"cidrBlock":"10.0.0.0/8"}"#
        ));
        assert!(fuzzing::user_access_list_body(
            br#"[{"ipAddress":"10.0.0.0/8"}]"#
        ));
        assert!(!fuzzing::key_access_list_body(
            br#"[{"ipAddress":"10.0.0.0/8"}]"#
        ));
        assert!(fuzzing::paging_query(
            "pageNum=2&itemsPerPage=500&pretty=true"
        ));
        assert!(!fuzzing::paging_query("pageNum=1&pageNum=0"));
        assert!(fuzzing::paging_query("pageNum=0&pageNum=3"));
        assert!(fuzzing::org_key_create_body(
            br#"{"desc":"d","roles":["ORG_MEMBER"]}"#
        ));
        assert!(!fuzzing::org_key_create_body(b"{"));
        assert!(fuzzing::org_key_update_body(br#"{"desc":"d"}"#));
        assert!(fuzzing::project_key_create_body(
            br#"{"desc":"d","roles":["GROUP_OWNER"]}"#
        ));
        assert!(!fuzzing::project_key_assign_body(
            br#"{"roles":["ORG_OWNER"]}"#
        ));
        assert!(fuzzing::state_document(OpsMgr::FIXTURES.as_bytes()));
        assert!(!fuzzing::state_document(b"[]"));
    }

    #[test]
    fn paging_of_a_query_takes_the_last_value_of_each_parameter() {
        let p = wire::Paging::of_query("itemsPerPage=7&includeCount=FALSE&pageNum=9&pageNum=3")
            .unwrap();
        assert_eq!(
            (p.page_num, p.items_per_page, p.include_count),
            (3, 7, false)
        );
        assert_eq!(p.offset(), 14);
        let p = wire::Paging::of_query("").unwrap();
        assert_eq!(
            (p.page_num, p.items_per_page, p.include_count),
            (1, 100, true)
        );
        assert!(wire::Paging::of_query("itemsPerPage=%20501").is_err());
        assert!(wire::Paging::of_query("pageNum=4294967296").is_err());
    }

    #[test]
    fn the_hot_routes_first_order_matches_every_path_as_the_declared_order_does() {
        use actix_web::dev::ResourceDef;
        let defs = |routes: Vec<OpRoute>| -> Vec<(ResourceDef, &'static str)> {
            let mut out: Vec<(ResourceDef, &'static str)> = Vec::new();
            for r in routes {
                if !out.iter().any(|(_, p)| *p == r.path) {
                    out.push((ResourceDef::new(r.path), r.path));
                }
            }
            out
        };
        let first = |defs: &[(ResourceDef, &'static str)], path: &str| {
            defs.iter()
                .find(|(def, _)| def.is_match(path))
                .map(|(_, p)| *p)
        };
        let declared = defs(declared_routes());
        let mounted = defs(OpsMgr::routes());
        assert_eq!(declared.len(), mounted.len());
        assert!(HOT_PATHS
            .iter()
            .all(|p| declared.iter().any(|(_, r)| r == p)));
        let base = "/api/public/v1.0";
        let ids = [
            "byName",
            "apiKeys",
            "groups",
            "accessList",
            "whitelist",
            "x",
            "5953c5f380eef53887615f99",
        ];
        let mut paths = Vec::new();
        for top in ["orgs", "groups", "users"] {
            paths.push(format!("{base}/{top}"));
            for a in ids {
                paths.push(format!("{base}/{top}/{a}"));
                for b in ids {
                    paths.push(format!("{base}/{top}/{a}/{b}"));
                    // Deeper paths cannot reach a hot resource, and the others keep
                    // their order.
                    for c in ids {
                        paths.push(format!("{base}/{top}/{a}/{b}/{c}"));
                    }
                }
            }
        }
        let with_slash: Vec<String> = paths.iter().map(|p| format!("{p}/")).collect();
        for path in paths.iter().chain(&with_slash) {
            assert_eq!(first(&declared, path), first(&mounted, path), "{path}");
        }
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
