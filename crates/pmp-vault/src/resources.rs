//! Resources, as the vendor's REST API help documents them ("RESTful API": fetch
//! resources, create, edit and delete a resource, resource and account ids by name, resource
//! types).

use crate::accounts::{merge_fields, policy_message};
use crate::auth::ApiUser;
use crate::error::{allow, PmpError, MSG_INVALID_INPUT, MSG_NO_ACCOUNT, MSG_NO_RESOURCE};
use crate::request::{array, nonblank, text};
use crate::state::{Access, CustomField, Role};
use crate::store::{self, NewAccount, NewResource, Resource};
use crate::wire::Reply;
use actix_web::web;
use rusqlite::Transaction;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// `GET /resources`: owned and shared resources (`GET RESOURCES`), optionally searched by
/// `SEARCHCOLUMN`/`SEARCHVALUE`.
pub async fn list_resources(caller: ApiUser) -> Result<Reply, PmpError> {
    let d = caller.details()?;
    let mut rows = caller.read(|c| store::list_resources(c, &caller))?;
    if let Some(value) = nonblank(&d, "SEARCHVALUE") {
        let column = nonblank(&d, "SEARCHCOLUMN").unwrap_or_else(|| "RESOURCENAME".into());
        rows = search(&caller, rows, &column, &value.to_lowercase())?;
    }
    let reply = Reply::message("Resources fetched successfully").rows(rows.len());
    if rows.is_empty() {
        return Ok(reply);
    }
    Ok(reply.details_json(resource_list_json(&rows)))
}

/// The rows whose `column` contains `needle` (lower case).
fn search(
    caller: &ApiUser,
    rows: Vec<store::ResourceRow>,
    column: &str,
    needle: &str,
) -> Result<Vec<store::ResourceRow>, PmpError> {
    let hit = |text: &str| text.to_lowercase().contains(needle);
    let mut kept = Vec::new();
    for row in rows {
        let matched = match column.to_ascii_uppercase().as_str() {
            "RESOURCENAME" => hit(&row.name),
            "RESOURCETYPE" => hit(&row.r#type),
            "RESOURCEDESCRIPTION" | "DESCRIPTION" => hit(&row.description),
            "DNSNAME" => hit(&row.dns_name),
            "DEPARTMENT" => hit(&row.department),
            "LOCATION" => hit(&row.location),
            "ACCOUNTNAME" => caller
                .read(|c| store::visible_accounts(c, caller, row.id))?
                .iter()
                .any(|a| hit(&a.name)),
            _ => return Err(PmpError::failed(format!("Invalid search column {column}"))),
        };
        if matched {
            kept.push(row);
        }
    }
    Ok(kept)
}

/// One entry of `GET RESOURCES`, serialised straight from its row.
#[derive(Serialize)]
struct ResourceEntry<'a> {
    #[serde(rename = "RESOURCE ID", serialize_with = "as_text")]
    id: i64,
    #[serde(rename = "RESOURCE NAME")]
    name: &'a str,
    #[serde(rename = "RESOURCE DESCRIPTION")]
    description: &'a str,
    #[serde(rename = "RESOURCE TYPE")]
    r#type: &'a str,
    #[serde(rename = "NOOFACCOUNTS", serialize_with = "as_text")]
    accounts: i64,
}

fn as_text<S: serde::Serializer>(n: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(n)
}

/// The `Details` array of `GET RESOURCES` as JSON bytes (PMP sends numbers as strings).
fn resource_list_json(rows: &[store::ResourceRow]) -> Vec<u8> {
    let entries: Vec<ResourceEntry<'_>> = rows
        .iter()
        .map(|r| ResourceEntry {
            id: r.id,
            name: &r.name,
            description: &r.description,
            r#type: &r.r#type,
            accounts: r.accounts,
        })
        .collect();
    // Borrowed strings and integers into a Vec cannot fail.
    serde_json::to_vec(&entries).unwrap_or_default()
}

const MANDATORY: [&str; 4] = ["RESOURCENAME", "ACCOUNTNAME", "RESOURCETYPE", "PASSWORD"];

