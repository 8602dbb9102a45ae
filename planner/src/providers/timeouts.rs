//! The bound on every provider call (`-provider-timeout`): its default, the memory of a call
//! that got no answer (after which the provider counts as hung), and durations written as Go
//! writes them (`3s`, `20m0s`), as the flag takes them.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long one provider call may take unless `-provider-timeout` says otherwise.
pub(crate) const DEFAULT_PROVIDER_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// The first call a provider did not answer in time, once there is one: later calls fail at
/// once instead of each waiting for the bound on a provider that is hung.
#[derive(Debug, Default)]
pub(crate) struct Unanswered(Mutex<Option<(&'static str, Duration)>>);

impl Unanswered {
    /// Records that `operation` got no answer within `bound` (the first such call is kept).
    pub(crate) fn record(&self, operation: &'static str, bound: Duration) {
        let mut first = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        first.get_or_insert((operation, bound));
    }

    /// Why no further call is made, when a call got no answer before.
    pub(crate) fn refusal(&self) -> Option<String> {
        let first = *self.0.lock().unwrap_or_else(PoisonError::into_inner);
        first.map(|(operation, bound)| {
            format!(
                "it did not answer {operation} within {} (-provider-timeout), so no further \
                 calls are made to it",
                go_duration(bound)
            )
        })
    }
}

/// `duration` as Go's `time.Duration.String` writes it: `1h2m3s`, `20m0s`, `3s`, `1.5s`,
/// `250ms`.
pub(crate) fn go_duration(duration: Duration) -> String {
    if duration.is_zero() {
        return "0s".to_string();
    }
    if duration < Duration::from_secs(1) {
        let millis = duration.as_secs_f64() * 1e3;
        return format!("{}ms", trim_fraction(millis));
    }
    let whole = duration.as_secs();
    let hours = whole / 3600;
    let minutes = whole % 3600 / 60;
    let seconds = (whole % 60) as f64 + f64::from(duration.subsec_nanos()) / 1e9;
    let seconds = format!("{}s", trim_fraction(seconds));
    match (hours, minutes) {
        (0, 0) => seconds,
        (0, minutes) => format!("{minutes}m{seconds}"),
        (hours, minutes) => format!("{hours}h{minutes}m{seconds}"),
    }
}

/// A number with up to nine decimals and no trailing zeros.
fn trim_fraction(number: f64) -> String {
    let text = format!("{number:.9}");
    let text = text.trim_end_matches('0');
    text.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests;
