//! Product control routes for portal API keys, users and OAuth clients, under
//! `/_standin/serviceops/`
//! (auth-core gates them: loopback or the control token).

use crate::store;
use crate::wire::{Client, Role, User};
use crate::ServiceOps;
use actix_web::http::Method;
use actix_web::web::{Bytes, Path};
use actix_web::HttpResponse;
use auth_core::control::{error_response, parse_body, ControlError};
use auth_core::{control_op, ControlOp, Inst};
use serde::Deserialize;
use serde_json::json;

/// A user in the fixture format (`users[]` of the state document).
fn user_schema() -> serde_json::Value {
    let text = json!({"type": "string"});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "name", "email", "password", "role", "enabled"],
        "properties": {
            "id": {"type": "integer", "description": "replaced by the next free id when taken"},
            "name": text, "email": text, "logonName": text, "password": text,
            "role": {"enum": ["requester", "technician", "admin"]},
            "enabled": {"type": "boolean"},
            "apiKeys": {"type": "array", "items": text},
            "contactNo": text, "locationName": text, "departmentName": text,
        },
    })
}

/// The product's control routes, as auth-core mounts and describes them.
pub(crate) fn routes() -> Vec<ControlOp> {
    let client = json!({"type": "object", "additionalProperties": false,
        "required": ["clientId", "clientSecret", "scope"],
        "properties": {"clientId": {"type": "string", "minLength": 1}, "clientSecret": {"type": "string"}, "scope": {"type": "string"}}});
    let login = json!({"type": "object", "additionalProperties": false, "required": ["user"],
        "properties": {"user": {"type": "string", "description": "email or logon name"}}});
    vec![
        control_op(Method::POST, "/apikeys", "A new portal API key for a user, URL-encoded as the portal shows it", create_api_key)
            .body(login)
            .ok(201, json!({"type": "object", "required": ["key", "user"], "properties": {"key": {"type": "string"}, "user": {"type": "string"}}}))
            .errors(&[400, 404, 500]),
        control_op(Method::POST, "/apikeys/revoke", "Revoke a portal API key: it stops working at once", revoke_api_key)
            .body(json!({"type": "object", "additionalProperties": false, "required": ["key"], "properties": {"key": {"type": "string"}}}))
            .ok(200, json!({"type": "object", "required": ["revoked"], "properties": {"revoked": {"const": true}}}))
            .errors(&[400, 404, 500]),
        control_op(Method::GET, "/jwks", "The RS256 token profiles' public key as a JWK Set (RFC 7517); 404 under the legacy HS256 profile", get_jwks)
            .ok(200, json!({"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": {"type": "object"}}}}))
            .errors(&[404]),
        control_op(Method::POST, "/users", "Add a user in the fixture format", create_user)
            .body(user_schema())
            .ok(201, user_schema())
            .errors(&[400, 500]),
        control_op(Method::PATCH, "/users/{login}", "Enable or disable a user, set its password or role", update_user)
            .body(json!({"type": "object", "additionalProperties": false, "properties": {
                "enabled": {"type": "boolean"}, "password": {"type": "string"},
                "role": {"enum": ["requester", "technician", "admin"]}}}))
            .ok(200, user_schema())
            .errors(&[400, 404, 500]),
        control_op(Method::POST, "/clients", "Register a REST-integration OAuth client", create_client)
            .body(client.clone())
            .ok(201, client)
            .errors(&[400, 500]),
        control_op(Method::DELETE, "/clients/{id}", "Delete a client: its tokens stop refreshing", delete_client)
            .ok(200, json!({"type": "object", "required": ["deleted"], "properties": {"deleted": {"const": true}}}))
            .errors(&[404, 500]),
    ]
}

fn internal(err: impl std::fmt::Display) -> ControlError {
    ControlError::Internal(err.to_string())
}

fn respond(
    status: actix_web::http::StatusCode,
    result: Result<serde_json::Value, ControlError>,
) -> HttpResponse {
    match result {
        Ok(body) => HttpResponse::build(status).json(body),
        Err(err) => error_response(err),
    }
}

/// `POST /_standin/serviceops/users`: a user in the fixture format.
async fn create_user(inst: Inst<ServiceOps>, body: Bytes) -> HttpResponse {
    let result = (|| {
        let mut user: User = parse_body(&body)?;
        inst.store
            .write(|tx| {
                for login in std::iter::once(&user.email).chain(user.logon_name.iter()) {
                    if store::find_user_by_login(tx, login)?.is_some() {
                        return Ok(Err(ControlError::BadRequest(format!(
                            "a user {login:?} already exists"
                        ))));
                    }
                }
                if store::find_user(tx, user.id)?.is_some() {
                    user.id = store::next_user_id(tx)?;
                }
                store::insert_user(tx, &user)?;
                Ok::<_, rusqlite::Error>(Ok(()))
            })
            .map_err(internal)??;
        serde_json::to_value(&user).map_err(internal)
    })();
    respond(actix_web::http::StatusCode::CREATED, result)
}

/// What `PATCH /_standin/serviceops/users/{login}` may change.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserPatch {
    enabled: Option<bool>,
    password: Option<String>,
    role: Option<Role>,
}

