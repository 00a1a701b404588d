//! MongoDB Ops Manager public API v1.0: Digest auth, orgs, projects, programmatic API keys, access lists.
//!
//! (being built: see the issue for this product)
