//! Loading the state document: validate it and write it, section by section.

use super::*;
use auth_core::ForEach;
use rusqlite::OptionalExtension;
use serde::Deserializer as _;
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
/// The resources (with their accounts, the bulk of a large document) are written as they are
/// read, one at a time, when the sections they refer to (policies, users, resource groups)
/// came before them, as in the documents `GET /_standin/state` writes: no list of every
/// resource is held. Otherwise they are read into a list and written with the rest. Either
/// way the answer is [`load`]'s: a validation failure is kept until the whole text has
/// deserialised (a text that does not is still `Ok(false)`), and the sections are checked
/// in [`write`]'s order, so the first failure named is the same.
///
/// # Errors
/// [`StateError::Invalid`] naming the first bad field.
pub fn load_json(tx: &Transaction<'_>, json: &[u8]) -> Result<bool, StateError> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let mut reader = Reader::new(tx);
    if de.deserialize_map(&mut reader).is_err() || de.end().is_err() {
        return Ok(false);
    }
    match reader.finish() {
        Finish::NotTyped => Ok(false),
        Finish::Done(done) => done.map(|()| true),
    }
}

/// The top-level keys of [`State`] (its serde names).
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Policies,
    Users,
    ResourceGroups,
    Resources,
    Shares,
    Tickets,
    Requests,
    Audit,
    Certificates,
    SshKeys,
}

/// The sections the resources refer to, written when the resources began.
struct Before {
    policies: Policies,
    users: Users,
    groups: HashSet<String>,
}

/// [`load_json`]'s visitor of the top-level object: every section but the resources is read
/// whole (they are small); the resources are streamed when they can be.
struct Reader<'a, 'c> {
    tx: &'a Transaction<'c>,
    policies: Option<Vec<PolicyDoc>>,
    users: Option<Vec<UserDoc>>,
    groups: Option<Vec<String>>,
    /// The resources, when they were read into a list.
    resources: Option<Vec<ResourceDoc>>,
    /// The resources were streamed: what they refer to (`None` when that failed) and what
    /// was written of them.
    streamed: Option<(Option<Before>, VaultLoader)>,
    shares: Option<Vec<ShareDoc>>,
    tickets: Option<Vec<String>>,
    requests: Option<Vec<RequestDoc>>,
    audit: Option<Vec<AuditDoc>>,
    certificates: Option<Vec<CertificateDoc>>,
    ssh_keys: Option<Vec<SshKeyDoc>>,
    /// The first failure while streaming, answered once the whole text has deserialised.
    failed: Option<StateError>,
}

/// How [`Reader::finish`] ends.
enum Finish {
    /// The text is not a [`State`] (a required section missing): the caller reads it again.
    NotTyped,
    /// Written, or the first failure.
    Done(Result<(), StateError>),
}

impl<'a, 'c> Reader<'a, 'c> {
    fn new(tx: &'a Transaction<'c>) -> Self {
        Reader {
            tx,
            policies: None,
            users: None,
            groups: None,
            resources: None,
            streamed: None,
            shares: None,
            tickets: None,
            requests: None,
            audit: None,
            certificates: None,
            ssh_keys: None,
            failed: None,
        }
    }

    /// Write the sections the resources refer to, as [`write`] does first.
    fn before(&mut self) -> Option<Before> {
        let (Some(policies), Some(users), Some(groups)) =
            (&self.policies, &self.users, &self.groups)
        else {
            return None;
        };
        let tx = self.tx;
        let written = (|| {
            let policies = load_policies(tx, policies)?;
            let users = load_users(tx, users)?;
            let groups = load_groups(tx, groups)?;
            Ok(Before {
                policies,
                users,
                groups,
            })
        })();
        match written {
            Ok(before) => Some(before),
            Err(err) => {
                self.failed = Some(err);
                None
            }
        }
    }

    fn finish(self) -> Finish {
        let Some(users) = self.users else {
            return Finish::NotTyped;
        };
        let tx = self.tx;
        let shares = self.shares.unwrap_or_default();
        let tickets = self.tickets.unwrap_or_default();
        let requests = self.requests.unwrap_or_default();
        let audit = self.audit.unwrap_or_default();
        let certificates = self.certificates.unwrap_or_default();
        let ssh_keys = self.ssh_keys.unwrap_or_default();
        let Some((before, vault)) = self.streamed else {
            let state = State {
                policies: self.policies.unwrap_or_default(),
                users,
                resource_groups: self.groups.unwrap_or_default(),
                resources: self.resources.unwrap_or_default(),
                shares,
                tickets,
                requests,
                audit,
                certificates,
                ssh_keys,
            };
            return Finish::Done(write(tx, &state));
        };
        if let Some(err) = self.failed {
            return Finish::Done(Err(err));
        }
        let Some(before) = before else {
            // Not reached: without the sections before, a failure was kept.
            return Finish::NotTyped;
        };
        let vault = vault.finish();
        // The rest of [`write`], in its order.
        Finish::Done((|| {
            load_shares(tx, &shares, &vault, &before.users)?;
            load_tickets(tx, &tickets)?;
            load_requests(tx, &requests, &before.users)?;
            load_audit(tx, &audit)?;
            pki::load_certificates(tx, &certificates)?;
            pki::load_ssh_keys(tx, &ssh_keys)?;
            Ok(())
        })())
    }
}

