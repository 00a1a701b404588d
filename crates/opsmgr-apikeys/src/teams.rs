//! Teams of an org and their users: `/orgs/{ORG-ID}/teams[/{TEAM-ID}]`, by name, rename,
//! delete, `/orgs/{ORG-ID}/teams/{TEAM-ID}/users[/{USER-ID}]` (Ops Manager API reference,
//! "Teams": <https://www.mongodb.com/docs/ops-manager/current/reference/api/teams/>). Any
//! org role may read; `ORG_OWNER` may write.

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::request::{self, Body, Call};
use crate::store::{self, OrgRow, TeamRow};
use crate::wire::{self, Reply, BASE};
use actix_web::http::StatusCode;
use serde_json::{json, Value};

/// `GET /orgs/{ORG-ID}/teams`.
pub(crate) async fn list_teams(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call
        .inst
        .store
        .read(|c| store::teams_of(c, &org.id))?
        .iter()
        .map(|t| view(&central, t))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /orgs/{ORG-ID}/teams/{TEAM-ID}`.
pub(crate) async fn get_team(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (_, team) = org_and_team(&caller, &call)?;
    Ok(Reply::ok(view(&call.central(), &team)))
}

/// `GET /orgs/{ORG-ID}/teams/byName/{TEAM-NAME}`.
pub(crate) async fn get_team_by_name(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    let name = call.segment("name");
    let team = call
        .inst
        .store
        .read(|c| store::teams_of(c, &org.id))?
        .into_iter()
        .find(|t| t.name == name)
        .ok_or_else(|| OpsMgrError::ResourceNotFound(call.req.path().to_owned()))?;
    Ok(Reply::ok(view(&call.central(), &team)))
}

/// `POST /orgs/{ORG-ID}/teams`: `{"name", "usernames"}` both required; 201 with the team
/// and its `usernames`.
pub(crate) async fn create_team(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let org = owned_org(&caller, &call)?;
    let map = request::object(&payload, &["name", "usernames"])?;
    let name = team_name(request::opt_string(&map, "name")?)?;
    let usernames = request::opt_strings(&map, "usernames")?
        .ok_or(OpsMgrError::MissingAttribute("usernames"))?;
    let inst = &call.inst;
    let now = inst.env.clock.now_secs();
    let team = inst.store.write(|tx| {
        if store::teams_of(tx, &org.id)?.iter().any(|t| t.name == name) {
            return Err(OpsMgrError::TeamNameTaken(name.clone()));
        }
        let team = TeamRow {
            id: store::new_object_id(tx, &inst.env.ids, now)?,
            org_id: org.id.clone(),
            name: name.clone(),
        };
        store::insert_team(tx, &team)?;
        for username in &usernames {
            let user = store::profile_by_name(tx, username)?
                .ok_or_else(|| OpsMgrError::UsernameNotFound(username.clone()))?;
            store::add_team_member(tx, &team.id, &user.id)?;
        }
        Ok(team)
    })?;
    let mut value = view(&call.central(), &team);
    value["usernames"] = json!(usernames);
    Ok(Reply::Json(StatusCode::CREATED, value))
}

/// `PATCH /orgs/{ORG-ID}/teams/{TEAM-ID}`: rename, `{"name"}`.
pub(crate) async fn rename_team(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let (org, team) = org_and_team(&caller, &call)?;
    require_owner(&caller, &org)?;
    let map = request::object(&payload, &["name"])?;
    let name = team_name(request::opt_string(&map, "name")?)?;
    call.inst.store.write(|tx| {
        let taken = store::teams_of(tx, &org.id)?
            .iter()
            .any(|t| t.name == name && t.id != team.id);
        if taken {
            return Err(OpsMgrError::TeamNameTaken(name.clone()));
        }
        store::rename_team(tx, &team.id, &name)?;
        Ok(())
    })?;
    Ok(Reply::ok(view(&call.central(), &TeamRow { name, ..team })))
}

/// `DELETE /orgs/{ORG-ID}/teams/{TEAM-ID}`: 204.
pub(crate) async fn delete_team(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (org, team) = org_and_team(&caller, &call)?;
    require_owner(&caller, &org)?;
    call.inst
        .store
        .write(|tx| store::delete_team(tx, &team.id))?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `GET /orgs/{ORG-ID}/teams/{TEAM-ID}/users`.
pub(crate) async fn list_team_users(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (_, team) = org_and_team(&caller, &call)?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call.inst.store.read(|c| {
        store::team_members(c, &team.id)?
            .iter()
            .map(|u| crate::users::view(c, &central, u))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `POST /orgs/{ORG-ID}/teams/{TEAM-ID}/users`: a JSON array of `{"id": USER-ID}`; 200 with
/// the team's users.
pub(crate) async fn add_team_users(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let (org, team) = org_and_team(&caller, &call)?;
    require_owner(&caller, &org)?;
    let mut ids = Vec::new();
    for item in request::array(&payload)? {
        let Value::Object(map) = item else {
            return Err(OpsMgrError::InvalidJson);
        };
        let text = serde_json::to_vec(&map).map_err(|_| OpsMgrError::InvalidJson)?;
        let map = request::object(&text, &["id"])?;
        ids.push(request::opt_string(&map, "id")?.ok_or(OpsMgrError::MissingAttribute("id"))?);
    }
    call.inst.store.write(|tx| {
        for id in &ids {
            if store::profile_by_id(tx, id)?.is_none() {
                return Err(OpsMgrError::UserNotFound(id.clone()));
            }
            store::add_team_member(tx, &team.id, id)?;
        }
        Ok(())
    })?;
    list_team_users(caller, call).await
}

/// `DELETE /orgs/{ORG-ID}/teams/{TEAM-ID}/users/{USER-ID}`: 204; a user not in the team →
/// `USER_NOT_FOUND`.
pub(crate) async fn remove_team_user(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let (org, team) = org_and_team(&caller, &call)?;
    require_owner(&caller, &org)?;
    let user_id = call.segment("user_id");
    let removed = call
        .inst
        .store
        .write(|tx| store::remove_team_member(tx, &team.id, &user_id))?;
    if removed {
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    } else {
        Err(OpsMgrError::UserNotFound(user_id))
    }
}

fn owned_org(caller: &Caller, call: &Call) -> Result<OrgRow, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, caller, &call.segment("org_id"))?;
    require_owner(caller, &org)?;
    Ok(org)
}

fn require_owner(caller: &Caller, org: &OrgRow) -> Result<(), OpsMgrError> {
    if caller.is_org_owner(&org.id) {
        Ok(())
    } else {
        Err(OpsMgrError::NotOrgAdmin(org.id.clone()))
    }
}

fn org_and_team(caller: &Caller, call: &Call) -> Result<(OrgRow, TeamRow), OpsMgrError> {
    let org = request::org(&call.inst, &call.req, caller, &call.segment("org_id"))?;
    let id = call.segment("team_id");
    let team = call
        .inst
        .store
        .read(|c| store::teams_of(c, &org.id))?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| OpsMgrError::ResourceNotFound(call.req.path().to_owned()))?;
    Ok((org, team))
}

fn team_name(name: Option<String>) -> Result<String, OpsMgrError> {
    let name = name.ok_or(OpsMgrError::MissingAttribute("name"))?;
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 {
        return Err(OpsMgrError::InvalidAttribute("name".into()));
    }
    Ok(trimmed.to_owned())
}

fn view(central: &str, t: &TeamRow) -> Value {
    json!({
        "id": t.id,
        "links": [wire::self_link(format!("{central}{BASE}/orgs/{}/teams/{}", t.org_id, t.id))],
        "name": t.name,
    })
}
