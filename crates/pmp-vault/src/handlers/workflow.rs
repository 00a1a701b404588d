//! Password access control (S0 #9–#14, spec §6): request → approve / reject → checkout →
//! checkin, one exclusive checkout per account that ends by itself after the account's
//! `checkoutMinutes` on the instance clock.

use super::{allow, parse_id, run, Ctx};
use crate::error::{PmpError, Reply};
use crate::input::nonblank;
use crate::rules::display_time;
use crate::state::{Access, RequestStatus};
use crate::store::{self, Account, Resource};
use crate::Pmp;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::Inst;
use serde_json::{json, Value};

/// Whether the caller approves requests on `res`: an (Password) Administrator who owns it or
/// has the super-admin scope.
fn approver(ctx: &Ctx<'_>, res: &Resource) -> bool {
    ctx.caller.is_admin() && (ctx.caller.sees_all() || res.owner_id == ctx.caller.id)
}

/// `POST /accounts/{aid}/requestpassword` (`REQUEST_PASSWORD`).
pub async fn request_password(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    aid: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "REQUEST_PASSWORD", |ctx| {
        let (res, acc) = ctx.account_any(&aid)?;
        ctx.need_account(&res, &acc, Access::View)?;
        let reason = nonblank(&ctx.details()?, "REASON")
            .or_else(|| ctx.input.param("REASON").map(str::to_owned));
        ctx.audit.reason = reason.clone().unwrap_or_default();
        if res.reason_mandatory && reason.is_none() {
            return Err(PmpError::failed(
                "Reason is mandatory to request the password",
            ));
        }
        let needs_approval =
            acc.access_control && !approver(ctx, &res) && res.owner_id != ctx.caller.id;
        let now = ctx.now_ms();
        let me = ctx.caller.id;
        let status = ctx.write(|tx| {
            if let Some(open) = store::open_request(tx, acc.id, me)? {
                return Err(PmpError::failed(match open.status {
                    RequestStatus::Requested => "Password request is already waiting for approval",
                    _ => "Password request has already been approved",
                }));
            }
            let (status, shown) = if needs_approval {
                (RequestStatus::Requested, "WAITING FOR APPROVAL")
            } else {
                (RequestStatus::Approved, "CHECKOUT")
            };
            store::insert_request(
                tx,
                acc.id,
                me,
                status,
                &reason.clone().unwrap_or_default(),
                now,
            )?;
            Ok(shown)
        })?;
        Ok(
            Reply::message("Request to view password have been raised successfully")
                .details(json!({ "STATUS": status })),
        )
    })
    .await
}

/// `GET /accounts/passwordaccessrequests` (`GET_PASSWORDREQUEST`): pending requests the
/// caller may approve, grouped by requester.
pub async fn list_requests(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "GET_PASSWORDREQUEST", |ctx| {
        allow(ctx.caller.is_admin())?;
        let pending = ctx.read(|c| store::pending_requests(c, &ctx.caller))?;
        let mut groups: Vec<(i64, Vec<Value>)> = Vec::new();
        for q in &pending {
            let Some(acc) = ctx.read(|c| store::account(c, q.account_id))? else {
                continue;
            };
            let Some(res) = ctx.read(|c| store::resource(c, acc.resource_id))? else {
                continue;
            };
            let row = json!({
                "ACCOUNT ID": acc.id.to_string(), "ACCOUNT NAME": acc.name,
                "RESOURCE ID": res.id.to_string(), "RESOURCE NAME": res.name,
                "PASSWD ID": acc.id.to_string(), "STATUS": "",
                "REQUESTED TIME": display_time(Some(q.requested_at)),
                "REASON": q.reason, "START_TIME": "", "END_TIME": "",
            });
            match groups.iter_mut().find(|(u, _)| *u == q.user_id) {
                Some((_, rows)) => rows.push(row),
                None => groups.push((q.user_id, vec![row])),
            }
        }
        let mut details = Vec::new();
        for (user, rows) in groups {
            let (name, full) = ctx
                .read(|c| store::user_by_id(c, user))?
                .unwrap_or_default();
            details.push(json!({
                "REQUESTER USERID": user.to_string(), "REQUESTED BY": name,
                "REQUESTED BY FULLNAME": full, "PASSWORDREQUESTLIST": rows,
            }));
        }
        let reply = Reply::message("Password Request fetched successfully").rows(details.len());
        Ok(if details.is_empty() {
            reply
        } else {
            reply.details(Value::Array(details))
        })
    })
    .await
}

