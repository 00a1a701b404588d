//! The state document (fixtures, `PUT /_standin/state`): typed form, validation, load and dump.
//!
//! `load_state(dump_state())` reproduces the same state: every field the store holds is
//! dumped, secrets exactly as the fixture gave them.

use auth_core::store::StoreError;
use auth_core::{parse_state, StateError};
use base64::Engine as _;
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

mod pki;

pub use pki::{CertificateDoc, SshKeyDoc};

/// The whole vault.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct State {
    /// Password policies by name (`Strong`, `Medium`, `Low`, ...).
    #[serde(default)]
    pub policies: Vec<PolicyDoc>,
    /// Users; API users carry `authToken` and `hostName`.
    pub users: Vec<UserDoc>,
    /// Static resource groups.
    #[serde(default)]
    pub resource_groups: Vec<String>,
    /// Resources with their accounts.
    #[serde(default)]
    pub resources: Vec<ResourceDoc>,
    /// Resources or single accounts shared to users.
    #[serde(default)]
    pub shares: Vec<ShareDoc>,
    /// Open ticket ids the ticketing integration accepts as `TICKETID`.
    #[serde(default)]
    pub tickets: Vec<String>,
    /// Password access requests (approval workflow).
    #[serde(default)]
    pub requests: Vec<RequestDoc>,
    /// The audit trail.
    #[serde(default)]
    pub audit: Vec<AuditDoc>,
    /// SSL certificates of the PKI sub-API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateDoc>,
    /// SSH keys of the PKI sub-API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssh_keys: Vec<SshKeyDoc>,
}

/// A password policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyDoc {
    /// Name, e.g. `Strong`.
    pub name: String,
    /// Days after a password's last change when it expires (`EXPIRY STATUS` `Expired`); 0:
    /// never.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_age_days: u32,
    /// Minimum length.
    pub min_length: u32,
    /// Maximum length.
    pub max_length: u32,
    /// At least one uppercase letter.
    #[serde(default)]
    pub uppercase: bool,
    /// At least one lowercase letter.
    #[serde(default)]
    pub lowercase: bool,
    /// At least one digit.
    #[serde(default)]
    pub digits: bool,
    /// At least one special character.
    #[serde(default)]
    pub special: bool,
}

/// A PMP role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Full control, user management.
    Administrator,
    /// Manages passwords, approves requests.
    #[serde(rename = "Password Administrator")]
    PasswordAdministrator,
    /// Read-only, audit.
    #[serde(rename = "Password Auditor")]
    PasswordAuditor,
    /// Own and shared passwords only.
    #[serde(rename = "Password User")]
    PasswordUser,
}

impl Role {
    /// The role's display name, as PMP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::PasswordAdministrator => "Password Administrator",
            Role::PasswordAuditor => "Password Auditor",
            Role::PasswordUser => "Password User",
        }
    }

    /// Parse a role name (case-insensitive).
    pub fn parse(text: &str) -> Option<Role> {
        [
            Role::Administrator,
            Role::PasswordAdministrator,
            Role::PasswordAuditor,
            Role::PasswordUser,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// A user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserDoc {
    /// User id (`USERID`, `REQUESTER USERID`).
    pub id: i64,
    /// Login name (`DOMAIN\user` for AD users).
    pub user_name: String,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// Full name.
    #[serde(default)]
    pub full_name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Department.
    #[serde(default)]
    pub department: String,
    /// Location.
    #[serde(default)]
    pub location: String,
    /// Role.
    pub role: Role,
    /// Access scope "All Passwords in the System" (Administrator / Password Administrator).
    #[serde(default)]
    pub super_admin: bool,
    /// An API user (REST API enabled).
    #[serde(default)]
    pub api_user: bool,
    /// The one host an API user may call from (`localhost` matches loopback callers).
    #[serde(default)]
    pub host_name: Option<String>,
    /// The AUTHTOKEN (REST API key).
    #[serde(default)]
    pub auth_token: Option<String>,
    /// Last day the token is valid (`yyyy-mm-dd`, UTC); `None` never expires.
    #[serde(default)]
    pub expiry_date: Option<String>,
    /// Locked users are refused at once.
    #[serde(default)]
    pub locked: bool,
    /// Login password (not used by the REST API).
    #[serde(default)]
    pub password: Option<String>,
}

/// A custom (additional) field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomField {
    /// Label (`CUSTOMLABEL`).
    pub label: String,
    /// Value (`CUSTOMVALUE`).
    #[serde(default)]
    pub value: String,
    /// Type (`CUSTOMFIELDTYPE`), e.g. `Character`, `Password`, `File`.
    #[serde(default = "default_field_type")]
    pub r#type: String,
    /// The contents of a `File` field (standard base64; `value` is its file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
}

