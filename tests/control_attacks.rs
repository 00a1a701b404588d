//! The control plane and the fault actions, attacked through the `standin` binary over raw
//! sockets (plain HTTP, `--no-tls`):
//!
//! - every fault action of docs/control-api.md at the byte level (status line, headers with
//!   `Content-Length`, body bytes, delay, reset, truncate), and the vendor's own body for
//!   every status a `status` fault or a rate limit can set, on all four products;
//! - the issue 14 matrix: every control route of the OpenAPI document (the shared ones and
//!   the product's own) x ten spellings of the path x four credentials x {main port,
//!   a tenant's port, the tenant via `X-Standin-Tenant` on the main port}, called from a
//!   non-loopback address of a network namespace the test makes, with refused calls changing
//!   nothing;
//! - the startup line when `--bind` is not loopback and no token is set.

use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

mod common;

use common::*;

/// One answer read to the end of the connection.
#[derive(Debug)]
struct Answer {
    /// The status line.
    line: String,
    status: u16,
    /// Header lines, names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// How the connection ended: `None` at EOF, else the read error's kind.
    ended_by: Option<ErrorKind>,
    /// Every byte received.
    raw: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: body is not JSON ({e}): {}",
                self.line,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn content_length(&self) -> usize {
        self.header("content-length")
            .unwrap_or_else(|| panic!("no Content-Length: {:?}", self.headers))
            .parse()
            .unwrap()
    }
}

/// Send one HTTP/1.1 request (`Connection: close`) and read everything until the server
/// closes, without interpreting `Content-Length` (so a short body shows as short).
fn send(addr: SocketAddr, method: &str, target: &str, headers: &str, body: &[u8]) -> Answer {
    let mut sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: gate.test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n{headers}Connection: close\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).unwrap();
    sock.write_all(body).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let ended_by = loop {
        match sock.read(&mut buf) {
            Ok(0) => break None,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => break Some(e.kind()),
        }
    };
    parse(raw, ended_by)
}

fn parse(raw: Vec<u8>, ended_by: Option<ErrorKind>) -> Answer {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let (head, body) = match split {
        Some(at) => (
            String::from_utf8_lossy(&raw[..at]).into_owned(),
            raw[at + 4..].to_vec(),
        ),
        None => (String::from_utf8_lossy(&raw).into_owned(), Vec::new()),
    };
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default().to_owned();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        line,
        status,
        headers,
        body,
        ended_by,
        raw,
    }
}

fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

/// A control call from loopback on the canonical path; panics unless it answers 2xx.
fn control(addr: SocketAddr, method: &str, path: &str, body: &str) -> Value {
    control_via(addr, "", method, path, body)
}

