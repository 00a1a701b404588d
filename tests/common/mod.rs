//! Shared helpers of the launcher's end-to-end tests: run the real `standin` binary.
#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_standin");

/// A running `standin` with every port ephemeral; killed on drop.
pub struct Standin {
    child: Child,
    pub ready: Value,
    _dir: tempfile::TempDir,
}

pub fn all_ports_zero() -> Vec<String> {
    [
        "--port-opmanager",
        "--port-serviceops",
        "--port-pmp",
        "--port-opsmgr",
    ]
    .iter()
    .flat_map(|flag| [flag.to_string(), "0".to_string()])
    .collect()
}

pub fn wait_for_file(path: &Path, child: &mut Child) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(path) {
            return Some(text);
        }
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

impl Standin {
    pub fn start(extra: &[&str]) -> Standin {
        Self::spawn(extra, &[], Stdio::piped())
    }

    fn spawn(extra: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Standin {
        let dir = tempfile::tempdir().unwrap();
        let ready_path = dir.path().join("ready.json");
        let mut child = Command::new(BIN)
            .args(all_ports_zero())
            .arg("--ready-file")
            .arg(&ready_path)
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let text = wait_for_file(&ready_path, &mut child).expect("standin wrote its ready file");
        Standin {
            child,
            ready: serde_json::from_str(&text).unwrap(),
            _dir: dir,
        }
    }

    /// Start with extra environment variables.
    pub fn start_with_env(extra: &[&str], env: &[(&str, &str)]) -> Standin {
        Self::spawn(extra, env, Stdio::piped())
    }

    /// Where the ready file is (it exists while standin serves).
    pub fn ready_path(&self) -> std::path::PathBuf {
        self._dir.path().join("ready.json")
    }

    /// Send `signal` (`INT`, `TERM`) and collect the output once it exits.
    pub fn signal(mut self, signal: &str) -> Output {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let child = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap());
        child.wait_with_output().unwrap()
    }

    pub fn url(&self, product: &str) -> String {
        self.ready[product].as_str().unwrap().to_owned()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to flush or clean up.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn terminate(self) -> Output {
        self.signal("TERM")
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap()
}
