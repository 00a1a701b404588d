//! Product control routes under `/_standin/opmanager/` — the portal actions of OpManager's
//! User Management and REST API settings, which the real product offers only in its web UI:
//!
//! - `GET  /users` — the users (without keys);
//! - `POST /users` — create a user (REST access disabled, as for every new user);
//! - `POST /users/{name}/rest-access` — enable or disable REST access, as an administrator
//!   with full access (`by`), with a TOTP `otp` of that administrator when TFA is configured;
//! - `GET  /users/{name}/key` — the Quick links "Rest API Key" view;
//! - `POST /users/{name}/key/regenerate` — Settings > Basic Settings > REST API > Regenerate
//!   Key: the old key stops working at once;
//! - `POST /tfa` — configure or remove TFA;
//! - `POST /resync` — a user sync from the central server (probe edition): synced users lose
//!   the REST access enabled on the probe.

use crate::state::{self as st, Edition, Role, User};
use crate::{store, OpManager};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use auth_core::control::{error_response, ControlError};
use auth_core::{control_op, ControlOp, Inst};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// A user as the control API shows it (the schema of [`user_view`]).
fn user_schema() -> Value {
    let flag = json!({"type": "boolean"});
    json!({
        "type": "object",
        "required": ["name", "role", "fullAccess", "restApiEnabled", "syncedFromCentral",
            "restApiAccessPermanent", "tfaConfigured"],
        "properties": {
            "name": {"type": "string"},
            "role": {"enum": ["Administrator", "Operator", "ReadOnly"]},
            "fullAccess": flag, "restApiEnabled": flag, "syncedFromCentral": flag,
            "restApiAccessPermanent": flag, "tfaConfigured": flag,
        },
    })
}

/// The routes, as auth-core mounts them under `/_standin/opmanager` and describes them.
pub fn routes() -> Vec<ControlOp> {
    let key = json!({"type": "object", "required": ["apiKey"], "properties": {"apiKey": {"type": "string"}}});
    let key_view = json!({"oneOf": [key.clone(), {"type": "object", "required": ["message"],
        "properties": {"message": {"const": "Contact the administrator user"}}}]});
    vec![
        control_op(Method::GET, "/users", "The users of User Management (never their keys)", list_users)
            .ok(200, json!({"type": "array", "items": user_schema()})),
        control_op(Method::POST, "/users", "Create a user (REST API access disabled, as for every new user)", create_user)
            .body(json!({"type": "object", "additionalProperties": false, "required": ["name", "role"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 100},
                    "role": {"enum": ["Administrator", "Operator", "ReadOnly"]},
                    "fullAccess": {"type": "boolean", "default": false},
                    "syncedFromCentral": {"type": "boolean", "default": false},
                    "totpSecret": {"type": "string", "description": "base32"},
                }}))
            .ok(201, user_schema())
            .errors(&[400]),
        control_op(Method::POST, "/users/{name}/rest-access", "Enable or disable a user's REST API access, as an administrator with full access (with its TOTP when TFA is on)", set_rest_access)
            .body(json!({"type": "object", "additionalProperties": false, "required": ["enabled", "by"],
                "properties": {"enabled": {"type": "boolean"}, "by": {"type": "string"}, "otp": {"type": "string"}}}))
            .ok(200, user_schema())
            .errors(&[400, 404]),
        control_op(Method::GET, "/users/{name}/key", "The Quick links \"Rest API Key\" view of a user", view_key)
            .ok(200, key_view)
            .errors(&[404]),
        control_op(Method::POST, "/users/{name}/key/regenerate", "Regenerate a user's key: the old one stops working at once", regenerate_key)
            .ok(200, key)
            .errors(&[404]),
        control_op(Method::POST, "/tfa", "Configure or remove two-factor authentication", set_tfa)
            .body(json!({"type": "object", "additionalProperties": false, "required": ["enabled"],
                "properties": {"enabled": {"type": "boolean"}}}))
            .ok(200, json!({"type": "object", "required": ["tfaEnabled"], "properties": {"tfaEnabled": {"type": "boolean"}}}))
            .errors(&[400]),
        control_op(Method::POST, "/resync", "A user sync from the central server (probe edition): synced users lose the REST access enabled on the probe", resync)
            .ok(200, json!({"type": "object", "required": ["restApiAccessRevoked"],
                "properties": {"restApiAccessRevoked": {"type": "array", "items": {"type": "string"}}}}))
            .errors(&[400]),
    ]
}

/// A control error; wraps auth-core's [`ControlError`] so store errors convert into it.
#[derive(Debug)]
struct Ctl(ControlError);

impl From<ControlError> for Ctl {
    fn from(err: ControlError) -> Self {
        Ctl(err)
    }
}

impl From<rusqlite::Error> for Ctl {
    fn from(err: rusqlite::Error) -> Self {
        Ctl(ControlError::Internal(format!("store: {err}")))
    }
}

impl From<auth_core::store::StoreError> for Ctl {
    fn from(err: auth_core::store::StoreError) -> Self {
        Ctl(ControlError::Internal(err.to_string()))
    }
}

fn bad(message: impl Into<String>) -> Ctl {
    Ctl(ControlError::BadRequest(message.into()))
}

fn forbidden(message: impl Into<String>) -> Ctl {
    Ctl(ControlError::Forbidden(message.into()))
}

