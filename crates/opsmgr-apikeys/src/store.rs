//! Every SQL query of the product (schema in `schema.sql`).

use crate::model::Role;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Prepared statements kept per connection: every statement of the product fits.
pub const STATEMENT_CACHE: usize = 112;

/// An organization.
#[derive(Debug, Clone)]
pub struct OrgRow {
    /// ObjectId.
    pub id: String,
    /// Name.
    pub name: String,
    /// Deleted flag.
    pub is_deleted: bool,
}

/// A project.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    /// ObjectId.
    pub id: String,
    /// Owning org.
    pub org_id: String,
    /// Name.
    pub name: String,
    /// Agent API key.
    pub agent_api_key: String,
    /// Creation time.
    pub created: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// A programmatic API key.
#[derive(Debug, Clone)]
pub struct KeyRow {
    /// ObjectId.
    pub id: String,
    /// Owning org.
    pub org_id: String,
    /// Description.
    pub desc: String,
    /// Public key.
    pub public_key: String,
    /// Secret.
    pub private_key: String,
}

/// A user with a legacy personal API key.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// ObjectId.
    pub id: String,
    /// Personal API key.
    pub api_key: String,
}

/// An access-list entry.
#[derive(Debug, Clone)]
pub struct AccessRow {
    /// The block.
    pub cidr_block: String,
    /// The single address, when added as one.
    pub ip_address: Option<String>,
    /// Uses.
    pub count: u64,
    /// Added at.
    pub created: String,
    /// Last use.
    pub last_used: Option<String>,
    /// Address of the last use.
    pub last_used_address: Option<String>,
}

fn org_row(r: &Row<'_>) -> rusqlite::Result<OrgRow> {
    Ok(OrgRow {
        id: r.get(0)?,
        name: r.get(1)?,
        is_deleted: r.get(2)?,
    })
}

fn project_row(r: &Row<'_>) -> rusqlite::Result<ProjectRow> {
    let tags: String = r.get(5)?;
    Ok(ProjectRow {
        id: r.get(0)?,
        org_id: r.get(1)?,
        name: r.get(2)?,
        agent_api_key: r.get(3)?,
        created: r.get(4)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
    })
}

fn key_row(r: &Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        id: r.get(0)?,
        org_id: r.get(1)?,
        desc: r.get(2)?,
        public_key: r.get(3)?,
        private_key: r.get(4)?,
    })
}

macro_rules! org_cols {
    () => {
        "id, name, is_deleted"
    };
}
macro_rules! project_cols {
    () => {
        "id, org_id, name, agent_api_key, created, tags"
    };
}
macro_rules! key_cols {
    () => {
        "id, org_id, descr, public_key, private_key"
    };
}

/// One org.
///
/// # Errors
/// SQLite errors.
pub fn find_org(conn: &Connection, id: &str) -> rusqlite::Result<Option<OrgRow>> {
    conn.prepare_cached(concat!("SELECT ", org_cols!(), " FROM org WHERE id = ?1"))?
        .query_row([id], org_row)
        .optional()
}

/// Every org, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn list_orgs(conn: &Connection) -> rusqlite::Result<Vec<OrgRow>> {
    let mut stmt =
        conn.prepare_cached(concat!("SELECT ", org_cols!(), " FROM org ORDER BY seq"))?;
    let rows = stmt.query_map([], org_row)?;
    rows.collect()
}

/// One project.
///
/// # Errors
/// SQLite errors.
pub fn find_project(conn: &Connection, id: &str) -> rusqlite::Result<Option<ProjectRow>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        project_cols!(),
        " FROM project WHERE id = ?1"
    ))?
    .query_row([id], project_row)
    .optional()
}

/// A project by exact name.
///
/// # Errors
/// SQLite errors.
pub fn find_project_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<ProjectRow>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        project_cols!(),
        " FROM project WHERE name = ?1"
    ))?
    .query_row([name], project_row)
    .optional()
}

/// Every project, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn list_projects(conn: &Connection) -> rusqlite::Result<Vec<ProjectRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        project_cols!(),
        " FROM project ORDER BY seq"
    ))?;
    let rows = stmt.query_map([], project_row)?;
    rows.collect()
}

/// Insert a project.
///
/// # Errors
/// SQLite errors.
pub fn insert_project(conn: &Connection, p: &ProjectRow) -> rusqlite::Result<()> {
    let tags = serde_json::to_string(&p.tags).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached("INSERT INTO project (id, org_id, name, agent_api_key, created, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(
        params![p.id, p.org_id, p.name, p.agent_api_key, p.created, tags],
    )?;
    Ok(())
}

/// One key.
///
/// # Errors
/// SQLite errors.
pub fn find_key(conn: &Connection, id: &str) -> rusqlite::Result<Option<KeyRow>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        key_cols!(),
        " FROM api_key WHERE id = ?1"
    ))?
    .query_row([id], key_row)
    .optional()
}

/// A key by its public key.
///
/// # Errors
/// SQLite errors.
pub fn key_by_public(conn: &Connection, public_key: &str) -> rusqlite::Result<Option<KeyRow>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        key_cols!(),
        " FROM api_key WHERE public_key = ?1"
    ))?
    .query_row([public_key], key_row)
    .optional()
}

/// How many keys an org has.
///
/// # Errors
/// SQLite errors.
pub fn count_keys_of_org(conn: &Connection, org_id: &str) -> rusqlite::Result<u64> {
    // Kept by the schema's triggers on `api_key`.
    conn.prepare_cached("SELECT n FROM org_key_count WHERE org_id = ?1")?
        .query_row([org_id], |r| r.get(0))
        .optional()
        .map(Option::unwrap_or_default)
}

