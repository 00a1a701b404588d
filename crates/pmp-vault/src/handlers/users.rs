//! Users: create (S0 #15, #22 for API users), delete (#21), id lookup, lock and unlock
//! (spec §4 extras). Only Administrators manage users.

use super::{allow, parse_id, run, Ctx};
use crate::error::{PmpError, Reply, MSG_INVALID_INPUT};
use crate::input::{flag, nonblank, text};
use crate::state::{is_date, Role};
use crate::store;
use crate::Pmp;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::Inst;
use rusqlite::params;
use serde_json::json;

/// Message for an unknown user.
pub const MSG_NO_USER: &str = "No such user found";

fn admin_only(ctx: &Ctx<'_>) -> Result<(), PmpError> {
    allow(ctx.caller.role == Role::Administrator)
}

/// `POST /user` (`CREATE_USER`): an API user gets its AUTHTOKEN back, once.
pub async fn create_user(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "CREATE_USER", create).await
}

fn create(ctx: &mut Ctx<'_>) -> Result<Reply, PmpError> {
    let d = ctx.input.require_details()?;
    admin_only(ctx)?;
    let name =
        nonblank(&d, "USERNAME").ok_or_else(|| PmpError::failed("User name is mandatory"))?;
    let role = match nonblank(&d, "ROLE") {
        Some(r) => Role::parse(&r).ok_or_else(|| PmpError::failed(format!("Invalid role {r}")))?,
        None => Role::PasswordUser,
    };
    let api = flag(&d, "ISAPIUSER");
    let host = nonblank(&d, "HOSTNAME").or_else(|| nonblank(&d, "ALLOWEDIPADDRESS"));
    if api && host.is_none() {
        return Err(PmpError::failed("Host name is mandatory for an API user"));
    }
    let expiry = nonblank(&d, "EXPIRYDATE").filter(|e| !e.eq_ignore_ascii_case("NeverExpires"));
    if expiry.as_deref().is_some_and(|e| !is_date(e)) {
        return Err(PmpError::failed(
            "Invalid expiry date. Use the format yyyy-mm-dd",
        ));
    }
    let super_admin = (flag(&d, "ISSUPERADMIN") || flag(&d, "SUPERADMIN"))
        && matches!(role, Role::Administrator | Role::PasswordAdministrator);
    let password = text(&d, "PASSWORD").filter(|p| !p.is_empty());
    if let Some(password) = &password {
        let name = nonblank(&d, "POLICY").unwrap_or_else(|| "Strong".into());
        let policy = ctx
            .read(|c| store::policy(c, &name))?
            .ok_or_else(|| PmpError::failed(format!("Password policy {name} does not exist")))?;
        if let Some(reason) = crate::rules::violation(&policy, password) {
            return Err(PmpError::failed(super::accounts::policy_message(
                &policy.name,
                &reason,
            )));
        }
    }
    let token = api.then(|| ctx.inst.env.ids.uuid().to_uppercase());
    let first = text(&d, "FIRSTNAME").unwrap_or_default();
    let last = text(&d, "LASTNAME").unwrap_or_default();
    let full =
        nonblank(&d, "FULLNAME").unwrap_or_else(|| format!("{first} {last}").trim().to_owned());
    ctx.write(|tx| {
        if store::user_by_name(tx, &name)?.is_some() {
            return Err(PmpError::failed(format!("User {name} already exists")));
        }
        tx.execute(
            "INSERT INTO users (user_name, first_name, last_name, full_name, email, department, location,
               role, super_admin, api_user, host_name, auth_token, expiry_date, password)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                name, first, last, full, text(&d, "EMAIL").unwrap_or_default(),
                text(&d, "DEPARTMENT").unwrap_or_default(), text(&d, "LOCATION").unwrap_or_default(),
                role.as_str(), super_admin, api, host, token, expiry, password
            ],
        )?;
        Ok(())
    })?;
    let reply = Reply::message("SUCCESS");
    Ok(match token {
        Some(token) => reply.details(json!({ "AUTHTOKEN": token })),
        None => reply,
    })
}

/// `DELETE /user/{uid}` (`DELETE USER`): the user's token dies with it; resources it owned
/// pass to the deleting administrator.
pub async fn delete_user(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    uid: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "DELETE USER", |ctx| {
        admin_only(ctx)?;
        let id = parse_id(&uid).ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
        let (name, _) = ctx
            .read(|c| store::user_by_id(c, id))?
            .ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
        if id == ctx.caller.id {
            return Err(PmpError::failed("You cannot delete yourself"));
        }
        let me = ctx.caller.id;
        ctx.write(|tx| {
            tx.execute(
                "UPDATE resources SET owner_id = ?2 WHERE owner_id = ?1",
                params![id, me],
            )?;
            tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
            Ok(())
        })?;
        Ok(Reply::message(format!("User {name} deleted Successfully")))
    })
    .await
}

/// The USERNAME of a user request: query parameter or INPUT_DATA.
fn user_name_param(ctx: &Ctx<'_>) -> Result<String, PmpError> {
    if let Some(name) = ctx.input.param("USERNAME").filter(|n| !n.trim().is_empty()) {
        return Ok(name.trim().to_owned());
    }
    nonblank(&ctx.details()?, "USERNAME").ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))
}

/// `GET /user/getUserId?USERNAME=` (`GET_USERID`).
pub async fn get_user_id(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "GET_USERID", |ctx| {
        let name = user_name_param(ctx)?;
        let (id, _) = ctx
            .read(|c| store::user_by_name(c, &name))?
            .ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
        Ok(Reply::message("User ID fetched successfully")
            .details(json!({"USERID": id.to_string()})))
    })
    .await
}

/// `PUT /user/lock?USERNAME=` (`LOCK_USER`): the user's token is refused at once.
pub async fn lock_user(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "LOCK_USER", |ctx| set_locked(ctx, true)).await
}

/// `PUT /user/unlock?USERNAME=` (`UNLOCK_USER`).
pub async fn unlock_user(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "UNLOCK_USER", |ctx| set_locked(ctx, false)).await
}

fn set_locked(ctx: &mut Ctx<'_>, locked: bool) -> Result<Reply, PmpError> {
    admin_only(ctx)?;
    let name = user_name_param(ctx)?;
    let (id, name) = ctx
        .read(|c| store::user_by_name(c, &name))?
        .ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
    if locked && id == ctx.caller.id {
        return Err(PmpError::failed("You cannot lock yourself"));
    }
    ctx.write(|tx| {
        tx.execute(
            "UPDATE users SET locked = ?2 WHERE id = ?1",
            params![id, locked],
        )?;
        Ok(())
    })?;
    let verb = if locked { "locked" } else { "unlocked" };
    Ok(Reply::message(format!("User {name} {verb} successfully")))
}
