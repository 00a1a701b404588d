//! The endpoints behind the front door, the wire conventions and the state document.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn the_state_round_trips_and_a_bad_document_names_the_field() {
    let srv = server().await;
    let doc = srv.host().main.export_state().unwrap();
    srv.host().main.replace_state(&doc).unwrap();
    assert_eq!(srv.host().main.export_state().unwrap(), doc);

    for (change, field) in [
        (
            json!({"orgs": [{"id": "nothex", "name": "x"}], "projects": [], "apiKeys": []}),
            "orgs[0].id",
        ),
        (
            json!({"orgs": [], "projects": [], "apiKeys": [], "extra": 1}),
            "extra",
        ),
    ] {
        let err = srv.host().main.replace_state(&change).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
    }
    let mut bad = doc.clone();
    bad["apiKeys"][0]["publicKey"] = json!("UPPERCASE");
    assert_eq!(
        srv.host().main.replace_state(&bad).unwrap_err().field(),
        Some("apiKeys[0].publicKey")
    );
    let mut bad = doc.clone();
    bad["apiKeys"][0]["roles"][1]["groupId"] = json!(OTHER_GROUP);
    assert_eq!(
        srv.host().main.replace_state(&bad).unwrap_err().field(),
        Some("apiKeys[0].roles[1]")
    );
    let mut bad = doc.clone();
    bad["apiKeys"][0]["accessList"][0]["cidrBlock"] = json!("300.0.0.1/32");
    assert_eq!(
        srv.host().main.replace_state(&bad).unwrap_err().field(),
        Some("apiKeys[0].accessList[0].cidrBlock")
    );
    assert_eq!(
        srv.host().main.export_state().unwrap(),
        doc,
        "a bad document changes nothing"
    );
}

fn org_keys_uri() -> String {
    format!("/api/public/v1.0/orgs/{ORG}/apiKeys")
}

async fn create_org_key(client: &DigestClient, desc: &str, roles: &[&str]) -> serde_json::Value {
    let body = json!({"desc": desc, "roles": roles}).to_string();
    let (status, key) = client
        .call(Method::POST, &org_keys_uri(), Some(&body))
        .await;
    assert_eq!(status, 200, "{key}");
    key
}

