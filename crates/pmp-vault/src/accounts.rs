//! Accounts of a resource, as the vendor's REST API help documents them ("RESTful API":
//! fetch accounts of a resource, account details, retrieve and change a password, add,
//! edit, delete and share accounts, download a file attached to an account).

use crate::auth::ApiUser;
use crate::error::{allow, PmpError, MSG_INVALID_INPUT};
use crate::input::custom_label;
use crate::request::{array, flag, nonblank, text};
use crate::rules;
use crate::state::{Access, CustomField, RequestStatus, Role, MAX_CUSTOM_FIELDS};
use crate::store::{self, Account, NewAccount, Owned, Resource};
use crate::wire::Reply;
use actix_web::http::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{web, HttpResponse};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

type Ids = web::Path<(String, String)>;

/// Message when a custom-field list grows beyond 20.
pub const MSG_TOO_MANY_FIELDS: &str =
    "Custom fields limit exceeded. Only 20 custom fields are allowed";

/// `GET /resources/{rid}/accounts` (`GET RESOURCE ACCOUNTLIST`).
pub async fn list_accounts(caller: ApiUser, rid: web::Path<String>) -> Result<Reply, PmpError> {
    let res = caller.visible_resource(&rid)?;
    let accounts = caller.read(|c| store::visible_accounts(c, &caller, res.id))?;
    let mut list = Vec::new();
    for acc in &accounts {
        list.push(account_entry(&caller, &res, acc)?);
    }
    let mut details = resource_details(&res);
    details.insert("ACCOUNT LIST".into(), Value::Array(list));
    Ok(
        Reply::message("Resource details with account list fetched successfully")
            .details(Value::Object(details)),
    )
}

fn resource_details(res: &Resource) -> Map<String, Value> {
    let fields = custom_fields_out(&res.custom_fields);
    let json = json!({
        "RESOURCE ID": res.id.to_string(),
        "RESOURCE NAME": res.name,
        "RESOURCE DESCRIPTION": res.description,
        "RESOURCE TYPE": res.r#type,
        "DNS NAME": res.dns_name,
        "DOMAIN NAME": res.domain_name,
        "DEPARTMENT": res.department,
        "LOCATION": res.location,
        "RESOURCE URL": res.url,
        "RESOURCE OWNER": res.owner,
        "RESOURCE PASSWORD POLICY": res.policy,
        "NEWSSHTERMINAL": "false",
        "ALLOWOPENURLINBROWSER": "true",
        "PASSWORDREQUEST_REASON_MANDATORY": res.reason_mandatory.to_string(),
        "IS_LOCAL_ACCOUNTS_AUTOLOGON_RESTRICTED": "false",
        "IS_SSH_RESTRICTED": "false",
        "ISRDPRESTRICTED": "false",
    });
    let mut map = match json {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if !fields.is_empty() {
        map.insert("CUSTOM FIELD".into(), Value::Array(fields));
    }
    map
}

/// `CUSTOM FIELD` entries; column names count per kind (`COLUMN_CHAR1`, `COLUMN_SCHAR1` for
/// password-type fields), as the captured responses show.
fn custom_fields_out(fields: &[CustomField]) -> Vec<Value> {
    let (mut chars, mut secrets) = (0, 0);
    fields
        .iter()
        .map(|f| {
            let column = if f.r#type.eq_ignore_ascii_case("Password") {
                secrets += 1;
                format!("COLUMN_SCHAR{secrets}")
            } else {
                chars += 1;
                format!("COLUMN_CHAR{chars}")
            };
            json!({
                "CUSTOMFIELDVALUE": f.value,
                "CUSTOMFIELDTYPE": f.r#type,
                "CUSTOMFIELDLABEL": f.label,
                "CUSTOMFIELDCOLUMNNAME": column,
            })
        })
        .collect()
}

/// The auto-logon methods PMP offers for a resource type.
fn autologon(resource_type: &str) -> Vec<&'static str> {
    let t = resource_type.to_ascii_lowercase();
    if t.contains("linux") || t.contains("unix") || t.contains("solaris") || t.contains("mac") {
        vec!["SSH", "Telnet"]
    } else if t.contains("windows") {
        vec!["Windows Remote Desktop"]
    } else {
        Vec::new()
    }
}

