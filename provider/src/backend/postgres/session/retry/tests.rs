//! Tests of which failed transactions run again.

use super::*;

fn postgres_error(code: &str) -> BackendError {
    BackendError::Postgres {
        code: code.to_string(),
        message: "failed".to_string(),
    }
}

#[test]
fn a_lost_connection_runs_again_unless_the_commit_was_sent() {
    for code in ["connection", "57P01", "57P03", "08006"] {
        let error = || postgres_error(code);
        assert!(
            Failed::at(Stage::Connecting)(error()).may_run_again(),
            "{code}"
        );
        assert!(
            Failed::at(Stage::Working)(error()).may_run_again(),
            "{code}"
        );
        assert!(
            !Failed::at(Stage::Committing)(error()).may_run_again(),
            "{code}"
        );
    }
}

#[test]
fn any_failure_to_get_a_connection_runs_again() {
    let refused = postgres_error("client");
    assert!(Failed::at(Stage::Connecting)(refused).may_run_again());
}

#[test]
fn other_errors_inside_a_transaction_are_reported() {
    for code in ["client", "23505", "42P01"] {
        assert!(
            !Failed::at(Stage::Working)(postgres_error(code)).may_run_again(),
            "{code}"
        );
    }
    let serialization = postgres_error("40001");
    assert!(Failed::at(Stage::Committing)(serialization).may_run_again());
}

#[test]
fn a_commit_the_server_rolled_back_runs_again() {
    let lost = postgres_error("connection");
    assert!(Failed::at(Stage::RolledBack)(lost).may_run_again());
}

#[test]
fn conflicts_run_again_a_bounded_number_of_times() {
    let mut retry = Retry::new();
    let conflict = Failed::at(Stage::Working)(postgres_error("40001"));
    let waits = std::iter::from_fn(|| retry.next_wait(&conflict)).count();
    assert_eq!(waits as u32, MAX_CONFLICT_ATTEMPTS - 1);
}

#[test]
fn an_unreachable_server_is_tried_again_until_the_budget_is_spent() {
    let lost = Failed::at(Stage::Connecting)(postgres_error("client"));
    let mut retry = Retry::new();
    for _ in 0..20 {
        let wait = retry.next_wait(&lost).expect("within the budget");
        assert!(wait < MAX_BACKOFF * 2, "{wait:?}");
    }
    let long_ago = Instant::now().checked_sub(RECONNECT_BUDGET + Duration::from_secs(1));
    retry.unreachable_since = long_ago;
    assert_eq!(retry.next_wait(&lost), None);
    assert_eq!(retry.next_wait_unreachable(), None);
}

#[test]
fn an_unknown_commit_outcome_is_reported() {
    let lost = Failed::at(Stage::Committing)(postgres_error("connection"));
    assert_eq!(Retry::new().next_wait(&lost), None);
}
