//! The vault's queries (the state document's load and dump live in `state.rs`).

use crate::auth::Caller;
use rusqlite::{params, Connection, Transaction};

/// One row of GET RESOURCES.
#[derive(Debug, Clone)]
pub struct ResourceRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Type.
    pub r#type: String,
    /// Accounts the caller can see.
    pub accounts: i64,
}

/// SQL condition: the caller (`?1` id, `?2` sees-all) can see resource `r`.
const RESOURCE_VISIBLE: &str = "(?2 OR r.owner_id = ?1 OR EXISTS (SELECT 1 FROM shares s WHERE s.resource_id = r.id AND s.user_id = ?1))";

/// SQL condition: the caller can see account `a` of resource `r`.
const ACCOUNT_VISIBLE: &str = "(?2 OR r.owner_id = ?1 OR EXISTS (SELECT 1 FROM shares s WHERE s.resource_id = r.id AND s.user_id = ?1 AND (s.account_id IS NULL OR s.account_id = a.id)))";

/// The resources the caller owns, has been shared (wholly or one account of) or, with the
/// super-admin scope, all of them; by name.
///
/// # Errors
/// SQLite errors.
pub fn list_resources(conn: &Connection, caller: &Caller) -> rusqlite::Result<Vec<ResourceRow>> {
    let sql = format!(
        "SELECT r.id, r.name, r.description, r.type,
           (SELECT COUNT(*) FROM accounts a WHERE a.resource_id = r.id AND {ACCOUNT_VISIBLE})
         FROM resources r WHERE {RESOURCE_VISIBLE} ORDER BY r.name COLLATE NOCASE, r.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![caller.id, caller.sees_all()], |r| {
        Ok(ResourceRow {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            r#type: r.get(3)?,
            accounts: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Append an audit record.
///
/// # Errors
/// SQLite errors.
#[allow(clippy::too_many_arguments)]
pub fn insert_audit(
    tx: &Transaction<'_>,
    at_ms: i64,
    user: &str,
    operation: &str,
    status: &str,
    resource: &str,
    account: &str,
    reason: &str,
    ip: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit (at_ms, user_name, operation, status, resource_name, account_name, reason, ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![at_ms, user, operation, status, resource, account, reason, ip],
    )?;
    Ok(())
}
