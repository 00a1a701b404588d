//! `standin`: serves fakes of four vendor REST APIs, each on its own port.
//!
//! The launcher only parses configuration and mounts the product crates through auth-core;
//! everything product-specific lives in the product crates.

mod cli;

use auth_core::server::{self, MountError, Prepared};
use auth_core::tls::TlsMaterial;
use auth_core::{CommonOptions, Product};
use clap::Parser;
use cli::{Cli, Command, HealthcheckArgs, ServeArgs};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

type StopFuture = Pin<Box<dyn Future<Output = ()>>>;

/// A product whose listener is bound, not yet serving.
struct Pending {
    name: &'static str,
    title: &'static str,
    url: String,
    start: Box<dyn FnOnce() -> std::io::Result<Started>>,
}

/// A serving product.
struct Started {
    server: actix_web::dev::Server,
    stop: Box<dyn FnOnce() -> StopFuture>,
}

fn pending<P: Product>(prepared: Prepared<P>) -> Pending {
    let url = prepared.url.clone();
    Pending {
        name: P::NAME,
        title: P::TITLE,
        url,
        start: Box::new(move || {
            let (running, server) = prepared.start()?;
            Ok(Started {
                server,
                stop: Box::new(move || Box::pin(async move { running.stop().await })),
            })
        }),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
    let log_filter = tracing_subscriber::EnvFilter::try_from_env("STANDIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(log_filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = actix_web::rt::System::new();
    match cli.command {
        Some(Command::Healthcheck(args)) => runtime.block_on(healthcheck(args)),
        None => runtime.block_on(serve(cli.serve)),
    }
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

async fn try_serve(args: ServeArgs) -> Result<(), String> {
    let selected = args.selected_products()?;
    let _lock = match &args.data_dir {
        Some(dir) => Some(server::lock_data_dir(dir).map_err(|e| e.to_string())?),
        None => None,
    };
    let options = Arc::new(CommonOptions {
        bind: args.bind,
        seed: args.seed,
        data_dir: args.data_dir.clone(),
        fixtures_dir: args.fixtures.clone(),
        control_token: args.control_token.clone(),
        control_allow: Vec::new(),
        explain: args.explain,
        workers: Some(
            args.workers
                .unwrap_or_else(|| default_workers(selected.len())),
        ),
        journal_size: args.journal_size,
    });
    let needs_tls = selected.iter().any(|name| args.tls_for(name));
    let tls = if needs_tls {
        Some(tls_material(&args)?)
    } else {
        None
    };
    if let (Some(path), Some(material)) = (&args.tls_cert_out, &tls) {
        write_atomically(path, material.cert_pem.as_bytes())
            .map_err(|e| format!("--tls-cert-out {}: {e}", path.display()))?;
    }
    let tls_for = |name: &str| {
        if args.tls_for(name) {
            tls.as_ref().map(|m| m.config.clone())
        } else {
            None
        }
    };

    // Bind every listener and load every fixture before anything starts serving, so a
    // failure leaves no product half-started.
    let mut pendings = Vec::new();
    for name in &selected {
        let opts = options.clone();
        let port = args.port_for(name);
        let prepared: Result<Pending, MountError> = match *name {
            "opmanager" => server::prepare::<opmanager_keys::OpManager>(
                opts,
                port.unwrap_or(opmanager_keys::OpManager::DEFAULT_PORT),
                tls_for(name),
                args.opmanager.clone(),
            )
            .map(pending),
            "serviceops" => server::prepare::<serviceops_oauth::ServiceOps>(
                opts,
                port.unwrap_or(serviceops_oauth::ServiceOps::DEFAULT_PORT),
                tls_for(name),
                args.serviceops.clone(),
            )
            .map(pending),
            "pmp" => server::prepare::<pmp_vault::Pmp>(
                opts,
                port.unwrap_or(pmp_vault::Pmp::DEFAULT_PORT),
                tls_for(name),
                args.pmp.clone(),
            )
            .map(pending),
            _ => server::prepare::<opsmgr_apikeys::OpsMgr>(
                opts,
                port.unwrap_or(opsmgr_apikeys::OpsMgr::DEFAULT_PORT),
                tls_for(name),
                args.opsmgr.clone(),
            )
            .map(pending),
        };
        pendings.push(prepared.map_err(|e| e.to_string())?);
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
    if let Some(path) = &args.ready_file {
        let text = serde_json::Value::Object(ready).to_string();
        write_atomically(path, text.as_bytes())
            .map_err(|e| format!("--ready-file {}: {e}", path.display()))?;
    }
    let handles: Vec<_> = servers.iter().map(|s| s.handle()).collect();
    let all_servers = futures_join_all(servers);
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
