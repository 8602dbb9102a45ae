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
