//! A genuine panic in the middle of an apply, on a thread that is neither the main thread nor
//! the runtime's (armed by `TENANTFORM_TEST_PANIC`, which only debug builds read): `tenantform` prints Terraform's crash banner naming itself, the panic
//! message and the stack on stderr, exits with Terraform's crash status 11, and the state
//! holds every instance recorded before the crash, so a follow-up apply converges.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::generate::tenants_config;
use acceptance_tests::recovery::{Expected, assert_recovers};

const TENANTS: usize = 6;
const CRASH_AFTER_RECORDS: usize = 3;
const BANNER: &str = "!!!!!!!!!!!!!!!!!!!!!!!!!!! TENANTFORM CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!";

#[test]
fn a_panic_mid_apply_prints_the_crash_banner_and_exits_11_with_the_state_intact() {
    let project = Project::from_config(&tenants_config(TENANTS, true));
    project.init();

    let crashed = project
        .tenantform_command(&["apply", "-auto-approve", "-input=false", "-no-color"])
        .with_env_var("TENANTFORM_TEST_PANIC", &CRASH_AFTER_RECORDS.to_string())
        .run(Duration::from_secs(120));

    assert_eq!(
        crashed.code,
        Some(11),
        "a crash exits with Terraform's status 11\n{}",
        crashed.describe()
    );
    assert_eq!(
        crashed.stderr.matches(BANNER).count(),
        2,
        "the banner opens and closes the explanation\n{}",
        crashed.describe()
    );
    assert!(
        crashed
            .stderr
            .contains("tenantform crashed! This is always indicative of a bug within tenantform."),
        "{}",
        crashed.describe()
    );
    let report = crashed.stderr.rsplit(BANNER).next().unwrap();
    let message = format!(
        "panic: TENANTFORM_TEST_PANIC: deliberate crash after recording {CRASH_AFTER_RECORDS} \
         instance(s)"
    );
    assert!(
        report.trim_start().starts_with(&message),
        "the panic message follows the banner\n{}",
        crashed.describe()
    );
    assert!(
        report.contains("thread 'crash-test' panicked at planner/src/crash_test_trigger.rs:"),
        "the report says on which thread and where the panic happened\n{}",
        crashed.describe()
    );
    assert!(
        report.contains("crash_test_trigger::deliberate_crash"),
        "the report carries the stack\n{}",
        crashed.describe()
    );

    // The state file (absent until the first complete write) is untouched by the crash, and
    // the journal holds what was recorded: `state list` reads both.
    let listed = project.tenantform(&["state", "list"]);
    listed.expect_success();
    let recorded = listed
        .stdout
        .lines()
        .filter(|line| !line.is_empty())
        .count();
    assert!(
        recorded >= CRASH_AFTER_RECORDS,
        "the instances recorded before the crash are in the state\n{}",
        listed.describe()
    );
    assert_recovers(
        &project,
        &Expected {
            tenants: TENANTS,
            databases: TENANTS,
        },
    );
}
