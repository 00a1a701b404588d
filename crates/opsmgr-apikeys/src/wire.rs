//! The wire conventions of the public API ("Public API Principles"): query parameters, Jackson-style JSON
//! (alphabetical keys, compact by default, `pretty=true` in `DefaultPrettyPrinter` style),
//! `envelope=true`, the list envelope with its `links`, and the response headers.

use crate::error::OpsMgrError;
use crate::json::{json_response, service_version, to_text, SERVICE_VERSION_HEADER};
use crate::model::{entry_segment, redact, Role};
use crate::store::{
    AccessRow, ClusterRow, DeploymentCounts, HostRow, KeyRow, OrgRow, ProfileRow, ProjectRow,
};
use crate::OpsMgr;
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderName;
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, Responder};
use auth_core::Inst;
use serde_json::{json, Map, Value};

/// Base path of the public API.
pub const BASE: &str = "/api/public/v1.0";

/// How the response body is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Format {
    /// `pretty=true`.
    pub pretty: bool,
    /// `envelope=true`.
    pub envelope: bool,
}

impl Format {
    /// The format a request asks for.
    pub fn of(req: &HttpRequest) -> Self {
        Self::of_query(req.query_string())
    }

    /// The format a raw query string asks for (the last `pretty` and `envelope` count).
    pub fn of_query(query: &str) -> Self {
        let mut format = Format::default();
        // Read on every answer, often more than once: a query that cannot name either
        // parameter (no `%` escape, neither name spelled out) is not parsed.
        if query.is_empty()
            || !["%", "pretty", "envelope"]
                .iter()
                .any(|s| query.contains(s))
        {
            return format;
        }
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "pretty" => format.pretty = v.eq_ignore_ascii_case("true"),
                "envelope" => format.envelope = v.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        format
    }
}

/// Where links point: the configured central URL, else `{scheme}://{Host}`.
pub fn central_url(req: &HttpRequest, configured: Option<&str>) -> String {
    match configured {
        Some(url) if !url.is_empty() => url.trim_end_matches('/').to_owned(),
        _ => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    }
}

/// A `self` link object.
pub fn self_link(href: String) -> Value {
    json!({"href": href, "rel": "self"})
}

/// Build the list object (`links`, `results`, `totalCount`) for one page of `items` (every item of the list).
pub fn list(req: &HttpRequest, central: &str, paging: Paging, items: Vec<Value>) -> Value {
    let total = items.len() as u64;
    let results: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.items_per_page).unwrap_or(usize::MAX))
        .collect();
    page(req, central, paging, total, results)
}

/// Build the list object from one page already cut out by the store (`results`)
/// and the size of the whole list (`total`).
pub fn page(
    req: &HttpRequest,
    central: &str,
    paging: Paging,
    total: u64,
    results: Vec<Value>,
) -> Value {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|part| !part.is_empty())
        .filter(|part| {
            let name = part.split('=').next().unwrap_or_default();
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            name != "pageNum" && name != "itemsPerPage"
        })
        .collect();
    let href = |page: u64| {
        let mut query = kept.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        format!(
            "{central}{}?{query}pageNum={page}&itemsPerPage={}",
            req.path(),
            paging.items_per_page
        )
    };
    let mut links = vec![self_link(href(paging.page_num))];
    if paging.page_num > 1 {
        links.push(json!({"href": href(paging.page_num - 1), "rel": "previous"}));
    }
    if paging.page_num.saturating_mul(paging.items_per_page) < total {
        links.push(json!({"href": href(paging.page_num + 1), "rel": "next"}));
    }
    let mut out = Map::new();
    out.insert("links".into(), Value::Array(links));
    out.insert("results".into(), Value::Array(results));
    if paging.include_count {
        out.insert("totalCount".into(), json!(total));
    }
    Value::Object(out)
}

