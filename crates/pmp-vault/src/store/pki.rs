//! SSL certificates and SSH keys of the PKI sub-API.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// An SSL certificate as stored (its key material is derived, see `pki/keys.rs`).
#[derive(Debug, Clone)]
pub struct Certificate {
    /// Id.
    pub id: i64,
    /// Subject common name.
    pub common_name: String,
    /// Serial number, hex.
    pub serial_number: String,
    /// Subject organisation.
    pub organization: String,
    /// Subject alternative DNS names.
    pub dns_names: Vec<String>,
    /// Not before (ms).
    pub valid_from_ms: i64,
    /// Not after (ms).
    pub valid_to_ms: i64,
    /// The passphrase of its private key (keystore).
    pub passphrase: String,
}

fn certificate_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Certificate> {
    let names: String = r.get(4)?;
    Ok(Certificate {
        id: r.get(0)?,
        common_name: r.get(1)?,
        serial_number: r.get(2)?,
        organization: r.get(3)?,
        dns_names: serde_json::from_str(&names).unwrap_or_default(),
        valid_from_ms: r.get(5)?,
        valid_to_ms: r.get(6)?,
        passphrase: r.get(7)?,
    })
}

const CERT_COLUMNS: &str =
    "id, common_name, serial_number, organization, dns_names, valid_from, valid_to, passphrase";

/// Every certificate, by id.
///
/// # Errors
/// SQLite errors.
pub fn certificates(conn: &Connection) -> rusqlite::Result<Vec<Certificate>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CERT_COLUMNS} FROM certificates ORDER BY id"
    ))?;
    let rows = stmt.query_map([], certificate_row)?;
    rows.collect()
}

/// The certificates of common name `cn` (any case), optionally of one serial number.
///
/// # Errors
/// SQLite errors.
pub fn certificates_named(
    conn: &Connection,
    cn: &str,
    serial: Option<&str>,
) -> rusqlite::Result<Vec<Certificate>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CERT_COLUMNS} FROM certificates WHERE common_name = ?1 COLLATE NOCASE
           AND (?2 IS NULL OR serial_number = ?2 COLLATE NOCASE) ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![cn, serial], certificate_row)?;
    rows.collect()
}

/// Insert a certificate (state document).
///
/// # Errors
/// SQLite errors.
pub fn insert_certificate(tx: &Transaction<'_>, c: &Certificate) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO certificates (id, common_name, serial_number, organization, dns_names,
           valid_from, valid_to, passphrase) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        c.id,
        c.common_name,
        c.serial_number,
        c.organization,
        serde_json::to_string(&c.dns_names).unwrap_or_else(|_| "[]".into()),
        c.valid_from_ms,
        c.valid_to_ms,
        c.passphrase
    ])?;
    Ok(())
}

/// An SSH key as stored.
#[derive(Debug, Clone)]
pub struct SshKey {
    /// Id.
    pub id: i64,
    /// Key name.
    pub key_name: String,
    /// Comment of the public key.
    pub comment: String,
    /// Created (ms).
    pub created_ms: i64,
}

fn ssh_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SshKey> {
    Ok(SshKey {
        id: r.get(0)?,
        key_name: r.get(1)?,
        comment: r.get(2)?,
        created_ms: r.get(3)?,
    })
}

/// Every SSH key, by id.
///
/// # Errors
/// SQLite errors.
pub fn ssh_keys(conn: &Connection) -> rusqlite::Result<Vec<SshKey>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, key_name, comment, created_at FROM ssh_keys ORDER BY id")?;
    let rows = stmt.query_map([], ssh_row)?;
    rows.collect()
}

/// The SSH key named `name` (any case).
///
/// # Errors
/// SQLite errors.
pub fn ssh_key_named(conn: &Connection, name: &str) -> rusqlite::Result<Option<SshKey>> {
    conn.prepare_cached(
        "SELECT id, key_name, comment, created_at FROM ssh_keys WHERE key_name = ?1 COLLATE NOCASE",
    )?
    .query_row([name], ssh_row)
    .optional()
}

/// Insert an SSH key (state document).
///
/// # Errors
/// SQLite errors.
pub fn insert_ssh_key(tx: &Transaction<'_>, k: &SshKey) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO ssh_keys (id, key_name, comment, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![k.id, k.key_name, k.comment, k.created_ms])?;
    Ok(())
}

/// One account of a resource an SSH key is associated with.
#[derive(Debug, Clone)]
pub struct KeyUser {
    /// The key's id.
    pub key_id: i64,
    /// The key's name.
    pub key_name: String,
    /// Resource (host) name.
    pub resource_name: String,
    /// The account on it.
    pub user_name: String,
}

/// Every key association, by key then insertion.
///
/// # Errors
/// SQLite errors.
pub fn key_users(conn: &Connection) -> rusqlite::Result<Vec<KeyUser>> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.key_id, k.key_name, u.resource_name, u.user_name
         FROM ssh_key_users u JOIN ssh_keys k ON k.id = u.key_id ORDER BY u.key_id, u.rowid",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(KeyUser {
            key_id: r.get(0)?,
            key_name: r.get(1)?,
            resource_name: r.get(2)?,
            user_name: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// Associate key `key_id` with `user_name` on `resource_name` (state document).
///
/// # Errors
/// SQLite errors.
pub fn insert_key_user(
    tx: &Transaction<'_>,
    key_id: i64,
    resource_name: &str,
    user_name: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO ssh_key_users (key_id, resource_name, user_name) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![key_id, resource_name, user_name])?;
    Ok(())
}
