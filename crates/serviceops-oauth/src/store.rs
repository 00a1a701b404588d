//! The only place with SQL.

use crate::wire::{Attachment, Client, Conversation, Role, User};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The object types kept in the `object` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Incident (`INC-n`).
    Request,
    /// Service request (`SR-n`).
    ServiceRequest,
    /// Change (`CHG-n`).
    Change,
    /// Asset.
    Asset,
}

impl Kind {
    /// The stored kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::ServiceRequest => "servicerequest",
            Kind::Change => "change",
            Kind::Asset => "asset",
        }
    }
}

fn json_error(err: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(err))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, rusqlite::Error> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Insert `user` and its API keys.
///
/// # Errors
/// SQLite errors (duplicates).
pub fn insert_user(tx: &Transaction<'_>, user: &User) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(
        "INSERT INTO user (id, name, email, logon_name, password, role, enabled,
                           contact_no, location_name, department_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        user.id,
        user.name,
        user.email,
        user.logon_name,
        user.password,
        user.role.as_str(),
        user.enabled,
        user.contact_no,
        user.location_name,
        user.department_name
    ])?;
    for key in &user.api_keys {
        add_api_key(tx, user.id, key)?;
    }
    Ok(())
}

/// Give user `user_id` the API key `key`.
///
/// # Errors
/// SQLite errors (a duplicate key).
pub fn add_api_key(tx: &Transaction<'_>, user_id: i64, key: &str) -> Result<(), rusqlite::Error> {
    tx.prepare_cached("INSERT INTO api_key (key, user_id) VALUES (?1, ?2)")?
        .execute(params![key, user_id])?;
    Ok(())
}

/// Revoke API key `key`; whether it existed.
///
/// # Errors
/// SQLite errors.
pub fn revoke_api_key(tx: &Transaction<'_>, key: &str) -> Result<bool, rusqlite::Error> {
    Ok(tx
        .prepare_cached("DELETE FROM api_key WHERE key = ?1")?
        .execute([key])?
        > 0)
}

/// Every API key with its user id.
///
/// # Errors
/// SQLite errors.
pub fn api_keys(conn: &Connection) -> Result<Vec<(String, i64)>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached("SELECT key, user_id FROM api_key ORDER BY pos")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Store a configuration document.
///
/// # Errors
/// SQLite errors.
pub fn put_config(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), rusqlite::Error> {
    tx.prepare_cached("INSERT OR REPLACE INTO config (key, value) VALUES (?1, ?2)")?
        .execute(params![key, value])?;
    Ok(())
}

/// A configuration document (`reference`, `customFields`).
///
/// # Errors
/// SQLite errors, or a stored document that does not parse.
pub fn config<T: DeserializeOwned>(conn: &Connection, key: &str) -> Result<T, rusqlite::Error> {
    let text: String = conn
        .prepare_cached("SELECT value FROM config WHERE key = ?1")?
        .query_row([key], |r| r.get(0))?;
    serde_json::from_str(&text).map_err(json_error)
}

/// The current value of sequence `name`.
///
/// # Errors
/// SQLite errors.
pub fn sequence(conn: &Connection, name: &str) -> Result<i64, rusqlite::Error> {
    conn.prepare_cached("SELECT next FROM sequence WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
}

/// Take the next value of sequence `name`.
///
/// # Errors
/// SQLite errors.
pub fn take_sequence(tx: &Transaction<'_>, name: &str) -> Result<i64, rusqlite::Error> {
    let value = sequence(tx, name)?;
    tx.prepare_cached("UPDATE sequence SET next = next + 1 WHERE name = ?1")?
        .execute([name])?;
    Ok(value)
}

/// Insert or replace object `id` of `kind`.
///
/// # Errors
/// SQLite errors.
pub fn put_object<T: Serialize>(
    tx: &Transaction<'_>,
    kind: Kind,
    id: i64,
    object: &T,
) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(
        "INSERT INTO object (id, kind, data) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, data = excluded.data",
    )?
    .execute(params![id, kind.as_str(), to_json(object)?])?;
    Ok(())
}

