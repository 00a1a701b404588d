//! API access lists (spec §6.5, §6.6): an org key's list under
//! `/orgs/{ORG-ID}/apiKeys/{API-KEY-ID}/accessList` and a user's under
//! `/users/{USER-ID}/accessList`, each also reachable by the 4.x `whitelist` spelling.
//! Entries in paths are an IP or a URL-encoded CIDR block (`192.0.2.0%2F24`).

use crate::auth::{Caller, Principal};
use crate::body;
use crate::error::ApiError;
use crate::lookup;
use crate::model::{is_object_id, parse_entry, Address};
use crate::org_keys;
use crate::store::{self, AccessRow};
use crate::view;
use crate::wire::{self, Out, Paging, BASE};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::{Inst, Instance};
use ipnet::IpNet;
use serde_json::Value;

/// Whose list a request addresses.
struct Holder {
    /// Key or user id.
    id: String,
    /// `…/accessList` (or `…/whitelist`, as requested) as a full URL.
    base_href: String,
    /// For keys: the key's URL (second link of GET-one).
    key_href: Option<String>,
    /// A user's list (409 on existing entries, caller's address protected).
    user: bool,
}

fn alias(req: &HttpRequest) -> &'static str {
    if req.path().contains("/whitelist") {
        "whitelist"
    } else {
        "accessList"
    }
}

/// The key of the path, if the caller may manage its list: the key itself or an org owner.
fn key_holder(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
) -> Result<(Holder, String, String), ApiError> {
    let org_id = lookup::segment(req, "org_id");
    if !is_object_id(&org_id) {
        return Err(ApiError::ResourceNotFound(req.path().to_owned()));
    }
    let key_id = org_keys::key_id(req)?;
    if inst.store.read(|c| store::find_org(c, &org_id))?.is_none() {
        return Err(ApiError::OrgNotFound(org_id));
    }
    if caller.id() != key_id && !caller.is_org_owner(&org_id) {
        return Err(ApiError::AccessListDenied);
    }
    let central = inst.product.central_url(inst, req);
    let key_href = format!("{central}{BASE}/orgs/{org_id}/apiKeys/{key_id}");
    let holder = Holder {
        id: key_id.clone(),
        base_href: format!("{key_href}/{}", alias(req)),
        key_href: Some(key_href),
        user: false,
    };
    Ok((holder, org_id, key_id))
}

/// The user of the path, which must be the caller.
fn user_holder(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
) -> Result<Holder, ApiError> {
    let user_id = lookup::segment(req, "user_id");
    match &caller.principal {
        Principal::User(u) if u.id == user_id => {
            let central = inst.product.central_url(inst, req);
            Ok(Holder {
                id: user_id.clone(),
                base_href: format!("{central}{BASE}/users/{user_id}/{}", alias(req)),
                key_href: None,
                user: true,
            })
        }
        _ => Err(ApiError::UserAccessListDenied),
    }
}

fn entries_view(holder: &Holder, entries: &[AccessRow]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| view::access_entry(&holder.base_href, None, e))
        .collect()
}

fn list_entries(
    inst: &Instance<OpsMgr>,
    req: &HttpRequest,
    holder: &Holder,
) -> Result<Out, ApiError> {
    let paging = Paging::of(req)?;
    let entries = inst.store.read(|c| store::access_of(c, &holder.id))?;
    let central = inst.product.central_url(inst, req);
    Ok(Out::Json(
        StatusCode::OK,
        wire::list(req, &central, paging, entries_view(holder, &entries)),
    ))
}

