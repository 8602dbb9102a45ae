//! Policy tools read tenantform's JSON plans as they read Terraform's: every configuration
//! under `fixtures/policy/configurations/` (fleets of module instances made with `for_each`,
//! sensitive attributes and variables) is planned by `tenantform` and by Terraform 1.15.5, each
//! `show -json` document is written to a file, and
//! - checkov (`--framework terraform_plan`, with the custom checks of `fixtures/policy/checkov/`
//!   for tenant resources and its built-in ones) must pass and fail the same checks on the same
//!   resources;
//! - terraform-compliance, with the features of `fixtures/policy/features/`, must accept
//!   tenantform's file and reach the same verdict (exit code, scenarios, failure messages).
//!
//! Some checks and one feature fail on purpose on both sides, so that a tool that silently
//! reads nothing cannot pass: the test asserts that each side has both passing and failing
//! results. The tools come from `TENANTFORM_POLICY_BIN` (set by `scripts/test.sh`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::path::{Path, PathBuf};

use acceptance_tests::file_set;
use acceptance_tests::fixtures::{fixture_dir, fixture_dirs, fixture_name};
use acceptance_tests::plan_compare::indent;
use acceptance_tests::policy_tools::{ComplianceVerdict, PolicyTools};
use acceptance_tests::process::DEFAULT_TIMEOUT;
use acceptance_tests::scenario::Tool;
use acceptance_tests::{Output, Project, Terraform, TerraformVersion};

const CONFIGURATIONS: &str = "policy/configurations";
const PLAN_FILE: &str = "tfplan";
const PLAN_JSON: &str = "plan.json";

/// A configuration planned by one tool, with its JSON plan written to `plan.json`.
struct PlannedSide {
    tool: Tool,
    project: Project,
}

impl PlannedSide {
    fn plan_json_path(&self) -> PathBuf {
        self.project.path(PLAN_JSON)
    }
}

fn run(tool: Tool, project: &Project, terraform: &Terraform, args: &[&str]) -> Output {
    tool.command(project, terraform, args).run(DEFAULT_TIMEOUT)
}

/// Copies the configuration, prepares it (`init`, or `get` for Terraform), plans and writes
/// `show -json` to `plan.json`.
fn plan_side(tool: Tool, dir: &Path, terraform: &Terraform) -> PlannedSide {
    let project = Project::from_config("");
    std::fs::remove_file(project.path("main.tf")).expect("remove the placeholder main.tf");
    file_set::overlay(dir, &project.work_dir(), &[]);
    let prepare: &[&str] = match tool {
        Tool::Tenantform => &["init", "-input=false", "-no-color"],
        Tool::Terraform => &["get", "-no-color", "-update=false"],
    };
    for args in [
        prepare,
        &["plan", "-input=false", "-no-color", "-out", PLAN_FILE],
    ] {
        let output = run(tool, &project, terraform, args);
        assert_eq!(
            output.code,
            Some(0),
            "{} {} failed\n{}",
            tool.name(),
            args[0],
            indent(&output.describe())
        );
    }
    let shown = run(tool, &project, terraform, &["show", "-json", PLAN_FILE]);
    assert_eq!(shown.code, Some(0), "{}", shown.describe());
    project.write_file(PLAN_JSON, &shown.stdout);
    PlannedSide { tool, project }
}

/// Runs both tools on both plans of one configuration; the mismatches, if any.
fn check_configuration(dir: &Path, tools: &PolicyTools, terraform: &Terraform) -> Vec<String> {
    let name = fixture_name(dir);
    let policy = fixture_dir("policy");
    let sides = [
        plan_side(Tool::Tenantform, dir, terraform),
        plan_side(Tool::Terraform, dir, terraform),
    ];
    let mut problems = Vec::new();
    let checkov: Vec<_> = sides
        .iter()
        .map(|side| {
            tools
                .checkov(&side.plan_json_path(), &policy.join("checkov"))
                .unwrap_or_else(|failure| {
                    panic!(
                        "{name}: checkov failed on the {} plan\n{failure}",
                        side.tool.name()
                    )
                })
        })
        .collect();
    for (side, results) in sides.iter().zip(&checkov) {
        let custom = results
            .iter()
            .filter(|(id, ..)| id.starts_with("CKV_TENANT_"));
        let (passed, failed): (Vec<_>, Vec<_>) = custom.partition(|(.., passed)| *passed);
        if passed.is_empty() || failed.is_empty() {
            problems.push(format!(
                "{name}: checkov on the {} plan must pass and fail tenant checks, got {results:?}",
                side.tool.name()
            ));
        }
    }
    if checkov[0] != checkov[1] {
        let only_ours: Vec<_> = checkov[0].difference(&checkov[1]).collect();
        let only_theirs: Vec<_> = checkov[1].difference(&checkov[0]).collect();
        problems.push(format!(
            "{name}: checkov verdicts differ\n  only tenantform: {only_ours:?}\n  only terraform: {only_theirs:?}"
        ));
    }
    let verdicts: Vec<ComplianceVerdict> = sides
        .iter()
        .map(|side| tools.terraform_compliance(&side.plan_json_path(), &policy.join("features")))
        .collect();
    let ours = &verdicts[0];
    // Every configuration passes some scenarios and fails others.
    let accepted = ours.lines.iter().any(|line| line.contains("scenarios ("))
        && ours.lines.iter().any(|line| line.starts_with("Failure:"));
    if !accepted || ours.code != Some(1) {
        problems.push(format!(
            "{name}: terraform-compliance did not run its features on tenantform's plan: {ours:?}"
        ));
    }
    if verdicts[0] != verdicts[1] {
        problems.push(format!(
            "{name}: terraform-compliance verdicts differ\n  tenantform: {:?}\n  terraform:  {:?}",
            verdicts[0], verdicts[1]
        ));
    }
    problems
}

#[test]
fn policy_tools_judge_tenantform_plans_as_they_judge_terraform_plans() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let Some(tools) = PolicyTools::find() else {
        eprintln!("checkov and terraform-compliance are not installed; run scripts/test.sh");
        return;
    };
    let configurations = fixture_dirs(CONFIGURATIONS);
    assert!(
        configurations.len() >= 2,
        "fixtures/{CONFIGURATIONS} must hold at least two configurations"
    );
    let problems: Vec<String> = configurations
        .iter()
        .flat_map(|dir| check_configuration(dir, &tools, &terraform))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
