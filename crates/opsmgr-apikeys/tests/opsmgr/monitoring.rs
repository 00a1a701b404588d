//! Clusters, hosts, disks, databases and their measurements, and the calls om-health-check
//! 0.8.0 makes (through the `opsmanager` client) reproduced one for one.

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

const RS: &str = "5953c5f380eef53887615fa0";
const SHARDED: &str = "5953c5f380eef53887615fa1";
const PRIMARY: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f01";
const MONGOS: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f04";

async fn freeze_clock(srv: &standin_testkit::Server<opsmgr_apikeys::OpsMgr>) {
    let res = reqwest::Client::new()
        .post(format!("{}/_standin/clock", srv.url()))
        .body(r#"{"set":"2027-01-01T12:00:00Z","freeze":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_default_project_has_a_replica_set_and_a_sharded_cluster() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/clusters"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalCount"], 5);
    let first = &body["results"][0];
    assert_eq!(first["clusterName"], "Cluster0");
    assert_eq!(first["typeName"], "REPLICA_SET");
    assert_eq!(first["replicaSetName"], "rs0");
    assert_eq!(first["groupId"], GROUP);
    assert!(first.get("shardName").is_none());
    assert_eq!(body["results"][1]["typeName"], "SHARDED_REPLICA_SET");
    let (status, one) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/clusters/{SHARDED}"
        ))
        .await;
    assert_eq!(
        (status, one["clusterName"].as_str()),
        (200, Some("Cluster1"))
    );
    let (status, all) = client.get_json("/api/public/v1.0/clusters").await;
    assert_eq!((status, all["totalCount"].as_u64()), (200, Some(5)));
    let (_, project) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}"))
        .await;
    assert_eq!(
        project["hostCounts"],
        json!({"arbiter": 0, "config": 1, "master": 0, "mongos": 1, "primary": 3, "secondary": 4, "slave": 0})
    );
    assert_eq!(
        (
            project["replicaSetCount"].as_u64(),
            project["shardCount"].as_u64()
        ),
        (Some(4), Some(2))
    );
    let (_, other) = client
        .get_json("/api/public/v1.0/groups/byName/Acme%20Production")
        .await;
    assert_eq!(other, project);
}

#[actix_web::test]
async fn clusters_refuse_unknown_ids_and_projects_the_caller_is_not_in() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/clusters/{OTHER_GROUP}"
        ))
        .await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let (status, body) = client
        .get_json(&format!("/api/public/v1.0/groups/{OTHER_GROUP}/clusters"))
        .await;
    assert_eq!((status, code(&body)), (401, "NOT_IN_GROUP"));
    let (status, body) = client
        .get_json("/api/public/v1.0/groups/nothex/hosts")
        .await;
    assert_eq!((status, code(&body)), (404, "INVALID_GROUP_ID"));
}

#[actix_web::test]
async fn hosts_filter_by_cluster_and_a_sharded_cluster_keeps_all_its_processes() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (_, all) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/hosts"))
        .await;
    assert_eq!(all["totalCount"], 9);
    let (_, rs) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts?clusterId={RS}"
        ))
        .await;
    assert_eq!(
        names(&rs, "hostname"),
        [
            "rs0-a.acme.example",
            "rs0-b.acme.example",
            "rs0-c.acme.example"
        ]
    );
    assert_eq!(rs["results"][0]["replicaStateName"], "PRIMARY");
    assert_eq!(rs["results"][0]["typeName"], "REPLICA_PRIMARY");
    let (_, sharded) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts?clusterId={SHARDED}"
        ))
        .await;
    assert_eq!(sharded["totalCount"], 6);
    let shards: Vec<&str> = sharded["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["shardName"].as_str())
        .collect();
    assert_eq!(shards, ["shard0", "shard0", "shard1", "shard1"]);
    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts?clusterId=zz"
        ))
        .await;
    assert_eq!((status, code(&body)), (400, "INVALID_QUERY_PARAMETER"));
    let (_, page) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts?itemsPerPage=4&pageNum=3"
        ))
        .await;
    assert_eq!(names(&page, "hostname"), ["shard1-b.acme.example"]);
}

