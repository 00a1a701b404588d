//! Resources, accounts, passwords, users, shares, lookups and the audit trail, through the real
//! HTTP server, with the roles and scopes of the fixture users.

use crate::common::*;
use serde_json::{json, Value};

const NOT_AUTHORIZED: &str = "You are not authorized to perform this operation";

fn input(details: Value) -> String {
    json!({"operation": {"Details": details}}).to_string()
}

#[actix_web::test]
async fn the_account_list_has_pmps_fields_and_only_visible_accounts() {
    let pmp = start().await;
    let op = pmp.get("/resources/303/accounts", ADMIN).await;
    ok(&op);
    assert_eq!(op["name"], "GET RESOURCE ACCOUNTLIST");
    assert_eq!(
        message(&op),
        "Resource details with account list fetched successfully"
    );
    let d = &op["Details"];
    assert_eq!(d["RESOURCE ID"], "303");
    assert_eq!(d["RESOURCE NAME"], "MSSQLServer");
    assert_eq!(d["RESOURCE OWNER"], "pmpapi");
    assert_eq!(d["RESOURCE PASSWORD POLICY"], "Strong");
    assert_eq!(d["CUSTOM FIELD"][0]["CUSTOMFIELDLABEL"], "Secure Resource");
    let list = d["ACCOUNT LIST"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["ACCOUNT NAME"], "system");
    assert_eq!(list[1]["ACCOUNT ID"], "307");
    assert_eq!(list[1]["PASSWDID"], "307");
    assert_eq!(list[1]["PASSWORD STATUS"], "****");
    assert_eq!(list[1]["ISFAVPASS"], "false");
    assert!(op.get("totalRows").is_none());

    let op = pmp.get("/resources/304/accounts", USER).await;
    let list = ok(&op)["Details"]["ACCOUNT LIST"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(list.len(), 1, "userapi was shared one account only");
    assert_eq!(list[0]["ACCOUNT NAME"], "deploy");
    assert_eq!(list[0]["IS_TICKETID_REQD"], "true");
}

#[actix_web::test]
async fn unknown_or_hidden_resources_and_accounts_fail_in_the_envelope() {
    let pmp = start().await;
    failed(
        &pmp.get("/resources/999/accounts", ADMIN).await,
        "GET RESOURCE ACCOUNTLIST",
        "No such resource found",
    );
    failed(
        &pmp.get("/resources/abc/accounts", ADMIN).await,
        "GET RESOURCE ACCOUNTLIST",
        "No such resource found",
    );
    failed(
        &pmp.get("/resources/305/accounts", ADMIN).await,
        "GET RESOURCE ACCOUNTLIST",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.get("/resources/303/accounts/310", ADMIN).await,
        "GET RESOURCE ACCOUNT DETAILS",
        "No such account found",
    );
    failed(
        &pmp.get("/resources/304/accounts/310/password", USER).await,
        "GET PASSWORD",
        NOT_AUTHORIZED,
    );
}

#[actix_web::test]
async fn account_details_report_compliance_and_access_times() {
    let pmp = start().await;
    let op = pmp.get("/resources/303/accounts/307", ADMIN).await;
    let d = ok(&op)["Details"].clone();
    assert_eq!(op["name"], "GET RESOURCE ACCOUNT DETAILS");
    assert_eq!(d["PASSWDID"], "307");
    assert_eq!(d["DESCRIPTION"], "Database system account");
    assert_eq!(d["COMPLIANT STATUS"], "Compliant");
    assert_eq!(d["COMPLIANT REASON"], "-");
    assert_eq!(d["LAST ACCESSED TIME"], "N/A");
    assert!(d.get("CUSTOM FIELD").is_none(), "no custom fields: no key");
    pmp.control(
        "POST",
        "/clock",
        Some(json!({"set": "2021-12-01T21:00:00Z", "freeze": true})),
    )
    .await;
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    let d = pmp.get("/resources/303/accounts/307/", ADMIN).await["Details"].clone();
    assert_eq!(d["LAST ACCESSED TIME"], "Dec 1, 2021 09:00 PM");
    let mut state = pmp.state().await;
    state["resources"][0]["accounts"][0]["password"] = json!("short");
    pmp.put_state(state).await;
    let d = pmp.get("/resources/303/accounts/307", ADMIN).await["Details"].clone();
    assert_eq!(d["COMPLIANT STATUS"], "Non-Compliant");
    assert_eq!(d["COMPLIANT REASON"], "Minimum length must be 8");
}

#[actix_web::test]
async fn the_password_is_returned_and_reason_and_ticket_rules_apply() {
    let pmp = start().await;
    let op = pmp.get("/resources/303/accounts/307/password", ADMIN).await;
    assert_eq!(ok(&op)["Details"], json!({"PASSWORD": "Sys@Passw0rd!"}));
    assert_eq!(message(&op), "Password fetched successfully");

    let op = pmp.get("/resources/304/accounts/310/password", ADMIN).await;
    failed(
        &op,
        "GET PASSWORD",
        "Reason is mandatory to retrieve the password",
    );
    // The vendor page's curl example: INPUT_DATA in the query, raw and unencoded.
    let url = format!(
        "{}?AUTHTOKEN={ADMIN}&INPUT_DATA={{\"operation\":{{\"Details\":{{\"REASON\":\"Need the password\",\"TICKETID\":\"7\"}}}}}}",
        pmp.url("/resources/304/accounts/310/password")
    );
    let op = op_of(
        pmp.http
            .get(url)
            .header("Content-Type", "text/json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ok(&op)["Details"]["PASSWORD"], "R00t!Linux#1");

    let path = "/resources/304/accounts/311/password";
    failed(
        &pmp.get(path, USER).await,
        "GET PASSWORD",
        "Ticket ID is mandatory to retrieve the password",
    );
    let bad = pmp
        .call("GET", path, USER, Some(&input(json!({"TICKETID": "8"}))))
        .await;
    failed(&bad, "GET PASSWORD", "Invalid Ticket ID");
    let good = pmp
        .call("GET", path, USER, Some(&input(json!({"TICKETID": 7}))))
        .await;
    assert_eq!(ok(&good)["Details"]["PASSWORD"], "Depl0y!Key#2");
    let plain = pmp
        .get(
            "/resources/304/accounts/310/password?REASON=plain%20parameter",
            ADMIN,
        )
        .await;
    ok(&plain);
}

#[actix_web::test]
async fn change_password_enforces_scope_policy_and_reachability() {
    let pmp = start().await;
    let path = "/resources/303/accounts/307/password";
    let change = |pw: &str, kind: &str| {
        input(json!({"NEWPASSWORD": pw, "RESETTYPE": kind, "REASON": "rotation"}))
    };
    let op = pmp
        .call("PUT", path, ADMIN, Some(&change("Test@12345$", "LOCAL")))
        .await;
    assert_eq!(message(ok(&op)), "Password changed successfully");
    assert_eq!(op["name"], "CHANGE PASSWORD");
    assert_eq!(
        pmp.get(path, ADMIN).await["Details"]["PASSWORD"],
        "Test@12345$"
    );

    let op = pmp
        .call("PUT", path, ADMIN, Some(&change("weak", "LOCAL")))
        .await;
    failed(
        &op,
        "CHANGE PASSWORD",
        "Password does not conform to the Strong password policy: Minimum length must be 8",
    );
    assert_eq!(
        pmp.get(path, ADMIN).await["Details"]["PASSWORD"],
        "Test@12345$",
        "nothing changed"
    );
    ok(&pmp
        .call("PUT", path, ADMIN, Some(&change("Remote@2345$", "REMOTE")))
        .await);
    let op = pmp
        .call(
            "PUT",
            path,
            ADMIN,
            Some(&change("Remote@2345$", "SIDEWAYS")),
        )
        .await;
    failed(
        &op,
        "CHANGE PASSWORD",
        "Invalid reset type. It should be either LOCAL or REMOTE",
    );

    let op = pmp
        .call(
            "PUT",
            "/resources/305/accounts/312/password",
            SUPER,
            Some(&change("Remote@2345$", "REMOTE")),
        )
        .await;
    failed(
        &op,
        "CHANGE PASSWORD",
        "Password reset failed. Unable to connect to the remote resource Windows Server",
    );
    ok(&pmp
        .call(
            "PUT",
            "/resources/305/accounts/312/password",
            SUPER,
            Some(&change("Local@2345$", "LOCAL")),
        )
        .await);

    let op = pmp
        .call(
            "PUT",
            "/resources/304/accounts/311/password",
            USER,
            Some(&input(
                json!({"NEWPASSWORD": "Test@12345$", "TICKETID": "7"}),
            )),
        )
        .await;
    failed(&op, "CHANGE PASSWORD", NOT_AUTHORIZED);
    let op = pmp
        .call(
            "PUT",
            "/resources/303/accounts/999/password",
            ADMIN,
            Some(&change("Test@12345$", "LOCAL")),
        )
        .await;
    failed(&op, "CHANGE PASSWORD", "No such account found");
    failed(
        &pmp.call("PUT", path, ADMIN, None).await,
        "CHANGE PASSWORD",
        "Invalid input data",
    );
    let op = pmp
        .call("PUT", path, ADMIN, Some("{\"operation\":{\"Details\":"))
        .await;
    failed(&op, "CHANGE PASSWORD", "Invalid input data");
}

#[actix_web::test]
async fn the_seed_create_resource_curl_works_and_duplicates_and_gaps_fail() {
    let pmp = start().await;
    let body = r#"INPUT_DATA={"operation":{"Details":{"RESOURCENAME":"Windows Server 2","ACCOUNTNAME":"Administrator","RESOURCETYPE":"Windows","PASSWORD":"Test123#@!","NOTES":"Testing API","RESOURCEURL":"http://windowsserver/adminconsole","RESOURCEGROUPNAME":"Windows Servers","RESOURCECUSTOMFIELD":[{"CUSTOMLABEL":"Secure Resource","CUSTOMVALUE":"YES"}]}}}"#;
    let res = pmp
        .http
        .post(format!("{}?AUTHTOKEN={ADMIN}", pmp.url("/resources")))
        .header("Content-Type", "text/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let op = op_of(res).await;
    assert_eq!(op["name"], "CREATE RESOURCE");
    assert_eq!(
        message(ok(&op)),
        "Resource Windows Server 2 has been added successfully"
    );
    let list = pmp.get("/resources", ADMIN).await;
    assert_eq!(list["totalRows"], 3);
    let state = pmp.state().await;
    assert!(state["resourceGroups"]
        .as_array()
        .unwrap()
        .contains(&json!("Windows Servers")));
    let created = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Windows Server 2")
        .unwrap()
        .clone();
    assert_eq!(created["owner"], "pmpapi");
    assert_eq!(created["accounts"][0]["notes"], "Testing API");

    let res = pmp
        .http
        .post(format!("{}?AUTHTOKEN={ADMIN}", pmp.url("/resources")))
        .body(body)
        .send()
        .await
        .unwrap();
    failed(
        &op_of(res).await,
        "CREATE RESOURCE",
        "Resource Windows Server 2 already exists",
    );
    let op = pmp
        .call(
            "POST",
            "/resources",
            ADMIN,
            Some(&input(json!({"RESOURCENAME": "x", "PASSWORD": "p"}))),
        )
        .await;
    failed(
        &op,
        "CREATE RESOURCE",
        "Mandatory field(s) missing: ACCOUNTNAME, RESOURCETYPE",
    );
    let full = json!({"RESOURCENAME": "Audited", "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "Pa$$w0rd!"});
    failed(
        &pmp.call("POST", "/resources", AUDITOR, Some(&input(full.clone())))
            .await,
        "CREATE RESOURCE",
        NOT_AUTHORIZED,
    );
}

#[actix_web::test]
async fn python_reprs_create_resources_and_custom_fields_are_capped_at_twenty() {
    let pmp = start().await;
    let body = form_encode(&[("INPUT_DATA", "{'operation': {'Details': {'RESOURCENAME': 'py-host', 'ACCOUNTNAME': 'root', 'RESOURCETYPE': 'Linux', 'PASSWORD': 'Pa$$w0rd!', 'OWNERNAME': 'admin'}}}")]);
    let res = pmp
        .http
        .post(pmp.url("/resources"))
        .header("AUTHTOKEN", ADMIN)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    ok(&op_of(res).await);
    let list = pmp.get("/resources", ADMIN).await;
    assert_eq!(
        list["totalRows"], 2,
        "owned by admin now, not shared to pmpapi"
    );
    let all = pmp.get("/resources", SUPER).await;
    assert_eq!(all["totalRows"], 5);

    let fields: Vec<Value> = (0..21)
        .map(|i| json!({"CUSTOMLABEL": format!("f{i}"), "CUSTOMVALUE": "v"}))
        .collect();
    let op = pmp
        .call("POST", "/resources", ADMIN, Some(&input(json!({"RESOURCENAME": "too-many", "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "Pa$$w0rd!", "RESOURCECUSTOMFIELD": fields}))))
        .await;
    failed(
        &op,
        "CREATE RESOURCE",
        "Custom fields limit exceeded. Only 20 custom fields are allowed",
    );
    assert_eq!(
        pmp.get("/resources", SUPER).await["totalRows"],
        5,
        "nothing half-written"
    );

    let op = pmp
        .call("POST", "/resources", USER, Some(&input(json!({"RESOURCENAME": "mine", "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "Pa$$w0rd!", "OWNERNAME": "admin"}))))
        .await;
    failed(&op, "CREATE RESOURCE", NOT_AUTHORIZED);
    let op = pmp
        .call("POST", "/resources", USER, Some(&input(json!({"RESOURCENAME": "mine", "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "Pa$$w0rd!"}))))
        .await;
    ok(&op);
}

#[actix_web::test]
async fn a_multipart_upload_creates_a_file_resource_that_downloadfile_returns() {
    let pmp = start().await;
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"KEY-FILE-BYTES\x00\x01".to_vec()).file_name("standalonesample.txt"))
        .text("INPUT_DATA", r#"{"operation":{"Details":{"RESOURCENAME":"Key Store","ACCOUNTNAME":"Administrator","RESOURCETYPE":"File Store","PASSWORD":"Test123#@!","NOTES":"Testing API"}}}"#);
    let res = pmp
        .http
        .post(format!("{}?AUTHTOKEN={ADMIN}", pmp.url("/resources")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    ok(&op_of(res).await);
    let id = pmp
        .get(
            "/resources/getResourceIdAccountId?RESOURCENAME=Key%20Store&ACCOUNTNAME=Administrator",
            ADMIN,
        )
        .await;
    let (rid, aid) = (
        id["Details"]["RESOURCEID"].as_str().unwrap().to_owned(),
        id["Details"]["ACCOUNTID"].as_str().unwrap().to_owned(),
    );
    let res = pmp
        .http
        .get(pmp.url(&format!("/resources/{rid}/accounts/{aid}/downloadfile")))
        .header("AUTHTOKEN", ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"standalonesample.txt\""
    );
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        b"KEY-FILE-BYTES\x00\x01"
    );
    let op = pmp
        .get("/resources/303/accounts/307/downloadfile", ADMIN)
        .await;
    failed(
        &op,
        "DOWNLOAD FILE",
        "No file is associated with this account",
    );
    let res = pmp
        .http
        .get(pmp.url("/resources/306/accounts/313/downloadfile"))
        .header("AUTHTOKEN", SUPER)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        b"PMP-LICENSE-KEY-12345\n"
    );
}

#[actix_web::test]
async fn edit_and_delete_resources_follow_the_share_level() {
    let pmp = start().await;
    let op = pmp
        .call(
            "PUT",
            "/resources/304",
            ADMIN,
            Some(&input(
                json!({"RESOURCENAME": "Test", "LOCATION": "4th floor"}),
            )),
        )
        .await;
    assert_eq!(message(ok(&op)), "Resource Test modified successfully.");
    let op = pmp
        .call(
            "PUT",
            "/resources/304",
            ADMIN,
            Some(&input(json!({"DEPARTMENT": "QA"}))),
        )
        .await;
    assert_eq!(message(ok(&op)), "Resource  modified successfully.");
    let d = pmp.get("/resources/304/accounts", ADMIN).await["Details"].clone();
    assert_eq!(
        (
            d["RESOURCE NAME"].as_str(),
            d["LOCATION"].as_str(),
            d["DEPARTMENT"].as_str()
        ),
        (Some("Test"), Some("4th floor"), Some("QA"))
    );
    let op = pmp
        .call(
            "PUT",
            "/resources/304",
            ADMIN,
            Some(&input(json!({"RESOURCENAME": "MSSQLServer"}))),
        )
        .await;
    failed(&op, "EDIT RESOURCE", "Resource MSSQLServer already exists");
    failed(
        &pmp.call(
            "PUT",
            "/resources/304",
            USER,
            Some(&input(json!({"LOCATION": "x"}))),
        )
        .await,
        "EDIT RESOURCE",
        NOT_AUTHORIZED,
    );

    failed(
        &pmp.call("DELETE", "/resources/304", USER, None).await,
        "DELETE RESOURCE",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call("DELETE", "/resources/304", ADMIN, None).await,
        "DELETE RESOURCE",
        NOT_AUTHORIZED,
    );
    let op = pmp.call("DELETE", "/resources/303", ADMIN, None).await;
    assert_eq!(message(ok(&op)), "Resources deleted successfully.");
    failed(
        &pmp.get("/resources/303/accounts", ADMIN).await,
        "GET RESOURCE ACCOUNTLIST",
        "No such resource found",
    );
    failed(
        &pmp.call("DELETE", "/resources/303", ADMIN, None).await,
        "DELETE RESOURCE",
        "No such resource found",
    );
    ok(&pmp.call("DELETE", "/resources/304", SUPER, None).await);
}

#[actix_web::test]
async fn add_accounts_reports_each_account_and_edit_and_delete_work() {
    let pmp = start().await;
    let list = json!({"ACCOUNTLIST": [
        {"ACCOUNTNAME": "bestest047", "PASSWORD": "Pa$$Word@123", "NOTES": "IT Security"},
        {"ACCOUNTNAME": "system", "PASSWORD": "Pa$$Word@123"},
        {"ACCOUNTNAME": "nopass"}
    ]});
    let op = pmp
        .call("POST", "/resources/303/accounts", ADMIN, Some(&input(list)))
        .await;
    assert_eq!(message(ok(&op)), "Account(s) added successfully");
    assert_eq!(
        op["Details"],
        json!([{
            "bestest047": {"STATUS": "Account added successfully"},
            "system": {"STATUS": "Account is not added  as it already exists"},
            "nopass": {"STATUS": "Account name and password are mandatory"}
        }])
    );
    assert_eq!(
        pmp.get("/resources", ADMIN).await["Details"][1]["NOOFACCOUNTS"],
        "3"
    );
    failed(
        &pmp.call(
            "POST",
            "/resources/303/accounts",
            ADMIN,
            Some(&input(json!({}))),
        )
        .await,
        "ADD ACCOUNTS",
        "Invalid input data",
    );
    failed(
        &pmp.call(
            "POST",
            "/resources/304/accounts",
            USER,
            Some(&input(
                json!({"ACCOUNTLIST": [{"ACCOUNTNAME": "x", "PASSWORD": "y"}]}),
            )),
        )
        .await,
        "ADD ACCOUNTS",
        NOT_AUTHORIZED,
    );

    let op = pmp.call("PUT", "/resources/303/accounts/307/", ADMIN, Some(&input(json!({"ACCOUNTNAME": "Test account", "NOTES": "QA", "ACCOUNTCUSTOMFIELD": [{"CUSTOMLABEL": "Secure Account", "CUSTOMVALUE": "YES"}]})))).await;
    assert_eq!(
        message(ok(&op)),
        "Account Test account modified successfully"
    );
    let d = pmp.get("/resources/303/accounts/307", ADMIN).await["Details"].clone();
    assert_eq!(d["DESCRIPTION"], "QA");
    assert_eq!(d["CUSTOM FIELD"][0]["CUSTOMFIELDVALUE"], "YES");
    assert_eq!(
        d["CUSTOM FIELD"][0]["CUSTOMFIELDCOLUMNNAME"],
        "COLUMN_CHAR1"
    );
    let list = pmp.get("/resources/303/accounts", ADMIN).await["Details"]["ACCOUNT LIST"].clone();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["ACCOUNT NAME"] == "Test account"));
    let op = pmp
        .call(
            "PUT",
            "/resources/303/accounts/307",
            ADMIN,
            Some(&input(json!({"ACCOUNTNAME": "sa"}))),
        )
        .await;
    failed(&op, "EDIT ACCOUNT", "Account sa already exists");

    failed(
        &pmp.call("DELETE", "/resources/304/accounts/310/", ADMIN, None)
            .await,
        "DELETE ACCOUNT",
        NOT_AUTHORIZED,
    );
    let op = pmp
        .call("DELETE", "/resources/303/accounts/307/", ADMIN, None)
        .await;
    assert_eq!(
        message(ok(&op)),
        "Account Test account deleted successfully."
    );
    failed(
        &pmp.get("/resources/303/accounts/307", ADMIN).await,
        "GET RESOURCE ACCOUNT DETAILS",
        "No such account found",
    );
}

#[actix_web::test]
async fn an_api_user_gets_its_token_once_and_lock_and_delete_kill_it() {
    let pmp = start().await;
    let create = input(
        json!({"USERNAME": "jason", "FULLNAME": "Jason Thomas", "ROLE": "Password User", "ISAPIUSER": "true", "HOSTNAME": "localhost", "EXPIRYDATE": "NeverExpires"}),
    );
    let op = pmp.call("POST", "/user", SUPER, Some(&create)).await;
    assert_eq!(op["name"], "CREATE_USER");
    assert_eq!(message(ok(&op)), "SUCCESS");
    let token = op["Details"]["AUTHTOKEN"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 36);
    assert_eq!(token, token.to_uppercase());
    let mine = pmp.get("/resources", &token).await;
    assert_eq!(ok(&mine)["totalRows"], 0);
    failed(
        &pmp.call("POST", "/user", SUPER, Some(&create)).await,
        "CREATE_USER",
        "User jason already exists",
    );

    let id = pmp.get("/user/getUserId?&USERNAME=jason", ADMIN).await;
    let uid = ok(&id)["Details"]["USERID"].as_str().unwrap().to_owned();
    assert_eq!(id["name"], "GET_USERID");
    failed(
        &pmp.get("/user/getUserId?USERNAME=nobody", ADMIN).await,
        "GET_USERID",
        "No such user found",
    );

    let op = pmp
        .call("PUT", "/user/lock?USERNAME=jason", ADMIN, None)
        .await;
    assert_eq!(message(ok(&op)), "User jason locked successfully");
    failed(
        &pmp.get("/resources", &token).await,
        "Authentication",
        "User account is locked. Authentication failed.",
    );
    ok(&pmp
        .call("PUT", "/user/unlock?USERNAME=jason", ADMIN, None)
        .await);
    ok(&pmp.get("/resources", &token).await);

    let op = pmp
        .call("DELETE", &format!("/user/{uid}"), ADMIN, None)
        .await;
    assert_eq!(message(ok(&op)), "User jason deleted Successfully");
    failed(
        &pmp.get("/resources", &token).await,
        "Authentication",
        BAD_TOKEN_MSG,
    );
    failed(
        &pmp.call("DELETE", &format!("/user/{uid}"), ADMIN, None)
            .await,
        "DELETE USER",
        "No such user found",
    );
}

#[actix_web::test]
async fn only_administrators_manage_users_and_input_is_checked() {
    let pmp = start().await;
    let create = input(json!({"USERNAME": "eve", "ROLE": "Administrator"}));
    failed(
        &pmp.call("POST", "/user", USER, Some(&create)).await,
        "CREATE_USER",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call("POST", "/user", PWDADMIN, Some(&create)).await,
        "CREATE_USER",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call("DELETE", "/user/2", USER, None).await,
        "DELETE USER",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call("PUT", "/user/lock?USERNAME=guest", USER, None)
            .await,
        "LOCK_USER",
        NOT_AUTHORIZED,
    );
    let op = pmp
        .call(
            "POST",
            "/user",
            ADMIN,
            Some(&input(json!({"USERNAME": "api2", "ISAPIUSER": "true"}))),
        )
        .await;
    failed(&op, "CREATE_USER", "Host name is mandatory for an API user");
    let op = pmp.call("POST", "/user", ADMIN, Some(&input(json!({"USERNAME": "api2", "ISAPIUSER": "true", "HOSTNAME": "localhost", "EXPIRYDATE": "31/12/2030"})))).await;
    failed(
        &op,
        "CREATE_USER",
        "Invalid expiry date. Use the format yyyy-mm-dd",
    );
    let op = pmp
        .call(
            "POST",
            "/user",
            ADMIN,
            Some(&input(json!({"USERNAME": "api2", "ROLE": "Overlord"}))),
        )
        .await;
    failed(&op, "CREATE_USER", "Invalid role Overlord");
    let op = pmp
        .call(
            "POST",
            "/user",
            ADMIN,
            Some(&input(
                json!({"USERNAME": "plain", "ROLE": "Password Auditor"}),
            )),
        )
        .await;
    ok(&op);
    assert!(op.get("Details").is_none(), "no token for a non-API user");
    failed(
        &pmp.call("DELETE", "/user/3", ADMIN, None).await,
        "DELETE USER",
        "You cannot delete yourself",
    );
}

#[actix_web::test]
async fn sharing_an_account_grants_view_then_modify() {
    let pmp = start().await;
    let path = "/resources/303/accounts/307/password";
    failed(&pmp.get(path, USER).await, "GET PASSWORD", NOT_AUTHORIZED);
    let op = pmp
        .call(
            "PUT",
            "/resources/303/accounts/307/share",
            ADMIN,
            Some(&input(json!({"ACCESSTYPE": "view", "USERID": "6"}))),
        )
        .await;
    assert_eq!(message(ok(&op)), "Account shared successfully");
    ok(&pmp.get(path, USER).await);
    let change = input(json!({"NEWPASSWORD": "Shared@2345$", "RESETTYPE": "LOCAL"}));
    failed(
        &pmp.call("PUT", path, USER, Some(&change)).await,
        "CHANGE PASSWORD",
        NOT_AUTHORIZED,
    );
    ok(&pmp
        .call(
            "PUT",
            "/resources/303/accounts/307/share",
            ADMIN,
            Some(&input(json!({"ACCESSTYPE": "modify", "USERID": "6"}))),
        )
        .await);
    ok(&pmp.call("PUT", path, USER, Some(&change)).await);
    failed(
        &pmp.call("DELETE", "/resources/303/accounts/307", USER, None)
            .await,
        "DELETE ACCOUNT",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call(
            "PUT",
            "/resources/303/accounts/307/share",
            USER,
            Some(&input(json!({"ACCESSTYPE": "view", "USERID": "2"}))),
        )
        .await,
        "SHARE ACCOUNT",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call(
            "PUT",
            "/resources/303/accounts/307/share",
            ADMIN,
            Some(&input(json!({"ACCESSTYPE": "everything", "USERID": "6"}))),
        )
        .await,
        "SHARE ACCOUNT",
        "Invalid access type",
    );
    failed(
        &pmp.call(
            "PUT",
            "/resources/303/accounts/307/share",
            ADMIN,
            Some(&input(json!({"ACCESSTYPE": "view", "USERID": "99"}))),
        )
        .await,
        "SHARE ACCOUNT",
        "No such user found",
    );
    ok(&pmp
        .call(
            "PUT",
            "/resources/303/accounts/307/share",
            ADMIN,
            Some(&input(json!({"ACCESSTYPE": "revoke", "USERID": "6"}))),
        )
        .await);
    failed(&pmp.get(path, USER).await, "GET PASSWORD", NOT_AUTHORIZED);
}

#[actix_web::test]
async fn full_access_lets_a_password_user_delete_and_share() {
    let pmp = start().await;
    let full = input(json!({"ACCESSTYPE": "fullaccess", "USERID": "6"}));
    ok(&pmp
        .call(
            "PUT",
            "/resources/303/accounts/307/share",
            ADMIN,
            Some(&full),
        )
        .await);
    ok(&pmp
        .call(
            "PUT",
            "/resources/303/accounts/307/share",
            USER,
            Some(&input(json!({"ACCESSTYPE": "view", "USERNAME": "guest"}))),
        )
        .await);
    ok(&pmp
        .call("DELETE", "/resources/303/accounts/307", USER, None)
        .await);
    failed(
        &pmp.call("DELETE", "/resources/303", USER, None).await,
        "DELETE RESOURCE",
        NOT_AUTHORIZED,
    );
    // A whole-resource full-access share (set up through the state document).
    let mut state = pmp.state().await;
    state["shares"]
        .as_array_mut()
        .unwrap()
        .push(json!({"resourceId": 305, "userId": 6, "access": "fullaccess"}));
    pmp.put_state(state).await;
    assert_eq!(pmp.get("/resources", USER).await["totalRows"], 3);
    ok(&pmp.call("DELETE", "/resources/305", USER, None).await);
}

#[actix_web::test]
async fn ids_are_looked_up_by_name() {
    let pmp = start().await;
    let op = pmp
        .get(
            "/resources/resourcename/MSSQLServer/accounts/accountname/system",
            ADMIN,
        )
        .await;
    assert_eq!(op["name"], "GET_RESOURCEACCOUNTNAME");
    assert_eq!(
        ok(&op)["Details"],
        json!({"RESOURCEID": "303", "ACCOUNTID": "307"})
    );
    let op = pmp
        .get(
            "/resources/getResourceIdAccountId?RESOURCENAME=apt-server1&ACCOUNTNAME=root",
            ADMIN,
        )
        .await;
    assert_eq!(
        ok(&op)["Details"],
        json!({"ACCOUNTID": "310", "RESOURCEID": "304"})
    );
    let op = pmp.get("/resources/resourcename/apt-server1", ADMIN).await;
    assert_eq!(ok(&op)["Details"], json!({"RESOURCEID": "304"}));
    failed(
        &pmp.get("/resources/resourcename/nothing", ADMIN).await,
        "GET_RESOURCEID",
        "No such resource found",
    );
    failed(
        &pmp.get(
            "/resources/resourcename/MSSQLServer/accounts/accountname/nobody",
            ADMIN,
        )
        .await,
        "GET_RESOURCEACCOUNTNAME",
        "No such account found",
    );
    failed(
        &pmp.get("/resources/resourcename/Windows%20Server", ADMIN)
            .await,
        "GET_RESOURCEID",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.get("/resources/getResourceIdAccountId?RESOURCENAME=x", ADMIN)
            .await,
        "GET_RESOURCEACCOUNTID",
        "Invalid input data",
    );
    let op = pmp.get("/resources/getResourceIdAccountId?APP_NAME=Ansible&RESOURCENAME=Windows%20Server&ACCOUNTNAME=Administrator", SUPER).await;
    assert_eq!(ok(&op)["Details"]["RESOURCEID"], "305");
}

#[actix_web::test]
async fn generated_passwords_follow_the_named_policy() {
    let pmp = start().await;
    let url = format!(
        "/passwords/generate?INPUT_DATA={}",
        "%7B%22operation%22%3A%7B%22Details%22%3A%7B%22POLICY%22%3A%22Strong%22%7D%7D%7D"
    );
    let op = pmp.get(&url, ADMIN).await;
    let pw = ok(&op)["Details"]["PASSWORD"].as_str().unwrap().to_owned();
    assert!(
        pw.len() >= 8
            && pw.chars().any(|c| c.is_ascii_uppercase())
            && pw.chars().any(|c| c.is_ascii_lowercase())
            && pw.chars().any(|c| c.is_ascii_digit()),
        "{pw}"
    );
    let op = pmp
        .call(
            "GET",
            "/passwords/generate",
            ADMIN,
            Some(&input(json!({"POLICY": "High"}))),
        )
        .await;
    let pw = ok(&op)["Details"]["PASSWORD"].as_str().unwrap().to_owned();
    assert!(
        pw.len() >= 12 && pw.chars().any(|c| !c.is_alphanumeric()),
        "{pw}"
    );
    let op = pmp
        .call(
            "GET",
            "/passwords/generate",
            ADMIN,
            Some(&input(json!({"POLICY": "Low"}))),
        )
        .await;
    ok(&op);
    let op = pmp
        .call(
            "GET",
            "/passwords/generate",
            ADMIN,
            Some(&input(json!({"POLICY": "Nope"}))),
        )
        .await;
    failed(
        &op,
        "GENERATE_PASSWORD",
        "Password policy Nope does not exist",
    );
}

#[actix_web::test]
async fn resource_types_list_the_types_in_the_vault() {
    let pmp = start().await;
    let op = pmp.get("/resources/resourcetypes", ADMIN).await;
    let names: Vec<&str> = ok(&op)["Details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["RESOURCETYPE NAME"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["File Store", "Linux", "MS SQL server", "Windows"]);
}

#[actix_web::test]
async fn the_audit_trail_records_successes_and_failures_without_secrets() {
    let pmp = start().await;
    pmp.control(
        "POST",
        "/clock",
        Some(json!({"set": "2021-12-01T21:00:00Z", "freeze": true})),
    )
    .await;
    ok(&pmp.get("/resources/303/accounts/307/password", ADMIN).await);
    failed(
        &pmp.get("/resources/304/accounts/310/password", ADMIN).await,
        "GET PASSWORD",
        "Reason is mandatory to retrieve the password",
    );
    ok(&pmp
        .call(
            "PUT",
            "/resources/303/accounts/307/password",
            ADMIN,
            Some(&input(
                json!({"NEWPASSWORD": "Secret@9999$", "REASON": "rotation"}),
            )),
        )
        .await);
    failed(
        &pmp.get("/resources", REMOTE).await,
        "Authentication",
        "User is not allowed to access from this host",
    );
    failed(&pmp.get("/audit", USER).await, "GET_AUDIT", NOT_AUTHORIZED);
    let op = pmp.get("/audit", AUDITOR).await;
    ok(&op);
    assert_eq!(op["name"], "GET_AUDIT");
    assert_eq!(message(&op), "Audits fetched successfully.");
    let rows = op["Details"].as_array().unwrap();
    assert_eq!(op["totalRows"], json!(rows.len()));
    let change = rows
        .iter()
        .find(|r| r["Operation Type"] == "CHANGE PASSWORD")
        .unwrap();
    assert_eq!(change["User Name"], "pmpapi");
    assert_eq!(change["Resource Name"], "MSSQLServer");
    assert_eq!(change["User Account"], "system");
    assert_eq!(change["Resource ID"], "303");
    assert_eq!(change["User Account ID"], "307");
    assert_eq!(change["User's Full Name"], "PMP API user");
    assert_eq!(change["Client Type"], "REST API");
    assert_eq!(change["IP Address"], "127.0.0.1");
    assert_eq!(change["Status"], "Success");
    assert_eq!(change["Reason"], "rotation");
    assert_eq!(change["Time Stamp"], "2021-12-01 21:00:00.000");
    assert_eq!(change["TIME"], "1638392400000");
    let refused = rows
        .iter()
        .find(|r| r["Operation Type"] == "GET PASSWORD" && r["Status"] == "Failed")
        .unwrap();
    assert_eq!(refused["User Account"], "root");
    assert_eq!(
        refused["Reason"],
        "Reason is mandatory to retrieve the password"
    );
    assert!(rows
        .iter()
        .any(|r| r["User Name"] == "remoteapi" && r["Status"] == "Failed"));
    assert!(rows
        .iter()
        .any(|r| r["User Name"] == "userapi" && r["Operation Type"] == "GET_AUDIT"));
    let text = op.to_string();
    for secret in ["Secret@9999$", "Sys@Passw0rd!", ADMIN] {
        assert!(!text.contains(secret), "the audit trail leaks {secret}");
    }
}

#[actix_web::test]
async fn new_passwords_must_satisfy_the_account_policy_on_creation_too() {
    let pmp = start().await;
    let op = pmp
        .call("POST", "/resources", ADMIN, Some(&input(json!({"RESOURCENAME": "weak", "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "password"}))))
        .await;
    failed(&op, "CREATE RESOURCE", "Password does not conform to the Strong password policy: Must contain at least one uppercase letter");
    let op = pmp
        .call("POST", "/resources", ADMIN, Some(&input(json!({"RESOURCENAME": "weak", "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "password", "ACCOUNTPASSWORDPOLICY": "Low"}))))
        .await;
    ok(&op);
    let list = json!({"ACCOUNTLIST": [{"ACCOUNTNAME": "b", "PASSWORD": "abc"}, {"ACCOUNTNAME": "c", "PASSWORD": "abcd", "ACCOUNTPASSWORDPOLICY": "Low"}]});
    let id = pmp.get("/resources/resourcename/weak", ADMIN).await["Details"]["RESOURCEID"]
        .as_str()
        .unwrap()
        .to_owned();
    let op = pmp
        .call(
            "POST",
            &format!("/resources/{id}/accounts"),
            ADMIN,
            Some(&input(list)),
        )
        .await;
    assert_eq!(
        op["Details"][0]["b"]["STATUS"],
        "Password does not conform to the Strong password policy: Minimum length must be 8"
    );
    assert_eq!(
        op["Details"][0]["c"]["STATUS"],
        "Account added successfully"
    );
}

#[actix_web::test]
async fn an_owner_can_be_named_in_domain_form() {
    let pmp = start().await;
    ok(&pmp
        .call(
            "POST",
            "/user",
            ADMIN,
            Some(&input(
                json!({"USERNAME": "ACME\\jdoe", "ROLE": "Password Administrator"}),
            )),
        )
        .await);
    let op = pmp
        .call("POST", "/resources", SUPER, Some(&input(json!({"RESOURCENAME": "ad-host", "ACCOUNTNAME": "a", "RESOURCETYPE": "Windows", "PASSWORD": "Pa$$w0rd!", "OWNERNAME": "acme\\JDOE"}))))
        .await;
    ok(&op);
    let list = pmp.get("/resources/resourcename/ad-host", SUPER).await;
    let rid = list["Details"]["RESOURCEID"].as_str().unwrap().to_owned();
    let d = pmp.get(&format!("/resources/{rid}/accounts"), SUPER).await;
    assert_eq!(d["Details"]["RESOURCE OWNER"], "ACME\\jdoe");
    let op = pmp
        .call("POST", "/resources", SUPER, Some(&input(json!({"RESOURCENAME": "ad-host-2", "ACCOUNTNAME": "a", "RESOURCETYPE": "Windows", "PASSWORD": "Pa$$w0rd!", "OWNERNAME": "ACME\\nobody"}))))
        .await;
    failed(&op, "CREATE RESOURCE", "User ACME\\nobody does not exist");
}

#[actix_web::test]
async fn control_routes_change_account_and_resource_settings() {
    let pmp = start().await;
    let res = pmp
        .http
        .patch(format!("{}/_standin/pmp/accounts/307", pmp.srv.url()))
        .json(&json!({"reasonRequired": true, "ticketRequired": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let path = "/resources/303/accounts/307/password";
    failed(
        &pmp.get(path, ADMIN).await,
        "GET PASSWORD",
        "Reason is mandatory to retrieve the password",
    );
    let op = pmp
        .call(
            "GET",
            path,
            ADMIN,
            Some(&input(json!({"REASON": "r", "TICKETID": "42"}))),
        )
        .await;
    failed(&op, "GET PASSWORD", "Invalid Ticket ID");
    pmp.control("POST", "/pmp/tickets", Some(json!({"id": "42"})))
        .await;
    ok(&pmp
        .call(
            "GET",
            path,
            ADMIN,
            Some(&input(json!({"REASON": "r", "TICKETID": "42"}))),
        )
        .await);

    pmp.control(
        "PATCH",
        "/pmp/resources/303",
        Some(json!({"unreachable": true})),
    )
    .await;
    let op = pmp.call("PUT", path, ADMIN, Some(&input(json!({"NEWPASSWORD": "Remote@2345$", "RESETTYPE": "REMOTE", "REASON": "r", "TICKETID": "42"})))).await;
    failed(
        &op,
        "CHANGE PASSWORD",
        "Password reset failed. Unable to connect to the remote resource MSSQLServer",
    );

    for (path, body) in [
        ("/_standin/pmp/accounts/307", json!({"colour": 1})),
        ("/_standin/pmp/accounts/307", json!({"checkoutMinutes": 0})),
    ] {
        let res = pmp
            .http
            .patch(format!("{}{path}", pmp.srv.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{body}");
    }
    let res = pmp
        .http
        .patch(format!("{}/_standin/pmp/accounts/999", pmp.srv.url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = pmp
        .http
        .patch(format!("{}/_standin/pmp/resources/x", pmp.srv.url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn each_role_sees_and_does_only_what_it_may() {
    let pmp = start().await;
    // token, label, resources listed, may create resources, may create users, may read the audit
    let matrix = [
        (SUPER, "Administrator, all passwords", 4, true, true, true),
        (
            ADMIN,
            "Administrator, owned and shared",
            2,
            true,
            true,
            true,
        ),
        (PWDADMIN, "Password Administrator", 0, true, false, true),
        (AUDITOR, "Password Auditor", 0, false, false, true),
        (USER, "Password User", 2, true, false, false),
    ];
    for (i, (token, label, listed, create_resource, create_user, audit)) in
        matrix.into_iter().enumerate()
    {
        let list = pmp.get("/resources", token).await;
        assert_eq!(ok(&list)["totalRows"], json!(listed), "{label}");
        let res = pmp
            .call("POST", "/resources", token, Some(&input(json!({"RESOURCENAME": format!("r{i}"), "ACCOUNTNAME": "a", "RESOURCETYPE": "Linux", "PASSWORD": "Pa$$w0rd!"}))))
            .await;
        assert_eq!(status(&res) == "Success", create_resource, "{label}: {res}");
        if create_resource {
            let mine = pmp.get("/resources", token).await;
            assert_eq!(
                mine["totalRows"],
                json!(listed + 1),
                "{label} owns what it creates"
            );
        }
        let user = pmp
            .call(
                "POST",
                "/user",
                token,
                Some(&input(json!({"USERNAME": format!("u{i}")}))),
            )
            .await;
        assert_eq!(status(&user) == "Success", create_user, "{label}: {user}");
        let trail = pmp.get("/audit", token).await;
        assert_eq!(status(&trail) == "Success", audit, "{label}: {trail}");
    }
    // Deleting someone else's resource: only with full access.
    failed(
        &pmp.call("DELETE", "/resources/305", USER, None).await,
        "DELETE RESOURCE",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call("DELETE", "/resources/305", PWDADMIN, None).await,
        "DELETE RESOURCE",
        NOT_AUTHORIZED,
    );
    failed(
        &pmp.call("DELETE", "/resources/305", AUDITOR, None).await,
        "DELETE RESOURCE",
        NOT_AUTHORIZED,
    );
    ok(&pmp.call("DELETE", "/resources/305", SUPER, None).await);
}

#[actix_web::test]
async fn downloadfile_returns_custom_field_files_of_the_account_or_resource() {
    let pmp = start().await;
    let path = "/resources/306/accounts/313/downloadfile";
    let fetch = |details: Value| {
        let url = format!(
            "{}?INPUT_DATA={}",
            pmp.url(path),
            form_encode(&[("x", &input(details))]).trim_start_matches("x=")
        );
        pmp.http.get(url).header("AUTHTOKEN", SUPER).send()
    };
    let res = fetch(json!({"ISCUSTOMFIELD": "TRUE", "CUSTOMFIELDTYPE": "ACCOUNT", "CUSTOMFIELDLABEL": "LicenseFile"})).await.unwrap();
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"license.key\""
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"KEY-FILE-BYTES");
    let res = fetch(json!({"ISCUSTOMFIELD": "TRUE", "CUSTOMFIELDTYPE": "RESOURCE", "CUSTOMFIELDLABEL": "Certificate"})).await.unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"-----BEGIN-----");
    let op = op_of(fetch(json!({"ISCUSTOMFIELD": "TRUE", "CUSTOMFIELDTYPE": "RESOURCE", "CUSTOMFIELDLABEL": "Vendor"})).await.unwrap()).await;
    failed(
        &op,
        "DOWNLOAD FILE",
        "No file is associated with the custom field Vendor",
    );
    let op = op_of(fetch(json!({"ISCUSTOMFIELD": "TRUE", "CUSTOMFIELDTYPE": "SIDEWAYS", "CUSTOMFIELDLABEL": "Vendor"})).await.unwrap()).await;
    failed(
        &op,
        "DOWNLOAD FILE",
        "Invalid custom field type. It should be either ACCOUNT or RESOURCE",
    );
    let d = pmp.get("/resources/306/accounts", SUPER).await["Details"].clone();
    assert_eq!(d["CUSTOM FIELD"][1]["CUSTOMFIELDVALUE"], "vendor.pem");
    assert!(
        d["CUSTOM FIELD"][1].get("base64").is_none(),
        "file bytes are not listed"
    );
}

#[actix_web::test]
async fn a_user_password_must_satisfy_its_policy_and_seeded_tokens_repeat() {
    let create = input(
        json!({"USERNAME": "jason", "PASSWORD": "pa55w0rd123", "POLICY": "Strong", "ISAPIUSER": "true", "HOSTNAME": "localhost"}),
    );
    let pmp = start().await;
    let op = pmp.call("POST", "/user", ADMIN, Some(&create)).await;
    failed(&op, "CREATE_USER", "Password does not conform to the Strong password policy: Must contain at least one uppercase letter");
    let op = pmp
        .call(
            "POST",
            "/user",
            ADMIN,
            Some(&input(
                json!({"USERNAME": "jason", "PASSWORD": "Pa55w0Rd123", "POLICY": "Medium"}),
            )),
        )
        .await;
    ok(&op);

    let seeded = || standin_testkit::Standin::pmp().seed(42).tls(false).start();
    let mut tokens = Vec::new();
    for srv in [seeded().await, seeded().await] {
        let create =
            input(json!({"USERNAME": "svc", "ISAPIUSER": "true", "HOSTNAME": "localhost"}));
        let res = pmp
            .http
            .post(format!("{}/restapi/json/v1/user", srv.url()))
            .header("AUTHTOKEN", ADMIN)
            .body(form_encode(&[("INPUT_DATA", &create)]))
            .send()
            .await
            .unwrap();
        tokens.push(
            op_of(res).await["Details"]["AUTHTOKEN"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(tokens[0], tokens[1], "--seed makes AUTHTOKENs reproducible");
}

#[actix_web::test]
async fn a_password_read_answers_alike_with_a_percent_escape_in_a_literal_part() {
    // actix routes the path with unreserved characters decoded (`%61ccounts` is `accounts`),
    // and so does auth-core's segment dispatch: both spellings reach the same read.
    let pmp = start().await;
    let audited = |state: &Value| state["audit"].as_array().map_or(0, Vec::len);
    let before = audited(&pmp.state().await);
    let read = |path: &'static str| {
        let url = pmp.url(path);
        let http = pmp.http.clone();
        async move {
            let res = http
                .get(url)
                .header("AUTHTOKEN", ADMIN)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let fast = read("/resources/303/accounts/307/password").await;
    let table = read("/resources/303/%61ccounts/307/password").await;
    assert_eq!(fast, table);
    assert!(fast.1.contains("Sys@Passw0rd!"), "{}", fast.1);
    // A failure too: an account of another resource.
    let fast = read("/resources/303/accounts/310/password").await;
    let table = read("/resources/303/%61ccounts/310/password").await;
    assert_eq!(fast, table);
    assert!(fast.1.contains("No such account found"), "{}", fast.1);
    // Both name the operation in the journal.
    let journal = pmp.srv.requests().await;
    let reads: Vec<&Value> = journal
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.ends_with("/password")))
        .collect();
    assert_eq!(reads.len(), 4, "{journal:?}");
    for entry in reads {
        assert_eq!(entry["operation"], "pmp.get_password", "{entry}");
    }
    // Each read left its audit record.
    assert_eq!(audited(&pmp.state().await), before + 4);
}

#[actix_web::test]
async fn what_a_password_read_keeps_follows_every_write_reset_and_state_load() {
    // The token's user and the read's resource and account are kept between requests; each
    // read here follows one that filled those caches.
    let pmp = start().await;
    let path = "/resources/303/accounts/307/password";
    let password = |op: Value| ok(&op)["Details"]["PASSWORD"].clone();
    assert_eq!(password(pmp.get(path, ADMIN).await), "Sys@Passw0rd!");
    // An API write.
    let change = input(json!({"NEWPASSWORD": "Test@12345$", "REASON": "rotation"}));
    ok(&pmp.call("PUT", path, ADMIN, Some(&change)).await);
    assert_eq!(password(pmp.get(path, ADMIN).await), "Test@12345$");
    // A reset.
    pmp.srv.reset().await;
    assert_eq!(password(pmp.get(path, ADMIN).await), "Sys@Passw0rd!");
    // A state document: the account moves to another resource, and the token's user is
    // locked.
    let mut state = pmp.state().await;
    let moved = state["resources"][0]["accounts"][0].clone();
    state["resources"][0]["accounts"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    state["resources"][1]["accounts"]
        .as_array_mut()
        .unwrap()
        .push(moved);
    pmp.put_state(state.clone()).await;
    failed(
        &pmp.get(path, ADMIN).await,
        "GET PASSWORD",
        "No such account found",
    );
    state["users"][2]["locked"] = json!(true);
    pmp.put_state(state).await;
    failed(
        &pmp.get(path, ADMIN).await,
        "Authentication",
        "User account is locked. Authentication failed.",
    );
}
