//! ManageEngine Password Manager Pro REST API: resources, accounts, passwords, approvals, API users.
//!
//! (being built: see the issue for this product)
