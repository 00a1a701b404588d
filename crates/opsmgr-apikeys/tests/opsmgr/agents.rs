//! The agents of a project ("Get Links to Agent Resources for a Project", "Get Agents by
//! Type for One Project"), as om-health-check's "Connectivity & Infrastructure" section
//! reads them (`opsmanager` client, `agents.list_monitoring`).

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Minutes from the fixture hosts' `created` (2024-03-01T09:00:00Z) to the frozen clock
/// (2027-01-01T12:00:00Z): 1,036 days and 3 hours.
const MINUTES: u64 = 1036 * 1440 + 180;

async fn freeze_clock(srv: &standin_testkit::Server<opsmgr_apikeys::OpsMgr>) {
    let res = reqwest::Client::new()
        .post(format!("{}/_standin/clock", srv.url()))
        .body(r#"{"set":"2027-01-01T12:00:00Z","freeze":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

fn field<'a>(list: &'a Value, name: &str) -> Vec<&'a str> {
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[name].as_str().unwrap_or_default())
        .collect()
}

#[actix_web::test]
async fn the_agents_resource_links_the_three_agent_lists() {
    let srv = server().await;
    let client = DigestClient::key(&srv);

    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/agents"))
        .await;

    assert_eq!(status, 200, "{body}");
    let group = format!("{}/api/public/v1.0/groups/{GROUP}", srv.url());
    assert_eq!(
        body,
        json!({
            "links": [
                {"href": format!("{group}/agents"), "rel": "self"},
                {"href": group, "rel": "http://mms.mongodb.com/group"},
                {"href": format!("{group}/agents/MONITORING"), "rel": "http://mms.mongodb.com/monitoringAgents"},
                {"href": format!("{group}/agents/BACKUP"), "rel": "http://mms.mongodb.com/backupAgents"},
                {"href": format!("{group}/agents/AUTOMATION"), "rel": "http://mms.mongodb.com/automationAgents"},
            ],
            "results": [],
            "totalCount": 0,
        })
    );
    let (status, wrapped) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents?envelope=true"
        ))
        .await;
    assert_eq!((status, wrapped["status"].as_u64()), (200, Some(200)));
    assert_eq!(wrapped["links"], body["links"]);
}

#[actix_web::test]
async fn one_monitoring_agent_per_server_is_active_and_the_others_stand_by() {
    let srv = server().await;
    freeze_clock(&srv).await;
    let client = DigestClient::key(&srv);

    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/MONITORING"
        ))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalCount"], 9);
    assert_eq!(
        field(&body, "hostname"),
        [
            "rs0-a.acme.example",
            "rs0-b.acme.example",
            "rs0-c.acme.example",
            "mongos-a.acme.example",
            "cfg-a.acme.example",
            "shard0-a.acme.example",
            "shard0-b.acme.example",
            "shard1-a.acme.example",
            "shard1-b.acme.example",
        ]
    );
    let states = field(&body, "stateName");
    assert_eq!(states[0], "ACTIVE");
    assert!(states[1..].iter().all(|s| *s == "STANDBY"), "{states:?}");
    assert_eq!(
        body["results"][0],
        json!({
            "confCount": MINUTES,
            "hostname": "rs0-a.acme.example",
            "isManaged": true,
            "lastConf": "2027-01-01T12:00:00Z",
            "lastPing": "2027-01-01T12:00:00Z",
            "pingCount": MINUTES,
            "stateName": "ACTIVE",
            "typeName": "MONITORING",
        })
    );
}

#[actix_web::test]
async fn agent_counters_follow_the_instance_clock() {
    let srv = server().await;
    freeze_clock(&srv).await;
    let client = DigestClient::key(&srv);
    let uri = format!("/api/public/v1.0/groups/{GROUP}/agents/MONITORING?itemsPerPage=1");
    let (_, before) = client.get_json(&uri).await;

    let res = reqwest::Client::new()
        .post(format!("{}/_standin/clock", srv.url()))
        .body(r#"{"advance_ms":150000}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, after) = client.get_json(&uri).await;

    assert_eq!(before["results"][0]["pingCount"], MINUTES);
    assert_eq!(after["results"][0]["pingCount"], MINUTES + 2);
    assert_eq!(after["results"][0]["lastPing"], "2027-01-01T12:02:00Z");
}

#[actix_web::test]
async fn automation_agents_are_all_active_and_there_is_no_backup_agent() {
    let srv = server().await;
    let client = DigestClient::key(&srv);

    let (_, automation) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/AUTOMATION"
        ))
        .await;
    let (status, backup) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/agents/BACKUP"))
        .await;

    assert_eq!(automation["totalCount"], 9);
    assert!(field(&automation, "stateName")
        .iter()
        .all(|s| *s == "ACTIVE"));
    assert!(field(&automation, "typeName")
        .iter()
        .all(|s| *s == "AUTOMATION"));
    let first = automation["results"][0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["confCount", "hostname", "lastConf", "stateName", "typeName"]
    );
    assert_eq!((status, backup["totalCount"].as_u64()), (200, Some(0)));
    assert_eq!(backup["results"], json!([]));
}

