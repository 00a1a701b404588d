//! Accounts of a resource: list (S0 #2), details (#3), password get/change (#4, #5), add (#19),
//! edit (#20), delete (#17), file download (#18) and share (spec §4 extras).

use super::{allow, run, Ctx};
use crate::error::{PmpError, Reply, MSG_INVALID_INPUT};
use crate::input::{self, nonblank, text};
use crate::rules;
use crate::state::{fields_json, Access, CustomField, RequestStatus, MAX_CUSTOM_FIELDS};
use crate::store::{self, Account, Resource};
use crate::Pmp;
use actix_web::http::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::Inst;
use base64::Engine as _;
use rusqlite::params;
use serde_json::{json, Map, Value};

type Ids = web::Path<(String, String)>;

/// Message when a custom-field list grows beyond 20.
pub const MSG_TOO_MANY_FIELDS: &str =
    "Custom fields limit exceeded. Only 20 custom fields are allowed";

/// `GET /resources/{rid}/accounts` (`GET RESOURCE ACCOUNTLIST`).
pub async fn list_accounts(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    rid: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "GET RESOURCE ACCOUNTLIST", |ctx| {
        let res = ctx.visible_resource(&rid)?;
        let accounts = ctx.read(|c| store::visible_accounts(c, &ctx.caller, res.id))?;
        let mut list = Vec::new();
        for acc in &accounts {
            list.push(account_entry(ctx, &res, acc)?);
        }
        let mut details = resource_details(&res);
        details.insert("ACCOUNT LIST".into(), Value::Array(list));
        Ok(
            Reply::message("Resource details with account list fetched successfully")
                .details(Value::Object(details)),
        )
    })
    .await
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

