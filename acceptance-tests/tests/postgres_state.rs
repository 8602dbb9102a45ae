//! The `pg` state backend: tenantform keeps its state in PostgreSQL exactly where Terraform's
//! `pg` backend keeps it (`terraform_remote_state.states`), so real Terraform 1.15.5 and
//! tenantform share one state: each plans no changes after the other applied, and each is
//! locked out while the other holds the state lock. A `kill -9` mid-apply loses no instance:
//! the journal rows are replayed. The connection string's password never shows in output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::generate::tenants_config;
use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::{CommandSpec, Output, RunningProcess};
use acceptance_tests::recovery::wait_for_catalog_objects;
use acceptance_tests::{Project, Terraform, TerraformVersion};

const TIMEOUT: Duration = Duration::from_secs(300);
const BACKEND_BLOCK: &str = "terraform {\n  backend \"pg\" {}\n";

/// The connection string both tools use (Terraform's driver needs TLS off explicitly).
fn conn_str(server: &PostgresServer) -> String {
    format!("{}?sslmode=disable", server.superuser_dsn())
}

/// The password inside the connection string, which no output may show.
fn password_of(conn_str: &str) -> String {
    let credentials = conn_str
        .trim_start_matches("postgresql://")
        .split('@')
        .next()
        .unwrap_or_default();
    credentials
        .split(':')
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// `project`'s configuration with an empty `backend "pg"` block added.
/// A superuser server and the quickstart example on its `pg` backend: the server, its
/// connection string, the password in it, and the project.
fn pg_quickstart() -> (PostgresServer, String, String, Project) {
    let server = start_postgres(Profile::Superuser);
    let conn = conn_str(&server);
    let password = password_of(&conn);
    let project = Project::from_example("quickstart");
    with_pg_backend(&project);
    (server, conn, password, project)
}

fn with_pg_backend(project: &Project) {
    project.replace_in_file("main.tf", "terraform {\n", BACKEND_BLOCK);
}

fn env_command(spec: CommandSpec, conn_str: &str) -> CommandSpec {
    spec.with_env_var("PG_CONN_STR", conn_str)
}

fn tenantform(project: &Project, conn_str: &str, args: &[&str]) -> Output {
    env_command(project.tenantform_command(args), conn_str).run(TIMEOUT)
}

fn terraform(project: &Project, tf: &Terraform, conn_str: &str, args: &[&str]) -> Output {
    env_command(project.terraform_command(tf, args), conn_str).run(TIMEOUT)
}

fn assert_no_password(output: &Output, password: &str) {
    assert!(
        password.len() >= 8 && !output.combined().contains(password),
        "the connection string's password appears in the output\n{}",
        output.describe()
    );
}

fn states_rows(server: &PostgresServer, conn_str: &str) -> String {
    server
        .psql(
            conn_str,
            "SELECT name || ':' || (data::jsonb -> 'resources' IS NOT NULL)::text \
             FROM terraform_remote_state.states ORDER BY name",
        )
        .expect("query the states table")
}

fn journal_rows(server: &PostgresServer, conn_str: &str) -> usize {
    server
        .psql(
            conn_str,
            "SELECT count(*) FROM terraform_remote_state.tenantform_journal",
        )
        .expect("query the journal table")
        .trim()
        .parse()
        .expect("a count")
}

#[test]
fn terraform_and_tenantform_share_the_pg_state() {
    let (server, conn, password, project) = pg_quickstart();

    let backend_config = format!("-backend-config=conn_str={conn}");
    let init = project.tenantform(&["init", "-input=false", "-no-color", &backend_config]);
    init.expect_success();
    assert_no_password(&init, &password);
    assert!(
        init.stdout
            .contains("Successfully configured the backend \"pg\"")
    );
    // Terraform is initialized before any state exists: its init would otherwise look up the
    // providers named in the state in the registry, which dev_overrides do not cover.
    let tf = Terraform::from_env(TerraformVersion::V1_15);
    if let Some(tf) = &tf {
        terraform(&project, tf, &conn, &["init", "-input=false", "-no-color"]).expect_success();
    }

    // The saved -backend-config value serves the next commands; no environment needed.
    let apply = project.tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    apply.expect_success();
    assert_no_password(&apply, &password);
    assert!(
        !project.state_path().exists(),
        "no local state file is written"
    );
    assert_eq!(states_rows(&server, &conn).trim(), "default:true");
    assert_eq!(
        journal_rows(&server, &conn),
        0,
        "compact clears the journal"
    );
    project
        .tenantform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])
        .expect_code(0);

    let Some(tf) = tf else {
        return;
    };
    terraform(
        &project,
        &tf,
        &conn,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    )
    .expect_code(0);

    project.replace_in_file("main.tf", "\"Acme Corporation\"", "\"Acme Corp\"");
    terraform(
        &project,
        &tf,
        &conn,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    )
    .expect_success();
    let after = project.tenantform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    after.expect_code(0);
    assert_no_password(&after, &password);
    let show = project.tenantform(&["show", "-no-color"]);
    show.expect_stdout_has("Acme Corp\"");
}

/// Starts an apply that stops at the approval prompt, holding the state lock.
fn paused_apply(spec: CommandSpec) -> RunningProcess {
    let mut apply = spec.spawn(true);
    apply.wait_for_output("Enter a value:", Duration::from_secs(120));
    apply
}