/// [`control`] with extra header lines `via` (`X-Standin-Tenant: t1\r\n`).
fn control_via(addr: SocketAddr, via: &str, method: &str, path: &str, body: &str) -> Value {
    let answer = send(
        addr,
        method,
        &format!("/_standin{path}"),
        via,
        body.as_bytes(),
    );
    assert!(
        (200..300).contains(&answer.status),
        "{method} /_standin{path}: {} {}",
        answer.line,
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()
}

// ---------------------------------------------------------------------------------------------
// Fault actions at the byte level
// ---------------------------------------------------------------------------------------------

/// A product request a fault rule can aim at: `(product, method, path, extra header lines)`.
const PROBES: [(&str, &str, &str, &str); 5] = [
    (
        "opmanager",
        "GET",
        "/api/json/device/listDevices",
        "apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b\r\n",
    ),
    ("serviceops", "GET", "/api/v1/request/1", ""),
    ("serviceops", "POST", "/api/oauth/token", ""),
    (
        "pmp",
        "GET",
        "/restapi/json/v1/resources",
        "AUTHTOKEN: B9A1809A-5BF7-4459-9ED2-8D4F499CB902\r\n",
    ),
    ("opsmgr", "GET", "/api/public/v1.0/orgs", ""),
];

/// Every status the test has a `status` fault set (4xx and 5xx a client meets in practice).
const STATUSES: [u16; 13] = [
    400, 401, 403, 404, 405, 408, 409, 413, 429, 500, 502, 503, 504,
];

fn probe(standin: &Standin, (product, method, path, headers): (&str, &str, &str, &str)) -> Answer {
    send(addr_of(&standin.url(product)), method, path, headers, b"")
}

fn add_fault(standin: &Standin, product: &str, rule: Value) -> Value {
    control(
        addr_of(&standin.url(product)),
        "POST",
        "/faults",
        &rule.to_string(),
    )
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .unwrap()
        .canonical_reason()
        .unwrap()
}

fn snake(status: u16) -> String {
    reason(status)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// Assert that `answer` is `product`'s own error body for `status`, as docs/<product>.md
/// describes it.
fn assert_vendor_body(product: &str, path: &str, status: u16, answer: &Answer) {
    let body = answer.json();
    let what = format!("{product} {path} fault {status}: {body}");
    match product {
        "opmanager" => {
            let code = body["error"]["errorcode"].as_str().expect(&what);
            let message = body["error"]["message"].as_str().expect(&what);
            let want = match status {
                401 => "INVALID_API_KEY".to_owned(),
                403 => "UNAUTHORIZED_ACCESS".to_owned(),
                404 => "INVALID_URL".to_owned(),
                405 => "METHOD_NOT_ALLOWED".to_owned(),
                s => snake(s).to_ascii_uppercase(),
            };
            assert_eq!(code, want, "{what}");
            if status != 500 {
                assert_ne!(message, "Internal server error.", "{what}");
            }
            if status == 503 {
                assert_eq!(message, "Service Unavailable.", "{what}");
            }
        }
        "pmp" => {
            let result = &body["operation"]["result"];
            assert_eq!(result["status"], "Failed", "{what}");
            let (name, message) = match status {
                401 => (
                    "Authentication",
                    "API key received is not associated to any user. Authentication failed.",
                ),
                403 => (
                    "UNKNOWN",
                    "You are not authorized to perform this operation",
                ),
                404 | 405 => ("UNKNOWN", "Invalid API URL"),
                s => ("UNKNOWN", reason(s)),
            };
            assert_eq!(body["operation"]["name"], name, "{what}");
            assert_eq!(result["message"], message, "{what}");
        }
        "serviceops" if path == "/api/oauth/token" => {
            let want = match status {
                401 => "unauthorized",
                403 => "access_denied",
                503 => "temporarily_unavailable",
                500..=599 => "server_error",
                _ => "invalid_request",
            };
            assert_eq!(body["error"], want, "{what}");
            assert!(body["error_description"].is_string(), "{what}");
            assert_eq!(answer.header("cache-control"), Some("no-store"), "{what}");
            if status == 401 {
                assert_eq!(
                    answer.header("www-authenticate"),
                    Some("Basic realm=\"oauth2/client\""),
                    "{what}"
                );
            }
        }
        "serviceops" => match status {
            401 => {
                assert_eq!(body["error"], "unauthorized", "{what}");
                let challenge = answer.header("www-authenticate").expect(&what);
                assert!(challenge.starts_with("Bearer realm="), "{what}");
            }
            403 => assert_eq!(body["error"], "access_denied", "{what}"),
            413 => assert_eq!(body["errorCode"], "payload_too_large", "{what}"),
            500 => assert_eq!(body["errorCode"], "internal_server_error", "{what}"),
            s => {
                assert_eq!(body["errorCode"], snake(s), "{what}");
                assert_eq!(body["userMessage"], reason(s), "{what}");
            }
        },
        "opsmgr" => {
            if status == 401 {
                let challenge = answer.header("www-authenticate").expect(&what);
                assert!(challenge.starts_with("Digest "), "{what}");
                assert!(challenge.contains("nonce=\""), "{what}");
            }
            assert_eq!(body["error"], status, "{what}");
            assert_eq!(body["reason"], reason(status), "{what}");
            assert!(body["detail"].is_string(), "{what}");
            if status == 401 {
                // The body captured from a real server: no errorCode, no parameters.
                assert_eq!(body["detail"], "You are not authorized for this resource.");
                return;
            }
            assert!(body["parameters"].is_array(), "{what}");
            let want = match status {
                403 => "IP_ADDRESS_NOT_ON_ACCESS_LIST",
                404 => "RESOURCE_NOT_FOUND",
                405 => "METHOD_NOT_ALLOWED",
                429 => "RATE_LIMITED",
                _ => "UNEXPECTED_ERROR",
            };
            assert_eq!(body["errorCode"], want, "{what}");
        }
        other => panic!("no body rules for {other}"),
    }
}

/// The head of every well-formed answer: the status line, and a `Content-Length` equal to the
/// body received.
fn assert_whole(answer: &Answer, status: u16) {
    assert_eq!(
        answer.line,
        format!("HTTP/1.1 {status} {}", reason(status)),
        "{answer:?}"
    );
    assert_eq!(answer.content_length(), answer.body.len(), "{answer:?}");
    assert_eq!(answer.ended_by, None, "closed cleanly after the answer");
    let content_type = answer.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{answer:?}");
}

#[test]
fn the_fault_actions_are_the_ones_docs_control_api_md_lists() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/control-api.md"
    ))
    .unwrap();
    let section = doc.split("## Faults").nth(1).unwrap();
    let actions: BTreeSet<&str> = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .filter(|a| *a != "action" && !a.contains('/'))
        .collect();
    // The four this file tests byte by byte, below.
    assert_eq!(
        actions,
        BTreeSet::from(["delay", "reset", "status", "truncate"])
    );
}

