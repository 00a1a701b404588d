//! `standin-bench`: run the measurements against the release `standin` binary and print a
//! table (and write it as JSON).
//!
//! ```text
//! cargo build --release && cargo run --release -p bench -- [--quick] [--json PATH]
//! ```

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Measure standin: startup, memory, throughput and latency per workload, and the scale sweep.
#[derive(Debug, Parser)]
#[command(name = "standin-bench", version, about)]
struct Args {
    /// The standin binary (default: `standin` next to this binary, i.e. target/release).
    #[arg(long)]
    standin: Option<PathBuf>,
    /// A smoke run of a few seconds.
    #[arg(long)]
    quick: bool,
    /// Connections per workload.
    #[arg(long)]
    connections: Option<usize>,
    /// Seconds per workload.
    #[arg(long)]
    seconds: Option<f64>,
    /// Record counts for the scale sweep, comma-separated (`none` to skip).
    #[arg(long, value_delimiter = ',')]
    sweep: Option<Vec<String>>,
    /// Only workloads and sweep targets whose name contains this, e.g. `opsmgr` (the control
    /// always runs).
    #[arg(long)]
    filter: Option<String>,
    /// The bare actix-web floor server (default: `standin-floor` next to this binary);
    /// `none` skips the floor rows.
    #[arg(long)]
    floor: Option<PathBuf>,
    /// Identical passes of every workload on one server (at least 2), RSS read after each.
    #[arg(long, default_value_t = 2)]
    passes: usize,
    /// Write the report as JSON here.
    #[arg(long, default_value = "target/standin-bench.json")]
    json: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let standin = match args.standin.clone().or_else(|| sibling("standin")) {
        Some(path) => path,
        None => {
            eprintln!("standin-bench: cannot find the standin binary; build it (cargo build --release) or pass --standin");
            return ExitCode::from(2);
        }
    };
    let mut options = if args.quick {
        standin_bench::Options::quick(standin)
    } else {
        standin_bench::Options::full(standin)
    };
    if let Some(c) = args.connections {
        options.connections = c.max(1);
    }
    if let Some(s) = args.seconds {
        options.duration = Duration::from_secs_f64(s.max(0.05));
    }
    options.filter = args.filter.clone();
    options.passes = args.passes.max(2);
    options.floor = match &args.floor {
        Some(p) if p.as_os_str() == "none" => None,
        Some(p) => Some(p.clone()),
        None => sibling("standin-floor"),
    };
    if let Some(sweep) = &args.sweep {
        options.sweep = sweep.iter().filter_map(|n| n.trim().parse().ok()).collect();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("standin-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(standin_bench::run(&options)) {
        Ok(report) => {
            println!("{}", report.table());
            let json = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
            if let Some(dir) = args.json.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Err(e) = std::fs::write(&args.json, json) {
                eprintln!("standin-bench: {}: {e}", args.json.display());
            }
            if report.unexpected() > 0 {
                eprintln!("standin-bench: {} unexpected statuses", report.unexpected());
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("standin-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn sibling(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.join(name);
    path.exists().then_some(path)
}
