//! Vault rules independent of HTTP: password policies, password generation, PMP's time format.

use crate::state::PolicyDoc;
use auth_core::ids::Ids;

const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";
const SPECIAL: &[u8] = b"!@#$%^&*()-_=+[]{}:;,.?";

/// The first rule of `policy` that `password` breaks, in PMP's words (`COMPLIANT REASON`).
pub fn violation(policy: &PolicyDoc, password: &str) -> Option<String> {
    let len = password.chars().count();
    if len < policy.min_length as usize {
        return Some(format!("Minimum length must be {}", policy.min_length));
    }
    if len > policy.max_length as usize {
        return Some(format!("Maximum length must be {}", policy.max_length));
    }
    if policy.uppercase && !password.chars().any(|c| c.is_ascii_uppercase()) {
        return Some("Must contain at least one uppercase letter".into());
    }
    if policy.lowercase && !password.chars().any(|c| c.is_ascii_lowercase()) {
        return Some("Must contain at least one lowercase letter".into());
    }
    if policy.digits && !password.chars().any(|c| c.is_ascii_digit()) {
        return Some("Must contain at least one number".into());
    }
    if policy.special && password.chars().all(char::is_alphanumeric) {
        return Some("Must contain at least one special character".into());
    }
    None
}

/// A password that satisfies `policy` (at most 128 characters), drawn from the instance RNG.
pub fn generate(policy: &PolicyDoc, ids: &Ids) -> String {
    let len = (policy.min_length.max(12))
        .min(policy.max_length)
        .clamp(1, 128) as usize;
    let mut classes: Vec<&[u8]> = Vec::new();
    if policy.uppercase {
        classes.push(UPPER);
    }
    if policy.lowercase {
        classes.push(LOWER);
    }
    if policy.digits {
        classes.push(DIGITS);
    }
    if policy.special {
        classes.push(SPECIAL);
    }
    let all: Vec<u8> = if classes.is_empty() {
        [LOWER, UPPER, DIGITS].concat()
    } else {
        classes.concat()
    };
    let mut chars: Vec<char> = classes
        .iter()
        .take(len)
        .flat_map(|class| ids.pick(class, 1).chars().collect::<Vec<_>>())
        .collect();
    let rest = len.saturating_sub(chars.len());
    chars.extend(ids.pick(&all, rest).chars());
    // Fisher-Yates, so the required classes are not always first.
    for i in (1..chars.len()).rev() {
        let j = ids.below(i as u64 + 1) as usize;
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

/// PMP's display time: `Dec 1, 2021 09:00 PM`; `N/A` when never.
pub fn display_time(ms: Option<i64>) -> String {
    let Some(ms) = ms else {
        return "N/A".into();
    };
    let format = time::macros::format_description!(
        "[month repr:short] [day padding:none], [year] [hour repr:12]:[minute] [period]"
    );
    auth_core::clock::datetime_from_ms(ms)
        .format(&format)
        .unwrap_or_else(|_| "N/A".into())
}

/// The audit trail's time stamp: `2024-03-12 13:45:44.835` (UTC).
pub fn audit_time(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]"
    );
    auth_core::clock::datetime_from_ms(ms)
        .format(&format)
        .unwrap_or_default()
}

/// `EXPIRY STATUS` of a password last changed at `last_modified` (ms) under `policy`:
/// `Expired` once the policy's `maxAgeDays` have passed on the instance clock, else `Valid`
/// (also when the policy sets no age or the change time is unknown).
pub fn expiry_status(
    policy: Option<&PolicyDoc>,
    last_modified: Option<i64>,
    now_ms: i64,
) -> &'static str {
    let age_ms = policy.map_or(0, |p| i64::from(p.max_age_days) * 86_400_000);
    match last_modified {
        Some(at) if age_ms > 0 && now_ms >= at.saturating_add(age_ms) => "Expired",
        _ => "Valid",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_expires_when_its_policy_age_has_passed() {
        let mut policy = strong();
        assert_eq!(
            expiry_status(Some(&policy), Some(0), 10 * 86_400_000),
            "Valid"
        );
        policy.max_age_days = 10;
        assert_eq!(
            expiry_status(Some(&policy), Some(0), 10 * 86_400_000 - 1),
            "Valid"
        );
        assert_eq!(
            expiry_status(Some(&policy), Some(0), 10 * 86_400_000),
            "Expired"
        );
        assert_eq!(expiry_status(Some(&policy), None, i64::MAX), "Valid");
        assert_eq!(expiry_status(None, Some(0), i64::MAX), "Valid");
    }

    fn strong() -> PolicyDoc {
        PolicyDoc {
            name: "Strong".into(),
            min_length: 8,
            max_length: 32,
            uppercase: true,
            lowercase: true,
            digits: true,
            special: true,
            max_age_days: 0,
        }
    }

    #[test]
    fn violations_name_the_first_broken_rule() {
        let p = strong();
        assert_eq!(
            violation(&p, "Ab1!").as_deref(),
            Some("Minimum length must be 8")
        );
        assert_eq!(
            violation(&p, "abcdefg1!").as_deref(),
            Some("Must contain at least one uppercase letter")
        );
        assert_eq!(
            violation(&p, "Abcdefgh1").as_deref(),
            Some("Must contain at least one special character")
        );
        assert_eq!(violation(&p, "Test@12345$"), None);
    }

    #[test]
    fn generated_passwords_comply_and_follow_the_seed() {
        let p = strong();
        let a = Ids::new(Some(7), "pmp");
        let b = Ids::new(Some(7), "pmp");
        for _ in 0..50 {
            let pw = generate(&p, &a);
            assert_eq!(violation(&p, &pw), None, "{pw}");
            assert_eq!(pw, generate(&p, &b));
        }
    }

    #[test]
    fn display_time_is_pmps_format() {
        // 2021-12-01T21:00:00Z
        assert_eq!(
            display_time(Some(1_638_392_400_000)),
            "Dec 1, 2021 09:00 PM"
        );
        assert_eq!(display_time(None), "N/A");
        assert_eq!(audit_time(1_710_222_344_835), "2024-03-12 05:45:44.835");
    }
}
