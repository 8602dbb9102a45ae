//! Fault matrix, concurrency rows: two `tenantform apply` runs on one state, with the local
//! state (one working directory) and with the `pg` state backend (two processes on one
//! server). While the first holds the state lock, a second one with `-lock-timeout=0s` is
//! refused with Terraform's "Error acquiring the state lock" and changes nothing, and one with
//! a lock timeout waits, then finds nothing left to do. Each row ends with the shared
//! recovery checks (`fault_checks::assert_fault_recovered`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::Project;
use acceptance_tests::fault_checks::{
    FAULT_RUN_TIMEOUT, FaultSubject, assert_fault_recovered, with_pg_backend,
};
use acceptance_tests::generate::tenants_config;
use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::postgres::Profile;
use acceptance_tests::recovery::wait_for_catalog_objects;

/// Enough work that the first apply still runs while the others start.
const TENANTS: usize = 60;
const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];

/// Runs the two concurrent applies on `subject` and checks both outcomes.
fn race_two_applies(subject: &FaultSubject<'_>) {
    let mut first = subject.start_apply(&["-parallelism=2"]);
    wait_for_catalog_objects(subject.project, &mut first, 4);

    let refused = subject.tenantform(&[&APPLY[..], &["-lock-timeout=0s"]].concat());
    assert_eq!(
        refused.code,
        Some(1),
        "a second apply while the first holds the lock should fail\n{}",
        refused.describe()
    );
    assert!(
        refused
            .combined()
            .contains("Error acquiring the state lock"),
        "the refusal should be Terraform's lock error\n{}",
        refused.describe()
    );
    assert!(
        !refused.combined().contains("Creating..."),
        "the refused apply changed something\n{}",
        refused.describe()
    );

    let waiting = subject
        .command(&[&APPLY[..], &["-lock-timeout=300s"]].concat())
        .spawn(false);
    let first = first.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(first.code, Some(0), "{}", first.describe());
    let waited = waiting.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(
        waited.code,
        Some(0),
        "the apply waiting for the lock should succeed once it is free\n{}",
        waited.describe()
    );
    assert!(
        waited.combined().contains("No changes."),
        "the waiting apply should find the first one's work done\n{}",
        waited.describe()
    );
    assert_eq!(subject.catalog_size(), 2 * TENANTS);
}

#[test]
fn two_local_applies_in_one_directory_exclude_each_other() {
    let project = Project::from_config(&tenants_config(TENANTS, true));
    project.init();
    let subject = FaultSubject::embedded(&project);
    race_two_applies(&subject);
    assert_fault_recovered(&subject);
}

#[test]
fn two_applies_on_one_pg_state_exclude_each_other() {
    let server = start_postgres(Profile::Superuser);
    let config = with_pg_backend(&tenants_config(TENANTS, true));
    let project = Project::from_config(&config);
    let mut subject = FaultSubject::embedded(&project);
    subject.init_pg_state(&server);
    race_two_applies(&subject);
    assert!(
        !project.state_path().exists(),
        "the state lives in PostgreSQL, not in a local file"
    );
    assert_fault_recovered(&subject);
}
