//! The front door ("Public API Principles", Authentication): HTTP Digest (RFC 7616, MD5, `qop=auth`) with a programmatic
//! key (`{PUBLIC-KEY}:{PRIVATE-KEY}`) or a legacy user (`{USERNAME}:{APIKEY}`), then the
//! key's API access list on the socket peer address ("Require an API Access List for Your
//! Organization").
//!
//! [`Caller`] is the extractor every API handler takes: a request that fails here never
//! reaches a handler, even with a body.

use crate::cache::Known;
use crate::error::OpsMgrError;
use crate::model::{canonical_ip, Address, Role};
use crate::store::{self, KeyRow, ProjectRow, UserRow};
use crate::{json, wire, OpsMgr};
use actix_web::dev::Payload;
use actix_web::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use auth_core::{Inst, Instance};
use std::future::{ready, Ready};
use std::net::IpAddr;
use std::sync::Arc;

/// The 401 body as captured from a real server (issue
/// `mongodb/go-client-mongodb-ops-manager#29`): key order reason, error, detail.
pub const UNAUTHORIZED_BODY: &str =
    r#"{"reason":"Unauthorized","error":401,"detail":"You are not authorized for this resource."}"#;
/// The same body with `pretty=true` (106 bytes, as captured).
pub const UNAUTHORIZED_BODY_PRETTY: &str = "{\n  \"reason\" : \"Unauthorized\",\n  \"error\" : 401,\n  \"detail\" : \"You are not authorized for this resource.\"\n}";

/// Who authenticated.
#[derive(Debug, Clone)]
pub enum Principal {
    /// An organization's programmatic API key.
    Key(KeyRow),
    /// A global programmatic API key (no org; its `org_id` is empty).
    GlobalKey(KeyRow),
    /// A user with a legacy personal API key.
    User(UserRow),
}

/// An authenticated caller with its roles.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key or user, its roles and access list, as the store had them for this request
    /// (shared with the instance's copy of them, [`crate::cache::Principals`]).
    known: Arc<Known>,
    /// The socket peer address.
    pub ip: Option<IpAddr>,
    /// Whether the request matched an entry of the caller's access list.
    pub access_listed: bool,
}

impl Caller {
    /// The key or user.
    pub fn principal(&self) -> &Principal {
        &self.known.principal
    }

    /// Its roles at the time of the request.
    pub fn roles(&self) -> &[Role] {
        &self.known.roles
    }

    /// The key's or user's id.
    pub fn id(&self) -> &str {
        match self.principal() {
            Principal::Key(k) | Principal::GlobalKey(k) => &k.id,
            Principal::User(u) => &u.id,
        }
    }

    fn has_global(&self, names: &[&str]) -> bool {
        self.roles()
            .iter()
            .any(|r| r.org_id.is_none() && r.group_id.is_none() && names.contains(&r.name.as_str()))
    }

    /// `GLOBAL_OWNER`.
    pub fn is_global_owner(&self) -> bool {
        self.has_global(&["GLOBAL_OWNER"])
    }

    /// A global role that may read everything.
    pub fn is_global_reader(&self) -> bool {
        self.has_global(&["GLOBAL_OWNER", "GLOBAL_READ_ONLY"])
    }

    /// Whether the caller holds `name` in `org`.
    pub fn has_org_role(&self, org_id: &str, names: &[&str]) -> bool {
        self.roles()
            .iter()
            .any(|r| r.org_id.as_deref() == Some(org_id) && names.contains(&r.name.as_str()))
    }

    /// Any org role in `org`, or a global read role.
    pub fn can_read_org(&self, org_id: &str) -> bool {
        self.is_global_reader()
            || self
                .roles()
                .iter()
                .any(|r| r.org_id.as_deref() == Some(org_id))
    }

    /// `ORG_OWNER` of `org` (or `GLOBAL_OWNER`).
    pub fn is_org_owner(&self, org_id: &str) -> bool {
        self.is_global_owner() || self.has_org_role(org_id, &["ORG_OWNER"])
    }

