//! Organization API keys: `/orgs/{ORG-ID}/apiKeys[/{API-KEY-ID}]` (Ops Manager API
//! reference, "Organization API Keys":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/org-api-keys/>).

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::model::{is_object_id, Role};
use crate::request::{self, Body, Call};
use crate::store::{self, KeyRow, OrgRow};
use crate::wire::{self, Reply};
use crate::OpsMgr;
use actix_web::HttpRequest;
use auth_core::Instance;
use serde_json::Value;

/// Most keys one organization may hold ("up to 500 API Keys", Ops Manager API reference, "Create One Organization API Key
/// Access List Entry").
pub const MAX_KEYS_PER_ORG: u64 = 500;

/// The key id of the path, checked for syntax (a malformed id is an unknown resource).
///
/// # Errors
/// `RESOURCE_NOT_FOUND`.
pub fn key_id(req: &HttpRequest) -> Result<String, OpsMgrError> {
    let id = request::segment(req, "key_id");
    if is_object_id(&id) {
        Ok(id)
    } else {
        Err(OpsMgrError::ResourceNotFound(req.path().to_owned()))
    }
}

/// The org of the path, with both path ids checked for syntax first.
fn org_and_key(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
) -> Result<(OrgRow, String), OpsMgrError> {
    let org_id = request::segment(req, "org_id");
    if !is_object_id(&org_id) {
        return Err(OpsMgrError::ResourceNotFound(req.path().to_owned()));
    }
    let key_id = key_id(req)?;
    Ok((request::org(inst, req, caller, &org_id)?, key_id))
}

/// The key `key_id` of `org`.
///
/// # Errors
/// `API_KEY_NOT_FOUND` (400) when it is missing or belongs to another org.
pub fn key_in_org(
    inst: &Instance<OpsMgr>,
    org_id: &str,
    key_id: &str,
) -> Result<KeyRow, OpsMgrError> {
    match inst.store.read(|c| store::find_key(c, key_id))? {
        Some(key) if key.org_id == org_id => Ok(key),
        _ => Err(OpsMgrError::ApiKeyNotFound(key_id.to_owned())),
    }
}

/// A key as the API shows it (roles read from the store).
///
/// # Errors
/// Store errors.
pub fn key_view(
    inst: &Instance<OpsMgr>,
    req: &HttpRequest,
    key: &KeyRow,
    reveal: bool,
) -> Result<Value, OpsMgrError> {
    let roles = inst.store.read(|c| store::roles_of(c, &key.id))?;
    let central = wire::central_url(req, inst.settings.central_url.as_deref());
    Ok(wire::api_key(&central, key, &roles, reveal))
}

/// Keys as a list shows them (redacted), with their roles.
///
/// # Errors
/// SQLite errors.
pub fn key_views(
    conn: &rusqlite::Connection,
    central: &str,
    keys: &[KeyRow],
) -> rusqlite::Result<Vec<Value>> {
    keys.iter()
        .map(|key| {
            let roles = store::roles_of(conn, &key.id)?;
            Ok(wire::api_key(central, key, &roles, false))
        })
        .collect()
}

fn require_owner(caller: &Caller, org_id: &str) -> Result<(), OpsMgrError> {
    if caller.is_org_owner(org_id) {
        Ok(())
    } else {
        Err(OpsMgrError::NotOrgAdmin(org_id.to_owned()))
    }
}

/// Create a key in `org_id` with `roles`, in one transaction with the 500-key limit.
///
/// # Errors
/// `TOO_MANY_API_KEYS` or store errors.
pub fn create_key(
    inst: &Instance<OpsMgr>,
    org_id: &str,
    desc: &str,
    roles: &[Role],
) -> Result<KeyRow, OpsMgrError> {
    let ids = &inst.env.ids;
    let now = inst.env.clock.now_secs();
    inst.store.write(|tx| {
        if store::count_keys_of_org(tx, org_id)? >= MAX_KEYS_PER_ORG {
            return Err(OpsMgrError::TooManyApiKeys);
        }
        let mut public_key = ids.letters(8);
        while store::public_key_taken(tx, &public_key)? {
            public_key = ids.letters(8);
        }
        let key = KeyRow {
            id: store::new_object_id(tx, ids, now)?,
            org_id: org_id.to_owned(),
            desc: desc.to_owned(),
            public_key,
            private_key: ids.uuid(),
        };
        store::insert_key(tx, &key)?;
        for role in roles {
            store::grant(tx, &key.id, role)?;
        }
        Ok(key)
    })
}

fn org_role(org_id: &str, name: String) -> Role {
    Role {
        org_id: Some(org_id.to_owned()),
        group_id: None,
        name,
    }
}

