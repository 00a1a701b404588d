//! API key access lists (and their `whitelist` aliases) and the user access list.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

fn al_uri() -> String {
    format!("/api/public/v1.0/orgs/{ORG}/apiKeys/{KEY_ID}/accessList")
}

#[actix_web::test]
async fn the_fixture_keys_list_shows_both_entries_with_links() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, list) = client.get_json(&al_uri()).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["totalCount"], 2);
    let first = &list["results"][0];
    assert_eq!(first["cidrBlock"], "127.0.0.1/32");
    assert_eq!(first["ipAddress"], "127.0.0.1");
    assert_eq!(first["count"], 1, "this very request counted");
    assert_eq!(first["lastUsedAddress"], "127.0.0.1");
    assert_eq!(
        first["links"],
        json!([{"href": format!("{}{}/127.0.0.1", srv.url(), al_uri()), "rel": "self"}])
    );
    let second = &list["results"][1];
    assert_eq!(second["cidrBlock"], "::1/128");
    assert!(second.get("lastUsed").is_none(), "omitted until first use");
}

#[actix_web::test]
async fn adding_entries_skips_existing_ones_and_returns_the_whole_list() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let body =
        r#"[{"ipAddress":"77.54.32.11"},{"cidrBlock":"192.0.2.0/24"},{"ipAddress":"127.0.0.1"}]"#;
    let (status, list) = client.call(Method::POST, &al_uri(), Some(body)).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["totalCount"], 4);
    let cidr = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["cidrBlock"] == "192.0.2.0/24")
        .unwrap()
        .clone();
    assert_eq!(cidr["ipAddress"], serde_json::Value::Null);
    assert!(
        cidr.as_object().unwrap().contains_key("ipAddress"),
        "null is emitted"
    );
    assert_eq!(
        cidr["links"][0]["href"],
        format!("{}{}/192.0.2.0%2F24", srv.url(), al_uri())
    );

    let (status, one) = client
        .get_json(&format!("{}/192.0.2.0%2F24", al_uri()))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["cidrBlock"], "192.0.2.0/24");
    assert_eq!(
        one["links"][1],
        json!({"href": format!("{}/api/public/v1.0/orgs/{ORG}/apiKeys/{KEY_ID}", srv.url()), "rel": "http://mms.mongodb.com/apiKeys"})
    );
    let (status, one) = client.get_json(&format!("{}/77.54.32.11", al_uri())).await;
    assert_eq!(
        (status, one["cidrBlock"].as_str()),
        (200, Some("77.54.32.11/32"))
    );

    let res = client
        .send(
            Method::DELETE,
            &format!("{}/192.0.2.0%2F24", al_uri()),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    let (status, err) = client
        .get_json(&format!("{}/192.0.2.0%2F24", al_uri()))
        .await;
    assert_eq!((status, code(&err)), (404, "API_KEY_ACCESS_LIST_NOT_FOUND"));
    let (status, err) = client
        .call(Method::DELETE, &format!("{}/10.9.9.9", al_uri()), None)
        .await;
    assert_eq!((status, code(&err)), (404, "API_KEY_ACCESS_LIST_NOT_FOUND"));
    // Go puts the CIDR in the path unescaped: two segments, no route.
    let (status, err) = client.get_json(&format!("{}/192.0.2.0/24", al_uri())).await;
    assert_eq!((status, code(&err)), (404, "RESOURCE_NOT_FOUND"));
}