#[test]
fn a_status_fault_answers_with_each_vendors_own_body_for_every_status() {
    let standin = Standin::start(&["--no-tls", "--seed", "1"]);
    let mut checked = 0;
    for probe_spec @ (product, method, path, _) in PROBES {
        let baseline = probe(&standin, probe_spec);
        for status in STATUSES {
            let rule = add_fault(
                &standin,
                product,
                serde_json::json!({"method": method, "path": path, "times": 1,
                                   "action": "status", "status": status}),
            );
            assert_eq!(rule["action"], "status");
            let faulted = probe(&standin, probe_spec);
            assert_whole(&faulted, status);
            assert_vendor_body(product, path, status, &faulted);
            // `times: 1`: the next call is served normally again.
            let after = probe(&standin, probe_spec);
            assert_eq!(after.status, baseline.status, "{product} {path}");
            assert_eq!(after.body, baseline.body, "{product} {path}");
            checked += 1;
        }
    }
    assert_eq!(checked, PROBES.len() * STATUSES.len());
}

#[test]
fn a_rate_limit_answers_429_with_retry_after_in_each_vendors_body() {
    let standin = Standin::start(&["--no-tls", "--seed", "1"]);
    for (product, method, path, headers) in PROBES {
        let addr = addr_of(&standin.url(product));
        control(addr, "DELETE", "/rate-limits", "");
        control(
            addr,
            "POST",
            "/rate-limits",
            r#"{"per":"ip","capacity":1,"refill_per_sec":0.001}"#,
        );
        let first = send(addr, method, path, headers, b"");
        assert_ne!(first.status, 429, "{product} {path}: the bucket held one");
        let limited = send(addr, method, path, headers, b"");
        assert_whole(&limited, 429);
        let retry: u64 = limited
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!(retry >= 1, "{retry}");
        assert_vendor_body(product, path, 429, &limited);
        control(addr, "DELETE", "/rate-limits", "");
    }
}

