//! The instance's token-signing keys: an HS256 secret drawn from the instance RNG and kept in
//! the store (`config.jwtSecret`), so with `--data-dir` tokens stay valid across a restart, as
//! they do on a real server.

use crate::store;
use auth_core::jwt::JwtKeys;
use auth_core::{Env, Store};
use std::sync::OnceLock;

/// The config key of the JWT secret.
pub(crate) const JWT_SECRET: &str = "jwtSecret";

/// The signing keys of one instance, resolved on first use.
#[derive(Debug)]
pub(crate) struct Signing {
    fresh_secret: [u8; 32],
    keys: OnceLock<JwtKeys>,
    secret: OnceLock<[u8; 32]>,
}

impl Signing {
    /// A fresh secret from the instance RNG (used unless the store already has one).
    pub(crate) fn new(env: &Env) -> Self {
        let mut fresh_secret = [0u8; 32];
        env.ids.fill(&mut fresh_secret);
        Signing {
            fresh_secret,
            keys: OnceLock::new(),
            secret: OnceLock::new(),
        }
    }

    /// The instance's HS256 keys: the stored secret if the store has one, else the fresh one
    /// (which `load_state` stores).
    pub(crate) fn keys(&self, store: &Store) -> &JwtKeys {
        self.keys.get_or_init(|| {
            let stored = store
                .read(|c| store::config::<String>(c, JWT_SECRET))
                .ok()
                .and_then(|hex| decode_hex(&hex));
            let secret = *self
                .secret
                .get_or_init(|| stored.unwrap_or(self.fresh_secret));
            JwtKeys::hs256(&secret)
        })
    }

    /// The secret in use (or about to be), as stored: a JSON string of lower-case hex.
    pub(crate) fn stored_secret(&self) -> String {
        let secret = *self.secret.get_or_init(|| self.fresh_secret);
        serde_json::to_string(&auth_core::ids::hex_lower(&secret)).unwrap_or_default()
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
