//! Requesters and technicians: `/api/v1/requester` and `/api/v1/technician` (Motadata docs
//! "Requester REST API", <https://docs.motadata.com/serviceops-docs/integration-docs/request-management-with-apis/requester-rest-api>).
//! Technicians and admins manage them; a requester gets 403.

use crate::auth::{ApiUser, Caller, Manager};
use crate::error::ApiError;
use crate::qual::{self, Page};
use crate::request::{
    invalid, set_optional_name, set_text, Body, Id, JsonBody, Lookups, Scope, Search,
};
use crate::store;
use crate::wire::{Reply, Role, User};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Map, Value};

/// The properties a requester/technician search may qualify on.
const FIELDS: &[&str] = &[
    "id",
    "name",
    "email",
    "userLogOnName",
    "contactNo",
    "locationName",
    "departmentName",
];

/// Which users an endpoint manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    /// `/api/v1/requester`.
    Requester,
    /// `/api/v1/technician` (technicians and admins).
    Technician,
}

impl UserKind {
    fn label(self) -> &'static str {
        match self {
            UserKind::Requester => "Requester",
            UserKind::Technician => "Technician",
        }
    }

    fn includes(self, role: Role) -> bool {
        match self {
            UserKind::Requester => role == Role::Requester,
            UserKind::Technician => role != Role::Requester,
        }
    }
}

/// The API's view of a user: no password, no keys, absent keys omitted.
fn wire(user: &User) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(user.id));
    out.insert("name".into(), json!(user.name));
    out.insert("email".into(), json!(user.email));
    let optional = [
        ("userLogOnName", &user.logon_name),
        ("contactNo", &user.contact_no),
        ("locationName", &user.location_name),
        ("departmentName", &user.department_name),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            out.insert(key.into(), json!(value));
        }
    }
    Value::Object(out)
}

fn manager(caller: &Caller) -> Result<(), ApiError> {
    if caller.sees_all() {
        Ok(())
    } else {
        Err(ApiError::AccessDenied)
    }
}

fn read(conn: &Connection, kind: UserKind, id: i64) -> Result<User, ApiError> {
    store::find_user(conn, id)?
        .filter(|u| kind.includes(u.role))
        .ok_or_else(|| ApiError::NotFound(format!("{} with id {id} not found", kind.label())))
}

/// The login `value` for `key` must not belong to another user.
fn check_free(conn: &Connection, key: &str, value: &str, id: i64) -> Result<(), ApiError> {
    match store::find_user_by_login(conn, value)? {
        Some(other) if other.id != id => Err(invalid(key, &format!("{value:?} already exists"))),
        _ => Ok(()),
    }
}

fn apply(
    conn: &Connection,
    lookups: &Lookups<'_>,
    body: &Body<'_>,
    user: &mut User,
) -> Result<(), ApiError> {
    if body.has("name") {
        user.name = body.required("name")?.to_owned();
    }
    if body.has("email") {
        let email = body.required("email")?;
        if !email.contains('@') {
            return Err(invalid(
                "email",
                &format!("{email:?} is not an e-mail address"),
            ));
        }
        check_free(conn, "email", email, user.id)?;
        email.clone_into(&mut user.email);
    }
    if body.has("userLogOnName") {
        let logon = body
            .string("userLogOnName")?
            .filter(|l| !l.trim().is_empty());
        if let Some(logon) = logon {
            check_free(conn, "userLogOnName", logon, user.id)?;
        }
        user.logon_name = logon.map(str::to_owned);
    }
    set_text(body, "contactNo", &mut user.contact_no)?;
    let reference = &lookups.reference;
    set_optional_name(
        lookups,
        body,
        "locationName",
        &reference.locations,
        &mut user.location_name,
    )?;
    set_optional_name(
        lookups,
        body,
        "departmentName",
        &reference.departments,
        &mut user.department_name,
    )?;
    Ok(())
}

fn create_in(
    tx: &Transaction<'_>,
    kind: UserKind,
    caller: &Caller,
    map: &Map<String, Value>,
) -> Result<Value, ApiError> {
    manager(caller)?;
    let body = Body(map);
    body.required("name")?;
    body.required("email")?;
    let lookups = Lookups::load(tx)?;
    let mut user = User {
        id: store::next_user_id(tx)?,
        name: String::new(),
        email: String::new(),
        logon_name: None,
        password: String::new(),
        role: match kind {
            UserKind::Requester => Role::Requester,
            UserKind::Technician => Role::Technician,
        },
        enabled: true,
        api_keys: Vec::new(),
        contact_no: None,
        location_name: None,
        department_name: None,
    };
    apply(tx, &lookups, &body, &mut user)?;
    store::insert_user(tx, &user)?;
    Ok(wire(&user))
}

