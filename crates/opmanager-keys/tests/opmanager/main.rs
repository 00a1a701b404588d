//! Integration tests of the OpManager fake: a fresh server per test on port 0, driven with
//! a real HTTP client.

mod alarms;
mod auth;
mod availability;
mod cache;
mod common;
mod control;
mod devices;
mod discovery;
mod events;
mod groups;
mod interfaces;
mod inventory;
mod monitoring;
mod parsers;
mod reports;
