//! End-to-end tests of the `standin` binary: real process, real ports, real clients
//! (reqwest, and curl where the vendors' documents use curl).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
#[path = "e2e/cors.rs"]
mod cors;
#[path = "e2e/openapi.rs"]
mod openapi;
#[path = "e2e/rough_edges.rs"]
mod rough_edges;

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
        vec!["--workers", "0"],
        vec!["--control-allow", "nowhere"],
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

fn one_line_error(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("standin: "), "{stderr}");
    stderr
}

#[test]
fn a_misnamed_file_or_an_unreadable_fixtures_folder_is_refused_with_one_line_naming_it() {
    for bad in ["pmpp.json", "pmp.jsn", "README.md"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(bad), "{}").unwrap();
        let output = Command::new(BIN)
            .args(all_ports_zero())
            .arg("--fixtures")
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{bad}");
        let stderr = one_line_error(&output);
        assert!(stderr.contains(bad), "{stderr}");
        assert!(
            stderr.contains("opmanager, serviceops, pmp or opsmgr"),
            "{stderr}"
        );
        assert!(String::from_utf8_lossy(&output.stdout).trim().is_empty());
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixtures.json");
    std::fs::write(&file, "{}").unwrap();
    for folder in [dir.path().join("missing"), file] {
        let output = Command::new(BIN)
            .args(all_ports_zero())
            .arg("--fixtures")
            .arg(&folder)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", folder.display());
        let stderr = one_line_error(&output);
        assert!(stderr.contains(&folder.display().to_string()), "{stderr}");
        assert!(stderr.contains("cannot read"), "{stderr}");
    }
}

#[tokio::test]
async fn a_fixtures_folder_with_known_names_only_is_used_and_dot_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path("opsmgr.json")).unwrap())
            .unwrap();
    std::fs::write(dir.path().join("opsmgr.json"), state.to_string()).unwrap();
    std::fs::write(dir.path().join(".gitkeep"), "").unwrap();
    let folder = dir.path().display().to_string();
    let standin = Standin::start(&["--only", "opsmgr", "--fixtures", &folder]);
    let res = client()
        .get(format!("{}/_standin/health", standin.url("opsmgr")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

#[test]
fn zero_workers_or_a_bad_log_filter_are_refused_with_one_line() {
    for args in [
        vec!["--workers", "0"],
        vec!["--log-level", "info,=nonsense=["],
    ] {
        let output = Command::new(BIN)
            .args(all_ports_zero())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = one_line_error(&output);
        assert!(stderr.contains(args[0]), "{stderr}");
    }
}

#[test]
fn startup_prints_the_version_the_products_then_exactly_one_ready_line_and_sigterm_removes_the_ready_file(
) {
    let standin = Standin::start(&["--only", "pmp,opsmgr"]);
    let ready = standin.ready_path();
    assert!(ready.exists());
    let output = standin.terminate();
    assert!(output.status.success(), "{:?}", output.status);
    assert!(!ready.exists(), "the ready file is removed on a clean stop");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("standin {}", env!("CARGO_PKG_VERSION")),
        "{stdout}"
    );
    let ready_lines: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("standin: ready"))
        .collect();
    assert_eq!(ready_lines.len(), 1, "{stdout}");
    let pmp = lines.iter().position(|l| l.starts_with("pmp ")).unwrap();
    let opsmgr = lines.iter().position(|l| l.starts_with("opsmgr ")).unwrap();
    assert!(pmp < ready_lines[0] && opsmgr < ready_lines[0], "{stdout}");
    assert!(!stdout.contains("opmanager"), "{stdout}");
}

#[test]
fn ctrl_c_also_removes_the_ready_file() {
    let standin = Standin::start(&["--only", "opmanager"]);
    let ready = standin.ready_path();
    let output = standin.signal("INT");
    assert!(output.status.success(), "{:?}", output.status);
    assert!(!ready.exists());
}

#[tokio::test]
async fn binding_all_interfaces_prints_a_local_url_that_works_and_warns_about_remote_control() {
    let standin = Standin::start(&["--only", "opsmgr", "--bind", "0.0.0.0"]);
    let url = standin.url("opsmgr");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let res = client()
        .get(format!("{url}/_standin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let output = standin.terminate();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("all interfaces"), "{stdout}");
    let warning: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("remote control callers will be refused"))
        .collect();
    assert_eq!(warning.len(), 1, "{stdout}");
    assert!(warning[0].contains("--control-token"), "{stdout}");
}

#[test]
fn startup_says_how_the_control_api_is_protected_without_printing_the_token() {
    let standin = Standin::start(&["--only", "opsmgr", "--control-token", "s3cr3t-t0ken"]);
    let output = standin.terminate();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("Authorization: Bearer <control token>"),
        "{stdout}"
    );
    assert!(!stdout.contains("s3cr3t") && !stderr.contains("s3cr3t"));

    let standin = Standin::start(&["--only", "opsmgr"]);
    let stdout = String::from_utf8_lossy(&standin.terminate().stdout).into_owned();
    assert!(stdout.contains("loopback callers only"), "{stdout}");
    assert!(!stdout.contains("will be refused"), "{stdout}");
}

