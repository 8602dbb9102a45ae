//! Fault matrix, concurrency rows: two `tenantform apply` runs on one state.
//!
//! - The local state (one working directory): while the first holds the state lock, a second
//!   one with `-lock-timeout=0s` is refused with Terraform's "Error acquiring the state lock"
//!   and changes nothing, and one with a lock timeout waits, then finds nothing left to do.
//! - The `pg` state backend (processes on one server), which locks per tenant: two applies on
//!   different tenants (here `-target`ed halves of one configuration) run at once and both
//!   land; an apply that needs a tenant another one holds is refused with the same lock error
//!   and changes nothing.
//!
//! Each row ends with the shared recovery checks (`fault_checks::assert_fault_recovered`).

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
use acceptance_tests::generate::{tenant_name, tenants_config};
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

/// A resource that keeps an apply that targets it busy for a while, so that the other runs
/// of the pg row certainly start while it holds its tenants.
const SLOW_RESOURCE: &str = "
resource \"terraform_data\" \"slow\" {
  provisioner \"local-exec\" {
    command = \"sleep 8\"
  }
}
";

/// `-target` flags for the databases (and so the tenants) of these tenant indexes.
fn targets(indexes: impl Iterator<Item = usize>) -> Vec<String> {
    indexes
        .map(|index| format!("-target=tenant_database.{}", tenant_name(index)))
        .collect()
}

#[test]
fn two_applies_on_one_pg_state_lock_per_tenant() {
    let server = start_postgres(Profile::Superuser);
    let config = with_pg_backend(&tenants_config(TENANTS, true)) + SLOW_RESOURCE;
    let project = Project::from_config(&config);
    let mut subject = FaultSubject::embedded(&project);
    subject.init_pg_state(&server);
    // The first tenant creates the state row: from then on applies lock per tenant.
    let first_tenant = targets(0..1);
    let args: Vec<&str> = APPLY
        .iter()
        .copied()
        .chain(first_tenant.iter().map(String::as_str))
        .collect();
    subject.tenantform(&args).expect_success();

    // Different tenants: the slow apply holds tenants 5.. while another applies tenants 1..5.
    let mut slow_targets = targets(5..TENANTS);
    slow_targets.push("-target=terraform_data.slow".to_string());
    slow_targets.push("-parallelism=2".to_string());
    let slow_args: Vec<&str> = slow_targets.iter().map(String::as_str).collect();
    let mut slow = subject.start_apply(&slow_args);
    wait_for_catalog_objects(subject.project, &mut slow, 4);
    let beside_targets = targets(1..5);
    let beside_args: Vec<&str> = APPLY
        .iter()
        .copied()
        .chain(["-lock-timeout=0s"])
        .chain(beside_targets.iter().map(String::as_str))
        .collect();
    let beside = subject.tenantform(&beside_args);
    assert_eq!(
        beside.code,
        Some(0),
        "an apply on other tenants runs beside it\n{}",
        beside.describe()
    );
    assert!(
        !slow.has_exited(),
        "the slow apply should still run\n{}",
        slow.output_so_far()
    );

    // The same tenants: refused cleanly while the slow apply holds them.
    let refused = subject.tenantform(&[&APPLY[..], &["-lock-timeout=0s"]].concat());
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    assert!(
        refused
            .combined()
            .contains("Error acquiring the state lock")
            && refused.combined().contains("is already locked"),
        "the refusal should be Terraform's lock error naming the tenant\n{}",
        refused.describe()
    );
    assert!(
        !refused.combined().contains("Creating..."),
        "the refused apply changed something\n{}",
        refused.describe()
    );
    let slow = slow.wait(FAULT_RUN_TIMEOUT);
    assert_eq!(slow.code, Some(0), "{}", slow.describe());
    assert_eq!(subject.catalog_size(), 2 * TENANTS, "both applies landed");
    assert!(
        !project.state_path().exists(),
        "the state lives in PostgreSQL, not in a local file"
    );
    assert_fault_recovered(&subject);
}
