//! `force-unlock` on the `pg` backend: the lock error names the PostgreSQL session holding
//! the lock as its ID, and `force-unlock -force ID` ends that session, which releases its
//! advisory lock; a wrong ID is refused and nothing is released.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::postgres::Profile;
use acceptance_tests::process::{CommandSpec, Output};

const TIMEOUT: Duration = Duration::from_secs(300);

fn with_conn(spec: CommandSpec, conn_str: &str) -> CommandSpec {
    spec.with_env_var("PG_CONN_STR", conn_str)
}

fn run(project: &Project, conn_str: &str, args: &[&str]) -> Output {
    with_conn(project.tenantform_command(args), conn_str).run(TIMEOUT)
}

/// The `ID:` line of a lock error.
fn lock_id(output: &Output) -> String {
    output
        .combined()
        .lines()
        .find_map(|line| line.trim().strip_prefix("ID:"))
        .map(|id| id.trim().to_string())
        .unwrap_or_else(|| panic!("no lock ID in\n{}", output.describe()))
}

#[test]
fn force_unlock_ends_the_session_holding_the_pg_lock() {
    let server = start_postgres(Profile::Superuser);
    let conn = format!("{}?sslmode=disable", server.superuser_dsn());
    let project = Project::from_example("quickstart");
    project.replace_in_file(
        "main.tf",
        "terraform {\n",
        "terraform {\n  backend \"pg\" {}\n",
    );
    run(&project, &conn, &["init", "-input=false", "-no-color"]).expect_success();
    run(
        &project,
        &conn,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    )
    .expect_success();

    let mut holder =
        with_conn(project.tenantform_command(&["destroy", "-no-color"]), &conn).spawn(true);
    holder.wait_for_output("Enter a value:", Duration::from_secs(120));
    // The destroy holds the state lock shared (as a plan would); `refresh` takes it
    // exclusively.
    let refresh = ["refresh", "-input=false", "-no-color", "-lock-timeout=1s"];
    let blocked = run(&project, &conn, &refresh);
    blocked.expect_failure();
    let id = lock_id(&blocked);
    assert!(
        id.parse::<u32>().is_ok(),
        "the ID is a session's process id: {id}"
    );

    let wrong = run(&project, &conn, &["force-unlock", "-force", "999999"]);
    wrong.expect_code(1);
    wrong.expect_stderr_has("does not match");
    run(&project, &conn, &refresh).expect_failure();

    let unlocked = run(&project, &conn, &["force-unlock", "-force", &id]);
    unlocked.expect_success();
    unlocked.expect_stdout_has("successfully unlocked");
    run(&project, &conn, &refresh).expect_success();
    holder.write_stdin("no\n");
    holder.wait(TIMEOUT);
    let idle = run(&project, &conn, &["force-unlock", "-force", &id]);
    idle.expect_code(1);
    idle.expect_stderr_has("is not locked");
    run(
        &project,
        &conn,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    )
    .expect_success();
}