/// Rows per multi-row `INSERT` of a state load.
const LOAD_BATCH: usize = 64;

/// The `object_count` insert trigger (`insert_triggers.sql`), created again after a load.
const INSERT_TRIGGERS: &str = include_str!("insert_triggers.sql");

/// A state load's objects, written into the emptied store in multi-row `INSERT`s of
/// [`LOAD_BATCH`] rows, in the order they are pushed. [`ObjectLoader::new`] drops the
/// `object_count` insert trigger and [`ObjectLoader::finish`] writes the counts once and
/// creates the trigger again, in the load's transaction: with the trigger, and with one row
/// per statement, SQLite kept a statement journal of every page each insert touched (the
/// table's last leaf page copied once per row).
///
/// These are plain `INSERT`s: a repeated id is refused by the table's primary key.
pub struct ObjectLoader<'c> {
    tx: &'c Transaction<'c>,
    one: rusqlite::CachedStatement<'c>,
    many: rusqlite::CachedStatement<'c>,
    rows: Vec<(i64, &'static str, String)>,
}

impl<'c> ObjectLoader<'c> {
    /// Ready to insert into `tx`'s emptied `object` table.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn new(tx: &'c Transaction<'c>) -> Result<Self, rusqlite::Error> {
        tx.execute_batch("DROP TRIGGER IF EXISTS object_count_insert")?;
        let many = format!(
            "INSERT INTO object (id, kind, data) VALUES {}",
            vec!["(?, ?, ?)"; LOAD_BATCH].join(", ")
        );
        Ok(ObjectLoader {
            tx,
            one: tx.prepare_cached("INSERT INTO object (id, kind, data) VALUES (?1, ?2, ?3)")?,
            many: tx.prepare_cached(&many)?,
            rows: Vec::with_capacity(LOAD_BATCH),
        })
    }

    /// Insert `object` as object `id` of `kind` (written with the next full batch).
    ///
    /// # Errors
    /// SQLite errors (a duplicate id), or `object` does not serialise.
    pub fn push<T: Serialize>(
        &mut self,
        kind: Kind,
        id: i64,
        object: &T,
    ) -> Result<(), rusqlite::Error> {
        self.rows.push((id, kind.as_str(), to_json(object)?));
        if self.rows.len() == LOAD_BATCH {
            let values = self
                .rows
                .iter()
                .flat_map(|(id, kind, data)| [id as &dyn ToSql, kind, data]);
            self.many.execute(rusqlite::params_from_iter(values))?;
            self.rows.clear();
        }
        Ok(())
    }

    /// Write the rest, the counts per kind, and the insert trigger again.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn finish(mut self) -> Result<(), rusqlite::Error> {
        for (id, kind, data) in self.rows.drain(..) {
            self.one.execute(params![id, kind, data])?;
        }
        self.tx.execute_batch(
            "DELETE FROM object_count;
             INSERT INTO object_count (kind, n) SELECT kind, COUNT(*) FROM object GROUP BY kind;",
        )?;
        self.tx.execute_batch(INSERT_TRIGGERS)
    }
}

