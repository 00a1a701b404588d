//! The request journal: a bounded ring buffer of every product request an instance served
//! (control requests excluded), with the authenticated principal, the operation name and,
//! for refusals, the reason. Entries are redacted before they are pushed
//! ([`crate::redact`], with the names the product declares), so no secret is ever held.
//!
//! The journal is bounded twice: by entries (`--journal-size`) and by bytes
//! (`--journal-bytes`); whichever is reached first pushes the oldest entries out. An entry
//! is compact: its texts (path, query, headers, body, principal, reason) live in one
//! allocation, and its size in bytes ([`Entry::bytes`]) is what the byte cap counts.

use crate::clock::rfc3339_ms;
use actix_web::http::Method;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::net::IpAddr;
use tokio::sync::Notify;

/// Default number of entries kept.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// Default number of bytes the entries of one instance may hold (`--journal-bytes`).
pub const DEFAULT_BYTES: usize = 2 << 20;
/// How much of a request body an entry keeps (before redaction).
pub const BODY_CAP: usize = 4096;

/// Where each text of an entry ends in [`Entry`]'s one buffer.
const PATH: usize = 0;
const QUERY: usize = 1;
const HEADERS: usize = 2;
const BODY: usize = 3;
const PRINCIPAL: usize = 4;
const REASON: usize = 5;

const HAS_BODY: u8 = 1;
const HAS_PRINCIPAL: u8 = 2;
const HAS_REASON: u8 = 4;
const BODY_TRUNCATED: u8 = 8;

/// One served request.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Position in the journal since the instance started (1-based).
    pub seq: u64,
    /// When it arrived, on the instance clock (epoch ms).
    pub time_ms: i64,
    /// Method.
    pub method: Method,
    /// Response status.
    pub status: u16,
    /// Time spent serving it.
    pub latency_us: u64,
    /// The operation name, e.g. `pmp.get_password`.
    pub operation: Option<&'static str>,
    /// The client address.
    pub client: Option<IpAddr>,
    /// Path, query, headers (`name:value\n` each), body, principal and reason, one after the
    /// other.
    text: Box<str>,
    ends: [u32; 6],
    flags: u8,
}

/// An entry being written: what is known when the request arrives. The texts go into one
/// buffer, in the order [`Entry`] keeps them.
#[derive(Debug)]
pub struct Draft {
    /// When it arrived.
    pub time_ms: i64,
    /// Method.
    pub method: Method,
    /// The client address.
    pub client: Option<IpAddr>,
    text: String,
    ends: [u32; 6],
}

/// What is known once the request was answered.
#[derive(Debug, Default)]
pub struct Outcome<'a> {
    /// Response status.
    pub status: u16,
    /// Time spent serving it.
    pub latency_us: u64,
    /// The operation name.
    pub operation: Option<&'static str>,
    /// The authenticated principal.
    pub principal: Option<&'a str>,
    /// Why it was refused (secrets already scrubbed).
    pub reason: Option<&'a str>,
    /// The request body as journaled (redacted), if one was sent.
    pub body: Option<&'a str>,
    /// Whether the body was longer than [`BODY_CAP`].
    pub body_truncated: bool,
}

fn end(text: &str) -> u32 {
    u32::try_from(text.len()).unwrap_or(u32::MAX)
}

impl Draft {
    /// A draft with the redacted path and query; headers follow with
    /// [`Draft::push_header`]. `headers_len` is a hint for the buffer size.
    pub fn new(
        time_ms: i64,
        method: Method,
        client: Option<IpAddr>,
        path: &str,
        query: &str,
        headers_len: usize,
    ) -> Self {
        let mut text = String::with_capacity(path.len() + query.len() + headers_len + 32);
        text.push_str(path);
        let path_end = end(&text);
        text.push_str(query);
        let query_end = end(&text);
        Draft {
            time_ms,
            method,
            client,
            text,
            ends: [path_end, query_end, query_end, 0, 0, 0],
        }
    }

    /// Add a (redacted) header.
    pub fn push_header(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        self.text.push(':');
        if value.contains('\n') {
            // HTTP forbids it in a value; kept out so the line structure holds.
            self.text.push_str(&value.replace('\n', " "));
        } else {
            self.text.push_str(value);
        }
        self.text.push('\n');
        self.ends[HEADERS] = end(&self.text);
    }

    /// The redacted path.
    pub fn path(&self) -> &str {
        &self.text[..self.ends[PATH] as usize]
    }

