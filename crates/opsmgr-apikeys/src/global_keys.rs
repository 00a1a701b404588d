//! Global programmatic API keys, `/admin/apiKeys[/{API-KEY-ID}]` and their role list
//! `/admin/apiKeys/roles`, and the global API access list, `/admin/accessList[/{ID}]` (Ops
//! Manager API reference, "Global Programmatic API Keys" and "Global API Access List":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/global-api-keys/>). A
//! global key authenticates by Digest like an org key and holds only `GLOBAL_*` roles; it
//! must call from an address on the global access list when that list is not empty. Any
//! global role may read; `GLOBAL_OWNER` or `GLOBAL_USER_ADMIN` may write.

use crate::auth::{Caller, Principal};
use crate::error::OpsMgrError;
use crate::model::{is_object_id, Address, Role, GLOBAL_ROLES};
use crate::request::{self, Body, Call};
use crate::store::{self, GlobalAccessRow, KeyRow};
use crate::wire::{self, Reply, BASE};
use actix_web::http::StatusCode;
use auth_core::clock::rfc3339_ms;
use serde_json::{json, Value};

fn require_reader(caller: &Caller) -> Result<(), OpsMgrError> {
    let global = caller.roles().iter().any(|r| {
        r.org_id.is_none() && r.group_id.is_none() && GLOBAL_ROLES.contains(&r.name.as_str())
    });
    if global {
        Ok(())
    } else {
        Err(OpsMgrError::UserUnauthorized)
    }
}

fn require_admin(caller: &Caller) -> Result<(), OpsMgrError> {
    let admin = caller.roles().iter().any(|r| {
        r.org_id.is_none()
            && r.group_id.is_none()
            && matches!(r.name.as_str(), "GLOBAL_OWNER" | "GLOBAL_USER_ADMIN")
    });
    if admin {
        Ok(())
    } else {
        Err(OpsMgrError::UserUnauthorized)
    }
}

