//! Every tenant listener of one product, served from one thread and one route table.
//!
//! A tenant used to get an `HttpServer` of its own: a worker thread with its own runtime, and
//! the product's whole route table built again. actix-router keeps the capture names of every
//! route pattern it parses for the life of the process (`ResourceDef::parse` leaks them on
//! purpose, actix/actix-web issue 2547), so every tenant created left about 1 KB behind for
//! good, and each creation paid for a thread and a route table.
//!
//! Here the route table is built once per product, on the runner thread, the first time a
//! tenant is created. The thread accepts on every tenant's listener and serves each
//! connection with that one HTTP service; a connection is tied to its tenant by the local
//! port it arrived on (`TenantConn`, read by the engine). Deleting a tenant closes its
//! listener at once (new connections are refused) and marks it gone: a request that still
//! arrives on one of its kept-alive connections has that connection reset, as the old
//! per-tenant server's graceful stop closed them.

use crate::host::Host;
use crate::product::{Instance, Product};
use actix_http::{Extensions, HttpService};
use actix_service::{map_config, IntoServiceFactory, Service, ServiceFactory, ServiceFactoryExt};
use actix_web::dev::AppConfig;
use actix_web::rt::net::{TcpListener, TcpStream};
use actix_web::web;
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// A tenant as its connections see it: the instance, and whether it still exists.
pub(crate) struct TenantLink<P: Product> {
    pub(crate) instance: Arc<Instance<P>>,
    live: AtomicBool,
}

impl<P: Product> TenantLink<P> {
    /// Whether the tenant has not been deleted.
    pub(crate) fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }
}

/// Connection data on every tenant connection: its tenant, or `None` when the tenant was
/// deleted between the accept and the connection's setup.
pub(crate) struct TenantConn<P: Product>(pub(crate) Option<Arc<TenantLink<P>>>);

/// Stops one tenant's listener.
pub struct TenantHandle<P: Product> {
    link: Arc<TenantLink<P>>,
    stop: oneshot::Sender<()>,
    stopped: oneshot::Receiver<()>,
}

impl<P: Product> TenantHandle<P> {
    /// Mark the tenant gone and close its listener; returns once its port refuses
    /// connections. Requests in flight finish; the next request on one of its kept-alive
    /// connections has that connection reset.
    pub async fn stop(self) {
        self.link.live.store(false, Ordering::Release);
        let _ = self.stop.send(());
        let _ = self.stopped.await;
    }
}

struct Serve<P: Product> {
    listener: std::net::TcpListener,
    link: Arc<TenantLink<P>>,
    stop: oneshot::Receiver<()>,
    stopped: oneshot::Sender<()>,
    started: oneshot::Sender<io::Result<()>>,
}

/// The runner thread of one product's tenants; it ends when this is dropped.
pub(crate) struct TenantRunner<P: Product> {
    commands: mpsc::UnboundedSender<Serve<P>>,
}

/// Ports of the live tenant listeners of a runner, for tying a connection to its tenant.
type Ports<P> = Rc<RefCell<HashMap<u16, Arc<TenantLink<P>>>>>;

/// How long a connection may take to send its request head, and to close after the answer:
/// what [`crate::server::build_server`] gives the main listener.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The HTTP service of the runner: the product's one app, the main listener's timeouts, and
/// each connection tied to its tenant. A macro, because the service's type is unnameable and
/// differs between plain and TLS streams.
macro_rules! tenant_service {
    ($host:expr, $ports:expr, $secure:expr) => {{
        let ports = $ports.clone();
        // The app sees this as its server's address; it is used only for a request without a
        // Host header (HTTP/1.0). `__priv_test_new` is actix-web's one public way to build an
        // `AppConfig` that says TLS; `HttpServer` builds the same one per listener.
        let config = AppConfig::__priv_test_new(
            $secure,
            SocketAddr::new($host.options.bind, 0).to_string(),
            SocketAddr::new($host.options.bind, 0),
        );
        let app = crate::server::app::<P>(web::Data::from($host.clone()), $host.options.cors)
            .into_factory()
            .map_err(|err: actix_web::Error| err.error_response());
        HttpService::build()
            .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
            .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
            .on_connect_ext(move |io: &_, ext: &mut Extensions| {
                connected::<P>(&ports, io as &dyn Any, ext)
            })
            .finish(map_config(app, move |_| config.clone()))
    }};
}