    /// The finished entry, in one allocation.
    pub fn finish(self, outcome: &Outcome<'_>) -> Entry {
        let Draft {
            time_ms,
            method,
            client,
            mut text,
            mut ends,
        } = self;
        let extra = outcome.body.map_or(0, str::len)
            + outcome.principal.map_or(0, str::len)
            + outcome.reason.map_or(0, str::len);
        text.reserve_exact(extra);
        let mut flags = 0;
        for (slot, value, flag) in [
            (BODY, outcome.body, HAS_BODY),
            (PRINCIPAL, outcome.principal, HAS_PRINCIPAL),
            (REASON, outcome.reason, HAS_REASON),
        ] {
            if let Some(value) = value {
                text.push_str(value);
                flags |= flag;
            }
            ends[slot] = end(&text);
        }
        if outcome.body_truncated {
            flags |= BODY_TRUNCATED;
        }
        Entry {
            seq: 0,
            time_ms,
            method,
            status: outcome.status,
            latency_us: outcome.latency_us,
            operation: outcome.operation,
            client,
            text: text.into_boxed_str(),
            ends,
            flags,
        }
    }
}

impl Entry {
    fn part(&self, slot: usize) -> &str {
        let start = if slot == 0 {
            0
        } else {
            self.ends[slot - 1] as usize
        };
        self.text
            .get(start..self.ends[slot] as usize)
            .unwrap_or_default()
    }

    fn present(&self, slot: usize, flag: u8) -> Option<&str> {
        (self.flags & flag != 0).then(|| self.part(slot))
    }

    /// Path as sent, secret path parameters redacted.
    pub fn path(&self) -> &str {
        self.part(PATH)
    }

    /// Query string as sent, secret parameters redacted.
    pub fn query(&self) -> &str {
        self.part(QUERY)
    }

    /// Request headers in the order received, secret values redacted.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.part(HEADERS)
            .split_terminator('\n')
            .map(|line| line.split_once(':').unwrap_or((line, "")))
    }

    /// The request body (its first [`BODY_CAP`] bytes), secrets redacted.
    pub fn body(&self) -> Option<&str> {
        self.present(BODY, HAS_BODY)
    }

    /// Whether the body was longer than what is kept.
    pub fn body_truncated(&self) -> bool {
        self.flags & BODY_TRUNCATED != 0
    }

    /// The authenticated principal.
    pub fn principal(&self) -> Option<&str> {
        self.present(PRINCIPAL, HAS_PRINCIPAL)
    }

    /// Why it was refused.
    pub fn reason(&self) -> Option<&str> {
        self.present(REASON, HAS_REASON)
    }

    /// What the entry holds in memory: the struct and its one text buffer.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Entry>() + self.text.len()
    }

    /// The entry as JSON, secrets redacted.
    pub fn to_json(&self, tenant: Option<&str>) -> Value {
        let mut headers = Map::new();
        for (name, value) in self.headers() {
            match headers.get_mut(name) {
                Some(Value::String(prev)) => {
                    prev.push_str(", ");
                    prev.push_str(value);
                }
                _ => {
                    headers.insert(name.to_owned(), Value::String(value.to_owned()));
                }
            }
        }
        json!({
            "seq": self.seq,
            "time": rfc3339_ms(self.time_ms),
            "time_ms": self.time_ms,
            "method": self.method.as_str(),
            "path": self.path(),
            "query": self.query(),
            "headers": headers,
            "body": self.body(),
            "body_truncated": self.body_truncated(),
            "status": self.status,
            "latency_us": self.latency_us,
            "principal": self.principal(),
            "operation": self.operation,
            "reason": self.reason(),
            "client": self.client.map(|ip| ip.to_string()),
            "tenant": tenant,
        })
    }
}

/// Which entries a read or a wait selects.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Method, case-insensitive.
    pub method: Option<String>,
    /// Path prefix.
    pub path: Option<String>,
    /// Exact status.
    pub status: Option<u16>,
    /// Exact operation name.
    pub operation: Option<String>,
    /// Exact principal.
    pub principal: Option<String>,
    /// Only entries after this: a `seq` number, or an RFC 3339 time (inclusive).
    pub since: Option<String>,
}

/// A `since` bound.
#[derive(Debug, Clone, Copy)]
enum Since {
    Seq(u64),
    TimeMs(i64),
}

