//! Accounts: lookups and writes.

use super::Owned;
use crate::auth::Caller;
use crate::state::{fields_from, CustomField};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// An account as stored.
#[derive(Debug, Clone)]
pub struct Account {
    /// Id (= PASSWDID).
    pub id: i64,
    /// Its resource.
    pub resource_id: i64,
    /// Name.
    pub name: String,
    /// Password.
    pub password: String,
    /// Notes.
    pub notes: String,
    /// Policy.
    pub policy: String,
    /// Reason required to retrieve.
    pub reason_required: bool,
    /// Ticket required.
    pub ticket_required: bool,
    /// Access control (approval workflow).
    pub access_control: bool,
    /// Checkout duration.
    pub checkout_minutes: i64,
    /// Favourite.
    pub favourite: bool,
    /// Custom fields.
    pub custom_fields: Vec<CustomField>,
    /// Last retrieval (ms).
    pub last_accessed: Option<i64>,
    /// Last change (ms).
    pub last_modified: Option<i64>,
}

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let fields: String = r.get(11)?;
    Ok(Account {
        id: r.get(0)?,
        resource_id: r.get(1)?,
        name: r.get(2)?,
        password: r.get(3)?,
        notes: r.get(4)?,
        policy: r.get(5)?,
        reason_required: r.get(6)?,
        ticket_required: r.get(7)?,
        access_control: r.get(8)?,
        checkout_minutes: r.get(9)?,
        favourite: r.get(10)?,
        custom_fields: fields_from(&fields),
        last_accessed: r.get(12)?,
        last_modified: r.get(13)?,
    })
}

/// What a password read needs of its resource and account, read in one statement.
#[derive(Debug)]
pub struct PasswordTarget {
    /// The resource's id and owner.
    pub resource: Owned,
    /// The resource's name.
    pub resource_name: String,
    /// The account, when one of that id belongs to the resource.
    pub account: Option<PasswordAccount>,
}

/// The columns of an account a password read uses.
#[derive(Debug, Clone)]
pub struct PasswordAccount {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Password.
    pub password: String,
    /// Reason required to retrieve.
    pub reason_required: bool,
    /// Ticket required.
    pub ticket_required: bool,
    /// Access control (approval workflow).
    pub access_control: bool,
}

/// Resource `resource_id` (with an owner, as [`super::resource`] requires) and its account
/// `account_id` (`None`: an id that did not parse, so no account), for a password read: the
/// few columns it uses, in one statement instead of the two whole rows.
///
/// # Errors
/// SQLite errors.
pub fn password_target(
    conn: &Connection,
    resource_id: i64,
    account_id: Option<i64>,
) -> rusqlite::Result<Option<PasswordTarget>> {
    conn.prepare_cached(
        "SELECT r.id, r.owner_id, r.name, a.id, a.name, a.password, a.reason_required,
           a.ticket_required, a.access_control
         FROM resources r JOIN users u ON u.id = r.owner_id
           LEFT JOIN accounts a ON a.id = ?2 AND a.resource_id = r.id
         WHERE r.id = ?1",
    )?
    .query_row(params![resource_id, account_id], |r| {
        let account = match r.get::<_, Option<i64>>(3)? {
            None => None,
            Some(id) => Some(PasswordAccount {
                id,
                name: r.get(4)?,
                password: r.get(5)?,
                reason_required: r.get(6)?,
                ticket_required: r.get(7)?,
                access_control: r.get(8)?,
            }),
        };
        Ok(PasswordTarget {
            resource: Owned {
                id: r.get(0)?,
                owner_id: r.get(1)?,
            },
            resource_name: r.get(2)?,
            account,
        })
    })
    .optional()
}

/// An account by id.
///
/// # Errors
/// SQLite errors.
pub fn account(conn: &Connection, id: i64) -> rusqlite::Result<Option<Account>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts a WHERE a.id = ?1"
    ))?
    .query_row([id], account_row)
    .optional()
}

/// An account of a resource by name (case-insensitive).
///
/// # Errors
/// SQLite errors.
pub fn account_by_name(
    conn: &Connection,
    resource_id: i64,
    name: &str,
) -> rusqlite::Result<Option<Account>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts a WHERE a.resource_id = ?1 AND a.name = ?2"
    ))?
    .query_row(params![resource_id, name], account_row)
    .optional()
}

/// The accounts of a resource the caller can see, by name.
///
/// # Errors
/// SQLite errors.
pub fn visible_accounts(
    conn: &Connection,
    caller: &Caller,
    resource_id: i64,
) -> rusqlite::Result<Vec<Account>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts a JOIN resources r ON r.id = a.resource_id
         WHERE a.resource_id = ?3 AND ",
        account_visible!(),
        " ORDER BY a.name COLLATE NOCASE, a.id"
    ))?;
    let rows = stmt.query_map(
        params![caller.id, caller.sees_all(), resource_id],
        account_row,
    )?;
    rows.collect()
}

