//! Key, token, nonce and id generation from one seedable RNG per instance.
//!
//! With `--seed N` every instance derives its RNG from `N` and a stream name (the product,
//! the tenant), so the same requests in the same order produce the same keys, tokens, ids
//! and nonces. Without a seed the RNG is seeded from the operating system.

use base64::Engine as _;
use parking_lot::Mutex;
use rand::{Rng as _, RngCore, SeedableRng};
use rand_chacha::ChaCha12Rng;
use std::sync::atomic::{AtomicU32, Ordering};

/// The instance's generator of random material.
#[derive(Debug)]
pub struct Ids {
    rng: Mutex<ChaCha12Rng>,
    seed: Option<u64>,
    counter: AtomicU32,
}

/// FNV-1a, used only to mix a stream name into a seed (not for security).
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

impl Ids {
    /// A generator for `stream` (e.g. `"pmp"`, `"pmp/t3"`), deterministic when `seed` is set.
    pub fn new(seed: Option<u64>, stream: &str) -> Self {
        let rng = match seed {
            Some(seed) => ChaCha12Rng::seed_from_u64(seed ^ fnv1a(stream)),
            None => ChaCha12Rng::from_os_rng(),
        };
        Ids {
            rng: Mutex::new(rng),
            seed,
            counter: AtomicU32::new(0),
        }
    }

    /// The seed this generator was derived from, if any.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// Fill `buf` with random bytes.
    pub fn fill(&self, buf: &mut [u8]) {
        self.rng.lock().fill_bytes(buf);
    }

    /// A uniformly random number in `0..n` (`n` > 0).
    pub fn below(&self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.rng.lock().random_range(0..n)
    }

    /// A uniformly random number in `[0, 1)`.
    pub fn unit(&self) -> f64 {
        self.rng.lock().random::<f64>()
    }

    /// `n_bytes` random bytes as lowercase hex (`2 * n_bytes` characters).
    pub fn hex(&self, n_bytes: usize) -> String {
        let mut buf = vec![0u8; n_bytes];
        self.fill(&mut buf);
        hex_lower(&buf)
    }

    /// `n` random lowercase ASCII letters (Ops Manager public keys).
    pub fn letters(&self, n: usize) -> String {
        let mut rng = self.rng.lock();
        (0..n)
            .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
            .collect()
    }

    /// `n` random characters drawn from `alphabet` (password generators).
    pub fn pick(&self, alphabet: &[u8], n: usize) -> String {
        if alphabet.is_empty() {
            return String::new();
        }
        let mut rng = self.rng.lock();
        (0..n)
            .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
            .collect()
    }

    /// A random (version 4) UUID in lowercase hyphenated form.
    pub fn uuid(&self) -> String {
        let mut bytes = [0u8; 16];
        self.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// `n_bytes` random bytes in standard base64 (24 bytes give 32 characters).
    pub fn base64(&self, n_bytes: usize) -> String {
        let mut buf = vec![0u8; n_bytes];
        self.fill(&mut buf);
        base64::engine::general_purpose::STANDARD.encode(buf)
    }

    /// A MongoDB-style ObjectId: 4-byte big-endian seconds, 5 random bytes, 3-byte counter.
    pub fn object_id(&self, epoch_secs: i64) -> String {
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&(epoch_secs as u32).to_be_bytes());
        self.fill(&mut bytes[4..9]);
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        bytes[9..].copy_from_slice(&count.to_be_bytes()[1..]);
        hex_lower(&bytes)
    }
}

/// Lowercase hex of `bytes`.
pub fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_stream_give_the_same_material() {
        let a = Ids::new(Some(42), "pmp");
        let b = Ids::new(Some(42), "pmp");
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.letters(8), b.letters(8));
        assert_eq!(a.object_id(1), b.object_id(1));
    }

    #[test]
    fn different_streams_differ_under_one_seed() {
        let a = Ids::new(Some(42), "pmp");
        let b = Ids::new(Some(42), "opsmgr");
        assert_ne!(a.hex(16), b.hex(16));
    }

    #[test]
    fn formats_match_the_vendor_shapes() {
        let ids = Ids::new(None, "x");
        let key = ids.letters(8);
        assert!(key.len() == 8 && key.bytes().all(|b| b.is_ascii_lowercase()));
        let uuid = ids.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.matches('-').count(), 4);
        assert_eq!(ids.base64(24).len(), 32);
        let oid = ids.object_id(0x5953c5f3);
        assert_eq!(oid.len(), 24);
        assert!(oid.starts_with("5953c5f3"));
        assert_eq!(ids.hex(16).len(), 32);
    }
}