#[test]
fn a_delay_fault_serves_the_same_bytes_after_the_delay() {
    let standin = Standin::start(&["--no-tls", "--seed", "1"]);
    for probe_spec @ (product, method, path, _) in PROBES {
        let baseline = probe(&standin, probe_spec);
        add_fault(
            &standin,
            product,
            serde_json::json!({"method": method, "path": path, "times": 1,
                               "action": "delay", "delay_ms": 300}),
        );
        let started = Instant::now();
        let delayed = probe(&standin, probe_spec);
        let waited = started.elapsed();
        // The delay is the fault's effect, so it is a lower bound on the wait.
        assert!(
            waited >= Duration::from_millis(300),
            "{product}: {waited:?}"
        );
        assert_eq!(delayed.line, baseline.line, "{product} {path}");
        assert_eq!(delayed.body, baseline.body, "{product} {path}");
        assert_eq!(delayed.content_length(), delayed.body.len());
        assert_eq!(delayed.ended_by, None);
        let faults = control(addr_of(&standin.url(product)), "GET", "/faults", "");
        assert_eq!(
            faults["faults"],
            serde_json::json!([]),
            "times: 1 expired it"
        );
    }
}

#[test]
fn a_reset_fault_drops_the_connection_without_a_byte_and_the_next_call_is_served() {
    let standin = Standin::start(&["--no-tls", "--seed", "1"]);
    for probe_spec @ (product, method, path, _) in PROBES {
        let baseline = probe(&standin, probe_spec);
        add_fault(
            &standin,
            product,
            serde_json::json!({"method": method, "path": path, "times": 1, "action": "reset"}),
        );
        let dropped = probe(&standin, probe_spec);
        assert!(
            dropped.raw.is_empty(),
            "{product} {path}: no answer at all, got {:?}",
            String::from_utf8_lossy(&dropped.raw)
        );
        assert!(
            matches!(dropped.ended_by, None | Some(ErrorKind::ConnectionReset)),
            "{product}: closed or reset, not a timeout: {:?}",
            dropped.ended_by
        );
        let after = probe(&standin, probe_spec);
        assert_eq!(after.line, baseline.line, "{product} {path}");
        assert_eq!(after.body, baseline.body, "{product} {path}");
    }
}

#[test]
fn a_truncate_fault_sends_the_whole_head_and_only_the_first_bytes_on_every_product() {
    let standin = Standin::start(&["--no-tls", "--seed", "1"]);
    for probe_spec @ (product, method, path, _) in PROBES {
        let baseline = probe(&standin, probe_spec);
        let full = baseline.body.len();
        assert!(full > 20, "{product}: a body worth cutting");
        assert_eq!(baseline.content_length(), full);
        // (bytes asked, bytes expected): a few, the default half, more than there is.
        for (bytes, want) in [(Some(7), 7), (None, full / 2), (Some(1 << 20), full - 1)] {
            let mut rule = serde_json::json!({"method": method, "path": path, "times": 1,
                                              "action": "truncate"});
            if let Some(b) = bytes {
                rule["bytes"] = b.into();
            }
            add_fault(&standin, product, rule);
            let cut = probe(&standin, probe_spec);
            assert_eq!(cut.line, baseline.line, "{product} {path} {bytes:?}");
            assert_eq!(
                cut.content_length(),
                full,
                "{product} {path} {bytes:?}: the full length is announced"
            );
            assert_eq!(
                cut.header("content-type"),
                baseline.header("content-type"),
                "{product}"
            );
            assert_eq!(
                cut.body,
                baseline.body[..want],
                "{product} {path} {bytes:?}: only the first {want} bytes"
            );
        }
        let after = probe(&standin, probe_spec);
        assert_eq!(after.body, baseline.body, "{product}: served whole again");
    }
}

// ---------------------------------------------------------------------------------------------
// The gate, through the binary, from a non-loopback address
// ---------------------------------------------------------------------------------------------

