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
//! Memory is bounded by bytes: what the nonce table allocates (its hash map's buckets and its
//! issue order, counted by their capacities, and the pairs seen on reused nonces) stays at
//! most [`MAX_NONCE_BYTES`]; the oldest nonces are dropped to make room, the table holding
//! fewer nonces rather than growing past it. A nonce that has served [`MAX_USES_PER_NONCE`]
//! requests is retired as stale. A seen pair is kept as a 64-bit fingerprint (SipHash with a
//! per-table random key), so a fresh pair is refused as a replay only on a fingerprint
//! collision (odds about 2^-64 per pair); a nonce's first pair is kept inline, a set only
//! from its second on.

use crate::clock::Clock;
use crate::ids::Ids;
use crate::secret::ct_eq;
use md5::{Digest as _, Md5};
use parking_lot::Mutex;
use std::borrow::Cow;
use std::collections::{hash_map::RandomState, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Bytes the nonce table of one realm may allocate at most (its map and issue order by their
/// capacities, and the sets of pairs seen on reused nonces).
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

/// Hashes a seen fingerprint to itself. A fingerprint is already a keyed SipHash value, so
/// hashing it again would only cost time; and a `BuildHasherDefault` of this takes no room
/// in a set, where a `RandomState` would take 16 bytes in every one.
#[derive(Debug, Default)]
struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type SeenSet = HashSet<u64, BuildHasherDefault<FingerprintHasher>>;

/// The fingerprints of the `(nc, cnonce)` pairs accepted on one nonce: none or one inline
/// (a full handshake uses its nonce once), a boxed set from the second on.
#[derive(Debug)]
enum Seen {
    None,
    One(u64),
    Many(Box<SeenSet>),
}

impl Seen {
    fn len(&self) -> usize {
        match self {
            Seen::None => 0,
            Seen::One(_) => 1,
            Seen::Many(set) => set.len(),
        }
    }

    /// Remember `fingerprint`; false if it was there already.
    fn insert(&mut self, fingerprint: u64) -> bool {
        match self {
            Seen::None => *self = Seen::One(fingerprint),
            Seen::One(first) => {
                if *first == fingerprint {
                    return false;
                }
                let mut set = SeenSet::with_capacity_and_hasher(2, BuildHasherDefault::default());
                set.insert(*first);
                set.insert(fingerprint);
                *self = Seen::Many(Box::new(set));
            }
            // `insert` makes room before it looks, so a replay on a full set would grow it.
            Seen::Many(set) => return !set.contains(&fingerprint) && set.insert(fingerprint),
        }
        true
    }

    /// What this takes on the heap: nothing inline, else the box and the set's table.
    fn heap_bytes(&self) -> usize {
        match self {
            Seen::None | Seen::One(_) => 0,
            Seen::Many(set) => {
                HEAP_BLOCK
                    + std::mem::size_of::<SeenSet>()
                    + table_bytes(buckets_for(set.capacity()), std::mem::size_of::<u64>())
            }
        }
    }
}

#[derive(Debug)]
struct NonceEntry {
    issued_ms: i64,
    /// The `(nc, cnonce)` pairs accepted on this nonce.
    seen: Seen,
}

/// hashbrown's widest control group (SSE2; the portable and NEON groups are 8 bytes): the
/// control bytes run this far past the buckets, and the slots are padded to a multiple of it.
const GROUP_WIDTH: usize = 16;
/// What malloc adds to a block at most (glibc: an 8-byte header, sizes rounded up to 16).
const HEAP_BLOCK: usize = 16;
/// One slot of the nonce map.
const SLOT: usize = std::mem::size_of::<(Nonce, NonceEntry)>();

/// The buckets of a std hash table that can hold `capacity` items: 4 or 8 below 8, else
/// `capacity * 8 / 7` rounded up to a power of two (hashbrown's `capacity_to_buckets`, load
/// factor 7/8). A table's `capacity()` right after it was (re)built is exactly its full
/// capacity, so this is then its bucket count; tombstones later make `capacity()` smaller.
const fn buckets_for(capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else if capacity < 4 {
        4
    } else if capacity < 8 {
        8
    } else {
        (capacity * 8).div_ceil(7).next_power_of_two()
    }
}

/// How many items a std hash table of `buckets` buckets holds at most (hashbrown's
/// `bucket_mask_to_capacity`).
const fn full_capacity(buckets: usize) -> usize {
    if buckets < 8 {
        buckets.saturating_sub(1)
    } else {
        buckets / 8 * 7
    }
}

/// The allocation of a std hash table of `buckets` buckets of `slot` bytes: the slots padded
/// to the group width, a control byte per bucket and one group more, and malloc's overhead.
const fn table_bytes(buckets: usize, slot: usize) -> usize {
    if buckets == 0 {
        0
    } else {
        (slot * buckets).next_multiple_of(GROUP_WIDTH) + buckets + GROUP_WIDTH + HEAP_BLOCK
    }
}

/// The allocation of the issue order holding `capacity` nonces.
const fn order_bytes(capacity: usize) -> usize {
    if capacity == 0 {
        0
    } else {
        capacity * std::mem::size_of::<Nonce>() + HEAP_BLOCK
    }
}

/// The most buckets the nonce map may have: the largest power of two whose map, with the
/// issue order of [`MAX_NONCES`] for it, leaves a quarter of [`MAX_NONCE_BYTES`] to the sets
/// of reused nonces.
const MAX_BUCKETS: usize = {
    let mut buckets = 4;
    while table_bytes(buckets * 2, SLOT) + order_bytes(full_capacity(buckets * 2) / 2)
        <= MAX_NONCE_BYTES / 4 * 3
    {
        buckets *= 2;
    }
    buckets
};

/// The most nonces remembered: half the full capacity of [`MAX_BUCKETS`]. hashbrown grows
/// a table when an insert finds its growth used up (by items or by the tombstones of removed
/// ones) unless the items would fill at most half its capacity, when it rehashes in place;
/// so with at most this many the map never grows past [`MAX_BUCKETS`].
const MAX_NONCES: usize = full_capacity(MAX_BUCKETS) / 2;

/// Below this many buckets (or order slots) an emptied table is not shrunk.
const SHRINK_FROM: usize = 1024;

#[derive(Debug, Default)]
struct NonceTable {
    live: HashMap<Nonce, NonceEntry>,
    /// The issued nonces, oldest first (including those `live` has retired).
    order: VecDeque<Nonce>,
    /// The bucket count of `live`: tracked, because `capacity()` leaves out tombstones.
    buckets: usize,
    /// What the seen sets of `live` take on the heap ([`Seen::heap_bytes`]).
    seen_bytes: usize,
    fingerprints: RandomState,
}

impl NonceTable {
    /// What the table holds: its map's and its order's allocations, by their capacities, and
    /// the seen sets'.
    fn bytes(&self) -> usize {
        table_bytes(self.buckets, SLOT) + order_bytes(self.order.capacity()) + self.seen_bytes
    }

    /// [`NonceTable::bytes`] after one more insert, if the map and the order grow as they
    /// might: the map to twice its buckets once more than half its capacity would be used
    /// (see [`MAX_NONCES`]), the order as [`NonceTable::insert`] grows it.
    fn bytes_after_insert(&self) -> usize {
        let buckets = if self.live.len() < full_capacity(self.buckets) / 2 {
            self.buckets
        } else {
            (self.buckets * 2).max(4)
        };
        let order = if self.order.len() < self.order.capacity() {
            self.order.capacity()
        } else {
            Self::grown_order(self.order.capacity())
        };
        table_bytes(buckets, SLOT) + order_bytes(order) + self.seen_bytes
    }

    fn grown_order(capacity: usize) -> usize {
        (capacity * 2).clamp(16, MAX_NONCES)
    }

    fn remove(&mut self, nonce: &Nonce) {
        if let Some(entry) = self.live.remove(nonce) {
            self.seen_bytes = self.seen_bytes.saturating_sub(entry.seen.heap_bytes());
        }
    }

    fn pop_oldest(&mut self) {
        if let Some(nonce) = self.order.pop_front() {
            self.remove(&nonce);
        }
    }

    /// Drop the nonces issued more than `keep_ms` ago, and the oldest while the table is over
    /// [`MAX_NONCE_BYTES`]; then give back the memory of a table left mostly empty.
    fn prune(&mut self, now_ms: i64, keep_ms: i64) {
        while let Some(nonce) = self.order.front() {
            let expired = self
                .live
                .get(nonce)
                .is_none_or(|e| e.issued_ms.saturating_add(keep_ms) < now_ms);
            if expired || self.bytes() > MAX_NONCE_BYTES {
                self.pop_oldest();
            } else {
                break;
            }
        }
        // A map never shrinks on its own: after a burst has expired, shrink to twice what is
        // left (at most an eighth), so an idle table keeps little and does not shrink again
        // at once.
        if self.buckets >= SHRINK_FROM && self.live.len() <= full_capacity(self.buckets) / 8 {
            self.live.shrink_to(self.live.len() * 2);
            self.buckets = buckets_for(self.live.capacity());
        }
        let order_capacity = self.order.capacity();
        if order_capacity >= SHRINK_FROM && self.order.len() <= order_capacity / 8 {
            self.order.shrink_to(self.order.len() * 2);
        }
    }

    /// Remember `nonce`, first dropping the oldest until the table, grown as the insert may
    /// grow it, stays within [`MAX_NONCE_BYTES`] and [`MAX_NONCES`].
    fn insert(&mut self, now_ms: i64, nonce: Nonce) {
        while !self.order.is_empty()
            && (self.order.len() >= MAX_NONCES || self.bytes_after_insert() > MAX_NONCE_BYTES)
        {
            self.pop_oldest();
        }
        if self.order.len() == self.order.capacity() {
            let grown = Self::grown_order(self.order.capacity());
            self.order.reserve_exact(grown - self.order.len());
        }
        self.order.push_back(nonce);
        let entry = NonceEntry {
            issued_ms: now_ms,
            seen: Seen::None,
        };
        if let Some(old) = self.live.insert(nonce, entry) {
            self.seen_bytes = self.seen_bytes.saturating_sub(old.seen.heap_bytes());
        }
        // Only an insert grows the map, and right after growing its capacity is exact.
        self.buckets = self.buckets.max(buckets_for(self.live.capacity()));
    }

    /// Accept the `(nc, cnonce)` pair of `fingerprint` on `nonce` once: refused as a replay
    /// the second time, stale once the nonce has served [`MAX_USES_PER_NONCE`] requests.
    fn accept(
        &mut self,
        nonce: &Nonce,
        fingerprint: u64,
        now_ms: i64,
        keep_ms: i64,
    ) -> Result<(), DigestError> {
        let entry = self.live.get_mut(nonce).ok_or(DigestError::UnknownNonce)?;
        if entry.seen.len() >= MAX_USES_PER_NONCE {
            self.remove(nonce);
            return Err(DigestError::Stale);
        }
        let before = entry.seen.heap_bytes();
        let fresh = entry.seen.insert(fingerprint);
        let grown = entry.seen.heap_bytes().saturating_sub(before);
        if grown > 0 {
            self.seen_bytes += grown;
            if self.bytes() > MAX_NONCE_BYTES {
                self.prune(now_ms, keep_ms);
            }
        }
        if fresh {
            Ok(())
        } else {
            Err(DigestError::Replay)
        }
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
        let fingerprint = table.fingerprints.hash_one((nc, cnonce));
        table.accept(&key, fingerprint, now, self.ttl_ms.saturating_mul(2))?;
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
        let count = MAX_NONCES * 2;
        let mut last = String::new();
        for _ in 0..count {
            last = srv.issue_nonce(&ids, &clock);
        }
        {
            let table = srv.table.lock();
            assert!(table.bytes() <= MAX_NONCE_BYTES, "{}", table.bytes());
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

    const SECRET_T: &str = "9c5a7d1e-3b2f-4e6a-8d0c-71f4b2a9e6c3";
    const URI_T: &str = "/api/public/v1.0/orgs";

    /// One authorised request on `nonce` with `(nc, cnonce)`, through the public API (the
    /// header built by [`response_hex`], checked against `digest_auth` above, for speed).
    fn request(
        srv: &DigestServer,
        clock: &Clock,
        nonce: &str,
        nc: u32,
        cnonce: &str,
    ) -> Result<DigestOk<()>, DigestError> {
        let ha1 = ha1_hex("qzvhwmtx", REALM_T, SECRET_T);
        let inputs = Inputs {
            nonce,
            uri: URI_T,
            cnonce,
            method: "GET",
        };
        let response = response_hex(&inputs, Some(nc), &ha1);
        let header = format!(
            "Digest username=\"qzvhwmtx\", realm=\"{REALM_T}\", nonce=\"{nonce}\", \
             uri=\"{URI_T}\", response=\"{}\", algorithm=MD5, qop=auth, nc={nc:08x}, \
             cnonce=\"{cnonce}\"",
            std::str::from_utf8(&response).unwrap()
        );
        srv.verify_ha1(clock, "GET", URI_T, Some(&header), |_| Some((ha1, ())))
    }

    /// What the table allocates, from the `capacity()` of each of its collections alone
    /// (a lower bound for the map, whose tombstones `capacity()` leaves out).
    fn bytes_by_capacity(table: &NonceTable) -> usize {
        fn hash_table(capacity: usize, slot: usize) -> usize {
            let buckets = match capacity {
                0 => return 0,
                1..=3 => 4,
                4..=7 => 8,
                c => (c * 8).div_ceil(7).next_power_of_two(),
            };
            (slot * buckets).next_multiple_of(16) + buckets + 16 + 16
        }
        let map = hash_table(
            table.live.capacity(),
            std::mem::size_of::<(Nonce, NonceEntry)>(),
        );
        let order = match table.order.capacity() {
            0 => 0,
            c => c * std::mem::size_of::<Nonce>() + 16,
        };
        let seen: usize = table
            .live
            .values()
            .map(|entry| match &entry.seen {
                Seen::None | Seen::One(_) => 0,
                Seen::Many(set) => {
                    16 + std::mem::size_of::<SeenSet>() + hash_table(set.capacity(), 8)
                }
            })
            .sum();
        map + order + seen
    }

    #[test]
    fn full_handshakes_far_past_the_cap_stay_within_its_real_bytes_and_keep_the_newest() {
        let (srv, ids, clock) = server();
        let mut first = Vec::new();
        let mut last = Vec::new();
        for i in 0..200_000u32 {
            let nonce = srv.issue_nonce(&ids, &clock);
            request(&srv, &clock, &nonce, 1, &format!("{i:x}")).unwrap();
            if i < 3 {
                first.push(nonce);
            } else if i >= 199_997 {
                last.push((nonce, format!("{i:x}")));
            }
            if i % 10_000 == 0 {
                let table = srv.table.lock();
                assert!(table.bytes() <= MAX_NONCE_BYTES, "{i}: {}", table.bytes());
            }
        }
        {
            let table = srv.table.lock();
            let by_capacity = bytes_by_capacity(&table);
            assert!(by_capacity <= MAX_NONCE_BYTES, "{by_capacity}");
            assert!(table.bytes() <= MAX_NONCE_BYTES, "{}", table.bytes());
            // The tracked bucket count is never below what the map's capacity shows.
            assert!(
                table.bytes() >= by_capacity,
                "{} {by_capacity}",
                table.bytes()
            );
            assert!(table.buckets <= MAX_BUCKETS, "{}", table.buckets);
            assert_eq!(table.live.len(), MAX_NONCES);
        }
        for (nonce, cnonce) in &last {
            assert!(request(&srv, &clock, nonce, 2, "again").is_ok());
            assert_eq!(
                request(&srv, &clock, nonce, 1, cnonce),
                Err(DigestError::Replay)
            );
        }
        for nonce in &first {
            assert_eq!(
                request(&srv, &clock, nonce, 2, "again"),
                Err(DigestError::UnknownNonce)
            );
        }
        let table = srv.table.lock();
        assert!(bytes_by_capacity(&table) <= MAX_NONCE_BYTES);
        assert!(table.bytes() <= MAX_NONCE_BYTES);
    }

    #[test]
    fn each_pair_is_accepted_once_across_the_inline_to_set_transition() {
        let (srv, ids, clock) = server();
        let nonce = srv.issue_nonce(&ids, &clock);
        let key = nonce_key(&nonce).unwrap();
        let seen_len = || srv.table.lock().live.get(&key).map(|e| e.seen.len());
        for nc in 1..=100u32 {
            assert!(request(&srv, &clock, &nonce, nc, "c").is_ok(), "{nc}");
            assert_eq!(seen_len(), Some(nc as usize));
            {
                let table = srv.table.lock();
                let seen = &table.live[&key].seen;
                assert_eq!(matches!(seen, Seen::One(_)), nc == 1);
                assert_eq!(matches!(seen, Seen::Many(_)), nc > 1);
                assert_eq!(table.seen_bytes, seen.heap_bytes());
            }
            for again in [1, nc / 2 + 1, nc] {
                assert_eq!(
                    request(&srv, &clock, &nonce, again, "c"),
                    Err(DigestError::Replay),
                    "{nc} {again}"
                );
            }
        }
        // The same nc with another cnonce is another pair.
        assert!(request(&srv, &clock, &nonce, 1, "d").is_ok());
        assert_eq!(
            request(&srv, &clock, &nonce, 1, "d"),
            Err(DigestError::Replay)
        );
        assert_eq!(seen_len(), Some(101));
    }

    #[test]
    fn a_nonce_is_stale_after_its_last_use_and_then_forgotten() {
        let (srv, ids, clock) = server();
        let nonce = srv.issue_nonce(&ids, &clock);
        for nc in 1..=MAX_USES_PER_NONCE as u32 {
            assert!(request(&srv, &clock, &nonce, nc, "c").is_ok(), "{nc}");
        }
        let next = MAX_USES_PER_NONCE as u32 + 1;
        assert_eq!(
            request(&srv, &clock, &nonce, next, "c"),
            Err(DigestError::Stale)
        );
        assert_eq!(
            request(&srv, &clock, &nonce, next, "c"),
            Err(DigestError::UnknownNonce)
        );
        assert_eq!(srv.table.lock().seen_bytes, 0);
    }

    #[test]
    fn reused_nonces_filling_the_cap_drop_the_oldest_and_stay_within_it() {
        let mut table = NonceTable::default();
        let keep = i64::MAX / 4;
        let nonce = |i: u32| {
            let mut n = [b'A'; 32];
            n[..8].copy_from_slice(format!("{i:08}").as_bytes());
            n
        };
        let mut fingerprint = 0u64;
        for i in 0..200u32 {
            table.prune(0, keep);
            table.insert(0, nonce(i));
            for _ in 0..MAX_USES_PER_NONCE {
                fingerprint += 1;
                table.accept(&nonce(i), fingerprint, 0, keep).unwrap();
                assert!(table.bytes() <= MAX_NONCE_BYTES, "{}", table.bytes());
            }
            assert!(bytes_by_capacity(&table) <= MAX_NONCE_BYTES);
            let tracked: usize = table.live.values().map(|e| e.seen.heap_bytes()).sum();
            assert_eq!(table.seen_bytes, tracked);
        }
        // Each full set takes some 74 KB: the newest fit, the oldest were dropped.
        assert!(table.live.contains_key(&nonce(199)));
        assert!(!table.live.contains_key(&nonce(0)));
        assert!(table.live.len() > 10, "{}", table.live.len());
        assert_eq!(
            table.accept(&nonce(199), 1, 0, keep),
            Err(DigestError::Stale)
        );
    }

    #[test]
    fn an_expired_burst_gives_its_memory_back() {
        let (srv, ids, clock) = server();
        for i in 0..MAX_NONCES as u32 {
            let nonce = srv.issue_nonce(&ids, &clock);
            if i % 8 == 0 {
                request(&srv, &clock, &nonce, 1, "c").unwrap();
                request(&srv, &clock, &nonce, 2, "c").unwrap();
            }
        }
        let full = srv.table.lock().bytes();
        assert!(full > MAX_NONCE_BYTES / 4, "{full}");
        // Past twice the lifetime every nonce of the burst is dropped on the next issue.
        clock.advance_ms(601_000);
        let nonce = srv.issue_nonce(&ids, &clock);
        let table = srv.table.lock();
        assert_eq!(table.live.len(), 1);
        assert!(table.bytes() < 2048, "{}", table.bytes());
        assert!(bytes_by_capacity(&table) <= table.bytes());
        drop(table);
        assert!(request(&srv, &clock, &nonce, 1, "c").is_ok());
    }

    #[test]
    fn the_limits_fit_the_cap() {
        assert!(MAX_BUCKETS.is_power_of_two());
        assert!(MAX_NONCES * 2 <= full_capacity(MAX_BUCKETS));
        let structure = table_bytes(MAX_BUCKETS, SLOT) + order_bytes(MAX_NONCES);
        assert!(structure <= MAX_NONCE_BYTES / 4 * 3, "{structure}");
        for capacity in [1, 3, 4, 7, 8, 14, 15, 28, 29, 57_344] {
            let buckets = buckets_for(capacity);
            assert!(full_capacity(buckets) >= capacity, "{capacity}");
            assert!(full_capacity(buckets / 2) < capacity.max(4), "{capacity}");
        }
        for buckets in [4, 8, 16, 1 << 15] {
            assert_eq!(buckets_for(full_capacity(buckets)), buckets);
        }
        // What std's HashSet really does, the rule the accounting follows.
        let mut set = SeenSet::default();
        for n in 0..1000u64 {
            set.insert(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            assert_eq!(full_capacity(buckets_for(set.capacity())), set.capacity());
        }
        assert_eq!(std::mem::size_of::<Seen>(), 16);
    }
}
