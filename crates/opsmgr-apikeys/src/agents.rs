//! The agents of a project (Ops Manager API reference, "Agents":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/agents/>, "Get Links to
//! Agent Resources for a Project" and "Get Agents by Type for One Project"):
//! `GET /groups/{GROUP-ID}/agents` answers the links to the three agent lists, and
//! `GET /groups/{GROUP-ID}/agents/{TYPE}` (`MONITORING`, `BACKUP`, `AUTOMATION`) the agents of
//! that type, with the fields `typeName`, `hostname`, `confCount`, `lastConf`, `stateName`
//! and, for Monitoring (and `isManaged` for Backup) agents, `pingCount`, `lastPing`,
//! `isManaged`. Read with any project role.
//!
//! There is no agent behind standin, so the agents are those the project's hosts imply
//! (state document `hosts[]`): every server (distinct host name, in the order of the
//! hosts) runs one Automation Agent and one Monitoring Agent. Ops Manager elects one
//! Monitoring Agent per project to do the monitoring and keeps the others on standby; here
//! the first server's is `ACTIVE`, the rest `STANDBY`; every Automation Agent is `ACTIVE`.
//! No cluster is backed up (every backup configuration is `INACTIVE`), so there is no
//! Backup Agent. Counters follow the instance clock: one configuration call and one ping a
//! minute since the server's first host was `created` (a server
//! whose hosts are all created later than now has no agent yet).

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::request::{self, Call};
use crate::store::{self, HostRow};
use crate::wire::{self, Reply, BASE};
use auth_core::clock::{parse_rfc3339_ms, rfc3339_ms};
use serde_json::{json, Map, Value};

/// The agent types the path takes, as the reference spells them (upper case only).
const TYPES: [&str; 3] = ["MONITORING", "BACKUP", "AUTOMATION"];

/// Seconds between two configuration calls (and two pings) of an agent.
const INTERVAL_SECS: i64 = 60;

/// `GET /groups/{GROUP-ID}/agents`: the links to each type's list, and no results.
pub(crate) async fn list_agent_links(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let paging = call.paging()?;
    let group = format!("{}{BASE}/groups/{}", call.central(), project.id);
    let link = |href: String, rel: &str| json!({"href": href, "rel": rel});
    let mut out = Map::new();
    out.insert(
        "links".into(),
        json!([
            wire::self_link(format!("{group}/agents")),
            link(group.clone(), "http://mms.mongodb.com/group"),
            link(
                format!("{group}/agents/MONITORING"),
                "http://mms.mongodb.com/monitoringAgents"
            ),
            link(
                format!("{group}/agents/BACKUP"),
                "http://mms.mongodb.com/backupAgents"
            ),
            link(
                format!("{group}/agents/AUTOMATION"),
                "http://mms.mongodb.com/automationAgents"
            ),
        ]),
    );
    out.insert("results".into(), json!([]));
    if paging.include_count {
        out.insert("totalCount".into(), json!(0));
    }
    Ok(Reply::ok(Value::Object(out)))
}

/// `GET /groups/{GROUP-ID}/agents/{TYPE}`.
///
/// # Errors
/// The project's errors; a type the reference does not list is an unknown resource
/// (`RESOURCE_NOT_FOUND`, inferred: the type is a path segment).
pub(crate) async fn list_agents(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let project = request::project(&call.inst, &caller, &call.segment("group_id"))?;
    let kind = call.segment("agent_type");
    let Some(kind) = TYPES.into_iter().find(|t| *t == kind) else {
        return Err(OpsMgrError::ResourceNotFound(call.req.path().to_owned()));
    };
    let paging = call.paging()?;
    let hosts = call.inst.store.read(|c| store::hosts_of(c, &project.id))?;
    let now = call.inst.env.clock.now_secs();
    let items = agents(kind, &hosts, now);
    Ok(Reply::ok(wire::list(
        &call.req,
        &call.central(),
        paging,
        items,
    )))
}

