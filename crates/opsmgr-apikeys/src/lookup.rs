//! Path ids and parents (spec §3.1 steps 4–5): id syntax, existence and membership, in the
//! fixed order so the same bad request always gets the same error.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::model::is_object_id;
use crate::store::{self, OrgRow, ProjectRow};
use crate::OpsMgr;
use actix_web::HttpRequest;
use auth_core::Instance;

/// A path parameter, percent-decoded (so `%2F` in a CIDR becomes `/`).
pub fn segment(req: &HttpRequest, name: &str) -> String {
    let raw = req.match_info().get(name).unwrap_or_default();
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

/// The project `{group_id}` the caller may read.
///
/// # Errors
/// `INVALID_GROUP_ID`, `GROUP_NOT_FOUND` (global callers) or `NOT_IN_GROUP`.
pub fn project(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    group_id: &str,
) -> Result<ProjectRow, ApiError> {
    if !is_object_id(group_id) {
        return Err(ApiError::InvalidGroupId(group_id.to_owned()));
    }
    match inst.store.read(|c| store::find_project(c, group_id))? {
        Some(p) if caller.can_read_project(&p) => Ok(p),
        None if caller.is_global_reader() => Err(ApiError::GroupNotFound(group_id.to_owned())),
        _ => Err(ApiError::NotInGroup(group_id.to_owned())),
    }
}

/// The org `{org_id}` the caller has a role in.
///
/// # Errors
/// `RESOURCE_NOT_FOUND` (malformed id), `ORG_NOT_FOUND` or `USER_UNAUTHORIZED`.
pub fn org(
    inst: &Instance<OpsMgr>,
    req: &HttpRequest,
    caller: &Caller,
    org_id: &str,
) -> Result<OrgRow, ApiError> {
    if !is_object_id(org_id) {
        return Err(ApiError::ResourceNotFound(req.path().to_owned()));
    }
    match inst.store.read(|c| store::find_org(c, org_id))? {
        None => Err(ApiError::OrgNotFound(org_id.to_owned())),
        Some(o) if caller.can_read_org(&o.id) => Ok(o),
        Some(_) => Err(ApiError::UserUnauthorized),
    }
}
