//! ServiceOps REST API: OAuth2 password grant, portal API keys, requests, changes and assets.
//!
//! (being built: see the issue for this product)