/// What a handler answers: Ops Manager's JSON (in the requested format and envelope), or
/// no body.
#[derive(Debug)]
pub(crate) enum Reply {
    /// A JSON body with a status.
    Json(StatusCode, Value),
    /// A JSON body already written for this request's format and envelope ([`render`]).
    Rendered(StatusCode, Bytes),
    /// No body (200 or 204).
    Empty(StatusCode),
}

/// `value` as the body Ops Manager sends with `status` in `format`.
pub(crate) fn render(value: Value, status: StatusCode, format: Format) -> String {
    let value = if format.envelope {
        envelope(value, status)
    } else {
        value
    };
    to_text(&value, format.pretty)
}

impl Reply {
    /// `200 OK` with `value`.
    pub fn ok(value: Value) -> Self {
        Reply::Json(StatusCode::OK, value)
    }
}

impl Responder for Reply {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let format = Format::of(req);
        match self {
            Reply::Json(status, value) => json_response(status, render(value, status, format)),
            Reply::Rendered(status, body) => json_response(status, body),
            Reply::Empty(status) if format.envelope => {
                // Not documented: a 204 cannot carry a body, so the envelope of an empty
                // answer goes out with HTTP 200 and says the real status inside.
                let value = json!({"content": {}, "status": status.as_u16()});
                json_response(StatusCode::OK, to_text(&value, format.pretty))
            }
            Reply::Empty(status) => {
                let mut resp = HttpResponse::build(status).finish();
                resp.headers_mut().insert(
                    HeaderName::from_static(SERVICE_VERSION_HEADER),
                    service_version(),
                );
                resp
            }
        }
    }
}

/// Middleware on every route: an [`OpsMgrError`] a handler or extractor returned is written
/// in the format the request asks for (`pretty`, `envelope`) and with the configured error
/// codes (`--opsmgr-legacy-whitelist-codes`); its log text goes to the journal's reason.
pub(crate) async fn render_errors(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let Some(err) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<OpsMgrError>())
        .cloned()
    else {
        return Ok(res);
    };
    let (req, _) = res.into_parts();
    auth_core::trace::refuse(&req, err.to_string());
    let legacy = Inst::<OpsMgr>::of(&req).is_some_and(|i| i.settings.legacy_whitelist_codes);
    let resp = error_response(&req, &err, legacy);
    Ok(ServiceResponse::new(req, resp))
}

/// An error in Ops Manager's format (and envelope, if asked for).
pub fn error_response(req: &HttpRequest, err: &OpsMgrError, legacy: bool) -> HttpResponse {
    let format = Format::of(req);
    let (status, body) = err.body(legacy);
    let body = if format.envelope {
        json!({"content": body, "status": status.as_u16()})
    } else {
        body
    };
    json_response(status, to_text(&body, format.pretty))
}

fn envelope(value: Value, status: StatusCode) -> Value {
    match value {
        Value::Object(mut map) if map.contains_key("results") && map.contains_key("links") => {
            map.insert("status".into(), json!(status.as_u16()));
            Value::Object(map)
        }
        other => json!({"content": other, "status": status.as_u16()}),
    }
}

// Entities as Ops Manager writes them, with their `self` links.

/// A role object: exactly one of `orgId`/`groupId`, plus `roleName`.
pub fn role(role: &Role) -> Value {
    let mut out = Map::new();
    if let Some(org) = &role.org_id {
        out.insert("orgId".into(), json!(org));
    }
    if let Some(group) = &role.group_id {
        out.insert("groupId".into(), json!(group));
    }
    out.insert("roleName".into(), json!(role.name));
    Value::Object(out)
}

/// The URL of a key (always under its org, even in `/groups/…` answers).
pub fn key_href(central: &str, key: &KeyRow) -> String {
    format!("{central}{BASE}/orgs/{}/apiKeys/{}", key.org_id, key.id)
}