/// One page of an org's keys, in creation order: `limit` keys after the first `offset`
/// (an index range scan on `api_key_org`, never the whole table). A deep page (`pageNum`
/// far into the list) starts from the nearest of `anchors` (keyset paging, `seq >= anchor`)
/// and skips at most [`ANCHOR_STRIDE`] - 1 keys, instead of an `OFFSET` that counts past
/// every earlier key of the index.
///
/// # Errors
/// SQLite errors.
pub fn keys_of_org_page(
    conn: &Connection,
    anchors: &KeyAnchors,
    org_id: &str,
    limit: u64,
    offset: u64,
) -> rusqlite::Result<Vec<KeyRow>> {
    if offset < ANCHORED_FROM {
        let mut stmt = conn.prepare_cached(concat!(
            "SELECT ",
            key_cols!(),
            " FROM api_key WHERE org_id = ?1 ORDER BY seq LIMIT ?2 + 0 OFFSET ?3 + 0"
        ))?;
        let rows = stmt.query_map(params![org_id, sql_int(limit), sql_int(offset)], key_row)?;
        return rows.collect();
    }
    let Some(from) = anchors.seq_at(conn, org_id, offset / ANCHOR_STRIDE)? else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        key_cols!(),
        " FROM api_key WHERE org_id = ?1 AND seq >= ?4 ORDER BY seq LIMIT ?2 + 0 OFFSET ?3 + 0"
    ))?;
    let rows = stmt.query_map(
        params![
            org_id,
            sql_int(limit),
            sql_int(offset % ANCHOR_STRIDE),
            from
        ],
        key_row,
    )?;
    rows.collect()
}

/// One anchor per this many keys of an org (a deep page skips fewer than this many).
pub const ANCHOR_STRIDE: u64 = 64;

/// Pages starting before this offset use a plain `OFFSET` (cheaper than building anchors).
const ANCHORED_FROM: u64 = 1024;

/// The `seq` of every [`ANCHOR_STRIDE`]-th key of one org (or of one project's keys), in
/// creation order, so that a deep page starts at its anchor. Built by one walk of the index
/// (`api_key_org`, or `project_key`'s key) on the first deep page, and kept while nothing it
/// depends on changed:
/// - an org's anchors while the org's key count and its largest `seq` are unchanged: `seq`
///   is AUTOINCREMENT (never reused), so a key added and kept raises the largest `seq`, and
///   any other change removes keys and lowers the count (no query moves a key between
///   orgs);
/// - a project's while its key count and the change counter `project_key_count.gen` (raised
///   by every key that joins or leaves the project) are unchanged.
///
/// Not the connection's count of changed rows: every Digest-authenticated request writes the
/// access-list usage, which would rebuild the anchors on every page. Replacing the state
/// (PUT, reset, snapshot restore) forgets them ([`KeyAnchors::clear`]). One org and one
/// project at a time: 8 bytes per 64 keys (125 KB at 10^6 keys).
#[derive(Debug, Default)]
pub struct KeyAnchors {
    org: parking_lot::Mutex<Option<Anchors>>,
    project: parking_lot::Mutex<Option<Anchors>>,
}

#[derive(Debug)]
struct Anchors {
    changes: (u64, i64),
    scope: String,
    seqs: Vec<i64>,
}

impl KeyAnchors {
    /// Forget the anchors (the whole state was replaced: `seq` starts again).
    pub fn clear(&self) {
        *self.org.lock() = None;
        *self.project.lock() = None;
    }

    /// The `seq` of the org's `(n * ANCHOR_STRIDE)`-th key (0-based), if it has that many.
    fn seq_at(&self, conn: &Connection, org_id: &str, n: u64) -> rusqlite::Result<Option<i64>> {
        let last: Option<i64> = conn
            .prepare_cached("SELECT MAX(seq) FROM api_key WHERE org_id = ?1")?
            .query_row([org_id], |r| r.get(0))?;
        let changes = (count_keys_of_org(conn, org_id)?, last.unwrap_or(0));
        anchor(
            &self.org,
            conn,
            org_id,
            changes,
            "SELECT seq FROM api_key WHERE org_id = ?1 ORDER BY seq",
            n,
        )
    }

    /// The `seq` of the project's `(n * ANCHOR_STRIDE)`-th key (0-based), if it has that
    /// many.
    fn project_seq_at(
        &self,
        conn: &Connection,
        group_id: &str,
        n: u64,
    ) -> rusqlite::Result<Option<i64>> {
        let changes = conn
            .prepare_cached("SELECT n, gen FROM project_key_count WHERE group_id = ?1")?
            .query_row([group_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, 0));
        anchor(
            &self.project,
            conn,
            group_id,
            changes,
            "SELECT key_seq FROM project_key WHERE group_id = ?1 ORDER BY key_seq",
            n,
        )
    }
}

/// The `n`-th anchor of `scope` from `slot`, rebuilt by `walk` (every `seq` of the scope in
/// order) when the slot holds another scope or other `changes`.
fn anchor(
    slot: &parking_lot::Mutex<Option<Anchors>>,
    conn: &Connection,
    scope: &str,
    changes: (u64, i64),
    walk: &str,
    n: u64,
) -> rusqlite::Result<Option<i64>> {
    let mut held = slot.lock();
    let fresh = held
        .as_ref()
        .is_some_and(|a| a.changes == changes && a.scope == scope);
    if !fresh {
        let mut stmt = conn.prepare_cached(walk)?;
        let mut rows = stmt.query([scope])?;
        let mut seqs = Vec::new();
        let mut i = 0u64;
        while let Some(row) = rows.next()? {
            if i.is_multiple_of(ANCHOR_STRIDE) {
                seqs.push(row.get(0)?);
            }
            i += 1;
        }
        *held = Some(Anchors {
            changes,
            scope: scope.to_owned(),
            seqs,
        });
    }
    Ok(held
        .as_ref()
        .and_then(|a| usize::try_from(n).ok().and_then(|n| a.seqs.get(n)).copied()))
}

/// One page of the keys with at least one role on a project, in creation order: `limit`
/// keys after the first `offset`, read from `project_key` (kept by the schema's triggers on
/// `grant_role`) in key order. A deep page starts from the nearest of `anchors`, as
/// [`keys_of_org_page`] does.
///
/// # Errors
/// SQLite errors.
pub fn keys_on_project_page(
    conn: &Connection,
    anchors: &KeyAnchors,
    group_id: &str,
    limit: u64,
    offset: u64,
) -> rusqlite::Result<Vec<KeyRow>> {
    let (from, skip) = if offset < ANCHORED_FROM {
        (i64::MIN, offset)
    } else {
        match anchors.project_seq_at(conn, group_id, offset / ANCHOR_STRIDE)? {
            Some(from) => (from, offset % ANCHOR_STRIDE),
            None => return Ok(Vec::new()),
        }
    };
    let mut stmt = conn.prepare_cached(
        "SELECT k.id, k.org_id, k.descr, k.public_key, k.private_key \
         FROM project_key p JOIN api_key k ON k.seq = p.key_seq \
         WHERE p.group_id = ?1 AND p.key_seq >= ?4 ORDER BY p.key_seq LIMIT ?2 + 0 OFFSET ?3 + 0",
    )?;
    let rows = stmt.query_map(
        params![group_id, sql_int(limit), sql_int(skip), from],
        key_row,
    )?;
    rows.collect()
}

