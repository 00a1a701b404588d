//! What the front door and the password read keep between requests, and how they know it is
//! still true.
//!
//! Every write to the store moves SQLite's count of changed rows (`sqlite3_total_changes`,
//! which counts every row an `INSERT`, `UPDATE` or `DELETE` changed, trigger programs
//! included, even when the transaction is later rolled back). The audit record every API
//! request writes (with the read account's `last_accessed`) moves it too, so [`Changes`]
//! counts the rows those records changed, and the *generation* is the difference: it moves
//! with every other write (the API's, `PUT /_standin/state`, reset, snapshot restore; a
//! tenant has its own store and its own caches), and with nothing else. Both numbers are read
//! and moved with the store's connection locked, so they agree.
//!
//! What is kept here must not depend on the audit trail or on `last_accessed` (the rows the
//! generation leaves out): a token's user, a password read's resource and account (without
//! its access time), and the earliest expiry of a live checkout. Nothing kept depends on
//! the clock: the expiry dates and times are compared with the instance clock on each
//! request. The caches hold copies only: the store stays the one place an acknowledged write
//! lives. Each is bounded by bytes and emptied when the generation moves (and on reset).

use crate::store::{PasswordTarget, TokenUser};
use auth_core::memo::Memo;
use parking_lot::Mutex;
use rusqlite::Connection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Bytes the token users of one instance may take.
pub const MAX_TOKEN_BYTES: usize = 256 << 10;
/// Bytes the password-read targets of one instance may take.
pub const MAX_TARGET_BYTES: usize = 1 << 20;

/// The rows the audit records changed, to tell them from every other write.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    audit_rows: AtomicU64,
}

impl Changes {
    /// The count of rows changed by anything but audit records (call with the connection
    /// locked, as every store function is).
    pub(crate) fn generation(&self, conn: &Connection) -> u64 {
        conn.total_changes()
            .wrapping_sub(self.audit_rows.load(Ordering::Relaxed))
    }

    /// An audit record changed `rows` rows (with the connection still locked).
    pub(crate) fn audit_written(&self, rows: u64) {
        self.audit_rows.fetch_add(rows, Ordering::Relaxed);
    }
}

/// A password read's resource id and account id (`None`: it did not parse).
type TargetKey = (i64, Option<i64>);

/// The caches of one instance: auth-core's [`Memo`], counted by this instance's generation.
#[derive(Debug)]
pub(crate) struct Caches {
    /// The generation's clock.
    pub changes: Changes,
    tokens: Memo<Option<Arc<TokenUser>>>,
    targets: Memo<Option<Arc<PasswordTarget>>, TargetKey>,
    /// The earliest `expires_at` of a live checkout (`None`: there is none), per generation.
    next_expiry: Mutex<Option<(u64, Option<i64>)>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            changes: Changes::default(),
            tokens: Memo::new(MAX_TOKEN_BYTES),
            targets: Memo::new(MAX_TARGET_BYTES),
            next_expiry: Mutex::new(None),
        }
    }
}

impl Caches {
    /// The user of `token` as the store has it (`read` reads it on a miss); with `conn`
    /// locked.
    ///
    /// # Errors
    /// SQLite errors of `read`.
    pub fn token_user(
        &self,
        conn: &Connection,
        token: &str,
        read: impl FnOnce() -> rusqlite::Result<Option<TokenUser>>,
    ) -> rusqlite::Result<Option<Arc<TokenUser>>> {
        self.tokens.get_or_load_at(
            self.changes.generation(conn),
            token,
            |user| user.as_deref().map_or(0, token_user_bytes),
            || Ok(read()?.map(Arc::new)),
        )
    }

    /// The password read's resource `rid` and account `aid` as the store has them (`read`
    /// reads them on a miss); with `conn` locked.
    ///
    /// # Errors
    /// SQLite errors of `read`.
    pub fn password_target(
        &self,
        conn: &Connection,
        rid: i64,
        aid: Option<i64>,
        read: impl FnOnce() -> rusqlite::Result<Option<PasswordTarget>>,
    ) -> rusqlite::Result<Option<Arc<PasswordTarget>>> {
        self.targets.get_or_load_at(
            self.changes.generation(conn),
            &(rid, aid),
            |target| target.as_deref().map_or(0, target_bytes),
            || Ok(read()?.map(Arc::new)),
        )
    }

    /// The earliest expiry of a live checkout (`read` reads it on a miss); with `conn`
    /// locked.
    ///
    /// # Errors
    /// SQLite errors of `read`.
    pub fn next_expiry(
        &self,
        conn: &Connection,
        read: impl FnOnce() -> rusqlite::Result<Option<i64>>,
    ) -> rusqlite::Result<Option<i64>> {
        let generation = self.changes.generation(conn);
        let mut held = self.next_expiry.lock();
        if let Some((at, next)) = *held {
            if at == generation {
                return Ok(next);
            }
        }
        let next = read()?;
        *held = Some((generation, next));
        Ok(next)
    }

    /// Forget everything (a reset).
    pub fn clear(&self) {
        self.tokens.clear();
        self.targets.clear();
        *self.next_expiry.lock() = None;
    }
}

fn token_user_bytes(u: &TokenUser) -> usize {
    std::mem::size_of::<TokenUser>()
        + u.user_name.len()
        + u.full_name.len()
        + u.role.len()
        + u.host_name.as_ref().map_or(0, String::len)
        + u.token.len()
        + u.expiry.as_ref().map_or(0, String::len)
}

fn target_bytes(t: &PasswordTarget) -> usize {
    std::mem::size_of::<PasswordTarget>()
        + t.resource_name.len()
        + t.account.as_ref().map_or(0, |a| {
            std::mem::size_of_val(a) + a.name.len() + a.password.len()
        })
}