fn account_entry(caller: &ApiUser, res: &Resource, acc: &Account) -> Result<Value, PmpError> {
    let logons = autologon(&res.r#type);
    let status = if logons.is_empty() {
        "NOT_ALLOWED"
    } else {
        "ALLOWED"
    };
    Ok(json!({
        "ACCOUNT ID": acc.id.to_string(),
        "ACCOUNT NAME": acc.name,
        "PASSWDID": acc.id.to_string(),
        "PASSWORD STATUS": password_status(caller, acc)?,
        "ACCOUNT PASSWORD POLICY": acc.policy,
        "ACCOUNT_DESCRIPTION": acc.notes,
        "ISFAVPASS": acc.favourite.to_string(),
        "ISREASONREQUIRED": acc.reason_required.to_string(),
        "IS_TICKETID_REQD": acc.ticket_required.to_string(),
        "IS_TICKETID_REQD_MANDATORY": acc.ticket_required.to_string(),
        "IS_TICKETID_REQD_ACW": "false",
        "PASSWORDREQUEST_REASON_MANDATORY": res.reason_mandatory.to_string(),
        "ISREMOTEAPPONLY": "false",
        "IS_USER_WITH_COMMAND_CONTROL_ROLE": "false",
        "IS_COMMAND_CONTROL_CONFIGURED": "false",
        "AUTOLOGONLIST": logons,
        "AUTOLOGONSTATUS": status,
    }))
}

/// `****`, `[ In use ]` (checked out by someone else) or `***** [checkIn]` (by the caller).
fn password_status(caller: &ApiUser, acc: &Account) -> Result<&'static str, PmpError> {
    if !acc.access_control {
        return Ok("****");
    }
    Ok(match caller.read(|c| store::checked_out_by(c, acc.id))? {
        Some(user) if user == caller.id => "***** [checkIn]",
        Some(_) => "[ In use ]",
        None => "****",
    })
}

/// `GET /resources/{rid}/accounts/{aid}` (`GET RESOURCE ACCOUNT DETAILS`).
pub async fn get_account(caller: ApiUser, ids: Ids) -> Result<Reply, PmpError> {
    let (res, acc) = visible_account(&caller, &ids)?;
    let details = account_details(&caller, &res, &acc)?;
    Ok(Reply::message("Account details fetched successfully").details(details))
}

/// `Details` of GET ACCOUNT: the account's description, status, policy, times, compliance
/// with its policy and custom fields, in the vendor's names.
fn account_details(caller: &ApiUser, res: &Resource, acc: &Account) -> Result<Value, PmpError> {
    let policy = caller.read(|c| store::policy(c, &acc.policy))?;
    let expiry = rules::expiry_status(policy.as_ref(), acc.last_modified, caller.now_ms());
    let reason = policy.and_then(|p| rules::violation(&p, &acc.password));
    let notes = if acc.notes.is_empty() {
        "N/A"
    } else {
        acc.notes.as_str()
    };
    let mut details = json!({
        "DESCRIPTION": notes,
        "PASSWDID": acc.id.to_string(),
        "PASSWORD STATUS": password_status(caller, acc)?,
        "PASSWORD POLICY": acc.policy,
        "LAST ACCESSED TIME": rules::display_time(acc.last_accessed),
        "LAST MODIFIED TIME": rules::display_time(acc.last_modified),
        "EXPIRY STATUS": expiry,
        "COMPLIANT STATUS": if reason.is_some() { "Non-Compliant" } else { "Compliant" },
        "COMPLIANT REASON": reason.unwrap_or_else(|| "-".into()),
        "PASSWORDREQUEST_REASON_MANDATORY": res.reason_mandatory.to_string(),
    });
    let fields = custom_fields_out(&acc.custom_fields);
    if let (false, Some(map)) = (fields.is_empty(), details.as_object_mut()) {
        map.insert("CUSTOM FIELD".into(), Value::Array(fields));
    }
    Ok(details)
}

/// The resource and account of the path, which the caller must be able to see.
fn visible_account(caller: &ApiUser, ids: &Ids) -> Result<(Resource, Account), PmpError> {
    let res = caller.resource(&ids.0)?;
    let acc = caller.account_of(&res, &ids.1)?;
    caller.need_account(&res, &acc, Access::View)?;
    Ok((res, acc))
}

/// The resource and account of the path, on which the caller needs `need`.
fn account_with(
    caller: &ApiUser,
    ids: &Ids,
    need: Access,
) -> Result<(Resource, Account), PmpError> {
    let res = caller.resource(&ids.0)?;
    let acc = caller.account_of(&res, &ids.1)?;
    caller.need_account(&res, &acc, need)?;
    Ok((res, acc))
}

