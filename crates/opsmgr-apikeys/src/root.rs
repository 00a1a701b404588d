//! The API root, `GET /api/public/v1.0` (Ops Manager API reference, "Root":
//! <https://www.mongodb.com/docs/ops-manager/current/reference/api/root/>): the application,
//! its build and links to the top resources; any authenticated caller.

use crate::auth::Caller;
use crate::error::OpsMgrError;
use crate::request::Call;
use crate::wire::{self, Reply, BASE};
use serde_json::json;

/// `GET /api/public/v1.0`.
pub(crate) async fn get_root(_caller: Caller, call: Call) -> Result<Reply, OpsMgrError> {
    let central = call.central();
    let link = |what: &str| json!({"href": format!("{central}{BASE}/{what}"), "rel": format!("http://mms.mongodb.com/{what}")});
    Ok(Reply::ok(json!({
        "appName": "MongoDB Ops Manager",
        "build": crate::json::BUILD,
        "links": [
            wire::self_link(format!("{central}{BASE}")),
            link("orgs"),
            link("groups"),
            link("user"),
        ],
        "throttling": false,
    })))
}
