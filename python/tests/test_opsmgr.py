"""Ops Manager through its two PyPI clients, opsmanager (requests) and pyomsdk (httpx), both
HTTP Digest with the fixture's programmatic API key."""

import opsmanager
import pytest
from opsmanager.errors import OpsManagerServerError
from pyomsdk.ops_manager_client import OpsManagerClient as PyomsdkClient


def opsmanager_client(standin):
    creds = standin.credentials("opsmgr")
    return opsmanager.OpsManagerClient(
        base_url=standin.url("opsmgr"),
        public_key=creds["public_key"],
        private_key=creds["private_key"],
        rate_limit=0,
        retry_count=0,
    )


def test_opsmanager_lists_the_fixture_org(standin):
    with opsmanager_client(standin) as client:
        orgs = client.organizations.list()

    assert [o.id for o in orgs] == [standin.credentials("opsmgr")["org_id"]]
    assert standin.requests("opsmgr", status=200)[-1]["principal"] == "qzvhwmtx"


def test_opsmanager_meets_an_injected_503_once_and_then_succeeds(standin):
    creds = standin.credentials("opsmgr")
    fault = standin.fault(
        "opsmgr", path="/api/public/v1.0/orgs", times=1, action="status", status=503
    )

    with opsmanager_client(standin) as client:
        with pytest.raises(OpsManagerServerError):
            client.organizations.list()
        orgs = client.organizations.list()

    assert fault
    assert [o.id for o in orgs] == [creds["org_id"]]
    statuses = [e["status"] for e in standin.requests("opsmgr", path="/api/public/v1.0/orgs")]
    assert statuses[0] == 503
    assert statuses[-1] == 200
    assert statuses.count(503) == 1
    assert standin.faults("opsmgr") == []  # fired its one time, gone


def test_pyomsdk_reads_the_project_through_a_503_fault_on_its_first_try(standin):
    creds = standin.credentials("opsmgr")
    fault = standin.fault(
        "opsmgr",
        path="/api/public/v1.0/groups/*",
        principal=creds["public_key"],
        times=1,
        action="status",
        status=503,
    )
    client = PyomsdkClient(standin.url("opsmgr"), creds["public_key"], creds["private_key"])
    projects = client.projects_resource
    path = projects.GetByIdPathParams(project_id=creds["project_id"])

    first = projects.get_by_id(path_params=path, query_params=None)
    second = projects.get_by_id(path_params=path, query_params=None)

    assert first["error"] == 503
    assert second["id"] == creds["project_id"]
    # Digest: the unauthenticated first try is challenged (401), the authenticated one meets
    # the fault (before authentication, so the journal names no principal), then success.
    journal = standin.requests("opsmgr", path="/api/public/v1.0/groups/")
    signed = [e for e in journal if "authorization" in e["headers"]]
    assert [e["status"] for e in signed] == [503, 200]
    assert signed[0]["reason"].startswith(f"fault {fault}")
    assert signed[1]["principal"] == creds["public_key"]
