//! OpManager's `apiKey` rules (vendor help page "REST API",
//! <https://www.manageengine.com/network-monitoring/help/rest-api-opmanager.html>):
//! - the key travels in the `apiKey` request header (any case) or, deprecated since build
//!   128100, as the `apiKey` request parameter (query string or form body);
//! - the URLs of [`HEADER_ONLY_URLS`] ignore a parameter key (it counts as no key);
//! - `--opmanager-param-auth` emulates the builds: `allowed` (parameter keys work
//!   everywhere), `header-only-list` (128100 and later), `disabled` (the announced end);
//! - the key's user must have REST API access enabled (build 127131 and later).
//!
//! Every API handler takes a [`Caller`]: the instance addressed and the user whose key was
//! accepted.

pub(crate) mod totp;

use crate::error::OpmError;
use crate::request::Params;
use crate::state::User;
use crate::{OpManager, ParamAuth};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use auth_core::credentials::header;
use auth_core::secret::ct_eq_str;
use auth_core::{Inst, Instance};
use futures_util::future::LocalBoxFuture;
use std::sync::Arc;

/// Name of the header and of the parameter.
pub const KEY_NAME: &str = "apiKey";

/// URLs that accept the key only in the header (vendor help, "should be called with apiKey
/// only via the request header").
pub(crate) const HEADER_ONLY_URLS: [&str; 16] = [
    "/api/json/alarm/listAlarms",
    "/api/json/admin/addLinuxCredential",
    "/api/json/discovery/addDiscoveryProfile",
    "/api/json/discovery/editDiscoveryProfile",
    "/api/json/v2/discovery/addDiscoveryProfile",
    "/api/json/v2/discovery/editDiscoveryProfile",
    "/api/json/ncmsettings/importSSHKey",
    "/api/json/ncmsettings/importDevices",
    "/api/json/ncmsettings/uploadConfigletFile",
    "/api/json/ncmsettings/uploadConfigletPreView",
    "/api/json/ncmsettings/importConfiglets",
    "/api/json/ncmdevice/updateHostNamefromFileImp",
    "/api/json/ncmdevice/editCustomColfromFileImp",
    "/api/json/ncmdevice/importDG",
    "/api/json/ipam/addSubnet",
    "/api/json/spm/addSwitch",
];

/// Whether `path` is on the header-only list.
pub fn is_header_only(path: &str) -> bool {
    HEADER_ONLY_URLS.contains(&path)
}

/// The key the request presents, or why it counts as presenting none.
fn presented_key<'a>(
    req: &'a HttpRequest,
    params: &'a Params,
    mode: ParamAuth,
) -> Result<&'a str, String> {
    if let Some(key) = header(req, KEY_NAME)
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        return Ok(key);
    }
    let Some(key) = params
        .get(KEY_NAME)
        .map(str::trim)
        .filter(|k| !k.is_empty())
    else {
        return Err("no apiKey header or parameter".into());
    };
    match mode {
        ParamAuth::Allowed => Ok(key),
        ParamAuth::HeaderOnlyList if !is_header_only(req.path()) => Ok(key),
        ParamAuth::HeaderOnlyList => Err("apiKey given as a parameter on a header-only URL".into()),
        ParamAuth::Disabled => {
            Err("apiKey given as a parameter, parameter keys are disabled".into())
        }
    }
}

/// The user whose key `key` is, compared in constant time against every user.
///
/// # Errors
/// Store errors.
pub fn user_by_key(inst: &Instance<OpManager>, key: &str) -> Result<Option<Arc<User>>, OpmError> {
    let snap = crate::state::network::snapshot(inst)?;
    let mut found = None;
    for user in &snap.users {
        if ct_eq_str(&user.api_key, key) && found.is_none() {
            found = Some(user);
        }
    }
    Ok(found.cloned())
}

/// Authenticate the request's `apiKey`.
///
/// # Errors
/// [`OpmError::ApiKeyMissing`], [`OpmError::InvalidApiKey`],
/// [`OpmError::RestAccessDisabled`] with the configured status, or a store error.
pub fn authenticate(
    inst: &Instance<OpManager>,
    req: &HttpRequest,
    params: &Params,
) -> Result<Arc<User>, OpmError> {
    let status = inst.settings.auth_status.status();
    let key = presented_key(req, params, inst.settings.param_auth)
        .map_err(|why| OpmError::ApiKeyMissing(why, status))?;
    let user = user_by_key(inst, key)?.ok_or(OpmError::InvalidApiKey(status))?;
    if !user.rest_api_enabled {
        return Err(OpmError::RestAccessDisabled(user.name.clone(), status));
    }
    Ok(user)
}

/// An authenticated OpManager API call: the instance addressed and the user whose `apiKey`
/// was accepted. Refusals are noted as the request's refusal reason.
pub(crate) struct Caller {
    /// The instance addressed.
    pub inst: Inst<OpManager>,
    /// The authenticated user (the snapshot's record, shared).
    pub user: Arc<User>,
}

impl FromRequest for Caller {
    type Error = OpmError;
    type Future = LocalBoxFuture<'static, Result<Self, OpmError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let inst = Inst::<OpManager>::extract(&req);
        let params = Params::of_request(&req, payload);
        Box::pin(async move {
            let inst = inst
                .await
                .map_err(|e| OpmError::NotFound(format!("instance: {e}")))?;
            let params = params.await;
            match authenticate(&inst, &req, &params) {
                Ok(user) => {
                    auth_core::trace::set_principal(&req, user.name.clone());
                    Ok(Caller { inst, user })
                }
                Err(err) => {
                    auth_core::trace::refuse(&req, err.to_string());
                    Err(err)
                }
            }
        })
    }
}

impl Caller {
    /// Only administrators change the configuration.
    ///
    /// # Errors
    /// [`OpmError::NotAuthorized`] for operators and read-only users.
    pub fn require_admin(&self) -> Result<(), OpmError> {
        match self.user.role {
            crate::state::Role::Administrator => Ok(()),
            _ => Err(OpmError::NotAuthorized(self.user.name.clone())),
        }
    }
}
