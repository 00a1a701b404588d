//! Organization API keys (spec §6.3): `/orgs/{ORG-ID}/apiKeys[/{API-KEY-ID}]`.

use crate::auth::Caller;
use crate::body;
use crate::error::ApiError;
use crate::lookup;
use crate::model::{is_object_id, Role};
use crate::store::{self, KeyRow, OrgRow};
use crate::view;
use crate::wire::{self, Out, Paging};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::{Inst, Instance};
use serde_json::Value;

/// Most keys one organization may hold ("up to 500 API Keys", S15).
pub const MAX_KEYS_PER_ORG: u64 = 500;

/// `GET /orgs/{ORG-ID}/apiKeys`.
pub async fn list_org_keys(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = list(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

/// `GET /orgs/{ORG-ID}/apiKeys/{API-KEY-ID}`.
pub async fn get_org_key(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = get(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

/// `POST /orgs/{ORG-ID}/apiKeys`: the only answer that shows the private key in full.
pub async fn create_org_key(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
    stream: web::Payload,
) -> HttpResponse {
    let payload = match body::read(stream).await {
        Ok(bytes) => bytes,
        Err(err) => return inst.product.render(&inst, &req, Err(err)),
    };
    let result = create(&inst, &caller, &req, &payload);
    inst.product.render(&inst, &req, result)
}

/// `PATCH /orgs/{ORG-ID}/apiKeys/{API-KEY-ID}`: new `desc` and/or org roles.
pub async fn update_org_key(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
    stream: web::Payload,
) -> HttpResponse {
    let payload = match body::read(stream).await {
        Ok(bytes) => bytes,
        Err(err) => return inst.product.render(&inst, &req, Err(err)),
    };
    let result = update(&inst, &caller, &req, &payload);
    inst.product.render(&inst, &req, result)
}

/// `DELETE /orgs/{ORG-ID}/apiKeys/{API-KEY-ID}`: 200 with no body (S8).
pub async fn delete_org_key(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = delete(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

/// The key id of the path, checked for syntax (a malformed id is an unknown resource).
///
/// # Errors
/// `RESOURCE_NOT_FOUND`.
pub fn key_id(req: &HttpRequest) -> Result<String, ApiError> {
    let id = lookup::segment(req, "key_id");
    if is_object_id(&id) {
        Ok(id)
    } else {
        Err(ApiError::ResourceNotFound(req.path().to_owned()))
    }
}

/// The org of the path with both path ids checked first (§3.1 step 4).
fn org_and_key(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
) -> Result<(OrgRow, String), ApiError> {
    let org_id = lookup::segment(req, "org_id");
    if !is_object_id(&org_id) {
        return Err(ApiError::ResourceNotFound(req.path().to_owned()));
    }
    let key_id = key_id(req)?;
    Ok((lookup::org(inst, req, caller, &org_id)?, key_id))
}

/// The key `key_id` of `org`.
///
/// # Errors
/// `API_KEY_NOT_FOUND` (400) when it is missing or belongs to another org.
pub fn key_in_org(inst: &Instance<OpsMgr>, org_id: &str, key_id: &str) -> Result<KeyRow, ApiError> {
    match inst.store.read(|c| store::find_key(c, key_id))? {
        Some(key) if key.org_id == org_id => Ok(key),
        _ => Err(ApiError::ApiKeyNotFound(key_id.to_owned())),
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
) -> Result<Value, ApiError> {
    let roles = inst.store.read(|c| store::roles_of(c, &key.id))?;
    let central = inst.product.central_url(inst, req);
    Ok(view::api_key(&central, key, &roles, reveal))
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
            Ok(view::api_key(central, key, &roles, false))
        })
        .collect()
}

fn require_owner(caller: &Caller, org_id: &str) -> Result<(), ApiError> {
    if caller.is_org_owner(org_id) {
        Ok(())
    } else {
        Err(ApiError::NotOrgAdmin(org_id.to_owned()))
    }
}

fn list(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let org_id = lookup::segment(req, "org_id");
    let org = lookup::org(inst, req, caller, &org_id)?;
    let paging = Paging::of(req)?;
    let central = inst.product.central_url(inst, req);
    let (total, items) = inst.store.read(|c| {
        let keys = store::keys_of_org_page(c, &org.id, paging.items_per_page, paging.offset())?;
        let items = key_views(c, &central, &keys)?;
        Ok::<_, rusqlite::Error>((store::count_keys_of_org(c, &org.id)?, items))
    })?;
    Ok(Out::Json(
        StatusCode::OK,
        wire::page(req, &central, paging, total, items),
    ))
}

fn get(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let (org, key_id) = org_and_key(inst, caller, req)?;
    let key = key_in_org(inst, &org.id, &key_id)?;
    Ok(Out::Json(StatusCode::OK, key_view(inst, req, &key, false)?))
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
) -> Result<KeyRow, ApiError> {
    let ids = &inst.env.ids;
    let now = inst.env.clock.now_secs();
    inst.store.write(|tx| {
        if store::count_keys_of_org(tx, org_id)? >= MAX_KEYS_PER_ORG {
            return Err(ApiError::TooManyApiKeys);
        }
        let mut public_key = ids.letters(8);
        while store::public_key_taken(tx, &public_key)? {
            public_key = ids.letters(8);
        }
        let mut id = ids.object_id(now);
        while crate::state::id_taken(tx, &id)? {
            id = ids.object_id(now);
        }
        let key = KeyRow {
            id,
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
/// the errors in the spec's order.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE` and the role errors.
pub fn create_body(payload: &[u8]) -> Result<(String, Vec<String>), ApiError> {
    let map = body::object(payload, &["desc", "roles"])?;
    let desc = body::opt_string(&map, "desc")?.ok_or(ApiError::MissingAttribute("desc"))?;
    let roles = body::opt_strings(&map, "roles")?.ok_or(ApiError::MissingAttribute("roles"))?;
    body::check_desc(&desc)?;
    Ok((desc, body::org_roles(&roles)?))
}

/// The body of `PATCH /orgs/{ORG-ID}/apiKeys/{ID}`: a new `desc` and/or org roles.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ONE_OF_ATTRIBUTES` and the role errors.
pub fn update_body(payload: &[u8]) -> Result<(Option<String>, Option<Vec<String>>), ApiError> {
    let map = body::object(payload, &["desc", "roles"])?;
    let desc = body::opt_string(&map, "desc")?;
    let roles = body::opt_strings(&map, "roles")?;
    if desc.is_none() && roles.is_none() {
        return Err(ApiError::MissingOneOf("desc", "roles"));
    }
    if let Some(desc) = &desc {
        body::check_desc(desc)?;
    }
    Ok((desc, roles.map(|r| body::org_roles(&r)).transpose()?))
}

fn create(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
    payload: &[u8],
) -> Result<Out, ApiError> {
    let org_id = lookup::segment(req, "org_id");
    let org = lookup::org(inst, req, caller, &org_id)?;
    require_owner(caller, &org.id)?;
    let (desc, roles) = create_body(payload)?;
    let roles: Vec<Role> = roles
        .into_iter()
        .map(|name| org_role(&org.id, name))
        .collect();
    let key = create_key(inst, &org.id, &desc, &roles)?;
    Ok(Out::Json(StatusCode::OK, key_view(inst, req, &key, true)?))
}

fn update(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
    payload: &[u8],
) -> Result<Out, ApiError> {
    let (org, key_id) = org_and_key(inst, caller, req)?;
    require_owner(caller, &org.id)?;
    let (desc, roles) = update_body(payload)?;
    let key = key_in_org(inst, &org.id, &key_id)?;
    inst.store.write(|tx| {
        if let Some(desc) = &desc {
            store::set_key_desc(tx, &key.id, desc)?;
        }
        if let Some(roles) = roles {
            store::revoke_org_roles(tx, &key.id)?;
            for name in roles {
                store::grant(tx, &key.id, &org_role(&org.id, name))?;
            }
        }
        Ok::<_, ApiError>(())
    })?;
    let key = key_in_org(inst, &org.id, &key_id)?;
    Ok(Out::Json(StatusCode::OK, key_view(inst, req, &key, false)?))
}

fn delete(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let (org, key_id) = org_and_key(inst, caller, req)?;
    require_owner(caller, &org.id)?;
    let key = key_in_org(inst, &org.id, &key_id)?;
    inst.store.write(|tx| store::delete_key(tx, &key.id))?;
    // UNCONFIRMED (spec §8.1): the docs say 200 with no body; some servers answer 204.
    Ok(Out::Empty(StatusCode::OK))
}
