//! Key material of the PKI fixtures: an Ed25519 key per certificate and per SSH key, derived
//! from the instance's `--seed` (so the same seed gives the same PEM and OpenSSH bytes) and
//! made on first use, not at startup. Without a seed the keys are random, and kept for the
//! instance's lifetime (until a reset).

use crate::store::{Certificate, SshKey};
use auth_core::ids::Ids;
use base64::Engine as _;
use parking_lot::Mutex;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SerialNumber, PKCS_ED25519};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// A certificate's PEM texts.
#[derive(Debug)]
pub struct CertMaterial {
    /// The certificate (`-----BEGIN CERTIFICATE-----`).
    pub certificate_pem: String,
    /// Its private key, PKCS#8 (`-----BEGIN PRIVATE KEY-----`).
    pub private_key_pem: String,
}

/// An SSH key's OpenSSH texts.
#[derive(Debug)]
pub struct SshMaterial {
    /// `ssh-ed25519 AAAA... comment`.
    pub public_key: String,
    /// `-----BEGIN OPENSSH PRIVATE KEY-----` (unencrypted).
    pub private_key: String,
    /// `SHA256:...` as `ssh-keygen -l` prints it.
    pub fingerprint: String,
}

/// The keys made so far, by what they were made for.
#[derive(Debug, Default)]
pub struct KeyCache {
    certs: Mutex<HashMap<String, Arc<CertMaterial>>>,
    ssh: Mutex<HashMap<String, Arc<SshMaterial>>>,
}

impl KeyCache {
    /// Forget every key (after a reset the fixtures may differ).
    pub fn clear(&self) {
        self.certs.lock().clear();
        self.ssh.lock().clear();
    }

    /// The material of `cert` (made on first use).
    ///
    /// # Errors
    /// The certificate could not be built (bad dates or serial in the state document).
    pub fn certificate(
        &self,
        seed: Option<u64>,
        scope: &str,
        cert: &Certificate,
    ) -> Result<Arc<CertMaterial>, rcgen::Error> {
        let key = format!("{scope}/cert/{}/{}", cert.id, cert.serial_number);
        if let Some(found) = self.certs.lock().get(&key) {
            return Ok(found.clone());
        }
        let made = Arc::new(make_certificate(&seed32(seed, &key), cert)?);
        Ok(self.certs.lock().entry(key).or_insert(made).clone())
    }

    /// The material of `ssh_key` (made on first use).
    ///
    /// # Errors
    /// The key could not be made (does not happen for a 32-byte seed).
    pub fn ssh_key(
        &self,
        seed: Option<u64>,
        scope: &str,
        ssh_key: &SshKey,
    ) -> Result<Arc<SshMaterial>, rcgen::Error> {
        let key = format!("{scope}/ssh/{}/{}", ssh_key.id, ssh_key.key_name);
        if let Some(found) = self.ssh.lock().get(&key) {
            return Ok(found.clone());
        }
        let made = Arc::new(make_ssh(&seed32(seed, &key), &ssh_key.comment)?);
        Ok(self.ssh.lock().entry(key).or_insert(made).clone())
    }
}

/// 32 key bytes for `what`: from the seed's own stream when seeded, else random.
fn seed32(seed: Option<u64>, what: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    Ids::new(seed, &format!("pmp/pki/{what}")).fill(&mut out);
    out
}

/// PKCS#8 v1 (RFC 8410) of an Ed25519 private key given by its 32-byte seed.
fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed);
    der
}

fn key_pair(seed: &[u8; 32]) -> Result<KeyPair, rcgen::Error> {
    let der = ed25519_pkcs8(seed);
    KeyPair::from_pkcs8_der_and_sign_algo(&der.as_slice().into(), &PKCS_ED25519)
}

fn make_certificate(seed: &[u8; 32], cert: &Certificate) -> Result<CertMaterial, rcgen::Error> {
    let key = key_pair(seed)?;
    let mut params = CertificateParams::new(cert.dns_names.clone())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cert.common_name.as_str());
    if !cert.organization.is_empty() {
        dn.push(DnType::OrganizationName, cert.organization.as_str());
    }
    params.distinguished_name = dn;
    let serial = hex_bytes(&cert.serial_number).ok_or(rcgen::Error::CouldNotParseCertificate)?;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    params.not_before = at(cert.valid_from_ms)?;
    params.not_after = at(cert.valid_to_ms)?;
    let made = params.self_signed(&key)?;
    Ok(CertMaterial {
        certificate_pem: made.pem(),
        private_key_pem: key.serialize_pem(),
    })
}