#[actix_web::test]
async fn a_host_is_found_by_id_and_by_name_and_port() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let (status, host) = client
        .get_json(&format!("/api/public/v1.0/groups/{GROUP}/hosts/{PRIMARY}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(host["port"], 27017);
    assert_eq!(host["clusterId"], RS);
    let (status, by_name) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts/byName/rs0-a.acme.example:27017"
        ))
        .await;
    assert_eq!((status, &by_name), (200, &host));
    for missing in [
        "byName/rs0-a.acme.example:27018",
        "byName/rs0-a.acme.example",
        "0000000000000000000000000000abcd",
    ] {
        let (status, body) = client
            .get_json(&format!("/api/public/v1.0/groups/{GROUP}/hosts/{missing}"))
            .await;
        assert_eq!(
            (status, code(&body)),
            (404, "RESOURCE_NOT_FOUND"),
            "{missing}"
        );
    }
}

#[actix_web::test]
async fn disks_and_databases_list_their_names_and_refuse_unknown_ones() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let base = format!("/api/public/v1.0/groups/{GROUP}/hosts/{PRIMARY}");
    let (_, disks) = client.get_json(&format!("{base}/disks")).await;
    assert_eq!(names(&disks, "partitionName"), ["data"]);
    let (_, dbs) = client.get_json(&format!("{base}/databases")).await;
    assert_eq!(
        names(&dbs, "databaseName"),
        ["admin", "config", "local", "app"]
    );
    let (status, db) = client.get_json(&format!("{base}/databases/app")).await;
    assert_eq!((status, db["databaseName"].as_str()), (200, Some("app")));
    let (status, body) = client.get_json(&format!("{base}/disks/nope")).await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
    let (_, none) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts/{MONGOS}/disks"
        ))
        .await;
    assert_eq!(none["totalCount"], 0);
}

#[actix_web::test]
async fn measurements_follow_granularity_and_period_on_the_instance_clock() {
    let srv = server().await;
    freeze_clock(&srv).await;
    let client = DigestClient::key(&srv);
    let uri = format!(
        "/api/public/v1.0/groups/{GROUP}/hosts/{PRIMARY}/measurements?granularity=PT1M&period=PT1H&m=CONNECTIONS&m=SYSTEM_NORMALIZED_CPU_USER"
    );
    let (status, body) = client.get_json(&uri).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["start"], "2027-01-01T11:00:00Z");
    assert_eq!(body["end"], "2027-01-01T12:00:00Z");
    assert_eq!(body["granularity"], "PT1M");
    assert_eq!(body["processId"], "rs0-a.acme.example:27017");
    assert_eq!(body["hostId"], PRIMARY);
    let series = body["measurements"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[0]["name"], "CONNECTIONS");
    assert_eq!(series[0]["units"], "SCALAR");
    assert_eq!(series[1]["units"], "PERCENT");
    let points = series[0]["dataPoints"].as_array().unwrap();
    assert_eq!(points.len(), 61);
    assert_eq!(points[0]["timestamp"], "2027-01-01T11:00:00Z");
    let v = points[5]["value"].as_f64().unwrap();
    assert!((20.0..=60.0).contains(&v), "{v}");
    let (_, again) = client.get_json(&uri).await;
    assert_eq!(again, body, "same clock, same series");
    let (_, all) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts/{PRIMARY}/measurements?granularity=PT1H&start=2027-01-01T08:00:00Z&end=2027-01-01T12:00:00Z"
        ))
        .await;
    let all = all["measurements"].as_array().unwrap();
    assert!(all.len() > 60);
    assert_eq!(all[0]["dataPoints"].as_array().unwrap().len(), 5);
}

