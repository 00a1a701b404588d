//! Server-side HTTP Digest authentication (RFC 7616, RFC 2617; MD5, `qop=auth`).
//!
//! [`DigestServer`] issues nonces, builds the `WWW-Authenticate` challenge and verifies
//! `Authorization: Digest …` headers. The arithmetic is the `digest_auth` crate's; the nonce
//! store is ours:
//! - a nonce lives for a configurable time on the instance [`Clock`];
//! - a live nonce may be reused with a new `nc`/`cnonce` (requests and httpx cache the last
//!   challenge), but the exact `(nonce, nc, cnonce)` triple is accepted once only;
//! - an expired nonce with an otherwise correct digest yields [`DigestError::Stale`], so the
//!   product can answer `stale=true` (RFC 7616 section 3.3).
//!
//! Memory is bounded by bytes: the nonces remembered and the `(nc, cnonce)` pairs each has
//! seen may take at most [`MAX_NONCE_BYTES`] (the oldest nonces are dropped to make room),
//! and a nonce that has served [`MAX_USES_PER_NONCE`] requests is retired as stale. A seen
//! pair is kept as a 64-bit fingerprint (SipHash with a per-table random key), so a fresh
//! pair is refused as a replay only on a fingerprint collision (odds about 2^-64 per pair).

use crate::clock::Clock;
use crate::ids::Ids;
use crate::secret::ct_eq;
use md5::{Digest as _, Md5};
use parking_lot::Mutex;
use std::borrow::Cow;
use std::collections::{hash_map::RandomState, HashMap, HashSet, VecDeque};
use std::hash::BuildHasher;

/// Bytes the nonce table of one realm may take at most.
pub const MAX_NONCE_BYTES: usize = 4 << 20;
/// How many requests one nonce may authenticate before it is retired as stale.
pub const MAX_USES_PER_NONCE: usize = 4_096;
/// Longest `Authorization` header value that is parsed at all.
pub const MAX_HEADER_LEN: usize = 8 * 1024;

/// The parameters of an `Authorization: Digest …` header (keys matched case-insensitively,
/// values quoted or not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestParams {
    /// `username`
    pub username: String,
    /// `realm`
    pub realm: String,
    /// `nonce`
    pub nonce: String,
    /// `uri`
    pub uri: String,
    /// `response`
    pub response: String,
    /// `algorithm`, if sent
    pub algorithm: Option<String>,
    /// `qop`, if sent
    pub qop: Option<String>,
    /// `nc`, if sent
    pub nc: Option<String>,
    /// `cnonce`, if sent
    pub cnonce: Option<String>,
}

/// Why a Digest `Authorization` header was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// No `Authorization: Digest` header.
    #[error("no Digest credentials")]
    Missing,
    /// The header could not be parsed or lacks a required parameter.
    #[error("malformed Digest header: {0}")]
    Malformed(&'static str),
    /// The realm is not ours.
    #[error("Digest realm {0:?} is not this server's")]
    WrongRealm(String),
    /// An algorithm other than MD5.
    #[error("Digest algorithm {0:?} is not supported")]
    Algorithm(String),
    /// A qop other than `auth`.
    #[error("Digest qop {0:?} is not supported")]
    Qop(String),
    /// The nonce was never issued here (or was forgotten).
    #[error("Digest nonce was not issued by this server")]
    UnknownNonce,
    /// The username matches no credential.
    #[error("Digest username {0:?} is unknown")]
    UnknownUser(String),
    /// The response hash is wrong.
    #[error("Digest response does not match for user {0:?}")]
    BadResponse(String),
    /// The nonce expired, but the digest was right.
    #[error("Digest nonce expired")]
    Stale,
    /// The exact `(nonce, nc, cnonce)` triple was already used.
    #[error("Digest request replayed (same nonce, nc and cnonce)")]
    Replay,
    /// `uri` does not match the request target.
    #[error("Digest uri {0:?} does not match the request target")]
    UriMismatch(String),
}

impl DigestError {
    /// Whether the challenge should say `stale=true`.
    pub fn is_stale(&self) -> bool {
        matches!(self, DigestError::Stale)
    }
}

