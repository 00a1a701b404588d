//! The contract between auth-core and a product crate.
//!
//! A product implements [`Product`]: its name and defaults, its SQL schema, how to load and
//! dump its state in the fixture format, its route table ([`OpRoute`]s, each with an
//! operation name for the request journal and fault rules) and its vendor's error bodies.
//! auth-core then mounts it the same way everywhere: the launcher, tests and tenants, each an
//! [`Instance`] of the product: its store, its runtime state and settings, its [`Env`].

use crate::env::Env;
use crate::store::{self, Store, StoreError};
use actix_web::dev::Handler;
use actix_web::http::{Method, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, Responder};
use rusqlite::{Connection, Transaction};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;

/// A state document (fixtures, `PUT /_standin/state`) that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The document is wrong at `field` (a path such as `users[1].apiKey`).
    #[error("{field}: {message}")]
    Invalid {
        /// Where in the document.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The store refused the write.
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
}

impl StateError {
    /// A document error at `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StateError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The offending field, if this is a document error.
    pub fn field(&self) -> Option<&str> {
        match self {
            StateError::Invalid { field, .. } => Some(field),
            StateError::Store(_) => None,
        }
    }
}

impl From<StoreError> for StateError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Sqlite(e) | StoreError::Open { source: e, .. } => StateError::Store(e),
        }
    }
}

/// Deserialize a state document into the product's typed form, naming the failing field
/// (`users[0].role: unknown variant ...`).
///
/// # Errors
/// [`StateError::Invalid`] with the path of the first bad field.
pub fn parse_state<T: DeserializeOwned>(doc: &Value) -> Result<T, StateError> {
    serde_path_to_error::deserialize(doc).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." {
            "(document)".to_owned()
        } else {
            path
        };
        StateError::invalid(field, err.into_inner().to_string())
    })
}

/// Deserialize a state document straight from its JSON text into the product's typed form,
/// with no [`Value`] for the whole document in between (`PUT /_standin/state` of 10^6 records
/// would otherwise hold a tree of maps several times the size of the text).
///
/// `None` when the text does not deserialise (bad JSON, a wrong or duplicate field, trailing
/// characters): the caller then reads it through [`Product::load_state`], whose
/// [`parse_state`] names the failing field (JSON text is UTF-8: text that is not is refused
/// there too).
///
/// The UTF-8 is checked once, for the whole text: read from a byte slice, serde_json checks
/// every string again as it parses it (a tenth of the instructions of a large load).
pub fn read_state<T: DeserializeOwned>(json: &[u8]) -> Option<T> {
    let text = std::str::from_utf8(json).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let state = T::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(state)
}

/// For a streaming reader of a state document (a hand-written `Visitor` over its fields):
/// read a field's value into `slot`, refusing a second occurrence as a derived reader does.
///
/// # Errors
/// The value's own, or `duplicate_field(name)`.
pub fn read_once<'de, A: serde::de::MapAccess<'de>, T: serde::Deserialize<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(serde::de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// For a streaming reader of a state document: a required field's value.
///
/// # Errors
/// `missing_field(name)` when it was not in the document.
pub fn required_field<T, E: serde::de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| serde::de::Error::missing_field(name))
}

/// For a streaming reader of a state document: a JSON array whose elements are handed to
/// `take` one at a time as they are parsed, none kept (`map.next_value_seed(ForEach::new(..))`).
/// `take` answers `false` to stop reading, which fails the read with the error "refused".
pub struct ForEach<T, F> {
    take: F,
    element: std::marker::PhantomData<fn() -> T>,
}

impl<T, F: FnMut(T) -> bool> ForEach<T, F> {
    /// Each element to `take`.
    pub fn new(take: F) -> Self {
        ForEach {
            take,
            element: std::marker::PhantomData,
        }
    }
}

impl<'de, T: serde::Deserialize<'de>, F: FnMut(T) -> bool> serde::de::DeserializeSeed<'de>
    for ForEach<T, F>
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: serde::Deserialize<'de>, F: FnMut(T) -> bool> serde::de::Visitor<'de>
    for ForEach<T, F>
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<T>()? {
            if !(self.take)(element) {
                return Err(serde::de::Error::custom("refused"));
            }
        }
        Ok(())
    }
}

/// One route of a product: method, path pattern, operation name and handler.
pub struct OpRoute {
    /// HTTP method.
    pub method: Method,
    /// actix path pattern, e.g. `/restapi/json/v1/resources/{rid}`.
    pub path: &'static str,
    /// Operation name for the journal and fault rules, e.g. `pmp.get_password`.
    pub operation: &'static str,
    /// The handler.
    pub route: actix_web::Route,
}