/// Whether the caller bypasses password access control (owner or super administrator).
fn exempt(caller: &ApiUser, res: Owned) -> bool {
    caller.sees_all() || res.owner_id == caller.id
}

/// Under access control, a non-exempt caller needs its own live checkout.
fn checked_out_for_caller(caller: &ApiUser, res: &Resource, acc: &Account) -> Result<(), PmpError> {
    checked_out_for(caller, res.owned(), acc.id, acc.access_control)
}

/// [`checked_out_for_caller`] for account `account_id` of `res`, under access control or not.
fn checked_out_for(
    caller: &ApiUser,
    res: Owned,
    account_id: i64,
    access_control: bool,
) -> Result<(), PmpError> {
    if !access_control || exempt(caller, res) {
        return Ok(());
    }
    let open = caller.read(|c| store::open_request(c, account_id, caller.id))?;
    match open.map(|r| r.status) {
        Some(RequestStatus::CheckedOut) => Ok(()),
        Some(RequestStatus::Approved) => Err(PmpError::failed(
            "Password request approved. Check out the password to view it",
        )),
        Some(RequestStatus::Requested) => {
            Err(PmpError::failed("Password request is waiting for approval"))
        }
        _ => Err(PmpError::failed("Password access requires approval")),
    }
}

/// `GET /resources/{rid}/accounts/{aid}/password` (`GET PASSWORD`).
///
/// The checks and their order are [`visible_account`]'s, then the reason and ticket, then
/// the checkout, on the few columns a password read uses.
pub async fn get_password(caller: ApiUser, ids: Ids) -> Result<Reply, PmpError> {
    let (res, acc) = caller.password_target(&ids.0, &ids.1)?;
    caller.need_account_of(res, acc.id, Access::View)?;
    let details = caller.details()?;
    caller.reason_and_ticket_for(
        acc.reason_required,
        acc.ticket_required,
        &details,
        "retrieve the password",
    )?;
    checked_out_for(&caller, res, acc.id, acc.access_control)?;
    caller.touch_accessed(acc.id);
    Ok(
        Reply::message("Password fetched successfully")
            .details(json!({ "PASSWORD": acc.password })),
    )
}

/// `PUT /resources/{rid}/accounts/{aid}/password` (`CHANGE PASSWORD`), LOCAL or REMOTE.
pub async fn change_password(caller: ApiUser, ids: Ids) -> Result<Reply, PmpError> {
    let res = caller.resource(&ids.0)?;
    let acc = caller.account_of(&res, &ids.1)?;
    let details = caller.require_details()?;
    caller.need_account(&res, &acc, Access::Modify)?;
    caller.reason_and_ticket(&acc, &details, "change the password")?;
    let change = PasswordChange::read(&details)?;
    check_policy(&caller, &acc.policy, &change.new)?;
    not_in_use_by_another(&caller, &acc)?;
    reachable_for(&res, &change)?;
    let now = caller.now_ms();
    caller.write(|tx| Ok(store::set_password(tx, acc.id, &change.new, now)?))?;
    Ok(Reply::message("Password changed successfully"))
}

/// CHANGE PASSWORD's INPUT_DATA: `NEWPASSWORD` (mandatory) and `RESETTYPE`.
struct PasswordChange {
    new: String,
    remote: bool,
}

impl PasswordChange {
    fn read(details: &Map<String, Value>) -> Result<Self, PmpError> {
        let new = text(details, "NEWPASSWORD")
            .filter(|p| !p.is_empty())
            .ok_or_else(|| PmpError::failed("New password is mandatory"))?;
        let remote = reset_type(details)?;
        Ok(PasswordChange { new, remote })
    }
}

/// A REMOTE reset needs the resource to answer (the fixture marks some unreachable).
fn reachable_for(res: &Resource, change: &PasswordChange) -> Result<(), PmpError> {
    if change.remote && res.unreachable {
        return Err(PmpError::failed(format!(
            "Password reset failed. Unable to connect to the remote resource {}",
            res.name
        )));
    }
    Ok(())
}

/// `RESETTYPE`: `LOCAL` (the default) or `REMOTE`; whether it is remote.
fn reset_type(details: &Map<String, Value>) -> Result<bool, PmpError> {
    match nonblank(details, "RESETTYPE").map(|t| t.to_ascii_uppercase()) {
        None => Ok(false),
        Some(t) if t == "LOCAL" => Ok(false),
        Some(t) if t == "REMOTE" => Ok(true),
        Some(_) => Err(PmpError::failed(
            "Invalid reset type. It should be either LOCAL or REMOTE",
        )),
    }
}