/// The account and requester of an approver action, with the requester's open request.
fn requester_request(
    ctx: &mut Ctx<'_>,
    aid: &str,
    uid: &str,
) -> Result<(Resource, Account, Option<store::Request>), PmpError> {
    let (res, acc) = ctx.account_any(aid)?;
    let user = parse_id(uid).ok_or_else(|| PmpError::failed("No such user found"))?;
    if ctx.read(|c| store::user_by_id(c, user))?.is_none() {
        return Err(PmpError::failed("No such user found"));
    }
    let open = ctx.read(|c| store::open_request(c, acc.id, user))?;
    Ok((res, acc, open))
}

/// `POST /accounts/{aid}/requester/{uid}/approve` (`ADMIN_REQUEST_APPROVE`).
pub async fn approve(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: web::Path<(String, String)>,
) -> HttpResponse {
    run(inst, req, body, "ADMIN_REQUEST_APPROVE", |ctx| {
        decide(ctx, &ids, RequestStatus::Approved)?;
        Ok(Reply::message("Password Approved successfully"))
    })
    .await
}

/// `POST /accounts/{aid}/requester/{uid}/reject` (`ADMIN_REQUEST_REJECT`).
pub async fn reject(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: web::Path<(String, String)>,
) -> HttpResponse {
    run(inst, req, body, "ADMIN_REQUEST_REJECT", |ctx| {
        decide(ctx, &ids, RequestStatus::Rejected)?;
        Ok(Reply::message("Password Rejected successfully"))
    })
    .await
}

fn decide(ctx: &mut Ctx<'_>, ids: &(String, String), to: RequestStatus) -> Result<(), PmpError> {
    let (res, _acc, open) = requester_request(ctx, &ids.0, &ids.1)?;
    allow(approver(ctx, &res))?;
    let open = open
        .filter(|q| q.status == RequestStatus::Requested)
        .ok_or_else(|| PmpError::failed("No pending password request found for this user"))?;
    ctx.write(|tx| {
        // Re-read inside the transaction: a concurrent decision may have won.
        match store::open_request(tx, open.account_id, open.user_id)? {
            Some(q) if q.id == open.id && q.status == RequestStatus::Requested => {
                store::set_request(tx, q.id, to, None, None)?;
                Ok(())
            }
            _ => Err(PmpError::failed(
                "No pending password request found for this user",
            )),
        }
    })
}

/// `POST /accounts/{aid}/checkout` (`REQUEST_CHECKOUT`): exclusive; exactly one of concurrent
/// checkouts wins.
pub async fn checkout(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    aid: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "REQUEST_CHECKOUT", |ctx| {
        let (res, acc) = ctx.account_any(&aid)?;
        ctx.need_account(&res, &acc, Access::View)?;
        ctx.audit.reason = nonblank(&ctx.details()?, "REASON").unwrap_or_default();
        let now = ctx.now_ms();
        let until = now.saturating_add(acc.checkout_minutes.saturating_mul(60_000));
        let me = ctx.caller.id;
        ctx.write(|tx| {
            let open = store::open_request(tx, acc.id, me)?;
            let request = match open {
                Some(q) if q.status == RequestStatus::Approved => q,
                Some(q) if q.status == RequestStatus::CheckedOut => {
                    return Err(PmpError::failed("Password is already checked out by you"))
                }
                Some(_) => {
                    return Err(PmpError::failed("Password request is waiting for approval"))
                }
                None => return Err(PmpError::failed("Password request has not been approved")),
            };
            if store::checked_out_by(tx, acc.id)?.is_some_and(|u| u != me) {
                return Err(PmpError::failed("Password is in use by another user"));
            }
            store::set_request(
                tx,
                request.id,
                RequestStatus::CheckedOut,
                Some(now),
                Some(until),
            )?;
            Ok(())
        })?;
        Ok(
            Reply::message("Password have been checked out successfully")
                .details(json!({ "STATUS": "***** [checkIn]" })),
        )
    })
    .await
}

/// `POST /accounts/{aid}/requester/{uid}/checkin` (`ADMIN_REQUEST_CHECKIN`): by an approver or
/// the requester.
pub async fn checkin(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: web::Path<(String, String)>,
) -> HttpResponse {
    run(inst, req, body, "ADMIN_REQUEST_CHECKIN", |ctx| {
        let (res, _acc, open) = requester_request(ctx, &ids.0, &ids.1)?;
        let requester = parse_id(&ids.1).unwrap_or_default();
        allow(approver(ctx, &res) || requester == ctx.caller.id)?;
        let open = open
            .filter(|q| {
                matches!(
                    q.status,
                    RequestStatus::CheckedOut | RequestStatus::Approved
                )
            })
            .ok_or_else(|| PmpError::failed("Password is not checked out by this user"))?;
        ctx.write(|tx| {
            store::set_request(tx, open.id, RequestStatus::CheckedIn, None, None)?;
            Ok(())
        })?;
        Ok(Reply::message("Password have been checked in successfully"))
    })
    .await
}
