//! The route handlers and the pipeline every one of them runs through: read the input,
//! authenticate, run the operation, record it in the audit trail, answer in the envelope.

pub mod accounts;
pub mod misc;
pub mod resources;
pub mod users;
pub mod workflow;

use crate::auth::{self, Caller};
use crate::error::{self, PmpError, Reply, MSG_NOT_AUTHORIZED, MSG_NO_ACCOUNT, MSG_NO_RESOURCE};
use crate::input::{self, Input};
use crate::state::Access;
use crate::store::{self, Account, AuditEntry, AuditNote, Resource};
use crate::Pmp;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::{trace, Inst, Instance};
use rusqlite::{Connection, Transaction};
use serde_json::{Map, Value};

/// What one operation sees.
pub struct Ctx<'a> {
    /// The instance.
    pub inst: &'a Instance<Pmp>,
    /// The request.
    pub req: &'a HttpRequest,
    /// The authenticated caller.
    pub caller: Caller,
    /// Query and body parameters.
    pub input: Input,
    /// What the audit record names (filled in by the operation as it learns it).
    pub audit: AuditNote,
    /// An account whose `last_accessed` becomes now, written with the audit record.
    touched: Option<(i64, i64)>,
}

impl Ctx<'_> {
    /// Now on the instance clock, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.inst.env.clock.now_ms()
    }

    /// Record a retrieval of account `id`: its `last_accessed` is set to now, in the same
    /// transaction as this request's audit record (one write per request, not two).
    pub fn touch_accessed(&mut self, id: i64) {
        self.touched = Some((id, self.now_ms()));
    }

    /// `operation.Details` of INPUT_DATA, or an empty map when there is none.
    ///
    /// # Errors
    /// `Invalid input data` when INPUT_DATA does not parse.
    pub fn details(&self) -> Result<Map<String, Value>, PmpError> {
        Ok(self.input.details()?.unwrap_or_default())
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

    /// Run a write transaction (all or nothing).
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
    pub fn resource(&mut self, rid: &str) -> Result<Resource, PmpError> {
        let id = parse_id(rid).ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
        let res = self
            .read(|c| store::resource(c, id))?
            .ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
        self.audit.resource = res.name.clone();
        self.audit.resource_id = res.id;
        Ok(res)
    }

    /// The resource `rid`, which the caller must be able to see.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn visible_resource(&mut self, rid: &str) -> Result<Resource, PmpError> {
        let res = self.resource(rid)?;
        if !self.read(|c| store::resource_visible(c, &self.caller, &res))? {
            return Err(PmpError::failed(MSG_NOT_AUTHORIZED));
        }
        Ok(res)
    }

    /// Account `aid` (path text) of `res`; `No such account found` when unknown or elsewhere.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn account_of(&mut self, res: &Resource, aid: &str) -> Result<Account, PmpError> {
        let id = parse_id(aid).ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let acc = self
            .read(|c| store::account(c, id))?
            .filter(|a| a.resource_id == res.id)
            .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        self.audit.account = acc.name.clone();
        self.audit.account_id = acc.id;
        Ok(acc)
    }

    /// Account `aid` of any resource, with its resource.
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn account_any(&mut self, aid: &str) -> Result<(Resource, Account), PmpError> {
        let id = parse_id(aid).ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let acc = self
            .read(|c| store::account(c, id))?
            .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        let res = self
            .read(|c| store::resource(c, acc.resource_id))?
            .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
        self.audit.resource = res.name.clone();
        self.audit.resource_id = res.id;
        self.audit.account = acc.name.clone();
        self.audit.account_id = acc.id;
        Ok((res, acc))
    }

    /// Require at least `need` on the whole resource.
    ///
    /// # Errors
    /// `You are not authorized to perform this operation`.
    pub fn need_resource(&self, res: &Resource, need: Access) -> Result<(), PmpError> {
        let level = self.read(|c| store::resource_level(c, &self.caller, res))?;
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
        let level = self.read(|c| store::account_level(c, &self.caller, res, acc.id))?;
        allow(level.is_some_and(|l| l >= need))
    }

    /// A non-blank field of `Details`, else a plain query/body parameter of that name.
    pub fn field(&self, details: &Map<String, Value>, key: &str) -> Option<String> {
        input::nonblank(details, key).or_else(|| {
            self.input
                .param(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    }

    /// Enforce the account's reason and ticket settings for `what` ("retrieve the password").
    ///
    /// # Errors
    /// Failures in PMP's words.
    pub fn reason_and_ticket(
        &mut self,
        acc: &Account,
        details: &Map<String, Value>,
        what: &str,
    ) -> Result<(), PmpError> {
        let reason = self.field(details, "REASON");
        if let Some(reason) = &reason {
            self.audit.reason = reason.clone();
        }
        if acc.reason_required && reason.is_none() {
            return Err(PmpError::failed(format!("Reason is mandatory to {what}")));
        }
        let ticket = self.field(details, "TICKETID");
        if let Some(ticket) = &ticket {
            self.audit.ticket = ticket.clone();
        }
        if acc.ticket_required {
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

/// A numeric id from path or input text.
pub fn parse_id(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|id: &i64| *id > 0)
}

/// `Ok` when `allowed`, else the not-authorized failure.
///
/// # Errors
/// `You are not authorized to perform this operation`.
pub fn allow(allowed: bool) -> Result<(), PmpError> {
    if allowed {
        Ok(())
    } else {
        Err(PmpError::failed(MSG_NOT_AUTHORIZED))
    }
}

/// Run operation `name`: read, authenticate, `op`, audit, respond.
pub async fn run<F>(
    inst: Inst<Pmp>,
    req: HttpRequest,
    payload: web::Payload,
    name: &'static str,
    op: F,
) -> HttpResponse
where
    F: FnOnce(&mut Ctx<'_>) -> Result<Reply, PmpError>,
{
    let limit = inst.settings.max_body_bytes;
    let input = match input::read(&req, payload, limit).await {
        Ok(input) => input,
        Err(err) => {
            trace::refuse(&req, format!("unreadable request: {err}"));
            return error::failure(name, &err.message());
        }
    };
    let caller = match auth::authenticate(&inst, &req, &input) {
        Ok(caller) => caller,
        Err(refusal) => {
            trace::refuse(&req, refusal.reason);
            if let Some((user, full_name)) = &refusal.user {
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
                record(&inst, entry, None);
            }
            return error::failure("Authentication", refusal.message);
        }
    };
    trace::set_principal(&req, caller.user_name.clone());
    let mut ctx = Ctx {
        inst: &inst,
        req: &req,
        caller,
        input,
        audit: AuditNote::default(),
        touched: None,
    };
    let now = ctx.now_ms();
    let outcome = expire_checkouts(&ctx, now).and_then(|()| op(&mut ctx));
    let (ok, message) = match &outcome {
        Ok(_) => (true, ctx.audit.reason.clone()),
        Err(err) => {
            trace::refuse(&req, format!("{name}: {err}"));
            (false, err.message())
        }
    };
    let entry = AuditEntry {
        at_ms: ctx.now_ms(),
        user: &ctx.caller.user_name,
        full_name: &ctx.caller.full_name,
        operation: name,
        ok,
        note: &ctx.audit,
        reason: &message,
        ip: &peer_ip(&req),
    };
    let touched = ctx.touched.filter(|_| ok);
    record(&inst, entry, touched);
    match outcome {
        Ok(Reply { raw: Some(raw), .. }) => raw,
        Ok(reply) => error::respond_bytes(reply.to_bytes(name)),
        Err(_) => error::failure(name, &message),
    }
}

/// Check in the checkouts whose time ran out; a write only when there are some.
fn expire_checkouts(ctx: &Ctx<'_>, now: i64) -> Result<(), PmpError> {
    if ctx.read(|c| store::checkouts_due(c, now))? {
        ctx.write(|tx| Ok(store::expire_checkouts(tx, now)?))?;
    }
    Ok(())
}

/// The caller's address as text.
fn peer_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_canonical().to_string())
        .unwrap_or_default()
}

/// Append one audit record, with the retrieval time of the `touched` account (id, ms) in the
/// same transaction (its failure is logged, never shown to the client).
fn record(inst: &Instance<Pmp>, entry: AuditEntry<'_>, touched: Option<(i64, i64)>) {
    let written = inst.store.write(|tx| {
        if let Some((id, at_ms)) = touched {
            store::set_last_accessed(tx, id, at_ms)?;
        }
        store::insert_audit(tx, &entry)
    });
    if let Err(err) = written {
        tracing::warn!("pmp: audit record not written: {err}");
    }
}
