//! Test helpers: a server on port 0 and a Digest client that computes RFC 7616 responses
//! itself (MD5, qop=auth), caching the nonce like requests and httpx do.

use opsmgr_apikeys::{OpsMgr, Settings};
use reqwest::{Method, Response};
use serde_json::Value;
use standin_testkit::{Kit, OpsMgrCredentials, Server, Standin};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// The fixture organization, project and programmatic API key, from the testkit's typed
/// credentials.
const CREDS: OpsMgrCredentials = <OpsMgr as Kit>::CREDENTIALS;
pub const ORG: &str = CREDS.org_id;
pub const GROUP: &str = CREDS.project_id;
pub const KEY_ID: &str = CREDS.api_key_id;
pub const PUBLIC: &str = CREDS.public_key;
pub const PRIVATE: &str = CREDS.private_key;
pub const OTHER_ORG: &str = "5e2211c17a3e5a48f5497d01";
pub const OTHER_GROUP: &str = "5e2211c17a3e5a48f5497d02";
pub const USERNAME: &str = "owner@acme.example";
pub const USER_KEY: &str = "1f6e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
pub const ADMIN: &str = "admin@acme.example";
pub const GLOBAL_PUBLIC: &str = "gmonitor";
pub const GLOBAL_PRIVATE: &str = "3b8d6f2a-9c1e-4a7b-b5d0-e2f4a6c8b0d1";
pub const ADMIN_KEY: &str = "7e3a9c1f-2b4d-4f6e-8a0c-3d5b7f9e1a2c";
pub const REALM: &str = "MMS Public API";

/// A fresh Ops Manager on the testkit's harness: plain HTTP, `--seed 7`, refusals explained.
pub async fn server() -> Server<OpsMgr> {
    server_with(Settings::default()).await
}

pub async fn server_with(settings: Settings) -> Server<OpsMgr> {
    Standin::opsmgr()
        .tls(false)
        .seed(7)
        .explain(true)
        .settings(settings)
        .start()
        .await
}

pub fn md5_hex(text: &str) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `response` a client computes.
pub fn digest_response(
    user: &str,
    secret: &str,
    nonce: &str,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let ha1 = md5_hex(&format!("{user}:{REALM}:{secret}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    md5_hex(&format!("{ha1}:{nonce}:{nc:08x}:{cnonce}:auth:{ha2}"))
}

/// An `Authorization` header as requests writes it.
pub fn auth_header(
    user: &str,
    secret: &str,
    nonce: &str,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let response = digest_response(user, secret, nonce, method, uri, nc, cnonce);
    format!(
        "Digest username=\"{user}\", realm=\"{REALM}\", nonce=\"{nonce}\", uri=\"{uri}\", \
         response=\"{response}\", algorithm=\"MD5\", qop=\"auth\", nc={nc:08x}, cnonce=\"{cnonce}\""
    )
}

/// The nonce of a `WWW-Authenticate` challenge.
pub fn nonce_of(challenge: &str) -> String {
    let start = challenge.find("nonce=\"").unwrap() + 7;
    let rest = &challenge[start..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A Digest client for one credential.
pub struct DigestClient {
    pub http: reqwest::Client,
    pub base: String,
    pub user: String,
    pub secret: String,
    nonce: Mutex<Option<String>>,
    nc: AtomicU32,
}

impl DigestClient {
    pub fn new(srv: &Server<OpsMgr>, user: &str, secret: &str) -> Self {
        DigestClient {
            http: reqwest::Client::new(),
            base: srv.url().to_owned(),
            user: user.into(),
            secret: secret.into(),
            nonce: Mutex::new(None),
            nc: AtomicU32::new(0),
        }
    }

    pub fn key(srv: &Server<OpsMgr>) -> Self {
        Self::new(srv, PUBLIC, PRIVATE)
    }

    /// A fresh nonce from an unauthenticated request.
    pub async fn fresh_nonce(&self) -> String {
        let res = self
            .http
            .get(format!("{}/api/public/v1.0/orgs", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        nonce_of(res.headers()["www-authenticate"].to_str().unwrap())
    }

    fn header_for(&self, nonce: &str, method: &Method, uri: &str) -> String {
        let nc = self.nc.fetch_add(1, Ordering::SeqCst) + 1;
        let cnonce = format!("c{nc:x}{}", nonce.len());
        auth_header(
            &self.user,
            &self.secret,
            nonce,
            method.as_str(),
            uri,
            nc,
            &cnonce,
        )
    }

    /// Send `method uri` (uri = path?query under the server), answering one challenge.
    pub async fn send(&self, method: Method, uri: &str, body: Option<&str>) -> Response {
        let cached = self.nonce.lock().unwrap().clone();
        if let Some(nonce) = cached {
            let res = self.raw(method.clone(), uri, body, Some(&nonce)).await;
            if res.status() != 401 {
                return res;
            }
        }
        let first = self.raw(method.clone(), uri, body, None).await;
        if first.status() != 401 {
            return first;
        }
        let nonce = nonce_of(first.headers()["www-authenticate"].to_str().unwrap());
        *self.nonce.lock().unwrap() = Some(nonce.clone());
        self.nc.store(0, Ordering::SeqCst);
        self.raw(method, uri, body, Some(&nonce)).await
    }

    async fn raw(
        &self,
        method: Method,
        uri: &str,
        body: Option<&str>,
        nonce: Option<&str>,
    ) -> Response {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{uri}", self.base))
            .header("accept", "application/json");
        if let Some(nonce) = nonce {
            req = req.header("authorization", self.header_for(nonce, &method, uri));
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, uri: &str) -> Response {
        self.send(Method::GET, uri, None).await
    }

    pub async fn get_json(&self, uri: &str) -> (u16, Value) {
        json_of(self.get(uri).await).await
    }

    pub async fn call(&self, method: Method, uri: &str, body: Option<&str>) -> (u16, Value) {
        json_of(self.send(method, uri, body).await).await
    }
}

pub async fn json_of(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    (status, value)
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["errorCode"].as_str().unwrap_or_default()
}

/// Replace the instance's state with a changed copy of the fixtures.
pub fn with_state(srv: &Server<OpsMgr>, change: impl FnOnce(&mut Value)) {
    let mut doc = srv.host().main.export_state().unwrap();
    change(&mut doc);
    srv.host().main.replace_state(&doc).unwrap();
}
