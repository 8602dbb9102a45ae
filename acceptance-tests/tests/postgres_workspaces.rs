//! Workspaces of the `pg` backend: one row of `terraform_remote_state.states` per workspace,
//! as Terraform keeps them, so that Terraform 1.15.5 and tenantform see the same workspaces
//! and states. `workspace new` writes the new workspace's row (an empty state), commands use
//! the current workspace (`TF_WORKSPACE` overriding the selected one), and `workspace delete`
//! removes the row, refusing a workspace that still tracks resources unless `-force`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::{CommandSpec, Output};
use acceptance_tests::{Project, Terraform, TerraformVersion};

const TIMEOUT: Duration = Duration::from_secs(300);

fn conn_str(server: &PostgresServer) -> String {
    format!("{}?sslmode=disable", server.superuser_dsn())
}

fn with_env(spec: CommandSpec, env: &[(&str, &str)]) -> CommandSpec {
    env.iter()
        .fold(spec, |spec, (name, value)| spec.with_env_var(name, value))
}

/// The names of the `states` rows, one a line, sorted.
fn state_rows(server: &PostgresServer, conn: &str) -> Vec<String> {
    server
        .psql(
            conn,
            "SELECT name FROM terraform_remote_state.states ORDER BY name",
        )
        .expect("query the states table")
        .lines()
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

fn resources_in_row(server: &PostgresServer, conn: &str, name: &str) -> usize {
    server
        .psql(
            conn,
            &format!(
                "SELECT jsonb_array_length(data::jsonb -> 'resources') \
                 FROM terraform_remote_state.states WHERE name = '{name}'"
            ),
        )
        .expect("query the states table")
        .trim()
        .parse()
        .expect("a count")
}

/// The quickstart example on the `pg` backend of one server, for tenantform and (when
/// installed) Terraform.
struct PgWorkspaces {
    server: PostgresServer,
    conn: String,
    project: Project,
    terraform: Option<Terraform>,
}

impl PgWorkspaces {
    fn new() -> PgWorkspaces {
        let server = start_postgres(Profile::Superuser);
        let conn = conn_str(&server);
        let project = Project::from_example("quickstart");
        project.replace_in_file(
            "main.tf",
            "terraform {\n",
            "terraform {\n  backend \"pg\" {}\n",
        );
        PgWorkspaces {
            server,
            conn,
            project,
            terraform: Terraform::from_env(TerraformVersion::V1_15),
        }
    }

    /// Runs a command with `PG_CONN_STR` and the `extra` environment.
    fn run(&self, spec: CommandSpec, extra: &[(&str, &str)]) -> Output {
        let spec = with_env(spec, &[("PG_CONN_STR", self.conn.as_str())]);
        with_env(spec, extra).run(TIMEOUT)
    }

    fn tenantform(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        self.run(self.project.tenantform_command(args), extra)
    }

    fn terraform(&self, tf: &Terraform, args: &[&str], extra: &[(&str, &str)]) -> Output {
        self.run(self.project.terraform_command(tf, args), extra)
    }

    fn rows(&self) -> Vec<String> {
        state_rows(&self.server, &self.conn)
    }

    fn resources_in(&self, name: &str) -> usize {
        resources_in_row(&self.server, &self.conn, name)
    }
}

fn init_both(w: &PgWorkspaces) {
    w.tenantform(&["init", "-input=false", "-no-color"], &[])
        .expect_success();
    if let Some(tf) = &w.terraform {
        w.terraform(tf, &["init", "-input=false", "-no-color"], &[])
            .expect_success();
    }
}

/// `workspace new` writes the workspace's row, empty, and selects it.
fn workspace_new_writes_an_empty_row(w: &PgWorkspaces) {
    let created = w.tenantform(&["workspace", "new", "-no-color", "staging"], &[]);
    created.expect_success();
    assert!(
        created
            .stdout
            .contains("Created and switched to workspace \"staging\"!")
    );
    assert_eq!(w.rows(), ["staging"]);
    assert_eq!(w.resources_in("staging"), 0);
    let listed = w.tenantform(&["workspace", "list"], &[]);
    assert_eq!(
        listed.stdout,
        "  default\n* staging\n\n",
        "{}",
        listed.describe()
    );
    w.tenantform(&["workspace", "new", "staging"], &[])
        .expect_code(1);
}

/// The apply lands in the staging row only; TF_WORKSPACE overrides the selected workspace,
/// for every command.
fn commands_use_the_current_workspace(w: &PgWorkspaces) {
    w.tenantform(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[],
    )
    .expect_success();
    assert_eq!(w.rows(), ["staging"]);
    assert!(w.resources_in("staging") > 0);
    w.tenantform(&["plan", "-detailed-exitcode", "-input=false"], &[])
        .expect_code(0);

    let other = [("TF_WORKSPACE", "default")];
    w.tenantform(&["plan", "-detailed-exitcode", "-input=false"], &other)
        .expect_code(2);
    let shown = w.tenantform(&["workspace", "show"], &other);
    assert_eq!(shown.stdout, "default\n");
    let refused = w.tenantform(&["workspace", "select", "-no-color", "default"], &other);
    refused.expect_code(1);
    assert!(refused.stderr.contains("overridden using the TF_WORKSPACE"));
}

/// Terraform sees tenantform's workspace and its state, and tenantform Terraform's.
fn terraform_shares_the_workspaces(w: &PgWorkspaces, tf: &Terraform) {
    let listed = w.terraform(tf, &["workspace", "list"], &[]);
    listed.expect_stdout_has("  staging");
    w.terraform(
        tf,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        &[("TF_WORKSPACE", "staging")],
    )
    .expect_code(0);
    w.terraform(tf, &["workspace", "new", "-no-color", "qa"], &[])
        .expect_success();
    let listed = w.tenantform(&["workspace", "list"], &[]);
    assert_eq!(listed.stdout, "  default\n  qa\n* staging\n\n");
}

/// Deleting: refused while current or tracking resources; -force deletes the row.
fn delete_refuses_then_forces(w: &PgWorkspaces) {
    let current = w.tenantform(&["workspace", "delete", "-no-color", "staging"], &[]);
    current.expect_code(1);
    assert!(current.stderr.contains("is your active workspace"));
    w.tenantform(&["workspace", "select", "-no-color", "default"], &[])
        .expect_success();
    let not_empty = w.tenantform(&["workspace", "delete", "-no-color", "staging"], &[]);
    not_empty.expect_code(1);
    not_empty.expect_stderr_has("Workspace is not empty");
    let forced = w.tenantform(
        &["workspace", "delete", "-force", "-no-color", "staging"],
        &[],
    );
    forced.expect_success();
    assert!(forced.stdout.contains("Deleted workspace \"staging\"!"));
    assert!(
        forced
            .stdout
            .contains("WARNING: \"staging\" was non-empty.")
    );
    assert!(!w.rows().contains(&"staging".to_string()));
}

/// init checks that the selected workspace exists (Terraform's selectWorkspace).
fn init_checks_the_selected_workspace(w: &PgWorkspaces, tf: &Terraform) {
    let missing = [("TF_WORKSPACE", "nowhere")];
    let init = ["init", "-input=false", "-no-color"];
    let ours = w.tenantform(&init, &missing);
    ours.expect_code(1);
    ours.expect_stderr_has("Currently selected workspace \"nowhere\" does not exist");
    w.terraform(tf, &init, &missing).expect_code(1);
}

#[test]
fn pg_workspaces_are_rows_shared_with_terraform() {
    let w = PgWorkspaces::new();
    init_both(&w);
    workspace_new_writes_an_empty_row(&w);
    commands_use_the_current_workspace(&w);
    if let Some(tf) = &w.terraform {
        terraform_shares_the_workspaces(&w, tf);
    }
    delete_refuses_then_forces(&w);
    if let Some(tf) = &w.terraform {
        init_checks_the_selected_workspace(&w, tf);
    }
}