/// Parse `Authorization: Digest k=v, k="v", …`.
///
/// # Errors
/// [`DigestError::Missing`] if the scheme is not Digest, [`DigestError::Malformed`] otherwise.
pub fn parse_authorization(value: &str) -> Result<DigestParams, DigestError> {
    parse_borrowed(value).map(Borrowed::into_owned)
}

/// The parameters of a Digest header as slices of it (owned only where a quoted value had
/// an escape): what [`DigestServer::verify`] reads, without copying every value.
#[derive(Default)]
struct Borrowed<'a> {
    username: Cow<'a, str>,
    realm: Cow<'a, str>,
    nonce: Cow<'a, str>,
    uri: Cow<'a, str>,
    response: Cow<'a, str>,
    algorithm: Option<Cow<'a, str>>,
    qop: Option<Cow<'a, str>>,
    nc: Option<Cow<'a, str>>,
    cnonce: Option<Cow<'a, str>>,
}

impl Borrowed<'_> {
    fn into_owned(self) -> DigestParams {
        DigestParams {
            username: self.username.into_owned(),
            realm: self.realm.into_owned(),
            nonce: self.nonce.into_owned(),
            uri: self.uri.into_owned(),
            response: self.response.into_owned(),
            algorithm: self.algorithm.map(Cow::into_owned),
            qop: self.qop.map(Cow::into_owned),
            nc: self.nc.map(Cow::into_owned),
            cnonce: self.cnonce.map(Cow::into_owned),
        }
    }
}

fn parse_borrowed(value: &str) -> Result<Borrowed<'_>, DigestError> {
    if value.len() > MAX_HEADER_LEN {
        return Err(DigestError::Malformed("header too long"));
    }
    let value = value.trim_start();
    let rest = match value.split_once(|c: char| c.is_ascii_whitespace()) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("digest") => rest,
        _ => return Err(DigestError::Missing),
    };
    let mut params = Borrowed::default();
    let (mut has_user, mut has_realm, mut has_nonce, mut has_uri, mut has_resp) =
        (false, false, false, false, false);
    split_params(rest, |key, val| {
        // By length first: one comparison per parameter instead of up to nine.
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        match key.len() {
            8 if is("username") => {
                has_user = true;
                params.username = val;
            }
            5 if is("realm") => {
                has_realm = true;
                params.realm = val;
            }
            5 if is("nonce") => {
                has_nonce = true;
                params.nonce = val;
            }
            3 if is("uri") => {
                has_uri = true;
                params.uri = val;
            }
            8 if is("response") => {
                has_resp = true;
                params.response = val;
            }
            9 if is("algorithm") => params.algorithm = Some(val),
            3 if is("qop") => params.qop = Some(val),
            2 if is("nc") => params.nc = Some(val),
            6 if is("cnonce") => params.cnonce = Some(val),
            _ => {}
        }
    })?;
    let missing = [
        (has_user, "username is missing"),
        (has_realm, "realm is missing"),
        (has_nonce, "nonce is missing"),
        (has_uri, "uri is missing"),
        (has_resp, "response is missing"),
    ];
    if let Some((_, why)) = missing.iter().find(|(present, _)| !present) {
        return Err(DigestError::Malformed(why));
    }
    Ok(params)
}

/// Split `k=v, k="v \" x", …` into pairs, each handed to `each` in order; commas inside
/// quotes do not split.
fn split_params<'a>(
    text: &'a str,
    mut each: impl FnMut(&'a str, Cow<'a, str>),
) -> Result<(), DigestError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i] == b',' || bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
        while i < bytes.len() && bytes[i] != b'=' && bytes[i] != b',' {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            return Err(DigestError::Malformed("parameter without '='"));
        }
        let key = text[key_start..i].trim();
        i += 1;
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'"' {
            i += 1;
            let start = i;
            // The common case, no escape: one scan to the closing quote.
            let stop = bytes[start..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .map(|at| start + at)
                .ok_or(DigestError::Malformed("unterminated quoted value"))?;
            if bytes[stop] == b'"' {
                each(key, Cow::Borrowed(&text[start..stop]));
                i = stop + 1;
                continue;
            }
            i = stop;
            let mut escaped = false;
            let mut buf = text[start..i].to_owned();
            loop {
                if i >= bytes.len() {
                    return Err(DigestError::Malformed("unterminated quoted value"));
                }
                match bytes[i] {
                    b'\\' if !escaped => escaped = true,
                    b'"' if !escaped => break,
                    _ => {
                        // Only ASCII reaches here: header values are visible ASCII.
                        buf.push(char::from(bytes[i]));
                        escaped = false;
                    }
                }
                i += 1;
            }
            i += 1;
            each(key, Cow::Owned(buf));
        } else {
            let start = i;
            while i < bytes.len() && bytes[i] != b',' {
                i += 1;
            }
            each(key, Cow::Borrowed(text[start..i].trim()));
        }
    }
    Ok(())
}

