//! # pmp-vault
//!
//! A stand-in for the **ManageEngine Password Manager Pro** REST API ("RESTful API",
//! <https://www.manageengine.com/products/passwordmanagerpro/help/restapi.html>), served on
//! HTTPS port 7272 under `/restapi/json/v1`:
//!
//! - the front door: an `AUTHTOKEN` (header, query or form body) of a user; API users are
//!   bound to one host and may expire ([`auth`]);
//! - every answer is HTTP 200 with PMP's `{"operation":{"name","result","Details","totalRows"}}`
//!   envelope ([`error`]), failures included;
//! - INPUT_DATA is read from the query, the form body whatever its Content-Type, or a
//!   multipart body, and parsed leniently ([`input`], [`lenient`]).
//!
//! See `docs/pmp.md` for every endpoint, the fixture credentials and the fidelity notes.

pub mod auth;
pub mod control;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod handlers;
pub mod input;
pub mod lenient;
pub mod rules;
pub mod state;
pub mod store;

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use auth_core::store::StoreError;
use auth_core::{op, Env, Instance, OpRoute, Product, StateError};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::Value;

/// The API's base path.
pub const BASE: &str = "/restapi/json/v1";

/// PMP settings (launcher flags `--pmp-*`).
#[derive(clap::Args, Debug, Clone)]
#[group(id = "pmp-settings")]
pub struct Settings {
    /// Largest request body accepted, in bytes; larger ones fail in the envelope.
    #[arg(
        long = "pmp-max-body-bytes",
        env = "STANDIN_PMP_MAX_BODY_BYTES",
        default_value_t = 10 * 1024 * 1024
    )]
    pub max_body_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_body_bytes: 10 * 1024 * 1024,
        }
    }
}

/// The Password Manager Pro product (no runtime state outside SQLite).
#[derive(Debug)]
pub struct Pmp;

impl Product for Pmp {
    const NAME: &'static str = "pmp";
    const TITLE: &'static str = "ManageEngine Password Manager Pro REST API";
    const DEFAULT_PORT: u16 = 7272;
    const DEFAULT_TLS: bool = true;
    const FIXTURES: &'static str = include_str!("../../../fixtures/pmp.json");
    const SCHEMA: &'static str = include_str!("schema.sql");
    type Settings = Settings;

    fn new(_env: &Env, _settings: &Settings) -> Self {
        Pmp
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        state::load(tx, doc)
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        state::dump(conn)
    }