/// Parse the additions: an array of `{"ipAddress": …}` / `{"cidrBlock": …}` objects (a
/// user's list also takes a CIDR block in `ipAddress`).
///
/// # Errors
/// `INVALID_JSON`, `BAD_ACCESS_LIST_ADD_REQUEST`, `MISSING_ONE_OF_ATTRIBUTES`,
/// `INVALID_ATTRIBUTE`, `DUPLICATE_ADDRESSES_IN_INPUT`.
pub fn additions(payload: &[u8], user: bool) -> Result<Vec<Address>, ApiError> {
    let mut out: Vec<Address> = Vec::new();
    for item in body::array(payload)? {
        let Value::Object(map) = item else {
            return Err(ApiError::InvalidJson);
        };
        let text = serde_json::to_vec(&map).map_err(|_| ApiError::InvalidJson)?;
        let map = body::object(&text, &["ipAddress", "cidrBlock"])?;
        let ip = body::opt_string(&map, "ipAddress")?;
        let cidr = body::opt_string(&map, "cidrBlock")?;
        let addr = match (ip, cidr) {
            (Some(_), Some(_)) => return Err(ApiError::BadAccessListAdd),
            (None, None) => return Err(ApiError::MissingOneOf("ipAddress", "cidrBlock")),
            // A user's list takes an IP or a CIDR block in `ipAddress` (S23).
            (Some(ip), None) if user => Address::from_ip(&ip)
                .or_else(|| Address::from_cidr(&ip))
                .ok_or(ApiError::InvalidAttribute("ipAddress".into()))?,
            (Some(ip), None) => {
                Address::from_ip(&ip).ok_or(ApiError::InvalidAttribute("ipAddress".into()))?
            }
            (None, Some(cidr)) => {
                Address::from_cidr(&cidr).ok_or(ApiError::InvalidAttribute("cidrBlock".into()))?
            }
        };
        if out.iter().any(|a| a.net == addr.net) {
            return Err(ApiError::DuplicateAddresses);
        }
        out.push(addr);
    }
    Ok(out)
}

fn same_net(entry: &AccessRow, net: &IpNet) -> bool {
    Address::from_cidr(&entry.cidr_block).is_some_and(|a| a.net == *net)
}

/// Add entries; existing ones are skipped for keys (S15), refused for users.
fn add_entries(inst: &Instance<OpsMgr>, holder: &Holder, adds: &[Address]) -> Result<(), ApiError> {
    let now = auth_core::clock::rfc3339_ms(inst.env.clock.now_secs().saturating_mul(1000));
    inst.store.write(|tx| {
        let existing = store::access_of(tx, &holder.id)?;
        for add in adds {
            if existing.iter().any(|e| same_net(e, &add.net)) {
                if holder.user {
                    return Err(ApiError::AddressAlreadyInAccessList(add.cidr_text()));
                }
                continue;
            }
            let ip = add.ip.map(|ip| ip.to_string());
            store::insert_access(tx, &holder.id, &add.cidr_text(), ip.as_deref(), &now)?;
        }
        Ok(())
    })
}

fn find_entry(
    inst: &Instance<OpsMgr>,
    req: &HttpRequest,
    holder: &Holder,
) -> Result<AccessRow, ApiError> {
    let missing = if holder.user {
        ApiError::UserAccessListNotFound
    } else {
        ApiError::AccessListNotFound
    };
    let Some(net) = parse_entry(&lookup::segment(req, "entry")) else {
        return Err(missing);
    };
    inst.store
        .read(|c| store::access_of(c, &holder.id))?
        .into_iter()
        .find(|e| same_net(e, &net))
        .ok_or(missing)
}

/// `GET …/apiKeys/{ID}/accessList` (and `/whitelist`).
pub async fn list_key_access(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = key_holder(&inst, &caller, &req).and_then(|(holder, org, key)| {
        org_keys::key_in_org(&inst, &org, &key)?;
        list_entries(&inst, &req, &holder)
    });
    inst.product.render(&inst, &req, result)
}

/// `POST …/apiKeys/{ID}/accessList`: add entries (a JSON array); answers every entry.
pub async fn add_key_access(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
    stream: web::Payload,
) -> HttpResponse {
    let payload = match body::read(stream).await {
        Ok(bytes) => bytes,
        Err(err) => return inst.product.render(&inst, &req, Err(err)),
    };
    let result = key_holder(&inst, &caller, &req).and_then(|(holder, org, key)| {
        let adds = additions(&payload, false)?;
        org_keys::key_in_org(&inst, &org, &key)?;
        add_entries(&inst, &holder, &adds)?;
        list_entries(&inst, &req, &holder)
    });
    inst.product.render(&inst, &req, result)
}

