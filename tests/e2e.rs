//! End-to-end tests of the `standin` binary: real process, real ports, real clients
//! (reqwest, and curl where the vendors' documents use curl).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::*;

#[tokio::test]
async fn all_four_products_start_on_ephemeral_ports_reset_and_stop_cleanly_on_sigterm() {
    let standin = Standin::start(&[]);
    let keys: Vec<&String> = standin.ready.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["opmanager", "serviceops", "pmp", "opsmgr"]);
    assert!(standin.url("pmp").starts_with("https://127.0.0.1:"));
    assert!(standin.url("opsmgr").starts_with("http://127.0.0.1:"));
    let raw = serde_json::to_string(&standin.ready).unwrap();
    assert!(!raw.contains(' '), "the ready file is compact JSON: {raw}");

    let client = client();
    for product in ["opmanager", "serviceops", "pmp", "opsmgr"] {
        let health: Value = client
            .get(format!("{}/_standin/health", standin.url(product)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["product"], product);
        assert_eq!(health["status"], "ok");
    }
    let res = client
        .post(format!("{}/_standin/reset", standin.url("opsmgr")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let output = standin.terminate();
    assert!(output.status.success(), "exit status {:?}", output.status);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for product in ["opmanager", "serviceops", "pmp", "opsmgr"] {
        assert!(stdout.lines().any(|l| l.starts_with(product)), "{stdout}");
    }
}

#[test]
fn a_bad_flag_exits_non_zero_with_one_clear_line() {
    for args in [
        vec!["--bogus"],
        vec!["--only", "jira"],
        vec!["--port-pmp", "99999"],
        vec!["--tls", "nothing"],
    ] {
        let output = Command::new(BIN).args(&args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("standin: "), "{stderr}");
    }
}

#[test]
fn a_port_in_use_is_refused_and_no_product_is_left_started() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("ready.json");
    let output = Command::new(BIN)
        .args(all_ports_zero())
        .args(["--port-opsmgr", &port])
        .arg("--ready-file")
        .arg(&ready)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&port) && stderr.contains("in use"),
        "{stderr}"
    );
    assert!(!ready.exists(), "no ready file when nothing started");
    assert!(
        String::from_utf8_lossy(&output.stdout).trim().is_empty(),
        "no product announced"
    );
}

#[test]
fn an_unreadable_fixtures_dir_or_bad_fixture_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("opsmgr.json"), "{ not json").unwrap();
    let output = Command::new(BIN)
        .args(all_ports_zero())
        .arg("--fixtures")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("opsmgr.json"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

fn curl(args: &[&str]) -> (String, String) {
    let output = Command::new("curl")
        .args(["-s", "-S"])
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_vendor_documents_curl_commands_work_against_standin() {
    let standin = Standin::start(&[]);

    // PMP seed: curl -k https://host:7272/restapi/json/v1/resources?AUTHTOKEN=...
    let (out, err) = curl(&[
        "-k",
        &format!(
            "{}/restapi/json/v1/resources?AUTHTOKEN=B9A1809A-5BF7-4459-9ED2-8D4F499CB902",
            standin.url("pmp")
        ),
    ]);
    let body: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    assert_eq!(body["operation"]["result"]["status"], "Success", "{body}");
    assert!(body["operation"]["totalRows"].as_i64().unwrap() >= 1);
    let (out, _) = curl(&[
        "-k",
        &format!(
            "{}/restapi/json/v1/resources?AUTHTOKEN=00000000-0000-0000-0000-000000000000",
            standin.url("pmp")
        ),
    ]);
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["operation"]["result"]["status"], "Failed", "{body}");

    // Ops Manager: curl --digest --user PUBLIC:PRIVATE .../groups/{GROUP}/apiKeys
    let (out, err) = curl(&[
        "--digest",
        "--user",
        "qzvhwmtx:9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
        &format!(
            "{}/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys",
            standin.url("opsmgr")
        ),
    ]);
    let body: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    assert!(
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["publicKey"] == "qzvhwmtx"),
        "{body}"
    );

    // ServiceOps seed: the token request with Basic client credentials and a multipart form.
    let (out, err) = curl(&[
        "--request",
        "POST",
        "--url",
        &format!("{}/api/oauth/token", standin.url("serviceops")),
        "--header",
        "Authorization: Basic bWFpbi13ZWItYXBwLWNsaWVudDptYWluLXdlYi1hcHAtc2VjcmV0",
        "--form",
        "username=tim@acme.com",
        "--form",
        "password=123",
        "--form",
        "grant_type=password",
    ]);
    let body: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    assert_eq!(body["token_type"], "bearer", "{body}");
    assert_eq!(body["scope"], "main-web-app-scope");

    // OpManager: apiKey as a header.
    let (out, _) = curl(&[
        "-H",
        "apiKey: 3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b",
        &format!("{}/api/json/device/listDevices", standin.url("opmanager")),
    ]);
    let body: Value = serde_json::from_str(&out).unwrap();
    assert!(body["rows"].as_array().unwrap().len() > 1, "{body}");
}

fn data_dir_args(dir: &Path) -> Vec<String> {
    vec!["--data-dir".into(), dir.display().to_string()]
}

#[tokio::test]
async fn data_dir_state_survives_a_restart_and_a_second_standin_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let args = data_dir_args(data.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let client = client();

    let first = Standin::start(&args);
    // A change made through the control API: a snapshot, and the state itself.
    let opsmgr = first.url("opsmgr");
    let mut state: Value = client
        .get(format!("{opsmgr}/_standin/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = client
        .put(format!("{opsmgr}/_standin/state"))
        .json(&state)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client
        .post(format!("{opsmgr}/_standin/snapshots/kept"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    let second = Command::new(BIN)
        .args(all_ports_zero())
        .args(&args)
        .output()
        .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("another standin"), "{stderr}");

    let output = first.terminate();
    assert!(output.status.success());

    let again = Standin::start(&args);
    let opsmgr = again.url("opsmgr");
    let after: Value = client
        .get(format!("{opsmgr}/_standin/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after, std::mem::take(&mut state));
    let list: Value = client
        .get(format!("{opsmgr}/_standin/snapshots"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["snapshots"][0]["name"], "kept");
    for product in ["opmanager", "serviceops", "pmp", "opsmgr"] {
        assert!(data.path().join(format!("{product}.sqlite3")).exists());
    }
}

#[test]
fn healthcheck_exits_zero_for_a_live_ready_file_and_one_otherwise() {
    let standin = Standin::start(&["--only", "pmp,opsmgr"]);
    let dir = tempfile::tempdir().unwrap();
    let ready: PathBuf = dir.path().join("ready.json");
    std::fs::write(&ready, standin.ready.to_string()).unwrap();
    let ok = Command::new(BIN)
        .arg("healthcheck")
        .arg("--ready-file")
        .arg(&ready)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert_eq!(standin.ready.as_object().unwrap().len(), 2);

    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bad = Command::new(BIN)
        .args(["healthcheck", "--url", &format!("http://127.0.0.1:{dead}")])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    drop(standin);
}

#[test]
fn an_unusable_data_dir_is_refused_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let bad = file.join("data");
    let output = Command::new(BIN)
        .args(all_ports_zero())
        .arg("--data-dir")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not-a-dir"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).trim().is_empty());
}
