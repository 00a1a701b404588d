//! Organization API keys on projects: `/groups/{GROUP-ID}/apiKeys[/{ID}]` (Ops Manager API
//! reference, "Organization API Keys on Projects":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/project-api-keys/>).

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::model::Role;
use crate::org_keys;
use crate::request::{self, Body, Call};
use crate::store::{self, KeyRow, ProjectRow};
use crate::wire::{self, Reply};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use auth_core::Instance;

fn managed_project(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
) -> Result<ProjectRow, OpsMgrError> {
    let project = request::project(inst, caller, &request::segment(req, "group_id"))?;
    if caller.can_manage_project_keys(&project) {
        Ok(project)
    } else {
        Err(OpsMgrError::UserUnauthorized)
    }
}

/// Both path ids checked for syntax before anything is looked up.
fn key_id_after_group_syntax(req: &HttpRequest) -> Result<String, OpsMgrError> {
    let group_id = request::segment(req, "group_id");
    if !crate::model::is_object_id(&group_id) {
        return Err(OpsMgrError::InvalidGroupId(group_id));
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
/// for `group_id`, with the errors in a fixed order.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE` and the role errors.
pub fn create_body(payload: &[u8], group_id: &str) -> Result<(String, Vec<String>), OpsMgrError> {
    let map = request::object(payload, &["desc", "roles"])?;
    let desc = request::opt_string(&map, "desc")?.ok_or(OpsMgrError::MissingAttribute("desc"))?;
    let roles =
        request::opt_strings(&map, "roles")?.ok_or(OpsMgrError::MissingAttribute("roles"))?;
    request::check_desc(&desc)?;
    Ok((desc, request::group_roles(&roles, group_id)?))
}

/// The body of `PATCH`/`POST /groups/{GROUP-ID}/apiKeys/{ID}`: the project roles.
///
/// # Errors
/// `INVALID_JSON`, `INVALID_ATTRIBUTE`, `MISSING_ATTRIBUTE` and the role errors.
pub fn assign_body(payload: &[u8], group_id: &str) -> Result<Vec<String>, OpsMgrError> {
    let map = request::object(payload, &["roles"])?;
    let roles =
        request::opt_strings(&map, "roles")?.ok_or(OpsMgrError::MissingAttribute("roles"))?;
    request::group_roles(&roles, group_id)
}

fn assign(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
    payload: &[u8],
) -> Result<KeyRow, OpsMgrError> {
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

/// `GET /groups/{GROUP-ID}/apiKeys`: keys with at least one role on the project, with their
/// whole role sets, private keys redacted.
pub(crate) async fn list_project_keys(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let central = call.central();
    call.page(&central, |c| {
        let keys = store::keys_on_project_page(
            c,
            &call.inst.product.key_anchors,
            &project.id,
            paging.items_per_page,
            paging.offset(),
        )?;
        let items = org_keys::key_views(c, &central, &keys)?;
        let total = store::count_keys_on_project(c, &project.id)?;
        Ok(wire::page(&call.req, &central, paging, total, items))
    })
}

/// `POST /groups/{GROUP-ID}/apiKeys`: create a key in the project's org and assign it. "All
/// requests to this endpoint must originate from an IP address on the Ops Manager user's
/// API access list" (reference page "Create and Assign One Organization API Key to One
/// Project").
pub(crate) async fn create_project_key(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let inst = &call.inst;
    if inst.settings.require_access_list_for_sensitive && !caller.access_listed {
        let ip = caller.ip.map(|ip| ip.to_string()).unwrap_or_default();
        return Err(OpsMgrError::IpNotOnAccessList(ip));
    }
    let project = managed_project(inst, &caller, &call.req)?;
    let (desc, roles) = create_body(&payload, &project.id)?;
    // Every key created this way in the reference page's example also holds ORG_MEMBER.
    let member = Role {
        org_id: Some(project.org_id.clone()),
        group_id: None,
        name: "ORG_MEMBER".into(),
    };
    let roles: Vec<Role> = std::iter::once(member)
        .chain(roles.into_iter().map(|name| group_role(&project.id, name)))
        .collect();
    let key = org_keys::create_key(inst, &project.org_id, &desc, &roles)?;
    Ok(Reply::ok(org_keys::key_view(inst, &call.req, &key, true)?))
}

/// `PATCH /groups/{GROUP-ID}/apiKeys/{API-KEY-ID}`: assign, or replace the key's roles on
/// the project; 200 with the key.
pub(crate) async fn update_project_key(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let key = assign(&call.inst, &caller, &call.req, &payload)?;
    Ok(Reply::ok(org_keys::key_view(
        &call.inst, &call.req, &key, false,
    )?))
}

/// `POST /groups/{GROUP-ID}/apiKeys/{API-KEY-ID}`: the same assignment, answered
/// `204 No Content` as the reference page "Assign One Organization API Key to One Project"
/// documents.
pub(crate) async fn assign_project_key(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    assign(&call.inst, &caller, &call.req, &payload)?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `DELETE /groups/{GROUP-ID}/apiKeys/{API-KEY-ID}`: remove the key's roles on the project;
/// 200 with no body. The key stays in the org; a key not assigned to the project is a no-op
/// (not documented either way).
pub(crate) async fn unassign_project_key(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let key_id = key_id_after_group_syntax(&call.req)?;
    let project = managed_project(&call.inst, &caller, &call.req)?;
    let key = org_keys::key_in_org(&call.inst, &project.org_id, &key_id)?;
    call.inst
        .store
        .write(|tx| store::revoke_group_roles(tx, &key.id, &project.id))?;
    Ok(Reply::Empty(StatusCode::OK))
}
