//! Reading client input: the caller's instance and request ([`Call`]), the body
//! ([`Body`], read only after authentication), query parameters and paging, JSON bodies
//! with unknown fields rejected, the field rules shared by the key endpoints (`desc` 1–250
//! characters, role lists), and path ids checked in a fixed order (syntax, existence,
//! membership) so the same bad request always gets the same error.

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::model::{is_object_id, role_kind, RoleKind};
use crate::store::{self, OrgRow, ProjectRow};
use crate::wire::{self, Format, Paging, Reply};
use crate::OpsMgr;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, FromRequest, HttpRequest};
use auth_core::{Inst, Instance};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde_json::{Map, Value};
use std::future::{ready, Ready};
use std::sync::Arc;

/// The instance a request is addressed to, and the request itself: what every handler
/// reads its path, query and links from.
pub(crate) struct Call {
    /// The instance (main or tenant).
    pub inst: Arc<Instance<OpsMgr>>,
    /// The request.
    pub req: HttpRequest,
}

impl Call {
    /// A path parameter, percent-decoded.
    pub fn segment(&self, name: &str) -> String {
        segment(&self.req, name)
    }

    /// The last value of a query parameter.
    pub fn query(&self, name: &str) -> Option<String> {
        query_value(&self.req, name)
    }

    /// The paging parameters.
    ///
    /// # Errors
    /// As [`Paging::of`].
    pub fn paging(&self) -> Result<Paging, OpsMgrError> {
        Paging::of(&self.req)
    }

    /// Where `links` point for this request.
    pub fn central(&self) -> String {
        crate::wire::central_url(&self.req, self.inst.settings.central_url.as_deref())
    }

    /// A list page answered `200 OK`: the body rendered for the same request (central URL,
    /// path and query) while the store has not changed since ([`crate::cache::Pages`]), or
    /// `build` run with the connection locked, rendered and kept. Call it once the caller
    /// may read the page: the body does not depend on who asks.
    ///
    /// # Errors
    /// Whatever `build` returns.
    pub fn page(
        &self,
        central: &str,
        build: impl FnOnce(&rusqlite::Connection) -> Result<Value, OpsMgrError>,
    ) -> Result<Reply, OpsMgrError> {
        let target = self
            .req
            .uri()
            .path_and_query()
            .map_or_else(|| self.req.path(), |pq| pq.as_str());
        let mut key = String::with_capacity(central.len() + 1 + target.len());
        key.push_str(central);
        key.push(' ');
        key.push_str(target);
        let product = &self.inst.product;
        let (generation, built) = self.inst.store.read(|c| {
            let generation = product.changes.generation(c);
            if let Some(body) = product.pages.get(generation, &key) {
                return Ok::<_, OpsMgrError>((generation, Err(body)));
            }
            Ok((generation, Ok(build(c)?)))
        })?;
        let body = match built {
            Err(body) => body,
            Ok(value) => {
                let text = wire::render(value, StatusCode::OK, Format::of(&self.req));
                let body = Bytes::from(text);
                product.pages.put(generation, key, body.clone());
                body
            }
        };
        Ok(Reply::Rendered(StatusCode::OK, body))
    }
}

impl FromRequest for Call {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Inst::<OpsMgr>::of(req) {
            Some(inst) => Ok(Call {
                inst,
                req: req.clone(),
            }),
            None => Err(actix_web::error::ErrorInternalServerError(
                "standin: opsmgr instance not mounted",
            )),
        })
    }
}

/// The request body, read whole (up to [`MAX_BODY`]). Handlers take it after [`Caller`],
/// so a refused request's body is never read.
pub(crate) struct Body(pub web::BytesMut);

impl FromRequest for Body {
    type Error = OpsMgrError;
    type Future = LocalBoxFuture<'static, Result<Self, OpsMgrError>>;

