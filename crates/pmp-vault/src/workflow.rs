//! Password access control, as the vendor's REST API help documents it ("RESTful API":
//! request a password, approve or reject a request, check out, check in, pending requests):
//! request → approve / reject → checkout → checkin, one exclusive checkout per account that
//! ends by itself after the account's `checkoutMinutes` on the instance clock.
//!
//! Time-bound requests as PAM360 documents them ("Request Password Approval by the Admin",
//! <https://www.manageengine.com/privileged-access-management/help/api/accesscontrolapi-1.html>):
//! `ACCESS` `now` (the default) or `later` with `STARTTIME` and `ENDTIME` (`dd/MM/yyyy HH:mm`,
//! read as UTC on the instance clock); a later request can be checked out only inside its window,
//! and its checkout ends at `ENDTIME` at the latest.

use crate::auth::ApiUser;
use crate::error::{allow, PmpError, MSG_NO_USER};
use crate::request::{nonblank, parse_id};
use crate::rules::display_time;
use crate::state::{Access, RequestStatus};
use crate::store::{self, Account, Request, Resource};
use crate::wire::Reply;
use actix_web::web;
use serde_json::{json, Map, Value};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

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
    let details = caller.details()?;
    let reason = request_reason(&caller, &details, res.reason_mandatory)?;
    let window = access_window(&details, caller.now_ms())?;
    let (status, shown) = first_status(&caller, &res, &acc);
    let raised = Raised {
        status,
        reason,
        window,
        now: caller.now_ms(),
    };
    caller.write(|tx| raise(tx, acc.id, caller.id, &raised))?;
    Ok(
        Reply::message("Request to view password have been raised successfully")
            .details(json!({ "STATUS": shown })),
    )
}

/// A new request waits for approval under access control, unless the caller approves or
/// owns the resource; its status and the `STATUS` shown.
fn first_status(caller: &ApiUser, res: &Resource, acc: &Account) -> (RequestStatus, &'static str) {
    if acc.access_control && !approver(caller, res) && res.owner_id != caller.id {
        (RequestStatus::Requested, "WAITING FOR APPROVAL")
    } else {
        (RequestStatus::Approved, "CHECKOUT")
    }
}

/// The `REASON` of a password request (INPUT_DATA, else the query), noted for the audit
/// record; refused when the resource makes it mandatory and there is none.
fn request_reason(
    caller: &ApiUser,
    details: &Map<String, Value>,
    mandatory: bool,
) -> Result<String, PmpError> {
    let reason = nonblank(details, "REASON").or_else(|| caller.param("REASON").map(str::to_owned));
    caller.note().reason = reason.clone().unwrap_or_default();
    match reason {
        Some(reason) => Ok(reason),
        None if mandatory => Err(PmpError::failed(
            "Reason is mandatory to request the password",
        )),
        None => Ok(String::new()),
    }
}

/// A request about to be raised.
struct Raised {
    status: RequestStatus,
    reason: String,
    window: Option<(i64, i64)>,
    now: i64,
}

/// Raise `q` on `account` for `user` inside `tx`, unless one is open already.
fn raise(
    tx: &rusqlite::Transaction<'_>,
    account: i64,
    user: i64,
    q: &Raised,
) -> Result<(), PmpError> {
    if let Some(open) = store::open_request(tx, account, user)? {
        return Err(PmpError::failed(match open.status {
            RequestStatus::Requested => "Password request is already waiting for approval",
            _ => "Password request has already been approved",
        }));
    }
    let id = store::insert_request(tx, account, user, q.status, &q.reason, q.now)?;
    if let Some((start, end)) = q.window {
        store::set_request_window(tx, id, start, end)?;
    }
    Ok(())
}

/// The access window of a request's `ACCESS` `later` (`STARTTIME`, `ENDTIME`), or none for
/// `now`.
fn access_window(details: &Map<String, Value>, now: i64) -> Result<Option<(i64, i64)>, PmpError> {
    let access = nonblank(details, "ACCESS").map(|a| a.to_ascii_lowercase());
    match access.as_deref() {
        None | Some("now") => return Ok(None),
        Some("later") => {}
        Some(_) => {
            return Err(PmpError::failed(
                "Invalid access type. It should be either now or later",
            ))
        }
    }
    let (Some(start), Some(end)) = (nonblank(details, "STARTTIME"), nonblank(details, "ENDTIME"))
    else {
        return Err(PmpError::failed(
            "Start time and end time are mandatory to access the password later",
        ));
    };
    let start = parse_time(&start)
        .ok_or_else(|| PmpError::failed("Invalid start time. Use the format dd/MM/yyyy HH:mm"))?;
    let end = parse_time(&end)
        .ok_or_else(|| PmpError::failed("Invalid end time. Use the format dd/MM/yyyy HH:mm"))?;
    if end <= start {
        return Err(PmpError::failed(
            "End time should be later than the start time",
        ));
    }
    if end <= now {
        return Err(PmpError::failed(
            "End time should be later than the current time",
        ));
    }
    Ok(Some((start, end)))
}