impl<P: Product> TenantRunner<P> {
    /// Start the runner thread of `host`'s tenants; returns once its service is built.
    pub(crate) fn start(host: Arc<Host<P>>) -> io::Result<Self> {
        let (commands, receiver) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name(format!("standin-tenants-{}", P::NAME))
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let ports: Ports<P> = Rc::default();
                    match host.tls.clone() {
                        Some(tls) => {
                            let factory =
                                tenant_service!(host, ports, true).rustls_0_23((*tls).clone());
                            serve(factory, ports, receiver, ready_tx).await;
                        }
                        None => {
                            let factory = tenant_service!(host, ports, false).tcp();
                            serve(factory, ports, receiver, ready_tx).await;
                        }
                    }
                });
            })?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(TenantRunner { commands }),
            Ok(Err(message)) => Err(io::Error::other(message)),
            Err(_) => Err(io::Error::other("the tenant runner thread ended")),
        }
    }

    /// Serve `instance` on `listener` until the returned handle stops it.
    ///
    /// # Errors
    /// If the runner has ended or cannot take the listener.
    pub(crate) async fn serve(
        &self,
        listener: std::net::TcpListener,
        instance: Arc<Instance<P>>,
    ) -> io::Result<TenantHandle<P>> {
        listener.set_nonblocking(true)?;
        let link = Arc::new(TenantLink {
            instance,
            live: AtomicBool::new(true),
        });
        let (stop_tx, stop) = oneshot::channel();
        let (stopped, stopped_rx) = oneshot::channel();
        let (started, started_rx) = oneshot::channel();
        let ended = || io::Error::other("the tenant runner thread ended");
        self.commands
            .send(Serve {
                listener,
                link: link.clone(),
                stop,
                stopped,
                started,
            })
            .map_err(|_| ended())?;
        started_rx.await.map_err(|_| ended())??;
        Ok(TenantHandle {
            link,
            stop: stop_tx,
            stopped: stopped_rx,
        })
    }

    /// Another sender to the same runner (to use without holding the host's lock).
    pub(crate) fn handle(&self) -> Self {
        TenantRunner {
            commands: self.commands.clone(),
        }
    }

    /// Whether the runner thread still takes listeners.
    pub(crate) fn is_running(&self) -> bool {
        !self.commands.is_closed()
    }
}

/// `on_connect`: remember the socket (for `reset` faults) and tie the connection to the
/// tenant whose port it arrived on.
fn connected<P: Product>(ports: &Ports<P>, io: &dyn Any, ext: &mut Extensions) {
    crate::engine::remember_socket(io, ext);
    let port = if let Some(tcp) = io.downcast_ref::<TcpStream>() {
        tcp.local_addr().ok()
    } else if let Some(tls) =
        io.downcast_ref::<actix_tls::accept::rustls_0_23::TlsStream<TcpStream>>()
    {
        tls.get_ref().0.local_addr().ok()
    } else {
        None
    }
    .map(|addr| addr.port());
    let link = port.and_then(|port| ports.borrow().get(&port).cloned());
    ext.insert(TenantConn(link));
}

/// Build the service, then take listeners until the runner is dropped.
async fn serve<P, F>(
    factory: F,
    ports: Ports<P>,
    mut commands: mpsc::UnboundedReceiver<Serve<P>>,
    ready: std::sync::mpsc::Sender<Result<(), String>>,
) where
    P: Product,
    F: ServiceFactory<TcpStream, Config = (), Response = (), InitError = ()>,
    F::Service: 'static,
{
    let Ok(service) = factory.new_service(()).await else {
        let _ = ready.send(Err("cannot build the tenants' HTTP service".into()));
        return;
    };
    let service = Rc::new(service);
    let _ = ready.send(Ok(()));
    while let Some(command) = commands.recv().await {
        let Serve {
            listener,
            link,
            stop,
            stopped,
            started,
        } = command;
        let taken = listener
            .local_addr()
            .and_then(|addr| Ok((addr.port(), TcpListener::from_std(listener)?)));
        let (port, listener) = match taken {
            Ok(taken) => taken,
            Err(e) => {
                let _ = started.send(Err(e));
                continue;
            }
        };
        ports.borrow_mut().insert(port, link);
        let _ = started.send(Ok(()));
        let service = service.clone();
        let ports = ports.clone();
        actix_web::rt::spawn(async move {
            accept(&listener, &service, stop).await;
            drop(listener);
            ports.borrow_mut().remove(&port);
            let _ = stopped.send(());
        });
    }
}

/// Accept on `listener` until `stop` fires (or its sender is dropped), serving each
/// connection on its own task.
async fn accept<S>(listener: &TcpListener, service: &Rc<S>, mut stop: oneshot::Receiver<()>)
where
    S: Service<TcpStream> + 'static,
{
    loop {
        tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let service = service.clone();
                    actix_web::rt::spawn(async move {
                        let _ = service.call(stream).await;
                    });
                }
                Err(e) => {
                    // Out of descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "tenant listener: accept failed");
                    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}
