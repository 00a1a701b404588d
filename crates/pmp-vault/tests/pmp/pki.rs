//! The PKI sub-API (`/api/pki/restapi/...`) over HTTPS: every call pypmp's certificate and
//! SSH-key methods make (`pypmp/pypmp.py`), call for call, then the refusals.

use crate::common::{AUDITOR, BAD_TOKEN_MSG, USER};
use base64::Engine as _;
use serde_json::{json, Value};
use standin_testkit::{Server, Standin};

type Pmp = Server<pmp_vault::Pmp>;

/// PMP over HTTPS with reproducible keys, its clock at 2026-06-01 (certificate 1 valid,
/// certificate 2 expired).
async fn start() -> Pmp {
    let pmp = Standin::pmp().seed(7).start().await;
    pmp.clock().set("2026-06-01T00:00:00Z").await;
    pmp.clock().freeze().await;
    pmp
}

fn input(details: Value) -> String {
    json!({"operation": {"Details": details}}).to_string()
}

/// pypmp's `_pki_request`: AUTHTOKEN (and a GET's INPUT_DATA) in the query.
async fn pki(
    pmp: &Pmp,
    method: &str,
    op: &str,
    token: &str,
    details: Option<Value>,
) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut query = vec![("AUTHTOKEN".to_owned(), token.to_owned())];
    if let Some(d) = details {
        query.push(("INPUT_DATA".into(), input(d)));
    }
    let res = pmp
        .client()
        .request(method, format!("{}/api/pki/restapi/{op}", pmp.url()))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{op}");
    res
}

async fn pki_json(pmp: &Pmp, method: &str, op: &str, token: &str, details: Option<Value>) -> Value {
    pki(pmp, method, op, token, details)
        .await
        .json()
        .await
        .unwrap()
}

fn admin(pmp: &Pmp) -> &'static str {
    pmp.credentials().auth_token
}

#[track_caller]
fn success(body: &Value, name: &str) {
    assert_eq!(body["name"], name, "{body}");
    assert_eq!(body["result"]["status"], "Success", "{body}");
    assert!(body.get("operation").is_none(), "no REST envelope: {body}");
}

#[track_caller]
fn refused(body: &Value, name: &str, message: &str) {
    assert_eq!(body["name"], name, "{body}");
    assert_eq!(body["result"]["status"], "Failed", "{body}");
    assert_eq!(body["result"]["message"], message, "{body}");
}

#[tokio::test]
async fn get_all_certificates_lists_the_repository_under_ssl_certificates() {
    let pmp = start().await;
    let body = pki_json(&pmp, "GET", "getAllSSLCertificates", admin(&pmp), None).await;
    success(&body, "getAllSSLCertificates");
    let certs = body["SSLCertificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["commonName"], "vault.example.com");
    assert_eq!(certs[0]["serialNumber"], "5A:3C:01:9E:22:7B:40:11");
    assert_eq!(certs[0]["expiryDate"], "2027-01-15");
    assert_eq!(certs[0]["daysToExpire"], "228");
    assert_eq!(
        certs[1]["daysToExpire"], "0",
        "legacy.example.com expired in 2025"
    );
}

#[tokio::test]
async fn get_certificate_details_answers_under_the_certificate_id() {
    let pmp = start().await;
    let body = pki_json(
        &pmp,
        "GET",
        "getCertificateDetails",
        admin(&pmp),
        Some(json!({"common_name": "vault.example.com"})),
    )
    .await;
    success(&body, "getCertificateDetails");
    // pypmp: the members other than name and result, one per matching certificate.
    let rest: Vec<&String> = body
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "name" && *k != "result")
        .collect();
    assert_eq!(rest, ["1"]);
    assert_eq!(body["1"]["commonName"], "vault.example.com");
    assert_eq!(body["1"]["subject"], "CN=vault.example.com, O=Example Corp");
    assert_eq!(body["1"]["certificateStatus"], "Valid");
}

#[tokio::test]
async fn get_certificate_returns_a_real_pem_certificate() {
    let pmp = start().await;
    let res = pki(
        &pmp,
        "GET",
        "getCertificate",
        admin(&pmp),
        Some(json!({"common_name": "vault.example.com"})),
    )
    .await;
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"vault.example.com.pem\""
    );
    let pem = res.text().await.unwrap();
    let der = pem_body(&pem, "CERTIFICATE");
    assert_eq!(der[0], 0x30, "a DER SEQUENCE");
    // The serial number from the fixture is in the certificate.
    let serial = [0x5a, 0x3c, 0x01, 0x9e, 0x22, 0x7b, 0x40, 0x11];
    assert!(der.windows(serial.len()).any(|w| w == serial));
    assert!(der.windows(17).any(|w| w == b"vault.example.com"));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_certificate_bytes() {
    let (a, b) = (start().await, start().await);
    let details = || Some(json!({"common_name": "vault.example.com"}));
    let first = pki(&a, "GET", "getCertificate", admin(&a), details())
        .await
        .text()
        .await
        .unwrap();
    let second = pki(&b, "GET", "getCertificate", admin(&b), details())
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(first, second);
    let other = Standin::pmp().seed(8).start().await;
    let third = pki(&other, "GET", "getCertificate", admin(&other), details())
        .await
        .text()
        .await
        .unwrap();
    assert_ne!(first, third);
}