/// `dd/MM/yyyy HH:mm` (UTC) as epoch ms.
fn parse_time(text: &str) -> Option<i64> {
    let format = format_description!("[day]/[month]/[year] [hour]:[minute]");
    let at = PrimitiveDateTime::parse(text.trim(), &format)
        .ok()?
        .assume_utc();
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Epoch ms as `dd/MM/yyyy HH:mm` (UTC).
fn show_time(ms: i64) -> String {
    let format = format_description!("[day]/[month]/[year] [hour]:[minute]");
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// `GET /accounts/passwordaccessrequests` (`GET_PASSWORDREQUEST`): pending requests the
/// caller may approve, grouped by requester.
pub async fn list_requests(caller: ApiUser) -> Result<Reply, PmpError> {
    allow(caller.is_admin())?;
    let pending = caller.read(|c| store::pending_requests(c, &caller))?;
    let mut details = Vec::new();
    for (user, rows) in by_requester(&caller, &pending)? {
        details.push(requester_entry(&caller, user, rows)?);
    }
    Ok(Reply::message("Password Request fetched successfully").rows_of(details))
}

/// The pending requests' rows grouped by requester, in order of first appearance.
fn by_requester(caller: &ApiUser, pending: &[Request]) -> Result<Vec<(i64, Vec<Value>)>, PmpError> {
    let mut groups: Vec<(i64, Vec<Value>)> = Vec::new();
    for q in pending {
        let Some(row) = request_row(caller, q)? else {
            continue;
        };
        match groups.iter_mut().find(|(u, _)| *u == q.user_id) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((q.user_id, vec![row])),
        }
    }
    Ok(groups)
}

/// One requester's entry: who they are and their `PASSWORDREQUESTLIST`.
fn requester_entry(caller: &ApiUser, user: i64, rows: Vec<Value>) -> Result<Value, PmpError> {
    let (name, full) = caller
        .read(|c| store::user_by_id(c, user))?
        .unwrap_or_default();
    Ok(json!({
        "REQUESTER USERID": user.to_string(), "REQUESTED BY": name,
        "REQUESTED BY FULLNAME": full, "PASSWORDREQUESTLIST": rows,
    }))
}

/// One `PASSWORDREQUESTLIST` entry (none when its account is gone).
fn request_row(caller: &ApiUser, q: &Request) -> Result<Option<Value>, PmpError> {
    let Some(acc) = caller.read(|c| store::account(c, q.account_id))? else {
        return Ok(None);
    };
    let Some(res) = caller.read(|c| store::resource(c, acc.resource_id))? else {
        return Ok(None);
    };
    let window = caller.read(|c| store::request_window(c, q.id))?;
    let (start, end) = window.map_or_else(Default::default, |(s, e)| (show_time(s), show_time(e)));
    Ok(Some(json!({
        "ACCOUNT ID": acc.id.to_string(), "ACCOUNT NAME": acc.name,
        "RESOURCE ID": res.id.to_string(), "RESOURCE NAME": res.name,
        "PASSWD ID": acc.id.to_string(), "STATUS": "",
        "REQUESTED TIME": display_time(Some(q.requested_at)),
        "REASON": q.reason, "START_TIME": start, "END_TIME": end,
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
    let (now, me) = (caller.now_ms(), caller.id);
    caller.write(|tx| check_out(tx, &acc, me, now))?;
    Ok(
        Reply::message("Password have been checked out successfully")
            .details(json!({ "STATUS": "***** [checkIn]" })),
    )
}

/// Check out `acc` for user `me` at `now`, inside `tx`: its approved request becomes a
/// checkout that ends after the account's minutes, or at the request's `ENDTIME`.
fn check_out(
    tx: &rusqlite::Transaction<'_>,
    acc: &Account,
    me: i64,
    now: i64,
) -> Result<(), PmpError> {
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
    let until = now.saturating_add(acc.checkout_minutes.saturating_mul(60_000));
    let until = match store::request_window(tx, request.id)? {
        Some((start, _)) if now < start => {
            let from = show_time(start);
            return Err(PmpError::failed(format!(
                "Password access is allowed only from {from}"
            )));
        }
        Some((_, end)) if now >= end => {
            return Err(PmpError::failed(
                "The time allowed to access the password is over",
            ));
        }
        Some((_, end)) => until.min(end),
        None => until,
    };
    let status = RequestStatus::CheckedOut;
    Ok(store::set_request(
        tx,
        request.id,
        status,
        Some(now),
        Some(until),
    )?)
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
    let checked_in = RequestStatus::CheckedIn;
    caller.write(|tx| Ok(store::set_request(tx, open.id, checked_in, None, None)?))?;
    Ok(Reply::message("Password have been checked in successfully"))
}
