//! Projects, a.k.a. groups: list with `tag` filter, get, by name, create (Ops Manager API
//! reference, "Projects": <https://www.mongodb.com/docs/ops-manager/current/reference/api/groups/>).

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::model::is_object_id;
use crate::request::{self, query_values, Body, Call};
use crate::store::{self, ProjectRow};
use crate::wire::{self, Reply};
use actix_web::http::StatusCode;

/// Fields a client may send when creating a project: `name`, `orgId` and `tags` are used;
/// the others are the read-only fields of a project that clients echo back (ignored).
const PROJECT_FIELDS: [&str; 13] = [
    "name",
    "orgId",
    "tags",
    "id",
    "links",
    "activeAgentCount",
    "agentApiKey",
    "hostCounts",
    "publicApiEnabled",
    "replicaSetCount",
    "shardCount",
    "lastActiveAgent",
    "ldapGroupMappings",
];

/// `GET /groups`: projects the caller can read; every `tag` given must be on the project.
pub(crate) async fn list_projects(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let paging = call.paging()?;
    let tags = query_values(&call.req, "tag");
    let central = call.central();
    let items = call
        .inst
        .store
        .read(store::list_projects)?
        .into_iter()
        .filter(|p| caller.can_read_project(p))
        .filter(|p| tags.iter().all(|t| p.tags.contains(t)))
        .map(|p| project_view(&call, &central, &p))
        .collect::<Result<_, OpsMgrError>>()?;
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}`.
pub(crate) async fn get_project(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let p = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    Ok(Reply::ok(project_view(&call, &call.central(), &p)?))
}

/// `GET /groups/byName/{GROUP-NAME}`.
pub(crate) async fn get_project_by_name(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let name = call.segment("name");
    match call
        .inst
        .store
        .read(|c| store::find_project_by_name(c, &name))?
    {
        None => Err(OpsMgrError::GroupNameNotFound(name)),
        Some(p) if caller.can_read_project(&p) => {
            Ok(Reply::ok(project_view(&call, &call.central(), &p)?))
        }
        Some(p) => Err(OpsMgrError::NotInGroup(p.id)),
    }
}

/// `POST /groups`: 201 with the new project.
pub(crate) async fn create_project(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let map = request::object(&payload, &PROJECT_FIELDS)?;
    let name = request::opt_string(&map, "name")?.ok_or(OpsMgrError::MissingAttribute("name"))?;
    let org_id =
        request::opt_string(&map, "orgId")?.ok_or(OpsMgrError::MissingAttribute("orgId"))?;
    let tags = request::opt_strings(&map, "tags")?.unwrap_or_default();
    let inst = &call.inst;
    if !is_object_id(&org_id) || inst.store.read(|c| store::find_org(c, &org_id))?.is_none() {
        return Err(OpsMgrError::OrgNotFound(org_id));
    }
    if !caller.is_org_owner(&org_id) && !caller.has_org_role(&org_id, &["ORG_GROUP_CREATOR"]) {
        return Err(OpsMgrError::UserUnauthorized);
    }
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 {
        return Err(OpsMgrError::InvalidGroupName(name));
    }
    let ids = &inst.env.ids;
    let now = inst.env.clock.now_secs();
    let project = inst.store.write(|tx| {
        if store::find_project_by_name(tx, trimmed)?.is_some() {
            return Err(OpsMgrError::GroupAlreadyExists(trimmed.to_owned()));
        }
        let project = ProjectRow {
            id: store::new_object_id(tx, ids, now)?,
            org_id: org_id.clone(),
            name: trimmed.to_owned(),
            agent_api_key: ids.hex(16),
            created: auth_core::clock::rfc3339_ms(now.saturating_mul(1000)),
            tags,
        };
        store::insert_project(tx, &project)?;
        Ok(project)
    })?;
    Ok(Reply::Json(
        StatusCode::CREATED,
        project_view(&call, &call.central(), &project)?,
    ))
}

/// `DELETE /groups/{GROUP-ID}`: Project Owner (`GROUP_OWNER`, or `ORG_OWNER` of its org);
/// refused while it monitors deployments ("You can't delete a project that has managed
/// deployments", "Delete One Project"); 204.
pub(crate) async fn delete_project(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let owner = caller.is_org_owner(&project.org_id)
        || caller
            .roles()
            .iter()
            .any(|r| r.group_id.as_deref() == Some(project.id.as_str()) && r.name == "GROUP_OWNER");
    if !owner {
        return Err(OpsMgrError::UserUnauthorized);
    }
    call.inst.store.write(|tx| {
        if store::has_deployments(tx, &project.id)? {
            return Err(OpsMgrError::GroupHasDeployments(project.id.clone()));
        }
        store::delete_project(tx, &project.id)?;
        Ok(())
    })?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `GET /groups/{GROUP-ID}/users`: users with a role on the project; any project role.
pub(crate) async fn list_project_users(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call.inst.store.read(|c| {
        store::users_of_project(c, &project.id)?
            .iter()
            .map(|u| crate::users::view(c, &central, u))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// A project as the API shows it, with the counts of what it monitors.
///
/// # Errors
/// Store errors.
pub(crate) fn project_view(
    call: &Call,
    central: &str,
    p: &ProjectRow,
) -> Result<serde_json::Value, OpsMgrError> {
    let counts = call
        .inst
        .store
        .read(|c| store::deployment_counts(c, &p.id))?;
    Ok(wire::project(central, p, &counts))
}