/// Read a section that may appear once.
fn once<'de, A, T>(map: &mut A, slot: &mut Option<T>, name: &'static str) -> Result<(), A::Error>
where
    A: serde::de::MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(serde::de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

impl<'de> serde::de::Visitor<'de> for &mut Reader<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("struct State")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Policies => once(&mut map, &mut self.policies, "policies")?,
                Field::Users => once(&mut map, &mut self.users, "users")?,
                Field::ResourceGroups => once(&mut map, &mut self.groups, "resourceGroups")?,
                Field::Resources => {
                    if self.resources.is_some() || self.streamed.is_some() {
                        return Err(serde::de::Error::duplicate_field("resources"));
                    }
                    let ready =
                        self.policies.is_some() && self.users.is_some() && self.groups.is_some();
                    if ready {
                        let before = self.before();
                        self.streamed = Some((before, VaultLoader::default()));
                        // Each resource written as it is read, until one fails (the rest are
                        // still read, to know the text deserialises).
                        let reader = &mut *self;
                        let tx = reader.tx;
                        let mut i = 0;
                        map.next_value_seed(ForEach::new(|r: ResourceDoc| {
                            if reader.failed.is_none() {
                                if let Some((Some(before), vault)) = &mut reader.streamed {
                                    let (p, u, g) =
                                        (&before.policies, &before.users, &before.groups);
                                    if let Err(err) = vault.add(tx, i, &r, p, u, g) {
                                        reader.failed = Some(err);
                                    }
                                }
                            }
                            i += 1;
                            true
                        }))?;
                    } else {
                        self.resources = Some(map.next_value()?);
                    }
                }
                Field::Shares => once(&mut map, &mut self.shares, "shares")?,
                Field::Tickets => once(&mut map, &mut self.tickets, "tickets")?,
                Field::Requests => once(&mut map, &mut self.requests, "requests")?,
                Field::Audit => once(&mut map, &mut self.audit, "audit")?,
                Field::Certificates => once(&mut map, &mut self.certificates, "certificates")?,
                Field::SshKeys => once(&mut map, &mut self.ssh_keys, "sshKeys")?,
            }
        }
        Ok(())
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
    load_requests(tx, &state.requests, &users)?;
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

/// The resources loaded. The accounts loaded are the `accounts` table's rows (it was
/// emptied before the load): their resources are looked up there (shares and requests are
/// few), not kept in a map of every account.
struct Vault {
    resource_ids: HashSet<i64>,
}

/// The resource of loaded account `id`.
fn account_resource(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached("SELECT resource_id FROM accounts WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
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
    let mut loader = VaultLoader::default();
    for (i, r) in docs.iter().enumerate() {
        loader.add(tx, i, r, policies, users, groups)?;
    }
    Ok(loader.finish())
}

/// The resources section, one resource at a time (in the document's order, `i` its index).
#[derive(Default)]
struct VaultLoader {
    resource_ids: HashSet<i64>,
    resource_names: HashSet<String>,
    /// The largest account id loaded so far: a larger one is new without a lookup.
    max_account_id: Option<i64>,
}

impl VaultLoader {
    fn add(
        &mut self,
        tx: &Transaction<'_>,
        i: usize,
        r: &ResourceDoc,
        policies: &Policies,
        users: &Users,
        groups: &HashSet<String>,
    ) -> Result<(), StateError> {
        let at = |f: &str| format!("resources[{i}].{f}");
        if !self.resource_ids.insert(r.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if r.name.trim().is_empty() || !self.resource_names.insert(r.name.to_lowercase()) {
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
        load_accounts(tx, i, r, policies, &mut self.max_account_id)
    }

    fn finish(self) -> Vault {
        Vault {
            resource_ids: self.resource_ids,
        }
    }
}

/// The accounts of resource `r` (the `i`th). An id is a duplicate when an account of it was
/// loaded already: the `accounts` table holds exactly those, and an id above the largest so
/// far (documents list them in order) needs no lookup.
fn load_accounts(
    tx: &Transaction<'_>,
    i: usize,
    r: &ResourceDoc,
    policies: &Policies,
    max_account_id: &mut Option<i64>,
) -> Result<(), StateError> {
    let mut account_names = HashSet::new();
    let mut insert = tx.prepare_cached(
        "INSERT INTO accounts (id, resource_id, name, password, notes, password_policy,
           reason_required, ticket_required, access_control, checkout_minutes, favourite,
           custom_fields, last_accessed, last_modified, file_name, file_data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    for (j, a) in r.accounts.iter().enumerate() {
        let at = |f: &str| format!("resources[{i}].accounts[{j}].{f}");
        let loaded = match *max_account_id {
            Some(max) if a.id <= max => account_resource(tx, a.id)?.is_some(),
            _ => false,
        };
        if loaded {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        *max_account_id = Some(max_account_id.map_or(a.id, |max| max.max(a.id)));
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
        insert.execute(params![
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
            if account_resource(tx, aid)? != Some(s.resource_id) {
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
    users: &Users,
) -> Result<(), StateError> {
    let mut request_ids = HashSet::new();
    for (i, q) in docs.iter().enumerate() {
        let at = |f: &str| format!("requests[{i}].{f}");
        if !request_ids.insert(q.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if account_resource(tx, q.account_id)?.is_none() {
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
        crate::store::load_audit_record(tx, time_ms(&at("at"), &a.at)?, a)?;
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
