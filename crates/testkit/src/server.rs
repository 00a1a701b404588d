//! Starting a product in-process and driving its control API.

use crate::credentials::Kit;
use crate::filter::Filter;
use auth_core::CommonOptions;
use auth_core::Host;
use auth_core::server::{prepare, stop_tenants};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// Why a server could not start or a control call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Fixtures, store, TLS or binding failed.
    #[error("cannot start {product}: {message}")]
    Start {
        /// The product.
        product: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The control API answered with an error (a bad fault rule, an unknown tenant, ...).
    #[error("control API {path}: {status} {body}")]
    Control {
        /// The control path.
        path: String,
        /// The status.
        status: StatusCode,
        /// The JSON error body.
        body: Value,
    },
    /// A journal filter that cannot be sent (a JSON value that is not an object).
    #[error("journal filter: {message}")]
    Filter {
        /// What is wrong.
        message: String,
    },
    /// The HTTP call itself failed.
    #[error("control API {path}: {source}")]
    Http {
        /// The control path.
        path: String,
        /// The transport error.
        source: reqwest::Error,
    },
}

/// Entry point: pick a product, configure it, start it.
///
/// ```
/// use standin_testkit::Standin;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let opsmgr = Standin::opsmgr().seed(7).start().await;
/// assert!(opsmgr.url().starts_with("http://127.0.0.1:"));
/// # }
/// ```
pub struct Standin;

impl Standin {
    /// OpManager (plain HTTP).
    pub fn opmanager() -> Builder<opmanager_keys::OpManager> {
        Builder::new()
    }

    /// ServiceOps (plain HTTP).
    pub fn serviceops() -> Builder<serviceops_oauth::ServiceOps> {
        Builder::new()
    }

    /// Password Manager Pro (HTTPS with a generated certificate, as the real product).
    pub fn pmp() -> Builder<pmp_vault::Pmp> {
        Builder::new()
    }

    /// Ops Manager (plain HTTP).
    pub fn opsmgr() -> Builder<opsmgr_apikeys::OpsMgr> {
        Builder::new()
    }

    /// Any product type.
    pub fn product<P: Kit>() -> Builder<P> {
        Builder::new()
    }
}

/// Options for one in-process product.
///
/// ```
/// use standin_testkit::Standin;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Arrange: PMP over plain HTTP with reproducible keys and refusal reasons in headers.
/// let pmp = Standin::pmp().tls(false).seed(42).explain(true).start().await;
/// // Assert
/// assert!(pmp.url().starts_with("http://"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Builder<P: Kit> {
    options: CommonOptions,
    settings: P::Settings,
    tls: bool,
    state: Option<Value>,
}

impl<P: Kit> Builder<P> {
    fn new() -> Self {
        Builder {
            options: CommonOptions {
                workers: Some(1),
                ..CommonOptions::default()
            },
            settings: P::Settings::default(),
            tls: P::default_tls(),
            state: None,
        }
    }

    /// Make generated keys, tokens, ids and nonces reproducible (`--seed`).
    pub fn seed(mut self, seed: u64) -> Self {
        self.options.seed = Some(seed);
        self
    }

    /// Listen on `addr` (port 0) instead of `127.0.0.1`, e.g. `::1`.
    pub fn bind(mut self, addr: std::net::IpAddr) -> Self {
        self.options.bind = addr;
        self
    }

    /// Serve HTTPS with a generated certificate (trusted by [`Server::client`]) or plain HTTP.
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// Add `X-Standin-Reason` to refusals (`--explain`).
    pub fn explain(mut self, on: bool) -> Self {
        self.options.explain = on;
        self
    }

