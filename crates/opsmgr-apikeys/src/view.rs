//! Entities as Ops Manager writes them (spec §5), with their `self` links.

use crate::model::{entry_segment, redact, Role};
use crate::store::{AccessRow, KeyRow, OrgRow, ProjectRow};
use crate::wire::{self_link, BASE};
use serde_json::{json, Map, Value};

/// A role object: exactly one of `orgId`/`groupId`, plus `roleName`.
pub fn role(role: &Role) -> Value {
    let mut out = Map::new();
    if let Some(org) = &role.org_id {
        out.insert("orgId".into(), json!(org));
    }
    if let Some(group) = &role.group_id {
        out.insert("groupId".into(), json!(group));
    }
    out.insert("roleName".into(), json!(role.name));
    Value::Object(out)
}

/// The URL of a key (always under its org, even in `/groups/…` answers).
pub fn key_href(central: &str, key: &KeyRow) -> String {
    format!("{central}{BASE}/orgs/{}/apiKeys/{}", key.org_id, key.id)
}

/// An API key; the private key in full only when `reveal` (the creating response).
pub fn api_key(central: &str, key: &KeyRow, roles: &[Role], reveal: bool) -> Value {
    json!({
        "desc": key.desc,
        "id": key.id,
        "links": [self_link(key_href(central, key))],
        "privateKey": if reveal { key.private_key.clone() } else { redact(&key.private_key) },
        "publicKey": key.public_key,
        "roles": roles.iter().map(role).collect::<Vec<_>>(),
    })
}

/// An access-list entry of a key (or user) whose base URL is `base_href`
/// (`…/apiKeys/{ID}/accessList`); `get_one` adds the link back to the key.
pub fn access_entry(base_href: &str, key_href: Option<&str>, entry: &AccessRow) -> Value {
    let mut links = vec![self_link(format!(
        "{base_href}/{}",
        entry_segment(&entry.cidr_block)
    ))];
    if let Some(href) = key_href {
        links.push(json!({"href": href, "rel": "http://mms.mongodb.com/apiKeys"}));
    }
    let mut out = Map::new();
    out.insert("cidrBlock".into(), json!(entry.cidr_block));
    out.insert("count".into(), json!(entry.count));
    out.insert("created".into(), json!(entry.created));
    out.insert("ipAddress".into(), json!(entry.ip_address));
    if let Some(t) = &entry.last_used {
        out.insert("lastUsed".into(), json!(t));
    }
    if let Some(a) = &entry.last_used_address {
        out.insert("lastUsedAddress".into(), json!(a));
    }
    out.insert("links".into(), Value::Array(links));
    Value::Object(out)
}

/// An organization.
pub fn org(central: &str, org: &OrgRow) -> Value {
    json!({
        "id": org.id,
        "isDeleted": org.is_deleted,
        "links": [self_link(format!("{central}{BASE}/orgs/{}", org.id))],
        "name": org.name,
    })
}

/// A project.
pub fn project(central: &str, p: &ProjectRow) -> Value {
    json!({
        "activeAgentCount": 0,
        "agentApiKey": p.agent_api_key,
        "created": p.created,
        "hostCounts": {"arbiter": 0, "config": 0, "master": 0, "mongos": 0, "primary": 0, "secondary": 0, "slave": 0},
        "id": p.id,
        "links": [self_link(format!("{central}{BASE}/groups/{}", p.id))],
        "name": p.name,
        "orgId": p.org_id,
        "publicApiEnabled": true,
        "replicaSetCount": 0,
        "shardCount": 0,
        "tags": p.tags,
    })
}