#[actix_web::test]
async fn measurements_refuse_bad_windows_and_unknown_metrics() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let base = format!("/api/public/v1.0/groups/{GROUP}/hosts/{PRIMARY}/measurements");
    for (query, param) in [
        ("period=PT1H", "granularity"),
        ("granularity=PT2M&period=PT1H", "granularity"),
        ("granularity=PT1M", "period"),
        ("granularity=PT1M&period=P1Y", "period"),
        (
            "granularity=PT1M&period=PT1H&start=2027-01-01T00:00:00Z",
            "period",
        ),
        ("granularity=PT1M&start=2027-01-01T00:00:00Z", "end"),
        (
            "granularity=PT1M&start=yesterday&end=2027-01-01T00:00:00Z",
            "start",
        ),
        (
            "granularity=PT1M&start=2027-01-02T00:00:00Z&end=2027-01-01T00:00:00Z",
            "end",
        ),
        ("granularity=PT10S&period=P30D", "granularity"),
        (
            "granularity=PT1M&period=PT1H&m=DISK_PARTITION_IOPS_READ",
            "m",
        ),
    ] {
        let (status, body) = client.get_json(&format!("{base}?{query}")).await;
        assert_eq!(
            (status, code(&body), body["parameters"][0].as_str()),
            (400, "INVALID_QUERY_PARAMETER", Some(param)),
            "{query}"
        );
    }
}

#[actix_web::test]
async fn disk_and_database_measurements_name_their_partition_and_database() {
    let srv = server().await;
    let client = DigestClient::key(&srv);
    let host = format!("/api/public/v1.0/groups/{GROUP}/hosts/{PRIMARY}");
    let (status, disk) = client
        .get_json(&format!(
            "{host}/disks/data/measurements?granularity=PT1M&period=PT5M&m=DISK_PARTITION_SPACE_PERCENT_FREE"
        ))
        .await;
    assert_eq!(status, 200, "{disk}");
    assert_eq!(disk["partitionName"], "data");
    assert_eq!(disk["measurements"][0]["units"], "PERCENT");
    let (status, db) = client
        .get_json(&format!(
            "{host}/databases/app/measurements?granularity=PT1H&period=P1D"
        ))
        .await;
    assert_eq!(status, 200, "{db}");
    assert_eq!(db["databaseName"], "app");
    assert_eq!(
        db["measurements"][0]["name"],
        "DATABASE_AVERAGE_OBJECT_SIZE"
    );
    let (status, body) = client
        .get_json(&format!(
            "{host}/disks/nope/measurements?granularity=PT1M&period=PT5M"
        ))
        .await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"));
}

#[actix_web::test]
async fn clusters_and_hosts_round_trip_through_the_state_document() {
    let srv = server().await;
    let doc = srv.host().main.export_state().unwrap();
    assert_eq!(doc["clusters"].as_array().unwrap().len(), 5);
    assert_eq!(doc["hosts"][0]["disks"], json!(["data"]));
    srv.host().main.replace_state(&doc).unwrap();
    assert_eq!(srv.host().main.export_state().unwrap(), doc);
    for (change, field) in [
        (json!({"clusters": [{"id": "x"}]}), "clusters"),
        (json!({"hostId": 0}), "hosts[0].id"),
        (json!({"clusterType": 0}), "clusters[0].typeName"),
        (json!({"hostCluster": 0}), "hosts[0].clusterId"),
        (json!({"hostPort": 0}), "hosts[0].hostname"),
    ] {
        let mut bad = doc.clone();
        let key = change.as_object().unwrap().keys().next().unwrap().clone();
        match key.as_str() {
            "clusters" => bad["clusters"][0]["extra"] = json!(1),
            "hostId" => bad["hosts"][0]["id"] = json!("5953c5f380eef53887615fa0"),
            "clusterType" => bad["clusters"][0]["typeName"] = json!("SHARDED"),
            "hostCluster" => bad["hosts"][0]["clusterId"] = json!(OTHER_GROUP),
            _ => bad["hosts"][1]["port"] = json!(0),
        }
        let err = srv.host().main.replace_state(&bad).unwrap_err();
        let got = err.field().unwrap_or_default().to_owned();
        let want = if key == "hostPort" {
            "hosts[1].hostname"
        } else {
            field
        };
        assert!(got.starts_with(want), "{key}: {got}");
    }
}

