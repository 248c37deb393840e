//! Waiting for a condition, the one place tests pause: poll until it holds, and fail loudly,
//! naming what was awaited, once the deadline passes. No test sleeps for a fixed time.

use std::time::{Duration, Instant};

/// How often a condition is looked at again.
const POLL: Duration = Duration::from_millis(20);

/// Blocks until `ready` returns `Some`, and returns it; panics naming `what` after `deadline`.
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

/// [`until`] for async tests: the condition is looked at between yields to the runtime.
pub async fn until_async<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    deadline: Duration,
    mut ready: impl FnMut() -> F,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = ready().await {
            return value;
        }
        assert!(start.elapsed() < deadline, "waited {deadline:?} for {what}");
        tokio::time::sleep(POLL).await;
    }
}