fn update_in(
    tx: &Transaction<'_>,
    kind: UserKind,
    caller: &Caller,
    id: i64,
    map: &Map<String, Value>,
) -> Result<Value, ApiError> {
    manager(caller)?;
    let mut user = read(tx, kind, id)?;
    let lookups = Lookups::load(tx)?;
    apply(tx, &lookups, &Body(map), &mut user)?;
    store::update_user(tx, &user)?;
    Ok(wire(&user))
}

fn search_in(
    conn: &Connection,
    kind: UserKind,
    caller: &Caller,
    query: &qual::Query,
    page: Page,
) -> Result<Value, ApiError> {
    manager(caller)?;
    let users = store::users(conn)?;
    let matching = users.iter().filter(|u| kind.includes(u.role)).map(wire);
    qual::page(query, FIELDS, matching, page)
}

/// `POST /api/v1/requester`: 200 + the new requester.
pub async fn create_requester(caller: ApiUser, body: JsonBody) -> Result<Reply, ApiError> {
    let created = caller.write(|tx| create_in(tx, UserKind::Requester, &caller, &body.0))?;
    Ok(Reply::json(created))
}

/// `GET /api/v1/requester/{id}` (technicians and admins).
pub async fn get_requester(caller: Manager, id: Id<RequesterScope>) -> Result<Reply, ApiError> {
    let user = caller.read(|c| read(c, UserKind::Requester, id.0))?;
    Ok(Reply::json(wire(&user)))
}

/// `PATCH /api/v1/requester/{id}`: 200 + the updated requester.
pub async fn update_requester(
    caller: ApiUser,
    id: Id<RequesterScope>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let updated = caller.write(|tx| update_in(tx, UserKind::Requester, &caller, id.0, &body.0))?;
    Ok(Reply::json(updated))
}

/// `DELETE /api/v1/requester/{id}` (technicians and admins): 200, empty body.
pub async fn delete_requester(caller: Manager, id: Id<RequesterScope>) -> Result<Reply, ApiError> {
    caller.write(|tx| {
        read(tx, UserKind::Requester, id.0)?;
        store::delete_user(tx, id.0)?;
        Ok(())
    })?;
    Ok(Reply::empty())
}

/// `POST /api/v1/requester/search/byqual?offset=&size=`.
pub async fn search_requesters(caller: ApiUser, search: Search) -> Result<Reply, ApiError> {
    let found =
        caller.read(|c| search_in(c, UserKind::Requester, &caller, &search.query, search.page))?;
    Ok(Reply::json(found))
}

/// `POST /api/v1/technician`: 200 + the new technician.
pub async fn create_technician(caller: ApiUser, body: JsonBody) -> Result<Reply, ApiError> {
    let created = caller.write(|tx| create_in(tx, UserKind::Technician, &caller, &body.0))?;
    Ok(Reply::json(created))
}

/// `GET /api/v1/technician/{id}` (technicians and admins).
pub async fn get_technician(caller: Manager, id: Id<TechnicianScope>) -> Result<Reply, ApiError> {
    let user = caller.read(|c| read(c, UserKind::Technician, id.0))?;
    Ok(Reply::json(wire(&user)))
}

/// `PATCH /api/v1/technician/{id}`: 200 + the updated technician.
pub async fn update_technician(
    caller: ApiUser,
    id: Id<TechnicianScope>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let updated = caller.write(|tx| update_in(tx, UserKind::Technician, &caller, id.0, &body.0))?;
    Ok(Reply::json(updated))
}

/// `DELETE /api/v1/technician/{id}` (technicians and admins): 200, empty body.
pub async fn delete_technician(
    caller: Manager,
    id: Id<TechnicianScope>,
) -> Result<Reply, ApiError> {
    caller.write(|tx| {
        read(tx, UserKind::Technician, id.0)?;
        store::delete_user(tx, id.0)?;
        Ok(())
    })?;
    Ok(Reply::empty())
}

/// `POST /api/v1/technician/search/byqual?offset=&size=`.
pub async fn search_technicians(caller: ApiUser, search: Search) -> Result<Reply, ApiError> {
    let found =
        caller.read(|c| search_in(c, UserKind::Technician, &caller, &search.query, search.page))?;
    Ok(Reply::json(found))
}

/// Requesters, under `/api/v1/requester/{id}`.
pub enum RequesterScope {}
impl Scope for RequesterScope {
    const LABEL: &'static str = "Requester";
}

/// Technicians, under `/api/v1/technician/{id}`.
pub enum TechnicianScope {}
impl Scope for TechnicianScope {
    const LABEL: &'static str = "Technician";
}
