//! PMP's front door and the [`ApiUser`] extractor every API handler takes first.
//!
//! The vendor's REST API help ("RESTful API", "Authentication") has the client send the
//! API user's `AUTHTOKEN`; the clients send it as a header (pypmp, passwordmanpro-cli), in
//! the query or in the form body, and older ones as `APP_AUTHTOKEN`: the first present, in
//! that order, wins. A token belongs to a user; an API user may only call from its `HOSTNAME`
//! (`localhost` matches loopback callers) and only until the end of its `EXPIRYDATE` (UTC,
//! instance clock). Locked users are refused at once.

use crate::error::{
    allow, PmpError, MSG_BAD_TOKEN, MSG_EXPIRED, MSG_LOCKED, MSG_NOT_AUTHORIZED, MSG_NO_ACCOUNT,
    MSG_NO_RESOURCE, MSG_WRONG_HOST,
};
use crate::input::{self, Input};
use crate::request::parse_id;
use crate::state::{Access, Role};
use crate::store::{self, Account, AuditEntry, AuditNote, Owned, PasswordAccount, Resource};
use crate::wire;
use crate::Pmp;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use auth_core::credentials::header;
use auth_core::{trace, Inst, Instance};
use futures_util::future::LocalBoxFuture;
use rusqlite::{Connection, Transaction};
use serde_json::{Map, Value};
use std::cell::{Cell, RefCell, RefMut};
use std::net::IpAddr;
use std::ops::Deref;
use std::rc::Rc;
use std::sync::Arc;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// User id.
    pub id: i64,
    /// User name.
    pub user_name: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Access scope "All Passwords in the System".
    pub super_admin: bool,
}

impl Caller {
    /// Whether the caller sees every password in the system (super admin scope, which only
    /// Administrators and Password Administrators can hold).
    pub fn sees_all(&self) -> bool {
        self.super_admin && self.is_admin()
    }

    /// Administrator or Password Administrator.
    pub fn is_admin(&self) -> bool {
        matches!(self.role, Role::Administrator | Role::PasswordAdministrator)
    }
}

/// Why the front door refused; the user is named when the token was known.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The client-visible message.
    pub message: &'static str,
    /// For the journal (never the token).
    pub reason: String,
    /// The token's user (name, full name), when the token was right.
    pub user: Option<(String, String)>,
}

