//! The benchmark harness in `--quick` mode against the `standin` binary, so it cannot rot:
//! every workload and the sweep run, and nothing answers with an unexpected status.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_harness_runs_every_workload_in_quick_mode() {
    let standin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_standin"));
    // `standin-floor` is the bench crate's binary: next to standin after a workspace build.
    let floor = standin.with_file_name("standin-floor");
    let floor_rows = if floor.exists() { 2 } else { 0 };
    let mut options = standin_bench::Options::quick(standin);
    options.floor = floor.exists().then_some(floor);
    options.duration = std::time::Duration::from_millis(150);
    options.connections = 2;
    let report = standin_bench::run(&options).await.unwrap();
    assert_eq!(
        report.rows.len(),
        standin_bench::WORKLOADS.len() + floor_rows
    );
    if floor_rows > 0 {
        assert!(report.rows.iter().all(|r| r.cpu_x_floor.is_some()));
    }
    assert!(
        report.rows.iter().all(|r| r.requests > 0),
        "{}",
        report.table()
    );
    assert_eq!(report.unexpected(), 0, "{}", report.table());
    // Quick mode sweeps one size: one row per target.
    assert_eq!(report.sweep.len(), standin_bench::SWEEP_TARGETS);
    assert!(report.startup_median_ms() > 0.0);
    let json = report.to_json();
    let first = if floor_rows > 0 {
        "floor: bare actix-web hello"
    } else {
        "control: GET /_standin/health"
    };
    assert_eq!(json["workloads"][0]["name"], first);
}
