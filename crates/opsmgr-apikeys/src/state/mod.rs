//! The state document (fixtures, `PUT/GET /_standin/state`): its types, validation naming
//! the bad field, and the load/dump that round-trip through the store.

use crate::model::{self, Address, RoleKind};
use auth_core::{parse_state, StateError, StoreError};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

mod stream;

/// The whole state.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StateDoc {
    /// Organizations.
    pub orgs: Vec<OrgDoc>,
    /// Projects (groups).
    pub projects: Vec<ProjectDoc>,
    /// Programmatic API keys.
    pub api_keys: Vec<KeyDoc>,
    /// Users with a legacy personal API key.
    #[serde(default)]
    pub users: Vec<UserDoc>,
    /// Monitored clusters: replica sets, sharded clusters and their shards.
    #[serde(default)]
    pub clusters: Vec<ClusterDoc>,
    /// Monitored hosts (mongod and mongos processes).
    #[serde(default)]
    pub hosts: Vec<HostDoc>,
    /// Alert configurations of projects.
    #[serde(default)]
    pub alert_configs: Vec<AlertConfigDoc>,
    /// Alerts of projects.
    #[serde(default)]
    pub alerts: Vec<AlertDoc>,
    /// Org and project events.
    #[serde(default)]
    pub events: Vec<EventDoc>,
    /// Global programmatic API keys.
    #[serde(default)]
    pub global_api_keys: Vec<GlobalKeyDoc>,
    /// The global API access list.
    #[serde(default)]
    pub global_access_list: Vec<GlobalAccessDoc>,
    /// Teams of orgs.
    #[serde(default)]
    pub teams: Vec<TeamDoc>,
}

/// A team of an org and its members.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TeamDoc {
    /// ObjectId.
    pub id: String,
    /// Its org.
    pub org_id: String,
    /// Name, unique in the org.
    pub name: String,
    /// Members (user ids).
    #[serde(default)]
    pub user_ids: Vec<String>,
    /// The team's roles on projects of its org (`groupId` and a project `roleName`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleDoc>,
}

/// A global programmatic API key: global roles only.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GlobalKeyDoc {
    /// ObjectId.
    pub id: String,
    /// Description.
    pub desc: String,
    /// 8 lowercase letters, unique among all keys.
    pub public_key: String,
    /// The secret.
    pub private_key: String,
    /// `GLOBAL_*` roles.
    pub roles: Vec<RoleDoc>,
}

/// An entry of the global API access list.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GlobalAccessDoc {
    /// ObjectId.
    pub id: String,
    /// The block, canonical.
    pub cidr_block: String,
    /// What it is for.
    pub description: String,
    /// Added at, ISO-8601 UTC.
    pub created: String,
    /// Last changed at, ISO-8601 UTC.
    pub updated: String,
}

/// An alert configuration ("Get All Alert Configurations for One Project"); `matchers`,
/// `notifications` and `metricThreshold` are kept as given.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlertConfigDoc {
    /// ObjectId.
    pub id: String,
    /// The project.
    pub group_id: String,
    /// What it watches, e.g. `OUTSIDE_METRIC_THRESHOLD`, `HOST_DOWN`.
    pub event_type_name: String,
    /// Whether it is on.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Created, ISO-8601 UTC.
    pub created: String,
    /// Updated, ISO-8601 UTC.
    pub updated: String,
    /// Which targets it applies to.
    #[serde(default)]
    pub matchers: Vec<Value>,
    /// Who is told.
    #[serde(default)]
    pub notifications: Vec<Value>,
    /// The threshold of a metric alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_threshold: Option<Value>,
}

fn yes() -> bool {
    true
}

/// An alert ("Get All Alerts"), with the fields the clients read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlertDoc {
    /// ObjectId.
    pub id: String,
    /// The project.
    pub group_id: String,
    /// The configuration that raised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_config_id: Option<String>,
    /// The event type, e.g. `OUTSIDE_METRIC_THRESHOLD`.
    pub event_type_name: String,
    /// `OPEN`, `CLOSED`, `TRACKING` or `CANCELLED`.
    pub status: String,
    /// Created, ISO-8601 UTC.
    pub created: String,
    /// Updated, ISO-8601 UTC.
    pub updated: String,
    /// When it closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// Acknowledged until.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_until: Option<String>,
    /// The acknowledgement's comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement_comment: Option<String>,
    /// Who acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledging_username: Option<String>,
    /// Cluster name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// Replica set name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_set_name: Option<String>,
    /// Host id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_id: Option<String>,
    /// `hostname:port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_and_port: Option<String>,
    /// The metric of a metric alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    /// `{"number", "units"}` of a metric alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_value: Option<Value>,
}

/// An org or project event ("Events").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventDoc {
    /// ObjectId.
    pub id: String,
    /// When, ISO-8601 UTC.
    pub created: String,
    /// e.g. `JOINED_GROUP`, `API_KEY_CREATED`, `HOST_DOWN`.
    pub event_type_name: String,
    /// The org of an org event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// The project of a project event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// The acting user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Its username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The acting key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Where the call came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_address: Option<String>,
    /// The key concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_id: Option<String>,
    /// The cluster concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// The host concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The alert concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_id: Option<String>,
    /// The alert configuration concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_config_id: Option<String>,
    /// Replica set name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_set_name: Option<String>,
}

/// The alert statuses "Get All Alerts" documents.
pub const ALERT_STATUSES: [&str; 4] = ["OPEN", "CLOSED", "TRACKING", "CANCELLED"];

/// A cluster as "Get All Clusters in One Project" shows it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterDoc {
    /// ObjectId.
    pub id: String,
    /// The project.
    pub group_id: String,
    /// Display name; a sharded cluster's shards carry the sharded cluster's name.
    pub cluster_name: String,
    /// `REPLICA_SET`, `SHARDED_REPLICA_SET` or `CONFIG_SERVER_REPLICA_SET`.
    pub type_name: String,
    /// The replica set, for replica sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_set_name: Option<String>,
    /// The shard, for a shard's replica set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_name: Option<String>,
    /// Last ping of a member, ISO-8601 UTC.
    pub last_heartbeat: String,
}

