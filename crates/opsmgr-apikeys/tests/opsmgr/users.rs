//! The API root and users, and PingMePy 0.6's constructor and whitelist calls.

use crate::support::*;

const USER_ID: &str = "5953c5f380eef53887615f9b";

#[actix_web::test]
async fn the_api_root_links_the_top_resources() {
    let srv = server();
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
    let res = reqwest::get(format!("{}/api/public/v1.0/", srv.url))
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[actix_web::test]
async fn a_user_reads_itself_by_name_and_by_id() {
    let srv = server();
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
    let srv = server();
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
    let srv = server();
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
