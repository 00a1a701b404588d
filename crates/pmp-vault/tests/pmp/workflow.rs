//! Password access control: request -> approve / reject -> checkout -> expiry by the instance
//! clock -> checkin, `[ In use ]` for others, illegal transitions, and concurrent checkouts.

use crate::common::*;
use serde_json::{json, Value};

const NOT_AUTHORIZED: &str = "You are not authorized to perform this operation";
const GUEST: &str = "5D2C1B0A-9F8E-4D7C-8B6A-5F4E3D2C1B0A";

fn input(details: Value) -> String {
    json!({"operation": {"Details": details}}).to_string()
}

fn reason(text: &str) -> String {
    input(json!({ "REASON": text }))
}

/// Give the fixture user `guest` (Password User, account 309 shared to it) an API token.
async fn guest_gets_a_token(pmp: &Pmpd) {
    let mut state = pmp.state().await;
    let guest = &mut state["users"][1];
    assert_eq!(guest["userName"], "guest");
    guest["apiUser"] = json!(true);
    guest["hostName"] = json!("localhost");
    guest["authToken"] = json!(GUEST);
    pmp.put_state(state).await;
}

async fn status_of_309(pmp: &Pmpd, token: &str) -> String {
    let op = pmp.get("/resources/303/accounts", token).await;
    let list = op["Details"]["ACCOUNT LIST"].as_array().unwrap().clone();
    let sa = list.iter().find(|a| a["ACCOUNT NAME"] == "sa").unwrap();
    sa["PASSWORD STATUS"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn request_approve_checkout_expire_and_checkin() {
    let pmp = start().await;
    pmp.control(
        "POST",
        "/clock",
        Some(json!({"set": "2025-11-27T16:45:00Z", "freeze": true})),
    )
    .await;
    let password = "/resources/303/accounts/309/password";
    failed(
        &pmp.get(password, USER).await,
        "GET PASSWORD",
        "Password access requires approval",
    );

    // Request.
    let op = pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&reason("For connecting the machine")),
        )
        .await;
    assert_eq!(op["name"], "REQUEST_PASSWORD");
    assert_eq!(
        message(ok(&op)),
        "Request to view password have been raised successfully"
    );
    assert_eq!(op["Details"], json!({"STATUS": "WAITING FOR APPROVAL"}));
    failed(
        &pmp.get(password, USER).await,
        "GET PASSWORD",
        "Password request is waiting for approval",
    );
    let again = pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&reason("again")),
        )
        .await;
    failed(
        &again,
        "REQUEST_PASSWORD",
        "Password request is already waiting for approval",
    );

    // The owner sees it.
    let op = pmp.get("/accounts/passwordaccessrequests", ADMIN).await;
    assert_eq!(op["name"], "GET_PASSWORDREQUEST");
    assert_eq!(message(ok(&op)), "Password Request fetched successfully");
    assert_eq!(op["totalRows"], json!(1));
    assert_eq!(
        op["Details"],
        json!([{"REQUESTER USERID": "6", "REQUESTED BY": "userapi", "REQUESTED BY FULLNAME": "Password User API user",
            "PASSWORDREQUESTLIST": [{"ACCOUNT ID": "309", "ACCOUNT NAME": "sa", "RESOURCE ID": "303",
              "RESOURCE NAME": "MSSQLServer", "PASSWD ID": "309", "STATUS": "",
              "REQUESTED TIME": "Nov 27, 2025 04:45 PM", "REASON": "For connecting the machine",
              "START_TIME": "", "END_TIME": ""}]}])
    );
    failed(
        &pmp.get("/accounts/passwordaccessrequests", USER).await,
        "GET_PASSWORDREQUEST",
        NOT_AUTHORIZED,
    );

    // Approve, then check out.
    let op = pmp
        .call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
        .await;
    assert_eq!(message(ok(&op)), "Password Approved successfully");
    assert_eq!(
        pmp.get("/accounts/passwordaccessrequests", ADMIN).await["totalRows"],
        json!(0)
    );
    failed(
        &pmp.get(password, USER).await,
        "GET PASSWORD",
        "Password request approved. Check out the password to view it",
    );
    let op = pmp
        .call("POST", "/accounts/309/checkout", USER, Some(&reason("N/A")))
        .await;
    assert_eq!(op["name"], "REQUEST_CHECKOUT");
    assert_eq!(
        message(ok(&op)),
        "Password have been checked out successfully"
    );
    assert_eq!(op["Details"], json!({"STATUS": "***** [checkIn]"}));
    assert_eq!(
        ok(&pmp.get(password, USER).await)["Details"]["PASSWORD"],
        "Sa#Secret2024"
    );
    assert_eq!(status_of_309(&pmp, USER).await, "***** [checkIn]");
    assert_eq!(status_of_309(&pmp, ADMIN).await, "[ In use ]");

    // The checkout ends by itself after 30 minutes on the instance clock.
    pmp.advance(29 * 60).await;
    ok(&pmp.get(password, USER).await);
    pmp.advance(61).await;
    failed(
        &pmp.get(password, USER).await,
        "GET PASSWORD",
        "Password access requires approval",
    );
    assert_eq!(status_of_309(&pmp, ADMIN).await, "****");
    let state = pmp.state().await;
    assert_eq!(state["requests"][0]["status"], "checked_in");

    // A second round ends with an explicit checkin by the requester.
    ok(&pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&reason("again")),
        )
        .await);
    ok(&pmp
        .call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
        .await);
    ok(&pmp.call("POST", "/accounts/309/checkout", USER, None).await);
    let op = pmp
        .call("POST", "/accounts/309/requester/6/checkin", USER, None)
        .await;
    assert_eq!(op["name"], "ADMIN_REQUEST_CHECKIN");
    assert_eq!(
        message(ok(&op)),
        "Password have been checked in successfully"
    );
    failed(
        &pmp.get(password, USER).await,
        "GET PASSWORD",
        "Password access requires approval",
    );
    failed(
        &pmp.call("POST", "/accounts/309/requester/6/checkin", USER, None)
            .await,
        "ADMIN_REQUEST_CHECKIN",
        "Password is not checked out by this user",
    );
}

