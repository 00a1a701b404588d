//! The scale sweep: grow one collection per product to N records through the control API
//! (`PUT /_standin/state`), then measure seeding time, read-by-id, first and last list page,
//! startup with that data in `--data-dir`, and memory per record.
//!
//! Records are cloned from the product's own fixture record (`GET /_standin/state`) with fresh
//! ids, so the sweep follows the fixture format as it evolves.

use crate::proc::{rss_kb, StandinProcess};
use reqwest::Client;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// One product at one size.
#[derive(Debug, Clone)]
pub struct SweepRow {
    /// `pmp accounts`, `opsmgr apiKeys`, `opmanager devices`, `serviceops requests`.
    pub what: &'static str,
    /// Records seeded.
    pub records: usize,
    /// `PUT /_standin/state` time, ms.
    pub seed_ms: f64,
    /// Read by id, p50 of sequential reads, µs.
    pub read_p50_us: u64,
    /// First list page, median, µs.
    pub first_page_us: u64,
    /// Last list page, median, µs.
    pub last_page_us: u64,
    /// Startup to ready with this data in `--data-dir`, ms.
    pub startup_ms: f64,
    /// RSS growth per record after seeding, bytes.
    pub bytes_per_record: f64,
    /// RSS per record at rest: restarted on the seeded data, after the reads and pages,
    /// over the RSS of the fixture instance before seeding, bytes.
    pub rest_bytes_per_record: f64,
    /// Unexpected statuses.
    pub unexpected: u64,
}

impl SweepRow {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "what": self.what, "records": self.records, "seed_ms": self.seed_ms,
            "read_p50_us": self.read_p50_us, "first_page_us": self.first_page_us,
            "last_page_us": self.last_page_us, "startup_ms": self.startup_ms,
            "bytes_per_record": self.bytes_per_record,
            "rest_bytes_per_record": self.rest_bytes_per_record, "unexpected": self.unexpected,
        })
    }

    pub(crate) fn table(rows: &[SweepRow]) -> String {
        let mut out = String::from(
            "| records | N | seed ms | read-by-id p50 ms | first page ms | last page ms | startup ms | RSS bytes/record after seeding | at rest | unexpected |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for r in rows {
            out.push_str(&format!(
                "| {} | {} | {:.0} | {:.3} | {:.3} | {:.3} | {:.1} | {:.0} | {:.0} | {} |\n",
                r.what,
                r.records,
                r.seed_ms,
                r.read_p50_us as f64 / 1000.0,
                r.first_page_us as f64 / 1000.0,
                r.last_page_us as f64 / 1000.0,
                r.startup_ms,
                r.bytes_per_record,
                r.rest_bytes_per_record,
                r.unexpected
            ));
        }
        out
    }
}

/// How one product's collection is grown and read.
struct Target {
    what: &'static str,
    product: &'static str,
    /// Build the grown state from the fixture state; returns it and the ids to read.
    grow: fn(&Value, usize) -> Option<Value>,
    /// Path of a read of record `i`.
    read: fn(usize) -> String,
    /// Path of list page `page` (1-based) of 100 records, and the number of pages for `n`.
    page: fn(usize) -> String,
    /// The list page is a `POST` with this body (ServiceOps' `search/byqual`), else a `GET`.
    page_body: Option<&'static str>,
    headers: &'static [(&'static str, &'static str)],
}

const PMP_TOKEN: &str = "B9A1809A-5BF7-4459-9ED2-8D4F499CB902";
const OPM_KEY: &str = "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b";
const OPS_ORG: &str = "5953c5f380eef53887615f99";

/// PMP: n accounts, ten per resource; ids from 1_000_000 up.
fn grow_pmp(state: &Value, n: usize) -> Option<Value> {
    let mut state = state.clone();
    let template = state["resources"].get(0)?.clone();
    let account = template["accounts"].get(0)?.clone();
    let owner = template["owner"].clone();
    let resources = state["resources"].as_array_mut()?;
    resources.clear();
    let per = 10;
    for r in 0..n.div_ceil(per) {
        let mut res = template.clone();
        res["id"] = json!(1_000_000 + r);
        res["name"] = json!(format!("bench-resource-{r}"));
        res["owner"] = owner.clone();
        let accounts: Vec<Value> = (0..per.min(n - r * per))
            .map(|a| {
                let mut acc = account.clone();
                acc["id"] = json!(10_000_000 + r * per + a);
                acc["name"] = json!(format!("acct{a}"));
                if let Some(obj) = acc.as_object_mut() {
                    obj.remove("accessControl");
                    obj.remove("checkoutMinutes");
                }
                acc
            })
            .collect();
        res["accounts"] = Value::Array(accounts);
        resources.push(res);
    }
    // Shares, tickets, requests and audit point at the replaced resources.
    for key in ["shares", "tickets", "requests", "audit"] {
        if let Some(list) = state[key].as_array_mut() {
            list.clear();
        }
    }
    Some(state)
}

