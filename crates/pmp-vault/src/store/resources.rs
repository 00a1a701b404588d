//! Resources: lists, lookups and writes.

use crate::auth::Caller;
use crate::state::{fields_from, CustomField};
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
    /// Remote resets fail.
    pub unreachable: bool,
    /// Reason mandatory for password requests.
    pub reason_mandatory: bool,
    /// Custom fields.
    pub custom_fields: Vec<CustomField>,
}

/// What the access checks need of a resource: its id and its owner.
#[derive(Debug, Clone, Copy)]
pub struct Owned {
    /// Resource id.
    pub id: i64,
    /// Owner id.
    pub owner_id: i64,
}

impl Resource {
    /// Its id and owner, for the access checks.
    pub fn owned(&self) -> Owned {
        Owned {
            id: self.id,
            owner_id: self.owner_id,
        }
    }
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

/// A resource's columns as an API write gives them.
#[derive(Debug)]
pub struct NewResource<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: &'a str,
    /// Type.
    pub r#type: &'a str,
    /// DNS name.
    pub dns_name: &'a str,
    /// Domain name.
    pub domain_name: &'a str,
    /// Department.
    pub department: &'a str,
    /// Location.
    pub location: &'a str,
    /// URL.
    pub url: &'a str,
    /// Owner.
    pub owner_id: i64,
    /// Password policy.
    pub policy: &'a str,
    /// Resource group (on insert only).
    pub group: Option<&'a str>,
    /// Custom fields.
    pub fields: &'a [CustomField],
}

/// Insert a resource; its id.
///
/// # Errors
/// SQLite errors.
pub fn insert_resource(tx: &Transaction<'_>, r: &NewResource<'_>) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO resources (name, description, type, dns_name, domain_name, department, location,
           url, owner_id, password_policy, group_name, custom_fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            r.name, r.description, r.r#type, r.dns_name, r.domain_name, r.department, r.location,
            r.url, r.owner_id, r.policy, r.group, crate::state::fields_json(r.fields)
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Rewrite resource `id` (its group stays).
///
/// # Errors
/// SQLite errors.
pub fn update_resource(tx: &Transaction<'_>, id: i64, r: &NewResource<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE resources SET name = ?2, type = ?3, description = ?4, dns_name = ?5, department = ?6,
           location = ?7, url = ?8, password_policy = ?9, owner_id = ?10, custom_fields = ?11,
           domain_name = ?12 WHERE id = ?1",
        params![
            id, r.name, r.r#type, r.description, r.dns_name, r.department, r.location, r.url,
            r.policy, r.owner_id, crate::state::fields_json(r.fields), r.domain_name
        ],
    )?;
    Ok(())
}

/// Delete resource `id` (its accounts, shares and requests go with it).
///
/// # Errors
/// SQLite errors.
pub fn delete_resource(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM resources WHERE id = ?1", [id])?;
    Ok(())
}

/// The stored name of resource group `name`, created on demand.
///
/// # Errors
/// SQLite errors.
pub fn ensure_group(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<String> {
    tx.execute(
        "INSERT OR IGNORE INTO resource_groups (name) VALUES (?1)",
        [name],
    )?;
    tx.query_row(
        "SELECT name FROM resource_groups WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
}

/// The resource types in use, by name.
///
/// # Errors
/// SQLite errors.
pub fn resource_types(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT type FROM resources WHERE type <> '' ORDER BY type COLLATE NOCASE",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Control API: set a resource's `unreachable` and `reason_mandatory` flags; the flags after,
/// or `None` when there is no such resource.
///
/// # Errors
/// SQLite errors.
pub fn patch_resource(
    tx: &Transaction<'_>,
    id: i64,
    unreachable: Option<bool>,
    reason_mandatory: Option<bool>,
) -> rusqlite::Result<Option<(bool, bool)>> {
    let n = tx.execute(
        "UPDATE resources SET unreachable = COALESCE(?2, unreachable),
           reason_mandatory = COALESCE(?3, reason_mandatory) WHERE id = ?1",
        params![id, unreachable, reason_mandatory],
    )?;
    if n == 0 {
        return Ok(None);
    }
    tx.query_row(
        "SELECT unreachable, reason_mandatory FROM resources WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}
