//! Request bodies (spec §3.1 steps 7–8): JSON parsing with unknown fields rejected, and the
//! field rules shared by the key endpoints (`desc` 1–250 characters, role lists).

use crate::error::ApiError;
use crate::model::{role_kind, RoleKind};
use actix_web::web;
use futures_util::StreamExt;
use serde_json::{Map, Value};

/// Largest request body read (1 MiB); anything longer is refused.
pub const MAX_BODY: usize = 1 << 20;

/// Read the request body, after authentication (a refused request's body is never read).
///
/// # Errors
/// `INVALID_JSON` when the body is longer than [`MAX_BODY`] or breaks off (UNCONFIRMED: the
/// real server's answer to an oversized body is unknown).
pub async fn read(mut stream: web::Payload) -> Result<web::BytesMut, ApiError> {
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::InvalidJson)?;
        if buf.len().saturating_add(chunk.len()) > MAX_BODY {
            return Err(ApiError::InvalidJson);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// Parse a JSON object whose fields must be among `allowed`. An empty body is `{}`.
///
/// # Errors
/// `INVALID_JSON` (not JSON, not an object), `INVALID_ATTRIBUTE` (an unknown field).
pub fn object(body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
                return Err(ApiError::InvalidAttribute(unknown.clone()));
            }
            Ok(map)
        }
        _ => Err(ApiError::InvalidJson),
    }
}

/// Parse a JSON array (access-list additions).
///
/// # Errors
/// `INVALID_JSON` when the body is not a JSON array.
pub fn array(body: &[u8]) -> Result<Vec<Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => Ok(items),
        _ => Err(ApiError::InvalidJson),
    }
}

/// An optional string field.
///
/// # Errors
/// `INVALID_JSON` when present but not a string.
pub fn opt_string(map: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::InvalidJson),
    }
}

/// An optional array of strings.
///
/// # Errors
/// `INVALID_JSON` when present but not an array of strings.
pub fn opt_strings(map: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, ApiError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or(ApiError::InvalidJson))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ApiError::InvalidJson),
    }
}

/// A key description: 1 to 250 characters.
///
/// # Errors
/// `INVALID_ATTRIBUTE desc`.
pub fn check_desc(desc: &str) -> Result<(), ApiError> {
    if (1..=250).contains(&desc.chars().count()) {
        Ok(())
    } else {
        Err(ApiError::InvalidAttribute("desc".into()))
    }
}

/// Validate a list of organization roles (duplicates collapse, order kept).
///
/// # Errors
/// `INVALID_ATTRIBUTE roles` (empty), `BILLING_UNSUPPORTED`, `ROLE_NEEDS_GROUP_ID` (a
/// project role), `INVALID_ENUM_VALUE` (anything else).
pub fn org_roles(roles: &[String]) -> Result<Vec<String>, ApiError> {
    check_roles(roles, |name| match role_kind(name) {
        RoleKind::Org => Ok(()),
        RoleKind::Billing => Err(ApiError::BillingUnsupported),
        RoleKind::Group => Err(ApiError::RoleNeedsGroupId(name.to_owned())),
        _ => Err(ApiError::InvalidEnumValue(name.to_owned())),
    })
}

/// Validate a list of project roles for `group_id`.
///
/// # Errors
/// `INVALID_ATTRIBUTE roles` (empty), `BILLING_UNSUPPORTED`, `INVALID_ROLE_FOR_GROUP` (an
/// org or global role), `INVALID_ENUM_VALUE` (anything else).
pub fn group_roles(roles: &[String], group_id: &str) -> Result<Vec<String>, ApiError> {
    check_roles(roles, |name| match role_kind(name) {
        RoleKind::Group => Ok(()),
        RoleKind::Billing => Err(ApiError::BillingUnsupported),
        RoleKind::Org | RoleKind::Global => Err(ApiError::InvalidRoleForGroup(
            name.to_owned(),
            group_id.to_owned(),
        )),
        _ => Err(ApiError::InvalidEnumValue(name.to_owned())),
    })
}

fn check_roles(
    roles: &[String],
    check: impl Fn(&str) -> Result<(), ApiError>,
) -> Result<Vec<String>, ApiError> {
    if roles.is_empty() {
        return Err(ApiError::InvalidAttribute("roles".into()));
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
