//! The load client and the workloads.

use crate::proc::{cpu_ms, rss_kb, StandinProcess};
use crate::{Options, Row};
use digest_auth::{AuthContext, HttpMethod, WwwAuthenticateHeader};
use hdrhistogram::Histogram;
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

const OPMANAGER_KEY: &str = "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b";
const PMP_TOKEN: &str = "B9A1809A-5BF7-4459-9ED2-8D4F499CB902";
const OPS_PUBLIC: &str = "qzvhwmtx";
const OPS_PRIVATE: &str = "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3";
const OPS_ORG: &str = "5953c5f380eef53887615f99";
const OPS_GROUP: &str = "5953c5f380eef53887615f9a";

/// One kind of operation the harness repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// The floor: `GET /` on a bare actix-web hello server (`standin-floor`), measured at the
    /// start and the end of the sitting.
    Floor,
    /// The control: `GET /_standin/health` on the OpManager port.
    Control,
    /// OpManager listDevices with the admin's apiKey header.
    ApiKeyGet,
    /// OpManager listAlarms with the admin's apiKey header.
    AlarmList,
    /// The same with a wrong key (refused in OpManager's format).
    ApiKeyWrong,
    /// ServiceOps password grant (HS256 JWT issued).
    PasswordGrant,
    /// ServiceOps request read with a Bearer token.
    BearerGet,
    /// PMP password read with AUTHTOKEN (HTTPS).
    PmpPasswordRead,
    /// PMP resource list with AUTHTOKEN (HTTPS).
    PmpResourceList,
    /// Ops Manager: challenge, then the authorised request on the fresh nonce.
    DigestHandshake,
    /// Ops Manager: an authorised request on a reused nonce (growing nc).
    DigestReuse,
    /// Ops Manager: first page of the org's API keys (reused nonce).
    OpsKeyListPage,
    /// `POST /_standin/reset` of ServiceOps.
    Reset,
    /// Ops Manager tenant create + delete.
    TenantCycle,
}

/// Every standin workload in report order (the control first; the floor runs around them).
pub const WORKLOADS: [Workload; 13] = [
    Workload::Control,
    Workload::ApiKeyGet,
    Workload::AlarmList,
    Workload::ApiKeyWrong,
    Workload::PasswordGrant,
    Workload::BearerGet,
    Workload::PmpPasswordRead,
    Workload::PmpResourceList,
    Workload::DigestHandshake,
    Workload::DigestReuse,
    Workload::OpsKeyListPage,
    Workload::Reset,
    Workload::TenantCycle,
];

impl Workload {
    /// Name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Floor => "floor: bare actix-web hello",
            Workload::Control => "control: GET /_standin/health",
            Workload::ApiKeyGet => "opmanager listDevices (apiKey header)",
            Workload::AlarmList => "opmanager listAlarms (apiKey header)",
            Workload::ApiKeyWrong => "opmanager listDevices (wrong key)",
            Workload::PasswordGrant => "serviceops password grant",
            Workload::BearerGet => "serviceops GET request (Bearer)",
            Workload::PmpPasswordRead => "pmp password read (AUTHTOKEN, TLS)",
            Workload::PmpResourceList => "pmp resource list (AUTHTOKEN, TLS)",
            Workload::DigestHandshake => "opsmgr Digest full handshake",
            Workload::DigestReuse => "opsmgr Digest reused nonce",
            Workload::OpsKeyListPage => "opsmgr org apiKeys page",
            Workload::Reset => "control-plane reset (serviceops)",
            Workload::TenantCycle => "tenant create+delete (opsmgr)",
        }
    }

    /// The issue-18 target: server CPU per request at most this many times the floor's.
    pub fn cpu_target(self) -> Option<f64> {
        match self {
            Workload::ApiKeyGet
            | Workload::AlarmList
            | Workload::BearerGet
            | Workload::OpsKeyListPage => Some(2.0),
            Workload::PmpPasswordRead
            | Workload::PasswordGrant
            | Workload::DigestHandshake
            | Workload::DigestReuse => Some(3.0),
            _ => None,
        }
    }

    /// HTTP requests one operation makes (a full Digest handshake is two: the challenge and
    /// the authorised request), so CPU can be compared per request.
    pub fn requests_per_op(self) -> f64 {
        if self == Workload::DigestHandshake {
            2.0
        } else {
            1.0
        }
    }

    /// Control-plane workloads mutate shared state: one connection.
    fn serial(self) -> bool {
        matches!(self, Workload::Reset | Workload::TenantCycle)
    }
}

