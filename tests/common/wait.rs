//! Waiting for a condition, the one place tests pause: poll until it holds, and fail loudly,
//! naming what was awaited, once the deadline passes. No test sleeps for a fixed time; a load
//! that must not flood the server keeps its rhythm with [`Pace`].

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often a condition is looked at again.
const POLL: Duration = Duration::from_millis(20);

/// Blocks until `ready` returns `Some`, and returns it; panics naming `what` after `deadline`.
#[allow(dead_code)]
pub fn until<T>(what: &str, deadline: Duration, mut ready: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = ready() {
            return value;
        }
        assert!(start.elapsed() < deadline, "waited {deadline:?} for {what}");
        std::thread::sleep(POLL);
    }
}

/// Polls `ready` between yields to the runtime until it returns `Some`; after `deadline`, an
/// error naming `what`.
#[allow(dead_code)] // Each test crate uses its own share of these.
pub async fn poll<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    deadline: Duration,
    mut ready: impl FnMut() -> F,
) -> Result<T, String> {
    let start = Instant::now();
    loop {
        if let Some(value) = ready().await {
            return Ok(value);
        }
        if start.elapsed() >= deadline {
            return Err(format!("waited {deadline:?} for {what}"));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// [`poll`] that panics when the deadline passes.
#[allow(dead_code)]
pub async fn until_async<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    deadline: Duration,
    ready: impl FnMut() -> F,
) -> T {
    poll(what, deadline, ready).await.unwrap_or_else(|e| panic!("{e}"))
}

/// Paces a load: one step every `period`, however long the last step took. It never waits
/// for a condition (that is [`until_async`]'s job); it only keeps a load from flooding the
/// server.
#[allow(dead_code)]
pub struct Pace(tokio::time::Interval);

#[allow(dead_code)]
impl Pace {
    /// Steps `period` apart; the first step goes at once.
    pub fn every(period: Duration) -> Self {
        let mut ticks = tokio::time::interval(period);
        // A slow step is not made up for with a burst of quick ones.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self(ticks)
    }

    /// Returns when the next step may go.
    pub async fn step(&mut self) {
        self.0.tick().await;
    }
}

/// What a slow server holds its answers on: each hold ends when the test opens the gate, or
/// at the hold's own deadline, so a test that never opens it still ends.
#[allow(dead_code)]
#[derive(Default)]
pub struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
}

#[allow(dead_code)]
impl Gate {
    /// Blocks until the gate is open or `deadline` has passed.
    pub fn hold(&self, deadline: Duration) {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.opened.wait_timeout_while(open, deadline, |open| !*open);
    }

    /// Ends every hold under way and every later one.
    pub fn open(&self) {
        *self.open.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.opened.notify_all();
    }
}
