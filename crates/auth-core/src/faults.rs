//! Fault injection and rate limits, per instance.
//!
//! A fault rule matches requests by `method`, `path` (a glob: `*` within a segment, `**`
//! across segments), `operation` and `principal` (all optional, all must match) and then,
//! subject to `after` (let the first N matches through), `probability` (drawn from the
//! instance's seeded RNG) and `times` (the rule expires after firing that often), acts:
//! answer with the vendor's own error body for `status`, `delay` the request, `reset` the
//! connection, or `truncate` the response body.
//!
//! A rate limit is a token bucket per credential or per client IP, for the whole product or
//! one operation, refilled on the instance clock.

use crate::ids::Ids;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Longest glob accepted.
pub const MAX_GLOB_LEN: usize = 512;

/// Whether `path` matches `glob` (`*` = any run of non-`/` characters, `**` = any run).
pub fn glob_match(glob: &str, path: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Byte(u8),
        Star,
        DoubleStar,
    }
    let g = glob.as_bytes();
    let mut toks = Vec::with_capacity(g.len());
    let mut i = 0;
    while i < g.len() {
        if g[i] == b'*' {
            if i + 1 < g.len() && g[i + 1] == b'*' {
                toks.push(Tok::DoubleStar);
                i += 2;
            } else {
                toks.push(Tok::Star);
                i += 1;
            }
        } else {
            toks.push(Tok::Byte(g[i]));
            i += 1;
        }
    }
    let p = path.as_bytes();
    // dp[j] = tokens[..t] match path[..j]
    let mut dp = vec![false; p.len() + 1];
    dp[0] = true;
    for tok in &toks {
        let mut next = vec![false; p.len() + 1];
        match tok {
            Tok::Byte(b) => {
                for j in 0..p.len() {
                    if dp[j] && p[j] == *b {
                        next[j + 1] = true;
                    }
                }
            }
            Tok::Star | Tok::DoubleStar => {
                for j in 0..=p.len() {
                    let extend =
                        j > 0 && next[j - 1] && (*tok == Tok::DoubleStar || p[j - 1] != b'/');
                    next[j] = dp[j] || extend;
                }
            }
        }
        dp = next;
    }
    dp[p.len()]
}

/// The words of `status`'s reason phrase as `snake_case` (`service_unavailable`,
/// `too_many_requests`), for products whose error codes spell the status that way; `None`
/// for a status without a registered reason phrase (e.g. 599).
pub fn reason_snake(status: actix_web::http::StatusCode) -> Option<String> {
    let reason = status.canonical_reason()?;
    let mut out = String::with_capacity(reason.len());
    for word in reason
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    Some(out)
}

/// What a fault rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Answer with the vendor's error body for `status`.
    Status,
    /// Wait `delay_ms` before serving.
    Delay,
    /// Drop the connection without an answer.
    Reset,
    /// Send only part of the response body.
    Truncate,
}

/// A fault rule as posted to `/_standin/faults`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Method to match (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path glob to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Operation name to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Principal to match (who the credential claims to be).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// Chance of firing on a match, 0..=1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Expire after firing this many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Let the first N matches through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// What to do.
    pub action: Action,
    /// Status for `action: status` (200..=599; a 1xx is an interim answer, never a final one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Delay for `action: delay` (at most 60000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Bytes of the body to send for `action: truncate` (default: half).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
}