/// The file attached to an account.
///
/// # Errors
/// SQLite errors.
pub fn account_file(conn: &Connection, id: i64) -> rusqlite::Result<Option<(String, Vec<u8>)>> {
    conn.prepare_cached(
        "SELECT file_name, file_data FROM accounts WHERE id = ?1 AND file_name IS NOT NULL",
    )?
    .query_row([id], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, Option<Vec<u8>>>(1)?.unwrap_or_default(),
        ))
    })
    .optional()
}

/// An account's columns as an API write gives them.
#[derive(Debug)]
pub struct NewAccount<'a> {
    /// Its resource.
    pub resource_id: i64,
    /// Name.
    pub name: &'a str,
    /// Password.
    pub password: &'a str,
    /// Notes.
    pub notes: &'a str,
    /// Password policy.
    pub policy: &'a str,
    /// Custom fields.
    pub fields: &'a [CustomField],
    /// Now (ms): its last modification.
    pub now_ms: i64,
    /// An attached file (name, bytes).
    pub file: Option<(&'a str, &'a [u8])>,
}

/// Insert an account; its id.
///
/// # Errors
/// SQLite errors.
pub fn insert_account(tx: &Transaction<'_>, a: &NewAccount<'_>) -> rusqlite::Result<i64> {
    let (file_name, file_data) = a.file.unzip();
    tx.execute(
        "INSERT INTO accounts (resource_id, name, password, notes, password_policy, custom_fields,
           last_modified, file_name, file_data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            a.resource_id,
            a.name,
            a.password,
            a.notes,
            a.policy,
            crate::state::fields_json(a.fields),
            a.now_ms,
            file_name,
            file_data
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Set account `id`'s password, modified now.
///
/// # Errors
/// SQLite errors.
pub fn set_password(
    tx: &Transaction<'_>,
    id: i64,
    password: &str,
    now_ms: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE accounts SET password = ?2, last_modified = ?3 WHERE id = ?1",
        params![id, password, now_ms],
    )?;
    Ok(())
}

/// Rewrite account `id`'s name, notes, policy and custom fields.
///
/// # Errors
/// SQLite errors.
pub fn update_account(
    tx: &Transaction<'_>,
    id: i64,
    name: &str,
    notes: &str,
    policy: &str,
    fields: &[CustomField],
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE accounts SET name = ?2, notes = ?3, password_policy = ?4, custom_fields = ?5 WHERE id = ?1",
        params![id, name, notes, policy, crate::state::fields_json(fields)],
    )?;
    Ok(())
}

/// Delete account `id`.
///
/// # Errors
/// SQLite errors.
pub fn delete_account(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM accounts WHERE id = ?1", [id])?;
    Ok(())
}

/// An account's access settings, as the control API shows them.
#[derive(Debug, Clone, Copy)]
pub struct AccountSettings {
    /// A reason is required to retrieve the password.
    pub reason_required: bool,
    /// A ticket id is required.
    pub ticket_required: bool,
    /// Password access control (request, approve, checkout).
    pub access_control: bool,
    /// Minutes a checkout lasts.
    pub checkout_minutes: i64,
}

/// Control API: change an account's access settings; the settings after, or `None` when
/// there is no such account.
///
/// # Errors
/// SQLite errors.
pub fn patch_account(
    tx: &Transaction<'_>,
    id: i64,
    reason_required: Option<bool>,
    ticket_required: Option<bool>,
    access_control: Option<bool>,
    checkout_minutes: Option<i64>,
) -> rusqlite::Result<Option<AccountSettings>> {
    let n = tx.execute(
        "UPDATE accounts SET reason_required = COALESCE(?2, reason_required),
           ticket_required = COALESCE(?3, ticket_required),
           access_control = COALESCE(?4, access_control),
           checkout_minutes = COALESCE(?5, checkout_minutes) WHERE id = ?1",
        params![
            id,
            reason_required,
            ticket_required,
            access_control,
            checkout_minutes
        ],
    )?;
    if n == 0 {
        return Ok(None);
    }
    tx.query_row(
        "SELECT reason_required, ticket_required, access_control, checkout_minutes FROM accounts WHERE id = ?1",
        [id],
        |r| {
            Ok(AccountSettings {
                reason_required: r.get(0)?,
                ticket_required: r.get(1)?,
                access_control: r.get(2)?,
                checkout_minutes: r.get(3)?,
            })
        },
    )
    .optional()
}