/// A host as "Get All Hosts" shows it (the fields the clients read).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HostDoc {
    /// ObjectId-like id (Ops Manager host ids are 32 hex digits).
    pub id: String,
    /// The project.
    pub group_id: String,
    /// The replica set (or sharded cluster, for mongos) it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// Host name.
    pub hostname: String,
    /// Port.
    pub port: u16,
    /// `REPLICA_PRIMARY`, `REPLICA_SECONDARY`, `SHARD_MONGOS`, `SHARD_CONFIG`, ...
    pub type_name: String,
    /// Replica set name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_set_name: Option<String>,
    /// `PRIMARY`, `SECONDARY`, `ARBITER`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_state_name: Option<String>,
    /// Shard name, for shard members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_name: Option<String>,
    /// MongoDB version.
    pub version: String,
    /// When monitoring began, ISO-8601 UTC.
    pub created: String,
    /// Disk partitions (names).
    #[serde(default)]
    pub disks: Vec<String>,
    /// Databases (names).
    #[serde(default)]
    pub databases: Vec<String>,
}

/// An organization.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrgDoc {
    /// ObjectId.
    pub id: String,
    /// Name.
    pub name: String,
    /// Deleted flag.
    #[serde(default)]
    pub is_deleted: bool,
}

/// A project.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProjectDoc {
    /// ObjectId.
    pub id: String,
    /// Name (unique).
    pub name: String,
    /// Owning organization.
    pub org_id: String,
    /// The agent API key shown in the project.
    pub agent_api_key: String,
    /// Creation time, ISO-8601 UTC.
    pub created: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A role of a key or user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleDoc {
    /// Organization of an org role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Project of a project role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Role name.
    pub role_name: String,
}

/// An access-list entry.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessDoc {
    /// The block.
    pub cidr_block: String,
    /// The single address, when added by `ipAddress`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// Requests seen from it.
    #[serde(default)]
    pub count: u64,
    /// When it was added.
    pub created: String,
    /// Last use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<String>,
    /// Address of the last use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_address: Option<String>,
}

/// A programmatic API key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KeyDoc {
    /// ObjectId.
    pub id: String,
    /// Owning organization.
    pub org_id: String,
    /// Description.
    pub desc: String,
    /// 8 lowercase letters.
    pub public_key: String,
    /// The secret, as given.
    pub private_key: String,
    /// Org and project roles.
    pub roles: Vec<RoleDoc>,
    /// Access list.
    #[serde(default)]
    pub access_list: Vec<AccessDoc>,
}

/// A user with a legacy personal API key.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserDoc {
    /// ObjectId.
    pub id: String,
    /// Username (Digest username).
    pub username: String,
    /// Personal API key (Digest password).
    pub api_key: String,
    /// Org, project and global roles.
    pub roles: Vec<RoleDoc>,
    /// The user's API access list.
    #[serde(default)]
    pub access_list: Vec<AccessDoc>,
    /// E-mail address (default: the username).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub first_name: String,
    /// Last name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_name: String,
}

/// The cluster types "Get All Clusters in One Project" documents.
pub const CLUSTER_TYPES: [&str; 3] = [
    "REPLICA_SET",
    "SHARDED_REPLICA_SET",
    "CONFIG_SERVER_REPLICA_SET",
];

/// The ids a load has seen, packed: ObjectIds (24 lowercase hex digits) and host ids (32).
/// Owned, so a streamed load can keep them after the records they came from are gone.
#[derive(Default)]
struct Ids {
    objects: HashSet<[u8; 12]>,
    hosts: HashSet<[u8; 16]>,
}

impl Ids {
    fn with_capacity(n: usize) -> Self {
        Ids {
            objects: HashSet::with_capacity(n),
            hosts: HashSet::new(),
        }
    }

    /// Record a host id; `false` when it is not 32 lowercase hex digits or was seen.
    fn host(&mut self, id: &str) -> bool {
        packed::<16>(id).is_some_and(|bytes| self.hosts.insert(bytes))
    }
}