/// `PATCH /_standin/serviceops/users/{login}`: enable/disable, new password, new role.
async fn update_user(inst: Inst<ServiceOps>, login: Path<String>, body: Bytes) -> HttpResponse {
    let result = (|| {
        let patch: UserPatch = parse_body(&body)?;
        let user = inst
            .store
            .write(|tx| {
                let Some(mut user) = store::find_user_by_login(tx, &login)? else {
                    return Ok(None);
                };
                if let Some(enabled) = patch.enabled {
                    user.enabled = enabled;
                }
                if let Some(password) = &patch.password {
                    password.clone_into(&mut user.password);
                }
                if let Some(role) = patch.role {
                    user.role = role;
                }
                store::update_user(tx, &user)?;
                Ok::<_, rusqlite::Error>(Some(user))
            })
            .map_err(internal)?
            .ok_or_else(|| ControlError::NotFound(format!("no user {:?}", login.as_str())))?;
        serde_json::to_value(&user).map_err(internal)
    })();
    respond(actix_web::http::StatusCode::OK, result)
}

/// `POST /_standin/serviceops/clients`: register a REST-integration client.
async fn create_client(inst: Inst<ServiceOps>, body: Bytes) -> HttpResponse {
    let result = (|| {
        let client: Client = parse_body(&body)?;
        if client.client_id.is_empty() {
            return Err(ControlError::BadRequest(
                "clientId: must not be empty".into(),
            ));
        }
        let created = inst
            .store
            .write(|tx| {
                if store::find_client(tx, &client.client_id)?.is_some() {
                    return Ok(false);
                }
                store::insert_client(tx, &client)?;
                Ok::<_, rusqlite::Error>(true)
            })
            .map_err(internal)?;
        if !created {
            return Err(ControlError::BadRequest(format!(
                "a client {:?} already exists",
                client.client_id
            )));
        }
        serde_json::to_value(&client).map_err(internal)
    })();
    respond(actix_web::http::StatusCode::CREATED, result)
}

/// `DELETE /_standin/serviceops/clients/{id}`: its tokens stop refreshing.
async fn delete_client(inst: Inst<ServiceOps>, id: Path<String>) -> HttpResponse {
    let result = inst
        .store
        .write(|tx| store::delete_client(tx, &id))
        .map_err(internal)
        .and_then(|deleted| {
            if deleted {
                Ok(json!({"deleted": true}))
            } else {
                Err(ControlError::NotFound(format!(
                    "no client {:?}",
                    id.as_str()
                )))
            }
        });
    respond(actix_web::http::StatusCode::OK, result)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    user: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeKey {
    key: String,
}

/// `POST /_standin/serviceops/apikeys` `{"user": "<email or logon>"}`: a new portal key,
/// URL-encoded as the portal shows it.
async fn create_api_key(inst: Inst<ServiceOps>, body: Bytes) -> HttpResponse {
    let result = (|| {
        let NewKey { user } = parse_body(&body)?;
        let raw = inst.env.ids.base64(33);
        let key: String =
            percent_encoding::utf8_percent_encode(&raw, percent_encoding::NON_ALPHANUMERIC)
                .collect();
        let found = inst
            .store
            .write(|tx| {
                let found = store::find_user_by_login(tx, &user)?;
                if let Some(found) = &found {
                    store::add_api_key(tx, found.id, &key)?;
                }
                Ok::<_, rusqlite::Error>(found)
            })
            .map_err(|e| ControlError::Internal(e.to_string()))?;
        let found = found.ok_or_else(|| ControlError::NotFound(format!("no user {user:?}")))?;
        Ok::<_, ControlError>(json!({"key": key, "user": found.email}))
    })();
    match result {
        Ok(body) => HttpResponse::Created().json(body),
        Err(err) => error_response(err),
    }
}

/// `POST /_standin/serviceops/apikeys/revoke` `{"key": "..."}`: the key stops working at once.
async fn revoke_api_key(inst: Inst<ServiceOps>, body: Bytes) -> HttpResponse {
    let result = (|| {
        let RevokeKey { key } = parse_body(&body)?;
        let revoked = inst
            .store
            .write(|tx| store::revoke_api_key(tx, &key))
            .map_err(|e| ControlError::Internal(e.to_string()))?;
        if revoked {
            Ok(json!({"revoked": true}))
        } else {
            Err(ControlError::NotFound("no such API key".into()))
        }
    })();
    match result {
        Ok(body) => HttpResponse::Ok().json(body),
        Err(err) => error_response(err),
    }
}

/// `GET /_standin/serviceops/jwks`: the RS256 profiles' public key as a JWK Set (RFC 7517
/// section 5), for clients that check signatures; 404 under the legacy profile (HS256 has no public
/// key, and its secret is never shown). The vendor documents no public-key endpoint, so this
/// is standin's own.
async fn get_jwks(inst: Inst<ServiceOps>) -> HttpResponse {
    match inst.product.signing.keys(&inst.store).public_jwk() {
        Some(jwk) => HttpResponse::Ok().json(json!({ "keys": [jwk] })),
        None => error_response(ControlError::NotFound(
            "the legacy token profile signs HS256: there is no public key".into(),
        )),
    }
}
