//! Teams of an org and their users.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

const TEAM: &str = "5953c5f380eef53887615ff0";
const USER_ID: &str = "5953c5f380eef53887615f9b";
const ADMIN_ID: &str = "5953c5f380eef53887615f9c";

#[actix_web::test]
async fn teams_list_get_by_id_and_name_and_show_in_the_users_team_ids() {
    let srv = server().await;
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
    let srv = server().await;
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
    let srv = server().await;
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
    let doc = srv.host().main.export_state().unwrap();
    assert_eq!(doc["teams"][0]["userIds"], json!([USER_ID]));
    let mut bad = doc.clone();
    bad["teams"][0]["userIds"] = json!(["000000000000000000000000"]);
    let err = srv.host().main.replace_state(&bad).unwrap_err();
    assert_eq!(err.field(), Some("teams[0].userIds[0]"));
}

const DBAS: &str = "5953c5f380eef53887615ff0";

fn project_teams_uri() -> String {
    format!("/api/public/v1.0/groups/{GROUP}/teams")
}

#[actix_web::test]
async fn a_project_owner_assigns_updates_and_removes_a_teams_project_roles() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let body = format!(
        r#"[{{"teamId":"{DBAS}","roleNames":["GROUP_READ_ONLY","GROUP_DATA_ACCESS_READ_ONLY"]}}]"#
    );

    let (status, added) = client
        .call(Method::POST, &project_teams_uri(), Some(&body))
        .await;

    assert_eq!(status, 200, "{added}");
    let team_href = format!("{}/api/public/v1.0/groups/{GROUP}/teams/{DBAS}", srv.url());
    assert_eq!(
        added["results"],
        json!([{
            "links": [{"href": team_href, "rel": "self"}],
            "roleNames": ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"],
            "teamId": DBAS,
        }])
    );
    assert_eq!(added["totalCount"], 1);
    let (_, listed) = client.get_json(&project_teams_uri()).await;
    assert_eq!(listed["results"], added["results"]);

    let uri = format!("{}/{DBAS}", project_teams_uri());
    let (status, updated) = client
        .call(
            Method::PATCH,
            &uri,
            Some(r#"{"roleNames":["GROUP_MONITORING_ADMIN"]}"#),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["results"][0]["roleNames"],
        json!(["GROUP_MONITORING_ADMIN"])
    );

    let res = client.send(Method::DELETE, &uri, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "");
    let (_, listed) = client.get_json(&project_teams_uri()).await;
    assert_eq!(listed["totalCount"], 0);
    let (status, err) = client.call(Method::DELETE, &uri, None).await;
    assert_eq!((status, code(&err)), (404, "RESOURCE_NOT_FOUND"));
    let (status, err) = client
        .call(
            Method::PATCH,
            &uri,
            Some(r#"{"roleNames":["GROUP_OWNER"]}"#),
        )
        .await;
    assert_eq!((status, code(&err)), (404, "RESOURCE_NOT_FOUND"));
}

#[actix_web::test]
async fn a_teams_members_act_with_its_project_roles() {
    let srv = server().await;
    with_state(&srv, |doc| {
        doc["users"].as_array_mut().unwrap().push(json!({
            "id": "6a11c5f380eef53887615fd1", "username": "member@acme.example",
            "apiKey": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "roles": [], "accessList": []
        }));
        doc["teams"][0]["userIds"] =
            json!(["5953c5f380eef53887615f9b", "6a11c5f380eef53887615fd1"]);
    });
    let member = DigestClient::new(
        &srv,
        "member@acme.example",
        "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    );
    let owner = DigestClient::key(&srv);
    let project = format!("/api/public/v1.0/groups/{GROUP}");
    let (status, err) = member.get_json(&project).await;
    assert_eq!((status, code(&err)), (401, "NOT_IN_GROUP"));

    let body = format!(r#"[{{"teamId":"{DBAS}","roleNames":["GROUP_READ_ONLY"]}}]"#);
    let (status, _) = owner
        .call(Method::POST, &project_teams_uri(), Some(&body))
        .await;
    assert_eq!(status, 200);
    let (status, seen) = member.get_json(&project).await;
    assert_eq!((status, seen["id"].as_str()), (200, Some(GROUP)));
    // Read-only: the member may not assign teams itself.
    let (status, err) = member
        .call(Method::POST, &project_teams_uri(), Some(&body))
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));

    let (status, _) = owner
        .call(
            Method::DELETE,
            &format!("{}/{DBAS}", project_teams_uri()),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, err) = member.get_json(&project).await;
    assert_eq!((status, code(&err)), (401, "NOT_IN_GROUP"));
}

#[actix_web::test]
async fn assigning_teams_refuses_bad_bodies_unknown_teams_and_non_owners_and_changes_nothing() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let unknown = "5953c5f380eef53887615fee";

    for (body, status, want) in [
        (
            format!(r#"{{"teamId":"{DBAS}","roleNames":["GROUP_OWNER"]}}"#),
            400,
            "INVALID_JSON",
        ),
        (
            r#"[{"roleNames":["GROUP_OWNER"]}]"#.to_owned(),
            400,
            "MISSING_ATTRIBUTE",
        ),
        (
            format!(r#"[{{"teamId":"{DBAS}"}}]"#),
            400,
            "MISSING_ATTRIBUTE",
        ),
        (
            format!(r#"[{{"teamId":"{DBAS}","roleNames":[]}}]"#),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            format!(r#"[{{"teamId":"{DBAS}","roleNames":["ORG_OWNER"]}}]"#),
            400,
            "INVALID_ROLE_FOR_GROUP",
        ),
        (
            format!(r#"[{{"teamId":"{DBAS}","roleNames":["GROUP_NOPE"]}}]"#),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            format!(r#"[{{"teamId":"{DBAS}","roleNames":["GROUP_OWNER"],"x":1}}]"#),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            format!(
                r#"[{{"teamId":"{DBAS}","roleNames":["GROUP_OWNER"]}},{{"teamId":"{unknown}","roleNames":["GROUP_OWNER"]}}]"#
            ),
            404,
            "RESOURCE_NOT_FOUND",
        ),
    ] {
        let (got, err) = client
            .call(Method::POST, &project_teams_uri(), Some(&body))
            .await;
        assert_eq!((got, code(&err)), (status, want), "{body}");
    }
    let (_, listed) = client.get_json(&project_teams_uri()).await;
    assert_eq!(listed["totalCount"], 0);
    let (status, err) = client
        .get_json(&format!("/api/public/v1.0/groups/{OTHER_GROUP}/teams"))
        .await;
    assert_eq!((status, code(&err)), (401, "NOT_IN_GROUP"));
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["roles"] = json!([
            {"orgId": ORG, "roleName": "ORG_MEMBER"},
            {"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}
        ]);
    });
    let (status, _) = client.get_json(&project_teams_uri()).await;
    assert_eq!(status, 200);
    let (status, err) = client
        .call(
            Method::POST,
            &project_teams_uri(),
            Some(&format!(
                r#"[{{"teamId":"{DBAS}","roleNames":["GROUP_OWNER"]}}]"#
            )),
        )
        .await;
    assert_eq!((status, code(&err)), (401, "USER_UNAUTHORIZED"));
}

#[actix_web::test]
async fn team_project_roles_round_trip_through_the_state_and_go_with_the_team() {
    let srv = server().await;
    with_state(&srv, |doc| {
        doc["teams"][0]["roles"] = json!([{"groupId": GROUP, "roleName": "GROUP_OWNER"}]);
    });
    let doc = srv.host().main.export_state().unwrap();
    assert_eq!(
        doc["teams"][0]["roles"],
        json!([{"groupId": GROUP, "roleName": "GROUP_OWNER"}])
    );
    srv.host().main.replace_state(&doc).unwrap();
    assert_eq!(srv.host().main.export_state().unwrap(), doc);
    for bad in [
        json!([{"orgId": ORG, "roleName": "ORG_OWNER"}]),
        json!([{"groupId": OTHER_GROUP, "roleName": "GROUP_OWNER"}]),
        json!([{"groupId": GROUP, "roleName": "ORG_OWNER"}]),
    ] {
        let mut changed = doc.clone();
        changed["teams"][0]["roles"] = bad.clone();
        let err = srv.host().main.replace_state(&changed).unwrap_err();
        assert!(
            err.to_string().contains("teams[0].roles[0]"),
            "{bad}: {err}"
        );
    }
    let client = DigestClient::key(&srv);
    let (_, listed) = client.get_json(&project_teams_uri()).await;
    assert_eq!(listed["totalCount"], 1);

    let (status, _) = client
        .call(
            Method::DELETE,
            &format!("/api/public/v1.0/orgs/{ORG}/teams/{DBAS}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, listed) = client.get_json(&project_teams_uri()).await;
    assert_eq!(listed["totalCount"], 0);
}
