//! Password access control, as the vendor's REST API help documents it ("RESTful API":
//! request a password, approve or reject a request, check out, check in, pending requests):
//! request → approve / reject → checkout → checkin, one exclusive checkout per account that
//! ends by itself after the account's `checkoutMinutes` on the instance clock.

use crate::auth::ApiUser;
use crate::error::{allow, PmpError, MSG_NO_USER};
use crate::request::{nonblank, parse_id};
use crate::rules::display_time;
use crate::state::{Access, RequestStatus};
use crate::store::{self, Account, Request, Resource};
use crate::wire::Reply;
use actix_web::web;
use serde_json::{json, Value};

type Requester = web::Path<(String, String)>;

/// Whether the caller approves requests on `res`: an (Password) Administrator who owns it or
/// has the super-admin scope.
fn approver(caller: &ApiUser, res: &Resource) -> bool {
    caller.is_admin() && (caller.sees_all() || res.owner_id == caller.id)
}

/// `POST /accounts/{aid}/requestpassword` (`REQUEST_PASSWORD`).
pub async fn request_password(caller: ApiUser, aid: web::Path<String>) -> Result<Reply, PmpError> {
    let (res, acc) = caller.account_any(&aid)?;
    caller.need_account(&res, &acc, Access::View)?;
    let reason = nonblank(&caller.details()?, "REASON")
        .or_else(|| caller.param("REASON").map(str::to_owned));
    caller.note().reason = reason.clone().unwrap_or_default();
    if res.reason_mandatory && reason.is_none() {
        return Err(PmpError::failed(
            "Reason is mandatory to request the password",
        ));
    }
    let needs_approval =
        acc.access_control && !approver(&caller, &res) && res.owner_id != caller.id;
    let (status, shown) = if needs_approval {
        (RequestStatus::Requested, "WAITING FOR APPROVAL")
    } else {
        (RequestStatus::Approved, "CHECKOUT")
    };
    let (now, me, reason) = (caller.now_ms(), caller.id, reason.unwrap_or_default());
    caller.write(|tx| {
        if let Some(open) = store::open_request(tx, acc.id, me)? {
            return Err(PmpError::failed(match open.status {
                RequestStatus::Requested => "Password request is already waiting for approval",
                _ => "Password request has already been approved",
            }));
        }
        Ok(store::insert_request(tx, acc.id, me, status, &reason, now)?)
    })?;
    Ok(
        Reply::message("Request to view password have been raised successfully")
            .details(json!({ "STATUS": shown })),
    )
}

/// `GET /accounts/passwordaccessrequests` (`GET_PASSWORDREQUEST`): pending requests the
/// caller may approve, grouped by requester.
pub async fn list_requests(caller: ApiUser) -> Result<Reply, PmpError> {
    allow(caller.is_admin())?;
    let pending = caller.read(|c| store::pending_requests(c, &caller))?;
    let mut groups: Vec<(i64, Vec<Value>)> = Vec::new();
    for q in &pending {
        let Some(row) = request_row(&caller, q)? else {
            continue;
        };
        match groups.iter_mut().find(|(u, _)| *u == q.user_id) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((q.user_id, vec![row])),
        }
    }
    let mut details = Vec::new();
    for (user, rows) in groups {
        let (name, full) = caller
            .read(|c| store::user_by_id(c, user))?
            .unwrap_or_default();
        details.push(json!({
            "REQUESTER USERID": user.to_string(), "REQUESTED BY": name,
            "REQUESTED BY FULLNAME": full, "PASSWORDREQUESTLIST": rows,
        }));
    }
    Ok(Reply::message("Password Request fetched successfully").rows_of(details))
}

/// One `PASSWORDREQUESTLIST` entry (none when its account is gone).
fn request_row(caller: &ApiUser, q: &Request) -> Result<Option<Value>, PmpError> {
    let Some(acc) = caller.read(|c| store::account(c, q.account_id))? else {
        return Ok(None);
    };
    let Some(res) = caller.read(|c| store::resource(c, acc.resource_id))? else {
        return Ok(None);
    };
    Ok(Some(json!({
        "ACCOUNT ID": acc.id.to_string(), "ACCOUNT NAME": acc.name,
        "RESOURCE ID": res.id.to_string(), "RESOURCE NAME": res.name,
        "PASSWD ID": acc.id.to_string(), "STATUS": "",
        "REQUESTED TIME": display_time(Some(q.requested_at)),
        "REASON": q.reason, "START_TIME": "", "END_TIME": "",
    })))
}

