//! Terraform's everyday workflow against Terraform 1.15.5, step by step: every scenario under
//! `fixtures/scenarios/` (see [`acceptance_tests::scenario`] for the script format) runs under
//! tenantform and under Terraform, each in its own copy, against the same provider binary;
//! exit codes must agree at every step and the JSON plans at every `plan` step.
//!
//! `fixtures/scenarios/known_divergences.txt` names the scenarios that still differ, each with
//! the reason (`NAME: reason`); a listed scenario that agrees fails the test, so that the list
//! only shrinks. Set `PLAN_SCENARIO_FILTER` to a substring of scenario names to run only those.

use std::path::PathBuf;

use acceptance_tests::binaries::workspace_root;
use acceptance_tests::oracle_run;
use acceptance_tests::scenario::Scenario;
use acceptance_tests::{Terraform, TerraformVersion};

const KNOWN_DIVERGENCES_FILE: &str = "known_divergences.txt";

fn scenarios_root() -> PathBuf {
    workspace_root().join("acceptance-tests/fixtures/scenarios")
}

fn scenarios() -> Vec<Scenario> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(scenarios_root())
        .expect("read fixtures/scenarios")
        .map(|entry| entry.expect("a scenario entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|dir| Scenario::load(dir)).collect()
}

#[test]
fn every_scenario_runs_step_by_step_as_terraform_runs_it() {
    let Some(terraform) = Terraform::from_env(TerraformVersion::V1_15) else {
        return;
    };
    let all = scenarios();
    let filter = std::env::var("PLAN_SCENARIO_FILTER").unwrap_or_default();
    let selected: Vec<&Scenario> = all
        .iter()
        .filter(|scenario| scenario.name.contains(&filter))
        .collect();
    assert!(!selected.is_empty(), "no scenario matches {filter:?}");
    let named: Vec<(&str, &Scenario)> = selected
        .iter()
        .map(|scenario| (scenario.name.as_str(), *scenario))
        .collect();
    let failures = oracle_run::check_all(&named, |scenario| scenario.run(&terraform));
    let names: Vec<&str> = named.iter().map(|(name, _)| *name).collect();
    let known = oracle_run::known_divergences(&scenarios_root().join(KNOWN_DIVERGENCES_FILE));
    oracle_run::judge(
        "scenarios",
        &names,
        &failures,
        &known,
        KNOWN_DIVERGENCES_FILE,
    );
}