/// Under access control, a password checked out by someone else cannot change.
fn not_in_use_by_another(caller: &ApiUser, acc: &Account) -> Result<(), PmpError> {
    let holder = caller.read(|c| store::checked_out_by(c, acc.id))?;
    if acc.access_control && holder.is_some_and(|u| u != caller.id) {
        return Err(PmpError::failed("Password is in use by another user"));
    }
    Ok(())
}

/// Refuse `password` unless it satisfies policy `name`.
fn check_policy(caller: &ApiUser, name: &str, password: &str) -> Result<(), PmpError> {
    let policy = caller
        .read(|c| store::policy(c, name))?
        .ok_or_else(|| PmpError::failed(format!("Password policy {name} does not exist")))?;
    match rules::violation(&policy, password) {
        Some(reason) => Err(PmpError::failed(policy_message(&policy.name, &reason))),
        None => Ok(()),
    }
}

/// The failure text for a password that breaks policy `name`.
pub fn policy_message(name: &str, reason: &str) -> String {
    format!("Password does not conform to the {name} password policy: {reason}")
}

/// Custom fields from an INPUT_DATA array (`CUSTOMLABEL`/`CUSTOMFIELDLABEL` and
/// `CUSTOMVALUE`/`CUSTOMFIELDVALUE`), merged by label (any case) into `existing`.
///
/// Linear in the number of fields (an index by label, not a search per field). The array
/// arrives capped by [`crate::input::CUSTOM_FIELDS`], so an over-limit one holds 21 fields.
///
/// # Errors
/// `Invalid input data` for a field without label; the limit message beyond 20 fields.
pub fn merge_fields(
    existing: &[CustomField],
    incoming: Option<&Vec<Value>>,
) -> Result<Vec<CustomField>, PmpError> {
    let mut out = existing.to_vec();
    let mut index: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .rev()
        .map(|(i, f)| (f.label.to_ascii_lowercase(), i))
        .collect();
    for item in incoming.into_iter().flatten() {
        let Some(map) = item.as_object() else {
            return Err(PmpError::failed(MSG_INVALID_INPUT));
        };
        let label = custom_label(item).ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))?;
        let value = text(map, "CUSTOMVALUE")
            .or_else(|| text(map, "CUSTOMFIELDVALUE"))
            .unwrap_or_default();
        match index
            .get(&label.to_ascii_lowercase())
            .and_then(|&i| out.get_mut(i))
        {
            Some(field) => field.value = value,
            None => {
                index.insert(label.to_ascii_lowercase(), out.len());
                out.push(CustomField {
                    label,
                    value,
                    r#type: nonblank(map, "CUSTOMFIELDTYPE").unwrap_or_else(|| "Character".into()),
                    base64: None,
                });
            }
        }
    }
    if out.len() > MAX_CUSTOM_FIELDS {
        return Err(PmpError::failed(MSG_TOO_MANY_FIELDS));
    }
    Ok(out)
}

/// `POST /resources/{rid}/accounts` (`ADD ACCOUNTS`): per-account status in `Details`.
pub async fn add_accounts(caller: ApiUser, rid: web::Path<String>) -> Result<Reply, PmpError> {
    let res = caller.resource(&rid)?;
    let details = caller.require_details()?;
    caller.need_resource(&res, Access::Modify)?;
    let list = array(&details, "ACCOUNTLIST")
        .filter(|l| !l.is_empty())
        .ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))?;
    let now = caller.now_ms();
    let statuses = caller.write(|tx| add_all(tx, &res, list, now))?;
    Ok(Reply::message("Account(s) added successfully").details(json!([statuses])))
}

/// Add each account of an ACCOUNTLIST in one transaction: its `STATUS` under its name.
fn add_all(
    tx: &rusqlite::Transaction<'_>,
    res: &Resource,
    list: &[Value],
    now: i64,
) -> Result<Map<String, Value>, PmpError> {
    let mut statuses = Map::new();
    for item in list {
        let empty = Map::new();
        let map = item.as_object().unwrap_or(&empty);
        let name = nonblank(map, "ACCOUNTNAME").unwrap_or_default();
        let status = add_one(tx, res, map, &name, now)?;
        statuses.insert(name, json!({ "STATUS": status }));
    }
    Ok(statuses)
}

