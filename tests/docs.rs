//! The documentation's shell examples, run: every ```sh block of README.md and docs/*.md is
//! executed with bash against a fresh `standin` per page, in page order, and must exit 0;
//! where the page shows a ```text block right after one, the output must match it.
//!
//! Run it:
//!
//! ```console
//! cargo test -p standin --test docs               # the pages in PASSING
//! cargo test -p standin --test docs -- pmp        # pages whose name contains "pmp", listed or not
//! STANDIN_DOCS=all cargo test -p standin --test docs   # every page
//! ```
//!
//! Conventions for page authors:
//! - ```sh blocks run; anything else does not. Fence an example that cannot run in a test
//!   (serving forever, `cargo run --release`, `docker run`, benchmarks) as ```console.
//! - Each page gets its own standin on ephemeral ports; `127.0.0.1:<default port>` and
//!   `localhost:<default port>` (8060 opmanager, 8090 serviceops, 7272 pmp, 8080 opsmgr) are
//!   rewritten to the real ports in the examples and in the expected output.
//! - The blocks of one page run in one working directory (a fresh temporary one, holding
//!   `ready.json`, the ready file of that standin), with `standin` on `PATH`. Variables
//!   (exported or not) set by one block are seen by the later blocks of the same page. Blocks
//!   run under `set -euo pipefail`: an unset variable or a failing command fails the page.
//! - An expected-output block is compared after trimming each line's trailing space and the
//!   whole text's blank lines; a line `...` (or `...` inside a line) matches anything.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Pages whose examples all pass today, run by default (`cargo test`).
const PASSING: &[&str] = &[
    "README.md",
    "architecture.md",
    "control-api.md",
    "dashboard.md",
    "opmanager.md",
    "opsmgr.md",
    "performance.md",
    "pmp.md",
    "python.md",
    "reliability.md",
    "serviceops.md",
];

const BIN: &str = env!("CARGO_BIN_EXE_standin");

/// The products' default ports, as the docs write them.
const DEFAULT_PORTS: [(&str, u16); 4] = [
    ("opmanager", 8060),
    ("serviceops", 8090),
    ("pmp", 7272),
    ("opsmgr", 8080),
];

/// One runnable example.
#[derive(Debug, Clone, PartialEq)]
struct Example {
    /// 1-based line of the opening fence.
    line: usize,
    /// The script.
    script: String,
    /// The expected output, when a ```text block follows.
    expected: Option<String>,
}

/// The ```sh examples of a Markdown page, in order.
fn examples(markdown: &str) -> Vec<Example> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = fence_info(lines[i]) else {
            i += 1;
            continue;
        };
        let start = i;
        let (body, end) = fenced_body(&lines, i);
        i = end + 1;
        if info != "sh" {
            continue;
        }
        let mut expected = None;
        let mut j = i;
        while j < lines.len() && lines[j].trim().is_empty() {
            j += 1;
        }
        if j < lines.len() && fence_info(lines[j]) == Some("text") {
            let (text, text_end) = fenced_body(&lines, j);
            expected = Some(text);
            i = text_end + 1;
        }
        out.push(Example {
            line: start + 1,
            script: body,
            expected,
        });
    }
    out
}

/// The info string of a fence line (` ```sh ` -> `sh`), if it is one.
fn fence_info(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix("```").map(str::trim)
}

/// The lines between the fence at `open` and its closing fence, and the closing line's index.
fn fenced_body(lines: &[&str], open: usize) -> (String, usize) {
    let indent = lines[open].len() - lines[open].trim_start().len();
    let mut body = String::new();
    let mut k = open + 1;
    while k < lines.len() && lines[k].trim() != "```" {
        let line = lines[k];
        let cut = line.len() - line.trim_start().len();
        body.push_str(&line[cut.min(indent)..]);
        body.push('\n');
        k += 1;
    }
    (body, k)
}

/// Rewrite the default ports to this instance's.
fn rewrite_ports(text: &str, urls: &serde_json::Value) -> String {
    let mut text = text.to_owned();
    for (product, port) in DEFAULT_PORTS {
        let Some(url) = urls[product].as_str() else {
            continue;
        };
        let Some(real) = url.rsplit(':').next() else {
            continue;
        };
        for host in ["127.0.0.1", "localhost"] {
            text = text.replace(&format!("{host}:{port}"), &format!("{host}:{real}"));
        }
    }
    text
}

