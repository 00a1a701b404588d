//! Users: `POST /users`, `GET /users/{USER-ID}`, `GET /users/byName/{USER-NAME}`,
//! `PATCH /users/{USER-ID}` ("Update Roles for One User") and `DELETE /users/{USER-ID}`
//! ("Remove One User") (Ops Manager API reference, "Users":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/users/>).
//! A caller may always read itself; otherwise it needs a global read role, or `ORG_OWNER`
//! of an org (or `GROUP_OWNER`/`GROUP_USER_ADMIN` of a project) the user has a role in.

use crate::auth::{Caller, Principal};
use crate::error::OpsMgrError;
use crate::model::{is_object_id, role_kind, Role, RoleKind};
use crate::request::{self, Body, Call};
use crate::store::{self, ProfileRow, ProjectRow};
use crate::wire::{self, Reply};
use actix_web::http::StatusCode;
use serde_json::{Map, Value};

/// The fields of "Create One User".
const USER_FIELDS: [&str; 7] = [
    "username",
    "password",
    "emailAddress",
    "firstName",
    "lastName",
    "roles",
    "mobileNumber",
];

/// `POST /users`: `GLOBAL_OWNER` or `GLOBAL_USER_ADMIN`; `username`, `password` (8 or more
/// characters; not kept), `emailAddress`, `firstName`, `lastName` required, `roles`
/// optional; 201 with the user. The user gets a personal API key nobody is shown (it can
/// be set through the state document).
pub(crate) async fn create_user(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    if !is_global_user_admin(&caller) {
        return Err(OpsMgrError::UserUnauthorized);
    }
    let map = request::object(&payload, &USER_FIELDS)?;
    let field = |name: &'static str| -> Result<String, OpsMgrError> {
        request::opt_string(&map, name)?
            .filter(|v| !v.trim().is_empty())
            .ok_or(OpsMgrError::MissingAttribute(name))
    };
    let username = field("username")?;
    let password = field("password")?;
    let email_address = field("emailAddress")?;
    let first_name = field("firstName")?;
    let last_name = field("lastName")?;
    if password.chars().count() < 8 {
        return Err(OpsMgrError::InvalidAttribute("password".into()));
    }
    if username.chars().count() > 254 || crate::model::is_public_key(&username) {
        return Err(OpsMgrError::InvalidAttribute("username".into()));
    }
    let roles = user_roles(&call, map.get("roles"))?;
    let inst = &call.inst;
    let now = inst.env.clock.now_secs();
    let user = inst.store.write(|tx| {
        if store::username_taken(tx, &username)? {
            return Err(OpsMgrError::UserAlreadyExists(username.clone()));
        }
        let user = ProfileRow {
            id: store::new_object_id(tx, &inst.env.ids, now)?,
            username: username.clone(),
            email_address,
            first_name,
            last_name,
        };
        store::insert_user(tx, &user, &inst.env.ids.uuid(), &roles)?;
        Ok(user)
    })?;
    Ok(Reply::Json(
        StatusCode::CREATED,
        wire::user(&call.central(), &user, &roles, &[]),
    ))
}

/// The `roles` of a new user: `{"orgId"|"groupId", "roleName"}` objects naming existing
/// orgs and projects, or global roles with neither.
fn user_roles(call: &Call, value: Option<&Value>) -> Result<Vec<Role>, OpsMgrError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(OpsMgrError::InvalidJson),
    };
    let mut roles = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(map) = item else {
            return Err(OpsMgrError::InvalidJson);
        };
        let text = serde_json::to_vec(map).map_err(|_| OpsMgrError::InvalidJson)?;
        let map: Map<String, Value> = request::object(&text, &["orgId", "groupId", "roleName"])?;
        let name = request::opt_string(&map, "roleName")?
            .ok_or(OpsMgrError::MissingAttribute("roleName"))?;
        let org_id = request::opt_string(&map, "orgId")?;
        let group_id = request::opt_string(&map, "groupId")?;
        match (role_kind(&name), &org_id, &group_id) {
            (RoleKind::Org, Some(org), None) => {
                if !is_object_id(org)
                    || call.inst.store.read(|c| store::find_org(c, org))?.is_none()
                {
                    return Err(OpsMgrError::OrgNotFound(org.clone()));
                }
            }
            (RoleKind::Group, None, Some(group)) => {
                if !is_object_id(group)
                    || call
                        .inst
                        .store
                        .read(|c| store::find_project(c, group))?
                        .is_none()
                {
                    return Err(OpsMgrError::GroupNotFound(group.clone()));
                }
            }
            (RoleKind::Global, None, None) => {}
            (RoleKind::Billing, _, _) => return Err(OpsMgrError::BillingUnsupported),
            (RoleKind::Group, _, None) => return Err(OpsMgrError::RoleNeedsGroupId(name)),
            (RoleKind::Org | RoleKind::Group | RoleKind::Global, _, _) => {
                return Err(OpsMgrError::InvalidAttribute("roles".into()))
            }
            _ => return Err(OpsMgrError::InvalidEnumValue(name)),
        }
        let role = Role {
            org_id,
            group_id,
            name,
        };
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

/// `GET /users/{USER-ID}`.
pub(crate) async fn get_user(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let id = call.segment("user_id");
    if !is_object_id(&id) {
        return Err(OpsMgrError::UserNotFound(id));
    }
    let user = call.inst.store.read(|c| store::profile_by_id(c, &id))?;
    let user = user.ok_or(OpsMgrError::UserNotFound(id))?;
    show(&caller, &call, &user)
}

