//! The whole route table: one line per operation, with the journal's operation id
//! (`pmp.get_password`), the vendor's operation name as the envelope reports it
//! (`GET PASSWORD`) and the handler.
//!
//! Path groups are tried in order of first appearance (auth-core's segment dispatch keeps
//! actix's rule), so overlapping patterns keep their precedence in this order
//! (`resourcename/{rname}` before `{rid}/accounts`).
//!
//! Below the table, its two route builders: [`api`] and [`pki`] wrap auth-core's `op()` so
//! the handler's `Result<Reply, PmpError>` is answered in the envelope ([`crate::wire`])
//! under the vendor's operation name, and the request's audit record ([`crate::auth`]) is
//! written before the answer leaves.

use crate::auth::{self, Call, FrontDoor};
use crate::error::PmpError;
use crate::wire::{failure_in, OpName, Style};
use crate::{accounts, audit, passwords, pki as certs, resources, users, workflow};
use actix_web::body::BoxBody;
use actix_web::dev::{Handler, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next};
use actix_web::{FromRequest, HttpMessage, Responder};
use auth_core::{op, trace, OpRoute};
use std::rc::Rc;

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

/// Where the PKI sub-API lives.
pub(crate) const PKI: &str = "/api/pki/restapi/";

/// Every API route of the product.
#[rustfmt::skip]
pub(crate) fn table() -> Vec<OpRoute> {
    vec![
        pki(GET, "/api/pki/restapi/getAllSSLCertificates", "pmp.pki_get_all_ssl_certificates", "getAllSSLCertificates", certs::get_all_ssl_certificates),
        pki(GET, "/api/pki/restapi/getCertificateDetails", "pmp.pki_get_certificate_details", "getCertificateDetails", certs::get_certificate_details),
        pki(GET, "/api/pki/restapi/getCertificate", "pmp.pki_get_certificate", "getCertificate", certs::get_certificate),
        pki(GET, "/api/pki/restapi/getCertificateKeyStore", "pmp.pki_get_certificate_keystore", "getCertificateKeyStore", certs::get_certificate_key_store),
        pki(GET, "/api/pki/restapi/getCertificatePassphrase", "pmp.pki_get_certificate_passphrase", "getCertificatePassphrase", certs::get_certificate_passphrase),
        pki(GET, "/api/pki/restapi/getAllSSHKeys", "pmp.pki_get_all_ssh_keys", "getAllSSHKeys", certs::get_all_ssh_keys),
        pki(POST, "/api/pki/restapi/getSSHKey", "pmp.pki_get_ssh_key", "getSSHKey", certs::get_ssh_key),
        pki(POST, "/api/pki/restapi/exportSSHKey", "pmp.pki_export_ssh_key", "exportSSHKey", certs::export_ssh_key),
        pki(GET, "/api/pki/restapi/getAllAssociatedUsers", "pmp.pki_get_all_associated_users", "getAllAssociatedUsers", certs::get_all_associated_users),
        api(GET, "/restapi/json/v1/resources", "pmp.get_resources", "GET RESOURCES", resources::list_resources),
        api(POST, "/restapi/json/v1/resources", "pmp.create_resource", "CREATE RESOURCE", resources::create_resource),
        api(GET, "/restapi/json/v1/resources/resourcetypes", "pmp.resource_types", "GET RESOURCETYPES", resources::list_resource_types),
        api(GET, "/restapi/json/v1/resources/getResourceIdAccountId", "pmp.get_resource_account_id", "GET_RESOURCEACCOUNTID", resources::get_ids_by_query),
        api(GET, "/restapi/json/v1/accounts/passwordaccessrequests", "pmp.get_password_requests", "GET_PASSWORDREQUEST", workflow::list_requests),
        api(POST, "/restapi/json/v1/user", "pmp.create_user", "CREATE_USER", users::create_user),
        api(GET, "/restapi/json/v1/user/getUserId", "pmp.get_user_id", "GET_USERID", users::get_user_id),
        api(PUT, "/restapi/json/v1/user/lock", "pmp.lock_user", "LOCK_USER", users::lock_user),
        api(PUT, "/restapi/json/v1/user/unlock", "pmp.unlock_user", "UNLOCK_USER", users::unlock_user),
        api(GET, "/restapi/json/v1/passwords/generate", "pmp.generate_password", "GENERATE_PASSWORD", passwords::generate_password),
        api(GET, "/restapi/json/v1/audit", "pmp.get_audit", "GET_AUDIT", audit::list_audit),
        password_read(),
        api(PUT, "/restapi/json/v1/resources/{rid}/accounts/{aid}/password", "pmp.change_password", "CHANGE PASSWORD", accounts::change_password),
        api(GET, "/restapi/json/v1/resources/resourcename/{rname}/accounts/accountname/{aname}", "pmp.get_resource_account_name", "GET_RESOURCEACCOUNTNAME", resources::get_ids_by_path),
        api(GET, "/restapi/json/v1/resources/resourcename/{rname}", "pmp.get_resource_id", "GET_RESOURCEID", resources::get_resource_id),
        api(PUT, "/restapi/json/v1/resources/{rid}", "pmp.edit_resource", "EDIT RESOURCE", resources::edit_resource),
        api(DELETE, "/restapi/json/v1/resources/{rid}", "pmp.delete_resource", "DELETE RESOURCE", resources::delete_resource),
        api(GET, "/restapi/json/v1/resources/{rid}/accounts", "pmp.get_accounts", "GET RESOURCE ACCOUNTLIST", accounts::list_accounts),
        api(POST, "/restapi/json/v1/resources/{rid}/accounts", "pmp.add_accounts", "ADD ACCOUNTS", accounts::add_accounts),
        api(GET, "/restapi/json/v1/resources/{rid}/accounts/{aid}", "pmp.get_account", "GET RESOURCE ACCOUNT DETAILS", accounts::get_account),
        api(PUT, "/restapi/json/v1/resources/{rid}/accounts/{aid}", "pmp.edit_account", "EDIT ACCOUNT", accounts::edit_account),
        api(DELETE, "/restapi/json/v1/resources/{rid}/accounts/{aid}", "pmp.delete_account", "DELETE ACCOUNT", accounts::delete_account),
        api(GET, "/restapi/json/v1/resources/{rid}/accounts/{aid}/", "pmp.get_account", "GET RESOURCE ACCOUNT DETAILS", accounts::get_account),
        api(PUT, "/restapi/json/v1/resources/{rid}/accounts/{aid}/", "pmp.edit_account", "EDIT ACCOUNT", accounts::edit_account),
        api(DELETE, "/restapi/json/v1/resources/{rid}/accounts/{aid}/", "pmp.delete_account", "DELETE ACCOUNT", accounts::delete_account),
        api(GET, "/restapi/json/v1/resources/{rid}/accounts/{aid}/downloadfile", "pmp.download_file", "DOWNLOAD FILE", accounts::download_file),
        api(PUT, "/restapi/json/v1/resources/{rid}/accounts/{aid}/share", "pmp.share_account", "SHARE ACCOUNT", accounts::share_account),
        api(POST, "/restapi/json/v1/accounts/{aid}/requestpassword", "pmp.request_password", "REQUEST_PASSWORD", workflow::request_password),
        api(POST, "/restapi/json/v1/accounts/{aid}/checkout", "pmp.checkout", "REQUEST_CHECKOUT", workflow::checkout_password),
        api(POST, "/restapi/json/v1/accounts/{aid}/requester/{uid}/approve", "pmp.approve", "ADMIN_REQUEST_APPROVE", workflow::approve_request),
        api(POST, "/restapi/json/v1/accounts/{aid}/requester/{uid}/reject", "pmp.reject", "ADMIN_REQUEST_REJECT", workflow::reject_request),
        api(POST, "/restapi/json/v1/accounts/{aid}/requester/{uid}/checkin", "pmp.checkin", "ADMIN_REQUEST_CHECKIN", workflow::checkin_password),
        api(DELETE, "/restapi/json/v1/user/{uid}", "pmp.delete_user", "DELETE USER", users::delete_user),
    ]
}

