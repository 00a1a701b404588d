//! Ops Manager's error body ("Public API Principles", Errors): five fields, alphabetical,
//! `{"detail","error","errorCode","parameters","reason"}`, with the codes, statuses and
//! detail templates of the reference page "Ops Manager API Error Codes"
//! (<https://www.mongodb.com/docs/ops-manager/current/reference/api-error-codes/>).

use actix_web::http::StatusCode;
use serde_json::{json, Value};

/// Every error this product answers with (after authentication).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpsMgrError {
    /// `RESOURCE_NOT_FOUND` 404: unknown path, malformed org or key id.
    #[error("no resource {0}")]
    ResourceNotFound(String),
    /// 405 on a known path (the code is ours: the error-code page lists none for 405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// `INVALID_GROUP_ID` 404.
    #[error("invalid group id {0}")]
    InvalidGroupId(String),
    /// `GROUP_NOT_FOUND` 404 (global callers).
    #[error("no group {0}")]
    GroupNotFound(String),
    /// `NOT_IN_GROUP` 401.
    #[error("caller is not in group {0} or it does not exist")]
    NotInGroup(String),
    /// `GROUP_NAME_NOT_FOUND` 404.
    #[error("no group named {0}")]
    GroupNameNotFound(String),
    /// `GROUP_ALREADY_EXISTS` 409.
    #[error("group {0} already exists")]
    GroupAlreadyExists(String),
    /// `INVALID_GROUP_NAME` 400.
    #[error("invalid group name {0:?}")]
    InvalidGroupName(String),
    /// `ORG_NOT_FOUND` 404.
    #[error("no organization {0}")]
    OrgNotFound(String),
    /// `NOT_ORG_ADMIN` 401.
    #[error("caller is not an owner of organization {0}")]
    NotOrgAdmin(String),
    /// `USER_UNAUTHORIZED` 401.
    #[error("caller lacks the role for this action")]
    UserUnauthorized,
    /// 409 `CANNOT_DELETE_ORG_WITH_PROJECTS` (the code is ours: "Delete One Organization"
    /// states the rule, not its error).
    #[error("organization {0} still has projects")]
    OrgHasProjects(String),
    /// 409 `CANNOT_DELETE_GROUP_WITH_DEPLOYMENTS` (the code is ours: "Delete One Project"
    /// says a project with managed deployments cannot be deleted).
    #[error("project {0} still monitors deployments")]
    GroupHasDeployments(String),
    /// 409 `USER_ALREADY_EXISTS` (the code is ours).
    #[error("user {0} already exists")]
    UserAlreadyExists(String),
    /// 409 `TEAM_NAME_TAKEN` (the code is ours).
    #[error("team {0} already exists")]
    TeamNameTaken(String),
    /// `USER_NOT_FOUND` 404.
    #[error("no user {0}")]
    UserNotFound(String),
    /// `USERNAME_NOT_FOUND` 404.
    #[error("no user named {0}")]
    UsernameNotFound(String),
    /// `API_KEY_NOT_FOUND` 400.
    #[error("no API key {0}")]
    ApiKeyNotFound(String),
    /// `API_KEY_ACCESS_LIST_ACCESS_DENIED` 400.
    #[error("caller may not manage this key's access list")]
    AccessListDenied,
    /// `API_KEY_ACCESS_LIST_NOT_FOUND` 404.
    #[error("no such access-list entry")]
    AccessListNotFound,
    /// `BAD_ACCESS_LIST_ADD_REQUEST` 400.
    #[error("access-list entry with both ipAddress and cidrBlock")]
    BadAccessListAdd,
    /// `DUPLICATE_ADDRESSES_IN_INPUT` 400.
    #[error("duplicate addresses in input")]
    DuplicateAddresses,
    /// `ADDRESS_ALREADY_IN_ACCESS_LIST` 409 (user access lists).
    #[error("address {0} already on the access list")]
    AddressAlreadyInAccessList(String),
    /// `CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST` 400 (user access lists).
    #[error("caller's own address cannot be removed")]
    CannotRemoveCaller,
    /// `ACCESS_LIST_ACCESS_DENIED` 401 (user access list of another user).
    #[error("caller may not manage another user's access list")]
    UserAccessListDenied,
    /// `ACCESS_LIST_NOT_FOUND` 404 (user access lists).
    #[error("no such user access-list entry")]
    UserAccessListNotFound,
    /// `IP_ADDRESS_NOT_ON_ACCESS_LIST` 403.
    #[error("IP address {0} is not on the key's access list")]
    IpNotOnAccessList(String),
    /// `MISSING_ATTRIBUTE` 400.
    #[error("missing attribute {0}")]
    MissingAttribute(&'static str),
    /// `MISSING_ONE_OF_ATTRIBUTES` 400.
    #[error("neither {0} nor {1} given")]
    MissingOneOf(&'static str, &'static str),
    /// `INVALID_ATTRIBUTE` 400.
    #[error("invalid attribute {0}")]
    InvalidAttribute(String),
    /// `INVALID_ENUM_VALUE` 400.
    #[error("invalid enum value {0}")]
    InvalidEnumValue(String),
    /// `INVALID_ROLE_FOR_GROUP` 400.
    #[error("role {0} is invalid for group {1}")]
    InvalidRoleForGroup(String, String),
    /// `ROLE_NEEDS_GROUP_ID` 400.
    #[error("role {0} needs a group id")]
    RoleNeedsGroupId(String),
    /// `BILLING_UNSUPPORTED` 401.
    #[error("billing roles are not supported")]
    BillingUnsupported,
    /// `INVALID_JSON` 400.
    #[error("body is not the expected JSON")]
    InvalidJson,
    /// `INVALID_QUERY_PARAMETER` 400.
    #[error("invalid query parameter {0}")]
    InvalidQueryParameter(&'static str),
    /// `TOO_MANY_API_KEYS` 409 (the code is ours: the docs give the limit, not its error).
    #[error("organization already has 500 API keys")]
    TooManyApiKeys,
    /// `RATE_LIMITED` 429.
    #[error("rate limited")]
    RateLimited(String),
    /// `UNEXPECTED_ERROR` with any status (store failures, injected faults).
    #[error("unexpected error ({0})")]
    Unexpected(StatusCode),
}

impl From<rusqlite::Error> for OpsMgrError {
    fn from(err: rusqlite::Error) -> Self {
        tracing::error!("opsmgr store: {err}");
        OpsMgrError::Unexpected(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The parts of an error body.
struct Parts {
    status: StatusCode,
    code: &'static str,
    detail: String,
    parameters: Vec<String>,
}

impl OpsMgrError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.parts(false).status
    }

    fn parts(&self, legacy: bool) -> Parts {
        use OpsMgrError as E;
        let p = |status: u16, code: &'static str, detail: String, parameters: Vec<String>| Parts {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            detail,
            parameters,
        };
        let list = |new: &'static str, old: &'static str| if legacy { old } else { new };
        match self {
            E::ResourceNotFound(path) => p(
                404,
                "RESOURCE_NOT_FOUND",
                format!("Cannot find resource {path}."),
                vec![path.clone()],
            ),
            // Not documented: the error-code page lists no errorCode for 405.
            E::MethodNotAllowed => p(
                405,
                "METHOD_NOT_ALLOWED",
                "Method Not Allowed".into(),
                vec![],
            ),
            E::InvalidGroupId(id) => p(
                404,
                "INVALID_GROUP_ID",
                format!("An invalid group ID {id} was specified."),
                vec![id.clone()],
            ),
            E::GroupNotFound(id) => p(
                404,
                "GROUP_NOT_FOUND",
                format!("No group with ID {id} exists."),
                vec![id.clone()],
            ),
            E::NotInGroup(_) => p(
                401,
                "NOT_IN_GROUP",
                "The current user is not in the group, or the group does not exist.".into(),
                vec![],
            ),
            E::GroupNameNotFound(name) => p(
                404,
                "GROUP_NAME_NOT_FOUND",
                format!("No group with name {name} exists."),
                vec![name.clone()],
            ),
            E::GroupAlreadyExists(name) => p(
                409,
                "GROUP_ALREADY_EXISTS",
                format!("A group with name {name} already exists."),
                vec![name.clone()],
            ),
            E::InvalidGroupName(name) => p(
                400,
                "INVALID_GROUP_NAME",
                format!("An invalid group name {name} was specified."),
                vec![name.clone()],
            ),
            E::OrgNotFound(id) => p(
                404,
                "ORG_NOT_FOUND",
                format!("No organization with ID {id} exists."),
                vec![id.clone()],
            ),
            E::NotOrgAdmin(org) => p(
                401,
                "NOT_ORG_ADMIN",
                format!("The currently logged in user does not have the administrator role in organization {org}."),
                vec![org.clone()],
            ),
            E::UserUnauthorized => p(
                401,
                "USER_UNAUTHORIZED",
                "Current user is not authorized to perform this action.".into(),
                vec![],
            ),
            E::OrgHasProjects(id) => p(
                409,
                "CANNOT_DELETE_ORG_WITH_PROJECTS",
                format!("Organization {id} still has projects; delete them first."),
                vec![id.clone()],
            ),
            E::GroupHasDeployments(id) => p(
                409,
                "CANNOT_DELETE_GROUP_WITH_DEPLOYMENTS",
                format!("Group {id} still has managed deployments."),
                vec![id.clone()],
            ),
            E::UserAlreadyExists(name) => p(
                409,
                "USER_ALREADY_EXISTS",
                format!("A user with username {name} already exists."),
                vec![name.clone()],
            ),
            E::TeamNameTaken(name) => p(
                409,
                "TEAM_NAME_TAKEN",
                format!("A team with name {name} already exists in this organization."),
                vec![name.clone()],
            ),
            E::UserNotFound(id) => p(
                404,
                "USER_NOT_FOUND",
                format!("No user with ID {id} exists."),
                vec![id.clone()],
            ),
            E::UsernameNotFound(name) => p(
                404,
                "USERNAME_NOT_FOUND",
                format!("No user with username {name} exists."),
                vec![name.clone()],
            ),
            E::ApiKeyNotFound(id) => p(
                400,
                "API_KEY_NOT_FOUND",
                format!("No API Key with ID {id} exists."),
                vec![id.clone()],
            ),
            E::AccessListDenied => p(
                400,
                list("API_KEY_ACCESS_LIST_ACCESS_DENIED", "API_KEY_WHITELIST_ACCESS_DENIED"),
                "API Key access lists are only accessible by the API Key or by a user administrator.".into(),
                vec![],
            ),
            E::AccessListNotFound => p(
                404,
                list("API_KEY_ACCESS_LIST_NOT_FOUND", "API_KEY_WHITELIST_NOT_FOUND"),
                "The specified IP address does not exist in the corresponding API key access list.".into(),
                vec![],
            ),
            E::BadAccessListAdd => p(
                400,
                list("BAD_ACCESS_LIST_ADD_REQUEST", "BAD_WHITELIST_ADD_REQUEST"),
                "Should not specify both the IP address and the CIDR block.".into(),
                vec![],
            ),
            E::DuplicateAddresses => p(
                400,
                "DUPLICATE_ADDRESSES_IN_INPUT",
                "Two or more of the IP addresses being added to the whitelist are the same.".into(),
                vec![],
            ),
            E::AddressAlreadyInAccessList(addr) => p(
                409,
                list("ADDRESS_ALREADY_IN_ACCESS_LIST", "ADDRESS_ALREADY_IN_WHITELIST"),
                format!("The address {addr} is already on the access list."),
                vec![addr.clone()],
            ),
            E::CannotRemoveCaller => p(
                400,
                list("CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST", "CANNOT_REMOVE_CALLER_FROM_WHITELIST"),
                "Cannot remove the caller's IP address from the access list.".into(),
                vec![],
            ),
            E::UserAccessListDenied => p(
                401,
                list("ACCESS_LIST_ACCESS_DENIED", "WHITELIST_ACCESS_DENIED"),
                "Cannot access the access list of another user.".into(),
                vec![],
            ),
            E::UserAccessListNotFound => p(
                404,
                list("ACCESS_LIST_NOT_FOUND", "WHITELIST_NOT_FOUND"),
                "The specified address does not exist in the access list.".into(),
                vec![],
            ),
            E::IpNotOnAccessList(ip) => p(
                403,
                list("IP_ADDRESS_NOT_ON_ACCESS_LIST", "IP_ADDRESS_NOT_ON_WHITELIST"),
                format!("IP address {ip} is not allowed to access this resource."),
                vec![ip.clone()],
            ),
            E::MissingAttribute(attr) => p(
                400,
                "MISSING_ATTRIBUTE",
                format!("The required attribute {attr} was not specified."),
                vec![(*attr).to_owned()],
            ),
            E::MissingOneOf(a, b) => p(
                400,
                "MISSING_ONE_OF_ATTRIBUTES",
                format!("Either the {a} attribute or the {b} attribute must be specified."),
                vec![(*a).to_owned(), (*b).to_owned()],
            ),
            E::InvalidAttribute(attr) => p(
                400,
                "INVALID_ATTRIBUTE",
                format!("Invalid attribute {attr} specified."),
                vec![attr.clone()],
            ),
            E::InvalidEnumValue(value) => p(
                400,
                "INVALID_ENUM_VALUE",
                format!("An invalid enumeration value {value} was specified."),
                vec![value.clone()],
            ),
            E::InvalidRoleForGroup(role, group) => p(
                400,
                "INVALID_ROLE_FOR_GROUP",
                format!("Role {role} is invalid for group {group}."),
                vec![role.clone(), group.clone()],
            ),
            E::RoleNeedsGroupId(role) => p(
                400,
                "ROLE_NEEDS_GROUP_ID",
                format!("Group-specific role {role} requires a group ID."),
                vec![role.clone()],
            ),
            E::BillingUnsupported => p(
                401,
                "BILLING_UNSUPPORTED",
                "Billing administrator roles are not supported by Ops Manager.".into(),
                vec![],
            ),
            E::InvalidJson => p(
                400,
                "INVALID_JSON",
                "Received JSON does not match expected format.".into(),
                vec![],
            ),
            E::InvalidQueryParameter(name) => p(
                400,
                "INVALID_QUERY_PARAMETER",
                format!("Invalid query parameter {name} specified."),
                vec![(*name).to_owned()],
            ),
            // Not documented: the real code for the 501st key is unknown.
            E::TooManyApiKeys => p(
                409,
                "TOO_MANY_API_KEYS",
                "An organization may have at most 500 API keys.".into(),
                vec![],
            ),
            E::RateLimited(resource) => p(
                429,
                "RATE_LIMITED",
                format!("Resource {resource} is limited in its request rate."),
                vec![resource.clone()],
            ),
            E::Unexpected(status) => Parts {
                status: *status,
                code: "UNEXPECTED_ERROR",
                detail: "Unexpected error.".into(),
                parameters: vec![],
            },
        }
    }

    /// The error body; `legacy` picks the 4.x `WHITELIST` codes.
    pub fn body(&self, legacy: bool) -> (StatusCode, Value) {
        let parts = self.parts(legacy);
        let reason = parts.status.canonical_reason().unwrap_or("Error");
        (
            parts.status,
            json!({
                "detail": parts.detail,
                "error": parts.status.as_u16(),
                "errorCode": parts.code,
                "parameters": parts.parameters,
                "reason": reason,
            }),
        )
    }
}

/// Without a request at hand (no route middleware): the compact body with the 5.0+ codes.
/// Every route renders its errors through `wire::render_errors` instead, which
/// honours `pretty`, `envelope` and the legacy-codes setting.
impl actix_web::ResponseError for OpsMgrError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let (status, body) = self.body(false);
        crate::json::json_response(status, crate::json::to_text(&body, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_five_fields_with_the_template_filled_in() {
        let (status, body) = OpsMgrError::IpNotOnAccessList("203.0.113.9".into()).body(false);
        assert_eq!(status, 403);
        assert_eq!(
            body,
            json!({"detail":"IP address 203.0.113.9 is not allowed to access this resource.",
                   "error":403,"errorCode":"IP_ADDRESS_NOT_ON_ACCESS_LIST",
                   "parameters":["203.0.113.9"],"reason":"Forbidden"})
        );
        let (_, legacy) = OpsMgrError::IpNotOnAccessList("1.2.3.4".into()).body(true);
        assert_eq!(legacy["errorCode"], "IP_ADDRESS_NOT_ON_WHITELIST");
    }
}
