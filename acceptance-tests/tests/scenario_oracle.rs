//! Terraform's everyday workflow against Terraform 1.15.5, step by step: every scenario under
//! `fixtures/scenarios/` (see [`acceptance_tests::scenario`] for the script format) runs under
//! tenantform and under Terraform, each in its own copy, against the same provider binary;
//! exit codes must agree at every step and the JSON plans at every `plan` step.
//!
//! `fixtures/scenarios/known_divergences.txt` names the scenarios that still differ, each with
//! the reason (`NAME: reason`); a listed scenario that agrees fails the test, so that the list
//! only shrinks. Set `PLAN_SCENARIO_FILTER` to a substring of scenario names to run only those.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::fixtures::{fixture_dir, fixture_dirs};
use acceptance_tests::oracle_run;
use acceptance_tests::scenario::Scenario;
use acceptance_tests::{Terraform, TerraformVersion};

const SCENARIOS: &str = "scenarios";
const FILTER_VARIABLE: &str = "PLAN_SCENARIO_FILTER";

#[test]
fn every_scenario_runs_step_by_step_as_terraform_runs_it() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let all: Vec<Scenario> = fixture_dirs(SCENARIOS)
        .iter()
        .map(|dir| Scenario::load(dir))
        .collect();
    let selected =
        oracle_run::select_by_env(&all, |scenario| scenario.name.as_str(), FILTER_VARIABLE);
    let filter = std::env::var(FILTER_VARIABLE).unwrap_or_default();
    assert!(!selected.is_empty(), "no scenario matches {filter:?}");
    oracle_run::check_and_judge(
        "scenarios",
        &selected,
        &fixture_dir(SCENARIOS),
        |scenario| scenario.run(&terraform),
    );
}
