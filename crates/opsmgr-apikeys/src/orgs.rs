//! Organizations: `GET /orgs`, `GET /orgs/{ORG-ID}`, `GET /orgs/{ORG-ID}/groups`
//! (Ops Manager API reference, "Organizations":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/organizations/>).

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::request::{self, Call};
use crate::store;
use crate::wire::{self, Reply};

/// `GET /orgs`: the orgs the caller has a role in (all for global readers); `name` is a
/// case-insensitive exact match; `includeDeletedOrgs` (default true) only matters to
/// global readers.
pub(crate) async fn list_orgs(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let paging = call.paging()?;
    let name = call.query("name").map(|n| n.to_lowercase());
    let include_deleted = call
        .query("includeDeletedOrgs")
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let central = call.central();
    let items = call
        .inst
        .store
        .read(store::list_orgs)?
        .into_iter()
        .filter(|o| caller.can_read_org(&o.id))
        .filter(|o| name.as_ref().is_none_or(|n| o.name.to_lowercase() == *n))
        .filter(|o| !o.is_deleted || (include_deleted && caller.is_global_reader()))
        .map(|o| wire::org(&central, &o))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}

/// `GET /orgs/{ORG-ID}`.
pub(crate) async fn get_org(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    Ok(Reply::ok(wire::org(&call.central(), &org)))
}

/// `GET /orgs/{ORG-ID}/groups`: the org's projects; `name` is a case-insensitive prefix.
pub(crate) async fn list_org_projects(caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let org = request::org(&call.inst, &call.req, &caller, &call.segment("org_id"))?;
    let paging = call.paging()?;
    let prefix = call.query("name").map(|n| n.to_lowercase());
    let central = call.central();
    let items = call
        .inst
        .store
        .read(store::list_projects)?
        .into_iter()
        .filter(|p| p.org_id == org.id)
        .filter(|p| {
            prefix
                .as_ref()
                .is_none_or(|n| p.name.to_lowercase().starts_with(n.as_str()))
        })
        .map(|p| wire::project(&central, &p))
        .collect();
    Ok(Reply::ok(wire::list(&call.req, &central, paging, items)))
}
