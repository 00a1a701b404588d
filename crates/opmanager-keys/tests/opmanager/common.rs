//! Shared arrange helpers: a fresh OpManager per test, the fixture users' keys, requests
//! with the `apiKey` header, and assertions on the vendor's bodies.

pub use opmanager_keys::{OpManager, Settings};
pub use serde_json::Value;
pub use standin_testkit::{Kit, OpManagerCredentials, Server, Standin};

/// The fixture users' keys, from the testkit's typed credentials.
pub const CREDS: OpManagerCredentials = <OpManager as Kit>::CREDENTIALS;
/// `admin`, REST access enabled.
pub const ADMIN_KEY: &str = CREDS.api_key;
/// `operator`, REST access disabled.
pub const OPERATOR_KEY: &str = CREDS.disabled_api_key;
/// `servicedesk`, an Operator.
pub const SERVICEDESK_KEY: &str = CREDS.operator_api_key;
/// `noc-viewer`, ReadOnly.
pub const VIEWER_KEY: &str = CREDS.viewer_api_key;

/// A running OpManager (the testkit's [`Server`], refusals explained), with a client.
pub struct Srv {
    pub server: Server<OpManager>,
    pub client: reqwest::Client,
}

impl Srv {
    pub async fn start() -> Self {
        Self::with(Settings::default()).await
    }

    pub async fn with(settings: Settings) -> Self {
        Self::on(
            Standin::opmanager()
                .explain(true)
                .settings(settings)
                .start()
                .await,
        )
    }

    /// The helpers over a server started some other way (a seed, a data directory).
    pub fn on(server: Server<OpManager>) -> Self {
        Srv {
            server,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    /// GET `path` with the admin key in the header.
    pub async fn get(&self, path: &str) -> Value {
        self.get_as(path, ADMIN_KEY).await
    }

    pub async fn get_as(&self, path: &str, key: &str) -> Value {
        let res = self
            .client
            .get(self.url(path))
            .header("apiKey", key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.json().await.unwrap()
    }

    /// POST `path` with parameters in the query string, an empty body declared as JSON.
    pub async fn post(&self, path: &str) -> Value {
        self.post_as(path, ADMIN_KEY).await
    }

    pub async fn post_as(&self, path: &str, key: &str) -> Value {
        let res = self
            .client
            .post(self.url(path))
            .header("apiKey", key)
            .header("Content-Type", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        res.json().await.unwrap()
    }

    pub async fn put_state(&self, doc: &Value) {
        let res = self
            .client
            .put(self.url("/_standin/state"))
            .json(doc)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }

    pub async fn state(&self) -> Value {
        self.client
            .get(self.url("/_standin/state"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// The `errorcode` of an OpManager error body (panics if the body is not one).
pub fn errorcode(body: &Value) -> &str {
    body["error"]["errorcode"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {body}"))
}

impl Srv {
    /// Freeze the instance clock at `rfc3339`.
    pub async fn freeze_at(&self, rfc3339: &str) {
        let res = self
            .client
            .post(self.url("/_standin/clock"))
            .json(&serde_json::json!({"set": rfc3339, "freeze": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    /// The listAlarms array for `query`.
    pub async fn alarms(&self, query: &str) -> Vec<Value> {
        let body = self
            .get(&format!("/api/json/alarm/listAlarms?{query}"))
            .await;
        body.as_array()
            .unwrap_or_else(|| panic!("not an array: {body}"))
            .clone()
    }
}

/// The sorted keys of a JSON object (panics if `v` is not one).
pub fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// Whether `v` has every one of `expected` among its keys.
pub fn assert_has_keys(v: &Value, expected: &[&str]) {
    let have = keys(v);
    for k in expected {
        assert!(have.contains(k), "missing {k} in {v}");
    }
}

impl Srv {
    /// Send `method` to `path_and_query` with `key` in the header (none if `None`); the
    /// status must be 200; the JSON body.
    pub async fn call(&self, method: &str, path_and_query: &str, key: Option<&str>) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path_and_query));
        if let Some(key) = key {
            req = req.header("apiKey", key);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200, "{path_and_query}");
        res.json().await.unwrap()
    }

    /// The refusals every operation shares: a wrong key is `INVALID_API_KEY`, no key is
    /// `API_KEY_MISSING`, and leaving out each of `required` (the parameters of `query`
    /// named so) is `LESS_THAN_MIN_OCCURANCE` naming it.
    pub async fn assert_refusals(&self, method: &str, path: &str, query: &str, required: &[&str]) {
        let full = format!("{path}?{query}");
        let wrong = self
            .call(method, &full, Some("0123456789abcdef0123456789abcdef"))
            .await;
        assert_eq!(errorcode(&wrong), "INVALID_API_KEY", "{path}");
        let none = self.call(method, &full, None).await;
        assert_eq!(errorcode(&none), "API_KEY_MISSING", "{path}");
        for name in required {
            let rest: Vec<&str> = query
                .split('&')
                .filter(|p| p.split('=').next() != Some(name))
                .collect();
            let body = self
                .call(
                    method,
                    &format!("{path}?{}", rest.join("&")),
                    Some(ADMIN_KEY),
                )
                .await;
            assert_eq!(
                errorcode(&body),
                "LESS_THAN_MIN_OCCURANCE",
                "{path} without {name}"
            );
            let message = body["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(&format!("'{name}'")), "{message}");
        }
    }
}
