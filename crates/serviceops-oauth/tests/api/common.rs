//! Shared arrange helpers: a fresh server per test, tokens, the clock, state.

use base64::Engine as _;
use serde_json::Value;
use serviceops_oauth::{ServiceOps, Settings};
use standin_testkit::{Server, Standin};

use standin_testkit::{Kit, ServiceOpsCredentials};

/// The default fixture's client, technician and API keys.
pub const CREDS: ServiceOpsCredentials = ServiceOps::CREDENTIALS;

/// `Authorization: Basic` of the fixture's OAuth client (`client_id:client_secret`).
pub fn basic() -> String {
    let pair = format!("{}:{}", CREDS.client_id, CREDS.client_secret);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// A running ServiceOps (the testkit's [`Server`], refusals explained), with a client.
pub struct Srv {
    pub server: Server<ServiceOps>,
    pub http: reqwest::Client,
}

impl Srv {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    /// Password grant as x-www-form-urlencoded with the vendor example's Basic client.
    pub async fn login(&self, user: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/oauth/token"))
            .header("Authorization", basic())
            .form(&[
                ("username", user),
                ("password", password),
                ("grant_type", "password"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// The token response of a successful password grant.
    pub async fn tokens(&self, user: &str, password: &str) -> Value {
        let res = self.login(user, password).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// An access token for `user`.
    pub async fn bearer(&self, user: &str, password: &str) -> String {
        let tokens = self.tokens(user, password).await;
        format!("Bearer {}", tokens["access_token"].as_str().unwrap())
    }

    pub async fn refresh(&self, basic: &str, refresh_token: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/oauth/token"))
            .header("Authorization", basic)
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .send()
            .await
            .unwrap()
    }

    pub async fn control(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/_standin{path}")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn advance(&self, secs: i64) {
        let res = self
            .control("/clock", serde_json::json!({"advance_secs": secs}))
            .await;
        assert_eq!(res.status(), 200);
    }

    pub async fn state(&self) -> Value {
        self.http
            .get(self.url("/_standin/state"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn put_state(&self, doc: &Value) -> reqwest::Response {
        self.http
            .put(self.url("/_standin/state"))
            .json(doc)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, auth: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("Authorization", auth)
            .send()
            .await
            .unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        auth: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .header("Authorization", auth)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

pub async fn start() -> Srv {
    start_with(Settings::default()).await
}

pub async fn start_with(settings: Settings) -> Srv {
    Srv::on(
        Standin::serviceops()
            .explain(true)
            .settings(settings)
            .start()
            .await,
    )
}

impl Srv {
    /// The helpers over a server started some other way (a data directory, a seed).
    pub fn on(server: Server<ServiceOps>) -> Srv {
        Srv {
            server,
            http: reqwest::Client::new(),
        }
    }
}

/// The decoded payload of a JWT, keys in the token's order.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Check an OAuth2 error body.
pub async fn assert_oauth_error(
    res: reqwest::Response,
    status: u16,
    error: &str,
    description: &str,
) -> reqwest::header::HeaderMap {
    assert_eq!(res.status(), status);
    let headers = res.headers().clone();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_description"], description, "{body}");
    headers
}

/// Check a business error body.
pub async fn assert_business_error(res: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errorCode"], code, "{body}");
    body["userMessage"].as_str().unwrap().to_owned()
}
