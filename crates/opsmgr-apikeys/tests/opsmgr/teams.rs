//! Teams of an org and their users.

use crate::support::*;
use reqwest::Method;
use serde_json::json;

const TEAM: &str = "5953c5f380eef53887615ff0";
const USER_ID: &str = "5953c5f380eef53887615f9b";
const ADMIN_ID: &str = "5953c5f380eef53887615f9c";

#[actix_web::test]
async fn teams_list_get_by_id_and_name_and_show_in_the_users_team_ids() {
    let srv = server();
    let key = DigestClient::key(&srv);
    let (status, teams) = key
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/teams"))
        .await;
    assert_eq!(status, 200, "{teams}");
    assert_eq!(teams["results"][0]["name"], "DBAs");
    let (status, by_id) = key
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/teams/{TEAM}"))
        .await;
    let (_, by_name) = key
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/teams/byName/DBAs"))
        .await;
    assert_eq!((status, &by_id), (200, &by_name));
    let (_, user) = key
        .get_json(&format!("/api/public/v1.0/users/{USER_ID}"))
        .await;
    assert_eq!(user["teamIds"], json!([TEAM]));
    let (_, members) = key
        .get_json(&format!("/api/public/v1.0/orgs/{ORG}/teams/{TEAM}/users"))
        .await;
    assert_eq!(members["results"][0]["username"], USERNAME);
    for path in [
        format!("/api/public/v1.0/orgs/{ORG}/teams/{ORG}"),
        format!("/api/public/v1.0/orgs/{ORG}/teams/byName/nobody"),
    ] {
        let (status, body) = key.get_json(&path).await;
        assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{path}");
    }
    let (status, body) = key
        .get_json(&format!("/api/public/v1.0/orgs/{OTHER_ORG}/teams"))
        .await;
    assert_eq!((status, code(&body)), (401, "USER_UNAUTHORIZED"));
}

#[actix_web::test]
async fn an_org_owner_creates_renames_fills_empties_and_deletes_a_team() {
    let srv = server();
    let key = DigestClient::key(&srv);
    let base = format!("/api/public/v1.0/orgs/{ORG}/teams");
    let (status, team) = key
        .call(
            Method::POST,
            &base,
            Some(r#"{"name":"Oncall","usernames":["owner@acme.example"]}"#),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    assert_eq!(team["usernames"], json!([USERNAME]));
    let id = team["id"].as_str().unwrap().to_owned();
    let (status, renamed) = key
        .call(
            Method::PATCH,
            &format!("{base}/{id}"),
            Some(r#"{"name":"Pager"}"#),
        )
        .await;
    assert_eq!((status, renamed["name"].as_str()), (200, Some("Pager")));
    let (status, members) = key
        .call(
            Method::POST,
            &format!("{base}/{id}/users"),
            Some(&format!(r#"[{{"id":"{ADMIN_ID}"}}]"#)),
        )
        .await;
    assert_eq!((status, members["totalCount"].as_u64()), (200, Some(2)));
    let res = key
        .send(
            Method::DELETE,
            &format!("{base}/{id}/users/{ADMIN_ID}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    let (status, body) = key
        .call(
            Method::DELETE,
            &format!("{base}/{id}/users/{ADMIN_ID}"),
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (404, "USER_NOT_FOUND"));
    let res = key
        .send(Method::DELETE, &format!("{base}/{id}"), None)
        .await;
    assert_eq!(res.status(), 204);
    let (status, _) = key.get_json(&format!("{base}/{id}")).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn team_writes_refuse_duplicates_unknown_users_bad_bodies_and_non_owners() {
    let srv = server();
    let key = DigestClient::key(&srv);
    let base = format!("/api/public/v1.0/orgs/{ORG}/teams");
    for (body, status, want) in [
        (r#"{"name":"DBAs","usernames":[]}"#, 409, "TEAM_NAME_TAKEN"),
        (
            r#"{"name":"X","usernames":["ghost@acme.example"]}"#,
            404,
            "USERNAME_NOT_FOUND",
        ),
        (r#"{"usernames":[]}"#, 400, "MISSING_ATTRIBUTE"),
        (r#"{"name":"X"}"#, 400, "MISSING_ATTRIBUTE"),
        (r#"{"name":" ","usernames":[]}"#, 400, "INVALID_ATTRIBUTE"),
        (
            r#"{"name":"X","usernames":[],"color":1}"#,
            400,
            "INVALID_ATTRIBUTE",
        ),
    ] {
        let (got, err) = key.call(Method::POST, &base, Some(body)).await;
        assert_eq!((got, code(&err)), (status, want), "{body}");
    }
    let (_, teams) = key.get_json(&base).await;
    assert_eq!(
        teams["totalCount"], 1,
        "the failed creations left nothing behind"
    );
    let (status, body) = key
        .call(
            Method::POST,
            &format!("{base}/{TEAM}/users"),
            Some(r#"[{"id":"000000000000000000000000"}]"#),
        )
        .await;
    assert_eq!((status, code(&body)), (404, "USER_NOT_FOUND"));
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["roles"][0]["roleName"] = json!("ORG_MEMBER");
    });
    let (status, body) = key
        .call(Method::DELETE, &format!("{base}/{TEAM}"), None)
        .await;
    assert_eq!((status, code(&body)), (401, "NOT_ORG_ADMIN"));
    let doc = srv.host.main.export_state().unwrap();
    assert_eq!(doc["teams"][0]["userIds"], json!([USER_ID]));
    let mut bad = doc.clone();
    bad["teams"][0]["userIds"] = json!(["000000000000000000000000"]);
    let err = srv.host.main.replace_state(&bad).unwrap_err();
    assert_eq!(err.field(), Some("teams[0].userIds[0]"));
}
