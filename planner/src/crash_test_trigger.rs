//! A deliberate crash for the crash-handler test, compiled into debug builds only (the builds
//! the tests run; a release build has no trigger at all). With `TENANTFORM_TEST_PANIC=N` in
//! the environment, an apply panics right after the N-th instance it recorded in the state,
//! on a thread of its own while the recording thread waits. The state is as safe then as
//! after any crash: each instance was journalled the moment it completed.

/// The environment variable that arms the trigger (debug builds only).
#[cfg(debug_assertions)]
const TRIGGER_VARIABLE: &str = "TENANTFORM_TEST_PANIC";

/// Called after each instance an apply recorded durably.
#[cfg(debug_assertions)]
pub(crate) fn after_recorded_instance() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RECORDED: AtomicUsize = AtomicUsize::new(0);
    let Some(limit) = std::env::var(TRIGGER_VARIABLE)
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
    else {
        return;
    };
    let recorded = RECORDED.fetch_add(1, Ordering::SeqCst) + 1;
    if recorded != limit {
        return;
    }
    // The panic happens on a thread of its own, neither the process's main thread nor the
    // runtime's, and this one waits for it: the crash handler must end the whole process.
    let crashing = std::thread::Builder::new()
        .name(CRASH_THREAD.to_string())
        .spawn(move || deliberate_crash(recorded));
    match crashing {
        Ok(thread) => {
            let _ = thread.join();
        }
        Err(_) => deliberate_crash(recorded),
    }
}

/// The name of the thread that panics.
#[cfg(debug_assertions)]
const CRASH_THREAD: &str = "crash-test";

#[cfg(debug_assertions)]
#[allow(
    clippy::panic,
    reason = "the crash handler's test needs a genuine panic; debug builds only"
)]
fn deliberate_crash(recorded: usize) {
    panic!("{TRIGGER_VARIABLE}: deliberate crash after recording {recorded} instance(s)");
}

/// Release builds carry no trigger.
#[cfg(not(debug_assertions))]
pub(crate) fn after_recorded_instance() {}
