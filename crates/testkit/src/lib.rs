//! # standin-testkit
//!
//! Run a standin product inside your Rust test process: the same engine, fixtures and control
//! API as the `standin` launcher, on an ephemeral port, stopped when dropped.
//!
//! ```
//! use standin_testkit::Standin;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Arrange: Password Manager Pro with its default fixtures, over HTTPS like the real one.
//! let pmp = Standin::pmp().start().await;
//! let creds = pmp.credentials();
//!
//! // Act: call it as your application would.
//! let res = pmp
//!     .client()
//!     .get(format!("{}/restapi/json/v1/resources", pmp.url()))
//!     .query(&[("AUTHTOKEN", creds.auth_token)])
//!     .send()
//!     .await
//!     .unwrap();
//!
//! // Assert: the answer, and what standin saw.
//! assert_eq!(res.status(), 200);
//! let seen = pmp.requests().await;
//! assert_eq!(seen[0]["path"], "/restapi/json/v1/resources");
//! # }
//! ```
//!
//! Each server runs on its own thread with its own runtime, so it works under any async
//! runtime (`#[tokio::test]`, `#[actix_web::test]`, or a runtime a plain `#[test]` builds).
//!
//! What the signatures use is re-exported, so a test crate needs only `standin-testkit` and an
//! async runtime (`tokio = { version = "1", features = ["macros", "rt"] }` as a
//! dev-dependency for `#[tokio::test]`): [`Method`], [`StatusCode`], [`Value`], [`json!`],
//! the [`reqwest`] and [`serde_json`] crates, the product types in [`products`] and their
//! settings in [`settings`].
//!
//! ```
//! use standin_testkit::{settings, json, Method, Standin, Value};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Arrange: OpManager answering authentication errors with 401 instead of its usual 200.
//! let op = Standin::opmanager()
//!     .settings(settings::OpManager { auth_status: settings::AuthStatus::Unauthorized, ..Default::default() })
//!     .start()
//!     .await;
//! // Act: the control API through the re-exported types.
//! let faults: Value = op.call(Method::GET, "/faults", None).await.unwrap();
//! // Assert
//! assert_eq!(faults, json!({"faults": []}));
//! # }
//! ```

mod credentials;
mod filter;
mod server;

pub use filter::Filter;
pub use reqwest::{self, Method, StatusCode};
pub use serde_json::{self, Value, json};

pub use credentials::{
    Kit, OpManagerCredentials, OpsMgrCredentials, PmpCredentials, ServiceOpsCredentials,
};
pub use server::{Builder, Clock, Error, Server, Standin, Tenant};

/// Each product's settings (the launcher's `--<product>-...` flags), for
/// [`Builder::settings`], and the option types they hold.
pub mod settings {
    pub use opmanager_keys::Settings as OpManager;
    pub use opmanager_keys::{AuthStatus, ParamAuth};
    pub use opsmgr_apikeys::Settings as OpsMgr;
    pub use pmp_vault::Settings as Pmp;
    pub use serviceops_oauth::Settings as ServiceOps;
    pub use serviceops_oauth::TokenProfile;
}

/// The product types, re-exported so tests need only this crate.
pub mod products {
    pub use opmanager_keys::OpManager;
    pub use opsmgr_apikeys::OpsMgr;
    pub use pmp_vault::Pmp;
    pub use serviceops_oauth::ServiceOps;
}
