//! Regression tests for rough edges of issue 19 that no other test pins down: `STANDIN_LOG`
//! (documented, honoured, winning over `RUST_LOG`, and showing request lines at debug, where
//! debug once showed only server start and stop), and the README's in-process snippet naming
//! every crate it uses among its dev-dependencies (it once omitted `tokio`).

use super::common::*;
use std::collections::BTreeSet;

fn request_lines_logged(env: &[(&str, &str)]) -> (usize, String) {
    let standin = Standin::start_with_env(&["--only", "opmanager"], env);
    let url = standin.url("opmanager");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let res = client()
            .get(format!("{url}/api/json/device/listDevices"))
            .header("apiKey", "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    });
    let stderr = String::from_utf8_lossy(&standin.terminate().stderr).into_owned();
    let lines = stderr
        .lines()
        .filter(|l| l.contains("standin::request") && l.contains("listDevices"))
        .count();
    (lines, stderr)
}

#[test]
fn standin_log_is_honoured_wins_over_rust_log_and_debug_shows_each_request() {
    // Arrange / Act / Assert: STANDIN_LOG=debug logs the request.
    let (lines, stderr) = request_lines_logged(&[("STANDIN_LOG", "debug")]);
    assert_eq!(lines, 1, "{stderr}");
    assert!(
        !stderr.contains("3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b"),
        "{stderr}"
    );

    // STANDIN_LOG wins over RUST_LOG, in both directions.
    let (lines, stderr) = request_lines_logged(&[("STANDIN_LOG", "warn"), ("RUST_LOG", "debug")]);
    assert_eq!(lines, 0, "{stderr}");
    assert!(!stderr.contains("INFO"), "{stderr}");
    let (lines, stderr) = request_lines_logged(&[("STANDIN_LOG", "info"), ("RUST_LOG", "error")]);
    assert_eq!(lines, 1, "{stderr}");

    // A bad STANDIN_LOG is a one-line usage error naming it, as --log-level's is (exit 2).
    let output = std::process::Command::new(BIN)
        .args(all_ports_zero())
        .env("STANDIN_LOG", "standin=loud")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("standin=loud"), "{stderr}");

    // And the README documents the variable.
    let readme = include_str!("../../README.md");
    assert!(readme.contains("STANDIN_LOG"));
}

/// The body of the first fenced block with `info` after `from` in `text`.
fn block_after<'a>(text: &'a str, from: &str, info: &str) -> &'a str {
    let start = text.find(from).expect("the section exists");
    let fence = format!("```{info}\n");
    let body = start + text[start..].find(&fence).expect("the block exists") + fence.len();
    let end = body + text[body..].find("```").expect("the block ends");
    &text[body..end]
}

#[test]
fn the_readme_rust_snippet_lists_every_crate_it_uses_in_its_dev_dependencies() {
    let readme = include_str!("../../README.md");
    let section = "## From Rust tests, in-process";
    let toml = block_after(readme, section, "toml");
    let rust = block_after(readme, section, "rust");

    let listed: BTreeSet<String> = toml
        .lines()
        .filter_map(|l| l.split_once('=').map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty() && !name.starts_with('['))
        .map(|name| name.replace('-', "_"))
        .collect();
    // Every path root the snippet names (`use x::`, `#[x::test]`, `x::y(...)`).
    let mut used = BTreeSet::new();
    for (i, _) in rust.match_indices("::") {
        let root: String = rust[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let before = rust[..i - root.len()].chars().next_back();
        let is_root = !matches!(before, Some(':'));
        let is_crate = root.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if is_root
            && is_crate
            && !["std", "core", "crate", "self", "super"].contains(&root.as_str())
        {
            used.insert(root);
        }
    }
    assert!(
        used.contains("standin_testkit") && used.contains("tokio"),
        "{used:?}"
    );
    let missing: Vec<_> = used.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "the snippet uses {missing:?}, not in {listed:?}"
    );
    let tokio = toml.lines().find(|l| l.starts_with("tokio")).unwrap();
    assert!(
        tokio.contains("\"macros\"") && tokio.contains("\"rt\""),
        "{tokio}"
    );
}