#[actix_web::test]
async fn a_rejected_request_cannot_be_checked_out_and_illegal_transitions_fail() {
    let pmp = start().await;
    failed(
        &pmp.call("POST", "/accounts/309/checkout", USER, None).await,
        "REQUEST_CHECKOUT",
        "Password request has not been approved",
    );
    failed(
        &pmp.call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
            .await,
        "ADMIN_REQUEST_APPROVE",
        "No pending password request found for this user",
    );
    ok(&pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&reason("x")),
        )
        .await);
    failed(
        &pmp.call("POST", "/accounts/309/checkout", USER, None).await,
        "REQUEST_CHECKOUT",
        "Password request is waiting for approval",
    );
    failed(
        &pmp.call("POST", "/accounts/309/requester/6/approve", USER, None)
            .await,
        "ADMIN_REQUEST_APPROVE",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call("POST", "/accounts/309/requester/6/approve", PWDADMIN, None)
            .await,
        "ADMIN_REQUEST_APPROVE",
        NOT_AUTHORIZED,
    );
    let op = pmp
        .call(
            "POST",
            "/accounts/309/requester/6/reject",
            ADMIN,
            Some(&input(json!({"PASSWDID": "309", "REQUESTEDID": "6"}))),
        )
        .await;
    assert_eq!(op["name"], "ADMIN_REQUEST_REJECT");
    assert_eq!(message(ok(&op)), "Password Rejected successfully");
    failed(
        &pmp.call("POST", "/accounts/309/checkout", USER, None).await,
        "REQUEST_CHECKOUT",
        "Password request has not been approved",
    );
    failed(
        &pmp.call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
            .await,
        "ADMIN_REQUEST_APPROVE",
        "No pending password request found for this user",
    );
    failed(
        &pmp.call("POST", "/accounts/999/requestpassword", USER, None)
            .await,
        "REQUEST_PASSWORD",
        "No such account found",
    );
    failed(
        &pmp.call("POST", "/accounts/309/requester/99/approve", ADMIN, None)
            .await,
        "ADMIN_REQUEST_APPROVE",
        "No such user found",
    );
    failed(
        &pmp.call("POST", "/accounts/307/requestpassword", USER, None)
            .await,
        "REQUEST_PASSWORD",
        NOT_AUTHORIZED,
    );
    // The owner is exempt: its request needs no approval.
    let op = pmp
        .call("POST", "/accounts/309/requestpassword", ADMIN, None)
        .await;
    assert_eq!(ok(&op)["Details"], json!({"STATUS": "CHECKOUT"}));
    ok(&pmp.get("/resources/303/accounts/309/password", ADMIN).await);
}

