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

mod dump;
mod load;
mod pki;

pub use dump::dump;
pub use load::{load, load_json};

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
