//! What a project monitors: clusters (`/clusters`, `/groups/{GROUP-ID}/clusters[/{ID}]`),
//! hosts (`/groups/{GROUP-ID}/hosts`, by id, by `hostname:port`, the `clusterId` filter) and
//! each host's disks and databases (Ops Manager API reference, "Clusters" and "Hosts":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/clusters/>,
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/hosts/>). Read with any
//! project role; the data comes from the state document (`clusters[]`, `hosts[]`).

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::model::is_object_id;
use crate::request::{self, Call};
use crate::store::{self, ClusterRow, HostRow, ProjectRow};
use crate::wire::{self, Reply};
use serde_json::Value;

/// `GET /clusters`: the clusters of every project the caller can read.
pub(crate) async fn list_all_clusters(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let paging = call.paging()?;
    let central = call.central();
    let (projects, clusters) = call
        .inst
        .store
        .read(|c| Ok::<_, rusqlite::Error>((store::list_projects(c)?, store::all_clusters(c)?)))?;
    let readable: Vec<&ProjectRow> = projects
        .iter()
        .filter(|p| caller.can_read_project(p))
        .collect();
    let items = clusters
        .iter()
        .filter(|c| readable.iter().any(|p| p.id == c.group_id))
        .map(|c| wire::cluster(&central, c))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}/clusters`.
pub(crate) async fn list_clusters(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let central = call.central();
    let items = call
        .inst
        .store
        .read(|c| store::clusters_of(c, &project.id))?
        .iter()
        .map(|c| wire::cluster(&central, c))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}/clusters/{CLUSTER-ID}`.
pub(crate) async fn get_cluster(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let id = call.segment("cluster_id");
    let clusters = call
        .inst
        .store
        .read(|c| store::clusters_of(c, &project.id))?;
    match clusters.iter().find(|c| c.id == id) {
        Some(cluster) => Ok(Reply::ok(wire::cluster(&call.central(), cluster))),
        None => Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned())),
    }
}

/// `GET /groups/{GROUP-ID}/hosts`: `clusterId` keeps the hosts of that cluster; for a
/// sharded cluster, every mongos, config server and shard member of it.
pub(crate) async fn list_hosts(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let filter = call.query("clusterId");
    let (clusters, hosts) = call.inst.store.read(|c| {
        Ok::<_, rusqlite::Error>((
            store::clusters_of(c, &project.id)?,
            store::hosts_of(c, &project.id)?,
        ))
    })?;
    if let Some(id) = &filter {
        if !is_object_id(id) {
            return Err(OpsMgrError::InvalidQueryParameter("clusterId"));
        }
    }
    let central = call.central();
    let items = hosts
        .iter()
        .filter(|h| {
            filter
                .as_ref()
                .is_none_or(|id| in_cluster(h, id, &clusters))
        })
        .map(|h| wire::host(&central, h))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// Whether `host` belongs to cluster `id`: directly, or through a shard (or the config
/// servers) of the sharded cluster `id`.
fn in_cluster(host: &HostRow, id: &str, clusters: &[ClusterRow]) -> bool {
    if host.cluster_id.as_deref() == Some(id) {
        return true;
    }
    let Some(sharded) = clusters
        .iter()
        .find(|c| c.id == id && c.type_name == "SHARDED_REPLICA_SET")
    else {
        return false;
    };
    clusters.iter().any(|c| {
        host.cluster_id.as_deref() == Some(c.id.as_str())
            && c.id != sharded.id
            && c.cluster_name == sharded.cluster_name
    })
}

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}`.
pub(crate) async fn get_host(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    Ok(Reply::ok(wire::host(&call.central(), &host)))
}

/// `GET /groups/{GROUP-ID}/hosts/byName/{HOSTNAME:PORT}`.
pub(crate) async fn get_host_by_name(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let name = call.segment("host_and_port");
    let hosts = call.inst.store.read(|c| store::hosts_of(c, &project.id))?;
    let found = name.rsplit_once(':').and_then(|(hostname, port)| {
        let port: u16 = port.parse().ok()?;
        hosts
            .into_iter()
            .find(|h| h.hostname.eq_ignore_ascii_case(hostname) && h.port == port)
    });
    match found {
        Some(host) => Ok(Reply::ok(wire::host(&call.central(), &host))),
        None => Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned())),
    }
}

/// The host `{host_id}` of the project `{group_id}` the caller may read.
///
/// # Errors
/// The project's errors, then `RESOURCE_NOT_FOUND` for a host not in the project.
pub(crate) fn host_of_path(caller: &Caller, call: &Call) -> Result<HostRow, OpsMgrError> {
    let project = request::project(&call.inst, caller, &call.segment("group_id"))?;
    let id = call.segment("host_id");
    call.inst
        .store
        .read(|c| store::hosts_of(c, &project.id))?
        .into_iter()
        .find(|h| h.id == id)
        .ok_or_else(|| OpsMgrError::ResourceNotFound(call.req.path().to_owned()))
}

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}/disks`.
pub(crate) async fn list_disks(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    let paging = call.paging()?;
    let central = call.central();
    let items = names(&central, &host, "disks", "partitionName", &host.disks);
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}/disks/{PARTITION-NAME}`.
pub(crate) async fn get_disk(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    let name = call.segment("partition");
    if !host.disks.contains(&name) {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    }
    let central = call.central();
    Ok(Reply::ok(wire::named_child(
        &central,
        &host,
        "disks",
        "partitionName",
        &name,
    )))
}

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}/databases`.
pub(crate) async fn list_databases(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    let paging = call.paging()?;
    let central = call.central();
    let items = names(
        &central,
        &host,
        "databases",
        "databaseName",
        &host.databases,
    );
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /groups/{GROUP-ID}/hosts/{HOST-ID}/databases/{DATABASE-NAME}`.
pub(crate) async fn get_database(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let host = host_of_path(&caller, &call)?;
    let name = call.segment("database");
    if !host.databases.contains(&name) {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    }
    let central = call.central();
    Ok(Reply::ok(wire::named_child(
        &central,
        &host,
        "databases",
        "databaseName",
        &name,
    )))
}

fn names(central: &str, host: &HostRow, what: &str, field: &str, list: &[String]) -> Vec<Value> {
    list.iter()
        .map(|name| wire::named_child(central, host, what, field, name))
        .collect()
}