#[tokio::test]
async fn get_certificate_keystore_returns_the_private_key_and_certificate() {
    let pmp = start().await;
    let text = pki(
        &pmp,
        "GET",
        "getCertificateKeyStore",
        admin(&pmp),
        Some(
            json!({"common_name": "vault.example.com", "serial_number": "5A:3C:01:9E:22:7B:40:11"}),
        ),
    )
    .await
    .text()
    .await
    .unwrap();
    let key = pem_body(&text, "PRIVATE KEY");
    assert_eq!(
        &key[..16],
        &[
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20
        ]
    );
    assert_eq!(pem_body(&text, "CERTIFICATE")[0], 0x30);
}

#[tokio::test]
async fn get_certificate_passphrase_ends_the_message_with_the_passphrase() {
    let pmp = start().await;
    let body = pki_json(
        &pmp,
        "GET",
        "getCertificatePassphrase",
        admin(&pmp),
        Some(
            json!({"common_name": "vault.example.com", "serial_number": "5A:3C:01:9E:22:7B:40:11"}),
        ),
    )
    .await;
    success(&body, "getCertificatePassphrase");
    let msg = body["result"]["message"].as_str().unwrap();
    // pypmp: `"Private key passphrase of certificate" in msg`, then the last word.
    assert!(msg.contains("Private key passphrase of certificate"));
    assert_eq!(msg.split(' ').next_back(), Some("Kst0re#2026"));
}