fn assert_locked(output: &Output, what: &str) {
    assert_ne!(output.code, Some(0), "{what}\n{}", output.describe());
    assert!(
        output.combined().contains("Error acquiring the state lock"),
        "{what}: expected the lock error\n{}",
        output.describe()
    );
}

#[test]
fn a_held_lock_blocks_the_other_run() {
    let (_server, conn, password, project) = pg_quickstart();
    tenantform(&project, &conn, &["init", "-input=false", "-no-color"]).expect_success();
    let tf = Terraform::from_env(TerraformVersion::V1_15);
    if let Some(tf) = &tf {
        terraform(&project, tf, &conn, &["init", "-input=false", "-no-color"]).expect_success();
    }
    let plan_args = ["plan", "-input=false", "-no-color", "-lock-timeout=1s"];

    // tenantform holds the lock (creation lock: no state row yet).
    let mut apply = paused_apply(env_command(
        project.tenantform_command(&["apply", "-no-color"]),
        &conn,
    ));
    let blocked = tenantform(&project, &conn, &plan_args);
    assert_locked(&blocked, "a tenantform plan while tenantform applies");
    assert_no_password(&blocked, &password);
    apply.write_stdin("yes\n");
    apply.wait(TIMEOUT).expect_success();

    // Again, now that the state row exists (the lock is keyed by the row's id). The destroy
    // holds the lock shared, as a plan does: a command that takes it exclusively is blocked.
    let mut apply = paused_apply(env_command(
        project.tenantform_command(&["destroy", "-no-color"]),
        &conn,
    ));
    let refresh_args = ["refresh", "-input=false", "-no-color", "-lock-timeout=1s"];
    assert_locked(
        &tenantform(&project, &conn, &refresh_args),
        "a tenantform refresh while tenantform destroys",
    );
    tenantform(&project, &conn, &plan_args).expect_success();
    let Some(tf) = tf else {
        apply.write_stdin("no\n");
        apply.wait(TIMEOUT);
        return;
    };
    assert_locked(
        &terraform(&project, &tf, &conn, &plan_args),
        "a Terraform plan while tenantform destroys",
    );
    apply.write_stdin("no\n");
    apply.wait(TIMEOUT);
    tenantform(&project, &conn, &plan_args).expect_success();

    // Terraform holds the lock (an edit makes it ask for approval); tenantform is refused
    // and names the holder's session.
    project.replace_in_file("main.tf", "\"Acme Corporation\"", "\"Acme Corp\"");
    let mut terraform_apply = paused_apply(env_command(
        project.terraform_command(&tf, &["apply", "-no-color"]),
        &conn,
    ));
    let blocked = tenantform(&project, &conn, &plan_args);
    assert_locked(&blocked, "a tenantform plan while Terraform applies");
    assert!(
        blocked.combined().contains("PostgreSQL session"),
        "{}",
        blocked.describe()
    );
    terraform_apply.write_stdin("no\n");
    terraform_apply.wait(TIMEOUT);
    tenantform(&project, &conn, &plan_args).expect_success();
}

#[test]
fn a_killed_apply_loses_no_instance() {
    let server = start_postgres(Profile::Superuser);
    let conn = conn_str(&server);
    let tenants = 30;
    let config = tenants_config(tenants, true).replacen("terraform {\n", BACKEND_BLOCK, 1);
    assert!(
        config.contains("backend \"pg\""),
        "the generated config has a terraform block"
    );
    let project = Project::from_config(&config);
    tenantform(&project, &conn, &["init", "-input=false"]).expect_success();

    let mut apply = env_command(
        project.tenantform_command(&["apply", "-auto-approve", "-input=false", "-parallelism=4"]),
        &conn,
    )
    .spawn(false);
    wait_for_catalog_objects(&project, &mut apply, 20);
    apply.kill_hard();
    let killed = apply.wait(Duration::from_secs(10));
    assert_eq!(
        killed.code,
        None,
        "tenantform should have been killed\n{}",
        killed.describe()
    );

    let recorded = journal_rows(&server, &conn);
    assert!(
        recorded > 0,
        "the killed apply recorded its instances in the journal"
    );
    let shown = tenantform(&project, &conn, &["show", "-json"]);
    shown.expect_success();
    let state: serde_json::Value = serde_json::from_str(&shown.stdout).expect("show -json");
    let replayed = state["values"]["root_module"]["resources"]
        .as_array()
        .map(Vec::len)
        .unwrap_or_default();
    assert!(
        replayed >= recorded,
        "all {recorded} journaled instance(s) are replayed, found {replayed}"
    );
    // The recovery: the next apply adopts what was in flight and converges, replacing
    // nothing that existed after the kill.
    let catalog_after_kill = project.catalog();
    tenantform(
        &project,
        &conn,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    )
    .expect_success();
    let catalog = project.catalog();
    assert_eq!(catalog.count("tenant"), tenants, "{}", catalog.summary());
    assert_eq!(
        catalog.count("tenant_database"),
        tenants,
        "{}",
        catalog.summary()
    );
    for (resource_type, object) in catalog_after_kill.all_objects() {
        assert!(
            catalog.find(&resource_type, &object.id).is_some(),
            "{resource_type} {object:?} existed after the kill but was replaced"
        );
    }
    assert_eq!(
        journal_rows(&server, &conn),
        0,
        "compact clears the journal"
    );
    tenantform(
        &project,
        &conn,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    )
    .expect_code(0);
}
