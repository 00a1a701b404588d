//! API access lists: an org key's list under
//! `/orgs/{ORG-ID}/apiKeys/{API-KEY-ID}/accessList` (reference pages "Organization API Key
//! Access List", <https://www.mongodb.com/docs/ops-manager/current/reference/api/api-keys/org/>)
//! and a user's under `/users/{USER-ID}/accessList` ("API Access List",
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/access-list/>), each also
//! reachable by the 4.x `whitelist` spelling. Entries in paths are an IP or a URL-encoded
//! CIDR block (`192.0.2.0%2F24`).

use crate::auth::{Caller, Principal};
use crate::error::OpsMgrError;
use crate::model::{is_object_id, parse_entry, Address};
use crate::org_keys;
use crate::request::{self, Body, Call};
use crate::store::{self, AccessRow};
use crate::wire::Paging;
use crate::wire::{self, Reply, BASE};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use auth_core::Instance;
use ipnet::IpNet;
use serde_json::Value;
use std::collections::HashSet;

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
) -> Result<(Holder, String, String), OpsMgrError> {
    let org_id = request::segment(req, "org_id");
    if !is_object_id(&org_id) {
        return Err(OpsMgrError::ResourceNotFound(req.path().to_owned()));
    }
    let key_id = org_keys::key_id(req)?;
    if inst.store.read(|c| store::find_org(c, &org_id))?.is_none() {
        return Err(OpsMgrError::OrgNotFound(org_id));
    }
    if caller.id() != key_id && !caller.is_org_owner(&org_id) {
        return Err(OpsMgrError::AccessListDenied);
    }
    let central = wire::central_url(req, inst.settings.central_url.as_deref());
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
) -> Result<Holder, OpsMgrError> {
    let user_id = request::segment(req, "user_id");
    match caller.principal() {
        Principal::User(u) if u.id == user_id => {
            let central = wire::central_url(req, inst.settings.central_url.as_deref());
            Ok(Holder {
                id: user_id.clone(),
                base_href: format!("{central}{BASE}/users/{user_id}/{}", alias(req)),
                key_href: None,
                user: true,
            })
        }
        _ => Err(OpsMgrError::UserAccessListDenied),
    }
}

fn entries_view(holder: &Holder, entries: &[AccessRow]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| wire::access_entry(&holder.base_href, None, e))
        .collect()
}

fn list_entries(
    inst: &Instance<OpsMgr>,
    req: &HttpRequest,
    holder: &Holder,
) -> Result<Reply, OpsMgrError> {
    let paging = Paging::of(req)?;
    let entries = inst.store.read(|c| store::access_of(c, &holder.id))?;
    let central = wire::central_url(req, inst.settings.central_url.as_deref());
    Ok(Reply::ok(wire::list(
        req,
        &central,
        paging,
        entries_view(holder, &entries),
    )))
}

/// Parse the additions: an array of `{"ipAddress": …}` / `{"cidrBlock": …}` objects (a
/// user's list also takes a CIDR block in `ipAddress`).
///
/// # Errors
/// `INVALID_JSON`, `BAD_ACCESS_LIST_ADD_REQUEST`, `MISSING_ONE_OF_ATTRIBUTES`,
/// `INVALID_ATTRIBUTE`, `DUPLICATE_ADDRESSES_IN_INPUT`.
///
/// Linear in the number of entries: duplicates are found through a set of the networks seen,
/// not by searching the entries so far (which made a 1 MiB body of 40,000 entries quadratic).
pub fn additions(payload: &[u8], user: bool) -> Result<Vec<Address>, OpsMgrError> {
    let mut out: Vec<Address> = Vec::new();
    let mut seen: HashSet<IpNet> = HashSet::new();
    for item in request::array(payload)? {
        let Value::Object(map) = item else {
            return Err(OpsMgrError::InvalidJson);
        };
        let text = serde_json::to_vec(&map).map_err(|_| OpsMgrError::InvalidJson)?;
        let map = request::object(&text, &["ipAddress", "cidrBlock"])?;
        let ip = request::opt_string(&map, "ipAddress")?;
        let cidr = request::opt_string(&map, "cidrBlock")?;
        let addr = match (ip, cidr) {
            (Some(_), Some(_)) => return Err(OpsMgrError::BadAccessListAdd),
            (None, None) => return Err(OpsMgrError::MissingOneOf("ipAddress", "cidrBlock")),
            // A user's list takes an IP or a CIDR block in `ipAddress` ("API Access List").
            (Some(ip), None) if user => Address::from_ip(&ip)
                .or_else(|| Address::from_cidr(&ip))
                .ok_or(OpsMgrError::InvalidAttribute("ipAddress".into()))?,
            (Some(ip), None) => {
                Address::from_ip(&ip).ok_or(OpsMgrError::InvalidAttribute("ipAddress".into()))?
            }
            (None, Some(cidr)) => Address::from_cidr(&cidr)
                .ok_or(OpsMgrError::InvalidAttribute("cidrBlock".into()))?,
        };
        if !seen.insert(addr.net) {
            return Err(OpsMgrError::DuplicateAddresses);
        }
        out.push(addr);
    }
    Ok(out)
}

fn same_net(entry: &AccessRow, net: &IpNet) -> bool {
    Address::from_cidr(&entry.cidr_block).is_some_and(|a| a.net == *net)
}

