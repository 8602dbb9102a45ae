//! The `pg` state backend behind PgBouncer. In transaction pooling the session advisory lock
//! that is the state lock cannot stay with the run, so tenantform refuses with an error naming
//! transaction pooling, PgBouncer and the way out, and writes nothing; in session pooling
//! everything works as on a direct connection.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::Project;
use acceptance_tests::generate::tenants_config;
use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::pgbouncer::{PgBouncer, PoolMode};
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::Output;

const TIMEOUT: Duration = Duration::from_secs(180);
const TENANTS: usize = 2;

/// Two tenants on the embedded provider backend, with the state in `backend "pg"`.
fn pg_state_project() -> Project {
    let project = Project::from_config(&tenants_config(TENANTS, false));
    project.replace_in_file(
        "main.tf",
        "terraform {\n",
        "terraform {\n  backend \"pg\" {}\n",
    );
    project
}

fn start_bouncer(server: &PostgresServer, mode: PoolMode) -> PgBouncer {
    PgBouncer::start(server, mode).unwrap_or_else(|error| {
        panic!(
            "this test needs PgBouncer ({mode:?}) and could not start it: {error:#}\nRun the \
             suite through `scripts/test.sh`, which installs PgBouncer."
        )
    })
}

fn tenantform(project: &Project, conn_str: &str, args: &[&str]) -> Output {
    project
        .tenantform_command(args)
        .with_env_var("PG_CONN_STR", conn_str)
        .run(TIMEOUT)
}

/// The rows of the states table and of the journal, read on a direct connection (zero when
/// the tables do not exist).
fn stored_rows(server: &PostgresServer) -> usize {
    let count = |table: &str| -> usize {
        let sql = format!(
            "SELECT CASE WHEN to_regclass('terraform_remote_state.{table}') IS NULL THEN 0 \
             ELSE (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM \
             terraform_remote_state.{table}', false, true, '')))[1]::text::int END"
        );
        server
            .psql(&server.superuser_dsn(), &sql)
            .expect("count the stored rows")
            .trim()
            .parse()
            .expect("a count")
    };
    count("states") + count("tenantform_journal")
}

#[test]
fn transaction_pooling_is_refused_by_name_and_nothing_is_written() {
    let server = start_postgres(Profile::Superuser);
    let bouncer = start_bouncer(&server, PoolMode::Transaction);
    let conn = format!(
        "{}?sslmode=disable",
        bouncer.dsn_through(&server.superuser_dsn())
    );
    let project = pg_state_project();
    let init = tenantform(&project, &conn, &["init", "-input=false", "-no-color"]);
    init.expect_success();

    let apply = tenantform(
        &project,
        &conn,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    apply.expect_code(1);
    for needle in [
        "Error acquiring the state lock",
        "transaction mode",
        "PgBouncer with pool_mode = transaction",
        "Connect to PostgreSQL directly, or through a pooler in session mode",
    ] {
        assert!(
            apply.stderr.contains(needle),
            "the refusal says {needle:?}\n{}\n--- PgBouncer log:\n{}",
            apply.describe(),
            bouncer.log()
        );
    }
    assert_eq!(stored_rows(&server), 0, "a refused run stores nothing");
    assert!(
        project.catalog().is_empty(),
        "a refused run creates nothing: {}",
        project.catalog().summary()
    );
    // The lock was given back: a direct connection takes it at once.
    let direct = format!("{}?sslmode=disable", server.superuser_dsn());
    tenantform(
        &project,
        &direct,
        &["apply", "-auto-approve", "-input=false", "-lock-timeout=0s"],
    )
    .expect_success();
}

#[test]
fn session_pooling_works_like_a_direct_connection() {
    let server = start_postgres(Profile::Superuser);
    let bouncer = start_bouncer(&server, PoolMode::Session);
    let conn = format!(
        "{}?sslmode=disable",
        bouncer.dsn_through(&server.superuser_dsn())
    );
    let project = pg_state_project();
    tenantform(&project, &conn, &["init", "-input=false"]).expect_success();
    let apply = tenantform(
        &project,
        &conn,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    apply.expect_success();
    assert!(stored_rows(&server) >= 1, "the state is stored");
    let plan = tenantform(
        &project,
        &conn,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    plan.expect_code(0);
    assert_eq!(project.catalog().count("tenant"), TENANTS);
}