/// Add one account of an ACCOUNTLIST; the per-account STATUS text.
fn add_one(
    tx: &rusqlite::Transaction<'_>,
    res: &Resource,
    map: &Map<String, Value>,
    name: &str,
    now: i64,
) -> Result<String, PmpError> {
    let password = text(map, "PASSWORD").filter(|p| !p.is_empty());
    let (false, Some(password)) = (name.is_empty(), password) else {
        return Ok("Account name and password are mandatory".into());
    };
    if store::account_by_name(tx, res.id, name)?.is_some() {
        return Ok("Account is not added  as it already exists".into());
    }
    let policy = nonblank(map, "ACCOUNTPASSWORDPOLICY").unwrap_or_else(|| res.policy.clone());
    let Some(policy) = store::policy(tx, &policy)? else {
        return Ok(format!("Password policy {policy} does not exist"));
    };
    if let Some(reason) = rules::violation(&policy, &password) {
        return Ok(policy_message(&policy.name, &reason));
    }
    let fields = match merge_fields(&[], array(map, "ACCOUNTCUSTOMFIELD")) {
        Ok(fields) => fields,
        Err(err) => return Ok(err.message()),
    };
    let notes = text(map, "NOTES").unwrap_or_default();
    store::insert_account(
        tx,
        &NewAccount {
            resource_id: res.id,
            name,
            password: &password,
            notes: &notes,
            policy: &policy.name,
            fields: &fields,
            now_ms: now,
            file: None,
        },
    )?;
    Ok("Account added successfully".into())
}

/// `PUT /resources/{rid}/accounts/{aid}` (`EDIT ACCOUNT`).
pub async fn edit_account(caller: ApiUser, ids: Ids) -> Result<Reply, PmpError> {
    let res = caller.resource(&ids.0)?;
    let acc = caller.account_of(&res, &ids.1)?;
    let details = caller.require_details()?;
    caller.need_account(&res, &acc, Access::Modify)?;
    let edit = AccountEdit::read(&details, &acc)?;
    caller.write(|tx| edit.save(tx, &res, &acc))?;
    Ok(Reply::message(format!(
        "Account {} modified successfully",
        edit.name
    )))
}

/// EDIT ACCOUNT's INPUT_DATA; what it leaves out keeps the account's current value.
struct AccountEdit {
    name: String,
    notes: String,
    policy: String,
    fields: Vec<CustomField>,
}

impl AccountEdit {
    fn read(d: &Map<String, Value>, acc: &Account) -> Result<Self, PmpError> {
        Ok(AccountEdit {
            name: nonblank(d, "ACCOUNTNAME").unwrap_or_else(|| acc.name.clone()),
            notes: text(d, "NOTES").unwrap_or_else(|| acc.notes.clone()),
            policy: nonblank(d, "ACCOUNTPASSWORDPOLICY").unwrap_or_else(|| acc.policy.clone()),
            fields: merge_fields(&acc.custom_fields, array(d, "ACCOUNTCUSTOMFIELD"))?,
        })
    }

    /// The policy must exist and the name be free on the resource; then the update.
    fn save(
        &self,
        tx: &rusqlite::Transaction<'_>,
        res: &Resource,
        acc: &Account,
    ) -> Result<(), PmpError> {
        let policy = store::policy(tx, &self.policy)?.ok_or_else(|| {
            PmpError::failed(format!("Password policy {} does not exist", self.policy))
        })?;
        let name = &self.name;
        if store::account_by_name(tx, res.id, name)?.is_some_and(|other| other.id != acc.id) {
            return Err(PmpError::failed(format!("Account {name} already exists")));
        }
        let (notes, fields) = (&self.notes, &self.fields);
        Ok(store::update_account(
            tx,
            acc.id,
            name,
            notes,
            &policy.name,
            fields,
        )?)
    }
}

/// `DELETE /resources/{rid}/accounts/{aid}` (`DELETE ACCOUNT`).
pub async fn delete_account(caller: ApiUser, ids: Ids) -> Result<Reply, PmpError> {
    let (_, acc) = account_with(&caller, &ids, Access::Fullaccess)?;
    caller.write(|tx| Ok(store::delete_account(tx, acc.id)?))?;
    Ok(Reply::message(format!(
        "Account {} deleted successfully.",
        acc.name
    )))
}

