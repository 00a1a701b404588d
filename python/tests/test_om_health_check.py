"""Ops Manager through om-health-check (PyPI 0.8.0), run as its own console script.

It is configured the way its README says: `--om-url`, `--project NAME` and the programmatic key
in OPS_MANAGER_USER (public) and OPS_MANAGER_API_KEY (private). It resolves the project by name
(`/groups/byName/{name}`), lists its clusters (`/groups/{id}/clusters`), the hosts of each
(`/groups/{id}/hosts?clusterId=`) and reads their measurements, disks and databases; the JSON
report (`--format json`) is what these tests read.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "om-health-check"


def run_report(standin, *args, public_key=None, private_key=None):
    creds = standin.credentials("opsmgr")
    env = dict(os.environ)
    env["OPS_MANAGER_USER"] = public_key or creds["public_key"]
    env["OPS_MANAGER_API_KEY"] = private_key or creds["private_key"]
    done = subprocess.run(
        [str(SCRIPT), "--om-url", standin.url("opsmgr"), "--rate-limit", "0", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done


def fixture_project(standin, name):
    state = standin.state("opsmgr")
    [project] = [p for p in state["projects"] if p["name"] == name]
    clusters = [c for c in state["clusters"] if c["groupId"] == project["id"]]
    hosts = [h for h in state["hosts"] if h["groupId"] == project["id"]]
    return project, clusters, hosts


def section(cluster_report, name):
    [found] = [s for s in cluster_report["sections"] if s["name"] == name]
    return found


# The sections whose every call standin answers: all of the report's ("Connectivity &
# Infrastructure" reads the monitoring agents, "Oplog" the oplog window in seconds).
ANSWERED = [
    "Connectivity & Infrastructure",
    "Oplog",
    "Compute Resources",
    "Disk Resources",
    "Cache Resources",
    "Database Activity & Workload",
    "Replication",
    "Connections",
    "Backup",
    "Version Information",
]


def json_report(standin, project):
    done = run_report(standin, "--project", project["name"], "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def members_of(hosts, cluster_ids):
    return sorted(f"{h['hostname']}:{h['port']}" for h in hosts if h["clusterId"] in cluster_ids)


def assert_answered(cluster_report, members):
    for name in ANSWERED:
        sec = section(cluster_report, name)
        for check in sec["cluster_checks"] + [c for h in sec["hosts"] for c in h["checks"]]:
            assert not check["message"].startswith(("Check failed", "Failed to")), (name, check)
    compute = section(cluster_report, "Compute Resources")
    assert sorted(h["host"] for h in compute["hosts"]) == members
    checks = {c["name"]: c for h in compute["hosts"] for c in h["checks"]}
    assert checks["SYSTEM_NORMALIZED_CPU_USER"]["value"] is not None


def test_the_report_reads_the_replica_set_its_members_and_their_measurements(standin):
    project, clusters, hosts = fixture_project(standin, "Acme Production")
    [rs] = [c for c in clusters if c["clusterName"] == "Cluster0"]

    report = json_report(standin, project)

    [got] = [c for c in report["clusters"] if c["cluster_id"] == rs["id"]]
    assert (got["cluster_name"], got["project_name"], got["project_id"]) == (
        "Cluster0",
        project["name"],
        project["id"],
    )
    members = members_of(hosts, {rs["id"]})
    assert members == [f"rs0-{m}.acme.example:27017" for m in "abc"]
    assert got["topology"] == {
        "node_count": 3,
        "cluster_type": "REPLICA_SET",
        "role_counts": {"PRIMARY": 1, "SECONDARY": 2},
        "shard_count": 0,
    }
    assert_answered(got, members)


def test_the_report_reads_the_sharded_cluster_with_every_process_under_it(standin):
    project, clusters, hosts = fixture_project(standin, "Acme Production")
    [sharded] = [c for c in clusters if c["typeName"] == "SHARDED_REPLICA_SET"]
    parts = {c["id"] for c in clusters if c["clusterName"] == sharded["clusterName"]}

    report = json_report(standin, project)

    [got] = [c for c in report["clusters"] if c["cluster_id"] == sharded["id"]]
    assert got["cluster_name"] == "Cluster1"
    assert got["topology"]["node_count"] == len(members_of(hosts, parts)) == 6
    assert got["topology"]["shard_count"] == 2
    assert got["topology"]["role_counts"] == {"PRIMARY": 3, "SECONDARY": 2, "SHARD_MONGOS": 1}
    # Compute covers every process of the cluster, mongos included.
    assert_answered(got, members_of(hosts, parts))


def test_the_report_has_one_entry_per_cluster_name(standin):
    project, _, _ = fixture_project(standin, "Acme Production")

    report = json_report(standin, project)

    assert sorted(c["cluster_name"] for c in report["clusters"]) == ["Cluster0", "Cluster1"]


def test_the_connectivity_section_finds_the_active_monitoring_agent(standin):
    project, _, hosts = fixture_project(standin, "Acme Production")
    servers = sorted({h["hostname"] for h in hosts})

    report = json_report(standin, project)

    [got] = [c for c in report["clusters"] if c["cluster_name"] == "Cluster0"]
    checks = section(got, "Connectivity & Infrastructure")["cluster_checks"]
    assert not [c for c in checks if c["message"].startswith("Check failed")], checks
    [agents] = [c for c in checks if c["name"] == "Agent status"]
    assert agents["status"] == "GREEN", agents
    # The first server's agent monitors; the others stand by.
    assert agents["message"] == f"Active on {hosts[0]['hostname']} ({len(servers) - 1} standby)"
    path = f"/api/public/v1.0/groups/{project['id']}/agents/MONITORING"
    answered = [e["status"] for e in standin.requests("opsmgr", path=path)
                if "authorization" in e["headers"]]
    assert answered and set(answered) == {200}, answered


def test_a_project_without_hosts_has_no_monitoring_agent_and_the_report_warns(standin):
    project, _, _ = fixture_project(standin, "Acme Production")
    state = standin.state("opsmgr")
    state["hosts"] = [h for h in state["hosts"] if h["groupId"] != project["id"]]
    standin.set_state("opsmgr", state)

    report = json_report(standin, project)

    [got] = [c for c in report["clusters"] if c["cluster_name"] == "Cluster0"]
    checks = section(got, "Connectivity & Infrastructure")["cluster_checks"]
    [agents] = [c for c in checks if c["name"] == "Agent status"]
    assert (agents["status"], agents["message"]) == (
        "WARN",
        "No monitoring agents found in this project",
    )


def test_the_oplog_window_is_reported_in_hours_above_the_red_threshold(standin):
    project, _, _ = fixture_project(standin, "Acme Production")

    report = json_report(standin, project)

    [got] = [c for c in report["clusters"] if c["cluster_name"] == "Cluster0"]
    for host in section(got, "Oplog")["hosts"]:
        [window] = [c for c in host["checks"] if c["name"] == "OPLOG_MASTER_TIME"]
        assert window["value"] > window["threshold"] == 24, window


def test_the_backup_section_reads_each_clusters_backup_configuration(standin):
    project, clusters, _ = fixture_project(standin, "Acme Production")

    report = json_report(standin, project)

    for got in report["clusters"]:
        [check] = section(got, "Backup")["cluster_checks"]
        assert (check["name"], check["status"], check["message"]) == (
            "Backup configuration",
            "INFO",
            "Backup status: INACTIVE",
        ), got["cluster_name"]
    calls = standin.requests("opsmgr", path=f"/api/public/v1.0/groups/{project['id']}/backupConfigs/")
    assert {e["status"] for e in calls if "authorization" in e["headers"]} == {200}


def test_the_text_report_names_the_clusters_and_the_project(standin):
    project, clusters, _ = fixture_project(standin, "Acme Production")

    done = run_report(standin, "--project", project["name"])

    assert done.returncode == 0, done.stderr
    for name in {c["clusterName"] for c in clusters}:
        assert f"Cluster: {name}  |  Project: {project['name']}" in done.stdout
    assert "OM HEALTH CHECK REPORT" in done.stdout


def test_the_report_only_covers_the_cluster_asked_for(standin):
    project, _, _ = fixture_project(standin, "Acme Production")

    done = run_report(
        standin, "--project", project["name"], "--cluster", "Cluster0", "--format", "json"
    )

    assert done.returncode == 0, done.stderr
    assert [c["cluster_name"] for c in json.loads(done.stdout)["clusters"]] == ["Cluster0"]


def test_an_unknown_project_is_reported_red_with_the_servers_reason(standin):
    done = run_report(standin, "--project", "No Such Project", "--format", "json")

    assert done.returncode == 0, done.stderr
    [cluster] = json.loads(done.stdout)["clusters"]
    [check] = section(cluster, "Connectivity & Infrastructure")["cluster_checks"]
    assert check["status"] == "RED"
    assert check["name"] == "Project resolution"
    assert "No Such Project" in check["message"]
    lookups = standin.requests("opsmgr", path="/api/public/v1.0/groups/byName/")
    assert [e["status"] for e in lookups if "authorization" in e["headers"]] == [404]


def test_a_wrong_private_key_is_reported_as_an_authentication_failure(standin):
    done = run_report(
        standin, "--project", "Acme Production", "--format", "json", private_key="not-the-key"
    )

    assert done.returncode == 0, done.stderr
    [cluster] = json.loads(done.stdout)["clusters"]
    [check] = section(cluster, "Connectivity & Infrastructure")["cluster_checks"]
    assert check["status"] == "RED"
    assert check["message"].startswith("Permission denied for project"), check
    assert not standin.requests("opsmgr", path="/api/public/v1.0/groups/", status=200)
