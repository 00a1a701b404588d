//! Reading client input beyond the front door: ids in paths and the parameter helpers the
//! handlers use. The body itself (query and form parameters whatever the Content-Type,
//! multipart uploads, INPUT_DATA read leniently) is read by [`crate::input`] and
//! [`crate::lenient`], re-exported here so handlers import one module.

pub use crate::input::{array, flag, nonblank, text, Upload};

/// A numeric id from path or input text (PMP ids are positive).
pub fn parse_id(text: &str) -> Option<i64> {
    text.trim().parse().ok().filter(|id: &i64| *id > 0)
}