fn at(ms: i64) -> Result<OffsetDateTime, rcgen::Error> {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map_err(|_| rcgen::Error::CouldNotParseCertificate)
}

/// Bytes of a hex serial number (`0A:1B` or `0a1b`).
pub fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| *b != b':').collect();
    if digits.is_empty() || digits.len() & 1 == 1 || digits.len() > 40 {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// An Ed25519 SSH key in OpenSSH's formats (PROTOCOL.key of OpenSSH, RFC 8709 key blob).
fn make_ssh(seed: &[u8; 32], comment: &str) -> Result<SshMaterial, rcgen::Error> {
    let public = key_pair(seed)?.public_key_raw().to_vec();
    let mut blob = Vec::new();
    put_string(&mut blob, b"ssh-ed25519");
    put_string(&mut blob, &public);
    let b64 = base64::engine::general_purpose::STANDARD;
    let public_key = format!("ssh-ed25519 {} {comment}", b64.encode(&blob))
        .trim_end()
        .to_owned();
    let digest = <sha2::Sha256 as sha2::Digest>::digest(&blob);
    let fingerprint = format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    );
    // The private section: two equal check words (from the seed, so the file is stable),
    // the key, the comment, then padding 1, 2, 3... to a multiple of 8.
    let check = [seed[0], seed[1], seed[2], seed[3]];
    let mut private = Vec::new();
    private.extend_from_slice(&check);
    private.extend_from_slice(&check);
    put_string(&mut private, b"ssh-ed25519");
    put_string(&mut private, &public);
    let mut secret = seed.to_vec();
    secret.extend_from_slice(&public);
    put_string(&mut private, &secret);
    put_string(&mut private, comment.as_bytes());
    let mut pad = 1u8;
    while private.len() & 7 != 0 {
        private.push(pad);
        pad += 1;
    }
    let mut file = b"openssh-key-v1\0".to_vec();
    put_string(&mut file, b"none");
    put_string(&mut file, b"none");
    put_string(&mut file, b"");
    file.extend_from_slice(&1u32.to_be_bytes());
    put_string(&mut file, &blob);
    put_string(&mut file, &private);
    let body = b64.encode(&file);
    let mut private_key = String::from("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(70) {
        private_key.push_str(&String::from_utf8_lossy(line));
        private_key.push('\n');
    }
    private_key.push_str("-----END OPENSSH PRIVATE KEY-----\n");
    Ok(SshMaterial {
        public_key,
        private_key,
        fingerprint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> Certificate {
        Certificate {
            id: 1,
            common_name: "vault.example.com".into(),
            serial_number: "0A1B2C".into(),
            organization: "Example".into(),
            dns_names: vec!["vault.example.com".into()],
            valid_from_ms: 1_767_225_600_000,
            valid_to_ms: 1_798_761_600_000,
            passphrase: String::new(),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_certificate_and_another_seed_another() {
        let a = KeyCache::default()
            .certificate(Some(1), "main", &cert())
            .unwrap();
        let b = KeyCache::default()
            .certificate(Some(1), "main", &cert())
            .unwrap();
        let c = KeyCache::default()
            .certificate(Some(2), "main", &cert())
            .unwrap();
        assert_eq!(a.certificate_pem, b.certificate_pem);
        assert_eq!(a.private_key_pem, b.private_key_pem);
        assert_ne!(a.private_key_pem, c.private_key_pem);
        assert!(a.certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(a.private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    }

    #[test]
    fn an_ssh_key_has_openssh_formats() {
        let key = SshKey {
            id: 1,
            key_name: "deploy".into(),
            comment: "deploy@build".into(),
            created_ms: 0,
        };
        let m = KeyCache::default().ssh_key(Some(1), "main", &key).unwrap();
        assert!(m
            .public_key
            .starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"));
        assert!(m.public_key.ends_with(" deploy@build"));
        assert!(m
            .private_key
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU"));
        assert!(m.fingerprint.starts_with("SHA256:"));
        let again = KeyCache::default().ssh_key(Some(1), "main", &key).unwrap();
        assert_eq!(m.public_key, again.public_key);
    }

    #[test]
    fn hex_serials_read_with_or_without_colons() {
        assert_eq!(hex_bytes("0A:1b"), Some(vec![0x0a, 0x1b]));
        assert_eq!(hex_bytes("abc"), None);
        assert_eq!(hex_bytes("zz"), None);
    }
}
