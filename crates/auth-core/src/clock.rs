//! The per-instance clock every product reads for "now".
//!
//! Real time by default; a test can freeze it, advance it or set it through the control
//! scope (`/_standin/clock`), so expiry (tokens, API users, checkouts, Digest nonces) can be
//! tested without sleeping. Each product instance and each tenant has its own clock.

use parking_lot::Mutex;
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// System time plus an offset (after `advance`/`set` on a running clock).
    Running { offset_ms: i64 },
    /// Stopped at a fixed instant.
    Frozen { at_ms: i64 },
}

/// A clock that is real by default and can be frozen, advanced or set.
#[derive(Debug)]
pub struct Clock {
    mode: Mutex<Mode>,
}

/// What `GET /_standin/clock` reports.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ClockState {
    /// The instance's "now" as RFC 3339 (UTC, millisecond precision when not whole).
    pub now: String,
    /// The instance's "now" in epoch milliseconds.
    pub now_ms: i64,
    /// Whether the clock is stopped.
    pub frozen: bool,
    /// How far the instance's "now" is from the system clock, in milliseconds.
    pub offset_ms: i64,
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Default for Clock {
    fn default() -> Self {
        Self::real()
    }
}

impl Clock {
    /// A clock that follows system time.
    pub fn real() -> Self {
        Clock {
            mode: Mutex::new(Mode::Running { offset_ms: 0 }),
        }
    }

    /// A clock stopped at `at_ms` (epoch milliseconds).
    pub fn frozen_at(at_ms: i64) -> Self {
        Clock {
            mode: Mutex::new(Mode::Frozen { at_ms }),
        }
    }

    /// Now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        match *self.mode.lock() {
            Mode::Running { offset_ms } => system_ms().saturating_add(offset_ms),
            Mode::Frozen { at_ms } => at_ms,
        }
    }

    /// Now, in whole epoch seconds.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Now, as a UTC date-time.
    pub fn now(&self) -> OffsetDateTime {
        datetime_from_ms(self.now_ms())
    }

    /// Stop the clock at the current instant (no-op if already frozen).
    pub fn freeze(&self) {
        let mut mode = self.mode.lock();
        if let Mode::Running { offset_ms } = *mode {
            *mode = Mode::Frozen {
                at_ms: system_ms().saturating_add(offset_ms),
            };
        }
    }

    /// Let the clock run again from where it stands (no-op if running).
    pub fn unfreeze(&self) {
        let mut mode = self.mode.lock();
        if let Mode::Frozen { at_ms } = *mode {
            *mode = Mode::Running {
                offset_ms: at_ms.saturating_sub(system_ms()),
            };
        }
    }

    /// Move the clock forward by `ms` milliseconds (backwards if negative).
    pub fn advance_ms(&self, ms: i64) {
        let mut mode = self.mode.lock();
        *mode = match *mode {
            Mode::Running { offset_ms } => Mode::Running {
                offset_ms: offset_ms.saturating_add(ms),
            },
            Mode::Frozen { at_ms } => Mode::Frozen {
                at_ms: at_ms.saturating_add(ms),
            },
        };
    }

    /// Set "now" to `at_ms`; a frozen clock stays frozen there, a running one runs on from it.
    pub fn set_ms(&self, at_ms: i64) {
        let mut mode = self.mode.lock();
        *mode = match *mode {
            Mode::Running { .. } => Mode::Running {
                offset_ms: at_ms.saturating_sub(system_ms()),
            },
            Mode::Frozen { .. } => Mode::Frozen { at_ms },
        };
    }

    /// Back to real, running system time.
    pub fn reset(&self) {
        *self.mode.lock() = Mode::Running { offset_ms: 0 };
    }

    /// A snapshot for the control API.
    pub fn state(&self) -> ClockState {
        let mode = *self.mode.lock();
        let sys = system_ms();
        let (now_ms, frozen) = match mode {
            Mode::Running { offset_ms } => (sys.saturating_add(offset_ms), false),
            Mode::Frozen { at_ms } => (at_ms, true),
        };
        ClockState {
            now: rfc3339_ms(now_ms),
            now_ms,
            frozen,
            offset_ms: now_ms.saturating_sub(sys),
        }
    }
}

/// Epoch milliseconds to a UTC date-time (clamped to the representable range).
pub fn datetime_from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 text for epoch milliseconds, e.g. `2027-01-01T00:00:00Z`.
pub fn rfc3339_ms(ms: i64) -> String {
    datetime_from_ms(ms)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Parse RFC 3339 text (`2027-01-01T00:00:00Z`) into epoch milliseconds.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let dt = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(dt.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_stands_still_and_advances_on_request() {
        let clock = Clock::frozen_at(1_000_000);
        assert_eq!(clock.now_ms(), 1_000_000);
        clock.advance_ms(7_200_000);
        assert_eq!(clock.now_ms(), 8_200_000);
        assert_eq!(clock.now_secs(), 8_200);
    }

    #[test]
    fn set_on_a_running_clock_keeps_it_running_from_there() {
        let clock = Clock::real();
        let target = parse_rfc3339_ms("2027-01-01T00:00:00Z").unwrap();
        clock.set_ms(target);
        let now = clock.now_ms();
        assert!(now >= target && now < target + 5_000);
        assert!(!clock.state().frozen);
    }

    #[test]
    fn freeze_then_unfreeze_continues_from_the_frozen_instant() {
        let clock = Clock::real();
        clock.set_ms(0);
        clock.freeze();
        let at = clock.now_ms();
        clock.advance_ms(1000);
        clock.unfreeze();
        assert!(clock.now_ms() >= at + 1000);
        assert!(clock.now_ms() < at + 6000);
    }

    #[test]
    fn rfc3339_round_trips() {
        let ms = parse_rfc3339_ms("2027-01-01T00:00:00Z").unwrap();
        assert_eq!(rfc3339_ms(ms), "2027-01-01T00:00:00Z");
        assert_eq!(parse_rfc3339_ms("not a date"), None);
    }
}