fn account_entry(ctx: &Ctx<'_>, res: &Resource, acc: &Account) -> Result<Value, PmpError> {
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
        "PASSWORD STATUS": password_status(ctx, acc)?,
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
fn password_status(ctx: &Ctx<'_>, acc: &Account) -> Result<&'static str, PmpError> {
    if !acc.access_control {
        return Ok("****");
    }
    Ok(match ctx.read(|c| store::checked_out_by(c, acc.id))? {
        Some(user) if user == ctx.caller.id => "***** [checkIn]",
        Some(_) => "[ In use ]",
        None => "****",
    })
}

/// `GET /resources/{rid}/accounts/{aid}` (`GET RESOURCE ACCOUNT DETAILS`).
pub async fn account_details(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: Ids,
) -> HttpResponse {
    run(inst, req, body, "GET RESOURCE ACCOUNT DETAILS", |ctx| {
        let (res, acc) = visible_account(ctx, &ids)?;
        let policy = ctx.read(|c| store::policy(c, &acc.policy))?;
        let reason = policy.and_then(|p| rules::violation(&p, &acc.password));
        let fields = custom_fields_out(&acc.custom_fields);
        let notes = if acc.notes.is_empty() {
            "N/A"
        } else {
            acc.notes.as_str()
        };
        let mut details = json!({
            "DESCRIPTION": notes,
            "PASSWDID": acc.id.to_string(),
            "PASSWORD STATUS": password_status(ctx, &acc)?,
            "PASSWORD POLICY": acc.policy,
            "LAST ACCESSED TIME": rules::display_time(acc.last_accessed),
            "LAST MODIFIED TIME": rules::display_time(acc.last_modified),
            "EXPIRY STATUS": "Valid",
            "COMPLIANT STATUS": if reason.is_some() { "Non-Compliant" } else { "Compliant" },
            "COMPLIANT REASON": reason.unwrap_or_else(|| "-".into()),
            "PASSWORDREQUEST_REASON_MANDATORY": res.reason_mandatory.to_string(),
        });
        if let (false, Some(map)) = (fields.is_empty(), details.as_object_mut()) {
            map.insert("CUSTOM FIELD".into(), Value::Array(fields));
        }
        Ok(Reply::message("Account details fetched successfully").details(details))
    })
    .await
}

/// The resource and account of the path, which the caller must be able to see.
fn visible_account(ctx: &mut Ctx<'_>, ids: &Ids) -> Result<(Resource, Account), PmpError> {
    let res = ctx.resource(&ids.0)?;
    let acc = ctx.account_of(&res, &ids.1)?;
    ctx.need_account(&res, &acc, Access::View)?;
    Ok((res, acc))
}

/// Whether the caller bypasses password access control (owner or super administrator).
fn exempt(ctx: &Ctx<'_>, res: &Resource) -> bool {
    ctx.caller.sees_all() || res.owner_id == ctx.caller.id
}

/// Under access control, a non-exempt caller needs its own live checkout.
fn checked_out_for_caller(ctx: &Ctx<'_>, res: &Resource, acc: &Account) -> Result<(), PmpError> {
    if !acc.access_control || exempt(ctx, res) {
        return Ok(());
    }
    let open = ctx.read(|c| store::open_request(c, acc.id, ctx.caller.id))?;
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
pub async fn get_password(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: Ids,
) -> HttpResponse {
    run(inst, req, body, "GET PASSWORD", |ctx| {
        let (res, acc) = visible_account(ctx, &ids)?;
        let details = ctx.details()?;
        ctx.reason_and_ticket(&acc, &details, "retrieve the password")?;
        checked_out_for_caller(ctx, &res, &acc)?;
        ctx.touch_accessed(acc.id);
        Ok(Reply::message("Password fetched successfully")
            .details(json!({ "PASSWORD": acc.password })))
    })
    .await
}

/// `PUT /resources/{rid}/accounts/{aid}/password` (`CHANGE PASSWORD`), LOCAL or REMOTE.
pub async fn change_password(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: Ids,
) -> HttpResponse {
    run(inst, req, body, "CHANGE PASSWORD", |ctx| {
        let res = ctx.resource(&ids.0)?;
        let acc = ctx.account_of(&res, &ids.1)?;
        let details = ctx.input.require_details()?;
        ctx.need_account(&res, &acc, Access::Modify)?;
        ctx.reason_and_ticket(&acc, &details, "change the password")?;
        let new = text(&details, "NEWPASSWORD")
            .filter(|p| !p.is_empty())
            .ok_or_else(|| PmpError::failed("New password is mandatory"))?;
        let remote = match nonblank(&details, "RESETTYPE").map(|t| t.to_ascii_uppercase()) {
            None => false,
            Some(t) if t == "LOCAL" => false,
            Some(t) if t == "REMOTE" => true,
            Some(_) => {
                return Err(PmpError::failed(
                    "Invalid reset type. It should be either LOCAL or REMOTE",
                ))
            }
        };
        check_policy(ctx, &acc.policy, &new)?;
        if acc.access_control
            && ctx
                .read(|c| store::checked_out_by(c, acc.id))?
                .is_some_and(|u| u != ctx.caller.id)
        {
            return Err(PmpError::failed("Password is in use by another user"));
        }
        if remote && res.unreachable {
            return Err(PmpError::failed(format!(
                "Password reset failed. Unable to connect to the remote resource {}",
                res.name
            )));
        }
        let now = ctx.now_ms();
        ctx.write(|tx| {
            tx.execute(
                "UPDATE accounts SET password = ?2, last_modified = ?3 WHERE id = ?1",
                params![acc.id, new, now],
            )?;
            Ok(())
        })?;
        Ok(Reply::message("Password changed successfully"))
    })
    .await
}

/// Refuse `password` unless it satisfies policy `name`.
fn check_policy(ctx: &Ctx<'_>, name: &str, password: &str) -> Result<(), PmpError> {
    let policy = ctx
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

/// Custom fields from an INPUT_DATA array (`CUSTOMLABEL`/`CUSTOMVALUE`), merged by label into
/// `existing`.
///
/// # Errors
/// `Invalid input data` for a field without label; the limit message beyond 20 fields.
pub fn merge_fields(
    existing: &[CustomField],
    incoming: Option<&Vec<Value>>,
) -> Result<Vec<CustomField>, PmpError> {
    let mut out = existing.to_vec();
    for item in incoming.into_iter().flatten() {
        let Some(map) = item.as_object() else {
            return Err(PmpError::failed(MSG_INVALID_INPUT));
        };
        let label = nonblank(map, "CUSTOMLABEL")
            .or_else(|| nonblank(map, "CUSTOMFIELDLABEL"))
            .ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))?;
        let value = text(map, "CUSTOMVALUE")
            .or_else(|| text(map, "CUSTOMFIELDVALUE"))
            .unwrap_or_default();
        let kind = nonblank(map, "CUSTOMFIELDTYPE").unwrap_or_else(|| "Character".into());
        match out
            .iter_mut()
            .find(|f| f.label.eq_ignore_ascii_case(&label))
        {
            Some(field) => field.value = value,
            None => out.push(CustomField {
                label,
                value,
                r#type: kind,
                base64: None,
            }),
        }
    }
    if out.len() > MAX_CUSTOM_FIELDS {
        return Err(PmpError::failed(MSG_TOO_MANY_FIELDS));
    }
    Ok(out)
}

/// `POST /resources/{rid}/accounts` (`ADD ACCOUNTS`): per-account status in `Details`.
pub async fn add_accounts(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    rid: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "ADD ACCOUNTS", |ctx| {
        let res = ctx.resource(&rid)?;
        let details = ctx.input.require_details()?;
        ctx.need_resource(&res, Access::Modify)?;
        let list = input::array(&details, "ACCOUNTLIST")
            .filter(|l| !l.is_empty())
            .ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))?
            .clone();
        let now = ctx.now_ms();
        let statuses = ctx.write(|tx| {
            let mut statuses = Map::new();
            for item in &list {
                let empty = Map::new();
                let map = item.as_object().unwrap_or(&empty);
                let name = nonblank(map, "ACCOUNTNAME").unwrap_or_default();
                let status = add_one(tx, &res, map, &name, now)?;
                statuses.insert(name, json!({ "STATUS": status }));
            }
            Ok(statuses)
        })?;
        Ok(Reply::message("Account(s) added successfully").details(json!([statuses])))
    })
    .await
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
    let fields = match merge_fields(&[], input::array(map, "ACCOUNTCUSTOMFIELD")) {
        Ok(fields) => fields,
        Err(err) => return Ok(err.message()),
    };
    tx.execute(
        "INSERT INTO accounts (resource_id, name, password, notes, password_policy, custom_fields, last_modified)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            res.id,
            name,
            password,
            text(map, "NOTES").unwrap_or_default(),
            policy.name,
            fields_json(&fields),
            now
        ],
    )?;
    Ok("Account added successfully".into())
}

