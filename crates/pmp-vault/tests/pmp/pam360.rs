//! What PAM360 (the same `/restapi/json/v1` API) and the product add: password expiry by
//! policy age, the `orgName` header, and time-bound password requests (`ACCESS` `later` with
//! `STARTTIME`/`ENDTIME`, PAM360 "Request Password Approval by the Admin").

use crate::common::*;
use serde_json::{json, Value};

/// A fresh PMP whose clock stands still at `at`.
async fn at(at: &str) -> Pmpd {
    let pmp = start().await;
    pmp.control("POST", "/clock", Some(json!({"set": at})))
        .await;
    pmp.control("POST", "/clock", Some(json!({"freeze": true})))
        .await;
    pmp
}

fn later(start: &str, end: &str) -> String {
    json!({"operation": {"Details": {"REASON": "Maintenance", "ACCESS": "later", "STARTTIME": start, "ENDTIME": end}}})
        .to_string()
}

#[actix_web::test]
async fn a_password_older_than_its_policy_age_shows_as_expired() {
    let pmp = at("2026-06-01T10:00:00Z").await;
    // Account 312 was last changed 2025-01-10; Strong passwords live 90 days.
    let op = pmp.get("/resources/305/accounts/312", SUPER).await;
    assert_eq!(ok(&op)["Details"]["EXPIRY STATUS"], "Expired");
    // An account whose change time is unknown stays valid.
    let op = pmp.get("/resources/303/accounts/307", ADMIN).await;
    assert_eq!(ok(&op)["Details"]["EXPIRY STATUS"], "Valid");
}

#[actix_web::test]
async fn a_changed_password_is_valid_until_the_policy_age_passes() {
    let pmp = at("2026-06-01T10:00:00Z").await;
    let change = r#"{"operation":{"Details":{"NEWPASSWORD":"Fresh2026x","RESETTYPE":"LOCAL"}}}"#;
    ok(&pmp
        .call(
            "PUT",
            "/resources/305/accounts/312/password",
            SUPER,
            Some(change),
        )
        .await);
    let op = pmp.get("/resources/305/accounts/312", SUPER).await;
    assert_eq!(op["Details"]["EXPIRY STATUS"], "Valid");
    pmp.advance(90 * 86_400 - 60).await;
    let op = pmp.get("/resources/305/accounts/312", SUPER).await;
    assert_eq!(op["Details"]["EXPIRY STATUS"], "Valid");
    pmp.advance(60).await;
    let op = pmp.get("/resources/305/accounts/312", SUPER).await;
    assert_eq!(op["Details"]["EXPIRY STATUS"], "Expired");
}

#[actix_web::test]
async fn the_org_name_header_is_accepted_and_changes_nothing() {
    let pmp = start().await;
    let plain = pmp.get("/resources", ADMIN).await;
    let res = pmp
        .http
        .get(pmp.url("/resources"))
        .header("AUTHTOKEN", ADMIN)
        .header("orgName", "Example Corp")
        .send()
        .await
        .unwrap();
    assert_eq!(op_of(res).await, plain);
}

#[actix_web::test]
async fn a_later_request_is_checked_out_only_inside_its_window() {
    let pmp = at("2026-06-01T10:00:00Z").await;
    let op = pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&later("01/06/2026 12:00", "01/06/2026 12:10")),
        )
        .await;
    assert_eq!(ok(&op)["Details"]["STATUS"], "WAITING FOR APPROVAL");
    let op = pmp.get("/accounts/passwordaccessrequests", ADMIN).await;
    let row = &ok(&op)["Details"][0]["PASSWORDREQUESTLIST"][0];
    assert_eq!(
        (row["START_TIME"].as_str(), row["END_TIME"].as_str()),
        (Some("01/06/2026 12:00"), Some("01/06/2026 12:10"))
    );
    ok(&pmp
        .call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
        .await);

    let op = pmp.call("POST", "/accounts/309/checkout", USER, None).await;
    failed(
        &op,
        "REQUEST_CHECKOUT",
        "Password access is allowed only from 01/06/2026 12:00",
    );

    pmp.advance(2 * 3600).await;
    ok(&pmp.call("POST", "/accounts/309/checkout", USER, None).await);
    ok(&pmp.get("/resources/303/accounts/309/password", USER).await);
    // The checkout ends with the window (12:10), before its 30 minutes are up.
    let state = pmp.state().await;
    let request = state["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["accountId"] == 309)
        .unwrap();
    assert_eq!(request["expiresAt"], "2026-06-01T12:10:00Z");
    assert_eq!(request["startTime"], "2026-06-01T12:00:00Z");
    pmp.advance(10 * 60).await;
    let op = pmp.get("/resources/303/accounts/309/password", USER).await;
    failed(&op, "GET PASSWORD", "Password access requires approval");
}

#[actix_web::test]
async fn an_approved_later_request_cannot_be_checked_out_after_its_window() {
    let pmp = at("2026-06-01T10:00:00Z").await;
    ok(&pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&later("01/06/2026 10:00", "01/06/2026 11:00")),
        )
        .await);
    ok(&pmp
        .call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
        .await);
    pmp.advance(3600).await;
    let op = pmp.call("POST", "/accounts/309/checkout", USER, None).await;
    failed(
        &op,
        "REQUEST_CHECKOUT",
        "The time allowed to access the password is over",
    );
}

#[actix_web::test]
async fn time_bound_requests_refuse_bad_windows() {
    let pmp = at("2026-06-01T10:00:00Z").await;
    let cases: [(Value, &str); 5] = [
        (
            json!({"ACCESS": "sometime"}),
            "Invalid access type. It should be either now or later",
        ),
        (
            json!({"ACCESS": "later"}),
            "Start time and end time are mandatory to access the password later",
        ),
        (
            json!({"ACCESS": "later", "STARTTIME": "2026-06-01 12:00", "ENDTIME": "01/06/2026 13:00"}),
            "Invalid start time. Use the format dd/MM/yyyy HH:mm",
        ),
        (
            json!({"ACCESS": "later", "STARTTIME": "01/06/2026 13:00", "ENDTIME": "01/06/2026 12:00"}),
            "End time should be later than the start time",
        ),
        (
            json!({"ACCESS": "later", "STARTTIME": "01/05/2026 08:00", "ENDTIME": "01/05/2026 09:00"}),
            "End time should be later than the current time",
        ),
    ];
    for (details, message) in cases {
        let input = json!({"operation": {"Details": details}}).to_string();
        let op = pmp
            .call("POST", "/accounts/309/requestpassword", USER, Some(&input))
            .await;
        failed(&op, "REQUEST_PASSWORD", message);
    }
    // None of them left a request behind.
    let op = pmp.get("/accounts/passwordaccessrequests", ADMIN).await;
    assert_eq!(ok(&op)["totalRows"], 0);
}