/// An issued nonce: 24 random bytes in standard base64 are always 32 characters.
type Nonce = [u8; 32];

#[derive(Debug)]
struct NonceEntry {
    issued_ms: i64,
    /// Fingerprints of the `(nc, cnonce)` pairs accepted on this nonce.
    seen: HashSet<u64>,
}

/// What one remembered nonce takes: its map slot (key, entry, control byte) and its place in
/// the issue order.
const NONCE_BYTES: usize =
    std::mem::size_of::<(Nonce, NonceEntry)>() + 1 + std::mem::size_of::<(i64, Nonce)>();
/// What one slot of a seen set takes (the fingerprint and its control byte).
const SEEN_SLOT_BYTES: usize = std::mem::size_of::<u64>() + 1;

fn seen_bytes(seen: &HashSet<u64>) -> usize {
    // A set of capacity c holds its slots in the next power of two above c * 8 / 7.
    match seen.capacity() {
        0 => 0,
        c => (c * 8 / 7).next_power_of_two() * SEEN_SLOT_BYTES,
    }
}

#[derive(Debug, Default)]
struct NonceTable {
    live: HashMap<Nonce, NonceEntry>,
    order: VecDeque<(i64, Nonce)>,
    /// What `live` and `order` take, by [`NONCE_BYTES`] and [`seen_bytes`].
    bytes: usize,
    fingerprints: RandomState,
}

impl NonceTable {
    fn remove(&mut self, nonce: &Nonce) {
        if let Some(entry) = self.live.remove(nonce) {
            self.bytes = self.bytes.saturating_sub(seen_bytes(&entry.seen));
        }
    }

    fn prune(&mut self, now_ms: i64, keep_ms: i64) {
        while let Some((issued, _)) = self.order.front() {
            if self.bytes > MAX_NONCE_BYTES || *issued + keep_ms < now_ms {
                if let Some((_, nonce)) = self.order.pop_front() {
                    self.remove(&nonce);
                    self.bytes = self.bytes.saturating_sub(NONCE_BYTES);
                }
            } else {
                break;
            }
        }
    }

    fn insert(&mut self, now_ms: i64, nonce: Nonce) {
        self.live.insert(
            nonce,
            NonceEntry {
                issued_ms: now_ms,
                seen: HashSet::new(),
            },
        );
        self.order.push_back((now_ms, nonce));
        self.bytes += NONCE_BYTES;
    }
}

fn nonce_key(text: &str) -> Option<Nonce> {
    text.as_bytes().try_into().ok()
}

/// The result of a successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestOk<S> {
    /// The Digest username (a public key or a user name).
    pub username: String,
    /// Whatever the secret lookup returned along with the secret (the principal).
    pub principal: S,
}

/// Issues nonces and verifies Digest credentials for one realm.
#[derive(Debug)]
pub struct DigestServer {
    realm: String,
    ttl_ms: i64,
    table: Mutex<NonceTable>,
}

impl DigestServer {
    /// A server for `realm` whose nonces live `ttl_secs` seconds on the instance clock.
    pub fn new(realm: impl Into<String>, ttl_secs: i64) -> Self {
        DigestServer {
            realm: realm.into(),
            ttl_ms: ttl_secs.saturating_mul(1000),
            table: Mutex::new(NonceTable::default()),
        }
    }

