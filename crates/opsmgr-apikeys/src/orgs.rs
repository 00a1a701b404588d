//! Organizations: list, get, create, rename, delete, their projects and users (Ops Manager
//! API reference, "Organizations":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/organizations/>).

use crate::auth::{Caller, Principal};
use crate::error::OpsMgrError;
use crate::model::Role;
use crate::request::{self, Body, Call};
use crate::store::{self, OrgRow};
use crate::wire::{self, Reply};
use actix_web::http::StatusCode;

/// `GET /orgs`: the orgs the caller has a role in (all for global readers); `name` is a
/// case-insensitive exact match; `includeDeletedOrgs` (default true) only matters to
/// global readers.
pub(crate) async fn list_orgs(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let paging = call.paging()?;
    let name = call.query("name").map(|n| n.to_lowercase());
    let include_deleted = call
        .query("includeDeletedOrgs")
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let central = call.central();
    let items = call
        .inst
        .store
        .read(store::list_orgs)?
        .into_iter()
        .filter(|o| caller.can_read_org(&o.id))
        .filter(|o| name.as_ref().is_none_or(|n| o.name.to_lowercase() == *n))
        .filter(|o| !o.is_deleted || (include_deleted && caller.is_global_reader()))
        .map(|o| wire::org(&central, &o))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /orgs/{ORG-ID}`.
pub(crate) async fn get_org(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    Ok(Reply::ok(wire::org(&call.central(), &org)))
}

/// `GET /orgs/{ORG-ID}/groups`: the org's projects; `name` is a case-insensitive prefix.
pub(crate) async fn list_org_projects(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    let paging = call.paging()?;
    let prefix = call.query("name").map(|n| n.to_lowercase());
    let central = call.central();
    let items = call
        .inst
        .store
        .read(store::list_projects)?
        .into_iter()
        .filter(|p| p.org_id == org.id)
        .filter(|p| {
            prefix
                .as_ref()
                .is_none_or(|n| p.name.to_lowercase().starts_with(n.as_str()))
        })
        .map(|p| crate::groups::project_view(&call, &central, &p))
        .collect::<Result<_, OpsMgrError>>()?;
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `POST /orgs`: `{"name"}`; 201 with the org. A global owner or a user may create one (the
/// user becomes its `ORG_OWNER`); an organization API key belongs to one org and may not.
pub(crate) async fn create_org(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let user = match caller.principal() {
        Principal::User(u) => Some(u.id.clone()),
        Principal::Key(_) | Principal::GlobalKey(_) if caller.is_global_owner() => None,
        Principal::Key(_) | Principal::GlobalKey(_) => return Err(OpsMgrError::UserUnauthorized),
    };
    let name = org_name(&payload)?;
    let inst = &call.inst;
    let now = inst.env.clock.now_secs();
    let org = inst.store.write(|tx| {
        let org = OrgRow {
            id: store::new_object_id(tx, &inst.env.ids, now)?,
            name,
            is_deleted: false,
        };
        store::insert_org(tx, &org)?;
        if let Some(user) = &user {
            let owner = Role {
                org_id: Some(org.id.clone()),
                group_id: None,
                name: "ORG_OWNER".into(),
            };
            store::grant(tx, user, &owner)?;
        }
        Ok::<_, rusqlite::Error>(org)
    })?;
    Ok(Reply::Json(
        StatusCode::CREATED,
        wire::org(&call.central(), &org),
    ))
}

/// `PATCH /orgs/{ORG-ID}`: `{"name"}`; `ORG_OWNER`.
pub(crate) async fn rename_org(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    if !caller.is_org_owner(&org.id) {
        return Err(OpsMgrError::NotOrgAdmin(org.id));
    }
    let name = org_name(&payload)?;
    call.inst
        .store
        .write(|tx| store::rename_org(tx, &org.id, &name))?;
    let renamed = OrgRow { name, ..org };
    Ok(Reply::ok(wire::org(&call.central(), &renamed)))
}

/// `DELETE /orgs/{ORG-ID}`: `ORG_OWNER`; refused while the org has projects; 204. The org
/// is marked deleted, its keys go and every role in it is revoked.
pub(crate) async fn delete_org(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    if !caller.is_org_owner(&org.id) {
        return Err(OpsMgrError::NotOrgAdmin(org.id));
    }
    call.inst.store.write(|tx| {
        if store::count_projects_of_org(tx, &org.id)? > 0 {
            return Err(OpsMgrError::OrgHasProjects(org.id.clone()));
        }
        store::delete_org(tx, &org.id)?;
        Ok(())
    })?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `GET /orgs/{ORG-ID}/users`: users with a role in the org or one of its projects; any
/// org role.
pub(crate) async fn list_org_users(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call.inst.store.read(|c| {
        store::users_of_org(c, &org.id)?
            .iter()
            .map(|u| crate::users::view(c, &central, u))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// The `name` of an org body: 1 to 64 characters after trimming.
fn org_name(payload: &[u8]) -> Result<String, OpsMgrError> {
    let map = request::object(payload, &["name", "id", "links", "isDeleted"])?;
    let name = request::opt_string(&map, "name")?.ok_or(OpsMgrError::MissingAttribute("name"))?;
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 {
        return Err(OpsMgrError::InvalidAttribute("name".into()));
    }
    Ok(trimmed.to_owned())
}
