//! The local backend's workspaces: `TF_WORKSPACE` selects the state file exactly as Terraform
//! 1.15.5 does (`terraform.tfstate.d/NAME/terraform.tfstate`, or the `local` block's
//! `workspace_dir`), so each tool reads the state the other wrote in a workspace, and
//! `terraform.workspace` names it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::process::{CommandSpec, DEFAULT_TIMEOUT};
use acceptance_tests::{Output, Project, Terraform, TerraformVersion};

const CONFIG: &str = r#"
terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
  backend "local" {
    workspace_dir = "environments"
  }
}

provider "tenant" {}

resource "tenant" "one" {
  slug                = "solo-${terraform.workspace}"
  display_name        = "Solo"
  deletion_protection = false
}

output "slug" {
  value = tenant.one.slug
}
"#;

fn in_workspace(mut spec: CommandSpec, workspace: &str) -> Output {
    spec.env
        .push(("TF_WORKSPACE".to_string(), workspace.to_string()));
    spec.run(DEFAULT_TIMEOUT)
}

#[test]
fn tf_workspace_selects_the_local_state_file_as_in_terraform() {
    let project = Project::from_config(CONFIG);
    project
        .tenantform(&["init", "-input=false", "-no-color"])
        .expect_success();
    // Terraform is initialized before any state exists (its init would look the state's
    // providers up in the registry, which dev_overrides do not cover).
    let tf = Terraform::from_env(TerraformVersion::V1_15);
    if let Some(tf) = &tf {
        project
            .terraform(tf, &["init", "-input=false", "-no-color"])
            .expect_success();
    }
    let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
    in_workspace(project.tenantform_command(&apply), "qa").expect_success();
    let state = project.read_file("environments/qa/terraform.tfstate");
    assert!(state.contains("\"solo-qa\""), "{state}");
    assert!(!project.state_path().exists(), "default has no state");
    let output = ["output", "-raw", "slug"];
    let slug = in_workspace(project.tenantform_command(&output), "qa");
    assert_eq!(slug.stdout, "solo-qa");
    let listed = in_workspace(project.tenantform_command(&["workspace", "list"]), "qa");
    assert!(
        listed.stdout.starts_with("  default\n* qa\n"),
        "{}",
        listed.describe()
    );

    let Some(tf) = tf else {
        return;
    };
    let plan = ["plan", "-detailed-exitcode", "-input=false", "-no-color"];
    in_workspace(project.terraform_command(&tf, &plan), "qa").expect_code(0);
    in_workspace(project.terraform_command(&tf, &apply), "prod").expect_success();
    let state = project.read_file("environments/prod/terraform.tfstate");
    assert!(state.contains("\"solo-prod\""), "{state}");
    in_workspace(project.tenantform_command(&plan), "prod").expect_code(0);
    let destroy = ["destroy", "-auto-approve", "-input=false", "-no-color"];
    for workspace in ["qa", "prod"] {
        in_workspace(project.tenantform_command(&destroy), workspace).expect_success();
    }
}