fn not_found(message: impl Into<String>) -> Ctl {
    Ctl(ControlError::NotFound(message.into()))
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Ctl> {
    serde_json::from_slice(body).map_err(|e| bad(format!("body: {e}")))
}

fn reply(result: Result<Value, Ctl>) -> HttpResponse {
    match result {
        Ok(body) => HttpResponse::Ok().json(body),
        Err(Ctl(err)) => error_response(err),
    }
}

/// A user as the control API shows it (never the key).
fn user_view(user: &User, edition: Edition) -> Value {
    json!({
        "name": user.name,
        "role": user.role,
        "fullAccess": user.full_access,
        "restApiEnabled": user.rest_api_enabled,
        "syncedFromCentral": user.synced_from_central,
        "restApiAccessPermanent": !(edition == Edition::Probe && user.synced_from_central),
        "tfaConfigured": user.totp_secret.is_some(),
    })
}

fn find_user(conn: &rusqlite::Connection, name: &str) -> Result<User, Ctl> {
    store::get::<User>(conn, name)?.ok_or_else(|| not_found(format!("no user {name}")))
}

async fn list_users(inst: Inst<OpManager>) -> HttpResponse {
    reply(inst.store.read(|c| {
        let edition = st::meta(c)?.edition;
        let users: Vec<User> = store::all(c)?;
        Ok(Value::Array(
            users.iter().map(|u| user_view(u, edition)).collect(),
        ))
    }))
}

/// `POST /users` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct NewUser {
    name: String,
    role: Role,
    #[serde(default)]
    full_access: bool,
    #[serde(default)]
    synced_from_central: bool,
    #[serde(default)]
    totp_secret: Option<String>,
}

async fn create_user(inst: Inst<OpManager>, body: web::Bytes) -> HttpResponse {
    let result = (|| {
        let new: NewUser = parse(&body)?;
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.len() > 100 || crate::request::looks_like_markup(&name) {
            return Err(bad("name: 1 to 100 characters, no markup"));
        }
        if new
            .totp_secret
            .as_deref()
            .is_some_and(|s| crate::auth::totp::base32_decode(s).is_none())
        {
            return Err(bad("totpSecret: not base32"));
        }
        let user = User {
            name,
            role: new.role,
            full_access: new.full_access && new.role == Role::Administrator,
            rest_api_enabled: false,
            api_key: inst.env.ids.hex(16),
            synced_from_central: new.synced_from_central,
            totp_secret: new.totp_secret,
        };
        inst.store.write(|tx| {
            if !store::insert_new(tx, &user)? {
                return Err(bad(format!("user {} exists", user.name)));
            }
            Ok(user_view(&user, st::meta(tx)?.edition))
        })
    })();
    match result {
        Ok(body) => HttpResponse::Created().json(body),
        Err(Ctl(err)) => error_response(err),
    }
}

/// `POST /users/{name}/rest-access` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RestAccess {
    enabled: bool,
    by: String,
    #[serde(default)]
    otp: Option<String>,
}

async fn set_rest_access(
    inst: Inst<OpManager>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let now = inst.env.clock.now_secs();
    reply((|| {
        let change: RestAccess = parse(&body)?;
        inst.store.write(|tx| {
            let meta = st::meta(tx)?;
            let actor = store::get::<User>(tx, &change.by)?
                .ok_or_else(|| forbidden(format!("no user {}", change.by)))?;
            if actor.role != Role::Administrator || !actor.full_access {
                return Err(forbidden(
                    "only an administrator with access to all modules and devices may change REST API access",
                ));
            }
            let mut user = find_user(tx, &path)?;
            if change.enabled && meta.tfa_enabled {
                let otp = change.otp.as_deref().unwrap_or("");
                let valid = actor
                    .totp_secret
                    .as_deref()
                    .is_some_and(|secret| crate::auth::totp::verify(secret, otp, now));
                if !valid {
                    return Err(forbidden(
                        "TFA is configured: a valid OTP of the administrator is required",
                    ));
                }
            }
            user.rest_api_enabled = change.enabled;
            store::put(tx, &user)?;
            Ok(user_view(&user, meta.edition))
        })
    })())
}

async fn view_key(inst: Inst<OpManager>, path: web::Path<String>) -> HttpResponse {
    reply(inst.store.read(|c| {
        let user = find_user(c, &path)?;
        Ok(if user.rest_api_enabled {
            json!({"apiKey": user.api_key})
        } else {
            json!({"message": "Contact the administrator user"})
        })
    }))
}

async fn regenerate_key(inst: Inst<OpManager>, path: web::Path<String>) -> HttpResponse {
    let key = inst.env.ids.hex(16);
    reply(inst.store.write(|tx| {
        let mut user = find_user(tx, &path)?;
        user.api_key = key;
        store::put(tx, &user)?;
        Ok(json!({"apiKey": user.api_key}))
    }))
}

/// `POST /tfa` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tfa {
    enabled: bool,
}

async fn set_tfa(inst: Inst<OpManager>, body: web::Bytes) -> HttpResponse {
    reply((|| {
        let tfa: Tfa = parse(&body)?;
        inst.store.write(|tx| {
            let mut meta = st::meta(tx)?;
            meta.tfa_enabled = tfa.enabled;
            store::put(tx, &meta)?;
            Ok(json!({"tfaEnabled": meta.tfa_enabled}))
        })
    })())
}

async fn resync(inst: Inst<OpManager>) -> HttpResponse {
    reply(inst.store.write(|tx| {
        if st::meta(tx)?.edition != Edition::Probe {
            return Err(bad(
                "user sync from the central server happens on probe servers only (edition \"probe\")",
            ));
        }
        let mut revoked = Vec::new();
        for mut user in store::all::<User>(tx)? {
            if user.synced_from_central && user.rest_api_enabled {
                user.rest_api_enabled = false;
                store::put(tx, &user)?;
                revoked.push(user.name);
            }
        }
        Ok(json!({"restApiAccessRevoked": revoked}))
    }))
}
