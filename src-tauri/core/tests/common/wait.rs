//! Waiting for something to happen instead of sleeping for a guessed time: poll until it has
//! happened, and give up only after a deadline far beyond any normal run, so a slow, loaded
//! machine makes a test slower, never red.

use std::time::{Duration, Instant};

/// How long to wait for something that normally takes a second or two.
pub const PATIENCE: Duration = Duration::from_secs(90);

const POLL: Duration = Duration::from_millis(100);

/// Polls `happened` until it returns `Some`, for up to [`PATIENCE`]; `None` if it never did.
pub async fn until<T, F, Fut>(mut happened: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let give_up = Instant::now() + PATIENCE;
    loop {
        if let Some(v) = happened().await {
            return Some(v);
        }
        if Instant::now() >= give_up {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls the blocking check `holds` until it is true, for up to [`PATIENCE`].
pub fn until_blocking(holds: impl Fn() -> bool) -> bool {
    let give_up = Instant::now() + PATIENCE;
    loop {
        if holds() {
            return true;
        }
        if Instant::now() >= give_up {
            return false;
        }
        std::thread::sleep(POLL);
    }
}