fn default_field_type() -> String {
    "Character".into()
}

/// A stored file (file resources, `downloadfile`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileDoc {
    /// File name.
    pub name: String,
    /// Contents, standard base64.
    pub base64: String,
}

/// A resource and its accounts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceDoc {
    /// Resource id.
    pub id: i64,
    /// Name (unique).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Type (`Windows`, `Linux`, `MS SQL server`, `File Store`, ...).
    #[serde(default)]
    pub r#type: String,
    /// DNS name.
    #[serde(default)]
    pub dns_name: String,
    /// Domain name.
    #[serde(default)]
    pub domain_name: String,
    /// Department.
    #[serde(default)]
    pub department: String,
    /// Location.
    #[serde(default)]
    pub location: String,
    /// URL.
    #[serde(default)]
    pub url: String,
    /// Owner's user name.
    pub owner: String,
    /// Resource password policy.
    #[serde(default = "default_policy")]
    pub password_policy: String,
    /// Static resource group.
    #[serde(default)]
    pub group: Option<String>,
    /// Remote password reset fails (the resource cannot be reached).
    #[serde(default)]
    pub unreachable: bool,
    /// A reason is mandatory for password requests on this resource.
    #[serde(default)]
    pub reason_mandatory: bool,
    /// Resource-level custom fields (at most 20).
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    /// Accounts.
    #[serde(default)]
    pub accounts: Vec<AccountDoc>,
}

fn default_policy() -> String {
    "Strong".into()
}

fn default_checkout_minutes() -> i64 {
    30
}

/// An account of a resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccountDoc {
    /// Account id (= `PASSWDID`).
    pub id: i64,
    /// Name (unique within the resource).
    pub name: String,
    /// The password.
    pub password: String,
    /// Notes (`DESCRIPTION`).
    #[serde(default)]
    pub notes: String,
    /// Account password policy.
    #[serde(default = "default_policy")]
    pub password_policy: String,
    /// A reason is required to retrieve the password.
    #[serde(default)]
    pub reason_required: bool,
    /// A valid ticket id is required to retrieve or change the password.
    #[serde(default)]
    pub ticket_required: bool,
    /// Password access control: request, approval, exclusive checkout.
    #[serde(default)]
    pub access_control: bool,
    /// Minutes an approved checkout lasts before it is checked in automatically.
    #[serde(default = "default_checkout_minutes")]
    pub checkout_minutes: i64,
    /// Marked as favourite.
    #[serde(default)]
    pub favourite: bool,
    /// Account-level custom fields (at most 20).
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    /// Last password retrieval (RFC 3339).
    #[serde(default)]
    pub last_accessed: Option<String>,
    /// Last password change (RFC 3339).
    #[serde(default)]
    pub last_modified: Option<String>,
    /// An attached file (file resources).
    #[serde(default)]
    pub file: Option<FileDoc>,
}

/// Sharing level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// Retrieve the password.
    View,
    /// Also change it and edit.
    Modify,
    /// Also delete and share.
    Fullaccess,
}

impl Access {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::View => "view",
            Access::Modify => "modify",
            Access::Fullaccess => "fullaccess",
        }
    }

    /// Parse a wire name (case-insensitive).
    pub fn parse(text: &str) -> Option<Access> {
        [Access::View, Access::Modify, Access::Fullaccess]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// A share of a resource (all its accounts) or of one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ShareDoc {
    /// The resource.
    pub resource_id: i64,
    /// One account of it; `None` shares the whole resource.
    #[serde(default)]
    pub account_id: Option<i64>,
    /// The user it is shared to.
    pub user_id: i64,
    /// Level.
    pub access: Access,
}

/// Workflow state of a password access request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for approval.
    Requested,
    /// Approved, not yet checked out.
    Approved,
    /// Rejected by an approver.
    Rejected,
    /// Checked out (exclusive until checked in or expired).
    CheckedOut,
    /// Checked in (finished).
    CheckedIn,
}

