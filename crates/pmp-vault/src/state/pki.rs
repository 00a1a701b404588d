//! The PKI part of the state document: `certificates` and `sshKeys` (key material is not in
//! the document: it is derived from `--seed`, see `pki/keys.rs`).

use super::time_ms;
use crate::pki::keys::hex_bytes;
use crate::store::{self, Certificate, SshKey};
use auth_core::StateError;
use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// An SSL certificate in the certificate repository.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CertificateDoc {
    /// Id (the key `getCertificateDetails` answers under).
    pub id: i64,
    /// Subject common name.
    pub common_name: String,
    /// Serial number, hex (`0A:1B:...` or `0a1b...`).
    pub serial_number: String,
    /// Subject organisation.
    #[serde(default)]
    pub organization: String,
    /// Subject alternative DNS names.
    #[serde(default)]
    pub dns_names: Vec<String>,
    /// Not before (RFC 3339).
    pub valid_from: String,
    /// Not after (RFC 3339): the certificate's expiry.
    pub valid_to: String,
    /// Passphrase of the private key in its keystore.
    #[serde(default)]
    pub passphrase: String,
}

/// An SSH key in the key repository.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SshKeyDoc {
    /// Id.
    pub id: i64,
    /// Key name.
    pub key_name: String,
    /// The public key's comment.
    #[serde(default)]
    pub comment: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Accounts on resources the key is associated with (deployed to).
    #[serde(default)]
    pub associations: Vec<KeyUserDoc>,
}

/// An account on a resource an SSH key is associated with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KeyUserDoc {
    /// Resource (host) name.
    pub resource_name: String,
    /// Account name on it.
    pub user_name: String,
}

/// Validate and write the certificates.
///
/// # Errors
/// [`StateError::Invalid`] naming the first bad field.
pub fn load_certificates(tx: &Transaction<'_>, docs: &[CertificateDoc]) -> Result<(), StateError> {
    let (mut ids, mut names) = (HashSet::new(), HashSet::new());
    for (i, c) in docs.iter().enumerate() {
        let at = |f: &str| format!("certificates[{i}].{f}");
        if !ids.insert(c.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if c.common_name.trim().is_empty() || c.common_name.contains(char::is_whitespace) {
            return Err(StateError::invalid(
                at("commonName"),
                "empty or with spaces",
            ));
        }
        let serial = c.serial_number.to_ascii_lowercase().replace(':', "");
        if hex_bytes(&c.serial_number).is_none()
            || !names.insert((c.common_name.to_lowercase(), serial))
        {
            return Err(StateError::invalid(
                at("serialNumber"),
                "not hex bytes, or a duplicate with this commonName",
            ));
        }
        if c.passphrase.contains(char::is_whitespace) {
            return Err(StateError::invalid(at("passphrase"), "contains spaces"));
        }
        let (from, to) = (
            time_ms(&at("validFrom"), &c.valid_from)?,
            time_ms(&at("validTo"), &c.valid_to)?,
        );
        if from >= to {
            return Err(StateError::invalid(at("validTo"), "not after validFrom"));
        }
        store::insert_certificate(
            tx,
            &Certificate {
                id: c.id,
                common_name: c.common_name.clone(),
                serial_number: c.serial_number.clone(),
                organization: c.organization.clone(),
                dns_names: c.dns_names.clone(),
                valid_from_ms: from,
                valid_to_ms: to,
                passphrase: c.passphrase.clone(),
            },
        )?;
    }
    Ok(())
}

/// Validate and write the SSH keys and their associations.
///
/// # Errors
/// [`StateError::Invalid`] naming the first bad field.
pub fn load_ssh_keys(tx: &Transaction<'_>, docs: &[SshKeyDoc]) -> Result<(), StateError> {
    let (mut ids, mut names) = (HashSet::new(), HashSet::new());
    for (i, k) in docs.iter().enumerate() {
        let at = |f: &str| format!("sshKeys[{i}].{f}");
        if !ids.insert(k.id) {
            return Err(StateError::invalid(at("id"), "duplicate id"));
        }
        if k.key_name.trim().is_empty() || !names.insert(k.key_name.to_lowercase()) {
            return Err(StateError::invalid(at("keyName"), "empty or duplicate"));
        }
        let created_ms = time_ms(&at("createdAt"), &k.created_at)?;
        store::insert_ssh_key(
            tx,
            &SshKey {
                id: k.id,
                key_name: k.key_name.clone(),
                comment: k.comment.clone(),
                created_ms,
            },
        )?;
        for a in &k.associations {
            store::insert_key_user(tx, k.id, &a.resource_name, &a.user_name)?;
        }
    }
    Ok(())
}

/// The certificates in the document's form.
///
/// # Errors
/// SQLite errors.
pub fn dump_certificates(conn: &Connection) -> rusqlite::Result<Vec<CertificateDoc>> {
    Ok(store::certificates(conn)?
        .into_iter()
        .map(|c| CertificateDoc {
            id: c.id,
            common_name: c.common_name,
            serial_number: c.serial_number,
            organization: c.organization,
            dns_names: c.dns_names,
            valid_from: auth_core::clock::rfc3339_ms(c.valid_from_ms),
            valid_to: auth_core::clock::rfc3339_ms(c.valid_to_ms),
            passphrase: c.passphrase,
        })
        .collect())
}

/// The SSH keys in the document's form.
///
/// # Errors
/// SQLite errors.
pub fn dump_ssh_keys(conn: &Connection) -> rusqlite::Result<Vec<SshKeyDoc>> {
    let users = store::key_users(conn)?;
    Ok(store::ssh_keys(conn)?
        .into_iter()
        .map(|k| SshKeyDoc {
            associations: users
                .iter()
                .filter(|u| u.key_id == k.id)
                .map(|u| KeyUserDoc {
                    resource_name: u.resource_name.clone(),
                    user_name: u.user_name.clone(),
                })
                .collect(),
            id: k.id,
            key_name: k.key_name,
            comment: k.comment,
            created_at: auth_core::clock::rfc3339_ms(k.created_ms),
        })
        .collect())
}
