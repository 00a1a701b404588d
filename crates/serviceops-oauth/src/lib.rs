//! # serviceops-oauth
//!
//! A stand-in for the **Motadata ServiceOps** REST API ("Getting Started with REST API",
//! <https://www.motadata.com/documentations/managing-request-using-api/>):
//!
//! - `POST /api/oauth/token`: the Spring Security OAuth2 token endpoint with the password and
//!   refresh_token grants (RFC 6749 §4.3, §6), client credentials from HTTP Basic or the form,
//!   the body as multipart/form-data, x-www-form-urlencoded or query parameters;
//! - the resource server: `Authorization: Bearer <jwt>` or `Authorization: Apikey <key>`;
//! - requests (incidents): `/api/v1/request` create, read, update, delete and search by
//!   qualification.
//!
//! See `docs/serviceops.md` for every endpoint and the fidelity notes.

mod assets;
mod auth;
mod body;
mod changes;
mod control;
mod conversations;
mod error;
mod fields;
mod model;
mod objects;
mod qual;
mod requests;
mod state;
mod store;
mod token;
mod users;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use auth_core::jwt::JwtKeys;
use auth_core::store::StoreError;
use auth_core::{Env, Instance, OpRoute, Product, StateError};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Value};
use std::sync::OnceLock;

pub use error::ApiError;

/// Which claim set the token endpoint issues (spec §1.1). Both are signed HS256 with the
/// instance's secret.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProfile {
    /// The seed's build: `grant_type`, `user_name` (e-mail), `scope`, `exp`, `authorities`,
    /// `jti`, `client_id`.
    Legacy,
    /// The 2025 build (S7): `login_sso_id`, `user_name` (`uuid36-...`), `scope`,
    /// `login_source`, `exp`, `login_msp_portal_id`, `jti`, `client_id`, `tenantIdentifier`.
    #[value(name = "2025")]
    V2025,
    /// The 2026 docs: `sub` (e-mail), `user_name` (`uuid36-...`), `iss`, `login_source`,
    /// `client_id`, `aud`, `login_sso_id`, `nbf`, `grant_type`, `scope`, `exp`,
    /// `login_msp_portal_id`, `iat`, `jti`, `tenantIdentifier` (their tokens live 172800 s).
    #[value(name = "2026")]
    V2026,
}

/// ServiceOps settings (launcher flags `--serviceops-*`).
#[derive(clap::Args, Debug, Clone)]
#[group(id = "serviceops-settings")]
pub struct Settings {
    /// Access-token lifetime in seconds (`expires_in` is one less, as Spring prints it).
    #[arg(
        long = "serviceops-access-token-secs",
        env = "STANDIN_SERVICEOPS_ACCESS_TOKEN_SECS",
        default_value_t = 7200
    )]
    pub access_token_secs: i64,
    /// Refresh-token lifetime in seconds (30 days).
    #[arg(
        long = "serviceops-refresh-token-secs",
        env = "STANDIN_SERVICEOPS_REFRESH_TOKEN_SECS",
        default_value_t = 2_592_000
    )]
    pub refresh_token_secs: i64,
    /// Claim set of issued tokens: `legacy` (the seed's), `2025` or `2026`.
    #[arg(
        long = "serviceops-token-profile",
        env = "STANDIN_SERVICEOPS_TOKEN_PROFILE",
        value_enum,
        default_value = "legacy"
    )]
    pub token_profile: TokenProfile,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_token_secs: 7200,
            refresh_token_secs: 2_592_000,
            token_profile: TokenProfile::Legacy,
        }
    }
}

/// The ServiceOps product: its per-instance JWT signing secret.
///
/// The secret is drawn from the instance RNG and kept in the store (`config.jwtSecret`), so
/// with `--data-dir` tokens stay valid across a restart, as they do on a real server.
#[derive(Debug)]
pub struct ServiceOps {
    fresh_secret: [u8; 32],
    keys: OnceLock<JwtKeys>,
    secret: OnceLock<[u8; 32]>,
}

impl ServiceOps {
    /// The instance's HS256 keys: the stored secret if the store has one, else the fresh one
    /// (which `load_state` stores).
    pub(crate) fn keys(&self, store: &auth_core::Store) -> &JwtKeys {
        self.keys.get_or_init(|| {
            let stored = store
                .read(|c| store::config::<String>(c, JWT_SECRET))
                .ok()
                .and_then(|hex| decode_hex(&hex));
            let secret = *self
                .secret
                .get_or_init(|| stored.unwrap_or(self.fresh_secret));
            JwtKeys::hs256(&secret)
        })
    }

    /// The secret in use (or about to be).
    fn active_secret(&self) -> [u8; 32] {
        *self.secret.get_or_init(|| self.fresh_secret)
    }
}

