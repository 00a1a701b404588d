//! Organizations created, renamed and deleted; project delete; org and project users;
//! user creation.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn a_user_creates_renames_and_deletes_an_org_it_then_owns() {
    let srv = server().await;
    let user = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, org) = user
        .call(
            Method::POST,
            "/api/public/v1.0/orgs",
            Some(r#"{"name":" Labs "}"#),
        )
        .await;
    assert_eq!(status, 201, "{org}");
    assert_eq!(org["name"], "Labs");
    assert_eq!(org["isDeleted"], false);
    let id = org["id"].as_str().unwrap().to_owned();
    let (status, renamed) = user
        .call(
            Method::PATCH,
            &format!("/api/public/v1.0/orgs/{id}"),
            Some(r#"{"name":"Research"}"#),
        )
        .await;
    assert_eq!((status, renamed["name"].as_str()), (200, Some("Research")));
    let (_, listed) = user.get_json("/api/public/v1.0/orgs?name=research").await;
    assert_eq!(listed["totalCount"], 1);
    let res = user
        .send(Method::DELETE, &format!("/api/public/v1.0/orgs/{id}"), None)
        .await;
    assert_eq!(res.status(), 204);
    let (status, body) = user.get_json(&format!("/api/public/v1.0/orgs/{id}")).await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
    // A global reader still sees it, marked deleted.
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    let (_, all) = admin.get_json("/api/public/v1.0/orgs").await;
    let deleted: Vec<_> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["id"] == id.as_str())
        .collect();
    assert_eq!(deleted[0]["isDeleted"], true);
}

