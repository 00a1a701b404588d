//! `POST /api/oauth/token`: Spring Security OAuth2's token endpoint with the password grant
//! (RFC 6749 section 4.3) and the refresh_token grant (RFC 6749 section 6), JWT tokens of the configured
//! profile's claim set, signed by the instance's keys (HS256 or RS256, see `signing`).

use crate::error::{traced, ApiError, FULL_AUTH};
use crate::request::Params;
use crate::wire::{Claims, Client, Reply, User};
use crate::{store, ServiceOps, TokenProfile};
use actix_web::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use auth_core::credentials::{basic, AuthError};
use auth_core::secret::ct_eq_str;
use auth_core::trace;
use auth_core::Inst;
use serde_json::{json, Map, Value};

impl Claims {
    /// The payload as signed: the struct's order, except the 2026 claim set, whose order (as
    /// decoded from the vendor's 2026 docs) differs.
    fn wire(&self) -> Value {
        let Some(sub) = &self.sub else {
            return serde_json::to_value(self).unwrap_or(Value::Null);
        };
        let mut out = Map::new();
        let mut put = |key: &str, value: Value| {
            if !value.is_null() {
                out.insert(key.to_owned(), value);
            }
        };
        put("sub", json!(sub));
        put("user_name", json!(self.user_name));
        put("iss", json!(self.iss));
        put("login_source", json!(self.login_source));
        put("client_id", json!(self.client_id));
        put("aud", json!(self.aud));
        put("login_sso_id", json!(self.login_sso_id));
        put("nbf", json!(self.nbf));
        put("grant_type", json!(self.grant_type));
        put("scope", json!(self.scope));
        put("ati", json!(self.ati));
        put("exp", json!(self.exp));
        put("login_msp_portal_id", json!(self.login_msp_portal_id));
        put("iat", json!(self.iat));
        put("jti", json!(self.jti));
        put("tenantIdentifier", json!(self.tenant_identifier));
        Value::Object(out)
    }
}

/// The 2025 profile's `user_name` for a user: `uuid36-` and a UUID derived from its id.
pub fn uuid_name(user: &User) -> String {
    format!("uuid36-00000000-0000-4000-8000-{:012x}", user.id)
}

/// The claims of a new token for `user` and `client` issued at `now` (epoch seconds) by
/// `issuer` (read only by the 2026 profile); `exp` and `jti` are set by the caller.
fn new_claims(
    profile: TokenProfile,
    user: &User,
    client: &Client,
    issuer: impl FnOnce() -> String,
    now: i64,
) -> Claims {
    let legacy = profile == TokenProfile::Legacy;
    let v2026 = profile == TokenProfile::V2026;
    Claims {
        login_sso_id: (!legacy).then_some(0),
        grant_type: (legacy || v2026).then(|| "password".to_owned()),
        user_name: if legacy {
            user.email.clone()
        } else {
            uuid_name(user)
        },
        scope: vec![client.scope.clone()],
        ati: None,
        login_source: match profile {
            TokenProfile::Legacy => None,
            TokenProfile::V2025 => Some("normal_login".to_owned()),
            TokenProfile::V2026 => Some("NORMAL_LOGIN".to_owned()),
        },
        exp: 0,
        authorities: legacy.then(|| vec!["USER".to_owned()]),
        login_msp_portal_id: (!legacy).then_some(0),
        jti: String::new(),
        client_id: client.client_id.clone(),
        tenant_identifier: (!legacy).then(|| "apolo".to_owned()),
        sub: v2026.then(|| user.email.clone()),
        iss: v2026.then(issuer),
        aud: v2026.then(|| client.client_id.clone()),
        nbf: v2026.then_some(now),
        iat: v2026.then_some(now),
    }
}

/// The 2026 `iss`: `<scheme>://<host>/api` of the request.
fn issuer(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}/api", info.scheme(), info.host())
}

/// `POST /api/oauth/token`.
pub async fn post_token(
    inst: Inst<ServiceOps>,
    req: HttpRequest,
    params: Params,
) -> Result<Reply, ApiError> {
    traced(&req, issue(&inst, &req, &params)).map(Reply::raw)
}