/// The password read's path.
const PASSWORD: &str = "/restapi/json/v1/resources/{rid}/accounts/{aid}/password";

/// `GET PASSWORD`.
fn password_read() -> OpRoute {
    api(
        GET,
        PASSWORD,
        "pmp.get_password",
        "GET PASSWORD",
        accounts::get_password,
    )
}

/// An API route: `op()` of auth-core, answered in the envelope under the vendor's operation
/// `name` (`GET PASSWORD`), with the request's audit record written before the answer leaves.
pub(crate) fn api<F, Args>(
    method: Method,
    path: &'static str,
    operation: &'static str,
    name: &'static str,
    handler: F,
) -> OpRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    styled(Style::Rest, op(method, path, operation, handler), name)
}

/// A route of the PKI sub-API (`/api/pki/restapi/<name>`), answered in its own envelope.
pub(crate) fn pki<F, Args>(
    method: Method,
    path: &'static str,
    operation: &'static str,
    name: &'static str,
    handler: F,
) -> OpRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    styled(Style::Pki, op(method, path, operation, handler), name)
}

fn styled(style: Style, mut route: OpRoute, name: &'static str) -> OpRoute {
    route.route = route.route.wrap(from_fn(move |req, next| {
        in_envelope(style, name, req, next)
    }));
    route
}

/// Name the operation, run the handler, audit its outcome and answer failures in the envelope.
async fn in_envelope(
    style: Style,
    name: &'static str,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    req.extensions_mut().insert(style);
    req.extensions_mut().insert(OpName(name));
    let res = next.call(req).await?;
    let failed = match res.response().error() {
        None => None,
        Some(err) => {
            if let Some(door) = err.as_error::<FrontDoor>() {
                let answer = door.response(style, name);
                return Ok(res.into_response(answer));
            }
            match err.as_error::<PmpError>() {
                Some(err) => Some((err.message(), err.to_string())),
                None => return Ok(res),
            }
        }
    };
    let call = res.request().extensions().get::<Rc<Call>>().cloned();
    let Some(call) = call else {
        return Ok(res);
    };
    let message = match &failed {
        Some((message, log)) => {
            trace::refuse(res.request(), format!("{name}: {log}"));
            message.clone()
        }
        None => call.note.borrow().reason.clone(),
    };
    auth::record(&call, name, failed.is_none(), &message, res.request());
    Ok(match failed {
        Some((message, _)) => res.into_response(failure_in(style, name, &message)),
        None => res,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::dev::ResourceDef;

    /// The operation actix picks for `method path`: the first path group (in order of first
    /// appearance) whose pattern matches, then the method within it.
    fn operation_for(method: &Method, path: &str) -> Option<&'static str> {
        let routes = table();
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