/// The stored kind of object `id` (`Kind::as_str`), if there is one.
///
/// # Errors
/// SQLite errors.
pub fn object_kind(conn: &Connection, id: i64) -> Result<Option<String>, rusqlite::Error> {
    conn.prepare_cached("SELECT kind FROM object WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// Whether `err` is a constraint's refusal (a repeated key), not a failure of the store.
pub fn is_constraint(err: &rusqlite::Error) -> bool {
    err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
}

/// Object `id` of `kind`, if any.
///
/// # Errors
/// SQLite errors.
pub fn get_object<T: DeserializeOwned>(
    conn: &Connection,
    kind: Kind,
    id: i64,
) -> Result<Option<T>, rusqlite::Error> {
    let text: Option<String> = conn
        .query_row(
            "SELECT data FROM object WHERE id = ?1 AND kind = ?2",
            params![id, kind.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    text.map(|t| serde_json::from_str(&t).map_err(json_error))
        .transpose()
}

/// Every object of `kind`, by id.
///
/// # Errors
/// SQLite errors.
pub fn objects<T: DeserializeOwned>(
    conn: &Connection,
    kind: Kind,
) -> Result<Vec<T>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached("SELECT data FROM object WHERE kind = ?1 ORDER BY id")?;
    let rows = stmt.query_map([kind.as_str()], |r| r.get::<_, String>(0))?;
    rows.map(|text| serde_json::from_str(&text?).map_err(json_error))
        .collect()
}

/// Object `id` if its kind is one of `kinds`, with its kind (one lookup by primary key).
///
/// # Errors
/// SQLite errors.
pub fn find_object<T: DeserializeOwned>(
    conn: &Connection,
    kinds: &[Kind],
    id: i64,
) -> Result<Option<(Kind, T)>, rusqlite::Error> {
    let Some((kind, text)) = find_object_json(conn, kinds, id)? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(|object| Some((kind, object)))
        .map_err(json_error)
}

/// The stored JSON of object `id` if its kind is one of `kinds`, with its kind. The text is
/// what serde wrote from the wire type ([`put_object`]), so it is also what serialising the
/// decoded object again would give.
///
/// # Errors
/// SQLite errors.
pub fn find_object_json(
    conn: &Connection,
    kinds: &[Kind],
    id: i64,
) -> Result<Option<(Kind, String)>, rusqlite::Error> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT kind, data FROM object WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.and_then(|(stored, text)| {
        kinds
            .iter()
            .find(|k| k.as_str() == stored)
            .map(|kind| (*kind, text))
    }))
}

/// `kind IN ('request', ...)` for `kinds` (our own constants, never client text).
fn kind_filter(kinds: &[Kind]) -> String {
    let names: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
    format!("kind IN ({})", names.join(", "))
}

/// The requester condition, written exactly as the `object_requester` index is, so that
/// SQLite uses it. `NOCASE` folds ASCII only, like `str::eq_ignore_ascii_case`.
const REQUESTER_IS: &str = "json_extract(data, '$.requesterEmail') = ?1 COLLATE NOCASE";

/// The `WHERE` of the objects of `kinds` visible to `requester` (`?1`; all when `NULL`).
fn object_filter(kinds: &[Kind], requester: Option<&str>) -> String {
    let visible = if requester.is_some() {
        REQUESTER_IS
    } else {
        "?1 IS NULL"
    };
    format!("{visible} AND {}", kind_filter(kinds))
}

/// The covering index that lists the objects visible to `requester` in id order.
fn page_index(requester: Option<&str>) -> &'static str {
    if requester.is_some() {
        "object_requester"
    } else {
        "object_order"
    }
}

