//! Waiting for a condition, the one place tests pause: poll until it holds, and fail loudly,
//! naming what was awaited, once the deadline passes. No test sleeps for a fixed time.

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
