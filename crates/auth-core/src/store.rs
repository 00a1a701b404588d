//! SQLite store plumbing over rusqlite (bundled SQLite).
//!
//! One [`Store`] per product instance: in memory by default, or a file under `--data-dir`
//! (WAL journal, survives restarts and `kill -9` of the process). Each product crate owns its
//! schema and queries; this module only opens, locks and runs transactions. The connection
//! is locked briefly and never across an `.await`.

use parking_lot::Mutex;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

/// Store failures; products map them to their vendor's "internal error" body.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite said no.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data file could not be opened or created.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
}

/// Prepared statements a connection keeps for the product (plus one per table for [`clear`]).
pub const STATEMENT_CACHE: usize = 64;

/// Page cache of a whole-state replace ([`Store::replace`]), KiB.
pub const BULK_CACHE_KIB: i64 = 64 * 1024;

/// A product instance's SQLite database.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
}

impl Store {
    /// A private in-memory database with `schema` applied.
    ///
    /// # Errors
    /// If the schema does not apply.
    pub fn memory(schema: &str) -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, schema, None)
    }

    /// A database file at `path` (created if missing) with `schema` applied; WAL journal.
    ///
    /// # Errors
    /// If the file cannot be opened or the schema does not apply.
    pub fn file(path: &Path, schema: &str) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL is durable against a crash of the process (kill -9); FULL adds power loss.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Statement journals (and temp tables) in memory: see [`Store::replace`]. Set once
        // here, as changing it later resets the connection's schemas and prepared statements.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::init(conn, schema, Some(path.to_owned()))
    }

    fn init(conn: Connection, schema: &str, path: Option<PathBuf>) -> Result<Self, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(schema)?;
        // Room for the product's hot statements next to one `DELETE` per table of [`clear`],
        // so a reset does not push the read path's statements out of the cache.
        let tables = user_tables(&conn)?.len();
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE + tables);
        Ok(Store {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The database file, when not in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Run `f` with the connection locked (reads, or single-statement writes).
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        let conn = self.conn.lock();
        f(&conn)
    }

    /// Run `f` in an immediate transaction: committed if `f` returns `Ok`, rolled back
    /// otherwise, so no write is ever half-done.
    ///
    /// # Errors
    /// Whatever `f` returns, or the SQLite error of begin/commit.
    pub fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// [`Store::write`] for a whole-state replace: one immediate transaction, as atomic as any
    /// other write, run with the connection set up for a bulk load and set back afterwards.
    ///
    /// - `cache_size` [`BULK_CACHE_KIB`]: with the default 2 MiB the pages a load keeps
    ///   touching (the right edge of every index, a trigger's counter row) are written to the
    ///   WAL and read back from it again and again. Set back (the cache freed with
    ///   `shrink_memory`) whatever `f` returns.
    ///
    /// A file store also runs with `temp_store = MEMORY` from [`Store::file`] on: in a
    /// transaction every `INSERT` that fires a trigger or may abort half-way has a statement
    /// journal, the prior content of each page it touches. SQLite keeps it in memory up to
    /// 64 KiB and then in a temp file, which stays a file for the rest of the transaction: a
    /// load of 10^5 ServiceOps requests made 1.15 million `pwrite`s to it, against 89
    /// thousand to the WAL and the data file together. The statement journal is undone or
    /// dropped when its statement ends, so keeping it in memory changes nothing of what
    /// reaches the data file or the WAL.
    ///
    /// Memory stores are left as they are (their journals are in memory already).
    ///
    /// # Errors
    /// Whatever `f` returns, or the SQLite error of a pragma or of begin/commit.
    pub fn replace<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        if self.path.is_none() {
            return self.write(f);
        }
        let mut conn = self.conn.lock();
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |row| row.get(0))?;
        conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        let outcome: Result<T, E> = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        let restored = conn
            .pragma_update(None, "cache_size", cache)
            .and_then(|()| conn.execute_batch("PRAGMA shrink_memory"));
        let value = outcome?;
        restored?;
        Ok(value)
    }

    /// Whether every table of the schema is empty (a fresh data file).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.read(|conn| {
            for table in user_tables(conn)? {
                let any: bool = conn.query_row(
                    &format!("SELECT EXISTS (SELECT 1 FROM \"{table}\")"),
                    [],
                    |row| row.get(0),
                )?;
                if any {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }
}

/// Delete every row of every table (inside the caller's transaction), and reset
/// AUTOINCREMENT counters, so the schema is as new.
///
/// # Errors
/// SQLite errors.
pub fn clear(tx: &Transaction<'_>) -> Result<(), rusqlite::Error> {
    // Every statement comes from the connection's cache: a reset runs them all each time.
    tx.prepare_cached("PRAGMA defer_foreign_keys = ON")?
        .execute([])?;
    for table in user_tables(tx)? {
        tx.prepare_cached(&format!("DELETE FROM \"{table}\""))?
            .execute([])?;
    }
    let has_sequence: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence')",
        )?
        .query_row([], |row| row.get(0))?;
    if has_sequence {
        tx.prepare_cached("DELETE FROM sqlite_sequence")?
            .execute([])?;
    }
    Ok(())
}

fn user_tables(conn: &Connection) -> Result<Vec<String>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names = stmt.query_map([], |row| row.get(0))?;
    names.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);";

    #[test]
    fn a_failed_write_changes_nothing() {
        let store = Store::memory(SCHEMA).unwrap();
        store
            .write(|tx| tx.execute("INSERT INTO item (name) VALUES ('a')", []))
            .unwrap();
        let result: Result<(), rusqlite::Error> = store.write(|tx| {
            tx.execute("INSERT INTO item (name) VALUES ('b')", [])?;
            tx.execute("INSERT INTO item (name) VALUES ('a')", [])?; // unique violation
            Ok(())
        });
        assert!(result.is_err());
        let count: i64 = store
            .read(|c| c.query_row("SELECT COUNT(*) FROM item", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(count, 1);
    }

    #[test]
    fn the_bundled_sqlite_is_built_without_its_global_mutexes() {
        // .cargo/config.toml's LIBSQLITE3_FLAGS: no memory statistics, a page cache per
        // connection.
        let store = Store::memory(SCHEMA).unwrap();
        let options: Vec<String> = store
            .read(|c| {
                let mut stmt = c.prepare("PRAGMA compile_options")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect()
            })
            .unwrap();
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
        assert!(
            !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
            "{options:?}"
        );
    }

    #[test]
    fn clear_empties_tables_and_restarts_ids() {
        let store = Store::memory(SCHEMA).unwrap();
        store
            .write(|tx| tx.execute("INSERT INTO item (name) VALUES ('a')", []))
            .unwrap();
        store.write(clear).unwrap();
        assert!(store.is_empty().unwrap());
        let id: i64 = store
            .write(|tx| {
                tx.execute("INSERT INTO item (name) VALUES ('z')", [])?;
                Ok::<_, rusqlite::Error>(tx.last_insert_rowid())
            })
            .unwrap();
        assert_eq!(id, 1);
    }

    #[test]
    fn a_file_store_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        {
            let store = Store::file(&path, SCHEMA).unwrap();
            store
                .write(|tx| tx.execute("INSERT INTO item (name) VALUES ('kept')", []))
                .unwrap();
        }
        let store = Store::file(&path, SCHEMA).unwrap();
        assert!(!store.is_empty().unwrap());
    }
}
