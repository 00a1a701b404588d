//! TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) over the instance clock, for the
//! TFA check OpManager makes before REST API access is enabled.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Step length in seconds (RFC 6238 section 4.1 default `X`).
pub const STEP_SECS: i64 = 30;

/// Decode RFC 4648 base32 (case-insensitive, `=` padding and spaces ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits: u64 = 0;
    let mut n_bits = 0u32;
    let mut out = Vec::new();
    for c in text.chars().filter(|c| *c != '=' && *c != ' ') {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        bits = (bits << 5) | v;
        n_bits += 5;
        if n_bits >= 8 {
            n_bits -= 8;
            out.push(((bits >> n_bits) & 0xff) as u8);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The 6-digit HOTP value (RFC 4226 section 5.3) of `secret` at `counter`.
pub fn hotp(secret: &[u8], counter: u64) -> Option<String> {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).ok()?;
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.last()? & 0x0f);
    let word: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let code = (u32::from_be_bytes(word) & 0x7fff_ffff) % 1_000_000;
    Some(format!("{code:06}"))
}

/// The TOTP value of `secret_b32` at `unix_secs`.
pub fn totp_at(secret_b32: &str, unix_secs: i64) -> Option<String> {
    let secret = base32_decode(secret_b32)?;
    let counter = u64::try_from(unix_secs.div_euclid(STEP_SECS)).ok()?;
    hotp(&secret, counter)
}

/// Whether `otp` is valid for `secret_b32` at `unix_secs`, allowing one step of clock drift.
pub fn verify(secret_b32: &str, otp: &str, unix_secs: i64) -> bool {
    [-STEP_SECS, 0, STEP_SECS].iter().any(|drift| {
        totp_at(secret_b32, unix_secs + drift)
            .is_some_and(|code| auth_core::secret::ct_eq_str(&code, otp.trim()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_6238_sha1_vectors() {
        // RFC 6238 Appendix B, secret "12345678901234567890" (last 6 digits).
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(totp_at(secret, 59).unwrap(), "287082");
        assert_eq!(totp_at(secret, 1_111_111_109).unwrap(), "081804");
        assert_eq!(totp_at(secret, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn verify_allows_one_step_of_drift_only() {
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert!(verify(secret, "287082", 59 + 30));
        assert!(!verify(secret, "287082", 59 + 90));
        assert!(!verify(secret, "", 59));
        assert_eq!(base32_decode("not base32!"), None);
    }
}