/// Add entries; existing ones are skipped for keys ("Create One Organization API Key Access
/// List Entry": entries already on the list are not added again), refused for users.
fn add_entries(
    inst: &Instance<OpsMgr>,
    holder: &Holder,
    adds: &[Address],
) -> Result<(), OpsMgrError> {
    let now = auth_core::clock::rfc3339_ms(inst.env.clock.now_secs().saturating_mul(1000));
    inst.store.write(|tx| {
        let existing: HashSet<IpNet> = store::access_of(tx, &holder.id)?
            .iter()
            .filter_map(|e| Address::from_cidr(&e.cidr_block).map(|a| a.net))
            .collect();
        for add in adds {
            if existing.contains(&add.net) {
                if holder.user {
                    return Err(OpsMgrError::AddressAlreadyInAccessList(add.cidr_text()));
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
) -> Result<AccessRow, OpsMgrError> {
    let missing = if holder.user {
        OpsMgrError::UserAccessListNotFound
    } else {
        OpsMgrError::AccessListNotFound
    };
    let Some(net) = parse_entry(&request::segment(req, "entry")) else {
        return Err(missing);
    };
    inst.store
        .read(|c| store::access_of(c, &holder.id))?
        .into_iter()
        .find(|e| same_net(e, &net))
        .ok_or(missing)
}

/// Writes to a user's non-empty list must come from an address already on it ("API Access
/// List").
fn require_listed(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    holder: &Holder,
) -> Result<(), OpsMgrError> {
    let empty = inst
        .store
        .read(|c| store::access_of(c, &holder.id))?
        .is_empty();
    if empty || caller.access_listed {
        Ok(())
    } else {
        Err(OpsMgrError::IpNotOnAccessList(
            caller.ip.map(|ip| ip.to_string()).unwrap_or_default(),
        ))
    }
}

/// `GET …/apiKeys/{ID}/accessList` (and `/whitelist`).
pub(crate) async fn list_key_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (holder, org, key) = key_holder(&call.inst, &caller, &call.req)?;
    org_keys::key_in_org(&call.inst, &org, &key)?;
    list_entries(&call.inst, &call.req, &holder)
}

/// `POST …/apiKeys/{ID}/accessList`: add entries (a JSON array); answers every entry.
pub(crate) async fn add_key_access(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let (holder, org, key) = key_holder(&call.inst, &caller, &call.req)?;
    let adds = additions(&payload, false)?;
    org_keys::key_in_org(&call.inst, &org, &key)?;
    add_entries(&call.inst, &holder, &adds)?;
    list_entries(&call.inst, &call.req, &holder)
}

/// `GET …/apiKeys/{ID}/accessList/{IP-or-CIDR}`.
pub(crate) async fn get_key_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (holder, org, key) = key_holder(&call.inst, &caller, &call.req)?;
    org_keys::key_in_org(&call.inst, &org, &key)?;
    let entry = find_entry(&call.inst, &call.req, &holder)?;
    Ok(Reply::ok(wire::access_entry(
        &holder.base_href,
        holder.key_href.as_deref(),
        &entry,
    )))
}

/// `DELETE …/apiKeys/{ID}/accessList/{IP-or-CIDR}`: 204.
pub(crate) async fn delete_key_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (holder, org, key) = key_holder(&call.inst, &caller, &call.req)?;
    org_keys::key_in_org(&call.inst, &org, &key)?;
    let entry = find_entry(&call.inst, &call.req, &holder)?;
    call.inst
        .store
        .write(|tx| store::delete_access(tx, &holder.id, &entry.cidr_block))?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `GET /users/{USER-ID}/accessList` (and `/whitelist`).
pub(crate) async fn list_user_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let holder = user_holder(&call.inst, &caller, &call.req)?;
    list_entries(&call.inst, &call.req, &holder)
}

/// `POST /users/{USER-ID}/accessList`: add entries; an existing one is a 409. The status
/// of this answer is not documented (200 here).
pub(crate) async fn add_user_access(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let holder = user_holder(&call.inst, &caller, &call.req)?;
    require_listed(&call.inst, &caller, &holder)?;
    let adds = additions(&payload, true)?;
    add_entries(&call.inst, &holder, &adds)?;
    list_entries(&call.inst, &call.req, &holder)
}

/// `GET /users/{USER-ID}/accessList/{IP-or-CIDR}`.
pub(crate) async fn get_user_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let holder = user_holder(&call.inst, &caller, &call.req)?;
    let entry = find_entry(&call.inst, &call.req, &holder)?;
    Ok(Reply::ok(wire::access_entry(
        &holder.base_href,
        None,
        &entry,
    )))
}

/// `DELETE /users/{USER-ID}/accessList/{IP-or-CIDR}`: 204; the caller cannot remove the
/// last entry that lets it in.
pub(crate) async fn delete_user_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let holder = user_holder(&call.inst, &caller, &call.req)?;
    require_listed(&call.inst, &caller, &holder)?;
    let entry = find_entry(&call.inst, &call.req, &holder)?;
    let entries = call.inst.store.read(|c| store::access_of(c, &holder.id))?;
    if let Some(ip) = caller.ip {
        let lets_in =
            |e: &AccessRow| Address::from_cidr(&e.cidr_block).is_some_and(|a| a.net.contains(&ip));
        let others = entries
            .iter()
            .filter(|e| e.cidr_block != entry.cidr_block)
            .any(lets_in);
        if lets_in(&entry) && !others {
            return Err(OpsMgrError::CannotRemoveCaller);
        }
    }
    call.inst
        .store
        .write(|tx| store::delete_access(tx, &holder.id, &entry.cidr_block))?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}