/// How many keys have at least one role on a project (kept by the schema's triggers).
///
/// # Errors
/// SQLite errors.
pub fn count_keys_on_project(conn: &Connection, group_id: &str) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT n FROM project_key_count WHERE group_id = ?1")?
        .query_row([group_id], |r| r.get(0))
        .optional()
        .map(Option::unwrap_or_default)
}

/// A paging number as SQLite's signed integer (bound as `LIMIT ?2 + 0 OFFSET ?3 + 0`: a bare
/// parameter there makes SQLite re-prepare the statement on every run, ~8 µs); clamped,
/// pages that far are empty anyway.
fn sql_int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Insert a key.
///
/// # Errors
/// SQLite errors (a duplicate public key among them).
pub fn insert_key(conn: &Connection, key: &KeyRow) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO api_key (id, org_id, descr, public_key, private_key) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
        params![key.id, key.org_id, key.desc, key.public_key, key.private_key],
    )?;
    Ok(())
}

/// Change a key's description.
///
/// # Errors
/// SQLite errors.
pub fn set_key_desc(conn: &Connection, id: &str, desc: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE api_key SET descr = ?2 WHERE id = ?1")?
        .execute(params![id, desc])?;
    Ok(())
}

/// Delete a key with its roles and access list.
///
/// # Errors
/// SQLite errors.
pub fn delete_key(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM grant_role WHERE holder = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM access_entry WHERE holder = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM api_key WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Whether a public key is taken.
///
/// # Errors
/// SQLite errors.
pub fn public_key_taken(conn: &Connection, public_key: &str) -> rusqlite::Result<bool> {
    Ok(key_by_public(conn, public_key)?.is_some()
        || global_key_by_public(conn, public_key)?.is_some())
}

/// A user by username.
///
/// # Errors
/// SQLite errors.
pub fn user_by_name(conn: &Connection, username: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached("SELECT id, api_key FROM user_account WHERE username = ?1")?
        .query_row([username], |r| {
            Ok(UserRow {
                id: r.get(0)?,
                api_key: r.get(1)?,
            })
        })
        .optional()
}

/// The roles of a key or user, in the order they were granted.
///
/// # Errors
/// SQLite errors.
pub fn roles_of(conn: &Connection, holder: &str) -> rusqlite::Result<Vec<Role>> {
    let mut stmt = conn.prepare_cached(
        "SELECT org_id, group_id, role_name FROM grant_role WHERE holder = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([holder], |r| {
        Ok(Role {
            org_id: r.get(0)?,
            group_id: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Grant a role.
///
/// # Errors
/// SQLite errors.
pub fn grant(conn: &Connection, holder: &str, role: &Role) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO grant_role (holder, org_id, group_id, role_name) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![holder, role.org_id, role.group_id, role.name])?;
    Ok(())
}

/// Remove a holder's org roles.
///
/// # Errors
/// SQLite errors.
pub fn revoke_org_roles(conn: &Connection, holder: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM grant_role WHERE holder = ?1 AND org_id IS NOT NULL")?
        .execute([holder])?;
    Ok(())
}

/// Remove a holder's roles on one project; returns how many were removed.
///
/// # Errors
/// SQLite errors.
pub fn revoke_group_roles(
    conn: &Connection,
    holder: &str,
    group_id: &str,
) -> rusqlite::Result<usize> {
    conn.prepare_cached("DELETE FROM grant_role WHERE holder = ?1 AND group_id = ?2")?
        .execute(params![holder, group_id])
}

fn access_row(r: &Row<'_>) -> rusqlite::Result<AccessRow> {
    let count: i64 = r.get(2)?;
    Ok(AccessRow {
        cidr_block: r.get(0)?,
        ip_address: r.get(1)?,
        count: u64::try_from(count).unwrap_or(0),
        created: r.get(3)?,
        last_used: r.get(4)?,
        last_used_address: r.get(5)?,
    })
}

/// The access list of a key or user, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn access_of(conn: &Connection, holder: &str) -> rusqlite::Result<Vec<AccessRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT cidr_block, ip_address, count, created, last_used, last_used_address \
         FROM access_entry WHERE holder = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([holder], access_row)?;
    rows.collect()
}

/// Add an access-list entry.
///
/// # Errors
/// SQLite errors.
pub fn insert_access(
    conn: &Connection,
    holder: &str,
    cidr_block: &str,
    ip_address: Option<&str>,
    created: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO access_entry (holder, cidr_block, ip_address, count, created) VALUES (?1, ?2, ?3, 0, ?4)")?.execute(
        params![holder, cidr_block, ip_address, created],
    )?;
    Ok(())
}

/// Delete an access-list entry; returns whether one was deleted.
///
/// # Errors
/// SQLite errors.
pub fn delete_access(conn: &Connection, holder: &str, cidr_block: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM access_entry WHERE holder = ?1 AND cidr_block = ?2")?
        .execute(params![holder, cidr_block])?
        > 0)
}

/// The `seq` and block of each access-list entry of `holder`, in order (what the Digest
/// front door keeps to match the caller's address and stamp the entry it matched).
///
/// # Errors
/// SQLite errors.
pub fn access_blocks_of(conn: &Connection, holder: &str) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, cidr_block FROM access_entry WHERE holder = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([holder], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Count one use of the access-list entry `seq` (from [`access_blocks_of`]) at `when` from
/// `address`; the rows changed (0 when the entry is gone).
///
/// # Errors
/// SQLite errors.
pub fn record_use(
    conn: &Connection,
    seq: i64,
    when: &str,
    address: &str,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE access_entry SET count = count + 1, last_used = ?2, last_used_address = ?3 \
         WHERE seq = ?1",
    )?
    .execute(params![seq, when, address])
}

/// A monitored cluster.
#[derive(Debug, Clone)]
pub struct ClusterRow {
    /// ObjectId.
    pub id: String,
    /// The project.
    pub group_id: String,
    /// Display name.
    pub cluster_name: String,
    /// `REPLICA_SET`, `SHARDED_REPLICA_SET`, `CONFIG_SERVER_REPLICA_SET`.
    pub type_name: String,
    /// Replica set name.
    pub replica_set_name: Option<String>,
    /// Shard name.
    pub shard_name: Option<String>,
    /// Last heartbeat.
    pub last_heartbeat: String,
}