/// `GET /users/byName/{USER-NAME}`: PingMePy's constructor looks its caller up this way.
pub(crate) async fn get_user_by_name(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let name = call.segment("name");
    let user = call.inst.store.read(|c| store::profile_by_name(c, &name))?;
    let user = user.ok_or(OpsMgrError::UsernameNotFound(name))?;
    show(&caller, &call, &user)
}

fn show(caller: &Caller, call: &Call, user: &ProfileRow) -> Result<Reply, OpsMgrError> {
    let roles = call.inst.store.read(|c| store::roles_of(c, &user.id))?;
    let projects = call.inst.store.read(store::list_projects)?;
    let is_self = matches!(caller.principal(), Principal::User(u) if u.id == user.id);
    let administers = roles.iter().any(|r| {
        r.org_id
            .as_deref()
            .is_some_and(|org| caller.is_org_owner(org))
            || r.group_id.as_deref().is_some_and(|g| {
                projects
                    .iter()
                    .any(|p| p.id == g && caller.can_manage_project_keys(p))
            })
    });
    if !(is_self || caller.is_global_reader() || administers) {
        return Err(OpsMgrError::UserUnauthorized);
    }
    let central = call.central();
    Ok(Reply::ok(
        call.inst.store.read(|c| view(c, &central, user))?,
    ))
}

/// A user as the API shows it, with its roles and teams read from the store.
///
/// # Errors
/// SQLite errors.
pub(crate) fn view(
    conn: &rusqlite::Connection,
    central: &str,
    user: &ProfileRow,
) -> rusqlite::Result<Value> {
    let roles = store::roles_of(conn, &user.id)?;
    let teams = store::team_ids_of(conn, &user.id)?;
    Ok(wire::user(central, user, &roles, &teams))
}

/// Whether the caller administers users globally: `GLOBAL_OWNER` or `GLOBAL_USER_ADMIN`.
fn is_global_user_admin(caller: &Caller) -> bool {
    caller.is_global_owner()
        || caller
            .roles()
            .iter()
            .any(|r| r.org_id.is_none() && r.group_id.is_none() && r.name == "GLOBAL_USER_ADMIN")
}

/// Whether the caller owns the org or project `role` is held in (a global role: whether it
/// administers users globally).
fn owns_scope(caller: &Caller, projects: &[ProjectRow], role: &Role) -> bool {
    match (&role.org_id, &role.group_id) {
        (Some(org), _) => caller.is_org_owner(org),
        (None, Some(group)) => projects
            .iter()
            .any(|p| &p.id == group && caller.can_manage_project_keys(p)),
        (None, None) => is_global_user_admin(caller),
    }
}

/// `PATCH /users/{USER-ID}` ("Update Roles for One User"): `{"roles": [...]}` replaces the
/// user's roles. A global user admin may change any role; an Organization Owner (Project
/// Owner) may change the roles held in its orgs (projects) of a user who is a member of one
/// of them; every role added or removed must be in a scope the caller owns, for the user
/// itself too, else 401 `USER_UNAUTHORIZED`. 200 with the user.
pub(crate) async fn update_user(
    caller: Caller,
    call: Call,
    Body(payload): Body,
) -> Result<Reply, OpsMgrError> {
    let user = user_of_path(&call)?;
    let (old, projects) = call.inst.store.read(|c| {
        Ok::<_, rusqlite::Error>((store::roles_of(c, &user.id)?, store::list_projects(c)?))
    })?;
    let member = old.iter().any(|r| owns_scope(&caller, &projects, r));
    if !(member || is_global_user_admin(&caller)) {
        return Err(OpsMgrError::UserUnauthorized);
    }
    let map = request::object(&payload, &["roles"])?;
    let given = map.get("roles").filter(|v| !v.is_null());
    let roles = user_roles(
        &call,
        Some(given.ok_or(OpsMgrError::MissingAttribute("roles"))?),
    )?;
    let mut changed = old
        .iter()
        .filter(|r| !roles.contains(r))
        .chain(roles.iter().filter(|r| !old.contains(r)));
    if !changed.all(|r| owns_scope(&caller, &projects, r)) {
        return Err(OpsMgrError::UserUnauthorized);
    }
    let central = call.central();
    let view = call.inst.store.write(|tx| {
        store::revoke_all_roles(tx, &user.id)?;
        for role in &roles {
            store::grant(tx, &user.id, role)?;
        }
        Ok::<_, OpsMgrError>(view(tx, &central, &user)?)
    })?;
    Ok(Reply::ok(view))
}

/// `DELETE /users/{USER-ID}` ("Remove One User"): a global user admin
/// (`GLOBAL_OWNER`, `GLOBAL_USER_ADMIN`; inferred: the roles that create users) removes the
/// user with its roles, access list and team memberships; 200 with no body.
pub(crate) async fn delete_user(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let user = user_of_path(&call)?;
    if !is_global_user_admin(&caller) {
        return Err(OpsMgrError::UserUnauthorized);
    }
    call.inst
        .store
        .write(|tx| Ok::<_, OpsMgrError>(store::delete_user(tx, &user.id)?))?;
    Ok(Reply::Empty(StatusCode::OK))
}

/// The user `{user_id}`.
///
/// # Errors
/// `USER_NOT_FOUND` (unknown or malformed id).
fn user_of_path(call: &Call) -> Result<ProfileRow, OpsMgrError> {
    let id = call.segment("user_id");
    if !is_object_id(&id) {
        return Err(OpsMgrError::UserNotFound(id));
    }
    call.inst
        .store
        .read(|c| store::profile_by_id(c, &id))?
        .ok_or(OpsMgrError::UserNotFound(id))
}