#[tokio::test]
async fn get_ssh_keys_lists_the_keys_with_fingerprints() {
    let pmp = start().await;
    let body = pki_json(&pmp, "GET", "getAllSSHKeys", admin(&pmp), None).await;
    success(&body, "getAllSSHKeys");
    let keys = body["SSHKeys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["keyName"], "deploy-key");
    assert_eq!(keys[0]["associatedUsers"], "2");
    assert!(keys[0]["fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("SHA256:"));
}

#[tokio::test]
async fn get_ssh_key_and_export_as_pypmp_sends_them_answer_in_the_pki_envelope() {
    // pypmp posts getSSHKey and exportSSHKey without the key name (it is commented out).
    let pmp = start().await;
    let body = pki_json(&pmp, "POST", "getSSHKey", admin(&pmp), None).await;
    refused(&body, "getSSHKey", "keyName is mandatory");
    let body = pki_json(&pmp, "POST", "exportSSHKey", admin(&pmp), None).await;
    refused(&body, "exportSSHKey", "keyName is mandatory");
}

#[tokio::test]
async fn get_ssh_key_by_name_returns_its_openssh_public_key() {
    let pmp = start().await;
    let body = pki_json(
        &pmp,
        "POST",
        "getSSHKey",
        admin(&pmp),
        Some(json!({"keyName": "deploy-key"})),
    )
    .await;
    success(&body, "getSSHKey");
    let public = body["SSHKey"]["publicKey"].as_str().unwrap();
    assert!(
        public.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"),
        "{public}"
    );
    assert!(public.ends_with(" deploy@buildserver"));
}

#[tokio::test]
async fn export_ssh_key_by_name_returns_an_openssh_private_key() {
    let pmp = start().await;
    let res = pki(
        &pmp,
        "POST",
        "exportSSHKey",
        admin(&pmp),
        Some(json!({"keyName": "deploy-key"})),
    )
    .await;
    let text = res.text().await.unwrap();
    let body = pem_body(&text, "OPENSSH PRIVATE KEY");
    assert!(body.starts_with(b"openssh-key-v1\0"));
}

#[tokio::test]
async fn get_associated_users_lists_each_key_account() {
    let pmp = start().await;
    let body = pki_json(&pmp, "GET", "getAllAssociatedUsers", admin(&pmp), None).await;
    success(&body, "getAllAssociatedUsers");
    assert_eq!(
        body["AssociatedUsers"],
        json!([
            {"keyName": "deploy-key", "resourceName": "apt-server1", "userName": "root"},
            {"keyName": "deploy-key", "resourceName": "apt-server1", "userName": "deploy"},
        ])
    );
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_refused_in_the_pki_envelope() {
    let pmp = start().await;
    let res = pmp
        .client()
        .get(format!(
            "{}/api/pki/restapi/getAllSSLCertificates",
            pmp.url()
        ))
        .send()
        .await
        .unwrap();
    refused(
        &res.json().await.unwrap(),
        "getAllSSLCertificates",
        BAD_TOKEN_MSG,
    );
    let body = pki_json(
        &pmp,
        "GET",
        "getAllSSHKeys",
        "00000000-0000-0000-0000-000000000000",
        None,
    )
    .await;
    refused(&body, "getAllSSHKeys", BAD_TOKEN_MSG);
}

#[tokio::test]
async fn a_password_user_may_not_read_the_repositories() {
    let pmp = start().await;
    for op in [
        "getAllSSLCertificates",
        "getAllSSHKeys",
        "getAllAssociatedUsers",
    ] {
        let body = pki_json(&pmp, "GET", op, USER, None).await;
        refused(
            &body,
            op,
            "You are not authorized to perform this operation",
        );
    }
}

#[tokio::test]
async fn an_auditor_reads_certificates_but_no_private_material() {
    let pmp = start().await;
    let cn = || {
        Some(
            json!({"common_name": "vault.example.com", "serial_number": "5A:3C:01:9E:22:7B:40:11"}),
        )
    };
    let body = pki_json(&pmp, "GET", "getCertificateDetails", AUDITOR, cn()).await;
    success(&body, "getCertificateDetails");
    for op in ["getCertificateKeyStore", "getCertificatePassphrase"] {
        let body = pki_json(&pmp, "GET", op, AUDITOR, cn()).await;
        refused(
            &body,
            op,
            "You are not authorized to perform this operation",
        );
    }
    let body = pki_json(
        &pmp,
        "POST",
        "exportSSHKey",
        AUDITOR,
        Some(json!({"keyName": "deploy-key"})),
    )
    .await;
    refused(
        &body,
        "exportSSHKey",
        "You are not authorized to perform this operation",
    );
}

#[tokio::test]
async fn unknown_names_and_missing_inputs_are_refused() {
    let pmp = start().await;
    let token = admin(&pmp);
    let body = pki_json(
        &pmp,
        "GET",
        "getCertificateDetails",
        token,
        Some(json!({"common_name": "nope.example.com"})),
    )
    .await;
    refused(
        &body,
        "getCertificateDetails",
        "Certificate nope.example.com is not found",
    );
    let body = pki_json(&pmp, "GET", "getCertificate", token, None).await;
    refused(&body, "getCertificate", "common_name is mandatory");
    let body = pki_json(
        &pmp,
        "GET",
        "getCertificatePassphrase",
        token,
        Some(json!({"common_name": "vault.example.com"})),
    )
    .await;
    refused(
        &body,
        "getCertificatePassphrase",
        "serial_number is mandatory",
    );
    let body = pki_json(
        &pmp,
        "GET",
        "getCertificatePassphrase",
        token,
        Some(json!({"common_name": "legacy.example.com", "serial_number": "0F:42:77:D1"})),
    )
    .await;
    refused(
        &body,
        "getCertificatePassphrase",
        "No passphrase is stored for the private key of certificate legacy.example.com",
    );
    let body = pki_json(
        &pmp,
        "POST",
        "getSSHKey",
        token,
        Some(json!({"keyName": "missing"})),
    )
    .await;
    refused(&body, "getSSHKey", "SSH key missing is not found");
}

#[tokio::test]
async fn an_unknown_pki_operation_answers_in_the_pki_envelope() {
    let pmp = start().await;
    let body = pki_json(&pmp, "GET", "getEverything", admin(&pmp), None).await;
    refused(&body, "getEverything", "Invalid API URL");
}

#[tokio::test]
async fn pki_reads_leave_audit_records() {
    let pmp = start().await;
    pki_json(&pmp, "GET", "getAllSSHKeys", admin(&pmp), None).await;
    let res = pmp
        .client()
        .get(format!("{}/restapi/json/v1/audit", pmp.url()))
        .header("AUTHTOKEN", admin(&pmp))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["operation"]["Details"][0]["Operation Type"],
        "getAllSSHKeys"
    );
}

#[tokio::test]
async fn the_state_document_round_trips_certificates_and_keys() {
    let pmp = start().await;
    let state = pmp.state().await;
    assert_eq!(state["certificates"][0]["passphrase"], "Kst0re#2026");
    assert_eq!(state["sshKeys"][0]["associations"][1]["userName"], "deploy");
    pmp.set_state(state.clone()).await.unwrap();
    assert_eq!(pmp.state().await, state);
    let mut bad = state.clone();
    bad["certificates"][0]["serialNumber"] = json!("xyz");
    assert!(pmp.set_state(bad).await.is_err());
}

/// The decoded body of the PEM block labelled `label` in `text`.
fn pem_body(text: &str, label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("no {begin} in {text}"))
        + begin.len();
    let stop = text[start..].find(&end).unwrap() + start;
    let b64: String = text[start..stop].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}
