//! Organizations (spec §6.1): `GET /orgs`, `GET /orgs/{ORG-ID}`, `GET /orgs/{ORG-ID}/groups`.
//! Creating, renaming and deleting orgs is out of scope (state document only).

use crate::auth::Caller;
use crate::error::ApiError;
use crate::lookup;
use crate::store;
use crate::view;
use crate::wire::{self, query_value, Out, Paging};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use auth_core::{Inst, Instance};

/// `GET /orgs`: the orgs the caller has a role in (all for global readers); `name` is a
/// case-insensitive exact match; `includeDeletedOrgs` (default true) only matters to
/// global readers.
pub async fn list_orgs(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = list(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

/// `GET /orgs/{ORG-ID}`.
pub async fn get_org(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = lookup::org(&inst, &req, &caller, &lookup::segment(&req, "org_id")).map(|org| {
        let central = inst.product.central_url(&inst, &req);
        Out::Json(StatusCode::OK, view::org(&central, &org))
    });
    inst.product.render(&inst, &req, result)
}

/// `GET /orgs/{ORG-ID}/groups`: the org's projects; `name` is a case-insensitive prefix.
pub async fn list_org_projects(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result = projects(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

fn list(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let paging = Paging::of(req)?;
    let name = query_value(req, "name").map(|n| n.to_lowercase());
    let include_deleted =
        query_value(req, "includeDeletedOrgs").is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let central = inst.product.central_url(inst, req);
    let items = inst
        .store
        .read(store::list_orgs)?
        .into_iter()
        .filter(|o| caller.can_read_org(&o.id))
        .filter(|o| name.as_ref().is_none_or(|n| o.name.to_lowercase() == *n))
        .filter(|o| !o.is_deleted || (include_deleted && caller.is_global_reader()))
        .map(|o| view::org(&central, &o))
        .collect();
    Ok(Out::Json(
        StatusCode::OK,
        wire::list(req, &central, paging, items),
    ))
}

fn projects(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let org = lookup::org(inst, req, caller, &lookup::segment(req, "org_id"))?;
    let paging = Paging::of(req)?;
    let prefix = query_value(req, "name").map(|n| n.to_lowercase());
    let central = inst.product.central_url(inst, req);
    let items = inst
        .store
        .read(store::list_projects)?
        .into_iter()
        .filter(|p| p.org_id == org.id)
        .filter(|p| {
            prefix
                .as_ref()
                .is_none_or(|n| p.name.to_lowercase().starts_with(n.as_str()))
        })
        .map(|p| view::project(&central, &p))
        .collect();
    Ok(Out::Json(
        StatusCode::OK,
        wire::list(req, &central, paging, items),
    ))
}
