//! The vault's queries (the state document's load and dump live in `state.rs`).

use crate::auth::Caller;
use crate::state::{fields_from, Access, AuditDoc, CustomField, PolicyDoc, RequestStatus, Role};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

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
    /// DNS name.
    pub dns_name: String,
    /// Department.
    pub department: String,
    /// Location.
    pub location: String,
}

/// SQL condition: the caller (`?1` id, `?2` sees-all) can see resource `r`.
macro_rules! resource_visible {
    () => {
        "(?2 OR r.owner_id = ?1 OR EXISTS (SELECT 1 FROM shares s WHERE s.resource_id = r.id AND s.user_id = ?1))"
    };
}

/// SQL condition: the caller can see account `a` of resource `r`.
macro_rules! account_visible {
    () => {
        "(?2 OR r.owner_id = ?1 OR EXISTS (SELECT 1 FROM shares s WHERE s.resource_id = r.id AND s.user_id = ?1 AND (s.account_id IS NULL OR s.account_id = a.id)))"
    };
}

/// The resources the caller owns, has been shared (wholly or one account of) or, with the
/// super-admin scope, all of them; by name.
///
/// # Errors
/// SQLite errors.
pub fn list_resources(conn: &Connection, caller: &Caller) -> rusqlite::Result<Vec<ResourceRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT r.id, r.name, r.description, r.type,
           (SELECT COUNT(*) FROM accounts a WHERE a.resource_id = r.id AND ",
        account_visible!(),
        "),
           r.dns_name, r.department, r.location
         FROM resources r WHERE ",
        resource_visible!(),
        " ORDER BY r.name COLLATE NOCASE, r.id"
    ))?;
    let rows = stmt.query_map(params![caller.id, caller.sees_all()], |r| {
        Ok(ResourceRow {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            r#type: r.get(3)?,
            accounts: r.get(4)?,
            dns_name: r.get(5)?,
            department: r.get(6)?,
            location: r.get(7)?,
        })
    })?;
    rows.collect()
}

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

/// Append an audit record.
///
/// # Errors
/// SQLite errors.
pub fn insert_audit(tx: &Transaction<'_>, e: &AuditEntry<'_>) -> rusqlite::Result<()> {
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

/// Set an account's last retrieval time.
///
/// # Errors
/// SQLite errors.
pub fn set_last_accessed(tx: &Transaction<'_>, id: i64, at_ms: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE accounts SET last_accessed = ?2 WHERE id = ?1")?
        .execute(params![id, at_ms])?;
    Ok(())
}

/// A resource as stored.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Type.
    pub r#type: String,
    /// DNS name.
    pub dns_name: String,
    /// Domain name.
    pub domain_name: String,
    /// Department.
    pub department: String,
    /// Location.
    pub location: String,
    /// URL.
    pub url: String,
    /// Owner id.
    pub owner_id: i64,
    /// Owner's user name.
    pub owner: String,
    /// Resource password policy.
    pub policy: String,
    /// Static group.
    pub group: Option<String>,
    /// Remote resets fail.
    pub unreachable: bool,
    /// Reason mandatory for password requests.
    pub reason_mandatory: bool,
    /// Custom fields.
    pub custom_fields: Vec<CustomField>,
}

/// The columns [`resource_row`] reads (a macro so queries stay string literals).
macro_rules! resource_columns {
    () => {
        "r.id, r.name, r.description, r.type, r.dns_name, r.domain_name,
    r.department, r.location, r.url, r.owner_id, u.user_name, r.password_policy, r.group_name,
    r.unreachable, r.reason_mandatory, r.custom_fields"
    };
}

fn resource_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Resource> {
    let fields: String = r.get(15)?;
    Ok(Resource {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        r#type: r.get(3)?,
        dns_name: r.get(4)?,
        domain_name: r.get(5)?,
        department: r.get(6)?,
        location: r.get(7)?,
        url: r.get(8)?,
        owner_id: r.get(9)?,
        owner: r.get(10)?,
        policy: r.get(11)?,
        group: r.get(12)?,
        unreachable: r.get(13)?,
        reason_mandatory: r.get(14)?,
        custom_fields: fields_from(&fields),
    })
}

/// A resource by id.
///
/// # Errors
/// SQLite errors.
pub fn resource(conn: &Connection, id: i64) -> rusqlite::Result<Option<Resource>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        resource_columns!(),
        " FROM resources r JOIN users u ON u.id = r.owner_id WHERE r.id = ?1"
    ))?
    .query_row([id], resource_row)
    .optional()
}

/// A resource by name (case-insensitive).
///
/// # Errors
/// SQLite errors.
pub fn resource_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<Resource>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        resource_columns!(),
        " FROM resources r JOIN users u ON u.id = r.owner_id WHERE r.name = ?1"
    ))?
    .query_row([name], resource_row)
    .optional()
}

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
    /// Attached file name.
    pub file_name: Option<String>,
}

/// The columns [`account_row`] reads (a macro so queries stay string literals).
macro_rules! account_columns {
    () => {
        "a.id, a.resource_id, a.name, a.password, a.notes, a.password_policy,
    a.reason_required, a.ticket_required, a.access_control, a.checkout_minutes, a.favourite,
    a.custom_fields, a.last_accessed, a.last_modified, a.file_name"
    };
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
        file_name: r.get(14)?,
    })
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

/// The caller's level on a whole resource: owner or super admin → full access; else the best
/// resource-wide share. Password Auditors never get more than view.
///
/// # Errors
/// SQLite errors.
pub fn resource_level(
    conn: &Connection,
    caller: &Caller,
    res: &Resource,
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

/// The caller's level on one account (resource level or a share of that account).
///
/// # Errors
/// SQLite errors.
pub fn account_level(
    conn: &Connection,
    caller: &Caller,
    res: &Resource,
    account_id: i64,
) -> rusqlite::Result<Option<Access>> {
    let whole = resource_level(conn, caller, res)?;
    let one = best_share(
        conn,
        "SELECT access FROM shares WHERE resource_id = ?1 AND user_id = ?2 AND account_id = ?3",
        params![res.id, caller.id, account_id],
    )?;
    Ok(cap(caller, whole.max(one)))
}

/// Whether the caller can see the resource at all (any share of it or of one account).
///
/// # Errors
/// SQLite errors.
pub fn resource_visible(
    conn: &Connection,
    caller: &Caller,
    res: &Resource,
) -> rusqlite::Result<bool> {
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
    conn.prepare_cached("SELECT name, min_length, max_length, uppercase, lowercase, digits, special FROM policies WHERE name = ?1 COLLATE NOCASE")?.query_row([name],
        |r| {
            Ok(PolicyDoc {
                name: r.get(0)?,
                min_length: r.get(1)?,
                max_length: r.get(2)?,
                uppercase: r.get(3)?,
                lowercase: r.get(4)?,
                digits: r.get(5)?,
                special: r.get(6)?,
            })
        },
    )
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

/// Whether any checkout's time ran out on the instance clock (a read, so the common case
/// needs no write transaction; answered from the partial index `requests_checked_out`).
///
/// # Errors
/// SQLite errors.
pub fn checkouts_due(conn: &Connection, now_ms: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM requests
         WHERE status = 'checked_out' AND expires_at IS NOT NULL AND expires_at <= ?1)",
    )?
    .query_row([now_ms], |r| r.get(0))
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