/// om-health-check 0.8.0 (`client.py`, `runner.py`, `baseline.py`, `checks/disk.py`)
/// through `opsmanager`: resolve the project by name, list its clusters, list each
/// cluster's hosts, then per host the current (PT1M over PT1H) and baseline (PT1H between
/// two instants) measurements, and per host its disks and their measurements; the open
/// alerts of the project.
#[actix_web::test]
async fn om_health_check_call_sequence_gets_an_answer_at_every_step() {
    let srv = server().await;
    freeze_clock(&srv).await;
    let client = DigestClient::key(&srv);
    let (status, project) = client
        .get_json("/api/public/v1.0/groups/byName/Acme%20Production")
        .await;
    assert_eq!(status, 200);
    let group = project["id"].as_str().unwrap().to_owned();
    let (status, clusters) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{group}/clusters?pageNum=1&itemsPerPage=100"
        ))
        .await;
    assert_eq!(status, 200);
    // checks/connectivity.py: the project's open alerts.
    let (status, alerts) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{group}/alerts?status=OPEN&pageNum=1&itemsPerPage=100"
        ))
        .await;
    assert_eq!((status, alerts["totalCount"].as_u64()), (200, Some(1)));
    let mut hosts_seen = 0;
    for cluster in clusters["results"].as_array().unwrap() {
        let id = cluster["id"].as_str().unwrap();
        let (status, hosts) = client
            .get_json(&format!(
                "/api/public/v1.0/groups/{group}/hosts?clusterId={id}&pageNum=1&itemsPerPage=100"
            ))
            .await;
        assert_eq!(status, 200);
        for host in hosts["results"].as_array().unwrap() {
            hosts_seen += 1;
            let host_id = host["id"].as_str().unwrap();
            let base = format!("/api/public/v1.0/groups/{group}/hosts/{host_id}");
            let (status, current) = client
                .get_json(&format!(
                    "{base}/measurements?granularity=PT1M&period=PT1H&m=CONNECTIONS&m=OP_EXECUTION_TIME_READS"
                ))
                .await;
            assert_eq!(status, 200, "{current}");
            let (status, baseline) = client
                .get_json(&format!(
                    "{base}/measurements?granularity=PT1H&start=2026-12-25T08%3A00%3A00%2B00%3A00&end=2026-12-25T12%3A00%3A00%2B00%3A00&m=CONNECTIONS"
                ))
                .await;
            assert_eq!(status, 200, "{baseline}");
            assert_eq!(baseline["start"], "2026-12-25T08:00:00Z");
            let (status, disks) = client
                .get_json(&format!("{base}/disks?pageNum=1&itemsPerPage=100"))
                .await;
            assert_eq!(status, 200);
            for disk in disks["results"].as_array().unwrap() {
                let name = disk["partitionName"].as_str().unwrap();
                let (status, _) = client
                    .call(
                        Method::GET,
                        &format!("{base}/disks/{name}/measurements?granularity=PT1M&period=PT1H&m=DISK_PARTITION_SPACE_PERCENT_FREE"),
                        None,
                    )
                    .await;
                assert_eq!(status, 200);
            }
        }
    }
    assert_eq!(hosts_seen, 3 + 6 + 2 + 2 + 1);
}

#[actix_web::test]
async fn the_oplog_window_is_served_in_seconds() {
    let srv = server().await;
    freeze_clock(&srv).await;
    let client = DigestClient::key(&srv);

    let (status, body) = client
        .get_json(&format!(
            "/api/public/v1.0/groups/{GROUP}/hosts/{PRIMARY}/measurements?granularity=PT5M&period=PT5M&m=OPLOG_MASTER_TIME"
        ))
        .await;

    assert_eq!(status, 200, "{body}");
    let [window] = body["measurements"].as_array().unwrap().as_slice() else {
        panic!("{body}");
    };
    assert_eq!(window["name"], "OPLOG_MASTER_TIME");
    assert_eq!(window["units"], "SECONDS");
    for point in window["dataPoints"].as_array().unwrap() {
        let secs = point["value"].as_f64().unwrap();
        // About three days: above om-health-check's 24 h and 36 h thresholds.
        assert!((252_000.0..=259_200.0).contains(&secs), "{point}");
    }
}
