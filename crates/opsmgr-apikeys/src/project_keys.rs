//! Organization API keys on projects (spec §6.4): `/groups/{GROUP-ID}/apiKeys[/{ID}]`.

use crate::auth::Caller;
use crate::body;
use crate::error::ApiError;
use crate::lookup;
use crate::model::Role;
use crate::org_keys;
use crate::store::{self, KeyRow, ProjectRow};
use crate::wire::{self, Out, Paging};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::{Inst, Instance};

/// `GET /groups/{GROUP-ID}/apiKeys`: keys with at least one role on the project, with their
/// whole role sets, private keys redacted.
pub async fn list_project_keys(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result = list(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

fn list(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let project = lookup::project(inst, caller, &lookup::segment(req, "group_id"))?;
    let paging = Paging::of(req)?;
    let central = inst.product.central_url(inst, req);
    let (total, items) = inst.store.read(|c| {
        let keys =
            store::keys_on_project_page(c, &project.id, paging.items_per_page, paging.offset())?;
        let items = org_keys::key_views(c, &central, &keys)?;
        Ok::<_, rusqlite::Error>((store::count_keys_on_project(c, &project.id)?, items))
    })?;
    Ok(Out::Json(
        StatusCode::OK,
        wire::page(req, &central, paging, total, items),
    ))
}

/// `POST /groups/{GROUP-ID}/apiKeys`: create a key in the project's org and assign it; the
/// caller must call from an access-listed address (seed 004).
pub async fn create_project_key(
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

/// `PATCH /groups/{GROUP-ID}/apiKeys/{API-KEY-ID}`: assign, or replace the key's roles on
/// the project; 200 with the key.
pub async fn update_project_key(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
    stream: web::Payload,
) -> HttpResponse {
    let payload = match body::read(stream).await {
        Ok(bytes) => bytes,
        Err(err) => return inst.product.render(&inst, &req, Err(err)),
    };
    let result = assign(&inst, &caller, &req, &payload).and_then(|key| {
        org_keys::key_view(&inst, &req, &key, false).map(|v| Out::Json(StatusCode::OK, v))
    });
    inst.product.render(&inst, &req, result)
}

/// `POST /groups/{GROUP-ID}/apiKeys/{API-KEY-ID}`: the same assignment, answered
/// `204 No Content` as seed 003 documents.
pub async fn assign_project_key(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
    stream: web::Payload,
) -> HttpResponse {
    let payload = match body::read(stream).await {
        Ok(bytes) => bytes,
        Err(err) => return inst.product.render(&inst, &req, Err(err)),
    };
    let result = assign(&inst, &caller, &req, &payload).map(|_| Out::Empty(StatusCode::NO_CONTENT));
    inst.product.render(&inst, &req, result)
}

/// `DELETE /groups/{GROUP-ID}/apiKeys/{API-KEY-ID}`: remove the key's roles on the project;
/// 200 with no body. The key stays in the org.
pub async fn unassign_project_key(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result = unassign(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

fn managed_project(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
) -> Result<ProjectRow, ApiError> {
    let project = lookup::project(inst, caller, &lookup::segment(req, "group_id"))?;
    if caller.can_manage_project_keys(&project) {
        Ok(project)
    } else {
        Err(ApiError::UserUnauthorized)
    }
}

/// Both path ids checked for syntax before anything exists (§3.1 step 4).
fn key_id_after_group_syntax(req: &HttpRequest) -> Result<String, ApiError> {
    let group_id = lookup::segment(req, "group_id");
    if !crate::model::is_object_id(&group_id) {
        return Err(ApiError::InvalidGroupId(group_id));
    }
    org_keys::key_id(req)
}

fn group_role(group_id: &str, name: String) -> Role {
    Role {
        org_id: None,
        group_id: Some(group_id.to_owned()),
        name,
    }
}

/// The body of `POST /groups/{GROUP-ID}/apiKeys`: `desc` and the validated project roles
/// for `group_id`, with the errors in the spec's order.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE` and the role errors.
pub fn create_body(payload: &[u8], group_id: &str) -> Result<(String, Vec<String>), ApiError> {
    let map = body::object(payload, &["desc", "roles"])?;
    let desc = body::opt_string(&map, "desc")?.ok_or(ApiError::MissingAttribute("desc"))?;
    let roles = body::opt_strings(&map, "roles")?.ok_or(ApiError::MissingAttribute("roles"))?;
    body::check_desc(&desc)?;
    Ok((desc, body::group_roles(&roles, group_id)?))
}

/// The body of `PATCH`/`POST /groups/{GROUP-ID}/apiKeys/{ID}`: the project roles.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE` and the role errors.
pub fn assign_body(payload: &[u8], group_id: &str) -> Result<Vec<String>, ApiError> {
    let map = body::object(payload, &["roles"])?;
    let roles = body::opt_strings(&map, "roles")?.ok_or(ApiError::MissingAttribute("roles"))?;
    body::group_roles(&roles, group_id)
}

fn create(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
    payload: &[u8],
) -> Result<Out, ApiError> {
    if inst.settings.require_access_list_for_sensitive && !caller.access_listed {
        let ip = caller.ip.map(|ip| ip.to_string()).unwrap_or_default();
        return Err(ApiError::IpNotOnAccessList(ip));
    }
    let project = managed_project(inst, caller, req)?;
    let (desc, roles) = create_body(payload, &project.id)?;
    let mut roles: Vec<Role> = roles
        .into_iter()
        .map(|name| group_role(&project.id, name))
        .collect();
    // Inferred (spec §6.4): every project-created key in the docs also has ORG_MEMBER.
    roles.insert(
        0,
        Role {
            org_id: Some(project.org_id.clone()),
            group_id: None,
            name: "ORG_MEMBER".into(),
        },
    );
    let key = org_keys::create_key(inst, &project.org_id, &desc, &roles)?;
    Ok(Out::Json(
        StatusCode::OK,
        org_keys::key_view(inst, req, &key, true)?,
    ))
}

fn assign(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
    payload: &[u8],
) -> Result<KeyRow, ApiError> {
    let key_id = key_id_after_group_syntax(req)?;
    let project = managed_project(inst, caller, req)?;
    let roles = assign_body(payload, &project.id)?;
    let key = org_keys::key_in_org(inst, &project.org_id, &key_id)?;
    inst.store.write(|tx| {
        store::revoke_group_roles(tx, &key.id, &project.id)?;
        for name in roles {
            store::grant(tx, &key.id, &group_role(&project.id, name))?;
        }
        Ok::<_, rusqlite::Error>(())
    })?;
    Ok(key)
}

fn unassign(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let key_id = key_id_after_group_syntax(req)?;
    let project = managed_project(inst, caller, req)?;
    let key = org_keys::key_in_org(inst, &project.org_id, &key_id)?;
    // UNCONFIRMED (spec §6.4): a key not assigned to the project is a no-op.
    inst.store
        .write(|tx| store::revoke_group_roles(tx, &key.id, &project.id))?;
    Ok(Out::Empty(StatusCode::OK))
}
