//! The dashboard (`/_standin/ui`) and the control API's OpenAPI document
//! (`/_standin/openapi.json`), driven over real sockets: the document describes exactly the
//! routes the scope mounts, the page is served on main and tenant ports, and both sit under
//! the control scope's access rule for callers that are not loopback.

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use auth_core::server::spawn;
use auth_core::store::StoreError;
use auth_core::{op, CommonOptions, Env, Inst, Instance, OpRoute, Product, StateError};
use rusqlite::{Connection, Transaction};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::{IpAddr, UdpSocket};

struct Toy;

async fn hello(_inst: Inst<Toy>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"hello": true}))
}

impl Product for Toy {
    const NAME: &'static str = "toy";
    const TITLE: &'static str = "Toy product";
    const DEFAULT_PORT: u16 = 0;
    const DEFAULT_TLS: bool = false;
    const FIXTURES: &'static str = r#"{"n":1}"#;
    const SCHEMA: &'static str = "CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT);";
    type Settings = ();

    fn new(_env: &Env, _settings: &()) -> Self {
        Toy
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        tx.execute(
            "INSERT INTO kv (k, v) VALUES ('doc', ?1)",
            [doc.to_string()],
        )?;
        Ok(())
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        let text: String = conn.query_row("SELECT v FROM kv WHERE k = 'doc'", [], |r| r.get(0))?;
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn routes() -> Vec<OpRoute> {
        vec![op(Method::GET, "/hello", "toy.hello", hello)]
    }

    fn not_found(_inst: &Instance<Self>, _req: &HttpRequest) -> HttpResponse {
        HttpResponse::NotFound().json(json!({"toy_error": "not found"}))
    }

    fn method_not_allowed(_inst: &Instance<Self>, _req: &HttpRequest) -> HttpResponse {
        HttpResponse::MethodNotAllowed().json(json!({"toy_error": "method"}))
    }

    fn error_for_status(
        _inst: &Instance<Self>,
        _req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        HttpResponse::build(status).json(json!({"toy_error": status.as_u16()}))
    }
}

fn mounted() -> BTreeSet<(String, String)> {
    auth_core::control_router::routes::<Toy>()
        .into_iter()
        .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
        .collect()
}

#[test]
fn every_mounted_control_route_is_described_and_every_described_route_is_mounted() {
    let mounted = mounted();
    let described: BTreeSet<(String, String)> = auth_core::openapi::DOCS
        .iter()
        .map(|d| (d.method.to_owned(), d.path.to_owned()))
        .collect();
    assert_eq!(
        described.len(),
        auth_core::openapi::DOCS.len(),
        "a route is described twice"
    );
    let undescribed: Vec<_> = mounted.difference(&described).collect();
    let unmounted: Vec<_> = described.difference(&mounted).collect();
    assert!(
        undescribed.is_empty(),
        "mounted but not described: {undescribed:?}"
    );
    assert!(
        unmounted.is_empty(),
        "described but not mounted: {unmounted:?}"
    );
}

/// Every `$ref` in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn the_served_openapi_document_lists_exactly_the_routes_that_answer() {
    let srv = spawn::<Toy>(CommonOptions::default(), ()).unwrap();
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{}/_standin/openapi.json", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    // Each $ref points at a schema the document defines.
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in &all {
        let name = r.strip_prefix("#/components/schemas/").unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is not defined"
        );
    }

    // The document's operations are exactly the mounted routes...
    let mut listed = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_ascii_uppercase();
            let path = path.strip_prefix("/_standin").unwrap().to_owned();
            assert!(op["summary"].as_str().is_some_and(|s| s != "undescribed"));
            assert!(
                op["responses"]["403"].is_object(),
                "{method} {path} omits 403"
            );
            listed.insert((method, path));
        }
    }
    assert_eq!(listed, mounted());

    // ...and each one reaches a handler, not the scope's "no control endpoint" answer.
    for (method, path) in &listed {
        if method == "DELETE" && path == "/tenants/{id}" {
            continue; // covered below with a real tenant
        }
        let concrete = path.replace("{name}", "no-such").replace("{id}", "none");
        let url = format!("{}/_standin{concrete}", srv.url);
        let mut req = client.request(method.parse().unwrap(), &url);
        if path == "/requests/wait" {
            req = req.body(r#"{"timeout_ms":1}"#);
        }
        if path == "/clock" && method == "POST" {
            req = req.body(r#"{"advance_ms":0}"#);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("no control endpoint"),
            "{method} {path} is described but not served ({status}: {body})"
        );
    }
    let tenant: Value = client
        .post(format!("{}/_standin/tenants", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = tenant["id"].as_str().unwrap();
    let res = client
        .delete(format!("{}/_standin/tenants/{id}", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // An undescribed spelling is not served.
    let res = client
        .get(format!("{}/_standin/openapi", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn the_page_is_served_on_the_main_port_and_on_a_tenant_port_loading_nothing_from_elsewhere() {
    let srv = spawn::<Toy>(CommonOptions::default(), ()).unwrap();
    let client = reqwest::Client::new();
    let tenant: Value = client
        .post(format!("{}/_standin/tenants", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant_url = tenant["url"].as_str().unwrap();
    assert_ne!(tenant_url, srv.url);
    for base in [srv.url.as_str(), tenant_url] {
        let res = client
            .get(format!("{base}/_standin/ui"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let headers = res.headers().clone();
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(headers["cache-control"], "no-store");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"));
        let page = res.text().await.unwrap();
        assert!(page.starts_with("<!doctype html>"));
        assert!(page.contains("id=\"requests\""));
        assert!(!page.contains("http://") && !page.contains("https://"));
    }
    // The page is not journaled as product traffic.
    let journal: Value = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal["count"], 0);
}

/// This machine's address on its default route, if it has one that is not loopback. Connecting
/// a UDP socket sends nothing; it only picks the source address.
fn own_address() -> Option<IpAddr> {
    let sock = UdpSocket::bind("0.0.0.0:0").ok()?;
    sock.connect("192.0.2.1:9").ok()?;
    let ip = sock.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

async fn status(req: reqwest::RequestBuilder) -> u16 {
    req.send().await.unwrap().status().as_u16()
}

#[actix_web::test]
async fn a_caller_that_is_not_loopback_gets_the_page_but_no_data_without_the_control_token() {
    let Some(ip) = own_address() else {
        panic!("this test needs a non-loopback address on the machine");
    };
    let client = reqwest::Client::new();

    // No token configured: remote callers are refused everything but the static page.
    let open = spawn::<Toy>(
        CommonOptions {
            bind: IpAddr::from([0, 0, 0, 0]),
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let remote = format!("http://{ip}:{}", open.addr.port());
    assert_eq!(
        status(client.get(format!("{remote}/_standin/ui"))).await,
        200
    );
    for path in [
        "/_standin/openapi.json",
        "/_standin/requests",
        "/_standin/clock",
    ] {
        let res = client.get(format!("{remote}{path}")).send().await.unwrap();
        assert_eq!(res.status(), 403, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "forbidden");
    }
    assert_eq!(
        status(client.post(format!("{remote}/_standin/ui"))).await,
        403
    );
    assert_eq!(
        status(client.post(format!("{remote}/_standin/reset"))).await,
        403
    );

    // A token configured: the page's calls work with it, and not without or with a wrong one.
    let gated = spawn::<Toy>(
        CommonOptions {
            bind: IpAddr::from([0, 0, 0, 0]),
            control_token: Some("t0ken".into()),
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let remote = format!("http://{ip}:{}", gated.addr.port());
    assert_eq!(
        status(client.get(format!("{remote}/_standin/ui"))).await,
        200
    );
    for path in [
        "/_standin/openapi.json",
        "/_standin/requests",
        "/_standin/tenants",
    ] {
        let url = format!("{remote}{path}");
        assert_eq!(status(client.get(&url)).await, 403, "{path}");
        assert_eq!(status(client.get(&url).bearer_auth("wrong")).await, 403);
        assert_eq!(status(client.get(&url).bearer_auth("t0ken")).await, 200);
    }
    let tenant: Value = client
        .post(format!("{remote}/_standin/tenants"))
        .bearer_auth("t0ken")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let port = tenant["url"].as_str().unwrap().rsplit(':').next().unwrap();
    let tenant_remote = format!("http://{ip}:{port}");
    assert_eq!(
        status(client.get(format!("{tenant_remote}/_standin/ui"))).await,
        200
    );
    let clock = format!("{tenant_remote}/_standin/clock");
    assert_eq!(status(client.get(&clock)).await, 403);
    assert_eq!(status(client.get(&clock).bearer_auth("t0ken")).await, 200);
}
