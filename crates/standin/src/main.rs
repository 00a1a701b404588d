//! `standin`: serves fakes of four vendor REST APIs, each on its own port.
//!
//! The launcher only parses configuration and mounts the product crates through auth-core;
//! everything product-specific lives in the product crates.

mod cli;
mod products;

use auth_core::tls::TlsMaterial;
use auth_core::CommonOptions;
use cli::{Cli, Command, HealthcheckArgs, ServeArgs};
use products::Mount;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) {
                let _ = err.print();
                return ExitCode::SUCCESS;
            }
            let text = err.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("standin: {}", first.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    let (level, verbose) = match &cli.command {
        Some(Command::Healthcheck(_)) => (std::env::var("STANDIN_LOG").ok(), false),
        None => (cli.serve.log_level.clone(), cli.serve.verbose),
    };
    let filter = match log_filter(level.as_deref(), verbose) {
        Ok(filter) => filter,
        Err(message) => {
            eprintln!("standin: {message}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = actix_web::rt::System::new();
    match cli.command {
        Some(Command::Healthcheck(args)) => runtime.block_on(healthcheck(args)),
        None => runtime.block_on(serve(cli.serve)),
    }
}

/// The log filter: `--log-level` (or `STANDIN_LOG`), else `RUST_LOG`, else `warn`; with
/// `--verbose` the request lines (target `standin::request`, INFO) are shown whatever the level.
///
/// # Errors
/// A one-line message naming the bad filter.
fn log_filter(level: Option<&str>, verbose: bool) -> Result<tracing_subscriber::EnvFilter, String> {
    use tracing_subscriber::EnvFilter;
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let filter = match (level, rust_log) {
        (Some(level), _) => {
            EnvFilter::try_new(level).map_err(|e| format!("--log-level {level:?}: {e}"))?
        }
        (None, Some(rust_log)) => {
            EnvFilter::try_new(&rust_log).map_err(|e| format!("RUST_LOG {rust_log:?}: {e}"))?
        }
        (None, None) => EnvFilter::new("warn"),
    };
    Ok(if verbose {
        match "standin::request=info".parse() {
            Ok(directive) => filter.add_directive(directive),
            Err(_) => filter,
        }
    } else {
        filter
    })
}

/// Serve the selected products until SIGINT or SIGTERM.
async fn serve(args: ServeArgs) -> ExitCode {
    match try_serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("standin: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Refuse a fixtures folder that cannot be read, or that holds anything but
/// `<product>.json` files of known products (a misspelt name would otherwise silently leave
/// the built-in fixtures in place). Names starting with a dot are ignored.
fn check_fixtures_dir(dir: &Path) -> Result<(), String> {
    let shown = dir.display();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("--fixtures {shown}: cannot read it: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("--fixtures {shown}: cannot read it: {e}"))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let known = name
            .strip_suffix(".json")
            .and_then(products::find)
            .is_some();
        let is_dir = entry.path().is_dir();
        if !known || is_dir {
            return Err(format!(
                "--fixtures {shown}: {name} is not <product>.json for a known product ({})",
                products::names_for_message()
            ));
        }
    }
    Ok(())
}

/// How `/_standin/` is protected, in one startup line.
fn control_notice(args: &ServeArgs) -> String {
    let token = args.control_token.as_deref().is_some_and(|t| !t.is_empty());
    let nets: Vec<String> = args.control_allow.iter().map(ToString::to_string).collect();
    let nets = nets.join(", ");
    match (token, nets.is_empty()) {
        (true, true) => "standin: control API /_standin/ answers loopback callers, and others \
             with Authorization: Bearer <control token>"
            .to_owned(),
        (true, false) => format!(
            "standin: control API /_standin/ answers loopback callers and {nets}, and others \
             with Authorization: Bearer <control token>"
        ),
        (false, false) => format!(
            "standin: control API /_standin/ answers loopback callers and {nets}; others are \
             refused (--control-token <token> admits them with a Bearer token)"
        ),
        (false, true) if auth_core::control::is_loopback(args.bind) => {
            "standin: control API /_standin/ answers loopback callers only".to_owned()
        }
        (false, true) => format!(
            "standin: listening on {} without a control token or allowed network: remote \
             control callers will be refused; allow them with --control-token <token> or \
             --control-allow <cidr>",
            args.bind
        ),
    }
}

async fn try_serve(args: ServeArgs) -> Result<(), String> {
    let selected = args.selected_products()?;
    if let Some(dir) = &args.fixtures {
        check_fixtures_dir(dir)?;
    }
    let _lock = match &args.data_dir {
        Some(dir) => Some(auth_core::server::lock_data_dir(dir).map_err(|e| e.to_string())?),
        None => None,
    };
    let options = Arc::new(CommonOptions {
        bind: args.bind,
        seed: args.seed,
        data_dir: args.data_dir.clone(),
        fixtures_dir: args.fixtures.clone(),
        control_token: args.control_token.clone(),
        control_allow: args.control_allow.clone(),
        explain: args.explain,
        workers: Some(
            args.workers
                .unwrap_or_else(|| default_workers(selected.len())),
        ),
        journal_size: args.journal_size,
        cors: args.cors,
        journal_bytes: args.journal_bytes,
    });
    let needs_tls = selected.iter().any(|entry| args.tls_for(entry));
    let tls = if needs_tls {
        Some(tls_material(&args)?)
    } else {
        None
    };
    if let (Some(path), Some(material)) = (&args.tls_cert_out, &tls) {
        write_atomically(path, material.cert_pem.as_bytes())
            .map_err(|e| format!("--tls-cert-out {}: {e}", path.display()))?;
    }

    // Bind every listener and load every fixture before anything starts serving, so a
    // failure leaves no product half-started.
    let mut pendings = Vec::new();
    for entry in &selected {
        let mount = Mount {
            settings: &args.settings,
            options: options.clone(),
            tls: if args.tls_for(entry) {
                tls.as_ref().map(|m| m.config.clone())
            } else {
                None
            },
        };
        let pending = (entry.prepare)(&mount, args.port_for(entry)).map_err(|e| e.to_string())?;
        pendings.push(pending);
    }

    println!("standin {}", env!("CARGO_PKG_VERSION"));
    if args.bind.is_unspecified() {
        println!(
            "standin: listening on all interfaces ({}); from this machine use the URLs below",
            args.bind
        );
    }
    println!("{}", control_notice(&args));
    if args.cors {
        println!(
            "standin: --cors: browser preflights are answered and CORS headers sent on every port"
        );
    }
    let mut servers = Vec::new();
    let mut stops = Vec::new();
    let mut ready = serde_json::Map::new();
    for pending in pendings {
        let started =
            (pending.start)().map_err(|e| format!("{}: cannot start: {e}", pending.name))?;
        println!("{:<10} {:<28} {}", pending.name, pending.url, pending.title);
        ready.insert(pending.name.to_owned(), pending.url.clone().into());
        servers.push(started.server);
        stops.push(started.stop);
    }
    let handles: Vec<_> = servers.iter().map(|s| s.handle()).collect();
    let all_servers = futures_join_all(servers);
    println!(
        "standin: ready ({} product{} serving)",
        ready.len(),
        if ready.len() == 1 { "" } else { "s" }
    );
    if let Some(path) = &args.ready_file {
        let text = serde_json::Value::Object(ready).to_string();
        write_atomically(path, text.as_bytes())
            .map_err(|e| format!("--ready-file {}: {e}", path.display()))?;
    }
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = all_servers => {}
    }
    for stop in stops {
        stop().await;
    }
    for handle in handles {
        handle.stop(true).await;
    }
    if let Some(path) = &args.ready_file {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "--ready-file {}: cannot remove it: {e}",
                    path.display()
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Worker threads per product when `--workers` is not given: the cores shared among the
/// products served (at least one each), so four products on two cores start four threads, not
/// eight, and `--only pmp` still uses every core.
fn default_workers(products: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / products.max(1)).max(1)
}

async fn futures_join_all(servers: Vec<actix_web::dev::Server>) {
    let tasks: Vec<_> = servers.into_iter().map(actix_web::rt::spawn).collect();
    for task in tasks {
        let _ = task.await;
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn tls_material(args: &ServeArgs) -> Result<TlsMaterial, String> {
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            auth_core::tls::from_pem_files(cert, key).map_err(|e| e.to_string())
        }
        (None, None) => {
            let extra = if args.bind.is_unspecified() {
                Vec::new()
            } else {
                vec![args.bind.to_string()]
            };
            auth_core::tls::self_signed(&extra).map_err(|e| e.to_string())
        }
        _ => Err("--tls-cert and --tls-key go together".into()),
    }
}

/// Write `bytes` to `path` atomically: a temporary file beside it, then a rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// `standin healthcheck`: exit 0 if every product answers its health endpoint.
async fn healthcheck(args: HealthcheckArgs) -> ExitCode {
    let urls: Vec<String> = match (&args.url, &args.ready_file) {
        (Some(urls), _) if !urls.is_empty() => urls.clone(),
        (_, Some(path)) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string()))
        {
            Ok(serde_json::Value::Object(map)) => map
                .values()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Ok(_) => {
                eprintln!("standin healthcheck: {}: not a ready file", path.display());
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("standin healthcheck: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        _ => {
            eprintln!("standin healthcheck: give --url URL or --ready-file PATH");
            return ExitCode::from(2);
        }
    };
    let mut healthy = !urls.is_empty();
    for url in urls {
        match health_of(&url, args.control_token.as_deref(), args.timeout_ms).await {
            Ok(()) => println!("{url} ok"),
            Err(e) => {
                println!("{url} unhealthy: {e}");
                healthy = false;
            }
        }
    }
    if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// GET `<base>/_standin/health` (TLS certificates are not verified: the check is local and
/// standin's own certificate is self-signed).
async fn health_of(base: &str, token: Option<&str>, timeout_ms: u64) -> Result<(), String> {
    let url = format!("{}/_standin/health", base.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(std::time::Duration::from_millis(timeout_ms))
        .build()
        .map_err(|e| e.to_string())?;
    let mut request = client.get(&url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let res = request.send().await.map_err(|e| e.to_string())?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", res.status().as_u16()))
    }
}
