//! Copies of what store reads found, kept until the store changes: for lookups every
//! authenticated request repeats (the caller's account, the OAuth client).
//!
//! The *generation* of a store is SQLite's count of rows changed on its connection
//! (`sqlite3_total_changes`): every `INSERT`, `UPDATE` and `DELETE` moves it, trigger programs
//! included, even a transaction later rolled back, and nothing else does. A product whose reads
//! write nothing (ServiceOps) uses it as it is ([`Memo::get_or_load`]); one whose reads do
//! write counts those rows apart and passes its own generation ([`Memo::get_or_load_at`],
//! [`Memo::get_at`], [`Memo::put_at`]: Ops Manager's usage stamps, PMP's audit records). A [`Memo`] is read and filled with the
//! store's connection locked (inside [`crate::Store::read`]), so its generation and the rows it
//! copies agree. It holds copies only: the store stays the one place a write lives.

use parking_lot::Mutex;
use rusqlite::Connection;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// Lookups by key (a string unless said otherwise) for one store generation, bounded by
/// bytes: emptied when the generation moves, and when an insert would pass the bound.
#[derive(Debug)]
pub struct Memo<V, K = String> {
    max_bytes: usize,
    held: Mutex<Held<K, V>>,
}

#[derive(Debug)]
struct Held<K, V> {
    generation: u64,
    bytes: usize,
    map: HashMap<K, V>,
}

/// Bytes a kept entry is counted as, beyond its key and its value's own estimate: the map's
/// slot and the allocations' headers.
const ENTRY_OVERHEAD: usize = 64;

impl<V: Clone, K: Eq + Hash> Memo<V, K> {
    /// An empty memo that holds at most `max_bytes` (keys, values and overhead, estimated).
    pub fn new(max_bytes: usize) -> Self {
        Memo {
            max_bytes,
            held: Mutex::new(Held {
                generation: 0,
                bytes: 0,
                map: HashMap::new(),
            }),
        }
    }

