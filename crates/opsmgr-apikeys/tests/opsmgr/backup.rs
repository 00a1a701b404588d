//! Backup configurations ("Get All Backup Configurations for One Project", "Get One Backup
//! Configuration from One Project"), as om-health-check's "Backup" section reads them.

use crate::common::*;
use reqwest::Method;
use serde_json::json;

const RS: &str = "5953c5f380eef53887615fa0";
const SHARDED: &str = "5953c5f380eef53887615fa1";
const SHARD0: &str = "5953c5f380eef53887615fa2";
const CONFIG_RS: &str = "5953c5f380eef53887615fa4";

#[actix_web::test]
async fn every_replica_set_and_sharded_cluster_has_an_inactive_backup_configuration() {
    let srv = server().await;
    let client = DigestClient::key(&srv);

    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/backupConfigs"))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalCount"], 2);
    let ids: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clusterId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [RS, SHARDED]);
    let group = format!("{}/api/public/v1.0/groups/{GROUP}", srv.url());
    assert_eq!(
        body["results"][0],
        json!({
            "authMechanismName": "NONE",
            "clusterId": RS,
            "encryptionEnabled": false,
            "excludedNamespaces": [],
            "groupId": GROUP,
            "links": [
                {"href": format!("{group}/backupConfigs/{RS}"), "rel": "self"},
                {"href": format!("{group}/clusters/{RS}"), "rel": "http://mms.mongodb.com/cluster"},
            ],
            "sslEnabled": false,
            "statusName": "INACTIVE",
            "storageEngineName": "WIRED_TIGER",
        })
    );
    let (status, one) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/backupConfigs/{SHARDED}"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(one, body["results"][1]);
}

#[actix_web::test]
async fn backup_configurations_page_wrap_and_pretty_print() {
    let srv = server().await;
    let client = DigestClient::key(&srv);

    let (_, page) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/backupConfigs?itemsPerPage=1&pageNum=2&envelope=true"
        ))
        .await;
    let res = client
        .get(&format!(
            "/api/public/v1.0/groups/{GROUP}/backupConfigs/{RS}?pretty=true"
        ))
        .await;
    let text = res.text().await.unwrap();

    assert_eq!(page["status"], 200);
    assert_eq!(page["results"][0]["clusterId"], SHARDED);
    assert_eq!(page["totalCount"], 2);
    assert!(text.contains("\"statusName\" : \"INACTIVE\""), "{text}");
}

#[actix_web::test]
async fn backup_configurations_refuse_shards_unknown_clusters_and_strangers() {
    let srv = server().await;
    let client = DigestClient::key(&srv);

    for cluster in [SHARD0, CONFIG_RS, OTHER_GROUP, "nothex"] {
        let (status, body) = client
            .get_json(&format!(
                "/api/public/v1.0/groups/{GROUP}/backupConfigs/{cluster}"
            ))
            .await;
        assert_eq!(
            (status, code(&body)),
            (404, "RESOURCE_NOT_FOUND"),
            "{cluster}"
        );
    }
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{OTHER_GROUP}/backupConfigs"
        ))
        .await;
    assert_eq!((status, code(&body)), (401, "NOT_IN_GROUP"));
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/nothex/backupConfigs/{RS}"
        ))
        .await;
    assert_eq!((status, code(&body)), (404, "INVALID_GROUP_ID"));
    let (status, body) = client
        .call(
            Method::DELETE,
            &format!("/api/public/v1.0/groups/{GROUP}/backupConfigs/{RS}"),
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (405, "METHOD_NOT_ALLOWED"));
}

#[actix_web::test]
async fn backup_configurations_follow_the_projects_clusters() {
    let srv = server().await;
    with_state(&srv, |doc| {
        let clusters = doc["clusters"].as_array_mut().unwrap();
        clusters.retain(|c| c["clusterName"] == "Cluster0");
        let hosts = doc["hosts"].as_array_mut().unwrap();
        hosts.retain(|h| h["clusterId"] == RS);
        doc["alerts"] = json!([]);
    });
    let reader = DigestClient::new(&srv, GLOBAL_PUBLIC, GLOBAL_PRIVATE);

    let (status, body) = reader
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/backupConfigs"))
        .await;

    assert_eq!((status, body["totalCount"].as_u64()), (200, Some(1)));
    assert_eq!(body["results"][0]["clusterId"], RS);
}