#[test]
fn rust_log_is_honoured_and_no_colour_is_written_to_a_pipe() {
    let standin = Standin::start_with_env(&["--only", "opsmgr"], &[("RUST_LOG", "info")]);
    let output = standin.terminate();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("INFO"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no ANSI escapes: {stderr:?}");

    let standin = Standin::start(&["--only", "opsmgr"]);
    let output = standin.terminate();
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("INFO"),
        "warn by default"
    );
}

/// This machine's address on its default route, if it has one (no packet is sent).
fn non_loopback_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn control_allow_opens_the_control_api_to_a_network_and_startup_says_so() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!("no non-loopback address on this machine: nothing to call from");
        return;
    };
    let client = client();
    let health = |standin: &Standin| {
        let port = standin.url("opsmgr").rsplit(':').next().unwrap().to_owned();
        format!("http://{ip}:{port}/_standin/health")
    };
    // Arrange: bound everywhere, nothing allowed.
    let closed = Standin::start(&["--only", "opsmgr", "--bind", "0.0.0.0"]);
    let res = client.get(health(&closed)).send().await.unwrap();
    assert_eq!(res.status(), 403, "a remote caller is refused by default");
    drop(closed);

    // Act: the flag, then the variable (comma-separated).
    let net = format!("{ip}/32");
    let by_flag = Standin::start(&[
        "--only",
        "opsmgr",
        "--bind",
        "0.0.0.0",
        "--control-allow",
        &net,
    ]);
    let res = client.get(health(&by_flag)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let stdout = String::from_utf8_lossy(&by_flag.terminate().stdout).into_owned();
    assert!(
        stdout.contains(&format!("loopback callers and {net}")),
        "{stdout}"
    );
    assert!(!stdout.contains("will be refused"), "{stdout}");

    let by_env = Standin::start_with_env(
        &["--only", "opsmgr", "--bind", "0.0.0.0"],
        &[("STANDIN_CONTROL_ALLOW", &format!("fd00::/8,{ip}"))],
    );
    let res = client.get(health(&by_env)).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

/// Every product's route table is matched by auth-core's segment dispatch, none left to
/// actix's regex per route (`auth_core::dispatch`): a new pattern of a form the dispatch does
/// not match like actix would quietly fall back to the slower table.
#[test]
fn every_products_route_table_is_served_by_the_segment_dispatch() {
    use auth_core::dispatch::unsupported;
    let left: Vec<(&str, Vec<&str>)> = vec![
        ("opmanager", unsupported::<opmanager_keys::OpManager>()),
        ("serviceops", unsupported::<serviceops_oauth::ServiceOps>()),
        ("pmp", unsupported::<pmp_vault::Pmp>()),
        ("opsmgr", unsupported::<opsmgr_apikeys::OpsMgr>()),
    ];
    for (product, paths) in left {
        assert!(paths.is_empty(), "{product}: left to actix: {paths:?}");
    }
}

/// A state document whose text is not UTF-8 (a byte 0xFF inside a string value) is refused by
/// every product, and the state stays as it was; the same document in UTF-8 is taken.
#[tokio::test]
async fn a_state_document_that_is_not_utf8_is_refused_and_changes_nothing() {
    let standin = Standin::start(&[]);
    let client = client();
    for product in ["opmanager", "serviceops", "pmp", "opsmgr"] {
        let url = format!("{}/_standin/state", standin.url(product));
        let before = client
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let text = String::from_utf8(before.to_vec()).unwrap();
        // The first string value of the document: its first character becomes 0xFF.
        let at = text.find(":\"").unwrap() + 2;
        let mut bad = text.clone().into_bytes();
        bad[at] = 0xFF;
        let res = client
            .put(&url)
            .header("content-type", "application/json")
            .body(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{product}");
        let after = client
            .get(&url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(after, before, "{product}");
        let res = client
            .put(&url)
            .header("content-type", "application/json")
            .body(text)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{product}");
    }
}
