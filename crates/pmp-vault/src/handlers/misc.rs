//! Password generation by policy and the audit trail (spec §4 extras).

use super::{allow, run};
use crate::error::{PmpError, Reply};
use crate::input::nonblank;
use crate::rules::{self, audit_time};
use crate::state::Role;
use crate::store;
use crate::Pmp;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::Inst;
use serde_json::{json, Value};

/// `GET /passwords/generate` with INPUT_DATA `POLICY` (`GENERATE_PASSWORD`).
pub async fn generate_password(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
) -> HttpResponse {
    run(inst, req, body, "GENERATE_PASSWORD", |ctx| {
        let name = nonblank(&ctx.details()?, "POLICY")
            .or_else(|| ctx.input.param("POLICY").map(str::to_owned))
            .unwrap_or_else(|| "Strong".into());
        let policy = ctx
            .read(|c| store::policy(c, &name))?
            .ok_or_else(|| PmpError::failed(format!("Password policy {name} does not exist")))?;
        let password = rules::generate(&policy, &ctx.inst.env.ids);
        Ok(Reply::message("Password generated successfully")
            .details(json!({ "PASSWORD": password })))
    })
    .await
}

/// `GET /audit` (`GET_AUDIT`): newest first; Administrators, Password Administrators and
/// Password Auditors only.
pub async fn get_audit(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "GET_AUDIT", |ctx| {
        allow(ctx.caller.role != Role::PasswordUser)?;
        let rows = ctx.read(store::audit_rows)?;
        let details: Vec<Value> = rows
            .iter()
            .map(|(at_ms, a)| {
                let or_na = |s: &str| {
                    if s.is_empty() {
                        "N/A".to_owned()
                    } else {
                        s.to_owned()
                    }
                };
                json!({
                    "Audit ID": a.id.to_string(),
                    "Operation Type": a.operation,
                    "Resource Name": or_na(&a.resource_name),
                    "Resource ID": a.resource_id.to_string(),
                    "User Account": or_na(&a.account_name),
                    "User Account ID": a.account_id.to_string(),
                    "User Name": or_na(&a.user_name),
                    "User's Full Name": or_na(&a.full_name),
                    "Operated by": or_na(&a.user_name),
                    "Client Type": "REST API",
                    "IP Address": a.ip,
                    "Time Stamp": audit_time(*at_ms),
                    "TIME": at_ms.to_string(),
                    "Reason": a.reason,
                    "Ticket ID": a.ticket_id,
                    "Status": a.status,
                })
            })
            .collect();
        let reply = Reply::message("Audits fetched successfully.").rows(details.len());
        Ok(if details.is_empty() {
            reply
        } else {
            reply.details(Value::Array(details))
        })
    })
    .await
}
