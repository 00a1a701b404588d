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
