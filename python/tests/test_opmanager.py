"""OpManager with requests (no maintained OpManager client is on PyPI): the apiKey header."""

import requests


def test_a_refused_request_carries_its_reason_in_the_journal(standin):
    url = standin.url("opmanager") + "/api/json/device/listDevices"
    operator_key = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"  # fixture user whose REST access is disabled

    res = requests.get(url, headers={"apiKey": operator_key}, timeout=30)

    assert res.json()["error"]["errorcode"] == "REST_API_ACCESS_DISABLED"
    [entry] = standin.requests("opmanager")
    assert entry["operation"] == "opmanager.list_devices"
    assert entry["reason"] == "REST API access is disabled for user operator"
    assert operator_key not in str(entry)  # secrets are redacted


def test_the_admin_key_lists_devices(standin):
    url = standin.url("opmanager") + "/api/json/device/listDevices"

    res = requests.get(url, headers={"apiKey": standin.credentials("opmanager")["api_key"]}, timeout=30)

    assert res.status_code == 200
    assert standin.requests("opmanager")[-1]["reason"] is None
