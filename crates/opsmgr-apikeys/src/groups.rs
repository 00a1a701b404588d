//! Projects, a.k.a. groups (spec §6.2): list with `tag` filter, get, by name, create.

use crate::auth::Caller;
use crate::body;
use crate::error::ApiError;
use crate::lookup;
use crate::model::is_object_id;
use crate::store::{self, ProjectRow};
use crate::view;
use crate::wire::{self, query_values, Out, Paging};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use auth_core::{Inst, Instance};

/// Fields a client may send when creating a project: `name`, `orgId` and `tags` are used;
/// the others are the read-only fields of a project that clients echo back (ignored).
const PROJECT_FIELDS: [&str; 13] = [
    "name",
    "orgId",
    "tags",
    "id",
    "links",
    "activeAgentCount",
    "agentApiKey",
    "hostCounts",
    "publicApiEnabled",
    "replicaSetCount",
    "shardCount",
    "lastActiveAgent",
    "ldapGroupMappings",
];

/// `GET /groups`: projects the caller can read; every `tag` given must be on the project.
pub async fn list_projects(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = list(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

/// `GET /groups/{GROUP-ID}`.
pub async fn get_project(inst: Inst<OpsMgr>, caller: Caller, req: HttpRequest) -> HttpResponse {
    let result = lookup::project(&inst, &caller, &lookup::segment(&req, "group_id")).map(|p| {
        let central = inst.product.central_url(&inst, &req);
        Out::Json(StatusCode::OK, view::project(&central, &p))
    });
    inst.product.render(&inst, &req, result)
}

/// `GET /groups/byName/{GROUP-NAME}`.
pub async fn get_project_by_name(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result = by_name(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

/// `POST /groups`: 201 with the new project.
pub async fn create_project(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
    stream: web::Payload,
) -> HttpResponse {
    let payload = match body::read(stream).await {
        Ok(bytes) => bytes,
        Err(err) => return inst.product.render(&inst, &req, Err(err)),
    };
    let result = create(&inst, &caller, &req, &payload);
    inst.product.render(&inst, &req, result)
}

fn list(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let paging = Paging::of(req)?;
    let tags = query_values(req, "tag");
    let central = inst.product.central_url(inst, req);
    let items = inst
        .store
        .read(store::list_projects)?
        .into_iter()
        .filter(|p| caller.can_read_project(p))
        .filter(|p| tags.iter().all(|t| p.tags.contains(t)))
        .map(|p| view::project(&central, &p))
        .collect();
    Ok(Out::Json(
        StatusCode::OK,
        wire::list(req, &central, paging, items),
    ))
}

fn by_name(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let name = lookup::segment(req, "name");
    match inst.store.read(|c| store::find_project_by_name(c, &name))? {
        None => Err(ApiError::GroupNameNotFound(name)),
        Some(p) if caller.can_read_project(&p) => {
            let central = inst.product.central_url(inst, req);
            Ok(Out::Json(StatusCode::OK, view::project(&central, &p)))
        }
        Some(p) => Err(ApiError::NotInGroup(p.id)),
    }
}

fn create(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    req: &HttpRequest,
    payload: &[u8],
) -> Result<Out, ApiError> {
    let map = body::object(payload, &PROJECT_FIELDS)?;
    let name = body::opt_string(&map, "name")?.ok_or(ApiError::MissingAttribute("name"))?;
    let org_id = body::opt_string(&map, "orgId")?.ok_or(ApiError::MissingAttribute("orgId"))?;
    let tags = body::opt_strings(&map, "tags")?.unwrap_or_default();
    if !is_object_id(&org_id) || inst.store.read(|c| store::find_org(c, &org_id))?.is_none() {
        return Err(ApiError::OrgNotFound(org_id));
    }
    if !caller.is_org_owner(&org_id) && !caller.has_org_role(&org_id, &["ORG_GROUP_CREATOR"]) {
        return Err(ApiError::UserUnauthorized);
    }
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 {
        return Err(ApiError::InvalidGroupName(name));
    }
    let ids = &inst.env.ids;
    let now = inst.env.clock.now_secs();
    let project = inst.store.write(|tx| {
        if store::find_project_by_name(tx, trimmed)?.is_some() {
            return Err(ApiError::GroupAlreadyExists(trimmed.to_owned()));
        }
        let mut id = ids.object_id(now);
        while crate::state::id_taken(tx, &id)? {
            id = ids.object_id(now);
        }
        let project = ProjectRow {
            id,
            org_id: org_id.clone(),
            name: trimmed.to_owned(),
            agent_api_key: ids.hex(16),
            created: auth_core::clock::rfc3339_ms(now.saturating_mul(1000)),
            tags,
        };
        store::insert_project(tx, &project)?;
        Ok(project)
    })?;
    let central = inst.product.central_url(inst, req);
    Ok(Out::Json(
        StatusCode::CREATED,
        view::project(&central, &project),
    ))
}