    /// Load `<product>.json` from this directory instead of the built-in fixtures.
    pub fn fixtures_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.fixtures_dir = Some(dir.into());
        self
    }

    /// Keep the state in SQLite files in this directory (`--data-dir`).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.data_dir = Some(dir.into());
        self
    }

    /// Request journal capacity (`--journal-size`).
    pub fn journal_size(mut self, entries: usize) -> Self {
        self.options.journal_size = entries;
        self
    }

    /// Request journal capacity in bytes (`--journal-bytes`).
    pub fn journal_bytes(mut self, bytes: usize) -> Self {
        self.options.journal_bytes = bytes;
        self
    }

    /// Product settings (the launcher's `--<product>-...` flags).
    pub fn settings(mut self, settings: P::Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Start from this state document instead of the fixtures (`PUT /_standin/state`).
    pub fn state(mut self, doc: Value) -> Self {
        self.state = Some(doc);
        self
    }

    /// Start the product on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If it cannot start (bad fixtures or state, no port); use [`Builder::try_start`] to
    /// handle that.
    pub async fn start(self) -> Server<P> {
        match self.try_start().await {
            Ok(server) => server,
            Err(err) => panic!("standin-testkit: {err}"),
        }
    }

    /// Start the product on `127.0.0.1:0`.
    ///
    /// ```
    /// use standin_testkit::Standin;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// // A state document with a wrong field is refused, naming the field.
    /// let err = Standin::opsmgr().state(serde_json::json!({"nope": 1})).try_start().await;
    /// assert!(err.is_err());
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Start`] or, for a bad [`Builder::state`], [`Error::Control`].
    pub async fn try_start(self) -> Result<Server<P>, Error> {
        let start_error = |message: String| Error::Start {
            product: P::NAME,
            message,
        };
        let cert = if self.tls {
            Some(auth_core::tls::self_signed(&[]).map_err(|e| start_error(e.to_string()))?)
        } else {
            None
        };
        let tls_config = cert.as_ref().map(|c| c.config.clone());
        let options = Arc::new(self.options);
        let settings = self.settings;
        let (ready_tx, ready_rx) = oneshot::channel::<Ready<P>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("standin-{}", P::NAME))
            .spawn(move || serve::<P>(options, tls_config, settings, ready_tx, stop_rx))
            .map_err(|e| start_error(e.to_string()))?;
        let (host, url) = match ready_rx.await {
            Ok(Ok(ready)) => ready,
            Ok(Err(message)) => {
                let _ = thread.join();
                return Err(start_error(message));
            }
            Err(_) => {
                let _ = thread.join();
                return Err(start_error("server thread ended".into()));
            }
        };
        let cert_pem = cert.map(|c| c.cert_pem);
        let control =
            control_client(cert_pem.as_deref()).map_err(|e| start_error(e.to_string()))?;
        let server = Server {
            url,
            cert_pem,
            host,
            control,
            stop: Some(stop_tx),
            thread: Some(thread),
            _product: PhantomData,
        };
        if let Some(doc) = self.state {
            server.call(Method::PUT, "/state", Some(doc)).await?;
        }
        Ok(server)
    }
}

/// What the server thread reports once bound: the host and its URL, or why it failed.
type Ready<P> = Result<(Arc<Host<P>>, String), String>;

/// The server thread: its own actix system, serving until told to stop.
fn serve<P: Kit>(
    options: Arc<CommonOptions>,
    tls: Option<Arc<rustls::ServerConfig>>,
    settings: P::Settings,
    ready: oneshot::Sender<Ready<P>>,
    stop: oneshot::Receiver<()>,
) {
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        let prepared = match prepare::<P>(options, 0, tls, settings) {
            Ok(prepared) => prepared,
            Err(err) => {
                let _ = ready.send(Err(err.to_string()));
                return;
            }
        };
        let (running, server) = match prepared.start() {
            Ok(started) => started,
            Err(err) => {
                let _ = ready.send(Err(err.to_string()));
                return;
            }
        };
        let serving = actix_web::rt::spawn(server);
        if ready
            .send(Ok((running.host.clone(), running.url.clone())))
            .is_err()
        {
            running.handle.stop(false).await;
            return;
        }
        // A dropped sender (the Server was dropped or leaked with the process) also stops.
        let _ = stop.await;
        stop_tenants(&running.host).await;
        running.handle.stop(false).await;
        let _ = serving.await;
    });
}

fn control_client(cert_pem: Option<&str>) -> Result<reqwest::Client, reqwest::Error> {
    let builder = reqwest::Client::builder().timeout(Duration::from_secs(70));
    match cert_pem {
        Some(pem) => builder
            .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes())?)
            .build(),
        None => builder.build(),
    }
}

/// A running product. Stops (and closes its tenants' ports) when dropped.
///
/// ```
/// use standin_testkit::Standin;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // Arrange
/// let ops = Standin::opsmgr().start().await;
/// let url = ops.url().to_owned();
/// // Act
/// drop(ops);
/// // Assert: the port is closed.
/// assert!(reqwest::get(format!("{url}/_standin/health")).await.is_err());
/// # }
/// ```
pub struct Server<P: Kit> {
    url: String,
    cert_pem: Option<String>,
    host: Arc<Host<P>>,
    control: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _product: PhantomData<P>,
}

impl<P: Kit> std::fmt::Debug for Server<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("product", &P::NAME)
            .field("url", &self.url)
            .finish()
    }
}

