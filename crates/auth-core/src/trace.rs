//! Per-request annotations a product makes for the journal and `--explain`: who the
//! authenticated principal is, and why a request was refused.

use actix_web::{HttpMessage, HttpRequest};

/// What a product noted about one request.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    /// The authenticated principal (user name, public key, API user).
    pub principal: Option<String>,
    /// Why the request was refused, in words a test author understands.
    pub reason: Option<String>,
}

/// Record the authenticated principal of this request.
pub fn set_principal(req: &HttpRequest, principal: impl Into<String>) {
    let mut ext = req.extensions_mut();
    match ext.get_mut::<Trace>() {
        Some(trace) => trace.principal = Some(principal.into()),
        None => {
            ext.insert(Trace {
                principal: Some(principal.into()),
                reason: None,
            });
        }
    }
}

/// Record why this request was refused (shown in the journal, and as `X-Standin-Reason`
/// with `--explain`). Never put a secret in `reason`.
pub fn refuse(req: &HttpRequest, reason: impl Into<String>) {
    let mut ext = req.extensions_mut();
    match ext.get_mut::<Trace>() {
        Some(trace) => trace.reason = Some(reason.into()),
        None => {
            ext.insert(Trace {
                principal: None,
                reason: Some(reason.into()),
            });
        }
    }
}

/// The annotations so far.
pub fn get(req: &HttpRequest) -> Trace {
    req.extensions().get::<Trace>().cloned().unwrap_or_default()
}