impl RequestStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Requested => "requested",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
            RequestStatus::CheckedOut => "checked_out",
            RequestStatus::CheckedIn => "checked_in",
        }
    }

    /// Parse a stored name.
    pub fn parse(text: &str) -> Option<RequestStatus> {
        [
            RequestStatus::Requested,
            RequestStatus::Approved,
            RequestStatus::Rejected,
            RequestStatus::CheckedOut,
            RequestStatus::CheckedIn,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A password access request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestDoc {
    /// Request id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// The requester.
    pub user_id: i64,
    /// State.
    pub status: RequestStatus,
    /// The requester's reason.
    #[serde(default)]
    pub reason: String,
    /// When it was raised (RFC 3339).
    pub requested_at: String,
    /// When it was checked out (RFC 3339).
    #[serde(default)]
    pub checked_out_at: Option<String>,
    /// When the checkout ends by itself (RFC 3339).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Start of a time-bound request's access window (RFC 3339; PAM360 `ACCESS` `later`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// End of that window (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// One audit record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuditDoc {
    /// Audit id.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub user_name: String,
    /// Their full name.
    #[serde(default)]
    pub full_name: String,
    /// Operation name (`GET PASSWORD`, ...).
    pub operation: String,
    /// `Success` or `Failed`.
    pub status: String,
    /// Resource name, if any.
    #[serde(default)]
    pub resource_name: String,
    /// Account name, if any.
    #[serde(default)]
    pub account_name: String,
    /// Resource id (0: none).
    #[serde(default)]
    pub resource_id: i64,
    /// Account id (0: none).
    #[serde(default)]
    pub account_id: i64,
    /// The TICKETID given, if any.
    #[serde(default)]
    pub ticket_id: String,
    /// Reason or failure message.
    #[serde(default)]
    pub reason: String,
    /// Caller's address.
    #[serde(default)]
    pub ip: String,
}

/// The most custom fields PMP keeps per resource and per account.
pub const MAX_CUSTOM_FIELDS: usize = 20;

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn b(v: bool) -> i64 {
    i64::from(v)
}

fn time_ms(field: &str, text: &str) -> Result<i64, StateError> {
    auth_core::clock::parse_rfc3339_ms(text)
        .ok_or_else(|| StateError::invalid(field, "not an RFC 3339 time"))
}

fn opt_time_ms(field: &str, text: &Option<String>) -> Result<Option<i64>, StateError> {
    text.as_deref().map(|t| time_ms(field, t)).transpose()
}

/// Whether `text` is a `yyyy-mm-dd` date.
pub fn is_date(text: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).is_ok()
}

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

/// Custom fields as stored (JSON text).
pub fn fields_json(fields: &[CustomField]) -> String {
    if fields.is_empty() {
        return "[]".into();
    }
    serde_json::to_string(fields).unwrap_or_else(|_| "[]".into())
}

/// Custom fields from their stored JSON text (bad text reads as none).
pub fn fields_from(text: &str) -> Vec<CustomField> {
    if text == "[]" {
        return Vec::new();
    }
    serde_json::from_str(text).unwrap_or_default()
}

fn opt_rfc(ms: Option<i64>) -> Option<String> {
    ms.map(auth_core::clock::rfc3339_ms)
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], f)?;
    Ok(rows.collect::<Result<Vec<T>, _>>()?)
}