/// The presented token, if any (header, query or form, then `APP_AUTHTOKEN`).
pub fn token(req: &HttpRequest, input: &Input) -> Option<String> {
    header(req, "AUTHTOKEN")
        .map(str::to_owned)
        .or_else(|| input.param("AUTHTOKEN").map(str::to_owned))
        .or_else(|| header(req, "APP_AUTHTOKEN").map(str::to_owned))
        .or_else(|| input.param("APP_AUTHTOKEN").map(str::to_owned))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The token from the header or the query only (no body read), for cheap principal hints.
pub fn token_hint(req: &HttpRequest) -> Option<String> {
    header(req, "AUTHTOKEN")
        .map(str::to_owned)
        .or_else(|| auth_core::credentials::query_param(req, "AUTHTOKEN").map(|c| c.into_owned()))
        .map(|t| t.trim().to_owned())
}

/// Whether a caller at `peer` may use an API user bound to `host`.
pub fn host_matches(host: &str, peer: Option<IpAddr>) -> bool {
    let Some(peer) = peer.map(|ip| ip.to_canonical()) else {
        return false;
    };
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case("localhost.localdomain")
    {
        return peer.is_loopback();
    }
    host.parse::<IpAddr>()
        .is_ok_and(|h| h.to_canonical() == peer)
}

/// Today's date (UTC) on the instance clock as `yyyy-mm-dd`.
pub fn today<P: auth_core::Product>(inst: &Instance<P>) -> String {
    let date = inst.env.clock.now().date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Authenticate the request.
///
/// # Errors
/// A [`Refusal`] with PMP's message.
pub fn authenticate(
    inst: &Instance<Pmp>,
    req: &HttpRequest,
    input: &Input,
) -> Result<Caller, Refusal> {
    let refuse = |reason: &str| Refusal {
        message: MSG_BAD_TOKEN,
        reason: reason.to_owned(),
        user: None,
    };
    let Some(token) = token(req, input) else {
        return Err(refuse("no AUTHTOKEN header, query or form parameter"));
    };
    let caches = &inst.product.caches;
    let row = inst
        .store
        .read(|c| caches.token_user(c, &token, || store::user_by_token(c, &token)))
        .map_err(|_| refuse("store error while looking up the token"))?;
    let Some(row) = row.filter(|r| auth_core::secret::ct_eq_str(&r.token, &token)) else {
        return Err(refuse("the AUTHTOKEN belongs to no user"));
    };
    let named = |message, reason| Refusal {
        message,
        reason,
        user: Some((row.user_name.clone(), row.full_name.clone())),
    };
    if row.locked {
        return Err(named(
            MSG_LOCKED,
            format!("user {} is locked", row.user_name),
        ));
    }
    if row.api_user {
        let host = row.host_name.as_deref().unwrap_or_default();
        let peer = req.peer_addr().map(|a| a.ip());
        if !host_matches(host, peer) {
            let from = peer.map_or_else(|| "an unknown address".into(), |p| p.to_string());
            let reason = format!(
                "API user {} is bound to host {host:?}, request came from {from}",
                row.user_name
            );
            return Err(named(MSG_WRONG_HOST, reason));
        }
    }
    if let Some(expiry) = &row.expiry {
        if today(inst).as_str() > expiry.as_str() {
            let reason = format!("the API key of {} expired on {expiry}", row.user_name);
            return Err(named(MSG_EXPIRED, reason));
        }
    }
    Ok(Caller {
        id: row.id,
        role: Role::parse(&row.role).unwrap_or(Role::PasswordUser),
        user_name: row.user_name.clone(),
        full_name: row.full_name.clone(),
        super_admin: row.super_admin,
    })
}

/// A request refused before its operation ran: unreadable input (answered under the
/// operation's name) or the front door (answered as operation `Authentication`).
#[derive(Debug, thiserror::Error)]
pub enum FrontDoor {
    /// The body could not be read.
    #[error("unreadable request: {0}")]
    Unreadable(String),
    /// The token was refused.
    #[error("authentication: {0}")]
    Refused(&'static str),
}

impl FrontDoor {
    /// The envelope for operation `name`: the REST API names a refused token's operation
    /// `Authentication`; the PKI sub-API answers under the operation's own name.
    pub fn response(&self, style: wire::Style, name: &str) -> HttpResponse {
        match (self, style) {
            (FrontDoor::Unreadable(message), _) => wire::failure_in(style, name, message),
            (FrontDoor::Refused(message), wire::Style::Rest) => {
                wire::failure("Authentication", message)
            }
            (FrontDoor::Refused(message), wire::Style::Pki) => {
                wire::failure_in(style, name, message)
            }
        }
    }
}

impl ResponseError for FrontDoor {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::OK
    }

    fn error_response(&self) -> HttpResponse {
        self.response(wire::Style::Rest, "UNKNOWN")
    }
}

/// What the audit record of one request names, shared between the handler's [`ApiUser`] and
/// the envelope that writes the record when the handler is done.
#[derive(Debug)]
pub struct Call {
    inst: Arc<Instance<Pmp>>,
    user_name: String,
    full_name: String,
    /// Resource, account, reason and ticket, filled in as the operation learns them.
    pub note: RefCell<AuditNote>,
    /// An account whose `last_accessed` becomes now, written with the audit record.
    touched: Cell<Option<(i64, i64)>>,
}

/// The caller's address as text.
fn peer_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_canonical().to_string())
        .unwrap_or_default()
}

