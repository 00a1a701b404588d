//! # auth-core
//!
//! What the four standin products share and nothing vendor-specific:
//! - credential extraction and verification: API keys ([`credentials`]), HTTP Basic
//!   (RFC 7617), Bearer (RFC 6750), server-side HTTP Digest with our nonce store
//!   ([`digest`], RFC 7616), JWT HS256 ([`jwt`]), constant-time comparison ([`secret`]);
//! - key, token and id generation from one seedable RNG ([`ids`]) and a per-instance
//!   clock ([`clock`]);
//! - SQLite store plumbing ([`store`]);
//! - the [`Product`] contract and the [`Instance`] it is handed ([`product`]), the host of
//!   instances and tenants ([`host`]), their shared services ([`env`](mod@env)), the request pipeline
//!   ([`engine`]), the control scope `/_standin/` (its vocabulary and access rule in [`control`], its
//!   routes in [`control_router`]), `--cors` ([`cors`]), TLS ([`tls`]) and mounting
//!   a product on a port ([`server`]).

pub mod clock;
pub mod control;
pub mod control_router;
pub mod cors;
pub mod credentials;
pub mod digest;
pub mod dispatch;
pub mod engine;
pub mod env;
pub mod faults;
pub mod host;
pub mod ids;
pub mod journal;
pub mod jwt;
pub mod memo;
pub mod observe;
pub mod openapi;
pub mod product;
pub mod redact;
pub mod secret;
pub mod server;
pub mod snapshots;
pub mod store;
pub mod tenant_runner;
pub mod tenants;
pub mod tls;
pub mod trace;
pub mod ui;

pub use credentials::AuthError;
pub use env::Env;
pub use host::{CommonOptions, Host, Inst};
pub use product::{
    control_op, op, parse_state, read_once, read_state, required_field, ControlOp, ForEach,
    Instance, OpRoute, Product, StateError,
};
pub use redact::Secrets;
pub use store::{Store, StoreError};

/// Re-exports product crates use, so their versions always match auth-core's.
pub mod reexport {
    pub use actix_web;
    pub use rusqlite;
    pub use serde_json;
}