    /// The value for `key` as the store on `conn` holds it now: the kept copy when the store
    /// has not changed since it was read, else `load(conn)`, kept when it fits. `size` is the
    /// value's heap bytes (an estimate is enough). Call with the connection locked.
    ///
    /// # Errors
    /// What `load` returns; nothing is kept then.
    pub fn get_or_load<Q, E>(
        &self,
        conn: &Connection,
        key: &Q,
        size: impl FnOnce(&V) -> usize,
        load: impl FnOnce(&Connection) -> Result<V, E>,
    ) -> Result<V, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.get_or_load_at(conn.total_changes(), key, size, || load(conn))
    }

    /// [`Memo::get_or_load`] for a generation the caller counts itself (a constant for a
    /// function of immutable inputs, such as a token's verified claims under fixed keys).
    ///
    /// # Errors
    /// What `load` returns; nothing is kept then.
    pub fn get_or_load_at<Q, E>(
        &self,
        generation: u64,
        key: &Q,
        size: impl FnOnce(&V) -> usize,
        load: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(value) = self.get_at(generation, key) {
            return Ok(value);
        }
        let value = load()?;
        let bytes = std::mem::size_of_val(key) + size(&value);
        self.put_at(generation, key.to_owned(), value.clone(), bytes);
        Ok(value)
    }

    /// The copy of `key` kept at `generation`, if any (for callers that read and keep in two
    /// steps, with the connection locked across both).
    pub fn get_at<Q>(&self, generation: u64, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let held = self.held.lock();
        if held.generation != generation {
            return None;
        }
        held.map.get(key).cloned()
    }

    /// Keep `value` for `key`, read at `generation`; `bytes` is the entry's estimate (key and
    /// value). A newer generation empties what is kept first, an older one is not kept, and
    /// neither is an entry larger than the bound; an entry that would pass the bound empties
    /// what is kept first.
    pub fn put_at(&self, generation: u64, key: K, value: V, bytes: usize) {
        let bytes = bytes + ENTRY_OVERHEAD;
        let mut held = self.held.lock();
        if generation < held.generation || bytes > self.max_bytes {
            return;
        }
        if generation > held.generation || held.bytes + bytes > self.max_bytes {
            held.map.clear();
            held.bytes = 0;
            held.generation = generation;
        }
        if held.map.insert(key, value).is_none() {
            held.bytes += bytes;
        }
    }

    /// Forget every kept copy (a reset, when the caller's generation does not move with it).
    pub fn clear(&self) {
        let mut held = self.held.lock();
        held.map = HashMap::new();
        held.bytes = 0;
    }

    /// Bytes held now (estimated), for tests and the bench.
    pub fn bytes(&self) -> usize {
        self.held.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT); INSERT INTO t VALUES ('a', 'one');",
        )
        .unwrap();
        conn
    }

    fn read(conn: &Connection, k: &str) -> Result<Option<String>, rusqlite::Error> {
        use rusqlite::OptionalExtension;
        conn.query_row("SELECT v FROM t WHERE k = ?1", [k], |r| r.get(0))
            .optional()
    }

    fn size(v: &Option<String>) -> usize {
        v.as_ref().map_or(0, String::len)
    }

    #[test]
    fn a_kept_copy_is_used_until_any_row_changes() {
        let conn = store();
        let memo = Memo::new(1 << 20);
        let mut loads = 0;
        let mut get = |conn: &Connection, k: &str| {
            memo.get_or_load(conn, k, size, |c| {
                loads += 1;
                read(c, k)
            })
            .unwrap()
        };
        assert_eq!(get(&conn, "a"), Some("one".into()));
        assert_eq!(get(&conn, "a"), Some("one".into()));
        assert_eq!(get(&conn, "b"), None);
        assert_eq!(get(&conn, "b"), None);
        // An update of another row, a rolled-back insert, and a delete each drop every copy.
        conn.execute("INSERT INTO t VALUES ('c', 'three')", [])
            .unwrap();
        assert_eq!(get(&conn, "a"), Some("one".into()));
        conn.execute_batch("BEGIN; INSERT INTO t VALUES ('b', 'two'); ROLLBACK;")
            .unwrap();
        assert_eq!(get(&conn, "b"), None);
        conn.execute("UPDATE t SET v = 'uno' WHERE k = 'a'", [])
            .unwrap();
        assert_eq!(get(&conn, "a"), Some("uno".into()));
        conn.execute("DELETE FROM t", []).unwrap();
        assert_eq!(get(&conn, "a"), None);
        // a, b, then each of a, b, a, a again after the four changes.
        assert_eq!(loads, 6);
    }

    #[test]
    fn a_kept_copy_belongs_to_one_generation_and_the_bound_holds() {
        let held: Memo<u32> = Memo::new(100 + 4 * ENTRY_OVERHEAD);
        let entry = |b: usize| b;
        held.put_at(1, "a".into(), 1, entry(10));
        assert_eq!(held.get_at(1, "a"), Some(1));
        assert_eq!(held.get_at(2, "a"), None);
        // An older generation's copy is never kept, a newer one empties the map.
        held.put_at(0, "b".into(), 2, entry(10));
        assert_eq!(held.get_at(1, "b"), None);
        held.put_at(2, "c".into(), 3, entry(10));
        assert_eq!((held.get_at(2, "a"), held.get_at(2, "c")), (None, Some(3)));
        for i in 0..50 {
            held.put_at(2, format!("k{i}"), i, entry(10));
            assert!(held.bytes() <= 100 + 4 * ENTRY_OVERHEAD, "{}", held.bytes());
        }
        // Larger than the whole bound: not kept.
        held.put_at(2, "big".into(), 9, entry(101 + 3 * ENTRY_OVERHEAD));
        assert_eq!(held.get_at(2, "big"), None);
        held.clear();
        assert_eq!(held.get_at(2, "c"), None);
    }

    #[test]
    fn it_holds_no_more_than_its_bound() {
        let conn = store();
        let memo = Memo::new(1000);
        for i in 0..100 {
            let key = format!("key-{i:03}");
            memo.get_or_load(&conn, &key, size, |c| read(c, &key))
                .unwrap();
            assert!(memo.bytes() <= 1000, "{} bytes after {i}", memo.bytes());
        }
        assert!(memo.bytes() > 0);
        // A value bigger than the bound is returned, not kept.
        let huge = Memo::new(10);
        assert_eq!(
            huge.get_or_load(&conn, "a", size, |c| read(c, "a"))
                .unwrap(),
            Some("one".into())
        );
        assert_eq!(huge.bytes(), 0);
    }
}
