//! Password generation by policy (`GET /passwords/generate`, the vendor's "Generate
//! Password" API).

use crate::auth::ApiUser;
use crate::error::PmpError;
use crate::request::nonblank;
use crate::rules;
use crate::store;
use crate::wire::Reply;
use serde_json::json;

/// `GET /passwords/generate` with INPUT_DATA `POLICY` (`GENERATE_PASSWORD`).
pub async fn generate_password(caller: ApiUser) -> Result<Reply, PmpError> {
    let name = nonblank(&caller.details()?, "POLICY")
        .or_else(|| caller.param("POLICY").map(str::to_owned))
        .unwrap_or_else(|| "Strong".into());
    let policy = caller
        .read(|c| store::policy(c, &name))?
        .ok_or_else(|| PmpError::failed(format!("Password policy {name} does not exist")))?;
    let password = rules::generate(&policy, &caller.inst().env.ids);
    Ok(Reply::message("Password generated successfully").details(json!({ "PASSWORD": password })))
}