/// A monitored host.
#[derive(Debug, Clone)]
pub struct HostRow {
    /// 32 hex digits.
    pub id: String,
    /// The project.
    pub group_id: String,
    /// Its replica set (or sharded cluster, for mongos).
    pub cluster_id: Option<String>,
    /// Host name.
    pub hostname: String,
    /// Port.
    pub port: u16,
    /// Process type.
    pub type_name: String,
    /// Replica set name.
    pub replica_set_name: Option<String>,
    /// Replica set member state.
    pub replica_state_name: Option<String>,
    /// Shard name.
    pub shard_name: Option<String>,
    /// MongoDB version.
    pub version: String,
    /// When monitoring began.
    pub created: String,
    /// Disk partition names.
    pub disks: Vec<String>,
    /// Database names.
    pub databases: Vec<String>,
}

fn cluster_row(r: &Row<'_>) -> rusqlite::Result<ClusterRow> {
    Ok(ClusterRow {
        id: r.get(0)?,
        group_id: r.get(1)?,
        cluster_name: r.get(2)?,
        type_name: r.get(3)?,
        replica_set_name: r.get(4)?,
        shard_name: r.get(5)?,
        last_heartbeat: r.get(6)?,
    })
}

fn host_row(r: &Row<'_>) -> rusqlite::Result<HostRow> {
    let disks: String = r.get(11)?;
    let databases: String = r.get(12)?;
    Ok(HostRow {
        id: r.get(0)?,
        group_id: r.get(1)?,
        cluster_id: r.get(2)?,
        hostname: r.get(3)?,
        port: r.get(4)?,
        type_name: r.get(5)?,
        replica_set_name: r.get(6)?,
        replica_state_name: r.get(7)?,
        shard_name: r.get(8)?,
        version: r.get(9)?,
        created: r.get(10)?,
        disks: serde_json::from_str(&disks).unwrap_or_default(),
        databases: serde_json::from_str(&databases).unwrap_or_default(),
    })
}

macro_rules! cluster_cols {
    () => {
        "id, group_id, cluster_name, type_name, replica_set_name, shard_name, last_heartbeat"
    };
}
macro_rules! host_cols {
    () => {
        "id, group_id, cluster_id, hostname, port, type_name, replica_set_name, \
         replica_state_name, shard_name, version, created, disks, databases"
    };
}

/// A project's clusters, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn clusters_of(conn: &Connection, group_id: &str) -> rusqlite::Result<Vec<ClusterRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        cluster_cols!(),
        " FROM cluster WHERE group_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map([group_id], cluster_row)?;
    rows.collect()
}

/// Every cluster, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn all_clusters(conn: &Connection) -> rusqlite::Result<Vec<ClusterRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        cluster_cols!(),
        " FROM cluster ORDER BY seq"
    ))?;
    let rows = stmt.query_map([], cluster_row)?;
    rows.collect()
}

/// A project's hosts, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn hosts_of(conn: &Connection, group_id: &str) -> rusqlite::Result<Vec<HostRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        host_cols!(),
        " FROM host WHERE group_id = ?1 ORDER BY seq"
    ))?;
    let rows = stmt.query_map([group_id], host_row)?;
    rows.collect()
}

/// A user as the users resource shows it.
#[derive(Debug, Clone)]
pub struct ProfileRow {
    /// ObjectId.
    pub id: String,
    /// Username.
    pub username: String,
    /// E-mail address.
    pub email_address: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
}

macro_rules! profile_select {
    () => {
        "SELECT u.id, u.username, COALESCE(p.email_address, u.username), \
         COALESCE(p.first_name, ''), COALESCE(p.last_name, '') \
         FROM user_account u LEFT JOIN user_profile p ON p.user_id = u.id "
    };
}

fn profile_row(r: &Row<'_>) -> rusqlite::Result<ProfileRow> {
    Ok(ProfileRow {
        id: r.get(0)?,
        username: r.get(1)?,
        email_address: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
    })
}

/// A user's profile by id.
///
/// # Errors
/// SQLite errors.
pub fn profile_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<ProfileRow>> {
    conn.prepare_cached(concat!(profile_select!(), "WHERE u.id = ?1"))?
        .query_row([id], profile_row)
        .optional()
}

/// A user's profile by username.
///
/// # Errors
/// SQLite errors.
pub fn profile_by_name(conn: &Connection, username: &str) -> rusqlite::Result<Option<ProfileRow>> {
    conn.prepare_cached(concat!(profile_select!(), "WHERE u.username = ?1"))?
        .query_row([username], profile_row)
        .optional()
}

/// Insert an org.
///
/// # Errors
/// SQLite errors.
pub fn insert_org(conn: &Connection, org: &OrgRow) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO org (id, name, is_deleted) VALUES (?1, ?2, ?3)")?
        .execute(params![org.id, org.name, org.is_deleted])?;
    Ok(())
}

/// Rename an org.
///
/// # Errors
/// SQLite errors.
pub fn rename_org(conn: &Connection, id: &str, name: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE org SET name = ?2 WHERE id = ?1")?
        .execute([id, name])?;
    Ok(())
}

/// Delete an org as Ops Manager does: the org stays, marked deleted (global readers still
/// see it with `includeDeletedOrgs`); its API keys go, and every role in it is revoked.
///
/// # Errors
/// SQLite errors.
pub fn delete_org(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    let keys: Vec<String> = conn
        .prepare_cached("SELECT id FROM api_key WHERE org_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for key in keys {
        delete_key(conn, &key)?;
    }
    conn.prepare_cached("DELETE FROM grant_role WHERE org_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("UPDATE org SET is_deleted = 1 WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// How many projects an org has.
///
/// # Errors
/// SQLite errors.
pub fn count_projects_of_org(conn: &Connection, org_id: &str) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT COUNT(*) FROM project WHERE org_id = ?1")?
        .query_row([org_id], |r| r.get(0))
}

/// Whether a project monitors any cluster or host.
///
/// # Errors
/// SQLite errors.
pub fn has_deployments(conn: &Connection, group_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM cluster WHERE group_id = ?1) \
         OR EXISTS (SELECT 1 FROM host WHERE group_id = ?1)",
    )?
    .query_row([group_id], |r| r.get(0))
}

