//! Named steps of the store's changes where a test can stop the process, to prove that a change
//! interrupted there is completed or undone by the next open. Compiled only with the feature
//! `test-hooks` (enabled by `live-tests`), never in the app or the CLI as shipped: without it
//! [`reached`] is an empty function.
//!
//! `VAULTDESK_TEST_HOOK=STEP` aborts the process at `STEP` (as `kill -9` would: no destructor,
//! no cleanup); `VAULTDESK_TEST_HOOK=STEP:pause:DIR` creates `DIR/reached` there and waits until
//! `DIR/go` exists (to deliver a signal at that point).

#[cfg(feature = "test-hooks")]
pub(crate) fn reached(step: &str) {
    let Ok(hook) = std::env::var("VAULTDESK_TEST_HOOK") else { return };
    let mut parts = hook.splitn(3, ':');
    let (Some(a), Some(b)) = (parts.next(), parts.next()) else { return };
    let (name, rest) = (format!("{a}:{b}"), parts.next());
    if name != step {
        return;
    }
    match rest.and_then(|r| r.strip_prefix("pause:")) {
        Some(dir) => {
            let dir = std::path::Path::new(dir);
            let _ = std::fs::write(dir.join("reached"), step);
            while !dir.join("go").exists() {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        None => std::process::abort(),
    }
}

#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub(crate) fn reached(_step: &str) {}