fn sql_count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// How many objects of `kinds` there are, only those whose `requesterEmail` is `requester`
/// (ASCII case-insensitive) when given, and the page `offset..offset + limit` of them by id.
/// Served from the indexes: nothing outside the page is decoded. A page in the second half
/// is found by walking the index from its end (`ORDER BY id DESC` skipping the objects after
/// the page), so the last page costs what the first does, whatever the number of objects.
///
/// # Errors
/// SQLite errors.
pub fn object_page(
    conn: &Connection,
    kinds: &[Kind],
    requester: Option<&str>,
    offset: usize,
    limit: usize,
) -> Result<(usize, Vec<serde_json::Value>), rusqlite::Error> {
    let filter = object_filter(kinds, requester);
    let count_sql = match requester {
        Some(_) => format!("SELECT COUNT(*) FROM object WHERE {filter}"),
        // Kept by triggers (schema.sql): no index walk.
        None => format!(
            "SELECT COALESCE(SUM(n), 0) FROM object_count WHERE ?1 IS NULL AND {}",
            kind_filter(kinds)
        ),
    };
    let total: i64 = conn
        .prepare_cached(&count_sql)?
        .query_row(params![requester], |r| r.get(0))?;
    let total = usize::try_from(total).unwrap_or(0);
    let (order, skip, take) = page_walk(total, offset, limit);
    if take == 0 {
        return Ok((total, Vec::new()));
    }
    // The page's ids from a covering index (forced: without statistics SQLite may prefer
    // `object_kind` and sort every row), then their JSON by primary key.
    let index = page_index(requester);
    let page_sql = format!(
        "SELECT data FROM object WHERE id IN (SELECT id FROM object INDEXED BY {index} \
         WHERE {filter} ORDER BY id {order} LIMIT ?2 OFFSET ?3) ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&page_sql)?;
    let rows = stmt.query_map(params![requester, sql_count(take), sql_count(skip)], |r| {
        r.get::<_, String>(0)
    })?;
    let list = rows
        .map(|text| serde_json::from_str(&text?).map_err(json_error))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total, list))
}

/// How to walk `total` index entries in id order for the page `offset..offset + limit`:
/// the direction (`ASC` from the first, `DESC` from the last), how many entries to skip
/// from that end, and how many to take (0: the page is empty).
fn page_walk(total: usize, offset: usize, limit: usize) -> (&'static str, usize, usize) {
    let end = offset.saturating_add(limit).min(total);
    let take = end.saturating_sub(offset);
    let after = total - end;
    if take > 0 && after < offset {
        ("DESC", after, take)
    } else {
        ("ASC", offset, take)
    }
}

/// Call `each` with the stored JSON of every object of `kinds` by id, only those whose
/// `requesterEmail` is `requester` (ASCII case-insensitive) when given, one at a time.
///
/// # Errors
/// SQLite errors, or the first error of `each`.
pub fn for_each_object<E: From<rusqlite::Error>>(
    conn: &Connection,
    kinds: &[Kind],
    requester: Option<&str>,
    mut each: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    let filter = object_filter(kinds, requester);
    let sql = format!(
        "SELECT data FROM object INDEXED BY {} WHERE {filter} ORDER BY id",
        page_index(requester)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![requester])?;
    while let Some(row) = rows.next()? {
        each(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?)?;
    }
    Ok(())
}

/// Delete object `id` of `kind`; whether it existed.
///
/// # Errors
/// SQLite errors.
pub fn delete_object(tx: &Transaction<'_>, kind: Kind, id: i64) -> Result<bool, rusqlite::Error> {
    Ok(tx
        .prepare_cached("DELETE FROM object WHERE id = ?1 AND kind = ?2")?
        .execute(params![id, kind.as_str()])?
        > 0)
}

/// Every client.
///
/// # Errors
/// SQLite errors.
pub fn clients(conn: &Connection) -> Result<Vec<Client>, rusqlite::Error> {
    let mut stmt =
        conn.prepare_cached("SELECT client_id, client_secret, scope FROM client ORDER BY pos")?;
    let rows = stmt.query_map([], client_row)?;
    rows.collect()
}

fn client_row(r: &Row<'_>) -> Result<Client, rusqlite::Error> {
    Ok(Client {
        client_id: r.get(0)?,
        client_secret: r.get(1)?,
        scope: r.get(2)?,
    })
}

/// Client `client_id`, if registered.
///
/// # Errors
/// SQLite errors.
pub fn find_client(conn: &Connection, client_id: &str) -> Result<Option<Client>, rusqlite::Error> {
    conn.prepare_cached("SELECT client_id, client_secret, scope FROM client WHERE client_id = ?1")?
        .query_row([client_id], client_row)
        .optional()
}

/// The user columns [`account_row`] reads (a macro so queries stay string literals).
macro_rules! user_columns {
    () => {
        "id, name, email, logon_name, password, role, enabled, \
         contact_no, location_name, department_name"
    };
}

