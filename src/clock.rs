//! The server's notion of "now": UTC, microsecond precision, and movable in tests.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime, SubsecRound, Utc};

/// The current time as stored (what PostgreSQL keeps); tests may move it forward.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    /// Where a standing clock stands (before any offset); `None` follows the system's time.
    standing: Option<NaiveDateTime>,
}

impl Clock {
    /// A clock that stands at `at` until moved: in tests no second, hour or midnight passes
    /// by itself, so an answer never depends on when the test ran.
    pub fn standing_at(at: NaiveDateTime) -> Self {
        Self { offset_secs: Arc::default(), standing: Some(at.trunc_subsecs(6)) }
    }

    /// Now, plus any offset a test set.
    pub fn now(&self) -> NaiveDateTime {
        let base = self.standing.unwrap_or_else(|| Utc::now().naive_utc().trunc_subsecs(6));
        base + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.offset_secs.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