impl FaultSpec {
    /// Check the rule.
    ///
    /// # Errors
    /// A message naming the bad field.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) || p.is_nan() {
                return Err("probability: must be between 0 and 1".into());
            }
        }
        if let Some(path) = &self.path {
            if !path.starts_with('/') || path.len() > MAX_GLOB_LEN {
                return Err(format!(
                    "path: a glob starting with '/' of at most {MAX_GLOB_LEN} characters"
                ));
            }
        }
        if let Some(m) = &self.method {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err("method: expected an HTTP method such as GET".into());
            }
        }
        if self.times == Some(0) {
            return Err("times: must be at least 1".into());
        }
        match self.action {
            Action::Status => match self.status {
                Some(s) if (200..=599).contains(&s) => {}
                Some(_) => {
                    return Err("status: must be an HTTP status between 200 and 599 (a 1xx \
                                is an interim answer, not a final one)"
                        .into())
                }
                None => return Err("status: required with \"action\": \"status\"".into()),
            },
            Action::Delay => match self.delay_ms {
                Some(ms) if ms <= 60_000 => {}
                Some(_) => return Err("delay_ms: at most 60000".into()),
                None => return Err("delay_ms: required with \"action\": \"delay\"".into()),
            },
            Action::Reset | Action::Truncate => {}
        }
        if self.action != Action::Status && self.status.is_some() {
            return Err("status: only with \"action\": \"status\"".into());
        }
        if self.action != Action::Delay && self.delay_ms.is_some() {
            return Err("delay_ms: only with \"action\": \"delay\"".into());
        }
        if self.action != Action::Truncate && self.bytes.is_some() {
            return Err("bytes: only with \"action\": \"truncate\"".into());
        }
        Ok(())
    }

    fn matches(&self, req: &RequestFacts<'_>) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| req.method.eq_ignore_ascii_case(m))
            && self.path.as_deref().is_none_or(|g| glob_match(g, req.path))
            && self
                .operation
                .as_deref()
                .is_none_or(|o| req.operation == Some(o))
            && self
                .principal
                .as_deref()
                .is_none_or(|p| req.principal == Some(p))
    }
}

/// A stored fault rule.
#[derive(Debug, Clone, Serialize)]
pub struct FaultRule {
    /// Its id (`f1`, `f2`, ...).
    pub id: String,
    /// The rule.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// How many requests matched it.
    pub matched: u64,
    /// How many times it fired.
    pub fired: u64,
}

/// What the engine knows of a request before running the product.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// Method.
    pub method: &'a str,
    /// Path.
    pub path: &'a str,
    /// Operation, if the path matched a route.
    pub operation: Option<&'a str>,
    /// Principal hint.
    pub principal: Option<&'a str>,
    /// Client address (for per-IP limits).
    pub client: Option<std::net::IpAddr>,
}

/// A fault that fired.
#[derive(Debug, Clone)]
pub struct Fired {
    /// The rule's id.
    pub id: String,
    /// Its action.
    pub action: Action,
    /// `status` of the rule.
    pub status: Option<u16>,
    /// `delay_ms` of the rule.
    pub delay_ms: Option<u64>,
    /// `bytes` of the rule.
    pub bytes: Option<usize>,
}

/// The fault rules of one instance.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    seq: Mutex<u64>,
}

impl Faults {
    /// Whether any rule is active (cheap check on every request).
    pub fn any(&self) -> bool {
        !self.rules.lock().is_empty()
    }

    /// Whether any active rule needs the principal.
    pub fn needs_principal(&self) -> bool {
        self.rules.lock().iter().any(|r| r.spec.principal.is_some())
    }

    /// Whether any active rule needs the operation.
    pub fn needs_operation(&self) -> bool {
        self.rules.lock().iter().any(|r| r.spec.operation.is_some())
    }

    /// Add a validated rule; returns it with its id.
    pub fn add(&self, spec: FaultSpec) -> FaultRule {
        let id = {
            let mut seq = self.seq.lock();
            *seq += 1;
            format!("f{}", *seq)
        };
        let rule = FaultRule {
            id,
            spec,
            matched: 0,
            fired: 0,
        };
        self.rules.lock().push(rule.clone());
        rule
    }

    /// The active rules.
    pub fn list(&self) -> Vec<FaultRule> {
        self.rules.lock().clone()
    }

    /// Remove one rule; false if there is none with that id.
    pub fn remove(&self, id: &str) -> bool {
        let mut rules = self.rules.lock();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// Remove every rule.
    pub fn clear(&self) {
        self.rules.lock().clear();
    }

    /// The first rule that fires for this request, if any (rules are tried in order).
    pub fn decide(&self, req: &RequestFacts<'_>, ids: &Ids) -> Option<Fired> {
        let mut rules = self.rules.lock();
        let mut fired_at = None;
        for (index, rule) in rules.iter_mut().enumerate() {
            if !rule.spec.matches(req) {
                continue;
            }
            rule.matched += 1;
            if rule.matched <= rule.spec.after.unwrap_or(0) {
                continue;
            }
            if let Some(p) = rule.spec.probability {
                if ids.unit() >= p {
                    continue;
                }
            }
            rule.fired += 1;
            fired_at = Some(index);
            break;
        }
        let index = fired_at?;
        let rule = &rules[index];
        let fired = Fired {
            id: rule.id.clone(),
            action: rule.spec.action,
            status: rule.spec.status,
            delay_ms: rule.spec.delay_ms,
            bytes: rule.spec.bytes,
        };
        if rule.spec.times.is_some_and(|t| rule.fired >= t) {
            rules.remove(index);
        }
        Some(fired)
    }
}

/// What a rate limit is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitKey {
    /// The credential's principal (requests without one share a bucket).
    Credential,
    /// The client IP.
    Ip,
}