/// The bytes of lowercase hex text of exactly `2 * N` digits.
fn packed<const N: usize>(hex: &str) -> Option<[u8; N]> {
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let text = hex.as_bytes();
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

fn check_id(field: impl FnOnce() -> String, id: &str, seen: &mut Ids) -> Result<(), StateError> {
    let Some(bytes) = packed::<12>(id) else {
        return Err(StateError::invalid(
            field(),
            "must be 24 lowercase hex digits",
        ));
    };
    if !seen.objects.insert(bytes) {
        return Err(StateError::invalid(field(), "duplicate id"));
    }
    Ok(())
}

fn check_time(field: impl FnOnce() -> String, text: &str) -> Result<(), StateError> {
    match auth_core::clock::parse_rfc3339_ms(text) {
        Some(_) => Ok(()),
        None => Err(StateError::invalid(
            field(),
            "must be an ISO-8601 UTC date-time",
        )),
    }
}

/// Validate `doc` and write it into the (empty) store, with one cached statement per table
/// (field names in errors are only formatted when there is an error).
///
/// # Errors
/// [`StateError::Invalid`] naming the first bad field.
pub fn load(tx: &Transaction<'_>, doc: &Value) -> Result<(), StateError> {
    // Only a bad document pays for tracking the path that names the bad field.
    let state = match StateDoc::deserialize(doc) {
        Ok(state) => state,
        Err(_) => parse_state::<StateDoc>(doc)?,
    };
    write(tx, &state)
}

/// [`load`] from the document's JSON text, read as a stream ([`stream`]: the API keys are
/// checked and inserted a chunk at a time as they are parsed; no `Value` of the document, no
/// `Vec` of its keys); `Ok(false)` when it is refused, so the caller rolls back and reads it
/// through [`load`] for the message naming the field.
///
/// # Errors
/// [`StateError::Invalid`] naming the first bad field.
pub fn load_json(tx: &Transaction<'_>, json: &[u8]) -> Result<bool, StateError> {
    stream::load(tx, json)
}

/// The insert triggers (`insert_triggers.sql`), dropped for the bulk inserts of a load and
/// created again after it, in the load's transaction.
const INSERT_TRIGGERS: &str = include_str!("../insert_triggers.sql");

/// Validate a typed document and write it into the (empty) store. The counting triggers on
/// `api_key` and `grant_role` are dropped first and created again at the end, in the same
/// transaction, with the counts they keep written once: a table with an `INSERT` trigger
/// makes SQLite keep a statement journal for every insert into it (it could abort after
/// the trigger wrote), which once past 64 KiB is a temporary file, two `pwrite`s per page
/// each insert touched (19 per key at 10^5 keys: most of the seeding time).
fn write(tx: &Transaction<'_>, state: &StateDoc) -> Result<(), StateError> {
    with_counts(tx, || write_records(tx, state).map(|()| true)).map(drop)
}

/// Run `body` (the inserts of a load) with the counting triggers dropped, then, when it
/// answers `true` (the load is kept), write the counts and create the triggers again; a load
/// answering `false` is rolled back, triggers included, so nothing is counted for it.
fn with_counts(
    tx: &Transaction<'_>,
    body: impl FnOnce() -> Result<bool, StateError>,
) -> Result<bool, StateError> {
    tx.execute_batch(
        "DROP TRIGGER IF EXISTS api_key_count_insert; \
         DROP TRIGGER IF EXISTS grant_role_project_insert;",
    )?;
    if !body()? {
        return Ok(false);
    }
    tx.execute_batch(
        "DELETE FROM org_key_count; \
         INSERT INTO org_key_count (org_id, n) SELECT org_id, COUNT(*) FROM api_key GROUP BY org_id; \
         DELETE FROM project_key; \
         INSERT INTO project_key (group_id, key_seq, roles) \
             SELECT g.group_id, k.seq, COUNT(*) FROM grant_role g JOIN api_key k ON k.id = g.holder \
             WHERE g.group_id IS NOT NULL GROUP BY g.group_id, k.seq;",
    )?;
    tx.execute_batch(INSERT_TRIGGERS)?;
    Ok(true)
}

/// Validate a typed document and write it, one cached statement per table.
fn write_records(tx: &Transaction<'_>, state: &StateDoc) -> Result<(), StateError> {
    // Every id of the document lands in `ids`: sized once instead of rehashed as it grows.
    let mut ids = Ids::with_capacity(
        state.orgs.len()
            + state.projects.len()
            + state.api_keys.len()
            + state.global_api_keys.len()
            + state.global_access_list.len()
            + state.users.len(),
    );
    let parents = write_parents(tx, &state.orgs, &state.projects, &mut ids)?;
    let mut public_keys =
        HashSet::with_capacity(state.api_keys.len() + state.global_api_keys.len());
    write_keys(tx, &state.api_keys, 0, &parents, &mut ids, &mut public_keys)?;
    write_rest(tx, state, &parents, &mut ids, &mut public_keys)
}

/// The orgs and projects of a load, by id (a project's value is its org).
struct Parents<'a> {
    orgs: HashSet<&'a str>,
    projects: HashMap<&'a str, &'a str>,
}

/// Check and write the orgs and projects.
fn write_parents<'a>(
    tx: &Transaction<'_>,
    org_docs: &'a [OrgDoc],
    project_docs: &'a [ProjectDoc],
    ids: &mut Ids,
) -> Result<Parents<'a>, StateError> {
    let mut orgs = HashSet::new();
    let mut insert =
        tx.prepare_cached("INSERT INTO org (id, name, is_deleted) VALUES (?1, ?2, ?3)")?;
    for (i, org) in org_docs.iter().enumerate() {
        check_id(|| format!("orgs[{i}].id"), &org.id, ids)?;
        if org.name.trim().is_empty() {
            return Err(StateError::invalid(
                format!("orgs[{i}].name"),
                "must not be empty",
            ));
        }
        orgs.insert(org.id.as_str());
        insert.execute(params![org.id, org.name, org.is_deleted])?;
    }
    let mut projects: HashMap<&str, &str> = HashMap::new();
    let mut names = HashSet::new();
    let mut insert = tx.prepare_cached(
        "INSERT INTO project (id, org_id, name, agent_api_key, created, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, p) in project_docs.iter().enumerate() {
        check_id(|| format!("projects[{i}].id"), &p.id, ids)?;
        if p.name.trim().is_empty() || !names.insert(p.name.as_str()) {
            return Err(StateError::invalid(
                format!("projects[{i}].name"),
                "must be non-empty and unique",
            ));
        }
        if !orgs.contains(p.org_id.as_str()) {
            return Err(StateError::invalid(
                format!("projects[{i}].orgId"),
                "no such org",
            ));
        }
        check_time(|| format!("projects[{i}].created"), &p.created)?;
        let tags = serde_json::to_string(&p.tags)
            .map_err(|e| StateError::invalid(format!("projects[{i}].tags"), e.to_string()))?;
        insert.execute(params![
            p.id,
            p.org_id,
            p.name,
            p.agent_api_key,
            p.created,
            tags
        ])?;
        projects.insert(p.id.as_str(), p.org_id.as_str());
    }
    Ok(Parents { orgs, projects })
}

/// Check and write `keys`, the API keys of the document from its `first`th on, with their
/// roles and access lists (`public_keys`: those of the keys before).
fn write_keys(
    tx: &Transaction<'_>,
    keys: &[KeyDoc],
    first: usize,
    parents: &Parents<'_>,
    ids: &mut Ids,
    public_keys: &mut HashSet<[u8; 8]>,
) -> Result<(), StateError> {
    let mut insert = Batched::new(
        tx,
        "api_key (id, org_id, descr, public_key, private_key)",
        5,
    )?;
    let (orgs, projects) = (&parents.orgs, &parents.projects);
    let mut rows = Rows::new(tx)?;
    for (i, key) in keys.iter().enumerate() {
        let at = || format!("apiKeys[{}]", first + i);
        check_id(|| format!("{}.id", at()), &key.id, ids)?;
        if !orgs.contains(key.org_id.as_str()) {
            return Err(StateError::invalid(
                format!("{}.orgId", at()),
                "no such org",
            ));
        }
        let desc_len = key.desc.chars().count();
        if !(1..=250).contains(&desc_len) {
            return Err(StateError::invalid(
                format!("{}.desc", at()),
                "must be 1 to 250 characters",
            ));
        }
        if !new_public_key(&key.public_key, public_keys) {
            return Err(StateError::invalid(
                format!("{}.publicKey", at()),
                "must be 8 lowercase letters, unique",
            ));
        }
        if key.private_key.is_empty() {
            return Err(StateError::invalid(
                format!("{}.privateKey", at()),
                "must not be empty",
            ));
        }
        insert.push([
            text(&key.id),
            text(&key.org_id),
            text(&key.desc),
            text(&key.public_key),
            text(&key.private_key),
        ])?;
        rows.roles(&at, &key.id, &key.roles, Some(&key.org_id), orgs, projects)?;
        rows.access(&at, &key.id, &key.access_list)?;
    }
    insert.finish()?;
    rows.finish()?;
    Ok(())
}

