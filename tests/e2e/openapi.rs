//! `/_standin/openapi.json` describes each product's own control routes
//! (`/_standin/<product>/...`) both ways, on every product through the binary: every route the
//! product mounts ([`Product::control_routes`]) is described, every described one answers
//! (never "no control endpoint") with a status the document lists, and anything else under
//! `/_standin/<product>/` is the control API's 404.

use super::common::*;
use auth_core::Product;
use serde_json::Value;
use std::collections::BTreeSet;

fn mounted<P: Product>() -> BTreeSet<(String, String)> {
    P::control_routes()
        .iter()
        .map(|r| {
            let path = format!("/_standin/{}{}", P::NAME, r.path);
            (r.method.as_str().to_owned(), path)
        })
        .collect()
}

/// The operations of `doc` under `prefix`, as (METHOD, path, operation).
fn described<'a>(doc: &'a Value, prefix: &str) -> Vec<(String, String, &'a Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with(prefix) {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_ascii_uppercase(), path.clone(), op));
        }
    }
    out
}

#[tokio::test]
async fn every_products_own_control_routes_are_described_and_every_described_one_answers() {
    let standin = Standin::start(&[]);
    let client = client();
    let routes = [
        ("opmanager", mounted::<opmanager_keys::OpManager>()),
        ("serviceops", mounted::<serviceops_oauth::ServiceOps>()),
        ("pmp", mounted::<pmp_vault::Pmp>()),
        ("opsmgr", mounted::<opsmgr_apikeys::OpsMgr>()),
    ];
    let known = [
        ("opmanager", "GET", "/_standin/opmanager/users/{name}/key"),
        ("opmanager", "POST", "/_standin/opmanager/tfa"),
        ("serviceops", "GET", "/_standin/serviceops/jwks"),
        ("pmp", "PATCH", "/_standin/pmp/accounts/{aid}"),
    ];
    for (product, mounted) in routes {
        let base = standin.url(product);
        let doc: Value = client
            .get(format!("{base}/_standin/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let prefix = format!("/_standin/{product}/");
        let ops = described(&doc, &prefix);

        // Mounted <-> described, one to one.
        let listed: BTreeSet<(String, String)> =
            ops.iter().map(|(m, p, _)| (m.clone(), p.clone())).collect();
        assert_eq!(listed.len(), ops.len());
        assert_eq!(listed, mounted, "{product}");
        for (p, method, path) in known {
            if p == product {
                assert!(
                    listed.contains(&(method.to_owned(), path.to_owned())),
                    "{method} {path}"
                );
            }
        }
        if product == "opsmgr" {
            assert!(
                listed.is_empty(),
                "Ops Manager has no control routes of its own"
            );
        }

        // Each description is whole, and each route answers with a status it lists.
        let mut ids = BTreeSet::new();
        for (method, path, op) in &ops {
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_owned()));
            assert!(!op["summary"].as_str().unwrap().is_empty());
            assert_eq!(op["tags"][0], product);
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("403"), "{method} {path}");
            let params = path.matches('{').count();
            assert_eq!(
                op["parameters"].as_array().map_or(0, Vec::len),
                params,
                "{method} {path}"
            );
            let concrete: String = path
                .split('/')
                .map(|s| if s.starts_with('{') { "none" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let mut req = client.request(method.parse().unwrap(), format!("{base}{concrete}"));
            if op["requestBody"].is_object() {
                let schema = &op["requestBody"]["content"]["application/json"]["schema"];
                assert_eq!(schema["type"], "object", "{method} {path}");
                req = req.header("content-type", "application/json").body("{}");
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16().to_string();
            let body = res.text().await.unwrap();
            assert!(
                !body.contains("no control endpoint"),
                "{method} {path} is described but not served: {body}"
            );
            assert!(
                responses.contains_key(&status),
                "{method} {concrete} answered {status}, which its description omits: {body}"
            );
        }

        // Anything else under the product's scope is the control API's own 404.
        for (method, path) in [
            ("GET", format!("/_standin/{product}/no-such-route")),
            ("PUT", format!("/_standin/{product}/")),
        ] {
            let res = client
                .request(method.parse().unwrap(), format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 404);
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"], "not_found", "{method} {path}");
        }
        if let Some((method, path)) = mounted.iter().next() {
            let other = if method == "DELETE" { "PUT" } else { "DELETE" };
            let path = path.replace('{', "x").replace('}', "");
            let res = client
                .request(other.parse().unwrap(), format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            let body = res.text().await.unwrap();
            assert!(
                body.contains("no control endpoint"),
                "{other} {path}: {body}"
            );
        }
    }
}
