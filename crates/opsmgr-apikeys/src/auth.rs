//! The front door ("Public API Principles", Authentication): HTTP Digest (RFC 7616, MD5, `qop=auth`) with a programmatic
//! key (`{PUBLIC-KEY}:{PRIVATE-KEY}`) or a legacy user (`{USERNAME}:{APIKEY}`), then the
//! key's API access list on the socket peer address ("Require an API Access List for Your
//! Organization").
//!
//! [`Caller`] is the extractor every API handler takes: a request that fails here never
//! reaches a handler, even with a body.

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
    /// The key or user.
    pub principal: Principal,
    /// Its roles at the time of the request.
    pub roles: Vec<Role>,
    /// The socket peer address.
    pub ip: Option<IpAddr>,
    /// Whether the request matched an entry of the caller's access list.
    pub access_listed: bool,
}

impl Caller {
    /// The key's or user's id.
    pub fn id(&self) -> &str {
        match &self.principal {
            Principal::Key(k) | Principal::GlobalKey(k) => &k.id,
            Principal::User(u) => &u.id,
        }
    }

    fn has_global(&self, names: &[&str]) -> bool {
        self.roles
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
        self.roles
            .iter()
            .any(|r| r.org_id.as_deref() == Some(org_id) && names.contains(&r.name.as_str()))
    }

    /// Any org role in `org`, or a global read role.
    pub fn can_read_org(&self, org_id: &str) -> bool {
        self.is_global_reader()
            || self
                .roles
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
                .roles
                .iter()
                .any(|r| r.group_id.as_deref() == Some(project.id.as_str()))
    }

    /// `GROUP_OWNER` or `GROUP_USER_ADMIN` on `project`, implied by `ORG_OWNER`, or
    /// `GLOBAL_OWNER`.
    pub fn can_manage_project_keys(&self, project: &ProjectRow) -> bool {
        self.is_org_owner(&project.org_id)
            || self.roles.iter().any(|r| {
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
    let lookup = |username: &str| -> Option<(String, Principal)> {
        inst.store
            .read(|conn| {
                inst.product.size_statement_cache(conn);
                if let Some(key) = store::key_by_public(conn, username)? {
                    return Ok::<_, rusqlite::Error>(Some((
                        key.private_key.clone(),
                        Principal::Key(key),
                    )));
                }
                if let Some(key) = store::global_key_by_public(conn, username)? {
                    return Ok(Some((key.private_key.clone(), Principal::GlobalKey(key))));
                }
                Ok(store::user_by_name(conn, username)?
                    .map(|user| (user.api_key.clone(), Principal::User(user))))
            })
            .ok()
            .flatten()
    };
    let verified = inst.product.digest.verify(
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
    let principal = ok.principal;
    let holder = match &principal {
        Principal::Key(k) | Principal::GlobalKey(k) => k.id.clone(),
        Principal::User(u) => u.id.clone(),
    };
    // One lock for the access list (and its usage counters) and the roles.
    let checked = inst.store.read(|conn| {
        let listed = check_access_list(inst, conn, &principal, &holder, ip)?;
        Ok::<_, OpsMgrError>((listed, store::caller_roles_of(conn, &holder)?))
    });
    let (access_listed, roles) = match checked {
        Ok(checked) => checked,
        Err(err) => {
            auth_core::trace::refuse(req, err.to_string());
            return Err(Box::new(wire::error_response(req, &err, legacy)));
        }
    };
    Ok(Caller {
        principal,
        roles,
        ip,
        access_listed,
    })
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
/// updates the entry's usage counters. Returns whether an entry matched.
fn check_access_list(
    inst: &Instance<OpsMgr>,
    conn: &rusqlite::Connection,
    principal: &Principal,
    holder: &str,
    ip: Option<IpAddr>,
) -> Result<bool, OpsMgrError> {
    if let Principal::GlobalKey(_) = principal {
        return check_global_access_list(conn, ip);
    }
    let entries = store::access_of(conn, holder)?;
    let matched = ip.and_then(|ip| {
        entries
            .iter()
            .find(|e| Address::from_cidr(&e.cidr_block).is_some_and(|a| a.net.contains(&ip)))
    });
    match (matched, ip) {
        (Some(entry), Some(ip)) => {
            let now = auth_core::clock::rfc3339_ms(inst.env.clock.now_secs().saturating_mul(1000));
            // A single UPDATE commits on its own: no explicit transaction needed.
            store::record_use(conn, holder, &entry.cidr_block, &now, &ip.to_string())?;
            Ok(true)
        }
        _ if entries.is_empty() || matches!(principal, Principal::User(_)) => Ok(false),
        _ => Err(OpsMgrError::IpNotOnAccessList(
            ip.map(|ip| ip.to_string()).unwrap_or_default(),
        )),
    }
}

/// A global key with a non-empty global API access list must call from an address on it
/// ("Global API Access List"); returns whether an entry matched.
fn check_global_access_list(
    conn: &rusqlite::Connection,
    ip: Option<IpAddr>,
) -> Result<bool, OpsMgrError> {
    let entries = store::global_access(conn)?;
    let matched = ip.is_some_and(|ip| {
        entries
            .iter()
            .any(|e| Address::from_cidr(&e.cidr_block).is_some_and(|a| a.net.contains(&ip)))
    });
    if matched || entries.is_empty() {
        Ok(matched)
    } else {
        Err(OpsMgrError::IpNotOnAccessList(
            ip.map(|ip| ip.to_string()).unwrap_or_default(),
        ))
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
