//! Organization API keys on projects (spec §6.4): `/groups/{GROUP-ID}/apiKeys[/{ID}]`.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::lookup;
use crate::store;
use crate::view;
use crate::wire::{self, Out, Paging};
use crate::OpsMgr;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use auth_core::{Inst, Instance};

/// `GET /groups/{GROUP-ID}/apiKeys`: keys with at least one role on the project, with their
/// whole role sets, private keys redacted.
pub async fn list_project_keys(
    inst: Inst<OpsMgr>,
    caller: Caller,
    req: HttpRequest,
) -> HttpResponse {
    let result = list(&inst, &caller, &req);
    inst.product.render(&inst, &req, result)
}

fn list(inst: &Instance<OpsMgr>, caller: &Caller, req: &HttpRequest) -> Result<Out, ApiError> {
    let project = lookup::project(inst, caller, &lookup::segment(req, "group_id"))?;
    let paging = Paging::of(req)?;
    let central = inst.product.central_url(inst, req);
    let items = inst.store.read(|c| {
        let mut items = Vec::new();
        for key in store::keys_on_project(c, &project.id)? {
            let roles = store::roles_of(c, &key.id)?;
            items.push(view::api_key(&central, &key, &roles, false));
        }
        Ok::<_, rusqlite::Error>(items)
    })?;
    Ok(Out::Json(
        StatusCode::OK,
        wire::list(req, &central, paging, items),
    ))
}
