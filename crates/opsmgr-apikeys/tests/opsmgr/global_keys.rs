//! Global API keys: Digest authentication, GLOBAL_* roles, CRUD, the role list and the
//! global API access list.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn a_global_key_authenticates_by_digest_and_reads_every_org_and_project() {
    let srv = server().await;
    let global = DigestClient::new(&srv, GLOBAL_PUBLIC, GLOBAL_PRIVATE);
    let (status, orgs) = global.get_json("/api/public/v1.0/orgs").await;
    assert_eq!(status, 200, "{orgs}");
    assert_eq!(orgs["totalCount"], 2);
    let (status, _) = global
        .get_json(&format!("/api/public/v1.0/groups/{OTHER_GROUP}"))
        .await;
    assert_eq!(status, 200);
    let (status, keys) = global.get_json("/api/public/v1.0/admin/apiKeys").await;
    assert_eq!(status, 200);
    assert_eq!(keys["results"][0]["publicKey"], GLOBAL_PUBLIC);
    assert_eq!(
        keys["results"][0]["privateKey"],
        "********-****-****-e2f4a6c8b0d1"
    );
    assert_eq!(
        keys["results"][0]["roles"],
        json!([{"roleName": "GLOBAL_READ_ONLY"}, {"roleName": "GLOBAL_MONITORING_ADMIN"}])
    );
    let (status, roles) = global
        .get_json("/api/public/v1.0/admin/apiKeys/roles")
        .await;
    assert_eq!(status, 200);
    assert!(roles.as_array().unwrap().contains(&json!("GLOBAL_OWNER")));
    // Reading is not writing.
    let (status, body) = global
        .call(
            Method::POST,
            "/api/public/v1.0/admin/apiKeys",
            Some(r#"{"desc":"x","roles":["GLOBAL_READ_ONLY"]}"#),
        )
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
    let wrong = DigestClient::new(&srv, GLOBAL_PUBLIC, "not-the-secret");
    let res = wrong.get("/api/public/v1.0/admin/apiKeys").await;
    assert_eq!(res.status(), 401);
}

