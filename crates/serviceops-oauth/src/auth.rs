//! The resource server: `Authorization: Bearer <jwt>` (RFC 6750 section 2.1) or
//! `Authorization: Apikey <portal key>`.

use crate::error::traced;
use crate::error::ApiError;
use crate::wire::{Claims, Client, Role, User};
use crate::{store, ServiceOps};
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest};
use auth_core::credentials::{bearer, percent_decode, query_param, scheme_token, AuthError};
use auth_core::jwt::JwtKeys;
use auth_core::memo::Memo;
use auth_core::secret::ct_eq_str;
use auth_core::{trace, Inst, Instance};
use base64::Engine as _;
use std::future::{ready, Ready};
use std::sync::Arc;

/// The authenticated caller of an API route.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user the token or key belongs to (its profile: `api_keys` is not read).
    pub user: User,
}

impl Caller {
    /// Whether the caller may see every request, not only its own.
    pub fn sees_all(&self) -> bool {
        matches!(self.user.role, Role::Technician | Role::Admin)
    }

    /// Whether the caller may read or update a request of `requester_email`.
    pub fn may_access(&self, requester_email: &str) -> bool {
        self.sees_all() || self.user.email.eq_ignore_ascii_case(requester_email)
    }
}

const BAD_JWT: &str = "Cannot convert access token to JSON";

/// Authenticate `req` against `inst`: Bearer, Apikey, or an `access_token` parameter.
///
/// # Errors
/// The resource server's refusals, in Spring Security OAuth2's resource-server format.
pub fn authenticate(inst: &Instance<ServiceOps>, req: &HttpRequest) -> Result<Caller, ApiError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let user = if let Some(token) = header.and_then(bearer) {
        user_for_jwt(inst, token)?
    } else if let Some(key) = header.and_then(|h| scheme_token(h, "Apikey")) {
        user_for_api_key(inst, key)?
    } else if let Some(token) = query_param(req, "access_token") {
        user_for_jwt(inst, &token)?
    } else {
        return Err(ApiError::Unauthenticated);
    };
    if !user.enabled {
        return Err(ApiError::InvalidToken("User is disabled".into()));
    }
    Ok(Caller { user })
}

fn user_for_jwt(inst: &Instance<ServiceOps>, token: &str) -> Result<User, ApiError> {
    let keys = inst.product.signing.keys(&inst.store);
    let now_secs = inst.env.clock.now_secs();
    // The signature and the claims of a token are a function of the token and the instance's
    // keys, which never change once made: verify a token once, keep its claims, and check
    // what depends on "now" (expiry) on every use.
    let lookups = &inst.product.lookups;
    let claims = lookups
        .tokens
        .get_or_load_at(
            0,
            token,
            |c| claims_bytes(c),
            || keys.verify::<Claims>(token, now_secs).map(Arc::new),
        )
        .map_err(|e| access_refusal(e, token))?;
    let claims = access_checks(&claims, token, now_secs)?;
    let name = &claims.user_name;
    inst.store
        .read(|c| {
            lookups
                .principals
                .get_or_load(c, name, user_bytes, |c| store::find_principal(c, name))
        })?
        .ok_or_else(|| ApiError::InvalidToken(BAD_JWT.into()))
}

/// What authentication looks up on every request, kept per instance: verified tokens'
/// claims, and the accounts and clients the store held when they were read
/// ([`auth_core::memo`]: emptied on any write, bounded by bytes).
#[derive(Debug)]
pub(crate) struct Lookups {
    tokens: Memo<Arc<Claims>>,
    principals: Memo<Option<User>>,
    /// The password grant's `username`: [`store::find_account_by_login`].
    pub(crate) logins: Memo<Option<User>>,
    /// [`store::find_client`].
    pub(crate) clients: Memo<Option<Client>>,
}

impl Default for Lookups {
    fn default() -> Self {
        Lookups {
            tokens: Memo::new(256 << 10),
            principals: Memo::new(256 << 10),
            logins: Memo::new(256 << 10),
            clients: Memo::new(64 << 10),
        }
    }
}

/// Heap bytes of `user`, near enough for a bound.
pub(crate) fn user_bytes(user: &Option<User>) -> usize {
    user.as_ref().map_or(0, |u| {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        u.name.len()
            + u.email.len()
            + u.password.len()
            + opt(&u.logon_name)
            + opt(&u.contact_no)
            + opt(&u.location_name)
            + opt(&u.department_name)
            + u.api_keys.iter().map(|k| k.len() + 24).sum::<usize>()
            + std::mem::size_of::<User>()
    })
}

/// Heap bytes of `client`, near enough for a bound.
pub(crate) fn client_bytes(client: &Option<Client>) -> usize {
    client.as_ref().map_or(0, |c| {
        c.client_id.len() + c.client_secret.len() + c.scope.len() + std::mem::size_of::<Client>()
    })
}

/// Heap bytes of `claims` (as their JSON, which holds every string they do).
fn claims_bytes(claims: &Claims) -> usize {
    serde_json::to_vec(claims).map_or(4096, |v| v.len()) + std::mem::size_of::<Claims>()
}

