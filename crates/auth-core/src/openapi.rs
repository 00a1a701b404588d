//! `GET /_standin/openapi.json`: an OpenAPI 3.1 description of the shared control routes.
//!
//! The control router hands [`build`] its own route list (the same one the `/_standin` scope is
//! mounted from), so this module names no handler; each route's description is looked up in
//! [`DOCS`] by method and path. A test
//! checks that the two lists match one to one, so a route cannot be mounted undescribed or
//! described unmounted. The product's own routes under `/_standin/<product>/` are added by
//! [`add_product_routes`] from the product's [`ControlOp`] list, the one the scope mounts them
//! from; their semantics are in each product's docs page.

use crate::control::VERSION;
use crate::product::ControlOp;
use serde_json::{json, Map, Value};

/// How one control route is described.
pub struct RouteDoc {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path under `/_standin`, in actix form (`/snapshots/{name}`).
    pub path: &'static str,
    /// One line.
    pub summary: &'static str,
    /// The request body's schema (a `$ref` name in `components.schemas`), if it takes one.
    pub body: Option<&'static str>,
    /// Whether the body may be left out.
    pub body_optional: bool,
    /// The success status and the `$ref` name of its schema.
    pub ok: (u16, &'static str),
    /// Other statuses the route answers with an [`Error`](crate::control::ControlError) body.
    pub errors: &'static [u16],
}

const fn doc(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    ok: (u16, &'static str),
    errors: &'static [u16],
) -> RouteDoc {
    RouteDoc {
        method,
        path,
        summary,
        body: None,
        body_optional: false,
        ok,
        errors,
    }
}

const fn with_body(mut d: RouteDoc, schema: &'static str, optional: bool) -> RouteDoc {
    d.body = Some(schema);
    d.body_optional = optional;
    d
}

/// Every shared control route's description.
pub const DOCS: &[RouteDoc] = &[
    doc("GET", "/health", "Product, version and addressed tenant", (200, "Health"), &[]),
    doc("GET", "/ready", "Whether the instance serves (its fixtures are loaded)", (200, "Ready"), &[]),
    doc("POST", "/reset", "Put the instance back to its fixtures (store, runtime state, clock, faults, rate limits; the journal is kept)", (200, "Reset"), &[500]),
    doc("GET", "/clock", "The instance clock", (200, "Clock"), &[]),
    with_body(doc("POST", "/clock", "Set, advance, freeze or resume the instance clock (applied in that order)", (200, "Clock"), &[400]), "ClockCommand", false),
    doc("GET", "/state", "The whole product state in the fixture format, secrets included", (200, "StateDocument"), &[500]),
    with_body(doc("PUT", "/state", "Replace the whole state; a bad document changes nothing", (200, "Replaced"), &[400, 500]), "StateDocument", false),
    doc("GET", "/snapshots", "Saved snapshot names (shared by the main instance and its tenants)", (200, "SnapshotList"), &[]),
    doc("POST", "/snapshots/{name}", "Save the instance's state as a snapshot", (201, "SnapshotSaved"), &[400, 500]),
    doc("DELETE", "/snapshots/{name}", "Delete a snapshot", (200, "Deleted"), &[400, 404]),
    doc("POST", "/snapshots/{name}/restore", "Replace the instance's state with a snapshot", (200, "SnapshotRestored"), &[400, 404, 500]),
    doc("GET", "/requests", "The request journal, oldest first, filtered", (200, "JournalPage"), &[400]),
    doc("DELETE", "/requests", "Clear the request journal", (200, "Cleared"), &[]),
    with_body(doc("POST", "/requests/wait", "Wait until enough matching requests are journaled (408 with what arrived on timeout)", (200, "JournalWait"), &[400, 408]), "WaitCommand", true),
    doc("GET", "/faults", "Active fault rules", (200, "FaultList"), &[]),
    with_body(doc("POST", "/faults", "Add a fault rule", (201, "Fault"), &[400]), "FaultSpec", false),
    doc("DELETE", "/faults", "Remove every fault rule", (200, "Cleared"), &[]),
    doc("DELETE", "/faults/{id}", "Remove one fault rule", (200, "Deleted"), &[404]),
    doc("GET", "/rate-limits", "Active rate limits", (200, "RateLimitList"), &[]),
    with_body(doc("POST", "/rate-limits", "Add a token-bucket rate limit", (201, "RateLimit"), &[400]), "RateLimitSpec", false),
    doc("DELETE", "/rate-limits", "Remove every rate limit", (200, "Cleared"), &[]),
    doc("DELETE", "/rate-limits/{id}", "Remove one rate limit", (200, "Deleted"), &[404]),
    doc("GET", "/tenants", "The product's tenants", (200, "TenantList"), &[]),
    with_body(doc("POST", "/tenants", "Start a tenant from the fixtures (no body), a snapshot or a state document", (201, "Tenant"), &[400, 404, 500]), "TenantCreate", true),
    doc("GET", "/tenants/{id}", "One tenant", (200, "Tenant"), &[404]),
    doc("DELETE", "/tenants/{id}", "Stop a tenant and close its port", (200, "Deleted"), &[404]),
    doc("GET", "/openapi.json", "This document", (200, "OpenApi"), &[]),
    doc("GET", "/ui", "The dashboard: one HTML page that drives the routes above", (200, "Html"), &[]),
];

/// The description of `method path`, if there is one.
pub fn find(method: &str, path: &str) -> Option<&'static RouteDoc> {
    DOCS.iter().find(|d| d.method == method && d.path == path)
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
        })
        .collect()
}

