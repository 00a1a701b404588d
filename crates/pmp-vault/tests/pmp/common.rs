//! Shared test helpers: a fresh PMP on port 0 and typed calls.
#![allow(dead_code)]

use auth_core::server::{spawn, Running};
use auth_core::CommonOptions;
use pmp_vault::{Pmp, Settings};
use serde_json::Value;

/// The fixture administrator API user (bound to `localhost`, owns resource 303).
pub const ADMIN: &str = "B9A1809A-5BF7-4459-9ED2-8D4F499CB902";
/// An API user bound to `buildserver.example.com`.
pub const REMOTE: &str = "737603F9-C501-4D1F-86CD-73CE97D4A2D4";
/// An API user whose key expired on 2020-12-31.
pub const EXPIRED: &str = "A030B0AF-B1FA-451B-96E4-462B0657D190";
/// A Password User API user.
pub const USER: &str = "C6B1687E-D8D5-4A3E-BF45-77F8D85FCFD4";
/// A super administrator ("All Passwords in the System").
pub const SUPER: &str = "7CBD7DB9-89F0-4092-9911-C862F456106F";
/// A Password Auditor.
pub const AUDITOR: &str = "0FD9EDBC-0177-4C01-B57F-335E886118A1";
/// A Password Administrator (not super admin).
pub const PWDADMIN: &str = "4441D279-1F9D-4294-85D4-BD369E3FC64A";

pub const BAD_TOKEN_MSG: &str =
    "API key received is not associated to any user. Authentication failed.";

/// A running PMP over plain HTTP, with a client.
pub struct Pmpd {
    pub srv: Running<Pmp>,
    pub http: reqwest::Client,
}

pub fn start() -> Pmpd {
    start_with(Settings::default())
}

pub fn start_with(settings: Settings) -> Pmpd {
    let srv = spawn::<Pmp>(
        CommonOptions {
            explain: true,
            ..CommonOptions::default()
        },
        settings,
    )
    .unwrap();
    Pmpd {
        srv,
        http: reqwest::Client::new(),
    }
}

impl Pmpd {
    pub fn url(&self, path: &str) -> String {
        format!("{}/restapi/json/v1{path}", self.srv.url)
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

    pub async fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .http
            .request(method, format!("{}/_standin{path}", self.srv.url));
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let res = rb.send().await.unwrap();
        assert!(
            res.status().is_success(),
            "control {path}: {}",
            res.status()
        );
        res.json().await.unwrap_or(Value::Null)
    }

    pub async fn state(&self) -> Value {
        self.control("GET", "/state", None).await
    }

    pub async fn put_state(&self, state: Value) {
        self.control("PUT", "/state", Some(state)).await;
    }

    pub async fn advance(&self, secs: i64) {
        self.control(
            "POST",
            "/clock",
            Some(serde_json::json!({ "advance_secs": secs })),
        )
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
