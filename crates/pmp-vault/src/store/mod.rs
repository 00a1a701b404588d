//! The only place with SQL besides the state document's load and dump ([`crate::state`]):
//! typed reads over a `&Connection` and writes over the caller's `&Transaction` (each API
//! write is one transaction, opened by [`crate::auth::ApiUser::write`]). The schema is
//! `schema.sql`.

/// SQL condition: the caller (`?1` id, `?2` sees-all) can see resource `r`.
macro_rules! resource_visible {
    () => {
        "(?2 OR r.owner_id = ?1 OR EXISTS (SELECT 1 FROM shares s WHERE s.resource_id = r.id AND s.user_id = ?1))"
    };
}

/// SQL condition: the caller can see account `a` of resource `r`.
macro_rules! account_visible {
    () => {
        "(?2 OR r.owner_id = ?1 OR EXISTS (SELECT 1 FROM shares s WHERE s.resource_id = r.id AND s.user_id = ?1 AND (s.account_id IS NULL OR s.account_id = a.id)))"
    };
}

/// The columns [`resource_row`] reads (a macro so queries stay string literals).
macro_rules! resource_columns {
    () => {
        "r.id, r.name, r.description, r.type, r.dns_name, r.domain_name,
    r.department, r.location, r.url, r.owner_id, u.user_name, r.password_policy, r.group_name,
    r.unreachable, r.reason_mandatory, r.custom_fields"
    };
}

/// The columns [`account_row`] reads (a macro so queries stay string literals).
macro_rules! account_columns {
    () => {
        "a.id, a.resource_id, a.name, a.password, a.notes, a.password_policy,
    a.reason_required, a.ticket_required, a.access_control, a.checkout_minutes, a.favourite,
    a.custom_fields, a.last_accessed, a.last_modified, a.file_name"
    };
}

mod access;
mod accounts;
mod audit;
mod pki;
mod resources;
mod users;
mod workflow;

pub use access::*;
pub use accounts::*;
pub use audit::*;
pub use pki::*;
pub use resources::*;
pub use users::*;
pub use workflow::*;