/// Append the audit record of `call`, with the retrieval time of the touched account in the
/// same transaction on success (its failure is logged, never shown to the client).
pub(crate) fn record(call: &Call, operation: &str, ok: bool, message: &str, req: &HttpRequest) {
    let note = call.note.borrow();
    let entry = AuditEntry {
        at_ms: call.inst.env.clock.now_ms(),
        user: &call.user_name,
        full_name: &call.full_name,
        operation,
        ok,
        note: &note,
        reason: message,
        ip: &peer_ip(req),
    };
    let touched = call.touched.get().filter(|_| ok);
    write_audit(&call.inst, &entry, touched);
}

/// Append the record (with the touched account's access time), and count the rows it changed
/// as the audit's (the caches' generation leaves them out, [`crate::cache`]).
fn write_audit(inst: &Instance<Pmp>, entry: &AuditEntry<'_>, touched: Option<(i64, i64)>) {
    if let Err(err) = inst.store.read(|conn| {
        let before = conn.total_changes();
        let written = store::append_audit(conn, entry, touched);
        let rows = conn.total_changes().wrapping_sub(before);
        inst.product.caches.changes.audit_written(rows);
        written
    }) {
        tracing::warn!("pmp: audit record not written: {err}");
    }
}

/// The authenticated API user of a request, with what it sent: the first argument of every
/// API handler. Extracting it reads the input, authenticates (refusing in PMP's envelope),
/// and checks in the checkouts whose time ran out.
pub struct ApiUser {
    inst: Arc<Instance<Pmp>>,
    who: Caller,
    input: Input,
    call: Rc<Call>,
}

impl Deref for ApiUser {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.who
    }
}

impl FromRequest for ApiUser {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let payload = payload.await?;
            let Inst(inst) = Inst::<Pmp>::extract(&req).await?;
            ApiUser::admit(inst, req, payload).await
        })
    }
}

impl ApiUser {
    async fn admit(
        inst: Arc<Instance<Pmp>>,
        req: HttpRequest,
        payload: web::Payload,
    ) -> Result<ApiUser, actix_web::Error> {
        let input = match input::read(&req, payload, inst.settings.max_body_bytes).await {
            Ok(input) => input,
            Err(err) => {
                trace::refuse(&req, format!("unreadable request: {err}"));
                return Err(FrontDoor::Unreadable(err.message()).into());
            }
        };
        let who = match authenticate(&inst, &req, &input) {
            Ok(who) => who,
            Err(refusal) => {
                trace::refuse(&req, refusal.reason);
                if let Some((user, full_name)) = &refusal.user {
                    let name = req
                        .extensions()
                        .get::<wire::OpName>()
                        .map_or("UNKNOWN", |n| n.0);
                    let entry = AuditEntry {
                        at_ms: inst.env.clock.now_ms(),
                        user,
                        full_name,
                        operation: name,
                        ok: false,
                        note: &AuditNote::default(),
                        reason: refusal.message,
                        ip: &peer_ip(&req),
                    };
                    write_audit(&inst, &entry, None);
                }
                return Err(FrontDoor::Refused(refusal.message).into());
            }
        };
        trace::set_principal(&req, who.user_name.clone());
        let call = Rc::new(Call {
            inst: inst.clone(),
            user_name: who.user_name.clone(),
            full_name: who.full_name.clone(),
            note: RefCell::new(AuditNote::default()),
            touched: Cell::new(None),
        });
        req.extensions_mut().insert(call.clone());
        let user = ApiUser {
            inst,
            who,
            input,
            call,
        };
        user.expire_checkouts()?;
        Ok(user)
    }

