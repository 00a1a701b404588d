//! Hostile sizes of client input: long qualifications, long `in` lists, deep nesting and
//! Content-Type headers full of boundaries get ServiceOps' own answers.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn rel(key: &str, operator: &str, value: Value) -> Value {
    json!({"type": "RelationalQualificationRest",
           "leftOperand": {"type": "PropertyOperandRest", "key": key},
           "operator": operator,
           "rightOperand": {"type": "ValueOperandRest", "value": {"type": "StringValueRest", "value": value}}})
}

async fn search(srv: &Srv, auth: &str, qual_details: Value) -> reqwest::Response {
    srv.send(
        Method::POST,
        "/api/v1/request/search/byqual?size=100",
        auth,
        &json!({"qualDetails": qual_details}),
    )
    .await
}

#[actix_web::test]
async fn thousands_of_conditions_and_a_long_in_list_are_evaluated() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let count = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        body["totalCount"].as_u64().unwrap()
    };
    let one = rel("request.subject", "is_not_blank", Value::Null);
    let expected = count(search(&srv, &auth, one.clone()).await).await;
    assert!(expected > 0);
    // The same condition 4,000 times (900 KB, under the 1 MiB limit), ANDed: the same requests.
    let quals: Vec<Value> = (0..4_000).map(|_| one.clone()).collect();
    let flat = json!({"type": "FlatQualificationRest", "quals": quals});
    assert_eq!(count(search(&srv, &auth, flat).await).await, expected);
    // An `in` list of 30,000 ids padding two real ones.
    let real = count(search(&srv, &auth, rel("request.id", "in", json!([64, 65]))).await).await;
    assert!(real > 0);
    let mut ids: Vec<Value> = (1_000_000..1_030_000).map(|i| json!(i)).collect();
    ids.extend([json!(64), json!(65)]);
    let padded = rel("request.id", "in", Value::Array(ids));
    assert_eq!(count(search(&srv, &auth, padded).await).await, real);
}

#[actix_web::test]
async fn a_qualification_nested_past_the_json_depth_limit_is_a_400() {
    let srv = start().await;
    let auth = srv.bearer(CREDS.username, CREDS.password).await;
    let mut qual = rel("request.id", "equal", json!(64));
    for _ in 0..200 {
        qual = json!({"type": "BinaryQualificationRest", "leftQual": qual, "rightQual": rel("request.id", "equal", json!(64)), "operator": "AND"});
    }
    let body = format!("{{\"qualDetails\":{qual}}}");
    let res = srv
        .http
        .post(srv.url("/api/v1/request/search/byqual"))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn a_content_type_repeating_boundary_thousands_of_times_still_reads_the_body() {
    let srv = start().await;
    // 300 distinct decoys: each candidate costs a search of the 900 KB body.
    let decoys: String = (0..300).map(|i| format!("; boundary=decoy{i}")).collect();
    let content_type = format!("multipart/form-data{decoys}; boundary=real");
    let mut body = String::new();
    for (name, value) in [
        ("username", CREDS.username),
        ("password", CREDS.password),
        ("grant_type", "password"),
    ] {
        body.push_str(&format!(
            "--real\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--real\r\nContent-Disposition: form-data; name=\"pad\"\r\n\r\n{}\r\n--real--\r\n",
        "p".repeat(900_000)
    ));
    let res = srv
        .http
        .post(srv.url("/api/oauth/token"))
        .header("Authorization", basic())
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "the body's own first line names the boundary"
    );
    let tokens: Value = res.json().await.unwrap();
    assert!(tokens["access_token"].is_string());
}
