//! Integration tests of the ServiceOps stand-in: a fresh server per test on port 0, driven
//! with a real HTTP client.

mod attachments;
mod common;
mod conversations;
mod objects;
mod parsers;
mod requests;
mod resource;
mod robustness;
mod signing;
mod token;
mod users;