impl<P: Kit> Drop for Server<P> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl<P: Kit> Server<P> {
    /// The base URL, e.g. `https://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The default fixtures' credentials.
    ///
    /// ```
    /// use standin_testkit::Standin;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sd = Standin::serviceops().start().await;
    /// // Arrange / Act: the seed's password grant.
    /// let creds = sd.credentials();
    /// let res = sd
    ///     .client()
    ///     .post(format!("{}/api/oauth/token", sd.url()))
    ///     .basic_auth(creds.client_id, Some(creds.client_secret))
    ///     .form(&[("grant_type", "password"), ("username", creds.username), ("password", creds.password)])
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// // Assert
    /// assert_eq!(res.status(), 200);
    /// # }
    /// ```
    pub fn credentials(&self) -> P::Credentials {
        P::CREDENTIALS
    }

    /// The generated certificate in PEM (when serving HTTPS), for clients to trust.
    pub fn cert_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// A `reqwest` client that trusts this server's certificate.
    pub fn client(&self) -> reqwest::Client {
        self.control.clone()
    }

    /// In-process access to the product host (main instance, fixtures, tenants).
    pub fn host(&self) -> &Arc<Host<P>> {
        &self.host
    }

    /// Call the control API: `method` on `/_standin{path}` with an optional JSON body.
    ///
    /// # Errors
    /// [`Error::Control`] for a non-2xx answer, [`Error::Http`] if the call failed.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Error> {
        self.call_with_query(method, path, &[], body).await
    }

    async fn call_with_query(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Value, Error> {
        let full = format!("/_standin{path}");
        let mut req = self
            .control
            .request(method, format!("{}{full}", self.url))
            .query(query);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let http = |source| Error::Http {
            path: full.clone(),
            source,
        };
        let res = req.send().await.map_err(http)?;
        let status = res.status();
        let text = res.text().await.map_err(http)?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if status.is_success() {
            Ok(body)
        } else {
            Err(Error::Control {
                path: full,
                status,
                body,
            })
        }
    }

    async fn must(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        match self.call(method, path, body).await {
            Ok(body) => body,
            Err(err) => panic!("standin-testkit: {err}"),
        }
    }

    /// Back to the fixtures: store, clock, faults, rate limits (`POST /_standin/reset`).
    ///
    /// ```
    /// use standin_testkit::Standin;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let ops = Standin::opsmgr().start().await;
    /// // Arrange: change the world.
    /// ops.clock().advance(std::time::Duration::from_secs(3600)).await;
    /// let before = ops.state().await;
    /// // Act
    /// ops.reset().await;
    /// // Assert: the same fixtures, the real clock again.
    /// assert_eq!(ops.state().await, before);
    /// assert_eq!(ops.clock().get().await["offset_ms"], 0);
    /// # }
    /// ```
    ///
    /// # Panics
    /// If the control API refuses (it does not for a running server).
    pub async fn reset(&self) {
        self.must(Method::POST, "/reset", None).await;
    }

    /// The clock of this instance.
    pub fn clock(&self) -> Clock<'_, P> {
        Clock { server: self }
    }

    /// The request journal, oldest first (`GET /_standin/requests`).
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn requests(&self) -> Vec<Value> {
        self.requests_where(Filter::new()).await
    }

    /// The request journal filtered: `&[("status", "401"), ("limit", "5")]`, or the same as
    /// JSON, `json!({"status": 401, "limit": 5})` (any [`Filter`] form, as [`Server::wait_for`]).
    ///
    /// ```
    /// use standin_testkit::Standin;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let op = Standin::opmanager().explain(true).start().await;
    /// // Act: a disabled user's key.
    /// let key = op.credentials().disabled_api_key;
    /// op.client()
    ///     .get(format!("{}/api/json/device/listDevices", op.url()))
    ///     .header("apiKey", key)
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// // Assert: the journal says why it was refused, and never shows the key.
    /// let refused = op.requests_where(&[("path", "/api/json/device")]).await;
    /// assert_eq!(refused.len(), 1);
    /// assert!(refused[0]["reason"].as_str().unwrap().contains("operator"));
    /// assert!(!refused[0].to_string().contains(key));
    /// # }
    /// ```
    ///
    /// # Panics
    /// If a filter is invalid.
    pub async fn requests_where(&self, filter: impl Into<Filter>) -> Vec<Value> {
        let filter = filter.into();
        let query = match filter.query() {
            Ok(query) => query,
            Err(message) => panic!("standin-testkit: {}", Error::Filter { message }),
        };
        let body = match self
            .call_with_query(Method::GET, "/requests", &query, None)
            .await
        {
            Ok(body) => body,
            Err(err) => panic!("standin-testkit: {err}"),
        };
        match body.get("requests") {
            Some(Value::Array(entries)) => entries.clone(),
            _ => Vec::new(),
        }
    }

    /// Wait until `count` requests match `filter`, or `timeout`. The filter takes the same
    /// forms as [`Server::requests_where`]: `json!({"status": 418})`, `json!({"status":
    /// "418"})` and `&[("status", "418")]` are one filter.
    ///
    /// ```
    /// use standin_testkit::{Standin, json};
    /// use std::time::Duration;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let ops = Standin::opsmgr().start().await;
    /// // Act: a call without credentials.
    /// ops.client().get(format!("{}/api/public/v1.0/orgs", ops.url())).send().await.unwrap();
    /// // Assert: the same wait, with the filter written either way.
    /// let second = Duration::from_secs(5);
    /// let by_json = ops.wait_for(json!({"status": "401"}), 1, second).await.unwrap();
    /// let by_pairs = ops.wait_for(&[("status", "401")], 1, second).await.unwrap();
    /// assert_eq!(by_json, by_pairs);
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Control`] with status 408 and what did arrive, on timeout;
    /// [`Error::Filter`] for a filter that is not a JSON object.
    pub async fn wait_for(
        &self,
        filter: impl Into<Filter>,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<Value>, Error> {
        let mut body = filter
            .into()
            .body()
            .map_err(|message| Error::Filter { message })?;
        body.insert("count".into(), json!(count));
        body.insert("timeout_ms".into(), json!(timeout.as_millis() as u64));
        let answer = self
            .call(Method::POST, "/requests/wait", Some(Value::Object(body)))
            .await?;
        Ok(match answer.get("requests") {
            Some(Value::Array(entries)) => entries.clone(),
            _ => Vec::new(),
        })
    }

    /// Add a fault rule (`POST /_standin/faults`) and return it with its `id`.
    ///
    /// ```
    /// use standin_testkit::Standin;
    /// use serde_json::json;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let op = Standin::opmanager().start().await;
    /// let key = op.credentials().api_key;
    /// // Arrange: the next two device calls fail with OpManager's own 503.
    /// op.fault(json!({"path": "/api/json/device/*", "times": 2, "action": "status", "status": 503})).await;
    /// // Act
    /// let mut statuses = Vec::new();
    /// for _ in 0..3 {
    ///     let res = op.client()
    ///         .get(format!("{}/api/json/device/listDevices", op.url()))
    ///         .header("apiKey", key)
    ///         .send().await.unwrap();
    ///     statuses.push(res.status().as_u16());
    /// }
    /// // Assert
    /// assert_eq!(statuses, [503, 503, 200]);
    /// # }
    /// ```
    ///
    /// # Panics
    /// If the rule is invalid (the panic message carries the 400 body naming the field).
    pub async fn fault(&self, rule: Value) -> Value {
        self.must(Method::POST, "/faults", Some(rule)).await
    }

    /// Remove every fault rule.
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn clear_faults(&self) {
        self.must(Method::DELETE, "/faults", None).await;
    }

    /// The whole state in the fixture format (`GET /_standin/state`).
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn state(&self) -> Value {
        self.must(Method::GET, "/state", None).await
    }

    /// Replace the state (`PUT /_standin/state`).
    ///
    /// # Errors
    /// [`Error::Control`] (400 naming the field) for a bad document; nothing changes then.
    pub async fn set_state(&self, doc: Value) -> Result<(), Error> {
        self.call(Method::PUT, "/state", Some(doc))
            .await
            .map(|_| ())
    }

    /// Create an isolated tenant from the fixtures, with its own port.
    ///
    /// ```
    /// use standin_testkit::Standin;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let ops = Standin::opsmgr().start().await;
    /// // Act
    /// let tenant = ops.tenant().await;
    /// tenant.clock_advance(&ops, std::time::Duration::from_secs(60)).await;
    /// // Assert: the tenant's clock moved, the main one did not.
    /// assert_eq!(ops.clock().get().await["offset_ms"], 0);
    /// assert_ne!(tenant.url, ops.url());
    /// ops.delete_tenant(&tenant).await;
    /// # }
    /// ```
    ///
    /// # Panics
    /// If the tenant limit is reached.
    pub async fn tenant(&self) -> Tenant {
        let body = self.must(Method::POST, "/tenants", None).await;
        Tenant {
            id: body["id"].as_str().unwrap_or_default().to_owned(),
            url: body["url"].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// Drop a tenant and close its port.
    ///
    /// # Panics
    /// If the tenant does not exist.
    pub async fn delete_tenant(&self, tenant: &Tenant) {
        self.must(Method::DELETE, &format!("/tenants/{}", tenant.id), None)
            .await;
    }
}

/// A tenant: an isolated copy of the product with its own port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The tenant id (also usable as `X-Standin-Tenant` on the main port).
    pub id: String,
    /// The tenant's own base URL.
    pub url: String,
}

