//! # serviceops-oauth
//!
//! A stand-in for the **Motadata ServiceOps** REST API ("Getting Started with REST API",
//! <https://www.motadata.com/documentations/managing-request-using-api/>):
//!
//! - `POST /api/oauth/token`: the Spring Security OAuth2 token endpoint with the password and
//!   refresh_token grants (RFC 6749 section 4.3, section 6), client credentials from HTTP Basic or the form,
//!   the body as multipart/form-data, x-www-form-urlencoded or query parameters;
//! - the resource server: `Authorization: Bearer <jwt>` or `Authorization: Apikey <key>`;
//! - requests (incidents): `/api/v1/request` create, read, update, delete and search by
//!   qualification.
//!
//! See `docs/serviceops.md` for every endpoint and the fidelity notes.
//!
//! Where things are: `routes.rs` is the whole route table; each resource family has its
//! module (`token`, `requests`, `conversations`, `changes`, `assets`, `users`, with the
//! generic handlers of changes and assets in `objects`); `auth` is the resource server's
//! `Caller` extractor; `request` reads client input; `qual` the search qualifications;
//! `wire` holds the wire types; `error` the vendor's error bodies; `store` all SQL; `state`
//! the fixture document; `signing` the token-signing keys; `control` the product's control
//! routes.

mod asset_properties;
mod assets;
mod attachments;
mod auth;
mod changes;
mod control;
mod conversations;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod objects;
mod qual;
mod request;
mod requests;
mod routes;
mod signing;
mod state;
mod store;
mod token;
mod users;
mod wire;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use auth_core::store::StoreError;
use auth_core::{Env, Instance, OpRoute, Product, StateError};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Value};

pub use error::ApiError;

/// Which claim set the token endpoint issues and how it signs it (see `docs/serviceops.md`,
/// "Token profiles"): legacy HS256, 2025 and 2026 RS256.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProfile {
    /// The build of the vendor's "Getting Started with REST API" page: `grant_type`, `user_name` (e-mail), `scope`, `exp`, `authorities`,
    /// `jti`, `client_id`.
    Legacy,
    /// The 2025 build (captured from a real server): `login_sso_id`, `user_name` (`uuid36-...`), `scope`,
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
        default_value_t = Settings::default().access_token_secs
    )]
    pub access_token_secs: i64,
    /// Refresh-token lifetime in seconds (30 days).
    #[arg(
        long = "serviceops-refresh-token-secs",
        env = "STANDIN_SERVICEOPS_REFRESH_TOKEN_SECS",
        default_value_t = Settings::default().refresh_token_secs
    )]
    pub refresh_token_secs: i64,
    /// Claim set of issued tokens: `legacy` (the vendor's "Getting Started with REST API" example), `2025` or `2026`.
    #[arg(
        long = "serviceops-token-profile",
        env = "STANDIN_SERVICEOPS_TOKEN_PROFILE",
        value_enum,
        default_value_t = Settings::default().token_profile
    )]
    pub token_profile: TokenProfile,
    /// The largest attachment accepted, in bytes (uploads and the state document; a bigger
    /// upload is refused with 413).
    #[arg(
        long = "serviceops-max-attachment-bytes",
        env = "STANDIN_SERVICEOPS_MAX_ATTACHMENT_BYTES",
        default_value_t = Settings::default().max_attachment_bytes
    )]
    pub max_attachment_bytes: usize,
}

impl Default for Settings {
    /// The defaults, written once: the flags show them (`default_value_t`) from here.
    fn default() -> Self {
        Settings {
            access_token_secs: 7200,
            refresh_token_secs: 2_592_000,
            token_profile: TokenProfile::Legacy,
            max_attachment_bytes: 10_485_760,
        }
    }
}

/// The ServiceOps product: its per-instance token-signing keys and attachment limit.
#[derive(Debug)]
pub struct ServiceOps {
    pub(crate) signing: signing::Signing,
    pub(crate) max_attachment_bytes: usize,
    /// What authentication looks up on every request, kept until the store changes.
    pub(crate) lookups: auth::Lookups,
}

impl Product for ServiceOps {
    const NAME: &'static str = "serviceops";
    const TITLE: &'static str = "Motadata ServiceOps REST API";
    const DEFAULT_PORT: u16 = 8090;
    const DEFAULT_TLS: bool = false;
    const FIXTURES: &'static str = include_str!("../../../fixtures/serviceops.json");
    const SCHEMA: &'static str = concat!(
        include_str!("schema.sql"),
        include_str!("insert_triggers.sql")
    );
    /// OAuth 2.0 secrets (RFC 6749) and the legacy `authtoken` header; the access token
    /// itself travels in `Authorization`, which auth-core always redacts.
    const SECRETS: auth_core::Secrets = auth_core::Secrets {
        headers: &["authtoken"],
        params: &[
            "client_secret",
            "refresh_token",
            "access_token",
            "code",
            "password",
            "authtoken",
        ],
        json_fields: &["client_secret", "refresh_token", "access_token", "password"],
        path_params: &[],
    };
    type Settings = Settings;

    fn new(env: &Env, settings: &Settings) -> Self {
        ServiceOps {
            signing: signing::Signing::new(env, settings.token_profile),
            max_attachment_bytes: settings.max_attachment_bytes,
            lookups: auth::Lookups::default(),
        }
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        state::load(tx, doc, self.max_attachment_bytes)?;
        store::put_config(tx, signing::JWT_SECRET, &self.signing.stored_secret())?;
        Ok(())
    }

    fn load_state_json(
        &self,
        tx: &Transaction<'_>,
        json: &[u8],
        _env: &Env,
    ) -> Result<bool, StateError> {
        if !state::load_json(tx, json, self.max_attachment_bytes)? {
            return Ok(false);
        }
        store::put_config(tx, signing::JWT_SECRET, &self.signing.stored_secret())?;
        Ok(true)
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn routes() -> Vec<OpRoute> {
        routes::routes()
    }

    fn control_routes() -> Vec<auth_core::ControlOp> {
        control::routes()
    }

    fn not_found(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        // Spring Security guards `/api/**` before the dispatcher looks for a handler.
        if req.path().starts_with("/api/") {
            if let Err(err) = auth::authenticate(inst, req) {
                auth_core::trace::refuse(req, err.reason());
                return actix_web::ResponseError::error_response(&err);
            }
        }
        error::spring_error(inst, req, StatusCode::NOT_FOUND, "No message available")
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
        error::spring_error(inst, req, StatusCode::METHOD_NOT_ALLOWED, &message)
    }

    fn error_for_status(
        _inst: &Instance<Self>,
        req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        use actix_web::ResponseError as _;
        ApiError::for_status(status, req.path() == "/api/oauth/token").error_response()
    }

    fn principal_hint(_inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        auth::principal_hint(req)
    }
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
        assert_eq!(parsed.max_attachment_bytes, default.max_attachment_bytes);
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