/// An API key; the private key in full only when `reveal` (the creating response).
pub fn api_key(central: &str, key: &KeyRow, roles: &[Role], reveal: bool) -> Value {
    json!({
        "desc": key.desc,
        "id": key.id,
        "links": [self_link(key_href(central, key))],
        "privateKey": if reveal { key.private_key.clone() } else { redact(&key.private_key) },
        "publicKey": key.public_key,
        "roles": roles.iter().map(role).collect::<Vec<_>>(),
    })
}

/// An access-list entry of a key (or user) whose base URL is `base_href`
/// (`…/apiKeys/{ID}/accessList`); `get_one` adds the link back to the key.
pub fn access_entry(base_href: &str, key_href: Option<&str>, entry: &AccessRow) -> Value {
    let mut links = vec![self_link(format!(
        "{base_href}/{}",
        entry_segment(&entry.cidr_block)
    ))];
    if let Some(href) = key_href {
        links.push(json!({"href": href, "rel": "http://mms.mongodb.com/apiKeys"}));
    }
    let mut out = Map::new();
    out.insert("cidrBlock".into(), json!(entry.cidr_block));
    out.insert("count".into(), json!(entry.count));
    out.insert("created".into(), json!(entry.created));
    out.insert("ipAddress".into(), json!(entry.ip_address));
    if let Some(t) = &entry.last_used {
        out.insert("lastUsed".into(), json!(t));
    }
    if let Some(a) = &entry.last_used_address {
        out.insert("lastUsedAddress".into(), json!(a));
    }
    out.insert("links".into(), Value::Array(links));
    Value::Object(out)
}

/// An organization.
pub fn org(central: &str, org: &OrgRow) -> Value {
    json!({
        "id": org.id,
        "isDeleted": org.is_deleted,
        "links": [self_link(format!("{central}{BASE}/orgs/{}", org.id))],
        "name": org.name,
    })
}

/// A project, with the counts of what it monitors.
pub fn project(central: &str, p: &ProjectRow, counts: &DeploymentCounts) -> Value {
    json!({
        "activeAgentCount": 0,
        "agentApiKey": p.agent_api_key,
        "created": p.created,
        "hostCounts": {
            "arbiter": counts.arbiter,
            "config": counts.config,
            "master": counts.master,
            "mongos": counts.mongos,
            "primary": counts.primary,
            "secondary": counts.secondary,
            "slave": counts.slave,
        },
        "id": p.id,
        "links": [self_link(format!("{central}{BASE}/groups/{}", p.id))],
        "name": p.name,
        "orgId": p.org_id,
        "publicApiEnabled": true,
        "replicaSetCount": counts.replica_sets,
        "shardCount": counts.shards,
        "tags": p.tags,
    })
}

/// A cluster ("Get All Clusters in One Project"): `replicaSetName`/`shardName` only where
/// they apply.
pub fn cluster(central: &str, c: &ClusterRow) -> Value {
    let mut out = Map::new();
    out.insert("clusterName".into(), json!(c.cluster_name));
    out.insert("groupId".into(), json!(c.group_id));
    out.insert("id".into(), json!(c.id));
    out.insert("lastHeartbeat".into(), json!(c.last_heartbeat));
    out.insert(
        "links".into(),
        json!([self_link(format!(
            "{central}{BASE}/groups/{}/clusters/{}",
            c.group_id, c.id
        ))]),
    );
    if let Some(rs) = &c.replica_set_name {
        out.insert("replicaSetName".into(), json!(rs));
    }
    if let Some(shard) = &c.shard_name {
        out.insert("shardName".into(), json!(shard));
    }
    out.insert("typeName".into(), json!(c.type_name));
    Value::Object(out)
}

/// The URL of a host.
pub fn host_href(central: &str, h: &HostRow) -> String {
    format!("{central}{BASE}/groups/{}/hosts/{}", h.group_id, h.id)
}