/// The config key of the JWT secret.
const JWT_SECRET: &str = "jwtSecret";

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, slot) in out.iter_mut().enumerate() {
        let pair = text.get(i * 2..i * 2 + 2)?;
        *slot = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

impl Product for ServiceOps {
    const NAME: &'static str = "serviceops";
    const TITLE: &'static str = "Motadata ServiceOps REST API";
    const DEFAULT_PORT: u16 = 8090;
    const DEFAULT_TLS: bool = false;
    const FIXTURES: &'static str = include_str!("../../../fixtures/serviceops.json");
    const SCHEMA: &'static str = include_str!("schema.sql");
    type Settings = Settings;

    fn new(env: &Env, _settings: &Settings) -> Self {
        let mut fresh_secret = [0u8; 32];
        env.ids.fill(&mut fresh_secret);
        ServiceOps {
            fresh_secret,
            keys: OnceLock::new(),
            secret: OnceLock::new(),
        }
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        state::load(tx, doc)?;
        let secret = serde_json::to_string(&auth_core::ids::hex_lower(&self.active_secret()))
            .unwrap_or_default();
        store::put_config(tx, JWT_SECRET, &secret)?;
        Ok(())
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn routes() -> Vec<OpRoute> {
        let mut routes = token::routes();
        routes.extend(requests::routes());
        routes.extend(conversations::routes());
        routes.extend(changes::routes());
        routes.extend(assets::routes());
        routes.extend(users::routes());
        routes
    }

    fn control_routes(cfg: &mut actix_web::web::ServiceConfig) {
        auth::control_routes(cfg);
        control::routes(cfg);
    }

    fn not_found(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        // Spring Security guards `/api/**` before the dispatcher looks for a handler.
        if req.path().starts_with("/api/") {
            if let Err(err) = auth::authenticate(inst, req) {
                auth_core::trace::refuse(req, err.reason());
                return actix_web::ResponseError::error_response(&err);
            }
        }
        spring_error(inst, req, StatusCode::NOT_FOUND, "No message available")
    }

    fn method_not_allowed(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        let message = format!("Request method '{}' not supported", req.method());
        if req.path() == "/api/oauth/token" {
            return HttpResponse::MethodNotAllowed()
                .json(json!({"error": "method_not_allowed", "error_description": message}));
        }
        if let Err(err) = auth::authenticate(inst, req) {
            auth_core::trace::refuse(req, err.reason());
            return actix_web::ResponseError::error_response(&err);
        }
        spring_error(inst, req, StatusCode::METHOD_NOT_ALLOWED, &message)
    }

    fn error_for_status(
        _inst: &Instance<Self>,
        _req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        use actix_web::ResponseError as _;
        ApiError::for_status(status).error_response()
    }

    fn principal_hint(_inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        auth::principal_hint(req)
    }
}

/// Entry points for fuzzing the parsers of client bytes: thin wrappers over the internal
/// functions the handlers use. Not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    use crate::auth::{self, Caller};
    use crate::model::User;
    use crate::qual::{Page, Query};
    use crate::requests::{self, REQUESTS};
    use crate::store::{self, Kind};
    use crate::{body, Product, ServiceOps};
    use auth_core::credentials::{bearer, percent_decode, scheme_token};
    use auth_core::jwt::JwtKeys;
    use auth_core::Store;
    use serde_json::Value;
    use std::sync::OnceLock;

    /// An in-memory store holding the default fixture, and its technician `tim@acme.com`.
    fn fixture() -> &'static (Store, Caller) {
        static FIXTURE: OnceLock<(Store, Caller)> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let store = Store::memory(ServiceOps::SCHEMA).expect("schema");
            let doc: Value = serde_json::from_str(ServiceOps::FIXTURES).expect("fixture JSON");
            store
                .write(|tx| crate::state::load(tx, &doc))
                .expect("fixture loads");
            let user: User = store
                .read(|c| store::find_user_by_login(c, "tim@acme.com"))
                .expect("store")
                .expect("tim");
            (store, Caller { user })
        })
    }

    /// A write whose changes are always rolled back.
    enum Rollback {
        Done(bool),
        Sql,
    }

    impl From<rusqlite::Error> for Rollback {
        fn from(_: rusqlite::Error) -> Self {
            Rollback::Sql
        }
    }

    /// The search body of `POST .../search/byqual` (qualification JSON), run against the
    /// fixture's requests; whether it was accepted.
    pub fn qualification(data: &[u8]) -> bool {
        let Ok(query) = Query::from_body(data) else {
            return false;
        };
        let (store, caller) = fixture();
        let page = Page {
            offset: 0,
            size: 25,
        };
        store
            .read(|c| requests::search(c, REQUESTS, caller, &query, page))
            .is_ok()
    }

    /// The `offset`/`size` query string of a search; whether it was accepted.
    pub fn page_query(query: &str) -> bool {
        Page::from_query(query).is_ok()
    }

    /// The token endpoint's body: the first line is the Content-Type header value
    /// (e.g. `multipart/form-data; boundary=x` or `application/x-www-form-urlencoded`), the
    /// rest the body. Returns the `grant_type` parameter if the body parsed.
    pub fn token_body(data: &[u8]) -> Option<String> {
        let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
        let content_type = String::from_utf8_lossy(&data[..split]);
        let body = data.get(split + 1..).unwrap_or_default();
        let _ = body::multipart(&content_type, body);
        let params = body::parse_params("", &content_type, body).ok()?;
        params.get("grant_type").map(str::to_owned)
    }

    /// The token endpoint's query string (Spring also reads parameters from it).
    pub fn token_query(query: &str) -> Option<String> {
        let params = body::parse_params(query, "", b"").ok()?;
        params.get("grant_type").map(str::to_owned)
    }

    /// An `Authorization` header value on the resource server: the unverified principal
    /// hint, then `Bearer` (JWT verification against a fixed key) or `Apikey` (compared with
    /// each fixture key, as sent and percent-decoded). Whether it names a valid credential.
    pub fn authorization(header: &str) -> bool {
        static KEYS: OnceLock<JwtKeys> = OnceLock::new();
        let _ = auth::header_hint(header);
        if let Some(token) = bearer(header) {
            let keys = KEYS.get_or_init(|| JwtKeys::hs256(&[7u8; 32]));
            return auth::access_claims(keys, token, 1_700_000_000).is_ok();
        }
        if let Some(key) = scheme_token(header, "Apikey") {
            let decoded = percent_decode(key);
            let (store, _) = fixture();
            let keys = store.read(store::api_keys).unwrap_or_default();
            return keys
                .iter()
                .any(|(stored, _)| auth::key_matches(stored, key, &decoded));
        }
        false
    }

    /// A request JSON body as `POST /api/v1/request`, `PATCH /api/v1/request/64` and
    /// `POST .../servicerequest` validate it for the fixture's technician (rolled back);
    /// whether the create was accepted.
    pub fn request_body(data: &[u8]) -> bool {
        let Ok(map) = body::parse_object(data) else {
            return false;
        };
        let (store, caller) = fixture();
        let outcome = store.write(|tx| -> Result<(), Rollback> {
            let created = requests::create(tx, Kind::Request, caller, &map, 0).is_ok();
            let _ = requests::create(tx, Kind::ServiceRequest, caller, &map, 0);
            let _ = requests::update(tx, REQUESTS, caller, 64, &map, 0);
            Err(Rollback::Done(created))
        });
        matches!(outcome, Err(Rollback::Done(true)))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn fuzzing_entry_points_accept_good_input_and_survive_garbage() {
            let qual = br#"{"qualDetails": {"type": "FlatQualificationRest", "quals": [
                {"type": "RelationalQualificationRest",
                 "leftOperand": {"type": "PropertyOperandRest", "key": "request.subject"},
                 "operator": "contains",
                 "rightOperand": {"type": "ValueOperandRest",
                                  "value": {"type": "StringValueRest", "value": "down"}}}]}}"#;
            assert!(qualification(qual));
            assert!(!qualification(b"{\"qualDetails\": 1}"));
            assert!(page_query("offset=1&size=2"));
            assert!(!page_query("size=-1"));
            assert_eq!(
                token_body(b"application/x-www-form-urlencoded\ngrant_type=password").as_deref(),
                Some("password")
            );
            assert_eq!(
                token_body(
                    b"multipart/form-data; boundary=b\n--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n--b--\r\n"
                )
                .as_deref(),
                Some("refresh_token")
            );
            assert_eq!(token_query("grant_type=x").as_deref(), Some("x"));
            assert!(authorization(
                "Apikey s%2Bi32Ao54bKfFwiK%40XKDM5D2XNQpe4i%2FUB3eK8mWOcseqp3rDyaQ%3D"
            ));
            assert!(!authorization("Bearer a.b.c"));
            assert!(request_body(
                br#"{"subject": "s", "requesterEmail": "tim@acme.com"}"#
            ));
            assert!(!request_body(b"[]"));
            assert!(request_body(
                br#"{"subject": "s", "requesterEmail": "tim@acme.com"}"#
            ));
        }
    }
}

/// Spring Boot's default error body (`BasicErrorController`) for unknown paths and methods.
fn spring_error(
    inst: &Instance<ServiceOps>,
    req: &HttpRequest,
    status: StatusCode,
    message: &str,
) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "timestamp": inst.env.clock.now_ms(),
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or(""),
        "message": message,
        "path": req.path(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    #[test]
    fn clap_defaults_match_the_default_settings() {
        let parsed = Cli::parse_from(["standin"]).settings;
        let default = Settings::default();
        assert_eq!(parsed.access_token_secs, default.access_token_secs);
        assert_eq!(parsed.refresh_token_secs, default.refresh_token_secs);
        assert_eq!(parsed.token_profile, default.token_profile);
        let parsed = Cli::parse_from([
            "standin",
            "--serviceops-token-profile",
            "2025",
            "--serviceops-access-token-secs",
            "43200",
        ])
        .settings;
        assert_eq!(parsed.token_profile, TokenProfile::V2025);
        assert_eq!(parsed.access_token_secs, 43200);
    }
}
