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
        let dir = tempfile::tempdir().unwrap();
        let ready_path = dir.path().join("ready.json");
        let mut child = Command::new(BIN)
            .args(all_ports_zero())
            .arg("--ready-file")
            .arg(&ready_path)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let text = wait_for_file(&ready_path, &mut child).expect("standin wrote its ready file");
        Standin {
            child,
            ready: serde_json::from_str(&text).unwrap(),
            _dir: dir,
        }
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

    pub fn terminate(mut self) -> Output {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
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
