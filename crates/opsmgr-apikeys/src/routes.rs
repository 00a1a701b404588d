//! The whole route table of the Ops Manager public API, one line per operation: method
//! helper, path, the operation's name (journal, fault rules), handler. `get` also answers
//! HEAD with the same headers, as the real server (Jersey) does.
//!
//! Order matters: between overlapping paths a literal segment beats a variable one
//! (`/groups/byName/apiKeys` is the project named `apiKeys`), because the earlier pattern
//! wins (auth-core's segment dispatch keeps actix's rule). The busiest resources come first
//! (an org's key list, then a project's behind `byName`, then one org key), which keeps
//! their scan short; no earlier resource can match their paths. The test below checks the
//! order for every path shape.

use crate::wire::render_errors;
use crate::{
    access, agents, alerts, backup_configs, deployments, events, global_keys, groups, measurements,
    org_keys, orgs, project_keys, project_teams, root, teams, users,
};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{FromRequest, Handler, Responder};
use auth_core::OpRoute;

const ORGS: &str = "/api/public/v1.0/orgs{slash:/?}";
const ORG: &str = "/api/public/v1.0/orgs/{org_id}{slash:/?}";
const ORG_GROUPS: &str = "/api/public/v1.0/orgs/{org_id}/groups{slash:/?}";
const ORG_KEYS: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys{slash:/?}";
const ORG_KEY: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}{slash:/?}";
const KEY_AL: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/accessList{slash:/?}";
const KEY_AL_ENTRY: &str =
    "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/accessList/{entry}{slash:/?}";
const KEY_WL: &str = "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/whitelist{slash:/?}";
const KEY_WL_ENTRY: &str =
    "/api/public/v1.0/orgs/{org_id}/apiKeys/{key_id}/whitelist/{entry}{slash:/?}";
const GROUPS: &str = "/api/public/v1.0/groups{slash:/?}";
const GROUP: &str = "/api/public/v1.0/groups/{group_id}{slash:/?}";
const GROUP_BY_NAME: &str = "/api/public/v1.0/groups/byName/{name}{slash:/?}";
const GROUP_KEYS: &str = "/api/public/v1.0/groups/{group_id}/apiKeys{slash:/?}";
const GROUP_KEY: &str = "/api/public/v1.0/groups/{group_id}/apiKeys/{key_id}{slash:/?}";
const CLUSTERS: &str = "/api/public/v1.0/clusters{slash:/?}";
const GROUP_CLUSTERS: &str = "/api/public/v1.0/groups/{group_id}/clusters{slash:/?}";
const GROUP_CLUSTER: &str = "/api/public/v1.0/groups/{group_id}/clusters/{cluster_id}{slash:/?}";
const HOSTS: &str = "/api/public/v1.0/groups/{group_id}/hosts{slash:/?}";
const HOST_BY_NAME: &str =
    "/api/public/v1.0/groups/{group_id}/hosts/byName/{host_and_port}{slash:/?}";
const HOST: &str = "/api/public/v1.0/groups/{group_id}/hosts/{host_id}{slash:/?}";
const HOST_MEASUREMENTS: &str =
    "/api/public/v1.0/groups/{group_id}/hosts/{host_id}/measurements{slash:/?}";
const DISKS: &str = "/api/public/v1.0/groups/{group_id}/hosts/{host_id}/disks{slash:/?}";
const DISK: &str = "/api/public/v1.0/groups/{group_id}/hosts/{host_id}/disks/{partition}{slash:/?}";
const DISK_MEASUREMENTS: &str =
    "/api/public/v1.0/groups/{group_id}/hosts/{host_id}/disks/{partition}/measurements{slash:/?}";
const DATABASES: &str = "/api/public/v1.0/groups/{group_id}/hosts/{host_id}/databases{slash:/?}";
const DATABASE: &str =
    "/api/public/v1.0/groups/{group_id}/hosts/{host_id}/databases/{database}{slash:/?}";
const DATABASE_MEASUREMENTS: &str =
    "/api/public/v1.0/groups/{group_id}/hosts/{host_id}/databases/{database}/measurements{slash:/?}";