    /// The realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// Forget every nonce (after a reset).
    pub fn clear(&self) {
        *self.table.lock() = NonceTable::default();
    }

    /// Issue a fresh nonce: 24 random bytes, standard base64, 32 characters.
    pub fn issue_nonce(&self, ids: &Ids, clock: &Clock) -> String {
        let nonce = ids.base64(24);
        let now = clock.now_ms();
        let mut table = self.table.lock();
        // Expired nonces are kept for one more lifetime so that `stale=true` can be told.
        table.prune(now, self.ttl_ms.saturating_mul(2));
        if let Some(key) = nonce_key(&nonce) {
            table.insert(now, key);
        }
        nonce
    }

    /// The `WWW-Authenticate` value, exactly as Ops Manager sends it: six parameters in this
    /// order, separated by `", "`.
    pub fn challenge(&self, ids: &Ids, clock: &Clock, stale: bool) -> String {
        let nonce = self.issue_nonce(ids, clock);
        format!(
            "Digest realm=\"{}\", domain=\"\", nonce=\"{}\", algorithm=MD5, qop=\"auth\", stale={}",
            self.realm, nonce, stale
        )
    }

    /// Verify an `Authorization` header for `method` and the raw request target
    /// (`path?query` as received). `secret_for(username)` returns the user's secret and a
    /// principal value, or `None` for an unknown user.
    ///
    /// # Errors
    /// A [`DigestError`] saying why; [`DigestError::Stale`] only when the nonce has expired
    /// and the digest is otherwise correct.
    pub fn verify<S>(
        &self,
        clock: &Clock,
        method: &str,
        request_target: &str,
        authorization: Option<&str>,
        secret_for: impl FnOnce(&str) -> Option<(String, S)>,
    ) -> Result<DigestOk<S>, DigestError> {
        let realm = self.realm.as_str();
        self.verify_ha1(clock, method, request_target, authorization, |username| {
            secret_for(username).map(|(secret, s)| (ha1_hex(username, realm, &secret), s))
        })
    }

    /// [`DigestServer::verify`] for a caller that keeps each user's `HA1` (RFC 7616 section
    /// 3.4.2: `MD5(username:realm:secret)`, [`ha1_hex`]) instead of the secret:
    /// `ha1_for(username)` returns it and the principal value, or `None` for an unknown user.
    ///
    /// # Errors
    /// As [`DigestServer::verify`].
    pub fn verify_ha1<S>(
        &self,
        clock: &Clock,
        method: &str,
        request_target: &str,
        authorization: Option<&str>,
        ha1_for: impl FnOnce(&str) -> Option<([u8; 32], S)>,
    ) -> Result<DigestOk<S>, DigestError> {
        let params = parse_borrowed(authorization.ok_or(DigestError::Missing)?)?;
        if params.realm != self.realm {
            return Err(DigestError::WrongRealm(params.realm.into_owned()));
        }
        if let Some(alg) = &params.algorithm {
            if !alg.eq_ignore_ascii_case("MD5") {
                return Err(DigestError::Algorithm(alg.to_string()));
            }
        }
        let (qop, nc) = match params.qop.as_deref() {
            None => (false, 1u32),
            Some(q) if q.eq_ignore_ascii_case("auth") => {
                let nc_text = params
                    .nc
                    .as_deref()
                    .ok_or(DigestError::Malformed("nc is missing"))?;
                if nc_text.is_empty() || nc_text.len() > 8 {
                    return Err(DigestError::Malformed("nc is not 8 hex digits"));
                }
                let nc = u32::from_str_radix(nc_text, 16)
                    .map_err(|_| DigestError::Malformed("nc is not hex"))?;
                if params.cnonce.as_deref().is_none_or(str::is_empty) {
                    return Err(DigestError::Malformed("cnonce is missing"));
                }
                (true, nc)
            }
            Some(other) => return Err(DigestError::Qop(other.to_owned())),
        };
        let now = clock.now_ms();
        let key = nonce_key(&params.nonce).ok_or(DigestError::UnknownNonce)?;
        let issued = {
            let table = self.table.lock();
            table
                .live
                .get(&key)
                .map(|e| e.issued_ms)
                .ok_or(DigestError::UnknownNonce)?
        };
        let (ha1, principal) = ha1_for(&params.username)
            .ok_or_else(|| DigestError::UnknownUser(params.username.to_string()))?;
        let cnonce = params.cnonce.as_deref().unwrap_or_default();
        let expected = response_hex(
            &Inputs {
                nonce: &params.nonce,
                uri: &params.uri,
                cnonce,
                method,
            },
            qop.then_some(nc),
            &ha1,
        );
        let mut sent = [0u8; 32];
        let matches = params.response.len() == sent.len() && {
            for (slot, b) in sent.iter_mut().zip(params.response.bytes()) {
                *slot = b.to_ascii_lowercase();
            }
            ct_eq(&expected, &sent)
        };
        if !matches {
            return Err(DigestError::BadResponse(params.username.into_owned()));
        }
        if issued.saturating_add(self.ttl_ms) < now {
            return Err(DigestError::Stale);
        }
        if params.uri != request_target
            && percent_decode_lossy(&params.uri) != percent_decode_lossy(request_target)
        {
            return Err(DigestError::UriMismatch(params.uri.into_owned()));
        }
        let mut table = self.table.lock();
        let table = &mut *table;
        let fingerprint = table.fingerprints.hash_one((nc, cnonce));
        let entry = table.live.get_mut(&key).ok_or(DigestError::UnknownNonce)?;
        if entry.seen.len() >= MAX_USES_PER_NONCE {
            table.remove(&key);
            return Err(DigestError::Stale);
        }
        let before = seen_bytes(&entry.seen);
        if !entry.seen.insert(fingerprint) {
            return Err(DigestError::Replay);
        }
        table.bytes += seen_bytes(&entry.seen) - before;
        if table.bytes > MAX_NONCE_BYTES {
            table.prune(now, self.ttl_ms.saturating_mul(2));
        }
        Ok(DigestOk {
            username: params.username.into_owned(),
            principal,
        })
    }
}

