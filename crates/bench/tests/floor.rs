//! The floor server the bench compares standin against answers like a bare actix-web hello,
//! and the floor workload measures it.

use standin_bench::{measure_floor, Options, StandinProcess, Workload};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_floor_server_answers_hello_and_its_workload_is_measured() {
    let floor =
        StandinProcess::start_floor(Path::new(env!("CARGO_BIN_EXE_standin-floor"))).unwrap();
    let body = reqwest::get(format!("{}/", floor.url("floor")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "Hello, world!");

    let mut options = Options::quick(PathBuf::from("unused"));
    options.duration = Duration::from_millis(150);
    options.connections = 2;
    let row = measure_floor(&floor, &options).await.unwrap();

    assert_eq!(row.workload, Workload::Floor);
    assert!(row.requests > 0);
    assert_eq!(row.unexpected, 0);
}

#[test]
fn the_floor_server_refuses_a_bad_command_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_standin-floor"))
        .args(["--workers", "0", "--ready-file", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--workers needs a positive number"));
}
