//! The API root and users, and PingMePy 0.6's constructor and whitelist calls.

use crate::common::*;

const USER_ID: &str = "5953c5f380eef53887615f9b";

#[actix_web::test]
async fn the_api_root_links_the_top_resources() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, root) = client.get_json("/api/public/v1.0").await;
    assert_eq!(status, 200, "{root}");
    assert_eq!(root["appName"], "MongoDB Ops Manager");
    assert_eq!(root["throttling"], false);
    let rels: Vec<&str> = root["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert_eq!(
        rels,
        [
            "self",
            "http://mms.mongodb.com/orgs",
            "http://mms.mongodb.com/groups",
            "http://mms.mongodb.com/user"
        ]
    );
    let (status, same) = client.get_json("/api/public/v1.0/").await;
    assert_eq!((status, same), (200, root));
    let res = reqwest::get(format!("{}/api/public/v1.0/", srv.url()))
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[actix_web::test]
async fn a_user_reads_itself_by_name_and_by_id() {
    let srv = server().await;
    let user = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, me) = user
        .get_json("/api/public/v1.0/users/byName/owner@acme.example")
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], USER_ID);
    assert_eq!(me["username"], USERNAME);
    assert_eq!(me["emailAddress"], USERNAME);
    assert_eq!(me["firstName"], "Olive");
    assert_eq!(me["roles"][0]["roleName"], "ORG_OWNER");
    assert_eq!(
        me["teamIds"],
        serde_json::json!(["5953c5f380eef53887615ff0"])
    );
    let (status, by_id) = user
        .get_json(&format!("/api/public/v1.0/users/{USER_ID}"))
        .await;
    assert_eq!((status, by_id), (200, me));
}

#[actix_web::test]
async fn users_refuse_unknown_names_ids_and_callers_without_rights() {
    let srv = server().await;
    let key = DigestClient::key(&srv);
    let (status, body) = key.get_json("/api/public/v1.0/users/byName/nobody").await;
    assert_eq!((status, code(&body)), (404, "USERNAME_NOT_FOUND"));
    assert_eq!(body["parameters"][0], "nobody");
    let (status, body) = key
        .get_json("/api/public/v1.0/users/000000000000000000000000")
        .await;
    assert_eq!((status, code(&body)), (404, "USER_NOT_FOUND"));
    let (status, body) = key.get_json("/api/public/v1.0/users/nothex").await;
    assert_eq!((status, code(&body)), (404, "USER_NOT_FOUND"));
    // The fixture key owns the user's org, so it may read the user; a key of another org
    // may not.
    let (status, _) = key
        .get_json(&format!("/api/public/v1.0/users/{USER_ID}"))
        .await;
    assert_eq!(status, 200);
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["orgId"] = serde_json::json!(OTHER_ORG);
        doc["apiKeys"][0]["roles"] =
            serde_json::json!([{"orgId": OTHER_ORG, "roleName": "ORG_OWNER"}]);
    });
    let (status, body) = key
        .get_json(&format!("/api/public/v1.0/users/{USER_ID}"))
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
}

/// PingMePy 0.6 (`PingMeClient.py`): the constructor calls `users/byName/{username}` with
/// the user's Digest credentials, `get_whitelist` then `users/{id}/whitelist`.
#[actix_web::test]
async fn pingmepy_constructor_and_whitelist_calls_succeed() {
    let srv = server().await;
    let user = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, me) = user
        .get_json("/api/public/v1.0/users/byName/owner@acme.example")
        .await;
    assert_eq!(status, 200);
    let id = me["id"].as_str().unwrap();
    let (status, list) = user
        .get_json(&format!("/api/public/v1.0/users/{id}/whitelist"))
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["results"][0]["cidrBlock"], "127.0.0.1/32");
}

fn role_names(user: &serde_json::Value) -> Vec<String> {
    user["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let scope = r["orgId"]
                .as_str()
                .or(r["groupId"].as_str())
                .unwrap_or("global");
            format!("{}@{scope}", r["roleName"].as_str().unwrap())
        })
        .collect()
}

#[actix_web::test]
async fn an_org_owner_replaces_a_members_roles_in_its_org_and_projects() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let uri = format!("/api/public/v1.0/users/{USER_ID}");
    let body = format!(
        r#"{{"roles":[{{"orgId":"{ORG}","roleName":"ORG_OWNER"}},{{"groupId":"{GROUP}","roleName":"GROUP_READ_ONLY"}}]}}"#
    );

    let (status, user) = client.call(reqwest::Method::PATCH, &uri, Some(&body)).await;

    assert_eq!(status, 200, "{user}");
    assert_eq!(
        role_names(&user),
        [
            format!("ORG_OWNER@{ORG}"),
            format!("GROUP_READ_ONLY@{GROUP}")
        ]
    );
    assert_eq!(user["username"], USERNAME);
    let (_, again) = client.get_json(&uri).await;
    assert_eq!(again, user);
}

