//! Tests of the Go-style duration text of timeout messages.

use std::time::Duration;

use super::*;

#[test]
fn durations_read_as_go_writes_them() {
    assert_eq!(go_duration(Duration::from_secs(3)), "3s");
    assert_eq!(go_duration(Duration::from_secs(20 * 60)), "20m0s");
    assert_eq!(go_duration(Duration::from_secs(3723)), "1h2m3s");
    assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
    assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
    assert_eq!(go_duration(Duration::ZERO), "0s");
}

#[test]
fn the_default_bound_is_twenty_minutes() {
    assert_eq!(go_duration(DEFAULT_PROVIDER_TIMEOUT), "20m0s");
}

#[test]
fn after_one_unanswered_call_later_calls_are_refused_naming_the_first() {
    let unanswered = Unanswered::default();
    assert_eq!(unanswered.refusal(), None);
    unanswered.record("ApplyResourceChange", Duration::from_secs(3));
    unanswered.record("PlanResourceChange", Duration::from_secs(3));
    let refusal = unanswered.refusal().unwrap_or_default();
    assert!(
        refusal.contains("did not answer ApplyResourceChange within 3s"),
        "{refusal}"
    );
    assert!(refusal.contains("no further calls"), "{refusal}");
}
