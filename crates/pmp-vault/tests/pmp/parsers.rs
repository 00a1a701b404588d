//! Hostile sizes and shapes of client input: the refusal is PMP's own answer, whatever the
//! size, and a huge body does not hold up other connections.

use crate::common::*;
use serde_json::{json, Value};
use std::time::Duration;

const LIMIT: &str = "Custom fields limit exceeded. Only 20 custom fields are allowed";

fn fields(n: usize, label: impl Fn(usize) -> String) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"CUSTOMLABEL": label(i), "CUSTOMVALUE": "v"}))
        .collect()
}

fn create_input(name: &str, custom: Vec<Value>) -> String {
    json!({"operation": {"Details": {
        "RESOURCENAME": name, "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux",
        "PASSWORD": "Pa$$w0rd!", "RESOURCECUSTOMFIELD": custom
    }}})
    .to_string()
}

async fn create(pmp: &Pmpd, input: &str) -> Value {
    pmp.call("POST", "/resources", ADMIN, Some(input)).await
}

#[actix_web::test]
async fn many_entries_of_one_label_are_one_field_and_are_accepted() {
    // Bodies built before the first call: a pooled connection must not idle out meanwhile.
    let one = create_input(
        "one-label",
        fields(20_000, |i| format!("Same{}", i % 2).to_uppercase()),
    );
    let two = create_input(
        "two-labels",
        fields(20_000, |i| ["a", "A", "b"][i % 3].into()),
    );
    let pmp = start().await;
    ok(&create(&pmp, &one).await);
    ok(&create(&pmp, &two).await);
}

#[actix_web::test]
async fn a_field_without_label_after_too_many_fields_is_invalid_input_as_before() {
    let mut custom = fields(5_000, |i| format!("f{i}"));
    custom.push(json!({"CUSTOMVALUE": "no label"}));
    custom.extend(fields(5_000, |i| format!("g{i}")));
    let unlabelled = create_input("unlabelled", custom);
    // Twenty distinct labels plus repeats of them are within the limit.
    let twenty = create_input("twenty", fields(10_000, |i| format!("f{}", i % 20)));
    let pmp = start().await;
    failed(
        &create(&pmp, &unlabelled).await,
        "CREATE RESOURCE",
        "Invalid input data",
    );
    ok(&create(&pmp, &twenty).await);
}

#[actix_web::test]
async fn editing_a_resource_counts_its_existing_fields_against_the_limit() {
    let edit = |custom: Vec<Value>| {
        json!({"operation": {"Details": {"RESOURCECUSTOMFIELD": custom}}}).to_string()
    };
    let six_new = edit(fields(6, |i| format!("new{i}")));
    let repeats = edit(fields(30_000, |i| format!("OLD{}", i % 15)));
    let pmp = start().await;
    let custom = fields(15, |i| format!("old{i}"));
    ok(&create(&pmp, &create_input("edited", custom)).await);
    let id = pmp.get("/resources", ADMIN).await["Details"]
        .as_array()
        .and_then(|list| list.iter().find(|r| r["RESOURCE NAME"] == "edited"))
        .map(|r| r["RESOURCE ID"].as_str().unwrap_or_default().to_owned())
        .unwrap();
    let path = format!("/resources/{id}");
    let op = pmp.call("PUT", &path, ADMIN, Some(&six_new)).await;
    failed(&op, "EDIT RESOURCE", LIMIT);
    let op = pmp.call("PUT", &path, ADMIN, Some(&repeats)).await;
    ok(&op);
}

#[actix_web::test]
async fn deep_long_and_broken_input_data_is_invalid_input() {
    let deep = format!(
        "{{\"operation\":{{\"Details\":{{\"RESOURCENAME\":{}}}}}}}",
        "[".repeat(200_000)
    );
    let long_tail = format!(
        "{}x",
        create_input("tail", fields(30_000, |i| format!("f{i}")))
    );
    let unterminated = format!(
        "{{'operation':{{'Details':{{'RESOURCENAME':'{}",
        "x".repeat(1_000_000)
    );
    let pmp = start().await;
    for input in [deep, long_tail, unterminated] {
        failed(
            &create(&pmp, &input).await,
            "CREATE RESOURCE",
            "Invalid input data",
        );
    }
}

#[actix_web::test]
async fn a_multipart_body_of_many_parts_is_read_and_answered() {
    // Written by hand: reqwest's Form nests one stream per part, too deep for 20,000 parts.
    let part = |name: &str, value: &str| {
        format!("--XB\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    };
    let mut body = part(
        "INPUT_DATA",
        &create_input("multi", fields(21, |i| format!("f{i}"))),
    );
    for i in 0..20_000 {
        body.push_str(&part(&format!("P{i}"), "x"));
    }
    body.push_str("--XB--\r\n");
    let pmp = start().await;
    let res = pmp
        .http
        .post(pmp.url("/resources"))
        .header("AUTHTOKEN", ADMIN)
        .header("Content-Type", "multipart/form-data; boundary=XB")
        .body(body)
        .send()
        .await
        .unwrap();
    failed(&op_of(res).await, "CREATE RESOURCE", LIMIT);
}

#[actix_web::test]
async fn a_hundred_thousand_custom_fields_are_refused_without_holding_up_other_requests() {
    // One worker: a parse that blocked it would block every other connection.
    let pmp = start().await;
    let before = pmp.get("/resources", SUPER).await["totalRows"].clone();
    let input = create_input("huge", fields(100_000, |i| format!("field-{i}")));
    let body = form_encode(&[("INPUT_DATA", &input)]);
    // A client of its own: a pooled connection may have idled out while the body was built.
    let big = reqwest::Client::new()
        .post(pmp.url("/resources"))
        .header("AUTHTOKEN", ADMIN)
        .body(body)
        .send();
    let small = async {
        let other = reqwest::Client::new();
        let mut answers = Vec::new();
        for _ in 0..5 {
            let res = other
                .get(pmp.url("/resources"))
                .header("AUTHTOKEN", ADMIN)
                .send()
                .await
                .unwrap();
            answers.push(op_of(res).await);
        }
        answers
    };
    // A hang guard only: the assertions are on the answers.
    let (big, small) = tokio::time::timeout(Duration::from_secs(120), async {
        futures_util::join!(big, small)
    })
    .await
    .expect("both requests answered");
    failed(&op_of(big.unwrap()).await, "CREATE RESOURCE", LIMIT);
    for op in &small {
        ok(op);
    }
    assert_eq!(pmp.get("/resources", SUPER).await["totalRows"], before);
}
