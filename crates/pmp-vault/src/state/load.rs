//! Loading the state document: validate it and write it, section by section.

use super::*;
use std::collections::{HashMap, HashSet};

/// Validate `doc` and write it into the (empty) store, section by section; each section
/// checks its references to the ones before it.
///
/// # Errors
/// [`StateError::Invalid`] naming the first bad field.
pub fn load(tx: &Transaction<'_>, doc: &Value) -> Result<(), StateError> {
    // The plain deserializer first (no path tracking: a third of the cost at 10^5 records);
    // only a bad document is read again to name the failing field.
    let state = match State::deserialize(doc) {
        Ok(state) => state,
        Err(_) => parse_state::<State>(doc)?,
    };
    write(tx, &state)
}

/// [`load`] from the document's JSON text, straight into typed records (no `Value` of the
/// whole document); `Ok(false)` when it does not deserialise, so the caller reads it through
/// [`load`] for the message naming the field.
///
/// # Errors
/// [`StateError::Invalid`] naming the first bad field.
pub fn load_json(tx: &Transaction<'_>, json: &[u8]) -> Result<bool, StateError> {
    match auth_core::read_state::<State>(json) {
        Some(state) => write(tx, &state).map(|()| true),
        None => Ok(false),
    }
}

/// Validate a typed document and write it, section by section.
fn write(tx: &Transaction<'_>, state: &State) -> Result<(), StateError> {
    let policies = load_policies(tx, &state.policies)?;
    let users = load_users(tx, &state.users)?;
    let groups = load_groups(tx, &state.resource_groups)?;
    let vault = load_resources(tx, &state.resources, &policies, &users, &groups)?;
    load_shares(tx, &state.shares, &vault, &users)?;
    load_tickets(tx, &state.tickets)?;
    load_requests(tx, &state.requests, &vault, &users)?;
    load_audit(tx, &state.audit)?;
    pki::load_certificates(tx, &state.certificates)?;
    pki::load_ssh_keys(tx, &state.ssh_keys)?;
    Ok(())
}

/// The policy names loaded, lower case. Names are few and repeat across 10^5 accounts, so
/// the last one found is remembered (same text, same answer).
struct Policies {
    names: HashSet<String>,
    last: std::cell::RefCell<String>,
}

impl Policies {
    fn known(&self, name: &str) -> bool {
        if *self.last.borrow() == name {
            return true;
        }
        let known = self.names.contains(&name.to_lowercase());
        if known {
            name.clone_into(&mut self.last.borrow_mut());
        }
        known
    }
}

/// The users loaded: their ids, and ASCII-folded user name -> id (SQLite's `COLLATE NOCASE`)
/// for resource owners.
struct Users {
    ids: HashSet<i64>,
    owners: HashMap<String, i64>,
}

/// The resources loaded, and account id -> its resource id.
struct Vault {
    resource_ids: HashSet<i64>,
    account_resource: HashMap<i64, i64>,
}

fn load_policies(tx: &Transaction<'_>, docs: &[PolicyDoc]) -> Result<Policies, StateError> {
    let mut names = HashSet::new();
    for (i, p) in docs.iter().enumerate() {
        if !names.insert(p.name.to_lowercase()) {
            return Err(StateError::invalid(
                format!("policies[{i}].name"),
                "duplicate",
            ));
        }
        if p.min_length > p.max_length {
            return Err(StateError::invalid(
                format!("policies[{i}].minLength"),
                "greater than maxLength",
            ));
        }
        tx.prepare_cached("INSERT INTO policies (name, min_length, max_length, uppercase, lowercase, digits, special)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(params![p.name, p.min_length, p.max_length, b(p.uppercase), b(p.lowercase), b(p.digits), b(p.special)],
        )?;
        if p.max_age_days > 0 {
            tx.prepare_cached("INSERT INTO policy_ages (name, max_age_days) VALUES (?1, ?2)")?
                .execute(params![p.name, p.max_age_days])?;
        }
    }
    Ok(Policies {
        names,
        last: std::cell::RefCell::new(String::new()),
    })
}

