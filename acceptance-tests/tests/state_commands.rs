//! The state commands, `graph` and `providers schema -json` on an applied quickstart, with
//! Terraform 1.15.5 as the oracle: `state list`, `state show`, `graph`, the schemas and the
//! dry-run messages match Terraform's on a Terraform-applied copy; `state mv` (with the
//! configuration renamed to match) leaves nothing to plan; `state rm` makes the plan propose
//! the create again, which the provider turns into an adoption.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::collections::BTreeSet;

use acceptance_tests::{Output, Project, Terraform, TerraformVersion};
use serde_json::Value;

const APPLY_FLAGS: [&str; 3] = ["-auto-approve", "-input=false", "-no-color"];

fn lines(output: &Output) -> Vec<String> {
    output.stdout.lines().map(str::to_string).collect()
}

fn json(output: &Output, tool: &str) -> Value {
    serde_json::from_str(&output.stdout)
        .unwrap_or_else(|e| panic!("{tool} printed invalid JSON: {e}\n{}", output.describe()))
}

/// The attribute and block names `state show` prints, without their values (ids and times
/// differ between two applies).
fn shown_names(output: &Output) -> Vec<String> {
    output
        .stdout
        .lines()
        .map(|line| match line.split_once(" = ") {
            Some((name, _)) => name.trim_end().to_string(),
            None => line.to_string(),
        })
        .filter(|line| !line.trim_start().starts_with('"') && !line.trim().is_empty())
        .collect()
}

fn applied_pair(terraform: &Terraform) -> (Project, Project) {
    let ours = Project::from_example("quickstart");
    ours.init();
    ours.tenantform(&[&["apply"][..], &APPLY_FLAGS].concat())
        .expect_success();
    let theirs = Project::from_example("quickstart");
    theirs
        .terraform(terraform, &[&["apply"][..], &APPLY_FLAGS].concat())
        .expect_success();
    (ours, theirs)
}

fn timestamped_backups(project: &Project) -> usize {
    std::fs::read_dir(project.work_dir())
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    name.starts_with("terraform.tfstate.")
                        && name.ends_with(".backup")
                        && name != "terraform.tfstate.backup"
                })
                .count()
        })
        .unwrap_or(0)
}

/// `state list`, whole and filtered, lists what Terraform lists.
fn state_list_matches(ours: &Project, theirs: &Project, terraform: &Terraform) {
    let our_list = ours.tenantform(&["state", "list"]);
    our_list.expect_success();
    let their_list = theirs.terraform(terraform, &["state", "list"]);
    their_list.expect_success();
    assert_eq!(lines(&our_list).len(), 11, "{}", our_list.describe());
    assert_eq!(lines(&our_list), lines(&their_list), "state list");

    let filter = ["state", "list", "tenant_user.acme_admin", "tenant.globex"];
    let our_filtered = ours.tenantform(&filter);
    our_filtered.expect_success();
    let their_filtered = theirs.terraform(terraform, &filter);
    assert_eq!(
        lines(&our_filtered),
        lines(&their_filtered),
        "filtered state list"
    );
    ours.tenantform(&["state", "list", "tenant.nothing"])
        .expect_code(1);
}

/// `state show` prints the attributes Terraform prints, hiding sensitive values.
fn state_show_matches(ours: &Project, theirs: &Project, terraform: &Terraform) {
    for address in [
        "tenant.acme",
        "tenant_api_key.acme_ci",
        "tenant_user.acme_admin",
    ] {
        let our_show = ours.tenantform(&["state", "show", address]);
        our_show.expect_success();
        let their_show = theirs.terraform(terraform, &["state", "show", "-no-color", address]);
        their_show.expect_success();
        assert_eq!(
            shown_names(&our_show),
            shown_names(&their_show),
            "state show {address}: tenantform (left) and Terraform (right)"
        );
    }
    let api_key = ours.tenantform(&["state", "show", "tenant_api_key.acme_ci"]);
    assert!(
        api_key
            .stdout
            .starts_with("# tenant_api_key.acme_ci:\nresource \"tenant_api_key\" \"acme_ci\" {\n")
    );
    assert!(
        api_key
            .stdout
            .contains("    secret      = (sensitive value)\n"),
        "{}",
        api_key.describe()
    );
    let secret = ours
        .state()
        .instance("tenant_api_key.acme_ci")
        .and_then(|i| i.attribute_str("secret"))
        .map(str::to_string);
    if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        assert!(
            !api_key.stdout.contains(&secret),
            "state show revealed the secret"
        );
    }
    let missing = ours.tenantform(&["state", "show", "tenant.nothing"]);
    missing.expect_code(1);
    assert!(
        missing
            .stderr
            .contains("No instance found for the given address!")
    );
}