/// The whole state in the fixture format.
///
/// # Errors
/// Store errors.
pub fn dump(conn: &Connection) -> Result<Value, StoreError> {
    let policies = collect(
        conn,
        "SELECT p.name, min_length, max_length, uppercase, lowercase, digits, special,
           COALESCE(g.max_age_days, 0) FROM policies p LEFT JOIN policy_ages g ON g.name = p.name
           ORDER BY p.rowid",
        |r| {
            Ok(PolicyDoc {
                name: r.get(0)?,
                min_length: r.get(1)?,
                max_length: r.get(2)?,
                uppercase: r.get(3)?,
                lowercase: r.get(4)?,
                digits: r.get(5)?,
                special: r.get(6)?,
                max_age_days: r.get(7)?,
            })
        },
    )?;
    let users = collect(
        conn,
        "SELECT id, user_name, first_name, last_name, full_name, email, department, location, role,
           super_admin, api_user, host_name, auth_token, expiry_date, locked, password FROM users ORDER BY id",
        |r| {
            let role: String = r.get(8)?;
            Ok(UserDoc {
                id: r.get(0)?,
                user_name: r.get(1)?,
                first_name: r.get(2)?,
                last_name: r.get(3)?,
                full_name: r.get(4)?,
                email: r.get(5)?,
                department: r.get(6)?,
                location: r.get(7)?,
                role: Role::parse(&role).unwrap_or(Role::PasswordUser),
                super_admin: r.get(9)?,
                api_user: r.get(10)?,
                host_name: r.get(11)?,
                auth_token: r.get(12)?,
                expiry_date: r.get(13)?,
                locked: r.get(14)?,
                password: r.get(15)?,
            })
        },
    )?;
    let resource_groups = collect(
        conn,
        "SELECT name FROM resource_groups ORDER BY rowid",
        |r| r.get(0),
    )?;
    let mut accounts = collect(
        conn,
        "SELECT id, resource_id, name, password, notes, password_policy, reason_required,
           ticket_required, access_control, checkout_minutes, favourite, custom_fields,
           last_accessed, last_modified, file_name, file_data FROM accounts ORDER BY id",
        |r| {
            let file_name: Option<String> = r.get(14)?;
            let file_data: Option<Vec<u8>> = r.get(15)?;
            let fields: String = r.get(11)?;
            Ok((
                r.get::<_, i64>(1)?,
                AccountDoc {
                    id: r.get(0)?,
                    name: r.get(2)?,
                    password: r.get(3)?,
                    notes: r.get(4)?,
                    password_policy: r.get(5)?,
                    reason_required: r.get(6)?,
                    ticket_required: r.get(7)?,
                    access_control: r.get(8)?,
                    checkout_minutes: r.get(9)?,
                    favourite: r.get(10)?,
                    custom_fields: fields_from(&fields),
                    last_accessed: opt_rfc(r.get(12)?),
                    last_modified: opt_rfc(r.get(13)?),
                    file: file_name.map(|name| FileDoc {
                        name,
                        base64: base64::engine::general_purpose::STANDARD
                            .encode(file_data.unwrap_or_default()),
                    }),
                },
            ))
        },
    )?;
    let mut resources = collect(
        conn,
        "SELECT r.id, r.name, r.description, r.type, r.dns_name, r.domain_name, r.department,
           r.location, r.url, u.user_name, r.password_policy, r.group_name, r.unreachable,
           r.reason_mandatory, r.custom_fields
         FROM resources r JOIN users u ON u.id = r.owner_id ORDER BY r.id",
        |r| {
            let fields: String = r.get(14)?;
            Ok(ResourceDoc {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                r#type: r.get(3)?,
                dns_name: r.get(4)?,
                domain_name: r.get(5)?,
                department: r.get(6)?,
                location: r.get(7)?,
                url: r.get(8)?,
                owner: r.get(9)?,
                password_policy: r.get(10)?,
                group: r.get(11)?,
                unreachable: r.get(12)?,
                reason_mandatory: r.get(13)?,
                custom_fields: fields_from(&fields),
                accounts: Vec::new(),
            })
        },
    )?;
    for res in &mut resources {
        let (mine, rest): (Vec<_>, Vec<_>) =
            accounts.into_iter().partition(|(rid, _)| *rid == res.id);
        res.accounts = mine.into_iter().map(|(_, a)| a).collect();
        accounts = rest;
    }
    let shares = collect(
        conn,
        "SELECT resource_id, account_id, user_id, access FROM shares ORDER BY id",
        |r| {
            let access: String = r.get(3)?;
            Ok(ShareDoc {
                resource_id: r.get(0)?,
                account_id: r.get(1)?,
                user_id: r.get(2)?,
                access: Access::parse(&access).unwrap_or(Access::View),
            })
        },
    )?;
    let tickets = collect(conn, "SELECT id FROM tickets ORDER BY rowid", |r| r.get(0))?;
    let requests = collect(
        conn,
        "SELECT id, account_id, user_id, status, reason, requested_at, checked_out_at, expires_at,
           w.start_at, w.end_at FROM requests LEFT JOIN request_windows w ON w.request_id = id
         ORDER BY id",
        |r| {
            let status: String = r.get(3)?;
            Ok(RequestDoc {
                id: r.get(0)?,
                account_id: r.get(1)?,
                user_id: r.get(2)?,
                status: RequestStatus::parse(&status).unwrap_or(RequestStatus::Rejected),
                reason: r.get(4)?,
                requested_at: auth_core::clock::rfc3339_ms(r.get(5)?),
                checked_out_at: opt_rfc(r.get(6)?),
                expires_at: opt_rfc(r.get(7)?),
                start_time: opt_rfc(r.get(8)?),
                end_time: opt_rfc(r.get(9)?),
            })
        },
    )?;
    let audit = collect(
        conn,
        "SELECT id, at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip FROM audit ORDER BY id",
        |r| {
            Ok(AuditDoc {
                id: r.get(0)?,
                at: auth_core::clock::rfc3339_ms(r.get(1)?),
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
            })
        },
    )?;
    let state = State {
        policies,
        users,
        resource_groups,
        resources,
        shares,
        tickets,
        requests,
        audit,
        certificates: pki::dump_certificates(conn)?,
        ssh_keys: pki::dump_ssh_keys(conn)?,
    };
    serde_json::to_value(state)
        .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_of_the_wrong_shape_names_the_field() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../schema.sql")).unwrap();
        let tx = conn.transaction().unwrap();
        let mut doc: Value =
            serde_json::from_str(include_str!("../../../../fixtures/pmp.json")).unwrap();
        doc["users"][1]["role"] = Value::from("Nobody");
        let err = load(&tx, &doc).unwrap_err();
        assert_eq!(err.field(), Some("users[1].role"));
    }
}
