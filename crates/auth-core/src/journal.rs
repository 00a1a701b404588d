//! The request journal: a bounded ring buffer of every product request an instance served
//! (control requests excluded), with the authenticated principal, the operation name and,
//! for refusals, the reason. Entries are redacted before they are pushed
//! ([`crate::redact`], with the names the product declares), so no secret is ever held.

use crate::clock::rfc3339_ms;
use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::net::IpAddr;
use tokio::sync::Notify;

/// Default number of entries kept.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// One served request.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Position in the journal since the instance started (1-based).
    pub seq: u64,
    /// When it arrived, on the instance clock (epoch ms).
    pub time_ms: i64,
    /// Method.
    pub method: Method,
    /// Path as sent, secret path parameters redacted.
    pub path: String,
    /// Query string as sent, secret parameters redacted.
    pub query: String,
    /// Request headers, secret values redacted.
    pub headers: HeaderMap,
    /// Response status.
    pub status: u16,
    /// Time spent serving it.
    pub latency_us: u64,
    /// The authenticated principal.
    pub principal: Option<String>,
    /// The operation name, e.g. `pmp.get_password`.
    pub operation: Option<&'static str>,
    /// Why it was refused.
    pub reason: Option<String>,
    /// The client address.
    pub client: Option<IpAddr>,
}

impl Entry {
    /// The entry as JSON, secrets redacted.
    pub fn to_json(&self, tenant: Option<&str>) -> Value {
        let mut headers = Map::new();
        for (name, value) in self.headers.iter() {
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            match headers.get_mut(name.as_str()) {
                Some(Value::String(prev)) => {
                    prev.push_str(", ");
                    prev.push_str(&text);
                }
                _ => {
                    headers.insert(name.as_str().to_owned(), Value::String(text));
                }
            }
        }
        json!({
            "seq": self.seq,
            "time": rfc3339_ms(self.time_ms),
            "time_ms": self.time_ms,
            "method": self.method.as_str(),
            "path": self.path,
            "query": self.query,
            "headers": headers,
            "status": self.status,
            "latency_us": self.latency_us,
            "principal": self.principal,
            "operation": self.operation,
            "reason": self.reason,
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
            && self.path.as_deref().is_none_or(|p| e.path.starts_with(p))
            && self.status.is_none_or(|s| e.status == s)
            && self
                .operation
                .as_deref()
                .is_none_or(|o| e.operation == Some(o))
            && self
                .principal
                .as_deref()
                .is_none_or(|p| e.principal.as_deref() == Some(p))
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
    next_seq: u64,
    dropped: u64,
}

/// A bounded journal.
#[derive(Debug)]
pub struct Journal {
    ring: Mutex<Ring>,
    capacity: usize,
    arrived: Notify,
}

impl Default for Journal {
    fn default() -> Self {
        Journal::new(DEFAULT_CAPACITY)
    }
}

impl Journal {
    /// A journal keeping at most `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Journal {
            ring: Mutex::new(Ring::default()),
            capacity,
            arrived: Notify::new(),
        }
    }

    /// The capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Record an entry (its `seq` is assigned here) and wake waiters.
    pub fn push(&self, mut entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        {
            let mut ring = self.ring.lock();
            ring.next_seq += 1;
            entry.seq = ring.next_seq;
            if ring.entries.len() >= self.capacity {
                ring.entries.pop_front();
                ring.dropped += 1;
            }
            ring.entries.push_back(entry);
        }
        self.arrived.notify_waiters();
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
        ring.entries.clear();
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
        Entry {
            seq: 0,
            time_ms: 0,
            method: Method::GET,
            path: path.into(),
            query: String::new(),
            headers: HeaderMap::new(),
            status,
            latency_us: 1,
            principal: None,
            operation: None,
            reason: None,
            client: None,
        }
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
        assert_eq!(journal.select(&f, Some(1)).unwrap()[0].path, "/a/2");
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