#[actix_web::test]
async fn bad_additions_get_their_errors_and_change_nothing() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    for (body, status, expected) in [
        (r#"{"ipAddress":"1.2.3.4"}"#, 400, "INVALID_JSON"),
        ("nope", 400, "INVALID_JSON"),
        (
            r#"[{"ipAddress":"1.2.3.4","cidrBlock":"1.2.3.0/24"}]"#,
            400,
            "BAD_ACCESS_LIST_ADD_REQUEST",
        ),
        (
            r#"[{"ipAddress":"1.2.3.4"},{"cidrBlock":"1.2.3.4/32"}]"#,
            400,
            "DUPLICATE_ADDRESSES_IN_INPUT",
        ),
        (r#"[{"ipAddress":"1.2.3.400"}]"#, 400, "INVALID_ATTRIBUTE"),
        (r#"[{"cidrBlock":"1.2.3.0/33"}]"#, 400, "INVALID_ATTRIBUTE"),
        (r#"[{"comment":"x"}]"#, 400, "INVALID_ATTRIBUTE"),
        (r#"[{}]"#, 400, "MISSING_ONE_OF_ATTRIBUTES"),
        (
            r#"[{"ipAddress":"5.5.5.5"},{"ipAddress":"1.2.3.400"}]"#,
            400,
            "INVALID_ATTRIBUTE",
        ),
    ] {
        let (got, err) = client.call(Method::POST, &al_uri(), Some(body)).await;
        assert_eq!((got, code(&err)), (status, expected), "{body}");
    }
    let (_, list) = client.get_json(&al_uri()).await;
    assert_eq!(list["totalCount"], 2);
}

#[actix_web::test]
async fn the_whitelist_spelling_is_an_alias_with_its_own_links() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let wl = format!("/api/public/v1.0/orgs/{ORG}/apiKeys/{KEY_ID}/whitelist");
    let (status, list) = client
        .call(Method::POST, &wl, Some(r#"[{"cidrBlock":"10.0.0.0/8"}]"#))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["totalCount"], 3);
    let (status, list) = client.get_json(&format!("{wl}/?pretty=true")).await;
    assert_eq!(status, 200);
    assert!(list["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/whitelist/?pretty=true&pageNum=1&itemsPerPage=100"));
    assert!(list["results"][2]["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/whitelist/10.0.0.0%2F8"));
    let res = client
        .send(Method::DELETE, &format!("{wl}/10.0.0.0%2F8"), None)
        .await;
    assert_eq!(res.status(), 204);
}

#[actix_web::test]
async fn only_the_key_itself_or_an_org_owner_may_touch_its_access_list() {
    let srv = server().await;
    let owner = DigestClient::key(&srv);
    let body = json!({"desc": "member", "roles": ["ORG_MEMBER"]}).to_string();
    let (_, key) = owner
        .call(
            Method::POST,
            &format!("/api/public/v1.0/orgs/{ORG}/apiKeys"),
            Some(&body),
        )
        .await;
    let member_id = key["id"].as_str().unwrap().to_owned();
    let member = DigestClient::new(
        &srv,
        key["publicKey"].as_str().unwrap(),
        key["privateKey"].as_str().unwrap(),
    );
    let (status, err) = member.get_json(&al_uri()).await;
    assert_eq!(
        (status, code(&err)),
        (400, "API_KEY_ACCESS_LIST_ACCESS_DENIED")
    );
    let own = format!("/api/public/v1.0/orgs/{ORG}/apiKeys/{member_id}/accessList");
    let (status, list) = member
        .call(Method::POST, &own, Some(r#"[{"ipAddress":"127.0.0.1"}]"#))
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["totalCount"], 1);
    let (status, list) = owner.get_json(&own).await;
    assert_eq!((status, list["totalCount"].as_i64()), (200, Some(1)));

    let (status, err) = owner
        .get_json(&format!(
            "/api/public/v1.0/orgs/{ORG}/apiKeys/5953c5f380eef53887615fff/accessList"
        ))
        .await;
    assert_eq!((status, code(&err)), (400, "API_KEY_NOT_FOUND"));
    let (status, err) = owner
        .get_json(&format!(
            "/api/public/v1.0/orgs/5953c5f380eef53887615fff/apiKeys/{KEY_ID}/accessList"
        ))
        .await;
    assert_eq!((status, code(&err)), (404, "ORG_NOT_FOUND"));
}

#[actix_web::test]
async fn an_entry_added_then_removed_really_gates_the_key() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let res = client
        .send(Method::DELETE, &format!("{}/127.0.0.1", al_uri()), None)
        .await;
    assert_eq!(res.status(), 204);
    let (status, err) = client.get_json(&al_uri()).await;
    assert_eq!((status, code(&err)), (403, "IP_ADDRESS_NOT_ON_ACCESS_LIST"));
}

fn user_uri() -> String {
    "/api/public/v1.0/users/5953c5f380eef53887615f9b/accessList".to_owned()
}

#[actix_web::test]
async fn a_user_manages_its_own_access_list() {
    let srv = server().await;
    let user = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, list) = user.get_json(&user_uri()).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["totalCount"], 1);
    let (status, list) = user
        .call(
            Method::POST,
            &user_uri(),
            Some(r#"[{"ipAddress":"198.51.100.0/24"}]"#),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["totalCount"], 2);
    let (status, err) = user
        .call(
            Method::POST,
            &user_uri(),
            Some(r#"[{"ipAddress":"198.51.100.0/24"}]"#),
        )
        .await;
    assert_eq!(
        (status, code(&err)),
        (409, "ADDRESS_ALREADY_IN_ACCESS_LIST")
    );
    let (status, one) = user
        .get_json(&format!("{}/198.51.100.0%2F24", user_uri()))
        .await;
    assert_eq!(
        (status, one["cidrBlock"].as_str()),
        (200, Some("198.51.100.0/24"))
    );
    let (status, err) = user
        .call(Method::DELETE, &format!("{}/127.0.0.1", user_uri()), None)
        .await;
    assert_eq!(
        (status, code(&err)),
        (400, "CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST")
    );
    let res = user
        .send(
            Method::DELETE,
            &format!("{}/198.51.100.0%2F24", user_uri()),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);

    let key = DigestClient::key(&srv);
    let (status, err) = key.get_json(&user_uri()).await;
    assert_eq!((status, code(&err)), (401, "ACCESS_LIST_ACCESS_DENIED"));
    let (status, _) = user
        .get_json("/api/public/v1.0/users/5953c5f380eef53887615f9b/whitelist")
        .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn a_user_outside_its_list_may_read_but_not_write_it() {
    let srv = server().await;
    with_state(&srv, |doc| {
        doc["users"][0]["accessList"] =
            json!([{"cidrBlock": "203.0.113.0/24", "count": 0, "created": "2020-01-01T00:00:00Z"}]);
    });
    let user = DigestClient::new(&srv, USERNAME, USER_KEY);
    let (status, _) = user.get_json(&user_uri()).await;
    assert_eq!(status, 200);
    let (status, err) = user
        .call(
            Method::POST,
            &user_uri(),
            Some(r#"[{"ipAddress":"127.0.0.1"}]"#),
        )
        .await;
    assert_eq!((status, code(&err)), (403, "IP_ADDRESS_NOT_ON_ACCESS_LIST"));
}

fn entries(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!(r#"{{"ipAddress":"10.{}.{}.1"}}"#, i / 256 % 256, i % 256))
        .collect()
}

#[actix_web::test]
async fn a_long_access_list_body_is_checked_for_duplicates_and_added_whole() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    // 35,000 entries (just under the 1 MiB body limit); the duplicate is the last one.
    let mut items = entries(35_000);
    items.push(r#"{"cidrBlock":"10.0.5.1/32"}"#.into());
    let body = format!("[{}]", items.join(","));
    assert!(body.len() < 1 << 20);
    let (status, err) = client.call(Method::POST, &al_uri(), Some(&body)).await;
    assert_eq!((status, code(&err)), (400, "DUPLICATE_ADDRESSES_IN_INPUT"));
    let (_, list) = client.get_json(&al_uri()).await;
    assert_eq!(list["totalCount"], 2, "nothing added");

    let body = format!("[{}]", entries(30_000).join(","));
    let (status, list) = client.call(Method::POST, &al_uri(), Some(&body)).await;
    assert_eq!(status, 200, "{}", list["errorCode"]);
    assert_eq!(list["totalCount"], 30_002);
    // Again: every entry is already there and is skipped.
    let (status, list) = client.call(Method::POST, &al_uri(), Some(&body)).await;
    assert_eq!((status, list["totalCount"].as_u64()), (200, Some(30_002)));
}

#[actix_web::test]
async fn oversized_and_deep_access_list_bodies_are_invalid_json() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let oversized = format!("[{}]", entries(60_000).join(","));
    assert!(oversized.len() > 1 << 20);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for body in [oversized, deep] {
        let (status, err) = client.call(Method::POST, &al_uri(), Some(&body)).await;
        assert_eq!((status, code(&err)), (400, "INVALID_JSON"));
    }
}
