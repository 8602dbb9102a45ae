//! Ctrl-C in the middle of applying 50 tenants: the interrupt reaches `tenantform` and its
//! provider (as a terminal sends it to the whole process group). tenantform lets the changes
//! in flight finish, records them, starts nothing new and exits 1 with an error that says
//! so. Every object the provider created is in the state, so the next plan adopts nothing,
//! and a follow-up apply converges.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::generate::tenants_config;
use acceptance_tests::process::children_running;
use acceptance_tests::recovery::{
    Expected, assert_recovers, start_apply, wait_for_catalog_objects,
};

const TENANTS: usize = 50;

fn send_interrupt(pid: u32) {
    // SAFETY: kill(2) with a pid this test started and a valid signal number.
    let result = unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) };
    assert_eq!(result, 0, "kill -INT {pid} failed");
}

#[test]
fn ctrl_c_mid_apply_records_what_finished_and_starts_nothing_new() {
    let project = Project::from_config(&tenants_config(TENANTS, true));
    project.init();

    let mut apply = start_apply(&project, 4);
    wait_for_catalog_objects(&project, &mut apply, 10);
    let providers = children_running(apply.pid(), &project.binaries().provider);
    assert!(
        !providers.is_empty(),
        "no provider process under tenantform"
    );
    send_interrupt(apply.pid());
    for &pid in &providers {
        send_interrupt(pid);
    }
    let interrupted = apply.wait(Duration::from_secs(60));
    assert_eq!(
        interrupted.code,
        Some(1),
        "an interrupted apply exits 1\n{}",
        interrupted.describe()
    );
    let output = interrupted.combined();
    assert!(
        output.contains("Interrupt received"),
        "{}",
        interrupted.describe()
    );
    assert!(
        output.contains("Apply interrupted"),
        "{}",
        interrupted.describe()
    );

    // Nothing the provider made is missing from the state: the plan adopts nothing.
    let catalog = project.catalog();
    let state = project.state_or_empty();
    let mut recorded: Vec<String> = state
        .instances
        .iter()
        .filter_map(|instance| instance.id().map(str::to_string))
        .collect();
    recorded.sort();
    let mut created: Vec<String> = catalog
        .all_objects()
        .into_iter()
        .map(|(_, object)| object.id)
        .collect();
    created.sort();
    assert_eq!(
        created,
        recorded,
        "the catalog and the state differ after the interrupt: {}",
        catalog.summary()
    );
    assert!(
        created.len() < 2 * TENANTS,
        "the apply finished everything despite the interrupt ({} objects)",
        created.len()
    );

    assert_recovers(
        &project,
        &Expected {
            tenants: TENANTS,
            databases: TENANTS,
        },
    );
}
