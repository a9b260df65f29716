//! A token bucket per key (client address, e-mail) for public endpoints.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    burst: f64,
    refill_every: Duration,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// `burst` requests at once, then one more each `refill_every`.
    pub fn new(burst: u32, refill_every: Duration) -> Self {
        Self { burst: f64::from(burst), refill_every, buckets: Mutex::new(HashMap::new()) }
    }

    /// Take one token for `key`; `Err` carries the wait until the next one.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets so the map cannot grow without bound.
            let (burst, every) = (self.burst, self.refill_every);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() / every.as_secs_f64() < burst
            });
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((self.burst, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() / self.refill_every.as_secs_f64()).min(self.burst);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(self.refill_every.mul_f64(1.0 - refilled))
        }
    }
}

/// The (address, e-mail) pairs that have signed in: a correct password from such an address
/// goes through even while the address is over its limit (a busy office behind one address,
/// or someone guessing other people's passwords from it).
#[derive(Default)]
pub struct KnownAddresses {
    pairs: Mutex<std::collections::HashSet<String>>,
}

impl KnownAddresses {
    fn key(address: &str, email: &str) -> String {
        format!("{address}|{email}")
    }

    pub fn contains(&self, address: &str, email: &str) -> bool {
        self.pairs.lock().unwrap_or_else(|e| e.into_inner()).contains(&Self::key(address, email))
    }

    pub fn insert(&self, address: &str, email: &str) {
        let mut pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
        if pairs.len() > 100_000 {
            pairs.clear();
        }
        pairs.insert(Self::key(address, email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills() {
        let l = RateLimiter::new(2, Duration::from_secs(10));
        let t0 = Instant::now();
        assert!(l.check_at("a", t0).is_ok());
        assert!(l.check_at("a", t0).is_ok());
        assert!(l.check_at("a", t0).is_err());
        assert!(l.check_at("b", t0).is_ok(), "keys are separate");
        assert!(l.check_at("a", t0 + Duration::from_secs(10)).is_ok());
    }
}