/// `graph` and the edges of `graph -type=plan` are Terraform's.
fn graphs_match(ours: &Project, theirs: &Project, terraform: &Terraform) {
    let our_graph = ours.tenantform(&["graph"]);
    our_graph.expect_success();
    let their_graph = theirs.terraform(terraform, &["graph"]);
    their_graph.expect_success();
    assert_eq!(our_graph.stdout, their_graph.stdout, "graph");
    let our_plan_graph = ours.tenantform(&["graph", "-type=plan"]);
    our_plan_graph.expect_success();
    let their_plan_graph = theirs.terraform(terraform, &["graph", "-type=plan"]);
    let edges = |text: &str| -> BTreeSet<String> {
        text.lines()
            .filter(|l| l.contains(" -> "))
            .map(|l| l.trim().to_string())
            .collect()
    };
    assert_eq!(
        edges(&our_plan_graph.stdout),
        edges(&their_plan_graph.stdout),
        "graph -type=plan edges"
    );
}

/// `providers schema -json` is Terraform's and `state pull` prints the stored state, which
/// it returns.
fn schema_and_pull_match(ours: &Project, theirs: &Project, terraform: &Terraform) -> Value {
    let our_schema = ours.tenantform(&["providers", "schema", "-json"]);
    our_schema.expect_success();
    let their_schema = theirs.terraform(terraform, &["providers", "schema", "-json"]);
    their_schema.expect_success();
    // No normalisation is needed: the provider declares nothing tenantform leaves out.
    assert_eq!(
        json(&our_schema, "tenantform"),
        json(&their_schema, "terraform"),
        "providers schema -json"
    );

    let pulled = json(&ours.tenantform(&["state", "pull"]), "tenantform");
    let on_disk: Value =
        serde_json::from_str(&ours.read_file("terraform.tfstate")).expect("state JSON");
    assert_eq!(pulled, on_disk, "state pull prints the stored state");
    on_disk
}

/// Dry runs of `state mv` and `state rm` print what Terraform prints and change nothing.
fn dry_runs_match(ours: &Project, theirs: &Project, terraform: &Terraform, on_disk: &Value) {
    for args in [
        [
            "state",
            "mv",
            "-dry-run",
            "tenant_policy.acme",
            "tenant_policy.acme_security",
        ],
        [
            "state",
            "rm",
            "-dry-run",
            "tenant_storage.acme",
            "tenant_policy.acme",
        ],
    ] {
        let our_dry = ours.tenantform(&args);
        our_dry.expect_success();
        let their_dry = theirs.terraform(terraform, &args);
        assert_eq!(our_dry.stdout, their_dry.stdout, "{args:?}");
    }
    assert_eq!(&ours.state().document, on_disk, "dry runs change nothing");
}

#[test]
fn reading_commands_match_terraform() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let (ours, theirs) = applied_pair(&terraform);
    state_list_matches(&ours, &theirs, &terraform);
    state_show_matches(&ours, &theirs, &terraform);
    graphs_match(&ours, &theirs, &terraform);
    let on_disk = schema_and_pull_match(&ours, &theirs, &terraform);
    dry_runs_match(&ours, &theirs, &terraform, &on_disk);
}