const AGENTS: &str = "/api/public/v1.0/groups/{group_id}/agents{slash:/?}";
const AGENTS_OF_TYPE: &str = "/api/public/v1.0/groups/{group_id}/agents/{agent_type}{slash:/?}";
const BACKUP_CONFIGS: &str = "/api/public/v1.0/groups/{group_id}/backupConfigs{slash:/?}";
const BACKUP_CONFIG: &str =
    "/api/public/v1.0/groups/{group_id}/backupConfigs/{cluster_id}{slash:/?}";
const GROUP_TEAMS: &str = "/api/public/v1.0/groups/{group_id}/teams{slash:/?}";
const GROUP_TEAM: &str = "/api/public/v1.0/groups/{group_id}/teams/{team_id}{slash:/?}";
const ROOT: &str = "/api/public/v1.0{slash:/?}";
const ALERTS: &str = "/api/public/v1.0/groups/{group_id}/alerts{slash:/?}";
const ALERT: &str = "/api/public/v1.0/groups/{group_id}/alerts/{alert_id}{slash:/?}";
const ALERT_CONFIGS: &str = "/api/public/v1.0/groups/{group_id}/alertConfigs{slash:/?}";
const ALERT_CONFIG: &str = "/api/public/v1.0/groups/{group_id}/alertConfigs/{config_id}{slash:/?}";
const ALERT_CONFIG_ALERTS: &str =
    "/api/public/v1.0/groups/{group_id}/alertConfigs/{config_id}/alerts{slash:/?}";
const ORG_EVENTS: &str = "/api/public/v1.0/orgs/{org_id}/events{slash:/?}";
const ORG_EVENT: &str = "/api/public/v1.0/orgs/{org_id}/events/{event_id}{slash:/?}";
const GROUP_EVENTS: &str = "/api/public/v1.0/groups/{group_id}/events{slash:/?}";
const GROUP_EVENT: &str = "/api/public/v1.0/groups/{group_id}/events/{event_id}{slash:/?}";
const GLOBAL_KEYS: &str = "/api/public/v1.0/admin/apiKeys{slash:/?}";
const GLOBAL_ROLES: &str = "/api/public/v1.0/admin/apiKeys/roles{slash:/?}";
const GLOBAL_KEY: &str = "/api/public/v1.0/admin/apiKeys/{key_id}{slash:/?}";
const GLOBAL_ACCESS: &str = "/api/public/v1.0/admin/accessList{slash:/?}";
const GLOBAL_ACCESS_ENTRY: &str = "/api/public/v1.0/admin/accessList/{entry_id}{slash:/?}";
const TEAMS: &str = "/api/public/v1.0/orgs/{org_id}/teams{slash:/?}";
const TEAM_BY_NAME: &str = "/api/public/v1.0/orgs/{org_id}/teams/byName/{name}{slash:/?}";
const TEAM: &str = "/api/public/v1.0/orgs/{org_id}/teams/{team_id}{slash:/?}";
const TEAM_USERS: &str = "/api/public/v1.0/orgs/{org_id}/teams/{team_id}/users{slash:/?}";
const TEAM_USER: &str = "/api/public/v1.0/orgs/{org_id}/teams/{team_id}/users/{user_id}{slash:/?}";
const USERS: &str = "/api/public/v1.0/users{slash:/?}";
const ORG_USERS: &str = "/api/public/v1.0/orgs/{org_id}/users{slash:/?}";
const GROUP_USERS: &str = "/api/public/v1.0/groups/{group_id}/users{slash:/?}";
const USER_BY_NAME: &str = "/api/public/v1.0/users/byName/{name}{slash:/?}";
const USER: &str = "/api/public/v1.0/users/{user_id}{slash:/?}";
const USER_AL: &str = "/api/public/v1.0/users/{user_id}/accessList{slash:/?}";
const USER_AL_ENTRY: &str = "/api/public/v1.0/users/{user_id}/accessList/{entry}{slash:/?}";
const USER_WL: &str = "/api/public/v1.0/users/{user_id}/whitelist{slash:/?}";
const USER_WL_ENTRY: &str = "/api/public/v1.0/users/{user_id}/whitelist/{entry}{slash:/?}";

