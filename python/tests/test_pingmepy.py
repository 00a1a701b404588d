"""Ops Manager through PingMePy (PyPI 0.6), a Python 2 era client, with the user's own
credentials: HTTP Digest with the username and the user's personal API key.

PingMePy imports `urlparse` and tests strings with `unicode` and integers with `long`; the
smallest Python 3 shim makes those three names exist (`urllib.parse`, `str`, `int`) before it
is imported, and touches nothing else. PingMePy 0.6 has only the read of the access list
(`get_whitelist`); adding and deleting entries are calls it does not have.
"""

import builtins
import sys
import urllib.parse

import pytest

sys.modules.setdefault("urlparse", urllib.parse)
builtins.unicode = str  # type: ignore[attr-defined]
builtins.long = int  # type: ignore[attr-defined]

from PingMePy.PingMeClient import PingMeClient  # noqa: E402

OWNER = ("owner@acme.example", "1f6e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")  # docs/opsmgr.md


def fixture_user(standin, username):
    [user] = [u for u in standin.state("opsmgr")["users"] if u["username"] == username]
    return user


def client(standin, username=OWNER[0], api_key=OWNER[1]):
    return PingMeClient(username, api_key, base_url=standin.url("opsmgr") + "/")


def test_the_constructor_finds_the_user_by_name(standin):
    user = fixture_user(standin, OWNER[0])

    pingme = client(standin)

    assert pingme.user["id"] == user["id"]
    assert pingme.user["username"] == OWNER[0]
    assert {"orgId": user["roles"][0]["orgId"], "roleName": "ORG_OWNER"} in pingme.user["roles"]
    [lookup] = [
        e
        for e in standin.requests("opsmgr", path="/api/public/v1.0/users/byName/")
        if "authorization" in e["headers"]
    ]
    assert lookup["status"] == 200
    assert lookup["principal"] == OWNER[0]


def test_the_whitelist_is_the_users_access_list(standin):
    user = fixture_user(standin, OWNER[0])

    listed = client(standin).get_whitelist()

    assert listed["totalCount"] == len(user["accessList"])
    assert [e["cidrBlock"] for e in listed["results"]] == [
        e["cidrBlock"] for e in user["accessList"]
    ]
    assert standin.requests("opsmgr", path=f"/api/public/v1.0/users/{user['id']}/whitelist")[-1][
        "status"
    ] == 200


def test_an_entry_added_to_the_access_list_shows_in_the_whitelist_and_goes_when_deleted(standin):
    import requests
    from requests.auth import HTTPDigestAuth

    pingme = client(standin)
    url = f"{standin.url('opsmgr')}/api/public/v1.0/users/{pingme.user['id']}/whitelist"
    auth = HTTPDigestAuth(*OWNER)

    added = requests.post(url, json=[{"cidrBlock": "192.0.2.0/24"}], auth=auth, timeout=30)
    assert added.status_code in (200, 201), added.text
    assert "192.0.2.0/24" in [e["cidrBlock"] for e in pingme.get_whitelist()["results"]]

    gone = requests.delete(f"{url}/192.0.2.0%2F24", auth=auth, timeout=30)
    assert gone.status_code in (200, 204), gone.text
    assert "192.0.2.0/24" not in [e["cidrBlock"] for e in pingme.get_whitelist()["results"]]


def test_the_constructor_with_a_wrong_key_gets_the_servers_401_body(standin):
    # PingMePy returns whatever JSON the server sends; the 401 body is Ops Manager's own.
    pingme = client(standin, api_key="00000000-0000-0000-0000-000000000000")

    assert pingme.user["error"] == 401
    assert pingme.user["reason"] == "Unauthorized"
    with pytest.raises(KeyError):
        pingme.get_whitelist()


def test_an_unknown_username_gets_a_404(standin):
    pingme = client(standin)

    missing = pingme.get_user_by_name("nobody@acme.example")

    assert missing["error"] == 404
    assert missing["errorCode"] == "USERNAME_NOT_FOUND"