#[actix_web::test]
async fn a_reason_is_mandatory_for_requests_when_the_resource_says_so() {
    let pmp = start().await;
    let mut state = pmp.state().await;
    state["resources"][0]["reasonMandatory"] = json!(true);
    pmp.put_state(state).await;
    failed(
        &pmp.call("POST", "/accounts/309/requestpassword", USER, None)
            .await,
        "REQUEST_PASSWORD",
        "Reason is mandatory to request the password",
    );
    // The vendor page's curl example puts INPUT_DATA in the query with spaces.
    let url = format!("{}?INPUT_DATA= {{ \"operation\" : {{ \"Details\":{{ \"REASON\" : \"Testing\"}}}}}} &AUTHTOKEN={USER}", pmp.url("/accounts/309/requestpassword"));
    let op = op_of(
        pmp.http
            .post(url)
            .header("Content-Type", "text/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    ok(&op);
}

#[actix_web::test]
async fn concurrent_checkouts_of_one_account_have_exactly_one_winner() {
    let pmp = start().await;
    guest_gets_a_token(&pmp).await;
    for (token, uid) in [(USER, 6), (GUEST, 2)] {
        ok(&pmp
            .call(
                "POST",
                "/accounts/309/requestpassword",
                token,
                Some(&reason("x")),
            )
            .await);
        ok(&pmp
            .call(
                "POST",
                &format!("/accounts/309/requester/{uid}/approve"),
                SUPER,
                None,
            )
            .await);
    }
    let (a, b) = futures_util::join!(
        pmp.call("POST", "/accounts/309/checkout", USER, None),
        pmp.call("POST", "/accounts/309/checkout", GUEST, None)
    );
    let wins = [&a, &b].iter().filter(|op| status(op) == "Success").count();
    assert_eq!(wins, 1, "{a} {b}");
    let loser = if status(&a) == "Success" { &b } else { &a };
    failed(
        loser,
        "REQUEST_CHECKOUT",
        "Password is in use by another user",
    );
    let (winner, other) = if status(&a) == "Success" {
        (USER, GUEST)
    } else {
        (GUEST, USER)
    };
    assert_eq!(status_of_309(&pmp, other).await, "[ In use ]");
    assert_eq!(status_of_309(&pmp, winner).await, "***** [checkIn]");
    // An approver checks the winner in; then the other one gets its turn.
    let winner_id = if winner == USER { 6 } else { 2 };
    ok(&pmp
        .call(
            "POST",
            &format!("/accounts/309/requester/{winner_id}/checkin"),
            SUPER,
            None,
        )
        .await);
    ok(&pmp
        .call("POST", "/accounts/309/checkout", other, None)
        .await);
}

#[actix_web::test]
async fn a_checked_out_password_cannot_be_changed_by_someone_else() {
    let pmp = start().await;
    ok(&pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&reason("x")),
        )
        .await);
    ok(&pmp
        .call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
        .await);
    ok(&pmp.call("POST", "/accounts/309/checkout", USER, None).await);
    let change = input(json!({"NEWPASSWORD": "Other@2345$", "RESETTYPE": "LOCAL"}));
    let op = pmp
        .call(
            "PUT",
            "/resources/303/accounts/309/password",
            SUPER,
            Some(&change),
        )
        .await;
    failed(&op, "CHANGE PASSWORD", "Password is in use by another user");
    ok(&pmp
        .call("POST", "/accounts/309/requester/6/checkin", ADMIN, None)
        .await);
    ok(&pmp
        .call(
            "PUT",
            "/resources/303/accounts/309/password",
            SUPER,
            Some(&change),
        )
        .await);
}

#[actix_web::test]
async fn the_state_after_a_workflow_round_trips_exactly() {
    let pmp = start().await;
    pmp.control(
        "POST",
        "/clock",
        Some(json!({"set": "2026-01-02T03:04:05Z", "freeze": true})),
    )
    .await;
    ok(&pmp
        .call(
            "POST",
            "/accounts/309/requestpassword",
            USER,
            Some(&reason("x")),
        )
        .await);
    ok(&pmp
        .call("POST", "/accounts/309/requester/6/approve", ADMIN, None)
        .await);
    ok(&pmp.call("POST", "/accounts/309/checkout", USER, None).await);
    ok(&pmp.call("POST", "/user", SUPER, Some(&input(json!({"USERNAME": "svc", "ISAPIUSER": "true", "HOSTNAME": "localhost", "EXPIRYDATE": "2030-01-01"})))).await);
    ok(&pmp
        .call(
            "PUT",
            "/resources/303/accounts/307/share",
            ADMIN,
            Some(&input(
                json!({"ACCESSTYPE": "fullaccess", "USERNAME": "svc"}),
            )),
        )
        .await);
    ok(&pmp.call("POST", "/resources", ADMIN, Some(&input(json!({"RESOURCENAME": "grouped", "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "Pa$$w0rd!", "RESOURCEGROUPNAME": "G1", "RESOURCECUSTOMFIELD": [{"CUSTOMLABEL": "k", "CUSTOMVALUE": "v"}]})))).await);
    let before = pmp.state().await;
    assert_eq!(before["requests"][0]["status"], "checked_out");
    assert_eq!(before["requests"][0]["expiresAt"], "2026-01-02T03:34:05Z");
    assert!(before["audit"].as_array().unwrap().len() >= 6);
    pmp.put_state(before.clone()).await;
    assert_eq!(pmp.state().await, before);
    // The restored checkout still holds.
    assert_eq!(status_of_309(&pmp, ADMIN).await, "[ In use ]");
}