/// Whether `key` is a public key not seen before (recorded if so).
fn new_public_key(key: &str, seen: &mut HashSet<[u8; 8]>) -> bool {
    model::is_public_key(key)
        && <[u8; 8]>::try_from(key.as_bytes()).is_ok_and(|bytes| seen.insert(bytes))
}

/// Check and write the rest: global keys and access list, users, deployments, teams.
fn write_rest(
    tx: &Transaction<'_>,
    state: &StateDoc,
    parents: &Parents<'_>,
    ids: &mut Ids,
    public_keys: &mut HashSet<[u8; 8]>,
) -> Result<(), StateError> {
    let (orgs, projects) = (&parents.orgs, &parents.projects);
    let mut rows = Rows::new(tx)?;
    for (i, key) in state.global_api_keys.iter().enumerate() {
        let at = |f: &str| format!("globalApiKeys[{i}].{f}");
        check_id(|| at("id"), &key.id, ids)?;
        if !(1..=250).contains(&key.desc.chars().count()) {
            return Err(StateError::invalid(
                at("desc"),
                "must be 1 to 250 characters",
            ));
        }
        if !new_public_key(&key.public_key, public_keys) {
            return Err(StateError::invalid(
                at("publicKey"),
                "must be 8 lowercase letters, unique among all keys",
            ));
        }
        if key.private_key.is_empty() {
            return Err(StateError::invalid(at("privateKey"), "must not be empty"));
        }
        tx.prepare_cached(
            "INSERT INTO global_key (id, descr, public_key, private_key) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![key.id, key.desc, key.public_key, key.private_key])?;
        for (j, role) in key.roles.iter().enumerate() {
            if model::role_kind(&role.role_name) != RoleKind::Global
                || role.org_id.is_some()
                || role.group_id.is_some()
            {
                return Err(StateError::invalid(
                    at(&format!("roles[{j}]")),
                    "global keys hold GLOBAL_* roles only, without orgId or groupId",
                ));
            }
        }
        let holder = || format!("globalApiKeys[{i}]");
        rows.roles(&holder, &key.id, &key.roles, None, orgs, projects)?;
    }
    let mut blocks = HashSet::new();
    for (i, e) in state.global_access_list.iter().enumerate() {
        let at = |f: &str| format!("globalAccessList[{i}].{f}");
        check_id(|| at("id"), &e.id, ids)?;
        let canonical = Address::from_cidr(&e.cidr_block).map(|a| a.cidr_text());
        if canonical.as_deref() != Some(e.cidr_block.as_str())
            || !blocks.insert(e.cidr_block.as_str())
        {
            return Err(StateError::invalid(
                at("cidrBlock"),
                "must be a canonical CIDR block, unique",
            ));
        }
        check_time(|| at("created"), &e.created)?;
        check_time(|| at("updated"), &e.updated)?;
        tx.prepare_cached(
            "INSERT INTO global_access (id, cidr_block, description, created, updated) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![e.id, e.cidr_block, e.description, e.created, e.updated])?;
    }
    let mut usernames = HashSet::new();
    let mut insert =
        tx.prepare_cached("INSERT INTO user_account (id, username, api_key) VALUES (?1, ?2, ?3)")?;
    for (i, user) in state.users.iter().enumerate() {
        let at = || format!("users[{i}]");
        check_id(|| format!("{}.id", at()), &user.id, ids)?;
        if user.username.is_empty()
            || model::is_public_key(&user.username)
            || !usernames.insert(user.username.as_str())
        {
            return Err(StateError::invalid(
                format!("{}.username", at()),
                "must be non-empty, unique and not look like a public key",
            ));
        }
        if user.api_key.is_empty() {
            return Err(StateError::invalid(
                format!("{}.apiKey", at()),
                "must not be empty",
            ));
        }
        insert.execute(params![user.id, user.username, user.api_key])?;
        tx.prepare_cached(
            "INSERT INTO user_profile (user_id, email_address, first_name, last_name) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            user.id,
            user.email_address.as_deref().unwrap_or(&user.username),
            user.first_name,
            user.last_name
        ])?;
        rows.roles(&at, &user.id, &user.roles, None, orgs, projects)?;
        rows.access(&at, &user.id, &user.access_list)?;
    }
    // Teams add roles of their own: the rows above go in first, in document order.
    rows.finish()?;
    load_deployments(tx, state, parents, ids)?;
    load_teams(tx, state, orgs, projects, ids)
}

/// Teams, each in an org of the document, their members users of it, their roles project
/// roles on projects of their org.
fn load_teams(
    tx: &Transaction<'_>,
    state: &StateDoc,
    orgs: &HashSet<&str>,
    projects: &HashMap<&str, &str>,
    ids: &mut Ids,
) -> Result<(), StateError> {
    let users: HashSet<&str> = state.users.iter().map(|u| u.id.as_str()).collect();
    let mut names = HashSet::new();
    for (i, t) in state.teams.iter().enumerate() {
        let at = |f: &str| format!("teams[{i}].{f}");
        check_id(|| at("id"), &t.id, ids)?;
        if !orgs.contains(t.org_id.as_str()) {
            return Err(StateError::invalid(at("orgId"), "no such org"));
        }
        if t.name.trim().is_empty() || !names.insert((t.org_id.as_str(), t.name.as_str())) {
            return Err(StateError::invalid(
                at("name"),
                "must be non-empty and unique in its org",
            ));
        }
        tx.prepare_cached("INSERT INTO team (id, org_id, name) VALUES (?1, ?2, ?3)")?
            .execute(params![t.id, t.org_id, t.name])?;
        let mut seen = HashSet::new();
        for (j, user) in t.user_ids.iter().enumerate() {
            if !users.contains(user.as_str()) || !seen.insert(user.as_str()) {
                return Err(StateError::invalid(
                    at(&format!("userIds[{j}]")),
                    "must be a user of the document, once",
                ));
            }
            tx.prepare_cached("INSERT INTO team_member (team_id, user_id) VALUES (?1, ?2)")?
                .execute(params![t.id, user])?;
        }
        for (j, role) in t.roles.iter().enumerate() {
            let in_org = role
                .group_id
                .as_deref()
                .and_then(|g| projects.get(g))
                .is_some_and(|org| *org == t.org_id);
            if role.org_id.is_some()
                || !in_org
                || model::role_kind(&role.role_name) != RoleKind::Group
            {
                return Err(StateError::invalid(
                    at(&format!("roles[{j}]")),
                    "needs a project roleName and the groupId of a project of the team's org",
                ));
            }
            tx.prepare_cached(
                "INSERT INTO grant_role (holder, org_id, group_id, role_name) VALUES (?1, NULL, ?2, ?3)",
            )?
            .execute(params![t.id, role.group_id, role.role_name])?;
        }
    }
    Ok(())
}

/// Clusters and hosts, each in a project of the document; hosts in a cluster of their
/// project; `hostname:port` unique per project.
fn load_deployments(
    tx: &Transaction<'_>,
    state: &StateDoc,
    parents: &Parents<'_>,
    ids: &mut Ids,
) -> Result<(), StateError> {
    let projects = &parents.projects;
    let mut clusters: HashMap<&str, &str> = HashMap::new();
    let mut insert = tx.prepare_cached(
        "INSERT INTO cluster (id, group_id, cluster_name, type_name, replica_set_name, shard_name, last_heartbeat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, c) in state.clusters.iter().enumerate() {
        check_id(|| format!("clusters[{i}].id"), &c.id, ids)?;
        if !projects.contains_key(c.group_id.as_str()) {
            return Err(StateError::invalid(
                format!("clusters[{i}].groupId"),
                "no such project",
            ));
        }
        if c.cluster_name.trim().is_empty() {
            return Err(StateError::invalid(
                format!("clusters[{i}].clusterName"),
                "must not be empty",
            ));
        }
        if !CLUSTER_TYPES.contains(&c.type_name.as_str()) {
            return Err(StateError::invalid(
                format!("clusters[{i}].typeName"),
                "must be REPLICA_SET, SHARDED_REPLICA_SET or CONFIG_SERVER_REPLICA_SET",
            ));
        }
        check_time(|| format!("clusters[{i}].lastHeartbeat"), &c.last_heartbeat)?;
        insert.execute(params![
            c.id,
            c.group_id,
            c.cluster_name,
            c.type_name,
            c.replica_set_name,
            c.shard_name,
            c.last_heartbeat
        ])?;
        clusters.insert(c.id.as_str(), c.group_id.as_str());
    }
    let mut names = HashSet::new();
    let mut insert = tx.prepare_cached(
        "INSERT INTO host (id, group_id, cluster_id, hostname, port, type_name, replica_set_name, replica_state_name, shard_name, version, created, disks, databases) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for (i, h) in state.hosts.iter().enumerate() {
        let field = |name: &str| format!("hosts[{i}].{name}");
        if !ids.host(&h.id) {
            return Err(StateError::invalid(
                field("id"),
                "must be 32 lowercase hex digits, unique",
            ));
        }
        if !projects.contains_key(h.group_id.as_str()) {
            return Err(StateError::invalid(field("groupId"), "no such project"));
        }
        if let Some(cluster) = &h.cluster_id {
            if clusters.get(cluster.as_str()) != Some(&h.group_id.as_str()) {
                return Err(StateError::invalid(
                    field("clusterId"),
                    "no such cluster in the host's project",
                ));
            }
        }
        let name_ok = !h.hostname.is_empty()
            && h.hostname.len() <= 253
            && h.hostname
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !name_ok
            || h.port == 0
            || !names.insert((h.group_id.as_str(), h.hostname.as_str(), h.port))
        {
            return Err(StateError::invalid(
                field("hostname"),
                "must be a DNS name with a port above 0, unique in its project",
            ));
        }
        check_time(|| field("created"), &h.created)?;
        let name_list = |what: &str, list: &[String]| -> Result<String, StateError> {
            let mut seen = HashSet::new();
            let ok = list.iter().all(|n| {
                !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_graphic() && b != b'/')
                    && seen.insert(n.as_str())
            });
            if !ok {
                return Err(StateError::invalid(
                    field(what),
                    "names must be non-empty, unique, printable and without '/'",
                ));
            }
            serde_json::to_string(list).map_err(|e| StateError::invalid(field(what), e.to_string()))
        };
        let disks = name_list("disks", &h.disks)?;
        let databases = name_list("databases", &h.databases)?;
        insert.execute(params![
            h.id,
            h.group_id,
            h.cluster_id,
            h.hostname,
            h.port,
            h.type_name,
            h.replica_set_name,
            h.replica_state_name,
            h.shard_name,
            h.version,
            h.created,
            disks,
            databases
        ])?;
    }
    load_alerts(tx, state, parents, ids)
}

