//! The audit trail.

use crate::state::AuditDoc;
use rusqlite::{params, Connection, Transaction};

/// What an audit record says about its operation.
#[derive(Debug, Default, Clone)]
pub struct AuditNote {
    /// Resource name.
    pub resource: String,
    /// Resource id (0: none).
    pub resource_id: i64,
    /// Account name.
    pub account: String,
    /// Account id (0: none).
    pub account_id: i64,
    /// The caller's reason.
    pub reason: String,
    /// The TICKETID given.
    pub ticket: String,
}

/// One audit record to append.
#[derive(Debug)]
pub struct AuditEntry<'a> {
    /// When (ms).
    pub at_ms: i64,
    /// Who.
    pub user: &'a str,
    /// Their full name.
    pub full_name: &'a str,
    /// Operation name.
    pub operation: &'a str,
    /// `Success` or `Failed`.
    pub ok: bool,
    /// Resource, account, reason, ticket.
    pub note: &'a AuditNote,
    /// Reason (success) or failure message.
    pub reason: &'a str,
    /// Caller's address.
    pub ip: &'a str,
}

/// Append an audit record, with the retrieval time (`touched`: account id, ms) of the account
/// the request read, in the same transaction.
///
/// # Errors
/// SQLite errors.
pub fn insert_audit(
    tx: &Transaction<'_>,
    e: &AuditEntry<'_>,
    touched: Option<(i64, i64)>,
) -> rusqlite::Result<()> {
    if let Some((id, at_ms)) = touched {
        super::set_last_accessed(tx, id, at_ms)?;
    }
    tx.prepare_cached("INSERT INTO audit (at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")?.execute(params![
            e.at_ms,
            e.user,
            e.full_name,
            e.operation,
            if e.ok { "Success" } else { "Failed" },
            e.note.resource,
            e.note.account,
            e.note.resource_id,
            e.note.account_id,
            e.note.ticket,
            e.reason,
            e.ip
        ],
    )?;
    Ok(())
}

/// The audit trail, newest first, in the state document's form.
///
/// # Errors
/// SQLite errors.
pub fn audit_rows(conn: &Connection) -> rusqlite::Result<Vec<(i64, AuditDoc)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip FROM audit ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        let at_ms: i64 = r.get(1)?;
        let doc = AuditDoc {
            id: r.get(0)?,
            at: auth_core::clock::rfc3339_ms(at_ms),
            user_name: r.get(2)?,
            full_name: r.get(3)?,
            operation: r.get(4)?,
            status: r.get(5)?,
            resource_name: r.get(6)?,
            account_name: r.get(7)?,
            resource_id: r.get(8)?,
            account_id: r.get(9)?,
            ticket_id: r.get(10)?,
            reason: r.get(11)?,
            ip: r.get(12)?,
        };
        Ok((at_ms, doc))
    })?;
    rows.collect()
}