/// URLs and credentials prepared once per pass.
pub(crate) struct Context {
    floor: String,
    opmanager: String,
    serviceops: String,
    pmp: String,
    opsmgr: String,
    bearer: String,
    request_id: String,
}

fn client() -> Result<Client, String> {
    Client::builder()
        .danger_accept_invalid_certs(true)
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

async fn password_grant(client: &Client, base: &str) -> Result<reqwest::Response, reqwest::Error> {
    client
        .post(format!("{base}/api/oauth/token"))
        .basic_auth("main-web-app-client", Some("main-web-app-secret"))
        .form(&[
            ("grant_type", "password"),
            ("username", "tim@acme.com"),
            ("password", "123"),
        ])
        .send()
        .await
}

impl Context {
    /// Get a token and a request to read.
    ///
    /// # Errors
    /// If ServiceOps refuses the setup calls.
    pub(crate) async fn prepare(server: &StandinProcess) -> Result<Context, String> {
        let client = client()?;
        // Every pass starts from the fixtures, so that passes are identical: without this, the
        // audit trail of PMP's reads and the API keys' usage stamps would be one pass longer
        // each time, and RSS growth between passes would measure data, not leaks.
        for product in ["opmanager", "serviceops", "pmp", "opsmgr"] {
            let url = server.url(product);
            let res = client
                .post(format!("{url}/_standin/reset"))
                .send()
                .await
                .map_err(|e| format!("{product}: reset: {e}"))?;
            if !res.status().is_success() {
                return Err(format!("{product}: reset answered {}", res.status()));
            }
        }
        let serviceops = server.url("serviceops");
        let token: Value = password_grant(&client, &serviceops)
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let bearer = token["access_token"]
            .as_str()
            .ok_or_else(|| format!("no access_token in {token}"))?
            .to_owned();
        let created: Value = client
            .post(format!("{serviceops}/api/v1/request"))
            .bearer_auth(&bearer)
            .json(&serde_json::json!({"subject": "standin-bench", "description": "load", "requesterEmail": "tim@acme.com"}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let request_id = match &created["id"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return Err(format!("no request id in {created}")),
        };
        Ok(Context {
            floor: String::new(),
            opmanager: server.url("opmanager"),
            serviceops,
            pmp: server.url("pmp"),
            opsmgr: server.url("opsmgr"),
            bearer,
            request_id,
        })
    }
}

/// Per-connection state: the cached Digest challenge.
#[derive(Default)]
struct Conn {
    challenge: Option<WwwAuthenticateHeader>,
}

/// The Digest challenge a response carries, if any.
fn challenge_of(res: &reqwest::Response) -> Option<WwwAuthenticateHeader> {
    res.headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| digest_auth::parse(v).ok())
}

async fn digest_get(
    client: &Client,
    url: &str,
    target: &str,
    conn: &mut Conn,
    fresh: bool,
) -> Result<StatusCode, reqwest::Error> {
    if fresh || conn.challenge.is_none() {
        let res = client.get(url).send().await?;
        let header = challenge_of(&res);
        let _ = res.bytes().await?;
        match header {
            Some(h) => conn.challenge = Some(h),
            None => return Ok(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
    let mut retried = fresh;
    loop {
        let Some(challenge) = conn.challenge.as_mut() else {
            return Ok(StatusCode::INTERNAL_SERVER_ERROR);
        };
        let mut ctx = AuthContext::new(OPS_PUBLIC, OPS_PRIVATE, target);
        ctx.method = HttpMethod::GET;
        let answer = match challenge.respond(&ctx) {
            Ok(answer) => answer.to_header_string(),
            Err(_) => return Ok(StatusCode::INTERNAL_SERVER_ERROR),
        };
        let res = client
            .get(url)
            .header("authorization", answer)
            .send()
            .await?;
        let status = res.status();
        // A reused nonce that has served its last use (or expired) is answered 401 with a
        // fresh challenge, as a Digest client (requests' HTTPDigestAuth) expects: answer it
        // once on that challenge, counted as one operation, instead of as a failure.
        let renewed = challenge_of(&res);
        let _ = res.bytes().await?;
        if status != StatusCode::UNAUTHORIZED {
            return Ok(status);
        }
        conn.challenge = renewed;
        if retried {
            return Ok(status);
        }
        retried = true;
    }
}

/// One operation; the answer's status.
async fn once(
    w: Workload,
    client: &Client,
    ctx: &Context,
    conn: &mut Conn,
) -> Result<(StatusCode, bool), reqwest::Error> {
    let (status, body_ok) = match w {
        Workload::Floor => {
            let res = client.get(format!("{}/", ctx.floor)).send().await?;
            (res.status(), !res.bytes().await?.is_empty())
        }
        Workload::AlarmList => {
            let res = client
                .get(format!("{}/api/json/alarm/listAlarms", ctx.opmanager))
                .header("apiKey", OPMANAGER_KEY)
                .send()
                .await?;
            let status = res.status();
            let body = res.bytes().await?;
            (status, !body.windows(7).any(|w| w == b"\"error\""))
        }
        Workload::PmpResourceList => {
            let res = client
                .get(format!("{}/restapi/json/v1/resources", ctx.pmp))
                .header("AUTHTOKEN", PMP_TOKEN)
                .send()
                .await?;
            let status = res.status();
            let body = res.bytes().await?;
            (status, body.windows(9).any(|w| w == b"\"Success\""))
        }
        Workload::Control => {
            let res = client
                .get(format!("{}/_standin/health", ctx.opmanager))
                .send()
                .await?;
            (res.status(), !res.bytes().await?.is_empty())
        }
        Workload::ApiKeyGet | Workload::ApiKeyWrong => {
            let key = if w == Workload::ApiKeyGet {
                OPMANAGER_KEY
            } else {
                "00000000000000000000000000000000"
            };
            let res = client
                .get(format!("{}/api/json/device/listDevices", ctx.opmanager))
                .header("apiKey", key)
                .send()
                .await?;
            let status = res.status();
            let body = res.bytes().await?;
            let refused = body.windows(7).any(|w| w == b"\"error\"");
            (status, refused == (w == Workload::ApiKeyWrong))
        }
        Workload::PasswordGrant => {
            let res = password_grant(client, &ctx.serviceops).await?;
            let status = res.status();
            let body = res.bytes().await?;
            (status, body.windows(12).any(|w| w == b"access_token"))
        }
        Workload::BearerGet => {
            let res = client
                .get(format!(
                    "{}/api/v1/request/{}",
                    ctx.serviceops, ctx.request_id
                ))
                .bearer_auth(&ctx.bearer)
                .send()
                .await?;
            (res.status(), !res.bytes().await?.is_empty())
        }
        Workload::PmpPasswordRead => {
            let res = client
                .get(format!(
                    "{}/restapi/json/v1/resources/303/accounts/307/password",
                    ctx.pmp
                ))
                .header("AUTHTOKEN", PMP_TOKEN)
                .send()
                .await?;
            let status = res.status();
            let body = res.bytes().await?;
            (status, body.windows(9).any(|w| w == b"\"Success\""))
        }
        Workload::DigestHandshake | Workload::DigestReuse => {
            let target = format!("/api/public/v1.0/groups/{OPS_GROUP}/apiKeys");
            let url = format!("{}{target}", ctx.opsmgr);
            let status =
                digest_get(client, &url, &target, conn, w == Workload::DigestHandshake).await?;
            (status, true)
        }
        Workload::OpsKeyListPage => {
            let target =
                format!("/api/public/v1.0/orgs/{OPS_ORG}/apiKeys?pageNum=1&itemsPerPage=100");
            let url = format!("{}{target}", ctx.opsmgr);
            (digest_get(client, &url, &target, conn, false).await?, true)
        }
        Workload::Reset => {
            let res = client
                .post(format!("{}/_standin/reset", ctx.serviceops))
                .send()
                .await?;
            (res.status(), !res.bytes().await?.is_empty())
        }
        Workload::TenantCycle => {
            let res = client
                .request(Method::POST, format!("{}/_standin/tenants", ctx.opsmgr))
                .send()
                .await?;
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            let Some(id) = body["id"].as_str() else {
                return Ok((status, false));
            };
            let res = client
                .delete(format!("{}/_standin/tenants/{id}", ctx.opsmgr))
                .send()
                .await?;
            (res.status(), status == StatusCode::CREATED)
        }
    };
    Ok((status, body_ok))
}

struct ConnResult {
    hist: Histogram<u64>,
    ok: u64,
    unexpected: u64,
}

async fn connection(
    w: Workload,
    ctx: Arc<Context>,
    deadline: Instant,
) -> Result<ConnResult, String> {
    let client = client()?;
    let mut hist =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
    let mut conn = Conn::default();
    let (mut ok, mut unexpected) = (0u64, 0u64);
    while Instant::now() < deadline {
        let began = Instant::now();
        let outcome = once(w, &client, &ctx, &mut conn).await;
        let micros = began.elapsed().as_micros() as u64;
        let _ = hist.record(micros.max(1));
        match outcome {
            Ok((status, true)) if status.is_success() => ok += 1,
            _ => unexpected += 1,
        }
    }
    Ok(ConnResult {
        hist,
        ok,
        unexpected,
    })
}

/// Run one workload for `options.duration` on `options.connections` connections.
async fn measure(
    server: &StandinProcess,
    ctx: &Arc<Context>,
    w: Workload,
    options: &Options,
) -> Result<Row, String> {
    let connections = if w.serial() { 1 } else { options.connections };
    // Warm up the connections' pools and caches before measuring.
    let warm_until = Instant::now() + options.duration / 10;
    let _ = connection(w, ctx.clone(), warm_until).await?;
    let cpu_before = cpu_ms(server.pid()).unwrap_or(0);
    let began = Instant::now();
    let deadline = began + options.duration;
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(w, ctx.clone(), deadline)))
        .collect();
    let mut hist =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
    let (mut ok, mut unexpected) = (0u64, 0u64);
    for task in tasks {
        let r = task.await.map_err(|e| e.to_string())??;
        hist.add(&r.hist).map_err(|e| e.to_string())?;
        ok += r.ok;
        unexpected += r.unexpected;
    }
    let elapsed = began.elapsed().as_secs_f64();
    let cpu = cpu_ms(server.pid()).unwrap_or(0).saturating_sub(cpu_before);
    let total = ok + unexpected;
    Ok(Row {
        workload: w,
        cpu_x_floor: None,
        rate_vs_floor: None,
        name: w.name(),
        requests: total,
        per_sec: total as f64 / elapsed,
        ratio: 0.0,
        p50_us: hist.value_at_quantile(0.50),
        p99_us: hist.value_at_quantile(0.99),
        p999_us: hist.value_at_quantile(0.999),
        cpu_ms_per_1000: if total > 0 {
            cpu as f64 * 1000.0 / total as f64
        } else {
            0.0
        },
        rss_kb: rss_kb(server.pid()).unwrap_or(0),
        unexpected,
    })
}

/// Measure the floor server alone (`Workload::Floor`).
///
/// # Errors
/// If the load client cannot be built.
pub async fn measure_floor(floor: &StandinProcess, options: &Options) -> Result<Row, String> {
    let ctx = Arc::new(Context {
        floor: floor.url("floor"),
        opmanager: String::new(),
        serviceops: String::new(),
        pmp: String::new(),
        opsmgr: String::new(),
        bearer: String::new(),
        request_id: String::new(),
    });
    measure(floor, &ctx, Workload::Floor, options).await
}

/// Run every workload once, the control first, between two floor measurements (when a floor
/// server is given); ratios are to the control, floor figures to the mean of the two floor rows.
/// The context is prepared afresh, since the reset workload wipes what an earlier pass made.
pub(crate) async fn run_all(
    server: &StandinProcess,
    floor: Option<&StandinProcess>,
    options: &Options,
) -> Result<Vec<Row>, String> {
    let mut ctx = Context::prepare(server).await?;
    if let Some(floor) = floor {
        ctx.floor = floor.url("floor");
    }
    let ctx = Arc::new(ctx);
    let mut rows = Vec::new();
    if let Some(floor) = floor {
        rows.push(measure(floor, &ctx, Workload::Floor, options).await?);
    }
    for w in WORKLOADS {
        if w != Workload::Control && !options.selects(w.name()) {
            continue;
        }
        rows.push(measure(server, &ctx, w, options).await?);
    }
    if let Some(floor) = floor {
        rows.push(measure(floor, &ctx, Workload::Floor, options).await?);
    }
    let control = rows
        .iter()
        .find(|r| r.workload == Workload::Control)
        .map(|r| r.per_sec)
        .unwrap_or(0.0);
    let floors: Vec<&Row> = rows
        .iter()
        .filter(|r| r.workload == Workload::Floor)
        .collect();
    let n = floors.len() as f64;
    let (floor_rate, floor_cpu) = if floors.is_empty() {
        (0.0, 0.0)
    } else {
        (
            floors.iter().map(|r| r.per_sec).sum::<f64>() / n,
            floors.iter().map(|r| r.cpu_ms_per_1000).sum::<f64>() / n,
        )
    };
    for row in &mut rows {
        row.ratio = if control > 0.0 {
            row.per_sec / control
        } else {
            0.0
        };
        if floor_cpu > 0.0 && floor_rate > 0.0 {
            let per_request = row.cpu_ms_per_1000 / row.workload.requests_per_op();
            row.cpu_x_floor = Some(per_request / floor_cpu);
            row.rate_vs_floor = Some(row.per_sec * row.workload.requests_per_op() / floor_rate);
        }
    }
    Ok(rows)
}