/// A host ("Get All Hosts"): the monitoring flags are those of a healthy monitored
/// process (enabled, not deactivated, journaling on).
pub fn host(central: &str, h: &HostRow) -> Value {
    let mut out = Map::new();
    out.insert("alertsEnabled".into(), json!(true));
    out.insert(
        "aliases".into(),
        json!([format!("{}:{}", h.hostname, h.port)]),
    );
    out.insert("authMechanismName".into(), json!("NONE"));
    if let Some(id) = &h.cluster_id {
        out.insert("clusterId".into(), json!(id));
    }
    out.insert("created".into(), json!(h.created));
    out.insert("deactivated".into(), json!(false));
    out.insert("groupId".into(), json!(h.group_id));
    out.insert("hasStartupWarnings".into(), json!(false));
    out.insert("hidden".into(), json!(false));
    out.insert("hiddenSecondary".into(), json!(false));
    out.insert("hostEnabled".into(), json!(true));
    out.insert("hostname".into(), json!(h.hostname));
    out.insert("id".into(), json!(h.id));
    out.insert("journalingEnabled".into(), json!(true));
    out.insert("links".into(), json!([self_link(host_href(central, h))]));
    out.insert("logsEnabled".into(), json!(false));
    out.insert("lowUlimit".into(), json!(false));
    out.insert("muninEnabled".into(), json!(false));
    out.insert("port".into(), json!(h.port));
    out.insert("profilerEnabled".into(), json!(false));
    if let Some(rs) = &h.replica_set_name {
        out.insert("replicaSetName".into(), json!(rs));
    }
    if let Some(state) = &h.replica_state_name {
        out.insert("replicaStateName".into(), json!(state));
    }
    if let Some(shard) = &h.shard_name {
        out.insert("shardName".into(), json!(shard));
    }
    out.insert("slaveDelaySec".into(), json!(0));
    out.insert("sslEnabled".into(), json!(false));
    out.insert("typeName".into(), json!(h.type_name));
    out.insert("version".into(), json!(h.version));
    Value::Object(out)
}

/// A disk partition or database of a host: its name in `field` and its links (itself and
/// its measurements).
pub fn named_child(central: &str, h: &HostRow, what: &str, field: &str, name: &str) -> Value {
    let href = format!(
        "{}/{what}/{}",
        host_href(central, h),
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
    );
    json!({
        field: name,
        "links": [
            self_link(href.clone()),
            {"href": format!("{href}/measurements"), "rel": "http://mms.mongodb.com/measurements"},
        ],
    })
}

/// A user ("Get a User by Name"): profile, roles and teams.
pub fn user(central: &str, u: &ProfileRow, roles: &[Role], team_ids: &[String]) -> Value {
    json!({
        "emailAddress": u.email_address,
        "firstName": u.first_name,
        "id": u.id,
        "lastName": u.last_name,
        "links": [self_link(format!("{central}{BASE}/users/{}", u.id))],
        "roles": roles.iter().map(role).collect::<Vec<_>>(),
        "teamIds": team_ids,
        "username": u.username,
    })
}

/// Default `itemsPerPage`.
pub const DEFAULT_ITEMS_PER_PAGE: u64 = 100;
/// Largest `itemsPerPage` ("up to a maximum of 500", every list page of the reference).
pub const MAX_ITEMS_PER_PAGE: u64 = 500;

/// `pageNum`, `itemsPerPage` and `includeCount` of a list request.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// 1-based page.
    pub page_num: u64,
    /// Page size, 1..=500.
    pub items_per_page: u64,
    /// Whether `totalCount` is sent.
    pub include_count: bool,
}

impl Paging {
    /// Read and validate the paging parameters.
    ///
    /// # Errors
    /// `INVALID_QUERY_PARAMETER` for a non-number, `pageNum < 1` or `itemsPerPage`
    /// outside 1..=500 (UNCONFIRMED: the real server's answer is not documented).
    pub fn of(req: &HttpRequest) -> Result<Self, OpsMgrError> {
        Self::of_query(req.query_string())
    }

