//! # standin-bench
//!
//! Measures the release `standin` binary the way users run it: started as a process with every
//! port 0 and a ready file, driven over real sockets by our own async load client. Each
//! workload is also reported as a ratio to a control measured in the same sitting
//! (`GET /_standin/health` on the same server), because shared machines are noisy.

mod load;
mod proc;
mod sweep;

pub use load::{measure_floor, Workload, WORKLOADS};
pub use proc::{cpu_ms, rss_kb, StandinProcess};
pub use sweep::SWEEP_TARGETS;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `standin` binary to measure.
    pub standin: PathBuf,
    /// Concurrent connections per workload.
    pub connections: usize,
    /// How long each workload runs.
    pub duration: Duration,
    /// Cold starts measured for the startup median.
    pub starts: usize,
    /// Record counts for the scale sweep (empty: no sweep).
    pub sweep: Vec<usize>,
    /// Run only workloads and sweep targets whose name contains this (the control always runs).
    pub filter: Option<String>,
    /// The bare actix-web floor server (`standin-floor`); `None` skips the floor rows.
    pub floor: Option<PathBuf>,
    /// Identical passes of every workload on the same server (at least 2); the table's rows
    /// are the first pass, RSS is read after each.
    pub passes: usize,
}

impl Options {
    /// Whether the workload or sweep target `name` is selected.
    pub fn selects(&self, name: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| name.contains(f))
    }
}

impl Options {
    /// The full run: 50 connections, 3 s per workload, 5 cold starts, sweep 10^3..10^6.
    pub fn full(standin: PathBuf) -> Self {
        Options {
            standin,
            connections: 50,
            duration: Duration::from_secs(3),
            starts: 5,
            sweep: vec![1_000, 10_000, 100_000, 1_000_000],
            filter: None,
            floor: None,
            passes: 2,
        }
    }

    /// A smoke run of a few seconds: the harness works, the numbers mean little.
    pub fn quick(standin: PathBuf) -> Self {
        Options {
            standin,
            connections: 4,
            duration: Duration::from_millis(250),
            starts: 2,
            sweep: vec![1_000],
            filter: None,
            floor: None,
            passes: 2,
        }
    }
}

/// One workload's measurements.
#[derive(Debug, Clone)]
pub struct Row {
    /// The workload.
    pub workload: Workload,
    /// Server CPU per HTTP request as a multiple of the floor's (the mean of the two floor
    /// rows of the sitting); `None` without a floor.
    pub cpu_x_floor: Option<f64>,
    /// HTTP requests per second relative to the floor's.
    pub rate_vs_floor: Option<f64>,
    /// Workload name.
    pub name: &'static str,
    /// Completed operations.
    pub requests: u64,
    /// Operations per second.
    pub per_sec: f64,
    /// Ratio of `per_sec` to the control's.
    pub ratio: f64,
    /// Latency percentiles in microseconds: p50, p99, p99.9.
    pub p50_us: u64,
    /// p99 in microseconds.
    pub p99_us: u64,
    /// p99.9 in microseconds.
    pub p999_us: u64,
    /// Server CPU milliseconds per 1000 operations.
    pub cpu_ms_per_1000: f64,
    /// Server RSS after the workload, KiB.
    pub rss_kb: u64,
    /// Answers with a status the workload did not expect (must be 0).
    pub unexpected: u64,
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Startup to ready file, each cold start, milliseconds.
    pub startups_ms: Vec<f64>,
    /// RSS right after startup, KiB.
    pub rss_idle_kb: u64,
    /// Workload rows, the control first.
    pub rows: Vec<Row>,
    /// RSS after a second identical pass of every workload, KiB.
    pub rss_second_pass_kb: u64,
    /// RSS after each pass of every workload (the first, the second, ...), KiB.
    pub rss_after_passes_kb: Vec<u64>,
    /// Scale sweep rows.
    pub sweep: Vec<sweep::SweepRow>,
}

impl Report {
    /// Median startup in milliseconds.
    pub fn startup_median_ms(&self) -> f64 {
        let mut v = self.startups_ms.clone();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    }

