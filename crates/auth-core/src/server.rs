//! Mounting a product: load and validate fixtures, open the store, bind the listener, then
//! start the HTTP server. Binding happens before anything starts, so a launcher that
//! prepares every product first never leaves one half-started.

use crate::dispatch::register_routes;
use crate::engine::{engine, not_found};
use crate::env::Env;
use crate::host::{CommonOptions, Host};
use crate::product::Instance;
use crate::product::Product;
use crate::store::Store;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpServer};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// Why a product could not be mounted. The message is one line naming the problem.
#[derive(Debug, thiserror::Error)]
pub enum MountError {
    /// The port is taken or the address is not ours.
    #[error("{product}: cannot listen on {addr}: {reason}")]
    Bind {
        /// Product short name.
        product: &'static str,
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// A fixture file is unreadable or invalid.
    #[error("{file}: {message}")]
    Fixtures {
        /// The file (or `embedded <name>.json`).
        file: String,
        /// What is wrong, naming the field.
        message: String,
    },
    /// The data directory cannot be used.
    #[error("data dir {path}: {message}")]
    DataDir {
        /// The directory or file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Anything else.
    #[error("{product}: {message}")]
    Other {
        /// Product short name.
        product: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// A product whose listener is bound and whose state is loaded, ready to start.
pub struct Prepared<P: Product> {
    /// The host (main instance, fixtures, tenants).
    pub host: Arc<Host<P>>,
    /// The base URL clients use, e.g. `https://127.0.0.1:7272`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    listener: TcpListener,
}

/// A started product.
pub struct Running<P: Product> {
    /// The host (main instance, fixtures, tenants).
    pub host: Arc<Host<P>>,
    /// The base URL.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// Stops the server.
    pub handle: ServerHandle,
}

impl<P: Product> Running<P> {
    /// Stop gracefully (in-flight requests finish), and stop every tenant.
    pub async fn stop(&self) {
        stop_tenants(&self.host).await;
        self.handle.stop(true).await;
    }
}

/// Stop every tenant listener of `host`.
pub async fn stop_tenants<P: Product>(host: &Host<P>) {
    let tenants: Vec<_> = std::mem::take(&mut *host.tenants.lock())
        .into_values()
        .collect();
    for tenant in tenants {
        tenant.handle.stop().await;
    }
    // Dropping the runner ends its thread; the next tenant starts a new one.
    host.tenant_runner.lock().take();
}

/// The base URL for a bound address.
pub fn base_url(addr: SocketAddr, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    match ip {
        IpAddr::V4(v4) => format!("{scheme}://{v4}:{}", addr.port()),
        IpAddr::V6(v6) => format!("{scheme}://[{v6}]:{}", addr.port()),
    }
}

fn bind(product: &'static str, ip: IpAddr, port: u16) -> Result<TcpListener, MountError> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr).map_err(|e| MountError::Bind {
        product,
        addr,
        reason: match e.kind() {
            io::ErrorKind::AddrInUse => "the port is already in use".into(),
            io::ErrorKind::AddrNotAvailable => {
                "the address is not available on this machine".into()
            }
            io::ErrorKind::PermissionDenied => "permission denied".into(),
            _ => e.to_string(),
        },
    })
}

/// Read this product's fixtures: `<fixtures_dir>/<name>.json` when present, else the
/// embedded default. Returns the document and a name for messages.
fn read_fixtures<P: Product>(options: &CommonOptions) -> Result<(Value, String), MountError> {
    let (text, file) = match &options.fixtures_dir {
        Some(dir) if dir.join(format!("{}.json", P::NAME)).exists() => {
            let path = dir.join(format!("{}.json", P::NAME));
            let text = std::fs::read_to_string(&path).map_err(|e| MountError::Fixtures {
                file: path.display().to_string(),
                message: e.to_string(),
            })?;
            (std::borrow::Cow::Owned(text), path.display().to_string())
        }
        Some(dir) if !dir.is_dir() => {
            return Err(MountError::Fixtures {
                file: dir.display().to_string(),
                message: "not a directory".into(),
            })
        }
        _ => (
            std::borrow::Cow::Borrowed(P::FIXTURES),
            format!("fixtures/{}.json (embedded)", P::NAME),
        ),
    };
    let doc = serde_json::from_str(&text).map_err(|e| MountError::Fixtures {
        file: file.clone(),
        message: format!("invalid JSON: {e}"),
    })?;
    Ok((doc, file))
}

/// Take the data directory's lock file, so a second `standin` on it is refused.
///
/// # Errors
/// [`MountError::DataDir`] if the directory cannot be created or is locked by another process.
pub fn lock_data_dir(dir: &Path) -> Result<File, MountError> {
    let err = |message: String| MountError::DataDir {
        path: dir.to_owned(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create it: {e}")))?;
    let path = dir.join("standin.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| err(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(err(
            "another standin is using this data dir (standin.lock is held)".into(),
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(err(format!("cannot lock {}: {e}", path.display())))
        }
    }
}

/// Load fixtures, open the store and bind the listener of product `P`.
///
/// # Errors
/// [`MountError`] with a one-line explanation.
pub fn prepare<P: Product>(
    options: Arc<CommonOptions>,
    port: u16,
    tls: Option<Arc<rustls::ServerConfig>>,
    settings: P::Settings,
) -> Result<Prepared<P>, MountError> {
    let (fixtures, file) = read_fixtures::<P>(&options)?;
    let settings = Arc::new(settings);
    let fixture_error = |e: crate::product::StateError| MountError::Fixtures {
        file: file.clone(),
        message: e.to_string(),
    };
    let store = match &options.data_dir {
        Some(dir) => {
            let path = dir.join(format!("{}.sqlite3", P::NAME));
            Store::file(&path, P::SCHEMA).map_err(|e| MountError::DataDir {
                path: path.clone(),
                message: e.to_string(),
            })?
        }
        None => Store::memory(P::SCHEMA).map_err(|e| MountError::Other {
            product: P::NAME,
            message: e.to_string(),
        })?,
    };
    let main = Instance::<P>::new(
        None,
        Env::with_journal(
            options.seed,
            P::NAME,
            crate::journal::Journal::bounded(options.journal_size, options.journal_bytes),
        ),
        store,
        settings.clone(),
    );
    let fresh = main.store.is_empty().map_err(|e| MountError::Other {
        product: P::NAME,
        message: e.to_string(),
    })?;
    if fresh {
        main.replace_state(&fixtures).map_err(fixture_error)?;
    } else {
        // Keep the persisted state, but still refuse a bad fixture file now, not at reset.
        let scratch = Instance::<P>::new(
            None,
            Env::new(options.seed, P::NAME),
            Store::memory(P::SCHEMA).map_err(|e| MountError::Other {
                product: P::NAME,
                message: e.to_string(),
            })?,
            settings.clone(),
        );
        scratch.replace_state(&fixtures).map_err(fixture_error)?;
    }
    let mut operations: HashMap<&'static str, Vec<_>> = HashMap::new();
    let mut route_defs = Vec::new();
    for route in P::routes() {
        route_defs.push((
            actix_web::dev::ResourceDef::new(route.path),
            route.method.clone(),
            route.operation,
        ));
        operations
            .entry(route.path)
            .or_default()
            .push((route.method, route.operation));
    }
    let snapshot_dir = options
        .data_dir
        .as_ref()
        .map(|dir| dir.join("snapshots").join(P::NAME));
    let snapshots = match &snapshot_dir {
        Some(dir) => crate::snapshots::load_dir(dir).map_err(|message| MountError::DataDir {
            path: dir.clone(),
            message,
        })?,
        None => BTreeMap::new(),
    };
    let listener = bind(P::NAME, options.bind, port)?;
    let addr = listener.local_addr().map_err(|e| MountError::Other {
        product: P::NAME,
        message: e.to_string(),
    })?;
    let url = base_url(addr, tls.is_some());
    let host = Arc::new(Host {
        main: Arc::new(main),
        fixtures: Arc::new(fixtures),
        options,
        settings,
        tls,
        operations,
        route_defs,
        tenants: Mutex::new(BTreeMap::new()),
        tenant_runner: Mutex::new(None),
        tenant_seq: AtomicU64::new(0),
        snapshots: Mutex::new(snapshots),
        snapshot_dir,
    });
    Ok(Prepared {
        host,
        url,
        addr,
        listener,
    })
}

impl<P: Product> Prepared<P> {
    /// Start serving. The returned [`Server`] future must be awaited or spawned.
    ///
    /// # Errors
    /// If the listener cannot be handed to the HTTP server.
    pub fn start(self) -> io::Result<(Running<P>, Server)> {
        let workers = self.host.options.workers.unwrap_or(0);
        let server = build_server(self.host.clone(), self.listener, workers)?;
        let running = Running {
            host: self.host,
            url: self.url,
            addr: self.addr,
            handle: server.handle(),
        };
        Ok((running, server))
    }
}

/// The app of product `P`: the engine around the product's routes and the control scope.
/// The main listener builds one per worker; the tenant runner builds one for every tenant
/// ([`crate::tenant_runner`]).
pub(crate) fn app<P: Product>(
    data: web::Data<Host<P>>,
    cors: bool,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(data)
        .wrap(from_fn(engine::<P, _>))
        .configure(P::configure)
        .service(crate::control_router::scope::<P>())
        .configure(register_routes::<P>)
        .default_service(web::to(not_found::<P>))
        .wrap(Condition::new(cors, from_fn(crate::cors::cors::<P, _>)))
}

/// Build the main HTTP server of `host` on `listener`.
pub(crate) fn build_server<P: Product>(
    host: Arc<Host<P>>,
    listener: TcpListener,
    workers: usize,
) -> io::Result<Server> {
    let tls = host.tls.clone();
    let cors = host.options.cors;
    let data = web::Data::from(host);
    let factory = move || app::<P>(data.clone(), cors);
    let mut server = HttpServer::new(factory)
        .on_connect(crate::engine::remember_socket)
        .disable_signals()
        .shutdown_timeout(10)
        .client_request_timeout(std::time::Duration::from_secs(10))
        .client_disconnect_timeout(std::time::Duration::from_secs(2));
    if workers > 0 {
        server = server.workers(workers);
    }
    let server = match tls {
        Some(config) => server.listen_rustls_0_23(listener, (*config).clone())?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}

/// Prepare and start `P` on `127.0.0.1:0` with in-memory state, for integration tests.
/// The server runs on the current runtime until [`Running::stop`] or process exit.
///
/// # Errors
/// [`MountError`] if fixtures or binding fail.
pub fn spawn<P: Product>(
    options: CommonOptions,
    settings: P::Settings,
) -> Result<Running<P>, MountError> {
    spawn_with_tls::<P>(options, None, settings)
}

/// [`spawn`] with an optional TLS configuration.
///
/// # Errors
/// [`MountError`] if fixtures or binding fail.
pub fn spawn_with_tls<P: Product>(
    options: CommonOptions,
    tls: Option<Arc<rustls::ServerConfig>>,
    settings: P::Settings,
) -> Result<Running<P>, MountError> {
    let options = Arc::new(CommonOptions {
        workers: options.workers.or(Some(1)),
        ..options
    });
    let prepared = prepare::<P>(options, 0, tls, settings)?;
    let (running, server) = prepared.start().map_err(|e| MountError::Other {
        product: P::NAME,
        message: e.to_string(),
    })?;
    actix_web::rt::spawn(server);
    Ok(running)
}