const USER_COLUMNS: &str = user_columns!();

/// `SELECT` of the user columns with `condition`, as one string literal (no SQL text is
/// formatted per request).
macro_rules! user_where {
    ($condition:literal) => {
        concat!("SELECT ", user_columns!(), " FROM user WHERE ", $condition)
    };
}

/// A user row without its API keys.
fn account_row(r: &Row<'_>) -> Result<User, rusqlite::Error> {
    let role: String = r.get(5)?;
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        logon_name: r.get(3)?,
        password: r.get(4)?,
        role: Role::parse(&role).unwrap_or(Role::Requester),
        enabled: r.get(6)?,
        api_keys: Vec::new(),
        contact_no: r.get(7)?,
        location_name: r.get(8)?,
        department_name: r.get(9)?,
    })
}

fn user_row(conn: &Connection, r: &Row<'_>) -> Result<User, rusqlite::Error> {
    let mut user = account_row(r)?;
    let mut stmt =
        conn.prepare_cached("SELECT key FROM api_key WHERE user_id = ?1 ORDER BY pos")?;
    user.api_keys = stmt
        .query_map([user.id], |k| k.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(user)
}

/// Every user.
///
/// # Errors
/// SQLite errors.
pub fn users(conn: &Connection) -> Result<Vec<User>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM user ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    let mut users = Vec::new();
    while let Some(row) = rows.next()? {
        users.push(user_row(conn, row)?);
    }
    Ok(users)
}

fn find_user_where(
    conn: &Connection,
    sql: &'static str,
    value: &dyn rusqlite::ToSql,
) -> Result<Option<User>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([value])?;
    match rows.next()? {
        Some(row) => Ok(Some(user_row(conn, row)?)),
        None => Ok(None),
    }
}

fn find_account_where(
    conn: &Connection,
    sql: &'static str,
    value: &dyn rusqlite::ToSql,
) -> Result<Option<User>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(sql)?;
    stmt.query_row([value], account_row).optional()
}

/// Like [`find_user_by_login`], without reading the user's API keys (`api_keys` is empty):
/// for authentication, which needs the profile only.
///
/// # Errors
/// SQLite errors.
pub fn find_account_by_login(
    conn: &Connection,
    login: &str,
) -> Result<Option<User>, rusqlite::Error> {
    // E-mails and logon names are unique across both columns (every writer checks with
    // `find_user_by_login`), so two plain index lookups find the same user as the `OR`.
    match find_account_where(conn, user_where!("email = ?1"), &login)? {
        Some(user) => Ok(Some(user)),
        None => find_account_where(conn, user_where!("logon_name = ?1"), &login),
    }
}

/// Like [`find_user`], without reading the user's API keys (`api_keys` is empty).
///
/// # Errors
/// SQLite errors.
pub fn find_account(conn: &Connection, id: i64) -> Result<Option<User>, rusqlite::Error> {
    find_account_where(conn, user_where!("id = ?1"), &id)
}

/// The user whose e-mail or logon name is `login` (case-insensitive).
///
/// # Errors
/// SQLite errors.
pub fn find_user_by_login(conn: &Connection, login: &str) -> Result<Option<User>, rusqlite::Error> {
    find_user_where(conn, user_where!("email = ?1 OR logon_name = ?1"), &login)
}

/// User `id`.
///
/// # Errors
/// SQLite errors.
pub fn find_user(conn: &Connection, id: i64) -> Result<Option<User>, rusqlite::Error> {
    find_user_where(conn, user_where!("id = ?1"), &id)
}

/// Insert or replace conversation `conversation.id` of ticket `ticket_id`.
///
/// # Errors
/// SQLite errors (an unknown ticket).
pub fn put_conversation(
    tx: &Transaction<'_>,
    ticket_id: i64,
    conversation: &Conversation,
) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(
        "INSERT INTO conversation (id, ticket_id, data) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET ticket_id = excluded.ticket_id, data = excluded.data",
    )?
    .execute(params![conversation.id, ticket_id, to_json(conversation)?])?;
    Ok(())
}