#[actix_web::test]
async fn a_global_owner_creates_updates_and_deletes_a_global_key() {
    let srv = server().await;
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    let (status, key) = admin
        .call(
            Method::POST,
            "/api/public/v1.0/admin/apiKeys",
            Some(r#"{"desc":"ops automation","roles":["GLOBAL_AUTOMATION_ADMIN"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{key}");
    let id = key["id"].as_str().unwrap().to_owned();
    let public = key["publicKey"].as_str().unwrap().to_owned();
    let private = key["privateKey"].as_str().unwrap().to_owned();
    assert_eq!(private.len(), 36);
    let new_key = DigestClient::new(&srv, &public, &private);
    let (status, _) = new_key
        .get_json("/api/public/v1.0/admin/apiKeys/roles")
        .await;
    assert_eq!(status, 200);
    let uri = format!("/api/public/v1.0/admin/apiKeys/{id}");
    let (status, updated) = admin
        .call(
            Method::PATCH,
            &uri,
            Some(r#"{"desc":"renamed","roles":["GLOBAL_BACKUP_ADMIN"]}"#),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["desc"], "renamed");
    assert_eq!(
        updated["roles"],
        json!([{"roleName": "GLOBAL_BACKUP_ADMIN"}])
    );
    assert!(updated["privateKey"]
        .as_str()
        .unwrap()
        .starts_with("********"));
    let (status, got) = admin.get_json(&uri).await;
    assert_eq!((status, got), (200, updated));
    let res = admin.send(Method::DELETE, &uri, None).await;
    assert_eq!(res.status(), 200);
    let (status, body) = admin.get_json(&uri).await;
    assert_eq!((status, code(&body)), (400, "API_KEY_NOT_FOUND"));
    let res = new_key.get("/api/public/v1.0/admin/apiKeys/roles").await;
    assert_eq!(res.status(), 401);
}

#[actix_web::test]
async fn global_key_writes_refuse_bad_bodies_and_non_global_callers() {
    let srv = server().await;
    let org_key = DigestClient::key(&srv);
    let (status, body) = org_key.get_json("/api/public/v1.0/admin/apiKeys").await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    for (body, want) in [
        (r#"{"roles":["GLOBAL_OWNER"]}"#, "MISSING_ATTRIBUTE"),
        (r#"{"desc":"d"}"#, "MISSING_ATTRIBUTE"),
        (r#"{"desc":"d","roles":[]}"#, "INVALID_ATTRIBUTE"),
        (
            r#"{"desc":"d","roles":["ORG_OWNER"]}"#,
            "INVALID_ENUM_VALUE",
        ),
        (
            r#"{"desc":"","roles":["GLOBAL_OWNER"]}"#,
            "INVALID_ATTRIBUTE",
        ),
        (
            r#"{"desc":"d","roles":["GLOBAL_OWNER"],"x":1}"#,
            "INVALID_ATTRIBUTE",
        ),
        ("{", "INVALID_JSON"),
    ] {
        let (status, got) = admin
            .call(Method::POST, "/api/public/v1.0/admin/apiKeys", Some(body))
            .await;
        assert_eq!((status, code(&got)), (400, want), "{body}");
    }
    let (status, got) = admin
        .call(
            Method::PATCH,
            "/api/public/v1.0/admin/apiKeys/5953c5f380eef53887615fe0",
            Some("{}"),
        )
        .await;
    assert_eq!((status, code(&got)), (400, "MISSING_ONE_OF_ATTRIBUTES"));
    let (status, got) = admin
        .get_json("/api/public/v1.0/admin/apiKeys/nothex")
        .await;
    assert_eq!((status, code(&got)), (404, "RESOURCE_NOT_FOUND"));
}

#[actix_web::test]
async fn the_global_access_list_admits_global_keys_only_from_its_blocks() {
    let srv = server().await;
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    let global = DigestClient::new(&srv, GLOBAL_PUBLIC, GLOBAL_PRIVATE);
    let (status, entry) = admin
        .call(
            Method::POST,
            "/api/public/v1.0/admin/accessList",
            Some(r#"{"cidrBlock":"192.0.2.0/24","description":"office"}"#),
        )
        .await;
    assert_eq!(status, 200, "{entry}");
    assert_eq!(entry["type"], "GLOBAL_ROLE");
    let (status, body) = global.get_json("/api/public/v1.0/orgs").await;
    assert_eq!(
        (status, code(&body)),
        (403, "IP_ADDRESS_NOT_ON_ACCESS_LIST")
    );
    // Users are not held to the global list.
    let (status, _) = admin.get_json("/api/public/v1.0/orgs").await;
    assert_eq!(status, 200);
    let (status, local) = admin
        .call(
            Method::POST,
            "/api/public/v1.0/admin/accessList",
            Some(r#"{"cidrBlock":"127.0.0.1","description":"this machine"}"#),
        )
        .await;
    assert_eq!(
        (status, local["cidrBlock"].as_str()),
        (200, Some("127.0.0.1/32"))
    );
    let (status, _) = global.get_json("/api/public/v1.0/orgs").await;
    assert_eq!(status, 200);
    let (status, again) = admin
        .call(
            Method::POST,
            "/api/public/v1.0/admin/accessList",
            Some(r#"{"cidrBlock":"127.0.0.1/32","description":"twice"}"#),
        )
        .await;
    assert_eq!(
        (status, code(&again)),
        (409, "ADDRESS_ALREADY_IN_ACCESS_LIST")
    );
    let id = entry["id"].as_str().unwrap();
    let (status, patched) = admin
        .call(
            Method::PATCH,
            &format!("/api/public/v1.0/admin/accessList/{id}"),
            Some(r#"{"description":"old office"}"#),
        )
        .await;
    assert_eq!(
        (status, patched["description"].as_str()),
        (200, Some("old office"))
    );
    let (_, list) = global.get_json("/api/public/v1.0/admin/accessList").await;
    assert_eq!(list["totalCount"], 2);
    let res = admin
        .send(
            Method::DELETE,
            &format!("/api/public/v1.0/admin/accessList/{id}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    let (status, body) = admin
        .get_json(&format!("/api/public/v1.0/admin/accessList/{id}"))
        .await;
    assert_eq!((status, code(&body)), (404, "ACCESS_LIST_NOT_FOUND"));
    for (body, want) in [
        (r#"{"description":"x"}"#, "MISSING_ATTRIBUTE"),
        (
            r#"{"cidrBlock":"300.0.0.0/8","description":"x"}"#,
            "INVALID_ATTRIBUTE",
        ),
        (
            r#"{"cidrBlock":"10.0.0.0/8","description":""}"#,
            "INVALID_ATTRIBUTE",
        ),
    ] {
        let (status, got) = admin
            .call(
                Method::POST,
                "/api/public/v1.0/admin/accessList",
                Some(body),
            )
            .await;
        assert_eq!((status, code(&got)), (400, want), "{body}");
    }
    let doc = srv.host().main.export_state().unwrap();
    assert_eq!(doc["globalAccessList"][0]["cidrBlock"], "127.0.0.1/32");
    srv.host().main.replace_state(&doc).unwrap();
    assert_eq!(srv.host().main.export_state().unwrap(), doc);
    let mut bad = doc.clone();
    bad["globalApiKeys"][0]["roles"] = json!([{"orgId": ORG, "roleName": "ORG_OWNER"}]);
    let err = srv.host().main.replace_state(&bad).unwrap_err();
    assert_eq!(err.field(), Some("globalApiKeys[0].roles[0]"));
    let mut bad = doc.clone();
    bad["globalApiKeys"][0]["publicKey"] = json!(PUBLIC);
    let err = srv.host().main.replace_state(&bad).unwrap_err();
    assert_eq!(err.field(), Some("globalApiKeys[0].publicKey"));
}

#[actix_web::test]
async fn a_global_key_cannot_remove_the_last_entry_that_admits_it() {
    let srv = server().await;
    let admin = DigestClient::new(&srv, ADMIN, ADMIN_KEY);
    with_state(&srv, |doc| {
        doc["globalApiKeys"][0]["roles"] = json!([{"roleName": "GLOBAL_OWNER"}]);
    });
    let (_, entry) = admin
        .call(
            Method::POST,
            "/api/public/v1.0/admin/accessList",
            Some(r#"{"cidrBlock":"127.0.0.0/8","description":"loopback"}"#),
        )
        .await;
    let global = DigestClient::new(&srv, GLOBAL_PUBLIC, GLOBAL_PRIVATE);
    let id = entry["id"].as_str().unwrap();
    let (status, body) = global
        .call(
            Method::DELETE,
            &format!("/api/public/v1.0/admin/accessList/{id}"),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (400, "CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST")
    );
}