fn load_users(tx: &Transaction<'_>, docs: &[UserDoc]) -> Result<Users, StateError> {
    let mut user_ids = HashSet::new();
    let mut user_names = HashSet::new();
    // ASCII-folded user name -> id (SQLite's `COLLATE NOCASE`), for resource owners.
    let mut owners = std::collections::HashMap::new();
    let mut tokens = HashSet::new();
    for (i, u) in docs.iter().enumerate() {
        let at = |f: &str| format!("users[{i}].{f}");
        if !user_ids.insert(u.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if u.user_name.trim().is_empty() || !user_names.insert(u.user_name.to_lowercase()) {
            return Err(StateError::invalid(at("userName"), "empty or duplicate"));
        }
        if let Some(token) = &u.auth_token {
            if token.is_empty() || !tokens.insert(token.clone()) {
                return Err(StateError::invalid(at("authToken"), "empty or duplicate"));
            }
        }
        if let Some(date) = &u.expiry_date {
            if !is_date(date) {
                return Err(StateError::invalid(
                    at("expiryDate"),
                    "not a yyyy-mm-dd date",
                ));
            }
        }
        if u.api_user && u.host_name.as_deref().is_none_or(str::is_empty) {
            return Err(StateError::invalid(
                at("hostName"),
                "an API user needs a host",
            ));
        }
        tx.prepare_cached("INSERT INTO users (id, user_name, first_name, last_name, full_name, email, department,
               location, role, super_admin, api_user, host_name, auth_token, expiry_date, locked, password)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)")?.execute(params![
                u.id, u.user_name, u.first_name, u.last_name, u.full_name, u.email, u.department,
                u.location, u.role.as_str(), b(u.super_admin), b(u.api_user), u.host_name,
                u.auth_token, u.expiry_date, b(u.locked), u.password
            ],
        )?;
        owners.insert(u.user_name.to_ascii_lowercase(), u.id);
    }
    Ok(Users {
        ids: user_ids,
        owners,
    })
}

fn load_groups(tx: &Transaction<'_>, docs: &[String]) -> Result<HashSet<String>, StateError> {
    let mut groups = HashSet::new();
    for (i, g) in docs.iter().enumerate() {
        if g.trim().is_empty() || !groups.insert(g.to_lowercase()) {
            return Err(StateError::invalid(
                format!("resourceGroups[{i}]"),
                "empty or duplicate",
            ));
        }
        tx.prepare_cached("INSERT INTO resource_groups (name) VALUES (?1)")?
            .execute([g])?;
    }
    Ok(groups)
}

fn load_resources(
    tx: &Transaction<'_>,
    docs: &[ResourceDoc],
    policies: &Policies,
    users: &Users,
    groups: &HashSet<String>,
) -> Result<Vault, StateError> {
    let mut resource_ids = HashSet::new();
    let mut resource_names = HashSet::new();
    // Account id -> its resource id (also the duplicate-id check).
    let mut account_resource = std::collections::HashMap::new();
    for (i, r) in docs.iter().enumerate() {
        let at = |f: &str| format!("resources[{i}].{f}");
        if !resource_ids.insert(r.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if r.name.trim().is_empty() || !resource_names.insert(r.name.to_lowercase()) {
            return Err(StateError::invalid(at("name"), "empty or duplicate"));
        }
        let owner: Option<i64> = users.owners.get(&r.owner.to_ascii_lowercase()).copied();
        let Some(owner) = owner else {
            return Err(StateError::invalid(at("owner"), "no such user"));
        };
        if !policies.known(&r.password_policy) {
            return Err(StateError::invalid(at("passwordPolicy"), "no such policy"));
        }
        if let Some(g) = &r.group {
            if !groups.contains(&g.to_lowercase()) {
                return Err(StateError::invalid(at("group"), "not in resourceGroups"));
            }
        }
        if r.custom_fields.len() > MAX_CUSTOM_FIELDS {
            return Err(StateError::invalid(at("customFields"), "more than 20"));
        }
        if !r.custom_fields.is_empty() {
            check_field_files(&r.custom_fields, &at("customFields"))?;
        }
        tx.prepare_cached("INSERT INTO resources (id, name, description, type, dns_name, domain_name, department,
               location, url, owner_id, password_policy, group_name, unreachable, reason_mandatory, custom_fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)")?.execute(params![
                r.id, r.name, r.description, r.r#type, r.dns_name, r.domain_name, r.department,
                r.location, r.url, owner, r.password_policy, r.group, b(r.unreachable),
                b(r.reason_mandatory), fields_json(&r.custom_fields)
            ],
        )?;
        load_accounts(tx, i, r, policies, &mut account_resource)?;
    }
    Ok(Vault {
        resource_ids,
        account_resource,
    })
}