/// The conversations of ticket `ticket_id` (every ticket when `None`), by id, with their
/// ticket ids.
///
/// # Errors
/// SQLite errors.
pub fn conversations(
    conn: &Connection,
    ticket_id: Option<i64>,
) -> Result<Vec<(i64, Conversation)>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT ticket_id, data FROM conversation WHERE ?1 IS NULL OR ticket_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([ticket_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (ticket, text) = row?;
        out.push((ticket, serde_json::from_str(&text).map_err(json_error)?));
    }
    Ok(out)
}

/// Replace the profile of user `user.id` (not its API keys).
///
/// # Errors
/// SQLite errors (a duplicate e-mail or logon name).
pub fn update_user(tx: &Transaction<'_>, user: &User) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(
        "UPDATE user SET name = ?2, email = ?3, logon_name = ?4, password = ?5, role = ?6,
                enabled = ?7, contact_no = ?8, location_name = ?9, department_name = ?10
         WHERE id = ?1",
    )?
    .execute(params![
        user.id,
        user.name,
        user.email,
        user.logon_name,
        user.password,
        user.role.as_str(),
        user.enabled,
        user.contact_no,
        user.location_name,
        user.department_name
    ])?;
    Ok(())
}

/// Delete user `id` (and its API keys).
///
/// # Errors
/// SQLite errors.
pub fn delete_user(tx: &Transaction<'_>, id: i64) -> Result<(), rusqlite::Error> {
    tx.prepare_cached("DELETE FROM user WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The id for a new user.
///
/// # Errors
/// SQLite errors.
pub fn next_user_id(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM user")?
        .query_row([], |r| r.get(0))
}

/// Register `client`.
///
/// # Errors
/// SQLite errors (a duplicate id).
pub fn insert_client(tx: &Transaction<'_>, client: &Client) -> Result<(), rusqlite::Error> {
    tx.prepare_cached("INSERT INTO client (client_id, client_secret, scope) VALUES (?1, ?2, ?3)")?
        .execute(params![
            client.client_id,
            client.client_secret,
            client.scope
        ])?;
    Ok(())
}

/// Remove client `client_id`; whether it existed.
///
/// # Errors
/// SQLite errors.
pub fn delete_client(tx: &Transaction<'_>, client_id: &str) -> Result<bool, rusqlite::Error> {
    Ok(tx
        .prepare_cached("DELETE FROM client WHERE client_id = ?1")?
        .execute([client_id])?
        > 0)
}

/// Conversation `id` with its ticket id.
///
/// # Errors
/// SQLite errors.
pub fn get_conversation(
    conn: &Connection,
    id: i64,
) -> Result<Option<(i64, Conversation)>, rusqlite::Error> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT ticket_id, data FROM conversation WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(ticket, text)| Ok((ticket, serde_json::from_str(&text).map_err(json_error)?)))
        .transpose()
}

/// Delete conversation `id`.
///
/// # Errors
/// SQLite errors.
pub fn delete_conversation(tx: &Transaction<'_>, id: i64) -> Result<(), rusqlite::Error> {
    tx.prepare_cached("DELETE FROM conversation WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Keep an uploaded file.
///
/// # Errors
/// Store errors (a `refFileName` already taken among them).
pub fn insert_attachment(tx: &Transaction<'_>, a: &Attachment) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(
        "INSERT INTO attachment (ref_file_name, ticket_id, real_name, content_type, created_time,
         data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        a.ref_file_name,
        a.ticket_id,
        a.real_name,
        a.content_type,
        a.created_time,
        a.data
    ])?;
    Ok(())
}

