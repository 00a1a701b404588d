//! The shared services every instance carries: its clock, its generator of ids, its request
//! journal, its fault rules and rate limits.

use crate::clock::Clock;
use crate::faults::{Faults, RateLimits};
use crate::ids::Ids;
use crate::journal::Journal;

/// The shared services of one instance: clock, random generator, request journal, fault
/// rules and rate limits.
#[derive(Debug)]
pub struct Env {
    /// The instance's clock.
    pub clock: Clock,
    /// The instance's generator of keys, tokens, ids and nonces.
    pub ids: Ids,
    /// Every request served (bounded).
    pub journal: Journal,
    /// Fault rules.
    pub faults: Faults,
    /// Rate limits.
    pub limits: RateLimits,
}

impl Env {
    /// A fresh environment for the RNG stream `stream`, with the default journal size.
    pub fn new(seed: Option<u64>, stream: &str) -> Self {
        Self::with_journal(seed, stream, Journal::default())
    }

    /// A fresh environment recording into `journal`.
    pub fn with_journal(seed: Option<u64>, stream: &str, journal: Journal) -> Self {
        Env {
            clock: Clock::real(),
            ids: Ids::new(seed, stream),
            journal,
            faults: Faults::default(),
            limits: RateLimits::default(),
        }
    }
}