    /// Check in the checkouts whose time ran out; a write only when there are some.
    fn expire_checkouts(&self) -> Result<(), PmpError> {
        let now = self.now_ms();
        let caches = &self.inst.product.caches;
        let next = self.read(|c| caches.next_expiry(c, || store::next_checkout_expiry(c)))?;
        if next.is_some_and(|at| at <= now) {
            self.write(|tx| Ok(store::expire_checkouts(tx, now)?))?;
        }
        Ok(())
    }

    /// The instance.
    pub fn inst(&self) -> &Instance<Pmp> {
        &self.inst
    }

    /// What the request carried besides its path.
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// Now on the instance clock, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.inst.env.clock.now_ms()
    }

    /// The audit note of this request, to fill in.
    pub fn note(&self) -> RefMut<'_, AuditNote> {
        self.call.note.borrow_mut()
    }

    /// Record a retrieval of account `id`: its `last_accessed` is set to now, in the same
    /// transaction as this request's audit record (one write per request, not two).
    pub fn touch_accessed(&self, id: i64) {
        self.call.touched.set(Some((id, self.now_ms())));
    }

    /// `operation.Details` of INPUT_DATA, or an empty map when there is none.
    ///
    /// # Errors
    /// `Invalid input data` when INPUT_DATA does not parse.
    pub fn details(&self) -> Result<Map<String, Value>, PmpError> {
        Ok(self.input.details()?.unwrap_or_default())
    }

    /// `operation.Details` of INPUT_DATA, which must be there.
    ///
    /// # Errors
    /// `Invalid input data`.
    pub fn require_details(&self) -> Result<Map<String, Value>, PmpError> {
        self.input.require_details()
    }

    /// A plain query or body parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.input.param(name)
    }

    /// A non-blank field of `Details`, else a plain query/body parameter of that name.
    pub fn field(&self, details: &Map<String, Value>, key: &str) -> Option<String> {
        input::nonblank(details, key).or_else(|| {
            self.param(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    }

    /// Run a read against the store.
    ///
    /// # Errors
    /// Store errors.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, PmpError> {
        Ok(self.inst.store.read(f)?)
    }

    /// Run one write transaction (all or nothing).
    ///
    /// # Errors
    /// Whatever `f` returns; the transaction is then rolled back.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, PmpError>,
    ) -> Result<T, PmpError> {
        self.inst.store.write(f)
    }

    /// The resource `rid` (path text); `No such resource found` when unknown.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn resource(&self, rid: &str) -> Result<Resource, PmpError> {
        let id = parse_id(rid).ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
        let res = self
            .read(|c| store::resource(c, id))?
            .ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
        self.noted_resource(&res);
        Ok(res)
    }

    /// Name `res` in the audit record.
    pub fn noted_resource(&self, res: &Resource) {
        let mut note = self.note();
        note.resource = res.name.clone();
        note.resource_id = res.id;
    }

    /// The resource `rid`, which the caller must be able to see.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn visible_resource(&self, rid: &str) -> Result<Resource, PmpError> {
        let res = self.resource(rid)?;
        if !self.read(|c| store::resource_visible(c, self, res.owned()))? {
            return Err(PmpError::failed(MSG_NOT_AUTHORIZED));
        }
        Ok(res)
    }

    /// Account `aid` (path text) of `res`; `No such account found` when unknown or elsewhere.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn account_of(&self, res: &Resource, aid: &str) -> Result<Account, PmpError> {
        let id = parse_id(aid).ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let acc = self
            .read(|c| store::account(c, id))?
            .filter(|a| a.resource_id == res.id)
            .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let mut note = self.note();
        note.account = acc.name.clone();
        note.account_id = acc.id;
        Ok(acc)
    }

    /// Account `aid` of any resource, with its resource.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn account_any(&self, aid: &str) -> Result<(Resource, Account), PmpError> {
        let id = parse_id(aid).ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let acc = self
            .read(|c| store::account(c, id))?
            .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let res = self
            .read(|c| store::resource(c, acc.resource_id))?
            .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let mut note = self.note();
        note.resource = res.name.clone();
        note.resource_id = res.id;
        note.account = acc.name.clone();
        note.account_id = acc.id;
        Ok((res, acc))
    }

    /// Require at least `need` on the whole resource.
    ///
    /// # Errors
    /// `You are not authorized to perform this operation`.
    pub fn need_resource(&self, res: &Resource, need: Access) -> Result<(), PmpError> {
        let level = self.read(|c| store::resource_level(c, self, res.owned()))?;
        allow(level.is_some_and(|l| l >= need))
    }

    /// Require at least `need` on one account.
    ///
    /// # Errors
    /// `You are not authorized to perform this operation`.
    pub fn need_account(
        &self,
        res: &Resource,
        acc: &Account,
        need: Access,
    ) -> Result<(), PmpError> {
        self.need_account_of(res.owned(), acc.id, need)
    }

    /// Require at least `need` on account `account_id` of resource `res`.
    ///
    /// # Errors
    /// `You are not authorized to perform this operation`.
    pub fn need_account_of(
        &self,
        res: Owned,
        account_id: i64,
        need: Access,
    ) -> Result<(), PmpError> {
        let level = self.read(|c| store::account_level(c, self, res, account_id))?;
        allow(level.is_some_and(|l| l >= need))
    }

    /// The resource `rid` and its account `aid` (path texts) for a password read, named in
    /// the audit record as they are found, in one statement: `No such resource found` and
    /// `No such account found` as [`Self::resource`] and [`Self::account_of`] answer them.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn password_target(
        &self,
        rid: &str,
        aid: &str,
    ) -> Result<(Owned, PasswordAccount), PmpError> {
        let id = parse_id(rid).ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
        let aid = parse_id(aid);
        let caches = &self.inst.product.caches;
        let target = self
            .read(|c| caches.password_target(c, id, aid, || store::password_target(c, id, aid)))?
            .ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
        let mut note = self.note();
        note.resource.clone_from(&target.resource_name);
        note.resource_id = target.resource.id;
        let acc = target
            .account
            .as_ref()
            .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        note.account.clone_from(&acc.name);
        note.account_id = acc.id;
        Ok((target.resource, acc.clone()))
    }

    /// Enforce the account's reason and ticket settings for `what` ("retrieve the password").
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn reason_and_ticket(
        &self,
        acc: &Account,
        details: &Map<String, Value>,
        what: &str,
    ) -> Result<(), PmpError> {
        self.reason_and_ticket_for(acc.reason_required, acc.ticket_required, details, what)
    }

    /// [`Self::reason_and_ticket`] for an account with these two settings.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn reason_and_ticket_for(
        &self,
        reason_required: bool,
        ticket_required: bool,
        details: &Map<String, Value>,
        what: &str,
    ) -> Result<(), PmpError> {
        let reason = self.field(details, "REASON");
        if let Some(reason) = &reason {
            self.note().reason = reason.clone();
        }
        if reason_required && reason.is_none() {
            return Err(PmpError::failed(format!("Reason is mandatory to {what}")));
        }
        let ticket = self.field(details, "TICKETID");
        if let Some(ticket) = &ticket {
            self.note().ticket = ticket.clone();
        }
        if ticket_required {
            let Some(ticket) = ticket else {
                return Err(PmpError::failed(format!(
                    "Ticket ID is mandatory to {what}"
                )));
            };
            if !self.read(|c| store::ticket_valid(c, &ticket))? {
                return Err(PmpError::failed("Invalid Ticket ID"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_matches_loopback_only() {
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        let other: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(host_matches("localhost", Some(v4)));
        assert!(host_matches("LOCALHOST", Some(v6)));
        assert!(host_matches("localhost", Some(mapped)));
        assert!(!host_matches("localhost", Some(other)));
        assert!(host_matches("10.1.2.3", Some(other)));
        assert!(!host_matches("buildhost.example.com", Some(v4)));
        assert!(!host_matches("localhost", None));
    }
}
