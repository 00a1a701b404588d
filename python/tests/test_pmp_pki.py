"""Password Manager Pro's PKI sub-API through pypmp's own certificate and SSH-key methods."""

from urllib.parse import urlsplit

from pypmp import PasswordManagerProClient


def pmp_client(standin):
    url = urlsplit(standin.url("pmp"))
    token = standin.credentials("pmp")["auth_token"]
    return PasswordManagerProClient(url.hostname, token, port=url.port, verify=standin.verify)


def test_pypmp_lists_the_certificates_and_their_expiry(standin):
    client = pmp_client(standin)

    certs = client.get_all_certificates()
    expiry = client.get_all_certificate_expiry()

    assert [c["commonName"] for c in certs] == ["vault.example.com", "legacy.example.com"]
    assert [c["expiryDate"] for c in expiry] == ["2027-01-15", "2025-03-01"]


def test_pypmp_reads_a_certificate_its_details_keystore_and_passphrase(standin):
    client = pmp_client(standin)

    pem = client.get_certificate("vault.example.com")
    keystore = client.get_certificate_keystore("vault.example.com", "5A:3C:01:9E:22:7B:40:11")
    details = client.get_certificate_details("vault.example.com")
    passphrase = client.get_certificate_passphrase("vault.example.com", "5A:3C:01:9E:22:7B:40:11")

    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    assert "-----BEGIN PRIVATE KEY-----" in keystore and "-----BEGIN CERTIFICATE-----" in keystore
    assert details["commonName"] == "vault.example.com"
    assert passphrase == "Kst0re#2026"


def test_pypmp_lists_ssh_keys_and_their_associated_users(standin):
    client = pmp_client(standin)

    keys = client.get_ssh_keys()
    users = client.get_associated_users()

    assert [k["keyName"] for k in keys] == ["deploy-key", "backup-key"]
    assert users["result"]["status"] == "Success"
    assert {u["userName"] for u in users["AssociatedUsers"]} == {"root", "deploy"}


def test_pypmp_get_and_export_ssh_key_get_the_pki_envelope_back(standin):
    # pypmp posts both without the key name (commented out in the client): standin says so
    # in the PKI envelope, which pypmp returns as data.
    client = pmp_client(standin)

    got = client.get_ssh_key("deploy-key")
    exported = client.export_ssh_key("deploy-key")

    assert got["name"] == "getSSHKey" and got["result"]["message"] == "keyName is mandatory"
    assert exported["name"] == "exportSSHKey" and exported["result"]["status"] == "Failed"
