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
