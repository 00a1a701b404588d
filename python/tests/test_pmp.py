"""Password Manager Pro through pypmp (the vendor client on PyPI), over verified HTTPS."""

from urllib.parse import urlsplit

import pytest
import requests
from pypmp import PasswordManagerProClient


def pmp_client(standin, verify):
    url = urlsplit(standin.url("pmp"))
    token = standin.credentials("pmp")["auth_token"]
    return PasswordManagerProClient(url.hostname, token, port=url.port, verify=verify)


def test_pypmp_reads_a_password_trusting_the_served_certificate(standin):
    client = pmp_client(standin, standin.verify)

    password = client.get_account_password(303, 307)

    assert password == "Sys@Passw0rd!"
    [entry] = standin.requests("pmp", operation="pmp.get_password")
    assert entry["status"] == 200
    assert entry["path"] == "/restapi/json/v1/resources/303/accounts/307/password"


def test_pypmp_refuses_the_server_without_the_served_certificate(standin):
    client = pmp_client(standin, True)  # the system trust store only

    with pytest.raises(requests.exceptions.SSLError):
        client.get_resources()


def test_pypmp_sees_a_resource_it_created_and_the_journal_records_it(standin):
    client = pmp_client(standin, standin.verify)

    client.create_resource(
        "standin-made", "deploy", "Fresh#Passw0rd1", resource_type="Linux", ownername="pmpapi"
    )
    rid = client.get_resource_id("standin-made")

    assert rid
    created = [r for r in standin.state("pmp")["resources"] if r["name"] == "standin-made"]
    assert len(created) == 1
    assert [e["operation"] for e in standin.requests("pmp")] == [
        "pmp.create_resource",
        "pmp.get_resource_id",
    ]