impl Filter {
    fn since(&self) -> Result<Option<Since>, String> {
        match &self.since {
            None => Ok(None),
            Some(text) => {
                if let Ok(seq) = text.parse::<u64>() {
                    Ok(Some(Since::Seq(seq)))
                } else if let Some(ms) = crate::clock::parse_rfc3339_ms(text) {
                    Ok(Some(Since::TimeMs(ms)))
                } else {
                    Err(format!(
                        "since: {text:?} is neither a seq number nor an RFC 3339 time"
                    ))
                }
            }
        }
    }

    /// Check the filter's own fields.
    ///
    /// # Errors
    /// A message naming the bad field.
    pub fn validate(&self) -> Result<(), String> {
        self.since().map(|_| ())
    }

    fn matches(&self, e: &Entry, since: Option<Since>) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| e.method.as_str().eq_ignore_ascii_case(m))
            && self.path.as_deref().is_none_or(|p| e.path().starts_with(p))
            && self.status.is_none_or(|s| e.status == s)
            && self
                .operation
                .as_deref()
                .is_none_or(|o| e.operation == Some(o))
            && self
                .principal
                .as_deref()
                .is_none_or(|p| e.principal() == Some(p))
            && match since {
                None => true,
                Some(Since::Seq(seq)) => e.seq > seq,
                Some(Since::TimeMs(ms)) => e.time_ms >= ms,
            }
    }
}

#[derive(Debug, Default)]
struct Ring {
    entries: VecDeque<Entry>,
    /// What the held entries take ([`Entry::bytes`]).
    bytes: usize,
    next_seq: u64,
    dropped: u64,
}

/// A bounded journal.
#[derive(Debug)]
pub struct Journal {
    ring: Mutex<Ring>,
    capacity: usize,
    capacity_bytes: usize,
    arrived: Notify,
}

impl Default for Journal {
    fn default() -> Self {
        Journal::new(DEFAULT_CAPACITY)
    }
}

impl Journal {
    /// A journal keeping at most `capacity` entries (0 keeps none) and the default bytes.
    pub fn new(capacity: usize) -> Self {
        Journal::bounded(capacity, DEFAULT_BYTES)
    }

    /// A journal keeping at most `capacity` entries and `capacity_bytes` bytes of them
    /// (either 0 keeps none).
    pub fn bounded(capacity: usize, capacity_bytes: usize) -> Self {
        Journal {
            ring: Mutex::new(Ring::default()),
            capacity,
            capacity_bytes,
            arrived: Notify::new(),
        }
    }

    /// The capacity in entries.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The capacity in bytes.
    pub fn capacity_bytes(&self) -> usize {
        self.capacity_bytes
    }

    /// Whether anything is kept at all (both caps above 0).
    pub fn enabled(&self) -> bool {
        self.capacity > 0 && self.capacity_bytes > 0
    }

    /// Record an entry (its `seq` is assigned here) and wake waiters. The oldest entries
    /// make room; an entry larger than the whole byte cap is counted as dropped.
    pub fn push(&self, mut entry: Entry) {
        if !self.enabled() {
            return;
        }
        {
            let mut ring = self.ring.lock();
            ring.next_seq += 1;
            entry.seq = ring.next_seq;
            let size = entry.bytes();
            if size > self.capacity_bytes {
                ring.dropped += 1;
            } else {
                while ring.entries.len() >= self.capacity || ring.bytes + size > self.capacity_bytes
                {
                    let Some(old) = ring.entries.pop_front() else {
                        break;
                    };
                    ring.bytes -= old.bytes();
                    ring.dropped += 1;
                }
                ring.bytes += size;
                ring.entries.push_back(entry);
            }
        }
        self.arrived.notify_waiters();
    }