/// The agents of type `kind` that `hosts` imply at `now` (seconds).
fn agents(kind: &str, hosts: &[HostRow], now: i64) -> Vec<Value> {
    if kind == "BACKUP" {
        return Vec::new();
    }
    let mut servers: Vec<(&str, i64)> = Vec::new();
    for h in hosts {
        let since = parse_rfc3339_ms(&h.created).map_or(now, |ms| ms.div_euclid(1000));
        match servers
            .iter_mut()
            .find(|(name, _)| name.eq_ignore_ascii_case(&h.hostname))
        {
            Some(server) => server.1 = server.1.min(since),
            None => servers.push((&h.hostname, since)),
        }
    }
    servers
        .iter()
        .filter(|(_, since)| *since <= now)
        .enumerate()
        .map(|(i, (hostname, since))| agent(kind, hostname, *since, now, i == 0))
        .collect()
}

/// One agent on `hostname`, running since `since`.
fn agent(kind: &str, hostname: &str, since: i64, now: i64, first: bool) -> Value {
    let calls = now.saturating_sub(since) / INTERVAL_SECS;
    let last = rfc3339_ms(
        since
            .saturating_add(calls * INTERVAL_SECS)
            .saturating_mul(1000),
    );
    let state = if kind == "MONITORING" && !first {
        "STANDBY"
    } else {
        "ACTIVE"
    };
    let mut out = Map::new();
    out.insert("confCount".into(), json!(calls));
    out.insert("hostname".into(), json!(hostname));
    if kind == "MONITORING" {
        out.insert("isManaged".into(), json!(true));
    }
    out.insert("lastConf".into(), json!(last));
    if kind == "MONITORING" {
        out.insert("lastPing".into(), json!(last));
        out.insert("pingCount".into(), json!(calls));
    }
    out.insert("stateName".into(), json!(state));
    out.insert("typeName".into(), json!(kind));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str, created: &str) -> HostRow {
        HostRow {
            id: String::new(),
            group_id: String::new(),
            cluster_id: None,
            hostname: name.into(),
            port: 27017,
            type_name: "REPLICA_PRIMARY".into(),
            replica_set_name: None,
            replica_state_name: None,
            shard_name: None,
            version: String::new(),
            created: created.into(),
            disks: Vec::new(),
            databases: Vec::new(),
        }
    }

    #[test]
    fn one_agent_per_server_counting_minutes_since_its_first_host() {
        let hosts = [
            host("a.example", "2027-01-01T00:00:00Z"),
            host("A.example", "2026-12-31T23:58:00Z"),
            host("b.example", "2027-01-01T00:00:30Z"),
        ];
        let now = parse_rfc3339_ms("2027-01-01T00:10:10Z").unwrap() / 1000;
        let monitoring = agents("MONITORING", &hosts, now);
        assert_eq!(monitoring.len(), 2);
        assert_eq!(monitoring[0]["stateName"], "ACTIVE");
        assert_eq!(monitoring[0]["confCount"], 12);
        assert_eq!(monitoring[0]["lastPing"], "2027-01-01T00:10:00Z");
        assert_eq!(monitoring[1]["stateName"], "STANDBY");
        assert_eq!(monitoring[1]["lastConf"], "2027-01-01T00:09:30Z");
        let automation = agents("AUTOMATION", &hosts, now);
        assert!(automation.iter().all(|a| a["stateName"] == "ACTIVE"));
        assert!(automation[0].get("pingCount").is_none());
        assert!(agents("BACKUP", &hosts, now).is_empty());
    }

    #[test]
    fn a_server_whose_hosts_are_all_created_after_now_has_no_agent_yet() {
        let hosts = [
            host("a.example", "2027-01-01T00:00:00Z"),
            host("b.example", "2026-01-01T00:00:00Z"),
        ];
        let now = parse_rfc3339_ms("2026-01-01T00:00:59Z").unwrap() / 1000;
        let [one] = agents("MONITORING", &hosts, now).try_into().unwrap();
        assert_eq!(
            (one["hostname"].as_str(), one["stateName"].as_str()),
            (Some("b.example"), Some("ACTIVE"))
        );
        assert_eq!(one["confCount"], 0);
        assert_eq!(one["lastConf"], "2026-01-01T00:00:00Z");
    }
}
