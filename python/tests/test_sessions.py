"""What only a whole pytest session shows, run as inner sessions with pytester: one test's
leftovers never reach the next, xdist workers get a standin each, start-up failures are
explained in standin's own words."""

import json
import subprocess

import pytest


@pytest.fixture
def inner(pytester, standin_session, monkeypatch):
    """Runs an inner pytest session on the same binary as this one."""
    monkeypatch.setenv("STANDIN_BINARY", standin_session.binary)
    return pytester


LEFTOVERS = '''
import time
import requests
from pytest_standin import PRODUCTS

def pmp(standin, path):
    return requests.get(standin.url("pmp") + path, verify=standin.verify, timeout=30,
                        headers={"AUTHTOKEN": standin.credentials("pmp")["auth_token"]})

def test_one_leaves_everything_behind(standin):
    created = requests.post(
        standin.url("opsmgr") + "/api/public/v1.0/groups",
        json={"name": "left-behind", "orgId": standin.credentials("opsmgr")["org_id"]},
        auth=requests.auth.HTTPDigestAuth(standin.credentials("opsmgr")["public_key"],
                                          standin.credentials("opsmgr")["private_key"]),
        timeout=30)
    assert created.status_code == 201
    for product in PRODUCTS:
        standin.fault(product, path="/nothing/**", action="status", status=500)
        standin.rate_limit(product, per="ip", capacity=1, refill_per_sec=0.001)
        standin.advance(86400 * 400, product)
        requests.post(standin.url(product) + "/_standin/tenants", verify=standin.verify, timeout=30)
        assert standin.tenants(product) and standin.faults(product) and standin.rate_limits(product)
    doc = standin.state("pmp")
    doc["resources"][0]["accounts"][0]["password"] = "Left#Behind0"
    standin.set_state("pmp", doc)
    standin.reset("opmanager")  # a reset of one product leaves the others as they are
    standin.fault("opmanager", path="/nothing/**", action="status", status=500)
    assert pmp(standin, "/restapi/json/v1/resources/303/accounts/307/password").json()[
        "operation"]["Details"]["PASSWORD"] == "Left#Behind0"

def test_two_starts_clean(standin):
    for product in PRODUCTS:
        assert standin.tenants(product) == []
        assert standin.faults(product) == []
        assert standin.rate_limits(product) == []
        assert standin.requests(product) == []
        assert standin.clock(product)["frozen"] is False
        assert abs(standin.clock(product)["now_ms"] - time.time() * 1000) < 86400 * 1000
    assert pmp(standin, "/restapi/json/v1/resources/303/accounts/307/password").json()[
        "operation"]["Details"]["PASSWORD"] == "Sys@Passw0rd!"
    names = [g["name"] for g in standin.state("opsmgr")["projects"]]
    assert "left-behind" not in names
'''


def test_a_tests_state_tenants_faults_limits_and_clock_do_not_reach_the_next_test(inner):
    inner.makepyfile(test_leftovers=LEFTOVERS)

    result = inner.runpytest_subprocess("-p", "no:randomly", "-p", "no:xdist")

    result.assert_outcomes(passed=2)


WORKERS = '''
import json, os, requests

def test_{n}_creates_the_same_project_name_on_its_workers_server(standin):
    creds = standin.credentials("opsmgr")
    res = requests.post(
        standin.url("opsmgr") + "/api/public/v1.0/groups",
        json={{"name": "per-worker-{n}", "orgId": creds["org_id"]}},
        auth=requests.auth.HTTPDigestAuth(creds["public_key"], creds["private_key"]),
        timeout=30)
    assert res.status_code == 201, res.text
    with open(os.environ["SEEN"], "a") as seen:
        seen.write(json.dumps([os.environ["PYTEST_XDIST_WORKER"], standin.url("opsmgr")]) + "\\n")
'''


def test_xdist_gives_each_of_two_workers_its_own_standin(inner, monkeypatch):
    seen = inner.path / "seen.jsonl"
    monkeypatch.setenv("SEEN", str(seen))
    inner.makepyfile(test_workers="".join(WORKERS.format(n=n) for n in range(3)))

    # --dist each: both workers run every test, creating the same project names; on one
    # shared server the second creation of a name would get 409 GROUP_ALREADY_EXISTS.
    result = inner.runpytest_subprocess("-n", "2", "--dist", "each")

    result.assert_outcomes(passed=6)
    rows = [json.loads(line) for line in seen.read_text().splitlines()]
    urls = {worker: {url for w, url in rows if w == worker} for worker, _ in rows}
    assert sorted(urls) == ["gw0", "gw1"]
    assert all(len(u) == 1 for u in urls.values())
    assert urls["gw0"] != urls["gw1"]


def test_a_binary_that_cannot_start_fails_the_fixture_with_standins_own_line(
    inner, standin_session, monkeypatch, tmp_path
):
    broken = tmp_path / "fixtures"
    broken.mkdir()
    (broken / "opsmgr.json").write_text('{"orgs": "not a list"}')
    monkeypatch.setenv("STANDIN_FIXTURES", str(broken))
    said = subprocess.run(
        [standin_session.binary, "--port-opsmgr", "0", "--only", "opsmgr"],
        capture_output=True, text=True, timeout=60,
    )
    assert said.returncode != 0
    line = said.stderr.strip().splitlines()[-1]
    assert line.startswith("standin: ")
    inner.makepyfile(test_nothing="def test_uses(standin):\n    pass\n")

    result = inner.runpytest_subprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*standin could not start: {line}*"])


def test_a_missing_binary_is_named(inner, monkeypatch, tmp_path):
    monkeypatch.setenv("STANDIN_BINARY", str(tmp_path / "no-such-standin"))
    inner.makepyfile(test_nothing="def test_uses(standin):\n    pass\n")

    result = inner.runpytest_subprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*standin could not start: standin binary*no-such-standin*does not exist*"])


def test_the_standin_binary_option_wins_over_the_environment(inner, standin_session, monkeypatch, tmp_path):
    monkeypatch.setenv("STANDIN_BINARY", str(tmp_path / "no-such-standin"))
    inner.makepyfile(
        test_one="def test_uses(standin_session):\n"
        f"    assert standin_session.binary == {standin_session.binary!r}\n"
    )

    result = inner.runpytest_subprocess("--standin-binary", standin_session.binary)

    result.assert_outcomes(passed=1)


def test_a_bad_custom_fixture_fails_the_test_naming_the_field(inner):
    inner.makepyfile(
        test_bad='''
import pytest
pytestmark = pytest.mark.standin_fixtures(opsmgr={"orgs": "not a list"})

def test_uses(standin):
    pass
'''
    )

    result = inner.runpytest_subprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*standin: PUT http*/_standin/state: 400*"])



def test_a_standin_that_died_mid_session_fails_the_next_test_saying_so(inner):
    inner.makepyfile(
        test_dies='''
import os, signal

def test_kills_it(standin_session):
    os.kill(standin_session.process.pid, signal.SIGKILL)
    standin_session.process._proc.wait()

def test_next(standin):
    pass
'''
    )

    result = inner.runpytest_subprocess("-p", "no:xdist")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*standin is no longer running*"])
