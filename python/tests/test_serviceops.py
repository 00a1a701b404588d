"""ServiceOps through requests-oauthlib: the OAuth2 password grant, then time."""

import pytest
from oauthlib.oauth2 import LegacyApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session


@pytest.fixture
def session(standin, monkeypatch):
    # ServiceOps is served over plain HTTP here; oauthlib refuses that unless told otherwise.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    creds = standin.credentials("serviceops")
    oauth = OAuth2Session(client=LegacyApplicationClient(client_id=creds["client_id"]))
    oauth.fetch_token(
        token_url=standin.url("serviceops") + "/api/oauth/token",
        username=creds["username"],
        password=creds["password"],
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
    )
    return oauth


def test_a_password_grant_token_reads_a_request(standin, session):
    res = session.get(standin.url("serviceops") + "/api/v1/request/65")

    assert res.status_code == 200
    assert res.json()["id"] == 65
    [grant, read] = standin.requests("serviceops")
    assert grant["status"] == 200 and grant["path"] == "/api/oauth/token"
    assert read["status"] == 200 and read["principal"]


def test_the_token_expires_when_the_clock_is_advanced_past_its_lifetime(standin, session):
    url = standin.url("serviceops") + "/api/v1/request/65"
    assert session.get(url).status_code == 200

    standin.advance(2 * 3600, "serviceops")
    res = session.get(url)

    assert res.status_code == 401
    assert res.json()["error"] == "invalid_token"
    assert res.json()["error_description"].startswith("Access token expired")
    assert standin.requests("serviceops", status=401)[-1]["path"] == "/api/v1/request/65"


def test_the_refresh_token_outlives_the_access_token(standin, session):
    creds = standin.credentials("serviceops")
    standin.advance(2 * 3600, "serviceops")

    session.refresh_token(
        standin.url("serviceops") + "/api/oauth/token",
        auth=HTTPBasicAuth(creds["client_id"], creds["client_secret"]),
    )

    assert session.get(standin.url("serviceops") + "/api/v1/request/65").status_code == 200
