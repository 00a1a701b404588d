//! The only module with SQL. Every kind of record lives in its own table as the JSON
//! document of its fixture form, under its natural key (user name, device name, alarm
//! entity, ...); `seq` keeps insertion order. Statements are prepared once per connection
//! (`prepare_cached`). Reads of the whole network go through the cached snapshot of
//! [`crate::network`], where filtering and sorting happen in Rust on typed records.

use auth_core::store::StoreError;
use rusqlite::{params, Connection};
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

/// The `doc` column of `row`, borrowed.
fn doc_text<'r>(row: &'r rusqlite::Row<'_>) -> Result<&'r str, StoreError> {
    row.get_ref(0)?.as_str().map_err(|e| {
        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

/// Every record of `R`, in insertion order.
///
/// # Errors
/// SQLite errors, or a document that no longer parses.
pub fn all<R: Record>(conn: &Connection) -> Result<Vec<R>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT doc FROM {} ORDER BY seq", R::TABLE))?;
    let mut rows = stmt.query([])?;
    let mut records = Vec::new();
    while let Some(row) = rows.next()? {
        let doc = doc_text(row)?;
        records.push(serde_json::from_str(doc).map_err(|e| corrupt(R::TABLE, e))?);
    }
    Ok(records)
}

/// The record of `R` under `key`, if any.
///
/// # Errors
/// SQLite errors, or a document that no longer parses.
pub fn get<R: Record>(conn: &Connection, key: &str) -> Result<Option<R>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT doc FROM {} WHERE key = ?1", R::TABLE))?;
    let mut rows = stmt.query([key])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let doc = doc_text(row)?;
    serde_json::from_str(doc)
        .map(Some)
        .map_err(|e| corrupt(R::TABLE, e))
}

/// Insert `record`, or replace the record with the same key keeping its position.
///
/// # Errors
/// SQLite errors.
pub fn put<R: Record>(conn: &Connection, record: &R) -> Result<(), StoreError> {
    let doc = serde_json::to_string(record).map_err(|e| corrupt(R::TABLE, e))?;
    conn.prepare_cached(&format!(
        "INSERT INTO {} (key, doc) VALUES (?1, ?2) \
         ON CONFLICT(key) DO UPDATE SET doc = excluded.doc",
        R::TABLE
    ))?
    .execute(params![record.key(), doc])?;
    Ok(())
}

/// [`put`] every record of `records`, with one prepared statement and one buffer.
///
/// # Errors
/// SQLite errors.
pub fn put_many<R: Record>(conn: &Connection, records: &[R]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO {} (key, doc) VALUES (?1, ?2) \
         ON CONFLICT(key) DO UPDATE SET doc = excluded.doc",
        R::TABLE
    ))?;
    let mut doc = Vec::new();
    for record in records {
        doc.clear();
        serde_json::to_writer(&mut doc, record).map_err(|e| corrupt(R::TABLE, e))?;
        let text = std::str::from_utf8(&doc).map_err(|e| corrupt_text(R::TABLE, e))?;
        stmt.execute(params![record.key(), text])?;
    }
    Ok(())
}

/// Appends records of `R` one at a time (a state document's records as they are read),
/// with one prepared statement and one buffer. The caller guarantees the keys are new
/// (a taken key is an error, never a replacement).
pub struct Appender<'c, R> {
    stmt: rusqlite::CachedStatement<'c>,
    doc: Vec<u8>,
    record: std::marker::PhantomData<fn(&R)>,
}

impl<'c, R: Record> Appender<'c, R> {
    /// An appender into `R`'s table.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn new(conn: &'c Connection) -> Result<Self, StoreError> {
        let stmt = conn.prepare_cached(&format!(
            "INSERT INTO {} (key, doc) VALUES (?1, ?2)",
            R::TABLE
        ))?;
        Ok(Appender {
            stmt,
            doc: Vec::with_capacity(1024),
            record: std::marker::PhantomData,
        })
    }

    /// Insert `record` under `key` (its [`Record::key`]).
    ///
    /// # Errors
    /// SQLite errors (a taken key among them).
    pub fn push(&mut self, key: &str, record: &R) -> Result<(), StoreError> {
        self.doc.clear();
        serde_json::to_writer(&mut self.doc, record).map_err(|e| corrupt(R::TABLE, e))?;
        let text = std::str::from_utf8(&self.doc).map_err(|e| corrupt_text(R::TABLE, e))?;
        self.stmt.execute(params![key, text])?;
        Ok(())
    }
}

fn corrupt_text(table: &str, err: std::str::Utf8Error) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(std::io::Error::other(format!("{table}: {err}"))),
    ))
}

/// Insert `record`; `false` if its key is already taken (nothing is written then).
///
/// # Errors
/// SQLite errors.
pub fn insert_new<R: Record>(conn: &Connection, record: &R) -> Result<bool, StoreError> {
    let doc = serde_json::to_string(record).map_err(|e| corrupt(R::TABLE, e))?;
    let n = conn
        .prepare_cached(&format!(
            "INSERT INTO {} (key, doc) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            R::TABLE
        ))?
        .execute(params![record.key(), doc])?;
    Ok(n == 1)
}

/// Delete the record of `R` under `key`; whether one existed.
///
/// # Errors
/// SQLite errors.
pub fn delete<R: Record>(conn: &Connection, key: &str) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(&format!("DELETE FROM {} WHERE key = ?1", R::TABLE))?
        .execute([key])?;
    Ok(n == 1)
}