#[test]
fn moving_and_removing_go_through_the_state_store() {
    let ours = Project::from_example("quickstart");
    ours.init();
    ours.tenantform(&[&["apply"][..], &APPLY_FLAGS].concat())
        .expect_success();
    let before = ours.state();

    let moved = ours.tenantform(&[
        "state",
        "mv",
        "tenant_policy.acme",
        "tenant_policy.acme_security",
    ]);
    moved.expect_success();
    assert_eq!(
        moved.stdout,
        "Move \"tenant_policy.acme\" to \"tenant_policy.acme_security\"\nSuccessfully moved 1 object(s).\n"
    );
    let after_move = ours.state();
    assert_eq!(after_move.document["lineage"], before.document["lineage"]);
    let serial = |state: &acceptance_tests::State| state.document["serial"].as_u64();
    assert!(
        serial(&after_move) > serial(&before),
        "the serial increases"
    );
    assert!(after_move.instance("tenant_policy.acme").is_none());
    assert_eq!(
        after_move
            .instance("tenant_policy.acme_security")
            .and_then(|i| i.id()),
        before.instance("tenant_policy.acme").and_then(|i| i.id())
    );
    assert!(ours.path("terraform.tfstate.backup").is_file());
    assert_eq!(timestamped_backups(&ours), 1);
    ours.replace_in_file(
        "main.tf",
        "resource \"tenant_policy\" \"acme\" {",
        "resource \"tenant_policy\" \"acme_security\" {",
    );
    ours.plan_detailed().expect_code(0);

    // Into a module and back: the object keeps its identity.
    ours.tenantform(&[
        "state",
        "mv",
        "tenant_policy.acme_security",
        "module.security.tenant_policy.acme",
    ])
    .expect_success();
    let listed = ours.tenantform(&["state", "list", "module.security"]);
    assert_eq!(lines(&listed), ["module.security.tenant_policy.acme"]);
    ours.tenantform(&[
        "state",
        "mv",
        "module.security.tenant_policy.acme",
        "tenant_policy.acme_security",
    ])
    .expect_success();
    ours.tenantform(&["state", "mv", "tenant.acme", "tenant_user.acme_admin"])
        .expect_code(1);

    let removed = ours.tenantform(&["state", "rm", "tenant_storage.acme"]);
    removed.expect_success();
    assert_eq!(
        removed.stdout,
        "Removed tenant_storage.acme\nSuccessfully removed 1 resource instance(s).\n"
    );
    assert!(ours.state().instance("tenant_storage.acme").is_none());
    ours.tenantform(&["state", "rm", "tenant_storage.acme"])
        .expect_code(1);
    let plan = ours.plan_detailed();
    plan.expect_code(2);
    plan.expect_stdout_has("tenant_storage.acme will be created");
    plan.expect_stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
    let adopted = ours.tenantform(&[&["apply"][..], &APPLY_FLAGS].concat());
    adopted.expect_success();
    adopted.expect_stdout_has("Adopting existing tenant storage");
    ours.plan_detailed().expect_code(0);
    ours.assert_catalog_matches_state();
}

#[test]
fn every_command_has_help_and_the_usage_lists_them_all() {
    let project = Project::from_config("");
    let usage = project.tenantform(&["-help"]);
    usage.expect_success();
    for command in [
        "init",
        "validate",
        "plan",
        "apply",
        "destroy",
        "console",
        "fmt",
        "graph",
        "import",
        "output",
        "providers",
        "show",
        "state",
        "version",
    ] {
        assert!(
            usage.stdout.contains(&format!("\n  {command} ")),
            "USAGE lacks {command}\n{}",
            usage.stdout
        );
    }
    for (args, expected) in [
        (&["state", "-help"][..], "state <subcommand>"),
        (
            &["state", "list", "-help"][..],
            "state list [options] [address...]",
        ),
        (
            &["state", "show", "-help"][..],
            "state show [options] ADDRESS",
        ),
        (
            &["state", "mv", "-help"][..],
            "state mv [options] SOURCE DESTINATION",
        ),
        (
            &["state", "rm", "-help"][..],
            "state rm [options] ADDRESS...",
        ),
        (&["state", "pull", "-help"][..], "state pull [options]"),
        (&["graph", "-help"][..], "graph [options]"),
        (&["fmt", "-help"][..], "fmt [options] [target...]"),
        (&["console", "-help"][..], "console [options]"),
        (
            &["providers", "schema", "-help"][..],
            "providers schema -json",
        ),
    ] {
        let help = project.tenantform(args);
        help.expect_success();
        assert!(
            help.stdout.contains(expected),
            "{args:?}\n{}",
            help.describe()
        );
    }
    project.tenantform(&["state", "list"]).expect_code(1);
}

#[test]
fn graph_of_a_configuration_with_a_module_matches_terraform() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let main = r#"
terraform {
  required_providers {
    tenant = { source = "tenantform/tenant" }
  }
}

provider "tenant" {
  backend = "embedded"
}

resource "tenant" "root" {
  slug                = "rooty"
  display_name        = "Root"
  deletion_protection = false
}

module "child" {
  source    = "./child"
  tenant_id = tenant.root.id
}

resource "tenant_user" "u" {
  tenant_id = module.child.db_tenant
  email     = "a@b.example"
  role      = "admin"
}
"#;
    let child = r#"
terraform {
  required_providers {
    tenant = { source = "tenantform/tenant" }
  }
}

variable "tenant_id" {}

resource "tenant_database" "db" {
  tenant_id = var.tenant_id
  name      = "main"
}

output "db_tenant" {
  value = tenant_database.db.tenant_id
}
"#;
    let project = Project::from_config(main);
    project.write_file("child/main.tf", child);
    project
        .terraform(&terraform, &["init", "-input=false", "-no-color"])
        .expect_success();
    let theirs = project.terraform(&terraform, &["graph"]);
    theirs.expect_success();
    let ours = project.tenantform(&["graph"]);
    ours.expect_success();
    assert_eq!(
        ours.stdout, theirs.stdout,
        "tenantform (left) and Terraform (right)"
    );
    assert!(
        ours.stdout
            .contains("  subgraph \"cluster_module.child\" {\n")
    );
}