/// Every operation, in the order the router tries them.
#[rustfmt::skip]
pub(crate) fn table() -> Vec<OpRoute> {
    [
        // The busiest resources first.
        get(ORG_KEYS, "opsmgr.list_org_keys", org_keys::list_org_keys),
        post(ORG_KEYS, "opsmgr.create_org_key", org_keys::create_org_key),
        get(GROUP_BY_NAME, "opsmgr.get_project_by_name", groups::get_project_by_name),
        get(GROUP_KEYS, "opsmgr.list_project_keys", project_keys::list_project_keys),
        post(GROUP_KEYS, "opsmgr.create_project_key", project_keys::create_project_key),
        get(ORG_KEY, "opsmgr.get_org_key", org_keys::get_org_key),
        patch(ORG_KEY, "opsmgr.update_org_key", org_keys::update_org_key),
        delete(ORG_KEY, "opsmgr.delete_org_key", org_keys::delete_org_key),
        // Organizations.
        get(ORGS, "opsmgr.list_orgs", orgs::list_orgs),
        get(ORG, "opsmgr.get_org", orgs::get_org),
        post(ORGS, "opsmgr.create_org", orgs::create_org),
        patch(ORG, "opsmgr.rename_org", orgs::rename_org),
        delete(ORG, "opsmgr.delete_org", orgs::delete_org),
        get(ORG_GROUPS, "opsmgr.list_org_projects", orgs::list_org_projects),
        get(ORG_USERS, "opsmgr.list_org_users", orgs::list_org_users),
        // Teams of an organization.
        get(TEAMS, "opsmgr.list_teams", teams::list_teams),
        post(TEAMS, "opsmgr.create_team", teams::create_team),
        get(TEAM_BY_NAME, "opsmgr.get_team_by_name", teams::get_team_by_name),
        get(TEAM, "opsmgr.get_team", teams::get_team),
        patch(TEAM, "opsmgr.rename_team", teams::rename_team),
        delete(TEAM, "opsmgr.delete_team", teams::delete_team),
        get(TEAM_USERS, "opsmgr.list_team_users", teams::list_team_users),
        post(TEAM_USERS, "opsmgr.add_team_users", teams::add_team_users),
        delete(TEAM_USER, "opsmgr.remove_team_user", teams::remove_team_user),
        // Access lists of organization keys (and their 4.x `whitelist` spelling).
        get(KEY_AL, "opsmgr.list_key_access", access::list_key_access),
        post(KEY_AL, "opsmgr.add_key_access", access::add_key_access),
        get(KEY_AL_ENTRY, "opsmgr.get_key_access", access::get_key_access),
        delete(KEY_AL_ENTRY, "opsmgr.delete_key_access", access::delete_key_access),
        get(KEY_WL, "opsmgr.list_key_access", access::list_key_access),
        post(KEY_WL, "opsmgr.add_key_access", access::add_key_access),
        get(KEY_WL_ENTRY, "opsmgr.get_key_access", access::get_key_access),
        delete(KEY_WL_ENTRY, "opsmgr.delete_key_access", access::delete_key_access),
        // Projects and the organization keys assigned to them.
        get(GROUPS, "opsmgr.list_projects", groups::list_projects),
        post(GROUPS, "opsmgr.create_project", groups::create_project),
        get(GROUP, "opsmgr.get_project", groups::get_project),
        delete(GROUP, "opsmgr.delete_project", groups::delete_project),
        get(GROUP_USERS, "opsmgr.list_project_users", groups::list_project_users),
        patch(GROUP_KEY, "opsmgr.update_project_key", project_keys::update_project_key),
        post(GROUP_KEY, "opsmgr.assign_project_key", project_keys::assign_project_key),
        delete(GROUP_KEY, "opsmgr.unassign_project_key", project_keys::unassign_project_key),
        // Teams' roles on a project.
        get(GROUP_TEAMS, "opsmgr.list_project_teams", project_teams::list_project_teams),
        post(GROUP_TEAMS, "opsmgr.add_project_teams", project_teams::add_project_teams),
        patch(GROUP_TEAM, "opsmgr.update_project_team", project_teams::update_project_team),
        delete(GROUP_TEAM, "opsmgr.remove_project_team", project_teams::remove_project_team),
        // What a project monitors: clusters, hosts, their disks and databases.
        get(CLUSTERS, "opsmgr.list_all_clusters", deployments::list_all_clusters),
        get(GROUP_CLUSTERS, "opsmgr.list_clusters", deployments::list_clusters),
        get(GROUP_CLUSTER, "opsmgr.get_cluster", deployments::get_cluster),
        get(HOSTS, "opsmgr.list_hosts", deployments::list_hosts),
        get(HOST_BY_NAME, "opsmgr.get_host_by_name", deployments::get_host_by_name),
        get(HOST, "opsmgr.get_host", deployments::get_host),
        get(HOST_MEASUREMENTS, "opsmgr.get_host_measurements", measurements::get_host_measurements),
        get(DISKS, "opsmgr.list_disks", deployments::list_disks),
        get(DISK, "opsmgr.get_disk", deployments::get_disk),
        get(DISK_MEASUREMENTS, "opsmgr.get_disk_measurements", measurements::get_disk_measurements),
        get(DATABASES, "opsmgr.list_databases", deployments::list_databases),
        get(DATABASE, "opsmgr.get_database", deployments::get_database),
        get(DATABASE_MEASUREMENTS, "opsmgr.get_database_measurements", measurements::get_database_measurements),
        // The agents of a project.
        get(AGENTS, "opsmgr.list_agent_links", agents::list_agent_links),
        get(AGENTS_OF_TYPE, "opsmgr.list_agents", agents::list_agents),
        // Backup configurations.
        get(BACKUP_CONFIGS, "opsmgr.list_backup_configs", backup_configs::list_backup_configs),
        get(BACKUP_CONFIG, "opsmgr.get_backup_config", backup_configs::get_backup_config),
        // Alerts, alert configurations and events.
        get(ALERTS, "opsmgr.list_alerts", alerts::list_alerts),
        get(ALERT, "opsmgr.get_alert", alerts::get_alert),
        patch(ALERT, "opsmgr.acknowledge_alert", alerts::acknowledge_alert),
        get(ALERT_CONFIGS, "opsmgr.list_alert_configs", alerts::list_alert_configs),
        get(ALERT_CONFIG, "opsmgr.get_alert_config", alerts::get_alert_config),
        get(ALERT_CONFIG_ALERTS, "opsmgr.list_config_alerts", alerts::list_config_alerts),
        get(ORG_EVENTS, "opsmgr.list_org_events", events::list_org_events),
        get(ORG_EVENT, "opsmgr.get_org_event", events::get_org_event),
        get(GROUP_EVENTS, "opsmgr.list_project_events", events::list_project_events),
        get(GROUP_EVENT, "opsmgr.get_project_event", events::get_project_event),
        // Global API keys and the global API access list.
        get(GLOBAL_KEYS, "opsmgr.list_global_keys", global_keys::list_global_keys),
        post(GLOBAL_KEYS, "opsmgr.create_global_key", global_keys::create_global_key),
        get(GLOBAL_ROLES, "opsmgr.list_global_roles", global_keys::list_global_roles),
        get(GLOBAL_KEY, "opsmgr.get_global_key", global_keys::get_global_key),
        patch(GLOBAL_KEY, "opsmgr.update_global_key", global_keys::update_global_key),
        delete(GLOBAL_KEY, "opsmgr.delete_global_key", global_keys::delete_global_key),
        get(GLOBAL_ACCESS, "opsmgr.list_global_access", global_keys::list_global_access),
        post(GLOBAL_ACCESS, "opsmgr.add_global_access", global_keys::add_global_access),
        get(GLOBAL_ACCESS_ENTRY, "opsmgr.get_global_access", global_keys::get_global_access),
        patch(GLOBAL_ACCESS_ENTRY, "opsmgr.update_global_access", global_keys::update_global_access),
        delete(GLOBAL_ACCESS_ENTRY, "opsmgr.delete_global_access", global_keys::delete_global_access),
        // The API root and users.
        get(ROOT, "opsmgr.get_root", root::get_root),
        post(USERS, "opsmgr.create_user", users::create_user),
        get(USER_BY_NAME, "opsmgr.get_user_by_name", users::get_user_by_name),
        get(USER, "opsmgr.get_user", users::get_user),
        patch(USER, "opsmgr.update_user", users::update_user),
        delete(USER, "opsmgr.delete_user", users::delete_user),
        // A user's own API access list (and its 4.x `whitelist` spelling).
        get(USER_AL, "opsmgr.list_user_access", access::list_user_access),
        post(USER_AL, "opsmgr.add_user_access", access::add_user_access),
        get(USER_AL_ENTRY, "opsmgr.get_user_access", access::get_user_access),
        delete(USER_AL_ENTRY, "opsmgr.delete_user_access", access::delete_user_access),
        get(USER_WL, "opsmgr.list_user_access", access::list_user_access),
        post(USER_WL, "opsmgr.add_user_access", access::add_user_access),
        get(USER_WL_ENTRY, "opsmgr.get_user_access", access::get_user_access),
        delete(USER_WL_ENTRY, "opsmgr.delete_user_access", access::delete_user_access),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// One route whose errors are written in Ops Manager's format for this request.
fn route<F, Args>(method: Method, path: &'static str, name: &'static str, handler: F) -> OpRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    let mut op = auth_core::op(method, path, name, handler);
    op.route = op.route.wrap(from_fn(render_errors));
    op
}

/// GET, and HEAD with the same headers and no body.
fn get<F, Args>(path: &'static str, name: &'static str, handler: F) -> Vec<OpRoute>
where
    F: Handler<Args> + Clone,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    vec![
        route(Method::GET, path, name, handler.clone()),
        route(Method::HEAD, path, name, handler),
    ]
}