    /// Total unexpected statuses over every workload and the sweep.
    pub fn unexpected(&self) -> u64 {
        self.rows.iter().map(|r| r.unexpected).sum::<u64>()
            + self.sweep.iter().map(|r| r.unexpected).sum::<u64>()
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "startup_ms": self.startups_ms,
            "startup_median_ms": self.startup_median_ms(),
            "rss_idle_kb": self.rss_idle_kb,
            "rss_second_pass_kb": self.rss_second_pass_kb,
            "rss_after_passes_kb": self.rss_after_passes_kb,
            "workloads": self.rows.iter().map(|r| json!({
                "name": r.name, "requests": r.requests, "per_sec": r.per_sec, "ratio": r.ratio,
                "p50_us": r.p50_us, "p99_us": r.p99_us, "p999_us": r.p999_us,
                "cpu_ms_per_1000": r.cpu_ms_per_1000, "rss_kb": r.rss_kb, "unexpected": r.unexpected,
                "cpu_x_floor": r.cpu_x_floor, "rate_vs_floor": r.rate_vs_floor,
                "cpu_target_x_floor": r.workload.cpu_target(),
            })).collect::<Vec<_>>(),
            "sweep": self.sweep.iter().map(sweep::SweepRow::to_json).collect::<Vec<_>>(),
            "unexpected": self.unexpected(),
        })
    }

    /// The report as a Markdown table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "startup to ready (all four): median {:.1} ms of {:?}\nRSS idle: {:.1} MB; after all workloads twice: {:.1} MB\n\n",
            self.startup_median_ms(),
            self.startups_ms.iter().map(|v| (v * 10.0).round() / 10.0).collect::<Vec<_>>(),
            self.rss_idle_kb as f64 / 1024.0,
            self.rss_second_pass_kb as f64 / 1024.0,
        ));
        out.push_str(&format!(
            "RSS after each identical pass of every workload: {:?} MB\n\n",
            self.rss_after_passes_kb
                .iter()
                .map(|kb| (*kb as f64 / 102.4).round() / 10.0)
                .collect::<Vec<_>>(),
        ));
        out.push_str("| workload | ops | ops/s | ratio to control | req/s vs floor | CPU/request x floor | target | p50 ms | p99 ms | p99.9 ms | server CPU ms/1000 | RSS MB | unexpected |\n");
        out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
        for r in &self.rows {
            let target = match (r.workload.cpu_target(), r.cpu_x_floor) {
                (Some(t), Some(x)) if x <= t => format!("<= {t}x: met"),
                (Some(t), Some(_)) => format!("<= {t}x: missed"),
                (Some(t), None) => format!("<= {t}x"),
                (None, _) => "-".to_owned(),
            };
            out.push_str(&format!(
                "| {} | {} | {:.0} | {:.2} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1} | {} |\n",
                r.name,
                r.requests,
                r.per_sec,
                r.ratio,
                fmt(r.rate_vs_floor),
                fmt(r.cpu_x_floor),
                target,
                r.p50_us as f64 / 1000.0,
                r.p99_us as f64 / 1000.0,
                r.p999_us as f64 / 1000.0,
                r.cpu_ms_per_1000,
                r.rss_kb as f64 / 1024.0,
                r.unexpected
            ));
        }
        if !self.sweep.is_empty() {
            out.push('\n');
            out.push_str(&sweep::SweepRow::table(&self.sweep));
        }
        out
    }
}

/// Run every measurement.
///
/// # Errors
/// A message if standin cannot be started or a setup call fails.
pub async fn run(options: &Options) -> Result<Report, String> {
    let mut startups_ms = Vec::new();
    for _ in 0..options.starts.max(1) {
        let started = StandinProcess::start(&options.standin, &[])?;
        startups_ms.push(started.startup.as_secs_f64() * 1000.0);
        started.stop();
    }
    let server = StandinProcess::start(&options.standin, &[])?;
    let floor = match &options.floor {
        Some(bin) => Some(StandinProcess::start_floor(bin)?),
        None => None,
    };
    // Let the allocator settle before reading the idle figure.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let rss_idle_kb = rss_kb(server.pid()).unwrap_or(0);
    let rows = load::run_all(&server, floor.as_ref(), options).await?;
    let mut rss_after_passes_kb = vec![rss_kb(server.pid()).unwrap_or(0)];
    // Identical passes: memory must not grow between them.
    for _ in 1..options.passes.max(2) {
        load::run_all(&server, None, options).await?;
        rss_after_passes_kb.push(rss_kb(server.pid()).unwrap_or(0));
    }
    let rss_second_pass_kb = rss_after_passes_kb.get(1).copied().unwrap_or(0);
    server.stop();
    let mut sweep_rows = Vec::new();
    for &n in &options.sweep {
        sweep_rows.extend(sweep::run(options, n).await?);
    }
    Ok(Report {
        startups_ms,
        rss_idle_kb,
        rows,
        rss_second_pass_kb,
        rss_after_passes_kb,
        sweep: sweep_rows,
    })
}
