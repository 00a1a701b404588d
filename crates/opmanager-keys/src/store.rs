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
    all_as(conn, |record: R| record)
}

/// Every record of `R`, in insertion order, each passed through `keep` as soon as it is
/// read (what `keep` drops is freed before the next record is read).
///
/// # Errors
/// SQLite errors, or a document that no longer parses.
pub fn all_as<R: Record, T>(
    conn: &Connection,
    mut keep: impl FnMut(R) -> T,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT doc FROM {} ORDER BY seq", R::TABLE))?;
    let mut rows = stmt.query([])?;
    let mut records = Vec::new();
    while let Some(row) = rows.next()? {
        let doc = doc_text(row)?;
        records.push(keep(
            serde_json::from_str(doc).map_err(|e| corrupt(R::TABLE, e))?,
        ));
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

/// Rows one multi-row `INSERT` of an [`Appender`] writes.
const BATCH: usize = 32;

/// Appends records of `R` one at a time (a state document's records as they are read), in
/// `INSERT`s of [`BATCH`] rows, so the statement's own costs (and AUTOINCREMENT's update of
/// `sqlite_sequence`) are paid once per batch. Rows keep the order they were pushed in. The
/// caller means the keys to be new: a taken key fails the batch (a constraint error).
pub struct Appender<'c, R> {
    conn: &'c Connection,
    /// Keys and documents of the rows not yet written, one after the other.
    pending: Vec<String>,
    doc: Vec<u8>,
    record: std::marker::PhantomData<fn(&R)>,
}

impl<'c, R: Record> Appender<'c, R> {
    /// An appender into `R`'s table.
    pub fn new(conn: &'c Connection) -> Self {
        Appender {
            conn,
            pending: Vec::with_capacity(2 * BATCH),
            doc: Vec::with_capacity(1024),
            record: std::marker::PhantomData,
        }
    }

    /// Insert `record` under `key` (its [`Record::key`]), perhaps only at a later push or at
    /// [`Appender::finish`].
    ///
    /// # Errors
    /// SQLite errors (a taken key among them).
    pub fn push(&mut self, key: &str, record: &R) -> Result<(), StoreError> {
        self.doc.clear();
        serde_json::to_writer(&mut self.doc, record).map_err(|e| corrupt(R::TABLE, e))?;
        let text = std::str::from_utf8(&self.doc).map_err(|e| corrupt_text(R::TABLE, e))?;
        self.pending.push(key.to_owned());
        self.pending.push(text.to_owned());
        if self.pending.len() == 2 * BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        let rows = self.pending.len() / 2;
        if rows == 0 {
            return Ok(());
        }
        // OR FAIL: a taken key stops the statement without undoing its earlier rows, so SQLite
        // keeps no statement journal for it (the caller refuses the whole load then anyway).
        let mut sql = format!("INSERT OR FAIL INTO {} (key, doc) VALUES (?, ?)", R::TABLE);
        for _ in 1..rows {
            sql.push_str(", (?, ?)");
        }
        self.conn
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(self.pending.iter()))?;
        self.pending.clear();
        Ok(())
    }

    /// Write the rows still pending.
    ///
    /// # Errors
    /// SQLite errors (a taken key among them).
    pub fn finish(mut self) -> Result<(), StoreError> {
        self.flush()
    }
}

/// Whether `err` is SQLite refusing a row for a constraint (a taken key).
pub fn is_constraint(err: &StoreError) -> bool {
    matches!(
        err,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation
    )
}

/// Whether a record of `R` has the key `key`.
///
/// # Errors
/// SQLite errors.
pub fn exists<R: Record>(conn: &Connection, key: &str) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE key = ?1)",
        R::TABLE
    ))?;
    Ok(stmt.query_row([key], |row| row.get(0))?)
}

/// Page cache a bulk load runs with (KiB): enough for the key index of 10^6 records, so
/// its pages are not written out and read back again and again during the load.
const BULK_CACHE_KIB: i64 = 64 * 1024;

/// Run `f` with the connection's page cache raised to [`BULK_CACHE_KIB`] (never lowered),
/// then set back to what it was, whatever `f` returns.
///
/// # Errors
/// SQLite errors of the pragmas; else whatever `f` returns.
pub fn bulk<T, E: From<StoreError>>(
    conn: &Connection,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let pragma = |e: rusqlite::Error| E::from(StoreError::Sqlite(e));
    let before: i64 = conn
        .query_row("PRAGMA cache_size", [], |row| row.get(0))
        .map_err(pragma)?;
    // Negative sizes are KiB, positive ones pages (4 KiB by default).
    let before_kib = if before < 0 { -before } else { before * 4 };
    if before_kib >= BULK_CACHE_KIB {
        return f();
    }
    conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)
        .map_err(pragma)?;
    let out = f();
    conn.pragma_update(None, "cache_size", before)
        .map_err(pragma)?;
    out
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
