//! A deliberate crash for the crash-handler test, compiled into debug builds only (the builds
//! the tests run; a release build has no trigger at all). With `TENANTFORM_TEST_PANIC=N` in
//! the environment, an apply panics right after the N-th instance it recorded in the state,
//! on the engine thread that recorded it. The state is as safe then as after any crash:
//! each instance was journalled the moment it completed.

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
    #[allow(
        clippy::panic,
        reason = "the crash handler's test needs a genuine panic; debug builds only"
    )]
    {
        panic!("{TRIGGER_VARIABLE}: deliberate crash after recording {recorded} instance(s)");
    }
}

/// Release builds carry no trigger.
#[cfg(not(debug_assertions))]
pub(crate) fn after_recorded_instance() {}
