//! TLS for the listeners: rustls with the `ring` provider, a self-signed certificate
//! generated at startup (rcgen) or PEM files given by the user.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// TLS setup failures.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or parsed.
    #[error("{path}: {message}")]
    Pem {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Certificate generation or rustls configuration failed.
    #[error("tls: {0}")]
    Config(String),
}

/// A server certificate and the rustls configuration using it.
#[derive(Clone)]
pub struct TlsMaterial {
    /// The certificate in PEM, for clients to trust (`--tls-cert-out`).
    pub cert_pem: String,
    /// The server configuration.
    pub config: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsMaterial(..)")
    }
}

/// A self-signed certificate for `localhost`, `127.0.0.1`, `::1` and `extra_names`.
///
/// # Errors
/// [`TlsError::Config`] if generation fails.
pub fn self_signed(extra_names: &[String]) -> Result<TlsMaterial, TlsError> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    for name in extra_names {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    let certified =
        rcgen::generate_simple_self_signed(names).map_err(|e| TlsError::Config(e.to_string()))?;
    let cert_pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(certified.key_pair.serialize_der().into());
    let config = server_config(vec![certified.cert.der().clone()], key)?;
    Ok(TlsMaterial { cert_pem, config })
}

/// Load a certificate chain and a private key from PEM files.
///
/// # Errors
/// [`TlsError::Pem`] naming the file.
pub fn from_pem_files(cert: &Path, key: &Path) -> Result<TlsMaterial, TlsError> {
    let pem_err = |path: &Path, message: String| TlsError::Pem {
        path: path.display().to_string(),
        message,
    };
    let cert_pem = std::fs::read_to_string(cert).map_err(|e| pem_err(cert, e.to_string()))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| pem_err(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(pem_err(cert, "no certificate found".into()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_err(key, e.to_string()))?;
    let config = server_config(chain, key_der)?;
    Ok(TlsMaterial { cert_pem, config })
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Arc::new(config))
}
