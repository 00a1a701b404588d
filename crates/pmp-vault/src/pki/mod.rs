//! The PKI sub-API of Password Manager Pro (`https://host:7272/api/pki/restapi/<operation>`),
//! as the vendor's "RESTful API" help page lists it (SSL certificates and SSH keys) and as
//! the `pypmp` client (`pypmp/pypmp.py`) calls it: `AUTHTOKEN` in the query, INPUT_DATA
//! `{"operation":{"Details":{"common_name":..,"serial_number":..}}}` in the query of a GET,
//! and an answer `{"name":<operation>,"result":{"status","message"},<members>}` without the
//! REST API's `operation` wrapper. pypmp reads `SSLCertificates`, `SSHKeys`, the member named
//! by the certificate's id in `getCertificateDetails`, the last word of `result.message` in
//! `getCertificatePassphrase`, and the raw text of `getCertificate`/`getCertificateKeyStore`.
//!
//! Who may call: Administrators, Password Administrators and Password Auditors read the
//! repositories; private material (keystore, passphrase, SSH private key) is for
//! Administrators and Password Administrators only.

pub mod keys;

use crate::auth::ApiUser;
use crate::error::{allow, PmpError};
use crate::state::Role;
use crate::store::{self, Certificate, SshKey};
use crate::wire::PkiReply;
use actix_web::http::header::{HeaderValue, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::HttpResponse;
use keys::{CertMaterial, SshMaterial};
use serde_json::{json, Map, Value};
use std::sync::Arc;

const DAY_MS: i64 = 86_400_000;

/// Whoever may read the certificate and key repositories.
fn reader(caller: &ApiUser) -> Result<(), PmpError> {
    allow(caller.role != Role::PasswordUser)
}

/// Whoever may see private keys and passphrases.
fn keeper(caller: &ApiUser) -> Result<(), PmpError> {
    allow(caller.is_admin())
}

/// `GET getAllSSLCertificates`: every certificate, in `SSLCertificates`.
pub async fn get_all_ssl_certificates(caller: ApiUser) -> Result<PkiReply, PmpError> {
    reader(&caller)?;
    let now = caller.now_ms();
    let list: Vec<Value> = caller
        .read(store::certificates)?
        .iter()
        .map(|c| summary(c, now))
        .collect();
    Ok(PkiReply::message("SSL certificates fetched successfully")
        .member("SSLCertificates", Value::Array(list)))
}

/// `GET getCertificateDetails` (`common_name`): each matching certificate under its id.
pub async fn get_certificate_details(caller: ApiUser) -> Result<PkiReply, PmpError> {
    reader(&caller)?;
    let found = named(&caller, false)?;
    let now = caller.now_ms();
    let mut reply = PkiReply::message("Certificate details fetched successfully");
    for cert in &found {
        reply = reply.member(cert.id.to_string(), details(cert, now));
    }
    Ok(reply)
}

/// `GET getCertificate` (`common_name`, optional `serial_number`): the certificate's PEM.
pub async fn get_certificate(caller: ApiUser) -> Result<PkiReply, PmpError> {
    reader(&caller)?;
    let cert = newest(named(&caller, false)?)?;
    let pem = material(&caller, &cert)?.certificate_pem.clone();
    Ok(PkiReply::file(file(
        "application/x-pem-file",
        &format!("{}.pem", cert.common_name),
        pem.into_bytes(),
    )))
}

/// `GET getCertificateKeyStore` (`common_name`, optional `serial_number`): the private key and
/// the certificate, one PEM file.
pub async fn get_certificate_key_store(caller: ApiUser) -> Result<PkiReply, PmpError> {
    keeper(&caller)?;
    let cert = newest(named(&caller, false)?)?;
    let m = material(&caller, &cert)?;
    let bundle = format!("{}{}", m.private_key_pem, m.certificate_pem);
    Ok(PkiReply::file(file(
        "application/x-pem-file",
        &format!("{}.keystore.pem", cert.common_name),
        bundle.into_bytes(),
    )))
}

/// `GET getCertificatePassphrase` (`common_name`, `serial_number`): the passphrase, as the
/// last word of `result.message`.
pub async fn get_certificate_passphrase(caller: ApiUser) -> Result<PkiReply, PmpError> {
    keeper(&caller)?;
    let cert = newest(named(&caller, true)?)?;
    if cert.passphrase.is_empty() {
        return Err(PmpError::failed(format!(
            "No passphrase is stored for the private key of certificate {}",
            cert.common_name
        )));
    }
    Ok(PkiReply::message(format!(
        "Private key passphrase of certificate {} is {}",
        cert.common_name, cert.passphrase
    )))
}

/// `GET getAllSSHKeys`: every SSH key, in `SSHKeys`.
pub async fn get_all_ssh_keys(caller: ApiUser) -> Result<PkiReply, PmpError> {
    reader(&caller)?;
    let users = caller.read(store::key_users)?;
    let mut list = Vec::new();
    for key in caller.read(store::ssh_keys)? {
        let m = ssh_material(&caller, &key)?;
        let count = users.iter().filter(|u| u.key_id == key.id).count();
        list.push(ssh_summary(&key, &m, count));
    }
    Ok(PkiReply::message("SSH keys fetched successfully").member("SSHKeys", Value::Array(list)))
}

/// `POST getSSHKey` (`keyName`): one key with its public key, in `SSHKey`.
pub async fn get_ssh_key(caller: ApiUser) -> Result<PkiReply, PmpError> {
    reader(&caller)?;
    let key = key_named(&caller)?;
    let m = ssh_material(&caller, &key)?;
    let count = caller
        .read(store::key_users)?
        .iter()
        .filter(|u| u.key_id == key.id)
        .count();
    let mut entry = ssh_summary(&key, &m, count);
    if let Some(map) = entry.as_object_mut() {
        map.insert("publicKey".into(), json!(m.public_key));
    }
    Ok(PkiReply::message("SSH key fetched successfully").member("SSHKey", entry))
}

/// `POST exportSSHKey` (`keyName`): the private key file (OpenSSH format).
pub async fn export_ssh_key(caller: ApiUser) -> Result<PkiReply, PmpError> {
    keeper(&caller)?;
    let key = key_named(&caller)?;
    let m = ssh_material(&caller, &key)?;
    Ok(PkiReply::file(file(
        "application/octet-stream",
        &key.key_name,
        m.private_key.clone().into_bytes(),
    )))
}

/// `GET getAllAssociatedUsers`: the accounts on resources each SSH key is associated with.
pub async fn get_all_associated_users(caller: ApiUser) -> Result<PkiReply, PmpError> {
    reader(&caller)?;
    let list: Vec<Value> = caller
        .read(store::key_users)?
        .iter()
        .map(|u| json!({"keyName": u.key_name, "resourceName": u.resource_name, "userName": u.user_name}))
        .collect();
    Ok(PkiReply::message("Associated users fetched successfully")
        .member("AssociatedUsers", Value::Array(list)))
}

/// INPUT_DATA's `Details` (or plain parameters) field `key`.
fn input(caller: &ApiUser, details: &Map<String, Value>, key: &str) -> Option<String> {
    caller.field(details, key)
}

/// The certificates named by `common_name` (and `serial_number`, required when `serial`).
fn named(caller: &ApiUser, serial_required: bool) -> Result<Vec<Certificate>, PmpError> {
    let details = caller.details()?;
    let cn = input(caller, &details, "common_name")
        .ok_or_else(|| PmpError::failed("common_name is mandatory"))?;
    let serial = input(caller, &details, "serial_number");
    if serial_required && serial.is_none() {
        return Err(PmpError::failed("serial_number is mandatory"));
    }
    let found = caller.read(|c| store::certificates_named(c, &cn, serial.as_deref()))?;
    if found.is_empty() {
        return Err(PmpError::failed(format!("Certificate {cn} is not found")));
    }
    Ok(found)
}

/// Of several certificates of one name, the one valid longest.
fn newest(found: Vec<Certificate>) -> Result<Certificate, PmpError> {
    found
        .into_iter()
        .max_by_key(|c| (c.valid_to_ms, c.id))
        .ok_or_else(|| PmpError::failed("Certificate is not found"))
}

fn key_named(caller: &ApiUser) -> Result<SshKey, PmpError> {
    let details = caller.details()?;
    let name = input(caller, &details, "keyName")
        .ok_or_else(|| PmpError::failed("keyName is mandatory"))?;
    caller
        .read(|c| store::ssh_key_named(c, &name))?
        .ok_or_else(|| PmpError::failed(format!("SSH key {name} is not found")))
}

fn scope(caller: &ApiUser) -> String {
    caller
        .inst()
        .tenant
        .clone()
        .unwrap_or_else(|| "main".into())
}

fn material(caller: &ApiUser, cert: &Certificate) -> Result<Arc<CertMaterial>, PmpError> {
    let inst = caller.inst();
    inst.product
        .keys
        .certificate(inst.env.ids.seed(), &scope(caller), cert)
        .map_err(|e| {
            PmpError::failed(format!(
                "Unable to read certificate {}: {e}",
                cert.common_name
            ))
        })
}

fn ssh_material(caller: &ApiUser, key: &SshKey) -> Result<Arc<SshMaterial>, PmpError> {
    let inst = caller.inst();
    inst.product
        .keys
        .ssh_key(inst.env.ids.seed(), &scope(caller), key)
        .map_err(|e| PmpError::failed(format!("Unable to read SSH key {}: {e}", key.key_name)))
}

fn subject(cert: &Certificate) -> String {
    if cert.organization.is_empty() {
        format!("CN={}", cert.common_name)
    } else {
        format!("CN={}, O={}", cert.common_name, cert.organization)
    }
}

fn date(ms: i64) -> String {
    auth_core::clock::rfc3339_ms(ms).chars().take(10).collect()
}

/// A certificate as the repository lists it (self-signed: issuer = subject).
fn summary(cert: &Certificate, now: i64) -> Value {
    json!({
        "certificateId": cert.id.to_string(),
        "commonName": cert.common_name,
        "serialNumber": cert.serial_number,
        "issuer": subject(cert),
        "organization": cert.organization,
        "dnsNames": cert.dns_names.join(", "),
        "validFrom": date(cert.valid_from_ms),
        "expiryDate": date(cert.valid_to_ms),
        "daysToExpire": (cert.valid_to_ms - now + DAY_MS - 1).div_euclid(DAY_MS).max(0).to_string(),
        "keyAlgorithm": "Ed25519",
        "keySize": "256",
        "signatureAlgorithm": "Ed25519",
    })
}

/// A certificate's summary with its `subject` and `certificateStatus` (as of `now`).
fn details(cert: &Certificate, now: i64) -> Value {
    let mut details = summary(cert, now);
    if let Some(map) = details.as_object_mut() {
        map.insert("subject".into(), json!(subject(cert)));
        let status = if cert.valid_to_ms < now {
            "Expired"
        } else {
            "Valid"
        };
        map.insert("certificateStatus".into(), json!(status));
    }
    details
}

fn ssh_summary(key: &SshKey, m: &SshMaterial, associated: usize) -> Value {
    json!({
        "keyId": key.id.to_string(),
        "keyName": key.key_name,
        "keyType": "ED25519",
        "keyLength": "256",
        "fingerprint": m.fingerprint,
        "comment": key.comment,
        "createdTime": date(key.created_ms),
        "associatedUsers": associated.to_string(),
    })
}

/// A file download named `name`.
fn file(content_type: &'static str, name: &str, bytes: Vec<u8>) -> HttpResponse {
    let mut resp = HttpResponse::Ok().body(bytes);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    let quoted = name.replace(['"', '\\', '\r', '\n'], "_");
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{quoted}\"")) {
        resp.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    resp
}
