//! Backup configurations (Ops Manager API reference, "Backup Configurations": "Get All
//! Backup Configurations for One Project", "Get One Backup Configuration from One Project",
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/backup-configurations/>):
//! `GET /groups/{GROUP-ID}/backupConfigs[/{CLUSTER-ID}]`, read with any project role.
//! om-health-check 0.8.0 reads one per cluster for its "Backup" section
//! (`client.om.backup.get_backup_config`).
//!
//! standin runs no backup daemon, so no cluster is backed up: every replica set that is not
//! a shard or config server, and every sharded cluster, has a configuration whose
//! `statusName` is `INACTIVE` (of the reference's `INACTIVE`, `PROVISIONING`, `STARTED`,
//! `STOPPED`, `TERMINATING`, the one of a cluster never backed up; inferred). The other
//! fields hold what a cluster without backup shows (inferred): no
//! encryption, no TLS, no excluded namespaces, the hosts' `NONE` authentication and the
//! WiredTiger storage engine.

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::request::{self, Call};
use crate::store::{self, ClusterRow};
use crate::wire::{self, Reply, BASE};
use serde_json::{json, Value};

/// Whether `c` is backed up as a whole: a replica set of its own or a sharded cluster (a
/// shard or config server replica set is backed up with its sharded cluster).
fn has_config(c: &ClusterRow) -> bool {
    match c.type_name.as_str() {
        "SHARDED_REPLICA_SET" => true,
        "REPLICA_SET" => c.shard_name.is_none(),
        _ => false,
    }
}

/// `GET /groups/{GROUP-ID}/backupConfigs`.
pub(crate) async fn list_backup_configs(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call
        .inst
        .store
        .read(|c| store::clusters_of(c, &project.id))?
        .iter()
        .filter(|c| has_config(c))
        .map(|c| config(&central, c))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}/backupConfigs/{CLUSTER-ID}`.
///
/// # Errors
/// The project's errors, then `RESOURCE_NOT_FOUND` for a cluster that is not in the project
/// or is backed up with its sharded cluster (the real server's code for it is not in our
/// sources).
pub(crate) async fn get_backup_config(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let id = call.segment("cluster_id");
    let clusters = call
        .inst
        .store
        .read(|c| store::clusters_of(c, &project.id))?;
    match clusters.iter().find(|c| c.id == id && has_config(c)) {
        Some(cluster) => Ok(Reply::ok(config(&call.central(), cluster))),
        None => Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned())),
    }
}

/// The backup configuration of cluster `c`.
fn config(central: &str, c: &ClusterRow) -> Value {
    let group = format!("{central}{BASE}/groups/{}", c.group_id);
    json!({
        "authMechanismName": "NONE",
        "clusterId": c.id,
        "encryptionEnabled": false,
        "excludedNamespaces": [],
        "groupId": c.group_id,
        "links": [
            wire::self_link(format!("{group}/backupConfigs/{}", c.id)),
            {"href": format!("{group}/clusters/{}", c.id), "rel": "http://mms.mongodb.com/cluster"},
        ],
        "sslEnabled": false,
        "statusName": "INACTIVE",
        "storageEngineName": "WIRED_TIGER",
    })
}
