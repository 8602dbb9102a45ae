//! Tests of the common options: `-provider-timeout`.

use std::time::Duration;

use super::*;

fn timeout_of(args: &[&str]) -> Result<Duration, Failure> {
    let args: Vec<String> = args.iter().map(ToString::to_string).collect();
    let parsed = super::super::plan::COMMAND.parse(&args)?;
    provider_timeout(&parsed, &super::super::plan::COMMAND)
}

#[test]
fn the_provider_timeout_defaults_to_twenty_minutes_and_takes_go_durations() {
    assert_eq!(timeout_of(&[]).ok(), Some(Duration::from_secs(20 * 60)));
    assert_eq!(
        timeout_of(&["-provider-timeout=30s"]).ok(),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        timeout_of(&["-provider-timeout", "1m30s"]).ok(),
        Some(Duration::from_secs(90))
    );
}

#[test]
fn a_zero_or_malformed_provider_timeout_is_a_usage_error() {
    for value in ["0s", "0", "soon", "-5s"] {
        let flag = format!("-provider-timeout={value}");
        assert!(
            matches!(timeout_of(&[&flag]), Err(Failure::Usage(..))),
            "{value} accepted"
        );
    }
}
