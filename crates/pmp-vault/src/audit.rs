//! The audit trail (`GET /audit`, the vendor's "Resource Audit" API): every API request
//! leaves a record, written by the envelope ([`crate::wire`]) when the handler is done.

use crate::auth::ApiUser;
use crate::error::{allow, PmpError};
use crate::rules::audit_time;
use crate::state::{AuditDoc, Role};
use crate::store;
use crate::wire::Reply;
use serde_json::{json, Value};

/// `GET /audit` (`GET_AUDIT`): newest first; Administrators, Password Administrators and
/// Password Auditors only.
pub async fn list_audit(caller: ApiUser) -> Result<Reply, PmpError> {
    allow(caller.role != Role::PasswordUser)?;
    let rows = caller.read(store::audit_rows)?;
    let details: Vec<Value> = rows
        .iter()
        .map(|(at_ms, a)| audit_entry(*at_ms, a))
        .collect();
    Ok(Reply::message("Audits fetched successfully.").rows_of(details))
}

fn audit_entry(at_ms: i64, a: &AuditDoc) -> Value {
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
        "Time Stamp": audit_time(at_ms),
        "TIME": at_ms.to_string(),
        "Reason": a.reason,
        "Ticket ID": a.ticket_id,
        "Status": a.status,
    })
}