/// The body of `POST /orgs/{ORG-ID}/apiKeys`: `desc` and the validated org roles, with
/// the errors in a fixed order.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE` and the role errors.
pub fn create_body(payload: &[u8]) -> Result<(String, Vec<String>), OpsMgrError> {
    let map = request::object(payload, &["desc", "roles"])?;
    let desc = request::opt_string(&map, "desc")?.ok_or(OpsMgrError::MissingAttribute("desc"))?;
    let roles =
        request::opt_strings(&map, "roles")?.ok_or(OpsMgrError::MissingAttribute("roles"))?;
    request::check_desc(&desc)?;
    Ok((desc, request::org_roles(&roles)?))
}

/// The body of `PATCH /orgs/{ORG-ID}/apiKeys/{ID}`: a new `desc` and/or org roles.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ONE_OF_ATTRIBUTES` and the role errors.
pub fn update_body(payload: &[u8]) -> Result<(Option<String>, Option<Vec<String>>), OpsMgrError> {
    let map = request::object(payload, &["desc", "roles"])?;
    let desc = request::opt_string(&map, "desc")?;
    let roles = request::opt_strings(&map, "roles")?;
    if desc.is_none() && roles.is_none() {
        return Err(OpsMgrError::MissingOneOf("desc", "roles"));
    }
    if let Some(desc) = &desc {
        request::check_desc(desc)?;
    }
    Ok((desc, roles.map(|r| request::org_roles(&r)).transpose()?))
}

/// `GET /orgs/{ORG-ID}/apiKeys`.
pub(crate) async fn list_org_keys(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    let paging = call.paging()?;
    let central = call.central();
    call.page(&central, |c| {
        let keys = store::keys_of_org_page(
            c,
            &call.inst.product.key_anchors,
            &org.id,
            paging.items_per_page,
            paging.offset(),
        )?;
        let items = key_views(c, &central, &keys)?;
        let total = store::count_keys_of_org(c, &org.id)?;
        Ok(wire::page(&call.req, &central, paging, total, items))
    })
}

/// `GET /orgs/{ORG-ID}/apiKeys/{API-KEY-ID}`.
pub(crate) async fn get_org_key(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (org, key_id) = org_and_key(&call.inst, &caller, &call.req)?;
    let key = key_in_org(&call.inst, &org.id, &key_id)?;
    Ok(Reply::ok(key_view(&call.inst, &call.req, &key, false)?))
}

/// `POST /orgs/{ORG-ID}/apiKeys`: the only answer that shows the private key in full.
pub(crate) async fn create_org_key(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    require_owner(&caller, &org.id)?;
    let (desc, roles) = create_body(&payload)?;
    let roles: Vec<Role> = roles
        .into_iter()
        .map(|name| org_role(&org.id, name))
        .collect();
    let key = create_key(&call.inst, &org.id, &desc, &roles)?;
    Ok(Reply::ok(key_view(&call.inst, &call.req, &key, true)?))
}

/// `PATCH /orgs/{ORG-ID}/apiKeys/{API-KEY-ID}`: new `desc` and/or org roles.
pub(crate) async fn update_org_key(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let (org, key_id) = org_and_key(&call.inst, &caller, &call.req)?;
    require_owner(&caller, &org.id)?;
    let (desc, roles) = update_body(&payload)?;
    let key = key_in_org(&call.inst, &org.id, &key_id)?;
    call.inst.store.write(|tx| {
        if let Some(desc) = &desc {
            store::set_key_desc(tx, &key.id, desc)?;
        }
        if let Some(roles) = roles {
            store::revoke_org_roles(tx, &key.id)?;
            for name in roles {
                store::grant(tx, &key.id, &org_role(&org.id, name))?;
            }
        }
        Ok::<_, OpsMgrError>(())
    })?;
    let key = key_in_org(&call.inst, &org.id, &key_id)?;
    Ok(Reply::ok(key_view(&call.inst, &call.req, &key, false)?))
}

/// `DELETE /orgs/{ORG-ID}/apiKeys/{API-KEY-ID}`: 200 with no body, as the reference page
/// "Delete One Organization API Key" shows (some servers answer 204).
pub(crate) async fn delete_org_key(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (org, key_id) = org_and_key(&call.inst, &caller, &call.req)?;
    require_owner(&caller, &org.id)?;
    let key = key_in_org(&call.inst, &org.id, &key_id)?;
    call.inst.store.write(|tx| store::delete_key(tx, &key.id))?;
    Ok(Reply::Empty(actix_web::http::StatusCode::OK))
}