/// `GET /resources/{rid}/accounts/{aid}/downloadfile`: the attached file's bytes.
pub async fn download_file(caller: ApiUser, ids: Ids) -> Result<Reply, PmpError> {
    let (res, acc) = visible_account(&caller, &ids)?;
    let details = caller.details()?;
    caller.reason_and_ticket(&acc, &details, "download the file")?;
    checked_out_for_caller(&caller, &res, &acc)?;
    let (name, bytes) = if flag(&details, "ISCUSTOMFIELD") {
        field_file(&res, &acc, &details)?
    } else {
        caller
            .read(|c| store::account_file(c, acc.id))?
            .ok_or_else(|| PmpError::failed("No file is associated with this account"))?
    };
    Ok(Reply::raw(file_response(&name, bytes)))
}

/// The bytes of a file as an attachment named `name`.
fn file_response(name: &str, bytes: Vec<u8>) -> HttpResponse {
    let mut resp = HttpResponse::Ok().body(bytes);
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let quoted = name.replace(['"', '\\', '\r', '\n'], "_");
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{quoted}\"")) {
        resp.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    resp
}

/// The file of a `File` custom field named by `CUSTOMFIELDTYPE` (`ACCOUNT`, the default, or
/// `RESOURCE`) and `CUSTOMFIELDLABEL`.
fn field_file(
    res: &Resource,
    acc: &Account,
    details: &Map<String, Value>,
) -> Result<(String, Vec<u8>), PmpError> {
    let fields = match nonblank(details, "CUSTOMFIELDTYPE").map(|t| t.to_ascii_uppercase()) {
        None => &acc.custom_fields,
        Some(t) if t == "ACCOUNT" => &acc.custom_fields,
        Some(t) if t == "RESOURCE" => &res.custom_fields,
        Some(_) => {
            return Err(PmpError::failed(
                "Invalid custom field type. It should be either ACCOUNT or RESOURCE",
            ))
        }
    };
    let label =
        nonblank(details, "CUSTOMFIELDLABEL").ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))?;
    let missing = || {
        PmpError::failed(format!(
            "No file is associated with the custom field {label}"
        ))
    };
    let field = fields
        .iter()
        .find(|f| f.label.eq_ignore_ascii_case(&label))
        .ok_or_else(missing)?;
    let data = field.base64.as_deref().ok_or_else(missing)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| missing())?;
    let name = if field.value.is_empty() {
        field.label.clone()
    } else {
        field.value.clone()
    };
    Ok((name, bytes))
}

/// `PUT /resources/{rid}/accounts/{aid}/share` (`SHARE ACCOUNT`): `ACCESSTYPE` view, modify
/// or fullaccess (or `revoke`) to `USERID` or `USERNAME`.
pub async fn share_account(caller: ApiUser, ids: Ids) -> Result<Reply, PmpError> {
    let res = caller.resource(&ids.0)?;
    let acc = caller.account_of(&res, &ids.1)?;
    let details = caller.require_details()?;
    caller.need_account(&res, &acc, Access::Fullaccess)?;
    allow(caller.role != Role::PasswordAuditor)?;
    let kind =
        nonblank(&details, "ACCESSTYPE").ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))?;
    let access = if kind.eq_ignore_ascii_case("revoke") {
        None
    } else {
        Some(Access::parse(&kind).ok_or_else(|| PmpError::failed("Invalid access type"))?)
    };
    let user = share_target(&caller, &details)?;
    caller.write(|tx| Ok(store::set_share(tx, res.id, acc.id, user, access)?))?;
    Ok(Reply::message(match access {
        Some(_) => "Account shared successfully",
        None => "Account share revoked successfully",
    }))
}

/// The user a share names by `USERID` or `USERNAME`.
fn share_target(caller: &ApiUser, details: &Map<String, Value>) -> Result<i64, PmpError> {
    let user = match (nonblank(details, "USERID"), nonblank(details, "USERNAME")) {
        (Some(id), _) => crate::request::parse_id(&id).and_then(|id| {
            caller
                .read(|c| store::user_by_id(c, id))
                .ok()
                .flatten()
                .map(|_| id)
        }),
        (None, Some(name)) => caller
            .read(|c| store::user_by_name(c, &name))?
            .map(|(id, _)| id),
        (None, None) => return Err(PmpError::failed(MSG_INVALID_INPUT)),
    };
    user.ok_or_else(|| PmpError::failed(crate::error::MSG_NO_USER))
}