    /// Any project role on `project`, direct or implied by `ORG_OWNER`/`ORG_READ_ONLY`, or
    /// a global read role.
    pub fn can_read_project(&self, project: &ProjectRow) -> bool {
        self.is_global_reader()
            || self.has_org_role(&project.org_id, &["ORG_OWNER", "ORG_READ_ONLY"])
            || self
                .roles()
                .iter()
                .any(|r| r.group_id.as_deref() == Some(project.id.as_str()))
    }

    /// `GROUP_OWNER` or `GROUP_USER_ADMIN` on `project`, implied by `ORG_OWNER`, or
    /// `GLOBAL_OWNER`.
    pub fn can_manage_project_keys(&self, project: &ProjectRow) -> bool {
        self.is_org_owner(&project.org_id)
            || self.roles().iter().any(|r| {
                r.group_id.as_deref() == Some(project.id.as_str())
                    && matches!(r.name.as_str(), "GROUP_OWNER" | "GROUP_USER_ADMIN")
            })
    }
}

/// The 401 Digest challenge with the captured body.
pub fn challenge(inst: &Instance<OpsMgr>, req: &HttpRequest, stale: bool) -> HttpResponse {
    let value = inst
        .product
        .digest
        .challenge(&inst.env.ids, &inst.env.clock, stale);
    let body = if wire::Format::of(req).pretty {
        UNAUTHORIZED_BODY_PRETTY
    } else {
        UNAUTHORIZED_BODY
    };
    let mut resp = json::json_response(StatusCode::UNAUTHORIZED, body.to_owned());
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&value) {
        resp.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    resp
}

/// Verify the Digest credentials and the access list.
///
/// The username's `HA1`, access list and roles come from the instance's copy of them
/// ([`crate::cache::Principals`], read from the store once per generation); the usage
/// stamp of a matched access-list entry is written to the store on every request.
///
/// # Errors
/// The response to send instead: the 401 challenge, or 403 `IP_ADDRESS_NOT_ON_ACCESS_LIST`.
pub fn authenticate(
    inst: &Instance<OpsMgr>,
    req: &HttpRequest,
) -> Result<Caller, Box<HttpResponse>> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path(), |pq| pq.as_str());
    let lookup = |username: &str| -> Option<([u8; 32], Arc<Known>)> {
        inst.store
            .read(|conn| {
                inst.product.size_statement_cache(conn);
                let generation = inst.product.changes.generation(conn);
                if let Some(known) = inst.product.principals.get(generation, username) {
                    return Ok(Some((known.ha1, known)));
                }
                let Some(known) = known_of(conn, username)? else {
                    return Ok::<_, rusqlite::Error>(None);
                };
                let known = Arc::new(known);
                inst.product
                    .principals
                    .put(generation, username, known.clone());
                Ok(Some((known.ha1, known)))
            })
            .ok()
            .flatten()
    };
    let verified = inst.product.digest.verify_ha1(
        &inst.env.clock,
        req.method().as_str(),
        target,
        header,
        lookup,
    );
    let ok = match verified {
        Ok(ok) => ok,
        Err(err) => {
            auth_core::trace::refuse(req, err.to_string());
            return Err(Box::new(challenge(inst, req, err.is_stale())));
        }
    };
    auth_core::trace::set_principal(req, ok.username.as_str());
    let legacy = inst.settings.legacy_whitelist_codes;
    let ip = client_ip(req, inst.settings.trust_forwarded_for);
    let known = ok.principal;
    match check_access_list(inst, &known, ip) {
        Ok(access_listed) => Ok(Caller {
            known,
            ip,
            access_listed,
        }),
        Err(err) => {
            auth_core::trace::refuse(req, err.to_string());
            Err(Box::new(wire::error_response(req, &err, legacy)))
        }
    }
}

