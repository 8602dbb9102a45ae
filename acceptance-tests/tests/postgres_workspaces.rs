//! Workspaces of the `pg` backend: one row of `terraform_remote_state.states` per workspace,
//! as Terraform keeps them, so that Terraform 1.15.5 and tenantform see the same workspaces
//! and states. `workspace new` writes the new workspace's row (an empty state), commands use
//! the current workspace (`TF_WORKSPACE` overriding the selected one), and `workspace delete`
//! removes the row, refusing a workspace that still tracks resources unless `-force`.

use std::time::Duration;

use acceptance_tests::pg_project::start_postgres;
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::{CommandSpec, Output};
use acceptance_tests::{Project, Terraform, TerraformVersion};

const TIMEOUT: Duration = Duration::from_secs(300);

fn conn_str(server: &PostgresServer) -> String {
    format!("{}?sslmode=disable", server.superuser_dsn())
}

fn with_env(mut spec: CommandSpec, env: &[(&str, &str)]) -> CommandSpec {
    for (name, value) in env {
        spec.env.push((name.to_string(), value.to_string()));
    }
    spec
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

#[test]
fn pg_workspaces_are_rows_shared_with_terraform() {
    let server = start_postgres(Profile::Superuser);
    let conn = conn_str(&server);
    let env = [("PG_CONN_STR", conn.as_str())];
    let project = Project::from_example("quickstart");
    project.replace_in_file(
        "main.tf",
        "terraform {\n",
        "terraform {\n  backend \"pg\" {}\n",
    );
    let tenantform = |args: &[&str], extra: &[(&str, &str)]| -> Output {
        let spec = with_env(project.tenantform_command(args), &env);
        with_env(spec, extra).run(TIMEOUT)
    };
    tenantform(&["init", "-input=false", "-no-color"], &[]).expect_success();
    let tf = Terraform::from_env(TerraformVersion::V1_15);
    if let Some(tf) = &tf {
        with_env(
            project.terraform_command(tf, &["init", "-input=false", "-no-color"]),
            &env,
        )
        .run(TIMEOUT)
        .expect_success();
    }

    // `workspace new` writes the workspace's row, empty, and selects it.
    let created = tenantform(&["workspace", "new", "-no-color", "staging"], &[]);
    created.expect_success();
    assert!(
        created
            .stdout
            .contains("Created and switched to workspace \"staging\"!")
    );
    assert_eq!(state_rows(&server, &conn), ["staging"]);
    assert_eq!(resources_in_row(&server, &conn, "staging"), 0);
    let listed = tenantform(&["workspace", "list"], &[]);
    assert_eq!(
        listed.stdout,
        "  default\n* staging\n\n",
        "{}",
        listed.describe()
    );
    tenantform(&["workspace", "new", "staging"], &[]).expect_code(1);

    // The apply lands in the staging row only.
    tenantform(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[],
    )
    .expect_success();
    assert_eq!(state_rows(&server, &conn), ["staging"]);
    assert!(resources_in_row(&server, &conn, "staging") > 0);
    tenantform(&["plan", "-detailed-exitcode", "-input=false"], &[]).expect_code(0);

    // TF_WORKSPACE overrides the selected workspace, for every command.
    let other = [("TF_WORKSPACE", "default")];
    tenantform(&["plan", "-detailed-exitcode", "-input=false"], &other).expect_code(2);
    let shown = tenantform(&["workspace", "show"], &other);
    assert_eq!(shown.stdout, "default\n");
    let refused = tenantform(&["workspace", "select", "-no-color", "default"], &other);
    refused.expect_code(1);
    assert!(refused.stderr.contains("overridden using the TF_WORKSPACE"));

    if let Some(tf) = &tf {
        // Terraform sees tenantform's workspace and its state, and tenantform Terraform's.
        let terraform = |args: &[&str], extra: &[(&str, &str)]| -> Output {
            let spec = with_env(project.terraform_command(tf, args), &env);
            with_env(spec, extra).run(TIMEOUT)
        };
        let listed = terraform(&["workspace", "list"], &[]);
        assert!(listed.stdout.contains("  staging"), "{}", listed.describe());
        terraform(
            &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
            &[("TF_WORKSPACE", "staging")],
        )
        .expect_code(0);
        terraform(&["workspace", "new", "-no-color", "qa"], &[]).expect_success();
        let listed = tenantform(&["workspace", "list"], &[]);
        assert_eq!(listed.stdout, "  default\n  qa\n* staging\n\n");
    }

    // Deleting: refused while current or tracking resources; -force deletes the row.
    let current = tenantform(&["workspace", "delete", "-no-color", "staging"], &[]);
    current.expect_code(1);
    assert!(current.stderr.contains("is your active workspace"));
    tenantform(&["workspace", "select", "-no-color", "default"], &[]).expect_success();
    let not_empty = tenantform(&["workspace", "delete", "-no-color", "staging"], &[]);
    not_empty.expect_code(1);
    assert!(
        not_empty.stderr.contains("Workspace is not empty"),
        "{}",
        not_empty.describe()
    );
    let forced = tenantform(
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
    assert!(!state_rows(&server, &conn).contains(&"staging".to_string()));

    // init checks that the selected workspace exists (Terraform's selectWorkspace).
    if let Some(tf) = &tf {
        let missing = [("TF_WORKSPACE", "nowhere")];
        let init = ["init", "-input=false", "-no-color"];
        let ours = tenantform(&init, &missing);
        ours.expect_code(1);
        assert!(
            ours.stderr
                .contains("Currently selected workspace \"nowhere\" does not exist"),
            "{}",
            ours.describe()
        );
        let spec = with_env(project.terraform_command(tf, &init), &env);
        with_env(spec, &missing).run(TIMEOUT).expect_code(1);
    }
}
