//! Resources: list (S0 #1).

use super::{run, Ctx};
use crate::error::{PmpError, Reply};
use crate::Pmp;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::Inst;
use serde_json::{json, Value};

/// `GET /restapi/json/v1/resources`: owned and shared resources (`GET RESOURCES`).
pub async fn list_resources(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "GET RESOURCES", list).await
}

fn list(ctx: &mut Ctx<'_>) -> Result<Reply, PmpError> {
    let rows = ctx
        .inst
        .store
        .read(|c| crate::store::list_resources(c, &ctx.caller))?;
    let reply = Reply::message("Resources fetched successfully").rows(rows.len());
    if rows.is_empty() {
        return Ok(reply);
    }
    let details: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "RESOURCE ID": r.id.to_string(),
                "RESOURCE NAME": r.name,
                "RESOURCE DESCRIPTION": r.description,
                "RESOURCE TYPE": r.r#type,
                "NOOFACCOUNTS": r.accounts.to_string(),
            })
        })
        .collect();
    Ok(reply.details(Value::Array(details)))
}