impl Tenant {
    /// Advance this tenant's clock (through the main port with `X-Standin-Tenant`).
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn clock_advance<P: Kit>(&self, server: &Server<P>, by: Duration) {
        let res = server
            .control
            .post(format!("{}/_standin/clock", server.url))
            .header("X-Standin-Tenant", &self.id)
            .json(&json!({"advance_ms": by.as_millis() as u64}))
            .send()
            .await;
        match res {
            Ok(res) if res.status().is_success() => {}
            Ok(res) => panic!("standin-testkit: tenant clock: {}", res.status()),
            Err(err) => panic!("standin-testkit: tenant clock: {err}"),
        }
    }
}

/// The clock of one instance (`/_standin/clock`).
///
/// ```
/// use standin_testkit::Standin;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let ops = Standin::opsmgr().start().await;
/// // Act
/// ops.clock().freeze().await;
/// ops.clock().set("2027-01-01T00:00:00Z").await;
/// ops.clock().advance(std::time::Duration::from_secs(90)).await;
/// // Assert
/// assert_eq!(ops.clock().get().await["now"], "2027-01-01T00:01:30Z");
/// # }
/// ```
pub struct Clock<'a, P: Kit> {
    server: &'a Server<P>,
}

impl<P: Kit> Clock<'_, P> {
    /// The clock state: `now`, `now_ms`, `frozen`, `offset_ms`.
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn get(&self) -> Value {
        self.server.must(Method::GET, "/clock", None).await
    }

    /// Stop time where it is.
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn freeze(&self) -> Value {
        self.post(json!({"freeze": true})).await
    }

    /// Let time run again.
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn unfreeze(&self) -> Value {
        self.post(json!({"freeze": false})).await
    }

    /// Move time forward.
    ///
    /// # Panics
    /// If the control API refuses.
    pub async fn advance(&self, by: Duration) -> Value {
        self.post(json!({"advance_ms": by.as_millis() as u64}))
            .await
    }

    /// Jump to an RFC 3339 instant, e.g. `2027-01-01T00:00:00Z`.
    ///
    /// # Panics
    /// If the instant is not RFC 3339.
    pub async fn set(&self, rfc3339: &str) -> Value {
        self.post(json!({ "set": rfc3339 })).await
    }

    async fn post(&self, body: Value) -> Value {
        self.server.must(Method::POST, "/clock", Some(body)).await
    }
}

