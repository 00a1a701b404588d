//! Requests (incidents, `INC-n`) and service requests (`SR-n`): create, read, PATCH update,
//! delete and search by qualification.

use crate::auth::{ApiUser, Caller};
use crate::error::ApiError;
use crate::qual::{self, Page};
use crate::request::{
    plain_text, set_name, set_optional_name, set_user, Body, Id, JsonBody, Lookups, RequestScope,
    Search, ServiceRequestScope,
};
use crate::store::{self, Kind};
use crate::wire::{Reply, Request};
use rusqlite::Transaction;
use serde_json::{Map, Value};

/// The properties a request search may qualify on.
pub const REQUEST_FIELDS: &[&str] = &[
    "id",
    "name",
    "subject",
    "description",
    "requesterEmail",
    "requesterName",
    "statusName",
    "priorityName",
    "urgencyName",
    "impactName",
    "categoryName",
    "departmentName",
    "locationName",
    "assigneeEmail",
    "technicianGroupName",
    "serviceName",
    "serviceCategoryName",
    "source",
    "spam",
    "supportLevel",
    "ccEmailSet",
    "tags",
    "createdTime",
    "updatedTime",
    "createdByName",
    "updatedByName",
];

impl Kind {
    /// "Request", "Service Request": the start of a 404 message.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Request => "Request",
            Kind::ServiceRequest => "Service Request",
            Kind::Change => "Change",
            Kind::Asset => "Asset",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Kind::Request => "INC",
            Kind::ServiceRequest => "SR",
            Kind::Change => "CHG",
            Kind::Asset => "AST",
        }
    }
}

fn not_found(label: &str, id: i64) -> ApiError {
    ApiError::NotFound(format!("{label} with id {id} not found"))
}

/// Apply the keys of `body` to `request` (create and PATCH share the rules).
fn apply(
    lookups: &Lookups<'_>,
    body: &Body<'_>,
    caller: &Caller,
    request: &mut Request,
) -> Result<(), ApiError> {
    let reference = &lookups.reference;
    if body.has("subject") {
        request.subject = body.required("subject")?.to_owned();
    }
    if body.has("description") {
        request.description = body.string("description")?.map(plain_text);
    }
    if body.has("requesterEmail") {
        let user = lookups.user("requesterEmail", body.required("requesterEmail")?)?;
        if !caller.may_access(&user.email) {
            return Err(ApiError::AccessDenied);
        }
        request.requester_email = user.email;
        request.requester_name = Some(user.name);
    }
    let defaulted: [(&str, &[String], &mut String); 6] = [
        ("statusName", &reference.statuses, &mut request.status_name),
        (
            "priorityName",
            &reference.priorities,
            &mut request.priority_name,
        ),
        (
            "urgencyName",
            &reference.urgencies,
            &mut request.urgency_name,
        ),
        ("impactName", &reference.impacts, &mut request.impact_name),
        (
            "supportLevel",
            &reference.support_levels,
            &mut request.support_level,
        ),
        ("source", &reference.sources, &mut request.source),
    ];
    for (key, list, slot) in defaulted {
        set_name(lookups, body, key, list, slot)?;
    }
    let optional: [(&str, &[String], &mut Option<String>); 4] = [
        (
            "categoryName",
            &reference.categories,
            &mut request.category_name,
        ),
        (
            "departmentName",
            &reference.departments,
            &mut request.department_name,
        ),
        (
            "locationName",
            &reference.locations,
            &mut request.location_name,
        ),
        (
            "technicianGroupName",
            &reference.technician_groups,
            &mut request.technician_group_name,
        ),
    ];
    for (key, list, slot) in optional {
        set_optional_name(lookups, body, key, list, slot)?;
    }
    set_user(
        lookups,
        body,
        "assigneeEmail",
        true,
        &mut request.assignee_email,
    )?;
    if let Some(spam) = body.bool("spam")? {
        request.spam = spam;
    }
    if body.has("ccEmailSet") {
        let emails = body.strings("ccEmailSet")?;
        if let Some(bad) = emails.iter().flatten().find(|e| !e.contains('@')) {
            return Err(crate::request::invalid(
                "ccEmailSet",
                &format!("{bad:?} is not an e-mail address"),
            ));
        }
        request.cc_email_set = emails;
    }
    if body.has("tags") {
        request.tags = body.strings("tags")?;
    }
    if let Some(files) = body.attachments("fileAttachments")? {
        request.file_attachments = files;
    }
    request.custom_field =
        lookups.custom_fields(Some(&request.custom_field), body.value("customField"))?;
    Ok(())
}

/// Apply the service-catalog keys of a service request.
fn apply_service(
    lookups: &Lookups<'_>,
    body: &Body<'_>,
    request: &mut Request,
) -> Result<(), ApiError> {
    let reference = &lookups.reference;
    if body.has("serviceName") {
        let name = body.required("serviceName")?;
        request.service_name = Some(lookups.name("serviceName", &reference.services, name)?);
    }
    if body.has("serviceCategoryName") {
        request.service_category_name = match body.string("serviceCategoryName")? {
            Some(name) => {
                Some(lookups.name("serviceCategoryName", &reference.service_categories, name)?)
            }
            None => None,
        };
    }
    Ok(())
}

