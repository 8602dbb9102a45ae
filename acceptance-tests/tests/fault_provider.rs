//! Fault matrix, provider rows: the provider process killed (`kill -9`) or stopped
//! (`SIGSTOP`) in the middle of an apply. tenantform reports the failure, exits non-zero and
//! keeps every completed instance in the state; a stopped provider costs at most
//! `-provider-timeout` per call, and an apply with an unknown outcome is kept tainted. Each
//! row ends with the shared recovery checks (`fault_checks::assert_fault_recovered`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::{Duration, Instant};

use acceptance_tests::Project;
use acceptance_tests::fault_checks::{
    FAULT_RUN_TIMEOUT, FaultSubject, assert_fault_recovered, send_signal, tainted_instances,
};
use acceptance_tests::generate::tenants_config;
use acceptance_tests::process::{Output, is_alive, kill_pid};
use acceptance_tests::recovery::wait_for_catalog_objects;

/// Enough work that the fault lands in the middle of the apply.
const TENANTS: usize = 60;

/// The ids the apply reported as created (`... complete after ... [id=ID]`).
fn completed_ids(output: &Output) -> Vec<String> {
    output
        .combined()
        .lines()
        .filter(|line| line.contains("complete after"))
        .filter_map(|line| {
            let start = line.find("[id=")? + 4;
            let end = line[start..].find(']')? + start;
            Some(line[start..end].to_string())
        })
        .collect()
}

/// Asserts that every id the apply reported as completed is in the state file.
fn assert_completed_kept(project: &Project, output: &Output) {
    let completed = completed_ids(output);
    assert!(
        !completed.is_empty(),
        "the apply completed nothing before the fault\n{}",
        output.describe()
    );
    let state = project.state();
    let recorded: Vec<String> = state
        .instances
        .iter()
        .filter_map(|instance| instance.id().map(str::to_string))
        .collect();
    for id in &completed {
        assert!(
            recorded.contains(id),
            "{id} was reported complete but is not in the state: {:?}",
            state.addresses()
        );
    }
}

/// A connection to the embedded catalog holding its write lock until rolled back.
fn hold_catalog_write_lock(project: &Project) -> rusqlite::Connection {
    let path = project.path(".tenants/catalog.db");
    let connection = rusqlite::Connection::open(&path)
        .unwrap_or_else(|error| panic!("open {}: {error}", path.display()));
    connection
        .busy_timeout(Duration::from_secs(30))
        .expect("set the busy timeout");
    connection
        .execute_batch("BEGIN IMMEDIATE")
        .expect("take the catalog's write lock");
    connection
}

#[test]
fn provider_killed_mid_apply_is_reported_and_the_next_apply_converges() {
    let project = Project::from_config(&tenants_config(TENANTS, true));
    project.init();
    let subject = FaultSubject::embedded(&project);

    let mut apply = subject.start_apply(&["-parallelism=4"]);
    wait_for_catalog_objects(&project, &mut apply, 12);
    let providers = subject.providers_of(&apply);
    assert!(
        !providers.is_empty(),
        "no provider process under tenantform"
    );
    for &pid in &providers {
        kill_pid(pid);
    }
    let failed = apply.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(
        failed.code,
        Some(1),
        "an apply whose provider died exits 1\n{}",
        failed.describe()
    );
    let output = failed.combined();
    assert!(
        output.contains("exited unexpectedly") && output.contains("tenantform/tenant"),
        "the error should say the provider's process died\n{}",
        failed.describe()
    );
    assert_completed_kept(&project, &failed);

    assert_fault_recovered(&subject);
}

#[test]
fn provider_stopped_mid_apply_times_out_and_the_next_apply_converges() {
    let project = Project::from_config(&tenants_config(TENANTS, false));
    project.init();
    let subject = FaultSubject::embedded(&project);

    let mut apply = subject.start_apply(&["-parallelism=10", "-provider-timeout=3s"]);
    wait_for_catalog_objects(&project, &mut apply, 5);
    let providers = subject.providers_of(&apply);
    assert!(
        !providers.is_empty(),
        "no provider process under tenantform"
    );
    // Holding the catalog's write lock makes the provider's next create wait inside
    // ApplyResourceChange, so that the stop catches one in flight.
    let blocker = hold_catalog_write_lock(&project);
    std::thread::sleep(Duration::from_millis(700));
    for &pid in &providers {
        send_signal(pid, libc::SIGSTOP);
    }
    blocker
        .execute_batch("ROLLBACK")
        .expect("release the catalog's write lock");
    drop(blocker);
    let stopped_at = Instant::now();
    let failed = apply.wait(FAULT_RUN_TIMEOUT);
    let took = stopped_at.elapsed();
    for &pid in &providers {
        if is_alive(pid) {
            send_signal(pid, libc::SIGCONT);
            kill_pid(pid);
        }
    }
    assert_eq!(
        failed.code,
        Some(1),
        "an apply whose provider stopped answering exits 1\n{}",
        failed.describe()
    );
    assert!(
        took < Duration::from_secs(60),
        "the apply took {took:?} after the provider stopped; -provider-timeout=3s should end \
         it sooner\n{}",
        failed.describe()
    );
    let output = failed.combined();
    assert!(
        output.contains("did not answer ApplyResourceChange within 3s (-provider-timeout)"),
        "the error should name the call and the timeout\n{}",
        failed.describe()
    );
    assert!(
        output.contains("registry.terraform.io/tenantform/tenant"),
        "the error should name the provider\n{}",
        failed.describe()
    );
    assert!(
        output.contains("no further calls are made to it"),
        "the calls after the first timeout should fail at once\n{}",
        failed.describe()
    );
    assert!(
        output.contains("is unknown"),
        "the timed-out apply's instance should be reported kept, tainted\n{}",
        failed.describe()
    );
    let state = project.state();
    assert!(
        tainted_instances(&state) > 0,
        "a timed-out create is kept in the state, tainted: {:?}",
        state.addresses()
    );
    assert_completed_kept(&project, &failed);

    assert_fault_recovered(&subject);
}