#[actix_web::test]
async fn agents_page_like_every_list() {
    let srv = server().await;
    let client = DigestClient::key(&srv);

    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/MONITORING?itemsPerPage=4&pageNum=3"
        ))
        .await;

    assert_eq!(status, 200);
    assert_eq!(field(&body, "hostname"), ["shard1-b.acme.example"]);
    let rels: Vec<&str> = body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert_eq!(rels, ["self", "previous"]);
    let (status, bad) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/MONITORING?itemsPerPage=501"
        ))
        .await;
    assert_eq!((status, code(&bad)), (400, "INVALID_QUERY_PARAMETER"));
    let res = client
        .get(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/AUTOMATION?pretty=true&itemsPerPage=1"
        ))
        .await;
    let text = res.text().await.unwrap();
    assert!(text.contains("\"typeName\" : \"AUTOMATION\""), "{text}");
}

#[actix_web::test]
async fn agents_refuse_unknown_types_and_projects_the_caller_is_not_in() {
    let srv = server().await;
    let client = DigestClient::key(&srv);

    for kind in ["monitoring", "FOO", "MONITORING_X"] {
        let (status, body) = client
            .get_json(&format!("/api/public/v1.0/groups/{GROUP}/agents/{kind}"))
            .await;
        assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{kind}");
    }
    for path in ["agents", "agents/MONITORING"] {
        let (status, body) = client
            .get_json(&format!("/api/public/v1.0/groups/{OTHER_GROUP}/{path}"))
            .await;
        assert_eq!((status, code(&body)), (401, "NOT_IN_GROUP"), "{path}");
        let (status, body) = client
            .get_json(&format!("/api/public/v1.0/groups/nothex/{path}"))
            .await;
        assert_eq!((status, code(&body)), (404, "INVALID_GROUP_ID"), "{path}");
    }
    let (status, body) = client
        .call(
            Method::POST,
            &format!("/api/public/v1.0/groups/{GROUP}/agents/MONITORING"),
            Some("{}"),
        )
        .await;
    assert_eq!((status, code(&body)), (405, "METHOD_NOT_ALLOWED"));
}

#[actix_web::test]
async fn a_read_only_member_reads_agents_and_a_global_reader_reads_any_project() {
    let srv = server().await;
    with_state(&srv, |doc| {
        doc["apiKeys"][0]["roles"] = json!([
            {"orgId": ORG, "roleName": "ORG_MEMBER"},
            {"groupId": GROUP, "roleName": "GROUP_READ_ONLY"}
        ]);
    });
    let member = DigestClient::key(&srv);
    let global = DigestClient::new(&srv, GLOBAL_PUBLIC, GLOBAL_PRIVATE);

    let (status, _) = member
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/MONITORING"
        ))
        .await;
    let (global_status, body) = global
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/MONITORING"
        ))
        .await;

    assert_eq!((status, global_status), (200, 200));
    assert_eq!(body["totalCount"], 9);
}

#[actix_web::test]
async fn agents_are_those_the_projects_hosts_imply() {
    let srv = server().await;
    with_state(&srv, |doc| {
        let hosts = doc["hosts"].as_array_mut().unwrap();
        hosts.retain(|h| h["hostname"] != "rs0-a.acme.example");
        let copy = hosts[0].clone();
        let mut second = copy.clone();
        second["id"] = json!("b1b2c3d4e5f60718293a4b5c6d7e8f99");
        second["port"] = json!(27020);
        hosts.push(second);
    });
    let client = DigestClient::key(&srv);

    let (_, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/MONITORING"
        ))
        .await;

    // rs0-a is gone, rs0-b runs two processes and one agent, and its agent is now active.
    assert_eq!(body["totalCount"], 8);
    assert_eq!(
        (
            body["results"][0]["hostname"].as_str(),
            body["results"][0]["stateName"].as_str()
        ),
        (Some("rs0-b.acme.example"), Some("ACTIVE"))
    );
    with_state(&srv, |doc| doc["hosts"] = json!([]));
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/agents/MONITORING"
        ))
        .await;
    assert_eq!((status, body["totalCount"].as_u64()), (200, Some(0)));
}