impl Server<serviceops_oauth::ServiceOps> {
    /// An access token for the fixture user, from the password grant of the fixture client
    /// (what an integration does first).
    ///
    /// ```
    /// use standin_testkit::Standin;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let sd = Standin::serviceops().start().await;
    /// // Arrange
    /// let token = sd.access_token().await;
    /// // Act
    /// let res = sd.client()
    ///     .get(format!("{}/api/v1/request/1", sd.url()))
    ///     .bearer_auth(&token)
    ///     .send().await.unwrap();
    /// // Assert: authenticated (the request may or may not exist).
    /// assert_ne!(res.status(), 401);
    /// # }
    /// ```
    ///
    /// # Panics
    /// If the fixtures were replaced and the grant is refused.
    pub async fn access_token(&self) -> String {
        let creds = self.credentials();
        let res = self
            .control
            .post(format!("{}/api/oauth/token", self.url))
            .basic_auth(creds.client_id, Some(creds.client_secret))
            .form(&[
                ("grant_type", "password"),
                ("username", creds.username),
                ("password", creds.password),
            ])
            .send()
            .await;
        let body: Value = match res {
            Ok(res) => res.json().await.unwrap_or(Value::Null),
            Err(err) => panic!("standin-testkit: password grant: {err}"),
        };
        match body["access_token"].as_str() {
            Some(token) => token.to_owned(),
            None => panic!("standin-testkit: password grant refused: {body}"),
        }
    }
}