    fn routes() -> Vec<OpRoute> {
        use handlers::{accounts as a, misc, resources as r, users as u, workflow as w};
        use Method as M;
        // actix tries path groups in order of first appearance and every dynamic pattern costs
        // a regex run, so: literal paths first (a string compare; no dynamic pattern matches
        // one of them), then the hot password path (no other pattern matches a path of its
        // shape), then the rest in an order where overlapping patterns keep their precedence
        // (`resourcename/{rname}` before `{rid}/accounts`).
        vec![
            op(
                M::GET,
                "/restapi/json/v1/resources",
                "pmp.get_resources",
                r::list_resources,
            ),
            op(
                M::POST,
                "/restapi/json/v1/resources",
                "pmp.create_resource",
                r::create_resource,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/resourcetypes",
                "pmp.resource_types",
                r::resource_types,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/getResourceIdAccountId",
                "pmp.get_resource_account_id",
                r::ids_by_query_names,
            ),
            op(
                M::GET,
                "/restapi/json/v1/accounts/passwordaccessrequests",
                "pmp.get_password_requests",
                w::list_requests,
            ),
            op(
                M::POST,
                "/restapi/json/v1/user",
                "pmp.create_user",
                u::create_user,
            ),
            op(
                M::GET,
                "/restapi/json/v1/user/getUserId",
                "pmp.get_user_id",
                u::get_user_id,
            ),
            op(
                M::PUT,
                "/restapi/json/v1/user/lock",
                "pmp.lock_user",
                u::lock_user,
            ),
            op(
                M::PUT,
                "/restapi/json/v1/user/unlock",
                "pmp.unlock_user",
                u::unlock_user,
            ),
            op(
                M::GET,
                "/restapi/json/v1/passwords/generate",
                "pmp.generate_password",
                misc::generate_password,
            ),
            op(
                M::GET,
                "/restapi/json/v1/audit",
                "pmp.get_audit",
                misc::get_audit,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}/password",
                "pmp.get_password",
                a::get_password,
            ),
            op(
                M::PUT,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}/password",
                "pmp.change_password",
                a::change_password,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/resourcename/{rname}/accounts/accountname/{aname}",
                "pmp.get_resource_account_name",
                r::ids_by_path_names,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/resourcename/{rname}",
                "pmp.get_resource_id",
                r::id_by_name,
            ),
            op(
                M::PUT,
                "/restapi/json/v1/resources/{rid}",
                "pmp.edit_resource",
                r::edit_resource,
            ),
            op(
                M::DELETE,
                "/restapi/json/v1/resources/{rid}",
                "pmp.delete_resource",
                r::delete_resource,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/{rid}/accounts",
                "pmp.get_accounts",
                a::list_accounts,
            ),
            op(
                M::POST,
                "/restapi/json/v1/resources/{rid}/accounts",
                "pmp.add_accounts",
                a::add_accounts,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}",
                "pmp.get_account",
                a::account_details,
            ),
            op(
                M::PUT,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}",
                "pmp.edit_account",
                a::edit_account,
            ),
            op(
                M::DELETE,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}",
                "pmp.delete_account",
                a::delete_account,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}/",
                "pmp.get_account",
                a::account_details,
            ),
            op(
                M::PUT,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}/",
                "pmp.edit_account",
                a::edit_account,
            ),
            op(
                M::DELETE,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}/",
                "pmp.delete_account",
                a::delete_account,
            ),
            op(
                M::GET,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}/downloadfile",
                "pmp.download_file",
                a::download_file,
            ),
            op(
                M::PUT,
                "/restapi/json/v1/resources/{rid}/accounts/{aid}/share",
                "pmp.share_account",
                a::share_account,
            ),
            op(
                M::POST,
                "/restapi/json/v1/accounts/{aid}/requestpassword",
                "pmp.request_password",
                w::request_password,
            ),
            op(
                M::POST,
                "/restapi/json/v1/accounts/{aid}/checkout",
                "pmp.checkout",
                w::checkout,
            ),
            op(
                M::POST,
                "/restapi/json/v1/accounts/{aid}/requester/{uid}/approve",
                "pmp.approve",
                w::approve,
            ),
            op(
                M::POST,
                "/restapi/json/v1/accounts/{aid}/requester/{uid}/reject",
                "pmp.reject",
                w::reject,
            ),
            op(
                M::POST,
                "/restapi/json/v1/accounts/{aid}/requester/{uid}/checkin",
                "pmp.checkin",
                w::checkin,
            ),
            op(
                M::DELETE,
                "/restapi/json/v1/user/{uid}",
                "pmp.delete_user",
                u::delete_user,
            ),
        ]
    }

    fn control_routes(cfg: &mut actix_web::web::ServiceConfig) {
        control::routes(cfg);
    }

    fn not_found(_inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        auth_core::trace::refuse(req, format!("no PMP API at {}", req.path()));
        error::failure("UNKNOWN", "Invalid API URL")
    }

    fn method_not_allowed(_inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        auth_core::trace::refuse(
            req,
            format!("{} is not supported on {}", req.method(), req.path()),
        );
        error::failure("UNKNOWN", "Invalid API URL")
    }

    fn error_for_status(
        _inst: &Instance<Self>,
        _req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        let message = status.canonical_reason().unwrap_or("Error");
        let mut resp =
            error::respond_bytes(error::envelope_bytes("UNKNOWN", false, message, None, None));
        *resp.status_mut() = status;
        resp
    }

    fn principal_hint(inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        let token = auth::token_hint(req)?;
        inst.store
            .read(|c| {
                c.prepare_cached("SELECT user_name FROM users WHERE auth_token = ?1")?
                    .query_row([token], |r| r.get(0))
                    .optional()
            })
            .ok()
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::dev::ResourceDef;

    /// The operation actix picks for `method path`: the first path group (in order of first
    /// appearance) whose pattern matches, then the method within it.
    fn operation_for(method: &Method, path: &str) -> Option<&'static str> {
        let routes = Pmp::routes();
        let mut groups: Vec<&'static str> = Vec::new();
        for r in &routes {
            if !groups.contains(&r.path) {
                groups.push(r.path);
            }
        }
        let group = groups
            .into_iter()
            .find(|p| ResourceDef::new(*p).is_match(path))?;
        routes
            .iter()
            .find(|r| r.path == group && r.method == method)
            .map(|r| r.operation)
    }

    #[test]
    fn route_order_keeps_every_path_on_its_operation() {
        let base = "/restapi/json/v1";
        let cases = [
            ("GET", "/resources", "pmp.get_resources"),
            ("GET", "/resources/resourcetypes", "pmp.resource_types"),
            (
                "GET",
                "/resources/1/accounts/2/password",
                "pmp.get_password",
            ),
            (
                "PUT",
                "/resources/1/accounts/2/password",
                "pmp.change_password",
            ),
            (
                "GET",
                "/resources/resourcename/accounts/accounts/password",
                "pmp.get_password",
            ),
            (
                "GET",
                "/resources/resourcename/accounts",
                "pmp.get_resource_id",
            ),
            (
                "GET",
                "/resources/resourcename/r/accounts/accountname/a",
                "pmp.get_resource_account_name",
            ),
            ("GET", "/resources/1/accounts", "pmp.get_accounts"),
            ("GET", "/resources/1/accounts/2", "pmp.get_account"),
            ("GET", "/resources/1/accounts/2/", "pmp.get_account"),
            (
                "GET",
                "/accounts/passwordaccessrequests",
                "pmp.get_password_requests",
            ),
            ("GET", "/user/getUserId", "pmp.get_user_id"),
            ("DELETE", "/user/7", "pmp.delete_user"),
        ];
        for (method, path, want) in cases {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let got = operation_for(&method, &format!("{base}{path}"));
            assert_eq!(got, Some(want), "{method} {path}");
        }
        // A known path with another method stays in its group (method not allowed).
        let delete_user_id = operation_for(&Method::DELETE, &format!("{base}/user/getUserId"));
        assert_eq!(delete_user_id, None);
    }
}