/// Runs `test` (this binary's test of that name) again inside a fresh network namespace
/// where loopback is up and also carries 192.0.2.1 (TEST-NET-1), so a server bound to
/// 0.0.0.0 and called on 192.0.2.1 sees a non-loopback peer while no packet leaves the
/// namespace. Returns true in that child; false in the parent after the child passed (or
/// when namespaces are unavailable, saying so loudly).
fn in_fresh_netns(test: &str) -> bool {
    if std::env::var_os("STANDIN_IN_NETNS").is_some() {
        return true;
    }
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
    let script = "ip link set lo up && ip addr add 192.0.2.1/32 dev lo && exec \"$0\" \"$@\"";
    let status = std::process::Command::new("unshare")
        .args(["--net", "sh", "-c", script])
        .arg(std::env::current_exe().unwrap())
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

/// The address callers in the namespace use (and are seen as).
const REMOTE: [u8; 4] = [192, 0, 2, 1];
const TOKEN: &str = "s3cret";

/// `(spelling of "/_standin", whether the router sends it into the control scope)`: the
/// issue's seven, then three that only normalise to the scope.
const SPELLINGS: [(&str, bool); 10] = [
    ("/_standin", true),
    ("/%5Fstandin", true),
    ("/%5fstandin", true),
    ("/_st%61ndin", true),
    ("/_%73tandin", true),
    ("//_standin", false),
    ("/./_standin", false),
    ("/gate/../_standin", false),
    ("/_STANDIN", false),
    ("/_standin%2F", false),
];

/// `(header lines, whether they open the control scope to a remote caller)`.
const CREDENTIALS: [(&str, bool); 4] = [
    ("", false),
    ("Authorization: Bearer wrong\r\n", false),
    ("Authorization: Bearer \r\n", false),
    ("Authorization: Bearer s3cret\r\n", true),
];

/// `path` (`/health`) under `spelling` of `/_standin`; after an encoded slash, without its own.
fn spelled(spelling: &str, path: &str) -> String {
    if spelling.ends_with("%2F") {
        format!("{spelling}{}", &path[1..])
    } else {
        format!("{spelling}{path}")
    }
}

/// A control call from loopback on the canonical path with header lines `via`; `None`
/// unless it answers 2xx.
fn try_control(addr: SocketAddr, via: &str, method: &str, path: &str, body: &str) -> Option<Value> {
    let answer = send(
        addr,
        method,
        &format!("/_standin{path}"),
        via,
        body.as_bytes(),
    );
    ((200..300).contains(&answer.status)).then(|| answer.json())
}

/// One instance under attack: its loopback and remote addresses, and the header lines that
/// address it (a tenant reached on the main port with `X-Standin-Tenant`).
struct Target {
    product: &'static str,
    port_kind: &'static str,
    local: SocketAddr,
    remote: SocketAddr,
    via: String,
    /// A tenant of the product that exists throughout (for `GET /tenants/{id}`).
    tenant: String,
}

/// Put the instance in a known, observable state: a frozen clock, one sentinel fault and
/// rate limit and snapshot, one journal entry. A refused reset, delete or write would show
/// in [`fingerprint`].
fn arm(t: &Target) {
    control_via(t.local, &t.via, "DELETE", "/faults", "");
    control_via(t.local, &t.via, "DELETE", "/rate-limits", "");
    control_via(
        t.local,
        &t.via,
        "POST",
        "/faults",
        r#"{"path":"/gate-sentinel","action":"delay","delay_ms":1}"#,
    );
    control_via(
        t.local,
        &t.via,
        "POST",
        "/rate-limits",
        r#"{"per":"ip","operation":"gate.sentinel","capacity":5,"refill_per_sec":1}"#,
    );
    control_via(
        t.local,
        &t.via,
        "POST",
        "/clock",
        r#"{"set":"2027-01-01T00:00:00Z","freeze":true}"#,
    );
    control_via(t.local, &t.via, "POST", "/snapshots/gate-sentinel", "");
    send(t.local, "GET", "/gate-journal-entry", &t.via, b"");
}

/// Everything a control call could change, read from loopback: `(path, status, body)`.
fn fingerprint(t: &Target) -> Vec<(&'static str, u16, String)> {
    let mut out = Vec::new();
    for path in [
        "/state",
        "/faults",
        "/rate-limits",
        "/snapshots",
        "/tenants",
        "/clock",
        "/requests",
    ] {
        let a = send(t.local, "GET", &format!("/_standin{path}"), &t.via, b"");
        let mut body = String::from_utf8_lossy(&a.body).into_owned();
        if path == "/clock" {
            // A frozen clock's offset from real time grows as real time passes.
            let mut clock = a.json();
            clock.as_object_mut().map(|c| c.remove("offset_ms"));
            body = clock.to_string();
        }
        out.push((path, a.status, body));
    }
    out
}

/// The body a route is called with (the same from loopback and remote).
fn body_for(t: &Target, method: &str, template: &str) -> String {
    match (method, template) {
        ("POST", "/clock") => r#"{"set":"2027-01-01T00:00:00Z","freeze":true}"#.into(),
        ("PUT", "/state") => {
            String::from_utf8(send(t.local, "GET", "/_standin/state", &t.via, b"").body).unwrap()
        }
        ("POST", "/faults") => r#"{"path":"/gate-never","action":"delay","delay_ms":1}"#.into(),
        ("POST", "/rate-limits") => {
            r#"{"per":"ip","operation":"gate.never","capacity":100,"refill_per_sec":1}"#.into()
        }
        ("POST", "/requests/wait") => r#"{"count":1,"timeout_ms":50}"#.into(),
        _ => String::new(),
    }
}

/// The path to call for `template`, creating from loopback what the call will act on (a
/// snapshot to restore or delete, a fault, a rate limit or a tenant to delete).
fn prepare(t: &Target, method: &str, template: &str) -> String {
    let id = |v: Option<Value>| {
        v.and_then(|v| v["id"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "gate-none".into())
    };
    let made = match (method, template) {
        ("DELETE", "/snapshots/{name}") | (_, "/snapshots/{name}/restore") => {
            control_via(t.local, &t.via, "POST", "/snapshots/gate", "");
            "gate".to_owned()
        }
        (_, "/snapshots/{name}") => "gate".to_owned(),
        ("DELETE", "/faults/{id}") => id(try_control(
            t.local,
            &t.via,
            "POST",
            "/faults",
            r#"{"path":"/gate-doomed","action":"delay","delay_ms":1}"#,
        )),
        ("DELETE", "/rate-limits/{id}") => id(try_control(
            t.local,
            &t.via,
            "POST",
            "/rate-limits",
            r#"{"per":"ip","operation":"gate.doomed","capacity":1,"refill_per_sec":1}"#,
        )),
        ("DELETE", "/tenants/{id}") => id(try_control(t.local, &t.via, "POST", "/tenants", "")),
        (_, "/tenants/{id}") => t.tenant.clone(),
        _ => "gate".to_owned(),
    };
    let mut path = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        path.push_str(&rest[..open]);
        path.push_str(&made);
        rest = &rest[close..];
    }
    path.push_str(rest);
    path
}

/// The top-level keys of a JSON object body (empty for anything else).
fn keys(answer: &Answer) -> BTreeSet<String> {
    match serde_json::from_slice::<Value>(&answer.body) {
        Ok(Value::Object(map)) => map.keys().cloned().collect(),
        _ => BTreeSet::new(),
    }
}

fn assert_forbidden(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 403, "{what}: {answer:?}");
    let body = answer.json();
    assert_eq!(body["error"], "forbidden", "{what}: {body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("192.0.2.1") && message.contains("Bearer"),
        "{what}: the refusal says why: {message}"
    );
}

