//! The route handlers and the pipeline every one of them runs through: read the input,
//! authenticate, run the operation, record it in the audit trail, answer in the envelope.

pub mod resources;

use crate::auth::{self, Caller};
use crate::error::{self, PmpError, Reply};
use crate::input::{self, Input};
use crate::Pmp;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::{trace, Inst, Instance};

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
}

/// The resource, account and reason an audit record names.
#[derive(Debug, Default, Clone)]
pub struct AuditNote {
    /// Resource name.
    pub resource: String,
    /// Account name.
    pub account: String,
    /// The caller's reason.
    pub reason: String,
}

impl Ctx<'_> {
    /// Now on the instance clock, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.inst.env.clock.now_ms()
    }

    /// The caller's address.
    pub fn ip(&self) -> String {
        self.req
            .peer_addr()
            .map(|a| a.ip().to_canonical().to_string())
            .unwrap_or_default()
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
            if let Some(user) = refusal.user_name {
                let ip = req
                    .peer_addr()
                    .map(|a| a.ip().to_canonical().to_string())
                    .unwrap_or_default();
                record(
                    &inst,
                    &user,
                    name,
                    false,
                    &AuditNote::default(),
                    refusal.message,
                    &ip,
                );
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
    };
    let outcome = op(&mut ctx);
    let ip = ctx.ip();
    match outcome {
        Ok(reply) => {
            let reason = ctx.audit.reason.clone();
            record(
                &inst,
                &ctx.caller.user_name,
                name,
                true,
                &ctx.audit,
                &reason,
                &ip,
            );
            match reply.raw {
                Some(raw) => raw,
                None => error::respond(&error::envelope(
                    name,
                    true,
                    &reply.message,
                    reply.details,
                    reply.total_rows,
                )),
            }
        }
        Err(err) => {
            let message = err.message();
            trace::refuse(&req, format!("{name}: {err}"));
            record(
                &inst,
                &ctx.caller.user_name,
                name,
                false,
                &ctx.audit,
                &message,
                &ip,
            );
            error::failure(name, &message)
        }
    }
}

/// Append one audit record (its failure is logged, never shown to the client).
fn record(
    inst: &Instance<Pmp>,
    user: &str,
    operation: &str,
    ok: bool,
    note: &AuditNote,
    reason: &str,
    ip: &str,
) {
    let at = inst.env.clock.now_ms();
    let status = if ok { "Success" } else { "Failed" };
    let written = inst.store.write(|tx| {
        crate::store::insert_audit(
            tx,
            at,
            user,
            operation,
            status,
            &note.resource,
            &note.account,
            reason,
            ip,
        )
    });
    if let Err(err) = written {
        tracing::warn!("pmp: audit record not written: {err}");
    }
}
