//! Integration tests of pmp-vault: one binary, one module per area, each test on a fresh
//! server over a real socket.

mod audit;
mod common;
mod front_door;
mod pam360;
mod parsers;
mod pki;
mod vault;
mod workflow;
