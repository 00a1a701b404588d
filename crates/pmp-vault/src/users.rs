//! Users, as the vendor's REST API help documents them ("RESTful API": create a user or an
//! API user, delete a user, fetch a user's id, lock and unlock a user). Only Administrators
//! manage users.

use crate::accounts::policy_message;
use crate::auth::ApiUser;
use crate::error::{allow, PmpError, MSG_INVALID_INPUT, MSG_NO_USER};
use crate::request::{flag, nonblank, parse_id, text};
use crate::state::{is_date, Role};
use crate::store::{self, NewUser};
use crate::wire::Reply;
use actix_web::web;
use serde_json::{json, Map, Value};

fn admin_only(caller: &ApiUser) -> Result<(), PmpError> {
    allow(caller.role == Role::Administrator)
}

/// `POST /user` (`CREATE_USER`): an API user gets its AUTHTOKEN back, once.
pub async fn create_user(caller: ApiUser) -> Result<Reply, PmpError> {
    let d = caller.require_details()?;
    admin_only(&caller)?;
    let mut new = new_user(&d)?;
    check_login_password(&caller, &d, new.password.as_deref())?;
    new.auth_token = new
        .api_user
        .then(|| caller.inst().env.ids.uuid().to_uppercase());
    caller.write(|tx| insert_new_user(tx, &new))?;
    Ok(user_added(new.auth_token.as_deref()))
}

/// Insert `new` unless its name is taken.
fn insert_new_user(tx: &rusqlite::Transaction<'_>, new: &NewUser) -> Result<(), PmpError> {
    if store::user_by_name(tx, &new.user_name)?.is_some() {
        let name = &new.user_name;
        return Err(PmpError::failed(format!("User {name} already exists")));
    }
    Ok(store::insert_user(tx, new)?)
}

/// `SUCCESS`, with the new API user's `AUTHTOKEN` in `Details`.
fn user_added(auth_token: Option<&str>) -> Reply {
    let reply = Reply::message("SUCCESS");
    match auth_token {
        Some(token) => reply.details(json!({ "AUTHTOKEN": token })),
        None => reply,
    }
}

/// The user INPUT_DATA describes (no token yet), checked in the vendor's order: name, role,
/// host of an API user, expiry date.
fn new_user(d: &Map<String, Value>) -> Result<NewUser, PmpError> {
    let name = nonblank(d, "USERNAME").ok_or_else(|| PmpError::failed("User name is mandatory"))?;
    let role = match nonblank(d, "ROLE") {
        Some(r) => Role::parse(&r).ok_or_else(|| PmpError::failed(format!("Invalid role {r}")))?,
        None => Role::PasswordUser,
    };
    let api = flag(d, "ISAPIUSER");
    let host = nonblank(d, "HOSTNAME").or_else(|| nonblank(d, "ALLOWEDIPADDRESS"));
    if api && host.is_none() {
        return Err(PmpError::failed("Host name is mandatory for an API user"));
    }
    let expiry = nonblank(d, "EXPIRYDATE").filter(|e| !e.eq_ignore_ascii_case("NeverExpires"));
    if expiry.as_deref().is_some_and(|e| !is_date(e)) {
        return Err(PmpError::failed(
            "Invalid expiry date. Use the format yyyy-mm-dd",
        ));
    }
    let first = text(d, "FIRSTNAME").unwrap_or_default();
    let last = text(d, "LASTNAME").unwrap_or_default();
    let full =
        nonblank(d, "FULLNAME").unwrap_or_else(|| format!("{first} {last}").trim().to_owned());
    Ok(NewUser {
        user_name: name,
        full_name: full,
        first_name: first,
        last_name: last,
        email: text(d, "EMAIL").unwrap_or_default(),
        department: text(d, "DEPARTMENT").unwrap_or_default(),
        location: text(d, "LOCATION").unwrap_or_default(),
        super_admin: (flag(d, "ISSUPERADMIN") || flag(d, "SUPERADMIN"))
            && matches!(role, Role::Administrator | Role::PasswordAdministrator),
        role,
        api_user: api,
        host_name: host,
        auth_token: None,
        expiry_date: expiry,
        password: text(d, "PASSWORD").filter(|p| !p.is_empty()),
    })
}

/// A login password must satisfy `POLICY` (default Strong).
fn check_login_password(
    caller: &ApiUser,
    d: &Map<String, Value>,
    password: Option<&str>,
) -> Result<(), PmpError> {
    let Some(password) = password else {
        return Ok(());
    };
    let name = nonblank(d, "POLICY").unwrap_or_else(|| "Strong".into());
    let policy = caller
        .read(|c| store::policy(c, &name))?
        .ok_or_else(|| PmpError::failed(format!("Password policy {name} does not exist")))?;
    match crate::rules::violation(&policy, password) {
        Some(reason) => Err(PmpError::failed(policy_message(&policy.name, &reason))),
        None => Ok(()),
    }
}

/// `DELETE /user/{uid}` (`DELETE USER`): the user's token dies with it; resources it owned
/// pass to the deleting administrator.
pub async fn delete_user(caller: ApiUser, uid: web::Path<String>) -> Result<Reply, PmpError> {
    admin_only(&caller)?;
    let id = parse_id(&uid).ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
    let (name, _) = caller
        .read(|c| store::user_by_id(c, id))?
        .ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
    if id == caller.id {
        return Err(PmpError::failed("You cannot delete yourself"));
    }
    let heir = caller.id;
    caller.write(|tx| Ok(store::delete_user(tx, id, heir)?))?;
    Ok(Reply::message(format!("User {name} deleted Successfully")))
}

/// `GET /user/getUserId?USERNAME=` (`GET_USERID`).
pub async fn get_user_id(caller: ApiUser) -> Result<Reply, PmpError> {
    let name = user_name(&caller)?;
    let (id, _) = caller
        .read(|c| store::user_by_name(c, &name))?
        .ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
    Ok(Reply::message("User ID fetched successfully").details(json!({"USERID": id.to_string()})))
}

/// `PUT /user/lock?USERNAME=` (`LOCK_USER`): the user's token is refused at once.
pub async fn lock_user(caller: ApiUser) -> Result<Reply, PmpError> {
    set_locked(&caller, true)
}

/// `PUT /user/unlock?USERNAME=` (`UNLOCK_USER`).
pub async fn unlock_user(caller: ApiUser) -> Result<Reply, PmpError> {
    set_locked(&caller, false)
}

fn set_locked(caller: &ApiUser, locked: bool) -> Result<Reply, PmpError> {
    admin_only(caller)?;
    let name = user_name(caller)?;
    let (id, name) = caller
        .read(|c| store::user_by_name(c, &name))?
        .ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
    if locked && id == caller.id {
        return Err(PmpError::failed("You cannot lock yourself"));
    }
    caller.write(|tx| Ok(store::set_locked(tx, id, locked)?))?;
    let verb = if locked { "locked" } else { "unlocked" };
    Ok(Reply::message(format!("User {name} {verb} successfully")))
}

/// The `USERNAME` of a user request: a query parameter, else INPUT_DATA.
///
/// # Errors
/// `Invalid input data` when neither names a user.
pub fn user_name(caller: &ApiUser) -> Result<String, PmpError> {
    if let Some(name) = caller.param("USERNAME").filter(|n| !n.trim().is_empty()) {
        return Ok(name.trim().to_owned());
    }
    nonblank(&caller.details()?, "USERNAME").ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))
}
