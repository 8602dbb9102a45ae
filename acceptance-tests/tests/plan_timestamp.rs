//! `plantimestamp()` is the time the plan was made, also while applying it: a saved plan
//! applied in a later second gives its outputs and resources the plan's time, under tenantform
//! as under Terraform 1.15.5 (the JSON plan's `timestamp` is that time too).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::process::Output;
use acceptance_tests::{Project, Terraform, TerraformVersion};

const CONFIG: &str = r#"
terraform {
  required_providers {
    tenant = {
      source = "tenantform/tenant"
    }
  }
}

provider "tenant" {}

resource "tenant" "main" {
  slug                = "stamp-co"
  display_name        = "Planned at ${plantimestamp()}"
  deletion_protection = false
}

output "planned_at" {
  value = plantimestamp()
}
"#;

/// Plans to a file, waits past the plan's second, applies the file and checks that the
/// output and the resource carry the plan's timestamp.
fn applies_with_the_plan_time(run: &dyn Fn(&[&str]) -> Output) {
    run(&["plan", "-input=false", "-no-color", "-out=tfplan"]).expect_success();
    let shown = run(&["show", "-json", "tfplan"]);
    shown.expect_success();
    let plan: serde_json::Value = serde_json::from_str(&shown.stdout).expect("JSON plan");
    let planned_at = plan["timestamp"].as_str().expect("the plan's timestamp");
    assert_eq!(
        plan["output_changes"]["planned_at"]["after"].as_str(),
        Some(planned_at)
    );
    std::thread::sleep(Duration::from_millis(1100));
    run(&["apply", "-input=false", "-no-color", "tfplan"]).expect_success();
    let output = run(&["output", "-raw", "planned_at"]);
    output.expect_success();
    assert_eq!(output.stdout.trim(), planned_at, "{}", output.describe());
    run(&["destroy", "-auto-approve", "-input=false", "-no-color"]).expect_success();
}

#[test]
fn tenantform_applies_with_the_plan_time() {
    let project = Project::from_config(CONFIG);
    project.init();
    applies_with_the_plan_time(&|args| project.tenantform(args));
}

#[test]
fn terraform_applies_with_the_plan_time() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let project = Project::from_config(CONFIG);
    applies_with_the_plan_time(&|args| project.terraform(&terraform, args));
}
