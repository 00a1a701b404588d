//! A store that cannot grow (a full disk, simulated with SQLite's `max_page_count` on a
//! `--data-dir` file) refuses writes with a clean error in the vendor's format, writes
//! nothing half, keeps serving reads, and recovers once there is room again.

use serde_json::{Value, json};
use standin_testkit::{Server, Standin};

fn set_max_pages<P: standin_testkit::Kit>(server: &Server<P>, pages: Option<i64>) {
    server
        .host()
        .main
        .store
        .read(|conn| {
            let limit = pages.unwrap_or(1_073_741_823);
            conn.query_row(&format!("PRAGMA max_page_count = {limit}"), [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .unwrap();
}

fn page_count<P: standin_testkit::Kit>(server: &Server<P>) -> i64 {
    server
        .host()
        .main
        .store
        .read(|conn| conn.query_row("PRAGMA page_count", [], |r| r.get(0)))
        .unwrap()
}

#[tokio::test]
async fn serviceops_refuses_writes_cleanly_on_a_full_store_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let sd = Standin::serviceops().data_dir(dir.path()).start().await;
    let bearer = sd.access_token().await;
    let create = |subject: String| {
        let client = sd.client();
        let url = format!("{}/api/v1/request", sd.url());
        let bearer = bearer.clone();
        async move {
            client
                .post(url)
                .bearer_auth(bearer)
                .json(&json!({"subject": subject, "description": "x".repeat(20_000), "requesterEmail": "tim@acme.com"}))
                .send()
                .await
                .unwrap()
        }
    };
    let before = sd.state().await;
    set_max_pages(&sd, Some(page_count(&sd)));
    let mut refused = None;
    let mut accepted = 0;
    for i in 0..50 {
        let res = create(format!("fill {i}")).await;
        if res.status() == 200 {
            accepted += 1;
        } else {
            refused = Some((res.status(), res.text().await.unwrap()));
            break;
        }
    }
    let (status, body) = refused.expect("a full store refuses a write");
    assert_eq!(status, 500, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert!(
        body.get("userMessage").is_some() || body.get("error").is_some(),
        "{body}"
    );
    // Reads still work, and nothing half-written appeared.
    let res = sd
        .client()
        .get(format!("{}/api/v1/request/1", sd.url()))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_ne!(res.status().as_u16(), 500);
    let count = |state: &Value| state["requests"].as_array().map_or(0, Vec::len);
    assert_eq!(
        count(&sd.state().await),
        count(&before) + accepted,
        "only the acknowledged requests are there"
    );
    // Room again: writes work.
    set_max_pages(&sd, None);
    assert_eq!(create("after".into()).await.status(), 200);
}