/// The accounts of resource `r` (the `i`th), recording each one's resource.
fn load_accounts(
    tx: &Transaction<'_>,
    i: usize,
    r: &ResourceDoc,
    policies: &Policies,
    account_resource: &mut HashMap<i64, i64>,
) -> Result<(), StateError> {
    let mut account_names = HashSet::new();
    for (j, a) in r.accounts.iter().enumerate() {
        let at = |f: &str| format!("resources[{i}].accounts[{j}].{f}");
        if account_resource.insert(a.id, r.id).is_some() {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if a.name.trim().is_empty() || !account_names.insert(a.name.to_lowercase()) {
            return Err(StateError::invalid(at("name"), "empty or duplicate"));
        }
        if !policies.known(&a.password_policy) {
            return Err(StateError::invalid(at("passwordPolicy"), "no such policy"));
        }
        if a.custom_fields.len() > MAX_CUSTOM_FIELDS {
            return Err(StateError::invalid(at("customFields"), "more than 20"));
        }
        if !a.custom_fields.is_empty() {
            check_field_files(&a.custom_fields, &at("customFields"))?;
        }
        if a.checkout_minutes <= 0 {
            return Err(StateError::invalid(
                at("checkoutMinutes"),
                "must be positive",
            ));
        }
        let last_accessed = match &a.last_accessed {
            Some(_) => opt_time_ms(&at("lastAccessed"), &a.last_accessed)?,
            None => None,
        };
        let last_modified = match &a.last_modified {
            Some(_) => opt_time_ms(&at("lastModified"), &a.last_modified)?,
            None => None,
        };
        let (file_name, file_data) = match &a.file {
            Some(f) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(&f.base64)
                    .map_err(|_| StateError::invalid(at("file.base64"), "not base64"))?;
                (Some(f.name.clone()), Some(bytes))
            }
            None => (None, None),
        };
        tx.prepare_cached(
            "INSERT INTO accounts (id, resource_id, name, password, notes, password_policy,
               reason_required, ticket_required, access_control, checkout_minutes, favourite,
               custom_fields, last_accessed, last_modified, file_name, file_data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?
        .execute(params![
            a.id,
            r.id,
            a.name,
            a.password,
            a.notes,
            a.password_policy,
            b(a.reason_required),
            b(a.ticket_required),
            b(a.access_control),
            a.checkout_minutes,
            b(a.favourite),
            fields_json(&a.custom_fields),
            last_accessed,
            last_modified,
            file_name,
            file_data
        ])?;
    }
    Ok(())
}

fn load_shares(
    tx: &Transaction<'_>,
    docs: &[ShareDoc],
    vault: &Vault,
    users: &Users,
) -> Result<(), StateError> {
    for (i, s) in docs.iter().enumerate() {
        let at = |f: &str| format!("shares[{i}].{f}");
        if !vault.resource_ids.contains(&s.resource_id) {
            return Err(StateError::invalid(at("resourceId"), "no such resource"));
        }
        if let Some(aid) = s.account_id {
            if vault.account_resource.get(&aid) != Some(&s.resource_id) {
                return Err(StateError::invalid(
                    at("accountId"),
                    "no such account in that resource",
                ));
            }
        }
        if !users.ids.contains(&s.user_id) {
            return Err(StateError::invalid(at("userId"), "no such user"));
        }
        tx.prepare_cached(
            "INSERT INTO shares (resource_id, account_id, user_id, access) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            s.resource_id,
            s.account_id,
            s.user_id,
            s.access.as_str()
        ])?;
    }
    Ok(())
}

