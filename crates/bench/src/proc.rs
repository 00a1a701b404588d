//! The measured `standin` process: start to ready file, CPU and RSS from `/proc`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Kernel clock ticks per second for `/proc/<pid>/stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SEC: u64 = 100;

static RUN: AtomicU64 = AtomicU64::new(0);

/// A running `standin` with every port 0; killed on drop.
pub struct StandinProcess {
    child: Child,
    dir: PathBuf,
    /// Base URLs from the ready file.
    pub ready: Value,
    /// Spawn to ready file.
    pub startup: Duration,
}

impl StandinProcess {
    /// Start `bin` with all four products on ephemeral ports and wait for the ready file.
    ///
    /// # Errors
    /// If it cannot be spawned or does not become ready within 20 s.
    pub fn start(bin: &Path, extra: &[&str]) -> Result<Self, String> {
        let mut args = vec![
            "--port-opmanager",
            "0",
            "--port-serviceops",
            "0",
            "--port-pmp",
            "0",
            "--port-opsmgr",
            "0",
            "--seed",
            "1",
            "--journal-size",
            "10000",
        ];
        args.extend_from_slice(extra);
        Self::spawn(bin, &args)
    }

    /// Start the bare actix-web floor server (`standin-floor`); its URL is `url("floor")`.
    ///
    /// # Errors
    /// If it cannot be spawned or does not become ready within 20 s.
    pub fn start_floor(bin: &Path) -> Result<Self, String> {
        Self::spawn(bin, &[])
    }

    fn spawn(bin: &Path, args: &[&str]) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!(
            "standin-bench-{}-{}",
            std::process::id(),
            RUN.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let ready_path = dir.join("ready.json");
        let began = Instant::now();
        let mut child = Command::new(bin)
            .args(args)
            .arg("--ready-file")
            .arg(&ready_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        let deadline = began + Duration::from_secs(20);
        loop {
            if let Some(ready) = std::fs::read_to_string(&ready_path)
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            {
                let startup = began.elapsed();
                return Ok(StandinProcess {
                    child,
                    dir,
                    ready,
                    startup,
                });
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("{} exited early: {status}", bin.display()));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err(format!(
                    "{} did not write its ready file within 20 s",
                    bin.display()
                ));
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The base URL of `product`.
    pub fn url(&self, product: &str) -> String {
        self.ready[product].as_str().unwrap_or_default().to_owned()
    }

    /// Kill it and remove its scratch directory.
    pub fn stop(self) {}
}

impl Drop for StandinProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Resident set size of `pid` in KiB (`VmRSS`).
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// User + system CPU time of `pid` so far, in milliseconds.
pub fn cpu_ms(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields after it start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')': state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 1000 / TICKS_PER_SEC)
}