/// `GET /admin/apiKeys`.
pub(crate) async fn list_global_keys(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    require_reader(&caller)?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call.inst.store.read(|c| {
        store::global_keys(c)?
            .iter()
            .map(|k| Ok(view(&central, k, &store::roles_of(c, &k.id)?, false)))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /admin/apiKeys/roles`: the roles a global key may hold, as an array of names.
pub(crate) async fn list_global_roles(caller: Caller, _call: Call) -> Result<Reply, OpsMgrError> {
    require_reader(&caller)?;
    Ok(Reply::ok(json!(GLOBAL_ROLES)))
}

/// `GET /admin/apiKeys/{API-KEY-ID}`.
pub(crate) async fn get_global_key(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    require_reader(&caller)?;
    let key = find(&call)?;
    key_reply(&call, &key, false)
}

/// `POST /admin/apiKeys`: `{"desc", "roles"}` both required; 200 with the full private key
/// (the only time it is shown).
pub(crate) async fn create_global_key(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    require_admin(&caller)?;
    let map = request::object(&payload, &["desc", "roles"])?;
    let desc = request::opt_string(&map, "desc")?.ok_or(OpsMgrError::MissingAttribute("desc"))?;
    let roles =
        request::opt_strings(&map, "roles")?.ok_or(OpsMgrError::MissingAttribute("roles"))?;
    request::check_desc(&desc)?;
    let roles = request::global_roles(&roles)?;
    let inst = &call.inst;
    let ids = &inst.env.ids;
    let now = inst.env.clock.now_secs();
    let key = inst.store.write(|tx| {
        let mut public_key = ids.letters(8);
        while store::public_key_taken(tx, &public_key)? {
            public_key = ids.letters(8);
        }
        let key = KeyRow {
            id: store::new_object_id(tx, ids, now)?,
            org_id: String::new(),
            desc: desc.clone(),
            public_key,
            private_key: ids.uuid(),
        };
        store::insert_global_key(tx, &key)?;
        for name in &roles {
            store::grant(tx, &key.id, &global_role(name))?;
        }
        Ok::<_, rusqlite::Error>(key)
    })?;
    key_reply(&call, &key, true)
}

/// `PATCH /admin/apiKeys/{API-KEY-ID}`: a new `desc` and/or `roles` (replacing them).
pub(crate) async fn update_global_key(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    require_admin(&caller)?;
    let key = find(&call)?;
    let map = request::object(&payload, &["desc", "roles"])?;
    let desc = request::opt_string(&map, "desc")?;
    let roles = request::opt_strings(&map, "roles")?;
    if desc.is_none() && roles.is_none() {
        return Err(OpsMgrError::MissingOneOf("desc", "roles"));
    }
    if let Some(desc) = &desc {
        request::check_desc(desc)?;
    }
    let roles = roles.map(|r| request::global_roles(&r)).transpose()?;
    call.inst.store.write(|tx| {
        if let Some(desc) = &desc {
            store::set_global_key_desc(tx, &key.id, desc)?;
        }
        if let Some(roles) = &roles {
            store::revoke_all_roles(tx, &key.id)?;
            for name in roles {
                store::grant(tx, &key.id, &global_role(name))?;
            }
        }
        Ok::<_, rusqlite::Error>(())
    })?;
    let key = KeyRow {
        desc: desc.unwrap_or(key.desc),
        ..key
    };
    key_reply(&call, &key, false)
}

/// `DELETE /admin/apiKeys/{API-KEY-ID}`: 200 with no body, as for an org key.
pub(crate) async fn delete_global_key(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    require_admin(&caller)?;
    let key = find(&call)?;
    call.inst
        .store
        .write(|tx| store::delete_global_key(tx, &key.id))?;
    Ok(Reply::Empty(StatusCode::OK))
}

fn global_role(name: &str) -> Role {
    Role {
        org_id: None,
        group_id: None,
        name: name.to_owned(),
    }
}

/// The key of the path: a malformed id is an unknown resource, a missing one
/// `API_KEY_NOT_FOUND`.
fn find(call: &Call) -> Result<KeyRow, OpsMgrError> {
    let id = call.segment("key_id");
    if !is_object_id(&id) {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    }
    call.inst
        .store
        .read(store::global_keys)?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or(OpsMgrError::ApiKeyNotFound(id))
}

fn key_reply(call: &Call, key: &KeyRow, reveal: bool) -> Result<Reply, OpsMgrError> {
    let roles = call.inst.store.read(|c| store::roles_of(c, &key.id))?;
    Ok(Reply::ok(view(&call.central(), key, &roles, reveal)))
}

fn view(central: &str, key: &KeyRow, roles: &[Role], reveal: bool) -> Value {
    let mut value = wire::api_key(central, key, roles, reveal);
    value["links"] = json!([wire::self_link(format!(
        "{central}{BASE}/admin/apiKeys/{}",
        key.id
    ))]);
    value
}

/// `GET /admin/accessList`.
pub(crate) async fn list_global_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    require_reader(&caller)?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call
        .inst
        .store
        .read(store::global_access)?
        .iter()
        .map(|e| access_view(&central, e))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /admin/accessList/{ID}`.
pub(crate) async fn get_global_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    require_reader(&caller)?;
    let entry = find_access(&call)?;
    Ok(Reply::ok(access_view(&call.central(), &entry)))
}

/// `POST /admin/accessList`: `{"cidrBlock", "description"}` both required; 200 with the
/// entry; a block already on the list → 409.
pub(crate) async fn add_global_access(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    require_admin(&caller)?;
    let map = request::object(&payload, &["cidrBlock", "description"])?;
    let cidr = request::opt_string(&map, "cidrBlock")?
        .ok_or(OpsMgrError::MissingAttribute("cidrBlock"))?;
    let description = request::opt_string(&map, "description")?
        .ok_or(OpsMgrError::MissingAttribute("description"))?;
    let block = canonical_block(&cidr)?;
    check_description(&description)?;
    let inst = &call.inst;
    let now = inst.env.clock.now_secs();
    let entry = inst.store.write(|tx| {
        if store::global_access(tx)?
            .iter()
            .any(|e| e.cidr_block == block)
        {
            return Err(OpsMgrError::AddressAlreadyInAccessList(block.clone()));
        }
        let at = rfc3339_ms(now.saturating_mul(1000));
        let entry = GlobalAccessRow {
            id: store::new_object_id(tx, &inst.env.ids, now)?,
            cidr_block: block.clone(),
            description,
            created: at.clone(),
            updated: at,
        };
        store::put_global_access(tx, &entry)?;
        Ok(entry)
    })?;
    Ok(Reply::ok(access_view(&call.central(), &entry)))
}

/// `PATCH /admin/accessList/{ID}`: a new `cidrBlock` and/or `description`.
pub(crate) async fn update_global_access(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    require_admin(&caller)?;
    let entry = find_access(&call)?;
    let map = request::object(&payload, &["cidrBlock", "description"])?;
    let cidr = request::opt_string(&map, "cidrBlock")?;
    let description = request::opt_string(&map, "description")?;
    if cidr.is_none() && description.is_none() {
        return Err(OpsMgrError::MissingOneOf("cidrBlock", "description"));
    }
    let block = cidr.as_deref().map(canonical_block).transpose()?;
    if let Some(d) = &description {
        check_description(d)?;
    }
    let now = call.inst.env.clock.now_secs();
    let updated = GlobalAccessRow {
        cidr_block: block.unwrap_or(entry.cidr_block.clone()),
        description: description.unwrap_or(entry.description.clone()),
        updated: rfc3339_ms(now.saturating_mul(1000)),
        ..entry
    };
    call.inst.store.write(|tx| {
        let taken = store::global_access(tx)?
            .iter()
            .any(|e| e.id != updated.id && e.cidr_block == updated.cidr_block);
        if taken {
            return Err(OpsMgrError::AddressAlreadyInAccessList(
                updated.cidr_block.clone(),
            ));
        }
        store::put_global_access(tx, &updated)?;
        Ok(())
    })?;
    Ok(Reply::ok(access_view(&call.central(), &updated)))
}

/// `DELETE /admin/accessList/{ID}`: 204; a global key cannot remove the last entry that
/// lets it in.
pub(crate) async fn delete_global_access(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    require_admin(&caller)?;
    let entry = find_access(&call)?;
    if let (Principal::GlobalKey(_), Some(ip)) = (caller.principal(), caller.ip) {
        let lets_in = |e: &GlobalAccessRow| {
            Address::from_cidr(&e.cidr_block).is_some_and(|a| a.net.contains(&ip))
        };
        let others = call
            .inst
            .store
            .read(store::global_access)?
            .iter()
            .filter(|e| e.id != entry.id)
            .any(lets_in);
        if lets_in(&entry) && !others {
            return Err(OpsMgrError::CannotRemoveCaller);
        }
    }
    call.inst
        .store
        .write(|tx| store::delete_global_access(tx, &entry.id))?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

fn find_access(call: &Call) -> Result<GlobalAccessRow, OpsMgrError> {
    let id = call.segment("entry_id");
    call.inst
        .store
        .read(store::global_access)?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(OpsMgrError::UserAccessListNotFound)
}

fn canonical_block(text: &str) -> Result<String, OpsMgrError> {
    Address::from_cidr(text)
        .map(|a| a.cidr_text())
        .ok_or(OpsMgrError::InvalidAttribute("cidrBlock".into()))
}

fn check_description(text: &str) -> Result<(), OpsMgrError> {
    if (1..=250).contains(&text.chars().count()) {
        Ok(())
    } else {
        Err(OpsMgrError::InvalidAttribute("description".into()))
    }
}

fn access_view(central: &str, e: &GlobalAccessRow) -> Value {
    json!({
        "cidrBlock": e.cidr_block,
        "created": e.created,
        "description": e.description,
        "id": e.id,
        "links": [wire::self_link(format!("{central}{BASE}/admin/accessList/{}", e.id))],
        "type": "GLOBAL_ROLE",
        "updated": e.updated,
    })
}