fn percent_decode_lossy(text: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy()
}

/// What the response digest is computed over, besides `HA1`, `nc` and `qop`.
struct Inputs<'a> {
    nonce: &'a str,
    uri: &'a str,
    cnonce: &'a str,
    method: &'a str,
}

/// MD5 of the concatenated `parts`, as 32 lowercase hex digits.
fn md5_hex(parts: &[&[u8]]) -> [u8; 32] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut md5 = Md5::new();
    for part in parts {
        md5.update(part);
    }
    let mut out = [0u8; 32];
    for (pair, byte) in out.chunks_exact_mut(2).zip(md5.finalize()) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0xf)];
    }
    out
}

/// `HA1` of RFC 7616 section 3.4.2 for MD5: `MD5(username:realm:secret)` as 32 lowercase hex
/// digits, what [`DigestServer::verify_ha1`] compares against.
pub fn ha1_hex(username: &str, realm: &str, secret: &str) -> [u8; 32] {
    md5_hex(&[
        username.as_bytes(),
        b":",
        realm.as_bytes(),
        b":",
        secret.as_bytes(),
    ])
}

/// The response the client should have sent (RFC 7616 section 3.4.1, MD5, `qop=auth`, or
/// RFC 2069 without `qop`): the same arithmetic as the `digest_auth` crate's
/// `AuthorizationHeader::digest`, `nc` written as 8 hex digits whatever the client sent,
/// without its string formatting.
fn response_hex(inputs: &Inputs<'_>, nc: Option<u32>, ha1: &[u8; 32]) -> [u8; 32] {
    let ha2 = md5_hex(&[inputs.method.as_bytes(), b":", inputs.uri.as_bytes()]);
    match nc {
        Some(nc) => {
            let mut nc_hex = [0u8; 8];
            for (i, slot) in nc_hex.iter_mut().enumerate() {
                let nibble = (nc >> (28 - 4 * i)) & 0xf;
                *slot = b"0123456789abcdef"[nibble as usize];
            }
            md5_hex(&[
                ha1,
                b":",
                inputs.nonce.as_bytes(),
                b":",
                &nc_hex,
                b":",
                inputs.cnonce.as_bytes(),
                b":auth:",
                &ha2,
            ])
        }
        None => md5_hex(&[ha1, b":", inputs.nonce.as_bytes(), b":", &ha2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn client_header(
        user: &str,
        secret: &str,
        realm: &str,
        nonce: &str,
        method: &str,
        uri: &str,
        nc: u32,
        cnonce: &str,
    ) -> String {
        let response =
            reference_response(user, secret, realm, nonce, method, uri, Some(nc), cnonce);
        format!(
            "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", \
             response=\"{response}\", algorithm=MD5, qop=auth, nc={nc:08x}, cnonce=\"{cnonce}\""
        )
    }

    /// The response by the `digest_auth` crate's arithmetic (the client side of every test
    /// here, so each one checks [`response_hex`] against it).
    #[allow(clippy::too_many_arguments)]
    fn reference_response(
        user: &str,
        secret: &str,
        realm: &str,
        nonce: &str,
        method: &str,
        uri: &str,
        nc: Option<u32>,
        cnonce: &str,
    ) -> String {
        let mut header = digest_auth::AuthorizationHeader {
            realm: realm.into(),
            nonce: nonce.into(),
            opaque: None,
            userhash: false,
            algorithm: digest_auth::Algorithm::default(),
            response: String::new(),
            username: user.into(),
            uri: uri.into(),
            qop: nc.map(|_| digest_auth::Qop::AUTH),
            cnonce: Some(cnonce.into()),
            nc: nc.unwrap_or(1),
        };
        let context = digest_auth::AuthContext::new_with_method(
            user,
            secret,
            uri,
            Option::<&[u8]>::None,
            digest_auth::HttpMethod::from(method.to_owned()),
        );
        header.digest(&context);
        header.response
    }

    #[test]
    fn the_response_arithmetic_is_the_digest_auth_crates() {
        for (user, secret, nonce, method, uri, nc, cnonce) in [
            (
                "qzvhwmtx",
                "9c5a7d1e",
                "bm9uY2U=",
                "GET",
                "/a?b=1",
                Some(1),
                "c1",
            ),
            ("u", "", "n", "DELETE", "/x%2Fy", Some(0xdead_beef), "ü"),
            (
                "owner@acme.example",
                "pw",
                "n2",
                "PATCH",
                "/",
                None,
                "unused",
            ),
            ("é", "s:s", "n:3", "BREW", "/p q", Some(u32::MAX), ""),
        ] {
            let inputs = Inputs {
                nonce,
                uri,
                cnonce,
                method,
            };
            let ours = response_hex(&inputs, nc, &ha1_hex(user, "MMS Public API", secret));
            let theirs = reference_response(
                user,
                secret,
                "MMS Public API",
                nonce,
                method,
                uri,
                nc,
                cnonce,
            );
            assert_eq!(std::str::from_utf8(&ours).unwrap(), theirs, "{user} {nc:?}");
        }
    }

    #[test]
    fn a_short_nc_an_uppercase_response_and_no_qop_verify_as_before() {
        let (srv, ids, clock) = server();
        let nonce = srv.issue_nonce(&ids, &clock);
        let secret = "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3";
        let uri = "/api/public/v1.0/orgs";
        let response = reference_response(
            "qzvhwmtx",
            secret,
            REALM_T,
            &nonce,
            "GET",
            uri,
            Some(5),
            "c",
        )
        .to_ascii_uppercase();
        let short_nc = format!(
            "Digest username=\"qzvhwmtx\", realm=\"{REALM_T}\", nonce=\"{nonce}\", uri=\"{uri}\", \
             response=\"{response}\", qop=auth, nc=5, cnonce=\"c\""
        );
        assert!(srv
            .verify(&clock, "GET", uri, Some(&short_nc), lookup)
            .is_ok());
        let response =
            reference_response("qzvhwmtx", secret, REALM_T, &nonce, "GET", uri, None, "");
        let rfc2069 = format!(
            "Digest username=\"qzvhwmtx\", realm=\"{REALM_T}\", nonce=\"{nonce}\", uri=\"{uri}\", \
             response=\"{response}\""
        );
        assert!(srv
            .verify(&clock, "GET", uri, Some(&rfc2069), lookup)
            .is_ok());
        // Without qop there is no (nc, cnonce) pair: the same header again is a replay.
        assert_eq!(
            srv.verify(&clock, "GET", uri, Some(&rfc2069), lookup),
            Err(DigestError::Replay)
        );
        let truncated = rfc2069.replace(
            &format!("response=\"{response}\""),
            &format!("response=\"{}\"", &response[..31]),
        );
        assert!(matches!(
            srv.verify(&clock, "GET", uri, Some(&truncated), lookup),
            Err(DigestError::BadResponse(_))
        ));
    }

    const REALM_T: &str = "MMS Public API";

    fn lookup(user: &str) -> Option<(String, &'static str)> {
        (user == "qzvhwmtx").then(|| ("9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3".to_owned(), "key"))
    }

    fn server() -> (DigestServer, Ids, Clock) {
        (
            DigestServer::new("MMS Public API", 300),
            Ids::new(Some(1), "t"),
            Clock::frozen_at(1_700_000_000_000),
        )
    }

    #[test]
    fn the_challenge_has_six_parameters_in_order() {
        let (srv, ids, clock) = server();
        let challenge = srv.challenge(&ids, &clock, false);
        let parts: Vec<&str> = challenge
            .trim_start_matches("Digest ")
            .split(", ")
            .collect();
        let keys: Vec<&str> = parts.iter().map(|p| p.split('=').next().unwrap()).collect();
        assert_eq!(
            keys,
            ["realm", "domain", "nonce", "algorithm", "qop", "stale"]
        );
        assert!(challenge.ends_with("qop=\"auth\", stale=false"));
        let nonce = parts[2]
            .trim_start_matches("nonce=\"")
            .trim_end_matches('"');
        assert_eq!(nonce.len(), 32);
    }

    #[test]
    fn a_correct_response_verifies_and_the_nonce_can_be_reused_with_a_new_nc() {
        let (srv, ids, clock) = server();
        let nonce = srv.issue_nonce(&ids, &clock);
        let uri = "/api/public/v1.0/groups/x/apiKeys?pretty=true";
        let h1 = client_header(
            "qzvhwmtx",
            "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
            "MMS Public API",
            &nonce,
            "GET",
            uri,
            1,
            "c1",
        );
        let ok = srv.verify(&clock, "GET", uri, Some(&h1), lookup).unwrap();
        assert_eq!((ok.username.as_str(), ok.principal), ("qzvhwmtx", "key"));
        let h2 = client_header(
            "qzvhwmtx",
            "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
            "MMS Public API",
            &nonce,
            "GET",
            uri,
            2,
            "c2",
        );
        assert!(srv.verify(&clock, "GET", uri, Some(&h2), lookup).is_ok());
        assert_eq!(
            srv.verify(&clock, "GET", uri, Some(&h2), lookup),
            Err(DigestError::Replay)
        );
    }

    #[test]
    fn a_wrong_secret_unknown_user_or_unknown_nonce_is_refused() {
        let (srv, ids, clock) = server();
        let nonce = srv.issue_nonce(&ids, &clock);
        let h = client_header(
            "qzvhwmtx",
            "wrong",
            "MMS Public API",
            &nonce,
            "GET",
            "/a",
            1,
            "c",
        );
        assert!(matches!(
            srv.verify(&clock, "GET", "/a", Some(&h), lookup),
            Err(DigestError::BadResponse(_))
        ));
        let h = client_header("nobody", "x", "MMS Public API", &nonce, "GET", "/a", 1, "c");
        assert!(matches!(
            srv.verify(&clock, "GET", "/a", Some(&h), lookup),
            Err(DigestError::UnknownUser(_))
        ));
        let h = client_header(
            "qzvhwmtx",
            "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
            "MMS Public API",
            "made-up",
            "GET",
            "/a",
            1,
            "c",
        );
        assert_eq!(
            srv.verify(&clock, "GET", "/a", Some(&h), lookup),
            Err(DigestError::UnknownNonce)
        );
    }

    #[test]
    fn an_expired_nonce_with_a_correct_digest_is_stale_but_a_wrong_digest_is_not() {
        let (srv, ids, clock) = server();
        let nonce = srv.issue_nonce(&ids, &clock);
        clock.advance_ms(301_000);
        let good = client_header(
            "qzvhwmtx",
            "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
            "MMS Public API",
            &nonce,
            "GET",
            "/a",
            1,
            "c",
        );
        assert_eq!(
            srv.verify(&clock, "GET", "/a", Some(&good), lookup),
            Err(DigestError::Stale)
        );
        let bad = client_header(
            "qzvhwmtx",
            "nope",
            "MMS Public API",
            &nonce,
            "GET",
            "/a",
            1,
            "c",
        );
        assert!(matches!(
            srv.verify(&clock, "GET", "/a", Some(&bad), lookup),
            Err(DigestError::BadResponse(_))
        ));
    }

    #[test]
    fn the_uri_must_match_the_request_target() {
        let (srv, ids, clock) = server();
        let nonce = srv.issue_nonce(&ids, &clock);
        let h = client_header(
            "qzvhwmtx",
            "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
            "MMS Public API",
            &nonce,
            "GET",
            "/a%2Fb",
            1,
            "c",
        );
        assert!(srv.verify(&clock, "GET", "/a/b", Some(&h), lookup).is_ok());
        let h = client_header(
            "qzvhwmtx",
            "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
            "MMS Public API",
            &nonce,
            "GET",
            "/other",
            2,
            "c",
        );
        assert!(matches!(
            srv.verify(&clock, "GET", "/a", Some(&h), lookup),
            Err(DigestError::UriMismatch(_))
        ));
    }

    #[test]
    fn parsing_accepts_quoted_and_unquoted_values_and_any_key_case() {
        let p = parse_authorization(
            "digest USERNAME=\"u\", Realm=r, nonce=\"n,1\", uri=\"/x?a=1,2\", response=abc, qop=\"auth\", nc=00000001, cnonce=\"c\\\"q\"",
        )
        .unwrap();
        assert_eq!(p.username, "u");
        assert_eq!(p.realm, "r");
        assert_eq!(p.nonce, "n,1");
        assert_eq!(p.uri, "/x?a=1,2");
        assert_eq!(p.cnonce.as_deref(), Some("c\"q"));
    }

    #[test]
    fn parsing_refuses_garbage_without_panicking() {
        for bad in [
            "",
            "Digest",
            "Basic abc",
            "Digest username",
            "Digest username=\"u",
            "Digest a=b",
            "Digest ,,,,",
        ] {
            assert!(parse_authorization(bad).is_err(), "{bad}");
        }
        assert!(parse_authorization(&format!("Digest username={}", "x".repeat(10_000))).is_err());
    }

    #[test]
    fn the_nonce_table_stays_within_its_bytes_and_keeps_the_newest() {
        let (srv, ids, clock) = server();
        let first = srv.issue_nonce(&ids, &clock);
        let count = MAX_NONCE_BYTES / NONCE_BYTES * 2;
        let mut last = String::new();
        for _ in 0..count {
            last = srv.issue_nonce(&ids, &clock);
        }
        {
            let table = srv.table.lock();
            assert!(
                table.bytes <= MAX_NONCE_BYTES + NONCE_BYTES,
                "{}",
                table.bytes
            );
            assert!(table.live.len() < count, "{}", table.live.len());
        }
        let uri = "/api/public/v1.0/orgs";
        let use_nonce = |nonce: &str, nc: u32| {
            let header = client_header(
                "qzvhwmtx",
                "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3",
                "MMS Public API",
                nonce,
                "GET",
                uri,
                nc,
                "c1",
            );
            srv.verify(&clock, "GET", uri, Some(&header), lookup)
        };
        assert_eq!(use_nonce(&first, 1), Err(DigestError::UnknownNonce));
        assert!(use_nonce(&last, 1).is_ok());
        assert_eq!(use_nonce(&last, 1), Err(DigestError::Replay));
        assert!(use_nonce(&last, 2).is_ok());
        // A nonce of any other length was never issued.
        assert_eq!(use_nonce("short", 1), Err(DigestError::UnknownNonce));
    }
}