fn journal_query() -> Vec<Value> {
    let param = |name: &str, ty: &str, what: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": ty}, "description": what});
    vec![
        param("method", "string", "HTTP method, case-insensitive"),
        param("path", "string", "path prefix"),
        param("status", "integer", "exact status"),
        param(
            "operation",
            "string",
            "exact operation name, e.g. pmp.get_password",
        ),
        param("principal", "string", "exact principal"),
        param(
            "since",
            "string",
            "a seq number (exclusive) or an RFC 3339 time (inclusive)",
        ),
        param("limit", "integer", "keep only the newest N"),
    ]
}

fn operation(d: &RouteDoc) -> Value {
    let mut responses = Map::new();
    let ok_content = match d.ok.1 {
        "Html" => json!({"text/html": {"schema": {"type": "string"}}}),
        name => json!({"application/json": {"schema": schema_ref(name)}}),
    };
    responses.insert(
        d.ok.0.to_string(),
        json!({"description": d.summary, "content": ok_content}),
    );
    for status in d.errors.iter().chain([403].iter()) {
        let (what, schema) = match status {
            408 => ("timed out; the body holds what did arrive", "JournalWait"),
            400 => ("bad input", "Error"),
            403 => ("not loopback and no valid control token", "Error"),
            404 => ("unknown", "Error"),
            _ => ("failed inside standin", "Error"),
        };
        responses.insert(
            status.to_string(),
            json!({"description": what, "content": {"application/json": {"schema": schema_ref(schema)}}}),
        );
    }
    let id = format!(
        "{}{}",
        d.method.to_ascii_lowercase(),
        d.path
            .split(['/', '-', '.'])
            .filter(|s| !s.is_empty())
            .map(|s| {
                let s = s.trim_start_matches('{').trim_end_matches('}');
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<String>()
    );
    let mut op = json!({"operationId": id, "summary": d.summary, "responses": responses});
    let mut params = path_params(d.path);
    if d.method == "GET" && d.path == "/requests" {
        params.extend(journal_query());
    }
    if !params.is_empty() {
        op["parameters"] = Value::Array(params);
    }
    if let Some(body) = d.body {
        op["requestBody"] = json!({
            "required": !d.body_optional,
            "content": {"application/json": {"schema": schema_ref(body)}},
        });
    }
    op
}

/// The OpenAPI document of a control scope mounting `routes` (method, path under
/// `/_standin`), for the product titled `title`.
pub fn build<'a>(title: &str, routes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    let mut paths = Map::new();
    for (method, path) in routes {
        let described = match find(method, path) {
            Some(d) => operation(d),
            None => json!({"summary": "undescribed", "responses": {}}),
        };
        let item = paths
            .entry(format!("/_standin{path}"))
            .or_insert_with(|| json!({}));
        item[method.to_ascii_lowercase()] = described;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("standin control API ({title})"),
            "version": VERSION,
            "description": "The control scope of one standin product port (or tenant port). Loopback \
                callers are admitted; others need Authorization: Bearer <control token>. A tenant is \
                also addressed on the main port with the header X-Standin-Tenant: <id>.",
        },
        "servers": [{"url": "/"}],
        "security": [{}, {"controlToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"controlToken": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
    })
}

fn schemas() -> Value {
    let tenant = json!({"type": ["string", "null"], "description": "the addressed tenant, null on the main instance"});
    json!({
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"enum": ["bad_request", "forbidden", "not_found", "internal"]},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "the rejected state document field"},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "product", "title", "version", "tenant"],
            "properties": {
                "status": {"const": "ok"},
                "product": {"type": "string"},
                "title": {"type": "string"},
                "version": {"type": "string"},
                "tenant": tenant,
            },
        },
        "Ready": {
            "type": "object",
            "required": ["ready", "product", "tenant"],
            "properties": {"ready": {"type": "boolean"}, "product": {"type": "string"}, "tenant": tenant},
        },
        "Reset": {
            "type": "object",
            "required": ["reset", "product", "tenant", "elapsed_us"],
            "properties": {
                "reset": {"const": true},
                "product": {"type": "string"},
                "tenant": tenant,
                "elapsed_us": {"type": "integer"},
            },
        },
        "Clock": {
            "type": "object",
            "required": ["now", "now_ms", "frozen", "offset_ms"],
            "properties": {
                "now": {"type": "string", "format": "date-time"},
                "now_ms": {"type": "integer"},
                "frozen": {"type": "boolean"},
                "offset_ms": {"type": "integer", "description": "instance clock minus real time"},
            },
        },
        "ClockCommand": {
            "type": "object",
            "additionalProperties": false,
            "minProperties": 1,
            "properties": {
                "set": {"type": "string", "format": "date-time"},
                "advance_secs": {"type": "integer"},
                "advance_ms": {"type": "integer"},
                "freeze": {"type": "boolean", "description": "true freezes, false resumes"},
            },
        },
        "StateDocument": {
            "type": "object",
            "description": "the product's fixture format (see the product's docs page)",
        },
        "Replaced": {
            "type": "object",
            "required": ["replaced", "product", "tenant"],
            "properties": {"replaced": {"const": true}, "product": {"type": "string"}, "tenant": tenant},
        },
        "SnapshotList": {
            "type": "object",
            "required": ["product", "snapshots"],
            "properties": {
                "product": {"type": "string"},
                "snapshots": {
                    "type": "array",
                    "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
                },
            },
        },
        "SnapshotSaved": {
            "type": "object",
            "required": ["snapshot", "product", "tenant"],
            "properties": {"snapshot": {"type": "string"}, "product": {"type": "string"}, "tenant": tenant},
        },
        "SnapshotRestored": {
            "type": "object",
            "required": ["restored", "product", "tenant"],
            "properties": {"restored": {"type": "string"}, "product": {"type": "string"}, "tenant": tenant},
        },
        "Deleted": {
            "type": "object",
            "required": ["deleted"],
            "properties": {"deleted": {"type": "string"}, "product": {"type": "string"}},
        },
        "Cleared": {
            "type": "object",
            "required": ["cleared"],
            "properties": {"cleared": {"const": true}},
        },
        "JournalEntry": {
            "type": "object",
            "required": ["seq", "time", "time_ms", "method", "path", "query", "headers", "body",
                "body_truncated", "status", "latency_us", "principal", "operation", "reason",
                "client", "tenant"],
            "properties": {
                "seq": {"type": "integer"},
                "time": {"type": "string", "format": "date-time"},
                "time_ms": {"type": "integer"},
                "method": {"type": "string"},
                "path": {"type": "string"},
                "query": {"type": "string", "description": "secrets redacted"},
                "headers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "secrets redacted"},
                "body": {"type": ["string", "null"], "description": "the first 4096 bytes of the request body, secrets redacted (a form by parameter, JSON by field, any other body naming a secret withheld whole); null without a body"},
                "body_truncated": {"type": "boolean", "description": "the body was longer than what is kept"},
                "status": {"type": "integer"},
                "latency_us": {"type": "integer"},
                "principal": {"type": ["string", "null"]},
                "operation": {"type": ["string", "null"]},
                "reason": {"type": ["string", "null"], "description": "why the request was refused"},
                "client": {"type": ["string", "null"]},
                "tenant": tenant,
            },
        },
        "JournalPage": {
            "type": "object",
            "required": ["count", "dropped", "capacity", "bytes", "capacity_bytes", "requests"],
            "properties": {
                "count": {"type": "integer"},
                "dropped": {"type": "integer"},
                "capacity": {"type": "integer", "description": "entries kept at most (--journal-size)"},
                "bytes": {"type": "integer", "description": "what the held entries take"},
                "capacity_bytes": {"type": "integer", "description": "bytes kept at most (--journal-bytes)"},
                "requests": {"type": "array", "items": schema_ref("JournalEntry")},
            },
        },
        "WaitCommand": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "method": {"type": "string"},
                "path": {"type": "string"},
                "status": {"type": "integer"},
                "operation": {"type": "string"},
                "principal": {"type": "string"},
                "since": {"type": "string"},
                "count": {"type": "integer", "minimum": 1, "default": 1},
                "timeout_ms": {"type": "integer", "maximum": 60000, "default": 5000},
            },
        },
        "JournalWait": {
            "type": "object",
            "required": ["count", "wanted", "timed_out", "requests"],
            "properties": {
                "count": {"type": "integer"},
                "wanted": {"type": "integer"},
                "timed_out": {"type": "boolean"},
                "requests": {"type": "array", "items": schema_ref("JournalEntry")},
            },
        },
        "FaultSpec": {
            "type": "object",
            "additionalProperties": false,
            "required": ["action"],
            "properties": {
                "method": {"type": "string"},
                "path": {"type": "string", "description": "a glob: * within a segment, ** across segments"},
                "operation": {"type": "string"},
                "principal": {"type": "string"},
                "probability": {"type": "number", "minimum": 0, "maximum": 1},
                "times": {"type": "integer", "minimum": 1},
                "after": {"type": "integer", "minimum": 0},
                "action": {"enum": ["status", "delay", "reset", "truncate"]},
                "status": {"type": "integer", "minimum": 200, "maximum": 599},
                "delay_ms": {"type": "integer", "maximum": 60000},
                "bytes": {"type": "integer", "minimum": 0},
            },
        },
        "Fault": {
            "allOf": [schema_ref("FaultSpec"), {
                "type": "object",
                "required": ["id", "matched", "fired"],
                "properties": {"id": {"type": "string"}, "matched": {"type": "integer"}, "fired": {"type": "integer"}},
            }],
        },
        "FaultList": {
            "type": "object",
            "required": ["faults"],
            "properties": {"faults": {"type": "array", "items": schema_ref("Fault")}},
        },
        "RateLimitSpec": {
            "type": "object",
            "additionalProperties": false,
            "required": ["per", "capacity", "refill_per_sec"],
            "properties": {
                "per": {"enum": ["credential", "ip"]},
                "operation": {"type": "string"},
                "capacity": {"type": "integer", "minimum": 1},
                "refill_per_sec": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        "RateLimit": {
            "allOf": [schema_ref("RateLimitSpec"), {
                "type": "object",
                "required": ["id", "refused"],
                "properties": {"id": {"type": "string"}, "refused": {"type": "integer"}},
            }],
        },
        "RateLimitList": {
            "type": "object",
            "required": ["rate_limits"],
            "properties": {"rate_limits": {"type": "array", "items": schema_ref("RateLimit")}},
        },
        "TenantCreate": {
            "description": "no body (the fixtures), {\"snapshot\": name}, {\"state\": document}, or a state document",
            "oneOf": [
                {"type": "object", "required": ["snapshot"], "additionalProperties": false, "properties": {"snapshot": {"type": "string"}}},
                {"type": "object", "required": ["state"], "additionalProperties": false, "properties": {"state": schema_ref("StateDocument")}},
                schema_ref("StateDocument"),
            ],
        },
        "Tenant": {
            "type": "object",
            "required": ["id", "product", "url", "header"],
            "properties": {
                "id": {"type": "string"},
                "product": {"type": "string"},
                "url": {"type": "string", "format": "uri", "description": "the tenant's own port"},
                "header": {"type": "string", "description": "the header that addresses it on the main port"},
            },
        },
        "TenantList": {
            "type": "object",
            "required": ["product", "tenants"],
            "properties": {"product": {"type": "string"}, "tenants": {"type": "array", "items": schema_ref("Tenant")}},
        },
        "OpenApi": {"type": "object", "required": ["openapi", "info", "paths"]},
    })
}