/// Build an [`OpRoute`].
pub fn op<F, Args>(
    method: Method,
    path: &'static str,
    operation: &'static str,
    handler: F,
) -> OpRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    OpRoute {
        route: web::method(method.clone()).to(handler),
        method,
        path,
        operation,
    }
}

/// One product-specific control route, under `/_standin/<NAME>`. The `/_standin` scope mounts
/// it and `/_standin/openapi.json` describes it from this one value, so the two cannot drift.
pub struct ControlOp {
    /// HTTP method.
    pub method: Method,
    /// actix path pattern under `/_standin/<NAME>`, e.g. `/users/{name}/key`.
    pub path: &'static str,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// The JSON Schema of the request body, if the route takes one.
    pub body: Option<Value>,
    /// The success status and the JSON Schema of its body.
    pub ok: (u16, Value),
    /// Other statuses it answers, with the control API's error body.
    pub errors: &'static [u16],
    /// The handler.
    pub route: actix_web::Route,
}

/// Build a [`ControlOp`] answering 200 with a JSON object and no other status; refine it with
/// [`ControlOp::body`], [`ControlOp::ok`] and [`ControlOp::errors`].
pub fn control_op<F, Args>(
    method: Method,
    path: &'static str,
    summary: &'static str,
    handler: F,
) -> ControlOp
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    ControlOp {
        route: web::method(method.clone()).to(handler),
        method,
        path,
        summary,
        body: None,
        ok: (200, serde_json::json!({"type": "object"})),
        errors: &[],
    }
}

impl ControlOp {
    /// The request body's JSON Schema.
    pub fn body(mut self, schema: Value) -> Self {
        self.body = Some(schema);
        self
    }

    /// The success status and its body's JSON Schema.
    pub fn ok(mut self, status: u16, schema: Value) -> Self {
        self.ok = (status, schema);
        self
    }

    /// The error statuses (the control API's `{"error", "message"}` body).
    pub fn errors(mut self, statuses: &'static [u16]) -> Self {
        self.errors = statuses;
        self
    }
}

/// What a product crate implements to be mounted by auth-core.
pub trait Product: Sized + Send + Sync + 'static {
    /// Short name used everywhere: `opmanager`, `serviceops`, `pmp`, `opsmgr`.
    const NAME: &'static str;
    /// The vendor product faked, for health output.
    const TITLE: &'static str;
    /// The vendor's customary port.
    const DEFAULT_PORT: u16;
    /// Whether the vendor serves HTTPS by default.
    const DEFAULT_TLS: bool;
    /// The default fixtures (the fixture/state JSON format), embedded in the binary.
    const FIXTURES: &'static str;
    /// The SQL schema, applied to every new store (`CREATE TABLE IF NOT EXISTS ...`).
    const SCHEMA: &'static str;

    /// The names under which this vendor's clients send secrets (headers, query and form
    /// parameters, JSON fields, path parameters). auth-core redacts them, with HTTP's own
    /// `Authorization` and cookies, before a request is journaled or logged.
    const SECRETS: crate::redact::Secrets = crate::redact::Secrets::NONE;

    /// Product-specific settings (launcher flags such as `--opmanager-param-auth`).
    type Settings: Clone + Default + Send + Sync + std::fmt::Debug + 'static;

    /// Runtime state of one instance that does not live in SQLite (Digest nonces, JWT keys).
    fn new(env: &Env, settings: &Self::Settings) -> Self;

    /// Validate `doc` (fixture format) and write it into the emptied store, inside `tx`.
    ///
    /// # Errors
    /// [`StateError::Invalid`] naming the field; the transaction is then rolled back.
    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, env: &Env) -> Result<(), StateError>;

    /// [`Product::load_state`] from the document's JSON text (`PUT /_standin/state`), read
    /// straight into typed records ([`read_state`]) so no [`Value`] of the whole document is
    /// built. `Ok(false)` when the text does not deserialise that way; auth-core then rolls
    /// back and loads it through [`Product::load_state`], which names the failing field, so a
    /// bad document is refused exactly as before. The default always answers `Ok(false)`.
    ///
    /// # Errors
    /// [`StateError::Invalid`] naming the field; the transaction is then rolled back.
    fn load_state_json(
        &self,
        _tx: &Transaction<'_>,
        _json: &[u8],
        _env: &Env,
    ) -> Result<bool, StateError> {
        Ok(false)
    }

    /// The whole state in the fixture format; `load_state` of it must reproduce it exactly.
    ///
    /// # Errors
    /// Store errors.
    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError>;

    /// Forget in-memory runtime state after the store was reset or replaced.
    fn on_reset(&self) {}

    /// The product's API routes.
    fn routes() -> Vec<OpRoute>;

    /// Extra app configuration (extractor configs with vendor error handlers, ...).
    fn configure(_cfg: &mut web::ServiceConfig) {}

    /// Product-specific control routes, mounted under `/_standin/<NAME>` and described in
    /// `/_standin/openapi.json` from this same list.
    fn control_routes() -> Vec<ControlOp> {
        Vec::new()
    }

    /// The vendor's answer to an unknown path.
    fn not_found(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse;

    /// The vendor's answer to a known path with an unsupported method.
    fn method_not_allowed(inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse;

    /// The vendor's own error response for `status` (fault injection, rate limits).
    fn error_for_status(
        inst: &Instance<Self>,
        req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse;

    /// Who the request's credential claims to be, without verifying it (for fault rules and
    /// rate limits keyed by principal). Cheap: no hashing, ideally no store access.
    fn principal_hint(_inst: &Instance<Self>, _req: &HttpRequest) -> Option<String> {
        None
    }
}

/// One running copy of a product: the main instance or a tenant.
pub struct Instance<P: Product> {
    /// The tenant id, `None` for the main instance.
    pub tenant: Option<String>,
    /// Clock and RNG.
    pub env: Env,
    /// The product's database.
    pub store: Store,
    /// The product's in-memory runtime state.
    pub product: P,
    /// The product's settings.
    pub settings: Arc<P::Settings>,
}

impl<P: Product> std::fmt::Debug for Instance<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance")
            .field("product", &P::NAME)
            .field("tenant", &self.tenant)
            .finish()
    }
}

