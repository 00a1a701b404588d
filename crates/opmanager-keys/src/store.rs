//! The only module with SQL. Every kind of record lives in its own table as the JSON
//! document of its fixture form, under its natural key (user name, device name, alarm
//! entity, ...); `seq` keeps insertion order. The network is small (a few dozen devices),
//! so filtering and sorting happen in Rust on typed records.

use auth_core::store::StoreError;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A record stored as a document in one table.
pub trait Record: Serialize + DeserializeOwned {
    /// The table (a fixed name from `schema.sql`, never user input).
    const TABLE: &'static str;
    /// The natural key.
    fn key(&self) -> String;
}

fn corrupt(table: &str, err: serde_json::Error) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(std::io::Error::other(format!("{table}: {err}"))),
    ))
}

/// Every record of `R`, in insertion order.
///
/// # Errors
/// SQLite errors, or a document that no longer parses.
pub fn all<R: Record>(conn: &Connection) -> Result<Vec<R>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT doc FROM {} ORDER BY seq", R::TABLE))?;
    let docs = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    docs.iter()
        .map(|doc| serde_json::from_str(doc).map_err(|e| corrupt(R::TABLE, e)))
        .collect()
}

/// The record of `R` under `key`, if any.
///
/// # Errors
/// SQLite errors, or a document that no longer parses.
pub fn get<R: Record>(conn: &Connection, key: &str) -> Result<Option<R>, StoreError> {
    let doc: Option<String> = conn
        .query_row(
            &format!("SELECT doc FROM {} WHERE key = ?1", R::TABLE),
            [key],
            |row| row.get(0),
        )
        .optional()?;
    doc.map(|doc| serde_json::from_str(&doc).map_err(|e| corrupt(R::TABLE, e)))
        .transpose()
}

/// Insert `record`, or replace the record with the same key keeping its position.
///
/// # Errors
/// SQLite errors.
pub fn put<R: Record>(conn: &Connection, record: &R) -> Result<(), StoreError> {
    let doc = serde_json::to_string(record).map_err(|e| corrupt(R::TABLE, e))?;
    conn.execute(
        &format!(
            "INSERT INTO {} (key, doc) VALUES (?1, ?2) \
             ON CONFLICT(key) DO UPDATE SET doc = excluded.doc",
            R::TABLE
        ),
        params![record.key(), doc],
    )?;
    Ok(())
}

/// Insert `record`; `false` if its key is already taken (nothing is written then).
///
/// # Errors
/// SQLite errors.
pub fn insert_new<R: Record>(conn: &Connection, record: &R) -> Result<bool, StoreError> {
    let doc = serde_json::to_string(record).map_err(|e| corrupt(R::TABLE, e))?;
    let n = conn.execute(
        &format!(
            "INSERT INTO {} (key, doc) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            R::TABLE
        ),
        params![record.key(), doc],
    )?;
    Ok(n == 1)
}

/// Delete the record of `R` under `key`; whether one existed.
///
/// # Errors
/// SQLite errors.
pub fn delete<R: Record>(conn: &Connection, key: &str) -> Result<bool, StoreError> {
    let n = conn.execute(&format!("DELETE FROM {} WHERE key = ?1", R::TABLE), [key])?;
    Ok(n == 1)
}
