//! What the Digest front door, the key pages and the org and project lookups keep between
//! requests, and how they know it is still true.
//!
//! Every write to the store moves SQLite's count of changed rows
//! (`sqlite3_total_changes`, which counts every row an `INSERT`, `UPDATE` or `DELETE`
//! changed, trigger programs included, even when the transaction is later rolled back). The
//! access-list usage stamp that every Digest-authenticated request writes moves it too, so
//! [`Changes`] counts the rows those stamps changed and the *generation* is the difference:
//! it moves with every other write (the API's, `PUT /_standin/state`, reset, snapshot
//! restore, tenants' own stores are their own), and with nothing else. Both numbers are
//! read and moved with the store's connection locked, so they agree.
//!
//! The caches hold copies only: the store stays the one place an acknowledged write lives.
//! Each is bounded by bytes and emptied when the generation moves.

use crate::auth::Principal;
use crate::model::Role;
use crate::store::{OrgRow, ProjectRow};
use actix_web::web::Bytes;
use auth_core::memo::Memo;
use ipnet::IpNet;
use rusqlite::Connection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The rows the usage stamps changed, to tell them from every other write.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    usage_rows: AtomicU64,
}

impl Changes {
    /// The count of rows changed by anything but usage stamps (call with the connection
    /// locked, as every store function is).
    pub(crate) fn generation(&self, conn: &Connection) -> u64 {
        conn.total_changes()
            .wrapping_sub(self.usage_rows.load(Ordering::Relaxed))
    }

    /// A usage stamp changed `rows` rows (with the connection still locked).
    pub(crate) fn usage_written(&self, rows: usize) {
        self.usage_rows
            .fetch_add(u64::try_from(rows).unwrap_or(0), Ordering::Relaxed);
    }
}

/// Bytes the principals of one instance may take.
pub const MAX_PRINCIPAL_BYTES: usize = 256 << 10;
/// Bytes the rendered key pages of one instance may take.
pub const MAX_PAGE_BYTES: usize = 1 << 20;
/// Bytes the org rows of one instance may take, and the project rows.
pub const MAX_ROW_BYTES: usize = 256 << 10;

/// A Digest username's `HA1`, principal, access list and roles, as the store had them.
#[derive(Debug)]
pub(crate) struct Known {
    /// `MD5(username:realm:secret)` in hex ([`auth_core::digest::ha1_hex`]), the secret being
    /// the private key or personal API key.
    pub ha1: [u8; 32],
    /// The key or user.
    pub principal: Principal,
    /// Its id (the `holder` of its roles and access list).
    pub holder: String,
    /// Its access list (a global key's: the global API access list), in order, parsed:
    /// each entry's `seq` in `access_entry` (the row a matching request stamps; `None` for
    /// the global list, which keeps no usage) and its block (`None` if it does not parse).
    pub access: Vec<(Option<i64>, Option<IpNet>)>,
    /// Its roles, as [`crate::store::caller_roles_of`] reads them.
    pub roles: Vec<Role>,
}

impl Known {
    fn bytes(&self) -> usize {
        let principal = match &self.principal {
            Principal::Key(k) | Principal::GlobalKey(k) => {
                k.id.len()
                    + k.org_id.len()
                    + k.desc.len()
                    + k.public_key.len()
                    + k.private_key.len()
            }
            Principal::User(u) => u.id.len() + u.api_key.len(),
        };
        let access: usize = self
            .access
            .iter()
            .len()
            .saturating_mul(std::mem::size_of::<(Option<i64>, Option<IpNet>)>());
        let roles: usize = self
            .roles
            .iter()
            .map(|r| {
                std::mem::size_of::<Role>()
                    + r.name.len()
                    + r.org_id.as_ref().map_or(0, String::len)
                    + r.group_id.as_ref().map_or(0, String::len)
            })
            .sum();
        std::mem::size_of::<Self>() + self.holder.len() + principal + access + roles
    }
}

/// Known Digest usernames of one instance, for one generation.
#[derive(Debug)]
pub(crate) struct Principals {
    held: Memo<Arc<Known>>,
}

impl Default for Principals {
    fn default() -> Self {
        Principals {
            held: Memo::new(MAX_PRINCIPAL_BYTES),
        }
    }
}

impl Principals {
    /// The copy of `username` made at `generation`, if any.
    pub(crate) fn get(&self, generation: u64, username: &str) -> Option<Arc<Known>> {
        self.held.get_at(generation, username)
    }