    /// How many bytes the held entries take.
    pub fn bytes(&self) -> usize {
        self.ring.lock().bytes
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.ring.lock().entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many entries were pushed out by the cap since the start or the last clear.
    pub fn dropped(&self) -> u64 {
        self.ring.lock().dropped
    }

    /// Forget every entry (sequence numbers keep counting).
    pub fn clear(&self) {
        let mut ring = self.ring.lock();
        ring.entries = VecDeque::new();
        ring.bytes = 0;
        ring.dropped = 0;
    }

    /// The matching entries, oldest first; with `limit`, only the newest `limit` of them.
    ///
    /// # Errors
    /// A message if the filter is invalid.
    pub fn select(&self, filter: &Filter, limit: Option<usize>) -> Result<Vec<Entry>, String> {
        let since = filter.since()?;
        let ring = self.ring.lock();
        let mut out: Vec<Entry> = ring
            .entries
            .iter()
            .filter(|e| filter.matches(e, since))
            .cloned()
            .collect();
        if let Some(limit) = limit {
            if out.len() > limit {
                out.drain(..out.len() - limit);
            }
        }
        Ok(out)
    }

    /// Wait until at least `count` entries match `filter`, or `timeout` passes. Returns the
    /// matches and whether the count was reached.
    ///
    /// # Errors
    /// A message if the filter is invalid.
    pub async fn wait(
        &self,
        filter: &Filter,
        count: usize,
        timeout: std::time::Duration,
    ) -> Result<(Vec<Entry>, bool), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.arrived.notified();
            let found = self.select(filter, None)?;
            if found.len() >= count {
                return Ok((found, true));
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let found = self.select(filter, None)?;
                let reached = found.len() >= count;
                return Ok((found, reached));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, status: u16) -> Entry {
        Draft::new(0, Method::GET, None, path, "", 0).finish(&Outcome {
            status,
            latency_us: 1,
            ..Outcome::default()
        })
    }

    #[test]
    fn an_entry_keeps_every_text_in_one_buffer_and_gives_each_back() {
        let mut draft = Draft::new(5, Method::POST, None, "/a;x=1", "q=2", 64);
        draft.push_header("host", "h:1");
        draft.push_header("x-two", "a");
        draft.push_header("x-two", "b\nc");
        let e = draft.finish(&Outcome {
            status: 201,
            principal: Some("ann"),
            body: Some("k=v"),
            body_truncated: true,
            ..Outcome::default()
        });
        assert_eq!((e.path(), e.query()), ("/a;x=1", "q=2"));
        assert_eq!(
            e.headers().collect::<Vec<_>>(),
            [("host", "h:1"), ("x-two", "a"), ("x-two", "b c")]
        );
        assert_eq!((e.body(), e.body_truncated()), (Some("k=v"), true));
        assert_eq!((e.principal(), e.reason()), (Some("ann"), None));
        let json = e.to_json(None);
        assert_eq!(json["headers"]["x-two"], "a, b c");
        assert_eq!(json["body"], "k=v");
        assert_eq!(json["reason"], Value::Null);
        let bare = entry("/p", 200);
        assert_eq!((bare.body(), bare.principal()), (None, None));
        assert_eq!(bare.to_json(None)["body"], Value::Null);
    }

    #[test]
    fn the_byte_cap_pushes_out_the_oldest_entries() {
        let one = entry("/0123456789", 200).bytes();
        let journal = Journal::bounded(1000, one * 3);
        for i in 0..10 {
            journal.push(entry(&format!("/012345678{i}"), 200));
        }
        assert_eq!(journal.len(), 3);
        assert_eq!(journal.bytes(), one * 3);
        assert_eq!(journal.dropped(), 7);
        // An entry larger than the whole cap is not kept, and pushes nothing out.
        journal.push(entry(&"/x".repeat(one * 2), 200));
        assert_eq!(journal.len(), 3);
        assert_eq!(journal.dropped(), 8);
        journal.clear();
        assert_eq!((journal.len(), journal.bytes()), (0, 0));
        assert!(!Journal::bounded(10, 0).enabled());
    }

    #[test]
    fn the_journal_never_grows_past_its_cap() {
        let journal = Journal::new(3);
        for i in 0..10 {
            journal.push(entry(&format!("/{i}"), 200));
        }
        assert_eq!(journal.len(), 3);
        assert_eq!(journal.dropped(), 7);
        let all = journal.select(&Filter::default(), None).unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [8, 9, 10]);
    }

    #[test]
    fn filters_and_limit_select_the_newest_matches() {
        let journal = Journal::new(100);
        journal.push(entry("/a/1", 200));
        journal.push(entry("/b/1", 401));
        journal.push(entry("/a/2", 200));
        let f = Filter {
            path: Some("/a".into()),
            ..Filter::default()
        };
        assert_eq!(journal.select(&f, Some(1)).unwrap()[0].path(), "/a/2");
        let f = Filter {
            status: Some(401),
            since: Some("1".into()),
            ..Filter::default()
        };
        assert_eq!(journal.select(&f, None).unwrap().len(), 1);
        let bad = Filter {
            since: Some("yesterday".into()),
            ..Filter::default()
        };
        assert!(journal.select(&bad, None).is_err());
    }
}