/// `GET …/apiKeys/{ID}/accessList/{IP-or-CIDR}`.
pub async fn get_key_access(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = key_holder(&inst, &caller, &req).and_then(|(holder, org, key)| {
        org_keys::key_in_org(&inst, &org, &key)?;
        let entry = find_entry(&inst, &req, &holder)?;
        Ok(Out::Json(
            StatusCode::OK,
            view::access_entry(&holder.base_href, holder.key_href.as_deref(), &entry),
        ))
    });
    inst.product.render(&inst, &req, result)
}

/// `DELETE …/apiKeys/{ID}/accessList/{IP-or-CIDR}`: 204.
pub async fn delete_key_access(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result = key_holder(&inst, &caller, &req).and_then(|(holder, org, key)| {
        org_keys::key_in_org(&inst, &org, &key)?;
        let entry = find_entry(&inst, &req, &holder)?;
        inst.store
            .write(|tx| store::delete_access(tx, &holder.id, &entry.cidr_block))?;
        Ok(Out::Empty(StatusCode::NO_CONTENT))
    });
    inst.product.render(&inst, &req, result)
}

/// Writes to a user's non-empty list must come from an address already on it (S23).
fn require_listed(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    holder: &Holder,
) -> Result<(), ApiError> {
    let empty = inst
        .store
        .read(|c| store::access_of(c, &holder.id))?
        .is_empty();
    if empty || caller.access_listed {
        Ok(())
    } else {
        Err(ApiError::IpNotOnAccessList(
            caller.ip.map(|ip| ip.to_string()).unwrap_or_default(),
        ))
    }
}

/// `GET /users/{USER-ID}/accessList` (and `/whitelist`).
pub async fn list_user_access(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result =
        user_holder(&inst, &caller, &req).and_then(|holder| list_entries(&inst, &req, &holder));
    inst.product.render(&inst, &req, result)
}

/// `POST /users/{USER-ID}/accessList`: add entries; an existing one is a 409.
pub async fn add_user_access(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
    stream: web::Payload,
) -> HttpResponse {
    let payload = match body::read(stream).await {
        Ok(bytes) => bytes,
        Err(err) => return inst.product.render(&inst, &req, Err(err)),
    };
    let result = user_holder(&inst, &caller, &req).and_then(|holder| {
        require_listed(&inst, &caller, &holder)?;
        let adds = additions(&payload, true)?;
        add_entries(&inst, &holder, &adds)?;
        // UNCONFIRMED: the status of this answer is not documented in our sources.
        list_entries(&inst, &req, &holder)
    });
    inst.product.render(&inst, &req, result)
}

/// `GET /users/{USER-ID}/accessList/{IP-or-CIDR}`.
pub async fn get_user_access(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = user_holder(&inst, &caller, &req).and_then(|holder| {
        let entry = find_entry(&inst, &req, &holder)?;
        Ok(Out::Json(
            StatusCode::OK,
            view::access_entry(&holder.base_href, None, &entry),
        ))
    });
    inst.product.render(&inst, &req, result)
}

/// `DELETE /users/{USER-ID}/accessList/{IP-or-CIDR}`: 204; the caller cannot remove the
/// last entry that lets it in.
pub async fn delete_user_access(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result = user_holder(&inst, &caller, &req).and_then(|holder| {
        require_listed(&inst, &caller, &holder)?;
        let entry = find_entry(&inst, &req, &holder)?;
        let entries = inst.store.read(|c| store::access_of(c, &holder.id))?;
        if let Some(ip) = caller.ip {
            let lets_in = |e: &AccessRow| {
                Address::from_cidr(&e.cidr_block).is_some_and(|a| a.net.contains(&ip))
            };
            let others = entries
                .iter()
                .filter(|e| e.cidr_block != entry.cidr_block)
                .any(lets_in);
            if lets_in(&entry) && !others {
                return Err(ApiError::CannotRemoveCaller);
            }
        }
        inst.store
            .write(|tx| store::delete_access(tx, &holder.id, &entry.cidr_block))?;
        Ok(Out::Empty(StatusCode::NO_CONTENT))
    });
    inst.product.render(&inst, &req, result)
}