    /// Keep `known` for `username`, read at `generation`.
    pub(crate) fn put(&self, generation: u64, username: &str, known: Arc<Known>) {
        let bytes = known.bytes() + username.len();
        self.held
            .put_at(generation, username.to_owned(), known, bytes);
    }

    /// Forget everything (the state was replaced).
    pub(crate) fn clear(&self) {
        self.held.clear();
    }
}

/// Rendered key pages of one instance (the whole body, as sent), for one generation.
#[derive(Debug)]
pub(crate) struct Pages {
    held: Memo<Bytes>,
}

impl Default for Pages {
    fn default() -> Self {
        Pages {
            held: Memo::new(MAX_PAGE_BYTES),
        }
    }
}

impl Pages {
    /// The body rendered for `key` at `generation`, if any.
    pub(crate) fn get(&self, generation: u64, key: &str) -> Option<Bytes> {
        self.held.get_at(generation, key)
    }

    /// Keep `body` for `key`, rendered from what the store held at `generation`.
    pub(crate) fn put(&self, generation: u64, key: String, body: Bytes) {
        let bytes = body.len() + std::mem::size_of::<Bytes>() + key.len();
        self.held.put_at(generation, key, body, bytes);
    }

    /// Forget everything (the state was replaced).
    pub(crate) fn clear(&self) {
        self.held.clear();
    }
}

/// Orgs and projects by id, as the store had them, for one generation: what every handler
/// under `/orgs/{ORG-ID}` or `/groups/{GROUP-ID}` reads first.
#[derive(Debug)]
pub(crate) struct Rows {
    orgs: Memo<OrgRow>,
    projects: Memo<ProjectRow>,
}

impl Default for Rows {
    fn default() -> Self {
        Rows {
            orgs: Memo::new(MAX_ROW_BYTES),
            projects: Memo::new(MAX_ROW_BYTES),
        }
    }
}

impl Rows {
    /// The copy of org `id` made at `generation`, if any.
    pub(crate) fn org(&self, generation: u64, id: &str) -> Option<OrgRow> {
        self.orgs.get_at(generation, id)
    }

    /// Keep `org`, read at `generation`.
    pub(crate) fn put_org(&self, generation: u64, org: &OrgRow) {
        let bytes = std::mem::size_of::<OrgRow>() + 2 * org.id.len() + org.name.len();
        self.orgs
            .put_at(generation, org.id.clone(), org.clone(), bytes);
    }

    /// The copy of project `id` made at `generation`, if any.
    pub(crate) fn project(&self, generation: u64, id: &str) -> Option<ProjectRow> {
        self.projects.get_at(generation, id)
    }

    /// Keep `project`, read at `generation`.
    pub(crate) fn put_project(&self, generation: u64, project: &ProjectRow) {
        let tags: usize = project
            .tags
            .iter()
            .map(|t| std::mem::size_of::<String>() + t.len())
            .sum();
        let bytes = std::mem::size_of::<ProjectRow>()
            + 2 * project.id.len()
            + project.org_id.len()
            + project.name.len()
            + project.agent_api_key.len()
            + project.created.len()
            + tags;
        self.projects
            .put_at(generation, project.id.clone(), project.clone(), bytes);
    }

    /// Forget everything (the state was replaced).
    pub(crate) fn clear(&self) {
        self.orgs.clear();
        self.projects.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generation_moves_with_every_write_but_the_usage_stamps() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER); CREATE TABLE u (b INTEGER);")
            .unwrap();
        let changes = Changes::default();
        let start = changes.generation(&conn);
        let rows = conn.execute("INSERT INTO u (b) VALUES (1)", []).unwrap();
        changes.usage_written(rows);
        assert_eq!(changes.generation(&conn), start);
        conn.execute("INSERT INTO t (a) VALUES (1)", []).unwrap();
        let after_insert = changes.generation(&conn);
        assert!(after_insert > start);
        // A rolled-back write still moves it (a copy is dropped that need not be: safe).
        conn.execute_batch("BEGIN; UPDATE t SET a = 2; ROLLBACK;")
            .unwrap();
        assert!(changes.generation(&conn) > after_insert);
        let before_delete = changes.generation(&conn);
        conn.execute("DELETE FROM t", []).unwrap();
        assert!(changes.generation(&conn) > before_delete);
    }
}