/// Delete a project and every role on it.
///
/// # Errors
/// SQLite errors.
pub fn delete_project(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM grant_role WHERE group_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM project WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The users holding a role in `org_id` (an org role, or a role on one of its projects),
/// in creation order.
///
/// # Errors
/// SQLite errors.
pub fn users_of_org(conn: &Connection, org_id: &str) -> rusqlite::Result<Vec<ProfileRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        profile_select!(),
        "WHERE u.id IN (SELECT holder FROM grant_role WHERE org_id = ?1 \
         OR group_id IN (SELECT id FROM project WHERE org_id = ?1)) ORDER BY u.seq"
    ))?;
    let rows = stmt.query_map([org_id], profile_row)?;
    rows.collect()
}

/// The users holding a role on project `group_id`, in creation order.
///
/// # Errors
/// SQLite errors.
pub fn users_of_project(conn: &Connection, group_id: &str) -> rusqlite::Result<Vec<ProfileRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        profile_select!(),
        "WHERE u.id IN (SELECT holder FROM grant_role WHERE group_id = ?1) ORDER BY u.seq"
    ))?;
    let rows = stmt.query_map([group_id], profile_row)?;
    rows.collect()
}

/// Insert a user, its profile and roles.
///
/// # Errors
/// SQLite errors.
pub fn insert_user(
    conn: &Connection,
    user: &ProfileRow,
    api_key: &str,
    roles: &[Role],
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO user_account (id, username, api_key) VALUES (?1, ?2, ?3)")?
        .execute([&user.id, &user.username, api_key])?;
    conn.prepare_cached(
        "INSERT INTO user_profile (user_id, email_address, first_name, last_name) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute([
        &user.id,
        &user.email_address,
        &user.first_name,
        &user.last_name,
    ])?;
    for role in roles {
        grant(conn, &user.id, role)?;
    }
    Ok(())
}

/// Whether a username is taken.
///
/// # Errors
/// SQLite errors.
pub fn username_taken(conn: &Connection, username: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM user_account WHERE username = ?1)")?
        .query_row([username], |r| r.get(0))
}

/// The JSON documents of a project's alerts (all, or those with `status`), in insertion
/// order.
///
/// # Errors
/// SQLite errors.
pub fn alerts_of(
    conn: &Connection,
    group_id: &str,
    status: Option<&str>,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc FROM alert WHERE group_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![group_id, status], |r| r.get(0))?;
    rows.collect()
}

/// The JSON documents of the open alerts a configuration raised.
///
/// # Errors
/// SQLite errors.
pub fn open_alerts_of_config(conn: &Connection, config_id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT doc FROM alert WHERE config_id = ?1 AND status = 'OPEN' ORDER BY seq",
    )?;
    let rows = stmt.query_map([config_id], |r| r.get(0))?;
    rows.collect()
}

/// Replace an alert's document.
///
/// # Errors
/// SQLite errors.
pub fn update_alert(conn: &Connection, id: &str, doc: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE alert SET doc = ?2 WHERE id = ?1")?
        .execute([id, doc])?;
    Ok(())
}

/// The JSON documents of a project's alert configurations.
///
/// # Errors
/// SQLite errors.
pub fn alert_configs_of(conn: &Connection, group_id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT doc FROM alert_config WHERE group_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([group_id], |r| r.get(0))?;
    rows.collect()
}

/// The JSON documents of an org's (`org = true`) or a project's events, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn events_of(conn: &Connection, org: bool, id: &str) -> rusqlite::Result<Vec<String>> {
    let sql = if org {
        "SELECT doc FROM event WHERE org_id = ?1 ORDER BY seq"
    } else {
        "SELECT doc FROM event WHERE group_id = ?1 ORDER BY seq"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    rows.collect()
}

fn global_key_row(r: &Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        id: r.get(0)?,
        org_id: String::new(),
        desc: r.get(1)?,
        public_key: r.get(2)?,
        private_key: r.get(3)?,
    })
}

/// A global key by public key (its `org_id` is empty).
///
/// # Errors
/// SQLite errors.
pub fn global_key_by_public(
    conn: &Connection,
    public_key: &str,
) -> rusqlite::Result<Option<KeyRow>> {
    conn.prepare_cached(
        "SELECT id, descr, public_key, private_key FROM global_key WHERE public_key = ?1",
    )?
    .query_row([public_key], global_key_row)
    .optional()
}

/// Every global key, in creation order.
///
/// # Errors
/// SQLite errors.
pub fn global_keys(conn: &Connection) -> rusqlite::Result<Vec<KeyRow>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, descr, public_key, private_key FROM global_key ORDER BY seq")?;
    let rows = stmt.query_map([], global_key_row)?;
    rows.collect()
}

/// Insert a global key.
///
/// # Errors
/// SQLite errors.
pub fn insert_global_key(conn: &Connection, key: &KeyRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO global_key (id, descr, public_key, private_key) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute([&key.id, &key.desc, &key.public_key, &key.private_key])?;
    Ok(())
}

/// Set a global key's description.
///
/// # Errors
/// SQLite errors.
pub fn set_global_key_desc(conn: &Connection, id: &str, desc: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE global_key SET descr = ?2 WHERE id = ?1")?
        .execute([id, desc])?;
    Ok(())
}

