//! The instance's token-signing keys. A 32-byte secret is drawn from the instance RNG and kept
//! in the store (`config.jwtSecret`), so with `--data-dir` tokens stay valid across a restart,
//! as they do on a real server. The legacy profile signs HS256 with it (the token of the
//! vendor's "Getting Started with REST API" page); the 2025 and 2026 profiles sign RS256 with a
//! 2048-bit RSA key generated from it (stable under `--seed`, and across restarts with
//! `--data-dir`), the 2026 one with the header `kid` `floto-key-id`.
//!
//! Header bytes, as the vendor's tokens carry them:
//! - legacy: `{"alg":"HS256","typ":"JWT"}` (the vendor page's example token);
//! - 2025: `{"alg":"RS256","typ":"JWT"}` (tokens captured from a real 2025 server carry no
//!   `kid`);
//! - 2026: `{"alg":"RS256","typ":"JWT","kid":"floto-key-id"}` (the 2026 documentation's
//!   token; `kid` after `typ`, as Spring Security's `JwtHelper` writes extra header members).
//!
//! RSA key generation takes a while, so the keys are made on first use (the first token
//! issued or checked), not at startup.

use crate::{store, TokenProfile};
use auth_core::jwt::JwtKeys;
use auth_core::{Env, Store};
use std::sync::OnceLock;

/// The `kid` of the 2026 build's tokens.
pub(crate) const KEY_ID: &str = "floto-key-id";

/// The RSA key size of the RS256 profiles.
const RSA_BITS: usize = 2048;

/// The config key of the JWT secret.
pub(crate) const JWT_SECRET: &str = "jwtSecret";

/// The signing keys of one instance, resolved on first use.
#[derive(Debug)]
pub(crate) struct Signing {
    profile: TokenProfile,
    fresh_secret: [u8; 32],
    keys: OnceLock<JwtKeys>,
    secret: OnceLock<[u8; 32]>,
}

impl Signing {
    /// A fresh secret from the instance RNG (used unless the store already has one).
    pub(crate) fn new(env: &Env, profile: TokenProfile) -> Self {
        let mut fresh_secret = [0u8; 32];
        env.ids.fill(&mut fresh_secret);
        Signing {
            profile,
            fresh_secret,
            keys: OnceLock::new(),
            secret: OnceLock::new(),
        }
    }

    /// The instance's keys for its profile, from the stored secret if the store has one, else
    /// from the fresh one (which `load_state` stores).
    pub(crate) fn keys(&self, store: &Store) -> &JwtKeys {
        self.keys.get_or_init(|| {
            let stored = store
                .read(|c| store::config::<String>(c, JWT_SECRET))
                .ok()
                .and_then(|hex| decode_hex(&hex));
            let secret = *self
                .secret
                .get_or_init(|| stored.unwrap_or(self.fresh_secret));
            match self.profile {
                TokenProfile::Legacy => JwtKeys::hs256(&secret),
                TokenProfile::V2025 => rs256(secret, None),
                TokenProfile::V2026 => rs256(secret, Some(KEY_ID)),
            }
        })
    }

    /// The secret in use (or about to be), as stored: a JSON string of lower-case hex.
    pub(crate) fn stored_secret(&self) -> String {
        let secret = *self.secret.get_or_init(|| self.fresh_secret);
        serde_json::to_string(&auth_core::ids::hex_lower(&secret)).unwrap_or_default()
    }
}

/// RS256 keys from `secret`; should generation ever fail, HS256 keys (tokens still work,
/// with the legacy header) rather than none.
fn rs256(secret: [u8; 32], kid: Option<&str>) -> JwtKeys {
    match JwtKeys::rs256(secret, RSA_BITS, kid) {
        Ok(keys) => keys,
        Err(err) => {
            tracing::error!("serviceops: RSA key generation failed ({err}); signing HS256");
            JwtKeys::hs256(&secret)
        }
    }
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, slot) in out.iter_mut().enumerate() {
        let pair = text.get(i * 2..i * 2 + 2)?;
        *slot = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}
