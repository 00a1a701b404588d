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
//! runtime (`#[tokio::test]`, `#[actix_web::test]`) and in plain `#[test]` functions through
//! [`Standin::start_blocking`](Builder::start_blocking).

mod credentials;
mod server;

pub use credentials::{
    Kit, OpManagerCredentials, OpsMgrCredentials, PmpCredentials, ServiceOpsCredentials,
};
pub use server::{Builder, Clock, Error, Server, Standin, Tenant};

/// The product types, re-exported so tests need only this crate.
pub mod products {
    pub use opmanager_keys::OpManager;
    pub use opsmgr_apikeys::OpsMgr;
    pub use pmp_vault::Pmp;
    pub use serviceops_oauth::ServiceOps;
}
