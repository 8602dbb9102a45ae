//! Fault matrix, PostgreSQL rows: the server restarted (`pg_ctl restart -m fast`, same port)
//! in the middle of an apply, (a) under the provider's postgres backend, whose pool drops the
//! broken connections and runs the interrupted transactions again, and (b) under the `pg`
//! state backend, whose session advisory lock ends with the restart: the run stops with an
//! error before it writes the state (it never reconnects, so it never writes without the
//! lock); and (c) the state lock's session alone terminated while the data connection lives:
//! the check before every write stops the run. Each row ends with the shared recovery checks
//! (`fault_checks::assert_fault_recovered`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::fault_checks::{
    FAULT_RUN_TIMEOUT, FaultSubject, ProviderBackend, assert_fault_recovered, with_pg_backend,
};
use acceptance_tests::generate::tenants_config;
use acceptance_tests::pg_project::{PgProject, start_postgres};
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::{RunningProcess, wait_until};
use acceptance_tests::recovery::wait_for_catalog_objects;

/// Enough work that the fault lands in the middle of the apply.
const TENANTS: usize = 80;
/// Enough work on the postgres backend that the restart lands in the middle of it.
const PROVIDER_ROW_TENANTS: usize = 100;
const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];

/// The resource blocks of [`tenants_config`], without its provider block.
fn tenant_resources(count: usize) -> String {
    let config = tenants_config(count, true);
    let start = config
        .find("\nresource ")
        .expect("the configuration has resources");
    config[start..].to_string()
}

/// Restarts `server`, failing the test with its log when it cannot.
fn restart(server: &PostgresServer) {
    if let Err(error) = server.restart() {
        panic!("cannot restart PostgreSQL: {error:#}\n{}", server.log());
    }
}

/// Waits until the postgres backend's catalog holds `count` objects while `apply` runs.
fn wait_for_pg_objects(subject: &FaultSubject<'_>, apply: &mut RunningProcess, count: usize) {
    let reached = wait_until(Duration::from_secs(120), || {
        apply.has_exited() || subject.catalog_size() >= count
    });
    assert!(
        reached && !apply.has_exited(),
        "the apply should still be running with {count} catalog objects\n{}",
        apply.output_so_far()
    );
}

#[test]
fn postgres_restarted_under_the_provider_mid_apply_is_survived() {
    let server = start_postgres(Profile::ManagedAdmin);
    let fleet = PgProject::from_resources(&server, &tenant_resources(PROVIDER_ROW_TENANTS));
    fleet.init();
    let subject = FaultSubject {
        project: &fleet.project,
        env: Vec::new(),
        backend: ProviderBackend::Postgres(&server),
    };

    let mut apply = subject.start_apply(&["-parallelism=2"]);
    wait_for_pg_objects(&subject, &mut apply, 10);
    restart(&server);
    let after_restart = subject.catalog_size();
    let finished = apply.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(
        finished.code,
        Some(0),
        "the provider should run the transactions the restart broke again\n{}",
        finished.describe()
    );
    assert!(
        subject.catalog_size() > after_restart,
        "the provider created nothing after the restart: its pool did not recover"
    );

    assert_fault_recovered(&subject);
}

#[test]
fn postgres_restarted_under_the_pg_state_mid_apply_stops_the_run_before_it_writes() {
    let server = start_postgres(Profile::Superuser);
    let with_backend = |count: usize| with_pg_backend(&tenants_config(count, true));
    let project = Project::from_config(&with_backend(3));
    let mut subject = FaultSubject::embedded(&project);
    subject.init_pg_state(&server);
    subject.tenantform(&APPLY).expect_success();
    let serial_before = subject.pulled_state().document["serial"].clone();

    project.write_file("main.tf", &with_backend(TENANTS));
    let mut apply = subject.start_apply(&["-parallelism=2"]);
    wait_for_catalog_objects(&project, &mut apply, 12);
    restart(&server);
    let failed = apply.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(
        failed.code,
        Some(1),
        "an apply whose state connection and lock ended should stop with an error\n{}",
        failed.describe()
    );
    let output = failed.combined();
    assert!(
        ["state journal", "write the state", "the state lock"]
            .iter()
            .any(|text| output.contains(text)),
        "the error should say the state could not be recorded\n{}",
        failed.describe()
    );
    assert!(
        !output.contains(&server.superuser_dsn()),
        "the connection string leaked into the output"
    );
    assert_eq!(
        subject.pulled_state().document["serial"],
        serial_before,
        "the run wrote the state after it lost its lock"
    );

    assert_fault_recovered(&subject);
}

#[test]
fn a_lost_pg_state_lock_stops_the_run_before_it_writes() {
    let server = start_postgres(Profile::Superuser);
    let with_backend = |count: usize| with_pg_backend(&tenants_config(count, true));
    let project = Project::from_config(&with_backend(3));
    let mut subject = FaultSubject::embedded(&project);
    subject.init_pg_state(&server);
    subject.tenantform(&APPLY).expect_success();
    let serial_before = subject.pulled_state().document["serial"].clone();

    project.write_file("main.tf", &with_backend(TENANTS));
    let mut apply = subject.start_apply(&["-parallelism=2"]);
    wait_for_catalog_objects(&project, &mut apply, 12);
    let terminated = server
        .psql(
            &server.superuser_dsn(),
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE application_name LIKE 'tenantform OperationTypeApply %'",
        )
        .expect("terminate the lock's session");
    assert_eq!(terminated.trim(), "1", "exactly one lock session to end");
    let failed = apply.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(
        failed.code,
        Some(1),
        "an apply whose state lock ended should stop with an error\n{}",
        failed.describe()
    );
    assert!(
        failed
            .combined()
            .contains("the state lock is no longer held"),
        "the error should say the lock was lost\n{}",
        failed.describe()
    );
    assert_eq!(
        subject.pulled_state().document["serial"],
        serial_before,
        "the run wrote the state after it lost its lock"
    );

    assert_fault_recovered(&subject);
}
