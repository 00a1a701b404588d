//! ManageEngine OpManager REST API: apiKey header/query rules, per-user REST access, devices and alarms.
//!
//! (being built: see the issue for this product)