/// `PUT /resources/{rid}/accounts/{aid}` (`EDIT ACCOUNT`).
pub async fn edit_account(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: Ids,
) -> HttpResponse {
    run(inst, req, body, "EDIT ACCOUNT", |ctx| {
        let res = ctx.resource(&ids.0)?;
        let acc = ctx.account_of(&res, &ids.1)?;
        let details = ctx.input.require_details()?;
        ctx.need_account(&res, &acc, Access::Modify)?;
        let name = nonblank(&details, "ACCOUNTNAME").unwrap_or_else(|| acc.name.clone());
        let notes = text(&details, "NOTES").unwrap_or_else(|| acc.notes.clone());
        let policy = nonblank(&details, "ACCOUNTPASSWORDPOLICY").unwrap_or_else(|| acc.policy.clone());
        let fields = merge_fields(&acc.custom_fields, input::array(&details, "ACCOUNTCUSTOMFIELD"))?;
        ctx.write(|tx| {
            let policy = store::policy(tx, &policy)?
                .ok_or_else(|| PmpError::failed(format!("Password policy {policy} does not exist")))?;
            if let Some(other) = store::account_by_name(tx, res.id, &name)? {
                if other.id != acc.id {
                    return Err(PmpError::failed(format!("Account {name} already exists")));
                }
            }
            tx.execute(
                "UPDATE accounts SET name = ?2, notes = ?3, password_policy = ?4, custom_fields = ?5 WHERE id = ?1",
                params![acc.id, name, notes, policy.name, fields_json(&fields)],
            )?;
            Ok(())
        })?;
        Ok(Reply::message(format!("Account {name} modified successfully")))
    })
    .await
}