#[actix_web::test]
async fn creating_an_org_key_shows_the_private_key_once_then_redacted() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let key = create_org_key(&client, "CI key", &["ORG_MEMBER", "ORG_READ_ONLY"]).await;
    let id = key["id"].as_str().unwrap().to_owned();
    let secret = key["privateKey"].as_str().unwrap().to_owned();
    let public = key["publicKey"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 24);
    assert!(public.len() == 8 && public.bytes().all(|b| b.is_ascii_lowercase()));
    assert_eq!(secret.len(), 36);
    assert_eq!(secret.matches('-').count(), 4);
    assert_eq!(
        key["roles"],
        json!([{"orgId": ORG, "roleName": "ORG_MEMBER"}, {"orgId": ORG, "roleName": "ORG_READ_ONLY"}])
    );
    assert_eq!(
        key["links"][0]["href"],
        format!("{}/api/public/v1.0/orgs/{ORG}/apiKeys/{id}", srv.url())
    );

    let (status, got) = client.get_json(&format!("{}/{id}", org_keys_uri())).await;
    assert_eq!(status, 200);
    assert_eq!(
        got["privateKey"],
        format!("********-****-****-{}", &secret[24..])
    );
    assert_eq!(got["desc"], "CI key");

    let (status, list) = client.get_json(&org_keys_uri()).await;
    assert_eq!(status, 200);
    assert_eq!(list["totalCount"], 2);
    assert!(!list.to_string().contains(&secret));

    // The new key authenticates with its own secret (empty access list: any address).
    let new_client = DigestClient::new(&srv, &public, &secret);
    let (status, _) = new_client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}"))
        .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn org_key_creation_validates_in_a_fixed_order() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let long = "x".repeat(251);
    let cases: Vec<(String, u16, &str)> = vec![
        ("not json".into(), 400, "INVALID_JSON"),
        ("[1]".into(), 400, "INVALID_JSON"),
        (
            json!({"desc": "d", "roles": ["ORG_MEMBER"], "extra": 1}).to_string(),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"roles": ["ORG_MEMBER"]}).to_string(),
            400,
            "MISSING_ATTRIBUTE",
        ),
        (json!({"desc": "d"}).to_string(), 400, "MISSING_ATTRIBUTE"),
        (
            json!({"desc": 5, "roles": ["ORG_MEMBER"]}).to_string(),
            400,
            "INVALID_JSON",
        ),
        (
            json!({"desc": "", "roles": ["ORG_MEMBER"]}).to_string(),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"desc": long, "roles": ["ORG_MEMBER"]}).to_string(),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"desc": "d", "roles": []}).to_string(),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"desc": "d", "roles": ["ORG_BILLING_ADMIN"]}).to_string(),
            401,
            "BILLING_UNSUPPORTED",
        ),
        (
            json!({"desc": "d", "roles": ["GROUP_OWNER"]}).to_string(),
            400,
            "ROLE_NEEDS_GROUP_ID",
        ),
        (
            json!({"desc": "d", "roles": ["KING"]}).to_string(),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            json!({"desc": "d", "roles": ["ORG_MEMBER", "GROUP_OWNER"]}).to_string(),
            400,
            "ROLE_NEEDS_GROUP_ID",
        ),
    ];
    for (body, status, expected) in cases {
        let (got, err) = client
            .call(Method::POST, &org_keys_uri(), Some(&body))
            .await;
        assert_eq!((got, code(&err)), (status, expected), "{body} -> {err}");
        assert_eq!(err["error"], status);
    }
    let (status, list) = client.get_json(&org_keys_uri()).await;
    assert_eq!(status, 200);
    assert_eq!(list["totalCount"], 1, "nothing was half-written");

    let (status, err) = client
        .call(
            Method::POST,
            &format!("/api/public/v1.0/orgs/{OTHER_ORG}/apiKeys"),
            Some(r#"{"desc":"d","roles":["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
    let (status, err) = client
        .call(
            Method::POST,
            "/api/public/v1.0/orgs/5953c5f380eef53887615fff/apiKeys",
            Some(r#"{"desc":"d","roles":["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (404, "ORG_NOT_FOUND"));
    assert_eq!(
        err["detail"],
        "No organization with ID 5953c5f380eef53887615fff exists."
    );
}

#[actix_web::test]
async fn an_org_member_key_may_read_keys_but_not_change_them() {
    let srv = server().await;
    let owner = DigestClient::key(&srv);
    let key = create_org_key(&owner, "member", &["ORG_MEMBER"]).await;
    let member = DigestClient::new(
        &srv,
        key["publicKey"].as_str().unwrap(),
        key["privateKey"].as_str().unwrap(),
    );
    let (status, _) = member.get_json(&org_keys_uri()).await;
    assert_eq!(status, 200);
    let (status, err) = member
        .call(
            Method::POST,
            &org_keys_uri(),
            Some(r#"{"desc":"d","roles":["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_ORG_ADMIN"));
    assert_eq!(err["parameters"], json!([ORG]));
    let (status, err) = member
        .call(
            Method::DELETE,
            &format!("{}/{KEY_ID}", org_keys_uri()),
            None,
        )
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_ORG_ADMIN"));
    let (status, err) = member
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/apiKeys"))
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_IN_GROUP"));
}

#[actix_web::test]
async fn patching_an_org_key_changes_desc_and_replaces_org_roles_only() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let key = create_org_key(&client, "before", &["ORG_MEMBER"]).await;
    let id = key["id"].as_str().unwrap();
    let uri = format!("{}/{id}", org_keys_uri());
    let assign = format!("/api/public/v1.0/groups/{GROUP}/apiKeys/{id}");
    let (status, _) = client
        .call(
            Method::PATCH,
            &assign,
            Some(r#"{"roles":["GROUP_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!(status, 200);

    let (status, patched) = client
        .call(
            Method::PATCH,
            &uri,
            Some(r#"{"desc":"after","roles":["ORG_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["desc"], "after");
    assert_eq!(
        patched["roles"],
        json!([{"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}, {"orgId": ORG, "roleName": "ORG_READ_ONLY"}])
    );
    assert!(patched["privateKey"]
        .as_str()
        .unwrap()
        .starts_with("********-****-****-"));

    let (status, err) = client.call(Method::PATCH, &uri, Some("{}")).await;
    assert_eq!((status, code(&err)), (400, "MISSING_ONE_OF_ATTRIBUTES"));
    let (status, err) = client
        .call(
            Method::PATCH,
            &format!("{}/5953c5f380eef53887615fff", org_keys_uri()),
            Some(r#"{"desc":"x"}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (400, "API_KEY_NOT_FOUND"));
    assert_eq!(
        err["detail"],
        "No API Key with ID 5953c5f380eef53887615fff exists."
    );
    let (status, err) = client
        .call(
            Method::PATCH,
            &format!("{}/not-an-id", org_keys_uri()),
            Some(r#"{"desc":"x"}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (404, "RESOURCE_NOT_FOUND"));
}

#[actix_web::test]
async fn deleting_an_org_key_answers_200_empty_and_the_key_stops_working() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let key = create_org_key(&client, "doomed", &["ORG_MEMBER"]).await;
    let id = key["id"].as_str().unwrap();
    let doomed = DigestClient::new(
        &srv,
        key["publicKey"].as_str().unwrap(),
        key["privateKey"].as_str().unwrap(),
    );
    assert_eq!(
        doomed
            .get(&format!("/api/public/v1.0/orgs/{ORG}"))
            .await
            .status(),
        200
    );
    let res = client
        .send(Method::DELETE, &format!("{}/{id}", org_keys_uri()), None)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "");
    let (status, err) = client.get_json(&format!("{}/{id}", org_keys_uri())).await;
    assert_eq!((status, code(&err)), (400, "API_KEY_NOT_FOUND"));
    assert_eq!(
        doomed
            .get(&format!("/api/public/v1.0/orgs/{ORG}"))
            .await
            .status(),
        401
    );
}

#[actix_web::test]
async fn a_key_of_another_org_is_not_found_under_this_org() {
    let srv = server().await;
    with_state(&srv, |doc| {
        doc["apiKeys"].as_array_mut().unwrap().push(json!({
            "id": "5e2211c17a3e5a48f5497d03", "orgId": OTHER_ORG, "desc": "other",
            "publicKey": "otherkey", "privateKey": "11111111-2222-4333-8444-555555555555",
            "roles": [{"orgId": OTHER_ORG, "roleName": "ORG_OWNER"}]
        }));
    });
    let client = DigestClient::key(&srv);
    let (status, err) = client
        .get_json(&format!("{}/5e2211c17a3e5a48f5497d03", org_keys_uri()))
        .await;
    assert_eq!((status, code(&err)), (400, "API_KEY_NOT_FOUND"));
}

#[actix_web::test]
async fn deep_pages_of_org_keys_follow_creation_order_and_the_latest_writes() {
    let srv = server().await;
    let mut ids: Vec<String> = Vec::new();
    with_state(&srv, |doc| {
        let keys = doc["apiKeys"].as_array_mut().unwrap();
        // Keys of two orgs interleaved, so an org's keys are not consecutive rows.
        for i in 0..3000u32 {
            let org = if i % 3 == 2 { OTHER_ORG } else { ORG };
            let letters: String = format!("{i:04}")
                .bytes()
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect();
            keys.push(json!({
                "id": format!("6000000000000000000{:05x}", i),
                "orgId": org, "desc": format!("key {i}"),
                "publicKey": format!("dpxy{letters}"),
                "privateKey": format!("00000000-0000-4000-8000-{:012}", i),
                "roles": [{"orgId": org, "roleName": "ORG_MEMBER"}]
            }));
        }
        ids = keys
            .iter()
            .filter(|k| k["orgId"] == ORG)
            .map(|k| k["id"].as_str().unwrap().to_owned())
            .collect();
    });
    let client = DigestClient::key(&srv);
    let page = |num: usize, per: usize| {
        let uri = format!("{}?pageNum={num}&itemsPerPage={per}", org_keys_uri());
        let client = &client;
        async move {
            let (status, page) = client.get_json(&uri).await;
            assert_eq!(status, 200, "{page}");
            page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let expect = |ids: &[String], num: usize, per: usize| -> Vec<String> {
        ids.iter()
            .skip((num - 1) * per)
            .take(per)
            .cloned()
            .collect()
    };
    for (num, per) in [
        (20, 100),
        (200, 7),
        (21, 100),
        (5, 500),
        (11, 200),
        (1, 100),
    ] {
        assert_eq!(
            page(num, per).await,
            expect(&ids, num, per),
            "page {num} of {per}"
        );
    }
    // A write moves every later key up one place; the deep page follows at once.
    let gone = ids.remove(1500);
    let res = client
        .send(Method::DELETE, &format!("{}/{gone}", org_keys_uri()), None)
        .await;
    assert_eq!(res.status(), 200);
    for (num, per) in [(20, 100), (200, 7), (21, 100)] {
        assert_eq!(
            page(num, per).await,
            expect(&ids, num, per),
            "after delete: page {num} of {per}"
        );
    }
}

#[actix_web::test]
async fn deep_pages_of_project_keys_follow_creation_order_and_the_latest_assignments() {
    let srv = server().await;
    let mut all: Vec<String> = vec![KEY_ID.to_owned()];
    with_state(&srv, |doc| {
        let keys = doc["apiKeys"].as_array_mut().unwrap();
        for i in 0..2600u32 {
            let letters: String = format!("{i:04}")
                .bytes()
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect();
            let mut roles = vec![json!({"orgId": ORG, "roleName": "ORG_MEMBER"})];
            if i % 4 != 0 {
                roles.push(json!({"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}));
            }
            if i % 7 == 0 {
                roles.push(json!({"groupId": GROUP, "roleName": "GROUP_DATA_ACCESS_READ_ONLY"}));
            }
            keys.push(json!({
                "id": format!("6000000000000000000{:05x}", i),
                "orgId": ORG, "desc": format!("key {i}"),
                "publicKey": format!("pjxy{letters}"),
                "privateKey": format!("00000000-0000-4000-8000-{:012}", i),
                "roles": roles
            }));
        }
        all.extend((0..2600u32).map(|i| format!("6000000000000000000{:05x}", i)));
    });
    // On the project: the fixture key, and every key with a project role.
    let on_project = |i: usize| i == 0 || !(i - 1).is_multiple_of(4) || (i - 1).is_multiple_of(7);
    let mut ids: Vec<String> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| on_project(*i))
        .map(|(_, id)| id.clone())
        .collect();
    let client = DigestClient::key(&srv);
    let page = |num: usize, per: usize| {
        let uri = format!("{}?pageNum={num}&itemsPerPage={per}", group_keys_uri());
        let client = &client;
        async move {
            let (status, page) = client.get_json(&uri).await;
            assert_eq!(status, 200, "{page}");
            let ids = page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>();
            (page["totalCount"].as_u64().unwrap(), ids)
        }
    };
    let expect = |ids: &[String], num: usize, per: usize| -> (u64, Vec<String>) {
        let page = ids
            .iter()
            .skip((num - 1) * per)
            .take(per)
            .cloned()
            .collect();
        (ids.len() as u64, page)
    };
    let shapes = [
        (12, 100),
        (300, 7),
        (20, 100),
        (5, 500),
        (1, 100),
        (40, 100),
    ];
    for (num, per) in shapes {
        assert_eq!(
            page(num, per).await,
            expect(&ids, num, per),
            "page {num} of {per}"
        );
    }
    // Unassign an early key: every later key moves up one place, at once.
    let gone = ids.remove(50);
    let res = client
        .send(
            Method::DELETE,
            &format!("{}/{gone}", group_keys_uri()),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    for (num, per) in shapes {
        assert_eq!(
            page(num, per).await,
            expect(&ids, num, per),
            "after unassign: page {num} of {per}"
        );
    }
    // Assign an early key that had no project role: the count is back where it was, and
    // the key takes its place in creation order.
    let joined = all[5].clone(); // key 4: no project role
    assert!(!ids.contains(&joined));
    let (status, body) = client
        .call(
            Method::PATCH,
            &format!("{}/{joined}", group_keys_uri()),
            Some(r#"{"roles": ["GROUP_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let at = ids.iter().take_while(|id| **id < joined).count();
    ids.insert(at, joined);
    for (num, per) in shapes {
        assert_eq!(
            page(num, per).await,
            expect(&ids, num, per),
            "after assign: page {num} of {per}"
        );
    }
}

/// The rendered key pages and the Digest usernames' copies are kept until a write: every
/// kind of write shows at once on the next request (API writes, `PUT /_standin/state`,
/// reset), and the usage stamps every request writes do not empty them.
#[actix_web::test]
async fn key_pages_and_credentials_follow_every_write_at_once() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let descs = |page: &serde_json::Value| -> Vec<String> {
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["desc"].as_str().unwrap().to_owned())
            .collect()
    };
    let org_page = || async { client.get_json(&org_keys_uri()).await };
    let group_page = || async { client.get_json(&group_keys_uri()).await };
    let (_, first) = org_page().await;
    assert_eq!(descs(&first), ["standin default key"]);
    let (_, again) = org_page().await;
    assert_eq!(first, again);
    // The usage stamps of those requests are in the store, and seen.
    let (status, list) = client
        .get_json(&format!("{}/{KEY_ID}/accessList", org_keys_uri()))
        .await;
    assert_eq!(status, 200, "{list}");
    let used = list["results"][0]["count"].as_u64().unwrap();
    let (_, list) = client
        .get_json(&format!("{}/{KEY_ID}/accessList", org_keys_uri()))
        .await;
    assert_eq!(list["results"][0]["count"].as_u64().unwrap(), used + 1);
    // An API write.
    let (status, body) = client
        .call(
            Method::PATCH,
            &format!("{}/{KEY_ID}", org_keys_uri()),
            Some(r#"{"desc": "renamed"}"#),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(descs(&org_page().await.1), ["renamed"]);
    assert_eq!(descs(&group_page().await.1), ["renamed"]);
    let (status, body) = client
        .call(
            Method::POST,
            &org_keys_uri(),
            Some(r#"{"desc": "second", "roles": ["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = org_page().await;
    assert_eq!(descs(&page), ["renamed", "second"]);
    assert_eq!(page["totalCount"], 2);
    // The state replaced through the control API.
    let mut doc = srv.state().await;
    doc["apiKeys"][0]["desc"] = json!("from PUT");
    srv.set_state(doc).await.unwrap();
    assert_eq!(descs(&org_page().await.1), ["from PUT", "second"]);
    // A reset.
    srv.reset().await;
    let client = DigestClient::key(&srv);
    assert_eq!(
        descs(&client.get_json(&org_keys_uri()).await.1),
        ["standin default key"]
    );
    // The caller's own roles: owner, then read-only, at once.
    let (status, _) = client
        .call(
            Method::POST,
            &org_keys_uri(),
            Some(r#"{"desc": "third", "roles": ["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = client
        .call(
            Method::PATCH,
            &format!("{}/{KEY_ID}", org_keys_uri()),
            Some(r#"{"roles": ["ORG_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, err) = client
        .call(
            Method::POST,
            &org_keys_uri(),
            Some(r#"{"desc": "fourth", "roles": ["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_ORG_ADMIN"));
    // Its secret replaced in the state: the old one no longer verifies.
    let mut doc = srv.state().await;
    doc["apiKeys"][0]["privateKey"] = json!("00000000-0000-4000-8000-000000000001");
    srv.set_state(doc).await.unwrap();
    let (status, _) = DigestClient::key(&srv).get_json(&org_keys_uri()).await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn pagination_walks_250_keys_in_pages_of_100_following_next_links() {
    let srv = server().await;
    with_state(&srv, |doc| {
        let keys = doc["apiKeys"].as_array_mut().unwrap();
        for i in 0..249u32 {
            let letters: String = format!("{i:03}")
                .bytes()
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect();
            keys.push(json!({
                "id": format!("6000000000000000000{:05x}", i),
                "orgId": ORG, "desc": format!("key {i}"),
                "publicKey": format!("pgkey{letters}"),
                "privateKey": format!("00000000-0000-4000-8000-{:012}", i),
                "roles": [{"orgId": ORG, "roleName": "ORG_MEMBER"}]
            }));
        }
    });
    let client = DigestClient::key(&srv);
    let mut uri = format!("{}?pretty=false&itemsPerPage=100", org_keys_uri());
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = client.get_json(&uri).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        assert_eq!(page["totalCount"], 250);
        let links = page["links"].as_array().unwrap();
        assert_eq!(links[0]["rel"], "self");
        assert!(links[0]["href"]
            .as_str()
            .unwrap()
            .contains(&format!("?pretty=false&pageNum={pages}&itemsPerPage=100")));
        if pages > 1 {
            assert_eq!(links[1]["rel"], "previous");
        }
        for key in page["results"].as_array().unwrap() {
            seen.push(key["id"].as_str().unwrap().to_owned());
        }
        match links.iter().find(|l| l["rel"] == "next") {
            Some(next) => {
                uri = next["href"].as_str().unwrap().replace(srv.url(), "");
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 250);

    let (status, past) = client
        .get_json(&format!("{}?pageNum=9&itemsPerPage=100", org_keys_uri()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(past["results"], json!([]));
    let (_, no_count) = client
        .get_json(&format!("{}?includeCount=false", org_keys_uri()))
        .await;
    assert!(no_count.get("totalCount").is_none());
    for bad in [
        "itemsPerPage=501",
        "itemsPerPage=0",
        "pageNum=0",
        "pageNum=x",
    ] {
        let (status, err) = client.get_json(&format!("{}?{bad}", org_keys_uri())).await;
        assert_eq!(
            (status, code(&err)),
            (400, "INVALID_QUERY_PARAMETER"),
            "{bad}"
        );
    }
}

#[actix_web::test]
async fn store_paging_counts_only_this_org_or_project_and_stops_at_the_exact_edge() {
    let srv = server().await;
    with_state(&srv, |doc| {
        let keys = doc["apiKeys"].as_array_mut().unwrap();
        for i in 0..203u32 {
            let letters: String = format!("{i:03}")
                .bytes()
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect();
            // Keys 0..=198 join the fixture key in ORG (200 in all); the last four go to
            // the other org and must count nowhere here.
            let (org, group) = if i < 199 {
                (ORG, GROUP)
            } else {
                (OTHER_ORG, OTHER_GROUP)
            };
            keys.push(json!({
                "id": format!("6100000000000000000{:05x}", i),
                "orgId": org, "desc": format!("key {i}"),
                "publicKey": format!("edge{letters}x"),
                "privateKey": format!("00000000-0000-4000-8000-{:012}", i),
                "roles": [{"orgId": org, "roleName": "ORG_MEMBER"},
                          {"groupId": group, "roleName": "GROUP_READ_ONLY"}]
            }));
        }
        // A user with a role on the project is not an API key of the project.
        doc["users"].as_array_mut().unwrap().push(json!({
            "id": "7100000000000000000000aa", "username": "edge@x", "apiKey": "k",
            "roles": [{"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}]
        }));
    });
    let client = DigestClient::key(&srv);
    let rels = |page: &serde_json::Value| -> Vec<String> {
        page["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["rel"].as_str().unwrap().to_owned())
            .collect()
    };
    for uri in [org_keys_uri(), group_keys_uri()] {
        let (_, last) = client
            .get_json(&format!("{uri}?pageNum=2&itemsPerPage=100"))
            .await;
        assert_eq!(last["totalCount"], 200, "{uri}");
        assert_eq!(last["results"].as_array().unwrap().len(), 100, "{uri}");
        assert_eq!(
            rels(&last),
            ["self", "previous"],
            "{uri}: no next at the edge"
        );
        assert_eq!(last["results"][99]["id"], "6100000000000000000000c6");
        let (_, past) = client
            .get_json(&format!("{uri}?pageNum=3&itemsPerPage=100"))
            .await;
        assert_eq!(past["results"], json!([]), "{uri}");
        assert_eq!(past["totalCount"], 200, "{uri}");
        let (_, odd) = client
            .get_json(&format!("{uri}?pageNum=2&itemsPerPage=199"))
            .await;
        let ids: Vec<&str> = odd["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            ["6100000000000000000000c6"],
            "{uri}: the 200th key alone"
        );
        let (status, far) = client
            .get_json(&format!("{uri}?pageNum=4294967295&itemsPerPage=500"))
            .await;
        assert_eq!(status, 200, "{uri}");
        assert_eq!(far["results"], json!([]), "{uri}");
        assert_eq!(rels(&far), ["self", "previous"], "{uri}");
    }
    let (_, first) = client
        .get_json(&format!("{}?itemsPerPage=2", org_keys_uri()))
        .await;
    assert_eq!(
        first["results"][0]["id"], KEY_ID,
        "creation order: the fixture key first"
    );
    assert_eq!(first["results"][1]["roles"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn envelope_and_pretty_wrap_entities_lists_and_errors() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, one) = client
        .get_json(&format!("{}/{KEY_ID}?envelope=true", org_keys_uri()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["status"], 200);
    assert_eq!(one["content"]["id"], KEY_ID);
    let (_, list) = client
        .get_json(&format!("{}?envelope=true", org_keys_uri()))
        .await;
    let keys: Vec<&String> = list.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["links", "results", "status", "totalCount"]);
    let (status, err) = client
        .get_json(&format!(
            "{}/5953c5f380eef53887615fff?envelope=true",
            org_keys_uri()
        ))
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["status"], 400);
    assert_eq!(err["content"]["errorCode"], "API_KEY_NOT_FOUND");

    let res = client
        .get(&format!("/api/public/v1.0/orgs/{ORG}?pretty=true"))
        .await;
    let text = res.text().await.unwrap();
    let expected = format!(
        "{{\n  \"id\" : \"{ORG}\",\n  \"isDeleted\" : false,\n  \"links\" : [ {{\n    \"href\" : \"{}/api/public/v1.0/orgs/{ORG}\",\n    \"rel\" : \"self\"\n  }} ],\n  \"name\" : \"Acme Operations\"\n}}",
        srv.url()
    );
    assert_eq!(text, expected);
}

#[actix_web::test]
async fn unknown_paths_and_wrong_methods_answer_in_the_error_format() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, err) = client
        .get_json("/api/public/v1.0/softwareComponents/version")
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        err,
        json!({"detail": "Cannot find resource /api/public/v1.0/softwareComponents/version.",
               "error": 404, "errorCode": "RESOURCE_NOT_FOUND",
               "parameters": ["/api/public/v1.0/softwareComponents/version"], "reason": "Not Found"})
    );
    let (status, err) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/apiKeys/{KEY_ID}"))
        .await;
    assert_eq!((status, code(&err)), (405, "METHOD_NOT_ALLOWED"));
    assert_eq!(err["reason"], "Method Not Allowed");
}

fn group_keys_uri() -> String {
    format!("/api/public/v1.0/groups/{GROUP}/apiKeys")
}

#[actix_web::test]
async fn create_and_assign_gives_a_full_secret_org_member_and_the_project_roles() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, key) = client
        .call(
            Method::POST,
            &group_keys_uri(),
            Some(r#"{"desc":"deployer","roles":["GROUP_AUTOMATION_ADMIN","GROUP_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{key}");
    assert_eq!(key["privateKey"].as_str().unwrap().len(), 36);
    let id = key["id"].as_str().unwrap();
    assert_eq!(
        key["links"][0]["href"],
        format!("{}/api/public/v1.0/orgs/{ORG}/apiKeys/{id}", srv.url()),
        "self always points under the org"
    );
    assert_eq!(
        key["roles"],
        json!([
            {"orgId": ORG, "roleName": "ORG_MEMBER"},
            {"groupId": GROUP, "roleName": "GROUP_AUTOMATION_ADMIN"},
            {"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}
        ])
    );
    let (_, list) = client.get_json(&group_keys_uri()).await;
    assert_eq!(list["totalCount"], 2);

    for (body, status, expected) in [
        (
            r#"{"desc":"x","roles":["ORG_OWNER"]}"#,
            400,
            "INVALID_ROLE_FOR_GROUP",
        ),
        (
            r#"{"desc":"x","roles":["GROUP_BILLING_ADMIN"]}"#,
            401,
            "BILLING_UNSUPPORTED",
        ),
        (
            r#"{"desc":"x","roles":["GROUP_CLUSTER_MANAGER"]}"#,
            400,
            "INVALID_ENUM_VALUE",
        ),
        (r#"{"roles":["GROUP_OWNER"]}"#, 400, "MISSING_ATTRIBUTE"),
        (r#"{"desc":"x","roles":[]}"#, 400, "INVALID_ATTRIBUTE"),
        (r#"{"desc":"x","roles":"GROUP_OWNER"}"#, 400, "INVALID_JSON"),
    ] {
        let (got, err) = client
            .call(Method::POST, &group_keys_uri(), Some(body))
            .await;
        assert_eq!((got, code(&err)), (status, expected), "{body}");
    }
    let (_, err) = client
        .call(
            Method::POST,
            &group_keys_uri(),
            Some(r#"{"desc":"x","roles":["ORG_OWNER"]}"#),
        )
        .await;
    assert_eq!(
        err["detail"],
        format!("Role ORG_OWNER is invalid for group {GROUP}.")
    );
}

#[actix_web::test]
async fn create_and_assign_requires_an_access_listed_caller() {
    let srv = server().await;
    with_state(&srv, |doc| doc["apiKeys"][0]["accessList"] = json!([]));
    let client = DigestClient::key(&srv);
    assert_eq!(client.get(&group_keys_uri()).await.status(), 200);
    let (status, err) = client
        .call(
            Method::POST,
            &group_keys_uri(),
            Some(r#"{"desc":"x","roles":["GROUP_OWNER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (403, "IP_ADDRESS_NOT_ON_ACCESS_LIST"));
    assert_eq!(err["parameters"], json!(["127.0.0.1"]));

    let relaxed = server_with(opsmgr_apikeys::Settings {
        require_access_list_for_sensitive: false,
        ..Default::default()
    })
    .await;
    with_state(&relaxed, |doc| doc["apiKeys"][0]["accessList"] = json!([]));
    let (status, _) = DigestClient::key(&relaxed)
        .call(
            Method::POST,
            &group_keys_uri(),
            Some(r#"{"desc":"x","roles":["GROUP_OWNER"]}"#),
        )
        .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn post_assign_answers_204_patch_modifies_and_delete_unassigns() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let key = create_org_key(&client, "to assign", &["ORG_MEMBER"]).await;
    let id = key["id"].as_str().unwrap();
    let uri = format!("{}/{id}", group_keys_uri());

    let res = client
        .send(Method::POST, &uri, Some(r#"{"roles":["GROUP_READ_ONLY"]}"#))
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(res.text().await.unwrap(), "");
    let (_, list) = client.get_json(&group_keys_uri()).await;
    assert_eq!(list["totalCount"], 2);

    let (status, patched) = client
        .call(
            Method::PATCH,
            &uri,
            Some(r#"{"roles":["GROUP_OWNER","GROUP_USER_ADMIN"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["roles"],
        json!([
            {"orgId": ORG, "roleName": "ORG_MEMBER"},
            {"groupId": GROUP, "roleName": "GROUP_OWNER"},
            {"groupId": GROUP, "roleName": "GROUP_USER_ADMIN"}
        ]),
        "roles on the project are replaced, org roles kept"
    );

    let res = client.send(Method::DELETE, &uri, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "");
    let (_, list) = client.get_json(&group_keys_uri()).await;
    assert_eq!(list["totalCount"], 1);
    let (status, still) = client.get_json(&format!("{}/{id}", org_keys_uri())).await;
    assert_eq!(status, 200, "the key stays in the org");
    assert_eq!(
        still["roles"],
        json!([{"orgId": ORG, "roleName": "ORG_MEMBER"}])
    );

    for (method, body, status, expected) in [
        (Method::POST, "{}", 400, "MISSING_ATTRIBUTE"),
        (
            Method::PATCH,
            r#"{"roles":["ORG_MEMBER"]}"#,
            400,
            "INVALID_ROLE_FOR_GROUP",
        ),
        (
            Method::PATCH,
            r#"{"roles":["GROUP_OWNER"],"desc":"x"}"#,
            400,
            "INVALID_ATTRIBUTE",
        ),
    ] {
        let (got, err) = client.call(method, &uri, Some(body)).await;
        assert_eq!((got, code(&err)), (status, expected), "{body}");
    }
    let missing = format!("{}/5953c5f380eef53887615fff", group_keys_uri());
    let (status, err) = client
        .call(Method::POST, &missing, Some(r#"{"roles":["GROUP_OWNER"]}"#))
        .await;
    assert_eq!((status, code(&err)), (400, "API_KEY_NOT_FOUND"));
    let (status, err) = client
        .call(
            Method::POST,
            "/api/public/v1.0/groups/xyz/apiKeys/5953c5f380eef53887615fff",
            Some("{}"),
        )
        .await;
    assert_eq!((status, code(&err)), (404, "INVALID_GROUP_ID"));
}

#[actix_web::test]
async fn the_seed_003_assign_call_works_on_the_fixture_ids() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let res = client
        .send(
            Method::POST,
            &format!("/api/public/v1.0/groups/{GROUP}/apiKeys/{KEY_ID}"),
            Some(r#"{"roles":["GROUP_OWNER"]}"#),
        )
        .await;
    assert_eq!(res.status(), 204);
}

#[actix_web::test]
async fn a_project_read_only_key_cannot_manage_project_keys() {
    let srv = server().await;
    let owner = DigestClient::key(&srv);
    let key = create_org_key(&owner, "reader", &["ORG_MEMBER"]).await;
    let id = key["id"].as_str().unwrap();
    let res = owner
        .send(
            Method::POST,
            &format!("{}/{id}", group_keys_uri()),
            Some(r#"{"roles":["GROUP_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!(res.status(), 204);
    let reader = DigestClient::new(
        &srv,
        key["publicKey"].as_str().unwrap(),
        key["privateKey"].as_str().unwrap(),
    );
    let (status, _) = reader.get_json(&group_keys_uri()).await;
    assert_eq!(status, 200);
    let (status, err) = reader
        .call(
            Method::PATCH,
            &format!("{}/{KEY_ID}", group_keys_uri()),
            Some(r#"{"roles":["GROUP_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
    let (status, err) = reader
        .get_json(&format!("/api/public/v1.0/groups/{OTHER_GROUP}/apiKeys"))
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_IN_GROUP"));
    let (status, err) = reader
        .get_json("/api/public/v1.0/groups/5953c5f380eef53887615fff/apiKeys")
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_IN_GROUP"));
}

#[actix_web::test]
async fn orgs_list_get_and_projects_of_an_org() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, orgs) = client.get_json("/api/public/v1.0/orgs").await;
    assert_eq!(status, 200);
    assert_eq!(orgs["totalCount"], 1, "a key sees its own org only");
    assert_eq!(orgs["results"][0]["name"], "Acme Operations");
    let (_, by_name) = client
        .get_json("/api/public/v1.0/orgs/?name=acme%20OPERATIONS")
        .await;
    assert_eq!(by_name["totalCount"], 1);
    let (_, none) = client.get_json("/api/public/v1.0/orgs?name=acme").await;
    assert_eq!(none["totalCount"], 0);

    let (status, org) = client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(org["isDeleted"], false);
    let (status, err) = client
        .get_json(&format!("/api/public/v1.0/orgs/{OTHER_ORG}"))
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
    let (status, err) = client
        .get_json("/api/public/v1.0/orgs/5953c5f380eef53887615fff")
        .await;
    assert_eq!((status, code(&err)), (404, "ORG_NOT_FOUND"));
    let (status, err) = client.get_json("/api/public/v1.0/orgs/nope").await;
    assert_eq!((status, code(&err)), (404, "RESOURCE_NOT_FOUND"));

    let (status, projects) = client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/groups?name=acme"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(projects["totalCount"], 1);
    assert_eq!(projects["results"][0]["id"], GROUP);
    let (_, none) = client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/groups?name=prod"))
        .await;
    assert_eq!(none["totalCount"], 0);
}

#[actix_web::test]
async fn projects_list_get_by_name_and_create() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, list) = client.get_json("/api/public/v1.0/groups").await;
    assert_eq!(status, 200);
    assert_eq!(list["totalCount"], 1);
    let project = &list["results"][0];
    assert_eq!(project["orgId"], ORG);
    assert_eq!(
        project["hostCounts"]["primary"], 3,
        "rs0-a, shard0-a, shard1-a"
    );
    assert_eq!(project["publicApiEnabled"], true);

    let (status, got) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["name"], "Acme Production");
    let (status, got) = client
        .get_json("/api/public/v1.0/groups/byName/Acme%20Production")
        .await;
    assert_eq!((status, got["id"].as_str()), (200, Some(GROUP)));
    let (status, err) = client.get_json("/api/public/v1.0/groups/byName/Nope").await;
    assert_eq!((status, code(&err)), (404, "GROUP_NAME_NOT_FOUND"));
    let (status, err) = client
        .get_json("/api/public/v1.0/groups/byName/Other%20Project")
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_IN_GROUP"));
    let (status, err) = client.get_json("/api/public/v1.0/groups/12345").await;
    assert_eq!((status, code(&err)), (404, "INVALID_GROUP_ID"));
    assert_eq!(err["detail"], "An invalid group ID 12345 was specified.");

    let body = json!({"name": "Staging", "orgId": ORG, "tags": ["blue"]}).to_string();
    let (status, created) = client
        .call(Method::POST, "/api/public/v1.0/groups", Some(&body))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "Staging");
    assert_eq!(created["agentApiKey"].as_str().unwrap().len(), 32);
    let (_, tagged) = client.get_json("/api/public/v1.0/groups?tag=blue").await;
    assert_eq!(tagged["totalCount"], 1);
    let (_, both) = client
        .get_json("/api/public/v1.0/groups?tag=blue&tag=red")
        .await;
    assert_eq!(both["totalCount"], 0);

    for (body, status, expected) in [
        (
            json!({"name": "Staging", "orgId": ORG}),
            409,
            "GROUP_ALREADY_EXISTS",
        ),
        (json!({"orgId": ORG}), 400, "MISSING_ATTRIBUTE"),
        (json!({"name": "x"}), 400, "MISSING_ATTRIBUTE"),
        (
            json!({"name": " ", "orgId": ORG}),
            400,
            "INVALID_GROUP_NAME",
        ),
        (
            json!({"name": "y", "orgId": "5953c5f380eef53887615fff"}),
            404,
            "ORG_NOT_FOUND",
        ),
        (
            json!({"name": "y", "orgId": OTHER_ORG}),
            401,
            "USER_UNAUTHORIZED",
        ),
        (
            json!({"name": "y", "orgId": ORG, "color": "red"}),
            400,
            "INVALID_ATTRIBUTE",
        ),
    ] {
        let text = body.to_string();
        let (got, err) = client
            .call(Method::POST, "/api/public/v1.0/groups", Some(&text))
            .await;
        assert_eq!((got, code(&err)), (status, expected), "{text}");
    }
}

#[actix_web::test]
async fn concurrent_creates_all_succeed_with_distinct_keys() {
    let srv = server().await;
    let clients: Vec<DigestClient> = (0..8).map(|_| DigestClient::key(&srv)).collect();
    let futures = clients.iter().enumerate().map(|(i, c)| {
        let body = json!({"desc": format!("k{i}"), "roles": ["ORG_MEMBER"]}).to_string();
        async move { c.call(Method::POST, &org_keys_uri(), Some(&body)).await }
    });
    let results = futures_util::future::join_all(futures).await;
    let mut publics: Vec<String> = results
        .iter()
        .map(|(s, k)| {
            assert_eq!(*s, 200, "{k}");
            k["publicKey"].as_str().unwrap().to_owned()
        })
        .collect();
    publics.sort();
    publics.dedup();
    assert_eq!(publics.len(), 8);
}

#[actix_web::test]
async fn the_501st_key_of_an_org_is_refused() {
    let srv = server().await;
    with_state(&srv, |doc| {
        let keys = doc["apiKeys"].as_array_mut().unwrap();
        for i in 0..499u32 {
            let letters: String = format!("{i:03}")
                .bytes()
                .map(|b| char::from(b'a' + (b - b'0')))
                .collect();
            keys.push(json!({
                "id": format!("6000000000000000000{:05x}", i),
                "orgId": ORG, "desc": "filler",
                "publicKey": format!("flkey{letters}"),
                "privateKey": "00000000-0000-4000-8000-000000000000",
                "roles": [{"orgId": ORG, "roleName": "ORG_MEMBER"}]
            }));
        }
    });
    let client = DigestClient::key(&srv);
    let (status, err) = client
        .call(
            Method::POST,
            &org_keys_uri(),
            Some(r#"{"desc":"one too many","roles":["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (409, "TOO_MANY_API_KEYS"));
}

/// Adds users with the given roles (username `u{i}@x`, api key `k{i}`) to the state.
fn add_users(srv: &standin_testkit::Server<opsmgr_apikeys::OpsMgr>, roles: Vec<serde_json::Value>) {
    with_state(srv, |doc| {
        let users = doc["users"].as_array_mut().unwrap();
        for (i, role_list) in roles.into_iter().enumerate() {
            users.push(json!({
                "id": format!("7000000000000000000000{i:02x}"),
                "username": format!("u{i}@x"),
                "apiKey": format!("k{i}"),
                "roles": role_list
            }));
        }
    });
}

#[actix_web::test]
async fn global_roles_see_everything_and_global_read_only_cannot_write() {
    let srv = server().await;
    with_state(&srv, |doc| {
        doc["orgs"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "5e2211c17a3e5a48f5497d09", "name": "Gone", "isDeleted": true}));
    });
    add_users(
        &srv,
        vec![
            json!([{"roleName": "GLOBAL_OWNER"}]),
            json!([{"roleName": "GLOBAL_READ_ONLY"}]),
        ],
    );
    let owner = DigestClient::new(&srv, "u0@x", "k0");
    let reader = DigestClient::new(&srv, "u1@x", "k1");
    let (status, orgs) = reader.get_json("/api/public/v1.0/orgs").await;
    assert_eq!(status, 200);
    assert_eq!(orgs["totalCount"], 3);
    let (_, live) = reader
        .get_json("/api/public/v1.0/orgs?includeDeletedOrgs=false")
        .await;
    assert_eq!(live["totalCount"], 2);
    let (_, projects) = reader.get_json("/api/public/v1.0/groups").await;
    assert_eq!(projects["totalCount"], 2);
    let (status, err) = reader
        .get_json("/api/public/v1.0/groups/5953c5f380eef53887615fff")
        .await;
    assert_eq!((status, code(&err)), (404, "GROUP_NOT_FOUND"));
    assert_eq!(
        err["detail"],
        "No group with ID 5953c5f380eef53887615fff exists."
    );
    let (status, err) = reader
        .call(
            Method::POST,
            &format!("/api/public/v1.0/orgs/{OTHER_ORG}/apiKeys"),
            Some(r#"{"desc":"d","roles":["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_ORG_ADMIN"));
    let (status, key) = owner
        .call(
            Method::POST,
            &format!("/api/public/v1.0/orgs/{OTHER_ORG}/apiKeys"),
            Some(r#"{"desc":"d","roles":["ORG_MEMBER"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{key}");
}

#[actix_web::test]
async fn org_read_only_implies_project_read_and_group_creator_may_create_projects() {
    let srv = server().await;
    add_users(
        &srv,
        vec![
            json!([{"orgId": ORG, "roleName": "ORG_READ_ONLY"}]),
            json!([{"orgId": ORG, "roleName": "ORG_GROUP_CREATOR"}]),
            json!([{"orgId": ORG, "roleName": "ORG_MEMBER"}, {"groupId": GROUP, "roleName": "GROUP_USER_ADMIN"}]),
        ],
    );
    let read_only = DigestClient::new(&srv, "u0@x", "k0");
    let creator = DigestClient::new(&srv, "u1@x", "k1");
    let user_admin = DigestClient::new(&srv, "u2@x", "k2");
    let keys = format!("/api/public/v1.0/groups/{GROUP}/apiKeys");
    let (status, _) = read_only.get_json(&keys).await;
    assert_eq!(status, 200);
    let (status, err) = read_only
        .call(
            Method::PATCH,
            &format!("{keys}/{KEY_ID}"),
            Some(r#"{"roles":["GROUP_OWNER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
    let (status, err) = read_only
        .call(
            Method::POST,
            "/api/public/v1.0/groups",
            Some(&json!({"name": "RO", "orgId": ORG}).to_string()),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));

    let (status, err) = creator.get_json(&keys).await;
    assert_eq!(
        (status, code(&err)),
        (401, "NOT_IN_GROUP"),
        "ORG_GROUP_CREATOR implies no project role"
    );
    let (status, _) = creator
        .call(
            Method::POST,
            "/api/public/v1.0/groups",
            Some(&json!({"name": "Made", "orgId": ORG}).to_string()),
        )
        .await;
    assert_eq!(status, 201);

    let res = user_admin
        .send(
            Method::POST,
            &format!("{keys}/{KEY_ID}"),
            Some(r#"{"roles":["GROUP_OWNER"]}"#),
        )
        .await;
    assert_eq!(
        res.status(),
        204,
        "GROUP_USER_ADMIN manages the project's keys"
    );
}

#[actix_web::test]
async fn an_ipv6_loopback_caller_matches_the_fixture_entry() {
    let Ok(srv) = standin_testkit::Standin::opsmgr()
        .tls(false)
        .bind("::1".parse().unwrap())
        .try_start()
        .await
    else {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    };
    let client = DigestClient::key(&srv);
    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/apiKeys"))
        .await;
    assert_eq!(status, 200, "{body}");
    let state = srv.host().main.export_state().unwrap();
    assert_eq!(
        state["apiKeys"][0]["accessList"][1]["lastUsedAddress"],
        "::1"
    );
}

#[actix_web::test]
async fn a_trailing_slash_reaches_the_same_resource() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, list) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/apiKeys/"))
        .await;
    assert_eq!(status, 200, "{list}");
    assert!(list["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/apiKeys/?pageNum=1&itemsPerPage=100"));
    let (status, org) = client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/"))
        .await;
    assert_eq!((status, org["id"].as_str()), (200, Some(ORG)));
    let (status, err) = client
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}//"))
        .await;
    assert_eq!((status, code(&err)), (404, "RESOURCE_NOT_FOUND"));
}

#[actix_web::test]
async fn an_oversized_body_and_an_enveloped_204_answer_in_json() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let huge = format!(
        r#"{{"desc":"{}","roles":["ORG_MEMBER"]}}"#,
        "x".repeat(1 << 20)
    );
    let (status, err) = client
        .call(Method::POST, &org_keys_uri(), Some(&huge))
        .await;
    assert_eq!((status, code(&err)), (400, "INVALID_JSON"));
    let (status, body) = client
        .call(
            Method::POST,
            &format!("/api/public/v1.0/groups/{GROUP}/apiKeys/{KEY_ID}?envelope=true"),
            Some(r#"{"roles":["GROUP_OWNER"]}"#),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"content": {}, "status": 204}));
}

#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let res = client
        .send(
            Method::HEAD,
            &format!("/api/public/v1.0/groups/{GROUP}/apiKeys"),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.text().await.unwrap(), "");
    let res = client
        .send(
            Method::HEAD,
            "/api/public/v1.0/groups/5953c5f380eef53887615fff",
            None,
        )
        .await;
    assert_eq!(res.status(), 401);
    assert!(
        !res.headers().contains_key("www-authenticate"),
        "an authorization 401 has no challenge"
    );
}

#[actix_web::test]
async fn garbage_bodies_never_cause_a_server_error_or_a_change() {
    let srv = server().await;
    let before = srv.host().main.export_state().unwrap();
    let client = DigestClient::key(&srv);
    let targets = [
        (Method::POST, org_keys_uri()),
        (Method::PATCH, format!("{}/{KEY_ID}", org_keys_uri())),
        (
            Method::POST,
            format!("/api/public/v1.0/groups/{GROUP}/apiKeys"),
        ),
        (
            Method::PATCH,
            format!("/api/public/v1.0/groups/{GROUP}/apiKeys/{KEY_ID}"),
        ),
        (
            Method::POST,
            format!("/api/public/v1.0/groups/{GROUP}/apiKeys/{KEY_ID}"),
        ),
        (
            Method::POST,
            format!("/api/public/v1.0/orgs/{ORG}/apiKeys/{KEY_ID}/accessList"),
        ),
        (Method::POST, "/api/public/v1.0/groups".to_owned()),
    ];
    let bodies = [
        "{",
        "null",
        "42",
        "\"s\"",
        "[]x",
        r#"{"desc":null,"roles":null}"#,
        r#"{"desc":["a"],"roles":[1,2]}"#,
        r#"{"roles":[{"roleName":"GROUP_OWNER"}]}"#,
        r#"[{"ipAddress":7}]"#,
        r#"[null]"#,
        r#"{"name":{},"orgId":[]}"#,
        "\u{0}\u{1}\u{2}",
    ];
    for (method, uri) in &targets {
        for body in bodies {
            let (status, err) = client.call(method.clone(), uri, Some(body)).await;
            assert!(
                (400..500).contains(&status) && err["errorCode"].is_string(),
                "{method} {uri} {body:?} -> {status} {err}"
            );
        }
    }
    let mut after = srv.host().main.export_state().unwrap();
    // Only the usage counters of the caller's access-list entry moved.
    after["apiKeys"][0]["accessList"] = before["apiKeys"][0]["accessList"].clone();
    assert_eq!(after, before);
}