/// Delete a global key and its roles.
///
/// # Errors
/// SQLite errors.
pub fn delete_global_key(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM grant_role WHERE holder = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM global_key WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Revoke every role of a holder.
///
/// # Errors
/// SQLite errors.
pub fn revoke_all_roles(conn: &Connection, holder: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM grant_role WHERE holder = ?1")?
        .execute([holder])?;
    Ok(())
}

/// An entry of the global API access list.
#[derive(Debug, Clone)]
pub struct GlobalAccessRow {
    /// ObjectId.
    pub id: String,
    /// The block, canonical.
    pub cidr_block: String,
    /// What it is for.
    pub description: String,
    /// Added at.
    pub created: String,
    /// Last changed at.
    pub updated: String,
}

/// The global API access list, in insertion order.
///
/// # Errors
/// SQLite errors.
pub fn global_access(conn: &Connection) -> rusqlite::Result<Vec<GlobalAccessRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, cidr_block, description, created, updated FROM global_access ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(GlobalAccessRow {
            id: r.get(0)?,
            cidr_block: r.get(1)?,
            description: r.get(2)?,
            created: r.get(3)?,
            updated: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Insert or replace (by id) an entry of the global API access list.
///
/// # Errors
/// SQLite errors (a duplicate block is a constraint error).
pub fn put_global_access(conn: &Connection, e: &GlobalAccessRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO global_access (id, cidr_block, description, created, updated) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET cidr_block = ?2, description = ?3, updated = ?5",
    )?
    .execute([&e.id, &e.cidr_block, &e.description, &e.created, &e.updated])?;
    Ok(())
}

/// Delete an entry of the global API access list.
///
/// # Errors
/// SQLite errors.
pub fn delete_global_access(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM global_access WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// A team of an org.
#[derive(Debug, Clone)]
pub struct TeamRow {
    /// ObjectId.
    pub id: String,
    /// Its org.
    pub org_id: String,
    /// Name, unique in the org.
    pub name: String,
}

/// An org's teams, in creation order.
///
/// # Errors
/// SQLite errors.
pub fn teams_of(conn: &Connection, org_id: &str) -> rusqlite::Result<Vec<TeamRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, org_id, name FROM team WHERE org_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([org_id], |r| {
        Ok(TeamRow {
            id: r.get(0)?,
            org_id: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Insert a team.
///
/// # Errors
/// SQLite errors.
pub fn insert_team(conn: &Connection, team: &TeamRow) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO team (id, org_id, name) VALUES (?1, ?2, ?3)")?
        .execute([&team.id, &team.org_id, &team.name])?;
    Ok(())
}

/// Rename a team.
///
/// # Errors
/// SQLite errors.
pub fn rename_team(conn: &Connection, id: &str, name: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE team SET name = ?2 WHERE id = ?1")?
        .execute([id, name])?;
    Ok(())
}

/// Delete a team and its memberships.
///
/// # Errors
/// SQLite errors.
pub fn delete_team(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM grant_role WHERE holder = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM team_member WHERE team_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM team WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Add a user to a team (a member already in it stays once).
///
/// # Errors
/// SQLite errors.
pub fn add_team_member(conn: &Connection, team_id: &str, user_id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO team_member (team_id, user_id) VALUES (?1, ?2)")?
        .execute([team_id, user_id])?;
    Ok(())
}

/// Remove a user from a team; whether it was a member.
///
/// # Errors
/// SQLite errors.
pub fn remove_team_member(
    conn: &Connection,
    team_id: &str,
    user_id: &str,
) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM team_member WHERE team_id = ?1 AND user_id = ?2")?
        .execute([team_id, user_id])?
        > 0)
}

/// A team's members, in the order they joined.
///
/// # Errors
/// SQLite errors.
pub fn team_members(conn: &Connection, team_id: &str) -> rusqlite::Result<Vec<ProfileRow>> {
    let mut stmt = conn.prepare_cached(concat!(
        profile_select!(),
        "JOIN team_member m ON m.user_id = u.id WHERE m.team_id = ?1 ORDER BY m.seq"
    ))?;
    let rows = stmt.query_map([team_id], profile_row)?;
    rows.collect()
}

/// The teams a user is in, in the order joined.
///
/// # Errors
/// SQLite errors.
pub fn team_ids_of(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT team_id FROM team_member WHERE user_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    rows.collect()
}

/// What a project monitors, as its `hostCounts`, `replicaSetCount` and `shardCount` say.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeploymentCounts {
    /// Arbiters.
    pub arbiter: u64,
    /// Config servers.
    pub config: u64,
    /// Masters (legacy master/slave).
    pub master: u64,
    /// mongos routers.
    pub mongos: u64,
    /// Primaries (replica sets and shards).
    pub primary: u64,
    /// Secondaries.
    pub secondary: u64,
    /// Slaves (legacy master/slave).
    pub slave: u64,
    /// Replica sets (shards and config server replica sets included).
    pub replica_sets: u64,
    /// Shards.
    pub shards: u64,
}

/// The counts of one project.
///
/// # Errors
/// SQLite errors.
pub fn deployment_counts(conn: &Connection, group_id: &str) -> rusqlite::Result<DeploymentCounts> {
    let mut counts = DeploymentCounts::default();
    let mut stmt = conn.prepare_cached("SELECT type_name FROM host WHERE group_id = ?1")?;
    let types = stmt.query_map([group_id], |r| r.get::<_, String>(0))?;
    for t in types {
        let slot = match t?.as_str() {
            "REPLICA_PRIMARY" | "SHARD_PRIMARY" => &mut counts.primary,
            "REPLICA_SECONDARY" | "SHARD_SECONDARY" => &mut counts.secondary,
            "REPLICA_ARBITER" | "SHARD_ARBITER" => &mut counts.arbiter,
            "SHARD_MONGOS" => &mut counts.mongos,
            "SHARD_CONFIG" | "SHARD_CONFIG_PRIMARY" | "SHARD_CONFIG_SECONDARY" => {
                &mut counts.config
            }
            "MASTER" => &mut counts.master,
            "SLAVE" => &mut counts.slave,
            _ => continue,
        };
        *slot += 1;
    }
    let (replica_sets, shards): (u64, u64) = conn
        .prepare_cached(
            "SELECT COUNT(*), COUNT(shard_name) FROM cluster \
             WHERE group_id = ?1 AND type_name IN ('REPLICA_SET', 'CONFIG_SERVER_REPLICA_SET')",
        )?
        .query_row([group_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    counts.replica_sets = replica_sets;
    counts.shards = shards;
    Ok(counts)
}

/// Whether an id is taken by any org, project, key or user.
///
/// # Errors
/// Store errors.
pub fn id_taken(conn: &Connection, id: &str) -> Result<bool, rusqlite::Error> {
    conn.query_row(
        "SELECT 1 FROM org WHERE id = ?1 UNION ALL SELECT 1 FROM project WHERE id = ?1 \
         UNION ALL SELECT 1 FROM api_key WHERE id = ?1 UNION ALL SELECT 1 FROM user_account WHERE id = ?1 \
         UNION ALL SELECT 1 FROM global_key WHERE id = ?1 UNION ALL SELECT 1 FROM global_access WHERE id = ?1 \
         UNION ALL SELECT 1 FROM team WHERE id = ?1",
        [id],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
}

/// A fresh ObjectId for `now` that no org, project, key or user has.
///
/// # Errors
/// Store errors.
pub fn new_object_id(
    conn: &Connection,
    ids: &auth_core::ids::Ids,
    now: i64,
) -> Result<String, rusqlite::Error> {
    let mut id = ids.object_id(now);
    while id_taken(conn, &id)? {
        id = ids.object_id(now);
    }
    Ok(id)
}

/// Delete a user: its roles, access list, team memberships, profile and account.
///
/// # Errors
/// SQLite errors.
pub fn delete_user(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    for sql in [
        "DELETE FROM grant_role WHERE holder = ?1",
        "DELETE FROM access_entry WHERE holder = ?1",
        "DELETE FROM team_member WHERE user_id = ?1",
        "DELETE FROM user_profile WHERE user_id = ?1",
        "DELETE FROM user_account WHERE id = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([id])?;
    }
    Ok(())
}

/// The roles a caller acts with: its own, and for a user those its teams hold on projects.
///
/// # Errors
/// SQLite errors.
pub fn caller_roles_of(conn: &Connection, holder: &str) -> rusqlite::Result<Vec<Role>> {
    let mut roles = roles_of(conn, holder)?;
    // `CROSS JOIN` keeps team_member the outer loop (a user's few memberships, then each
    // team's roles by `grant_role_holder`): left to the planner, it walked every role in
    // `seq` order to skip the sort, ~84 ms a request at 10^6 keys.
    let mut stmt = conn.prepare_cached(
        "SELECT g.org_id, g.group_id, g.role_name FROM team_member m \
         CROSS JOIN grant_role g ON g.holder = m.team_id WHERE m.user_id = ?1 ORDER BY g.seq",
    )?;
    let rows = stmt.query_map([holder], |r| {
        Ok(Role {
            org_id: r.get(0)?,
            group_id: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    for role in rows {
        let role = role?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    Ok(roles)
}

/// A team's roles on a project, in the order granted.
///
/// # Errors
/// SQLite errors.
pub fn team_roles_on(
    conn: &Connection,
    team_id: &str,
    group_id: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT role_name FROM grant_role WHERE holder = ?1 AND group_id = ?2 ORDER BY seq",
    )?;
    let rows = stmt.query_map([team_id, group_id], |r| r.get(0))?;
    rows.collect()
}

/// Replace a team's roles on a project (none: remove the team from it); whether it held any.
///
/// # Errors
/// SQLite errors.
pub fn set_team_roles(
    conn: &Connection,
    team_id: &str,
    group_id: &str,
    roles: &[String],
) -> rusqlite::Result<bool> {
    let had = conn
        .prepare_cached("DELETE FROM grant_role WHERE holder = ?1 AND group_id = ?2")?
        .execute([team_id, group_id])?
        > 0;
    for name in roles {
        conn.prepare_cached(
            "INSERT INTO grant_role (holder, org_id, group_id, role_name) VALUES (?1, NULL, ?2, ?3)",
        )?
        .execute([team_id, group_id, name])?;
    }
    Ok(had)
}

/// The teams with roles on a project and their roles, in the order first assigned.
///
/// # Errors
/// SQLite errors.
pub fn team_roles_of_project(
    conn: &Connection,
    group_id: &str,
) -> rusqlite::Result<Vec<(String, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.holder, g.role_name FROM grant_role g JOIN team t ON t.id = g.holder \
         WHERE g.group_id = ?1 ORDER BY g.seq",
    )?;
    let rows = stmt.query_map([group_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for row in rows {
        let (team, role) = row?;
        match out.iter_mut().find(|(t, _)| *t == team) {
            Some((_, roles)) => roles.push(role),
            None => out.push((team, vec![role])),
        }
    }
    Ok(out)
}

/// The per-org key count behind `totalCount` follows every way keys come and go: inserts,
/// deletes, a state load, a reset, and a data file written before the count table existed.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpsMgr;
    use auth_core::store::clear;
    use auth_core::{Product, Store};

    const ORG: &str = "5953c5f380eef53887615f99";

    fn count_by_scan(store: &Store, org: &str) -> u64 {
        store
            .read(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM api_key WHERE org_id = ?1",
                    [org],
                    |r| r.get(0),
                )
            })
            .unwrap()
    }

    fn add_key(store: &Store, n: u32) {
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO api_key (id, org_id, descr, public_key, private_key) VALUES (?1, ?2, 'k', ?3, 'p')",
                    rusqlite::params![format!("6000000000000000{n:08x}"), ORG, format!("k{n:07}")],
                )
            })
            .unwrap();
    }

    #[test]
    fn the_count_follows_inserts_deletes_loads_and_resets() {
        let store = super::project_key_tests::fixture_store();
        let counted = |store: &Store| store.read(|c| count_keys_of_org(c, ORG)).unwrap();
        assert_eq!(counted(&store), count_by_scan(&store, ORG));
        let base = counted(&store);
        for n in 0..5 {
            add_key(&store, n);
        }
        assert_eq!(counted(&store), base + 5);
        store
            .write(|tx| tx.execute("DELETE FROM api_key WHERE public_key = 'k0000002'", []))
            .unwrap();
        assert_eq!(counted(&store), base + 4);
        assert_eq!(counted(&store), count_by_scan(&store, ORG));
        assert_eq!(
            store
                .read(|c| count_keys_of_org(c, "000000000000000000000000"))
                .unwrap(),
            0
        );
        store.write(clear).unwrap();
        assert_eq!(counted(&store), 0);
        assert!(store.is_empty().unwrap());
    }

    #[test]
    fn a_data_file_from_before_the_count_table_is_counted_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("opsmgr.sqlite3");
        let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
        store
            .write(|tx| tx.execute("INSERT INTO org (id, name) VALUES (?1, 'o')", [ORG]))
            .unwrap();
        for n in 0..3 {
            add_key(&store, n);
        }
        // An older schema: no count table, no triggers.
        store
            .write(|tx| {
                tx.execute_batch(
                    "DROP TRIGGER api_key_count_insert; DROP TRIGGER api_key_count_delete;
                     DROP TRIGGER api_key_count_move; DROP TABLE org_key_count;",
                )
            })
            .unwrap();
        drop(store);
        let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
        assert_eq!(store.read(|c| count_keys_of_org(c, ORG)).unwrap(), 3);
        drop(store);
        // Reopening a current file adds nothing.
        let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
        assert_eq!(store.read(|c| count_keys_of_org(c, ORG)).unwrap(), 3);
    }
}

/// A project's key page and count, read from `project_key` and its anchors, against the
/// query they replace (`IN (SELECT holder FROM grant_role ...)` with an `OFFSET`), through
/// grants, revocations, deleted keys and projects, a reset and an old data file.
#[cfg(test)]
mod project_key_tests {
    use super::*;
    use crate::OpsMgr;
    use auth_core::{Product, Store};

    const ORG: &str = "5953c5f380eef53887615f99";
    const PROJECT: &str = "5953c5f380eef53887615f9a";

    fn role(name: &str) -> Role {
        Role {
            org_id: None,
            group_id: Some(PROJECT.to_owned()),
            name: name.to_owned(),
        }
    }

    fn key_id(n: u32) -> String {
        format!("6000000000000000{n:08x}")
    }

    pub(super) fn fixture_store() -> Store {
        let store = Store::memory(OpsMgr::SCHEMA).unwrap();
        let fixtures: serde_json::Value = serde_json::from_str(OpsMgr::FIXTURES).unwrap();
        let env = auth_core::Env::new(Some(1), "opsmgr");
        let product = OpsMgr::new(&env, &Default::default());
        store
            .write(|tx| {
                product
                    .load_state(tx, &fixtures, &env)
                    .map_err(|e| rusqlite::Error::InvalidParameterName(e.to_string()))
            })
            .unwrap();
        store
    }

    fn add_keys(store: &Store, range: std::ops::Range<u32>) {
        store
            .write(|tx| {
                for n in range {
                    insert_key(
                        tx,
                        &KeyRow {
                            id: key_id(n),
                            org_id: ORG.to_owned(),
                            desc: format!("k{n}"),
                            public_key: format!("k{n:07}"),
                            private_key: "p".to_owned(),
                        },
                    )?;
                    if n % 3 != 0 {
                        grant(tx, &key_id(n), &role("GROUP_READ_ONLY"))?;
                    }
                    if n % 5 == 0 {
                        grant(tx, &key_id(n), &role("GROUP_OWNER"))?;
                    }
                }
                Ok::<_, rusqlite::Error>(())
            })
            .unwrap();
    }

    fn old_page(conn: &Connection, limit: u64, offset: u64) -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT id FROM api_key WHERE id IN \
                 (SELECT holder FROM grant_role WHERE group_id = ?1) ORDER BY seq LIMIT ?2 OFFSET ?3",
            )
            .unwrap();
        stmt.query_map(params![PROJECT, sql_int(limit), sql_int(offset)], |r| {
            r.get(0)
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    fn old_count(conn: &Connection) -> u64 {
        conn.query_row(
            "SELECT COUNT(*) FROM api_key WHERE id IN \
             (SELECT holder FROM grant_role WHERE group_id = ?1)",
            [PROJECT],
            |r| r.get(0),
        )
        .unwrap()
    }

    fn assert_same(store: &Store, anchors: &KeyAnchors) {
        store
            .read(|c| {
                let total = old_count(c);
                assert_eq!(count_keys_on_project(c, PROJECT)?, total);
                for (limit, offset) in [
                    (100, 0),
                    (7, 3),
                    (100, 900),
                    (100, 1000),
                    (100, 1024),
                    (64, 1088),
                    (500, 1100),
                    (100, total.saturating_sub(5)),
                    (100, total),
                    (100, total + 1000),
                ] {
                    let ids: Vec<String> =
                        keys_on_project_page(c, anchors, PROJECT, limit, offset)?
                            .into_iter()
                            .map(|k| k.id)
                            .collect();
                    assert_eq!(ids, old_page(c, limit, offset), "{limit} after {offset}");
                }
                Ok::<_, rusqlite::Error>(())
            })
            .unwrap();
    }

    #[test]
    fn pages_and_counts_follow_every_change_of_a_projects_keys() {
        let store = fixture_store();
        let anchors = KeyAnchors::default();
        assert_same(&store, &anchors);
        add_keys(&store, 0..2400);
        assert_same(&store, &anchors);
        // Revoke an early key's roles: every later anchor moves.
        store
            .write(|tx| revoke_group_roles(tx, &key_id(1), PROJECT))
            .unwrap();
        assert_same(&store, &anchors);
        // One role of two gone: the key stays on the project.
        store
            .write(|tx| {
                tx.execute(
                    "DELETE FROM grant_role WHERE holder = ?1 AND role_name = 'GROUP_OWNER'",
                    [key_id(5)],
                )
            })
            .unwrap();
        assert_same(&store, &anchors);
        // Unassign a late key and assign an early one: same count, same largest key.
        store
            .write(|tx| {
                revoke_group_roles(tx, &key_id(2000), PROJECT)?;
                grant(tx, &key_id(3), &role("GROUP_READ_ONLY"))
            })
            .unwrap();
        assert_same(&store, &anchors);
        store.write(|tx| delete_key(tx, &key_id(10))).unwrap();
        assert_same(&store, &anchors);
        add_keys(&store, 2400..2500);
        assert_same(&store, &anchors);
        // Every role on the project gone at once (as deleting the project starts).
        store
            .write(|tx| tx.execute("DELETE FROM grant_role WHERE group_id = ?1", [PROJECT]))
            .unwrap();
        assert_same(&store, &anchors);
        store.write(auth_core::store::clear).unwrap();
        anchors.clear();
        assert_same(&store, &anchors);
    }

    #[test]
    fn a_data_file_from_before_the_project_key_table_is_filled_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("opsmgr.sqlite3");
        let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
        store
            .write(|tx| {
                tx.execute("INSERT INTO org (id, name) VALUES (?1, 'o')", [ORG])?;
                tx.execute(
                    "INSERT INTO project (id, org_id, name, agent_api_key, created) \
                     VALUES (?1, ?2, 'p', 'a', '2020-01-01T00:00:00Z')",
                    [PROJECT, ORG],
                )
            })
            .unwrap();
        store
            .write(|tx| {
                tx.execute_batch(
                    "DROP TRIGGER grant_role_project_insert; DROP TRIGGER grant_role_project_delete;
                     DROP TRIGGER project_key_insert; DROP TRIGGER project_key_delete;
                     DROP TABLE project_key; DROP TABLE project_key_count;",
                )
            })
            .unwrap();
        add_keys(&store, 0..1200);
        drop(store);
        let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
        let anchors = KeyAnchors::default();
        assert_same(&store, &anchors);
        drop(store);
        // Reopening a current file adds nothing.
        let store = Store::file(&path, OpsMgr::SCHEMA).unwrap();
        assert_same(&store, &anchors);
    }
}