/// Whether `actual` matches `expected`, where `...` matches any text.
fn output_matches(expected: &str, actual: &str) -> bool {
    let norm = |s: &str| {
        s.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    };
    let (expected, actual) = (norm(expected), norm(actual));
    let pieces: Vec<&str> = expected.split("...").collect();
    if pieces.len() == 1 {
        return expected == actual;
    }
    let mut rest = actual.as_str();
    for (n, piece) in pieces.iter().enumerate() {
        if n == 0 {
            match rest.strip_prefix(piece) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if n == pieces.len() - 1 {
            return rest.ends_with(piece);
        } else {
            match rest.find(piece) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
    }
    true
}

/// A standin for one page, killed on drop.
struct Instance {
    child: Child,
    urls: serde_json::Value,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_standin(dir: &Path) -> Result<Instance, String> {
    let ready = dir.join("ready.json");
    let mut cmd = Command::new(BIN);
    for (product, _) in DEFAULT_PORTS {
        cmd.arg(format!("--port-{product}")).arg("0");
    }
    let mut child = cmd
        .arg("--ready-file")
        .arg(&ready)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start standin: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(&ready) {
            let urls = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            return Ok(Instance { child, urls });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("standin exited early: {status}"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    Err("standin wrote no ready file in 30 s".into())
}

/// Run every example of `page`; the failures, described.
fn run_page(page: &Path) -> Result<usize, String> {
    let markdown = std::fs::read_to_string(page).map_err(|e| format!("{}: {e}", page.display()))?;
    let examples = examples(&markdown);
    if examples.is_empty() {
        return Ok(0);
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let instance = start_standin(dir.path())?;
    let state = dir.path().join(".docs-vars.sh");
    let bin_dir = Path::new(BIN).parent().unwrap_or(Path::new("."));
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let name = page.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = name.unwrap_or_default();
    for example in &examples {
        let script = rewrite_ports(&example.script, &instance.urls);
        // Variables of earlier blocks come back from the state file; this block's are saved
        // there when it succeeds.
        let wrapped = format!(
            "set -euo pipefail\nif [ -f {state} ]; then . {state}; fi\n\
             {script}\n\
             for v in $(compgen -v); do\n\
               case $v in BASH*|EUID|PPID|SHELLOPTS|UID|GROUPS|FUNCNAME|PIPESTATUS|LINENO|RANDOM|\
             SECONDS|SRANDOM|EPOCH*|HISTCMD|_|PWD|OLDPWD|SHLVL|PATH|HOME|LANG|IFS|PS4|OPTIND|OPTERR|\
             DIRSTACK|COLUMNS|LINES|HOSTNAME|HOSTTYPE|MACHTYPE|OSTYPE|PS1|PS2|TMPDIR) continue;; esac\n\
               case ${{!v@a}} in *r*) continue;; esac\n\
               declare -p \"$v\"\n\
             done > {state}.new\n\
             mv {state}.new {state}\n",
            state = shell_quote(&state),
        );
        let output = Command::new("timeout")
            .arg("120")
            .arg("bash")
            .arg("-c")
            .arg(&wrapped)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", dir.path())
            .env("LANG", "C.UTF-8")
            .env("TMPDIR", dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run bash: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!(
                "{name}:{}: exit {:?}\n--- script\n{script}--- stdout\n{stdout}\n--- stderr\n{stderr}",
                example.line,
                output.status.code()
            ));
        }
        if let Some(expected) = &example.expected {
            let expected = rewrite_ports(expected, &instance.urls);
            if !output_matches(&expected, &stdout) {
                return Err(format!(
                    "{name}:{}: output differs\n--- script\n{script}--- expected\n{expected}\n--- actual\n{stdout}",
                    example.line
                ));
            }
        }
    }
    drop(instance);
    Ok(examples.len())
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "'\\''"))
}

/// README.md, then docs/*.md in name order.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .unwrap_or_default();
    docs.sort();
    let mut pages = vec![root.join("README.md")];
    pages.extend(docs);
    pages
}

fn main() {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let all = std::env::var("STANDIN_DOCS").is_ok_and(|v| v == "all");
    let chosen: Vec<PathBuf> = pages()
        .into_iter()
        .filter(|page| {
            let name = page
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if filters.is_empty() {
                all || PASSING.contains(&name.as_str())
            } else {
                filters.iter().any(|f| name.contains(f.as_str()))
            }
        })
        .collect();
    unit_tests();
    let results: Vec<(PathBuf, Result<usize, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = chosen
            .iter()
            .map(|page| (page.clone(), scope.spawn(|| run_page(page))))
            .collect();
        handles
            .into_iter()
            .map(|(page, h)| {
                let result = h
                    .join()
                    .unwrap_or_else(|_| Err("the runner panicked".into()));
                (page, result)
            })
            .collect()
    });
    let mut failed = 0;
    for (page, result) in &results {
        let name = page.file_name().unwrap_or_default().to_string_lossy();
        match result {
            Ok(n) => println!("docs {name}: {n} examples ok"),
            Err(why) => {
                failed += 1;
                println!("docs {name}: FAILED\n{why}\n");
            }
        }
    }
    if filters.is_empty() && !all {
        let skipped: Vec<String> = pages()
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .filter(|n| !PASSING.contains(&n.as_str()))
            .collect();
        println!(
            "docs: not in PASSING (run with STANDIN_DOCS=all): {}",
            skipped.join(", ")
        );
    }
    if failed > 0 {
        std::process::exit(1);
    }
}

/// The runner's own checks, run before the pages (harness = false has no #[test]).
fn unit_tests() {
    let page = "intro\n```sh\necho hi\n```\n\n```text\nhi\n```\n```console\ncargo run\n```\n  ```sh\n  echo indented\n  ```\n```json\n{}\n```\n";
    let found = examples(page);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].script, "echo hi\n");
    assert_eq!(found[0].expected.as_deref(), Some("hi\n"));
    assert_eq!(found[0].line, 2);
    assert_eq!(found[1].script, "echo indented\n");
    assert_eq!(found[1].expected, None);
    assert!(output_matches("a\n...\nz", "a\nb\nc\nz\n"));
    assert!(output_matches("{\"id\":\"...\"}", "{\"id\":\"42\"}"));
    assert!(!output_matches("a\n...\nz", "a\nb\n"));
    assert!(!output_matches("hello", "hullo"));
    let urls =
        serde_json::json!({"pmp": "https://127.0.0.1:40000", "opsmgr": "http://127.0.0.1:40001"});
    assert_eq!(
        rewrite_ports(
            "curl -k https://127.0.0.1:7272/x http://localhost:8080/y :8060",
            &urls
        ),
        "curl -k https://127.0.0.1:40000/x http://localhost:40001/y :8060"
    );
}
