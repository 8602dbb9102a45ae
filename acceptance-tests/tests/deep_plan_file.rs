//! Saved plans with deeply nested values: a plan file always reads back what was written.
//! A value nested 200 levels deep (beyond serde_json's default limit of 128) is saved and
//! shown; one nested 300 levels deep is refused when writing, with an error that says why,
//! and no file is left behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::Project;

/// A configuration whose output is a list nested `levels` deep.
fn nested_config(levels: usize) -> String {
    format!(
        "locals {{\n  deep = {}\"core\"{}\n}}\n\noutput \"deep\" {{\n  value = local.deep\n}}\n",
        "[".repeat(levels),
        "]".repeat(levels)
    )
}

#[test]
fn deep_values_in_saved_plans_read_back() {
    let project = Project::from_config(&nested_config(200));
    project
        .tenantform(&["plan", "-input=false", "-no-color", "-out=tfplan"])
        .expect_success();
    let shown = project.tenantform(&["show", "-json", "tfplan"]);
    shown.expect_success();
    // Compared as text: the JSON is deeper than serde_json parses by default.
    let deep = format!("{}\"core\"{}", "[".repeat(200), "]".repeat(200));
    shown.expect_stdout_has(&format!("\"after\":{deep}"));
}

#[test]
fn plans_too_deep_for_a_plan_file_are_refused_when_saved() {
    let project = Project::from_config(&nested_config(300));
    let planned = project.tenantform(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
    assert_eq!(planned.code, Some(1), "{}", planned.describe());
    assert!(
        planned
            .stderr
            .contains("nested more deeply than a plan file can hold"),
        "{}",
        planned.describe()
    );
    assert!(!project.path("tfplan").exists());
}
