//! The host of one product: its main instance, its tenants, fixtures and snapshots, and the
//! [`Inst`] extractor that hands a handler the instance a request addressed. The instance
//! itself is part of the contract, in [`crate::product`].

use crate::product::{Instance, Product, StateError};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::future::{ready, Ready};
use std::net::IpAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Options shared by every product of one `standin` process.
#[derive(Debug, Clone)]
pub struct CommonOptions {
    /// Address to bind (default 127.0.0.1).
    pub bind: IpAddr,
    /// `--seed`: deterministic keys, tokens, ids and nonces.
    pub seed: Option<u64>,
    /// `--data-dir`: one SQLite file per product; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// `--fixtures`: a directory with `<product>.json` files replacing the embedded ones.
    pub fixtures_dir: Option<PathBuf>,
    /// `--control-token`: non-loopback callers of `/_standin/` outside `control_allow` must
    /// send `Authorization: Bearer <token>`; without it they are refused.
    pub control_token: Option<String>,
    /// `--control-allow`: networks whose callers may use `/_standin/` without a token
    /// (loopback always may).
    pub control_allow: Vec<ipnet::IpNet>,
    /// `--explain`: add `X-Standin-Reason` to refusals.
    pub explain: bool,
    /// HTTP worker threads per product listener (`None`: actix's default).
    pub workers: Option<usize>,
    /// `--journal-size`: request journal entries kept per instance.
    pub journal_size: usize,
    /// `--cors`: answer CORS preflights and add CORS headers on every listener
    /// ([`crate::cors`]); off, as the vendors' servers are.
    pub cors: bool,
    /// `--journal-bytes`: bytes the request journal of one instance may hold.
    pub journal_bytes: usize,
}

impl Default for CommonOptions {
    fn default() -> Self {
        CommonOptions {
            bind: IpAddr::from([127, 0, 0, 1]),
            seed: None,
            data_dir: None,
            fixtures_dir: None,
            control_token: None,
            control_allow: Vec::new(),
            explain: false,
            workers: None,
            journal_size: crate::journal::DEFAULT_CAPACITY,
            cors: false,
            journal_bytes: crate::journal::DEFAULT_BYTES,
        }
    }
}

/// A tenant: an isolated instance with its own listener.
pub struct Tenant<P: Product> {
    /// The instance.
    pub instance: Arc<Instance<P>>,
    /// Its own base URL.
    pub url: String,
    /// Stops its listener.
    pub handle: crate::tenant_runner::TenantHandle<P>,
}

/// Owns the main instance, the fixtures and the tenants of one product.
pub struct Host<P: Product> {
    /// The main instance.
    pub main: Arc<Instance<P>>,
    /// The state document `reset` goes back to.
    pub fixtures: Arc<Value>,
    /// Process-wide options.
    pub options: Arc<CommonOptions>,
    /// Product settings.
    pub settings: Arc<P::Settings>,
    /// TLS configuration of this product's listeners, if any.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Operation names by path pattern, then method.
    pub operations: HashMap<&'static str, Vec<(Method, &'static str)>>,
    /// Route patterns for finding an operation before routing (fault rules, rate limits).
    pub route_defs: Vec<(actix_web::dev::ResourceDef, Method, &'static str)>,
    /// Live tenants by id.
    pub tenants: Mutex<BTreeMap<String, Tenant<P>>>,
    /// The thread serving every tenant listener, started with the first tenant.
    pub(crate) tenant_runner: Mutex<Option<crate::tenant_runner::TenantRunner<P>>>,
    pub(crate) tenant_seq: AtomicU64,
    /// Named snapshots (state documents), shared by the main instance and the tenants.
    pub snapshots: Mutex<BTreeMap<String, Arc<Value>>>,
    /// Where snapshots persist (`<data-dir>/snapshots/<product>`), if anywhere.
    pub snapshot_dir: Option<PathBuf>,
}

impl<P: Product> Host<P> {
    /// The instance a request addressed `tenant` (or the main instance).
    pub fn tenant(&self, id: &str) -> Option<Arc<Instance<P>>> {
        self.tenants.lock().get(id).map(|t| t.instance.clone())
    }

    /// The next tenant id (`t1`, `t2`, ...).
    pub(crate) fn next_tenant_id(&self) -> String {
        format!("t{}", self.tenant_seq.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// The operation a request for `method path` will reach, found before routing.
    pub fn operation_for_path(&self, method: &Method, path: &str) -> Option<&'static str> {
        self.route_defs
            .iter()
            .find(|(def, m, _)| m == method && def.is_match(path))
            .map(|(_, _, op)| *op)
    }

    /// Reset `instance` to the fixtures: store, runtime state, clock, faults and rate limits
    /// (the journal is kept; `DELETE /_standin/requests` clears it).
    ///
    /// # Errors
    /// [`StateError`] if the fixtures do not load (they did at startup).
    pub fn reset(&self, instance: &Instance<P>) -> Result<(), StateError> {
        instance.replace_state(&self.fixtures)?;
        instance.env.clock.reset();
        instance.env.faults.clear();
        instance.env.limits.clear();
        Ok(())
    }

    /// The operation name of a matched route.
    pub fn operation(&self, method: &Method, pattern: &str) -> Option<&'static str> {
        self.operations
            .get(pattern)?
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, op)| *op)
    }
}

/// Extractor: the instance (main or tenant) this request is addressed to.
pub struct Inst<P: Product>(pub Arc<Instance<P>>);

impl<P: Product> Deref for Inst<P> {
    type Target = Instance<P>;
    fn deref(&self) -> &Instance<P> {
        &self.0
    }
}

impl<P: Product> Inst<P> {
    /// The instance `req` is addressed to (a tenant's, else the main one), outside an
    /// extractor (middleware, vendor error answers). `None` when `P` is not mounted.
    pub fn of(req: &HttpRequest) -> Option<Arc<Instance<P>>> {
        req.extensions()
            .get::<Arc<Instance<P>>>()
            .cloned()
            .or_else(|| req.app_data::<web::Data<Host<P>>>().map(|h| h.main.clone()))
    }
}

impl<P: Product> FromRequest for Inst<P> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Inst::of(req).map(Inst).ok_or_else(|| {
            actix_web::error::ErrorInternalServerError("standin: product instance not mounted")
        }))
    }
}