/// The account and requester of an approver action, with the requester's open request.
fn requester_request(
    caller: &ApiUser,
    ids: &Requester,
) -> Result<(Resource, Account, Option<Request>), PmpError> {
    let (res, acc) = caller.account_any(&ids.0)?;
    let user = parse_id(&ids.1).ok_or_else(|| PmpError::failed(MSG_NO_USER))?;
    if caller.read(|c| store::user_by_id(c, user))?.is_none() {
        return Err(PmpError::failed(MSG_NO_USER));
    }
    let open = caller.read(|c| store::open_request(c, acc.id, user))?;
    Ok((res, acc, open))
}

/// `POST /accounts/{aid}/requester/{uid}/approve` (`ADMIN_REQUEST_APPROVE`).
pub async fn approve_request(caller: ApiUser, ids: Requester) -> Result<Reply, PmpError> {
    decide(&caller, &ids, RequestStatus::Approved)?;
    Ok(Reply::message("Password Approved successfully"))
}

/// `POST /accounts/{aid}/requester/{uid}/reject` (`ADMIN_REQUEST_REJECT`).
pub async fn reject_request(caller: ApiUser, ids: Requester) -> Result<Reply, PmpError> {
    decide(&caller, &ids, RequestStatus::Rejected)?;
    Ok(Reply::message("Password Rejected successfully"))
}

fn decide(caller: &ApiUser, ids: &Requester, to: RequestStatus) -> Result<(), PmpError> {
    let (res, _acc, open) = requester_request(caller, ids)?;
    allow(approver(caller, &res))?;
    let none_pending = || PmpError::failed("No pending password request found for this user");
    let open = open
        .filter(|q| q.status == RequestStatus::Requested)
        .ok_or_else(none_pending)?;
    caller.write(|tx| {
        // Re-read inside the transaction: a concurrent decision may have won.
        match store::open_request(tx, open.account_id, open.user_id)? {
            Some(q) if q.id == open.id && q.status == RequestStatus::Requested => {
                Ok(store::set_request(tx, q.id, to, None, None)?)
            }
            _ => Err(none_pending()),
        }
    })
}

/// `POST /accounts/{aid}/checkout` (`REQUEST_CHECKOUT`): exclusive; exactly one of concurrent
/// checkouts wins.
pub async fn checkout_password(caller: ApiUser, aid: web::Path<String>) -> Result<Reply, PmpError> {
    let (res, acc) = caller.account_any(&aid)?;
    caller.need_account(&res, &acc, Access::View)?;
    caller.note().reason = nonblank(&caller.details()?, "REASON").unwrap_or_default();
    let now = caller.now_ms();
    let until = now.saturating_add(acc.checkout_minutes.saturating_mul(60_000));
    let me = caller.id;
    caller.write(|tx| {
        let request = match store::open_request(tx, acc.id, me)? {
            Some(q) if q.status == RequestStatus::Approved => q,
            Some(q) if q.status == RequestStatus::CheckedOut => {
                return Err(PmpError::failed("Password is already checked out by you"))
            }
            Some(_) => return Err(PmpError::failed("Password request is waiting for approval")),
            None => return Err(PmpError::failed("Password request has not been approved")),
        };
        if store::checked_out_by(tx, acc.id)?.is_some_and(|u| u != me) {
            return Err(PmpError::failed("Password is in use by another user"));
        }
        let status = RequestStatus::CheckedOut;
        Ok(store::set_request(
            tx,
            request.id,
            status,
            Some(now),
            Some(until),
        )?)
    })?;
    Ok(
        Reply::message("Password have been checked out successfully")
            .details(json!({ "STATUS": "***** [checkIn]" })),
    )
}

/// `POST /accounts/{aid}/requester/{uid}/checkin` (`ADMIN_REQUEST_CHECKIN`): by an approver or
/// the requester.
pub async fn checkin_password(caller: ApiUser, ids: Requester) -> Result<Reply, PmpError> {
    let (res, _acc, open) = requester_request(&caller, &ids)?;
    let requester = parse_id(&ids.1).unwrap_or_default();
    allow(approver(&caller, &res) || requester == caller.id)?;
    let open = open
        .filter(|q| {
            matches!(
                q.status,
                RequestStatus::CheckedOut | RequestStatus::Approved
            )
        })
        .ok_or_else(|| PmpError::failed("Password is not checked out by this user"))?;
    caller.write(|tx| {
        Ok(store::set_request(
            tx,
            open.id,
            RequestStatus::CheckedIn,
            None,
            None,
        )?)
    })?;
    Ok(Reply::message("Password have been checked in successfully"))
}
