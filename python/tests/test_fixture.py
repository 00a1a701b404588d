"""The `standin` fixture's API within one test: urls, credentials, reset, clock, faults,
state and tenants."""

import time

import pytest
import requests

from pytest_standin import PRODUCTS, ControlError

PMP_PASSWORD = "/restapi/json/v1/resources/303/accounts/307/password"


def pmp_get(instance, path=PMP_PASSWORD):
    return requests.get(
        instance.url("pmp") + path,
        headers={"AUTHTOKEN": instance.credentials("pmp")["auth_token"]},
        verify=instance.verify,
        timeout=30,
    )


def test_credentials_carry_exactly_the_documented_keys(standin):
    keys = {p: sorted(standin.credentials(p)) for p in PRODUCTS}

    assert keys == {
        "opmanager": ["api_key"],
        "serviceops": ["client_id", "client_secret", "password", "username"],
        "pmp": ["auth_token"],
        "opsmgr": ["org_id", "private_key", "project_id", "public_key"],
    }


def test_each_product_has_its_own_url_and_pmp_alone_is_https(standin):
    urls = {p: standin.url(p) for p in PRODUCTS}

    assert len(set(urls.values())) == 4
    assert [p for p, u in urls.items() if u.startswith("https://")] == ["pmp"]
    for product, url in urls.items():
        health = requests.get(url + "/_standin/health", verify=standin.verify, timeout=30)
        assert health.json()["product"] == product


def test_an_unknown_product_is_refused_by_name(standin):
    with pytest.raises(ValueError, match="'vault'"):
        standin.url("vault")


def test_reset_within_a_test_puts_the_fixtures_back(standin):
    body = {"operation": {"Details": {"RESOURCENAME": "temp", "ACCOUNTNAME": "a",
                                      "RESOURCETYPE": "Linux", "PASSWORD": "Temp#Passw0rd1"}}}
    requests.post(
        standin.url("pmp") + "/restapi/json/v1/resources",
        headers={"AUTHTOKEN": standin.credentials("pmp")["auth_token"]},
        data={"INPUT_DATA": __import__("json").dumps(body)},
        verify=standin.verify,
        timeout=30,
    )
    assert "temp" in [r["name"] for r in standin.state("pmp")["resources"]]

    standin.reset("pmp")

    assert "temp" not in [r["name"] for r in standin.state("pmp")["resources"]]
    assert standin.requests("pmp") == []


def test_a_fault_returns_its_id_and_acts_until_removed_by_reset(standin):
    fault_id = standin.fault("pmp", operation="pmp.get_password", action="status", status=503)

    assert [f["id"] for f in standin.faults("pmp")] == [fault_id]
    assert pmp_get(standin).status_code == 503
    standin.reset()
    assert pmp_get(standin).status_code == 200


def test_a_bad_fault_rule_raises_naming_the_field(standin):
    with pytest.raises(ControlError) as err:
        standin.fault("opsmgr", action="status", status=999)

    assert err.value.status == 400
    assert "status" in err.value.body["message"]


def test_advance_moves_one_products_clock_or_all_four(standin):
    before = {p: standin.clock(p)["now_ms"] for p in PRODUCTS}

    standin.advance(86400, "pmp")
    after_one = {p: standin.clock(p)["now_ms"] for p in PRODUCTS}
    standin.advance(3600)
    after_all = {p: standin.clock(p)["now_ms"] for p in PRODUCTS}

    assert after_one["pmp"] - before["pmp"] >= 86400 * 1000
    assert all(after_one[p] - before[p] < 86400 * 1000 for p in PRODUCTS if p != "pmp")
    assert all(after_all[p] - after_one[p] >= 3600 * 1000 for p in PRODUCTS)


def test_set_state_replaces_the_state_and_a_bad_document_changes_nothing(standin):
    doc = standin.state("pmp")
    doc["resources"][0]["accounts"][0]["password"] = "Changed#Passw0rd1"

    standin.set_state("pmp", doc)
    with pytest.raises(ControlError) as err:
        standin.set_state("pmp", {"resources": "not a list"})

    assert err.value.status == 400
    assert pmp_get(standin).json()["operation"]["Details"]["PASSWORD"] == "Changed#Passw0rd1"


def test_a_tenant_is_isolated_and_deleted_on_exit(standin):
    with standin.tenant() as tenant:
        assert {p: tenant.url(p) for p in PRODUCTS} != {p: standin.url(p) for p in PRODUCTS}
        tenant.fault("pmp", operation="pmp.get_password", action="status", status=503)
        tenant.advance(86400 * 30)
        doc = tenant.state("pmp")
        doc["resources"][0]["accounts"][0]["password"] = "Tenant#Passw0rd1"
        tenant.set_state("pmp", doc)

        assert pmp_get(tenant).status_code == 503
        assert pmp_get(standin).json()["operation"]["Details"]["PASSWORD"] == "Sys@Passw0rd!"
        assert abs(standin.clock("pmp")["now_ms"] - time.time() * 1000) < 86400 * 1000
        assert len(tenant.requests("pmp")) == 1 and len(standin.requests("pmp")) == 1
        tenant.reset("pmp")
        assert pmp_get(tenant).json()["operation"]["Details"]["PASSWORD"] == "Sys@Passw0rd!"
        url = tenant.url("pmp")

    assert all(standin.tenants(p) == [] for p in PRODUCTS)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/_standin/health", verify=standin.verify, timeout=30)


def test_two_tenants_do_not_see_each_other(standin):
    with standin.tenant() as one, one.tenant() as two:
        one.fault("opsmgr", path="/api/**", action="status", status=503)

        assert requests.get(one.url("opsmgr") + "/api/public/v1.0/orgs", timeout=30).status_code == 503
        assert requests.get(two.url("opsmgr") + "/api/public/v1.0/orgs", timeout=30).status_code == 401
        assert one.ids["opsmgr"] != two.ids["opsmgr"]