fn issue(
    inst: &Inst<ServiceOps>,
    req: &HttpRequest,
    params: &Params,
) -> Result<HttpResponse, ApiError> {
    let client = authenticate_client(inst, req, params)?;
    // Make the keys first (RSA key generation takes a while) so the expiry below is counted
    // from when the tokens are signed.
    inst.product.signing.keys(&inst.store);
    let grant_type = params
        .get("grant_type")
        .filter(|g| !g.is_empty())
        .ok_or_else(|| ApiError::bad_request("invalid_request", "Missing grant type"))?;
    if let Some(requested) = params.get("scope").filter(|s| !s.trim().is_empty()) {
        if requested.split_whitespace().any(|s| s != client.scope) {
            return Err(ApiError::InvalidScope {
                requested: requested.to_owned(),
                allowed: client.scope.clone(),
            });
        }
    }
    let (access, refresh) = match grant_type {
        "password" => password_grant(inst, req, &client, params)?,
        "refresh_token" => refresh_grant(inst, &client, params)?,
        "implicit" => {
            return Err(ApiError::bad_request(
                "invalid_request",
                "Implicit grant type not supported from token endpoint",
            ))
        }
        other => {
            return Err(ApiError::bad_request(
                "unsupported_grant_type",
                format!("Unsupported grant type: {other}"),
            ))
        }
    };
    trace::set_principal(req, access.user_name.clone());
    respond(inst, &access, &refresh)
}

/// The client from HTTP Basic (RFC 6749 section 2.3.1), else from `client_id`/`client_secret`
/// request parameters.
fn authenticate_client(
    inst: &Inst<ServiceOps>,
    req: &HttpRequest,
    params: &Params,
) -> Result<Client, ApiError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let given = match header.map(basic) {
        Some(Ok(pair)) => Some(pair),
        Some(Err(AuthError::Malformed(_))) => {
            return Err(ApiError::ClientUnauthorized(
                "Failed to decode basic authentication token".into(),
            ))
        }
        _ => params.get("client_id").map(|id| {
            (
                id.to_owned(),
                params.get("client_secret").unwrap_or("").to_owned(),
            )
        }),
    };
    let (id, secret) = given.ok_or_else(|| ApiError::ClientUnauthorized(FULL_AUTH.into()))?;
    let clients = &inst.product.lookups.clients;
    let client = inst.store.read(|c| {
        clients.get_or_load(c, &id, crate::auth::client_bytes, |c| {
            store::find_client(c, &id)
        })
    })?;
    match client {
        Some(client) if ct_eq_str(&client.client_secret, &secret) => Ok(client),
        _ => Err(ApiError::ClientUnauthorized("Bad credentials".into())),
    }
}

fn bad_credentials() -> ApiError {
    ApiError::invalid_grant(StatusCode::UNAUTHORIZED, "Bad credentials")
}

fn check_enabled(user: &User) -> Result<(), ApiError> {
    if user.enabled {
        Ok(())
    } else {
        Err(ApiError::invalid_grant(
            StatusCode::BAD_REQUEST,
            "User is disabled",
        ))
    }
}

fn password_grant(
    inst: &Inst<ServiceOps>,
    req: &HttpRequest,
    client: &Client,
    params: &Params,
) -> Result<(Claims, Claims), ApiError> {
    let username = params.get("username").unwrap_or("");
    let password = params.get("password").unwrap_or("");
    let logins = &inst.product.lookups.logins;
    let user = inst
        .store
        .read(|c| {
            logins.get_or_load(c, username, crate::auth::user_bytes, |c| {
                store::find_account_by_login(c, username)
            })
        })?
        .ok_or_else(bad_credentials)?;
    // Spring checks "disabled" before the password (AbstractUserDetailsAuthenticationProvider).
    check_enabled(&user)?;
    // A user created through the API has no password and cannot use the password grant.
    if user.password.is_empty() || !ct_eq_str(&user.password, password) {
        return Err(bad_credentials());
    }
    let now = inst.env.clock.now_ms();
    let access = Claims {
        exp: (now + inst.settings.access_token_secs.saturating_mul(1000)).div_euclid(1000),
        jti: inst.env.ids.uuid(),
        ..new_claims(
            inst.settings.token_profile,
            &user,
            client,
            || issuer(req),
            now.div_euclid(1000),
        )
    };
    let refresh = Claims {
        ati: Some(access.jti.clone()),
        exp: (now + inst.settings.refresh_token_secs.saturating_mul(1000)).div_euclid(1000),
        jti: inst.env.ids.uuid(),
        ..access.clone()
    };
    Ok((access, refresh))
}