fn access_refusal(e: AuthError, token: &str) -> ApiError {
    match e {
        AuthError::Expired => ApiError::InvalidToken(format!("Access token expired: {token}")),
        _ => ApiError::InvalidToken(BAD_JWT.into()),
    }
}

/// The checks of a verified token's claims that [`JwtKeys::verify`] does not make, or that
/// depend on "now": expired (as `verify` refuses it), or a refresh token.
fn access_checks<'c>(
    claims: &'c Claims,
    token: &str,
    now_secs: i64,
) -> Result<&'c Claims, ApiError> {
    if claims.exp <= now_secs {
        return Err(access_refusal(AuthError::Expired, token));
    }
    if claims.ati.is_some() {
        return Err(ApiError::InvalidToken(
            "Encoded token is a refresh token".into(),
        ));
    }
    Ok(claims)
}

/// The claims of access token `token` signed with `keys`, valid at `now_secs`.
///
/// # Errors
/// `invalid_token` for a bad, expired or refresh token.
pub fn access_claims(keys: &JwtKeys, token: &str, now_secs: i64) -> Result<Claims, ApiError> {
    let claims: Claims = keys
        .verify(token, now_secs)
        .map_err(|e| access_refusal(e, token))?;
    access_checks(&claims, token, now_secs)?;
    Ok(claims)
}

/// Compare the key as sent, and percent-decoded, with each stored key (also decoded).
fn user_for_api_key(inst: &Instance<ServiceOps>, key: &str) -> Result<User, ApiError> {
    let decoded = percent_decode(key);
    let found = inst.store.read(|c| {
        let keys = store::api_keys(c)?;
        let owner = keys
            .iter()
            .find_map(|(stored, user_id)| key_matches(stored, key, &decoded).then_some(*user_id));
        match owner {
            Some(id) => store::find_account(c, id),
            None => Ok(None),
        }
    })?;
    found.ok_or_else(|| ApiError::InvalidToken("Invalid API key".into()))
}

/// Whether the stored key `stored` is the key sent (`key`, percent-decoded `decoded`).
pub fn key_matches(stored: &str, key: &str, decoded: &str) -> bool {
    ct_eq_str(stored, key) || ct_eq_str(&percent_decode(stored), decoded)
}

/// A handler's caller: the authenticated [`Caller`] (it derefs to it), the instance it calls
/// and its request, through which handlers reach the store and the clock and note refusals.
pub struct ApiUser {
    who: Caller,
    inst: Inst<ServiceOps>,
    req: HttpRequest,
}

impl std::ops::Deref for ApiUser {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.who
    }
}

impl ApiUser {
    /// The instance called.
    pub fn inst(&self) -> &Instance<ServiceOps> {
        &self.inst
    }

    /// The request being answered.
    pub fn req(&self) -> &HttpRequest {
        &self.req
    }

    /// The instance clock, in milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.inst.env.clock.now_ms()
    }

    /// Note a refusal in the journal and pass the error on.
    ///
    /// # Errors
    /// `result`'s.
    pub fn traced<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        traced(&self.req, result)
    }

    /// Read the store; a refusal is noted in the journal.
    ///
    /// # Errors
    /// `f`'s.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.traced(self.inst.store.read(f))
    }

    /// Write the store in one transaction; a refusal is noted in the journal.
    ///
    /// # Errors
    /// `f`'s, or the store's.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.traced(self.inst.store.write(f))
    }
}

fn api_user(req: &HttpRequest) -> Result<ApiUser, ApiError> {
    let inst = Inst::<ServiceOps>::extract(req)
        .into_inner()
        .map_err(|_| ApiError::Internal("instance not mounted".into()))?;
    let who = authenticate(&inst, req);
    match &who {
        Ok(caller) => trace::set_principal(req, caller.user.email.clone()),
        Err(err) => trace::refuse(req, err.reason()),
    }
    Ok(ApiUser {
        who: who?,
        inst,
        req: req.clone(),
    })
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(api_user(req))
    }
}

/// An [`ApiUser`] who manages users: a technician or admin (anyone else is refused with 403
/// before the rest of the request is read).
pub struct Manager(pub ApiUser);

impl std::ops::Deref for Manager {
    type Target = ApiUser;
    fn deref(&self) -> &ApiUser {
        &self.0
    }
}

impl FromRequest for Manager {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(api_user(req).and_then(|user| {
            if user.sees_all() {
                Ok(Manager(user))
            } else {
                traced(req, Err(ApiError::AccessDenied))
            }
        }))
    }
}

/// Who the request claims to be, unverified: the Basic client id, the JWT's `user_name`,
/// or `apikey`.
pub fn principal_hint(req: &HttpRequest) -> Option<String> {
    header_hint(req.headers().get(AUTHORIZATION)?.to_str().ok()?)
}

/// [`principal_hint`] of an `Authorization` header value.
pub fn header_hint(header: &str) -> Option<String> {
    if let Ok((client, _)) = auth_core::credentials::basic(header) {
        return Some(client);
    }
    if let Some(token) = bearer(header) {
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        return claims
            .get("user_name")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
    }
    scheme_token(header, "Apikey").map(|_| "apikey".to_owned())
}
