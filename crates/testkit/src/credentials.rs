//! The default fixtures' credentials as typed values.
//!
//! These are the credentials of the fixtures embedded in standin (`fixtures/*.json`); a test
//! that replaces the state or the fixtures brings its own.

use auth_core::Product;

/// A product the testkit can run, with the typed credentials of its default fixtures.
pub trait Kit: Product {
    /// The credentials type.
    type Credentials: Clone + std::fmt::Debug + Send + Sync + 'static;
    /// The default fixtures' credentials.
    const CREDENTIALS: Self::Credentials;
    /// Whether the product serves HTTPS by default (as the real one does).
    fn default_tls() -> bool {
        Self::DEFAULT_TLS
    }
}

/// OpManager: users of the default fixtures, one per role and refusal.
///
/// ```
/// use standin_testkit::{Kit, products::OpManager};
/// let creds = OpManager::CREDENTIALS;
/// assert_eq!(creds.admin_user, "admin");
/// assert_ne!(creds.api_key, creds.disabled_api_key);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpManagerCredentials {
    /// User `admin`, REST access enabled.
    pub admin_user: &'static str,
    /// The `apiKey` of `admin`.
    pub api_key: &'static str,
    /// User `operator`, REST access disabled.
    pub disabled_user: &'static str,
    /// The `apiKey` of `operator` (refused: REST access disabled).
    pub disabled_api_key: &'static str,
    /// The `apiKey` of `servicedesk`, an Operator without full access.
    pub operator_api_key: &'static str,
    /// The `apiKey` of `noc-viewer`, ReadOnly.
    pub viewer_api_key: &'static str,
}

/// ServiceOps: the REST-integration client and a technician of the default fixtures.
///
/// ```
/// use standin_testkit::{Kit, products::ServiceOps};
/// let creds = ServiceOps::CREDENTIALS;
/// assert_eq!(creds.client_id, "main-web-app-client");
/// assert_ne!(creds.api_key, creds.disabled_api_key);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceOpsCredentials {
    /// OAuth client id (HTTP Basic user at `/api/oauth/token`).
    pub client_id: &'static str,
    /// OAuth client secret.
    pub client_secret: &'static str,
    /// The user of the password grant.
    pub username: &'static str,
    /// Its password.
    pub password: &'static str,
    /// The API key of that technician (`Authorization: Apikey ...`), URL-encoded as the
    /// fixture stores it.
    pub api_key: &'static str,
    /// The API key of a requester (`paulsn`), who sees only their own requests.
    pub requester_api_key: &'static str,
    /// The API key of a disabled technician (`dana`; refused).
    pub disabled_api_key: &'static str,
}

/// Password Manager Pro: the API users of the default fixtures, one per role and refusal,
/// and the seed's resource and account.
///
/// ```
/// use standin_testkit::{Kit, products::Pmp};
/// assert_eq!(Pmp::CREDENTIALS.resource_id, "303");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PmpCredentials {
    /// The AUTHTOKEN of an administrator API user bound to host `localhost` (owns resource
    /// 303).
    pub auth_token: &'static str,
    /// An API user bound to host `buildserver.example.com` (refused from elsewhere).
    pub remote_auth_token: &'static str,
    /// An API user whose key expired on 2020-12-31.
    pub expired_auth_token: &'static str,
    /// A Password User.
    pub user_auth_token: &'static str,
    /// A super administrator ("All Passwords in the System").
    pub super_auth_token: &'static str,
    /// A Password Auditor.
    pub auditor_auth_token: &'static str,
    /// A Password Administrator (not super administrator).
    pub password_admin_auth_token: &'static str,
    /// Resource id of the seed's examples.
    pub resource_id: &'static str,
    /// Account id of the seed's examples.
    pub account_id: &'static str,
}

/// Ops Manager: the organization, project and programmatic API key of the default fixtures.
///
/// ```
/// use standin_testkit::{Kit, products::OpsMgr};
/// let creds = OpsMgr::CREDENTIALS;
/// assert_eq!(creds.public_key.len(), 8);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpsMgrCredentials {
    /// The organization id.
    pub org_id: &'static str,
    /// The project (group) id.
    pub project_id: &'static str,
    /// The API key's id.
    pub api_key_id: &'static str,
    /// The Digest username.
    pub public_key: &'static str,
    /// The Digest password.
    pub private_key: &'static str,
}

impl Kit for opmanager_keys::OpManager {
    type Credentials = OpManagerCredentials;
    const CREDENTIALS: OpManagerCredentials = OpManagerCredentials {
        admin_user: "admin",
        api_key: "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b",
        disabled_user: "operator",
        disabled_api_key: "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a",
        operator_api_key: "5b8e2c71d94f06a3b7e1c5d28f904a6e",
        viewer_api_key: "a47d19e3c60b85f2e9d4a1b7c3f60e28",
    };
}

impl Kit for serviceops_oauth::ServiceOps {
    type Credentials = ServiceOpsCredentials;
    const CREDENTIALS: ServiceOpsCredentials = ServiceOpsCredentials {
        client_id: "main-web-app-client",
        client_secret: "main-web-app-secret",
        username: "tim@acme.com",
        password: "123",
        api_key: "s%2Bi32Ao54bKfFwiK%40XKDM5D2XNQpe4i%2FUB3eK8mWOcseqp3rDyaQ%3D",
        requester_api_key: "R3qu3st3rK3y%2BPaul%2F0001%3D",
        disabled_api_key: "D1sabl3dK3y%2BDana%3D",
    };
}

impl Kit for pmp_vault::Pmp {
    type Credentials = PmpCredentials;
    const CREDENTIALS: PmpCredentials = PmpCredentials {
        auth_token: "B9A1809A-5BF7-4459-9ED2-8D4F499CB902",
        remote_auth_token: "737603F9-C501-4D1F-86CD-73CE97D4A2D4",
        expired_auth_token: "A030B0AF-B1FA-451B-96E4-462B0657D190",
        user_auth_token: "C6B1687E-D8D5-4A3E-BF45-77F8D85FCFD4",
        super_auth_token: "7CBD7DB9-89F0-4092-9911-C862F456106F",
        auditor_auth_token: "0FD9EDBC-0177-4C01-B57F-335E886118A1",
        password_admin_auth_token: "4441D279-1F9D-4294-85D4-BD369E3FC64A",
        resource_id: "303",
        account_id: "307",
    };
}

impl Kit for opsmgr_apikeys::OpsMgr {
    type Credentials = OpsMgrCredentials;
    const CREDENTIALS: OpsMgrCredentials = OpsMgrCredentials {
        org_id: "5953c5f380eef53887615f99",
        project_id: "5953c5f380eef53887615f9a",
        api_key_id: "5d1d12c087d9d63e6d682438",
        public_key: "qzvhwmtx",
        private_key: "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
    };
}