/// Create a request of `kind` from `map` in `tx`.
pub fn create(
    tx: &Transaction<'_>,
    kind: Kind,
    caller: &Caller,
    map: &Map<String, Value>,
    now: i64,
) -> Result<Request, ApiError> {
    let lookups = Lookups::load(tx)?;
    let mut map = map.clone();
    if kind == Kind::ServiceRequest {
        // The service catalog API names the requester `requester` (captured from a
        // real 2025 server); the subject comes
        // from the service form and is "---" when the form has none.
        if let Some(requester) = map.remove("requester") {
            map.entry("requesterEmail").or_insert(requester);
        } else if !map.contains_key("requesterEmail") {
            return Err(crate::request::required("requester"));
        }
        map.entry("subject").or_insert_with(|| Value::from("---"));
        Body(&map).required("serviceName")?;
    }
    let body = Body(&map);
    body.required("subject")?;
    body.required("requesterEmail")?;
    let mut request = Request {
        id: 0,
        name: String::new(),
        subject: String::new(),
        description: None,
        requester_email: String::new(),
        requester_name: None,
        status_name: "Open".into(),
        priority_name: "Low".into(),
        urgency_name: "Low".into(),
        impact_name: "Low".into(),
        category_name: None,
        department_name: None,
        location_name: None,
        assignee_email: None,
        technician_group_name: None,
        service_name: None,
        service_category_name: None,
        source: "External".into(),
        spam: false,
        support_level: "tier0".into(),
        cc_email_set: None,
        tags: None,
        file_attachments: Vec::new(),
        created_time: now,
        updated_time: now,
        created_by_name: caller.user.name.clone(),
        updated_by_name: caller.user.name.clone(),
        custom_field: Map::new(),
    };
    apply(&lookups, &body, caller, &mut request)?;
    if kind == Kind::ServiceRequest {
        apply_service(&lookups, &body, &mut request)?;
    }
    request.id = store::take_sequence(tx, "nextId")?;
    request.name = format!(
        "{}-{}",
        kind.prefix(),
        store::take_sequence(tx, "nextTicketNumber")?
    );
    store::put_object(tx, kind, request.id, &request)?;
    Ok(request)
}

/// Request endpoints reach incidents and service requests (one table in ServiceOps).
pub const REQUESTS: &[Kind] = &[Kind::Request, Kind::ServiceRequest];
/// Service-request endpoints reach service requests only.
pub const SERVICE_REQUESTS: &[Kind] = &[Kind::ServiceRequest];

fn scope_label(kinds: &[Kind]) -> &'static str {
    kinds.first().map_or("Request", |k| k.label())
}

/// Read request `id` (one of `kinds`) as `caller`: 404 if unknown, 403 if not the caller's.
pub fn read(
    conn: &rusqlite::Connection,
    kinds: &[Kind],
    caller: &Caller,
    id: i64,
) -> Result<(Kind, Request), ApiError> {
    let (kind, request): (Kind, Request) =
        store::find_object(conn, kinds, id)?.ok_or_else(|| not_found(scope_label(kinds), id))?;
    if !caller.may_access(&request.requester_email) {
        return Err(ApiError::AccessDenied);
    }
    Ok((kind, request))
}

/// Only the key [`read_json`] needs to decide access.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Owner {
    requester_email: String,
}

/// As [`read`], but the request as its JSON text, sent without decoding and encoding the
/// whole request again (the stored text is serde's own encoding of the [`Request`]).
pub fn read_json(
    conn: &rusqlite::Connection,
    kinds: &[Kind],
    caller: &Caller,
    id: i64,
) -> Result<String, ApiError> {
    let (_, text) = store::find_object_json(conn, kinds, id)?
        .ok_or_else(|| not_found(scope_label(kinds), id))?;
    if caller.sees_all() {
        return Ok(text);
    }
    let owner: Owner = serde_json::from_str(&text)
        .map_err(|e| ApiError::Internal(format!("stored request {id}: {e}")))?;
    if !caller.may_access(&owner.requester_email) {
        return Err(ApiError::AccessDenied);
    }
    Ok(text)
}

/// Update request `id` (one of `kinds`) in `tx` (read, apply, write: one transaction, no
/// lost update).
pub fn update(
    tx: &Transaction<'_>,
    kinds: &[Kind],
    caller: &Caller,
    id: i64,
    map: &Map<String, Value>,
    now: i64,
) -> Result<Request, ApiError> {
    let (kind, mut request) = read(tx, kinds, caller, id)?;
    let lookups = Lookups::load(tx)?;
    let body = Body(map);
    apply(&lookups, &body, caller, &mut request)?;
    if kind == Kind::ServiceRequest {
        apply_service(&lookups, &body, &mut request)?;
    }
    request.updated_time = now;
    request.updated_by_name = caller.user.name.clone();
    store::put_object(tx, kind, id, &request)?;
    Ok(request)
}