fn load_tickets(tx: &Transaction<'_>, docs: &[String]) -> Result<(), StateError> {
    let mut tickets = HashSet::new();
    for (i, t) in docs.iter().enumerate() {
        if !tickets.insert(t.clone()) {
            return Err(StateError::invalid(format!("tickets[{i}]"), "duplicate"));
        }
        tx.prepare_cached("INSERT INTO tickets (id) VALUES (?1)")?
            .execute([t])?;
    }
    Ok(())
}

fn load_requests(
    tx: &Transaction<'_>,
    docs: &[RequestDoc],
    vault: &Vault,
    users: &Users,
) -> Result<(), StateError> {
    let mut request_ids = HashSet::new();
    for (i, q) in docs.iter().enumerate() {
        let at = |f: &str| format!("requests[{i}].{f}");
        if !request_ids.insert(q.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if !vault.account_resource.contains_key(&q.account_id) {
            return Err(StateError::invalid(at("accountId"), "no such account"));
        }
        if !users.ids.contains(&q.user_id) {
            return Err(StateError::invalid(at("userId"), "no such user"));
        }
        tx.prepare_cached("INSERT INTO requests (id, account_id, user_id, status, reason, requested_at, checked_out_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(params![
                q.id, q.account_id, q.user_id, q.status.as_str(), q.reason,
                time_ms(&at("requestedAt"), &q.requested_at)?,
                opt_time_ms(&at("checkedOutAt"), &q.checked_out_at)?,
                opt_time_ms(&at("expiresAt"), &q.expires_at)?
            ],
        )?;
        let start = opt_time_ms(&at("startTime"), &q.start_time)?;
        match (start, opt_time_ms(&at("endTime"), &q.end_time)?) {
            (None, None) => {}
            (Some(start), Some(end)) if start < end => {
                crate::store::set_request_window(tx, q.id, start, end)?;
            }
            _ => {
                return Err(StateError::invalid(
                    at("endTime"),
                    "startTime and endTime go together, endTime after startTime",
                ))
            }
        }
    }
    Ok(())
}

fn load_audit(tx: &Transaction<'_>, docs: &[AuditDoc]) -> Result<(), StateError> {
    let mut audit_ids = HashSet::new();
    for (i, a) in docs.iter().enumerate() {
        let at = |f: &str| format!("audit[{i}].{f}");
        if !audit_ids.insert(a.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        tx.prepare_cached(
            "INSERT INTO audit (id, at_ms, user_name, full_name, operation, status, resource_name,
               account_name, resource_id, account_id, ticket_id, reason, ip)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            a.id,
            time_ms(&at("at"), &a.at)?,
            a.user_name,
            a.full_name,
            a.operation,
            a.status,
            a.resource_name,
            a.account_name,
            a.resource_id,
            a.account_id,
            a.ticket_id,
            a.reason,
            a.ip
        ])?;
    }
    Ok(())
}

fn check_field_files(fields: &[CustomField], at: &str) -> Result<(), StateError> {
    for (k, f) in fields.iter().enumerate() {
        if let Some(data) = &f.base64 {
            if base64::engine::general_purpose::STANDARD
                .decode(data)
                .is_err()
            {
                return Err(StateError::invalid(
                    format!("{at}[{k}].base64"),
                    "not base64",
                ));
            }
        }
    }
    Ok(())
}
