"""Password Manager Pro through passwordmanpro_cli (PyPI 0.2.5), run as its own console script.

It is configured the way its README says: PASSMANCLI_URL (the server, no trailing slash) and
PASSMANCLI_AUTHTOKEN; it reads `/restapi/json/v1/resources`, a resource's accounts and an
account's password with `urllib` and Python's default TLS context, so the served certificate is
trusted through SSL_CERT_FILE (its equivalent of `verify=standin.verify`).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "passwordmanpro_cli"


def run_cli(standin, *args, token=None, trust=True):
    env = dict(os.environ)
    env.pop("SSL_CERT_DIR", None)
    env.pop("SSL_CERT_FILE", None)
    if trust:
        env["SSL_CERT_FILE"] = standin.verify
    env["PASSMANCLI_URL"] = standin.url("pmp")
    env["PASSMANCLI_AUTHTOKEN"] = token or standin.credentials("pmp")["auth_token"]
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_get_prints_the_password_of_a_named_resource_and_account(standin):
    done = run_cli(standin, "get", "MSSQLServer", "system")

    assert done.returncode == 0, done.stderr
    assert done.stdout == "Sys@Passw0rd!\n"
    paths = [e["path"] for e in standin.requests("pmp", status=200)]
    assert paths == [
        "/restapi/json/v1/resources",
        "/restapi/json/v1/resources/303/accounts",
        "/restapi/json/v1/resources/303/accounts/307/password",
    ]


def test_rawget_prints_the_resource_list_the_token_may_see(standin):
    done = run_cli(standin, "rawget", "/restapi/json/v1/resources")

    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["operation"]["result"]["status"] == "Success"
    names = [r["RESOURCE NAME"] for r in answer["operation"]["Details"]]
    assert "MSSQLServer" in names
    assert answer["operation"]["totalRows"] == len(names)


def test_javaprops_lists_the_single_account_resources_matching_the_filter(standin):
    done = run_cli(standin, "javaprops", "MSSQL")

    assert done.returncode == 0, done.stderr
    # MSSQLServer has two accounts (system and sa): the client lists single-account
    # resources only, so the file holds its header and footer and no property.
    lines = [line for line in done.stdout.splitlines() if line and not line.startswith("#")]
    assert lines == []
    assert "# End of file" in done.stdout
    accounts = [e for e in standin.requests("pmp") if e["path"].endswith("/accounts")]
    assert [e["path"] for e in accounts] == ["/restapi/json/v1/resources/303/accounts"]


def test_an_unknown_account_is_reported_as_not_found(standin):
    done = run_cli(standin, "get", "MSSQLServer", "nobody")

    assert done.returncode != 0
    assert "Password Not Found" in done.stderr


def test_a_wrong_token_is_refused_and_the_client_says_success_was_not_returned(standin):
    wrong = "00000000-0000-0000-0000-000000000000"

    done = run_cli(standin, "get", "MSSQLServer", "system", token=wrong)

    assert done.returncode != 0
    assert "ERROR Success not returned from passwordmanagerpro" in done.stdout
    assert "Sys@Passw0rd!" not in done.stdout + done.stderr


def test_without_the_served_certificate_the_tls_handshake_fails(standin):
    done = run_cli(standin, "get", "MSSQLServer", "system", trust=False)

    assert done.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in done.stderr
    assert not standin.requests("pmp")