/// Counts of what one target's matrix did.
#[derive(Default, Debug)]
struct Tally {
    refused: usize,
    allowed: usize,
    not_found: usize,
    public: usize,
}

/// Every route x spelling x credential on one instance.
fn attack(t: &Target, routes: &[(String, String)]) -> Tally {
    let mut tally = Tally::default();
    for (method, template) in routes {
        let public = method == "GET" && template == "/ui";
        arm(t);
        // Refused calls first, against a prepared target; nothing may change.
        let path = prepare(t, method, template);
        let body = body_for(t, method, template);
        let before = fingerprint(t);
        for (spelling, _) in SPELLINGS {
            for (credential, opens) in CREDENTIALS {
                if opens {
                    continue;
                }
                let what = format!(
                    "{} {} port: {method} {spelling}{path} {credential:?}",
                    t.product, t.port_kind
                );
                let answer = send(
                    t.remote,
                    method,
                    &spelled(spelling, &path),
                    &format!("{}{credential}", t.via),
                    body.as_bytes(),
                );
                if public && spelling == "/_standin" {
                    // The dashboard page is served to anyone (docs/control-api.md), spelled
                    // canonically; every other spelling follows the rule.
                    assert_eq!(answer.status, 200, "{what}");
                    tally.public += 1;
                } else {
                    assert_forbidden(&answer, &what);
                    tally.refused += 1;
                }
            }
        }
        for (was, now) in before.iter().zip(fingerprint(t)) {
            assert!(
                *was == now,
                "{} {} port: refused {method} {template} changed {}: {} -> {}",
                t.product,
                t.port_kind,
                was.0,
                was.2.chars().take(300).collect::<String>(),
                now.2.chars().take(300).collect::<String>(),
            );
        }
        // What the handler answers: the same call from loopback, on the canonical path.
        let twin_path = prepare(t, method, template);
        let twin = send(
            t.local,
            method,
            &format!("/_standin{twin_path}"),
            &t.via,
            body_for(t, method, template).as_bytes(),
        );
        assert_ne!(twin.status, 403, "{method} {template} from loopback");
        for (spelling, routes_to_scope) in SPELLINGS {
            let path = prepare(t, method, template);
            let what = format!(
                "{} {} port: {method} {spelling}{path} with the token",
                t.product, t.port_kind
            );
            let answer = send(
                t.remote,
                method,
                &spelled(spelling, &path),
                &format!("{}Authorization: Bearer {TOKEN}\r\n", t.via),
                body_for(t, method, template).as_bytes(),
            );
            if routes_to_scope {
                assert_eq!(answer.status, twin.status, "{what}: {answer:?}");
                assert_eq!(keys(&answer), keys(&twin), "{what}");
                tally.allowed += 1;
            } else {
                // Meets the gate, then is never answered by a product nor a handler.
                assert_eq!(answer.status, 404, "{what}: {answer:?}");
                assert_eq!(answer.json()["error"], "not_found", "{what}");
                tally.not_found += 1;
            }
        }
    }
    tally
}

