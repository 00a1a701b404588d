//! Password requests and checkouts.

use crate::auth::Caller;
use crate::state::RequestStatus;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// The earliest expiry of a live checkout, if there is one: a checkout's time ran out when
/// this is at or before now on the instance clock (a read, so the common case needs no write
/// transaction; answered from the partial index `requests_checked_out`).
///
/// # Errors
/// SQLite errors.
pub fn next_checkout_expiry(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT MIN(expires_at) FROM requests
         WHERE status = 'checked_out' AND expires_at IS NOT NULL",
    )?
    .query_row([], |r| r.get(0))
}

/// Check in every checkout whose time ran out on the instance clock.
///
/// # Errors
/// SQLite errors.
pub fn expire_checkouts(tx: &Transaction<'_>, now_ms: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE requests SET status = 'checked_in'
         WHERE status = 'checked_out' AND expires_at IS NOT NULL AND expires_at <= ?1",
    )?
    .execute([now_ms])?;
    Ok(())
}

/// A password access request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Id.
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// Requester.
    pub user_id: i64,
    /// State.
    pub status: RequestStatus,
    /// Reason.
    pub reason: String,
    /// Raised at (ms).
    pub requested_at: i64,
}

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Request> {
    let status: String = r.get(3)?;
    Ok(Request {
        id: r.get(0)?,
        account_id: r.get(1)?,
        user_id: r.get(2)?,
        status: RequestStatus::parse(&status).unwrap_or(RequestStatus::CheckedIn),
        reason: r.get(4)?,
        requested_at: r.get(5)?,
    })
}

/// The open request (requested, approved or checked out) of `user_id` for an account.
///
/// # Errors
/// SQLite errors.
pub fn open_request(
    conn: &Connection,
    account_id: i64,
    user_id: i64,
) -> rusqlite::Result<Option<Request>> {
    conn.prepare_cached("SELECT id, account_id, user_id, status, reason, requested_at FROM requests
         WHERE account_id = ?1 AND user_id = ?2 AND status IN ('requested', 'approved', 'checked_out')
         ORDER BY id DESC LIMIT 1")?.query_row(params![account_id, user_id],
        request_row,
    )
    .optional()
}

/// Who has the account checked out, if anyone.
///
/// # Errors
/// SQLite errors.
pub fn checked_out_by(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT user_id FROM requests WHERE account_id = ?1 AND status = 'checked_out' LIMIT 1",
    )?
    .query_row([account_id], |r| r.get(0))
    .optional()
}

/// Pending requests on accounts of resources the caller can approve (owner or super admin).
///
/// # Errors
/// SQLite errors.
pub fn pending_requests(conn: &Connection, caller: &Caller) -> rusqlite::Result<Vec<Request>> {
    let mut stmt = conn.prepare_cached(
        "SELECT q.id, q.account_id, q.user_id, q.status, q.reason, q.requested_at
         FROM requests q JOIN accounts a ON a.id = q.account_id JOIN resources r ON r.id = a.resource_id
         WHERE q.status = 'requested' AND (?2 OR r.owner_id = ?1)
         ORDER BY q.user_id, q.id",
    )?;
    let rows = stmt.query_map(params![caller.id, caller.sees_all()], request_row)?;
    rows.collect()
}

/// Set a request's state (and checkout times).
///
/// # Errors
/// SQLite errors.
pub fn set_request(
    tx: &Transaction<'_>,
    id: i64,
    status: RequestStatus,
    checked_out_at: Option<i64>,
    expires_at: Option<i64>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE requests SET status = ?2, checked_out_at = COALESCE(?3, checked_out_at),
           expires_at = COALESCE(?4, expires_at) WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), checked_out_at, expires_at])?;
    Ok(())
}

/// Raise a request.
///
/// # Errors
/// SQLite errors.
pub fn insert_request(
    tx: &Transaction<'_>,
    account_id: i64,
    user_id: i64,
    status: RequestStatus,
    reason: &str,
    now_ms: i64,
) -> rusqlite::Result<i64> {
    tx.prepare_cached("INSERT INTO requests (account_id, user_id, status, reason, requested_at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![account_id, user_id, status.as_str(), reason, now_ms],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The access window (start, end ms) of request `id`, if it is time-bound.
///
/// # Errors
/// SQLite errors.
pub fn request_window(conn: &Connection, id: i64) -> rusqlite::Result<Option<(i64, i64)>> {
    conn.prepare_cached("SELECT start_at, end_at FROM request_windows WHERE request_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Make request `id` time-bound: usable from `start` to `end` (ms).
///
/// # Errors
/// SQLite errors.
pub fn set_request_window(
    tx: &Transaction<'_>,
    id: i64,
    start: i64,
    end: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO request_windows (request_id, start_at, end_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, start, end])?;
    Ok(())
}
