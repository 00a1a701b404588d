//! The audit trail.

use crate::state::AuditDoc;
use rusqlite::{Connection, ToSql};

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

/// SQL condition: `audit_subject`'s row is the subject of the values of [`append_audit`]
/// (its unique key, in the index's order). Macros so the statements stay string literals.
macro_rules! is_subject {
    () => {
        "account_id = ?9 AND resource_id = ?8 AND operation = ?4 AND user_name = ?2
         AND status = ?5 AND ip = ?12 AND resource_name = ?6 AND account_name = ?7
         AND full_name = ?3"
    };
}
/// SQL: the id of the interned subject (NULL: none yet).
macro_rules! subject_id {
    () => {
        concat!("(SELECT id FROM audit_subject WHERE ", is_subject!(), ")")
    };
}
/// SQL: the ids of the ticket and reason texts (0: empty; NULL: not interned yet).
macro_rules! ticket_id {
    () => {
        "CASE WHEN ?10 = '' THEN 0 ELSE (SELECT id FROM audit_text WHERE text = ?10) END"
    };
}
macro_rules! reason_id {
    () => {
        "CASE WHEN ?11 = '' THEN 0 ELSE (SELECT id FROM audit_text WHERE text = ?11) END"
    };
}
/// SQL: append record `$id` (`NULL`: the next id) whose subject and texts are interned
/// already, as one `INSERT ... SELECT` into `audit_log` that writes no row when one of their
/// ids is NULL. (The subject's columns straight from its row: a subquery per id, tested in the
/// WHERE, cost a resource list 2.8k instructions more, callgrind.)
macro_rules! known_record {
    ($id:literal) => {
        concat!(
            "INSERT INTO audit_log (id, at_ms, subject, ticket, reason) SELECT ",
            $id,
            ", ?1, s.id, n.t, n.r FROM (SELECT ",
            ticket_id!(),
            " AS t, ",
            reason_id!(),
            " AS r) n, audit_subject s WHERE n.t IS NOT NULL AND n.r IS NOT NULL AND ",
            is_subject!()
        )
    };
}