    fn from_request(_: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let mut stream = payload.take();
        Box::pin(async move {
            let mut buf = web::BytesMut::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|_| OpsMgrError::InvalidJson)?;
                if buf.len().saturating_add(chunk.len()) > MAX_BODY {
                    return Err(OpsMgrError::InvalidJson);
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(Body(buf))
        })
    }
}

/// Largest request body read (1 MiB); anything longer is refused with `INVALID_JSON`
/// (the real server's answer to an oversized body is not documented).
pub const MAX_BODY: usize = 1 << 20;

/// Parse a JSON object whose fields must be among `allowed`. An empty body is `{}`.
///
/// # Errors
/// `INVALID_JSON` (not JSON, not an object), `INVALID_ATTRIBUTE` (an unknown field).
pub(crate) fn object(body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, OpsMgrError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
                return Err(OpsMgrError::InvalidAttribute(unknown.clone()));
            }
            Ok(map)
        }
        _ => Err(OpsMgrError::InvalidJson),
    }
}

/// Parse a JSON array (access-list additions).
///
/// # Errors
/// `INVALID_JSON` when the body is not a JSON array.
pub(crate) fn array(body: &[u8]) -> Result<Vec<Value>, OpsMgrError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => Ok(items),
        _ => Err(OpsMgrError::InvalidJson),
    }
}

/// An optional string field.
///
/// # Errors
/// `INVALID_JSON` when present but not a string.
pub(crate) fn opt_string(
    map: &Map<String, Value>,
    field: &str,
) -> Result<Option<String>, OpsMgrError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(OpsMgrError::InvalidJson),
    }
}

/// An optional array of strings.
///
/// # Errors
/// `INVALID_JSON` when present but not an array of strings.
pub(crate) fn opt_strings(
    map: &Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<String>>, OpsMgrError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or(OpsMgrError::InvalidJson)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(OpsMgrError::InvalidJson),
    }
}

/// A key description: 1 to 250 characters.
///
/// # Errors
/// `INVALID_ATTRIBUTE desc`.
pub(crate) fn check_desc(desc: &str) -> Result<(), OpsMgrError> {
    if (1..=250).contains(&desc.chars().count()) {
        Ok(())
    } else {
        Err(OpsMgrError::InvalidAttribute("desc".into()))
    }
}

/// Validate a list of organization roles (duplicates collapse, order kept).
///
/// # Errors
/// `INVALID_ATTRIBUTE roles` (empty), `BILLING_UNSUPPORTED`, `ROLE_NEEDS_GROUP_ID` (a
/// project role), `INVALID_ENUM_VALUE` (anything else).
pub(crate) fn org_roles(roles: &[String]) -> Result<Vec<String>, OpsMgrError> {
    check_roles(roles, |name| match role_kind(name) {
        RoleKind::Org => Ok(()),
        RoleKind::Billing => Err(OpsMgrError::BillingUnsupported),
        RoleKind::Group => Err(OpsMgrError::RoleNeedsGroupId(name.to_owned())),
        _ => Err(OpsMgrError::InvalidEnumValue(name.to_owned())),
    })
}

/// Validate a list of project roles for `group_id`.
///
/// # Errors
/// `INVALID_ATTRIBUTE roles` (empty), `BILLING_UNSUPPORTED`, `INVALID_ROLE_FOR_GROUP` (an
/// org or global role), `INVALID_ENUM_VALUE` (anything else).
pub(crate) fn group_roles(roles: &[String], group_id: &str) -> Result<Vec<String>, OpsMgrError> {
    check_roles(roles, |name| match role_kind(name) {
        RoleKind::Group => Ok(()),
        RoleKind::Billing => Err(OpsMgrError::BillingUnsupported),
        RoleKind::Org | RoleKind::Global => Err(OpsMgrError::InvalidRoleForGroup(
            name.to_owned(),
            group_id.to_owned(),
        )),
        _ => Err(OpsMgrError::InvalidEnumValue(name.to_owned())),
    })
}