/// Alert configurations, alerts and events, each in a project (or org) of the document.
fn load_alerts(
    tx: &Transaction<'_>,
    state: &StateDoc,
    parents: &Parents<'_>,
    ids: &mut Ids,
) -> Result<(), StateError> {
    let projects = &parents.projects;
    let mut configs = HashMap::new();
    let mut insert =
        tx.prepare_cached("INSERT INTO alert_config (id, group_id, doc) VALUES (?1, ?2, ?3)")?;
    for (i, c) in state.alert_configs.iter().enumerate() {
        let at = |f: &str| format!("alertConfigs[{i}].{f}");
        check_id(|| at("id"), &c.id, ids)?;
        if !projects.contains_key(c.group_id.as_str()) {
            return Err(StateError::invalid(at("groupId"), "no such project"));
        }
        check_time(|| at("created"), &c.created)?;
        check_time(|| at("updated"), &c.updated)?;
        insert.execute(params![c.id, c.group_id, json(c, at("id"))?])?;
        configs.insert(c.id.as_str(), c.group_id.as_str());
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO alert (id, group_id, config_id, status, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, a) in state.alerts.iter().enumerate() {
        let at = |f: &str| format!("alerts[{i}].{f}");
        check_id(|| at("id"), &a.id, ids)?;
        if !projects.contains_key(a.group_id.as_str()) {
            return Err(StateError::invalid(at("groupId"), "no such project"));
        }
        if let Some(config) = &a.alert_config_id {
            if configs.get(config.as_str()) != Some(&a.group_id.as_str()) {
                return Err(StateError::invalid(
                    at("alertConfigId"),
                    "no such alert configuration in the alert's project",
                ));
            }
        }
        if !ALERT_STATUSES.contains(&a.status.as_str()) {
            return Err(StateError::invalid(
                at("status"),
                "must be OPEN, CLOSED, TRACKING or CANCELLED",
            ));
        }
        check_time(|| at("created"), &a.created)?;
        check_time(|| at("updated"), &a.updated)?;
        for (name, t) in [
            ("resolved", &a.resolved),
            ("acknowledgedUntil", &a.acknowledged_until),
        ] {
            if let Some(t) = t {
                check_time(|| at(name), t)?;
            }
        }
        insert.execute(params![
            a.id,
            a.group_id,
            a.alert_config_id,
            a.status,
            json(a, at("id"))?
        ])?;
    }
    let orgs = &parents.orgs;
    let mut insert = tx.prepare_cached(
        "INSERT INTO event (id, org_id, group_id, created, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, e) in state.events.iter().enumerate() {
        let at = |f: &str| format!("events[{i}].{f}");
        check_id(|| at("id"), &e.id, ids)?;
        let scope_ok = match (&e.org_id, &e.group_id) {
            (Some(org), None) => orgs.contains(org.as_str()),
            (None, Some(group)) => projects.contains_key(group.as_str()),
            _ => false,
        };
        if !scope_ok {
            return Err(StateError::invalid(
                at("orgId"),
                "exactly one of orgId (an org of the document) or groupId (a project)",
            ));
        }
        check_time(|| at("created"), &e.created)?;
        insert.execute(params![
            e.id,
            e.org_id,
            e.group_id,
            e.created,
            json(e, at("id"))?
        ])?;
    }
    Ok(())
}

/// A document as the JSON text its table keeps.
fn json<T: Serialize>(doc: &T, field: String) -> Result<String, StateError> {
    serde_json::to_string(doc).map_err(|e| StateError::invalid(field, e.to_string()))
}
/// The cached inserts of roles and access-list entries.
/// Rows per multi-row `INSERT` of a load: one statement execution writes them all, so
/// SQLite's per-statement work (the `AUTOINCREMENT` bookkeeping in `sqlite_sequence`
/// included) is paid once per batch instead of once per row.
const BATCH: usize = 64;

/// A text value of the document for a batched insert (borrowed, not copied).
fn text(s: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
}

/// A text value or `NULL`.
fn opt_text(s: Option<&String>) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(s.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes())))
}

