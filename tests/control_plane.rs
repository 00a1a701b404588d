//! End-to-end tests of the control plane through the `standin` binary: seeded determinism,
//! parallel tenants, and every product's time-based behaviour on a bent clock.

use serde_json::{json, Value};

mod common;

use common::*;

const FROZEN: &str = "2027-01-01T00:00:00Z";

async fn freeze_at(client: &reqwest::Client, url: &str, at: &str) {
    let res = client
        .post(format!("{url}/_standin/clock"))
        .json(&json!({"set": at, "freeze": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn token_bytes(client: &reqwest::Client, serviceops: &str) -> Vec<u8> {
    let res = client
        .post(format!("{serviceops}/api/oauth/token"))
        .basic_auth("main-web-app-client", Some("main-web-app-secret"))
        .form(&[
            ("grant_type", "password"),
            ("username", "tim@acme.com"),
            ("password", "123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.bytes().await.unwrap().to_vec()
}

/// The generated values one run produces: a JWT, a Digest challenge, a new tenant's state.
async fn generated(seed: &str) -> Vec<Vec<u8>> {
    let standin = Standin::start(&["--seed", seed, "--only", "serviceops,opsmgr"]);
    let client = client();
    let serviceops = standin.url("serviceops");
    let opsmgr = standin.url("opsmgr");
    freeze_at(&client, &serviceops, FROZEN).await;
    freeze_at(&client, &opsmgr, FROZEN).await;
    let mut out = vec![
        token_bytes(&client, &serviceops).await,
        token_bytes(&client, &serviceops).await,
    ];
    for _ in 0..2 {
        let res = client
            .get(format!(
                "{opsmgr}/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let challenge = res.headers()["www-authenticate"].as_bytes().to_vec();
        out.push(challenge);
        out.push(res.bytes().await.unwrap().to_vec());
    }
    out
}

#[tokio::test]
async fn the_same_seed_and_requests_give_byte_identical_responses() {
    let first = generated("42").await;
    let second = generated("42").await;
    assert_eq!(first, second, "same seed, same bytes");
    let other = generated("43").await;
    assert_ne!(first[0], other[0], "another seed gives another token");
    assert_ne!(first[2], other[2], "another seed gives another nonce");
    assert_ne!(first[0], first[1], "two grants in one run differ");
}

#[tokio::test]
async fn sixteen_parallel_tests_each_in_its_own_tenant_do_not_interfere() {
    let standin = Standin::start(&["--only", "serviceops"]);
    let main = standin.url("serviceops");
    let client = client();
    let mut tasks = Vec::new();
    for i in 0..16u64 {
        let client = client.clone();
        let main = main.clone();
        tasks.push(tokio::spawn(async move {
            let created: Value = client
                .post(format!("{main}/_standin/tenants"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let url = created["url"].as_str().unwrap().to_owned();
            let id = created["id"].as_str().unwrap().to_owned();
            // Each "test" bends its own clock and logs in (i + 1) times.
            let res = client
                .post(format!("{url}/_standin/clock"))
                .json(&json!({"advance_secs": i * 60}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let mut token = String::new();
            for _ in 0..=i {
                let body: Value =
                    serde_json::from_slice(&token_bytes(&client, &url).await).unwrap();
                token = body["access_token"].as_str().unwrap().to_owned();
            }
            (i, id, url, token)
        }));
    }
    let mut tenants = Vec::new();
    for task in tasks {
        tenants.push(task.await.unwrap());
    }
    for (i, id, url, _) in &tenants {
        // Its own journal holds exactly its own requests.
        let journal: Value = client
            .get(format!("{url}/_standin/requests"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(journal["count"], i + 1, "tenant {id}: {journal}");
        // The same tenant through the main port and the header.
        let clock: Value = client
            .get(format!("{main}/_standin/clock"))
            .header("X-Standin-Tenant", id)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let offset = clock["offset_ms"].as_i64().unwrap();
        let expected = (*i as i64) * 60_000;
        assert!(
            (offset - expected).abs() < 1_000,
            "tenant {id}: offset {offset}, expected about {expected}"
        );
    }
    for (i, id, url, token) in &tenants {
        // Its token opens its own door and no other tenant's.
        let own = client
            .get(format!("{url}/api/v1/request/1"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_ne!(own.status(), 401, "tenant {id} refused its own token");
        let (_, _, next_url, _) = &tenants[(*i as usize + 1) % tenants.len()];
        let foreign = client
            .get(format!("{next_url}/api/v1/request/1"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            foreign.status(),
            401,
            "tenant {id}'s token opened another tenant"
        );
    }
    // The main instance saw none of it.
    let journal: Value = client
        .get(format!("{main}/_standin/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal["count"], 0, "{journal}");
    for (_, id, url, _) in &tenants {
        let res = client
            .delete(format!("{main}/_standin/tenants/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(client
            .get(format!("{url}/_standin/health"))
            .send()
            .await
            .is_err());
    }
}

async fn post_clock(client: &reqwest::Client, url: &str, body: Value) -> Value {
    let res = client
        .post(format!("{url}/_standin/clock"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn pmp_status(client: &reqwest::Client, url: &str, token: &str) -> Value {
    let body: Value = client
        .get(format!("{url}/restapi/json/v1/resources"))
        .header("AUTHTOKEN", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["operation"]["result"].clone()
}

#[tokio::test]
async fn freezing_advancing_and_setting_the_clock_drives_every_products_expiry_and_times() {
    let standin = Standin::start(&[]);
    let client = client();

    // ServiceOps: access token dead after 7200 s, refresh token still good.
    let sd = standin.url("serviceops");
    post_clock(&client, &sd, json!({"freeze": true})).await;
    let grant: Value = serde_json::from_slice(&token_bytes(&client, &sd).await).unwrap();
    let access = grant["access_token"].as_str().unwrap();
    let refresh = grant["refresh_token"].as_str().unwrap();
    let read = |token: String| {
        let client = client.clone();
        let sd = sd.clone();
        async move {
            client
                .get(format!("{sd}/api/v1/request/1"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_ne!(read(access.to_owned()).await, 401);
    post_clock(&client, &sd, json!({"advance_secs": 7200})).await;
    assert_eq!(
        read(access.to_owned()).await,
        401,
        "access token after 7200 s"
    );
    let res = client
        .post(format!("{sd}/api/oauth/token"))
        .basic_auth("main-web-app-client", Some("main-web-app-secret"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "refresh token after 7200 s");
    let renewed: Value = res.json().await.unwrap();
    assert_ne!(
        read(renewed["access_token"].as_str().unwrap().to_owned()).await,
        401
    );

    // Ops Manager: a nonce outlives its lifetime only as `stale=true`, and only on the clock.
    let ops = standin.url("opsmgr");
    let target = "/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys";
    post_clock(&client, &ops, json!({"freeze": true})).await;
    let res = client.get(format!("{ops}{target}")).send().await.unwrap();
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    let mut prompt = digest_auth::parse(&challenge).unwrap();
    let ctx =
        digest_auth::AuthContext::new("qzvhwmtx", "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3", target);
    let authorised = |header: String| {
        let client = client.clone();
        let url = format!("{ops}{target}");
        async move {
            client
                .get(url)
                .header("authorization", header)
                .send()
                .await
                .unwrap()
        }
    };
    let res = authorised(prompt.respond(&ctx).unwrap().to_header_string()).await;
    assert_eq!(res.status(), 200);
    post_clock(&client, &ops, json!({"advance_secs": 3600})).await;
    let res = authorised(prompt.respond(&ctx).unwrap().to_header_string()).await;
    assert_eq!(res.status(), 401);
    let again = res.headers()["www-authenticate"].to_str().unwrap();
    assert!(again.ends_with("stale=true"), "{again}");

    // PMP: an API user expiring 2020-12-31 works before that date and not after it.
    let pmp = standin.url("pmp");
    let expiring = "A030B0AF-B1FA-451B-96E4-462B0657D190";
    assert_eq!(
        pmp_status(&client, &pmp, expiring).await["status"],
        "Failed"
    );
    post_clock(
        &client,
        &pmp,
        json!({"set": "2020-06-01T00:00:00Z", "freeze": true}),
    )
    .await;
    assert_eq!(
        pmp_status(&client, &pmp, expiring).await["status"],
        "Success"
    );
    post_clock(&client, &pmp, json!({"set": "2021-01-02T00:00:00Z"})).await;
    assert_eq!(
        pmp_status(&client, &pmp, expiring).await["status"],
        "Failed"
    );

    // PMP: a checkout ends after the account's 30 minutes on the clock.
    let admin = "B9A1809A-5BF7-4459-9ED2-8D4F499CB902";
    let user = "C6B1687E-D8D5-4A3E-BF45-77F8D85FCFD4";
    post_clock(&client, &pmp, json!({"set": FROZEN})).await;
    for (path, token) in [
        ("accounts/309/requestpassword", user),
        ("accounts/309/requester/6/approve", admin),
        ("accounts/309/checkout", user),
    ] {
        let body: Value = client
            .post(format!("{pmp}/restapi/json/v1/{path}"))
            .header("AUTHTOKEN", token)
            .form(&[(
                "INPUT_DATA",
                r#"{"operation":{"Details":{"REASON":"clock test"}}}"#,
            )])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            body["operation"]["result"]["status"], "Success",
            "{path}: {body}"
        );
    }
    let password = |pmp: String| {
        let client = client.clone();
        async move {
            let body: Value = client
                .get(format!(
                    "{pmp}/restapi/json/v1/resources/303/accounts/309/password"
                ))
                .header("AUTHTOKEN", user)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["operation"]["result"]["status"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(password(pmp.clone()).await, "Success");
    post_clock(&client, &pmp, json!({"advance_secs": 31 * 60})).await;
    assert_eq!(
        password(pmp.clone()).await,
        "Failed",
        "checkout after 31 minutes"
    );

    // OpManager: an event raised at a set, frozen instant carries that instant.
    let op = standin.url("opmanager");
    post_clock(&client, &op, json!({"set": FROZEN, "freeze": true})).await;
    let res = client
        .post(format!("{op}/api/json/events/addEvent"))
        .header("apiKey", "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b")
        .query(&[
            ("source", "srv-db-01"),
            ("severity", "2"),
            ("message", "clock test"),
            ("alarmCode", "CLOCKTEST"),
            ("entity", "srv-db-01_ClockTest"),
            ("eventType", "Threshold"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let alarms: Value = client
        .get(format!("{op}/api/json/alarm/listAlarms"))
        .header("apiKey", "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let raised = alarms
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["entity"] == "srv-db-01_ClockTest")
        .unwrap_or_else(|| panic!("no alarm for the event: {alarms}"));
    assert_eq!(
        raised["modTimeLong"].to_string().trim_matches('"'),
        "1798761600000",
        "{raised}"
    );
}

/// The journal of `url`, as text.
async fn journal_text(client: &reqwest::Client, url: &str) -> String {
    let res = client
        .get(format!("{url}/_standin/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// A request path and its extra headers.
type Sent = (String, Vec<(&'static str, &'static str)>);

#[tokio::test]
async fn no_secret_reaches_the_journal_in_any_spelling_a_client_can_send() {
    let standin = Standin::start(&[]);
    let client = client();
    const OPM_KEY: &str = "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b";
    const PMP_TOKEN: &str = "B9A1809A-5BF7-4459-9ED2-8D4F499CB902";
    const OPSMGR_PRIVATE: &str = "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3";
    let cases: [(&str, Vec<Sent>, Vec<&str>); 4] = [
        (
            "opmanager",
            vec![
                (format!("/api/json/device/listDevices?api_key={OPM_KEY}"), vec![]),
                (format!("/api/json/device/listDevices?apiKey={OPM_KEY}"), vec![]),
                (format!("/api/json/device/listDevices?APIKEY={OPM_KEY}"), vec![]),
                (format!("/api/json/device/listDevices?ap%69Key={OPM_KEY}"), vec![]),
                ("/api/json/device/listDevices".into(), vec![("apiKey", OPM_KEY)]),
            ],
            vec![OPM_KEY],
        ),
        (
            "pmp",
            vec![
                (format!("/restapi/json/v1/resources;AUTHTOKEN={PMP_TOKEN}"), vec![]),
                (format!("/restapi/json/v1/resources?AUTHTOKEN={PMP_TOKEN}"), vec![]),
                (format!("/restapi/json/v1/resources?authtoken={PMP_TOKEN}"), vec![]),
                ("/restapi/json/v1/resources".into(), vec![("AUTHTOKEN", PMP_TOKEN)]),
                (
                    "/restapi/json/v1/resources/1/accounts/1/password?INPUT_DATA=\
                     {\"operation\":{\"Details\":{\"NEWP%41SSWORD\":\"pmp-new-pw-1\",\"RESETTYPE\":\"LOCAL\"}}}"
                        .into(),
                    vec![("AUTHTOKEN", PMP_TOKEN)],
                ),
                (
                    "/restapi/json/v1/resources?INPUT_DATA={\"operation\":{\"Details\":{\"PASSWORD\":\"pmp-pw-2\"}}}"
                        .into(),
                    vec![],
                ),
            ],
            vec![PMP_TOKEN, "pmp-new-pw-1", "pmp-pw-2"],
        ),
        (
            "opsmgr",
            vec![
                (format!("/api/public/v1.0/orgs?privateKey={OPSMGR_PRIVATE}"), vec![]),
                (format!("/api/public/v1.0/orgs?private_key={OPSMGR_PRIVATE}"), vec![]),
                (format!("/api/public/v1.0/orgs?PRIVATEKEY={OPSMGR_PRIVATE}"), vec![]),
                (
                    "/api/public/v1.0/orgs".into(),
                    vec![("Authorization", "Digest username=\"qzvhwmtx\", response=\"opsmgr-digest-resp\"")],
                ),
            ],
            vec![OPSMGR_PRIVATE, "opsmgr-digest-resp"],
        ),
        (
            "serviceops",
            vec![
                (
                    "/api/oauth/token?client_secret=so-secret-1&refresh_token=so-refresh-2".into(),
                    vec![("Authorization", "Basic c28tYmFzaWMtMw==")],
                ),
                ("/api/v3/requests".into(), vec![("Authorization", "Bearer so-jwt-4")]),
                ("/api/v3/requests".into(), vec![("authtoken", "so-authtoken-5")]),
            ],
            vec!["so-secret-1", "so-refresh-2", "c28tYmFzaWMtMw", "so-jwt-4", "so-authtoken-5"],
        ),
    ];
    for (product, requests, secrets) in cases {
        let url = standin.url(product);
        for (path, headers) in &requests {
            let mut req = client.get(format!("{url}{path}"));
            for (name, value) in headers {
                req = req.header(*name, *value);
            }
            req.send().await.unwrap();
        }
        let log = journal_text(&client, &url).await;
        assert!(
            log.contains(&format!("\"count\":{}", requests.len())),
            "{product}: {log}"
        );
        for secret in secrets {
            assert!(!log.contains(secret), "{product}: {secret} in {log}");
        }
        assert!(log.contains("[redacted]"), "{product}: {log}");
    }
}

#[test]
fn verbose_logs_one_redacted_request_line_per_request() {
    let standin = Standin::start(&["--only", "opmanager", "--verbose"]);
    let url = standin.url("opmanager");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let res = client()
            .get(format!(
                "{url}/api/json/device/listDevices?apiKey=3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    });
    let out = standin.terminate();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("standin::request"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    for field in [
        "product=\"opmanager\"",
        "method=\"GET\"",
        "path=\"/api/json/device/listDevices\"",
        "status=200",
        "latency_ms=",
        "operation=\"opmanager.",
        "principal=\"admin\"",
        "reason=",
    ] {
        assert!(lines[0].contains(field), "{field} not in {}", lines[0]);
    }
    assert!(
        !stderr.contains("3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b"),
        "{stderr}"
    );
}

fn threads(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// Tenants share one runner thread and one route table per product: creating 30 of them
/// starts one thread, not one per tenant, and a tenant created after others were deleted is
/// served on the same thread. Each still answers on its own port from its own state, and a
/// deleted one's port (and its kept-alive connection) answers nothing more.
#[tokio::test]
async fn tenants_share_one_runner_thread_and_a_deleted_ones_connections_close() {
    let standin = Standin::start(&["--only", "opsmgr"]);
    let main = standin.url("opsmgr");
    let client = client();
    // Counted once the main listener has served a request (its workers start after the
    // ready file is written).
    let res = client
        .get(format!("{main}/_standin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let before = threads(standin.pid());
    let mut after_first_round = None;
    let mut tenants = Vec::new();
    for round in 0..2 {
        for _ in 0..15 {
            let t: Value = client
                .post(format!("{main}/_standin/tenants"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            tenants.push((
                t["id"].as_str().unwrap().to_owned(),
                t["url"].as_str().unwrap().to_owned(),
            ));
        }
        // Every tenant answers on its own port with its own clock.
        for (i, (id, url)) in tenants.iter().enumerate() {
            let at = format!("203{}-01-01T00:00:0{}Z", round, i % 10);
            post_clock(&client, url, json!({"set": at, "freeze": true})).await;
            let clock: Value = client
                .get(format!("{main}/_standin/clock"))
                .header("x-standin-tenant", id)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(clock["now"], json!(at), "tenant {id}: {clock}");
        }
        // At most the runner thread more than before (a tenant server per tenant was two
        // threads each), and the same after the second round as after the first.
        let now = threads(standin.pid());
        assert!(
            now <= before + 2,
            "round {round}: {now} threads, {before} before"
        );
        assert_eq!(*after_first_round.get_or_insert(now), now, "round {round}");
        // Delete the first half through their own ports, the rest through the main port.
        let gone = std::mem::take(&mut tenants);
        for (i, (id, url)) in gone.iter().enumerate() {
            let base = if i % 2 == 0 { url } else { &main };
            let res = client
                .delete(format!("{base}/_standin/tenants/{id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "deleting {id} through {base}");
            // The same client's kept-alive connection to the tenant is closed, and the port
            // refuses new ones.
            assert!(client
                .get(format!("{url}/_standin/health"))
                .send()
                .await
                .is_err());
            assert!(reqwest::Client::new()
                .get(format!("{url}/_standin/health"))
                .send()
                .await
                .is_err());
        }
    }
}
