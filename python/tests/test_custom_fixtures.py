"""A module that starts from its own fixture documents (the standin_fixtures marker)."""

import json
from pathlib import Path

import pytest
import requests

from pytest_standin import PRODUCTS

# Built from the repository's own fixture file, with one password changed.
PMP = json.loads((Path(__file__).parents[2] / "fixtures" / "pmp.json").read_text())
PMP["resources"][0]["accounts"][0]["password"] = "Custom#Passw0rd1"

pytestmark = pytest.mark.standin_fixtures(pmp=PMP)


def password(instance):
    res = requests.get(
        instance.url("pmp") + "/restapi/json/v1/resources/303/accounts/307/password",
        headers={"AUTHTOKEN": instance.credentials("pmp")["auth_token"]},
        verify=instance.verify,
        timeout=30,
    )
    return res.json()["operation"]["Details"]["PASSWORD"]


def test_the_module_starts_from_its_custom_fixtures(standin):
    assert password(standin) == "Custom#Passw0rd1"


def test_reset_and_tenants_keep_the_custom_fixtures(standin):
    doc = standin.state("pmp")
    doc["resources"][0]["accounts"][0]["password"] = "Changed#Passw0rd1"
    standin.set_state("pmp", doc)

    standin.reset()

    assert password(standin) == "Custom#Passw0rd1"
    with standin.tenant() as tenant:
        assert password(tenant) == "Custom#Passw0rd1"


def test_other_products_keep_the_built_in_fixtures(standin):
    key = standin.credentials("opmanager")["api_key"]

    res = requests.get(
        standin.url("opmanager") + "/api/json/device/listDevices", headers={"apiKey": key}, timeout=30
    )

    assert res.status_code == 200
    assert standin.state("pmp")["resources"][0]["accounts"][0]["password"] == "Custom#Passw0rd1"
    assert not any(standin.state(p) == PMP for p in PRODUCTS if p != "pmp")


@pytest.mark.standin_fixtures(Path(__file__).parents[2] / "fixtures")
def test_a_closer_marker_wins_and_takes_a_directory(standin):
    assert password(standin) == "Sys@Passw0rd!"


@pytest.mark.standin_fixtures(opmanager=Path(__file__).parents[2] / "fixtures" / "opmanager.json")
def test_markers_merge_per_product(standin):
    assert password(standin) == "Custom#Passw0rd1"  # pmp from the module's marker


def test_an_unknown_product_in_the_marker_is_refused():
    from pytest_standin import StandinError, load_fixtures

    with pytest.raises(StandinError, match="vault"):
        load_fixtures(vault={})