/// Inserts into one table in batches of [`BATCH`] rows, in the order they are pushed (so
/// `seq` follows the document); [`Batched::finish`] writes the rest one row at a time.
struct Batched<'c, 'd> {
    one: rusqlite::CachedStatement<'c>,
    many: rusqlite::CachedStatement<'c>,
    width: usize,
    values: Vec<ToSqlOutput<'d>>,
}

impl<'c, 'd> Batched<'c, 'd> {
    /// `into` is `table (columns)`, `width` the number of columns.
    fn new(tx: &'c Transaction<'_>, into: &str, width: usize) -> Result<Self, rusqlite::Error> {
        let row = format!("({})", vec!["?"; width].join(", "));
        Ok(Batched {
            one: tx.prepare_cached(&format!("INSERT INTO {into} VALUES {row}"))?,
            many: tx.prepare_cached(&format!(
                "INSERT INTO {into} VALUES {}",
                vec![row.as_str(); BATCH].join(", ")
            ))?,
            width,
            values: Vec::with_capacity(width * BATCH),
        })
    }

    fn push<const N: usize>(&mut self, row: [ToSqlOutput<'d>; N]) -> Result<(), rusqlite::Error> {
        debug_assert_eq!(N, self.width);
        self.values.extend(row);
        if self.values.len() >= self.width * BATCH {
            self.many
                .execute(rusqlite::params_from_iter(self.values.iter()))?;
            self.values.clear();
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), rusqlite::Error> {
        for row in self.values.chunks(self.width) {
            self.one.execute(rusqlite::params_from_iter(row.iter()))?;
        }
        self.values.clear();
        Ok(())
    }
}

/// The roles and access-list entries of a load's keys and users, batched per table.
struct Rows<'c, 'd> {
    role: Batched<'c, 'd>,
    access: Batched<'c, 'd>,
}

impl<'c, 'd> Rows<'c, 'd> {
    fn new(tx: &'c Transaction<'_>) -> Result<Self, rusqlite::Error> {
        Ok(Rows {
            role: Batched::new(tx, "grant_role (holder, org_id, group_id, role_name)", 4)?,
            access: Batched::new(
                tx,
                "access_entry (holder, cidr_block, ip_address, count, created, last_used, last_used_address)",
                7,
            )?,
        })
    }

    /// Write what is still batched.
    fn finish(&mut self) -> Result<(), rusqlite::Error> {
        self.role.finish()?;
        self.access.finish()
    }

    fn roles(
        &mut self,
        at: &dyn Fn() -> String,
        holder: &'d str,
        roles: &'d [RoleDoc],
        key_org: Option<&str>,
        orgs: &HashSet<&str>,
        projects: &HashMap<&str, &str>,
    ) -> Result<(), StateError> {
        for (j, role) in roles.iter().enumerate() {
            let ok = match (
                model::role_kind(&role.role_name),
                &role.org_id,
                &role.group_id,
            ) {
                (RoleKind::Org, Some(org), None) => {
                    orgs.contains(org.as_str()) && key_org.is_none_or(|k| k == org)
                }
                (RoleKind::Group, None, Some(group)) => projects
                    .get(group.as_str())
                    .is_some_and(|org| key_org.is_none_or(|k| k == *org)),
                (RoleKind::Global, None, None) => key_org.is_none(),
                _ => false,
            };
            if !ok {
                return Err(StateError::invalid(
                    format!("{}.roles[{j}]", at()),
                    "needs a valid roleName with exactly one matching orgId (org role, key's own org) or groupId (project role of that org); global roles only for users",
                ));
            }
            self.role.push([
                text(holder),
                opt_text(role.org_id.as_ref()),
                opt_text(role.group_id.as_ref()),
                text(&role.role_name),
            ])?;
        }
        Ok(())
    }

    fn access(
        &mut self,
        at: &dyn Fn() -> String,
        holder: &'d str,
        entries: &'d [AccessDoc],
    ) -> Result<(), StateError> {
        // Lists are short (two entries in the fixture): a scan beats hashing them.
        let mut seen: Vec<ipnet::IpNet> = Vec::with_capacity(entries.len());
        for (j, entry) in entries.iter().enumerate() {
            let field = || format!("{}.accessList[{j}]", at());
            let Some(addr) = Address::from_cidr(&entry.cidr_block) else {
                return Err(StateError::invalid(
                    format!("{}.cidrBlock", field()),
                    "not a CIDR block",
                ));
            };
            if addr.cidr_text() != entry.cidr_block || seen.contains(&addr.net) {
                return Err(StateError::invalid(
                    format!("{}.cidrBlock", field()),
                    "must be in canonical form (e.g. 10.0.0.0/8, 127.0.0.1/32) and unique",
                ));
            }
            if let Some(ip) = &entry.ip_address {
                if Address::from_ip(ip).map(|a| a.net) != Some(addr.net) {
                    return Err(StateError::invalid(
                        format!("{}.ipAddress", field()),
                        "must be the single address of cidrBlock",
                    ));
                }
            }
            check_time(|| format!("{}.created", field()), &entry.created)?;
            if let Some(t) = &entry.last_used {
                check_time(|| format!("{}.lastUsed", field()), t)?;
            }
            seen.push(addr.net);
            self.access.push([
                text(holder),
                text(&entry.cidr_block),
                opt_text(entry.ip_address.as_ref()),
                ToSqlOutput::Borrowed(ValueRef::Integer(
                    i64::try_from(entry.count).unwrap_or(i64::MAX),
                )),
                text(&entry.created),
                opt_text(entry.last_used.as_ref()),
                opt_text(entry.last_used_address.as_ref()),
            ])?;
        }
        Ok(())
    }
}

/// The whole state in the fixture format.
///
/// # Errors
/// Store errors.
pub fn dump(conn: &Connection) -> Result<Value, StoreError> {
    let mut stmt = conn.prepare("SELECT id, name, is_deleted FROM org ORDER BY seq")?;
    let orgs = stmt
        .query_map([], |r| {
            Ok(OrgDoc {
                id: r.get(0)?,
                name: r.get(1)?,
                is_deleted: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, name, org_id, agent_api_key, created, tags FROM project ORDER BY seq",
    )?;
    let projects = stmt
        .query_map([], |r| {
            let tags: String = r.get(5)?;
            Ok(ProjectDoc {
                id: r.get(0)?,
                name: r.get(1)?,
                org_id: r.get(2)?,
                agent_api_key: r.get(3)?,
                created: r.get(4)?,
                tags: serde_json::from_str(&tags).unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn
        .prepare("SELECT id, org_id, descr, public_key, private_key FROM api_key ORDER BY seq")?;
    let mut api_keys = stmt
        .query_map([], |r| {
            Ok(KeyDoc {
                id: r.get(0)?,
                org_id: r.get(1)?,
                desc: r.get(2)?,
                public_key: r.get(3)?,
                private_key: r.get(4)?,
                roles: Vec::new(),
                access_list: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for key in &mut api_keys {
        key.roles = dump_roles(conn, &key.id)?;
        key.access_list = dump_access(conn, &key.id)?;
    }
    let mut stmt = conn.prepare(
        "SELECT u.id, u.username, u.api_key, p.email_address, p.first_name, p.last_name \
         FROM user_account u LEFT JOIN user_profile p ON p.user_id = u.id ORDER BY u.seq",
    )?;
    let mut users = stmt
        .query_map([], |r| {
            let username: String = r.get(1)?;
            let email: Option<String> = r.get(3)?;
            Ok(UserDoc {
                id: r.get(0)?,
                email_address: email.filter(|e| *e != username),
                username,
                api_key: r.get(2)?,
                roles: Vec::new(),
                access_list: Vec::new(),
                first_name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                last_name: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for user in &mut users {
        user.roles = dump_roles(conn, &user.id)?;
        user.access_list = dump_access(conn, &user.id)?;
    }
    let mut stmt = conn.prepare(
        "SELECT id, group_id, cluster_name, type_name, replica_set_name, shard_name, last_heartbeat FROM cluster ORDER BY seq",
    )?;
    let clusters = stmt
        .query_map([], |r| {
            Ok(ClusterDoc {
                id: r.get(0)?,
                group_id: r.get(1)?,
                cluster_name: r.get(2)?,
                type_name: r.get(3)?,
                replica_set_name: r.get(4)?,
                shard_name: r.get(5)?,
                last_heartbeat: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, group_id, cluster_id, hostname, port, type_name, replica_set_name, replica_state_name, shard_name, version, created, disks, databases FROM host ORDER BY seq",
    )?;
    let hosts = stmt
        .query_map([], |r| {
            let disks: String = r.get(11)?;
            let databases: String = r.get(12)?;
            Ok(HostDoc {
                id: r.get(0)?,
                group_id: r.get(1)?,
                cluster_id: r.get(2)?,
                hostname: r.get(3)?,
                port: r.get(4)?,
                type_name: r.get(5)?,
                replica_set_name: r.get(6)?,
                replica_state_name: r.get(7)?,
                shard_name: r.get(8)?,
                version: r.get(9)?,
                created: r.get(10)?,
                disks: serde_json::from_str(&disks).unwrap_or_default(),
                databases: serde_json::from_str(&databases).unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let doc = StateDoc {
        orgs,
        projects,
        api_keys,
        users,
        clusters,
        hosts,
        alert_configs: dump_docs(conn, "alert_config")?,
        alerts: dump_docs(conn, "alert")?,
        events: dump_docs(conn, "event")?,
        global_api_keys: dump_global_keys(conn)?,
        global_access_list: dump_global_access(conn)?,
        teams: dump_teams(conn)?,
    };
    Ok(serde_json::to_value(doc).unwrap_or(Value::Null))
}

fn dump_global_keys(conn: &Connection) -> Result<Vec<GlobalKeyDoc>, StoreError> {
    let keys = crate::store::global_keys(conn)?;
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let roles = dump_roles(conn, &key.id)?;
        out.push(GlobalKeyDoc {
            id: key.id,
            desc: key.desc,
            public_key: key.public_key,
            private_key: key.private_key,
            roles,
        });
    }
    Ok(out)
}

fn dump_teams(conn: &Connection) -> Result<Vec<TeamDoc>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, org_id, name FROM team ORDER BY seq")?;
    let mut teams = stmt
        .query_map([], |r| {
            Ok(TeamDoc {
                id: r.get(0)?,
                org_id: r.get(1)?,
                name: r.get(2)?,
                user_ids: Vec::new(),
                roles: Vec::new(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt =
        conn.prepare("SELECT user_id FROM team_member WHERE team_id = ?1 ORDER BY seq")?;
    for team in &mut teams {
        team.user_ids = stmt
            .query_map([&team.id], |r| r.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        team.roles = dump_roles(conn, &team.id)?;
    }
    Ok(teams)
}

fn dump_global_access(conn: &Connection) -> Result<Vec<GlobalAccessDoc>, StoreError> {
    Ok(crate::store::global_access(conn)?
        .into_iter()
        .map(|e| GlobalAccessDoc {
            id: e.id,
            cidr_block: e.cidr_block,
            description: e.description,
            created: e.created,
            updated: e.updated,
        })
        .collect())
}

/// The JSON documents of `table`, in insertion order.
fn dump_docs<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    table: &str,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT doc FROM {table} ORDER BY seq"))?;
    let texts = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(texts
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect())
}

fn dump_roles(conn: &Connection, holder: &str) -> Result<Vec<RoleDoc>, rusqlite::Error> {
    Ok(crate::store::roles_of(conn, holder)?
        .into_iter()
        .map(|r| RoleDoc {
            org_id: r.org_id,
            group_id: r.group_id,
            role_name: r.name,
        })
        .collect())
}

fn dump_access(conn: &Connection, holder: &str) -> Result<Vec<AccessDoc>, rusqlite::Error> {
    Ok(crate::store::access_of(conn, holder)?
        .into_iter()
        .map(|e| AccessDoc {
            cidr_block: e.cidr_block,
            ip_address: e.ip_address,
            count: e.count,
            created: e.created,
            last_used: e.last_used,
            last_used_address: e.last_used_address,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpsMgr;
    use auth_core::Product;

    #[test]
    fn the_embedded_fixtures_load() {
        let store = auth_core::Store::memory(OpsMgr::SCHEMA).unwrap();
        let doc: Value = serde_json::from_str(OpsMgr::FIXTURES).unwrap();
        store.write(|tx| load(tx, &doc)).unwrap();
        let dumped = store.read(dump).unwrap();
        assert_eq!(dumped["apiKeys"][0]["publicKey"], "qzvhwmtx");
    }

    #[test]
    fn a_load_of_more_keys_than_one_batch_keeps_every_row_in_document_order() {
        let mut doc: Value = serde_json::from_str(OpsMgr::FIXTURES).unwrap();
        let template = doc["apiKeys"][0].clone();
        let org = template["orgId"].clone();
        let group = template["roles"][1]["groupId"].clone();
        let keys = doc["apiKeys"].as_array_mut().unwrap();
        // Two full batches and a remainder, with one or two roles and up to three entries.
        for i in 0..(2 * BATCH + 7) {
            let mut key = template.clone();
            key["id"] = Value::from(format!("6000000000000000{i:08x}"));
            key["desc"] = Value::from(format!("key {i}"));
            let letters: String = (0..7)
                .rev()
                .map(|k| char::from(b'a' + u8::try_from((i >> (4 * k)) & 15).unwrap()))
                .collect();
            key["publicKey"] = Value::from(format!("b{letters}"));
            key["privateKey"] = Value::from(format!("00000000-0000-4000-8000-{i:012x}"));
            let mut roles = vec![serde_json::json!({"orgId": org, "roleName": "ORG_READ_ONLY"})];
            if i % 3 == 0 {
                roles.push(serde_json::json!({"groupId": group, "roleName": "GROUP_READ_ONLY"}));
            }
            key["roles"] = Value::from(roles);
            let entries: Vec<Value> = (0..(i % 4))
                .map(|j| {
                    serde_json::json!({
                        "cidrBlock": format!("10.{j}.{}.0/24", i % 256),
                        "count": i * 10 + j,
                        "created": "2019-07-03T20:24:00Z"
                    })
                })
                .collect();
            key["accessList"] = Value::from(entries);
            keys.push(key);
        }
        let store = auth_core::Store::memory(OpsMgr::SCHEMA).unwrap();
        let text = serde_json::to_vec(&doc).unwrap();
        let loaded = store.write(|tx| load_json(tx, &text)).unwrap();
        assert!(loaded, "the document takes the typed path");
        let dumped = store.read(dump).unwrap();
        assert_eq!(dumped["apiKeys"], doc["apiKeys"]);
        let count: i64 = store
            .read(|c| {
                c.query_row(
                    "SELECT n FROM org_key_count WHERE org_id = ?1",
                    [org.as_str().unwrap()],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(
            count,
            i64::try_from(doc["apiKeys"].as_array().unwrap().len()).unwrap()
        );
    }
}
