//! The front door: AUTHTOKEN from header, query and form body; host binding; expiry; the
//! envelope on every outcome; GET RESOURCES; HTTPS; state round trip.

use crate::common::*;
use serde_json::{json, Value};

fn names(op: &Value) -> Vec<String> {
    op["Details"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| r["RESOURCE NAME"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[actix_web::test]
async fn the_seed_curl_lists_owned_and_shared_resources_with_the_token_in_the_query() {
    let pmp = start().await;
    let res = pmp
        .http
        .get(format!("{}?AUTHTOKEN={ADMIN}", pmp.url("/resources")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let op = op_of(res).await;
    ok(&op);
    assert_eq!(op["name"], "GET RESOURCES");
    assert_eq!(message(&op), "Resources fetched successfully");
    assert_eq!(op["totalRows"], json!(2), "totalRows is an integer");
    assert_eq!(names(&op), ["apt-server1", "MSSQLServer"]);
    let mssql = &op["Details"][1];
    assert_eq!(
        *mssql,
        json!({"RESOURCE ID":"303","RESOURCE NAME":"MSSQLServer","RESOURCE DESCRIPTION":"Production database",
               "RESOURCE TYPE":"MS SQL server","NOOFACCOUNTS":"2"})
    );
}

#[actix_web::test]
async fn the_token_is_read_from_the_header_and_from_a_form_body() {
    let pmp = start().await;
    let op = pmp.get("/resources", ADMIN).await;
    assert_eq!(ok(&op)["totalRows"], 2);
    let res = pmp
        .http
        .get(pmp.url("/resources"))
        .header("authtoken", ADMIN)
        .send()
        .await
        .unwrap();
    ok(&op_of(res).await);
    let res = pmp
        .http
        .get(pmp.url("/resources"))
        .header("Content-Type", "text/json")
        .body(format!("AUTHTOKEN={ADMIN}&INPUT_DATA={{}}"))
        .send()
        .await
        .unwrap();
    ok(&op_of(res).await);
    let res = pmp
        .http
        .get(format!(
            "{}?APP_AUTHTOKEN={ADMIN}&APP_NAME=Ansible",
            pmp.url("/resources")
        ))
        .send()
        .await
        .unwrap();
    ok(&op_of(res).await);
}

#[actix_web::test]
async fn a_wrong_or_missing_token_is_refused_in_the_envelope_with_http_200() {
    let pmp = start().await;
    let op = pmp
        .get("/resources", "00000000-0000-0000-0000-000000000000")
        .await;
    failed(&op, "Authentication", BAD_TOKEN_MSG);
    assert!(op.get("Details").is_none());
    let res = pmp.http.get(pmp.url("/resources")).send().await.unwrap();
    assert_eq!(
        res.headers()["x-standin-reason"],
        "no AUTHTOKEN header, query or form parameter"
    );
    failed(&op_of(res).await, "Authentication", BAD_TOKEN_MSG);
    let res = pmp
        .http
        .get(format!(
            "{}?AUTHTOKEN={}",
            pmp.url("/resources"),
            &ADMIN[..10]
        ))
        .send()
        .await
        .unwrap();
    failed(&op_of(res).await, "Authentication", BAD_TOKEN_MSG);
}

#[actix_web::test]
async fn an_api_user_bound_to_another_host_is_refused() {
    let pmp = start().await;
    let op = pmp.get("/resources", REMOTE).await;
    failed(
        &op,
        "Authentication",
        "User is not allowed to access from this host",
    );
}

#[actix_web::test]
async fn an_expired_api_user_is_refused() {
    let pmp = start().await;
    let op = pmp.get("/resources", EXPIRED).await;
    failed(
        &op,
        "Authentication",
        "API key has expired. Authentication failed.",
    );
}

#[actix_web::test]
async fn an_api_key_expires_at_the_end_of_its_date_on_the_instance_clock() {
    let pmp = start().await;
    pmp.control(
        "POST",
        "/clock",
        Some(json!({"set": "2027-03-10T23:00:00Z", "freeze": true})),
    )
    .await;
    let mut state = pmp.state().await;
    state["users"][2]["expiryDate"] = json!("2027-03-10");
    pmp.put_state(state).await;
    ok(&pmp.get("/resources", ADMIN).await);
    pmp.advance(3600).await;
    let op = pmp.get("/resources", ADMIN).await;
    failed(
        &op,
        "Authentication",
        "API key has expired. Authentication failed.",
    );
}

#[actix_web::test]
async fn a_locked_user_is_refused_at_once() {
    let pmp = start().await;
    let mut state = pmp.state().await;
    state["users"][2]["locked"] = json!(true);
    pmp.put_state(state).await;
    let op = pmp.get("/resources", ADMIN).await;
    failed(
        &op,
        "Authentication",
        "User account is locked. Authentication failed.",
    );
}

#[actix_web::test]
async fn scope_decides_what_get_resources_lists() {
    let pmp = start().await;
    let all = pmp.get("/resources", SUPER).await;
    assert_eq!(
        names(ok(&all)),
        [
            "apt-server1",
            "License Store",
            "MSSQLServer",
            "Windows Server"
        ]
    );
    let user = pmp.get("/resources", USER).await;
    assert_eq!(names(ok(&user)), ["apt-server1", "MSSQLServer"]);
    assert_eq!(
        user["Details"][0]["NOOFACCOUNTS"], "1",
        "only the shared account counts"
    );
    assert_eq!(user["Details"][1]["NOOFACCOUNTS"], "1");
    let none = pmp.get("/resources", AUDITOR).await;
    ok(&none);
    assert_eq!(none["totalRows"], json!(0));
    assert!(none.get("Details").is_none(), "no rows: no Details");
}

#[actix_web::test]
async fn unknown_paths_and_wrong_methods_answer_in_the_envelope() {
    let pmp = start().await;
    let res = pmp.http.get(pmp.url("/nothing/here")).send().await.unwrap();
    failed(&op_of(res).await, "UNKNOWN", "Invalid API URL");
    let res = pmp.http.patch(pmp.url("/resources")).send().await.unwrap();
    failed(&op_of(res).await, "UNKNOWN", "Invalid API URL");
}

#[actix_web::test]
async fn a_body_above_the_limit_is_refused_in_the_envelope() {
    let pmp = start_with(pmp_vault::Settings {
        max_body_bytes: 1024,
    })
    .await;
    let res = pmp
        .http
        .get(pmp.url("/resources"))
        .header("AUTHTOKEN", ADMIN)
        .body("x".repeat(4096))
        .send()
        .await
        .unwrap();
    let op = op_of(res).await;
    assert_eq!(status(&op), "Failed");
    assert!(message(&op).contains("1024"), "{op}");
}

#[actix_web::test]
async fn pmp_serves_https_with_a_generated_certificate() {
    // The testkit serves HTTPS where the product does by default (PMP::DEFAULT_TLS).
    let srv = standin_testkit::Standin::pmp().start().await;
    assert!(srv.url().starts_with("https://"));
    let client = srv.client();
    let res = client
        .get(format!(
            "{}/restapi/json/v1/resources?AUTHTOKEN={ADMIN}",
            srv.url()
        ))
        .send()
        .await
        .unwrap();
    ok(&op_of(res).await);
    const { assert!(<pmp_vault::Pmp as auth_core::Product>::DEFAULT_TLS) };
}

#[actix_web::test]
async fn the_state_round_trips_and_a_bad_document_names_the_field() {
    let pmp = start().await;
    let before = pmp.state().await;
    pmp.put_state(before.clone()).await;
    assert_eq!(pmp.state().await, before);
    let mut bad = before.clone();
    bad["resources"][0]["accounts"][0]["passwordPolicy"] = json!("Nope");
    let res = pmp
        .http
        .put(format!("{}/_standin/state", pmp.srv.url()))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["field"], "resources[0].accounts[0].passwordPolicy");
    let mut bad = before.clone();
    bad["users"][0]["colour"] = json!("blue");
    let res = pmp
        .http
        .put(format!("{}/_standin/state", pmp.srv.url()))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(pmp.state().await, before, "a bad document changes nothing");
}

#[actix_web::test]
async fn a_state_document_with_a_repeated_key_or_bad_json_is_read_as_before() {
    let pmp = start().await;
    let before = pmp.state().await;
    let put = |body: String| {
        pmp.http
            .put(format!("{}/_standin/state", pmp.srv.url()))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    // A repeated key does not deserialise straight into typed records; the document is then
    // read as before, the last value winning.
    let text = before.to_string();
    let repeated = format!("{{\"resourceGroups\":[\"dropped\"],{}", &text[1..]);
    let res = put(repeated).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(pmp.state().await, before);
    let res = put(format!("{text} trailing")).await.unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert!(
        err.to_string().contains("invalid JSON body"),
        "the JSON error as before: {err}"
    );
    let res = put(text[..text.len() / 2].to_owned()).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(pmp.state().await, before, "a bad document changes nothing");
}

#[actix_web::test]
async fn get_resources_searches_with_input_data_in_the_query() {
    let pmp = start().await;
    let search = |column: &str, value: &str| {
        let input = json!({"operation": {"Details": {"SEARCHCOLUMN": column, "SEARCHVALUE": value, "SEARCHTYPE": "RESOURCE"}}});
        format!(
            "/resources?INPUT_DATA={}",
            form_encode(&[("x", &input.to_string())]).trim_start_matches("x=")
        )
    };
    let op = pmp.get(&search("RESOURCENAME", "mssql"), SUPER).await;
    assert_eq!(names(ok(&op)), ["MSSQLServer"]);
    assert_eq!(op["totalRows"], 1);
    let op = pmp.get(&search("RESOURCETYPE", "windows"), SUPER).await;
    assert_eq!(names(ok(&op)), ["Windows Server"]);
    let op = pmp.get(&search("ACCOUNTNAME", "deploy"), USER).await;
    assert_eq!(names(ok(&op)), ["apt-server1"]);
    let op = pmp.get(&search("ACCOUNTNAME", "root"), USER).await;
    assert_eq!(ok(&op)["totalRows"], 0, "root is not shared to userapi");
    let op = pmp.get(&search("COLOUR", "x"), SUPER).await;
    failed(&op, "GET RESOURCES", "Invalid search column COLOUR");
}

#[actix_web::test]
async fn a_state_document_loads_alike_whatever_its_section_order_and_names_the_same_failure() {
    // The resources are written as they are read when policies, users and resource groups
    // came first (the order GET /_standin/state writes), else read into a list: the answer
    // is the same either way.
    let pmp = start().await;
    let before = pmp.state().await;
    let put = |body: String| {
        pmp.http
            .put(format!("{}/_standin/state", pmp.srv.url()))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let reordered = |doc: &Value| {
        // `resources` first, the rest after it in their order.
        let obj = doc.as_object().unwrap();
        let mut text = format!("{{\"resources\":{}", obj["resources"]);
        for (k, v) in obj.iter().filter(|(k, _)| *k != "resources") {
            text.push_str(&format!(",{}:{v}", Value::from(k.as_str())));
        }
        text.push('}');
        text
    };
    let refusal = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 400);
        let err: Value = res.json().await.unwrap();
        err["field"].clone()
    };
    let res = put(reordered(&before)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(pmp.state().await, before);

    // An account id used twice, in two resources: named at its second use, in both orders.
    let mut twice = before.clone();
    let first = twice["resources"][0]["accounts"][0]["id"].clone();
    twice["resources"][1]["accounts"][0]["id"] = first;
    let field = json!("resources[1].accounts[0].id");
    assert_eq!(refusal(put(twice.to_string()).await.unwrap()).await, field);
    assert_eq!(refusal(put(reordered(&twice)).await.unwrap()).await, field);

    // A share of an account of another resource, in both orders.
    let mut share = before.clone();
    let other = share["resources"][1]["accounts"][0]["id"].clone();
    share["shares"] = json!([{
        "resourceId": share["resources"][0]["id"],
        "accountId": other,
        "userId": share["users"][0]["id"],
        "access": "view"
    }]);
    let put_share = put(share.to_string()).await.unwrap();
    let status = put_share.status();
    let text = put_share.text().await.unwrap();
    assert_eq!(status, 400, "{text}");
    let err: Value = serde_json::from_str(&text).unwrap();
    assert!(
        err["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("shares[0].")),
        "{err}"
    );
    let reordered_share = put(reordered(&share)).await.unwrap();
    let again: Value = reordered_share.json().await.unwrap();
    assert_eq!(again, err);

    // A resource that fails validation and a section after it that does not deserialise:
    // the one that does not deserialise is named, as when the whole document was read first.
    let mut both = before.clone();
    both["resources"][0]["owner"] = json!("nobody");
    assert_eq!(
        refusal(put(both.to_string()).await.unwrap()).await,
        json!("resources[0].owner")
    );
    both["audit"] = json!("not a list");
    assert_eq!(
        refusal(put(both.to_string()).await.unwrap()).await,
        json!("audit")
    );
    assert_eq!(pmp.state().await, before, "a bad document changes nothing");
}