/// A rate limit as posted to `/_standin/rate-limits`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// Bucket per credential or per client IP.
    pub per: LimitKey,
    /// Only this operation (default: every request of the product).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Bucket size: requests allowed in a burst.
    pub capacity: u32,
    /// Tokens added per second of instance-clock time.
    pub refill_per_sec: f64,
}

impl LimitSpec {
    /// Check the limit.
    ///
    /// # Errors
    /// A message naming the bad field.
    pub fn validate(&self) -> Result<(), String> {
        if self.capacity == 0 {
            return Err("capacity: must be at least 1".into());
        }
        if !(self.refill_per_sec.is_finite() && self.refill_per_sec > 0.0) {
            return Err("refill_per_sec: must be a positive number".into());
        }
        Ok(())
    }
}

/// A stored rate limit.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRule {
    /// Its id (`r1`, ...).
    pub id: String,
    /// The limit.
    #[serde(flatten)]
    pub spec: LimitSpec,
    /// Requests refused so far.
    pub refused: u64,
    #[serde(skip)]
    buckets: HashMap<String, (f64, i64)>,
    /// What the buckets take, counted as [`BUCKET_BYTES`] plus the key's length each.
    #[serde(skip)]
    bucket_bytes: usize,
}

/// A refusal by a rate limit.
#[derive(Debug, Clone)]
pub struct Limited {
    /// The rule's id.
    pub id: String,
    /// Seconds until a token is available.
    pub retry_after_secs: u64,
    /// The bucket key (principal or IP).
    pub key: String,
}

/// The rate limits of one instance.
#[derive(Debug, Default)]
pub struct RateLimits {
    rules: Mutex<Vec<LimitRule>>,
    seq: Mutex<u64>,
}

/// Most bytes one rule's buckets take (keys are principals or addresses of any length).
pub const MAX_BUCKET_BYTES: usize = 1 << 20;

/// What one bucket takes besides its key's text: the key's `String`, the token count and
/// stamp, and the hash table's slot and control byte, rounded up.
const BUCKET_BYTES: usize = 64;

impl LimitRule {
    /// Make room for a new bucket of `key_len` bytes at `now_ms`. A bucket that has refilled
    /// to capacity is the same as no bucket (a new one starts full), so those go first and
    /// nothing changes for anyone; if that frees less than a quarter, every bucket is dropped
    /// (each starts full again: a flood of new keys loosens the limit, never tightens it), so
    /// a full rule is swept at most once per quarter of its bytes.
    fn make_room(&mut self, key_len: usize, now_ms: i64) {
        if self.bucket_bytes + BUCKET_BYTES + key_len <= MAX_BUCKET_BYTES {
            return;
        }
        let capacity = f64::from(self.spec.capacity);
        let rate = self.spec.refill_per_sec;
        self.buckets.retain(|_, (tokens, at)| {
            let elapsed = (now_ms - *at).max(0) as f64 / 1000.0;
            *tokens + elapsed * rate < capacity
        });
        if self.bucket_bytes_now() + BUCKET_BYTES + key_len > MAX_BUCKET_BYTES / 4 * 3 {
            self.buckets.clear();
        }
        self.bucket_bytes = self.bucket_bytes_now();
    }

    fn bucket_bytes_now(&self) -> usize {
        self.buckets.keys().map(|k| BUCKET_BYTES + k.len()).sum()
    }
}

impl RateLimits {
    /// Whether any limit is active.
    pub fn any(&self) -> bool {
        !self.rules.lock().is_empty()
    }

    /// Whether any limit is keyed by credential.
    pub fn needs_principal(&self) -> bool {
        self.rules
            .lock()
            .iter()
            .any(|r| r.spec.per == LimitKey::Credential)
    }