fn refresh_grant(
    inst: &Inst<ServiceOps>,
    client: &Client,
    params: &Params,
) -> Result<(Claims, Claims), ApiError> {
    let token = params.get("refresh_token").unwrap_or("null");
    let invalid = || {
        ApiError::invalid_grant(
            StatusCode::BAD_REQUEST,
            format!("Invalid refresh token: {token}"),
        )
    };
    let claims: Claims = match inst
        .product
        .signing
        .keys(&inst.store)
        .verify(token, inst.env.clock.now_secs())
    {
        Ok(claims) => claims,
        Err(AuthError::Expired) => {
            return Err(ApiError::OAuth {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_token",
                description: format!("Invalid refresh token (expired): {token}"),
            })
        }
        Err(_) => return Err(invalid()),
    };
    if claims.ati.is_none() {
        return Err(invalid());
    }
    if claims.client_id != client.client_id {
        return Err(ApiError::invalid_grant(
            StatusCode::BAD_REQUEST,
            format!("Wrong client for this refresh token: {token}"),
        ));
    }
    let user = inst
        .store
        .read(|c| store::find_principal(c, &claims.user_name))?
        .ok_or_else(invalid)?;
    check_enabled(&user)?;
    let now = inst.env.clock.now_ms();
    let access = Claims {
        ati: None,
        exp: (now + inst.settings.access_token_secs.saturating_mul(1000)).div_euclid(1000),
        jti: inst.env.ids.uuid(),
        nbf: claims.nbf.map(|_| now.div_euclid(1000)),
        iat: claims.iat.map(|_| now.div_euclid(1000)),
        ..claims.clone()
    };
    // Spring re-encodes the (reused) refresh token with the new access token's id.
    let refresh = Claims {
        ati: Some(access.jti.clone()),
        ..claims
    };
    Ok((access, refresh))
}

fn respond(
    inst: &Inst<ServiceOps>,
    access: &Claims,
    refresh: &Claims,
) -> Result<HttpResponse, ApiError> {
    let keys = inst.product.signing.keys(&inst.store);
    let sign = |claims: &Claims| {
        // Without the 2026 order the struct's own order is the wire order: sign it directly
        // rather than through a `Value` (same bytes).
        if claims.sub.is_some() {
            keys.sign(&claims.wire())
        } else {
            keys.sign(claims)
        }
        .map_err(|_| ApiError::Internal("cannot sign token".into()))
    };
    // Spring prints the remaining whole seconds of a token whose `exp` dropped the
    // milliseconds, so a fresh token shows one second less than its lifetime.
    let remaining_ms = access
        .exp
        .saturating_mul(1000)
        .saturating_sub(inst.env.clock.now_ms())
        .saturating_sub(1);
    let body = json!({
        "access_token": sign(access)?,
        "token_type": "bearer",
        "refresh_token": sign(refresh)?,
        "expires_in": remaining_ms.max(0) / 1000,
        "scope": access.scope.join(" "),
        "jti": access.jti,
    });
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"))
        .insert_header((CONTENT_TYPE, "application/json;charset=UTF-8"))
        .body(body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_core::jwt::JwtKeys;

    #[test]
    fn claims_sign_to_the_same_token_directly_and_through_their_wire_value() {
        let user = User {
            id: 7,
            name: "Tim".into(),
            email: "tim@acme.com".into(),
            logon_name: None,
            password: String::new(),
            role: crate::wire::Role::Technician,
            enabled: true,
            api_keys: Vec::new(),
            contact_no: None,
            location_name: None,
            department_name: None,
        };
        let client = Client {
            client_id: "c".into(),
            client_secret: "s".into(),
            scope: "NO-SCOPE".into(),
        };
        let keys = JwtKeys::hs256(&[1u8; 32]);
        for profile in [TokenProfile::Legacy, TokenProfile::V2025] {
            let claims = Claims {
                exp: 1_700_000_000,
                jti: "j".into(),
                ati: Some("a".into()),
                ..new_claims(profile, &user, &client, || "http://h/api".into(), 1)
            };
            assert_eq!(
                keys.sign(&claims).unwrap(),
                keys.sign(&claims.wire()).unwrap()
            );
        }
    }
}
