//! Drives a toy product through the real HTTP server: mounting on port 0, routes with
//! operation names, the vendor hooks for unknown paths and methods, and the control scope.

use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use auth_core::control::ControlError;
use auth_core::server::spawn;
use auth_core::store::StoreError;
use auth_core::{
    op, parse_state, CommonOptions, Env, Inst, Instance, OpRoute, Product, StateError,
};
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

struct Toy;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ToyState {
    items: Vec<String>,
}

async fn list_items(inst: Inst<Toy>, req: HttpRequest) -> HttpResponse {
    let Some(key) = req.headers().get("x-key") else {
        auth_core::trace::refuse(&req, "no x-key header");
        return HttpResponse::Unauthorized().json(json!({"toy_error": "no key"}));
    };
    // The toy's only user, whatever the key.
    let _ = key;
    auth_core::trace::set_principal(&req, "toy-user");
    let items: Result<Vec<String>, rusqlite::Error> = inst.store.read(|c| {
        let mut stmt = c.prepare_cached("SELECT name FROM item ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect()
    });
    match items {
        Ok(items) => {
            HttpResponse::Ok().json(json!({"items": items, "now": inst.env.clock.now_secs()}))
        }
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

/// Answers with what it read of the body: its length and its last byte.
async fn echo(body: actix_web::web::Bytes) -> HttpResponse {
    HttpResponse::Ok().json(json!({"len": body.len(), "last": body.last()}))
}

/// Answers without reading the body.
async fn refuse_unread(req: HttpRequest) -> HttpResponse {
    auth_core::trace::refuse(&req, "never reads the body");
    HttpResponse::Forbidden().json(json!({"toy_error": "no"}))
}

impl Product for Toy {
    const NAME: &'static str = "toy";
    const TITLE: &'static str = "Toy product";
    const DEFAULT_PORT: u16 = 0;
    const DEFAULT_TLS: bool = false;
    const FIXTURES: &'static str = r#"{"items":["a","b"]}"#;
    const SCHEMA: &'static str =
        "CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);";
    const SECRETS: auth_core::Secrets = auth_core::Secrets {
        headers: &["x-key"],
        params: &["apiKey"],
        json_fields: &["password"],
        path_params: &["token"],
    };
    type Settings = ();

    fn new(_env: &Env, _settings: &()) -> Self {
        Toy
    }

    fn load_state(&self, tx: &Transaction<'_>, doc: &Value, _env: &Env) -> Result<(), StateError> {
        let state: ToyState = parse_state(doc)?;
        for (i, item) in state.items.iter().enumerate() {
            if item.is_empty() {
                return Err(StateError::invalid(
                    format!("items[{i}]"),
                    "must not be empty",
                ));
            }
            tx.execute("INSERT INTO item (name) VALUES (?1)", [item])?;
        }
        Ok(())
    }

    fn dump_state(&self, conn: &Connection) -> Result<Value, StoreError> {
        let mut stmt = conn.prepare("SELECT name FROM item ORDER BY id")?;
        let items: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(json!({ "items": items }))
    }

    fn routes() -> Vec<OpRoute> {
        vec![
            op(Method::GET, "/items", "toy.list_items", list_items),
            op(Method::POST, "/echo", "toy.echo", echo),
            op(Method::POST, "/unread", "toy.unread", refuse_unread),
        ]
    }

    fn not_found(_inst: &Instance<Self>, req: &HttpRequest) -> HttpResponse {
        HttpResponse::NotFound().json(json!({"toy_error": format!("no {}", req.path())}))
    }

    fn method_not_allowed(_inst: &Instance<Self>, _req: &HttpRequest) -> HttpResponse {
        HttpResponse::MethodNotAllowed().json(json!({"toy_error": "method"}))
    }

    fn principal_hint(_inst: &Instance<Self>, req: &HttpRequest) -> Option<String> {
        req.headers().get("x-key").map(|_| "toy-user".to_owned())
    }

    fn error_for_status(
        _inst: &Instance<Self>,
        _req: &HttpRequest,
        status: StatusCode,
    ) -> HttpResponse {
        HttpResponse::build(status).json(json!({"toy_error": status.as_u16()}))
    }
}

fn options() -> CommonOptions {
    CommonOptions {
        explain: true,
        ..CommonOptions::default()
    }
}

#[actix_web::test]
async fn a_product_serves_its_fixtures_on_an_ephemeral_port() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    assert_ne!(srv.addr.port(), 0);
    let client = reqwest::Client::new();
    let body: Value = client
        .get(format!("{}/items", srv.url))
        .header("x-key", "k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["items"], json!(["a", "b"]));
    srv.stop().await;
}

#[actix_web::test]
async fn unknown_paths_and_methods_get_the_vendor_format_and_refusals_explain_themselves() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{}/nope", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.unwrap()["toy_error"], "no /nope");
    let res = client
        .delete(format!("{}/items", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.json::<Value>().await.unwrap()["toy_error"], "method");
    let res = client
        .get(format!("{}/items", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["x-standin-reason"], "no x-key header");
}

#[actix_web::test]
async fn the_control_scope_resets_sets_the_clock_and_replaces_state() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let health: Value = client
        .get(format!("{}/_standin/health", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["product"], "toy");

    let res = client
        .put(format!("{}/_standin/state", srv.url))
        .body(r#"{"items":["x",""]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "items[1]");
    let state: Value = client
        .get(format!("{}/_standin/state", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        state,
        json!({"items": ["a", "b"]}),
        "a bad document changes nothing"
    );

    let res = client
        .put(format!("{}/_standin/state", srv.url))
        .body(r#"{"items":["z"],"extra":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = client
        .put(format!("{}/_standin/state", srv.url))
        .body(r#"{"items":["z"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let state: Value = client
        .get(format!("{}/_standin/state", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state, json!({"items": ["z"]}));

    let clock: Value = client
        .post(format!("{}/_standin/clock", srv.url))
        .body(r#"{"set":"2027-01-01T00:00:00Z","freeze":true}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["now"], "2027-01-01T00:00:00Z");
    assert_eq!(clock["frozen"], true);
    let clock: Value = client
        .post(format!("{}/_standin/clock", srv.url))
        .body(r#"{"advance_secs":7200}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["now"], "2027-01-01T02:00:00Z");
    for bad in [
        r#"{}"#,
        r#"{"set":"tomorrow"}"#,
        r#"{"advance_secs":"x"}"#,
        "not json",
        r#"{"warp":1}"#,
    ] {
        let res = client
            .post(format!("{}/_standin/clock", srv.url))
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{bad}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"], "bad_request");
    }

    let res = client
        .post(format!("{}/_standin/reset", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let state: Value = client
        .get(format!("{}/_standin/state", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state, json!({"items": ["a", "b"]}));
    let clock: Value = client
        .get(format!("{}/_standin/clock", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        clock["frozen"], false,
        "reset puts the clock back to real time"
    );
}

#[actix_web::test]
async fn loopback_callers_need_no_control_token_even_when_one_is_configured() {
    let srv = spawn::<Toy>(
        CommonOptions {
            control_token: Some("s3cret".into()),
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/_standin/health", srv.url);
    for bearer in [None, Some("wrong"), Some("s3cret")] {
        let mut req = client.get(&url);
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        assert_eq!(req.send().await.unwrap().status(), 200, "{bearer:?}");
    }
    let res = client
        .get(format!("{}/_standin/nothing", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    let _ = ControlError::NotFound(String::new());
}

/// Runs `test` (this binary's test of that name) again inside a fresh network namespace
/// where loopback is up and also carries 192.0.2.1 (TEST-NET-1), so a server bound to
/// 0.0.0.0 and called on 192.0.2.1 sees a non-loopback peer while no packet leaves the
/// namespace. Returns true in that child; false in the parent after the child passed (or
/// when namespaces are unavailable, saying why).
fn in_fresh_netns(test: &str) -> bool {
    if std::env::var_os("STANDIN_IN_NETNS").is_some() {
        return true;
    }
    let exe = std::env::current_exe().unwrap();
    let script = "ip link set lo up && ip addr add 192.0.2.1/32 dev lo && exec \"$0\" \"$@\"";
    let probe = std::process::Command::new("unshare")
        .args(["--net", "true"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            eprintln!(
                "SKIPPED {test}: cannot create a network namespace here (unshare --net: {})",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return false;
        }
        Err(e) => {
            eprintln!("SKIPPED {test}: cannot run unshare ({e})");
            return false;
        }
    }
    let status = std::process::Command::new("unshare")
        .args(["--net", "sh", "-c", script])
        .arg(&exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("STANDIN_IN_NETNS", "1")
        .status()
        .unwrap();
    assert!(
        status.success(),
        "{test} failed inside its network namespace"
    );
    false
}

/// The peer address tests in a namespace call (and are seen as).
const REMOTE: &str = "192.0.2.1";

/// Send `method path` with optional extra header lines over a raw socket; return the status
/// and the body.
async fn raw(addr: std::net::SocketAddr, method: &str, path: &str, headers: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n{headers}Connection: close\r\n\r\n"
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    sock.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The spellings of `/_standin/<rest>` a client can send.
fn spellings(rest: &str) -> Vec<(String, bool)> {
    // (path, routes to the scope as the router decodes it)
    vec![
        (format!("/_standin/{rest}"), true),
        (format!("/%5Fstandin/{rest}"), true),
        (format!("/%5fstandin/{rest}"), true),
        (format!("/_st%61ndin/{rest}"), true),
        (format!("/_%73tandin/{rest}"), true),
        (format!("//_standin/{rest}"), false),
        (format!("/./_standin/{rest}"), false),
        (format!("/items/../_standin/{rest}"), false),
        (format!("/_standin%2F{rest}"), false),
        (format!("/_STANDIN/{rest}"), false),
    ]
}

#[actix_web::test]
async fn every_spelling_of_the_control_scope_meets_the_same_gate_on_main_and_tenant_ports() {
    if !in_fresh_netns(
        "every_spelling_of_the_control_scope_meets_the_same_gate_on_main_and_tenant_ports",
    ) {
        return;
    }
    let srv = spawn::<Toy>(
        CommonOptions {
            bind: "0.0.0.0".parse().unwrap(),
            control_token: Some("s3cret".into()),
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let local = std::net::SocketAddr::from(([127, 0, 0, 1], srv.addr.port()));
    let (status, body) = raw(local, "POST", "/_standin/tenants", "").await;
    assert_eq!(status, 201, "{body}");
    let tenant: Value = serde_json::from_str(&body).unwrap();
    let tenant_port: u16 = tenant["url"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut checked = 0;
    for port in [srv.addr.port(), tenant_port] {
        let remote: std::net::SocketAddr = format!("{REMOTE}:{port}").parse().unwrap();
        for (method, rest) in [("GET", "state"), ("GET", "health"), ("POST", "reset")] {
            for (path, routes) in spellings(rest) {
                for (auth, right) in [
                    ("", false),
                    ("Authorization: Bearer wrong\r\n", false),
                    ("Authorization: Bearer \r\n", false),
                    ("Authorization: Basic czNjcmV0\r\n", false),
                    ("Authorization: Bearer s3cret\r\n", true),
                ] {
                    let (status, body) = raw(remote, method, &path, auth).await;
                    let want = match (right, routes) {
                        (false, _) => 403,
                        (true, true) => 200,
                        (true, false) => 404,
                    };
                    assert_eq!(status, want, "{method} {path} {auth:?} port {port}: {body}");
                    let body: Value = serde_json::from_str(&body).unwrap();
                    if status != 200 {
                        assert!(
                            body["error"].is_string() && body["message"].is_string(),
                            "{body}"
                        );
                        assert!(
                            body.get("toy_error").is_none(),
                            "{path}: product answered {body}"
                        );
                    }
                    checked += 1;
                }
                // Loopback passes the gate without a token, whatever the spelling.
                let local = std::net::SocketAddr::from(([127, 0, 0, 1], port));
                let (status, _) = raw(local, method, &path, "").await;
                assert_eq!(status, if routes { 200 } else { 404 }, "loopback {path}");
            }
        }
    }
    assert_eq!(checked, 2 * 3 * 10 * 5);
    srv.stop().await;
}

#[actix_web::test]
async fn a_caller_inside_an_allowed_network_needs_no_token_and_others_are_told_why() {
    if !in_fresh_netns("a_caller_inside_an_allowed_network_needs_no_token_and_others_are_told_why")
    {
        return;
    }
    let open = spawn::<Toy>(
        CommonOptions {
            bind: "0.0.0.0".parse().unwrap(),
            control_allow: vec!["192.0.2.0/24".parse().unwrap()],
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let remote: std::net::SocketAddr = format!("{REMOTE}:{}", open.addr.port()).parse().unwrap();
    let (status, body) = raw(remote, "GET", "/%5Fstandin/state", "").await;
    assert_eq!(status, 200, "{body}");

    let closed = spawn::<Toy>(
        CommonOptions {
            bind: "0.0.0.0".parse().unwrap(),
            control_allow: vec!["198.51.100.0/24".parse().unwrap()],
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let remote: std::net::SocketAddr = format!("{REMOTE}:{}", closed.addr.port()).parse().unwrap();
    let (status, body) = raw(
        remote,
        "GET",
        "/_standin/state",
        "Authorization: Bearer x\r\n",
    )
    .await;
    assert_eq!(status, 403);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "forbidden");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("192.0.2.1")
            && message.contains("--control-token")
            && message.contains("--control-allow"),
        "{message}"
    );
    open.stop().await;
    closed.stop().await;
}

#[test]
fn the_startup_notice_names_remote_refusal_only_when_it_applies() {
    use auth_core::control::remote_refusal_notice;
    assert_eq!(remote_refusal_notice(&CommonOptions::default()), None);
    let wide = CommonOptions {
        bind: "0.0.0.0".parse().unwrap(),
        ..CommonOptions::default()
    };
    let notice = remote_refusal_notice(&wide).unwrap();
    assert!(
        notice.contains("remote callers will be refused") && notice.contains("--control-token"),
        "{notice}"
    );
    let with_token = CommonOptions {
        control_token: Some("t".into()),
        ..wide.clone()
    };
    assert_eq!(remote_refusal_notice(&with_token), None);
    let empty_token = CommonOptions {
        control_token: Some(String::new()),
        ..wide
    };
    assert!(
        remote_refusal_notice(&empty_token).is_some(),
        "an empty token opens nothing"
    );
}

#[test]
fn control_spellings_are_recognised_after_decoding_collapsing_and_resolving() {
    use auth_core::control::is_control_spelling;
    for yes in [
        "/_standin",
        "/_standin/state",
        "/%5Fstandin/state",
        "/%5fSTANDIN",
        "//_standin/x",
        "/./_standin",
        "/a/../_standin/reset",
        "/_standin%2Fstate",
        "/%2F_standin",
    ] {
        assert!(is_control_spelling(yes), "{yes}");
    }
    for no in [
        "/",
        "/items",
        "/_standinx",
        "/x/_standin",
        "/_standin/../items",
        "%",
        "/%5",
        "/%zz",
    ] {
        assert!(!is_control_spelling(no), "{no}");
    }
}

#[actix_web::test]
async fn an_unknown_tenant_header_is_refused() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let res = reqwest::Client::new()
        .get(format!("{}/items", srv.url))
        .header("x-standin-tenant", "t99")
        .header("x-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[test]
fn a_bad_fixture_names_the_field() {
    struct Bad;
    let _ = Bad;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.json"), r#"{"items":[""]}"#).unwrap();
    let err = auth_core::server::prepare::<Toy>(
        std::sync::Arc::new(CommonOptions {
            fixtures_dir: Some(dir.path().to_owned()),
            ..CommonOptions::default()
        }),
        0,
        None,
        (),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("toy.json") && err.contains("items[0]"),
        "{err}"
    );
}

async fn items(client: &reqwest::Client, url: &str, tenant: Option<&str>) -> Value {
    let mut req = client.get(format!("{url}/items")).header("x-key", "k");
    if let Some(t) = tenant {
        req = req.header("x-standin-tenant", t);
    }
    req.send().await.unwrap().json::<Value>().await.unwrap()["items"].clone()
}

async fn put_state(client: &reqwest::Client, url: &str, doc: Value) -> reqwest::StatusCode {
    client
        .put(format!("{url}/_standin/state"))
        .json(&doc)
        .send()
        .await
        .unwrap()
        .status()
}

#[actix_web::test]
async fn a_tenant_is_isolated_and_reachable_on_its_own_port_and_by_header() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/_standin/tenants", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let tenant: Value = res.json().await.unwrap();
    let id = tenant["id"].as_str().unwrap().to_owned();
    let turl = tenant["url"].as_str().unwrap().to_owned();
    assert_ne!(turl, srv.url);

    assert_eq!(
        put_state(&client, &turl, json!({"items": ["tenant-only"]})).await,
        200
    );
    assert_eq!(items(&client, &turl, None).await, json!(["tenant-only"]));
    assert_eq!(
        items(&client, &srv.url, Some(&id)).await,
        json!(["tenant-only"])
    );
    assert_eq!(
        items(&client, &srv.url, None).await,
        json!(["a", "b"]),
        "main is untouched"
    );

    // Each tenant has its own clock.
    client
        .post(format!("{turl}/_standin/clock"))
        .body(r#"{"set":"2030-01-01T00:00:00Z","freeze":true}"#)
        .send()
        .await
        .unwrap();
    let main_clock: Value = client
        .get(format!("{}/_standin/clock", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(main_clock["frozen"], false);

    let list: Value = client
        .get(format!("{}/_standin/tenants", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["tenants"][0]["id"], json!(id));

    let res = client
        .delete(format!("{}/_standin/tenants/{id}", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        client.get(format!("{turl}/items")).send().await.is_err(),
        "its port is closed"
    );
    let res = client
        .get(format!("{}/items", srv.url))
        .header("x-standin-tenant", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = client
        .delete(format!("{}/_standin/tenants/{id}", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn tenants_start_from_fixtures_a_snapshot_or_a_state_document_and_refuse_bad_ones() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    assert_eq!(
        put_state(&client, &srv.url, json!({"items": ["snap"]})).await,
        200
    );
    let res = client
        .post(format!("{}/_standin/snapshots/s1", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let create = |body: Option<Value>| {
        let mut req = client.post(format!("{}/_standin/tenants", srv.url));
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
    };
    let t: Value = create(Some(json!({"snapshot": "s1"})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        items(&client, t["url"].as_str().unwrap(), None).await,
        json!(["snap"])
    );
    let t: Value = create(Some(json!({"items": ["doc"]})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        items(&client, t["url"].as_str().unwrap(), None).await,
        json!(["doc"])
    );
    let t: Value = create(None).await.unwrap().json().await.unwrap();
    assert_eq!(
        items(&client, t["url"].as_str().unwrap(), None).await,
        json!(["a", "b"])
    );

    let res = create(Some(json!({"snapshot": "missing"}))).await.unwrap();
    assert_eq!(res.status(), 404);
    let res = create(Some(json!({"items": [""]}))).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "items[0]");
    let res = create(Some(json!([1, 2]))).await.unwrap();
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn snapshots_save_restore_list_and_delete() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let base = format!("{}/_standin/snapshots", srv.url);
    assert_eq!(
        client
            .post(format!("{base}/before"))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        put_state(&client, &srv.url, json!({"items": ["changed"]})).await,
        200
    );
    assert_eq!(
        client
            .post(format!("{base}/before/restore"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(items(&client, &srv.url, None).await, json!(["a", "b"]));
    let list: Value = client
        .get(&base)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["snapshots"], json!([{"name": "before"}]));
    assert_eq!(
        client
            .delete(format!("{base}/before"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client
            .delete(format!("{base}/before"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .post(format!("{base}/before/restore"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .post(format!("{base}/..bad"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
}

#[actix_web::test]
async fn snapshots_persist_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let opts = CommonOptions {
        data_dir: Some(dir.path().to_owned()),
        ..CommonOptions::default()
    };
    let srv = spawn::<Toy>(opts.clone(), ()).unwrap();
    let client = reqwest::Client::new();
    assert_eq!(
        put_state(&client, &srv.url, json!({"items": ["kept"]})).await,
        200
    );
    assert_eq!(
        client
            .post(format!("{}/_standin/snapshots/keep", srv.url))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        put_state(&client, &srv.url, json!({"items": ["later"]})).await,
        200
    );
    srv.stop().await;
    drop(srv);

    let srv = spawn::<Toy>(opts, ()).unwrap();
    assert_eq!(
        items(&client, &srv.url, None).await,
        json!(["later"]),
        "the store survived the restart"
    );
    assert_eq!(
        client
            .post(format!("{}/_standin/snapshots/keep/restore", srv.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(items(&client, &srv.url, None).await, json!(["kept"]));
}

#[actix_web::test]
async fn two_hundred_tenants_at_once_work() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let mut urls = Vec::new();
    for _ in 0..200 {
        let t: Value = client
            .post(format!("{}/_standin/tenants", srv.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        urls.push(t["url"].as_str().unwrap().to_owned());
    }
    for url in urls.iter().step_by(20) {
        assert_eq!(items(&client, url, None).await, json!(["a", "b"]));
    }
    srv.stop().await;
}

#[actix_web::test]
async fn the_journal_records_requests_with_operation_reason_and_redacted_secrets() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    client
        .get(format!("{}/items?apiKey=topsecret", srv.url))
        .send()
        .await
        .unwrap();
    client
        .get(format!("{}/items", srv.url))
        .header("x-key", "k")
        .header("authorization", "Bearer abc.def")
        .send()
        .await
        .unwrap();
    client
        .get(format!("{}/_standin/health", srv.url))
        .send()
        .await
        .unwrap();
    let log: Value = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["count"], 2, "control requests are not journaled: {log}");
    let first = &log["requests"][0];
    assert_eq!(first["status"], 401);
    assert_eq!(first["operation"], "toy.list_items");
    assert_eq!(first["reason"], "no x-key header");
    assert_eq!(first["query"], "apiKey=[redacted]");
    assert_eq!(
        log["requests"][1]["headers"]["authorization"],
        "Bearer [redacted]"
    );
    assert_eq!(log["requests"][1]["headers"]["x-key"], "[redacted]");
    assert_eq!(log["requests"][1]["principal"], "toy-user");
    assert!(!log.to_string().contains("topsecret"));

    let log: Value = client
        .get(format!("{}/_standin/requests?status=200&limit=5", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["count"], 1);
    let res = client
        .get(format!("{}/_standin/requests?status=abc", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = client
        .get(format!("{}/_standin/requests?since=yesterday", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    client
        .delete(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap();
    let log: Value = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["count"], 0);
}

#[actix_web::test]
async fn request_bodies_are_journaled_redacted_and_capped_while_the_product_reads_them_whole() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let post = |path: &str, kind: &str, body: Vec<u8>| {
        client
            .post(format!("{}{path}", srv.url))
            .header("content-type", kind)
            .body(body)
            .send()
    };
    let form = "apiKey=s3cret-form&name=n1".as_bytes().to_vec();
    let echoed: Value = post("/echo", "application/x-www-form-urlencoded", form)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(echoed["len"], 26);
    let json_body = br#"{"user":"u","password":"s3cret-json"}"#.to_vec();
    post("/echo", "application/json", json_body).await.unwrap();
    // Longer than the cap: the product still reads every byte; the journal keeps 4096.
    let mut big = vec![b'a'; 100_000];
    big[99_999] = b'z';
    let echoed: Value = post("/echo", "text/plain", big)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (echoed["len"].as_u64(), echoed["last"].as_u64()),
        (Some(100_000), Some(122))
    );
    // Nothing is read ahead of the product: a body it never reads is not journaled.
    let unread = post("/unread", "application/json", br#"{"x":1}"#.to_vec())
        .await
        .unwrap();
    assert_eq!(unread.status(), 403);
    client
        .get(format!("{}/items", srv.url))
        .header("x-key", "k")
        .send()
        .await
        .unwrap();

    let log: Value = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(!text.contains("s3cret"), "{text}");
    let bodies: Vec<(&Value, &Value)> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["body"], &e["body_truncated"]))
        .collect();
    assert_eq!(
        bodies[0],
        (&json!("apiKey=[redacted]&name=n1"), &json!(false))
    );
    assert_eq!(
        bodies[1],
        (
            &json!(r#"{"user":"u","password":"[redacted]"}"#),
            &json!(false)
        )
    );
    assert_eq!(bodies[2].0.as_str().map(str::len), Some(4096));
    assert_eq!(bodies[2].1, &json!(true));
    assert_eq!(bodies[3], (&Value::Null, &json!(false)));
    assert_eq!(bodies[4], (&Value::Null, &json!(false)));
    assert!(log["bytes"].as_u64().unwrap() > 4096);
    assert_eq!(log["capacity_bytes"], auth_core::journal::DEFAULT_BYTES);
}

#[actix_web::test]
async fn the_journal_byte_cap_keeps_only_the_newest_entries_that_fit() {
    let srv = spawn::<Toy>(
        CommonOptions {
            journal_bytes: 4 * 1024,
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let client = reqwest::Client::new();
    for i in 0..20 {
        client
            .post(format!("{}/echo", srv.url))
            .body(format!("{i:0>1000}"))
            .send()
            .await
            .unwrap();
    }
    let log: Value = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count = log["count"].as_u64().unwrap();
    assert!(
        (2..=3).contains(&count),
        "{count} entries of about 1.2 KB in 4 KB"
    );
    assert_eq!(log["dropped"].as_u64().unwrap() + count, 20);
    assert!(log["bytes"].as_u64().unwrap() <= 4096);
    let last = log["requests"].as_array().unwrap().last().unwrap();
    assert!(last["body"].as_str().unwrap().ends_with("19"));
}

#[actix_web::test]
async fn the_journal_stays_at_its_cap_under_a_burst() {
    let srv = spawn::<Toy>(
        CommonOptions {
            journal_size: 50,
            ..CommonOptions::default()
        },
        (),
    )
    .unwrap();
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url) = (client.clone(), srv.url.clone());
        tasks.push(actix_web::rt::spawn(async move {
            for _ in 0..25 {
                client
                    .get(format!("{url}/items"))
                    .header("x-key", "k")
                    .send()
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let log: Value = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["count"], 50);
    assert_eq!(log["dropped"], 150);
    assert_eq!(srv.host.main.env.journal.len(), 50);
}

#[actix_web::test]
async fn a_wait_returns_as_soon_as_the_request_lands_and_times_out_with_what_arrived() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let waiter = {
        let (client, url) = (client.clone(), srv.url.clone());
        actix_web::rt::spawn(async move {
            let res = client
                .post(format!("{url}/_standin/requests/wait"))
                .body(r#"{"path":"/items","count":2,"timeout_ms":10000}"#)
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        })
    };
    actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    for _ in 0..2 {
        client
            .get(format!("{}/items", srv.url))
            .header("x-key", "k")
            .send()
            .await
            .unwrap();
    }
    let (status, body) = waiter.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["count"], 2);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "did not wait for the timeout"
    );

    let res = client
        .post(format!("{}/_standin/requests/wait", srv.url))
        .body(r#"{"path":"/items","count":5,"timeout_ms":100}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 408);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["count"], 2);
    assert_eq!(body["timed_out"], true);
    for bad in [
        r#"{"count":0}"#,
        r#"{"timeout_ms":999999}"#,
        r#"{"bogus":1}"#,
        "[]",
    ] {
        let res = client
            .post(format!("{}/_standin/requests/wait", srv.url))
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{bad}");
    }
}

#[actix_web::test]
async fn a_fault_rule_with_times_two_fails_exactly_two_calls_with_the_vendor_body() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/_standin/faults", srv.url))
        .body(r#"{"method":"GET","path":"/it*","times":2,"action":"status","status":503}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let rule: Value = res.json().await.unwrap();
    assert_eq!(rule["id"], "f1");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let res = client
            .get(format!("{}/items", srv.url))
            .header("x-key", "k")
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == 503 {
            assert_eq!(res.json::<Value>().await.unwrap()["toy_error"], 503);
        }
    }
    assert_eq!(statuses, [503, 503, 200, 200]);
    let list: Value = client
        .get(format!("{}/_standin/faults", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["faults"], json!([]), "the rule expired");
}

#[actix_web::test]
async fn fault_rules_match_operations_and_can_delay_reset_or_truncate() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let add = |body: &'static str| {
        client
            .post(format!("{}/_standin/faults", srv.url))
            .body(body)
            .send()
    };

    add(r#"{"operation":"toy.list_items","times":1,"action":"delay","delay_ms":300}"#)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let res = client
        .get(format!("{}/items", srv.url))
        .header("x-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));

    add(r#"{"path":"/items","times":1,"action":"reset"}"#)
        .await
        .unwrap();
    assert!(client
        .get(format!("{}/items", srv.url))
        .header("x-key", "k")
        .send()
        .await
        .is_err());

    add(r#"{"path":"/items","times":1,"action":"truncate"}"#)
        .await
        .unwrap();
    let result = async {
        let res = client
            .get(format!("{}/items", srv.url))
            .header("x-key", "k")
            .send()
            .await?;
        res.text().await
    }
    .await;
    assert!(result.is_err(), "a truncated body is an error: {result:?}");

    let res = client
        .get(format!("{}/items", srv.url))
        .header("x-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "server keeps serving");

    for bad in [
        r#"{"action":"status"}"#,
        r#"{"action":"explode"}"#,
        r#"{"action":"delay"}"#,
        r#"{"action":"status","status":99}"#,
        r#"{"action":"status","status":500,"probability":2}"#,
        r#"{"action":"reset","path":"items"}"#,
        r#"{"action":"reset","colour":"red"}"#,
    ] {
        let res = client
            .post(format!("{}/_standin/faults", srv.url))
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{bad}");
    }
    let res = client
        .delete(format!("{}/_standin/faults/f99", srv.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn the_journal_holds_no_secret_in_any_spelling_the_product_declared() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    let doc = r#"{"a":[{"b":{"PASS%57ORD":"s3"}}],"keep":"visible"}"#;
    let encoded: String = form_urlencoded::byte_serialize(doc.as_bytes()).collect();
    for path in [
        "/items?APIKEY=s1".to_owned(),
        "/items?ap%69Key=s2".to_owned(),
        format!("/items?doc={encoded}"),
        "/items;TOKEN=s4".to_owned(),
        "/items%3btoken%3Ds5".to_owned(),
    ] {
        client
            .get(format!("{}{path}", srv.url))
            .header("X-Key", "s6")
            .header("cookie", "session=s7")
            .send()
            .await
            .unwrap();
    }
    let log = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(log.contains("\"count\":5"), "{log}");
    for secret in ["s1", "s2", "s3", "s4", "s5", "s6", "s7"] {
        assert!(!log.contains(secret), "{secret} in {log}");
    }
    assert!(
        log.contains("visible") && log.contains("[redacted]"),
        "{log}"
    );
    srv.stop().await;
}

#[actix_web::test]
async fn a_request_answered_by_a_fault_keeps_its_operation_and_principal_in_the_journal() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    client
        .post(format!("{}/_standin/faults", srv.url))
        .body(r#"{"path":"/items","action":"status","status":503}"#)
        .send()
        .await
        .unwrap();
    let res = client
        .get(format!("{}/items", srv.url))
        .header("x-key", "k")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let log: Value = client
        .get(format!("{}/_standin/requests", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &log["requests"][0];
    assert_eq!(entry["operation"], "toy.list_items", "{log}");
    assert_eq!(entry["principal"], "toy-user", "{log}");
    assert!(entry["reason"].as_str().unwrap().contains("status 503"));
    srv.stop().await;
}

#[actix_web::test]
async fn a_rate_limit_answers_429_with_retry_after_and_refills_on_the_instance_clock() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let client = reqwest::Client::new();
    client
        .post(format!("{}/_standin/clock", srv.url))
        .body(r#"{"freeze":true}"#)
        .send()
        .await
        .unwrap();
    let res = client
        .post(format!("{}/_standin/rate-limits", srv.url))
        .body(r#"{"per":"ip","capacity":2,"refill_per_sec":0.1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let get = || {
        client
            .get(format!("{}/items", srv.url))
            .header("x-key", "k")
            .send()
    };
    assert_eq!(get().await.unwrap().status(), 200);
    assert_eq!(get().await.unwrap().status(), 200);
    let res = get().await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(res.headers()["retry-after"], "10");
    assert_eq!(res.json::<Value>().await.unwrap()["toy_error"], 429);
    client
        .post(format!("{}/_standin/clock", srv.url))
        .body(r#"{"advance_secs":10}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(get().await.unwrap().status(), 200);
    let res = client
        .post(format!("{}/_standin/rate-limits", srv.url))
        .body(r#"{"per":"everyone","capacity":2,"refill_per_sec":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    client
        .post(format!("{}/_standin/reset", srv.url))
        .send()
        .await
        .unwrap();
    let list: Value = client
        .get(format!("{}/_standin/rate-limits", srv.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["rate_limits"], json!([]), "reset clears rate limits");
}

/// The whole answer to `GET /items` with a key, over a raw socket, until the server closes.
async fn raw_items(addr: std::net::SocketAddr) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(b"GET /items HTTP/1.1\r\nHost: x\r\nx-key: k\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = sock.read_to_end(&mut buf).await;
    buf
}

#[actix_web::test]
async fn a_truncate_fault_sends_the_head_with_the_full_length_then_only_the_first_bytes() {
    let srv = spawn::<Toy>(options(), ()).unwrap();
    let whole = raw_items(srv.addr).await;
    let text = String::from_utf8_lossy(&whole).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let full_len = body.len();
    assert!(
        head.contains(&format!("content-length: {full_len}")),
        "{head}"
    );

    reqwest::Client::new()
        .post(format!("{}/_standin/faults", srv.url))
        .body(r#"{"path":"/items","times":1,"action":"truncate","bytes":5}"#)
        .send()
        .await
        .unwrap();
    let cut = raw_items(srv.addr).await;
    let text = String::from_utf8_lossy(&cut).into_owned();
    let (cut_head, cut_body) = text
        .split_once("\r\n\r\n")
        .expect("status line and headers sent");
    assert!(cut_head.starts_with("HTTP/1.1 200"), "{cut_head}");
    assert!(
        cut_head.contains(&format!("content-length: {full_len}")),
        "the full length is announced: {cut_head}"
    );
    assert_eq!(cut_body.as_bytes(), &body.as_bytes()[..5]);
    srv.stop().await;
}
