//! Product control routes under `/_standin/pmp/` (loopback or control token, gated by
//! auth-core): per-resource and per-account settings and the ticketing system's open tickets.
//!
//! - `PATCH /_standin/pmp/resources/{rid}` `{"unreachable":true,"reasonMandatory":true}`
//! - `PATCH /_standin/pmp/accounts/{aid}` `{"reasonRequired":true,"ticketRequired":true,"accessControl":true,"checkoutMinutes":30}`
//! - `POST /_standin/pmp/tickets` `{"id":"8"}` · `DELETE /_standin/pmp/tickets/{id}`

use crate::store;
use crate::Pmp;
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use auth_core::control::{error_response, ControlError};
use auth_core::{control_op, ControlOp, Inst};
use serde::Deserialize;
use serde_json::{json, Value};

fn flags(names: &[&str]) -> Value {
    let props: serde_json::Map<String, Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), json!({"type": "boolean"})))
        .collect();
    Value::Object(props)
}

/// The routes, as auth-core mounts and describes them.
pub(crate) fn routes() -> Vec<ControlOp> {
    let ticket = json!({"type": "object", "additionalProperties": false, "required": ["id"],
        "properties": {"id": {"type": "string", "minLength": 1}}});
    let mut account = flags(&["reasonRequired", "ticketRequired", "accessControl"]);
    account["checkoutMinutes"] = json!({"type": "integer", "minimum": 1});
    let mut account_out = account.clone();
    account_out["id"] = json!({"type": "integer"});
    let mut resource_out = flags(&["unreachable", "reasonMandatory"]);
    resource_out["id"] = json!({"type": "integer"});
    vec![
        control_op(Method::PATCH, "/resources/{rid}", "Mark a resource unreachable (remote password resets fail) or make a reason mandatory", patch_resource)
            .body(json!({"type": "object", "additionalProperties": false, "properties": flags(&["unreachable", "reasonMandatory"])}))
            .ok(200, json!({"type": "object", "properties": resource_out}))
            .errors(&[400, 404]),
        control_op(Method::PATCH, "/accounts/{aid}", "An account's access-control settings: reason and ticket required, approval workflow, checkout time", patch_account)
            .body(json!({"type": "object", "additionalProperties": false, "properties": account}))
            .ok(200, json!({"type": "object", "properties": account_out}))
            .errors(&[400, 404]),
        control_op(Method::POST, "/tickets", "Open a ticket in the ticketing system that TICKETID is checked against", add_ticket)
            .body(ticket.clone())
            .ok(200, ticket)
            .errors(&[400]),
        control_op(Method::DELETE, "/tickets/{id}", "Close a ticket", delete_ticket)
            .ok(204, json!({}))
            .errors(&[404]),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ResourcePatch {
    unreachable: Option<bool>,
    reason_mandatory: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AccountPatch {
    reason_required: Option<bool>,
    ticket_required: Option<bool>,
    access_control: Option<bool>,
    checkout_minutes: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ticket {
    id: String,
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    serde_json::from_slice(body).map_err(|e| ControlError::BadRequest(format!("invalid body: {e}")))
}

fn store_error(e: rusqlite::Error) -> HttpResponse {
    error_response(ControlError::BadRequest(format!("store: {e}")))
}

async fn patch_resource(inst: Inst<Pmp>, rid: web::Path<String>, body: web::Bytes) -> HttpResponse {
    let patch: ResourcePatch = match parse(&body) {
        Ok(p) => p,
        Err(err) => return error_response(err),
    };
    let Ok(rid) = rid.parse::<i64>() else {
        return error_response(ControlError::NotFound(format!("no resource {rid}")));
    };
    let result = inst
        .store
        .write(|tx| store::patch_resource(tx, rid, patch.unreachable, patch.reason_mandatory));
    match result {
        Ok(Some((unreachable, reason_mandatory))) => HttpResponse::Ok().json(
            json!({"id": rid, "unreachable": unreachable, "reasonMandatory": reason_mandatory}),
        ),
        Ok(None) => error_response(ControlError::NotFound(format!("no resource {rid}"))),
        Err(e) => store_error(e),
    }
}

async fn patch_account(inst: Inst<Pmp>, aid: web::Path<String>, body: web::Bytes) -> HttpResponse {
    let patch: AccountPatch = match parse(&body) {
        Ok(p) => p,
        Err(err) => return error_response(err),
    };
    if patch.checkout_minutes.is_some_and(|m| m <= 0) {
        return error_response(ControlError::BadRequest(
            "checkoutMinutes must be positive".into(),
        ));
    }
    let Ok(aid) = aid.parse::<i64>() else {
        return error_response(ControlError::NotFound(format!("no account {aid}")));
    };
    let result = inst.store.write(|tx| {
        store::patch_account(
            tx,
            aid,
            patch.reason_required,
            patch.ticket_required,
            patch.access_control,
            patch.checkout_minutes,
        )
    });
    match result {
        Ok(Some(a)) => {
            HttpResponse::Ok().json(json!({"id": aid, "reasonRequired": a.reason_required,
            "ticketRequired": a.ticket_required, "accessControl": a.access_control,
            "checkoutMinutes": a.checkout_minutes}))
        }
        Ok(None) => error_response(ControlError::NotFound(format!("no account {aid}"))),
        Err(e) => store_error(e),
    }
}

async fn add_ticket(inst: Inst<Pmp>, body: web::Bytes) -> HttpResponse {
    let ticket: Ticket = match parse(&body) {
        Ok(t) => t,
        Err(err) => return error_response(err),
    };
    if ticket.id.trim().is_empty() {
        return error_response(ControlError::BadRequest("id must not be empty".into()));
    }
    match inst.store.write(|tx| store::add_ticket(tx, &ticket.id)) {
        Ok(()) => HttpResponse::Ok().json(json!({"id": ticket.id})),
        Err(e) => store_error(e),
    }
}

async fn delete_ticket(inst: Inst<Pmp>, id: web::Path<String>) -> HttpResponse {
    match inst.store.write(|tx| store::delete_ticket(tx, id.as_str())) {
        Ok(false) => error_response(ControlError::NotFound(format!("no ticket {id}"))),
        Ok(true) => HttpResponse::NoContent().finish(),
        Err(e) => store_error(e),
    }
}
