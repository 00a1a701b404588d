//! Create, read, PATCH, delete and search for the objects beside requests (changes, assets):
//! one set of handlers over the [`Resource`] trait.
//!
//! Roles: technicians and admins may do everything; a requester may read and search only
//! the objects that are its own ([`Resource::owner`]) and may not write (403).

use crate::auth::{ApiUser, Caller};
use crate::error::ApiError;
use crate::qual::{self, Page};
use crate::request::{Body, Id, JsonBody, Lookups, Scope, Search};
use crate::store::{self, Kind};
use crate::wire::Reply;
use rusqlite::{Connection, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// An object type served by the generic handlers.
pub trait Resource: Scope + Serialize + DeserializeOwned + Sized + 'static {
    /// Its kind in the store.
    const KIND: Kind;
    /// The properties a search may qualify on.
    const FIELDS: &'static [&'static str];

    /// The e-mail of the user it belongs to, if any (a requester sees only its own).
    fn owner(&self) -> Option<&str>;

    /// A new object from a create body (id and name are assigned by [`Resource::number`]).
    ///
    /// # Errors
    /// [`ApiError::Validation`] naming the field.
    fn build(
        lookups: &Lookups<'_>,
        body: &Body<'_>,
        caller: &Caller,
        now: i64,
    ) -> Result<Self, ApiError>;

    /// Apply the keys of an update body.
    ///
    /// # Errors
    /// [`ApiError::Validation`] naming the field.
    fn apply(
        &mut self,
        lookups: &Lookups<'_>,
        body: &Body<'_>,
        caller: &Caller,
    ) -> Result<(), ApiError>;

    /// Give a new object its id and display name from the sequences; returns the id.
    ///
    /// # Errors
    /// Store errors.
    fn number(&mut self, tx: &Transaction<'_>) -> Result<i64, ApiError>;

    /// Record an update at `now` by `by`.
    fn touch(&mut self, now: i64, by: &str);
}

fn readable<R: Resource>(caller: &Caller, object: &R) -> bool {
    caller.sees_all() || object.owner().is_some_and(|owner| caller.may_access(owner))
}

fn writable(caller: &Caller) -> Result<(), ApiError> {
    if caller.sees_all() {
        Ok(())
    } else {
        Err(ApiError::AccessDenied)
    }
}

/// Object `id` as `caller` may see it: 404 if unknown, 403 if not readable.
pub fn read<R: Resource>(conn: &Connection, caller: &Caller, id: i64) -> Result<R, ApiError> {
    let object: R = store::get_object(conn, R::KIND, id)?
        .ok_or_else(|| ApiError::NotFound(format!("{} with id {id} not found", R::KIND.label())))?;
    if !readable(caller, &object) {
        return Err(ApiError::AccessDenied);
    }
    Ok(object)
}

fn create_in<R: Resource>(
    tx: &Transaction<'_>,
    caller: &Caller,
    map: &Map<String, Value>,
    now: i64,
) -> Result<R, ApiError> {
    writable(caller)?;
    let lookups = Lookups::load(tx)?;
    let mut object = R::build(&lookups, &Body(map), caller, now)?;
    let id = object.number(tx)?;
    store::put_object(tx, R::KIND, id, &object)?;
    Ok(object)
}

fn update_in<R: Resource>(
    tx: &Transaction<'_>,
    caller: &Caller,
    id: i64,
    map: &Map<String, Value>,
    now: i64,
) -> Result<R, ApiError> {
    let mut object: R = read(tx, caller, id)?;
    writable(caller)?;
    let lookups = Lookups::load(tx)?;
    object.apply(&lookups, &Body(map), caller)?;
    object.touch(now, &caller.user.name);
    store::put_object(tx, R::KIND, id, &object)?;
    Ok(object)
}

fn delete_in<R: Resource>(tx: &Transaction<'_>, caller: &Caller, id: i64) -> Result<(), ApiError> {
    read::<R>(tx, caller, id)?;
    writable(caller)?;
    store::delete_object(tx, R::KIND, id)?;
    Ok(())
}

fn search_in<R: Resource>(
    conn: &Connection,
    caller: &Caller,
    query: &qual::Query,
    page: Page,
) -> Result<Value, ApiError> {
    let all: Vec<R> = store::objects(conn, R::KIND)?;
    let visible = all
        .into_iter()
        .filter(|o| readable(caller, o))
        .map(|o| serde_json::to_value(o).unwrap_or(Value::Null));
    qual::page(query, R::FIELDS, visible, page)
}

/// `POST /api/v1/<object>`: 200 + the object.
pub async fn create<R: Resource>(caller: ApiUser, body: JsonBody) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let created: R = caller.write(|tx| create_in(tx, &caller, &body.0, now))?;
    Ok(Reply::json(created))
}

/// `GET /api/v1/<object>/{id}`.
pub async fn get<R: Resource>(caller: ApiUser, id: Id<R>) -> Result<Reply, ApiError> {
    let object: R = caller.read(|c| read(c, &caller, id.0))?;
    Ok(Reply::json(object))
}

/// `PATCH /api/v1/<object>/{id}`: 200 + the updated object.
pub async fn update<R: Resource>(
    caller: ApiUser,
    id: Id<R>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let now = caller.now_ms();
    let updated: R = caller.write(|tx| update_in(tx, &caller, id.0, &body.0, now))?;
    Ok(Reply::json(updated))
}

/// `DELETE /api/v1/<object>/{id}`: 200, empty body.
pub async fn delete<R: Resource>(caller: ApiUser, id: Id<R>) -> Result<Reply, ApiError> {
    caller.write(|tx| delete_in::<R>(tx, &caller, id.0))?;
    Ok(Reply::empty())
}

/// `POST /api/v1/<object>/search/byqual?offset=&size=`.
pub async fn search<R: Resource>(caller: ApiUser, search: Search) -> Result<Reply, ApiError> {
    let found = caller.read(|c| search_in::<R>(c, &caller, &search.query, search.page))?;
    Ok(Reply::json(found))
}