/// `POST /resources` (`CREATE RESOURCE`), with an optional multipart file for its account.
pub async fn create_resource(caller: ApiUser) -> Result<Reply, PmpError> {
    let d = caller.require_details()?;
    allow(caller.role != Role::PasswordAuditor)?;
    mandatory_fields(&d)?;
    let name = nonblank(&d, "RESOURCENAME").unwrap_or_default();
    caller.note().resource = name.clone();
    caller.note().account = nonblank(&d, "ACCOUNTNAME").unwrap_or_default();
    let new = NewWithAccount::read(&caller, &d, &name)?;
    caller.write(|tx| insert_with_account(tx, &new, caller.input().file.as_ref()))?;
    Ok(Reply::message(format!(
        "Resource {name} has been added successfully"
    )))
}

/// `Mandatory field(s) missing: ...` unless every mandatory field is there.
fn mandatory_fields(d: &Map<String, Value>) -> Result<(), PmpError> {
    let missing: Vec<&str> = MANDATORY
        .into_iter()
        .filter(|k| text(d, k).is_none_or(|v| v.trim().is_empty()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(PmpError::failed(format!(
        "Mandatory field(s) missing: {}",
        missing.join(", ")
    )))
}

/// What a new resource and its first account are made of.
struct NewWithAccount<'a> {
    d: &'a Map<String, Value>,
    name: &'a str,
    owner: i64,
    res_fields: Vec<CustomField>,
    acc_fields: Vec<CustomField>,
    now: i64,
}

impl<'a> NewWithAccount<'a> {
    /// The owner (OWNERNAME or the caller) and both custom-field lists, read in that order.
    fn read(caller: &ApiUser, d: &'a Map<String, Value>, name: &'a str) -> Result<Self, PmpError> {
        Ok(NewWithAccount {
            d,
            name,
            owner: owner_for(caller, d)?,
            res_fields: merge_fields(&[], array(d, "RESOURCECUSTOMFIELD"))?,
            acc_fields: merge_fields(&[], array(d, "ACCOUNTCUSTOMFIELD"))?,
            now: caller.now_ms(),
        })
    }
}

/// Check the name is free and the policies, then insert the resource with its account,
/// inside `tx`.
fn insert_with_account(
    tx: &Transaction<'_>,
    new: &NewWithAccount<'_>,
    file: Option<&crate::request::Upload>,
) -> Result<(), PmpError> {
    if store::resource_by_name(tx, new.name)?.is_some() {
        let name = new.name;
        return Err(PmpError::failed(format!("Resource {name} already exists")));
    }
    let d = new.d;
    let res_policy = policy_named(tx, nonblank(d, "RESOURCEPASSWORDPOLICY"))?;
    let acc_policy = policy_named(
        tx,
        nonblank(d, "ACCOUNTPASSWORDPOLICY").or(Some(res_policy.clone())),
    )?;
    let policy = store::policy(tx, &acc_policy)?
        .ok_or_else(|| PmpError::failed(format!("Password policy {acc_policy} does not exist")))?;
    let password = text(d, "PASSWORD").unwrap_or_default();
    if let Some(reason) = crate::rules::violation(&policy, &password) {
        return Err(PmpError::failed(policy_message(&policy.name, &reason)));
    }
    let group = match nonblank(d, "RESOURCEGROUPNAME") {
        Some(g) => Some(store::ensure_group(tx, &g)?),
        None => None,
    };
    let f = |k: &str| text(d, k).unwrap_or_default();
    let rid = store::insert_resource(
        tx,
        &NewResource {
            name: new.name,
            description: &f("RESOURCEDESCRIPTION"),
            r#type: f("RESOURCETYPE").trim(),
            dns_name: &f("DNSNAME"),
            domain_name: &f("DOMAINNAME"),
            department: &f("DEPARTMENT"),
            location: &f("LOCATION"),
            url: &f("RESOURCEURL"),
            owner_id: new.owner,
            policy: &res_policy,
            group: group.as_deref(),
            fields: &new.res_fields,
        },
    )?;
    store::insert_account(
        tx,
        &NewAccount {
            resource_id: rid,
            name: f("ACCOUNTNAME").trim(),
            password: &password,
            notes: &f("NOTES"),
            policy: &acc_policy,
            fields: &new.acc_fields,
            now_ms: new.now,
            file: file.map(|u| (u.name.as_str(), u.bytes.as_slice())),
        },
    )?;
    Ok(())
}

/// The owner of a new resource: the caller, or OWNERNAME (administrators only).
fn owner_for(caller: &ApiUser, d: &Map<String, Value>) -> Result<i64, PmpError> {
    let Some(owner) = nonblank(d, "OWNERNAME") else {
        return Ok(caller.id);
    };
    let found = caller.read(|c| store::user_by_name(c, &owner))?;
    let Some((id, _)) = found else {
        return Err(PmpError::failed(format!("User {owner} does not exist")));
    };
    if id != caller.id {
        allow(caller.is_admin())?;
    }
    Ok(id)
}

fn policy_named(tx: &Transaction<'_>, name: Option<String>) -> Result<String, PmpError> {
    let name = name.unwrap_or_else(|| "Strong".into());
    store::policy(tx, &name)?
        .map(|p| p.name)
        .ok_or_else(|| PmpError::failed(format!("Password policy {name} does not exist")))
}

/// `PUT /resources/{rid}` (`EDIT RESOURCE`).
pub async fn edit_resource(caller: ApiUser, rid: web::Path<String>) -> Result<Reply, PmpError> {
    let res = caller.resource(&rid)?;
    let d = caller.require_details()?;
    caller.need_resource(&res, Access::Modify)?;
    let given_name = nonblank(&d, "RESOURCENAME");
    let owner = match nonblank(&d, "OWNERNAME") {
        Some(_) => {
            caller.need_resource(&res, Access::Fullaccess)?;
            owner_for(&caller, &d)?
        }
        None => res.owner_id,
    };
    let fields = merge_fields(&res.custom_fields, array(&d, "RESOURCECUSTOMFIELD"))?;
    caller.write(|tx| edit(tx, &res, &d, owner, &fields))?;
    Ok(Reply::message(format!(
        "Resource {} modified successfully.",
        given_name.unwrap_or_default()
    )))
}

fn edit(
    tx: &Transaction<'_>,
    res: &Resource,
    d: &Map<String, Value>,
    owner: i64,
    fields: &[CustomField],
) -> Result<(), PmpError> {
    let name = nonblank(d, "RESOURCENAME").unwrap_or_else(|| res.name.clone());
    if store::resource_by_name(tx, &name)?.is_some_and(|other| other.id != res.id) {
        return Err(PmpError::failed(format!("Resource {name} already exists")));
    }
    let policy = match nonblank(d, "RESOURCEPASSWORDPOLICY") {
        Some(p) => policy_named(tx, Some(p))?,
        None => res.policy.clone(),
    };
    let or = |k: &str, old: &str| text(d, k).unwrap_or_else(|| old.to_owned());
    store::update_resource(
        tx,
        res.id,
        &NewResource {
            name: &name,
            description: &or("RESOURCEDESCRIPTION", &res.description),
            r#type: &or("RESOURCETYPE", &res.r#type),
            dns_name: &or("DNSNAME", &res.dns_name),
            domain_name: &or("DOMAINNAME", &res.domain_name),
            department: &or("DEPARTMENT", &res.department),
            location: &or("LOCATION", &res.location),
            url: &or("RESOURCEURL", &res.url),
            owner_id: owner,
            policy: &policy,
            group: None,
            fields,
        },
    )?;
    Ok(())
}

/// `DELETE /resources/{rid}` (`DELETE RESOURCE`).
pub async fn delete_resource(caller: ApiUser, rid: web::Path<String>) -> Result<Reply, PmpError> {
    let res = caller.resource(&rid)?;
    caller.need_resource(&res, Access::Fullaccess)?;
    caller.write(|tx| Ok(store::delete_resource(tx, res.id)?))?;
    Ok(Reply::message("Resources deleted successfully."))
}

/// Resource and account ids by name, both visible to the caller.
fn ids_by_name(caller: &ApiUser, rname: &str, aname: &str) -> Result<(i64, i64), PmpError> {
    let res = caller
        .read(|c| store::resource_by_name(c, rname.trim()))?
        .ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
    caller.note().resource = res.name.clone();
    allow(caller.read(|c| store::resource_visible(c, caller, res.owned()))?)?;
    let acc = caller
        .read(|c| store::account_by_name(c, res.id, aname.trim()))?
        .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
    caller.note().account = acc.name.clone();
    caller.need_account(&res, &acc, Access::View)?;
    Ok((res.id, acc.id))
}

/// `GET /resources/resourcename/{rname}/accounts/accountname/{aname}` (`GET_RESOURCEACCOUNTNAME`).
pub async fn get_ids_by_path(
    caller: ApiUser,
    names: web::Path<(String, String)>,
) -> Result<Reply, PmpError> {
    let (rid, aid) = ids_by_name(&caller, &names.0, &names.1)?;
    Ok(Reply::message(
        "Resource id and account id fetched successfully for the given resource name",
    )
    .details(json!({"RESOURCEID": rid.to_string(), "ACCOUNTID": aid.to_string()})))
}

/// `GET /resources/getResourceIdAccountId?RESOURCENAME=&ACCOUNTNAME=` (`GET_RESOURCEACCOUNTID`).
pub async fn get_ids_by_query(caller: ApiUser) -> Result<Reply, PmpError> {
    let d = caller.details()?;
    let get = |k: &str| {
        caller
            .param(k)
            .map(str::to_owned)
            .or_else(|| nonblank(&d, k))
    };
    let (Some(rname), Some(aname)) = (get("RESOURCENAME"), get("ACCOUNTNAME")) else {
        return Err(PmpError::failed(MSG_INVALID_INPUT));
    };
    let (rid, aid) = ids_by_name(&caller, &rname, &aname)?;
    Ok(Reply::message(
        "Resource ID and account ID fetched successfully for the given resource name and account name.",
    )
    .details(json!({"ACCOUNTID": aid.to_string(), "RESOURCEID": rid.to_string()})))
}

/// `GET /resources/resourcename/{rname}` (`GET_RESOURCEID`).
pub async fn get_resource_id(caller: ApiUser, rname: web::Path<String>) -> Result<Reply, PmpError> {
    let res = caller
        .read(|c| store::resource_by_name(c, rname.trim()))?
        .ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
    caller.note().resource = res.name.clone();
    allow(caller.read(|c| store::resource_visible(c, &caller, res.owned()))?)?;
    Ok(
        Reply::message("Resource ID fetched successfully for the given resource name.")
            .details(json!({"RESOURCEID": res.id.to_string()})),
    )
}

/// `GET /resources/resourcetypes`: the resource types in use in the vault.
pub async fn list_resource_types(caller: ApiUser) -> Result<Reply, PmpError> {
    let types = caller.read(store::resource_types)?;
    let rows: Vec<Value> = types
        .iter()
        .map(|t| json!({ "RESOURCETYPE NAME": t }))
        .collect();
    let total = rows.len();
    Ok(Reply::message("Resource types fetched successfully")
        .details(Value::Array(rows))
        .rows(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_list_serialises_as_the_json_values_did() {
        let row = |id: i64, name: &str, accounts: i64| store::ResourceRow {
            id,
            name: name.into(),
            description: "a \"quoted\" \u{e9}\\ desc".into(),
            r#type: "Windows".into(),
            accounts,
            dns_name: String::new(),
            department: String::new(),
            location: String::new(),
        };
        let rows = vec![row(303, "MSSQLServer", 2), row(1_000_000, "b\u{1}", 0)];
        let old: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "RESOURCE ID": r.id.to_string(),
                    "RESOURCE NAME": r.name,
                    "RESOURCE DESCRIPTION": r.description,
                    "RESOURCE TYPE": r.r#type,
                    "NOOFACCOUNTS": r.accounts.to_string(),
                })
            })
            .collect();
        let reply = Reply::message("Resources fetched successfully").rows(rows.len());
        let before = reply.details(Value::Array(old)).to_bytes("GET RESOURCES");
        let reply = Reply::message("Resources fetched successfully").rows(rows.len());
        let after = reply
            .details_json(resource_list_json(&rows))
            .to_bytes("GET RESOURCES");
        assert_eq!(
            String::from_utf8(after).unwrap(),
            String::from_utf8(before).unwrap()
        );
    }
}