fn read_pmp(i: usize) -> String {
    format!(
        "/restapi/json/v1/resources/{}/accounts/{}/password",
        1_000_000 + i / 10,
        10_000_000 + i
    )
}

fn page_pmp(i: usize) -> String {
    format!("/restapi/json/v1/resources/{}/accounts", 1_000_000 + i / 10)
}

/// Ops Manager: n org API keys.
fn grow_opsmgr(state: &Value, n: usize) -> Option<Value> {
    let mut state = state.clone();
    let template = state["apiKeys"].get(0)?.clone();
    let keys = state["apiKeys"].as_array_mut()?;
    keys.truncate(1);
    for i in 0..n.saturating_sub(1) {
        let mut key = template.clone();
        key["id"] = json!(format!("6000000000000000{i:08x}"));
        key["desc"] = json!(format!("bench key {i}"));
        key["publicKey"] = json!(letters(i));
        key["privateKey"] = json!(format!("00000000-0000-4000-8000-{i:012x}"));
        key["roles"] = json!([{"orgId": OPS_ORG, "roleName": "ORG_READ_ONLY"}]);
        keys.push(key);
    }
    Some(state)
}

/// Eight lowercase letters, unique per index, never `qzvhwmtx`'s leading `q`.
fn letters(mut i: usize) -> String {
    let mut out = vec![b'a'; 8];
    for slot in out.iter_mut().rev() {
        *slot = b'a' + (i % 16) as u8;
        i /= 16;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn read_opsmgr(i: usize) -> String {
    let id = if i == 0 {
        "5d1d12c087d9d63e6d682438".to_owned()
    } else {
        format!("6000000000000000{:08x}", i - 1)
    };
    format!("/api/public/v1.0/orgs/{OPS_ORG}/apiKeys/{id}")
}

fn page_opsmgr(page: usize) -> String {
    format!("/api/public/v1.0/orgs/{OPS_ORG}/apiKeys?pageNum={page}&itemsPerPage=100")
}

/// OpManager: n devices; everything that names a fixture device (interfaces, monitors,
/// alarms, events, schedules, views, groups, inventories...) is dropped, keeping the users,
/// probes and the monitor template catalogue.
fn grow_opmanager(state: &Value, n: usize) -> Option<Value> {
    let mut state = state.clone();
    let template = state["devices"].get(0)?.clone();
    if let Some(doc) = state.as_object_mut() {
        for (key, value) in doc.iter_mut() {
            if matches!(
                key.as_str(),
                "users" | "probes" | "monitorTemplates" | "devices"
            ) {
                continue;
            }
            match value {
                Value::Array(list) => list.clear(),
                Value::Object(inner) => {
                    for list in inner.values_mut() {
                        if let Value::Array(list) = list {
                            list.clear();
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let devices = state["devices"].as_array_mut()?;
    devices.clear();
    for i in 0..n {
        let mut dev = template.clone();
        let name = format!("bench-{i}");
        dev["moid"] = json!(1_000_000 + i);
        dev["deviceName"] = json!(name);
        dev["displayName"] = json!(name);
        dev["ipAddress"] = json!(format!(
            "10.{}.{}.{}",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        ));
        dev["dnsName"] = json!(format!("{name}.bench.example.com"));
        devices.push(dev);
    }
    Some(state)
}

/// ServiceOps: n incident requests cloned from the fixture's first, ids from 1_000_000 up;
/// service requests, changes, assets and conversations (which name fixture tickets) dropped.
fn grow_serviceops(state: &Value, n: usize) -> Option<Value> {
    let mut state = state.clone();
    let template = state["requests"].get(0)?.clone();
    for key in ["serviceRequests", "changes", "assets", "conversations"] {
        if let Some(list) = state[key].as_array_mut() {
            list.clear();
        }
    }
    let requests = state["requests"].as_array_mut()?;
    requests.clear();
    for i in 0..n {
        let mut req = template.clone();
        req["id"] = json!(1_000_000 + i);
        req["name"] = json!(format!("INC-{}", 1_000_000 + i));
        req["subject"] = json!(format!("bench request {i}"));
        requests.push(req);
    }
    let next = 1_000_000 + n + 1;
    state["sequences"]["nextId"] = json!(next);
    state["sequences"]["nextTicketNumber"] = json!(next);
    Some(state)
}

fn read_serviceops(i: usize) -> String {
    format!("/api/v1/request/{}", 1_000_000 + i)
}

fn page_serviceops(page: usize) -> String {
    format!(
        "/api/v1/request/search/byqual?offset={}&size=100",
        (page.max(1) - 1) * 100
    )
}

fn read_opmanager(i: usize) -> String {
    format!("/api/json/device/getDeviceSummary?name=bench-{i}")
}

fn page_opmanager(page: usize) -> String {
    format!("/api/json/device/listDevices?page={page}&rows=100")
}

/// How many collections the sweep grows (one row per target and size).
pub const SWEEP_TARGETS: usize = TARGETS.len();

const TARGETS: [Target; 4] = [
    Target {
        what: "pmp accounts",
        product: "pmp",
        grow: grow_pmp,
        read: read_pmp,
        page: page_pmp,
        page_body: None,
        headers: &[("AUTHTOKEN", PMP_TOKEN)],
    },
    Target {
        what: "opsmgr apiKeys",
        product: "opsmgr",
        grow: grow_opsmgr,
        read: read_opsmgr,
        page: page_opsmgr,
        page_body: None,
        headers: &[],
    },
    Target {
        what: "opmanager devices",
        product: "opmanager",
        grow: grow_opmanager,
        read: read_opmanager,
        page: page_opmanager,
        page_body: None,
        headers: &[("apiKey", OPM_KEY)],
    },
    Target {
        what: "serviceops requests",
        product: "serviceops",
        grow: grow_serviceops,
        read: read_serviceops,
        page: page_serviceops,
        page_body: Some("{}"),
        headers: &[],
    },
];

fn client() -> Result<Client, String> {
    Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(600))
        .build()
        .map_err(|e| e.to_string())
}

/// Credentials kept between the requests of one target: Ops Manager's Digest challenge,
/// ServiceOps' Bearer token (both fetched on first use, outside the timing).
#[derive(Default)]
struct Session {
    digest: Option<digest_auth::WwwAuthenticateHeader>,
    bearer: Option<String>,
}

/// ServiceOps' password grant of the fixture user: the access token.
async fn bearer_token(client: &Client, base: &str) -> Result<String, String> {
    let token: Value = client
        .post(format!("{base}/api/oauth/token"))
        .basic_auth("main-web-app-client", Some("main-web-app-secret"))
        .form(&[
            ("grant_type", "password"),
            ("username", "tim@acme.com"),
            ("password", "123"),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    token["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no access_token in {token}"))
}

/// A GET (or the target's list `POST` when `body` is given) with the target's credentials
/// (Digest for Ops Manager, via a fresh challenge; a Bearer token for ServiceOps).
async fn get(
    client: &Client,
    base: &str,
    target: &Target,
    path: &str,
    session: &mut Session,
    body: Option<&'static str>,
) -> Result<(u16, Duration), String> {
    if target.product == "serviceops" && session.bearer.is_none() {
        session.bearer = Some(bearer_token(client, base).await?);
    }
    let digest = &mut session.digest;
    let began = Instant::now();
    let url = format!("{base}{path}");
    let mut req = match body {
        Some(body) => client
            .post(&url)
            .header("content-type", "application/json")
            .body(body),
        None => client.get(&url),
    };
    for (k, v) in target.headers {
        req = req.header(*k, *v);
    }
    if let Some(bearer) = &session.bearer {
        req = req.bearer_auth(bearer);
    }
    if target.product == "opsmgr" {
        if digest.is_none() {
            let res = client.get(&url).send().await.map_err(|e| e.to_string())?;
            let header = res
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| digest_auth::parse(v).ok());
            *digest = header;
        }
        let Some(prompt) = digest.as_mut() else {
            return Ok((0, began.elapsed()));
        };
        let ctx =
            digest_auth::AuthContext::new("qzvhwmtx", "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3", path);
        let answer = prompt.respond(&ctx).map_err(|e| e.to_string())?;
        req = req.header("authorization", answer.to_header_string());
    }
    let res = req.send().await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let _ = res.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, began.elapsed()))
}

fn median(mut v: Vec<Duration>) -> u64 {
    v.sort();
    v.get(v.len() / 2)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// Sweep every target at size `n`.
///
/// # Errors
/// If standin cannot start or refuses the seeded state.
pub async fn run(options: &crate::Options, n: usize) -> Result<Vec<SweepRow>, String> {
    let bin = options.standin.as_path();
    let mut rows = Vec::new();
    for target in TARGETS.iter().filter(|t| options.selects(t.what)) {
        let data = std::env::temp_dir().join(format!(
            "standin-bench-sweep-{}-{}-{n}",
            std::process::id(),
            target.product
        ));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
        let data_arg = data.display().to_string();
        let args = ["--only", target.product, "--data-dir", data_arg.as_str()];
        let client = client()?;
        let server = StandinProcess::start(bin, &args)?;
        let base = server.url(target.product);
        let state: Value = client
            .get(format!("{base}/_standin/state"))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let grown = (target.grow)(&state, n)
            .ok_or_else(|| format!("{}: fixture state has no template record", target.what))?;
        let body = serde_json::to_vec(&grown).map_err(|e| e.to_string())?;
        drop(grown);
        let rss_before = rss_kb(server.pid()).unwrap_or(0);
        let began = Instant::now();
        let res = client
            .put(format!("{base}/_standin/state"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let seed_ms = began.elapsed().as_secs_f64() * 1000.0;
        if !res.status().is_success() {
            let text = res.text().await.unwrap_or_default();
            return Err(format!("{}: seeding {n} refused: {text}", target.what));
        }
        let rss_after = rss_kb(server.pid()).unwrap_or(0);
        server.stop();
        // Startup with the seeded data on disk.
        let server = StandinProcess::start(bin, &args)?;
        let startup_ms = server.startup.as_secs_f64() * 1000.0;
        let base = server.url(target.product);
        let mut session = Session::default();
        let mut unexpected = 0u64;
        let mut reads = Vec::new();
        let samples = 200.min(n.max(1));
        for k in 0..samples {
            let i = (k * 7919) % n.max(1);
            let (status, took) = get(
                &client,
                &base,
                target,
                &(target.read)(i),
                &mut session,
                None,
            )
            .await?;
            if status != 200 {
                unexpected += 1;
            }
            reads.push(took);
        }
        let pages = n.div_ceil(100).max(1);
        let (mut first, mut last) = (Vec::new(), Vec::new());
        for _ in 0..20 {
            let first_path = if target.product == "pmp" {
                (target.page)(0)
            } else {
                (target.page)(1)
            };
            let last_path = if target.product == "pmp" {
                (target.page)(n.saturating_sub(1))
            } else {
                (target.page)(pages)
            };
            let (s1, t1) = get(
                &client,
                &base,
                target,
                &first_path,
                &mut session,
                target.page_body,
            )
            .await?;
            let (s2, t2) = get(
                &client,
                &base,
                target,
                &last_path,
                &mut session,
                target.page_body,
            )
            .await?;
            unexpected += u64::from(s1 != 200) + u64::from(s2 != 200);
            first.push(t1);
            last.push(t2);
        }
        let rss_rest = rss_kb(server.pid()).unwrap_or(0);
        rows.push(SweepRow {
            what: target.what,
            records: n,
            seed_ms,
            read_p50_us: median(reads),
            first_page_us: median(first),
            last_page_us: median(last),
            startup_ms,
            bytes_per_record: rss_after.saturating_sub(rss_before) as f64 * 1024.0 / n as f64,
            rest_bytes_per_record: rss_rest.saturating_sub(rss_before) as f64 * 1024.0 / n as f64,
            unexpected,
        });
        server.stop();
        let _ = std::fs::remove_dir_all(&data);
    }
    Ok(rows)
}
