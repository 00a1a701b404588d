//! Who may do what: share levels, policies and tickets.

use super::Owned;
use crate::auth::Caller;
use crate::state::{Access, PolicyDoc, Role};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// The caller's level on a whole resource: owner or super admin → full access; else the best
/// resource-wide share. Password Auditors never get more than view.
///
/// # Errors
/// SQLite errors.
pub fn resource_level(
    conn: &Connection,
    caller: &Caller,
    res: Owned,
) -> rusqlite::Result<Option<Access>> {
    let level = if caller.sees_all() || res.owner_id == caller.id {
        Some(Access::Fullaccess)
    } else {
        best_share(
            conn,
            "SELECT access FROM shares WHERE resource_id = ?1 AND user_id = ?2 AND account_id IS NULL",
            params![res.id, caller.id],
        )?
    };
    Ok(cap(caller, level))
}

/// The caller's level on one account (resource level or a share of that account): the
/// best of the resource-wide shares and the shares of that account, read in one statement;
/// none is read for the owner or a super administrator, who have full access already.
///
/// # Errors
/// SQLite errors.
pub fn account_level(
    conn: &Connection,
    caller: &Caller,
    res: Owned,
    account_id: i64,
) -> rusqlite::Result<Option<Access>> {
    let level = if caller.sees_all() || res.owner_id == caller.id {
        Some(Access::Fullaccess)
    } else {
        best_share(
            conn,
            "SELECT access FROM shares WHERE resource_id = ?1 AND user_id = ?2
               AND (account_id IS NULL OR account_id = ?3)",
            params![res.id, caller.id, account_id],
        )?
    };
    Ok(cap(caller, level))
}

/// Whether the caller can see the resource at all (any share of it or of one account).
///
/// # Errors
/// SQLite errors.
pub fn resource_visible(conn: &Connection, caller: &Caller, res: Owned) -> rusqlite::Result<bool> {
    if resource_level(conn, caller, res)?.is_some() {
        return Ok(true);
    }
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM shares WHERE resource_id = ?1 AND user_id = ?2)",
    )?
    .query_row(params![res.id, caller.id], |r| r.get(0))
}

fn best_share(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> rusqlite::Result<Option<Access>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| r.get::<_, String>(0))?;
    let mut best = None;
    for row in rows {
        best = best.max(Access::parse(&row?));
    }
    Ok(best)
}

fn cap(caller: &Caller, level: Option<Access>) -> Option<Access> {
    match caller.role {
        Role::PasswordAuditor => level.map(|l| l.min(Access::View)),
        _ => level,
    }
}

/// A password policy.
///
/// # Errors
/// SQLite errors.
pub fn policy(conn: &Connection, name: &str) -> rusqlite::Result<Option<PolicyDoc>> {
    conn.prepare_cached(
        "SELECT p.name, min_length, max_length, uppercase, lowercase, digits, special,
           COALESCE(g.max_age_days, 0) FROM policies p LEFT JOIN policy_ages g ON g.name = p.name
         WHERE p.name = ?1 COLLATE NOCASE",
    )?
    .query_row([name], |r| {
        Ok(PolicyDoc {
            name: r.get(0)?,
            min_length: r.get(1)?,
            max_length: r.get(2)?,
            uppercase: r.get(3)?,
            lowercase: r.get(4)?,
            digits: r.get(5)?,
            special: r.get(6)?,
            max_age_days: r.get(7)?,
        })
    })
    .optional()
}

/// Whether `id` is an open ticket.
///
/// # Errors
/// SQLite errors.
pub fn ticket_valid(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM tickets WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))
}

/// Share account `account_id` of resource `resource_id` with `user_id` at `access`, or revoke
/// its share (`None`).
///
/// # Errors
/// SQLite errors.
pub fn set_share(
    tx: &Transaction<'_>,
    resource_id: i64,
    account_id: i64,
    user_id: i64,
    access: Option<Access>,
) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM shares WHERE account_id = ?1 AND user_id = ?2",
        params![account_id, user_id],
    )?;
    if let Some(access) = access {
        tx.execute(
            "INSERT INTO shares (resource_id, account_id, user_id, access) VALUES (?1, ?2, ?3, ?4)",
            params![resource_id, account_id, user_id, access.as_str()],
        )?;
    }
    Ok(())
}

/// Control API: open ticket `id` in the ticketing system.
///
/// # Errors
/// SQLite errors.
pub fn add_ticket(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<()> {
    tx.execute("INSERT OR IGNORE INTO tickets (id) VALUES (?1)", [id])?;
    Ok(())
}

/// Control API: close ticket `id`; whether it was open.
///
/// # Errors
/// SQLite errors.
pub fn delete_ticket(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<bool> {
    Ok(tx.execute("DELETE FROM tickets WHERE id = ?1", [id])? > 0)
}