    /// Whether any limit is for one operation.
    pub fn needs_operation(&self) -> bool {
        self.rules.lock().iter().any(|r| r.spec.operation.is_some())
    }

    /// Add a validated limit.
    pub fn add(&self, spec: LimitSpec) -> LimitRule {
        let id = {
            let mut seq = self.seq.lock();
            *seq += 1;
            format!("r{}", *seq)
        };
        let rule = LimitRule {
            id,
            spec,
            refused: 0,
            buckets: HashMap::new(),
            bucket_bytes: 0,
        };
        self.rules.lock().push(rule.clone());
        rule
    }

    /// The active limits.
    pub fn list(&self) -> Vec<LimitRule> {
        self.rules.lock().clone()
    }

    /// Remove one limit.
    pub fn remove(&self, id: &str) -> bool {
        let mut rules = self.rules.lock();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// Remove every limit.
    pub fn clear(&self) {
        self.rules.lock().clear();
    }

    /// Take a token from every applicable bucket at `now_ms`; the first empty one refuses.
    pub fn check(&self, req: &RequestFacts<'_>, now_ms: i64) -> Option<Limited> {
        let mut rules = self.rules.lock();
        for rule in rules.iter_mut() {
            if rule
                .spec
                .operation
                .as_deref()
                .is_some_and(|o| req.operation != Some(o))
            {
                continue;
            }
            let key = match rule.spec.per {
                LimitKey::Credential => req.principal.unwrap_or("").to_owned(),
                LimitKey::Ip => req.client.map(|ip| ip.to_string()).unwrap_or_default(),
            };
            let capacity = f64::from(rule.spec.capacity);
            let rate = rule.spec.refill_per_sec;
            if !rule.buckets.contains_key(&key) {
                rule.make_room(key.len(), now_ms);
                rule.bucket_bytes += BUCKET_BYTES + key.len();
            }
            let bucket = rule
                .buckets
                .entry(key.clone())
                .or_insert((capacity, now_ms));
            let elapsed = (now_ms - bucket.1).max(0) as f64 / 1000.0;
            bucket.0 = (bucket.0 + elapsed * rate).min(capacity);
            bucket.1 = now_ms;
            if bucket.0 >= 1.0 {
                bucket.0 -= 1.0;
            } else {
                let wait = ((1.0 - bucket.0) / rate).ceil().max(1.0) as u64;
                rule.refused += 1;
                return Some(Limited {
                    id: rule.id.clone(),
                    retry_after_secs: wait,
                    key,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_phrases_become_snake_case_words() {
        use actix_web::http::StatusCode as S;
        assert_eq!(
            reason_snake(S::SERVICE_UNAVAILABLE).as_deref(),
            Some("service_unavailable")
        );
        assert_eq!(
            reason_snake(S::TOO_MANY_REQUESTS).as_deref(),
            Some("too_many_requests")
        );
        assert_eq!(
            reason_snake(S::IM_A_TEAPOT).as_deref(),
            Some("i_m_a_teapot")
        );
        assert_eq!(reason_snake(S::from_u16(599).unwrap()), None);
    }

    #[test]
    fn globs_match_within_and_across_segments() {
        assert!(glob_match(
            "/api/json/device/*",
            "/api/json/device/listDevices"
        ));
        assert!(!glob_match("/api/json/device/*", "/api/json/device/a/b"));
        assert!(glob_match("/api/**", "/api/json/device/a/b"));
        assert!(glob_match("/api/**/b", "/api/json/b"));
        assert!(glob_match("/x", "/x"));
        assert!(!glob_match("/x", "/xy"));
        assert!(glob_match("/a*c", "/abbbc"));
        assert!(!glob_match("/a*c", "/ab/c"));
        assert!(glob_match("**", ""));
        let long = "*".repeat(300);
        assert!(glob_match(&long, "/abc"));
    }

    fn facts<'a>(path: &'a str) -> RequestFacts<'a> {
        RequestFacts {
            method: "GET",
            path,
            operation: None,
            principal: None,
            client: None,
        }
    }

    fn status_rule(times: Option<u64>, after: Option<u64>) -> FaultSpec {
        FaultSpec {
            method: Some("GET".into()),
            path: Some("/d/*".into()),
            operation: None,
            principal: None,
            probability: None,
            times,
            after,
            action: Action::Status,
            status: Some(503),
            delay_ms: None,
            bytes: None,
        }
    }

    #[test]
    fn a_rule_with_times_two_fires_exactly_twice() {
        let faults = Faults::default();
        let ids = Ids::new(Some(1), "t");
        faults.add(status_rule(Some(2), None));
        let fired: Vec<bool> = (0..5)
            .map(|_| faults.decide(&facts("/d/x"), &ids).is_some())
            .collect();
        assert_eq!(fired, [true, true, false, false, false]);
        assert!(!faults.any());
    }

    #[test]
    fn after_lets_the_first_matches_through() {
        let faults = Faults::default();
        let ids = Ids::new(Some(1), "t");
        faults.add(status_rule(None, Some(2)));
        let fired: Vec<bool> = (0..4)
            .map(|_| faults.decide(&facts("/d/x"), &ids).is_some())
            .collect();
        assert_eq!(fired, [false, false, true, true]);
        assert!(faults.decide(&facts("/other"), &ids).is_none());
    }

    #[test]
    fn bad_rules_are_refused_with_the_field() {
        let mut r = status_rule(None, None);
        r.status = None;
        assert!(r.validate().unwrap_err().starts_with("status"));
        let mut r = status_rule(None, None);
        r.probability = Some(1.5);
        assert!(r.validate().unwrap_err().starts_with("probability"));
        let mut r = status_rule(Some(0), None);
        assert!(r.validate().unwrap_err().starts_with("times"));
        r.times = None;
        r.path = Some("no-slash".into());
        assert!(r.validate().unwrap_err().starts_with("path"));
    }

    #[test]
    fn buckets_are_bounded_by_bytes_and_refilled_ones_go_first() {
        let limits = RateLimits::default();
        limits.add(LimitSpec {
            per: LimitKey::Credential,
            capacity: 1,
            refill_per_sec: 1.0,
            operation: None,
        });
        let long = "k".repeat(4_000);
        fn facts(p: &str) -> RequestFacts<'_> {
            RequestFacts {
                method: "GET",
                path: "/x",
                operation: None,
                principal: Some(p),
                client: None,
            }
        }
        // "active" empties its bucket at t=0; 10,000 long keys arrive later, each once.
        assert!(limits.check(&facts("active"), 0).is_none());
        for i in 0..10_000 {
            let key = format!("{long}{i}");
            assert!(
                limits.check(&facts(&key), 0).is_none(),
                "a new key starts full"
            );
            let rules = limits.rules.lock();
            assert!(rules[0].bucket_bytes <= MAX_BUCKET_BYTES);
            assert_eq!(rules[0].bucket_bytes, rules[0].bucket_bytes_now());
        }
        // Still at t=0: every bucket is empty, so the rule was swept by dropping all; a key
        // seen after the last sweep is still refused.
        let last = format!("{long}9999");
        assert!(
            limits.check(&facts(&last), 0).is_some(),
            "its bucket is kept"
        );
        // Later, refilled buckets are dropped to make room and the empty one stays.
        assert!(limits.check(&facts("fresh"), 500).is_none());
        assert!(
            limits.check(&facts("fresh"), 600).is_some(),
            "fresh is empty until t=1600"
        );
        // 100 more keys: one sweep (about 23 fit before it), which drops the keys of t=0.
        for i in 0..100 {
            let key = format!("{long}late{i}");
            assert!(limits.check(&facts(&key), 1_000 + i).is_none());
        }
        assert!(
            limits.check(&facts("fresh"), 1_200).is_some(),
            "its bucket survived"
        );
    }

    #[test]
    fn a_bucket_refuses_when_empty_and_refills_on_the_clock() {
        let limits = RateLimits::default();
        limits.add(LimitSpec {
            per: LimitKey::Credential,
            operation: None,
            capacity: 2,
            refill_per_sec: 1.0,
        });
        let mut f = facts("/x");
        f.principal = Some("alice");
        assert!(limits.check(&f, 0).is_none());
        assert!(limits.check(&f, 0).is_none());
        let refused = limits.check(&f, 0).unwrap();
        assert_eq!(refused.retry_after_secs, 1);
        f.principal = Some("bob");
        assert!(limits.check(&f, 0).is_none(), "buckets are per credential");
        f.principal = Some("alice");
        assert!(
            limits.check(&f, 1000).is_none(),
            "refilled after a second of instance time"
        );
    }
}
