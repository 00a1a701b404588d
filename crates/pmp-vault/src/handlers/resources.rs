//! Resources: list (S0 #1), create (#6), edit (#16), delete (#8), id lookups by name (#7a,
//! #7b, #7c) and resource types (spec §4 extras).

use super::accounts::merge_fields;
use super::{allow, run, Ctx};
use crate::error::{PmpError, Reply, MSG_INVALID_INPUT, MSG_NO_ACCOUNT, MSG_NO_RESOURCE};
use crate::input::{self, nonblank, text};
use crate::state::{fields_json, Access, Role};
use crate::store::{self, Resource};
use crate::Pmp;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::Inst;
use rusqlite::{params, Transaction};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// `GET /restapi/json/v1/resources`: owned and shared resources (`GET RESOURCES`).
pub async fn list_resources(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "GET RESOURCES", list).await
}

fn list(ctx: &mut Ctx<'_>) -> Result<Reply, PmpError> {
    let d = ctx.details()?;
    let mut rows = ctx.read(|c| store::list_resources(c, &ctx.caller))?;
    if let Some(value) = nonblank(&d, "SEARCHVALUE") {
        let column = nonblank(&d, "SEARCHCOLUMN").unwrap_or_else(|| "RESOURCENAME".into());
        let needle = value.to_lowercase();
        let hit = |text: &str| text.to_lowercase().contains(&needle);
        let mut kept = Vec::new();
        for row in rows {
            let matched = match column.to_ascii_uppercase().as_str() {
                "RESOURCENAME" => hit(&row.name),
                "RESOURCETYPE" => hit(&row.r#type),
                "RESOURCEDESCRIPTION" | "DESCRIPTION" => hit(&row.description),
                "DNSNAME" => hit(&row.dns_name),
                "DEPARTMENT" => hit(&row.department),
                "LOCATION" => hit(&row.location),
                "ACCOUNTNAME" => ctx
                    .read(|c| store::visible_accounts(c, &ctx.caller, row.id))?
                    .iter()
                    .any(|a| hit(&a.name)),
                _ => return Err(PmpError::failed(format!("Invalid search column {column}"))),
            };
            if matched {
                kept.push(row);
            }
        }
        rows = kept;
    }
    let reply = Reply::message("Resources fetched successfully").rows(rows.len());
    if rows.is_empty() {
        return Ok(reply);
    }
    Ok(reply.details_json(resource_list_json(&rows)))
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

/// `POST /resources` (`CREATE RESOURCE`), with an optional multipart file.
pub async fn create_resource(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
) -> HttpResponse {
    run(inst, req, body, "CREATE RESOURCE", create).await
}

fn create(ctx: &mut Ctx<'_>) -> Result<Reply, PmpError> {
    let d = ctx.input.require_details()?;
    allow(ctx.caller.role != Role::PasswordAuditor)?;
    let missing: Vec<&str> = MANDATORY
        .into_iter()
        .filter(|k| text(&d, k).is_none_or(|v| v.trim().is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(PmpError::failed(format!(
            "Mandatory field(s) missing: {}",
            missing.join(", ")
        )));
    }
    let name = nonblank(&d, "RESOURCENAME").unwrap_or_default();
    ctx.audit.resource = name.clone();
    ctx.audit.account = nonblank(&d, "ACCOUNTNAME").unwrap_or_default();
    let owner = owner_for(ctx, &d)?;
    let res_fields = merge_fields(&[], input::array(&d, "RESOURCECUSTOMFIELD"))?;
    let acc_fields = merge_fields(&[], input::array(&d, "ACCOUNTCUSTOMFIELD"))?;
    let file = ctx.input.file.clone();
    let now = ctx.now_ms();
    ctx.write(|tx| {
        if store::resource_by_name(tx, &name)?.is_some() {
            return Err(PmpError::failed(format!("Resource {name} already exists")));
        }
        let res_policy = policy_named(tx, nonblank(&d, "RESOURCEPASSWORDPOLICY"))?;
        let acc_policy = policy_named(tx, nonblank(&d, "ACCOUNTPASSWORDPOLICY").or(Some(res_policy.clone())))?;
        let policy = store::policy(tx, &acc_policy)?
            .ok_or_else(|| PmpError::failed(format!("Password policy {acc_policy} does not exist")))?;
        if let Some(reason) = crate::rules::violation(&policy, &text(&d, "PASSWORD").unwrap_or_default()) {
            return Err(PmpError::failed(super::accounts::policy_message(&policy.name, &reason)));
        }
        let group = nonblank(&d, "RESOURCEGROUPNAME");
        let group = match group {
            Some(g) => Some(ensure_group(tx, &g)?),
            None => None,
        };
        let f = |k: &str| text(&d, k).unwrap_or_default();
        tx.execute(
            "INSERT INTO resources (name, description, type, dns_name, domain_name, department, location,
               url, owner_id, password_policy, group_name, custom_fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                name, f("RESOURCEDESCRIPTION"), f("RESOURCETYPE").trim(), f("DNSNAME"), f("DOMAINNAME"),
                f("DEPARTMENT"), f("LOCATION"), f("RESOURCEURL"), owner, res_policy, group,
                fields_json(&res_fields)
            ],
        )?;
        let rid = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO accounts (resource_id, name, password, notes, password_policy, custom_fields,
               last_modified, file_name, file_data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                rid, f("ACCOUNTNAME").trim(), f("PASSWORD"), f("NOTES"), acc_policy,
                fields_json(&acc_fields), now, file.as_ref().map(|u| u.name.clone()),
                file.as_ref().map(|u| u.bytes.clone())
            ],
        )?;
        Ok(())
    })?;
    Ok(Reply::message(format!(
        "Resource {name} has been added successfully"
    )))
}

/// The owner of a new resource: the caller, or OWNERNAME (administrators only).
fn owner_for(ctx: &Ctx<'_>, d: &Map<String, Value>) -> Result<i64, PmpError> {
    let Some(owner) = nonblank(d, "OWNERNAME") else {
        return Ok(ctx.caller.id);
    };
    let found = ctx.read(|c| store::user_by_name(c, &owner))?;
    let Some((id, _)) = found else {
        return Err(PmpError::failed(format!("User {owner} does not exist")));
    };
    if id != ctx.caller.id {
        allow(ctx.caller.is_admin())?;
    }
    Ok(id)
}

fn policy_named(tx: &Transaction<'_>, name: Option<String>) -> Result<String, PmpError> {
    let name = name.unwrap_or_else(|| "Strong".into());
    store::policy(tx, &name)?
        .map(|p| p.name)
        .ok_or_else(|| PmpError::failed(format!("Password policy {name} does not exist")))
}

/// The stored name of group `name`, created on demand.
fn ensure_group(tx: &Transaction<'_>, name: &str) -> Result<String, PmpError> {
    tx.execute(
        "INSERT OR IGNORE INTO resource_groups (name) VALUES (?1)",
        [name],
    )?;
    Ok(tx.query_row(
        "SELECT name FROM resource_groups WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?)
}

/// `PUT /resources/{rid}` (`EDIT RESOURCE`).
pub async fn edit_resource(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    rid: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "EDIT RESOURCE", |ctx| {
        let res = ctx.resource(&rid)?;
        let d = ctx.input.require_details()?;
        ctx.need_resource(&res, Access::Modify)?;
        let given_name = nonblank(&d, "RESOURCENAME");
        let owner = match nonblank(&d, "OWNERNAME") {
            Some(_) => {
                ctx.need_resource(&res, Access::Fullaccess)?;
                owner_for(ctx, &d)?
            }
            None => res.owner_id,
        };
        let fields = merge_fields(&res.custom_fields, input::array(&d, "RESOURCECUSTOMFIELD"))?;
        ctx.write(|tx| edit(tx, &res, &d, owner, &fields))?;
        Ok(Reply::message(format!(
            "Resource {} modified successfully.",
            given_name.unwrap_or_default()
        )))
    })
    .await
}

fn edit(
    tx: &Transaction<'_>,
    res: &Resource,
    d: &Map<String, Value>,
    owner: i64,
    fields: &[crate::state::CustomField],
) -> Result<(), PmpError> {
    let name = nonblank(d, "RESOURCENAME").unwrap_or_else(|| res.name.clone());
    if let Some(other) = store::resource_by_name(tx, &name)? {
        if other.id != res.id {
            return Err(PmpError::failed(format!("Resource {name} already exists")));
        }
    }
    let policy = match nonblank(d, "RESOURCEPASSWORDPOLICY") {
        Some(p) => policy_named(tx, Some(p))?,
        None => res.policy.clone(),
    };
    let or = |k: &str, old: &str| text(d, k).unwrap_or_else(|| old.to_owned());
    tx.execute(
        "UPDATE resources SET name = ?2, type = ?3, description = ?4, dns_name = ?5, department = ?6,
           location = ?7, url = ?8, password_policy = ?9, owner_id = ?10, custom_fields = ?11,
           domain_name = ?12 WHERE id = ?1",
        params![
            res.id, name, or("RESOURCETYPE", &res.r#type), or("RESOURCEDESCRIPTION", &res.description),
            or("DNSNAME", &res.dns_name), or("DEPARTMENT", &res.department),
            or("LOCATION", &res.location), or("RESOURCEURL", &res.url), policy, owner,
            fields_json(fields), or("DOMAINNAME", &res.domain_name)
        ],
    )?;
    Ok(())
}

/// `DELETE /resources/{rid}` (`DELETE RESOURCE`).
pub async fn delete_resource(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    rid: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "DELETE RESOURCE", |ctx| {
        let res = ctx.resource(&rid)?;
        ctx.need_resource(&res, Access::Fullaccess)?;
        ctx.write(|tx| {
            tx.execute("DELETE FROM resources WHERE id = ?1", [res.id])?;
            Ok(())
        })?;
        Ok(Reply::message("Resources deleted successfully."))
    })
    .await
}

/// Resource and account ids by name, both visible to the caller.
fn ids_by_name(ctx: &mut Ctx<'_>, rname: &str, aname: &str) -> Result<(i64, i64), PmpError> {
    let res = ctx
        .read(|c| store::resource_by_name(c, rname.trim()))?
        .ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
    ctx.audit.resource = res.name.clone();
    allow(ctx.read(|c| store::resource_visible(c, &ctx.caller, &res))?)?;
    let acc = ctx
        .read(|c| store::account_by_name(c, res.id, aname.trim()))?
        .ok_or_else(|| PmpError::failed(MSG_NO_ACCOUNT))?;
    ctx.audit.account = acc.name.clone();
    ctx.need_account(&res, &acc, Access::View)?;
    Ok((res.id, acc.id))
}

/// `GET /resources/resourcename/{rname}/accounts/accountname/{aname}` (`GET_RESOURCEACCOUNTNAME`).
pub async fn ids_by_path_names(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    names: web::Path<(String, String)>,
) -> HttpResponse {
    run(inst, req, body, "GET_RESOURCEACCOUNTNAME", |ctx| {
        let (rid, aid) = ids_by_name(ctx, &names.0, &names.1)?;
        Ok(Reply::message(
            "Resource id and account id fetched successfully for the given resource name",
        )
        .details(json!({"RESOURCEID": rid.to_string(), "ACCOUNTID": aid.to_string()})))
    })
    .await
}

/// `GET /resources/getResourceIdAccountId?RESOURCENAME=&ACCOUNTNAME=` (`GET_RESOURCEACCOUNTID`).
pub async fn ids_by_query_names(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
) -> HttpResponse {
    run(inst, req, body, "GET_RESOURCEACCOUNTID", |ctx| {
        let d = ctx.details()?;
        let get = |k: &str| ctx.input.param(k).map(str::to_owned).or_else(|| nonblank(&d, k));
        let (Some(rname), Some(aname)) = (get("RESOURCENAME"), get("ACCOUNTNAME")) else {
            return Err(PmpError::failed(MSG_INVALID_INPUT));
        };
        let (rid, aid) = ids_by_name(ctx, &rname, &aname)?;
        Ok(Reply::message(
            "Resource ID and account ID fetched successfully for the given resource name and account name.",
        )
        .details(json!({"ACCOUNTID": aid.to_string(), "RESOURCEID": rid.to_string()})))
    })
    .await
}

/// `GET /resources/resourcename/{rname}` (`GET_RESOURCEID`).
pub async fn id_by_name(
    inst: Inst<Pmp>,
    req: HttpRequest,
    body: web::Payload,
    rname: web::Path<String>,
) -> HttpResponse {
    run(inst, req, body, "GET_RESOURCEID", |ctx| {
        let res = ctx
            .read(|c| store::resource_by_name(c, rname.trim()))?
            .ok_or_else(|| PmpError::failed(MSG_NO_RESOURCE))?;
        ctx.audit.resource = res.name.clone();
        allow(ctx.read(|c| store::resource_visible(c, &ctx.caller, &res))?)?;
        Ok(
            Reply::message("Resource ID fetched successfully for the given resource name.")
                .details(json!({"RESOURCEID": res.id.to_string()})),
        )
    })
    .await
}

/// `GET /resources/resourcetypes`: the resource types in use in the vault.
pub async fn resource_types(inst: Inst<Pmp>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    run(inst, req, body, "GET RESOURCETYPES", |ctx| {
        let types: Vec<String> = ctx.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT type FROM resources WHERE type <> '' ORDER BY type COLLATE NOCASE",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        })?;
        let rows: Vec<Value> = types
            .iter()
            .map(|t| json!({ "RESOURCETYPE NAME": t }))
            .collect();
        let total = rows.len();
        Ok(Reply::message("Resource types fetched successfully")
            .details(Value::Array(rows))
            .rows(total))
    })
    .await
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
