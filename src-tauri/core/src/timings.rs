//! Where a command spends its time: with `VAULTDESK_TIMINGS=1` in the environment, each
//! [`mark`] prints the milliseconds since the process started and the step just finished to
//! standard error (`tests/bench/connectors.sh` shows them for an export of every connector).
//! Steps are fixed names; no value, path or name of the user's goes into them.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Starts the clock (the front end's first step); without `VAULTDESK_TIMINGS=1`, marks print
/// nothing.
pub fn start() {
    START.get_or_init(|| (std::env::var("VAULTDESK_TIMINGS").as_deref() == Ok("1")).then(Instant::now));
}

/// `step` is done.
pub fn mark(step: &'static str) {
    if let Some(Some(t0)) = START.get() {
        eprintln!("[timings] {:8.2} ms  {step}", t0.elapsed().as_secs_f64() * 1e3);
    }
}
