//! Terraform's everyday workflow against Terraform 1.15.5, step by step: every scenario under
//! `fixtures/scenarios/` (see [`acceptance_tests::scenario`] for the script format) runs under
//! tenantform and under Terraform, each in its own copy, against the same provider binary;
//! exit codes must agree at every step and the JSON plans at every `plan` step.
//!
//! `fixtures/scenarios/known_divergences.txt` names the scenarios that still differ, each with
//! the reason (`NAME: reason`); a listed scenario that agrees fails the test, so that the list
//! only shrinks. Set `PLAN_SCENARIO_FILTER` to a substring of scenario names to run only those.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use acceptance_tests::binaries::workspace_root;
use acceptance_tests::scenario::Scenario;
use acceptance_tests::{Terraform, TerraformVersion};

const KNOWN_DIVERGENCES_FILE: &str = "known_divergences.txt";
const WORKERS: usize = 2;

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

/// The scenarios known to differ from Terraform, with the reason.
fn known_divergences() -> BTreeMap<String, String> {
    std::fs::read_to_string(scenarios_root().join(KNOWN_DIVERGENCES_FILE))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, reason) = line.split_once(':').unwrap_or((line, ""));
            (name.trim().to_string(), reason.trim().to_string())
        })
        .collect()
}

/// Runs the selected scenarios on `WORKERS` threads; the failures by scenario name.
fn run_all(selected: &[&Scenario], terraform: &Terraform) -> BTreeMap<String, String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..WORKERS.min(selected.len()) {
            scope.spawn(|| {
                while let Some(scenario) = selected.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(report) = scenario.run(terraform) {
                        failures
                            .lock()
                            .expect("the failure list")
                            .insert(scenario.name.clone(), report);
                    }
                }
            });
        }
    });
    failures.into_inner().expect("the failure list")
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
    let failures = run_all(&selected, &terraform);
    let known = known_divergences();
    for (name, report) in failures
        .iter()
        .filter(|(name, _)| known.contains_key(*name))
    {
        eprintln!("known divergence {name} ({}):\n{report}\n", known[name]);
    }
    let unexpected: Vec<String> = failures
        .iter()
        .filter(|(name, _)| !known.contains_key(*name))
        .map(|(name, report)| format!("{name}\n{report}"))
        .collect();
    let now_agreeing: Vec<&str> = selected
        .iter()
        .map(|scenario| scenario.name.as_str())
        .filter(|name| known.contains_key(*name) && !failures.contains_key(*name))
        .collect();
    eprintln!(
        "{} of {} scenarios agree with Terraform 1.15.5 at every step",
        selected.len() - failures.len(),
        selected.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} of {} scenarios differ from Terraform 1.15.5:\n\n{}",
        unexpected.len(),
        selected.len(),
        unexpected.join("\n\n")
    );
    assert!(
        now_agreeing.is_empty(),
        "these scenarios now agree with Terraform; remove them from {KNOWN_DIVERGENCES_FILE}: \
         {now_agreeing:?}"
    );
}