impl<P: Product> Instance<P> {
    /// Build an instance around `store` (not yet loaded).
    pub fn new(tenant: Option<String>, env: Env, store: Store, settings: Arc<P::Settings>) -> Self {
        let product = P::new(&env, &settings);
        Instance {
            tenant,
            env,
            store,
            product,
            settings,
        }
    }

    /// Replace the whole state with `doc`, atomically: a bad document changes nothing.
    ///
    /// # Errors
    /// [`StateError`] naming the field.
    pub fn replace_state(&self, doc: &Value) -> Result<(), StateError> {
        self.store.replace(|tx| {
            store::clear(tx)?;
            self.product.load_state(tx, doc, &self.env)
        })?;
        self.product.on_reset();
        Ok(())
    }

    /// Replace the whole state with the document in `json`, atomically, read straight into
    /// the product's typed records ([`Product::load_state_json`]). `Ok(false)`: the text did not
    /// deserialise that way and nothing changed; parse it and call [`Instance::replace_state`]
    /// for the error naming the field.
    ///
    /// # Errors
    /// [`StateError`] naming the field (a document that deserialises but fails validation).
    pub fn replace_state_json(&self, json: &[u8]) -> Result<bool, StateError> {
        /// Why the transaction was rolled back.
        enum Undo {
            Refused(StateError),
            NotTyped,
        }
        impl From<rusqlite::Error> for Undo {
            fn from(err: rusqlite::Error) -> Self {
                Undo::Refused(StateError::Store(err))
            }
        }
        let outcome = self.store.replace(|tx| {
            store::clear(tx)?;
            match self.product.load_state_json(tx, json, &self.env) {
                Ok(true) => Ok(()),
                Ok(false) => Err(Undo::NotTyped),
                Err(err) => Err(Undo::Refused(err)),
            }
        });
        match outcome {
            Ok(()) => {
                self.product.on_reset();
                Ok(true)
            }
            Err(Undo::NotTyped) => Ok(false),
            Err(Undo::Refused(err)) => Err(err),
        }
    }

    /// The whole state in the fixture format.
    ///
    /// # Errors
    /// Store errors.
    pub fn export_state(&self) -> Result<Value, StoreError> {
        self.store.read(|conn| self.product.dump_state(conn))
    }
}

#[cfg(test)]
mod tests {
    use super::ForEach;
    use serde::de::DeserializeSeed;

    fn each(text: &str, stop_at: u32) -> (Result<(), serde_json::Error>, Vec<u32>) {
        let mut seen = Vec::new();
        let mut de = serde_json::Deserializer::from_str(text);
        let read = ForEach::new(|n: u32| {
            seen.push(n);
            n != stop_at
        })
        .deserialize(&mut de);
        (read, seen)
    }

    #[test]
    fn for_each_hands_over_every_element_in_order_and_stops_when_told() {
        let (read, seen) = each("[3, 1, 2]", 0);
        assert!(read.is_ok());
        assert_eq!(seen, [3, 1, 2]);
        let (read, seen) = each("[3, 1, 2]", 1);
        assert!(read.is_err_and(|e| e.to_string().starts_with("refused")));
        assert_eq!(seen, [3, 1]);
        assert!(each("{}", 0).0.is_err());
        assert!(each("[1, \"x\"]", 0).0.is_err());
        assert!(each("[]", 0).0.is_ok());
    }
}
