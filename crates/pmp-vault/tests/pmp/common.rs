//! Shared test helpers: a fresh PMP on port 0 and typed calls.
#![allow(dead_code)]

use pmp_vault::{Pmp, Settings};
use serde_json::Value;
use standin_testkit::{Kit, Server, Standin};

/// The fixture API users, from the testkit's typed credentials.
const CREDS: standin_testkit::PmpCredentials = <Pmp as Kit>::CREDENTIALS;
/// The fixture administrator API user (bound to `localhost`, owns resource 303).
pub const ADMIN: &str = CREDS.auth_token;
/// An API user bound to `buildserver.example.com`.
pub const REMOTE: &str = CREDS.remote_auth_token;
/// An API user whose key expired on 2020-12-31.
pub const EXPIRED: &str = CREDS.expired_auth_token;
/// A Password User API user.
pub const USER: &str = CREDS.user_auth_token;
/// A super administrator ("All Passwords in the System").
pub const SUPER: &str = CREDS.super_auth_token;
/// A Password Auditor.
pub const AUDITOR: &str = CREDS.auditor_auth_token;
/// A Password Administrator (not super admin).
pub const PWDADMIN: &str = CREDS.password_admin_auth_token;

pub const BAD_TOKEN_MSG: &str =
    "API key received is not associated to any user. Authentication failed.";

/// A running PMP over plain HTTP (the testkit's [`Server`], refusals explained), with a
/// client.
pub struct Pmpd {
    pub srv: Server<Pmp>,
    pub http: reqwest::Client,
}

pub async fn start() -> Pmpd {
    start_with(Settings::default()).await
}

pub async fn start_with(settings: Settings) -> Pmpd {
    let srv = Standin::pmp()
        .tls(false)
        .explain(true)
        .settings(settings)
        .start()
        .await;
    Pmpd {
        srv,
        http: reqwest::Client::new(),
    }
}

impl Pmpd {
    pub fn url(&self, path: &str) -> String {
        format!("{}/restapi/json/v1{path}", self.srv.url())
    }

    /// Send `method path` with the token in the AUTHTOKEN header and INPUT_DATA (if any) as a
    /// form body; asserts HTTP 200 and returns the `operation` object.
    pub async fn call(&self, method: &str, path: &str, token: &str, input: Option<&str>) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .http
            .request(method, self.url(path))
            .header("AUTHTOKEN", token);
        if let Some(input) = input {
            rb = rb
                .header("Content-Type", "text/json")
                .body(form_encode(&[("INPUT_DATA", input)]));
        }
        let res = rb.send().await.unwrap();
        op_of(res).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Value {
        self.call("GET", path, token, None).await
    }

    /// A control call that must succeed; its JSON answer.
    pub async fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let method = standin_testkit::Method::from_bytes(method.as_bytes()).unwrap();
        match self.srv.call(method, path, body).await {
            Ok(value) => value,
            Err(err) => panic!("control {path}: {err}"),
        }
    }

    pub async fn state(&self) -> Value {
        self.srv.state().await
    }

    pub async fn put_state(&self, state: Value) {
        self.srv.set_state(state).await.unwrap();
    }

    pub async fn advance(&self, secs: i64) {
        let secs = u64::try_from(secs).unwrap();
        self.srv
            .clock()
            .advance(std::time::Duration::from_secs(secs))
            .await;
    }
}

pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Assert HTTP 200 and JSON, and return `operation`.
pub async fn op_of(res: reqwest::Response) -> Value {
    assert_eq!(
        res.status(),
        200,
        "PMP answers every logical outcome with 200"
    );
    let body: Value = res.json().await.unwrap();
    body["operation"].clone()
}

pub fn status(op: &Value) -> &str {
    op["result"]["status"].as_str().unwrap_or("")
}

pub fn message(op: &Value) -> &str {
    op["result"]["message"].as_str().unwrap_or("")
}

/// Assert a Success and return the operation.
#[track_caller]
pub fn ok(op: &Value) -> &Value {
    assert_eq!(status(op), "Success", "{op}");
    op
}

/// Assert a Failed with `msg`.
#[track_caller]
pub fn failed(op: &Value, name: &str, msg: &str) {
    assert_eq!(status(op), "Failed", "{op}");
    assert_eq!(op["name"], name, "{op}");
    assert_eq!(message(op), msg, "{op}");
}
