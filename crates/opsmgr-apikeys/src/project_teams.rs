//! Teams' roles on a project (Ops Manager API reference, "Projects": "Get All Teams Assigned
//! to One Project", "Add Teams to a Project", "Update Roles for One Team", "Remove One Team
//! from One Project",
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/groups/>):
//! `/groups/{GROUP-ID}/teams[/{TEAM-ID}]`. Any project role may read; a Project Owner
//! (`GROUP_OWNER`, `GROUP_USER_ADMIN`, or `ORG_OWNER` of the project's org) may write. A
//! team's project roles are held by the team (rows of `grant_role` whose holder is the team)
//! and every member of the team acts with them on that project.

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::request::{self, Body, Call};
use crate::store::{self, ProjectRow};
use crate::wire::{self, Reply, BASE};
use serde_json::{json, Map, Value};

/// `GET /groups/{GROUP-ID}/teams`.
pub(crate) async fn list_project_teams(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    listing(&call, &project, None, paging)
}

/// `POST /groups/{GROUP-ID}/teams`: a JSON array of `{"teamId", "roleNames"}`; each team of
/// the project's org gets those roles on the project (a team already assigned has its roles
/// replaced); 200 with every team of the project (UNCONFIRMED status).
pub(crate) async fn add_project_teams(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let project = owned_project(&caller, &call)?;
    let items = request::array(&payload)?;
    let mut assignments = Vec::with_capacity(items.len());
    for item in &items {
        let text = serde_json::to_vec(item).map_err(|_| OpsMgrError::InvalidJson)?;
        let map = request::object(&text, &["teamId", "roleNames"])?;
        let team =
            request::opt_string(&map, "teamId")?.ok_or(OpsMgrError::MissingAttribute("teamId"))?;
        assignments.push((team, role_names(&map, &project)?));
    }
    let teams = call
        .inst
        .store
        .read(|c| store::teams_of(c, &project.org_id))?;
    if let Some((unknown, _)) = assignments
        .iter()
        .find(|(id, _)| !teams.iter().any(|t| &t.id == id))
    {
        return Err(OpsMgrError::ResourceNotFound(format!(
            "{BASE}/orgs/{}/teams/{unknown}",
            project.org_id
        )));
    }
    call.inst.store.write(|tx| {
        for (team, roles) in &assignments {
            store::set_team_roles(tx, team, &project.id, roles)?;
        }
        Ok::<_, OpsMgrError>(())
    })?;
    listing(&call, &project, None, call.paging()?)
}

/// `PATCH /groups/{GROUP-ID}/teams/{TEAM-ID}`: `{"roleNames": [...]}` replaces the team's
/// roles on the project; 200 with that team's assignment as a list; a team not assigned to
/// the project → 404 `RESOURCE_NOT_FOUND`.
pub(crate) async fn update_project_team(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let project = owned_project(&caller, &call)?;
    let team = call.segment("team_id");
    let map = request::object(&payload, &["roleNames"])?;
    let roles = role_names(&map, &project)?;
    let assigned = call.inst.store.write(|tx| {
        let assigned = !store::team_roles_on(tx, &team, &project.id)?.is_empty();
        if assigned {
            store::set_team_roles(tx, &team, &project.id, &roles)?;
        }
        Ok::<_, OpsMgrError>(assigned)
    })?;
    if !assigned {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    }
    listing(&call, &project, Some(&team), call.paging()?)
}

/// `DELETE /groups/{GROUP-ID}/teams/{TEAM-ID}`: the team loses its roles on the project;
/// 200 with no body (UNCONFIRMED status); a team not assigned → 404 `RESOURCE_NOT_FOUND`.
pub(crate) async fn remove_project_team(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = owned_project(&caller, &call)?;
    let team = call.segment("team_id");
    let removed = call
        .inst
        .store
        .write(|tx| store::set_team_roles(tx, &team, &project.id, &[]))?;
    if !removed {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    }
    Ok(Reply::Empty(actix_web::http::StatusCode::OK))
}

/// The project `{group_id}`, if the caller is its Project Owner.
///
/// # Errors
/// The project's errors, then `USER_UNAUTHORIZED`.
fn owned_project(caller: &Caller, call: &Call) -> Result<ProjectRow, OpsMgrError> {
    let project = request::project(&call.inst, caller, &call.segment("group_id"))?;
    if !caller.can_manage_project_keys(&project) {
        return Err(OpsMgrError::UserUnauthorized);
    }
    Ok(project)
}

/// `roleNames`: required, at least one, project roles only.
///
/// # Errors
/// `MISSING_ATTRIBUTE`, `INVALID_ATTRIBUTE` (empty), and the role errors of
/// [`request::group_roles`].
fn role_names(map: &Map<String, Value>, project: &ProjectRow) -> Result<Vec<String>, OpsMgrError> {
    let names = request::opt_strings(map, "roleNames")?
        .ok_or(OpsMgrError::MissingAttribute("roleNames"))?;
    if names.is_empty() {
        return Err(OpsMgrError::InvalidAttribute("roleNames".into()));
    }
    request::group_roles(&names, &project.id)
}

/// The list of the project's team assignments (or only `only`'s).
fn listing(
    call: &Call,
    project: &ProjectRow,
    only: Option<&str>,
    paging: wire::Paging,
) -> Result<Reply, OpsMgrError> {
    let central = call.central();
    let items = call
        .inst
        .store
        .read(|c| store::team_roles_of_project(c, &project.id))?
        .into_iter()
        .filter(|(team, _)| only.is_none_or(|o| o == team))
        .map(|(team, roles)| {
            json!({
                "links": [wire::self_link(format!(
                    "{central}{BASE}/groups/{}/teams/{team}",
                    project.id
                ))],
                "roleNames": roles,
                "teamId": team,
            })
        })
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}