    /// [`Paging::of`] for a raw query string (the last value of each parameter counts).
    ///
    /// # Errors
    /// As [`Paging::of`].
    pub fn of_query(query: &str) -> Result<Self, OpsMgrError> {
        let (mut page_num, mut items_per_page, mut include_count) = (None, None, None);
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "pageNum" => page_num = Some(v),
                "itemsPerPage" => items_per_page = Some(v),
                "includeCount" => include_count = Some(v),
                _ => {}
            }
        }
        let number = |name: &'static str, value: Option<&str>, default: u64, max: u64| match value {
            None => Ok(default),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(OpsMgrError::InvalidQueryParameter(name)),
            },
        };
        Ok(Paging {
            page_num: number("pageNum", page_num.as_deref(), 1, u64::from(u32::MAX))?,
            items_per_page: number(
                "itemsPerPage",
                items_per_page.as_deref(),
                DEFAULT_ITEMS_PER_PAGE,
                MAX_ITEMS_PER_PAGE,
            )?,
            include_count: include_count.is_none_or(|v| !v.eq_ignore_ascii_case("false")),
        })
    }
}

impl Paging {
    /// How many items come before this page.
    pub fn offset(&self) -> u64 {
        self.page_num
            .saturating_sub(1)
            .saturating_mul(self.items_per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_is_read_from_every_spelling_of_its_parameters() {
        for (query, pretty, envelope) in [
            ("", false, false),
            ("pageNum=1&itemsPerPage=100", false, false),
            ("pretty=true", true, false),
            ("pageNum=2&envelope=TRUE", false, true),
            ("%70retty=true&%65nvelope=true", true, true),
            ("pretty=true&pretty=false", false, false),
            ("prettyish=true", false, false),
        ] {
            let format = Format::of_query(query);
            assert_eq!(
                (format.pretty, format.envelope),
                (pretty, envelope),
                "{query}"
            );
        }
    }

    #[test]
    fn compact_output_sorts_keys_and_has_no_whitespace() {
        let v = json!({"rel": "self", "href": "h", "n": [1, 2], "o": {}});
        assert_eq!(
            to_text(&v, false),
            r#"{"href":"h","n":[1,2],"o":{},"rel":"self"}"#
        );
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        let mut text: String = (0u8..0x80).map(char::from).collect();
        text.push_str("é€😀/\u{2028}");
        let v = json!({ text.clone(): text.clone() });
        let expected = format!(
            "{{{}:{}}}",
            Value::String(text.clone()),
            Value::String(text)
        );
        assert_eq!(to_text(&v, false), expected);
    }

    #[test]
    fn pretty_output_is_jackson_style() {
        let v = json!({
            "roles": [{"roleName": "A", "orgId": "o"}, {"roleName": "B", "groupId": "g"}],
            "desc": "d",
            "tags": [],
            "names": ["a", "b"],
            "hostCounts": {"b": 0, "a": 1}
        });
        let expected = "{\n  \"desc\" : \"d\",\n  \"hostCounts\" : {\n    \"a\" : 1,\n    \"b\" : 0\n  },\n  \"names\" : [ \"a\", \"b\" ],\n  \"roles\" : [ {\n    \"orgId\" : \"o\",\n    \"roleName\" : \"A\"\n  }, {\n    \"groupId\" : \"g\",\n    \"roleName\" : \"B\"\n  } ],\n  \"tags\" : [ ]\n}";
        assert_eq!(to_text(&v, true), expected);
    }

    #[test]
    fn paging_of_a_query_takes_the_last_value_of_each_parameter() {
        let p = Paging::of_query("itemsPerPage=7&includeCount=FALSE&pageNum=9&pageNum=3").unwrap();
        assert_eq!(
            (p.page_num, p.items_per_page, p.include_count),
            (3, 7, false)
        );
        assert_eq!(p.offset(), 14);
        let p = Paging::of_query("").unwrap();
        assert_eq!(
            (p.page_num, p.items_per_page, p.include_count),
            (1, 100, true)
        );
        assert!(Paging::of_query("itemsPerPage=%20501").is_err());
        assert!(Paging::of_query("pageNum=4294967296").is_err());
    }
}