/// `DELETE /resources/{rid}/accounts/{aid}` (`DELETE ACCOUNT`).
pub async fn delete_account(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: Ids,
) -> HttpResponse {
    run(inst, req, body, "DELETE ACCOUNT", |ctx| {
        let res = ctx.resource(&ids.0)?;
        let acc = ctx.account_of(&res, &ids.1)?;
        ctx.need_account(&res, &acc, Access::Fullaccess)?;
        ctx.write(|tx| {
            tx.execute("DELETE FROM accounts WHERE id = ?1", [acc.id])?;
            Ok(())
        })?;
        Ok(Reply::message(format!(
            "Account {} deleted successfully.",
            acc.name
        )))
    })
    .await
}

/// `GET /resources/{rid}/accounts/{aid}/downloadfile`: the attached file's bytes.
pub async fn download_file(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: Ids,
) -> HttpResponse {
    run(inst, req, body, "DOWNLOAD FILE", |ctx| {
        let (res, acc) = visible_account(ctx, &ids)?;
        let details = ctx.details()?;
        ctx.reason_and_ticket(&acc, &details, "download the file")?;
        checked_out_for_caller(ctx, &res, &acc)?;
        let (name, bytes) = if input::flag(&details, "ISCUSTOMFIELD") {
            field_file(&res, &acc, &details)?
        } else {
            ctx.read(|c| store::account_file(c, acc.id))?
                .ok_or_else(|| PmpError::failed("No file is associated with this account"))?
        };
        let mut resp = HttpResponse::Ok().body(bytes);
        resp.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        let quoted = name.replace(['"', '\\', '\r', '\n'], "_");
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{quoted}\"")) {
            resp.headers_mut().insert(CONTENT_DISPOSITION, value);
        }
        Ok(Reply {
            raw: Some(resp),
            ..Reply::default()
        })
    })
    .await
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
pub async fn share_account(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    ids: Ids,
) -> HttpResponse {
    run(inst, req, body, "SHARE ACCOUNT", |ctx| {
        let res = ctx.resource(&ids.0)?;
        let acc = ctx.account_of(&res, &ids.1)?;
        let details = ctx.input.require_details()?;
        ctx.need_account(&res, &acc, Access::Fullaccess)?;
        allow(ctx.caller.role != crate::state::Role::PasswordAuditor)?;
        let kind = nonblank(&details, "ACCESSTYPE").ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))?;
        let access = if kind.eq_ignore_ascii_case("revoke") {
            None
        } else {
            Some(Access::parse(&kind).ok_or_else(|| PmpError::failed("Invalid access type"))?)
        };
        let user = match (nonblank(&details, "USERID"), nonblank(&details, "USERNAME")) {
            (Some(id), _) => super::parse_id(&id)
                .and_then(|id| ctx.read(|c| store::user_by_id(c, id)).ok().flatten().map(|_| id)),
            (None, Some(name)) => ctx.read(|c| store::user_by_name(c, &name))?.map(|(id, _)| id),
            (None, None) => return Err(PmpError::failed(MSG_INVALID_INPUT)),
        };
        let user = user.ok_or_else(|| PmpError::failed("No such user found"))?;
        ctx.write(|tx| {
            tx.execute(
                "DELETE FROM shares WHERE account_id = ?1 AND user_id = ?2",
                params![acc.id, user],
            )?;
            if let Some(access) = access {
                tx.execute(
                    "INSERT INTO shares (resource_id, account_id, user_id, access) VALUES (?1, ?2, ?3, ?4)",
                    params![res.id, acc.id, user, access.as_str()],
                )?;
            }
            Ok(())
        })?;
        Ok(Reply::message(match access {
            Some(_) => "Account shared successfully",
            None => "Account share revoked successfully",
        }))
    })
    .await
}