/// Delete request `id` (one of `kinds`); technicians and admins only.
pub fn delete(
    tx: &Transaction<'_>,
    kinds: &[Kind],
    caller: &Caller,
    id: i64,
) -> Result<(), ApiError> {
    let (kind, _) = read(tx, kinds, caller, id)?;
    if !caller.sees_all() {
        return Err(ApiError::AccessDenied);
    }
    store::delete_object(tx, kind, id)?;
    store::delete_attachments_of(tx, id)?;
    Ok(())
}

/// Search requests of `kinds` visible to `caller`. Without a qualification the page and the
/// count come from the indexes; with one, the visible requests are decoded one at a time and
/// only the page is kept.
pub fn search(
    conn: &rusqlite::Connection,
    kinds: &[Kind],
    caller: &Caller,
    query: &qual::Query,
    page: Page,
) -> Result<Value, ApiError> {
    query.check_fields(REQUEST_FIELDS)?;
    let requester = (!caller.sees_all()).then_some(caller.user.email.as_str());
    if query.is_all() {
        let (total, list) = store::object_page(conn, kinds, requester, page.offset, page.size)?;
        return Ok(qual::listing(list, total));
    }
    let mut pager = qual::Pager::new(page);
    store::for_each_object(conn, kinds, requester, |text| {
        let bad = |e: serde_json::Error| ApiError::Internal(format!("stored request: {e}"));
        if query.matches(&qual::projection(query, text).map_err(bad)?) {
            if pager.wants_next() {
                pager.push(serde_json::from_str(text).map_err(bad)?);
            } else {
                pager.skip();
            }
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(pager.finish())
}

/// `POST /api/v1/request`: 200 + the new request.
pub async fn create_request(caller: ApiUser, body: JsonBody) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let created = caller.write(|tx| create(tx, Kind::Request, &caller, &body.0, now))?;
    Ok(Reply::json(created))
}

/// `GET /api/v1/request/{id}` (incidents and service requests).
pub async fn get_request(caller: ApiUser, id: Id<RequestScope>) -> Result<Reply, ApiError> {
    let text = caller.read(|c| read_json(c, REQUESTS, &caller, id.0))?;
    Ok(Reply::json_text(text))
}

/// `PATCH /api/v1/request/{id}`: 200 + the updated request.
pub async fn update_request(
    caller: ApiUser,
    id: Id<RequestScope>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let updated = caller.write(|tx| update(tx, REQUESTS, &caller, id.0, &body.0, now))?;
    Ok(Reply::json(updated))
}

/// `DELETE /api/v1/request/{id}`: 200, empty body.
pub async fn delete_request(caller: ApiUser, id: Id<RequestScope>) -> Result<Reply, ApiError> {
    caller.write(|tx| delete(tx, REQUESTS, &caller, id.0))?;
    Ok(Reply::empty())
}

/// `POST /api/v1/request/search/byqual?offset=&size=`.
pub async fn search_requests(caller: ApiUser, search: Search) -> Result<Reply, ApiError> {
    let found = caller.read(|c| self::search(c, REQUESTS, &caller, &search.query, search.page))?;
    Ok(Reply::json(found))
}

/// `POST /api/v1/service_catalog/servicerequest`: 200 + the new service request.
pub async fn create_service_request(caller: ApiUser, body: JsonBody) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let created = caller.write(|tx| create(tx, Kind::ServiceRequest, &caller, &body.0, now))?;
    Ok(Reply::json(created))
}

/// `GET /api/v1/service_catalog/servicerequest/{id}`.
pub async fn get_service_request(
    caller: ApiUser,
    id: Id<ServiceRequestScope>,
) -> Result<Reply, ApiError> {
    let text = caller.read(|c| read_json(c, SERVICE_REQUESTS, &caller, id.0))?;
    Ok(Reply::json_text(text))
}

/// `PATCH /api/v1/service_catalog/servicerequest/{id}`: 200 + the updated service request.
pub async fn update_service_request(
    caller: ApiUser,
    id: Id<ServiceRequestScope>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let updated = caller.write(|tx| update(tx, SERVICE_REQUESTS, &caller, id.0, &body.0, now))?;
    Ok(Reply::json(updated))
}

/// `DELETE /api/v1/service_catalog/servicerequest/{id}`: 200, empty body.
pub async fn delete_service_request(
    caller: ApiUser,
    id: Id<ServiceRequestScope>,
) -> Result<Reply, ApiError> {
    caller.write(|tx| delete(tx, SERVICE_REQUESTS, &caller, id.0))?;
    Ok(Reply::empty())
}

/// `POST /api/v1/service_catalog/servicerequest/search/byqual?offset=&size=`.
pub async fn search_service_requests(caller: ApiUser, search: Search) -> Result<Reply, ApiError> {
    let found =
        caller.read(|c| self::search(c, SERVICE_REQUESTS, &caller, &search.query, search.page))?;
    Ok(Reply::json(found))
}
