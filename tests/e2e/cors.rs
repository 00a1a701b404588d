//! `--cors` through the binary: off by default (a browser preflight gets the vendor's answer
//! and no CORS header), and with the flag or `STANDIN_CORS` preflights answered and CORS
//! headers on real requests of every product, on tenant ports, and on the control API, whose
//! access rule a preflight does not open.

use super::common::*;
use super::non_loopback_ip;
use reqwest::Method;
use serde_json::Value;

const ORIGIN: &str = "http://dashboard.example:3000";

/// For each product: a path its clients call and the header its credential travels in.
const PRODUCTS: [(&str, &str, &str); 4] = [
    ("opmanager", "/api/json/device/listDevices", "apiKey"),
    ("serviceops", "/api/v1/request/65", "Authorization"),
    ("pmp", "/restapi/json/v1/resources", "AUTHTOKEN"),
    (
        "opsmgr",
        "/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys",
        "Authorization",
    ),
];

async fn preflight(client: &reqwest::Client, url: &str, headers: &str) -> reqwest::Response {
    client
        .request(Method::OPTIONS, url)
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", headers)
        .send()
        .await
        .unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

fn has_no_cors_header(res: &reqwest::Response) -> bool {
    !res.headers()
        .keys()
        .any(|k| k.as_str().starts_with("access-control-"))
}

async fn journal_count(client: &reqwest::Client, url: &str) -> u64 {
    let page: Value = client
        .get(format!("{url}/_standin/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["count"].as_u64().unwrap()
}

#[tokio::test]
async fn without_cors_a_preflight_gets_the_vendors_answer_and_no_cors_header() {
    let standin = Standin::start(&[]);
    let client = client();
    for (product, path, auth) in PRODUCTS {
        let url = format!("{}{path}", standin.url(product));
        // Arrange: what the product answers to a plain OPTIONS.
        let plain = client.request(Method::OPTIONS, &url).send().await.unwrap();
        let plain_status = plain.status();
        assert!(has_no_cors_header(&plain), "{product}");
        let plain_body = plain.text().await.unwrap();

        // Act: a browser's preflight.
        let res = preflight(&client, &url, auth).await;

        // Assert: the same vendor answer, no CORS header, and it was journaled as a request.
        assert_eq!(res.status(), plain_status, "{product}");
        assert_ne!(res.status(), 204, "{product}");
        assert!(has_no_cors_header(&res), "{product}: {:?}", res.headers());
        assert_eq!(res.text().await.unwrap(), plain_body, "{product}");
        let res = client
            .get(&url)
            .header("Origin", ORIGIN)
            .send()
            .await
            .unwrap();
        assert!(has_no_cors_header(&res), "{product}");
    }
    let journal: Value = client
        .get(format!(
            "{}/_standin/requests?method=OPTIONS",
            standin.url("pmp")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal["count"], 2, "both OPTIONS reached the product");
    let stdout = String::from_utf8_lossy(&standin.terminate().stdout).into_owned();
    assert!(!stdout.contains("--cors"), "{stdout}");
}

#[tokio::test]
async fn with_cors_every_product_answers_the_preflight_and_allows_its_auth_header() {
    let standin = Standin::start(&["--cors"]);
    let client = client();
    for (product, path, auth) in PRODUCTS {
        let base = standin.url(product);
        let before = journal_count(&client, &base).await;

        let res = preflight(
            &client,
            &format!("{base}{path}"),
            "content-type, x-custom-thing",
        )
        .await;

        assert_eq!(res.status(), 204, "{product}");
        assert_eq!(
            header(&res, "access-control-allow-origin"),
            Some(ORIGIN),
            "{product}"
        );
        let methods = header(&res, "access-control-allow-methods").unwrap();
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            assert!(methods.contains(method), "{product}: {methods}");
        }
        let allowed: Vec<String> = header(&res, "access-control-allow-headers")
            .unwrap()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        for wanted in [
            auth,
            "authorization",
            "content-type",
            "x-standin-tenant",
            "x-custom-thing",
        ] {
            assert!(
                allowed.contains(&wanted.to_ascii_lowercase()),
                "{product}: {wanted} not in {allowed:?}"
            );
        }
        assert_eq!(header(&res, "access-control-max-age"), Some("600"));
        assert_eq!(header(&res, "vary"), Some("Origin"));
        assert!(header(&res, "access-control-allow-credentials").is_none());
        assert!(res.text().await.unwrap().is_empty());
        // A preflight reaches no product: nothing journaled.
        assert_eq!(journal_count(&client, &base).await, before, "{product}");
    }
}

#[tokio::test]
async fn with_cors_real_requests_carry_the_headers_and_expose_the_digest_challenge() {
    let standin = Standin::start_with_env(&["--explain"], &[("STANDIN_CORS", "true")]);
    let client = client();

    // A successful vendor answer, unchanged but for the CORS headers.
    let res = client
        .get(format!(
            "{}/api/json/device/listDevices",
            standin.url("opmanager")
        ))
        .header("Origin", ORIGIN)
        .header("apiKey", "3f1c9a7e5b2d4c8f9a0b1c2d3e4f5a6b")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ORIGIN));
    assert!(header(&res, "vary").unwrap().contains("Origin"));
    let body: Value = res.json().await.unwrap();
    assert!(body.is_array() || body.is_object(), "{body}");

    // A refusal: the page may read the Digest challenge and standin's reason.
    let res = client
        .get(format!(
            "{}/api/public/v1.0/groups/5953c5f380eef53887615f9a/apiKeys",
            standin.url("opsmgr")
        ))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(header(&res, "www-authenticate")
        .unwrap()
        .starts_with("Digest "));
    let exposed = header(&res, "access-control-expose-headers").unwrap();
    assert!(exposed.contains("WWW-Authenticate"), "{exposed}");
    assert!(exposed.contains("X-Standin-Reason"), "{exposed}");
    assert!(header(&res, "x-standin-reason").is_some());

    // No Origin (a non-browser client): any origin.
    let res = client
        .get(format!("{}/_standin/health", standin.url("pmp")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), Some("*"));

    // An OPTIONS that is not a preflight still reaches the product, and gets the headers.
    let url = format!("{}/restapi/json/v1/resources", standin.url("pmp"));
    let res = client
        .request(Method::OPTIONS, &url)
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 204);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn with_cors_a_tenant_port_answers_preflights_and_adds_the_headers() {
    let standin = Standin::start(&["--only", "serviceops", "--cors"]);
    let client = client();
    let tenant: Value = client
        .post(format!("{}/_standin/tenants", standin.url("serviceops")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = tenant["url"].as_str().unwrap();
    assert_ne!(url, standin.url("serviceops"));

    let res = preflight(&client, &format!("{url}/api/oauth/token"), "authorization").await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ORIGIN));

    let res = client
        .post(format!("{url}/api/oauth/token"))
        .header("Origin", ORIGIN)
        .basic_auth("main-web-app-client", Some("main-web-app-secret"))
        .form(&[
            ("grant_type", "password"),
            ("username", "tim@acme.com"),
            ("password", "123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ORIGIN));
    let journal: Value = client
        .get(format!("{url}/_standin/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        journal["count"], 1,
        "the tenant journaled the token request only"
    );

    // Startup said so, once.
    let stdout = String::from_utf8_lossy(&standin.terminate().stdout).into_owned();
    assert_eq!(stdout.matches("standin: --cors:").count(), 1, "{stdout}");
}

#[tokio::test]
async fn with_cors_the_control_api_still_obeys_its_access_rule_and_a_preflight_opens_nothing() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!("no non-loopback address on this machine: nothing to call from");
        return;
    };
    let standin = Standin::start(&[
        "--only",
        "pmp",
        "--bind",
        "0.0.0.0",
        "--cors",
        "--control-token",
        "t0ken",
    ]);
    let client = client();
    let port = standin.url("pmp").rsplit(':').next().unwrap().to_owned();
    let remote = format!("https://{ip}:{port}");
    let local = standin.url("pmp");

    // Arrange: a frozen clock, read from loopback.
    let res = client
        .post(format!("{local}/_standin/clock"))
        .body(r#"{"set":"2027-01-01T00:00:00Z","freeze":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Act: a remote page preflights a clock change, then sends it without the token.
    let res = preflight(&client, &format!("{remote}/_standin/clock"), "content-type").await;
    assert_eq!(
        res.status(),
        204,
        "a preflight carries no credential to check"
    );
    let res = client
        .post(format!("{remote}/_standin/clock"))
        .header("Origin", ORIGIN)
        .body(r#"{"advance_secs":3600}"#)
        .send()
        .await
        .unwrap();

    // Assert: refused by the gate, readable by the page, and nothing changed.
    assert_eq!(res.status(), 403);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ORIGIN));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");
    for path in ["/_standin/state", "/_standin/requests", "/_standin/ui"] {
        let res = client
            .get(format!("{remote}{path}"))
            .header("Origin", ORIGIN)
            .send()
            .await
            .unwrap();
        let expected = if path == "/_standin/ui" { 200 } else { 403 };
        assert_eq!(res.status(), expected, "{path}");
    }
    let clock: Value = client
        .get(format!("{local}/_standin/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["now"], "2027-01-01T00:00:00Z");
    // A plain OPTIONS (not a preflight) meets the gate as before.
    let res = client
        .request(Method::OPTIONS, format!("{remote}/_standin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // With the token the same call passes, and carries the headers.
    let res = client
        .post(format!("{remote}/_standin/clock"))
        .header("Origin", ORIGIN)
        .bearer_auth("t0ken")
        .body(r#"{"advance_secs":3600}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), Some(ORIGIN));
    let clock: Value = res.json().await.unwrap();
    assert_eq!(clock["now"], "2027-01-01T01:00:00Z");
}
