//! The command line as a whole: `TF_CLI_ARGS` against Terraform 1.15.5, `-exclude`
//! (OpenTofu's, no oracle: checked against its written semantics), and the refusal of
//! Terraform commands and flags tenantform does not implement.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::process::{CommandSpec, DEFAULT_TIMEOUT};
use acceptance_tests::{Output, Project, Terraform, TerraformVersion, plan_json};

const FLEET: &str = r#"
terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

provider "tenant" {}

variable "name" {
  type    = string
  default = "Solo"
}

resource "tenant" "fleet" {
  for_each            = toset(["alpha-co", "beta-co"])
  slug                = each.key
  display_name        = "Tenant ${each.key}"
  deletion_protection = false
}

resource "tenant" "solo" {
  slug                = "solo-co"
  display_name        = var.name
  deletion_protection = false
}

resource "tenant_database" "main" {
  tenant_id = tenant.fleet["alpha-co"].id
  name      = "main"
}

output "solo_name" {
  value = tenant.solo.display_name
}

output "database" {
  value = tenant_database.main.name
}
"#;

fn with_env(mut spec: CommandSpec, env: &[(&str, &str)]) -> Output {
    for (name, value) in env {
        spec.env.push((name.to_string(), value.to_string()));
    }
    spec.run(DEFAULT_TIMEOUT)
}

/// Environment, arguments, the exit code both tools give, and text both print.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], i32, &'a str);

#[test]
fn tf_cli_args_are_merged_as_terraform_merges_them() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let project = Project::from_config(FLEET);
    project.init();
    let cases: &[Case] = &[
        (&[], &["plan", "-no-color", "-version"], 0, "\non "),
        (
            &[("TF_CLI_ARGS_plan", "-v")],
            &["plan", "-no-color"],
            0,
            "\non ",
        ),
        (
            &[("TF_CLI_ARGS_plan", "-bogus")],
            &["plan"],
            1,
            "flag provided but not defined: -bogus",
        ),
        (
            &[("TF_CLI_ARGS", "-var 'name=Two words'")],
            &["plan", "-input=false", "-no-color", "-detailed-exitcode"],
            2,
            "\"Two words\"",
        ),
        (
            &[("TF_CLI_ARGS", "'unterminated")],
            &["plan"],
            1,
            "Error parsing extra CLI args from TF_CLI_ARGS: invalid command line string",
        ),
        (
            &[
                ("TF_CLI_ARGS_plan", "-detailed-exitcode -input=false"),
                ("TF_CLI_ARGS_apply", "-bogus"),
            ],
            &["plan", "-no-color"],
            2,
            "Plan: 4 to add",
        ),
        (
            &[("TF_CLI_ARGS_state_list", "-id=none")],
            &["state", "list"],
            1,
            "No state file was found!",
        ),
    ];
    for (env, args, code, needle) in cases {
        let ours = with_env(project.tenantform_command(args), env);
        let theirs = with_env(project.terraform_command(&terraform, args), env);
        for output in [&ours, &theirs] {
            output.expect_code(*code);
            assert!(
                output.combined().contains(needle),
                "{env:?} {args:?}: {}",
                output.describe()
            );
        }
    }
}

fn planned_addresses(project: &Project, args: &[&str]) -> Vec<String> {
    let mut plan_args = vec!["plan", "-input=false", "-no-color", "-out=tfplan"];
    plan_args.extend_from_slice(args);
    let plan = project.tenantform(&plan_args);
    plan.expect_success();
    plan.expect_stdout_has("Warning: Resource targeting is in effect");
    plan.expect_stdout_has("-exclude option");
    let show = project.tenantform(&["show", "-json", "tfplan"]);
    show.expect_success();
    let json = plan_json::parse(&show.stdout, "tenantform");
    let mut addresses: Vec<String> = json["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["address"].as_str().unwrap_or_default().to_string())
        .collect();
    addresses.sort();
    addresses
}

#[test]
fn exclude_leaves_out_what_it_names_and_what_depends_on_it() {
    let project = Project::from_config(FLEET);
    project.init();
    assert_eq!(
        planned_addresses(&project, &["-exclude=tenant.solo"]),
        [
            "tenant.fleet[\"alpha-co\"]",
            "tenant.fleet[\"beta-co\"]",
            "tenant_database.main"
        ]
    );
    // One instance: its sibling stays, whatever depends on its block is left out.
    assert_eq!(
        planned_addresses(
            &project,
            &[
                "-exclude=tenant.fleet[\"alpha-co\"]",
                "-exclude=tenant.solo"
            ]
        ),
        ["tenant.fleet[\"beta-co\"]"]
    );
    let both = project.tenantform(&[
        "plan",
        "-no-color",
        "-exclude=tenant.solo",
        "-target=tenant.solo",
    ]);
    both.expect_code(1);
    both.expect_stderr_has("Invalid combination of arguments");
    both.expect_stderr_has("mutually-exclusive");

    // An apply that leaves tenant.solo out keeps its output out of the state.
    project
        .tenantform(&[
            "apply",
            "-input=false",
            "-no-color",
            "-auto-approve",
            "-exclude=tenant.solo",
        ])
        .expect_success();
    let state = project.read_file("terraform.tfstate");
    assert!(state.contains("\"database\""), "{state}");
    assert!(!state.contains("\"solo_name\""), "{state}");
    assert!(!state.contains("solo-co"), "{state}");
    project
        .tenantform(&["destroy", "-input=false", "-no-color", "-auto-approve"])
        .expect_success();
}

#[test]
fn terraform_commands_and_flags_tenantform_lacks_are_refused_by_name() {
    let project = Project::from_config(FLEET);
    for (args, message) in [
        (
            &["login"][..],
            "the \"login\" command is not supported by tenantform",
        ),
        (
            &["taint", "tenant.solo"][..],
            "the \"taint\" command is not supported by tenantform",
        ),
        (
            &["untaint", "tenant.solo"][..],
            "the \"untaint\" command is not supported by tenantform",
        ),
        (
            &["providers", "lock"][..],
            "the \"providers lock\" command is not supported by tenantform",
        ),
        (
            &["state", "replace-provider", "a", "b"][..],
            "the \"state replace-provider\" command is not supported",
        ),
        (
            &["plan", "-state=x.tfstate"][..],
            "the -state option is not supported by tenantform",
        ),
        (
            &["apply", "-backup=x.tfstate"][..],
            "the -backup option is not supported by tenantform",
        ),
        (
            &["validate", "-var=a=b"][..],
            "the -var option is not supported by tenantform",
        ),
        (
            &["init", "-lock=false"][..],
            "the -lock option is not supported by tenantform",
        ),
        (
            &["plan", "-nonsense"][..],
            "flag provided but not defined: -nonsense",
        ),
    ] {
        let output = project.tenantform(args);
        output.expect_code(1);
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.describe()
        );
    }
}