fn attachment_row(r: &Row<'_>) -> Result<Attachment, rusqlite::Error> {
    Ok(Attachment {
        ref_file_name: r.get(0)?,
        ticket_id: r.get(1)?,
        real_name: r.get(2)?,
        content_type: r.get(3)?,
        created_time: r.get(4)?,
        data: r.get(5)?,
    })
}

/// File `ref_file_name` of request `ticket_id`, if it has one by that name.
///
/// # Errors
/// Store errors.
pub fn find_attachment(
    conn: &Connection,
    ticket_id: i64,
    ref_file_name: &str,
) -> Result<Option<Attachment>, rusqlite::Error> {
    conn.prepare_cached(
        "SELECT ref_file_name, ticket_id, real_name, content_type, created_time, data
         FROM attachment WHERE ticket_id = ?1 AND ref_file_name = ?2",
    )?
    .query_row(params![ticket_id, ref_file_name], attachment_row)
    .optional()
}

/// Every stored file, by request then name.
///
/// # Errors
/// Store errors.
pub fn attachments(conn: &Connection) -> Result<Vec<Attachment>, rusqlite::Error> {
    conn.prepare_cached(
        "SELECT ref_file_name, ticket_id, real_name, content_type, created_time, data
         FROM attachment ORDER BY ticket_id, ref_file_name",
    )?
    .query_map([], attachment_row)?
    .collect()
}

/// Remove file `ref_file_name` of request `ticket_id`; whether there was one.
///
/// # Errors
/// Store errors.
pub fn delete_attachment(
    tx: &Transaction<'_>,
    ticket_id: i64,
    ref_file_name: &str,
) -> Result<bool, rusqlite::Error> {
    let n = tx
        .prepare_cached("DELETE FROM attachment WHERE ticket_id = ?1 AND ref_file_name = ?2")?
        .execute(params![ticket_id, ref_file_name])?;
    Ok(n > 0)
}

/// Remove every file of request `ticket_id` (the request is being deleted).
///
/// # Errors
/// Store errors.
pub fn delete_attachments_of(tx: &Transaction<'_>, ticket_id: i64) -> Result<(), rusqlite::Error> {
    tx.prepare_cached("DELETE FROM attachment WHERE ticket_id = ?1")?
        .execute(params![ticket_id])?;
    Ok(())
}

