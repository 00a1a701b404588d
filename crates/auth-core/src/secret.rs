//! Constant-time comparison of secrets.

use subtle::ConstantTimeEq;

/// Compare two secrets without leaking where they differ (the length may leak).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// [`ct_eq`] for text.
pub fn ct_eq_str(a: &str, b: &str) -> bool {
    ct_eq(a.as_bytes(), b.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_and_unequal_secrets() {
        assert!(ct_eq_str("secret", "secret"));
        assert!(!ct_eq_str("secret", "secreT"));
        assert!(!ct_eq_str("secret", "secret-longer"));
        assert!(!ct_eq_str("", "x"));
    }
}