#[test]
fn every_control_route_in_every_spelling_meets_the_gate_from_a_remote_caller_on_main_and_tenant_ports(
) {
    if !in_fresh_netns(
        "every_control_route_in_every_spelling_meets_the_gate_from_a_remote_caller_on_main_and_tenant_ports",
    ) {
        return;
    }
    let standin = Standin::start(&[
        "--no-tls",
        "--seed",
        "1",
        "--bind",
        "0.0.0.0",
        "--control-token",
        TOKEN,
    ]);
    let products = ["opmanager", "serviceops", "pmp", "opsmgr"];
    let tallies: Vec<(String, Tally, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = products
            .iter()
            .map(|&product| {
                let main_port = addr_of(&standin.url(product)).port();
                scope.spawn(move || {
                    let local = SocketAddr::from(([127, 0, 0, 1], main_port));
                    // The routes, from the OpenAPI document the scope itself serves: the shared
                    // ones and the product's own under /_standin/<product>/.
                    let doc = control(local, "GET", "/openapi.json", "");
                    let mut routes: Vec<(String, String)> = Vec::new();
                    for (path, ops) in doc["paths"].as_object().unwrap() {
                        for method in ops.as_object().unwrap().keys() {
                            let template = path.strip_prefix("/_standin").unwrap().to_owned();
                            routes.push((method.to_ascii_uppercase(), template));
                        }
                    }
                    let tenant = control(local, "POST", "/tenants", "");
                    let tenant_id = tenant["id"].as_str().unwrap().to_owned();
                    let tenant_port = addr_of(tenant["url"].as_str().unwrap()).port();
                    let mut total = Tally::default();
                    let header = format!("X-Standin-Tenant: {tenant_id}\r\n");
                    for (port_kind, port, via) in [
                        ("main", main_port, ""),
                        ("tenant", tenant_port, ""),
                        ("main port + X-Standin-Tenant", main_port, header.as_str()),
                    ] {
                        let target = Target {
                            product,
                            port_kind,
                            local: SocketAddr::from(([127, 0, 0, 1], port)),
                            remote: SocketAddr::from((REMOTE, port)),
                            via: via.to_owned(),
                            tenant: tenant_id.clone(),
                        };
                        let t = attack(&target, &routes);
                        total.refused += t.refused;
                        total.allowed += t.allowed;
                        total.not_found += t.not_found;
                        total.public += t.public;
                    }
                    (product.to_owned(), total, routes.len())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut calls = 0;
    for (product, tally, routes) in &tallies {
        eprintln!(
            "{product}: {routes} routes x 10 spellings x 4 credentials x 3 addressings: {tally:?}"
        );
        let sum = tally.refused + tally.allowed + tally.not_found + tally.public;
        assert_eq!(sum, routes * SPELLINGS.len() * CREDENTIALS.len() * 3);
        assert!(
            *routes >= 28,
            "{product}: the OpenAPI document lists the routes"
        );
        calls += sum;
    }
    eprintln!("{calls} remote calls checked");
}

#[test]
fn a_non_loopback_bind_without_a_token_says_at_startup_that_remote_callers_are_refused() {
    if !in_fresh_netns(
        "a_non_loopback_bind_without_a_token_says_at_startup_that_remote_callers_are_refused",
    ) {
        return;
    }
    let open = Standin::start(&["--no-tls", "--only", "opsmgr", "--bind", "0.0.0.0"]);
    let port = addr_of(&open.url("opsmgr")).port();
    let refused = send(
        SocketAddr::from((REMOTE, port)),
        "GET",
        "/_standin/state",
        "",
        b"",
    );
    assert_forbidden(&refused, "remote caller without a configured token");
    let out = open.terminate();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let notices: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("remote control callers will be refused"))
        .collect();
    assert_eq!(notices.len(), 1, "exactly one startup line: {stdout}");
    assert!(
        notices[0].contains("--control-token") && notices[0].contains("--control-allow"),
        "it says how to allow them: {}",
        notices[0]
    );

    let with_token = Standin::start(&[
        "--no-tls",
        "--only",
        "opsmgr",
        "--bind",
        "0.0.0.0",
        "--control-token",
        TOKEN,
    ]);
    let out = with_token.terminate();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("will be refused"),
        "no such line once a token is set: {stdout}"
    );
    let local = Standin::start(&["--no-tls", "--only", "opsmgr"]);
    let stdout = String::from_utf8_lossy(&local.terminate().stdout).into_owned();
    assert!(!stdout.contains("will be refused"), "{stdout}");
}

#[test]
fn a_status_fault_without_content_sends_no_body_and_an_interim_status_is_refused() {
    let standin = Standin::start(&["--no-tls", "--seed", "1"]);
    for (product, method, path, headers) in PROBES {
        let addr = addr_of(&standin.url(product));
        for status in [204, 205, 304] {
            add_fault(
                &standin,
                product,
                serde_json::json!({"method": method, "path": path, "times": 1,
                                   "action": "status", "status": status}),
            );
            let answer = send(addr, method, path, headers, b"");
            assert_eq!(answer.line, format!("HTTP/1.1 {status} {}", reason(status)));
            assert!(
                answer.body.is_empty(),
                "{product} {status}: no content, got {:?}",
                String::from_utf8_lossy(&answer.body)
            );
            assert!(
                answer.header("content-length").is_none_or(|l| l == "0"),
                "{answer:?}"
            );
        }
        for status in [100, 101, 199, 600] {
            let refused = send(
                addr,
                "POST",
                "/_standin/faults",
                "",
                format!(r#"{{"action":"status","status":{status}}}"#).as_bytes(),
            );
            assert_eq!(refused.status, 400, "{product} {status}");
            let body = refused.json();
            assert_eq!(body["error"], "bad_request");
            assert!(
                body["message"].as_str().unwrap().starts_with("status:"),
                "{body}"
            );
        }
        let faults = control(addr, "GET", "/faults", "");
        assert_eq!(faults["faults"], serde_json::json!([]), "nothing was added");
    }
}