/// Validate a list of global roles (global API keys).
///
/// # Errors
/// `INVALID_ATTRIBUTE roles` (empty), `BILLING_UNSUPPORTED`, `INVALID_ENUM_VALUE` (an org,
/// project or unknown role).
pub(crate) fn global_roles(roles: &[String]) -> Result<Vec<String>, OpsMgrError> {
    check_roles(roles, |name| match role_kind(name) {
        RoleKind::Global => Ok(()),
        RoleKind::Billing => Err(OpsMgrError::BillingUnsupported),
        _ => Err(OpsMgrError::InvalidEnumValue(name.to_owned())),
    })
}

fn check_roles(
    roles: &[String],
    check: impl Fn(&str) -> Result<(), OpsMgrError>,
) -> Result<Vec<String>, OpsMgrError> {
    if roles.is_empty() {
        return Err(OpsMgrError::InvalidAttribute("roles".into()));
    }
    let mut out: Vec<String> = Vec::with_capacity(roles.len());
    for role in roles {
        check(role)?;
        if !out.contains(role) {
            out.push(role.clone());
        }
    }
    Ok(out)
}

/// The last value of query parameter `name`.
pub(crate) fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k == name)
        .last()
        .map(|(_, v)| v.into_owned())
}

/// Every value of query parameter `name`, in order.
pub(crate) fn query_values(req: &HttpRequest, name: &str) -> Vec<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// A path parameter, percent-decoded (so `%2F` in a CIDR becomes `/`).
pub(crate) fn segment(req: &HttpRequest, name: &str) -> String {
    let raw = req.match_info().get(name).unwrap_or_default();
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

/// The project `{group_id}` the caller may read.
///
/// # Errors
/// `INVALID_GROUP_ID`, `GROUP_NOT_FOUND` (global callers) or `NOT_IN_GROUP`.
pub(crate) fn project(
    inst: &Instance<OpsMgr>,
    caller: &Caller,
    group_id: &str,
) -> Result<ProjectRow, OpsMgrError> {
    if !is_object_id(group_id) {
        return Err(OpsMgrError::InvalidGroupId(group_id.to_owned()));
    }
    let found = inst.store.read(|c| {
        let generation = inst.product.changes.generation(c);
        if let Some(project) = inst.product.rows.project(generation, group_id) {
            return Ok(Some(project));
        }
        let project = store::find_project(c, group_id)?;
        if let Some(p) = &project {
            inst.product.rows.put_project(generation, p);
        }
        Ok::<_, rusqlite::Error>(project)
    })?;
    match found {
        Some(p) if caller.can_read_project(&p) => Ok(p),
        None if caller.is_global_reader() => Err(OpsMgrError::GroupNotFound(group_id.to_owned())),
        _ => Err(OpsMgrError::NotInGroup(group_id.to_owned())),
    }
}

/// The org `{org_id}` the caller has a role in.
///
/// # Errors
/// `RESOURCE_NOT_FOUND` (malformed id), `ORG_NOT_FOUND` or `USER_UNAUTHORIZED`.
pub(crate) fn org(
    inst: &Instance<OpsMgr>,
    req: &HttpRequest,
    caller: &Caller,
    org_id: &str,
) -> Result<OrgRow, OpsMgrError> {
    if !is_object_id(org_id) {
        return Err(OpsMgrError::ResourceNotFound(req.path().to_owned()));
    }
    let found = inst.store.read(|c| {
        let generation = inst.product.changes.generation(c);
        if let Some(org) = inst.product.rows.org(generation, org_id) {
            return Ok(Some(org));
        }
        let org = store::find_org(c, org_id)?;
        if let Some(o) = &org {
            inst.product.rows.put_org(generation, o);
        }
        Ok::<_, rusqlite::Error>(org)
    })?;
    match found {
        None => Err(OpsMgrError::OrgNotFound(org_id.to_owned())),
        Some(o) if caller.can_read_org(&o.id) => Ok(o),
        Some(_) => Err(OpsMgrError::UserUnauthorized),
    }
}