/// A Digest username as the store has it: an org key, a global key or a user, with its
/// secret, access list and roles; `None` for an unknown name.
fn known_of(conn: &rusqlite::Connection, username: &str) -> rusqlite::Result<Option<Known>> {
    let parsed = |seq: Option<i64>, cidr: &str| (seq, Address::from_cidr(cidr).map(|a| a.net));
    let (secret, holder, principal, access) =
        if let Some(key) = store::key_by_public(conn, username)? {
            let access = store::access_blocks_of(conn, &key.id)?;
            let access = access
                .iter()
                .map(|(seq, c)| parsed(Some(*seq), c))
                .collect();
            (
                key.private_key.clone(),
                key.id.clone(),
                Principal::Key(key),
                access,
            )
        } else if let Some(key) = store::global_key_by_public(conn, username)? {
            let access = store::global_access(conn)?;
            let access = access.iter().map(|e| parsed(None, &e.cidr_block)).collect();
            (
                key.private_key.clone(),
                key.id.clone(),
                Principal::GlobalKey(key),
                access,
            )
        } else if let Some(user) = store::user_by_name(conn, username)? {
            let access = store::access_blocks_of(conn, &user.id)?;
            let access = access
                .iter()
                .map(|(seq, c)| parsed(Some(*seq), c))
                .collect();
            (
                user.api_key.clone(),
                user.id.clone(),
                Principal::User(user),
                access,
            )
        } else {
            return Ok(None);
        };
    let roles = store::caller_roles_of(conn, &holder)?;
    Ok(Some(Known {
        ha1: auth_core::digest::ha1_hex(username, crate::REALM, &secret),
        principal,
        holder,
        access,
        roles,
    }))
}

/// The caller's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// settings trust it (a proxy in front of standin).
fn client_ip(req: &HttpRequest, trust_forwarded_for: bool) -> Option<IpAddr> {
    let forwarded = trust_forwarded_for
        .then(|| req.headers().get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|first| first.trim().parse::<IpAddr>().ok());
    forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .map(canonical_ip)
}

/// A key with a non-empty access list must call from a listed address; a match
/// updates the entry's usage counters in the store. A global key with a non-empty global
/// API access list must call from an address on it ("Global API Access List"; no usage
/// counters). Returns whether an entry matched.
fn check_access_list(
    inst: &Instance<OpsMgr>,
    known: &Known,
    ip: Option<IpAddr>,
) -> Result<bool, OpsMgrError> {
    let matched = ip.and_then(|ip| {
        known
            .access
            .iter()
            .find(|(_, net)| net.is_some_and(|net| net.contains(&ip)))
    });
    let refused =
        || OpsMgrError::IpNotOnAccessList(ip.map(|ip| ip.to_string()).unwrap_or_default());
    if let Principal::GlobalKey(_) = known.principal {
        return if matched.is_some() || known.access.is_empty() {
            Ok(matched.is_some())
        } else {
            Err(refused())
        };
    }
    match (matched, ip) {
        (Some((None, _)), Some(_)) => Ok(true),
        (Some((Some(seq), _)), Some(ip)) => {
            let now = auth_core::clock::rfc3339_ms(inst.env.clock.now_secs().saturating_mul(1000));
            inst.store.read(|conn| {
                // A single UPDATE commits on its own: no explicit transaction needed.
                let rows = store::record_use(conn, *seq, &now, &ip.to_string())?;
                inst.product.changes.usage_written(rows);
                Ok::<_, OpsMgrError>(true)
            })
        }
        _ if known.access.is_empty() || matches!(known.principal, Principal::User(_)) => Ok(false),
        _ => Err(refused()),
    }
}

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(inst) = Inst::<OpsMgr>::of(req) else {
            return ready(Err(actix_web::error::ErrorInternalServerError(
                "standin: opsmgr instance not mounted",
            )));
        };
        ready(authenticate(&inst, req).map_err(|resp| {
            actix_web::error::InternalError::from_response("refused", *resp).into()
        }))
    }
}