/// The user a token's `user_name` names (an e-mail, or a 2025 `uuid36-` name), without its
/// API keys.
///
/// # Errors
/// Store errors.
pub fn find_principal(
    conn: &rusqlite::Connection,
    user_name: &str,
) -> Result<Option<User>, rusqlite::Error> {
    match user_name.strip_prefix("uuid36-00000000-0000-4000-8000-") {
        Some(hex) => match i64::from_str_radix(hex, 16) {
            Ok(id) => find_account(conn, id),
            Err(_) => Ok(None),
        },
        None => find_account_by_login(conn, user_name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceOps;
    use auth_core::{Product as _, Store};
    use serde_json::json;

    #[test]
    fn a_page_walks_from_the_nearer_end() {
        assert_eq!(page_walk(10, 0, 3), ("ASC", 0, 3));
        assert_eq!(page_walk(10, 3, 3), ("ASC", 3, 3));
        assert_eq!(page_walk(10, 4, 3), ("DESC", 3, 3));
        assert_eq!(page_walk(10, 6, 3), ("DESC", 1, 3));
        assert_eq!(page_walk(10, 8, 5), ("DESC", 0, 2));
        assert_eq!(page_walk(10, 10, 5), ("ASC", 10, 0));
        assert_eq!(page_walk(10, 99, 5), ("ASC", 99, 0));
        assert_eq!(page_walk(10, 3, usize::MAX), ("DESC", 0, 7));
        assert_eq!(page_walk(0, 0, 25), ("ASC", 0, 0));
    }

    /// Every page, read from either end, is the slice of the whole listing (checked against
    /// a plain filter over every object), with and without a requester, after deletes too.
    #[test]
    fn every_page_is_the_slice_of_the_whole_listing() {
        let store = Store::memory(ServiceOps::SCHEMA).unwrap();
        let kinds = [Kind::Request, Kind::ServiceRequest, Kind::Change];
        let emails = ["rita@acme.com", "RITA@acme.com", "tim@acme.com"];
        store
            .write(|tx| {
                for id in 1..=47i64 {
                    let kind = kinds[(id % 3) as usize];
                    let email = emails[(id % 5 % 3) as usize];
                    put_object(
                        tx,
                        kind,
                        id * 3,
                        &json!({"id": id * 3, "requesterEmail": email}),
                    )?;
                }
                delete_object(tx, Kind::Request, 9)?;
                delete_object(tx, Kind::Change, 30)?;
                Ok::<_, rusqlite::Error>(())
            })
            .unwrap();
        let all: Vec<(i64, Kind, String)> = store
            .read(|c| {
                let mut stmt = c.prepare("SELECT id, kind, data FROM object ORDER BY id")?;
                let rows = stmt.query_map([], |r| {
                    let kind: String = r.get(1)?;
                    let kind = *kinds.iter().find(|k| k.as_str() == kind).unwrap();
                    Ok((r.get(0)?, kind, r.get(2)?))
                })?;
                rows.collect()
            })
            .unwrap();
        for wanted in [&kinds[..2], &kinds[2..], &kinds[..]] {
            for requester in [None, Some("rita@acme.com"), Some("nobody@acme.com")] {
                let listing: Vec<serde_json::Value> = all
                    .iter()
                    .filter(|(_, kind, _)| wanted.contains(kind))
                    .map(|(_, _, data)| serde_json::from_str::<serde_json::Value>(data).unwrap())
                    .filter(|v| {
                        requester.is_none_or(|r| {
                            v["requesterEmail"]
                                .as_str()
                                .unwrap()
                                .eq_ignore_ascii_case(r)
                        })
                    })
                    .collect();
                for offset in 0..=listing.len() + 2 {
                    for limit in [0, 1, 2, 5, 25, 100] {
                        let (total, page) = store
                            .read(|c| object_page(c, wanted, requester, offset, limit))
                            .unwrap();
                        assert_eq!(total, listing.len());
                        let end = (offset + limit).min(listing.len());
                        let expected = listing.get(offset..end).unwrap_or_default();
                        assert_eq!(page, expected, "{wanted:?} {requester:?} {offset} {limit}");
                    }
                }
            }
        }
    }

    /// A load's objects land whole (two full batches and the rest), the counts a page's
    /// `totalCount` reads are right, and the insert trigger keeps counting afterwards.
    #[test]
    fn a_load_writes_every_object_and_its_counts_and_the_trigger_comes_back() {
        let store = Store::memory(ServiceOps::SCHEMA).unwrap();
        let kinds = [Kind::Request, Kind::Request, Kind::Change];
        store
            .write(|tx| {
                let mut loader = ObjectLoader::new(tx)?;
                for id in 1..=130i64 {
                    let object = json!({"id": id, "requesterEmail": "tim@acme.com"});
                    loader.push(kinds[(id % 3) as usize], id, &object)?;
                }
                loader.finish()
            })
            .unwrap();
        let count = |kinds: &[Kind]| {
            store
                .read(|c| object_page(c, kinds, None, 0, 1000))
                .unwrap()
        };
        let (total, page) = count(&[Kind::Request]);
        assert_eq!((total, page.len()), (87, 87));
        let (total, page) = count(&[Kind::Change]);
        assert_eq!((total, page.len()), (43, 43));
        assert_eq!(page.last().unwrap()["id"], 128);
        store
            .write(|tx| put_object(tx, Kind::Change, 500, &json!({"id": 500})))
            .unwrap();
        assert_eq!(count(&[Kind::Change]).0, 44);
        let triggers: i64 = store
            .read(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'object_count_insert'",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(triggers, 1);
    }
}
