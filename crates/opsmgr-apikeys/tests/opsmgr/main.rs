//! The Ops Manager fake driven through its real HTTP server with a real Digest client:
//! one test binary, a module per area.

mod access;
mod agents;
mod alerts;
mod api;
mod backup;
mod common;
mod digest;
mod global_keys;
mod identity;
mod monitoring;
mod teams;
mod users;