#[actix_web::test]
async fn org_writes_refuse_keys_non_owners_bad_names_and_orgs_with_projects() {
    let srv = server().await;
    let key = DigestClient::key(&srv);
    let (status, body) = key
        .call(
            Method::POST,
            "/api/public/v1.0/orgs",
            Some(r#"{"name":"x"}"#),
        )
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
    let user = DigestClient::new(&srv, USERNAME, USER_KEY);
    for (body, want) in [
        ("{}", "MISSING_ATTRIBUTE"),
        (r#"{"name":"   "}"#, "INVALID_ATTRIBUTE"),
        (r#"{"name":"x","color":"red"}"#, "INVALID_ATTRIBUTE"),
        ("[", "INVALID_JSON"),
    ] {
        let (status, got) = user
            .call(Method::POST, "/api/public/v1.0/orgs", Some(body))
            .await;
        assert_eq!((status, code(&got)), (400, want), "{body}");
    }
    let (status, body) = key
        .call(
            Method::DELETE,
            &format!("/api/public/v1.0/orgs/{ORG}"),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (409, "CANNOT_DELETE_ORG_WITH_PROJECTS")
    );
    let (status, body) = key
        .call(
            Method::PATCH,
            &format!("/api/public/v1.0/orgs/{OTHER_ORG}"),
            Some(r#"{"name":"mine"}"#),
        )
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["roles"][0]["roleName"] = json!("ORG_READ_ONLY");
    });
    let (status, body) = key
        .call(
            Method::PATCH,
            &format!("/api/public/v1.0/orgs/{ORG}"),
            Some(r#"{"name":"mine"}"#),
        )
        .await;
    assert_eq!((status, code(&body)), (401, "NOT_ORG_ADMIN"));
}

#[actix_web::test]
async fn a_project_without_deployments_is_deleted_and_one_with_them_is_not() {
    let srv = server().await;
    let key = DigestClient::key(&srv);
    let (status, project) = key
        .call(
            Method::POST,
            "/api/public/v1.0/groups",
            Some(&format!(r#"{{"name":"Scratch","orgId":"{ORG}"}}"#)),
        )
        .await;
    assert_eq!(status, 201);
    let id = project["id"].as_str().unwrap();
    let res = key
        .send(
            Method::DELETE,
            &format!("/api/public/v1.0/groups/{id}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    let (status, body) = key.get_json(&format!("/api/public/v1.0/groups/{id}")).await;
    assert_eq!((status, code(&body)), (401, "NOT_IN_GROUP"));
    let (status, body) = key
        .call(
            Method::DELETE,
            &format!("/api/public/v1.0/groups/{GROUP}"),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (409, "CANNOT_DELETE_GROUP_WITH_DEPLOYMENTS")
    );
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["roles"] = json!([
            {"orgId": ORG, "roleName": "ORG_MEMBER"},
            {"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}
        ]);
    });
    let (status, body) = key
        .call(
            Method::DELETE,
            &format!("/api/public/v1.0/groups/{GROUP}"),
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
}

#[actix_web::test]
async fn org_and_project_users_list_the_role_holders() {
    let srv = server().await;
    let key = DigestClient::key(&srv);
    let (status, users) = key
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/users"))
        .await;
    assert_eq!(status, 200, "{users}");
    assert_eq!(users["totalCount"], 1);
    assert_eq!(users["results"][0]["username"], USERNAME);
    let (_, none) = key
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/users"))
        .await;
    assert_eq!(none["totalCount"], 0);
    let (status, body) = key
        .get_json(&format!("/api/public/v1.0/orgs/{OTHER_ORG}/users"))
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
    let (status, body) = key
        .get_json(&format!("/api/public/v1.0/groups/{OTHER_GROUP}/users"))
        .await;
    assert_eq!((status, code(&body)), (401, "NOT_IN_GROUP"));
}

#[actix_web::test]
async fn a_global_owner_creates_a_user_who_then_appears_in_the_project() {
    let srv = server().await;
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    let body = json!({
        "username": "dba@acme.example", "password": "correct horse", "emailAddress": "dba@acme.example",
        "firstName": "Dee", "lastName": "Bea",
        "roles": [{"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}]
    })
    .to_string();
    let (status, user) = admin
        .call(Method::POST, "/api/public/v1.0/users", Some(&body))
        .await;
    assert_eq!(status, 201, "{user}");
    assert!(user.get("password").is_none());
    assert_eq!(user["roles"][0]["roleName"], "GROUP_READ_ONLY");
    let (_, members) = admin
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/users"))
        .await;
    assert_eq!(members["results"][0]["username"], "dba@acme.example");
    let (status, again) = admin
        .call(Method::POST, "/api/public/v1.0/users", Some(&body))
        .await;
    assert_eq!((status, code(&again)), (409, "USER_ALREADY_EXISTS"));
    let doc = srv.host().main.export_state().unwrap();
    assert_eq!(doc["users"][2]["firstName"], "Dee");
}

#[actix_web::test]
async fn user_creation_refuses_non_global_callers_and_bad_fields() {
    let srv = server().await;
    let key = DigestClient::key(&srv);
    let (status, body) = key
        .call(Method::POST, "/api/public/v1.0/users", Some("{}"))
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    let base = json!({
        "username": "u@x.example", "password": "longenough", "emailAddress": "u@x.example",
        "firstName": "U", "lastName": "X"
    });
    let cases = [
        (json!({"password": null}), 400, "MISSING_ATTRIBUTE"),
        (json!({"lastName": ""}), 400, "MISSING_ATTRIBUTE"),
        (json!({"password": "short"}), 400, "INVALID_ATTRIBUTE"),
        (json!({"admin": true}), 400, "INVALID_ATTRIBUTE"),
        (
            json!({"roles": [{"roleName": "ORG_OWNER"}]}),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"roles": [{"roleName": "NOPE"}]}),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            json!({"roles": [{"roleName": "GROUP_OWNER"}]}),
            400,
            "ROLE_NEEDS_GROUP_ID",
        ),
        (
            json!({"roles": [{"orgId": "000000000000000000000000", "roleName": "ORG_OWNER"}]}),
            404,
            "ORG_NOT_FOUND",
        ),
        (
            json!({"roles": [{"groupId": "000000000000000000000000", "roleName": "GROUP_OWNER"}]}),
            404,
            "GROUP_NOT_FOUND",
        ),
        (json!({"roles": "x"}), 400, "INVALID_JSON"),
    ];
    for (change, status, want) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (got_status, got) = admin
            .call(
                Method::POST,
                "/api/public/v1.0/users",
                Some(&body.to_string()),
            )
            .await;
        assert_eq!((got_status, code(&got)), (status, want), "{change}");
    }
}
