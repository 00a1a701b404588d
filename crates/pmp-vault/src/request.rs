//! Reading client input beyond the front door: ids in paths and the parameter helpers the
//! handlers use. The body itself (query and form parameters whatever the Content-Type,
//! multipart uploads, INPUT_DATA read leniently) is read by [`crate::input`] and
//! [`crate::lenient`], re-exported here so handlers import one module.

pub use crate::input::{array, flag, nonblank, text, Upload};

use crate::auth::ApiUser;
use crate::error::{PmpError, MSG_INVALID_INPUT};

/// A numeric id from path or input text (PMP ids are positive).
pub fn parse_id(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|id: &i64| *id > 0)
}

/// The `USERNAME` of a user request: a query parameter, else INPUT_DATA.
///
/// # Errors
/// `Invalid input data` when neither names a user.
pub fn user_name(caller: &ApiUser) -> Result<String, PmpError> {
    if let Some(name) = caller.param("USERNAME").filter(|n| !n.trim().is_empty()) {
        return Ok(name.trim().to_owned());
    }
    nonblank(&caller.details()?, "USERNAME").ok_or_else(|| PmpError::failed(MSG_INVALID_INPUT))
}
