//! Users: `GET /users/{USER-ID}` and `GET /users/byName/{USER-NAME}` (Ops Manager API
//! reference, "Users": <https://www.mongodb.com/docs/ops-manager/current/reference/api/users/>).
//! A caller may always read itself; otherwise it needs a global read role, or `ORG_OWNER`
//! of an org (or `GROUP_OWNER`/`GROUP_USER_ADMIN` of a project) the user has a role in.

use crate::auth::{Caller, Principal};
use crate::error::OpsMgrError;
use crate::model::is_object_id;
use crate::request::Call;
use crate::store::{self, ProfileRow};
use crate::wire::{self, Reply};

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
    let is_self = matches!(&caller.principal, Principal::User(u) if u.id == user.id);
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
    Ok(Reply::ok(wire::user(&call.central(), user, &roles)))
}
