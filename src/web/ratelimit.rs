//! Per-client request limits, keyed by a keyed hash of the client's IP.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::clock::Clock;
use crate::config::RateLimit;
use crate::error::AppError;

/// Past this many tracked clients, forgotten ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

/// The server's clock as the limiter reads it: moving the clock (as tests do) moves the limits.
#[derive(Debug, Clone)]
struct LimiterClock(Clock);

impl governor::clock::Clock for LimiterClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let since_epoch = self.0.now().and_utc().timestamp_nanos_opt().unwrap_or(0).max(0);
        Nanos::from(std::time::Duration::from_nanos(since_epoch.unsigned_abs()))
    }
}

/// Counts requests per client (report submissions, sign-in attempts).
pub struct ClientLimiter {
    limiter: RateLimiter<[u8; 16], DashMapStateStore<[u8; 16]>, LimiterClock, NoOpMiddleware<Nanos>>,
    clock: LimiterClock,
    /// What is counted, e.g. "reports", for the refusal message.
    what: &'static str,
    /// Random per process: the IP itself is never kept, and the hash cannot be reversed by guessing.
    key: [u8; 32],
}

impl ClientLimiter {
    /// A limiter allowing `limit.count` submissions per `limit.per`, refilled evenly.
    pub fn new(limit: RateLimit, what: &'static str, clock: Clock) -> Self {
        let burst = NonZeroU32::new(limit.count).unwrap_or(NonZeroU32::MIN);
        let period = limit.per / limit.count.max(1);
        let quota = Quota::with_period(period).unwrap_or_else(|| Quota::per_second(burst)).allow_burst(burst);
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let clock = LimiterClock(clock);
        Self { limiter: RateLimiter::dashmap_with_clock(quota, clock.clone()), clock, what, key }
    }

    /// Counts one submission from `ip`, or says when the next one will be accepted.
    pub fn check(&self, ip: IpAddr) -> Result<(), AppError> {
        if self.limiter.len() > SWEEP_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&self.client_key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            {
                let secs = wait.as_secs() + 1;
                AppError::RateLimited {
                    retry_after_secs: secs,
                    message: format!(
                        "too many {} from your network; try again in {} minutes",
                        self.what,
                        secs.div_ceil(60)
                    ),
                }
            }
        })
    }

    fn client_key(&self, ip: IpAddr) -> [u8; 16] {
        // IPv6 clients usually hold a whole /64: limit the network, not the address.
        let bytes = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets()[..8].to_vec(),
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(&bytes);
        let digest = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&digest[..16]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn allows_the_count_then_refuses_with_a_wait_that_follows_the_clock() {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(9, 30, 0).unwrap();
        let clock = Clock::standing_at(start);
        let limiter =
            ClientLimiter::new(RateLimit { count: 2, per: Duration::from_secs(600) }, "reports", clock.clone());
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        assert!(limiter.check(ip).is_ok());
        assert!(limiter.check(ip).is_ok());
        // Two in ten minutes: the next is one period (300 s) after the first, so 301 s rounded up.
        let retry = |limiter: &ClientLimiter| match limiter.check(ip) {
            Err(AppError::RateLimited { retry_after_secs, .. }) => retry_after_secs,
            other => panic!("expected a rate limit, got {other:?}"),
        };
        assert_eq!(retry(&limiter), 301);
        clock.advance(chrono::Duration::seconds(100));
        assert_eq!(retry(&limiter), 201, "the wait shrinks as the clock moves");
        assert!(limiter.check("203.0.113.8".parse().unwrap()).is_ok(), "other clients are unaffected");
        clock.advance(chrono::Duration::seconds(200));
        assert!(limiter.check(ip).is_ok(), "one more once a period has passed");
        assert!(limiter.check(ip).is_err());
    }

    #[test]
    fn ipv6_clients_are_limited_per_64() {
        let limiter =
            ClientLimiter::new(RateLimit { count: 1, per: Duration::from_secs(600) }, "reports", Clock::default());
        assert!(limiter.check("2001:db8::1".parse().unwrap()).is_ok());
        assert!(limiter.check("2001:db8::2".parse().unwrap()).is_err());
    }
}