#[actix_web::test]
async fn a_role_change_outside_the_callers_scopes_is_refused_and_changes_nothing() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let uri = format!("/api/public/v1.0/users/{USER_ID}");
    let (_, before) = client.get_json(&uri).await;

    for body in [
        format!(
            r#"{{"roles":[{{"orgId":"{ORG}","roleName":"ORG_OWNER"}},{{"orgId":"{OTHER_ORG}","roleName":"ORG_MEMBER"}}]}}"#
        ),
        format!(
            r#"{{"roles":[{{"orgId":"{ORG}","roleName":"ORG_OWNER"}},{{"roleName":"GLOBAL_READ_ONLY"}}]}}"#
        ),
    ] {
        let (status, err) = client.call(reqwest::Method::PATCH, &uri, Some(&body)).await;
        assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"), "{body}");
    }
    // The global owner is no member of the key's org.
    let (status, err) = client
        .call(
            reqwest::Method::PATCH,
            "/api/public/v1.0/users/5953c5f380eef53887615f9c",
            Some(r#"{"roles":[]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
    // Nor may a user grant itself a global role.
    let me = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, err) = me
        .call(
            reqwest::Method::PATCH,
            &uri,
            Some(&format!(r#"{{"roles":[{{"orgId":"{ORG}","roleName":"ORG_OWNER"}},{{"roleName":"GLOBAL_OWNER"}}]}}"#)),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
    let (_, after) = client.get_json(&uri).await;
    assert_eq!(after, before);
}

#[actix_web::test]
async fn updating_a_user_refuses_bad_bodies_and_unknown_users() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let uri = format!("/api/public/v1.0/users/{USER_ID}");

    for (body, status, want) in [
        ("{}", 400, "MISSING_ATTRIBUTE"),
        (r#"{"roles":null}"#, 400, "MISSING_ATTRIBUTE"),
        (r#"{"roles":"ORG_OWNER"}"#, 400, "INVALID_JSON"),
        (r#"{"roles":[],"username":"x"}"#, 400, "INVALID_ATTRIBUTE"),
        ("not json", 400, "INVALID_JSON"),
    ] {
        let (got, err) = client.call(reqwest::Method::PATCH, &uri, Some(body)).await;
        assert_eq!((got, code(&err)), (status, want), "{body}");
    }
    let (got, err) = client
        .call(
            reqwest::Method::PATCH,
            &uri,
            Some(&format!(
                r#"{{"roles":[{{"orgId":"{ORG}","roleName":"ORG_NOPE"}}]}}"#
            )),
        )
        .await;
    assert_eq!((got, code(&err)), (400, "INVALID_ENUM_VALUE"));
    for id in ["5953c5f380eef53887615fff", "nothex"] {
        let (got, err) = client
            .call(
                reqwest::Method::PATCH,
                &format!("/api/public/v1.0/users/{id}"),
                Some(r#"{"roles":[]}"#),
            )
            .await;
        assert_eq!((got, code(&err)), (404, "USER_NOT_FOUND"), "{id}");
    }
}

#[actix_web::test]
async fn the_global_owner_sets_any_role_and_a_user_may_drop_its_own() {
    let srv = server().await;
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    let uri = format!("/api/public/v1.0/users/{USER_ID}");

    let (status, user) = admin
        .call(
            reqwest::Method::PATCH,
            &uri,
            Some(&format!(r#"{{"roles":[{{"orgId":"{ORG}","roleName":"ORG_OWNER"}},{{"roleName":"GLOBAL_READ_ONLY"}},{{"groupId":"{OTHER_GROUP}","roleName":"GROUP_OWNER"}}]}}"#)),
        )
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["roles"].as_array().unwrap().len(), 3);

    let me = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, user) = me
        .call(
            reqwest::Method::PATCH,
            &uri,
            Some(&format!(r#"{{"roles":[{{"roleName":"GLOBAL_READ_ONLY"}},{{"groupId":"{OTHER_GROUP}","roleName":"GROUP_OWNER"}}]}}"#)),
        )
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        role_names(&user),
        [
            "GLOBAL_READ_ONLY@global".to_owned(),
            format!("GROUP_OWNER@{OTHER_GROUP}")
        ]
    );
}

#[actix_web::test]
async fn a_global_owner_removes_a_user_and_its_key_stops_working() {
    let srv = server().await;
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    let key = DigestClient::key(&srv);
    let uri = format!("/api/public/v1.0/users/{USER_ID}");

    let (status, err) = key.call(reqwest::Method::DELETE, &uri, None).await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
    let res = admin.send(reqwest::Method::DELETE, &uri, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "");

    let (status, err) = admin.get_json(&uri).await;
    assert_eq!((status, code(&err)), (404, "USER_NOT_FOUND"));
    let (status, err) = admin
        .get_json(&format!("/api/public/v1.0/users/byName/{USERNAME}"))
        .await;
    assert_eq!((status, code(&err)), (404, "USERNAME_NOT_FOUND"));
    let (_, team) = key
        .get_json(&format!(
            "/api/public/v1.0/orgs/{ORG}/teams/5953c5f380eef53887615ff0/users"
        ))
        .await;
    assert_eq!(team["totalCount"], 0);
    let gone = DigestClient::new(&srv, USERNAME, USER_KEY);
    assert_eq!(gone.get("/api/public/v1.0/orgs").await.status(), 401);
    let (status, err) = admin.call(reqwest::Method::DELETE, &uri, None).await;
    assert_eq!((status, code(&err)), (404, "USER_NOT_FOUND"));
    let doc = srv.host().main.export_state().unwrap();
    assert!(!doc["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == USER_ID));
}