/// Append an audit record, with the retrieval time (`touched`: account id, ms) of the account
/// the request read, in one write statement, so all of it is written or none of it.
///
/// Usually the record's subject and texts are interned already: the record is then an
/// `INSERT` that looks up their ids and appends to `audit_log`, or, with a retrieval time,
/// appends through the view `audit_log_with_access`, whose trigger also sets the account's
/// `last_accessed`. When that wrote nothing (a subject or text not interned
/// yet), the record is an `INSERT` into the view `audit_entry`, whose trigger interns the
/// strings too (`schema.sql`). No id is kept between statements, so a rollback, a reset or a
/// state load cannot leave a stale one. One statement outside a transaction is its own
/// transaction, and this, the one write of every API request (a password read included),
/// costs no `BEGIN` and `COMMIT` of its own. Inside a caller's transaction it is part of that
/// transaction.
///
/// # Errors
/// SQLite errors; nothing is then written.
pub fn append_audit(
    conn: &Connection,
    e: &AuditEntry<'_>,
    touched: Option<(i64, i64)>,
) -> rusqlite::Result<()> {
    let status = if e.ok { "Success" } else { "Failed" };
    let (accessed_id, accessed_at) = touched.unzip();
    // The record's twelve values, then the retrieval's two (bound only with one).
    let values: [&dyn ToSql; 14] = [
        &e.at_ms,
        &e.user,
        &e.full_name,
        &e.operation,
        &status,
        &e.note.resource,
        &e.note.account,
        &e.note.resource_id,
        &e.note.account_id,
        &e.note.ticket,
        &e.reason,
        &e.ip,
        &accessed_id,
        &accessed_at,
    ];
    // Rows a trigger writes are not counted by `changes()`; the total is.
    let before = conn.total_changes();
    match touched {
        // An INSERT ... SELECT into a table without triggers: no row when an id is NULL.
        None => conn
            .prepare_cached(known_record!("NULL"))?
            .execute(&values[..12])?,
        // VALUES, not a SELECT, into the view: an INSERT ... SELECT into a table with
        // triggers first copies the rows to a temporary table (callgrind: +27k instructions
        // per read). The trigger's WHEN skips a NULL id.
        Some(_) => conn
            .prepare_cached(concat!(
                "INSERT INTO audit_log_with_access (at_ms, subject, ticket, reason, accessed_id,
                   accessed_at) VALUES (?1, ",
                subject_id!(),
                ", ",
                ticket_id!(),
                ", ",
                reason_id!(),
                ", ?13, ?14)"
            ))?
            .execute(&values[..])?,
    };
    if conn.total_changes() != before {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO audit_entry (at_ms, user_name, full_name, operation, status,
           resource_name, account_name, resource_id, account_id, ticket_id, reason, ip,
           accessed_id, accessed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(&values[..])?;
    Ok(())
}

/// Load one whole audit record (the state document's, with its id): like [`append_audit`],
/// one `INSERT` when its subject and texts are interned already (a state load's records
/// mostly repeat them), an `INSERT` into the view `audit_entry` otherwise.
///
/// # Errors
/// SQLite errors (a duplicate id among them); nothing is then written.
pub fn load_audit_record(conn: &Connection, at_ms: i64, a: &AuditDoc) -> rusqlite::Result<()> {
    // The values in append_audit's order, then the id.
    let values: [&dyn ToSql; 13] = [
        &at_ms,
        &a.user_name,
        &a.full_name,
        &a.operation,
        &a.status,
        &a.resource_name,
        &a.account_name,
        &a.resource_id,
        &a.account_id,
        &a.ticket_id,
        &a.reason,
        &a.ip,
        &a.id,
    ];
    let written = conn
        .prepare_cached(known_record!("?13"))?
        .execute(&values[..])?;
    if written == 0 {
        conn.prepare_cached(
            "INSERT INTO audit_entry (at_ms, user_name, full_name, operation, status,
               resource_name, account_name, resource_id, account_id, ticket_id, reason, ip, id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(&values[..])?;
    }
    Ok(())
}

/// The audit trail, newest first (`newest_first`) or oldest first, in the state document's
/// form, with each record's time in ms.
///
/// # Errors
/// SQLite errors.
pub fn audit_trail(
    conn: &Connection,
    newest_first: bool,
) -> rusqlite::Result<Vec<(i64, AuditDoc)>> {
    let sql = if newest_first {
        "SELECT id, at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip FROM audit_entry ORDER BY id DESC"
    } else {
        "SELECT id, at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip FROM audit_entry ORDER BY id"
    };
    let mut stmt = conn.prepare_cached(sql)?;
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

/// The audit trail, newest first, in the state document's form.
///
/// # Errors
/// SQLite errors.
pub fn audit_rows(conn: &Connection) -> rusqlite::Result<Vec<(i64, AuditDoc)>> {
    audit_trail(conn, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pmp;
    use auth_core::{Product as _, Store};

    fn entry(note: &AuditNote) -> AuditEntry<'_> {
        AuditEntry {
            at_ms: 1_000,
            user: "admin",
            full_name: "Admin",
            operation: "GET PASSWORD",
            ok: true,
            note,
            reason: "",
            ip: "127.0.0.1",
        }
    }

    fn seeded() -> Store {
        let store = Store::memory(Pmp::SCHEMA).unwrap();
        store
            .write(|tx| {
                tx.execute_batch(
                    "INSERT INTO users (id, user_name, role) VALUES (1, 'admin', 'Administrator');
                     INSERT INTO resources (id, name, owner_id, password_policy) VALUES (2, 'r', 1, 'Strong');
                     INSERT INTO accounts (id, resource_id, name, password, password_policy)
                         VALUES (3, 2, 'a', 'p', 'Strong');",
                )
            })
            .unwrap();
        store
    }

    fn last_accessed_and_rows(store: &Store) -> (Option<i64>, i64) {
        store
            .read(|c| {
                let at =
                    c.query_row("SELECT last_accessed FROM accounts WHERE id = 3", [], |r| {
                        r.get(0)
                    })?;
                let n = c.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?;
                Ok::<_, rusqlite::Error>((at, n))
            })
            .unwrap()
    }

    /// Rows of the interned subjects and texts.
    fn interned(store: &Store) -> (i64, i64) {
        store
            .read(|c| {
                c.query_row(
                    "SELECT (SELECT COUNT(*) FROM audit_subject), (SELECT COUNT(*) FROM audit_text)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .unwrap()
    }

    fn trail(store: &Store) -> Vec<(i64, String, String, String, String, String)> {
        store
            .read(|c| audit_trail(c, false))
            .unwrap()
            .into_iter()
            .map(|(at, a)| {
                (
                    at,
                    a.user_name,
                    a.status,
                    a.resource_name,
                    a.ticket_id,
                    a.reason,
                )
            })
            .collect()
    }

    #[test]
    fn records_intern_their_strings_and_read_back_in_full() {
        let store = seeded();
        let mut note = AuditNote {
            resource: "r".into(),
            resource_id: 2,
            ..AuditNote::default()
        };
        for _ in 0..3 {
            store
                .read(|c| append_audit(c, &entry(&note), None))
                .unwrap();
        }
        assert_eq!(
            interned(&store),
            (1, 0),
            "one subject, no text for empty ones"
        );
        note.ticket = "T-1".into();
        let mut failed = entry(&note);
        failed.ok = false;
        failed.reason = "T-1";
        store.read(|c| append_audit(c, &failed, None)).unwrap();
        assert_eq!(
            interned(&store),
            (2, 1),
            "the ticket and the reason share a text"
        );
        // An interned subject with an interned ticket, then with a new one.
        store
            .read(|c| append_audit(c, &entry(&note), None))
            .unwrap();
        assert_eq!(interned(&store), (2, 1));
        note.ticket = "T-2".into();
        store
            .read(|c| append_audit(c, &entry(&note), Some((3, 5))))
            .unwrap();
        assert_eq!(interned(&store), (2, 2));
        assert_eq!(last_accessed_and_rows(&store), (Some(5), 6));
        let s = |v: &str| v.to_owned();
        let ok = (1_000, s("admin"), s("Success"), s("r"), s(""), s(""));
        assert_eq!(
            trail(&store),
            [
                ok.clone(),
                ok.clone(),
                ok,
                (1_000, s("admin"), s("Failed"), s("r"), s("T-1"), s("T-1")),
                (1_000, s("admin"), s("Success"), s("r"), s("T-1"), s("")),
                (1_000, s("admin"), s("Success"), s("r"), s("T-2"), s("")),
            ]
        );
    }

    #[test]
    fn an_audit_record_and_the_retrieval_time_are_written_together_or_not_at_all() {
        let store = seeded();
        let note = AuditNote::default();
        store
            .read(|c| append_audit(c, &entry(&note), Some((3, 1_000))))
            .unwrap();
        assert_eq!(last_accessed_and_rows(&store), (Some(1_000), 1));

        // The insert fails after the update ran: both are undone, and the connection is
        // out of the transaction, so the next write works.
        store
            .read(|c| {
                c.execute_batch(
                    "CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'no'); END;",
                )
            })
            .unwrap();
        // A new subject and new texts: none of them is left behind either.
        let fresh = AuditNote {
            resource: "new".into(),
            ticket: "T-9".into(),
            ..AuditNote::default()
        };
        let mut e = entry(&fresh);
        e.reason = "a new reason";
        let before = interned(&store);
        let failed = store.read(|c| append_audit(c, &e, Some((3, 2_000))));
        assert!(failed.is_err());
        assert_eq!(interned(&store), before);
        // The same for a record whose subject is interned (the short path).
        let failed = store.read(|c| append_audit(c, &entry(&note), Some((3, 2_500))));
        assert!(failed.is_err());
        assert!(store
            .read(|c| Ok::<_, rusqlite::Error>(c.is_autocommit()))
            .unwrap());
        assert_eq!(last_accessed_and_rows(&store), (Some(1_000), 1));

        store
            .read(|c| c.execute_batch("DROP TRIGGER refuse"))
            .unwrap();
        store
            .read(|c| append_audit(c, &entry(&note), Some((3, 3_000))))
            .unwrap();
        assert_eq!(last_accessed_and_rows(&store), (Some(3_000), 2));
    }
}