/// The tail of an operation id: each path segment capitalised, braces dropped.
fn camel_path(path: &str) -> String {
    path.split(['/', '-', '.'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.trim_start_matches('{').trim_end_matches('}');
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Add product `name`'s own control routes, under `/_standin/<name>`, to `doc` (a document
/// from [`build`]): one operation per [`ControlOp`], tagged with the product's name, with its
/// path parameters, its request body's schema, its success schema and its error statuses
/// (403 always: the access rule guards these routes too).
pub fn add_product_routes(doc: &mut Value, name: &str, routes: &[ControlOp]) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for route in routes {
        let method = route.method.as_str();
        let mut responses = Map::new();
        let ok = match route.ok.0 {
            204 => json!({"description": route.summary}),
            _ => {
                json!({"description": route.summary, "content": {"application/json": {"schema": route.ok.1}}})
            }
        };
        responses.insert(route.ok.0.to_string(), ok);
        for status in route.errors.iter().chain([403].iter()) {
            let what = match status {
                400 => "bad input",
                403 => "not loopback and no valid control token",
                404 => "unknown",
                _ => "refused or failed inside standin",
            };
            responses.insert(
                status.to_string(),
                json!({"description": what, "content": {"application/json": {"schema": schema_ref("Error")}}}),
            );
        }
        let mut op = json!({
            "operationId": format!("{}{}{}", method.to_ascii_lowercase(), camel_path(name), camel_path(route.path)),
            "summary": route.summary,
            "tags": [name],
            "responses": responses,
        });
        let params = path_params(route.path);
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(body) = &route.body {
            op["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": body}},
            });
        }
        let item = paths
            .entry(format!("/_standin/{name}{}", route.path))
            .or_insert_with(|| json!({}));
        item[method.to_ascii_lowercase()] = op;
    }
}
