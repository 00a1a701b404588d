//! Durability with `--data-dir`: every acknowledged write survives `kill -9` and a SIGTERM
//! under load, and the store passes `PRAGMA integrity_check` afterwards.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod common;

use common::*;

async fn token(client: &reqwest::Client, url: &str) -> String {
    let body: Value = client
        .post(format!("{url}/api/oauth/token"))
        .basic_auth("main-web-app-client", Some("main-web-app-secret"))
        .form(&[
            ("grant_type", "password"),
            ("username", "tim@acme.com"),
            ("password", "123"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Four writers create requests until told to stop; each returns what was acknowledged.
async fn write_until(url: String, stop: Arc<AtomicBool>) -> Vec<(u64, String)> {
    let client = client();
    let bearer = token(&client, &url).await;
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, url, bearer, stop) =
            (client.clone(), url.clone(), bearer.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let subject = format!("durable {w}-{i}");
                let res = client
                    .post(format!("{url}/api/v1/request"))
                    .bearer_auth(&bearer)
                    .json(&json!({"subject": subject, "requesterEmail": "tim@acme.com"}))
                    .send()
                    .await;
                let Ok(res) = res else { break };
                if res.status() != 200 {
                    break;
                }
                let Ok(body) = res.json::<Value>().await else {
                    break;
                };
                acked.push((body["id"].as_u64().unwrap(), subject));
            }
            acked
        }));
    }
    let mut all = Vec::new();
    for w in writers {
        all.extend(w.await.unwrap());
    }
    all
}

async fn assert_all_present(url: &str, acked: &[(u64, String)]) {
    let client = client();
    let bearer = token(&client, url).await;
    for (id, subject) in acked {
        let res = client
            .get(format!("{url}/api/v1/request/{id}"))
            .bearer_auth(&bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "acknowledged request {id} is lost");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["subject"], subject.as_str());
    }
}

fn integrity_ok(dir: &Path) {
    let conn = rusqlite::Connection::open(dir.join("serviceops.sqlite3")).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdict, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_kill_9() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    let args = ["--only", "serviceops", "--data-dir", dir.as_str()];
    let mut standin = Standin::start(&args);
    let url = standin.url("serviceops");
    let stop = Arc::new(AtomicBool::new(false));
    let writing = tokio::spawn(write_until(url, stop.clone()));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    standin.kill_9();
    stop.store(true, Ordering::Relaxed);
    let acked = writing.await.unwrap();
    assert!(
        acked.len() > 20,
        "only {} writes before the kill",
        acked.len()
    );
    drop(standin);

    let again = Standin::start(&args);
    assert_all_present(&again.url("serviceops"), &acked).await;
    drop(again);
    integrity_ok(data.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_finishes_in_flight_requests_and_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    let args = ["--only", "serviceops", "--data-dir", dir.as_str()];
    let standin = Standin::start(&args);
    let url = standin.url("serviceops");
    let stop = Arc::new(AtomicBool::new(false));
    let writing = tokio::spawn(write_until(url, stop.clone()));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let output = tokio::task::spawn_blocking(move || standin.terminate())
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    assert!(output.status.success(), "exit status {:?}", output.status);
    let acked = writing.await.unwrap();
    assert!(
        acked.len() > 10,
        "only {} writes before SIGTERM",
        acked.len()
    );

    let again = Standin::start(&args);
    assert_all_present(&again.url("serviceops"), &acked).await;
    drop(again);
    integrity_ok(data.path());
    assert!(Command::new(BIN)
        .arg("--version")
        .output()
        .unwrap()
        .status
        .success());
}

/// `kill -9` while a whole-state replace is being written (its pages already spilling to the
/// WAL, the `PUT` not answered) leaves the state acknowledged before it, whole; a replace that
/// was answered survives the next `kill -9`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_state_replace_keeps_the_state_before_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    let args = ["--only", "serviceops", "--data-dir", dir.as_str()];
    let wal = data.path().join("serviceops.sqlite3-wal");
    let mut standin = Standin::start(&args);
    let url = standin.url("serviceops");
    let client = client();
    let get_state = |url: String| {
        let client = client.clone();
        async move {
            let res = client
                .get(format!("{url}/_standin/state"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    // The state before the replace differs from the fixtures (which a restart on an empty
    // data file would load), so a replace left half-done cannot pass for it.
    let mut before = get_state(url.clone()).await;
    before["requests"][0]["subject"] = json!("kept through the kill");
    let res = client
        .put(format!("{url}/_standin/state"))
        .json(&before)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let before = get_state(url.clone()).await;
    assert_eq!(before["requests"][0]["subject"], "kept through the kill");

    // 60,000 requests cloned from the fixture's first: seconds of writing in a debug build.
    let mut big = before.clone();
    let template = big["requests"][0].clone();
    let n = 60_000u64;
    big["requests"] = Value::Array(
        (0..n)
            .map(|i| {
                let mut req = template.clone();
                req["id"] = json!(1_000_000 + i);
                req["name"] = json!(format!("INC-{}", 1_000_000 + i));
                req
            })
            .collect(),
    );
    for key in [
        "serviceRequests",
        "changes",
        "assets",
        "conversations",
        "attachments",
    ] {
        big[key] = json!([]);
    }
    big["sequences"]["nextId"] = json!(1_000_000 + n + 1);
    big["sequences"]["nextTicketNumber"] = json!(1_000_000 + n + 1);
    let body = serde_json::to_vec(&big).unwrap();
    drop(big);

    let wal_at_start = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let put = {
        let client = client.clone();
        let url = url.clone();
        tokio::spawn(async move {
            client
                .put(format!("{url}/_standin/state"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map(|res| res.status().as_u16())
        })
    };
    // Kill once the replace's transaction has written 8 MB of pages to the WAL.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size > wal_at_start + 8 * 1024 * 1024 {
            break;
        }
        assert!(
            !put.is_finished(),
            "the PUT ended before 8 MB reached the WAL"
        );
        assert!(std::time::Instant::now() < deadline, "the WAL did not grow");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    standin.kill_9();
    let answered = put.await.unwrap();
    assert!(answered.is_err(), "the PUT was answered: {answered:?}");
    drop(standin);

    let mut again = Standin::start(&args);
    let url = again.url("serviceops");
    assert_eq!(get_state(url.clone()).await, before);

    // An answered replace is kept through the next kill -9.
    let mut small = before.clone();
    small["requests"] = json!([before["requests"][0].clone()]);
    for key in ["conversations", "attachments"] {
        small[key] = json!([]);
    }
    let res = client
        .put(format!("{url}/_standin/state"))
        .json(&small)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let after_put = get_state(url.clone()).await;
    assert_eq!(after_put["requests"].as_array().unwrap().len(), 1);
    again.kill_9();
    drop(again);
    let third = Standin::start(&args);
    assert_eq!(get_state(third.url("serviceops")).await, after_put);
    drop(third);
    integrity_ok(data.path());
}
