//! Users: lookups by name, id and token, and writes.

use crate::state::Role;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// A user by name (case-insensitive): id, name, full name.
///
/// # Errors
/// SQLite errors.
pub fn user_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<(i64, String)>> {
    conn.prepare_cached("SELECT id, user_name FROM users WHERE user_name = ?1")?
        .query_row([name.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// A user by id: name, full name.
///
/// # Errors
/// SQLite errors.
pub fn user_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached("SELECT user_name, full_name FROM users WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// A user as the front door reads it.
#[derive(Debug)]
pub struct TokenUser {
    /// Id.
    pub id: i64,
    /// User name.
    pub user_name: String,
    /// Full name.
    pub full_name: String,
    /// Role as stored.
    pub role: String,
    /// Super-admin scope.
    pub super_admin: bool,
    /// An API user (bound to a host).
    pub api_user: bool,
    /// The API user's host.
    pub host_name: Option<String>,
    /// The stored token.
    pub token: String,
    /// The API key's last valid day (`yyyy-mm-dd`).
    pub expiry: Option<String>,
    /// Locked.
    pub locked: bool,
}

/// The user whose AUTHTOKEN is `token`.
///
/// # Errors
/// SQLite errors.
pub fn user_by_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<TokenUser>> {
    conn.prepare_cached(
        "SELECT id, user_name, role, super_admin, api_user, host_name, auth_token,
                expiry_date, locked, full_name FROM users WHERE auth_token = ?1",
    )?
    .query_row([token], |r| {
        Ok(TokenUser {
            id: r.get(0)?,
            user_name: r.get(1)?,
            role: r.get(2)?,
            super_admin: r.get(3)?,
            api_user: r.get(4)?,
            host_name: r.get(5)?,
            token: r.get(6)?,
            expiry: r.get(7)?,
            locked: r.get(8)?,
            full_name: r.get(9)?,
        })
    })
    .optional()
}

/// The name of the user whose AUTHTOKEN is `token` (the journal's principal hint).
///
/// # Errors
/// SQLite errors.
pub fn user_name_by_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT user_name FROM users WHERE auth_token = ?1")?
        .query_row([token], |r| r.get(0))
        .optional()
}

/// A user as `CREATE_USER` makes it.
#[derive(Debug)]
pub struct NewUser {
    /// User name.
    pub user_name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Full name.
    pub full_name: String,
    /// E-mail.
    pub email: String,
    /// Department.
    pub department: String,
    /// Location.
    pub location: String,
    /// Role.
    pub role: Role,
    /// Super-admin scope.
    pub super_admin: bool,
    /// An API user.
    pub api_user: bool,
    /// The API user's host.
    pub host_name: Option<String>,
    /// The API user's token.
    pub auth_token: Option<String>,
    /// The API key's last valid day.
    pub expiry_date: Option<String>,
    /// Login password.
    pub password: Option<String>,
}

/// Insert a user.
///
/// # Errors
/// SQLite errors.
pub fn insert_user(tx: &Transaction<'_>, u: &NewUser) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO users (user_name, first_name, last_name, full_name, email, department, location,
           role, super_admin, api_user, host_name, auth_token, expiry_date, password)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            u.user_name, u.first_name, u.last_name, u.full_name, u.email, u.department, u.location,
            u.role.as_str(), u.super_admin, u.api_user, u.host_name, u.auth_token, u.expiry_date,
            u.password
        ],
    )?;
    Ok(())
}

/// Delete user `id`; the resources it owned pass to `heir`.
///
/// # Errors
/// SQLite errors.
pub fn delete_user(tx: &Transaction<'_>, id: i64, heir: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE resources SET owner_id = ?2 WHERE owner_id = ?1",
        params![id, heir],
    )?;
    tx.execute("DELETE FROM users WHERE id = ?1", [id])?;
    Ok(())
}

/// Lock or unlock user `id`.
///
/// # Errors
/// SQLite errors.
pub fn set_locked(tx: &Transaction<'_>, id: i64, locked: bool) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE users SET locked = ?2 WHERE id = ?1",
        params![id, locked],
    )?;
    Ok(())
}