fn post<F, Args>(path: &'static str, name: &'static str, handler: F) -> Vec<OpRoute>
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    vec![route(Method::POST, path, name, handler)]
}

fn patch<F, Args>(path: &'static str, name: &'static str, handler: F) -> Vec<OpRoute>
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    vec![route(Method::PATCH, path, name, handler)]
}

fn delete<F, Args>(path: &'static str, name: &'static str, handler: F) -> Vec<OpRoute>
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    vec![route(Method::DELETE, path, name, handler)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::dev::ResourceDef;

    /// The path's segments after the base, without the optional trailing slash.
    fn segments(pattern: &str) -> Vec<&str> {
        pattern
            .trim_start_matches(crate::wire::BASE)
            .trim_end_matches("{slash:/?}")
            .split('/')
            .collect()
    }

    /// Whether `a` should win over `b` when both match: at the first segment where one
    /// is literal and the other a variable, the literal one.
    fn beats(a: &str, b: &str) -> bool {
        for (x, y) in segments(a).iter().zip(segments(b).iter()) {
            match (x.starts_with('{'), y.starts_with('{')) {
                (false, true) => return true,
                (true, false) => return false,
                _ => {}
            }
        }
        false
    }

    #[test]
    fn every_path_reaches_the_resource_with_the_leftmost_literal_segment() {
        let mut defs: Vec<(ResourceDef, &'static str)> = Vec::new();
        for r in table() {
            if !defs.iter().any(|(_, p)| *p == r.path) {
                defs.push((ResourceDef::new(r.path), r.path));
            }
        }
        let level =
            |words: &[&str]| -> Vec<String> { words.iter().map(|w| (*w).to_owned()).collect() };
        let id = "5953c5f380eef53887615f99";
        let levels = [
            level(&["byName", "x", id]),
            level(&[
                "byName",
                "apiKeys",
                "clusters",
                "hosts",
                "accessList",
                "whitelist",
                "users",
                "x",
            ]),
            level(&[
                "byName",
                "x",
                "measurements",
                "disks",
                "accessList",
                "roles",
            ]),
            level(&["x", "measurements", "byName"]),
            level(&["measurements"]),
        ];
        let mut paths = Vec::new();
        for top in ["orgs", "groups", "users", "clusters", "admin"] {
            let mut current = vec![format!("{}/{top}", crate::wire::BASE)];
            paths.extend(current.clone());
            for words in &levels {
                current = current
                    .iter()
                    .flat_map(|p| words.iter().map(move |w| format!("{p}/{w}")))
                    .collect();
                paths.extend(current.clone());
            }
        }
        let with_slash: Vec<String> = paths.iter().map(|p| format!("{p}/")).collect();
        let mut overlaps = 0;
        for path in paths.iter().chain(&with_slash) {
            let matching: Vec<&str> = defs
                .iter()
                .filter(|(def, _)| def.is_match(path))
                .map(|(_, p)| *p)
                .collect();
            if let Some((first, rest)) = matching.split_first() {
                for other in rest {
                    overlaps += 1;
                    assert!(beats(first, other), "{path}: {first} tried before {other}");
                }
            }
        }
        assert!(overlaps > 0, "the byName overlap is exercised");
    }
}
